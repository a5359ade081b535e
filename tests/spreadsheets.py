"""Spreadsheet files built by the tests themselves: workbooks, CSV in every encoding Excel
writes, and hostile files (zip bombs, huge sheets, formulas, macros, junk), kept small."""

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl


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
