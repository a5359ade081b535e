from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import CodedManager, RulesInClean, Searchable, Sourced
from .fields import LineField, TextField
from .versions import Versioned


class Event(Sourced, Searchable, Versioned):
    """A meeting where things were said and given (hội nghị): a conference, a ceremony."""

    name = LineField(_("name"), max_length=300)
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    date = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("Filled from the date when the date is known."),
    )
    organiser = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("organiser"),
    )
    description = TextField(_("description"), blank=True)

    objects = CodedManager(code_source="name")
    history = AuditedRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def search_parts(self) -> list[str]:
        return [self.name, self.description]

    def clean(self) -> None:
        if self.date and self.year and self.date.year != self.year:
            raise ValidationError({"year": _("The year must be the year of the date.")})
        # An event given no code gets one made from its name (the admin's form allows that).
        if not self.slug:
            self.slug = Event.objects.free_codes([self.name])[0]

    def save(self, *args, **kwargs) -> None:
        if self.date:
            self.year = self.date.year
        super().save(*args, **kwargs)


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, event_slug: str, person_slug: str, role: str) -> "Participation":
        return self.get(event__slug=event_slug, person__slug=person_slug, role=role)


class Participation(Sourced, Versioned):
    """What one person did at an event: chaired it, attended as a guest, spoke, presented awards."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        GUEST = "guest", _("guest")
        SPEAKER = "speaker", _("speaker")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", verbose_name=_("event")
    )
    person = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    activity = LineField(
        _("what they did"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “presented the work report and the 2017 plan”."),
    )

    objects = ParticipationManager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["event", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"],
                name="participation_unique_role",
                violation_error_message=_(
                    "This person is already recorded in this role at this event. Change the role, "
                    "or edit the record already there."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"

    def natural_key(self) -> tuple[str, str, str]:
        return (self.event.slug, self.person.slug, self.role)

    natural_key.dependencies = ["movement.event", "movement.person"]


class CampaignQuerySet(models.QuerySet):
    def running_in(self, year: int) -> "CampaignQuerySet":
        """The campaigns whose period includes ``year``; an open end means still running, and
        a campaign with neither year known runs in none."""
        return self.filter(
            (Q(start_year__isnull=False) | Q(end_year__isnull=False))
            & (Q(start_year__lte=year) | Q(start_year__isnull=True))
            & (Q(end_year__gte=year) | Q(end_year__isnull=True))
        )


class Campaign(RulesInClean, Sourced, Searchable, Versioned):
    """A movement (phong trào) or a yearly emulation campaign (phong trào thi đua)."""

    class Kind(models.TextChoices):
        MOVEMENT = "movement", _("mass movement")
        EMULATION = "emulation", _("emulation campaign")

    name = LineField(_("name"), max_length=300)
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    slogan = LineField(_("slogan"), max_length=300, blank=True)
    motto = LineField(_("motto"), max_length=300, blank=True)
    guiding_principle = LineField(_("guiding principle"), max_length=300, blank=True)
    audience = LineField(
        _("for whom"), max_length=300, blank=True, help_text=_("E.g. “toàn thể CBCS”.")
    )
    launched_by_unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launched_campaigns",
        verbose_name=_("launched by unit"),
    )
    launched_by_person = models.ForeignKey(
        "movement.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launched_campaigns",
        verbose_name=_("launched by"),
    )
    launch_event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launched_campaigns",
        verbose_name=_("launched at"),
    )
    description = TextField(_("description"), blank=True)

    objects = CodedManager.from_queryset(CampaignQuerySet)(code_source="name")
    history = AuditedRecords()

    # What the public pages show of a campaign (its page shows all of it), and so export.
    PUBLIC_FIELDS = (
        "slug",
        "name",
        "kind",
        "start_year",
        "end_year",
        "slogan",
        "motto",
        "guiding_principle",
        "audience",
        "launched_by_unit",
        "launched_by_person",
        "launch_event",
        "description",
        "source",
        "source_quote",
        "inference_note",
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="campaign_ends_after_it_starts",
                violation_error_message=_(
                    "A campaign cannot end before the year it starts. Correct one of the two years."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("movement:campaign_detail", kwargs={"slug": self.slug})

    def search_parts(self) -> list[str]:
        return [self.name, self.slogan, self.motto, self.guiding_principle]

    def clean(self) -> None:
        if (
            self.start_year is not None
            and self.end_year is not None
            and self.end_year < self.start_year
        ):
            raise self.broken("campaign_ends_after_it_starts", "end_year")
        # A campaign given no code gets one made from its name (the admin's form allows that).
        if not self.slug:
            self.slug = Campaign.objects.free_codes([self.name])[0]

    @property
    def period(self) -> str:
        if self.start_year and self.end_year:
            if self.start_year == self.end_year:
                return str(self.start_year)
            return f"{self.start_year}–{self.end_year}"
        if self.start_year:
            return f"{self.start_year}–"
        if self.end_year:
            return f"–{self.end_year}"
        return ""
