"""An officer's service record (the facts the eligibility rules read) and a unit's yearly rating.

Each kind of fact has a narrow table of its own, keyed by person (or unit) and a date or a year,
so that a rule over many people is one set-based query (window functions, gaps and islands over
years) that reads only the columns it needs, the same on SQLite and PostgreSQL.

Dates are the source's: a date the source does not state stays empty ("not stated"), never
guessed. A person's current rank, position and unit (on :class:`~movement.models.Person`) are
the latest entries of their rank history and postings: saving or deleting an entry brings the
person up to date (:func:`follow_history`).
"""

import copy
import datetime
import math
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import RulesInClean, Sourced, UnitScopedQuerySet
from .fields import LineField
from .people import Person
from .versions import Versioned

# The years a yearly rating may be for, as an award's year (Award.year).
FIRST_YEAR, LAST_YEAR = 1945, 2100


class Rating(models.TextChoices):
    """The four grades of a yearly review (xếp loại mức độ hoàn thành nhiệm vụ)."""

    EXCELLENT = "excellent", _("completed tasks excellently")
    GOOD = "good", _("completed tasks well")
    COMPLETED = "completed", _("completed tasks")
    NOT_COMPLETED = "not_completed", _("did not complete tasks")


def year_in_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
        name=name,
        violation_error_message=_("The year must be between 1945 and 2100. Check the year."),
    )


def person_field(related_name: str) -> models.ForeignKey:
    # A person's record goes with them: it says nothing once they are deleted.
    return models.ForeignKey(
        "movement.Person",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("person"),
    )


def one_entry(name: str, fields: list[str], message: str) -> models.UniqueConstraint:
    """No two entries of a person's record share ``fields``: a real record never repeats them,
    and a file imported again updates its entries instead of adding them a second time. An
    entry whose date is not stated (NULL) is never a duplicate, as two NULLs never clash."""
    return models.UniqueConstraint(fields=fields, name=name, violation_error_message=message)


def dates_in_order(name: str, start: str, end: str) -> models.CheckConstraint:
    """``end`` is not before ``start`` (either may be empty: not stated)."""
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=_(
            "The end date is before the start date. Check both dates, or leave one empty if the "
            "source does not state it."
        ),
    )


class PersonRecord(RulesInClean, Sourced, Versioned):
    """A fact of one person's service record; it belongs to the person's unit (a unit editor
    changes the records of their own people only: movement.permissions)."""

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def check_dates(self, name: str, start: str, end: str) -> None:
        """clean()'s side of :func:`dates_in_order`."""
        first, last = getattr(self, start), getattr(self, end)
        if first is not None and last is not None and last < first:
            raise self.broken(name, end)

    def check_year(self, name: str) -> None:
        """clean()'s side of :func:`year_in_range`."""
        if self.year is not None and not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise self.broken(name, "year")


class RankChange(PersonRecord):
    """A rank a person was given (thăng, phong cấp bậc hàm), from a date."""

    person = person_field("rank_changes")
    rank = models.ForeignKey("movement.Rank", on_delete=models.PROTECT, verbose_name=_("rank"))
    since = models.DateField(
        _("since"), null=True, blank=True, help_text=_("Empty when the source does not state it.")
    )
    decision = LineField(_("decision"), max_length=200, blank=True)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("rank change")
        verbose_name_plural = _("rank history")
        ordering = ["person_id", F("since").asc(nulls_first=True), "pk"]
        # The unique index also serves "a person's ranks by date".
        constraints = [
            one_entry(
                "rank_change_one_a_day",
                ["person", "since"],
                _(
                    "This person already has a rank change on this date. Correct that entry "
                    "instead of adding a second one."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rank} ({self.since:%d/%m/%Y})" if self.since else str(self.rank)


class Posting(PersonRecord):
    """A unit and position a person held (a posting or transfer, điều động), over a period."""

    person = person_field("postings")
    unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postings",
        verbose_name=_("unit"),
    )
    position = LineField(_("position"), max_length=300, blank=True)
    since = models.DateField(
        _("since"), null=True, blank=True, help_text=_("Empty when the source does not state it.")
    )
    until = models.DateField(_("until"), null=True, blank=True)
    decision = LineField(_("decision"), max_length=200, blank=True)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["person_id", F("since").asc(nulls_first=True), "pk"]
        indexes = [models.Index(fields=["person", "since"], name="posting_person_since")]
        constraints = [
            # Two positions at once (kiêm nhiệm) are two postings; the same unit from the same
            # day twice is one posting entered twice.
            one_entry(
                "posting_one_a_unit_a_day",
                ["person", "unit", "since"],
                _(
                    "This person already has a posting to this unit from this date. Correct that "
                    "posting instead of adding a second one."
                ),
            ),
            dates_in_order("posting_dates_in_order", "since", "until"),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(position=""),
                name="posting_unit_or_position",
                violation_error_message=_(
                    "A posting says where or as what: give the unit, the position or both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return " – ".join(str(part) for part in [self.position, self.unit] if part)

    def also_changes(self) -> list[models.Model]:
        """The person as saving this posting leaves them (:func:`placed_after`): whoever saves
        it must be allowed that move too (movement.permissions). Saved as the latest, it moves
        them; saved with an older date, the posting before it may become the latest instead."""
        try:
            # Unsaved yet when the person and their postings are added on one page.
            person = self.person
        except ObjectDoesNotExist:
            return []
        return [placed_after(person, saved=[self])]

    @classmethod
    def deleting_changes(
        cls, entries: list["Posting"], keeping: list["Posting"] = ()
    ) -> list[models.Model]:
        """The people as deleting ``entries`` leaves them (saving ``keeping``, a page's other
        rows, at once): their latest posting left places them (:func:`follow_history`), and
        whoever deletes must be allowed that move too (movement.permissions)."""
        people = {entry.person_id for entry in entries if entry.person_id is not None}
        found = Person.objects.in_bulk(people)
        return [placed_after(person, removed=entries, saved=keeping) for person in found.values()]

    def clean(self) -> None:
        super().clean()
        if self.unit_id is None and not self.position:
            raise self.broken("posting_unit_or_position")
        self.check_dates("posting_dates_in_order", "since", "until")


class PersonRating(PersonRecord):
    """How a person completed their tasks in a year: one rating a year."""

    person = person_field("ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("yearly rating")
        verbose_name_plural = _("yearly ratings")
        ordering = ["person_id", "year"]
        # "Who was rated so in a year" reads this index; "a person's years" the unique one.
        indexes = [models.Index(fields=["year", "rating"], name="person_rating_year_rating")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                name="person_rating_one_a_year",
                violation_error_message=_(
                    "This person already has a rating for this year. Correct that rating instead "
                    "of adding a second one."
                ),
            ),
            year_in_range("person_rating_year_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_rating_display()}"

    def clean(self) -> None:
        super().clean()
        self.check_year("person_rating_year_in_range")


class Initiative(PersonRecord):
    """An initiative (sáng kiến) of a person, and the level that recognised it."""

    class Level(models.TextChoices):
        GRASSROOTS = "grassroots", _("grassroots level")  # cấp cơ sở
        PROVINCIAL = "provincial", _("provincial level")  # cấp tỉnh
        MINISTRY = "ministry", _("ministry level")  # cấp Bộ
        NATIONAL = "national", _("national level")  # toàn quốc

    person = person_field("initiatives")
    title = LineField(_("title"), max_length=500)
    level = models.CharField(_("recognised at"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year recognised"))
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    decision = LineField(_("decision"), max_length=200, blank=True)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["person_id", "year", "pk"]
        indexes = [models.Index(fields=["person", "year"], name="initiative_person_year")]
        constraints = [
            year_in_range("initiative_year_in_range"),
            models.CheckConstraint(
                condition=Q(recognised_on__isnull=True) | Q(recognised_on__year=F("year")),
                name="initiative_date_in_year",
                violation_error_message=_(
                    "The date of recognition is not in the year recognised. Correct one of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        self.check_year("initiative_year_in_range")
        if self.recognised_on and self.year is not None and self.recognised_on.year != self.year:
            raise self.broken("initiative_date_in_year", "recognised_on")


class Discipline(PersonRecord):
    """A disciplinary measure (kỷ luật) and the period it runs."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("reprimand")  # khiển trách
        WARNING = "warning", _("warning")  # cảnh cáo
        SALARY_DOWNGRADE = "salary_downgrade", _("salary downgrade")  # hạ bậc lương
        RANK_DEMOTION = "rank_demotion", _("rank demotion")  # giáng cấp bậc hàm
        POST_DEMOTION = "post_demotion", _("demotion from post")  # giáng chức
        DISMISSAL = "dismissal", _("dismissal from post")  # cách chức
        EXPULSION = "expulsion", _("expulsion from the force")  # tước danh hiệu CAND

    person = person_field("disciplines")
    form = models.CharField(_("form"), max_length=30, choices=Form.choices)
    since = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty when the source does not state it.")
    )
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while it runs or if not stated.")
    )
    decision = LineField(_("decision"), max_length=200, blank=True)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["person_id", F("since").asc(nulls_first=True), "pk"]
        indexes = [models.Index(fields=["person", "since"], name="discipline_person_since")]
        constraints = [
            one_entry(
                "discipline_one_a_day",
                ["person", "form", "since"],
                _(
                    "This person already has a discipline of this form from this date. Correct "
                    "that entry instead of adding a second one."
                ),
            ),
            dates_in_order("discipline_dates_in_order", "since", "until"),
        ]

    def __str__(self) -> str:
        return self.get_form_display()

    def clean(self) -> None:
        super().clean()
        self.check_dates("discipline_dates_in_order", "since", "until")


class Inspection(PersonRecord):
    """A period in which a person was under inspection, or the subject of a complaint or a
    denunciation not yet settled."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("inspection")  # thanh tra, kiểm tra
        COMPLAINT = "complaint", _("complaint")  # khiếu nại
        DENUNCIATION = "denunciation", _("denunciation")  # tố cáo

    person = person_field("inspections")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    since = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty when the source does not state it.")
    )
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while it runs or if not stated.")
    )
    note = LineField(_("note"), max_length=500, blank=True)

    history = AuditedRecords()

    class Meta:
        verbose_name = _("inspection or complaint")
        verbose_name_plural = _("inspections and complaints")
        ordering = ["person_id", F("since").asc(nulls_first=True), "pk"]
        indexes = [models.Index(fields=["person", "since"], name="inspection_person_since")]
        constraints = [
            # Two complaints from one day are one period of being under complaint, which is
            # what the rules read.
            one_entry(
                "inspection_one_a_day",
                ["person", "kind", "since"],
                _(
                    "This person already has an inspection or complaint of this kind from this "
                    "date. Correct that entry instead of adding a second one."
                ),
            ),
            dates_in_order("inspection_dates_in_order", "since", "until"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        super().clean()
        self.check_dates("inspection_dates_in_order", "since", "until")


class UnitRating(RulesInClean, Sourced, Versioned):
    """How a unit completed its tasks in a year, and the emulation title it was given for it."""

    unit = models.ForeignKey(
        "movement.Unit", on_delete=models.CASCADE, related_name="ratings", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    title = models.ForeignKey(
        "movement.AwardType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emulation title"),
        help_text=_("The title the unit was given for the year, if any."),
    )

    objects = UnitScopedQuerySet.as_manager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("unit's yearly rating")
        verbose_name_plural = _("units' yearly ratings")
        ordering = ["unit_id", "year"]
        indexes = [models.Index(fields=["year", "rating"], name="unit_rating_year_rating")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="unit_rating_one_a_year",
                violation_error_message=_(
                    "This unit already has a rating for this year. Correct that rating instead "
                    "of adding a second one."
                ),
            ),
            year_in_range("unit_rating_year_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_rating_display()}"

    def clean(self) -> None:
        super().clean()
        if self.year is not None and not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise self.broken("unit_rating_year_in_range", "year")
        if self.title_id and not self.title.for_collectives:
            message = _("“%(type)s” is given to individuals only, not to a unit.")
            raise ValidationError({"title": message % {"type": self.title}})


def latest(entries: models.QuerySet) -> models.Model | None:
    """The latest of a person's entries: the one with the latest date; an entry without a date
    (not stated) comes before every dated one, and entries of the same date in the order they
    were entered."""
    return entries.order_by(F("since").desc(nulls_last=True), "-pk").first()


def order_key(entry: models.Model) -> tuple:
    """:func:`latest`'s order in Python, for an entry not yet saved (entered after the rest)."""
    return (entry.since is not None, entry.since or datetime.date.min, entry.pk or math.inf)


def placed_after(person: Person, removed: list[Posting] = (), saved: list[Posting] = ()) -> Person:
    """A copy of ``person`` with the unit and position their postings give them once
    ``removed`` are deleted and ``saved`` (new or changed) are saved: those of the latest
    (:func:`order_key`), as :func:`follow_history` would; left as they are with none."""
    person = copy.copy(person)
    entries = [entry for entry in saved if entry.person_id in (None, person.pk)]
    if person.pk is not None:
        gone = {entry.pk for entry in [*removed, *saved] if entry.pk is not None}
        entries += Posting.objects.filter(person=person.pk).exclude(pk__in=gone)
    if entries:
        newest = max(entries, key=order_key)
        person.unit_id, person.position = newest.unit_id, newest.position
    return person


class Held(NamedTuple):
    """What a person held on a day by their history: the rank and the position of the entries
    in force then (None where none was), and whether they have a rank history or postings at
    all (someone with none has their current rank and position as its only, undated, entry:
    :func:`start_histories`).

    A tuple of plain values, which Python's cycle collector stops tracking: an import asks it of
    every person of its file."""

    rank_id: int | None = None
    position: str | None = None
    has_ranks: bool = False
    has_postings: bool = False


def held_on(days: Iterable[tuple[int, datetime.date | None]]) -> dict[tuple, Held]:
    """For each (person id, day), what they held that day (:class:`Held`), in two queries
    whatever the number: the latest entry, in :func:`latest`'s order, among those dated on or
    before the day and those whose date is not stated (which come before every dated one). A
    day of None is any day: the latest entry."""
    days = list(days)
    people = {person for person, _day in days}
    histories: dict[type, dict[int, list]] = {}
    for model, read in [(RankChange, "rank_id"), (Posting, "position")]:
        entries = model.objects.filter(person__in_array=people).only("person_id", "since", read)
        by_person = histories.setdefault(model, {})
        for entry in sorted(entries.order_by(), key=order_key):
            by_person.setdefault(entry.person_id, []).append(entry)
    found = {}
    for person, day in days:
        ranks = histories[RankChange].get(person, [])
        postings = histories[Posting].get(person, [])
        rank, posting = in_force(ranks, day), in_force(postings, day)
        found[person, day] = Held(
            rank_id=rank.rank_id if rank else None,
            position=posting.position if posting else None,
            has_ranks=bool(ranks),
            has_postings=bool(postings),
        )
    return found


def in_force(entries: list[models.Model], day: datetime.date | None) -> models.Model | None:
    """The last of ``entries`` (in :func:`order_key`'s order) not dated after ``day``."""
    held = None
    for entry in entries:
        if day is None or entry.since is None or entry.since <= day:
            held = entry
    return held


def follow_history(person_id: int | None) -> None:
    """Give the person the rank, unit and position of the latest entries of their history, if
    they have any, saving them (as a new version) only if that changes something."""
    if person_id is None:
        return
    person = Person.objects.filter(pk=person_id).first()
    if person is None:  # Deleted with its history.
        return
    changed = []
    rank_change = latest(RankChange.objects.filter(person=person_id))
    if rank_change is not None and rank_change.rank_id != person.rank_id:
        person.rank_id = rank_change.rank_id
        changed.append("rank")
    posting = latest(Posting.objects.filter(person=person_id))
    if posting is not None:
        for name in ["unit_id", "position"]:
            if getattr(posting, name) != getattr(person, name):
                setattr(person, name, getattr(posting, name))
                changed.append(name.removesuffix("_id"))
    if changed:
        person.save(update_fields=changed)


def start_histories(
    people: models.QuerySet, rank_change: type[models.Model], posting: type[models.Model]
) -> int:
    """For each of ``people`` whose rank, or unit or position, is known but who has no rank
    history, or no postings, a first entry holding it, undated (the date it was given is not
    known), with the person's source, after the report is loaded (migration 0025 holds a frozen
    copy). Returns how many entries were made."""
    made = 0
    common = ["source_id", "source_quote", "inference_note"]
    for person in people.filter(rank__isnull=False, rank_changes__isnull=True):
        rank_change.objects.create(
            person_id=person.pk,
            rank_id=person.rank_id,
            **{name: getattr(person, name) for name in common},
        )
        made += 1
    placed = Q(unit__isnull=False) | ~Q(position="")
    for person in people.filter(placed, postings__isnull=True):
        posting.objects.create(
            person_id=person.pk,
            unit_id=person.unit_id,
            position=person.position,
            **{name: getattr(person, name) for name in common},
        )
        made += 1
    return made


def history_changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """After an entry of a rank history or of the postings is saved or deleted, one by one or
    in a queryset's delete(); not for a fixture's raw save, which loads the person as well."""
    if not kwargs.get("raw"):
        follow_history(instance.person_id)


for entries in [RankChange, Posting]:
    models.signals.post_save.connect(history_changed, sender=entries, dispatch_uid=entries.__name__)
    models.signals.post_delete.connect(
        history_changed, sender=entries, dispatch_uid=entries.__name__
    )
