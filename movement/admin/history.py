"""The admin side of movement.audit: each change recorded with its path, history, and restoring.

Every view that writes runs inside :func:`movement.audit.recording`, so the history rows it
causes say how the change was made: a form, a bulk action, a revert. (Imports say so themselves:
movement.audit.AuditedImportMixin.) Staff who may
change a record may revert it to an earlier version; administrators, who alone hold the
permissions on the history tables, may also bring back a deleted record.
"""

import datetime
import decimal
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_model_for_model

from movement import audit

# Deleted records listed on one page; older deletions are rarely restored.
DELETED_SHOWN = 200


class LocalizedChanges(HistoricalRecordContextHelper):
    """A version's changes as the rest of the admin shows values: dates as dd/mm/yyyy, numbers
    grouped, a choice by its label, nothing as a dash (not "None")."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return "—"
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        if isinstance(value, datetime.date | int | float | decimal.Decimal):
            return formats.localize(value, use_l10n=True)
        return value


def counted(records: list[Model]) -> str:
    """ "4 tasks, 2 work areas": how many records of each kind."""
    kinds = Counter(type(record)._meta for record in records)
    return ", ".join(
        f"{count} {opts.verbose_name if count == 1 else opts.verbose_name_plural}"
        for opts, count in kinds.items()
    )


class HistoryAdmin(SimpleHistoryAdmin):
    """History with the path of each change, revert for those who may change the record, and
    the deleted records for administrators."""

    change_list_template = "admin/movement/change_list.html"
    object_history_list_template = "admin/movement/object_history_list.html"
    # Set on each version by SimpleHistoryAdmin.history_view, shown by the template above.
    history_list_display = ["change_path"]

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> LocalizedChanges:
        return LocalizedChanges(self.model, historical_record)

    def change_path(self, record: Any) -> str:
        return audit.describe(record.history_change_reason)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with audit.recording(audit.Path.FORM):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with audit.recording(audit.Path.FORM):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {**self.deleted_link(request), **(extra_context or {})}
        # A changelist writes only through a bulk action (or list_editable, none here).
        with audit.recording(audit.Path.ACTION, request.POST.get("action", "")):
            return super().changelist_view(request, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # django-simple-history hides the Revert button from those who may not change the
        # record but saves any POST; the permission is checked here, on the record as it is now.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        with audit.recording(audit.Path.REVERT, f"#{version_id}"):
            return super().history_form_view(request, object_id, version_id, extra_context)

    # -- Deleted records ---------------------------------------------------------------------

    def url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self) -> list:
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=self.url_name("deleted"),
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=self.url_name("restore"),
            ),
            *super().get_urls(),
        ]

    def has_restore_permission(self, request: HttpRequest) -> bool:
        """Administrators only: they alone may change the history tables."""
        history = get_history_model_for_model(self.model)._meta
        return request.user.has_perm(
            f"{self.opts.app_label}.add_{self.opts.model_name}"
        ) and request.user.has_perm(f"{history.app_label}.change_{history.model_name}")

    def deleted_records(self) -> Any:
        """The last history row of each record that no longer exists, newest first."""
        history = get_history_model_for_model(self.model)
        pk_name = self.opts.pk.attname
        existing = self.model._default_manager.values(pk_name)
        return (
            history.objects.filter(history_type="-")
            .exclude(**{f"{pk_name}__in": existing})
            .select_related("history_user")
            .order_by("-history_date")
        )

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_restore_permission(request):
            raise PermissionDenied
        records = list(self.deleted_records()[:DELETED_SHOWN])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted %(records)s") % {"records": self.opts.verbose_name_plural},
            "opts": self.opts,
            "records": [
                (record, audit.describe(record.history_change_reason)) for record in records
            ],
            "shown": DELETED_SHOWN,
        }
        return TemplateResponse(request, "admin/movement/deleted_records.html", context)

    def restore_view(self, request: HttpRequest, history_id: int) -> HttpResponse:
        if not self.has_restore_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = get_object_or_404(self.deleted_records(), history_id=history_id)
        try:
            with transaction.atomic(), audit.recording(audit.Path.RESTORE, f"#{history_id}"):
                instance, *along = audit.restore(record, request.user)
        except (ValidationError, IntegrityError) as error:
            details = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(
                request,
                # Not named by str(): what it names may be what is missing.
                _("The deleted %(model)s could not be restored: %(reason)s")
                % {"model": self.opts.verbose_name, "reason": details},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse(f"admin:{self.url_name('deleted')}"))
        for restored in [instance, *along]:
            self.log_addition(request, restored, _("Restored from its history."))
        message = _("%(record)s was restored.") % {"record": instance}
        if along:
            message = _("%(record)s was restored, with what was deleted with it: %(others)s.") % {
                "record": instance,
                "others": counted(along),
            }
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{self.url_name('change')}", args=[instance.pk]))

    def deleted_link(self, request: HttpRequest) -> dict:
        if not self.has_restore_permission(request):
            return {}
        return {"deleted_url": reverse(f"admin:{self.url_name('deleted')}")}
