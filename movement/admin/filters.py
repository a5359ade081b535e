"""Changelist filters that stay cheap on big tables and follow the unit tree."""

import datetime
from collections import defaultdict

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from movement.models import Unit

# The largest key a BigAutoField holds, and so any filter's number.
LARGEST_KEY = 2**63 - 1


class NumberFilterMixin:
    """For a filter whose value is a number (a year, a key): anything else makes the list say
    its parameters are wrong (IncorrectLookupParameters: the admin's "?e=1"), as Django's own
    filters do, rather than fail in the database."""

    largest = LARGEST_KEY

    def number(self) -> int | None:
        if self.value() is None:
            return None
        field = forms.IntegerField(min_value=0, max_value=self.largest)
        try:
            return field.clean(self.value())
        except ValidationError as error:
            raise IncorrectLookupParameters(error) from error


class YearFilter(NumberFilterMixin, admin.SimpleListFilter):
    """Years from the first to the last on record, newest first.

    The stock filter lists a field's distinct values, which on the awards table means reading
    every row on each page load. The smallest and largest year come from an index on the year
    instead; a year of the range without records simply shows none.
    """

    title = _("year")
    parameter_name = "year"
    field_name = "year"
    # A PositiveSmallIntegerField's largest value.
    largest = 32767

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        # The first and the last year on the index, each a subquery of its own: asked for both
        # MIN() and MAX() in one SELECT, SQLite reads the whole index.
        field = self.field_name
        years = model_admin.model._default_manager.order_by().filter(**{f"{field}__isnull": False})
        bounds = years.values(
            first=Subquery(years.order_by(field).values(field)[:1]),
            last=Subquery(years.order_by(f"-{field}").values(field)[:1]),
        )
        for row in bounds[:1]:
            return [(str(year), str(year)) for year in range(row["last"], row["first"] - 1, -1)]
        return []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        year = self.number()
        if year is None:
            return queryset
        return queryset.filter(**{self.field_name: year})


class InForceOnFilter(admin.SimpleListFilter):
    """The award types a law had in force on a day: today, or a day a type began or ended.

    Those are the only days on which the answer changes, so they are all the choices there are;
    any other day may be given in the address (?in_force_on=2016-06-30).
    """

    title = _("in force on")
    parameter_name = "in_force_on"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        bounds = (
            model_admin.model._default_manager.order_by()
            .filter(Q(valid_from__isnull=False) | Q(valid_until__isnull=False))
            .values_list("valid_from", "valid_until")
            .distinct()
        )
        days = {timezone.localdate(), *(day for pair in bounds for day in pair if day)}
        chosen = self.day()
        if chosen is not None:
            # A day given in the address shows as chosen, among the others.
            days.add(chosen)
        return [(day.isoformat(), date_format(day, "SHORT_DATE_FORMAT")) for day in sorted(days)]

    def day(self) -> datetime.date | None:
        if self.value() is None:
            return None
        try:
            return forms.DateField(input_formats=["%Y-%m-%d"]).clean(self.value())
        except ValidationError as error:
            raise IncorrectLookupParameters(error) from error

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        day = self.day()
        return queryset if day is None else queryset.in_force_on(day)


class UnitSubtreeFilter(NumberFilterMixin, admin.SimpleListFilter):
    """A unit and every unit below it: choosing a department includes its divisions' records.

    A ministry has thousands of units, too many to list on every page. The filter lists the top
    of the tree (the roots and the units right below them) and, once a unit is chosen, the way
    down to it and its children, so that one click at a time reaches any unit. Units are shown
    in tree order, indented by depth, all read in one query; subclasses name the unit field.
    """

    title = _("unit")
    parameter_name = "unit"
    field_name: str

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        shown = Q(parent=None) | Q(parent__parent=None)
        chosen = self.number()
        if chosen is not None:
            shown |= Q(pk__in=Unit(pk=chosen).lineage().values("pk")) | Q(parent=chosen)
        units = list(Unit.objects.filter(shown).order_by("name"))
        self.units = {str(unit.pk): unit for unit in units}
        children: dict[int | None, list[Unit]] = defaultdict(list)
        for unit in units:
            children[unit.parent_id if str(unit.parent_id) in self.units else None].append(unit)
        choices = []

        def walk(parent: int | None, depth: int) -> None:
            for unit in children[parent]:
                choices.append((str(unit.pk), "— " * depth + str(unit)))
                walk(unit.pk, depth + 1)

        walk(None, 0)
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        unit = self.units.get(str(self.number()))
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


class PersonUnitFilter(UnitSubtreeFilter):
    """A service record by the unit its person is in now."""

    field_name = "person__unit"


class RevokedFilter(admin.SimpleListFilter):
    """Awards in force or revoked (AwardQuerySet.in_force / revoked)."""

    title = _("revocation")
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("no", _("in force")), ("yes", _("revoked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.in_force()
        if self.value() == "yes":
            return queryset.revoked()
        return queryset
