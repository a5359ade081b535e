from django.db import models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from movement.audit import AuditedRecords

from .base import CodedManager, RulesInClean, Searchable, Sourced, refresh_award_search_text
from .fields import LineField
from .versions import Versioned

# This unit's id, then its children's, their children's… The SQL is constant; the id is a
# parameter.
SUBTREE_SQL = """
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM movement_unit WHERE id = %s
        UNION ALL
        SELECT child.id FROM movement_unit child JOIN subtree ON child.parent_id = subtree.id
    )
    SELECT id FROM subtree
"""

# This unit's id, then its parent's, its grandparent's… up to the root.
LINEAGE_SQL = """
    WITH RECURSIVE lineage(id, parent_id) AS (
        SELECT id, parent_id FROM movement_unit WHERE id = %s
        UNION ALL
        SELECT parent.id, parent.parent_id
        FROM movement_unit parent JOIN lineage ON parent.id = lineage.parent_id
    )
    SELECT id FROM lineage
"""


class Unit(RulesInClean, Sourced, Searchable, Versioned, TreeNode):
    """A unit (đơn vị) of the public-security sector, its Party organisation, or an outside
    organisation it works with."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        GENERAL_DEPARTMENT = "general_department", _("general department")
        DEPARTMENT = "department", _("department")
        DIVISION = "division", _("division")
        PROVINCIAL_POLICE = "provincial_police", _("provincial police")
        DISTRICT_POLICE = "district_police", _("district police")
        # The sector's own Party committees (Đảng ủy Công an Trung ương): within the sector, but
        # not one of its units of command.
        PARTY_COMMITTEE = "party_committee", _("Party committee within the sector")
        ORGANISATION = "organisation", _("organisation")

    parent = TreeNodeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # A unit's full name, not a person's ("họ và tên"): the two read differently in Vietnamese.
    name = LineField(pgettext_lazy("unit", "full name"), max_length=300)
    short_name = LineField(
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

    # django-tree-queries' queryset, without its tree fields unless asked (with_tree_fields()).
    objects = CodedManager.from_queryset(TreeQuerySet)(code_source="name")
    history = AuditedRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="unit_unique_name_per_parent",
                violation_error_message=_(
                    "The parent unit already has a unit of this name. Check whether it is the same"
                    " unit, or give another name."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="unit_not_its_own_parent",
                violation_error_message=_(
                    "A unit cannot be its own parent unit. Choose another parent unit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        # Before the tree's own check, which would refuse this loop too, in other words.
        if self.pk is not None and self.parent_id == self.pk:
            raise self.broken("unit_not_its_own_parent", "parent")
        super().clean()
        # A unit given no code gets one made from its name (the admin's form allows that).
        if not self.slug:
            self.slug = Unit.objects.free_codes([self.name])[0]

    def get_absolute_url(self) -> str:
        return reverse("movement:unit_detail", kwargs={"slug": self.slug})

    def search_parts(self) -> list[str]:
        return [self.name, self.short_name, self.slug]

    def search_text_changed(self) -> None:
        refresh_award_search_text(self.awards.all())

    def subtree(self) -> models.QuerySet:
        """This unit and every unit below it, found in one recursive query.

        The query walks down from this unit only. (django-tree-queries' ``descendants()`` builds
        the whole tree and keeps the paths through this unit: on a ministry's thousands of units
        that costs as much as the rest of a page.) The units come unordered, without tree fields.
        """
        return Unit.objects.filter(pk__in=RawSQL(SUBTREE_SQL, [self.pk]))  # noqa: S611

    def lineage(self) -> models.QuerySet:
        """This unit and every unit above it, up to the root, found in one recursive query.

        Unordered and without tree fields, like :meth:`subtree`; ``Unit.objects.ancestors()``
        gives them in order, at the cost of building the whole tree.
        """
        return Unit.objects.filter(pk__in=RawSQL(LINEAGE_SQL, [self.pk]))  # noqa: S611

    def path(self) -> list["Unit"]:
        """The units from the root down to this one, this one last: a breadcrumb.

        One query walking up from here, where ``Unit.objects.ancestors()`` builds the whole tree.
        """
        above = {unit.pk: unit for unit in self.lineage()}
        path = []
        unit = above.get(self.pk)
        while unit is not None:
            path.append(unit)
            unit = above.get(unit.parent_id)
        return path[::-1]
