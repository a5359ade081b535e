from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from movement.models import Person, Rank
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import PersonResource, RankResource

from .eligibility import eligibility_panel, qualifying_view
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
from .papers import PERSON_ACTIONS, people_records
from .scoping import UnitScopeMixin
from .service import PERSON_INLINES
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
    actions = PERSON_ACTIONS
    list_filter = ["rank", UnitFilter]
    list_select_related = ["rank", "unit"]
    show_full_result_count = False
    autocomplete_fields = ["rank", "unit", "source"]
    inlines = PERSON_INLINES
    fieldsets = [
        (None, {"fields": ["full_name", "slug", "rank", "position", "unit", "entered_service_on"]}),
        SOURCE_FIELDSET,
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        # Once a person has a rank history or postings, their current rank, or unit and
        # position, are the latest entries there (movement.models.service.follow_history):
        # changed by adding an entry below, not typed over here.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        fields.append("eligibility")
        if not hasattr(obj, "_histories"):
            # Asked several times a page: looked up once.
            obj._histories = (obj.rank_changes.exists(), obj.postings.exists())
        ranks, postings = obj._histories
        return fields + (["rank"] if ranks else []) + (["unit", "position"] if postings else [])

    def get_fieldsets(self, request: HttpRequest, obj: Person | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        # Read only: what the person qualifies for this year, with each reason (staff only, as
        # a reason may name a discipline).
        return [*fieldsets, (_("Eligibility this year"), {"fields": ["eligibility"]})]

    @admin.display(description=_("eligibility"))
    def eligibility(self, obj: Person) -> str:
        return eligibility_panel(obj)

    def get_urls(self) -> list:
        return [
            path(
                "eligibility/",
                self.admin_site.admin_view(self.qualifying_view),
                name="movement_person_eligibility",
            ),
            path(
                "records/",
                self.admin_site.admin_view(self.records_view),
                name="movement_person_records",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        link = {"eligibility_url": reverse("admin:movement_person_eligibility")}
        return super().changelist_view(request, {**link, **(extra_context or {})})

    def records_view(self, request: HttpRequest):
        return people_records(self, request)

    def qualifying_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return qualifying_view(self, request)
