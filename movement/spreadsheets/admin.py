"""Spreadsheets in the admin: import with a preview staff can trust, exports of any size.

Import: the file is recognised by itself (Excel workbook, CSV in UTF-8 or Windows-1258),
previewed with every refused row's spreadsheet row, column and reason, and its rows kept in the
database (movement.models.PendingImport) until its uploader confirms or cancels it or it expires,
so any app server can confirm it (movement.spreadsheets.previews). Confirming imports those rows,
all in one transaction or none. Each import page offers an empty template of the columns.

Export: from the changelist, with its filters and search, as Excel or CSV. A CSV is streamed as it
is written; an Excel file of more than settings.EXPORT_BACKGROUND_ROWS rows is written by a
background task (movement.tasks), and its page shows the progress, then the download.
"""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export, post_import

from movement.models import Award, ExportJob, PendingImport
from movement.spreadsheets.downloads import csv_response, xlsx_response
from movement.spreadsheets.exports import XLSX_TYPE, file_name
from movement.spreadsheets.files import grouped, megabytes
from movement.spreadsheets.previews import (
    UploadUnavailable,
    cancel_upload,
    confirm_upload,
    preview_upload,
)
from movement.spreadsheets.reports import ImportReport
from movement.spreadsheets.templates import template_response
from movement.tasks import fold_tallies, forget_old_exports, write_export

# Lookups a changelist's filter parameters end in ("recipient_unit__id__exact").
LOOKUPS = {"id", "pk", "exact"}
# The preview lists this many rows of each kind; the counts cover them all.
PREVIEW_ROWS = 100


def shown_value(value: Any) -> Any:
    """A cell as the preview shows it: a date as the staff write it."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


class UploadForm(forms.Form):
    import_file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; a file to import may be at most %(limit)s.")
                % {
                    "size": megabytes(upload.size),
                    "limit": megabytes(settings.IMPORT_MAX_UPLOAD_BYTES),
                }
            )
        return upload


class ConfirmForm(forms.Form):
    import_file_name = forms.CharField(widget=forms.HiddenInput)
    original_file_name = forms.CharField(widget=forms.HiddenInput)

    def clean_import_file_name(self) -> str:
        name = self.cleaned_data["import_file_name"]
        if not name.isalnum():
            raise ValidationError("Bad upload name.")
        return name


class ExportForm(SelectableFieldsExportForm):
    """The export form with each column named by its header alone ("Mã", not "Key (Mã)"), and
    Excel chosen from the start."""

    def __init__(self, formats: list, resources: list, **kwargs: Any) -> None:
        super().__init__(formats, resources, **kwargs)
        for resource in resources:
            for name, field in resource.fields.items():
                box = self.fields.get(self.create_boolean_field_name(resource, name))
                if box is not None:
                    box.label = field.column_name
        self.fields["format"].initial = str(formats.index(XLSX)) if XLSX in formats else None


class SpreadsheetAdmin(ImportExportModelAdmin):
    """ImportExportModelAdmin with the import and export described in this module."""

    import_template_name = "admin/movement/import.html"
    export_job_template_name = "admin/movement/export_job.html"
    # Formats are told apart by the file itself on import; exports are Excel or CSV.
    import_formats = [XLSX, CSV]
    export_formats = [XLSX, CSV]
    export_form_class = ExportForm

    def get_urls(self) -> list:
        prefix = "{}_{}".format(*self.get_model_info())
        view = self.admin_site.admin_view
        return [
            path("import/cancel/", view(self.cancel_import), name=f"{prefix}_import_cancel"),
            path(
                "import/template.xlsx",
                view(self.import_template_view),
                name=f"{prefix}_import_template",
            ),
            path(
                "export/<int:job_id>/",
                view(self.export_job_view),
                name=f"{prefix}_export_job",
            ),
            path(
                "export/<int:job_id>/retry/",
                view(self.export_retry_view),
                name=f"{prefix}_export_retry",
            ),
            path(
                "export/<int:job_id>/download/",
                view(self.export_download_view),
                name=f"{prefix}_export_download",
            ),
            *super().get_urls(),
        ]

    def import_resource(self, request: HttpRequest) -> Any:
        resource_class = self.get_import_resource_classes(request)[0]
        return resource_class(**self.get_import_resource_kwargs(request))

    # -- Import ---------------------------------------------------------------------------------

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        return template_response(self.import_resource(request))

    def import_action(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        report = confirm_form = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            report = preview_upload(
                self.import_resource(request),
                upload.read(),
                user=request.user,
                file_name=upload.name,
            )
            if report.upload:
                confirm_form = ConfirmForm(
                    initial={"import_file_name": report.upload, "original_file_name": upload.name}
                )
        return self.render_import(request, form, report, confirm_form)

    def render_import(
        self,
        request: HttpRequest,
        form: UploadForm,
        report: ImportReport | None,
        confirm_form: ConfirmForm | None,
    ) -> HttpResponse:
        resource = self.import_resource(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "opts": self.model._meta,
            "form": form,
            "confirm_form": confirm_form,
            "report": report,
            "columns": [field.column_name for field in resource.get_import_fields()],
            "required": resource.required_columns(),
            "limits": {
                "size": megabytes(settings.IMPORT_MAX_UPLOAD_BYTES),
                "rows": grouped(settings.IMPORT_MAX_ROWS),
            },
            "preview_rows": PREVIEW_ROWS,
            "preview_slice": f":{PREVIEW_ROWS}",
        }
        if report is not None:
            context["preview"] = {
                action: [
                    {
                        "number": row.place,
                        "record": row.record[0] if row.record else None,
                        "cells": [
                            (shown_value(value), header in row.changed, matches)
                            for header, value, matches in zip(
                                report.headers, row.values, row.matches, strict=False
                            )
                        ],
                    }
                    for row in report.rows
                    if row.action == action
                ][:PREVIEW_ROWS]
                for action in ("new", "update")
            }
            # Each updated row beside the record it updates, by its name and a link to it: the
            # staff check the match before they confirm. One query for the shown rows.
            shown = self.model._default_manager.in_bulk(
                [row["record"] for row in context["preview"]["update"] if row["record"]]
            )
            for row in context["preview"]["update"]:
                row["record"] = shown.get(row["record"])
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        confirm = self.posted_preview(
            request, _("The import was not confirmed: upload the file again.")
        )
        if isinstance(confirm, HttpResponse):
            return confirm
        try:
            report = confirm_upload(
                self.import_resource(request),
                confirm.cleaned_data["import_file_name"],
                user=request.user,
                file_name=confirm.cleaned_data["original_file_name"],
            )
        except UploadUnavailable as refusal:
            return self.unavailable(request, refusal)
        if not report.written:
            # The records changed since the preview, or the database refused: nothing written.
            return self.render_import(request, UploadForm(), report, None)
        self.generate_log_entries(report.result, request)
        post_import.send(sender=None, model=self.model)
        if self.model is Award:
            # The import's rows of the tallies are folded by the worker, the page answered now.
            transaction.on_commit(fold_tallies.enqueue)
        messages.success(
            request,
            _(
                "Import finished: %(new)s new, %(updated)s updated, %(unchanged)s unchanged "
                "%(records)s."
            )
            % {
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "records": self.model._meta.verbose_name_plural,
            },
        )
        return HttpResponseRedirect(self.admin_url("changelist"))

    def cancel_import(self, request: HttpRequest) -> HttpResponse:
        """The preview's "Cancel": its rows are dropped and nothing is written."""
        confirm = self.posted_preview(
            request, _("The import was not cancelled: upload the file again.")
        )
        if isinstance(confirm, HttpResponse):
            return confirm
        try:
            pending = cancel_upload(
                self.import_resource(request),
                confirm.cleaned_data["import_file_name"],
                user=request.user,
            )
        except UploadUnavailable as refusal:
            return self.unavailable(request, refusal)
        messages.success(
            request,
            _("The preview of “%(name)s” was cancelled: nothing was written.")
            % {"name": pending.file_name},
        )
        return HttpResponseRedirect(self.admin_url("import"))

    def posted_preview(self, request: HttpRequest, refused: str) -> ConfirmForm | HttpResponse:
        """The form a preview's Confirm or Cancel button posted, for a user who may import;
        otherwise the way back to the import page, saying ``refused`` if the form was bad."""
        if request.method != "POST":
            return HttpResponseRedirect(self.admin_url("import"))
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, refused)
            return HttpResponseRedirect(self.admin_url("import"))
        return form

    def unavailable(self, request: HttpRequest, refusal: UploadUnavailable) -> HttpResponse:
        """Back to the import page, saying why the preview cannot be confirmed or cancelled."""
        pending = refusal.pending
        if pending is not None and pending.state == PendingImport.State.IMPORTED:
            messages.error(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    str(refusal),
                    self.admin_url("changelist"),
                    _("See the list of %(records)s.")
                    % {"records": self.model._meta.verbose_name_plural},
                ),
            )
        else:
            messages.error(request, str(refusal))
        return HttpResponseRedirect(self.admin_url("import"))

    def admin_url(self, name: str, *args: Any) -> str:
        """The URL of this model admin's view ``name`` ("import", "changelist"…)."""
        app_label, model_name = self.get_model_info()
        return reverse(
            f"admin:{app_label}_{model_name}_{name}", args=args, current_app=self.admin_site.name
        )

    # -- Export ---------------------------------------------------------------------------------

    def _do_file_export(
        self, file_format: Any, request: HttpRequest, queryset: QuerySet, export_form: Any = None
    ) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request))
        selected = self.get_export_resource_fields_from_form(export_form)
        post_export.send(sender=None, model=self.model)
        filters = self.export_filters(request)
        if isinstance(file_format, CSV):
            name = file_name(resource, "csv", filters)
            return csv_response(resource, queryset, selected=selected, name=name)
        count = queryset.count()
        if count <= settings.EXPORT_BACKGROUND_ROWS:
            name = file_name(resource, "xlsx", filters)
            return xlsx_response(resource, queryset, selected=selected, name=name)
        forget_old_exports()
        # What the task needs to select the same rows again, as JSON: the query string the
        # changelist read, and the records ticked when the export came from a selection.
        items = None
        if export_form is not None and "export_items" in export_form.changed_data:
            items = export_form.cleaned_data["export_items"]
        job = ExportJob.objects.create(
            user=request.user,
            model=self.model._meta.label_lower,
            resource=dotted_path(resource_class),
            parameters=dict(request.GET.lists()),
            items=items,
            selected=selected,
            language=get_language() or settings.LANGUAGE_CODE,
            file_name=file_name(resource, "xlsx", filters),
            rows_total=count,
        )
        write_export.enqueue(job.pk)
        return HttpResponseRedirect(self.admin_url("export_job", job.pk))

    def export_filters(self, request: HttpRequest) -> list[Any]:
        """What the changelist's filters chose, for the file's name: the year first, then each
        record chosen (a unit, an award type), each choice by its label, and the search."""
        paths = {
            getattr(spec, "parameter_name", None): getattr(spec, "field_name", None)
            for spec in self.list_filter
        }
        chosen = []
        for name, value in request.GET.items():
            if name == SEARCH_VAR:
                chosen.append(value)
                continue
            path = paths.get(name) or name
            words = [word for word in path.split(LOOKUP_SEP) if word not in LOOKUPS]
            try:
                field = get_fields_from_path(self.model, LOOKUP_SEP.join(words))[-1]
                if field.is_relation:
                    chosen += field.related_model._default_manager.filter(pk=value)[:1]
                    continue
            except (FieldDoesNotExist, NotRelationField, ValueError, ValidationError):
                # Another lookup (a range, "is empty") or a value the changelist ignores.
                continue
            if field.choices:
                chosen.append(dict(field.flatchoices).get(value, value))
            else:
                chosen.append(value)
        return sorted(chosen, key=lambda value: not str(value).isdigit())

    def export_job_rows(self, job: ExportJob) -> tuple[Any, QuerySet]:
        """The resource and rows of a background export, selected again in the task as the
        changelist selected them: same query string, same user's rights."""
        request = HttpRequest()
        request.user = job.user
        request.GET = QueryDict(mutable=True)
        for name, values in job.parameters.items():
            request.GET.setlist(name, values)
        offered = {
            dotted_path(resource_class): resource_class
            for resource_class in self.get_export_resource_classes(request)
        }
        if job.resource not in offered:
            raise ValueError(f"{self.model._meta.label} offers no resource {job.resource!r}.")
        resource = offered[job.resource](**self.get_export_resource_kwargs(request))
        queryset = self.get_export_queryset(request)
        if job.items is not None:
            queryset = queryset.filter(pk__in=job.items)
        return resource, queryset

    def export_job(self, request: HttpRequest, job_id: int) -> ExportJob:
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Only its owner sees an export: it holds what their filters selected.
        job = get_object_or_404(ExportJob, pk=job_id, user=request.user)
        # A job whose worker stopped mid-way is shown failed, with "Thử lại", once seen.
        job.fail_if_stalled()
        return job

    def export_job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self.export_job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export"),
            "opts": self.model._meta,
            "job": job,
            "finished": job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_job_template_name], context)

    def export_retry_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """A failed export's "Thử lại": the same request queued again, as a new try."""
        job = self.export_job(request, job_id)
        if request.method == "POST":
            # The new try and its task together, or neither.
            with transaction.atomic():
                if job.requeue():
                    write_export.enqueue(job.pk, job.attempt)
        return HttpResponseRedirect(self.admin_url("export_job", job.pk))

    def export_download_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The file, streamed from the storage in blocks: memory stays flat at any size."""
        job = self.export_job(request, job_id)
        if job.status != ExportJob.Status.DONE:
            return HttpResponseRedirect(self.admin_url("export_job", job.pk))
        try:
            file = job.file.open("rb")
        except FileNotFoundError:
            messages.error(
                request, _("The exported file is no longer kept: export the list again.")
            )
            return HttpResponseRedirect(self.admin_url("changelist"))
        return FileResponse(
            file, as_attachment=True, filename=job.file_name, content_type=XLSX_TYPE
        )


def dotted_path(resource_class: type) -> str:
    return f"{resource_class.__module__}.{resource_class.__qualname__}"
