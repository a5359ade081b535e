from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from movement.models import Person, Rank
from movement.resources import PersonResource, RankResource

from .filters import UnitFilter
from .mixins import (
    SOURCE_FIELDSET,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    SmallTableFoldedSearchMixin,
)


@admin.register(Rank)
class RankAdmin(SmallTableFoldedSearchMixin, ImportExportModelAdmin):
    resource_classes = [RankResource]
    list_display = ["name", "seniority", "tier"]
    list_filter = ["tier"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(
    FoldedSearchMixin, InferredColumnMixin, LabelRelationsMixin, ImportExportModelAdmin
):
    resource_classes = [PersonResource]
    list_display = ["full_name", "rank", "position", "unit", "inferred"]
    list_filter = ["rank", UnitFilter]
    list_select_related = ["rank", "unit"]
    show_full_result_count = False
    autocomplete_fields = ["rank", "unit", "source"]
    prepopulated_fields = {"slug": ["full_name"]}
    fieldsets = [
        (None, {"fields": ["full_name", "slug", "rank", "position", "unit"]}),
        SOURCE_FIELDSET,
    ]
