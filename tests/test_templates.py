"""The empty template an admin page offers: a data sheet with the header only, a guide in
Vietnamese with an example that carries no recorded key, and, filled in as the guide says,
a file that changes no record already there."""

import io
from typing import Any

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from movement.models import Award, Person
from movement.spreadsheets.cells import LineWidget, TextWidget
from movement.spreadsheets.resources import AwardResource
from tests.test_resources import RESOURCES, report, snapshot  # noqa: F401

# The resources an admin page imports with (the others are imported with their parent's page).
ADMIN_RESOURCES = [
    resource for resource in RESOURCES if admin.site.is_registered(resource._meta.model)
]
MODELS = [resource._meta.model for resource in RESOURCES]
EXAMPLE = "Ví dụ"
RECIPIENTS = ["Đơn vị nhận", "Cá nhân nhận", "Số tập thể/cá nhân (chưa nêu tên)"]


def template(client, model) -> openpyxl.Workbook:
    """The template as a user downloads it from the model's import page."""
    response = client.get(reverse(f"admin:movement_{model._meta.model_name}_import_template"))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def example(workbook: openpyxl.Workbook) -> dict[str, Any]:
    """The guide's example, by column (none if the guide has none)."""
    rows = list(workbook.worksheets[-1].iter_rows(values_only=True))
    header = ("Cột", "Bắt buộc", "Nội dung", "Giá trị cho phép", EXAMPLE)
    if header not in [row[:5] for row in rows]:
        return {}
    start = [row[:5] for row in rows].index(header) + 1
    return {row[0]: row[4] for row in rows[start:] if row[0]}


def fill(workbook: openpyxl.Workbook, row: dict[str, Any]) -> bytes:
    """The template with ``row`` written under the header, as the guide says: a user types into
    the cells of the columns they have a value for and leaves the others as they are."""
    data = workbook.worksheets[0]
    header = [cell.value for cell in data[1]]
    for column, value in row.items():
        if value is not None:
            data.cell(row=2, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def admin_import(client, model, data: bytes):
    """Upload through the admin's import page, and confirm it if the preview offers to."""
    name = model._meta.model_name
    response = client.post(
        reverse(f"admin:movement_{name}_import"),
        {"import_file": SimpleUploadedFile("mau.xlsx", data)},
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    if confirm is not None:
        response = client.post(reverse(f"admin:movement_{name}_process_import"), confirm.initial)
        assert response.status_code in (200, 302)
    return response


def stored() -> dict:
    """Every record's values and its number of history rows, by model and id."""
    state = {}
    for model in MODELS:
        for row in snapshot(model):
            if "id" in row:
                versions = model.history.filter(id=row["id"]).count()
                state[model.__name__, row["id"]] = (row, versions)
    return state


def unchanged(before: dict) -> list:
    """The records of ``before`` that changed since (none, we hope)."""
    after = stored()
    return [key for key, value in before.items() if after.get(key) != value]


def text_column(resource) -> str | None:
    """The last column of free text a user may type into, the key columns aside."""
    instance = resource()
    keys = {instance.fields[name].column_name for name in resource._meta.import_id_fields}
    texts = [
        field.column_name
        for field in instance.get_import_fields()
        if isinstance(field.widget, TextWidget | LineWidget)
        and field.attribute != "slug"
        and field.column_name not in keys
    ]
    return texts[-1] if texts else None


@pytest.mark.usefixtures("report")
@pytest.mark.parametrize("resource", ADMIN_RESOURCES, ids=lambda resource: resource.__name__)
def test_the_template_holds_the_header_and_a_guide_never_a_recorded_key(admin_client, resource):
    workbook = template(admin_client, resource._meta.model)
    data, guide = workbook.worksheets
    assert (data.title, guide.title) == ("Dữ liệu", "Hướng dẫn")
    assert [cell.value for cell in data[1]] == resource().get_export_headers()
    assert data.max_row == 1

    guide_text = [row[0] for row in guide.iter_rows(values_only=True) if row[0]]
    assert guide_text[0] == "Cách điền mẫu này"
    assert guide_text[1].startswith(
        "1. Trang “Dữ liệu” chỉ có dòng tiêu đề. Ghi mỗi bản ghi mới trên một dòng riêng, "
        "từ dòng 2 trở xuống"
    )
    assert guide_text[4].startswith("4. Cột “Ví dụ” của bảng cho thấy cách ghi từng ô")

    # The example goes down a column: no row of the guide could be taken for a header row.
    headers = set(resource().get_export_headers())
    assert all(len(headers & set(row)) <= 1 for row in guide.iter_rows(values_only=True))

    # The example leaves empty the columns that would find a recorded row.
    row = example(workbook)
    instance = resource()
    for name in resource._meta.import_id_fields:
        assert row[instance.fields[name].column_name] is None
    if resource is AwardResource:
        # An award's recipient, with its type, year and decision, tells it apart too.
        assert [row[column] for column in RECIPIENTS] == [None] * len(RECIPIENTS)
    # No cell of the workbook holds a code or key of the table.
    codes = [name for name in ("key", "slug") if name in instance.fields]
    if codes:
        keys = {str(key) for key in resource._meta.model.objects.values_list(*codes, flat=True)}
        cells = {str(cell) for sheet in workbook for line in sheet.values for cell in line}
        assert keys and not keys & cells


@pytest.mark.usefixtures("report")
@pytest.mark.parametrize("resource", ADMIN_RESOURCES, ids=lambda resource: resource.__name__)
def test_the_template_filled_in_as_its_guide_says_changes_no_recorded_row(admin_client, resource):
    model = resource._meta.model
    workbook = template(admin_client, model)
    # A user starts from the example and types their own text into one of the columns.
    row = example(workbook)
    column = text_column(resource)
    if column is not None:
        row[column] = "Nội dung mới do người dùng gõ"
    before = stored()

    admin_import(admin_client, model, fill(workbook, row))
    assert unchanged(before) == []


@pytest.mark.usefixtures("report")
def test_a_new_award_written_under_the_header_is_added_and_nothing_else(admin_client, department):
    workbook = template(admin_client, Award)
    row = example(workbook)
    row.update({"Đơn vị nhận": department.name, "Ghi chú": "Khen thưởng mới"})
    before, count = stored(), Award.objects.count()

    response = admin_import(admin_client, Award, fill(workbook, row))
    assert response.status_code == 302
    assert Award.objects.count() == count + 1
    assert Award.objects.get(note="Khen thưởng mới").recipient_unit == department
    assert unchanged(before) == []


@pytest.mark.usefixtures("report")
def test_a_new_person_written_under_the_header_is_added_and_nothing_else(admin_client):
    workbook = template(admin_client, Person)
    row = example(workbook)
    row.update({"Mã": "le-thi-moi", "Họ và tên": "Lê Thị Mới"})
    before, count = stored(), Person.objects.count()

    response = admin_import(admin_client, Person, fill(workbook, row))
    assert response.status_code == 302
    assert Person.objects.count() == count + 1
    assert Person.objects.get(slug="le-thi-moi").full_name == "Lê Thị Mới"
    assert unchanged(before) == []
