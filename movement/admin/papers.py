"""The admin's papers: certificate layouts with their calibration page, and the actions and pages
that print decisions, certificates, statistics and award records (movement.papers)."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from movement.models import Award, CertificateField, CertificateLayout, Unit
from movement.papers import access, certificates, decisions, records, statistics

from .history import HistoryAdmin

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(
    content: bytes, content_type: str, filename: str, *, as_attachment: bool = True
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


class CertificateFieldInline(admin.TabularInline):
    model = CertificateField
    extra = 0
    fields = ["name", "x_mm", "y_mm", "font", "size_pt", "align"]


@admin.register(CertificateLayout)
class CertificateLayoutAdmin(HistoryAdmin):
    list_display = ["award_type", "page_size", "orientation", "calibration"]
    list_select_related = ["award_type"]
    autocomplete_fields = ["award_type"]
    fields = ["award_type", ("page_size", "orientation"), "place", "calibration"]
    readonly_fields = ["calibration"]
    inlines = [CertificateFieldInline]

    @admin.display(description=gettext_lazy("calibration page"))
    def calibration(self, layout: CertificateLayout) -> str:
        if layout.pk is None:
            return _("Save the layout first.")
        url = reverse("admin:movement_certificatelayout_calibration", args=[layout.pk])
        return format_html('<a href="{}">{}</a>', url, _("Calibration page (PDF)"))

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/calibration/",
                self.admin_site.admin_view(self.calibration_view),
                name="movement_certificatelayout_calibration",
            ),
            *super().get_urls(),
        ]

    def calibration_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        layout = get_object_or_404(CertificateLayout.objects.select_related("award_type"), pk=pk)
        return download(
            certificates.calibration(layout),
            "application/pdf",
            f"can-chinh-{layout.pk}.pdf",
            as_attachment=False,
        )


@admin.register(CertificateField)
class CertificateFieldAdmin(HistoryAdmin):
    """The fields, listed on their own too, so their history can be read, reverted, restored."""

    list_display = ["name", "layout", "x_mm", "y_mm", "font", "size_pt"]
    list_filter = ["name"]
    list_select_related = ["layout__award_type"]
    fields = ["layout", "name", ("x_mm", "y_mm"), ("font", "size_pt", "align")]


# -- Award actions ---------------------------------------------------------------------------


def _printable(model_admin, request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """The selection, as the awards the user may print. (The admin has already refused a unit
    editor's selection holding another unit's award: movement.admin.scoping.)"""
    return access.printable_awards(request.user, queryset)


@admin.action(description=gettext_lazy("Print the certificates (PDF)"), permissions=["change"])
def print_certificates(model_admin, request: HttpRequest, queryset: QuerySet):
    awards = _printable(model_admin, request, queryset)
    batch = certificates.print_batch(awards)
    skipped = ", ".join(str(award) for award in batch.skipped)
    if not batch.pages:
        model_admin.message_user(
            request,
            _("No certificate to print: the chosen awards are to unnamed groups (%(groups)s).")
            % {"groups": skipped},
            messages.WARNING,
        )
        return None
    if batch.skipped:
        # Said on the next page the user sees, the list they come back to.
        model_admin.message_user(
            request,
            _("%(pages)d certificates printed; skipped, having no name to print: %(groups)s.")
            % {"pages": batch.pages, "groups": skipped},
            messages.WARNING,
        )
    response = download(batch.pdf, "application/pdf", "bang-khen.pdf")
    response["X-Skipped-Unnamed-Groups"] = str(len(batch.skipped))
    return response


def _decision(model_admin, request: HttpRequest, queryset: QuerySet):
    awards = _printable(model_admin, request, queryset)
    try:
        return decisions.decision_for(awards)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        return None


@admin.action(description=gettext_lazy("Decision and its list (Word)"), permissions=["change"])
def decision_docx(model_admin, request: HttpRequest, queryset: QuerySet):
    paper = _decision(model_admin, request, queryset)
    return paper and download(paper.docx(), DOCX, "quyet-dinh.docx")


@admin.action(description=gettext_lazy("Decision and its list (PDF)"), permissions=["change"])
def decision_pdf(model_admin, request: HttpRequest, queryset: QuerySet):
    paper = _decision(model_admin, request, queryset)
    return paper and download(paper.pdf(), "application/pdf", "quyet-dinh.pdf")


AWARD_ACTIONS = [print_certificates, decision_docx, decision_pdf]


# -- Decision actions: the same papers from Decision records ---------------------------------


def _decisions_awards(model_admin, request: HttpRequest, decisions_chosen: QuerySet):
    """The awards of the chosen decisions, if the user may print every one; else None, having
    said why. A decision is no unit's: its awards are (movement.permissions)."""
    if not access.may_print(request.user):
        model_admin.message_user(
            request, _("Only staff who change awards print their papers."), messages.ERROR
        )
        return None
    awards = access.printable_awards(request.user, Award.objects.all())
    given = Award.objects.filter(decision__in=decisions_chosen)
    if awards.filter(decision__in=decisions_chosen).count() != given.count():
        model_admin.message_user(
            request,
            _("These decisions give awards to units other than yours: ask an emulation officer."),
            messages.ERROR,
        )
        return None
    return given


@admin.action(description=gettext_lazy("Print the certificates (PDF)"), permissions=["view"])
def print_decision_certificates(model_admin, request: HttpRequest, queryset: QuerySet):
    awards = _decisions_awards(model_admin, request, queryset)
    return None if awards is None else print_certificates(model_admin, request, awards)


def _one_decision(model_admin, request: HttpRequest, queryset: QuerySet):
    if queryset.count() != 1:
        model_admin.message_user(request, _("Choose one decision."), messages.ERROR)
        return None
    decision = queryset.get()
    awards = _decisions_awards(model_admin, request, queryset)
    if awards is None:
        return None
    if not awards.in_force().exists():
        model_admin.message_user(
            request, _("This decision gives no award in force."), messages.ERROR
        )
        return None
    return decisions.DecisionPaper.from_decision(decision)


@admin.action(description=gettext_lazy("Decision and its list (Word)"), permissions=["view"])
def decision_record_docx(model_admin, request: HttpRequest, queryset: QuerySet):
    paper = _one_decision(model_admin, request, queryset)
    return paper and download(paper.docx(), DOCX, "quyet-dinh.docx")


@admin.action(description=gettext_lazy("Decision and its list (PDF)"), permissions=["view"])
def decision_record_pdf(model_admin, request: HttpRequest, queryset: QuerySet):
    paper = _one_decision(model_admin, request, queryset)
    return paper and download(paper.pdf(), "application/pdf", "quyet-dinh.pdf")


DECISION_ACTIONS = [decision_record_docx, decision_record_pdf, print_decision_certificates]


# -- The statistics page ---------------------------------------------------------------------


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=1945, max_value=2100)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("unit"),
        queryset=Unit.objects.all(),
        required=False,
        help_text=gettext_lazy("The unit and the units below it; empty for every award."),
    )


def statistics_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The form (year, unit) and, once sent, the workbook."""
    if not access.may_print(request.user):
        raise PermissionDenied
    form = StatisticsForm(request.GET or None, initial={"year": datetime.date.today().year - 1})
    if form.is_valid():
        year, unit = form.cleaned_data["year"], form.cleaned_data["unit"]
        awards = access.printable_awards(request.user)
        content = statistics.workbook(awards, year, unit)
        return download(content, XLSX, f"thong-ke-thi-dua-khen-thuong-{year}.xlsx")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Statistics on the Ministry of Home Affairs' forms"),
        "form": form,
        "circular": statistics.CIRCULAR,
    }
    return render(request, "admin/movement/papers/statistics.html", context)


# -- People's award records --------------------------------------------------------------------


def people_records(model_admin, request: HttpRequest) -> HttpResponse:
    """The award records of the people chosen (``?ids=1,2``), a page each, printable; with
    ``&format=docx`` as one Word document."""
    ids = [int(one) for one in request.GET.get("ids", "").split(",") if one.isdigit()]
    people = access.printable_people(request.user).filter(pk__in=ids).select_related("rank", "unit")
    if len(set(ids)) != len(people) or not ids:
        raise PermissionDenied
    if request.GET.get("format") == "docx":
        return download(records.docx_of(people), DOCX, "trich-ngang-khen-thuong.docx")
    context = {"people": [(person, records.rows(person)) for person in people]}
    return render(request, "movement/papers/person_records.html", context)


@admin.action(description=gettext_lazy("Award record (printable page)"), permissions=["view"])
def award_record_page(model_admin, request: HttpRequest, queryset: QuerySet):
    return _records_redirect(queryset, "")


@admin.action(description=gettext_lazy("Award record (Word)"), permissions=["view"])
def award_record_docx(model_admin, request: HttpRequest, queryset: QuerySet):
    return _records_redirect(queryset, "&format=docx")


def _records_redirect(queryset: QuerySet, extra: str) -> HttpResponse:
    ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
    return redirect(reverse("admin:movement_person_records") + f"?ids={ids}{extra}")


PERSON_ACTIONS = [award_record_page, award_record_docx]
