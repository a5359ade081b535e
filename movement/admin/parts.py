"""Records edited as part of another's page (a plan's work areas, an event's participants, a
user's unit), listed on their own too, so their history can be read, reverted and restored."""

from django.contrib import admin

from movement.models import Participation, StaffProfile, WorkArea

from .history import HistoryAdmin
from .mixins import SOURCE_FIELDSET, LabelRelationsMixin, SmallTableFoldedSearchMixin
from .versions import VersionedAdminMixin


@admin.register(WorkArea)
class WorkAreaAdmin(
    SmallTableFoldedSearchMixin, LabelRelationsMixin, VersionedAdminMixin, HistoryAdmin
):
    list_display = ["number", "name", "plan"]
    list_display_links = ["number", "name"]
    list_filter = ["plan__year"]
    list_select_related = ["plan__unit"]
    search_fields = ["name"]
    autocomplete_fields = ["plan"]
    fields = ["plan", "number", "name"]


@admin.register(Participation)
class ParticipationAdmin(LabelRelationsMixin, VersionedAdminMixin, HistoryAdmin):
    list_display = ["person", "role", "event"]
    list_filter = ["role"]
    list_select_related = ["person__rank", "event"]
    autocomplete_fields = ["event", "person", "source"]
    fieldsets = [(None, {"fields": ["event", ("person", "role"), "activity"]}), SOURCE_FIELDSET]


@admin.register(StaffProfile)
class StaffProfileAdmin(LabelRelationsMixin, HistoryAdmin):
    list_display = ["user", "unit"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
