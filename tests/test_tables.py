"""Reading a sheet's table: its columns under any header, in any order, over one or two rows, below
a title and down to a signature block, on several sheets; its cells read as typed, and refused
where a formula or an error would be imported (movement/spreadsheets/tables.py, columns.py,
cells.py). The files are built by the tests themselves (tests/spreadsheets.py)."""

import datetime

import pytest
from django.utils import translation

from movement.models import Award
from movement.spreadsheets.files import read_spreadsheet
from movement.spreadsheets.previews import confirm_upload, preview_upload
from movement.spreadsheets.resources import AwardResource, TaskResource
from movement.spreadsheets.tables import SheetPart
from tests.spreadsheets import (
    AWARDS,
    HEADERS,
    awards,
    confirm,
    csv_text,
    officer_list,
    preview,
    problems,
    refusal,
    two_row_header,
    upload,
    workbook,
    xlsx,
)

# Messages are checked in English (tests/conftest.py: english).
pytestmark = pytest.mark.usefixtures("english")


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


def test_a_cell_without_a_header_is_refused_rather_than_lost(awards_file):
    awards_file[2].append("lost?")
    assert refusal(xlsx(awards_file)) == (
        "Cell G3 has a value but its column has no header. Give the column a header or empty the "
        "cell."
    )
