from django.contrib import admin

from movement.models import Source
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import SourceResource

from .history import HistoryAdmin
from .mixins import MadeCodeMixin, SmallTableFoldedSearchMixin
from .versions import VersionedAdminMixin


@admin.register(Source)
class SourceAdmin(
    MadeCodeMixin, SmallTableFoldedSearchMixin, VersionedAdminMixin, HistoryAdmin, SpreadsheetAdmin
):
    resource_classes = [SourceResource]
    list_display = ["title", "kind", "author", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title", "slug", "author"]
    fields = ["title", "slug", "kind", "author", "published_on", "note", "text"]
