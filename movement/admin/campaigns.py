from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from movement.models import Campaign, Event, Participation
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import CampaignResource, EventResource

from .history import HistoryAdmin
from .mixins import (
    SOURCE_FIELDSET,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    MadeCodeMixin,
)
from .versions import VersionedAdminMixin, VersionedInlineMixin


class ParticipationInline(LabelRelationsMixin, VersionedInlineMixin, admin.StackedInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["person", "source"]
    fieldsets = [(None, {"fields": [("person", "role"), "activity"]}), SOURCE_FIELDSET]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row is headed by its participation's name, which reads the person and their rank.
        return super().get_queryset(request).select_related("person__rank")


@admin.register(Event)
class EventAdmin(
    MadeCodeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [EventResource]
    list_display = ["name", "date", "year", "organiser", "inferred"]
    # Events are few: the stock filter's distinct years cost nothing.
    list_filter = ["year"]
    list_select_related = ["organiser"]
    search_year_field = "year"
    autocomplete_fields = ["organiser", "source"]
    inlines = [ParticipationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", ("date", "year"), "organiser", "description"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(Campaign)
class CampaignAdmin(
    MadeCodeMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [CampaignResource]
    list_display = ["name", "kind", "period", "launched_by_unit", "inferred"]
    list_filter = ["kind"]
    list_select_related = ["launched_by_unit"]
    autocomplete_fields = ["launched_by_unit", "launched_by_person", "launch_event", "source"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", ("start_year", "end_year"), "description"]}),
        (_("Slogans"), {"fields": ["slogan", "motto", "guiding_principle", "audience"]}),
        (_("Launch"), {"fields": ["launched_by_unit", "launched_by_person", "launch_event"]}),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=_("period"), ordering="start_year")
    def period(self, obj: Campaign) -> str:
        return obj.period
