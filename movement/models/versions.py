"""Optimistic locking: a record staff edit is saved only over the version it was read at.

Each save of a :class:`Versioned` record first claims its version, in one
``UPDATE … SET version = version + 1 WHERE id = … AND version = <the version read>``, and writes
only if that claimed the row: two people who opened the same record cannot both save it, the
second is told who saved it meanwhile (:class:`VersionConflict`). The admin's forms carry the
version a page was opened at (movement.admin.versions), an exported spreadsheet carries each
row's (movement.spreadsheets.resources), and writes in bulk claim theirs with
:func:`claim_versions`.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_manager_for_model

# Versions checked in one query when records are written in bulk.
VERSIONS_PER_QUERY = 1000


class VersionConflict(Exception):
    """A save over a record that someone else saved (or deleted) after it was read."""

    def __init__(self, record: models.Model, version: int) -> None:
        self.record = record
        self.version = version
        super().__init__(self.describe())

    def describe(self) -> str:
        return gettext(
            "The %(model)s “%(record)s” was saved by someone else after its version %(version)s "
            "was read here: nothing was saved. Open it again to see their changes."
        ) % {
            "model": self.record._meta.verbose_name,
            "record": self.record,
            "version": self.version,
        }


class Versioned(models.Model):
    """A record that staff edit, saved only over the version it was read at."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "How many times the record was saved. A form or an exported file carries the "
            "version it was read at, and is refused if the record changed since."
        ),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A deleted instance saved again is a new row (deletion set its key to None).
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # As Model.save_base does, no savepoint: a refusal leaves the transaction usable (it is
        # raised once the block is left), a database error ends it anyway.
        with transaction.atomic(using=using, savepoint=False):
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if claimed:
                self.version += 1
                super().save(*args, **kwargs)
        if not claimed:
            raise VersionConflict(self, self.version)

    def stored_version(self) -> int | None:
        """The version saved now; None if the record was deleted."""
        # Unordered: the model's ordering (an award's by its type's name) would add a join.
        stored = type(self)._base_manager.filter(pk=self.pk).order_by().values_list("version")
        return next((version for (version,) in stored), None)

    def saves_since(self, version: int) -> list[Any]:
        """The history rows of the saves (and a deletion) made after ``version``, oldest first."""
        history = get_history_manager_for_model(self)
        return list(
            history.filter(version__gt=version)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )

    def version_as_read(self, version: int) -> Any:
        """The history row of the record as it was at ``version``, if the history holds one."""
        history = get_history_manager_for_model(self)
        return history.filter(version=version).order_by("-history_date", "-history_id").first()


def claim_versions(records: Iterable[Versioned]) -> None:
    """Before ``records`` are written in bulk (``bulk_update``), check that each is still at the
    version it was read at and give each the next one; raise :class:`VersionConflict` for the
    first that is not. Run inside the transaction that writes them: the rows stay locked on
    PostgreSQL until it ends (SQLite lets one transaction write at a time)."""
    records = [record for record in records if record.pk is not None]
    if not records:
        return
    model = type(records[0])
    for start in range(0, len(records), VERSIONS_PER_QUERY):
        chunk = records[start : start + VERSIONS_PER_QUERY]
        stored = dict(
            model._base_manager.select_for_update()
            .filter(pk__in=[record.pk for record in chunk])
            .values_list("pk", "version")
        )
        for record in chunk:
            if stored.get(record.pk) != record.version:
                raise VersionConflict(record, record.version)
    for record in records:
        record.version += 1


def saved_by(rows: list[Any]) -> str:
    """Who saved a record and when, from its history rows: "Lan (lan) at 10:05 on 30/11/2026"."""
    parts = []
    for row in rows:
        user = row.history_user
        name = gettext("an unknown user")
        if user is not None:
            full_name = user.get_full_name()
            name = f"{full_name} ({user.get_username()})" if full_name else user.get_username()
        moment = timezone.localtime(row.history_date)
        parts.append(
            gettext("%(user)s at %(time)s on %(date)s")
            % {"user": name, "time": moment.strftime("%H:%M"), "date": moment.strftime("%d/%m/%Y")}
        )
    # The same person saving twice is named once, at their last save.
    seen: dict[str, str] = {}
    for row, part in zip(rows, parts, strict=True):
        seen[str(row.history_user_id)] = part
    return "; ".join(seen.values())
