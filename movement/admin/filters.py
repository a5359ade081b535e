"""Changelist filters that stay cheap on big tables and follow the unit tree."""

from django.contrib import admin
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from movement.models import Unit


class YearFilter(admin.SimpleListFilter):
    """Years from the first to the last on record, newest first.

    The stock filter lists a field's distinct values, which on the awards table means reading
    every row on each page load. The smallest and largest year come from the (year, award type)
    index instead, in one cheap query; a year of the range without records simply shows none.
    """

    title = _("year")
    parameter_name = "year"
    field_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        bounds = model_admin.model._default_manager.aggregate(
            first=Min(self.field_name), last=Max(self.field_name)
        )
        if bounds["first"] is None:
            return []
        return [(str(year), str(year)) for year in range(bounds["last"], bounds["first"] - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.field_name: self.value()})


class UnitSubtreeFilter(admin.SimpleListFilter):
    """A unit and every unit below it: choosing a department includes its divisions' records.

    Units are listed in tree order, indented by depth; subclasses name the unit field to filter.
    """

    title = _("unit")
    parameter_name = "unit"
    field_name: str

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        self.units = {str(unit.pk): unit for unit in Unit.objects.with_tree_fields()}
        return [(pk, "— " * unit.tree_depth + str(unit)) for pk, unit in self.units.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        unit = self.units.get(self.value())
        if unit is None:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}__in": unit.subtree().values("pk")})


class RecipientUnitFilter(UnitSubtreeFilter):
    title = _("recipient unit")
    field_name = "recipient_unit"


class UnitFilter(UnitSubtreeFilter):
    field_name = "unit"


class PlanUnitFilter(UnitSubtreeFilter):
    field_name = "plan__unit"
