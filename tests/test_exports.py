"""Exporting spreadsheets: the same cells as the resources write, in constant memory, formulas
neutralised, a workbook staff can read (frozen header, widths, real dates), files of any size from
the admin (streamed, or written in the background), and an export that imports back unchanged."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from movement.models import Award, ExportJob, Person
from movement.spreadsheets.downloads import csv_response
from movement.spreadsheets.exports import (
    export_rows,
    iter_csv,
    write_awards_xlsx,
    write_xlsx,
)
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.resources import AwardResource
from movement.tasks import write_export
from tests.factories import EXPORT_FIELDS
from tests.spreadsheets import APOSTROPHES, FORMULAE, PLAIN, workbook_rows

# The report fixture: one of every record, every field filled.
from tests.test_resources import RESOURCES, report, snapshot  # noqa: F401


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx_of(resource, queryset=None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(
        resource, resource._meta.model.objects.all() if queryset is None else queryset, buffer
    )
    return buffer.getvalue()


@pytest.mark.usefixtures("report")
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.__name__)
@pytest.mark.parametrize("native", [True, False], ids=["xlsx", "csv"])
def test_the_streamed_rows_are_the_resources_own(resource, native):
    model = resource._meta.model
    queryset = model.objects.order_by("pk")
    expected = resource().export(queryset=queryset, force_native_type=native)
    rows = list(export_rows(resource(), queryset, native=native))
    assert rows == [list(row) for row in expected]
    assert rows


def test_formulas_are_neutralised_in_both_files_and_only_they(department, flag_type):
    notes = FORMULAE + APOSTROPHES + PLAIN
    for number, note in enumerate(notes):
        Award.objects.create(
            award_type=flag_type,
            year=2016,
            recipient_unit=department,
            decision_number=f"{number:02}",
            note=note,
        )
    queryset = Award.objects.order_by("decision_number")

    # A workbook shows each text as typed: Excel's quote prefix, no apostrophe, guards formulas.
    data = xlsx_of(AwardResource(), queryset)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Ghi chú")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == FORMULAE + ["'" + note for note in APOSTROPHES] + PLAIN
    assert [cell.quotePrefix for cell in cells] == [note in FORMULAE for note in notes]
    assert {cell.data_type for cell in cells} == {"s"}

    # A CSV file has no such attribute: the apostrophe Excel would add when typing.
    text = "".join(iter_csv(AwardResource(), queryset))
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    expected = ["'" + note for note in FORMULAE + APOSTROPHES] + PLAIN
    assert [row["Ghi chú"] for row in rows] == expected

    # Both read back as they were.
    for file in (data, text.encode()):
        result = import_file(AwardResource(), file, dry_run=False)
        assert (result.problems, result.unchanged) == ([], len(notes))


@pytest.mark.usefixtures("report")
def test_the_workbook_has_a_frozen_header_widths_and_real_dates():
    data = xlsx_of(AwardResource())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == AwardResource().get_export_headers()
    assert all(cell.font.bold for cell in sheet[1])
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert len(widths) == len(header)
    assert all(5 <= width <= 60 for width in widths.values())
    assert widths["A"] == 38  # a key: 36 characters and a margin
    date_column = header.index("Ngày quyết định") + 1
    dates = [
        row[date_column - 1] for row in sheet.iter_rows(min_row=2) if row[date_column - 1].value
    ]
    assert dates
    assert all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in dates)
    assert {cell.value.date() for cell in dates} == {datetime.date(2017, 1, 20)}
    years = [row[header.index("Năm")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert set(years) == {2016}


@pytest.mark.parametrize("character", ["\x07", "\uffff", "\ufffe"])
def test_text_a_workbook_cannot_hold_is_kept_visible(department, flag_type, character):
    Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=department, note=f"bell{character} here"
    )
    header, row = workbook_rows(xlsx_of(AwardResource()))
    assert row[header.index("Ghi chú")] == "bell\ufffd here"


@pytest.mark.usefixtures("report")
def test_an_awards_export_runs_a_fixed_number_of_queries(department, person, order_type):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            write_awards_xlsx(Award.objects.all(), io.BytesIO())
        return len(captured)

    few = queries()
    for year in range(1990, 2010):
        Award.objects.create(award_type=order_type, year=year, recipient_unit=department)
        Award.objects.create(award_type=order_type, year=year, recipient_person=person)
    assert queries() == few


@pytest.mark.usefixtures("report")
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_into_an_empty_table_as_the_same_records(fmt):
    before = snapshot(Award)
    if fmt == "xlsx":
        data = xlsx_of(AwardResource())
    else:
        data = "".join(iter_csv(AwardResource(), Award.objects.all())).encode()
    Award.objects.all().delete()

    result = import_file(AwardResource(), data, dry_run=False)
    assert result.problems == [] and result.errors == []
    after = snapshot(Award)
    # The same records, keys included; only the database ids are new.
    assert [{**row, "id": None} for row in after] == [{**row, "id": None} for row in before]

    again = import_file(AwardResource(), data, dry_run=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(before))


def test_namesakes_are_written_with_their_unit_and_read_back(person, division, order_type):
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=division)
    for recipient in (person, namesake):
        Award.objects.create(award_type=order_type, year=2016, recipient_person=recipient)
    header, *rows = workbook_rows(xlsx_of(AwardResource(), Award.objects.order_by("pk")))
    column = header.index("Cá nhân nhận")
    assert [row[column] for row in rows] == [
        "Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)",
        "Nguyễn Văn Khảo (Phòng Tham mưu)",
    ]
    preview = import_file(AwardResource(), xlsx_of(AwardResource()), dry_run=True)
    assert (preview.problems, preview.unchanged) == ([], 2)


# -- The admin ------------------------------------------------------------------------------


def export(client, query: str = "", fmt: str = "XLSX"):
    formats = ["XLSX", "CSV"]
    return client.post(
        reverse("admin:movement_award_export") + query,
        {"format": str(formats.index(fmt)), "resource": "0", **EXPORT_FIELDS},
    )


@pytest.mark.usefixtures("report")
def test_the_changelist_export_keeps_its_filters_and_search(admin_client):
    Award.objects.filter(recipient_unit__isnull=False).update(year=2015)
    response = export(admin_client, "?year=2015")
    rows = workbook_rows(b"".join(response.streaming_content))
    assert len(rows) - 1 == Award.objects.filter(year=2015).count() == 1

    response = export(admin_client, "?q=khao", fmt="CSV")
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffMã,Năm,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["Cá nhân nhận"] for row in rows] == ["Nguyễn Văn Khảo"]


@pytest.mark.usefixtures("report")
def test_a_big_export_is_written_in_the_background_and_kept_for_its_owner(
    admin_client, admin_user, django_user_model, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    response = export(admin_client)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:movement_award_export_job", args=[job.pk])
    assert (job.status, job.rows_total, job.user) == ("queued", 3, admin_user)

    page = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page

    # Queued in the database for a worker; run here as the worker runs it (tests/test_tasks.py
    # runs the worker itself).
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.args_kwargs["args"]) == (
        "movement.tasks.write_export",
        [job.pk],
    )
    write_export.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 3)
    download_url = reverse("admin:movement_award_export_download", args=[job.pk])
    download = admin_client.get(download_url)
    # Streamed from the storage, never read whole.
    assert isinstance(download, FileResponse)
    rows = workbook_rows(b"".join(download.streaming_content))
    assert rows[0] == AwardResource().get_export_headers()
    assert len(rows) == 4

    # Another administrator sees all the records but not this export: it holds what its owner's
    # filters selected.
    other = django_user_model.objects.create_superuser("other", password="x")
    admin_client.force_login(other)
    assert admin_client.get(response["Location"]).status_code == 404
    assert admin_client.get(download_url).status_code == 404


@pytest.mark.usefixtures("report")
def test_an_export_file_no_longer_kept_is_a_message_not_an_error(admin_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 2
    export(admin_client)
    job = ExportJob.objects.get()
    write_export.call(job.pk)
    job.refresh_from_db()
    job.file.storage.delete(job.file.name)

    response = admin_client.get(
        reverse("admin:movement_award_export_download", args=[job.pk]), follow=True
    )
    assert response.redirect_chain == [(reverse("admin:movement_award_changelist"), 302)]
    assert "Tệp xuất không còn được lưu: hãy xuất lại danh sách." in response.content.decode()


def test_a_vietnamese_file_name_is_given_as_rfc_5987_says(admin_client, admin_user):
    """Browsers read filename*= (UTF-8, percent-encoded); filename= stays plain ASCII."""
    response = csv_response(AwardResource(), Award.objects.none(), name="Khen thưởng 2016.csv")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Khen%20th%C6%B0%E1%BB%9Fng%202016.csv"
    )
    job = ExportJob.objects.create(
        user=admin_user,
        model="movement.award",
        resource="movement.spreadsheets.resources.AwardResource",
        language="vi",
        file_name="Khen thưởng.xlsx",
        status=ExportJob.Status.DONE,
    )
    job.store(io.BytesIO(b"workbook"))
    job.save()
    download = admin_client.get(reverse("admin:movement_award_export_download", args=[job.pk]))
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''Khen%20th%C6%B0%E1%BB%9Fng.xlsx"
    )
    assert b"".join(download.streaming_content) == b"workbook"


@pytest.mark.usefixtures("report")
def test_with_the_immediate_backend_a_big_export_is_ready_at_once(admin_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = export(admin_client)
    job = ExportJob.objects.get()
    assert (job.status, job.rows_done) == ("done", 3)
    page = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("admin:movement_award_export_download", args=[job.pk]) in page
