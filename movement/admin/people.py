from django.contrib import admin

from movement.models import Person, Rank
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import PersonResource, RankResource

from .filters import UnitFilter
from .history import HistoryAdmin
from .mixins import (
    SOURCE_FIELDSET,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    MadeCodeMixin,
    SmallTableFoldedSearchMixin,
)
from .scoping import UnitScopeMixin
from .versions import VersionedAdminMixin


@admin.register(Rank)
class RankAdmin(SmallTableFoldedSearchMixin, VersionedAdminMixin, HistoryAdmin, SpreadsheetAdmin):
    resource_classes = [RankResource]
    list_display = ["name", "seniority", "tier"]
    list_filter = ["tier"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(
    MadeCodeMixin,
    UnitScopeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [PersonResource]
    list_display = ["full_name", "rank", "position", "unit", "inferred"]
    list_filter = ["rank", UnitFilter]
    list_select_related = ["rank", "unit"]
    show_full_result_count = False
    autocomplete_fields = ["rank", "unit", "source"]
    fieldsets = [
        (None, {"fields": ["full_name", "slug", "rank", "position", "unit"]}),
        SOURCE_FIELDSET,
    ]
