"""The staff's eligibility pages: who qualifies for a title in a year (a paginated list of the
whole sector or a unit's subtree, downloadable), and the read-only panel on a person's page.

Staff only: a reason may name a discipline or a complaint, which the public pages never show.
"""

import csv
import io

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from movement.eligibility import RULES, qualifying, verdicts
from movement.models import AwardType, Person, Unit
from movement.models.service import FIRST_YEAR, LAST_YEAR

PER_PAGE = 100
# The most rows a download holds, as the public lists' staff limit (movement.views.EXPORT_LIMIT).
DOWNLOAD_LIMIT = 50_000
COLUMNS = ["Họ và tên", "Mã", "Cấp bậc", "Chức vụ", "Đơn vị", "Ngày vào ngành"]


def ruled_types() -> QuerySet[AwardType]:
    """The award types some rule grants a person, in the catalogue's order (a list of people:
    the units' titles are judged on each unit's page)."""
    keys = Q()
    for rule in RULES:
        if not rule.for_units:
            keys |= Q(name=rule.type_key[0], award_class=rule.type_key[1])
    return AwardType.objects.filter(keys)


class QualifyingForm(forms.Form):
    award_type = forms.ModelChoiceField(queryset=AwardType.objects.none(), label=_("award type"))
    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, label=_("year"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(), required=False, label=_("within the unit")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = ruled_types()


def rows(people: QuerySet[Person]) -> list[list]:
    return [
        [
            person.full_name,
            person.slug,
            str(person.rank or ""),
            person.position,
            str(person.unit or ""),
            person.entered_service_on,
        ]
        for person in people
    ]


def download(people: QuerySet[Person], fmt: str, name: str) -> HttpResponse:
    """The list as a CSV or an Excel file (at most DOWNLOAD_LIMIT rows)."""
    found = rows(people[:DOWNLOAD_LIMIT])
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel reads a CSV as UTF-8 only after a byte-order mark.
        writer = csv.writer(response)
        writer.writerow(COLUMNS)
        writer.writerows(found)
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Đủ điều kiện")
        sheet.append(COLUMNS)
        for row in found:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


def qualifying_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Who qualifies for a title in a year, in the whole sector or a unit's subtree."""
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = QualifyingForm(data)
    people = page = None
    if form.is_valid():
        award_type, year = form.cleaned_data["award_type"], form.cleaned_data["year"]
        people = (
            qualifying(award_type, year, within=form.cleaned_data["unit"])
            .select_related("rank", "unit")
            .order_by("full_name", "pk")
        )
        fmt = request.GET.get("download")
        if fmt in {"csv", "xlsx"}:
            return download(people, fmt, f"du-dieu-kien-{year}")
        page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    query.pop("download", None)
    return TemplateResponse(
        request,
        "admin/movement/person/eligibility.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": _("Who qualifies"),
            "form": form,
            "page_obj": page,
            "paginator": page.paginator if page else None,
            "query": query.urlencode(),
            "rules": RULES,
        },
    )


def eligibility_panel(person: Person, year: int | None = None) -> str:
    """The verdicts of ``person`` for ``year`` (this year by default) as a short HTML list."""
    year = year or timezone.localdate().year
    found = verdicts(person, year)
    if not found:
        return str(_("No rule is in force for this year."))
    return format_html(
        "<ul class='eligibility'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong> — {}<ul>{}</ul></li>",
            (
                (
                    verdict.award_type,
                    _("qualifies") if verdict.eligible else _("does not qualify"),
                    format_html_join("", "<li>{}</li>", ((str(r),) for r in verdict.reasons)),
                )
                for verdict in found
            ),
        ),
    )
