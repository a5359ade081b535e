"""Decisions on commendation in the admin: the record, its signed file (served to staff who may
view decisions, never from the storage's address), the awards it gave and those it revoked; and
the revocation of awards, an action of emulation officers (the ``revoke_award`` permission)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from movement.models import Award, Decision
from movement.models.decisions import SIGNED_FILE_KINDS

from .dates import DateHierarchyMixin
from .history import HistoryAdmin
from .mixins import SOURCE_FIELDSET
from .papers import DECISION_ACTIONS
from .versions import VersionedAdminMixin


class SignedFileLink:
    """The current file as ClearableFileInput shows it, linked to the staff-only view."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return str(_("signed file"))


class SignedFileInput(forms.ClearableFileInput):
    download_url: str | None = None

    def format_value(self, value):
        if self.is_initial(value) and self.download_url:
            return SignedFileLink(self.download_url)
        return super().format_value(value)


class AwardsGiven(admin.TabularInline):
    model = Award
    fk_name = "decision"
    verbose_name_plural = _("awards given")
    fields = ["year", "award_type", "recipient", "revoked_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Award]:
        return (
            super()
            .get_queryset(request)
            .select_related("award_type", "recipient_unit", "recipient_person")
        )

    @admin.display(description=_("recipient"))
    def recipient(self, award: Award) -> str:
        return award.recipient_label


class AwardsRevoked(AwardsGiven):
    fk_name = "revoked_by"
    verbose_name_plural = _("awards revoked")
    fields = ["year", "award_type", "recipient", "revocation_reason"]
    readonly_fields = fields


@admin.register(Decision)
class DecisionAdmin(DateHierarchyMixin, VersionedAdminMixin, HistoryAdmin):
    list_display = ["number", "date", "issuer", "subject", "signer", "has_file"]
    list_filter = ["issuer"]
    date_hierarchy = "date"
    search_fields = ["number", "issuer", "subject", "signer"]
    autocomplete_fields = ["source"]
    inlines = [AwardsGiven, AwardsRevoked]
    actions = DECISION_ACTIONS
    fieldsets = [
        (None, {"fields": [("number", "date"), "issuer", "subject"]}),
        (
            _("Signature and legal basis"),
            {"fields": [("signer", "signer_position"), "legal_basis", "file"]},
        ),
        SOURCE_FIELDSET,
    ]

    @admin.display(description=_("signed file"), boolean=True)
    def has_file(self, decision: Decision) -> bool:
        return bool(decision.file)

    def get_form(self, request: HttpRequest, obj: Decision | None = None, **kwargs):
        kwargs.setdefault("widgets", {})["file"] = widget = SignedFileInput()
        if obj is not None and obj.file:
            widget.download_url = reverse("admin:movement_decision_file", args=[obj.pk])
        return super().get_form(request, obj, **kwargs)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.file_view)
        return [path("<int:pk>/file/", view, name="movement_decision_file"), *super().get_urls()]

    def file_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The signed file, to staff who may view the decision; never a public address."""
        decision = get_object_or_404(Decision, pk=pk)
        if not self.has_view_permission(request, decision):
            raise PermissionDenied
        kind = decision.file_kind
        if kind is None:
            raise Http404(_("This decision has no signed file."))
        content_type, extension = SIGNED_FILE_KINDS[kind]
        name = f"{slugify(decision.number) or 'quyet-dinh'}{extension}"
        response = FileResponse(
            decision.file.open("rb"),
            content_type=content_type,
            # A Word file is saved; a PDF or a scan opens in the browser.
            as_attachment=kind == "docx",
            filename=name,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class RevocationForm(forms.Form):
    decision = forms.ModelChoiceField(
        label=_("revoking decision"),
        queryset=Decision.objects.all(),
        widget=AutocompleteSelect(Award._meta.get_field("revoked_by"), admin.site),
    )
    revoked_on = forms.DateField(
        label=_("revoked on"),
        required=False,
        help_text=_("Empty: the day the revoking decision was signed."),
    )
    reason = forms.CharField(label=_("reason for revocation"), widget=forms.Textarea)

    def clean(self) -> dict:
        data = super().clean()
        decision = data.get("decision")
        if decision is not None and not data.get("revoked_on") and decision.date is None:
            self.add_error(
                "revoked_on",
                _("The revoking decision's date is not recorded: give the day it took effect."),
            )
        return data


def revoke_view(model_admin: admin.ModelAdmin, request: HttpRequest, awards: QuerySet[Award]):
    """The revocation of the selected awards by one decision: a form, then each award saved
    revoked (with its history) or none."""
    if not model_admin.has_revoke_permission(request):
        raise PermissionDenied
    awards = awards.select_related("award_type", "recipient_unit", "recipient_person")
    form = RevocationForm(request.POST if "revoke" in request.POST else None)
    if form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            for award in awards:
                award.revoke(data["decision"], data["reason"], on=data["revoked_on"])
        model_admin.message_user(
            request,
            ngettext(
                "%(count)s award revoked by decision %(number)s.",
                "%(count)s awards revoked by decision %(number)s.",
                len(awards),
            )
            % {"count": len(awards), "number": data["decision"].number},
            messages.SUCCESS,
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Revoke awards"),
        "opts": model_admin.model._meta,
        "form": form,
        "media": model_admin.media + form.media,
        "awards": awards,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "action": request.POST.get("action", "revoke_awards"),
    }
    return TemplateResponse(request, "admin/movement/award/revoke.html", context)


def revocation_display(award: Award) -> str:
    if not award.is_revoked:
        return "—"
    return format_html(
        '<strong class="revoked-note">{}</strong> {} — {}',
        _("Revoked on %(date)s") % {"date": award.revoked_on.strftime("%d/%m/%Y")},
        award.revoked_by,
        award.revocation_reason,
    )
