import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import (
    RulesInClean,
    Searchable,
    Source,
    Sourced,
    UnitScopedQuerySet,
    refresh_award_search_text,
)
from .decisions import Decision
from .fields import LineField, TextField
from .service import Held, held_on
from .versions import Versioned


class RecipientKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")  # cá nhân
    COLLECTIVE = "collective", _("collective")  # tập thể


class AwardTypeQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "AwardTypeQuerySet":
        """The types a law had in force on ``day``: an open end is no limit."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def in_force_in(self, year: int) -> "AwardTypeQuerySet":
        """The types in force on at least one day of emulation year ``year``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=datetime.date(year, 12, 31)),
            Q(valid_until__isnull=True) | Q(valid_until__gte=datetime.date(year, 1, 1)),
        )

    def cited_in(self, text: Source) -> "AwardTypeQuerySet":
        """The types whose legal citation is an article of ``text``."""
        return self.filter(legal_source=text)

    def unconfirmed(self) -> "AwardTypeQuerySet":
        """The types cited to a legal text whose article was not read in it."""
        return self.filter(legal_source__isnull=False, article_confirmed=False)


class AwardTypeManager(models.Manager.from_queryset(AwardTypeQuerySet)):
    def get_by_natural_key(self, name: str, award_class: str) -> "AwardType":
        return self.get(name=name, award_class=award_class)


class AwardType(RulesInClean, Sourced, Searchable, Versioned):
    """A form of commendation or emulation title (hình thức khen thưởng / danh hiệu thi đua).

    The catalogue follows the Law on Emulation and Commendation, which has changed over the years:
    a type is in force from one day to another, so awards of the past keep their real names. A
    type may cite the article of the legal text (a source of kind "law") that establishes it, and
    says whether that article was read in the text or could not be confirmed.
    """

    class Category(models.TextChoices):
        ORDER = "order", _("order")  # huân chương
        MEDAL = "medal", _("medal")  # huy chương
        FLAG = "flag", _("emulation flag")  # cờ thi đua
        TITLE = "title", _("emulation title")  # danh hiệu
        CERTIFICATE_OF_MERIT = "certificate_of_merit", _("certificate of merit")  # bằng khen
        CERTIFICATE = "certificate", _("certificate of commendation")  # giấy khen
        COMMEMORATIVE = "commemorative", _("commemorative medal")  # kỷ niệm chương

    class Class(models.TextChoices):
        NONE = "", _("no class")
        FIRST = "1", _("First class")  # hạng Nhất
        SECOND = "2", _("Second class")  # hạng Nhì
        THIRD = "3", _("Third class")  # hạng Ba

    class Conferrer(models.TextChoices):
        UNKNOWN = "", _("not stated")
        STATE_PRESIDENT = "state_president", _("State President")  # Chủ tịch nước
        PRIME_MINISTER = "prime_minister", _("Prime Minister")  # Thủ tướng Chính phủ
        MINISTER = "minister", _("Minister of Public Security")  # Bộ trưởng Bộ Công an
        GENERAL_DEPARTMENT = "general_department", _("general department")  # Tổng cục
        UNIT_HEAD = "unit_head", _("head of unit")  # Thủ trưởng đơn vị

    name = LineField(_("name"), max_length=200)
    award_class = models.CharField(
        _("class"), max_length=1, choices=Class.choices, blank=True, default=Class.NONE
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    conferred_by = models.CharField(
        _("conferred by"), max_length=30, choices=Conferrer.choices, blank=True, default=""
    )
    for_individuals = models.BooleanField(_("for individuals"), default=False)
    for_collectives = models.BooleanField(_("for collectives"), default=False)
    valid_from = models.DateField(
        _("in force from"),
        null=True,
        blank=True,
        help_text=_("The first day the form could be given; empty when not known."),
    )
    valid_until = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("The last day the form could be given; empty while it still is."),
    )
    legal_basis = LineField(_("legal basis"), max_length=300, blank=True)
    legal_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": Source.Kind.LAW},
        related_name="award_types_cited",
        verbose_name=_("legal text"),
        help_text=_("The law, decree or circular that establishes the form."),
    )
    legal_article = LineField(
        _("article"),
        max_length=100,
        blank=True,
        help_text=_("Where in the legal text, e.g. “Điều 23” or “khoản 2 Điều 54”."),
    )
    article_confirmed = models.BooleanField(
        _("article confirmed"),
        default=False,
        help_text=_("Ticked when the article was read in the text itself, not only inferred."),
    )
    citation_note = TextField(
        _("about the citation"),
        blank=True,
        help_text=_("Where the article was read, or why it could not be confirmed."),
    )

    objects = AwardTypeManager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["category", "name", "award_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "award_class"],
                name="award_type_unique_name",
                violation_error_message=_(
                    "An award type with this name and class already exists. Use that one, or give "
                    "another name or class."
                ),
            ),
            models.CheckConstraint(
                condition=Q(for_individuals=True) | Q(for_collectives=True),
                name="award_type_has_recipients",
                violation_error_message=_(
                    "Say whether the award type is for individuals, for collectives or for both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="award_type_valid_period",
                violation_error_message=_(
                    "The last day an award type is in force cannot come before its first. Correct"
                    " one of the two dates."
                ),
            ),
            models.CheckConstraint(
                condition=Q(legal_source__isnull=False) | Q(legal_article=""),
                name="award_type_article_has_text",
                violation_error_message=_(
                    "An article is an article of some legal text: choose the text it is in."
                ),
            ),
            models.CheckConstraint(
                condition=Q(article_confirmed=False) | ~Q(legal_article=""),
                name="award_type_confirmed_article",
                violation_error_message=_(
                    "Only an article can be confirmed: write which article was read, or untick"
                    " “article confirmed”."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.award_class:
            return f"{self.name} {self.get_award_class_display_vi()}"
        return self.name

    def get_award_class_display_vi(self) -> str:
        # The class is part of the award's Vietnamese name ("hạng Ba"), whatever the UI language.
        return {"1": "hạng Nhất", "2": "hạng Nhì", "3": "hạng Ba"}.get(self.award_class, "")

    def natural_key(self) -> tuple[str, str]:
        return (self.name, self.award_class)

    def search_parts(self) -> list[str]:
        return [str(self), self.get_category_display()]

    def search_text_changed(self) -> None:
        refresh_award_search_text(self.awards.all())

    def accepts(self, kind: str) -> bool:
        return self.for_individuals if kind == RecipientKind.INDIVIDUAL else self.for_collectives

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether the form could be given on ``day`` (the same test as the queryset's)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def in_force_in(self, year: int) -> bool:
        """Whether the form could be given on some day of emulation year ``year``."""
        return (self.valid_from is None or self.valid_from.year <= year) and (
            self.valid_until is None or year <= self.valid_until.year
        )

    @property
    def legal_citation(self) -> str:
        """The article and the number of its text, as a reader cites them: "Điều 56, Luật …"."""
        if self.legal_source_id is None:
            return ""
        text = self.legal_source.cited_as
        return f"{self.legal_article}, {text}" if self.legal_article else text

    def clean(self) -> None:
        if not (self.for_individuals or self.for_collectives):
            raise self.broken("award_type_has_recipients")
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise self.broken("award_type_valid_period", "valid_until")
        if self.legal_article and self.legal_source_id is None:
            raise self.broken("award_type_article_has_text", "legal_source")
        if self.article_confirmed and not self.legal_article:
            raise self.broken("award_type_confirmed_article", "legal_article")
        if self.legal_source_id is not None and self.legal_source.kind != Source.Kind.LAW:
            # Not a check constraint: the kind is the cited record's, out of reach of one.
            raise ValidationError(
                {"legal_source": _("Cite a legal text here, a source of kind “law or regulation”.")}
            )


# Newest year first, the latest entered first within it: the order of the (year, id) index read
# backwards, so that a page of a million awards is read off the index instead of sorted.
NEWEST_FIRST = ("-year", "-pk")


class AwardQuerySet(UnitScopedQuerySet):
    def newest_first(self) -> "AwardQuerySet":
        return self.order_by(*NEWEST_FIRST)

    def newest(self, count: int) -> list["Award"]:
        """The ``count`` newest of these awards, with the relations selected, in two queries:
        their ids, which an index gives alone, then those rows. In one query PostgreSQL reads and
        joins every candidate before keeping the newest: 1,800 rows for a province's newest
        twenty at ten million awards, 40 ms where the two queries take 11 (#18)."""
        ids = list(self.newest_first().values_list("pk", flat=True)[:count])
        return list(self.filter(pk__in=ids).newest_first())

    def in_force(self) -> "AwardQuerySet":
        """The awards not revoked: what every tally, count and rule of eligibility reads."""
        return self.filter(revoked_on__isnull=True)

    def revoked(self) -> "AwardQuerySet":
        """The awards a decision revoked; they stay in the history, shown as revoked."""
        return self.filter(revoked_on__isnull=False)


class AwardManager(models.Manager.from_queryset(AwardQuerySet)):
    def get_by_natural_key(self, key: str) -> "Award":
        return self.get(key=key)


class Award(RulesInClean, Sourced, Searchable, Versioned):
    """One commendation (khen thưởng): a type given for an emulation year to one recipient.

    The recipient is a unit, a person, or a group the source counts but does not name
    ("3 tập thể"); the database refuses none or two. A person's rank and position are kept as they
    were when the award was given, since both change.
    """

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="awards", verbose_name=_("award type")
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    recipient_unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("recipient unit"),
    )
    recipient_person = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("recipient person"),
        # Indexed first in award_person_year_type_idx instead, which serves the same lookups.
        db_index=False,
    )
    group_kind = models.CharField(
        _("unnamed group of"), max_length=20, choices=RecipientKind.choices, blank=True
    )
    group_count = models.PositiveIntegerField(
        _("how many in the group"),
        null=True,
        blank=True,
        help_text=_("For recipients the source counts but does not name, e.g. 3 collectives."),
    )
    rank_at_award = models.ForeignKey(
        "movement.Rank",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rank at the time"),
    )
    position_at_award = LineField(_("position at the time"), max_length=300, blank=True)
    conferring_unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferred_awards",
        verbose_name=_("conferred in the name of"),
        help_text=_("The ministry or general department whose award this is."),
    )
    presented_by = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presented_awards",
        verbose_name=_("presented by"),
    )
    on_behalf_of = LineField(
        _("on behalf of"),
        max_length=300,
        blank=True,
        help_text=_("Whose authority the presenter acted under (thừa ủy quyền của …)."),
    )
    event = models.ForeignKey(
        "movement.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("presented at"),
    )
    decision = models.ForeignKey(
        "movement.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("decision"),
        help_text=_(
            "The decision that gave the award. Its number and date are the decision's; an award "
            "given a number alone is linked to the decision of that number and date."
        ),
    )
    # The decision's number and date, by which the award names it (movement.models.decisions):
    # the unique constraints below, the search text, the pages and exports read them unjoined.
    decision_number = LineField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # Revocation: a decision awarding a title or form "bị hủy bỏ" for false claims, forged files
    # or an award against the rules (khoản 2 Điều 93, Chương VII Luật Thi đua, khen thưởng số
    # 06/2022/QH15). The award stays, marked, out of every tally (AwardQuerySet.in_force).
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        "movement.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="revoked_awards",
        verbose_name=_("revoking decision"),
    )
    revocation_reason = TextField(_("reason for revocation"), blank=True, editable=False)
    campaign = models.ForeignKey(
        "movement.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("campaign"),
    )
    note = TextField(_("note"), blank=True)

    objects = AwardManager()
    history = AuditedRecords()

    # What the public pages show of an award, and so all that they export and search, whoever
    # reads them. The rest (the note, where, on whose behalf, the conferring unit, the key) is for
    # staff, in the admin.
    PUBLIC_FIELDS = (
        "year",
        "award_type",
        "recipient_unit",
        "recipient_person",
        "group_count",
        "group_kind",
        "rank_at_award",
        "position_at_award",
        "decision_number",
        "decision_date",
        "campaign",
        # Award rows name who presented them (their page lists what they presented).
        "presented_by",
        "source",
        "source_quote",
        "inference_note",
        # A revoked award is listed struck, with when, by which decision and why.
        "revoked_on",
        "revoked_by",
        "revocation_reason",
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-year", "award_type", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    recipient_unit__isnull=False,
                    recipient_person__isnull=True,
                    group_count__isnull=True,
                )
                | Q(
                    recipient_unit__isnull=True,
                    recipient_person__isnull=False,
                    group_count__isnull=True,
                )
                | Q(
                    recipient_unit__isnull=True,
                    recipient_person__isnull=True,
                    group_count__isnull=False,
                ),
                name="award_exactly_one_recipient",
                violation_error_message=_(
                    "An award has exactly one recipient: a unit, a person, or an unnamed group "
                    "with its count. Fill in one of the three and leave the other two empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(group_count__isnull=True, group_kind="")
                | (Q(group_count__gte=1) & ~Q(group_kind="")),
                name="award_group_has_kind_and_count",
                violation_error_message=_(
                    "An unnamed group needs both its count (1 or more) and whether it is of "
                    "collectives or individuals, e.g. “3 tập thể”."
                ),
            ),
            models.CheckConstraint(
                condition=Q(recipient_person__isnull=False)
                | Q(rank_at_award__isnull=True, position_at_award=""),
                name="award_rank_only_for_people",
                violation_error_message=_(
                    "Rank and position at the time are for awards to a person. Leave them empty "
                    "when the recipient is a unit or an unnamed group."
                ),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True, revoked_by__isnull=True, revocation_reason="")
                | (
                    Q(revoked_on__isnull=False, revoked_by__isnull=False) & ~Q(revocation_reason="")
                ),
                name="award_revocation_complete",
                violation_error_message=_(
                    "A revocation needs its date, the decision that revokes the award and the "
                    "reason; an award not revoked has none of the three."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100),
                name="award_year_in_range",
                violation_error_message=_(
                    "The emulation year must be between 1945 and 2100. Check the year."
                ),
            ),
            models.UniqueConstraint(
                fields=["award_type", "year", "recipient_unit", "decision_number"],
                condition=Q(recipient_unit__isnull=False),
                name="award_unique_for_unit",
                violation_error_message=_(
                    "This unit already has this award for this year with the same decision number."
                    " If it is another award, give its decision number."
                ),
            ),
            models.UniqueConstraint(
                fields=["award_type", "year", "recipient_person", "decision_number"],
                condition=Q(recipient_person__isnull=False),
                name="award_unique_for_person",
                violation_error_message=_(
                    "This person already has this award for this year with the same decision "
                    "number. If it is another award, give its decision number."
                ),
            ),
            models.UniqueConstraint(
                fields=["award_type", "year", "group_kind", "group_count", "decision_number"],
                condition=Q(group_count__isnull=False),
                name="award_unique_for_group",
                violation_error_message=_(
                    "An unnamed group of this size and kind already has this award for this year "
                    "with the same decision number. If it is another award, give its decision "
                    "number."
                ),
            ),
        ]
        permissions = [("revoke_award", _("Can revoke an award"))]
        indexes = [
            # A year page's newest awards of each type (movement.views.first_of_each_type), a
            # few entries a type read off this index whatever the year holds.
            models.Index(
                fields=["year", "award_type", "id", "revoked_on"], name="award_year_type_id_idx"
            ),
            # NEWEST_FIRST, the admin's and the award list's order; the admin's deep pages are
            # read from this index alone. The trigram index on search_text is in migration 0007.
            models.Index(fields=["year", "id"], name="award_year_id_idx"),
            # Read instead of the table by counts of a year's or a campaign's awards per type,
            # from the index alone, and by the campaign page's first of each type. (The public
            # pages' counts are kept in tallies since #18: movement.models.tallies.)
            # Each ends with revoked_on, so that a tally of the awards in force (in_force())
            # reads the index alone too.
            models.Index(
                fields=["year", "award_type", "group_count", "revoked_on"],
                name="award_year_type_group_idx",
            ),
            models.Index(
                fields=["campaign", "award_type", "-year", "id", "revoked_on"],
                name="award_campaign_type_year_idx",
            ),
            # A unit page's awards per year and its newest awards, for a team or for the whole
            # ministry, from the index alone (movement.views.unit_detail).
            models.Index(
                fields=["recipient_unit", "year", "id", "revoked_on"], name="award_unit_year_idx"
            ),
            # The eligibility rules' runs of titles and titles already given, over the whole
            # sector (movement.eligibility.sql), read from this index alone: the person's unique
            # index holds the same columns but not whether the award was revoked. revoked_on,
            # always empty here, is a column too: SQLite reads a partial index alone only when
            # it holds every column the query names, its condition's included.
            models.Index(
                fields=["award_type", "year", "recipient_person", "revoked_on"],
                condition=Q(revoked_on__isnull=True, recipient_person__isnull=False),
                name="award_person_in_force_idx",
            ),
            # A person's awards, and those of the years the rules read for the people of a
            # proposal or an import's rows (movement.proposals.StoredFacts): five hundred
            # people's awards of one year are read as such, not as all their awards nor through
            # the year's index, and from the index alone: read from the table, the 58,000
            # awards of an import's 2,000 people took 110 ms, one heap page each (#12).
            models.Index(
                fields=["recipient_person", "year", "award_type", "id", "revoked_on"],
                name="award_person_year_type_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} — {self.recipient_label} ({self.year})"

    def natural_key(self) -> tuple[str]:
        return (str(self.key),)

    @property
    def recipient_kind(self) -> str:
        if self.recipient_person_id:
            return RecipientKind.INDIVIDUAL
        if self.recipient_unit_id:
            return RecipientKind.COLLECTIVE
        return self.group_kind

    @property
    def recipient_label(self) -> str:
        if self.recipient_person_id:
            return self.recipient_person.full_name
        if self.recipient_unit_id:
            return str(self.recipient_unit)
        if self.group_count:
            return group_label(self.group_count, self.group_kind)
        return ""

    def search_parts(self) -> list[str]:
        parts = [self.decision_number]
        if self.award_type_id:
            parts.append(str(self.award_type))
        if self.recipient_person_id:
            parts.append(self.recipient_person.full_name)
        if self.recipient_unit_id:
            parts += [self.recipient_unit.name, self.recipient_unit.short_name]
        return parts

    def staff_search_parts(self) -> list[str]:
        return [self.note]

    def clean(self) -> None:
        recipients = [self.recipient_unit_id, self.recipient_person_id, self.group_count]
        if sum(recipient is not None for recipient in recipients) != 1:
            raise self.broken("award_exactly_one_recipient")
        # Stricter than the database, which lets a kind without a count by (NULL >= 1 is unknown).
        if (self.group_count is not None or self.group_kind) and not (
            self.group_count is not None and self.group_count >= 1 and self.group_kind
        ):
            raise self.broken("award_group_has_kind_and_count")
        if self.recipient_person_id is None and (
            self.rank_at_award_id is not None or self.position_at_award
        ):
            raise self.broken("award_rank_only_for_people")
        if self.year is not None and not 1945 <= self.year <= 2100:
            raise self.broken("award_year_in_range", "year")
        revocation = [self.revoked_on, self.revoked_by_id, self.revocation_reason or None]
        if any(part is not None for part in revocation) and None in revocation:
            raise self.broken("award_revocation_complete")
        if self.award_type_id and not self.award_type.accepts(self.recipient_kind):
            if self.recipient_kind == RecipientKind.INDIVIDUAL:
                message = _("“%(type)s” is given to collectives only, not to a person.")
            else:
                message = _("“%(type)s” is given to individuals only, not to a collective.")
            raise ValidationError({"award_type": message % {"type": self.award_type}})

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            self.left_empty = self.keep_rank_and_position()
        self.follow_decision()
        super().save(*args, **kwargs)

    def follow_decision(self) -> None:
        """Link the award to the decision its number and date name, recorded if it was not
        (movement.models.decisions)."""
        Decision.objects.link([self])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    def revoke(self, decision: "Decision", reason: str, on: datetime.date | None = None) -> None:
        """Revoke the award by ``decision`` for ``reason``, from ``on`` (the decision's date
        unless told): it is kept, marked, and leaves every tally."""
        self.revoked_by, self.revocation_reason = decision, reason
        self.revoked_on = on or decision.date
        self.full_clean()
        self.save()

    def history_day(self) -> datetime.date | None:
        """The day whose rank and position the award keeps: its decision's, or else the last
        of the year it is for (the rank held as that year ended)."""
        if self.decision_date is not None:
            return self.decision_date
        return datetime.date(self.year, 12, 31) if self.year else None

    def keep_rank_and_position(self, held: Held | None = None) -> list[str]:
        """A new award to a person keeps the rank and position their history says they held on
        :meth:`history_day` (``held``, when read for many awards at once: held_on()), where
        none is given; someone without a rank history or postings, their current ones.
        Returns the fields left as they were because the history has nothing in force that
        day (say so: :meth:`history_note`).

        Called by save(), and by an import in bulk mode, which writes without save().
        """
        if not self.recipient_person_id:
            return []
        if held is None:
            day = self.history_day()
            held = held_on([(self.recipient_person_id, day)])[self.recipient_person_id, day]
        left = self.left_as_entered(held)
        if self.rank_at_award_id is None and "rank_at_award" not in left:
            self.rank_at_award_id = (
                held.rank_id if held.rank_id is not None else self.recipient_person.rank_id
            )
        if not self.position_at_award and "position_at_award" not in left:
            self.position_at_award = (
                held.position if held.position is not None else self.recipient_person.position
            )
        return left

    def left_as_entered(self, held: Held) -> list[str]:
        """The fields :meth:`keep_rank_and_position` leaves as they are, given what the person
        ``held`` on :meth:`history_day`: those left empty where the history has nothing in force
        that day."""
        left = []
        if self.rank_at_award_id is None and held.rank_id is None and held.has_ranks:
            left.append("rank_at_award")
        if not self.position_at_award and held.position is None and held.has_postings:
            left.append("position_at_award")
        return left

    def history_note(self, left: list[str]) -> str:
        """What :meth:`keep_rank_and_position` left as it was, and why, in words for staff."""
        if not left:
            return ""
        fields = ", ".join(str(self._meta.get_field(name).verbose_name) for name in left)
        return _(
            "%(fields)s left as entered: the service record of %(person)s has no entry in force "
            "on %(day)s. Fill it in if the decision states it."
        ) % {
            "fields": capfirst(fields),
            "person": self.recipient_person.full_name,
            "day": f"{self.history_day():%d/%m/%Y}",
        }


def keep_ranks_and_positions(awards: list[Award]) -> list[list[str]]:
    """:meth:`Award.keep_rank_and_position` for many new awards, their people's histories read
    in two queries; what each left as it was."""
    return [
        award.keep_rank_and_position(held) if held is not None else []
        for award, held in zip(awards, held_by_award(awards), strict=True)
    ]


def ranks_and_positions_left(awards: list[Award]) -> list[list[str]]:
    """What :func:`keep_ranks_and_positions` would leave as it was on each of ``awards``,
    changing none of them: for a preview, which writes nothing."""
    return [
        award.left_as_entered(held) if held is not None else []
        for award, held in zip(awards, held_by_award(awards), strict=True)
    ]


def held_by_award(awards: list[Award]) -> list[Held | None]:
    """What each award's person held on its :meth:`~Award.history_day`, read in two queries;
    None for an award to no person."""
    days = [
        (award.recipient_person_id, award.history_day()) if award.recipient_person_id else None
        for award in awards
    ]
    held = held_on([day for day in days if day is not None])
    return [held[day] if day is not None else None for day in days]


def group_label(count: int, kind: str) -> str:
    """The Vietnamese way a report counts unnamed recipients: "3 tập thể", "5 cá nhân"."""
    noun = "tập thể" if kind == RecipientKind.COLLECTIVE else "cá nhân"
    return f"{count} {noun}"
