import re
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from movement.audit import AuditedRecords
from movement.text import code_from_name, fold, marked

from .fields import LineField, TextField
from .versions import Versioned

# Messages of Django's validators and model fields that Django's Vietnamese catalogue leaves
# untranslated: ours translates them (locale/vi), and naming them here keeps makemessages from
# dropping them.
DJANGO_MESSAGES = (
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop(
        "Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens."
    ),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("“%(value)s” value must be an integer."),
    gettext_noop("“%(value)s” value must be either True or False."),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."
    ),
    gettext_noop("“%(value)s” is not a valid UUID."),
    gettext_noop("Enter a valid UUID."),
)


class RulesInClean:
    """For a model whose clean() enforces each of its check constraints, refusing a record in
    the constraint's own words (:meth:`broken`): a rule is worded once, where the constraint is
    declared, and the database's constraint stays as the last guard.

    Django's full_clean() would check each check constraint again, with a query of its own, and
    say the same words a second time: only the model's other constraints are left to it.
    tests/test_models.py checks that clean() refuses a record breaking any check constraint.
    """

    def get_constraints(self) -> list[tuple[type[models.Model], list[models.BaseConstraint]]]:
        return [
            (model, [one for one in constraints if not isinstance(one, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]

    @classmethod
    def broken(cls, name: str, field: str | None = None) -> ValidationError:
        """The refusal of check constraint ``name``, in its words: of ``field``, or of the
        record as a whole."""
        [constraint] = [one for one in cls._meta.constraints if one.name == name]
        error = ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )
        return ValidationError({field: error}) if field else error


class CodedManager(models.Manager):
    """The manager of records known by a unique code (``slug``), their natural key.

    ``code_source`` names the field a record's code is made from when none is given (by the
    admin's form and by a spreadsheet row without one): a unit's name, a person's full name.
    Records without it (sources, events, campaigns) have their codes typed.
    """

    def __init__(self, code_source: str | None = None) -> None:
        super().__init__()
        self.code_source = code_source

    def get_by_natural_key(self, slug: str) -> models.Model:
        return self.get(slug=slug)

    def free_codes(self, names: Sequence[str]) -> list[str]:
        """A code for each of ``names``, made by :func:`code_from_name` and numbered (-2, -3…)
        where a stored record or an earlier name of the list has it. "" for a name without a
        letter or digit. One query per round of a thousand codes; a round asks for as many
        numbered codes as the names need, twice as many as the round before when all are
        taken."""
        length = self.model._meta.get_field("slug").max_length
        wanted: dict[str, list[int]] = {}
        for position, name in enumerate(names):
            base = code_from_name(name)[:length].strip("-")
            if base:
                wanted.setdefault(base, []).append(position)
        codes = [""] * len(names)
        used: set[str] = set()
        tried = dict.fromkeys(wanted, 0)
        window = 1
        while wanted:
            candidates = {
                base: [
                    numbered_code(base, number, length)
                    for number in range(tried[base] + 1, tried[base] + len(left) * window + 1)
                ]
                for base, left in wanted.items()
            }
            asked = [code for forms in candidates.values() for code in forms]
            taken = set()
            for start in range(0, len(asked), 1000):
                chunk = asked[start : start + 1000]
                taken.update(self.filter(slug__in=chunk).values_list("slug", flat=True))
            for base, forms in candidates.items():
                left = wanted[base]
                for code in forms:
                    if not left:
                        break
                    if code not in taken and code not in used:
                        codes[left.pop(0)] = code
                        used.add(code)
                tried[base] += len(forms)
            wanted = {base: left for base, left in wanted.items() if left}
            window *= 2
        return codes


class RetiredCodeManager(models.Manager):
    def record(self, model: type[models.Model], code: str) -> models.Model | None:
        """The record of ``model`` that was known by ``code``, if it still exists."""
        retired = self.filter(model=model._meta.label_lower, code=code).first()
        if retired is None:
            return None
        return model._default_manager.filter(pk=retired.record_id).first()


class RetiredCode(models.Model):
    """A code a record was known by before its code changed, so that its old links still lead
    to it (with a permanent redirect: movement.views).

    Named by the model's label and the record's key rather than through a content type: a backup
    restored into another database keeps records' keys, not content types' (see
    movement/management/commands/backup.py).
    """

    model = models.CharField(_("model"), max_length=100)
    record_id = models.PositiveBigIntegerField(_("record"))
    code = models.SlugField(_("former code"), max_length=100)
    retired_at = models.DateTimeField(_("retired at"), auto_now_add=True)

    objects = RetiredCodeManager()

    class Meta:
        verbose_name = _("former code")
        verbose_name_plural = _("former codes")
        constraints = [
            models.UniqueConstraint(
                fields=["model", "code"],
                name="retired_code_unique",
                violation_error_message=_(
                    "A record of this kind was already known by this former code. Check whether"
                    " it is the same record."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class UnitScopedQuerySet(models.QuerySet):
    """Records that belong to units (awards, people, tasks), which a unit editor may change
    only within their own units. The rule is written once, in :mod:`movement.permissions`."""

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> "UnitScopedQuerySet":
        """The records ``user`` may change: every one for an emulation officer or an
        administrator, those of their unit and the units below it for a unit editor, none for
        a unit editor attached to no unit."""
        # Imported here: movement.permissions names the models this module defines.
        from movement.permissions import editable

        return editable(user, self)


def numbered_code(base: str, number: int, length: int) -> str:
    """``base`` itself for the first, ``base-2``, ``base-3``… after, cut to ``length``."""
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: length - len(suffix)].rstrip("-") + suffix


# A Vietnamese legal document's number: 35/2015/TT-BCA, 06/2022/QH15, 98/2023/NĐ-CP.
DOCUMENT_NUMBER = re.compile(r".*?\d+/\d{4}/[^\s,;]+")


class Source(Versioned):
    """A document the data was taken from (nguồn): the conference report, a law, a decision."""

    class Kind(models.TextChoices):
        REPORT = "report", _("news report")
        LAW = "law", _("law or regulation")
        DECISION = "decision", _("decision")
        # Generated by seed_demo for demos and benchmarks: never a fact.
        SYNTHETIC = "synthetic", _("synthetic demo data")

    slug = models.SlugField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORT)
    title = LineField(_("title"), max_length=300)
    author = LineField(_("author"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    text = TextField(_("full text"), blank=True)
    note = TextField(
        _("note"),
        blank=True,
        help_text=_("What is known about the document itself, e.g. that it has no headline."),
    )

    objects = CodedManager(code_source="title")
    history = AuditedRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def cited_as(self) -> str:
        """The title up to the document's number, as a citation names a legal text: "Thông tư
        35/2015/TT-BCA", not the whole of what it regulates; the whole title if it has none."""
        numbered = DOCUMENT_NUMBER.match(self.title)
        return numbered.group(0) if numbered else self.title

    def clean(self) -> None:
        # A source given no code gets one made from its title (the admin's form allows that).
        if not self.slug:
            self.slug = Source.objects.free_codes([self.title])[0]


class Sourced(models.Model):
    """A record that can show where it came from and what in it was inferred rather than read."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    source_quote = TextField(
        _("quoted sentences"),
        blank=True,
        help_text=_(
            "The sentences of the source this record was taken from, word for word, one per line."
        ),
    )
    inference_note = TextField(
        _("inferred"),
        blank=True,
        help_text=_(
            "What this record takes from context rather than from the source's words, and why. "
            "Empty when everything is stated outright."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_inferred(self) -> bool:
        return bool(self.inference_note.strip())

    def quotes(self) -> list[str]:
        return [line.strip() for line in self.source_quote.splitlines() if line.strip()]


# Between the text anyone may search and the text only staff search (an award's note), in
# ``search_text`` and ``marked_text``: fold() and marked() turn every line break into a space, so
# neither part holds one.
STAFF_SEARCH_SEPARATOR = "\n"
# The columns Searchable.refresh_search_text() fills, for the paths that write without save().
SEARCH_FIELDS = ["search_text", "marked_text"]


class Searchable(models.Model):
    """A record with copies of its searchable text, refreshed on every save: diacritics-free
    (``search_text``, for words typed without marks) and lower-cased with its marks
    (``marked_text``, for words typed with them: Hưng is not Hùng). See movement.search.

    The text the public pages show comes first; what only staff may search follows, after
    STAFF_SEARCH_SEPARATOR, so one indexed column serves both searches (movement.search).
    """

    search_text = models.TextField(editable=False, default="")
    marked_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        previous = (self.search_text, self.marked_text)
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *SEARCH_FIELDS}
        super().save(*args, **kwargs)
        # A new mark alone ("Hùng" renamed "Hưng") changes the marked text only.
        if previous[0] and previous != (self.search_text, self.marked_text):
            self.search_text_changed()

    def search_parts(self) -> list[str]:
        """The texts anyone may search the record by: only what the public pages show."""
        raise NotImplementedError

    def staff_search_parts(self) -> list[str]:
        """The texts only staff search the record by, never the public pages."""
        return []

    def search_text_changed(self) -> None:
        """Called after a save that changed the search text; records that copy it refresh here."""

    def refresh_search_text(self) -> None:
        public = " ".join(part for part in self.search_parts() if part)
        staff = " ".join(part for part in self.staff_search_parts() if part)
        self.search_text = public_then_staff(fold(public), fold(staff))
        self.marked_text = public_then_staff(marked(public), marked(staff))


def public_then_staff(public: str, staff: str) -> str:
    return f"{public}{STAFF_SEARCH_SEPARATOR}{staff}" if staff else public


def refresh_award_search_text(awards: models.QuerySet, batch_size: int = 2000) -> None:
    """Recompute the search text of ``awards`` after a name they copy has changed."""
    awards = awards.select_related("award_type", "recipient_person", "recipient_unit")
    batch = []
    for award in awards.iterator(chunk_size=batch_size):
        award.refresh_search_text()
        batch.append(award)
        if len(batch) == batch_size:
            type(award).objects.bulk_update(batch, SEARCH_FIELDS)
            batch = []
    if batch:
        type(batch[0]).objects.bulk_update(batch, SEARCH_FIELDS)
