"""Who changed a record, when, what changed and by which path.

Every domain model keeps its history with :class:`AuditedRecords` (django-simple-history): a row
per save or deletion with the values after it, the user and the date. The path of a change — an
admin form, a spreadsheet import, a bulk action, a fixture load… — goes in the history row's change
reason, taken from :func:`recording`, which the admin, the import and ``load_report`` wrap their
work in.

django-simple-history listens to ``post_save`` and ``post_delete``. What skips those signals is
covered here too: raw saves of a fixture load (:func:`recording` with ``raw_saves=True``) and the
``bulk_create``/``bulk_update`` of an import in bulk mode (:class:`AuditedImportMixin`).
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import HistoricalRecords
from simple_history.utils import (
    get_change_reason_from_object,
    get_history_manager_for_model,
    get_m2m_reverse_field_name,
)


class Path(models.TextChoices):
    """How a change reached the database, kept as the history row's change reason."""

    FORM = "form", _("admin form")
    IMPORT = "import", _("spreadsheet import")
    ACTION = "action", _("bulk action")
    FIXTURE = "fixture", _("fixture load")
    REVERT = "revert", _("reverted to an earlier version")
    RESTORE = "restore", _("deleted record restored")
    STEP = "step", _("proposal step")


# Columns computed from the others on save: their history would repeat the record's.
DERIVED_FIELDS = ["search_text", "marked_text"]

# The change reason column holds at most 100 characters.
REASON_LENGTH = 100

_reason: ContextVar[str | None] = ContextVar("audit_reason", default=None)
_raw_saves: ContextVar[bool] = ContextVar("audit_raw_saves", default=False)
_suspended: ContextVar[bool] = ContextVar("audit_suspended", default=False)

# The history row a record's last save wrote, kept on the instance while relations are set
# after it (AuditedRecords.m2m_changed).
SAVED_VERSION = "_audit_saved_version"


def reason(path: Path, detail: str = "") -> str:
    """The change reason for ``path``: its code, and after a colon what it acted on."""
    text = f"{path.value}: {detail}" if detail else path.value
    return text[:REASON_LENGTH]


def current_reason() -> str | None:
    return _reason.get()


@contextmanager
def recording(path: Path, detail: str = "", raw_saves: bool = False) -> Iterator[None]:
    """Record the changes made inside the block as made by ``path``.

    ``raw_saves`` also records the saves a fixture load makes without ``Model.save()``, which
    django-simple-history leaves out since restoring a backup must not invent history.
    """
    reason_token = _reason.set(reason(path, detail))
    raw_token = _raw_saves.set(raw_saves)
    try:
        yield
    finally:
        _raw_saves.reset(raw_token)
        _reason.reset(reason_token)


@contextmanager
def suspended() -> Iterator[None]:
    """Write no history inside the block: for restoring a backup, which brings its own."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def describe(change_reason: str | None) -> str:
    """The change reason of a history row as a person reads it: "spreadsheet import: a.xlsx"."""
    if not change_reason:
        return ""
    code, _colon, detail = change_reason.partition(": ")
    if code not in Path.values:
        return change_reason
    label = str(Path(code).label)
    return f"{label}: {detail}" if detail else label


class AuditedRecords(HistoricalRecords):
    """History for a domain record, with the path of each change.

    ``search_text`` and ``marked_text`` are left out of the models that have them: they are
    recomputed from the other fields on every save, so they tell nothing the rest of the row does
    not, and they change in bulk when a name changes.

    The rows of one deletion share its date: a record and those deleted with it (a plan's tasks
    and areas) are told apart from those deleted before, and come back with it (:func:`restore`).
    """

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        # Known only once the class is ready: an abstract base (Searchable) adds search_text
        # after the model's own fields. Excluding a field the model lacks breaks every page
        # that builds a record from its history (FieldDoesNotExist).
        if sender is self.cls and not self.excluded_fields:
            names = {field.name for field in sender._meta.concrete_fields}
            self.excluded_fields = [name for name in DERIVED_FIELDS if name in names]
        super().finalize(sender, **kwargs)

    def get_change_reason_for_object(self, instance: models.Model, history_type: str, using):
        return super().get_change_reason_for_object(instance, history_type, using) or (
            current_reason()
        )

    def post_save(self, instance: models.Model, created: bool, using=None, **kwargs: Any) -> None:
        # A save that records nothing leaves no version for later relations to join.
        instance.__dict__.pop(SAVED_VERSION, None)
        if _suspended.get():
            return
        if kwargs.get("raw") and _raw_saves.get():
            kwargs["raw"] = False
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance: models.Model, using=None, **kwargs: Any) -> None:
        if _suspended.get():
            return
        # Django names the record or queryset whose deletion this is part of (its "origin").
        origin = kwargs.get("origin")
        if origin is not None:
            date = vars(origin).setdefault("_history_deletion_date", timezone.now())
            instance._history_date = date
            if instance is origin:
                # Deleted after what depended on it: deleting it again is another deletion.
                del origin._history_deletion_date
        super().post_delete(instance, using=using, **kwargs)

    def create_historical_record_m2ms(self, history_instance: Any, instance: models.Model) -> None:
        super().create_historical_record_m2ms(history_instance, instance)
        if self.get_m2m_fields_from_model(type(instance)):
            instance.__dict__[SAVED_VERSION] = history_instance

    def m2m_changed(
        self, instance: models.Model, action: str, attr: str, pk_set: Any, reverse: bool, **kwargs
    ) -> None:
        # Also sent by a fixture load, which sets many-to-many relations after its raw saves.
        if _suspended.get():
            return
        version = instance.__dict__.get(SAVED_VERSION)
        if version is None or reverse or hasattr(instance, "skip_history_when_saving"):
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        # Relations set right after the record's own save (a form's save_m2m, an import row's
        # many-to-many columns) belong to the version that save wrote, which is given them:
        # django-simple-history would write one more version for each relation set.
        if action in ("post_add", "post_remove", "post_clear"):
            for field in self.get_m2m_fields_from_model(type(instance)):
                self.m2m_models[field].objects.filter(history=version).delete()
            super().create_historical_record_m2ms(version, instance)


# Records whose history one statement copies (SQLite takes 32,766 values in one statement).
HISTORY_PER_QUERY = 1000


def record_bulk(objects: list[models.Model], *, update: bool) -> None:
    """History rows for records written by ``bulk_create`` or ``bulk_update``, which send no
    signals. Records without a primary key (a failed insert) have nothing to record.

    The database copies each record's values from the rows just written (INSERT … SELECT):
    django-simple-history's bulk_history_create builds a historical instance per record, which
    costs an import of 10,000 rows as much as writing the records themselves.
    """
    saved = [obj for obj in objects if obj.pk is not None]
    if not saved or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    model = type(saved[0])
    history = get_history_manager_for_model(model).model
    default_reason = current_reason() or reason(Path.IMPORT)
    by_author: dict[tuple[Any, str], list[Any]] = defaultdict(list)
    for obj in saved:
        user = getattr(obj, "_history_user", None) or history.get_default_history_user(obj)
        change_reason = get_change_reason_from_object(obj) or default_reason
        by_author[user.pk if user else None, change_reason].append(obj.pk)

    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    given = ("history_date", "history_change_reason", "history_type", "history_user")
    columns = [history._meta.get_field(field.name).column for field in tracked]
    columns += [history._meta.get_field(name).column for name in given]
    targets = ", ".join(map(quote, columns))
    sources = ", ".join(quote(field.column) for field in tracked)
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)
    # Quoted names only; the values are parameters.
    select = f"SELECT {sources}, %s, %s, %s, %s FROM {table} WHERE {quote(model._meta.pk.column)}"  # noqa: S608
    copy = f"INSERT INTO {history_table} ({targets}) {select} IN "
    date = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        for (user_pk, change_reason), pks in by_author.items():
            for start in range(0, len(pks), HISTORY_PER_QUERY):
                chunk = pks[start : start + HISTORY_PER_QUERY]
                cursor.execute(
                    copy + f"({', '.join(['%s'] * len(chunk))})",
                    [date, change_reason, "~" if update else "+", user_pk, *chunk],
                )


class AuditedImportMixin:
    """For django-import-export resources: every import is recorded as one, bulk mode included.

    The rows an import writes are recorded with the import's path and file name, and with the
    user import-export passes (the admin passes the request's; a command may pass one too). In
    bulk mode the resource writes with ``bulk_create`` and ``bulk_update``, which bypass the
    signals django-simple-history listens to; those rows are recorded here once written. (Bulk
    deletions go through ``QuerySet.delete()``, which sends ``post_delete`` for each row.)
    """

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        with recording(Path.IMPORT, kwargs.get("file_name") or ""):
            return super().import_data(dataset, *args, **kwargs)

    def before_save_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance._history_user = user
        super().before_save_instance(instance, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        created = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        if self.written(using_transactions, dry_run, result):
            record_bulk(created, update=False)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        updated = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        if self.written(using_transactions, dry_run, result):
            record_bulk(updated, update=True)

    @staticmethod
    def written(using_transactions: bool, dry_run: bool, result: Any) -> bool:
        """Whether the bulk write just made stands, to be recorded. import-export reports a
        write the database refused in ``result`` instead of raising; the import is then rolled
        back whole, and its transaction takes no other statement (PostgreSQL's nor Django's)."""
        if result is not None and result.has_errors():
            return False
        return using_transactions or not dry_run


def is_audited(model: type[models.Model]) -> bool:
    """Whether ``model`` keeps its history."""
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def deleted_with(record: models.Model) -> list[models.Model]:
    """The last history rows of the records deleted together with the one ``record`` deleted:
    those pointing to it through a cascading foreign key, in the order they can be restored."""
    model = record.instance_type
    rows = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        cascades = relation.on_delete is models.CASCADE and not relation.many_to_many
        if not cascades or not is_audited(related):
            continue
        history = get_history_manager_for_model(related).model
        pk_name = related._meta.pk.attname
        rows += (
            history.objects.filter(
                history_type="-",
                history_date=record.history_date,
                **{relation.field.attname: getattr(record, model._meta.pk.attname)},
            )
            .exclude(**{f"{pk_name}__in": related._default_manager.values(pk_name)})
            .order_by("history_id")
        )
    # A task's work area comes back before the task.
    return sorted(rows, key=lambda row: depends_on(row.instance_type, rows))


def depends_on(model: type[models.Model], rows: list[models.Model]) -> int:
    """How many of the models of ``rows`` ``model`` points to."""
    targets = {field.related_model for field in model._meta.concrete_fields if field.is_relation}
    return len(targets & {row.instance_type for row in rows if row.instance_type is not model})


def restore(record: models.Model, user: Any) -> list[models.Model]:
    """Bring back the record deleted in the history row ``record``, as it was before, with its
    many-to-many relations and the records deleted with it; return all of them, checked first.

    Run it inside a transaction: a record that breaks a rule raises ValidationError.
    """
    instance = record.instance
    instance.full_clean()
    instance._history_user = user
    instance.save()
    # The deletion's own row holds no relations: Django removes them before the record.
    before = record.prev_record
    # The relations kept in history are reached from a history row by the field's name (a
    # record deleted as soon as created has no row before its deletion).
    kept = [f for f in type(instance)._meta.many_to_many if hasattr(before, f.name)]
    for field in kept:
        target = get_m2m_reverse_field_name(field)
        ids = [getattr(row, f"{target}_id") for row in getattr(before, field.name).all()]
        existing = field.related_model._default_manager.filter(pk__in=ids)
        getattr(instance, field.name).set(existing)
    restored = [instance]
    for row in deleted_with(record):
        restored += restore(row, user)
    return restored
