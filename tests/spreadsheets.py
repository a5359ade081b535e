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


# The letters of TCVN3 (TCVN 5712:1993, table VN3) in the order of its bytes from 0xA1, written
# out again here rather than taken from movement.encodings, so that each checks the other. "·"
# stands for the bytes the table leaves to other characters.
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
