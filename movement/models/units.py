from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from .base import Searchable, Sourced, refresh_award_search_text


class UnitManager(models.Manager.from_queryset(TreeQuerySet)):
    def get_by_natural_key(self, slug: str) -> "Unit":
        return self.get(slug=slug)


class Unit(Sourced, Searchable, TreeNode):
    """A unit (đơn vị) of the public-security sector, or an outside organisation it works with."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        GENERAL_DEPARTMENT = "general_department", _("general department")
        DEPARTMENT = "department", _("department")
        DIVISION = "division", _("division")
        PROVINCIAL_POLICE = "provincial_police", _("provincial police")
        DISTRICT_POLICE = "district_police", _("district police")
        ORGANISATION = "organisation", _("organisation")

    parent = TreeNodeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("full name"), max_length=300)
    short_name = models.CharField(
        _("short name"),
        max_length=200,
        blank=True,
        help_text=_("The name used in writing, e.g. “Cục XDPT toàn dân bảo vệ ANTQ”."),
    )
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    is_external = models.BooleanField(
        _("external"),
        default=False,
        help_text=_(
            "An organisation outside the public-security sector "
            "(a Party board, the Fatherland Front…)."
        ),
    )

    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_per_parent"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="unit_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("movement:unit_detail", kwargs={"slug": self.slug})

    def search_parts(self) -> list[str]:
        return [self.name, self.short_name, self.slug]

    def search_text_changed(self) -> None:
        refresh_award_search_text(self.awards.all())

    def subtree(self) -> models.QuerySet:
        """This unit and every unit below it, found in one recursive query."""
        return Unit.objects.descendants(self, include_self=True)
