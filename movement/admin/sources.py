from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from movement.models import Source
from movement.resources import SourceResource

from .mixins import SmallTableFoldedSearchMixin


@admin.register(Source)
class SourceAdmin(SmallTableFoldedSearchMixin, ImportExportModelAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "kind", "author", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title", "slug", "author"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "kind", "author", "published_on", "note", "text"]
