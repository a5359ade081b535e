"""The emulation year end to end (issue #16): a unit registers the titles it aims for, proposes
its people and collectives for awards with the documents that support them, the emulation office
reviews the proposal, the council votes and the approver's decision gives the awards.

A proposal moves through :class:`Proposal.State` only by the steps of
:mod:`movement.cycle.transitions`, each logged as a :class:`Step` (who, when, comment).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import RulesInClean, UnitScopedQuerySet
from .fields import LineField, TextField
from .service import year_in_range
from .versions import Versioned


def one_recipient(name: str) -> models.CheckConstraint:
    """Exactly one of ``person`` (an individual) and ``collective`` (a unit) is set."""
    return models.CheckConstraint(
        condition=Q(person__isnull=False, collective__isnull=True)
        | Q(person__isnull=True, collective__isnull=False),
        name=name,
        violation_error_message=_(
            "Name either a person or a collective (a unit), not both and not neither."
        ),
    )


class RegistrationPeriod(models.Model):
    """The deadline of a year's registrations (hạn đăng ký thi đua), set by the emulation office."""

    year = models.PositiveSmallIntegerField(_("emulation year"), unique=True)
    closes_on = models.DateField(_("registrations close on"))
    basis = LineField(
        _("set by document"),
        max_length=300,
        blank=True,
        help_text=_("The document that set the deadline."),
    )

    history = AuditedRecords()

    class Meta:
        verbose_name = _("registration deadline")
        verbose_name_plural = _("registration deadlines")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.closes_on:%d/%m/%Y}"


class RegistrationQuerySet(UnitScopedQuerySet):
    def within(self, unit_ids) -> "RegistrationQuerySet":
        """The registrations of the units ``unit_ids`` (a subtree)."""
        return self.filter(unit__in=unit_ids)

    def per_title(self) -> list[dict]:
        """How many collectives and individuals registered for each title."""
        return list(
            self.values("award_type", "award_type__name", "award_type__award_class")
            .annotate(
                collectives=Count("pk", filter=Q(person__isnull=True)),
                individuals=Count("pk", filter=Q(person__isnull=False)),
            )
            .order_by("award_type__name", "award_type__award_class")
        )

    def per_unit(self) -> list[dict]:
        """How many registrations each unit made, collective and individual."""
        return list(
            self.values("unit", "unit__name")
            .annotate(
                collectives=Count("pk", filter=Q(person__isnull=True)),
                individuals=Count("pk", filter=Q(person__isnull=False)),
            )
            .order_by("unit__name")
        )


class Registration(RulesInClean, Versioned):
    """One title a unit aims for in a year (đăng ký thi đua): for itself (no person) or for one
    of its officers."""

    unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    campaign = models.ForeignKey(
        "movement.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("campaign"),
    )
    person = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("officer"),
        help_text=_("Empty for the unit's own collective title."),
    )
    award_type = models.ForeignKey(
        "movement.AwardType",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("title aimed for"),
    )
    note = LineField(_("note"), max_length=300, blank=True)

    objects = RegistrationQuerySet.as_manager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-year", "unit__name", "pk"]
        constraints = [
            year_in_range("registration_year_range"),
            # A unit registers once a year (and campaign) for itself, and once for each officer.
            *[
                models.UniqueConstraint(
                    fields=fields,
                    condition=condition,
                    name=name,
                    violation_error_message=_(
                        "This unit or officer is already registered for this year (and "
                        "campaign). Change that registration instead."
                    ),
                )
                for fields, condition, name in [
                    (
                        ["unit", "year"],
                        Q(person__isnull=True, campaign__isnull=True),
                        "registration_unit_year",
                    ),
                    (
                        ["unit", "year", "campaign"],
                        Q(person__isnull=True, campaign__isnull=False),
                        "registration_unit_campaign",
                    ),
                    (
                        ["person", "year"],
                        Q(person__isnull=False, campaign__isnull=True),
                        "registration_person_year",
                    ),
                    (
                        ["person", "year", "campaign"],
                        Q(person__isnull=False, campaign__isnull=False),
                        "registration_person_campaign",
                    ),
                ]
            ],
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.person or self.unit} — {self.award_type}"

    def clean(self) -> None:
        if self.year is not None and not 1945 <= self.year <= 2100:
            raise self.broken("registration_year_range", "year")
        errors = {}
        if self.person_id and self.unit_id and self.person.unit_id != self.unit_id:
            errors["person"] = _("This officer is not of the registering unit.")
        if self.award_type_id:
            kind = "individual" if self.person_id else "collective"
            if not self.award_type.accepts(kind):
                errors["award_type"] = (
                    _("This title is not given to individuals.")
                    if self.person_id
                    else _("This title is not given to collectives.")
                )
        if self._state.adding and self.year:
            period = RegistrationPeriod.objects.filter(year=self.year).first()
            if period is not None and timezone.localdate() > period.closes_on:
                errors["year"] = _(
                    "Registrations for %(year)s closed on %(date)s: ask the emulation office."
                ) % {"year": self.year, "date": f"{period.closes_on:%d/%m/%Y}"}
        if errors:
            raise ValidationError(errors)


class ProposalQuerySet(UnitScopedQuerySet):
    def visible_to(self, user) -> "ProposalQuerySet":
        """The proposals ``user`` may open: every one for those who review, vote or decide, their
        own units' for a unit editor, none for anyone else."""
        if not user.has_perm("movement.view_proposal"):
            return self.none()
        if user.has_perm(SEE_EVERY_PROPOSAL):
            return self
        return self.editable_by(user)

    def waiting_for(self, user) -> "ProposalQuerySet":
        """The proposals whose next step is ``user``'s (their to-do list)."""
        # Imported here: the transitions name this model.
        from movement.cycle.transitions import TRANSITIONS, states_waiting_for

        states = states_waiting_for(user)
        at_council = Proposal.State.AT_COUNCIL
        waiting = Q(state__in=[state for state in states if state != at_council])
        if at_council in states:
            # Before the council, the secretary's step comes first (the vote), the approver's
            # only once the vote is recorded (the decision).
            if user.has_perm(TRANSITIONS["vote"].permission):
                waiting |= Q(state=at_council, meeting__isnull=True)
            if user.has_perm(TRANSITIONS["decide"].permission):
                waiting |= Q(state=at_council, meeting__isnull=False)
        return self.visible_to(user).filter(waiting)


SEE_EVERY_PROPOSAL = "movement.see_every_proposal"


class Proposal(RulesInClean, Versioned):
    """A unit's proposal for awards (đề nghị khen thưởng) for a year or a campaign."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")  # nháp
        SENT = "sent", _("sent")  # đã gửi
        REVIEWING = "reviewing", _("under review")  # đang thẩm định
        RETURNED = "returned", _("returned")  # trả lại
        ELIGIBLE = "eligible", _("eligible")  # đủ điều kiện
        INELIGIBLE = "ineligible", _("not eligible")  # không đủ điều kiện
        AT_COUNCIL = "at_council", _("before the council")  # trình hội đồng
        DECIDED = "decided", _("decided")  # đã có quyết định

    unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("proposing unit"),
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    campaign = models.ForeignKey(
        "movement.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("campaign"),
    )
    title = LineField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The decision that gave the awards of the lines the council passed; each of those lines
    # names its award (ProposalLine.award), and each award its decision.
    decision = models.ForeignKey(
        "movement.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="proposals",
        verbose_name=_("decision"),
    )

    objects = ProposalQuerySet.as_manager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-year", "-pk"]
        permissions = [
            ("see_every_proposal", _("Can see every unit's proposals")),
            ("send_proposal", _("Can send proposals")),
            ("review_proposal", _("Can review proposals")),
            ("record_vote", _("Can record the council's votes")),
            ("record_decision", _("Can record the decision on proposals")),
        ]
        constraints = [year_in_range("proposal_year_range")]
        indexes = [models.Index(fields=["state"], name="proposal_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        """Whether its lines and files may change: only while the unit holds it."""
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    def clean(self) -> None:
        if self.year is not None and not 1945 <= self.year <= 2100:
            raise self.broken("proposal_year_range", "year")


class ProposalLine(RulesInClean, models.Model):
    """One person or collective proposed for one award type, with what they achieved."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="lines", verbose_name=_("proposal")
    )
    person = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_lines",
        verbose_name=_("person"),
    )
    collective = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_lines",
        verbose_name=_("collective"),
    )
    award_type = models.ForeignKey(
        "movement.AwardType",
        on_delete=models.PROTECT,
        related_name="proposal_lines",
        verbose_name=_("award type"),
    )
    achievement = TextField(_("achievement in brief"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes in favour"), null=True, blank=True)
    award = models.OneToOneField(
        "movement.Award",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_line",
        verbose_name=_("award given"),
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal line")
        verbose_name_plural = _("proposal lines")
        ordering = ["proposal", "pk"]
        constraints = [one_recipient("proposal_line_one_recipient")]

    def __str__(self) -> str:
        return f"{self.person or self.collective} — {self.award_type}"

    @property
    def recipient(self):
        return self.person or self.collective

    def clean(self) -> None:
        if bool(self.person_id) == bool(self.collective_id):
            raise self.broken("proposal_line_one_recipient")
        if self.award_type_id:
            kind = "individual" if self.person_id else "collective"
            if not self.award_type.accepts(kind):
                raise ValidationError(
                    {
                        "award_type": _("This award type is not given to individuals.")
                        if self.person_id
                        else _("This award type is not given to collectives.")
                    }
                )


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A name of our own: the uploaded name may hold anything, and is kept apart for display.
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A document filed with a proposal, kept in the default storage, served only to those who
    may see the proposal (movement.cycle.views.attachment)."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("cover letter")  # tờ trình
        MINUTES = "minutes", _("minutes of the unit's council meeting")  # biên bản họp HĐ cơ sở
        ACHIEVEMENTS = "achievements", _("report of achievements")  # báo cáo thành tích
        INITIATIVE = "initiative", _("initiative or research")  # sáng kiến / đề tài
        OTHER = "other", _("other")  # khác

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = LineField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["proposal", "pk"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step of a proposal's way: who moved it from which state to which, when, and why."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="steps", verbose_name=_("proposal")
    )
    action = models.CharField(_("step"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=Proposal.State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=Proposal.State.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("proposal step")
        verbose_name_plural = _("proposal steps")
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class CouncilMeeting(RulesInClean, models.Model):
    """The emulation council's meeting on a proposal: who sat, and (on the lines) the votes."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("proposal")
    )
    held_on = models.DateField(_("held on"))
    members = models.PositiveSmallIntegerField(_("members of the council"))
    present = models.PositiveSmallIntegerField(_("members present"))
    list_published_on = models.DateField(
        _("list published on"),
        null=True,
        blank=True,
        help_text=_(
            "For orders and state honours: the day the list of those proposed was made public."
        ),
    )

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=models.F("members")),
                name="council_present_at_most_members",
                violation_error_message=_(
                    "More members present than the council has. Check both numbers."
                ),
            ),
            models.CheckConstraint(
                condition=Q(members__gt=0),
                name="council_has_members",
                violation_error_message=_(
                    "A council has at least one member. Enter how many members it has."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} ({self.held_on:%d/%m/%Y})"

    def clean(self) -> None:
        if self.members is not None and self.members <= 0:
            raise self.broken("council_has_members", "members")
        if self.members and self.present is not None and self.present > self.members:
            raise self.broken("council_present_at_most_members", "present")


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Working days (Monday to Friday) after ``first`` up to the day before ``last``."""
    days = 0
    day = first + datetime.timedelta(days=1)
    while day < last:
        if day.weekday() < 5:
            days += 1
        day += datetime.timedelta(days=1)
    return days
