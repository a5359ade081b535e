"""Reading a file to import: every format Excel writes, in every encoding, is read as its author
saw it, and hostile files are refused before they cost anything (movement/spreadsheets/files.py,
encodings.py). The files are built by the tests themselves (tests/spreadsheets.py)."""

import datetime
import io
import logging
import pyexpat
import unicodedata
import zipfile

import openpyxl
import pytest
from django.utils import translation
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from movement.models import Award, Unit
from movement.spreadsheets import files
from movement.spreadsheets.files import Limits, read_spreadsheet
from movement.spreadsheets.resources import AwardResource, UnitResource
from tests.spreadsheets import (
    AWARDS,
    HEADERS,
    LIMITS,
    PDF,
    awards,
    confirm,
    cp1258,
    csv_text,
    preview,
    refusal,
    rezip,
    tcvn3,
    upload,
    vni,
    with_dimension,
    workbook,
    xlsx,
    zip_bomb,
)

# Messages are checked in English (tests/conftest.py: english).
pytestmark = pytest.mark.usefixtures("english")


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


# -- Hostile files -----------------------------------------------------------------------------


def test_a_pdf_renamed_xlsx_is_not_a_spreadsheet():
    assert PDF.decode("ascii")
    assert refusal(PDF) == NOT_A_SPREADSHEET
    report = preview(PDF)
    assert report.errors == [NOT_A_SPREADSHEET] and report.kind == ""


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


def billion_laughs(rows: list) -> bytes:
    """A workbook of ``rows`` whose sheet declares an entity bomb ("billion laughs": three
    billion characters from nine nested entities) and uses it in a cell."""
    data = xlsx(rows)
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
    return rezip(data, **{"xl/worksheets/sheet1.xml": bomb.encode()})


def test_an_xml_bomb_inside_a_workbook_is_refused_before_openpyxl_opens_it(
    awards_file, monkeypatch
):
    data = billion_laughs(awards_file)
    opened = never_opened(monkeypatch)
    assert refusal(data) == unsafe("xl/worksheets/sheet1.xml")
    assert opened == []


def test_an_xml_bomb_past_the_guard_is_still_refused_by_the_parser_openpyxl_uses(
    awards_file, monkeypatch, caplog
):
    """The second line behind the guard, which lets openpyxl read with the standard library's
    parser rather than defusedxml's slower pure-Python one (requirements.txt leaves defusedxml
    out): expat since 2.4 refuses a document whose entities amplify it past a limit, so were
    the guard ever bypassed, the bomb would still be refused as unreadable, for its entities,
    not expanded into gigabytes."""
    # Checked first: an older expat would expand the bomb and exhaust the test's memory.
    assert pyexpat.version_info >= (2, 4, 0), pyexpat.EXPAT_VERSION
    monkeypatch.setattr(files, "_refuse_document_types", lambda archive, members: None)
    caplog.set_level(logging.INFO, logger=files.__name__)
    assert refusal(billion_laughs(awards_file)) == DAMAGED
    # Refused for the entities (expat's "amplification factor (from DTD and entities)", or
    # defusedxml's EntitiesForbidden where a machine still has it), not for a broken file.
    causes = []
    for record in caplog.records:
        error = record.exc_info and record.exc_info[1]
        while error is not None:
            causes.append(f"{type(error).__name__}: {error}")
            error = error.__cause__ or error.__context__
    assert any("entities" in cause.lower() for cause in causes), causes


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
        "The file unpacks to 300 MB, far more than a spreadsheet of its size holds (at most "
        "200 MB, or 100 times the file): it is refused as unsafe."
    )
    assert opened == []


def test_a_small_zip_bomb_is_refused_by_its_compression_ratio(awards_file):
    bomb = zip_bomb(xlsx(awards_file), unpacked=20 * 1024 * 1024)
    assert "refused as unsafe" in refusal(bomb)


def test_a_sheet_declaring_a_million_rows_is_refused_before_its_rows_are_read(awards_file):
    data = with_dimension(xlsx(awards_file), "A1:F1000000")
    assert refusal(data) == (
        "The sheet has 1,000,000 rows; a file to import may have at most 50,000."
    )


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
        "Cell F2 holds 2,000 characters; a cell may hold at most 1,000."
    )
    # A 10 MB cell (just under the upload limit) in a CSV.
    huge = csv_text([awards_file[0], ["y" * (10 * 1024 * 1024 - 200)]]).encode()
    assert refusal(huge) == (
        "Row 2 cannot be read: a cell is longer than 32767 characters or a quotation mark is not "
        "closed."
    )
    awards_file[1][5] = "z" * 40_000
    assert refusal(csv_text(awards_file).encode()) == (
        "Cell F2 holds 40,000 characters; a cell may hold at most 32,767."
    )


def test_a_file_over_the_upload_limit_is_refused_by_its_size():
    assert refusal(b"x" * (LIMITS.upload_bytes + 1)) == (
        "The file is 10 MB; a file to import may be at most 10 MB."
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


def test_an_empty_file_and_a_file_of_blank_rows_are_refused():
    assert refusal(b"") == "The file is empty."
    assert refusal(b"\r\n ,  ,\r\n") == "The file has no rows."


def test_a_hostile_file_leaves_the_database_as_it_was(awards_file):
    assert confirm(xlsx(awards_file)).written
    before = awards()
    report = confirm(zip_bomb(xlsx(awards_file), unpacked=300 * 1024 * 1024))
    assert report.errors and not report.written
    assert awards() == before
