"""What a file is and its rows: an uploaded file told by its bytes, kept within the limits, and
read into rows (a :class:`Sheet`), or refused with a message saying why and what to do instead.

A file is told by its bytes, never by its name: an Excel workbook (.xlsx), a CSV saved by Excel in
UTF-8 (with or without a byte-order mark) or in Windows-1258 (what Excel on a Vietnamese Windows
writes as "CSV"), or a tab-separated "Unicode text" file. Anything else is refused with a message
saying what to do instead; so is a file past the limits in settings (IMPORT_MAX_*): a zip bomb by
the sizes its directory declares before openpyxl opens it, a sheet of too many rows or columns by
its declared size and again while streaming, a cell longer than Excel allows, an XML part
declaring a document type (before openpyxl opens it). Workbooks are read with openpyxl's public
read-only API. Formulas and error cells where a value would be imported, and macros, are refused
too: an import takes values, as a person sees them. Where the table is in a sheet laid out by an
officer (a title above, a signature block below, a row counter, several sheets) is the business
of :mod:`movement.spreadsheets.tables`.
"""

import codecs
import csv
import io
import logging
import pyexpat
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import tablib
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from movement.spreadsheets.encodings import MixedEncodings, decode_8bit
from movement.spreadsheets.tables import Row, SheetPart, TableError, read_table

logger = logging.getLogger(__name__)


class SpreadsheetError(Exception):
    """A file refused as a whole; the message says why and what to do, in the user's language."""


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    unpacked_bytes: int
    compression_ratio: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            upload_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
            compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def megabytes(size: int) -> str:
    """``size`` bytes as people read it: "10 MB", "2,5 MB" (decimal comma in Vietnamese)."""
    value = round(size / (1024 * 1024), 1)
    places = 0 if value == int(value) else 1
    return f"{formats.number_format(value, places, use_l10n=True, force_grouping=True)} MB"


def grouped(number: int) -> str:
    """A count grouped in thousands as the language writes them: "50.000" in Vietnamese."""
    return formats.number_format(number, use_l10n=True, force_grouping=True)


@dataclass
class Sheet:
    """A file's rows: the dataset (with the spreadsheet row of each of its rows, and its sheet
    when several were read), what the file was, where each sheet's header was read from, and
    what the reading left out (sheets, signature blocks)."""

    dataset: tablib.Dataset
    kind: str
    parts: list[SheetPart] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


XLSX_KIND = "Excel (.xlsx)"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Files that are never text although their first bytes may read as text: PDF (whose bytes can be
# all ASCII), PostScript, RTF (Word's), images.
BINARY_MAGIC = (b"%PDF-", b"%!PS", b"{\\rtf", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")
# Members a zip may hold before it is taken for a bomb of another kind (a million empty files).
MAX_ZIP_MEMBERS = 10_000
# Below this, a high compression ratio is harmless (a nearly empty sheet compresses very well).
RATIO_FLOOR_BYTES = 1024 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_spreadsheet(
    data: bytes, limits: Limits | None = None, known: Mapping[str, str] | None = None
) -> Sheet:
    """The rows of an uploaded file, or :class:`SpreadsheetError` saying why it is refused.

    ``known`` maps the headers a resource accepts, folded, to its columns
    (``ColumnsMixin.column_aliases``): with it, the table is looked for below title rows, in
    every sheet, and read down to a signature block (movement.spreadsheets.tables); without it, the
    first non-blank row of the first sheet is the header.
    """
    limits = limits or Limits.from_settings()
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    if len(data) > limits.upload_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s; a file to import may be at most %(limit)s.")
            % {"size": megabytes(len(data)), "limit": megabytes(limits.upload_bytes)}
        )
    if data.startswith(ZIP_MAGIC):
        return _read_zip(data, limits, known)
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "This is an old-style Excel file (.xls) or a workbook with a password. Open it "
                "in Excel, remove any password, and save it as “Excel Workbook (.xlsx)”."
            )
        )
    if data.startswith(BINARY_MAGIC):
        raise SpreadsheetError(_not_a_spreadsheet())
    return _read_text(data, limits, known)


# -- Workbooks ------------------------------------------------------------------------------


def _read_zip(data: bytes, limits: Limits, known: Mapping[str, str] | None) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise SpreadsheetError(_damaged()) from None
    names = {member.filename.lower() for member in members}
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_ZIP_MEMBERS
        or unpacked > limits.unpacked_bytes
        or (unpacked > RATIO_FLOOR_BYTES and unpacked / packed > limits.compression_ratio)
    ):
        raise SpreadsheetError(
            _(
                "The file unpacks to %(size)s, far more than a spreadsheet of its size holds "
                "(at most %(limit)s, or %(ratio)s times the file): it is refused as unsafe."
            )
            % {
                "size": megabytes(unpacked),
                "limit": megabytes(limits.unpacked_bytes),
                "ratio": limits.compression_ratio,
            }
        )
    if any(name.endswith("vbaproject.bin") for name in names):
        raise SpreadsheetError(
            _(
                "The workbook contains macros (.xlsm). Macros are never imported: save it in "
                "Excel as “Excel Workbook (.xlsx)” and import that file."
            )
        )
    if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
        raise SpreadsheetError(
            _(
                "This is an OpenDocument spreadsheet (.ods). Save it from LibreOffice as "
                "“Excel 2007-365 (.xlsx)” and import that file."
            )
        )
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(_not_a_spreadsheet())
    _refuse_document_types(archive, members)
    return _read_xlsx(data, limits, known)


# The bytes of an XML part read for its prolog: no workbook's declaration and comments before
# its first element come near.
PROLOG_BYTES = 64 * 1024


class _Prolog(Exception):
    """Raised by the prolog scan: the part's first element (its prolog ends), or a document type
    declaration (``doctype``)."""

    def __init__(self, doctype: bool) -> None:
        self.doctype = doctype


def _refuse_document_types(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook any of whose XML parts declares a document type or an entity.

    A spreadsheet never needs one, and an entity bomb ("billion laughs") is one: the declaration
    must come before a part's first element, so the prolog of every member is read (by expat,
    which stops at the first element) before openpyxl opens anything; a prolog longer than
    :data:`PROLOG_BYTES` is refused too. A member that is no XML (an image) fails to parse at
    once and is left to openpyxl.

    This guard is why defusedxml is not installed: openpyxl would parse every sheet through its
    pure-Python ElementTree, a tenth of the reading time, to refuse what is refused here already;
    behind the guard, expat (2.4 and later) refuses entities that amplify a document.
    """
    for member in members:
        if member.is_dir():
            continue
        parser = pyexpat.ParserCreate()

        def doctype(*args: Any) -> None:
            raise _Prolog(doctype=True)

        def element(*args: Any) -> None:
            raise _Prolog(doctype=False)

        parser.StartDoctypeDeclHandler = doctype
        parser.EntityDeclHandler = doctype
        parser.StartElementHandler = element
        try:
            with archive.open(member) as source:
                parser.Parse(source.read(PROLOG_BYTES), False)
            if member.file_size > PROLOG_BYTES:
                # Still in the prolog after all those bytes: no workbook writes that.
                raise SpreadsheetError(_damaged())
        except _Prolog as found:
            if found.doctype:
                raise SpreadsheetError(
                    _(
                        "The workbook's part %(part)s declares a document type, which no "
                        "spreadsheet needs and an attack on the server does: it is refused as "
                        "unsafe. Open the file in Excel, save it again and import the saved file."
                    )
                    % {"part": member.filename}
                ) from None
        except pyexpat.ExpatError:
            continue
        except (zipfile.BadZipFile, ValueError, EOFError, zlib.error, NotImplementedError):
            raise SpreadsheetError(_damaged()) from None


def _damaged() -> str:
    return _(
        "The file is damaged (perhaps cut short while copying or sending): it cannot be read. "
        "Open it in Excel, save it again and import the saved file."
    )


def _not_a_spreadsheet() -> str:
    return _(
        "This file is not a spreadsheet. Import an Excel workbook (.xlsx) or a CSV file; "
        "the template on this page shows the columns."
    )


def _read_xlsx(data: bytes, limits: Limits, known: Mapping[str, str] | None) -> Sheet:
    try:
        # read_only streams the sheet's rows; data_only=False shows formulas as formulas.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a hostile file can make the parser raise anything
        logger.info("Unreadable workbook refused", exc_info=True)
        raise SpreadsheetError(_damaged()) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_not_a_spreadsheet())
        for worksheet in workbook.worksheets:
            _check_size(worksheet.max_row or 0, worksheet.max_column or 0, limits)
            # The declared size may be wrong either way: every cell there is is read, and
            # counted while streaming, as if none were declared.
            worksheet.reset_dimensions()
        table = read_table(
            [
                (worksheet.title, lambda worksheet=worksheet: _worksheet_rows(worksheet, limits))
                for worksheet in workbook.worksheets
            ],
            known,
            limits.rows,
        )
    except SpreadsheetError:
        raise
    except TableError as error:
        raise SpreadsheetError(str(error)) from None
    except Exception:  # as above, while streaming the rows
        logger.info("Unreadable worksheet refused", exc_info=True)
        raise SpreadsheetError(_damaged()) from None
    finally:
        workbook.close()
    return Sheet(table.dataset, XLSX_KIND, table.parts, table.warnings)


def _worksheet_rows(worksheet: Any, limits: Limits) -> Iterator[Row]:
    """A worksheet's rows, as openpyxl's read-only reader streams them, within the limits; the
    kind of each formula and error cell is kept for :mod:`movement.spreadsheets.tables` to refuse it
    where its value would be imported."""
    longest = limits.cell_chars
    # Rows come one after the other from row 1, the missing ones as empty tuples.
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        _check_size(number, len(cells), limits)
        # A tuple: the cycle collector stops tracking a tuple of plain values, and a file's
        # rows are kept until its import ends.
        values = tuple([cell.value for cell in cells])
        odd = None
        for position, value in enumerate(values):
            if value is None:
                continue
            kind = cells[position].data_type
            if kind == "s":
                if len(value) > longest:
                    _check_cell(value, f"{get_column_letter(position + 1)}{number}", limits)
            elif kind == "f" or kind == "e":
                odd = odd or {}
                odd[position] = kind
        yield number, values, odd


def _check_size(rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.rows + 1:
        raise SpreadsheetError(
            _("The sheet has %(rows)s rows; a file to import may have at most %(limit)s.")
            % {"rows": grouped(rows), "limit": grouped(limits.rows)}
        )
    if columns > limits.columns:
        raise SpreadsheetError(
            _("The sheet has %(columns)s columns; a file to import may have at most %(limit)s.")
            % {"columns": columns, "limit": limits.columns}
        )


def _check_cell(value: str, where: str, limits: Limits) -> None:
    if len(value) > limits.cell_chars:
        raise SpreadsheetError(
            _("Cell %(cell)s holds %(count)s characters; a cell may hold at most %(limit)s.")
            % {"cell": where, "count": grouped(len(value)), "limit": grouped(limits.cell_chars)}
        )


# -- Text files -----------------------------------------------------------------------------


def _read_text(data: bytes, limits: Limits, known: Mapping[str, str] | None) -> Sheet:
    text, encoding = _decode(data)
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<?xml")):
        raise SpreadsheetError(
            _(
                "This is a web page or XML file saved under a spreadsheet's name. Open it in "
                "Excel and save it as “Excel Workbook (.xlsx)”."
            )
        )
    if CONTROL_CHARACTERS.search(text):
        raise SpreadsheetError(_not_a_spreadsheet())
    # Excel writes "CSV" with the list separator of Windows' region settings: a comma, or a
    # semicolon where the comma is the decimal mark; its "Unicode text" is tab-separated.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","

    def rows() -> Iterator[Row]:
        return _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), limits)

    try:
        table = read_table([("", rows)], known, limits.rows)
    except TableError as error:
        raise SpreadsheetError(str(error)) from None
    return Sheet(table.dataset, f"CSV ({encoding})", table.parts, table.warnings)


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding, told apart without asking.

    UTF-8 is tried strictly first: a file in an 8-bit encoding is almost never valid UTF-8,
    since its Vietnamese letters are single bytes above 127. Which 8-bit encoding, Windows-1258,
    TCVN3 or VNI, is told by movement.spreadsheets.encodings, which reads their letters as
    Unicode (NFC).
    """
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "UTF-16"
    except UnicodeDecodeError:
        raise SpreadsheetError(_not_a_spreadsheet()) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return decode_8bit(data)
    except MixedEncodings as mixed:
        raise SpreadsheetError(
            _(
                "Line %(utf8)s of the file is saved in UTF-8 but line %(other)s in an older "
                "encoding (Windows-1258, TCVN3 or VNI), so the letters of one of them would be "
                "read wrong: the lines were probably pasted from two files. Copy the rows into "
                "one Excel sheet from their original files and save it as “CSV UTF-8” or as an "
                "Excel Workbook (.xlsx)."
            )
            % {"utf8": mixed.utf8_line, "other": mixed.other_line}
        ) from None
    except UnicodeDecodeError:
        raise SpreadsheetError(_not_a_spreadsheet()) from None


def _csv_rows(reader: Any, limits: Limits) -> Iterator[Row]:
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            _check_size(number, len(values), limits)
            for column, value in enumerate(values, start=1):
                _check_cell(value, f"{get_column_letter(column)}{number}", limits)
            yield number, tuple(values), None
    except csv.Error:
        # The csv module refuses a cell past its own limit (128 KiB) or a broken quote.
        raise SpreadsheetError(
            _(
                "Row %(row)s cannot be read: a cell is longer than %(limit)s characters or a "
                "quotation mark is not closed."
            )
            % {"row": number + 1, "limit": limits.cell_chars}
        ) from None
