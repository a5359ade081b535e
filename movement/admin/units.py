from django.contrib import admin

from movement.models import Unit
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import UnitResource

from .history import HistoryAdmin
from .mixins import (
    SOURCE_FIELDSET,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    MadeCodeMixin,
    YesNoColumnsMixin,
)
from .scoping import UnitScopeMixin
from .service import UnitRatingInline
from .versions import VersionedAdminMixin


@admin.register(Unit)
class UnitAdmin(
    YesNoColumnsMixin,
    MadeCodeMixin,
    UnitScopeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [UnitResource]
    list_display = ["name", "short_name", "kind", "parent", "is_external", "inferred"]
    list_filter = ["kind", "is_external"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "source"]
    inlines = [UnitRatingInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "parent", "kind", "is_external"]}),
        SOURCE_FIELDSET,
    ]
