"""The emulation year's records in the admin (issue #16): registrations (imported from the units'
spreadsheets), their deadlines, and proposals, whose own page (movement.cycle.views) shows the
lines' eligibility, the documents, the log and the steps open to the reader."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from movement.cycle import views
from movement.models import Proposal, ProposalLine, Registration, RegistrationPeriod, Step
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import RegistrationResource

from .history import HistoryAdmin
from .scoping import UnitScopeMixin
from .versions import VersionedAdminMixin


@admin.register(RegistrationPeriod)
class RegistrationPeriodAdmin(HistoryAdmin):
    list_display = ["year", "closes_on", "basis"]


@admin.register(Registration)
class RegistrationAdmin(UnitScopeMixin, VersionedAdminMixin, HistoryAdmin, SpreadsheetAdmin):
    resource_classes = [RegistrationResource]
    list_display = ["year", "unit", "person", "award_type", "campaign"]
    list_filter = ["year"]
    list_select_related = ["unit", "person", "award_type", "campaign"]
    search_fields = ["unit__search_text", "person__search_text"]
    autocomplete_fields = ["unit", "person", "award_type", "campaign"]
    fields = ["unit", "year", "campaign", "person", "award_type", "note"]

    def get_urls(self) -> list:
        summary = path(
            "summary/",
            self.admin_site.admin_view(views.registrations),
            name="movement_registration_summary",
        )
        return [summary, *super().get_urls()]


class ProposalLineInline(admin.TabularInline):
    model = ProposalLine
    fields = ["person", "collective", "award_type", "achievement"]
    autocomplete_fields = ["person", "collective", "award_type"]
    extra = 1


class StepInline(admin.TabularInline):
    model = Step
    fields = ["at", "user", "action", "from_state", "to_state", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(UnitScopeMixin, VersionedAdminMixin, HistoryAdmin):
    """Drafted here (its lines inline) while the unit holds it; moved on from its page."""

    list_display = ["title", "unit", "year", "state", "line_count", "open_page"]
    list_filter = ["state", "year"]
    list_select_related = ["unit"]
    search_fields = ["title", "unit__search_text"]
    autocomplete_fields = ["unit", "campaign"]
    fields = ["unit", "year", "campaign", "title"]
    inlines = [ProposalLineInline, StepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A unit editor sees their own units' proposals only (ProposalQuerySet.visible_to).
        queryset = super().get_queryset(request).annotate(line_count=Count("lines"))
        return queryset.visible_to(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Proposal | None = None) -> bool:
        # Once sent, the unit's lines are the reviewers' to judge: changed only when returned.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Proposal | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.state == Proposal.State.DRAFT)

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, obj: Proposal) -> int:
        return obj.line_count

    @admin.display(description=_("proposal page"))
    def open_page(self, obj: Proposal) -> str:
        url = reverse("admin:movement_proposal_page", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def response_add(self, request: HttpRequest, obj: Proposal, *args: Any) -> Any:
        response = super().response_add(request, obj, *args)
        if "_continue" in request.POST or "_addanother" in request.POST:
            return response
        return views.redirect(views.proposal_url(obj))

    def response_change(self, request: HttpRequest, obj: Proposal) -> Any:
        response = super().response_change(request, obj)
        if "_continue" in request.POST or "_addanother" in request.POST:
            return response
        return views.redirect(views.proposal_url(obj))

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("todo/", wrap(views.todo), name="movement_proposal_todo"),
            path("todo/count.json", wrap(views.todo_count), name="movement_proposal_todo_count"),
            path("<int:pk>/page/", wrap(views.proposal_page), name="movement_proposal_page"),
            path("<int:pk>/step/<slug:name>/", wrap(views.step), name="movement_proposal_step"),
            path("<int:pk>/upload/", wrap(views.upload), name="movement_proposal_upload"),
            path(
                "<int:pk>/files/<int:attachment_pk>/",
                wrap(views.download),
                name="movement_proposal_download",
            ),
            path(
                "<int:pk>/files/<int:attachment_pk>/remove/",
                wrap(views.remove),
                name="movement_proposal_remove_document",
            ),
            path("<int:pk>/vote/", wrap(views.vote), name="movement_proposal_vote"),
            path("<int:pk>/decide/", wrap(views.decide), name="movement_proposal_decide"),
            *super().get_urls(),
        ]
