"""Importing spreadsheets: every format Excel writes is read, every refusal says where and why,
and nothing is written unless every row is good; hostile files are refused before they cost
anything. The files are built by the tests themselves (tests/spreadsheets.py)."""

import datetime
import gc
import html
import io
import math
import unicodedata
import weakref
import zipfile
from collections import Counter

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from movement.models import Award, PendingImport, Person, Unit
from movement.spreadsheets.files import Limits, SpreadsheetError, read_spreadsheet
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.previews import confirm_upload, preview_upload
from movement.spreadsheets.reports import ImportReport
from movement.spreadsheets.resources import AwardResource, TaskResource, UnitResource
from movement.spreadsheets.tables import SheetPart
from tests.spreadsheets import (
    PDF,
    cp1258,
    csv_text,
    officer_list,
    rezip,
    tcvn3,
    two_row_header,
    vni,
    with_dimension,
    workbook,
    xlsx,
    zip_bomb,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the language of their msgids; headers stay Vietnamese.
    (Pages requested through the test client are in Vietnamese, the site's language.)"""
    with translation.override("en"):
        yield


HEADERS = ["Năm", "Hình thức khen thưởng", "Hạng", "Đơn vị nhận", "Cá nhân nhận", "Số quyết định"]


@pytest.fixture
def awards_file(division, person, flag_type, order_type):
    """Three new awards as a unit would send them."""
    return [
        HEADERS,
        [2016, flag_type.name, "", division.name, "", "1/QĐ"],
        [2016, order_type.name, "hạng Ba", "", person.full_name, "2/QĐ"],
        [2017, order_type.name, "Ba", division.short_name or division.name, "", "3/QĐ"],
    ]


# The awards of ``awards_file``, as awards() lists them.
AWARDS = [
    (2016, "Cờ thi đua xuất sắc của Bộ Công an", "phong-tham-muu", None, "1/QĐ"),
    (2016, "Huân chương Bảo vệ Tổ quốc", None, "nguyen-van-khao", "2/QĐ"),
    (2017, "Huân chương Bảo vệ Tổ quốc", "phong-tham-muu", None, "3/QĐ"),
]


def preview(data: bytes, resource=None) -> ImportReport:
    return import_file(resource or AwardResource(), data, dry_run=True)


def confirm(data: bytes, resource=None) -> ImportReport:
    return import_file(resource or AwardResource(), data, dry_run=False)


def awards() -> list[tuple]:
    return list(
        Award.objects.order_by("decision_number").values_list(
            "year",
            "award_type__name",
            "recipient_unit__slug",
            "recipient_person__slug",
            "decision_number",
        )
    )


def problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.column, problem.message) for problem in report.problems]


# -- Formats and encodings ------------------------------------------------------------------


ENCODINGS = {
    "xlsx": xlsx,
    "csv-utf8-bom": lambda rows: b"\xef\xbb\xbf" + csv_text(rows).encode(),
    "csv-utf8": lambda rows: csv_text(rows).encode(),
    "csv-windows-1258": lambda rows: cp1258(csv_text(rows)),
    "csv-semicolons": lambda rows: csv_text(rows, delimiter=";").encode(),
    "unicode-text-tabs": lambda rows: csv_text(rows, delimiter="\t").encode("utf-16"),
}


@pytest.mark.parametrize("encode", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_every_format_excel_writes_previews_then_imports_the_same_awards(awards_file, encode):
    data = encode(awards_file)

    report = preview(data)
    assert report.errors == [] and report.problems == []
    assert (report.new, report.updated, report.unchanged, report.invalid) == (3, 0, 0, 0)
    assert [row.row for row in report.rows] == [2, 3, 4]
    assert not Award.objects.exists()

    report = confirm(data)
    assert report.written
    assert awards() == AWARDS


def test_a_workbook_reads_as_openpyxl_reads_it():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Chữ", "Số", "Ngày", "Có/không"])
    sheet.append(["  Phòng  Tham mưu ", 12, datetime.date(2017, 3, 4), True])
    sheet.append([None, 1.5, datetime.datetime(2017, 3, 4, 8, 30), False])
    sheet["A5"] = CellRichText(["Nguyễn ", TextBlock(InlineFont(b=True), "Văn"), " Khảo"])
    sheet["D5"] = "1/QĐ"
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    stock = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    expected = [list(row) for row in stock.iter_rows(min_row=2, values_only=True) if any(row)]
    sheet = read_spreadsheet(data)
    assert sheet.dataset.headers == ["Chữ", "Số", "Ngày", "Có/không"]
    assert [list(row) for row in sheet.dataset] == expected
    assert expected[2][0] == "Nguyễn Văn Khảo"
    assert sheet.dataset.row_numbers == [2, 3, 5]


def test_windows_1258_tone_marks_are_stored_composed(ministry, flag_type):
    # Windows-1258 writes "ự" as "ư" and a combining dot below.
    data = cp1258(
        csv_text([["Mã", "Tên đầy đủ", "Loại đơn vị"], ["doi-1", "Đội Tự vệ", "division"]])
    )
    assert b"\xf2" in data
    assert confirm(data, UnitResource()).written
    assert Unit.objects.get(slug="doi-1").name == unicodedata.normalize("NFC", "Đội Tự vệ")


def test_a_file_that_is_utf8_is_never_read_as_windows_1258(division, flag_type):
    rows = [HEADERS, [2016, flag_type.name, "", "Phòng Tham mưu", "", ""]]
    sheet = read_spreadsheet(csv_text(rows).encode())
    assert sheet.kind == "CSV (UTF-8)"
    assert sheet.dataset.dict[0]["Đơn vị nhận"] == "Phòng Tham mưu"


@pytest.mark.parametrize(("encode", "kind"), [(tcvn3, "CSV (TCVN3)"), (vni, "CSV (VNI)")])
def test_a_csv_in_an_old_font_encoding_is_read_as_unicode_and_says_so(
    admin_client, ministry, encode, kind
):
    rows = [
        ["Mã", "Tên đầy đủ", "Đơn vị cấp trên", "Loại đơn vị"],
        ["doi-1", "Đội Cảnh sát giao thông", "Bộ Công an", "division"],
        ["doi-2", "Phòng Tham mưu", "Bộ Công an", "division"],
        ["doi-3", "Công an huyện Sóc Sơn", "Bộ Công an", "district_police"],
    ]
    data = encode(csv_text(rows))
    # What the old code page made of it: neither UTF-8 nor Windows-1258's reading.
    assert data.decode("cp1258", errors="replace") != csv_text(rows)
    sheet = read_spreadsheet(data)
    assert sheet.kind == kind
    assert [row[1] for row in sheet.dataset] == [row[1] for row in rows[1:]]

    # The preview names the encoding, for the user to confirm.
    response = upload(admin_client, "unit", data, name="don-vi.csv")
    assert f"({kind})" in response.content.decode()
    assert confirm(data, UnitResource()).written
    assert Unit.objects.get(slug="doi-3").name == "Công an huyện Sóc Sơn"


def test_a_csv_mixing_utf8_and_windows_1258_is_refused_naming_the_lines(division, flag_type):
    utf8_rows = csv_text([HEADERS, [2016, flag_type.name, "", division.name, "", "1/QĐ"]])
    pasted = csv_text([[2017, flag_type.name, "", "Phòng Tham mưu", "", "2/QĐ"]])
    data = utf8_rows.encode() + cp1258(pasted)
    with translation.override("vi"):
        message = refusal(data)
    assert message.startswith("Dòng 1 của tệp được lưu bằng UTF-8 nhưng dòng 3 lại bằng")
    assert not Award.objects.exists()


def test_columns_come_in_any_order_under_english_or_unaccented_headers(awards_file):
    english = ["year", "Award type", "class", "RECIPIENT UNIT", "recipient_person", "decision no"]
    unaccented = ["nam", "hinh thuc khen thuong", "HANG", "don vi nhan", "ca nhan nhan", "so QD"]
    for headers in (english, unaccented):
        rows = [list(reversed(headers))] + [list(reversed(row)) for row in awards_file[1:]]
        report = preview(xlsx(rows))
        assert report.errors == [] and report.problems == []
        assert report.new == 3
    # "decision no" and "so QD" are no column of ours: said, and left out.
    assert report.warnings == ["These columns are not ours and were left out: “so QD”."]


def test_english_headers_are_read_whatever_the_language_of_the_page(awards_file):
    rows = [["Emulation year", "award type", "Class", "recipient unit", "Recipient person"]]
    rows += [row[:5] for row in awards_file[1:]]
    with translation.override("vi"):
        report = preview(xlsx(rows))
    assert (report.errors, report.problems, report.new) == ([], [], 3)


def test_an_unknown_column_is_named_in_a_warning_and_imports_nothing(awards_file):
    rows = [[*awards_file[0], "Ghi chú riêng"]] + [[*row, "x"] for row in awards_file[1:]]
    report = confirm(xlsx(rows))
    assert report.warnings == ["These columns are not ours and were left out: “Ghi chú riêng”."]
    assert report.written
    assert set(Award.objects.values_list("note", flat=True)) == {""}


def test_a_missing_required_column_refuses_the_file_before_any_row(awards_file):
    rows = [[cell for position, cell in enumerate(row) if position != 1] for row in awards_file]
    report = confirm(xlsx(rows))
    assert report.errors == [
        "The file lacks these columns, which every row needs: “Hình thức khen thưởng”. Its "
        "columns are: “Năm”, “Hạng”, “Đơn vị nhận”, “Cá nhân nhận”, “Số quyết định”."
    ]
    assert report.problems == [] and report.total == 0
    assert not Award.objects.exists()


def test_one_column_given_twice_is_refused(awards_file):
    rows = [["Năm", "year", *awards_file[0][1:]]] + [[row[0], *row] for row in awards_file[1:]]
    report = preview(xlsx(rows))
    assert report.errors == ["The columns “Năm” and “year” are the same column, “Năm”."]


# -- Names ----------------------------------------------------------------------------------


def test_names_match_in_nfd_and_any_case_and_spacing(awards_file, person, division):
    rows = [
        [unicodedata.normalize("NFD", str(cell)).upper().replace(" ", "  ") for cell in row]
        for row in awards_file[1:]
    ]
    report = confirm(xlsx([awards_file[0], *rows]))
    assert report.problems == []
    assert {award.recipient_person for award in Award.objects.all()} == {person, None}
    assert {award.recipient_unit for award in Award.objects.all()} == {division, None}


def test_an_unknown_name_is_refused_with_its_row_column_and_the_names_close_to_it(awards_file):
    awards_file[2][4] = "Nguyễn Văn Khả"
    report = preview(xlsx(awards_file))
    assert problems(report) == [
        (
            3,
            "Cá nhân nhận",
            "No person is named “Nguyễn Văn Khả”. "
            "Close names: “Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)”.",
        )
    ]
    assert (report.new, report.invalid) == (2, 1)


def test_namesakes_are_told_apart_by_their_unit(awards_file, person, division, order_type):
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=division)
    awards_file[2][4] = person.full_name
    report = preview(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (3, "Cá nhân nhận")
    assert "nguyen-van-khao" in message and "khao-2" in message
    assert "Nguyễn Văn Khảo (Phòng Tham mưu, khao-2)" in message

    awards_file[2][4] = "Nguyễn Văn Khảo (phong tham muu)"
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == namesake


def test_a_unit_name_every_province_has_picks_the_namesake_only_when_one_matches(
    awards_file, person, division, ministry
):
    # Two provinces, each with its own "Phòng Tham mưu"; the name is written with that unit.
    province = Unit.objects.create(
        name="Công an tỉnh Hà Giang", slug="ca-ha-giang", parent=ministry
    )
    other = Unit.objects.create(name="Phòng Tham mưu", slug="pv01-ha-giang", parent=province)
    here = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=division)
    awards_file[2][4] = "Nguyễn Văn Khảo (Phòng Tham mưu)"
    # A recipient unit written by a name two units share is refused; by its code it is not.
    awards_file[1][3] = awards_file[3][3] = division.slug
    assert problems(preview(xlsx(awards_file))) == []
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == here

    Award.objects.all().delete()
    there = Person.objects.create(full_name=person.full_name, slug="khao-3", unit=other)
    [(row, column, message)] = problems(preview(xlsx(awards_file)))
    assert (row, column) == (3, "Cá nhân nhận")
    assert "khao-2" in message and "khao-3" in message
    awards_file[2][4] = there.slug
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == there


@pytest.fixture
def soc_son(ministry, flag_type, order_type):
    """A district, and two officers of it whose names others misspell by a mark."""
    hanoi = Unit.objects.create(
        name="Công an thành phố Hà Nội", slug="ca-ha-noi", kind="provincial_police", parent=ministry
    )
    district = Unit.objects.create(
        name="Công an huyện Sóc Sơn", slug="ca-soc-son", kind="district_police", parent=hanoi
    )
    Person.objects.create(full_name="Đặng Quang Hùng", slug="dang-quang-hung", unit=district)
    Person.objects.create(full_name="Lê Thu Hà", slug="le-thu-ha", unit=district)
    return district


def recipients(order_type, *cells: tuple[str, str]) -> list[list]:
    """A file of awards of ``order_type``, one a row, to the (unit, person) of each of ``cells``."""
    return [
        HEADERS,
        *(
            [2016, order_type.name, "hạng Ba", unit, person, f"{number}/QĐ"]
            for number, (unit, person) in enumerate(cells, start=1)
        ),
    ]


@pytest.mark.parametrize(
    ("unit", "person", "column", "close"),
    [
        ("", "Đặng Quang Hưng", "Cá nhân nhận", "Đặng Quang Hùng (Công an huyện Sóc Sơn)"),
        ("", "Lê Thu Hạ", "Cá nhân nhận", "Lê Thu Hà (Công an huyện Sóc Sơn)"),
        ("", "Lê Thư Hà", "Cá nhân nhận", "Lê Thu Hà (Công an huyện Sóc Sơn)"),
        (
            "Công an huyện Sọc Sơn",
            "",
            "Đơn vị nhận",
            "Công an huyện Sóc Sơn (Công an thành phố Hà Nội)",
        ),
    ],
)
def test_a_name_with_other_tone_marks_is_refused_naming_the_record_it_was_taken_for(
    soc_son, order_type, unit, person, column, close
):
    # Each of these was imported onto the record named with other marks, and previewed as new.
    report = preview(xlsx(recipients(order_type, (unit, person))))
    [(row, where, message)] = problems(report)
    assert (row, where, report.new, report.invalid) == (2, column, 0, 1)
    assert message.endswith(f"Close names: “{close}”.")
    assert not confirm(xlsx(recipients(order_type, (unit, person)))).written
    assert not Award.objects.exists()


def test_a_name_typed_without_marks_matches_the_one_person_and_the_preview_marks_it(
    soc_son, order_type
):
    hung = Person.objects.get(slug="dang-quang-hung")
    file = xlsx(recipients(order_type, ("", "dang quang hung"), ("", "Đặng Quang Hùng")))
    report = preview(file)
    assert report.problems == [] and report.new == 2
    bare, exact = (row.matches[HEADERS.index("Cá nhân nhận")] for row in report.rows)
    assert [(match.name, match.unit, match.code) for match in bare + exact] == 2 * [
        ("Đặng Quang Hùng", "Công an huyện Sóc Sơn", "dang-quang-hung")
    ]
    assert [match.without_marks for match in bare + exact] == [True, False]
    assert [row.without_marks for row in report.rows] == [1, 0]
    assert any("1 cell names a record without the marks" in warning for warning in report.warnings)
    assert confirm(file).written
    assert {award.recipient_person for award in Award.objects.all()} == {hung}


def test_a_name_typed_without_marks_that_fits_two_people_is_refused(soc_son, order_type):
    Person.objects.create(full_name="Đặng Quang Hưng", slug="dang-quang-hung-2", unit=soc_son)
    report = preview(xlsx(recipients(order_type, ("", "dang quang hung"))))
    [(row, column, message)] = problems(report)
    assert (row, column) == (2, "Cá nhân nhận")
    assert "could be any of these people" in message
    assert "dang-quang-hung," not in message  # each is named with their unit and code
    assert "Đặng Quang Hùng (Công an huyện Sóc Sơn, dang-quang-hung)" in message
    assert "Đặng Quang Hưng (Công an huyện Sóc Sơn, dang-quang-hung-2)" in message


def test_spellings_of_the_same_name_match_it(soc_son, order_type):
    Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy", unit=soc_son)
    cells = [
        ("", "\u00d0ặng Quang Hùng"),  # Ð, an eth, for Đ
        ("", unicodedata.normalize("NFD", "LÊ THU HÀ")),
        ("", "Nguyễn Thị Thuỷ"),  # the old tone placement
        ("công an huyện sóc sơn", ""),
    ]
    report = confirm(xlsx(recipients(order_type, *cells)))
    assert report.problems == [] and report.written
    assert [award[2:4] for award in awards()] == [
        (None, "dang-quang-hung"),
        (None, "le-thu-ha"),
        (None, "thuy"),
        ("ca-soc-son", None),
    ]
    assert not any(row.without_marks for row in report.rows)


def test_the_preview_page_shows_what_each_name_was_read_as(admin_client, soc_son, order_type):
    file = xlsx(recipients(order_type, ("", "dang quang hung"), ("Công an huyện Sóc Sơn", "")))
    response = upload(admin_client, "award", file)
    page = response.content.decode()
    assert response.context["confirm_form"] is not None
    assert "→ Đặng Quang Hùng · Công an huyện Sóc Sơn · <code>dang-quang-hung</code>" in page
    assert "→ Công an huyện Sóc Sơn · Công an thành phố Hà Nội · <code>ca-soc-son</code>" in page
    assert page.count("khớp không dấu — kiểm tra lại") == 2  # the cell, and the warning
    assert "Có 1 ô ghi tên không dấu" in page
    assert "→ Huân chương Bảo vệ Tổ quốc hạng Ba" in page


def test_the_preview_page_refuses_a_name_with_other_marks_in_vietnamese(
    admin_client, soc_son, order_type
):
    response = upload(admin_client, "award", xlsx(recipients(order_type, ("", "Đặng Quang Hưng"))))
    page = response.content.decode()
    assert response.context["confirm_form"] is None
    assert (
        "Không có cán bộ nào tên “Đặng Quang Hưng”. "
        "Tên gần giống: “Đặng Quang Hùng (Công an huyện Sóc Sơn)”."
    ) in html.unescape(page)


# -- Values ---------------------------------------------------------------------------------


def test_dates_are_read_as_typed_day_first_or_as_real_excel_dates(awards_file):
    rows = [[*awards_file[0], "Ngày quyết định"]]
    rows.append([*awards_file[1], "03/04/2017"])
    rows.append([*awards_file[2], datetime.datetime(2017, 4, 3)])
    rows.append([*awards_file[3], "2017-04-03"])
    assert confirm(xlsx(rows)).written
    assert set(Award.objects.values_list("decision_date", flat=True)) == {datetime.date(2017, 4, 3)}


def test_a_bad_date_and_a_date_in_a_year_column_are_refused_with_their_cells(awards_file):
    rows = [[*awards_file[0], "Ngày quyết định"]]
    rows.append([*awards_file[1], "31/02/2017"])
    rows.append([datetime.datetime(2016, 5, 1), *awards_file[2][1:], ""])
    report = preview(xlsx(rows))
    assert problems(report) == [
        (2, "Ngày quyết định", "“31/02/2017” is not a date: write it day first, e.g. 31/12/2017."),
        (3, "Năm", "“01/05/2016” is not a year: write the year alone, e.g. 2017."),
    ]


def test_a_year_reads_from_text_or_a_number_cell(awards_file):
    awards_file[1][0] = " 2016 "
    awards_file[2][0] = 2016.0
    assert confirm(xlsx(awards_file)).written
    assert set(Award.objects.values_list("year", flat=True)) == {2016, 2017}


# -- All or nothing -------------------------------------------------------------------------


def test_a_refused_row_means_nothing_is_written_and_the_preview_says_so(awards_file):
    awards_file[3][3] = "Phòng Không Có"
    report = confirm(xlsx(awards_file))
    assert not report.written
    assert (report.new, report.invalid) == (2, 1)
    assert [(row, column) for row, column, _message in problems(report)] == [(4, "Đơn vị nhận")]
    assert not Award.objects.exists()


def test_a_row_the_model_refuses_is_a_problem_of_the_whole_row(awards_file, person):
    awards_file[1][4] = person.full_name  # a unit and a person: two recipients
    report = preview(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (2, "")
    assert message.startswith("An award has exactly one recipient: a unit, a person, or")


def test_two_rows_of_one_file_for_the_same_award_are_refused(awards_file):
    awards_file.append(list(awards_file[1]))
    report = confirm(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (5, "")
    assert message.startswith("Row 2 of this file has the same")
    assert not Award.objects.exists()


def test_a_row_for_an_award_already_recorded_finds_it_and_changes_nothing(awards_file):
    # The rows have no key: each is found by its type, year, recipient and decision number.
    assert confirm(xlsx(awards_file)).written
    before = awards()
    report = confirm(xlsx(awards_file))
    assert problems(report) == []
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert awards() == before


def test_two_rows_changing_one_record_are_refused_naming_the_first(awards_file):
    assert confirm(xlsx(awards_file)).written
    exported = AwardResource().export(force_native_type=True)
    rows = [exported.headers, *[list(row) for row in exported]]
    note = exported.headers.index("Ghi chú")
    rows[1][note] = "Sửa lần một"
    rows.append([*rows[1][:note], "Sửa lần hai", *rows[1][note + 1 :]])
    before = awards()

    report = confirm(xlsx(rows))
    assert problems(report) == [(5, "", "Row 2 of this file has the same key.")]
    assert not report.written and awards() == before
    assert not Award.objects.filter(note__startswith="Sửa").exists()


def test_rows_already_recorded_are_found_however_many_queries_it_takes(awards_file, monkeypatch):
    assert confirm(xlsx(awards_file)).written
    monkeypatch.setattr("movement.spreadsheets.uniqueness.KEYS_PER_QUERY", 1)
    monkeypatch.setattr("movement.spreadsheets.rows.KEYS_PER_QUERY", 1)
    report = confirm(xlsx(awards_file))
    assert problems(report) == []
    assert report.unchanged == 3 and Award.objects.count() == 3


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(awards_file):
    rows = [awards_file[0], [], awards_file[1], [None, "", " "], awards_file[2]]
    rows[4] = [*awards_file[2][:3], "Không có", *awards_file[2][4:]]
    report = preview(xlsx(rows))
    assert [row for row, _column, _message in problems(report)] == [5]


def test_importing_an_export_again_changes_nothing_and_an_edit_is_an_update(awards_file):
    assert confirm(xlsx(awards_file)).written
    exported = AwardResource().export(force_native_type=True)
    exported_rows = [exported.headers, *[list(row) for row in exported]]
    report = confirm(xlsx(exported_rows))
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)

    note = exported.headers.index("Ghi chú")
    exported_rows[1][note] = "Đã sửa"
    report = confirm(xlsx(exported_rows))
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    assert [row.changed for row in report.rows if row.action == "update"] == [["Ghi chú"]]
    assert Award.objects.filter(note="Đã sửa").count() == 1


# -- Cost -----------------------------------------------------------------------------------


def many_awards(count: int, order_type, division, person, year: int = 2016) -> bytes:
    """``count`` new awards, to a unit, to a person written with their unit, to a group."""
    recipients = [
        (division.name, "", ""),
        ("", f"{person.full_name} ({person.unit.name})", ""),
        ("", "", "3 tập thể"),
    ]
    rows = [[*HEADERS, "Số tập thể/cá nhân (chưa nêu tên)", "Ngày quyết định"]]
    for number in range(count):
        unit, recipient, group = recipients[number % len(recipients)]
        rows.append(
            [year, order_type.name, "hạng Ba", unit, recipient, f"{number}/QĐ", group, "15/01/2017"]
        )
    return xlsx(rows)


def statements(data: bytes, *, dry_run: bool) -> Counter[str]:
    """The statements an import of ``data`` runs, by kind (SELECT, INSERT, SAVEPOINT…)."""
    with CaptureQueriesContext(connection) as captured:
        report = import_file(AwardResource(), data, dry_run=dry_run)
    assert report.ok and report.written is not dry_run
    return Counter(query["sql"].split(None, 1)[0].upper() for query in captured)


def test_a_preview_runs_as_many_queries_for_60_rows_as_for_20(order_type, division, person):
    few = statements(many_awards(20, order_type, division, person), dry_run=True)
    many = statements(many_awards(60, order_type, division, person), dry_run=True)
    assert many == few


def test_an_import_runs_as_many_queries_for_60_rows_as_for_20(order_type, division, person):
    few = statements(many_awards(20, order_type, division, person), dry_run=False)
    many = statements(many_awards(60, order_type, division, person, year=2017), dry_run=False)
    assert Award.objects.count() == Award.history.count() == 80
    # SQLite takes at most 999 values a statement: it inserts the awards, and their history, a
    # few dozen rows at a time. Every other statement is the same for 60 rows as for 20.
    inserts = many.pop("INSERT") - few.pop("INSERT")
    assert many == few
    limit = connection.features.max_query_params
    assert inserts == 0 if limit is None else inserts <= 2 * math.ceil(60 * 30 / limit)


# -- Officer-style workbooks ----------------------------------------------------------------


def test_a_list_under_a_title_and_above_a_signature_block_is_read(awards_file):
    rows = officer_list(awards_file)
    assert rows[3] == HEADERS and rows[0][0].startswith("DANH SÁCH")
    data = workbook({"Danh sách": rows}, merged=["A1:F1"])

    report = confirm(data)
    assert (report.errors, report.problems) == ([], [])
    assert report.written and report.new == 3
    assert [row.row for row in report.rows] == [5, 6, 7]
    assert report.parts == [SheetPart("Danh sách", 4, 4, 3)]
    assert report.warnings == ["Rows 9–14, the signature block below the list, were not imported."]
    assert len(awards()) == 3


def test_the_header_is_looked_for_in_the_first_20_rows_only(awards_file):
    report = preview(workbook({"Danh sách": officer_list(awards_file, title_rows=20)}))
    assert report.errors == [
        "No row among the first 20 of the file names a column of this list. Write the header "
        "(the name of a column in each cell, as listed on this page) in the row above the data."
    ]
    report = preview(workbook({"Danh sách": officer_list(awards_file, title_rows=19)}))
    assert (report.errors, report.new) == ([], 3)


def test_a_csv_list_with_a_title_and_a_signature_block_is_read(awards_file):
    report = preview(csv_text(officer_list(awards_file)).encode())
    assert (report.errors, report.problems, report.new) == ([], [], 3)
    assert report.parts == [SheetPart("", 4, 4, 3)]


@pytest.mark.parametrize(
    "signers",
    [
        ["NGƯỜI LẬP BIỂU", "KT. THỦ TRƯỞNG ĐƠN VỊ"],
        ["Người lập", "TM. THỦ TRƯỞNG"],
        ["(Ký tên)", "Xác nhận của thủ trưởng đơn vị"],
        ["ngày … tháng … năm 2016", None],
    ],
)
def test_signature_blocks_as_officers_write_them_end_the_list(awards_file, signers):
    signature = [signers, [], ["Nguyễn Văn Khảo", "Thượng tá Nguyễn Văn Khảo"]]
    rows = officer_list(awards_file, signature=signature)
    report = preview(workbook({"Danh sách": rows}))
    assert (report.errors, report.problems, report.new) == ([], [], 3)
    assert report.warnings == ["Rows 9–11, the signature block below the list, were not imported."]


def test_a_row_below_the_signature_block_refuses_the_file_rather_than_being_lost(awards_file):
    rows = officer_list(awards_file)
    rows.append(awards_file[1])
    assert refusal(workbook({"Danh sách": rows}), known=AwardResource().column_aliases()) == (
        "Row 15, below the signature block that starts at row 9, holds values. The list is read "
        "down to its signature block: move the row into the list above it, or delete it."
    )


@pytest.mark.parametrize("counter", ["=ROW()-{header}", "{index}", "", "=A{index}+1"])
def test_the_row_counter_stt_is_ignored_whatever_it_holds(awards_file, counter):
    report = confirm(workbook({"Danh sách": officer_list(awards_file, counter=counter)}))
    assert (report.errors, report.problems, report.new) == ([], [], 3)
    assert "STT" not in report.headers
    assert not any("STT" in warning for warning in report.warnings)


@pytest.mark.parametrize("header", ["TT", "Số TT", "Số thứ tự", "stt"])
def test_the_row_counter_is_known_under_its_other_headers(awards_file, header):
    rows = officer_list(awards_file, counter="=ROW()-4", counter_header=header)
    report = preview(workbook({"Danh sách": rows}))
    assert (report.errors, report.problems, report.new) == ([], [], 3)
    assert header not in report.headers


def test_a_column_of_the_resource_named_like_a_row_counter_is_read():
    # A task's "Số thứ tự" is its number in the plan, not a counter to leave out.
    rows = [["Đơn vị", "Năm", "Số thứ tự", "Nhiệm vụ"], ["Phòng Tham mưu", 2017, 3, "Tập huấn"]]
    sheet = read_spreadsheet(xlsx(rows), known=TaskResource().column_aliases())
    assert sheet.dataset.headers == rows[0]
    assert sheet.dataset[0][2] == 3
    award_sheet = read_spreadsheet(xlsx(rows), known=AwardResource().column_aliases())
    assert "Số thứ tự" not in award_sheet.dataset.headers


def test_a_formula_is_refused_only_where_its_value_would_be_imported(awards_file):
    table = [[*awards_file[0], "Ghi chú riêng"], *[[*row, "=LEN(A1)"] for row in awards_file[1:]]]
    report = preview(workbook({"Danh sách": officer_list(table, counter="=ROW()-4")}))
    assert (report.errors, report.new) == ([], 3)
    assert "“Ghi chú riêng”" in report.warnings[-1]

    table[2][0] = "=2015+1"
    report = preview(workbook({"Danh sách": officer_list(table, counter="=ROW()-4")}))
    assert report.errors == [
        "Cell B6 holds a formula (=2015+1). An import takes values only: copy the sheet and "
        "paste it as values (Paste Special › Values), then import again."
    ]


def test_an_error_cell_in_the_row_counter_is_ignored_and_in_a_column_refused(awards_file):
    report = preview(workbook({"Danh sách": officer_list(awards_file, counter="#REF!")}))
    assert (report.errors, report.new) == ([], 3)
    awards_file[2][0] = "#N/A"
    report = preview(workbook({"Danh sách": officer_list(awards_file, counter="=ROW()")}))
    assert report.errors == ["Cell B6 shows the error #N/A: correct it and import again."]


def test_a_two_row_merged_header_is_read_when_each_lower_cell_names_a_column(awards_file):
    rows, merged = two_row_header(awards_file, "Hình thức khen thưởng", ["Tên", "Hạng"], at=1)
    assert rows[0][1:3] == ["Hình thức khen thưởng", None]
    report = confirm(workbook({"Danh sách": rows}, merged=merged))
    assert (report.errors, report.problems) == ([], [])
    assert report.written and report.new == 3
    assert report.parts == [SheetPart("Danh sách", 1, 2, 3)]
    assert [row.row for row in report.rows] == [3, 4, 5]
    assert awards() == AWARDS


def test_a_two_row_header_naming_no_column_says_what_to_change(awards_file):
    rows, merged = two_row_header(awards_file, "Người nhận", ["Đơn vị", "Cá nhân"], at=3)
    report = preview(workbook({"Danh sách": rows}, merged=merged))
    assert report.errors == [
        "Rows 1 and 2 make a two-row header, and “Đơn vị” (cell D2) under “Người nhận” names "
        "no column of this list. Write the header on one row: unmerge the cells of row 1, give "
        "each column its own header there (the columns are listed on this page), and delete "
        "row 2."
    ]


def test_a_data_row_under_a_header_with_a_blank_cell_is_no_second_header_row(awards_file):
    # In a CSV file every cell is text, as in a second header row.
    header = [*awards_file[0][:2], "", *awards_file[0][3:]]
    report = preview(csv_text([header, awards_file[2], awards_file[1]]).encode())
    assert report.errors == [
        "Cell C2 has a value but its column has no header. Give the column a header or empty the "
        "cell."
    ]


def two_lists(division, person, flag_type, order_type) -> dict[str, list[list]]:
    """A unit's year-end proposal: collectives on one sheet, persons on another."""
    units = [
        ["Năm", "Hình thức khen thưởng", "Hạng", "Đơn vị nhận", "Số quyết định"],
        [2016, flag_type.name, "", division.name, "1/QĐ"],
        [2017, order_type.name, "Ba", division.name, "3/QĐ"],
    ]
    persons = [
        ["Năm", "Hình thức khen thưởng", "Hạng", "Cá nhân nhận", "Số quyết định"],
        [2016, order_type.name, "hạng Ba", person.full_name, "2/QĐ"],
    ]
    return {
        "Tập thể": officer_list(units, counter="{index}"),
        "Cá nhân": officer_list(persons, title_rows=5, counter="=ROW()-6"),
        "Hướng dẫn": [["Điền mỗi khen thưởng một dòng."]],
        "Sheet3": [],
    }


def test_every_sheet_whose_header_matches_is_read_and_a_sheet_skipped_is_named(
    division, person, flag_type, order_type
):
    report = confirm(workbook(two_lists(division, person, flag_type, order_type)))
    assert (report.errors, report.problems) == ([], [])
    assert report.written and report.new == 3
    assert report.parts == [SheetPart("Tập thể", 4, 4, 2), SheetPart("Cá nhân", 6, 6, 1)]
    assert report.warnings[:2] == [
        "These sheets were not read, as none of their first 20 rows names the columns of this "
        "list: “Hướng dẫn”.",
        "These sheets are empty: “Sheet3”.",
    ]
    assert awards() == AWARDS


def test_a_row_of_a_file_of_several_sheets_is_named_with_its_sheet(
    admin_client, division, person, flag_type, order_type
):
    sheets = two_lists(division, person, flag_type, order_type)
    sheets["Tập thể"][5][4] = "Phòng Không Có"
    sheets["Cá nhân"].insert(7, list(sheets["Cá nhân"][6]))  # row 8: row 7 again
    report = preview(workbook(sheets))
    assert [(problem.place, problem.column) for problem in report.problems] == [
        ("Tập thể, row 6", "Đơn vị nhận"),
        ("Cá nhân, row 8", ""),
    ]
    assert report.problems[1].message.startswith("Row 7 of sheet “Cá nhân” of this file has")

    response = upload(admin_client, "award", workbook(sheets))
    page = response.content.decode()
    assert '<td class="number">Tập thể, dòng 6</td>' in page

    sheets["Cá nhân"][6][1] = "=2015+1"
    with translation.override("en"):
        errors = preview(workbook(sheets)).errors
    assert errors == [
        "Cell B7 of sheet “Cá nhân” holds a formula (=2015+1). An import takes values only: copy "
        "the sheet and paste it as values (Paste Special › Values), then import again."
    ]


def test_the_preview_says_which_sheet_and_row_the_header_was_read_from(
    admin_client, awards_file, division, person, flag_type, order_type
):
    response = upload(admin_client, "award", workbook({"Danh sách": officer_list(awards_file)}))
    assert "Tiêu đề cột đọc từ trang “Danh sách”, dòng 4: 3 dòng." in response.content.decode()
    sheets = two_lists(division, person, flag_type, order_type)
    response = upload(admin_client, "award", workbook(sheets))
    assert (
        "Tiêu đề cột đọc từ trang “Tập thể”, dòng 4: 2 dòng; trang “Cá nhân”, dòng 6: 1 dòng."
    ) in response.content.decode()


def test_the_confirmation_of_several_sheets_keeps_their_places(
    division, person, flag_type, order_type
):
    sheets = two_lists(division, person, flag_type, order_type)
    previewed = preview_upload(AwardResource(), workbook(sheets))
    assert previewed.upload
    # Meanwhile someone records the award of the sheet "Cá nhân".
    assert confirm(
        xlsx([HEADERS, [2016, order_type.name, "hạng Ba", "", person.full_name, "2/QĐ"]])
    )
    report = confirm_upload(AwardResource(), previewed.upload)
    assert not report.written
    assert [problem.place for problem in report.problems] == ["Cá nhân, row 7"]
    assert report.parts == previewed.parts


def test_a_pdf_renamed_xlsx_is_not_a_spreadsheet():
    assert PDF.decode("ascii")
    assert refusal(PDF) == NOT_A_SPREADSHEET
    report = preview(PDF)
    assert report.errors == [NOT_A_SPREADSHEET] and report.kind == ""


# -- Hostile files --------------------------------------------------------------------------


LIMITS = Limits(
    upload_bytes=10 * 1024 * 1024,
    unpacked_bytes=200 * 1024 * 1024,
    compression_ratio=100,
    rows=50_000,
    columns=100,
    cell_chars=32_767,
)


def refusal(data: bytes, limits: Limits = LIMITS, known=None) -> str:
    with pytest.raises(SpreadsheetError) as refused:
        read_spreadsheet(data, limits, known=known)
    return str(refused.value)


NOT_A_SPREADSHEET = (
    "This file is not a spreadsheet. Import an Excel workbook (.xlsx) or a CSV file; the template "
    "on this page shows the columns."
)
DAMAGED = (
    "The file is damaged (perhaps cut short while copying or sending): it cannot be read. Open it "
    "in Excel, save it again and import the saved file."
)


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(256)) * 8,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x01",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"Hello\x00World",
    ],
    ids=["bytes", "pdf", "png", "nul"],
)
def test_binary_junk_is_not_a_spreadsheet(junk):
    assert refusal(junk) == NOT_A_SPREADSHEET


def test_a_word_document_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as document:
        document.writestr("word/document.xml", "<w:document/>")
    assert refusal(buffer.getvalue()) == NOT_A_SPREADSHEET


def test_a_truncated_workbook_is_damaged(awards_file):
    data = xlsx(awards_file)
    assert refusal(data[: len(data) // 2]) == DAMAGED


def test_a_workbook_with_a_corrupt_member_is_damaged(awards_file):
    data = rezip(xlsx(awards_file), **{"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    assert refusal(data) == DAMAGED


def unsafe(part: str) -> str:
    return (
        f"The workbook's part {part} declares a document type, which no spreadsheet needs and an "
        "attack on the server does: it is refused as unsafe. Open the file in Excel, save it "
        "again and import the saved file."
    )


def never_opened(monkeypatch) -> list:
    """Patches openpyxl to note each file it is asked to open (and to refuse it): the list
    stays empty when a file is refused before openpyxl opens it."""
    opened = []

    def never(*args, **kwargs):
        opened.append(args)
        raise AssertionError("openpyxl opened the file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    return opened


def test_an_xml_bomb_inside_a_workbook_is_refused_before_openpyxl_opens_it(
    awards_file, monkeypatch
):
    data = xlsx(awards_file)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    bomb = sheet.replace(
        "<worksheet", f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]><worksheet', 1
    )
    bomb = bomb.replace(
        "<sheetData>",
        '<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        1,
    )
    opened = never_opened(monkeypatch)
    data = rezip(data, **{"xl/worksheets/sheet1.xml": bomb.encode()})
    assert refusal(data) == unsafe("xl/worksheets/sheet1.xml")
    assert opened == []


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "docProps/core.xml", "xl/_rels/x.rels"])
def test_a_document_type_in_any_part_behind_comments_is_refused(awards_file, monkeypatch, part):
    data = xlsx(awards_file)
    members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    original = zipfile.ZipFile(io.BytesIO(data)).read(part) if part in members else b"<a/>"
    head, _, rest = (
        original.partition(b"?>") if original.startswith(b"<?xml") else (b"", b"", original)
    )
    declaration = head + b"?>" if head else b""
    padding = b"<!-- " + b"x" * 20_000 + b" -->"
    doctype = b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    opened = never_opened(monkeypatch)
    assert refusal(rezip(data, **{part: declaration + padding + doctype + rest})) == unsafe(part)
    assert opened == []


def test_a_part_whose_prolog_never_ends_is_refused_before_openpyxl_opens_it(
    awards_file, monkeypatch
):
    data = xlsx(awards_file)
    padding = b"<!-- " + b"x" * 70_000 + b" -->"
    doctype = b'<!DOCTYPE a [<!ENTITY e "e">]>'
    opened = never_opened(monkeypatch)
    assert refusal(rezip(data, **{"docProps/app.xml": padding + doctype + b"<a/>"})) == DAMAGED
    assert opened == []


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(awards_file, monkeypatch):
    bomb = zip_bomb(xlsx(awards_file), unpacked=300 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024

    opened = never_opened(monkeypatch)
    assert refusal(bomb) == (
        "The file unpacks to 300.0 MB, far more than a spreadsheet of its size holds (at most "
        "200.0 MB, or 100 times the file): it is refused as unsafe."
    )
    assert opened == []


def test_a_small_zip_bomb_is_refused_by_its_compression_ratio(awards_file):
    bomb = zip_bomb(xlsx(awards_file), unpacked=20 * 1024 * 1024)
    assert "refused as unsafe" in refusal(bomb)


def test_a_sheet_declaring_a_million_rows_is_refused_before_its_rows_are_read(awards_file):
    data = with_dimension(xlsx(awards_file), "A1:F1000000")
    assert refusal(data) == ("The sheet has 1000000 rows; a file to import may have at most 50000.")


def test_a_sheet_with_more_rows_than_it_declares_is_stopped_while_streaming(awards_file):
    rows = awards_file + [awards_file[1]] * 20
    data = with_dimension(xlsx(rows), "A1:F2")
    limits = Limits(**{**LIMITS.__dict__, "rows": 10})
    assert refusal(data, limits) == "The sheet has 12 rows; a file to import may have at most 10."


def test_sheets_within_the_limit_that_together_pass_it_are_refused(awards_file):
    limits = Limits(**{**LIMITS.__dict__, "rows": 4})
    sheets = {"Tập thể": awards_file, "Cá nhân": awards_file}
    known = AwardResource().column_aliases()
    assert refusal(workbook(sheets), limits, known=known) == (
        "The file has 6 rows; a file to import may have at most 4."
    )


def test_a_sheet_of_ten_thousand_columns_is_refused(awards_file):
    assert refusal(with_dimension(xlsx(awards_file), "A1:NTP4")) == (
        "The sheet has 10000 columns; a file to import may have at most 100."
    )
    wide = csv_text([awards_file[0] + [""] * 10_000]).encode()
    assert refusal(wide) == "The sheet has 10006 columns; a file to import may have at most 100."


def test_a_huge_cell_is_refused(awards_file):
    # openpyxl writes at most Excel's 32,767 characters to a cell: a lower limit shows the check.
    awards_file[1][5] = "x" * 2_000
    limits = Limits(**{**LIMITS.__dict__, "cell_chars": 1_000})
    assert refusal(xlsx(awards_file), limits) == (
        "Cell F2 holds 2000 characters; a cell may hold at most 1000."
    )
    # A 10 MB cell (just under the upload limit) in a CSV.
    huge = csv_text([awards_file[0], ["y" * (10 * 1024 * 1024 - 200)]]).encode()
    assert refusal(huge) == (
        "Row 2 cannot be read: a cell is longer than 32767 characters or a quotation mark is not "
        "closed."
    )
    awards_file[1][5] = "z" * 40_000
    assert refusal(csv_text(awards_file).encode()) == (
        "Cell F2 holds 40000 characters; a cell may hold at most 32767."
    )


def test_a_file_over_the_upload_limit_is_refused_by_its_size():
    assert refusal(b"x" * (LIMITS.upload_bytes + 1)) == (
        "The file is 10.0 MB; a file to import may be at most 10.0 MB."
    )


def test_a_formula_is_refused_with_its_cell(awards_file):
    awards_file[2][0] = "=2015+1"
    assert refusal(xlsx(awards_file)) == (
        "Cell A3 holds a formula (=2015+1). An import takes values only: copy the sheet and paste "
        "it as values (Paste Special › Values), then import again."
    )


def test_an_error_cell_is_refused(awards_file):
    awards_file[2][0] = "#N/A"
    assert (
        refusal(xlsx(awards_file)) == "Cell A3 shows the error #N/A: correct it and import again."
    )


def test_a_workbook_with_macros_is_refused(awards_file):
    data = rezip(xlsx(awards_file), **{"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    assert "contains macros" in refusal(data)


def test_old_excel_files_and_opendocument_say_how_to_save_them(awards_file):
    assert ".xls" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as document:
        document.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        document.writestr("content.xml", "<office:document-content/>")
    assert "(.ods)" in refusal(buffer.getvalue())


def test_a_web_page_saved_as_a_spreadsheet_says_so():
    assert "web page" in refusal(b"<html><table><tr><td>1</td></tr></table></html>")


def test_a_cell_without_a_header_is_refused_rather_than_lost(awards_file):
    awards_file[2].append("lost?")
    assert refusal(xlsx(awards_file)) == (
        "Cell G3 has a value but its column has no header. Give the column a header or empty the "
        "cell."
    )


def test_an_empty_file_and_a_file_of_blank_rows_are_refused():
    assert refusal(b"") == "The file is empty."
    assert refusal(b"\r\n ,  ,\r\n") == "The file has no rows."


def test_a_hostile_file_leaves_the_database_as_it_was(awards_file):
    assert confirm(xlsx(awards_file)).written
    before = awards()
    report = confirm(zip_bomb(xlsx(awards_file), unpacked=300 * 1024 * 1024))
    assert report.errors and not report.written
    assert awards() == before


# -- The admin ------------------------------------------------------------------------------


def upload(client, model: str, data: bytes, name: str = "khen-thuong.xlsx"):
    return client.post(
        reverse(f"admin:movement_{model}_import"),
        {"import_file": SimpleUploadedFile(name, data)},
    )


def test_the_preview_page_lists_each_refused_row_with_its_column_in_vietnamese(
    admin_client, awards_file
):
    awards_file[3][3] = "Phòng Không Có"
    response = upload(admin_client, "award", xlsx(awards_file))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["confirm_form"] is None
    assert "Phòng Không Có" in page and "Đơn vị nhận" in page
    assert '<td class="number">4</td>' in page
    assert not Award.objects.exists()


def test_the_upload_waits_in_the_database_until_confirmed(admin_client, awards_file):
    response = upload(admin_client, "award", xlsx(awards_file))
    confirm_form = response.context["confirm_form"]
    kept = PendingImport.objects.get(key=confirm_form.initial["import_file_name"])
    assert kept.state == PendingImport.State.WAITING and kept.sheet is not None
    assert not Award.objects.exists()

    response = admin_client.post(
        reverse("admin:movement_award_process_import"), confirm_form.initial
    )
    assert response.status_code == 302
    assert Award.objects.count() == 3
    kept.refresh_from_db()
    assert kept.state == PendingImport.State.IMPORTED and kept.sheet is None


def test_a_confirmation_that_no_longer_holds_writes_nothing(admin_client, awards_file, person):
    response = upload(admin_client, "award", xlsx(awards_file))
    confirm_form = response.context["confirm_form"]
    # Between the preview and the confirmation, someone deletes a recipient the file names.
    person.delete()
    before = awards()

    response = admin_client.post(
        reverse("admin:movement_award_process_import"), confirm_form.initial
    )
    assert response.status_code == 200
    assert response.context["report"].problems
    assert awards() == before


def test_the_confirmation_imports_the_rows_the_preview_read_with_their_row_numbers(awards_file):
    rows = [awards_file[0], [], *awards_file[1:]]  # a blank row 2: the awards are rows 3 to 5
    previewed = preview_upload(AwardResource(), xlsx(rows))
    assert previewed.upload and not Award.objects.exists()
    # Meanwhile someone deletes the recipient of row 4; the file itself is not read again.
    Person.objects.all().delete()
    before = awards()

    report = confirm_upload(AwardResource(), previewed.upload)
    assert not report.written
    assert [(row, column) for row, column, _message in problems(report)] == [(4, "Cá nhân nhận")]
    assert awards() == before


def test_an_award_recorded_between_preview_and_confirmation_refuses_the_confirmation(
    awards_file,
):
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert (previewed.new, previewed.unchanged) == (3, 0)
    assert confirm(xlsx(awards_file[:2])).written
    recorded = Award.objects.get()

    with translation.override("vi"):
        report = confirm_upload(AwardResource(), previewed.upload)
    # The preview said "new"; the row would now meet the award recorded meanwhile.
    assert not report.written
    assert [problem.row for problem in report.problems] == [2]
    assert report.problems[0].message.startswith(
        "Bản xem trước cho thấy dòng này là bản ghi mới, nhưng dữ liệu đã thay đổi"
    )
    assert "giờ nó sẽ là không đổi" in report.problems[0].message
    assert Award.objects.get() == recorded
    again = preview_upload(AwardResource(), xlsx(awards_file))
    assert (again.new, again.unchanged) == (2, 1)
    assert confirm_upload(AwardResource(), again.upload).written
    assert Award.objects.count() == 3 and Award.objects.filter(pk=recorded.pk).exists()


def test_an_edit_made_between_preview_and_confirmation_is_not_overwritten(awards_file):
    assert confirm(xlsx(awards_file)).written
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert previewed.unchanged == 3
    edited = Award.objects.get(decision_number="1/QĐ")
    edited.decision_number = "1a/QĐ"
    edited.save()

    report = confirm_upload(AwardResource(), previewed.upload)
    assert not report.written
    assert [problem.row for problem in report.problems] == [2]
    assert Award.objects.count() == 3
    edited.refresh_from_db()
    assert edited.decision_number == "1a/QĐ"


def test_rows_no_longer_kept_are_not_confirmed(awards_file):
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert confirm_upload(AwardResource(), previewed.upload).written
    with pytest.raises(SpreadsheetError, match="already imported"):
        confirm_upload(AwardResource(), previewed.upload)
    assert Award.objects.count() == 3


def test_a_preview_with_a_refused_row_keeps_nothing_to_confirm(awards_file):
    awards_file[2][4] = "Không Có Ai"
    assert preview_upload(AwardResource(), xlsx(awards_file)).upload == ""


def test_what_an_import_built_is_freed_with_its_report_not_left_to_the_cycle_collector(
    awards_file,
):
    # An import of thousands of rows builds hundreds of thousands of objects; held in a
    # reference cycle, they would stay until the collector's next full run walked them all.
    resource = AwardResource()
    gc.disable()
    try:
        report = preview_upload(resource, xlsx(awards_file))
        assert report.ok
        kept = weakref.ref(resource), weakref.ref(report.result.rows[0].instance)
        del resource, report
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()


def test_a_hostile_upload_gets_a_page_not_an_error(admin_client, awards_file):
    for data in (b"\x00junk", xlsx(awards_file)[:300], zip_bomb(xlsx(awards_file), 300 << 20)):
        response = upload(admin_client, "award", data)
        assert response.status_code == 200
        assert response.context["report"].errors


def test_the_empty_template_has_the_columns_an_example_and_a_guide(admin_client, awards_file):
    assert confirm(xlsx(awards_file)).written
    response = admin_client.get(
        reverse("admin:movement_award_import_template"), headers={"accept-language": "en"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    data, guide = workbook.worksheets
    headers = [cell.value for cell in data[1]]
    assert headers == AwardResource().get_export_headers()
    assert data.freeze_panes == "A2"
    guide_rows = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True) if row[0]}
    assert guide_rows["Năm"][1] == "yes"
    assert guide_rows["Hạng"][3] == "One of: hạng Nhất, hạng Nhì, hạng Ba."
    # The data sheet has the header only (tests/test_templates.py).
    assert data.max_row == 1
