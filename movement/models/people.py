from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from movement.audit import AuditedRecords

from .base import (
    CodedManager,
    Searchable,
    Sourced,
    UnitScopedQuerySet,
    refresh_award_search_text,
)
from .fields import LineField
from .versions import Versioned


class RankManager(models.Manager):
    def get_by_natural_key(self, name: str) -> "Rank":
        return self.get(name=name)


class Rank(Versioned):
    """A rank of the People's Public Security (cấp bậc hàm CAND), most senior first."""

    class Tier(models.TextChoices):
        GENERAL = "general", _("general officer")  # cấp tướng
        FIELD = "field", _("field officer")  # cấp tá
        COMPANY = "company", _("company officer")  # cấp úy
        NCO = "nco", _("non-commissioned officer")  # hạ sĩ quan
        ENLISTED = "enlisted", _("enlisted")  # chiến sĩ

    name = LineField(_("name"), max_length=50, unique=True)
    seniority = models.PositiveSmallIntegerField(
        _("seniority"), unique=True, help_text=_("1 is the most senior rank.")
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)

    objects = RankManager()
    history = AuditedRecords()

    class Meta:
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")
        ordering = ["seniority"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class Person(Sourced, Searchable, Versioned):
    """An officer (cán bộ) or official, with the rank, position and unit they hold now: the
    latest entries of their rank history and postings, when they have one
    (movement.models.service)."""

    full_name = LineField(_("full name"), max_length=200)
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    rank = models.ForeignKey(
        Rank, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("current rank")
    )
    position = LineField(_("current position"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "movement.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("unit"),
        # Indexed with the id instead (Meta.indexes), so that a subtree's headcount reads the
        # index alone.
        db_index=False,
    )
    entered_service_on = models.DateField(
        _("entered service on"),
        null=True,
        blank=True,
        help_text=_("The date the person joined the People's Public Security, if stated."),
    )

    objects = CodedManager.from_queryset(UnitScopedQuerySet)(code_source="full_name")
    history = AuditedRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        indexes = [
            # A province's quota check counts its tens of thousands of people, and those of
            # them holding the year's titles, from this index without reading the table (#18).
            models.Index(fields=["unit", "id"], name="person_unit_id_idx"),
            # The people are listed by name, an import finds them by their names' spellings,
            # and an export reads the namesakes of each name (NamedRecordWidget.written_forms).
            models.Index(fields=["full_name"], name="person_full_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rank.name} {self.full_name}" if self.rank_id else self.full_name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        super().clean()
        # A person given no code gets one made from their name (the admin's form allows that).
        if not self.slug:
            self.slug = Person.objects.free_codes([self.full_name])[0]

    def get_absolute_url(self) -> str:
        return reverse("movement:person_detail", kwargs={"slug": self.slug})

    def search_parts(self) -> list[str]:
        return [self.full_name, self.position]

    def search_text_changed(self) -> None:
        refresh_award_search_text(self.awards.all())
