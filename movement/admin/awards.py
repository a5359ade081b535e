from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from movement import search
from movement.models import Award, AwardType
from movement.models.awards import NEWEST_FIRST
from movement.papers import access
from movement.proposals import award_warnings, warning_message
from movement.spreadsheets.admin import SpreadsheetAdmin
from movement.spreadsheets.resources import AwardResource, AwardTypeResource

from .decisions import revocation_display, revoke_view
from .filters import InForceOnFilter, RecipientUnitFilter, RevokedFilter, YearFilter
from .history import HistoryAdmin
from .large_tables import LargeTableMixin
from .mixins import (
    SOURCE_FIELDSET,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    YesNoColumnsMixin,
)
from .papers import AWARD_ACTIONS, statistics_view
from .scoping import UnitScopeMixin
from .versions import VersionedAdminMixin


@admin.register(AwardType)
class AwardTypeAdmin(
    YesNoColumnsMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [AwardTypeResource]
    list_display = [
        "name",
        "award_class",
        "category",
        "conferred_by",
        "for_individuals",
        "for_collectives",
        "valid_from",
        "valid_until",
        "citation",
        "inferred",
    ]
    list_filter = [
        "category",
        "conferred_by",
        "for_individuals",
        "for_collectives",
        InForceOnFilter,
        ("legal_source", admin.RelatedOnlyFieldListFilter),
        "article_confirmed",
    ]
    list_select_related = ["legal_source"]
    autocomplete_fields = ["source", "legal_source"]
    fieldsets = [
        (None, {"fields": [("name", "award_class"), "category", "conferred_by"]}),
        (_("Who receives it"), {"fields": [("for_individuals", "for_collectives")]}),
        (
            _("In force, and by which legal text"),
            {
                "fields": [
                    ("valid_from", "valid_until"),
                    "legal_source",
                    ("legal_article", "article_confirmed"),
                    "citation_note",
                    "legal_basis",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=_("legal text and article"), ordering="legal_source__title")
    def citation(self, award_type: AwardType) -> str:
        """The article and its text, linked to the text's page; marked when not confirmed."""
        if award_type.legal_source_id is None:
            return "—"
        url = reverse("admin:movement_source_change", args=[award_type.legal_source_id])
        unconfirmed = "" if award_type.article_confirmed else _(" (article not confirmed)")
        return format_html('<a href="{}">{}</a>{}', url, award_type.legal_citation, unconfirmed)


@admin.register(Award)
class AwardAdmin(
    UnitScopeMixin,
    LargeTableMixin,
    FoldedSearchMixin,
    InferredColumnMixin,
    LabelRelationsMixin,
    VersionedAdminMixin,
    HistoryAdmin,
    SpreadsheetAdmin,
):
    resource_classes = [AwardResource]
    # What tells awards apart at a glance, narrow enough to fit a 1366 px screen beside the menu
    # and the filters with the "inferred" mark in sight; who presented an award is on its page.
    list_display = [
        "year",
        "award_type",
        "recipient",
        "conferring_unit",
        "campaign",
        "revoked",
        "inferred",
    ]
    list_display_links = ["year", "award_type"]
    actions = ["revoke_awards", *AWARD_ACTIONS]
    readonly_fields = ["decision_link", "revocation"]
    list_filter = [
        YearFilter,
        "award_type",
        "award_type__category",
        RecipientUnitFilter,
        "campaign",
        RevokedFilter,
    ]
    list_select_related = [
        "award_type",
        "recipient_unit",
        "recipient_person",
        "conferring_unit",
        "presented_by__rank",
        "campaign",
    ]
    # Counting every award for "N total" on each page load is the one query that grows with
    # the table; the filtered count is enough to page.
    show_full_result_count = False
    # Award.objects.newest_first()'s order, read off an index, where the model's ordering sorts
    # by the award type's name, through a join. (A changelist orders by this, not by its
    # queryset's order.)
    ordering = NEWEST_FIRST
    search_year_field = "year"
    autocomplete_fields = [
        "award_type",
        "recipient_unit",
        "recipient_person",
        "rank_at_award",
        "conferring_unit",
        "presented_by",
        "event",
        "campaign",
        "source",
    ]
    fieldsets = [
        (None, {"fields": ["award_type", "year", "campaign"]}),
        (
            _("Recipient"),
            {
                "description": _(
                    "Give exactly one recipient: a unit, a person, or, when the source counts "
                    "recipients without naming them (“3 tập thể”), the kind and size of the "
                    "group. Rank and position at the time are for a person; left empty, they "
                    "are copied from the person's current ones."
                ),
                "fields": [
                    "recipient_unit",
                    "recipient_person",
                    ("group_kind", "group_count"),
                    ("rank_at_award", "position_at_award"),
                ],
            },
        ),
        (
            _("Decision and ceremony"),
            {
                "description": _(
                    "The decision number and date name the decision: it is linked when the "
                    "award is saved, and recorded if it was not."
                ),
                "fields": [
                    ("decision_number", "decision_date"),
                    ("decision_link", "revocation"),
                    "conferring_unit",
                    ("presented_by", "on_behalf_of"),
                    "event",
                    "note",
                ],
            },
        ),
        SOURCE_FIELDSET,
    ]

    def get_urls(self) -> list:
        return [
            path(
                "statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="movement_award_statistics",
            ),
            *super().get_urls(),
        ]

    def statistics_view(self, request: HttpRequest):
        return statistics_view(self, request)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        link = {}
        if access.may_print(request.user):
            link["statistics_url"] = reverse("admin:movement_award_statistics")
        return super().changelist_view(request, {**link, **(extra_context or {})})

    def save_model(self, request: HttpRequest, obj: Award, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A new award's rank and position come from the history on its day; where it has
        # nothing then, they are left as entered, and the staff are told.
        if note := obj.history_note(getattr(obj, "left_empty", [])):
            messages.warning(request, note)
        # Saved whatever the rules say (the council decides); the staff are told why not.
        if reasons := award_warnings(obj):
            messages.warning(request, warning_message(reasons))

    @admin.display(description=_("recipient"))
    def recipient(self, obj: Award) -> str:
        return obj.recipient_label

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, obj: Award) -> bool:
        return obj.is_revoked

    @admin.display(description=_("decision"))
    def decision_link(self, obj: Award) -> str:
        if obj.decision_id is None:
            return "—"
        # Named by the number and date the award keeps of it: no query for the decision.
        url = reverse("admin:movement_decision_change", args=[obj.decision_id])
        label = obj.decision_number
        if obj.decision_date:
            label = f"{label} ({obj.decision_date:%d/%m/%Y})"
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("revocation"))
    def revocation(self, obj: Award) -> str:
        return revocation_display(obj)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Not a unit editor's, whose change permission is bound to their units: the revocation
        # of an award is the emulation office's, by a decision (Quản trị, Cán bộ thi đua).
        return request.user.has_perm("movement.revoke_award")

    def has_delete_permission(self, request: HttpRequest, obj: Award | None = None) -> bool:
        # A revoked award is kept: its revocation is part of the record.
        if obj is not None and obj.is_revoked:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Revoke the selected awards"), permissions=["revoke"])
    def revoke_awards(self, request: HttpRequest, queryset):
        return revoke_view(self, request, queryset.in_force())

    def search_text_contains(self, words: list[str]) -> Q:
        return search.award_text_contains(words)
