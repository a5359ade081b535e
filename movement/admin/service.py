"""A person's service record, edited on the person's page, and a unit's yearly ratings, on the
unit's; each kind also listed on its own, for its history, its deleted records and its imports.
All within the unit editor's bound (movement.permissions)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Field, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from movement.models import (
    Discipline,
    Initiative,
    Inspection,
    PersonRating,
    Posting,
    RankChange,
    UnitRating,
)
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import (
    DisciplineResource,
    InitiativeResource,
    InspectionResource,
    PersonRatingResource,
    PostingResource,
    RankChangeResource,
    UnitRatingResource,
)

from .filters import PersonUnitFilter, UnitFilter
from .history import HistoryAdmin
from .mixins import FoldedSearchMixin, LabelRelationsMixin
from .scoping import UnitScopeInlineMixin, UnitScopeMixin
from .versions import VersionedAdminMixin, VersionedInlineMixin


class PersonRecordInline(UnitScopeInlineMixin, VersionedInlineMixin, admin.TabularInline):
    fk_name = "person"
    extra = 0
    # What each row's label reads, fetched with the rows.
    row_related: list[str] = []

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.row_related) if self.row_related else queryset


class RanksOnceFormSet(BaseInlineFormSet):
    """Rows share one list of the ranks (a few dozen) instead of each querying it again."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        field = form.fields["rank"]
        if not hasattr(self, "rank_choices"):
            # iter(): list() would first ask the choices for their length, a COUNT query.
            self.rank_choices = list(iter(field.choices))
        field.choices = self.rank_choices


class RankChangeInline(PersonRecordInline):
    model = RankChange
    formset = RanksOnceFormSet
    fields = ["rank", "since", "decision"]
    row_related = ["rank"]


class LoadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option is the record its row already loaded (``loaded``),
    when it is that one: Django's asks the database for it again, a query a row."""

    loaded: Model | None = None

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.loaded is None or selected != {str(self.loaded.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(self.loaded)
        options.append(self.create_option(name, self.loaded.pk, label, selected, len(options)))
        return [(None, options, 0)]


class UnitsLoadedFormSet(BaseInlineFormSet):
    """Each row's unit shown from the row's own record (fetched with the rows)."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        widget = getattr(form.fields["unit"].widget, "widget", None)
        if isinstance(widget, LoadedAutocompleteSelect) and form.instance.unit_id:
            widget.loaded = form.instance.unit


class PostingInline(PersonRecordInline):
    model = Posting
    formset = UnitsLoadedFormSet
    # The decision on the posting's own page: six columns would run past the page's width.
    fields = ["unit", "position", "since", "until"]
    autocomplete_fields = ["unit"]
    row_related = ["unit"]

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "unit":
            kwargs["widget"] = LoadedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PersonRatingInline(PersonRecordInline):
    model = PersonRating
    fields = ["year", "rating"]


class InitiativeInline(PersonRecordInline):
    model = Initiative
    fields = ["title", "level", "year", "recognised_on", "decision"]


class DisciplineInline(PersonRecordInline):
    model = Discipline
    fields = ["form", "since", "until", "decision"]


class InspectionInline(PersonRecordInline):
    model = Inspection
    fields = ["kind", "since", "until", "note"]


PERSON_INLINES = [
    RankChangeInline,
    PostingInline,
    PersonRatingInline,
    InitiativeInline,
    DisciplineInline,
    InspectionInline,
]


class UnitRatingInline(UnitScopeInlineMixin, VersionedInlineMixin, admin.TabularInline):
    model = UnitRating
    fk_name = "unit"
    fields = ["year", "rating", "title"]
    autocomplete_fields = ["title"]
    extra = 0


class PersonRecordAdmin(
    UnitScopeMixin, FoldedSearchMixin, LabelRelationsMixin, VersionedAdminMixin, HistoryAdmin
):
    """A kind of service record on its own list: searched by the person's name, filtered by
    their unit."""

    list_filter = [PersonUnitFilter]
    list_select_related = ["person__rank"]
    search_fields = ["person__search_text"]
    autocomplete_fields = ["person", "source"]
    show_full_result_count = False
    source_fields = ["source", "source_quote", "inference_note"]


@admin.register(RankChange)
class RankChangeAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [RankChangeResource]
    list_display = ["person", "rank", "since", "decision"]
    list_select_related = ["person__rank", "rank"]
    autocomplete_fields = ["person", "rank", "source"]
    fields = ["person", "rank", "since", "decision", *PersonRecordAdmin.source_fields]


@admin.register(Posting)
class PostingAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [PostingResource]
    list_display = ["person", "unit", "position", "since", "until"]
    list_select_related = ["person__rank", "unit"]
    autocomplete_fields = ["person", "unit", "source"]
    fields = [
        "person",
        "unit",
        "position",
        ("since", "until"),
        "decision",
        *PersonRecordAdmin.source_fields,
    ]


@admin.register(PersonRating)
class PersonRatingAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [PersonRatingResource]
    list_display = ["person", "year", "rating"]
    list_filter = ["year", "rating", PersonUnitFilter]
    search_year_field = "year"
    fields = ["person", "year", "rating", *PersonRecordAdmin.source_fields]


@admin.register(Initiative)
class InitiativeAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [InitiativeResource]
    list_display = ["title", "person", "level", "year"]
    list_filter = ["level", "year", PersonUnitFilter]
    fields = [
        "person",
        "title",
        "level",
        ("year", "recognised_on"),
        "decision",
        *PersonRecordAdmin.source_fields,
    ]


@admin.register(Discipline)
class DisciplineAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [DisciplineResource]
    list_display = ["person", "form", "since", "until"]
    list_filter = ["form", PersonUnitFilter]
    fields = [
        "person",
        "form",
        ("since", "until"),
        "decision",
        *PersonRecordAdmin.source_fields,
    ]


@admin.register(Inspection)
class InspectionAdmin(PersonRecordAdmin, SpreadsheetAdmin):
    resource_classes = [InspectionResource]
    list_display = ["person", "kind", "since", "until"]
    list_filter = ["kind", PersonUnitFilter]
    fields = ["person", "kind", ("since", "until"), "note", *PersonRecordAdmin.source_fields]


@admin.register(UnitRating)
class UnitRatingAdmin(
    UnitScopeMixin,
    FoldedSearchMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [UnitRatingResource]
    list_display = ["unit", "year", "rating", "title"]
    list_filter = ["year", "rating", UnitFilter]
    list_select_related = ["unit", "title"]
    search_fields = ["unit__search_text"]
    search_year_field = "year"
    autocomplete_fields = ["unit", "title", "source"]
    fields = ["unit", "year", "rating", "title", "source", "source_quote", "inference_note"]
