"""Spreadsheet files built by the tests themselves: workbooks, CSV in every encoding Excel
writes, and hostile files (zip bombs, huge sheets, formulas, macros, junk), kept small; the files
an export writes; and the text a person may put in a cell, for property-based tests."""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from movement.models import Award
from movement.spreadsheets.exports import iter_csv, write_xlsx
from movement.spreadsheets.files import Limits, SpreadsheetError, read_spreadsheet
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.reports import ImportReport
from movement.spreadsheets.resources import AwardResource


def xlsx(rows: Sequence[Sequence[Any]], *, sheets: int = 1) -> bytes:
    """A workbook whose first sheet holds ``rows`` (the first of them the header)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for number in range(1, sheets):
        workbook.create_sheet(f"Sheet{number + 1}").append(["Not imported"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Sequence[Sequence[Any]], delimiter: str = ",") -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        if any(mark in text for mark in (delimiter, '"', "\n")):
            text = '"' + text.replace('"', '""') + '"'
        return text

    return "\r\n".join(delimiter.join(cell(value) for value in row) for row in rows) + "\r\n"


def dict_csv(*rows: dict[str, Any]) -> bytes:
    """A UTF-8 CSV file of ``rows``, headed by the first row's keys."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def dataset(**cells: Any) -> tablib.Dataset:
    """A one-row file with only the columns given, as someone might type it."""
    return tablib.Dataset(list(cells.values()), headers=list(cells))


def cp1258(text: str) -> bytes:
    """``text`` as Excel on a Vietnamese Windows saves it: Windows-1258, where a letter the code
    page lacks is written as the nearest letter it has followed by a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for tone in marks:
            rest = [mark for mark in marks if mark != tone]
            letter = unicodedata.normalize("NFC", base + "".join(rest))
            try:
                out += (letter + tone).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"{char!r} has no Windows-1258 spelling")
    return bytes(out)


def rezip(workbook: bytes, **members: bytes) -> bytes:
    """``workbook`` with some of its members replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in members:
                target.writestr(item, source.read(item.filename))
        for name, data in members.items():
            target.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(workbook: bytes, unpacked: int) -> bytes:
    """``workbook`` with a member of ``unpacked`` zero bytes: a few kilobytes packed."""
    buffer = io.BytesIO(workbook)
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as target,
        target.open("xl/media/padding.bin", "w") as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(unpacked // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def with_dimension(workbook: bytes, dimension: str) -> bytes:
    """``workbook`` whose first sheet declares the size ``dimension`` (e.g. "A1:B1000001")."""
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml").decode()
    start = sheet.index("<dimension ref=") + len('<dimension ref="')
    end = sheet.index('"', start)
    return rezip(
        workbook, **{"xl/worksheets/sheet1.xml": (sheet[:start] + dimension + sheet[end:]).encode()}
    )


# -- Officer-style workbooks ----------------------------------------------------------------------

TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2016"
# What officers write under a list: place and date, who drew it up and who signs, their names.
SIGNATURE = [
    [None, None, None, "Hà Tĩnh, ngày 15 tháng 01 năm 2017"],
    ["Người lập biểu", None, None, "THỦ TRƯỞNG ĐƠN VỊ"],
    ["(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"],
    [],
    [],
    ["Nguyễn Văn Khảo", None, None, "Đại tá Nguyễn Văn Khảo"],
]


def officer_list(
    table: Sequence[Sequence[Any]],
    *,
    title_rows: int = 3,
    signature: Sequence[Sequence[Any]] = SIGNATURE,
    counter: str | None = None,
    counter_header: str = "STT",
) -> list[list[Any]]:
    """``table`` (its header first) as an officer lays it out: a title, blank rows (the header
    then sits on row ``title_rows + 1``), one blank row and a signature block below. With
    ``counter``, a first column, a row counter headed ``counter_header``, whose cells hold
    ``counter`` formatted with the header's row ``{header}`` and the data row's index ``{index}``
    (e.g. ``"=ROW()-{header}"`` or ``"{index}"``)."""
    rows: list[list[Any]] = [[TITLE]] + [[] for _ in range(title_rows - 1)]
    header = title_rows + 1
    for index, row in enumerate(table):
        row = list(row)
        if counter is not None:
            cell = counter_header if index == 0 else counter.format(header=header, index=index)
            row = [cell, *row]
        rows.append(row)
    return rows + [[]] + [list(row) for row in signature]


def workbook(sheets: dict[str, Sequence[Sequence[Any]]], merged: Sequence[str] = ()) -> bytes:
    """A workbook of the named sheets, each holding its rows from row 1 (an empty row stays
    blank); ``merged`` ranges (e.g. "A1:F1") are merged in every sheet, as Excel saves them:
    the value in the first cell, the others empty. A string starting with "=" is a formula."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(number, column, value)
        for cells in merged:
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def two_row_header(
    table: Sequence[Sequence[Any]], group: str, under: Sequence[str], at: int
) -> tuple[list[list[Any]], list[str]]:
    """``table`` with a header of two rows: ``group`` written over the columns ``at``,
    ``at + 1``… whose own headers, ``under``, sit on the second row; every other header is merged
    down over both rows. Returns the rows and the ranges to merge."""
    header = list(table[0])
    top = [*header[:at], group, *[None] * (len(under) - 1), *header[at + len(under) :]]
    bottom = [None] * at + list(under) + [None] * (len(header) - at - len(under))
    letters = [openpyxl.utils.get_column_letter(column + 1) for column in range(len(header))]
    merged = [f"{letters[at]}1:{letters[at + len(under) - 1]}1"]
    merged += [
        f"{letter}1:{letter}2"
        for column, letter in enumerate(letters)
        if not at <= column < at + len(under)
    ]
    return [top, bottom, *[list(row) for row in table[1:]]], merged


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages "
    b"/Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
"""A PDF all of whose bytes are printable ASCII: valid UTF-8, and a CSV to a careless reader."""


def exported(resource: Any, queryset: QuerySet, fmt: str) -> bytes:
    """The file an export of ``queryset`` writes, "xlsx" or "csv", as a user downloads it."""
    if fmt == "csv":
        return "".join(iter_csv(resource, queryset)).encode("utf-8")
    buffer = io.BytesIO()
    write_xlsx(resource, queryset, buffer)
    return buffer.getvalue()


def workbook_rows(data: bytes) -> list[list[Any]]:
    """The values of a workbook's first sheet, row by row."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Cell texts an export must neutralise, as a spreadsheet would run them (a carriage return is
# stored as a line feed, movement.models.fields, which runs nothing); texts starting with an
# apostrophe an import would remove, which an export doubles to come back as they were; and
# texts that are written as they are.
FORMULAE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "- Hoàn thành xuất sắc nhiệm vụ"]
APOSTROPHES = ["'=1+1", "''"]
PLAIN = ["3 tập thể", "Nguyễn Văn Khảo", "1+1=2", "a-b", "email@example.com", "'quoted'"]


# -- Text for property-based tests ------------------------------------------------------------

# Characters no file carries back, left out: the control characters an import refuses
# (movement.spreadsheets.files.CONTROL_CHARACTERS), which a workbook cannot hold either, and
# the two noncharacters XML excludes, which a workbook shows as �
# (movement.spreadsheets.exports.UNWRITABLE).
REFUSED_CHARACTERS = "".join(
    [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"] + ["\x7f", "\ufffe", "\uffff"]
)
# What real cells hold and round trips have lost: formula prefixes, apostrophes, every line
# break, a tab, a no-break space, combining marks, emoji, letters in NFD and old tone placement,
# and what a CSV file quotes.
PIECES = [
    "=",
    "+",
    "-",
    "@",
    "'",
    "\t",
    "\r\n",
    "\r",
    "\n",
    " ",
    "  ",
    "\u00a0",
    "\u0301",
    "\u0323",
    "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "Đặng Quang Hưng",
    "Thuỷ",
    "e\u0302\u0301",
    "- Hoàn thành xuất sắc nhiệm vụ",
    '"',
    ",",
    ";",
]


def cell_texts(max_pieces: int = 6) -> st.SearchStrategy[str]:
    """Any text a person may put in a cell: arbitrary Unicode but the refused characters, mixed
    with the pieces above."""
    characters = st.characters(codec="utf-8", exclude_characters=REFUSED_CHARACTERS)
    piece = st.sampled_from(PIECES) | st.text(characters, min_size=1, max_size=6)
    return st.lists(piece, max_size=max_pieces).map("".join)


# Few examples, no deadline (a round trip writes and reads a file), no example database left in
# the worktree; the fixtures' records are set back by each example itself.
ROUND_TRIP = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# The letters of TCVN3 (TCVN 5712:1993, table VN3) in the order of its bytes from 0xA1, written
# out again here rather than taken from movement.spreadsheets.encodings, so that each checks
# the other. "·" stands for the bytes the table leaves to other characters.
TCVN3_FROM_A1 = (
    "ĂÂÊÔƠƯĐăâêôơưđ" "······" "àảãáạ·ằẳẵắ" "·······"
    "ặầẩẫấậè·ẻẽéẹềểễếệìỉ···ĩíịò·ỏõóọồổỗốộờởỡớợù·ủũúụừửữứựỳỷỹýỵ"
)  # fmt: skip


def tcvn3(text: str) -> bytes:
    """``text`` as saved from a sheet in a ".Vn" font: TCVN3, capitals with a tone written as
    the lower-case letter (what the ".VnTimeH" fonts draw as a capital)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        position = TCVN3_FROM_A1.find(char)
        if position < 0 and not char.isascii():
            position = TCVN3_FROM_A1.find(char.lower())
        if position >= 0 and char != "·":
            out.append(0xA1 + position)
        else:
            out += char.encode("cp1252")
    return bytes(out)


# VNI-Windows: a vowel's marks as bytes after it, lower- or upper-case like the vowel.
VNI_MARKS = {
    "\u0302": "â", "\u0306": "ê",
    "\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï",
    ("\u0302", "\u0300"): "à", ("\u0302", "\u0301"): "á", ("\u0302", "\u0309"): "å",
    ("\u0302", "\u0303"): "ã", ("\u0302", "\u0323"): "ä",
    ("\u0306", "\u0300"): "è", ("\u0306", "\u0301"): "é", ("\u0306", "\u0309"): "ú",
    ("\u0306", "\u0303"): "ü", ("\u0306", "\u0323"): "ë",
}  # fmt: skip
VNI_LETTERS = {"đ": "ñ", "ơ": "ô", "ư": "ö", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
               "ỵ": "î"}  # fmt: skip


def vni(text: str) -> bytes:
    """``text`` as saved from a sheet in a "VNI-" font (VNI-Windows)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        lower = char.lower()
        upper = char != lower
        if lower in VNI_LETTERS:
            out.append(VNI_LETTERS[lower].upper() if upper else VNI_LETTERS[lower])
            continue
        base, *marks = unicodedata.normalize("NFD", lower)
        # The hat or breve first: NFD puts the dot below before it.
        marks.sort(key=lambda mark: mark not in "\u0302\u0306\u031b")
        if base in "ơư" or (base in "ou" and "\u031b" in marks):
            marks = [mark for mark in marks if mark != "\u031b"]
            base = VNI_LETTERS["ơ" if base == "o" else "ư"]
        if not marks or not base.isascii():
            spelled = base + "".join(VNI_MARKS[mark] for mark in marks)
        else:
            spelled = base + VNI_MARKS[tuple(marks) if len(marks) > 1 else marks[0]]
        out.append(spelled.upper() if upper else spelled)
    return "".join(out).encode("cp1252")


# -- Importing ------------------------------------------------------------------------------
# What tests/test_files.py, test_tables.py and test_imports.py share: a list of awards as a unit
# sends it (its rows are the ``awards_file`` fixture of tests/conftest.py), its two steps, and
# what a refusal says.

HEADERS = ["Năm", "Hình thức khen thưởng", "Hạng", "Đơn vị nhận", "Cá nhân nhận", "Số quyết định"]


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


def upload(client, model: str, data: bytes, name: str = "khen-thuong.xlsx"):
    return client.post(
        reverse(f"admin:movement_{model}_import"),
        {"import_file": SimpleUploadedFile(name, data)},
    )


def meanwhile(monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> None:
    """Have ``action`` done, as by another user, while an award import runs: after its rows
    were checked against the stored records and before they are written (before_write)."""
    writing = AwardResource.before_write

    def before_write(resource: AwardResource, instances: list[Award]) -> None:
        action()
        writing(resource, instances)

    monkeypatch.setattr(AwardResource, "before_write", before_write)
