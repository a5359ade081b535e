"""Uploaded spreadsheets: what a file is, whether it is within the limits, its rows, and the
import of those rows with a report a person can act on.

A file is told by its bytes, never by its name: an Excel workbook (.xlsx), a CSV saved by Excel in
UTF-8 (with or without a byte-order mark) or in Windows-1258 (what Excel on a Vietnamese Windows
writes as "CSV"), or a tab-separated "Unicode text" file. Anything else is refused with a message
saying what to do instead; so is a file past the limits in settings (IMPORT_MAX_*): a zip bomb by
the sizes its directory declares before openpyxl opens it, a sheet of too many rows or columns by
its declared size and again while streaming, a cell longer than Excel allows. Formulas, error
cells and macros are refused too: an import takes values, as a person sees them.

:func:`import_file` reads a file and imports it with a resource, as a preview (``dry_run``) or for
good, and says what happened in an :class:`ImportReport`: rows new, updated, unchanged and
refused, each refusal with its spreadsheet row, its column and the reason. The admin's two steps
are :func:`preview_upload`, which keeps the rows it read, and :func:`confirm_upload`, which
imports those rows.
"""

import codecs
import csv
import gc
import io
import logging
import pickle
import pyexpat
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import openpyxl
import tablib
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import Result, RowResult
from import_export.tmp_storages import BaseStorage
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from movement.row_import import sheet_row
from movement.widgets import Match, match_reader

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
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass
class Sheet:
    """A file's rows: the dataset, the spreadsheet row of each of its rows, and what it was."""

    dataset: tablib.Dataset
    kind: str


XLSX_KIND = "Excel (.xlsx)"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Members a zip may hold before it is taken for a bomb of another kind (a million empty files).
MAX_ZIP_MEMBERS = 10_000
# Below this, a high compression ratio is harmless (a nearly empty sheet compresses very well).
RATIO_FLOOR_BYTES = 1024 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_spreadsheet(data: bytes, limits: Limits | None = None) -> Sheet:
    """The rows of an uploaded file, or :class:`SpreadsheetError` saying why it is refused."""
    limits = limits or Limits.from_settings()
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    if len(data) > limits.upload_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s; a file to import may be at most %(limit)s.")
            % {"size": megabytes(len(data)), "limit": megabytes(limits.upload_bytes)}
        )
    if data.startswith(ZIP_MAGIC):
        return _read_zip(data, limits)
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "This is an old-style Excel file (.xls) or a workbook with a password. Open it "
                "in Excel, remove any password, and save it as “Excel Workbook (.xlsx)”."
            )
        )
    return _read_text(data, limits)


# -- Workbooks ------------------------------------------------------------------------------


def _read_zip(data: bytes, limits: Limits) -> Sheet:
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
    return _read_xlsx(data, limits)


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


def _read_xlsx(data: bytes, limits: Limits) -> Sheet:
    try:
        # read_only streams the sheet's rows; data_only=False shows formulas as formulas.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a hostile file can make the parser raise anything
        logger.info("Unreadable workbook refused", exc_info=True)
        raise SpreadsheetError(_damaged()) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_not_a_spreadsheet())
        sheet = workbook.worksheets[0]
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        _check_size(declared_rows, declared_columns, limits)
        # The declared size may be wrong either way: read every cell there is, and count.
        dataset = _dataset(_xlsx_rows(workbook, sheet, limits), limits)
    except SpreadsheetError:
        raise
    except Exception:  # as above, while streaming the rows
        logger.info("Unreadable worksheet refused", exc_info=True)
        raise SpreadsheetError(_damaged()) from None
    finally:
        workbook.close()
    return Sheet(dataset, XLSX_KIND)


def _check_size(rows: int, columns: int, limits: Limits) -> None:
    if rows > limits.rows + 1:
        raise SpreadsheetError(
            _("The sheet has %(rows)s rows; a file to import may have at most %(limit)s.")
            % {"rows": rows, "limit": limits.rows}
        )
    if columns > limits.columns:
        raise SpreadsheetError(
            _("The sheet has %(columns)s columns; a file to import may have at most %(limit)s.")
            % {"columns": columns, "limit": limits.columns}
        )


# The elements of a worksheet that hold values, as expat names them (namespace, space, tag).
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _VALUE, _FORMULA, _TEXT, _PHONETIC = (
    f"{_MAIN} {tag}" for tag in ("row", "c", "v", "f", "t", "rPh")
)
_CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_DIGITS = "0123456789"


class _SheetParser:
    """The cells of a worksheet's XML, row by row, as openpyxl's reader would give them.

    openpyxl builds an element and several objects for each cell, which takes twice as long as
    reading the few elements that make a value: a row (``row``), its cells (``c``), a cell's
    value (``v``), inline text (``t``, but not a phonetic guide's, ``rPh``) and formula (``f``).
    A document type declaration, which a worksheet never needs and an entity bomb does, is
    refused.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[int, list[list[Any]]]] = []
        self.row = 0
        self.column = 0
        self.cells: list[list[Any]] = []
        # The cell being read: [column, type, style, value, inline text, formula].
        self.cell: list[Any] | None = None
        self.text: list[str] | None = None
        self.phonetic = 0
        # Column numbers by their letters, read once.
        self.columns: dict[str, int] = {}
        # Names come back as these very strings, which compare at once.
        names = {name: name for name in (_ROW, _CELL, _VALUE, _FORMULA, _TEXT, _PHONETIC)}
        parser = pyexpat.ParserCreate(namespace_separator=" ", intern=names)
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self.refuse
        parser.EntityDeclHandler = self.refuse
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        self.parser = parser

    @staticmethod
    def refuse(*args: Any) -> None:
        raise ValueError("a worksheet with a document type declaration")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _CELL:
            reference = attributes.get("r")
            if reference:
                letters = reference.rstrip(_DIGITS)
                column = self.columns.get(letters)
                if column is None:
                    match = _CELL_REFERENCE.match(reference)
                    if match is None:
                        raise ValueError(f"cell reference {reference!r}")
                    column = column_index_from_string(match.group(1).upper())
                    self.columns[letters] = column
                self.column = column
            else:
                self.column += 1
            self.cell = [
                self.column,
                attributes.get("t", "n"),
                attributes.get("s"),
                None,
                None,
                None,
            ]
        elif name in (_VALUE, _FORMULA):
            self.text = []
        elif name == _TEXT:
            if self.cell is not None and not self.phonetic:
                self.text = []
        elif name == _ROW:
            number = attributes.get("r")
            # openpyxl reads "5.0" as row 5 too.
            self.row = int(float(number)) if number else self.row + 1
            self.column = 0
            self.cells = []
        elif name == _PHONETIC:
            self.phonetic += 1

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        if name == _CELL:
            self.cells.append(self.cell)
            self.cell = None
        elif name == _VALUE:
            self.cell[3] = "".join(self.text)
            self.text = None
        elif name == _TEXT:
            if self.text is not None:
                self.cell[4] = (self.cell[4] or "") + "".join(self.text)
                self.text = None
        elif name == _ROW:
            self.rows.append((self.row, self.cells))
        elif name == _FORMULA:
            self.cell[5] = "=" + "".join(self.text)
            self.text = None
        elif name == _PHONETIC:
            self.phonetic -= 1


def _xlsx_rows(workbook: Any, sheet: Any, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows, read from its XML by :class:`_SheetParser`; the rest of the
    workbook (which part is that sheet, its shared strings, which styles show dates) is read
    by openpyxl."""
    formats = (workbook._date_formats, workbook._timedelta_formats, workbook.epoch)
    parser = _SheetParser()
    with workbook._archive.open(sheet._worksheet_path) as source:
        while True:
            chunk = source.read(1 << 16)
            parser.parser.Parse(chunk, not chunk)
            for number, cells in parser.rows:
                yield number, _row_values(number, cells, sheet._shared_strings, formats, limits)
            parser.rows.clear()
            if not chunk:
                return


def _row_values(
    number: int, cells: list[list[Any]], strings: list[str], formats: tuple, limits: Limits
) -> list[Any]:
    width = max((cell[0] for cell in cells), default=0)
    _check_size(number, width, limits)
    values: list[Any] = [None] * width
    for column, kind, style, text, inline, formula in cells:
        # A cell is named only in a message: most cells need no name.
        if formula is not None:
            where = f"{get_column_letter(column)}{number}"
            raise SpreadsheetError(
                _(
                    "Cell %(cell)s holds a formula (%(formula)s). An import takes values only: "
                    "copy the sheet and paste it as values (Paste Special › Values), then "
                    "import again."
                )
                % {"cell": where, "formula": formula[:40]}
            )
        value = _cell_value(kind, style, text, inline, strings, formats)
        if kind == "e" or value is _ERROR:
            where = f"{get_column_letter(column)}{number}"
            raise SpreadsheetError(
                _("Cell %(cell)s shows the error %(error)s: correct it and import again.")
                % {"cell": where, "error": text if kind == "e" else "#VALUE!"}
            )
        if isinstance(value, str) and len(value) > limits.cell_chars:
            _check_cell(value, f"{get_column_letter(column)}{number}", limits)
        values[column - 1] = value
    return values


# A date cell whose number is no date (openpyxl shows it as the error #VALUE!).
_ERROR = object()


def _cell_value(
    kind: str,
    style: str | None,
    text: str | None,
    inline: str | None,
    strings: list[str],
    formats: tuple[set[int], set[int], Any],
) -> Any:
    """A cell's value as openpyxl reads it (openpyxl.worksheet._reader.WorkSheetParser)."""
    if kind == "inlineStr":
        return inline
    if not text:
        return None
    if kind == "n":
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        dates, durations, epoch = formats
        if style and int(style) in dates:
            try:
                return from_excel(number, epoch, timedelta=int(style) in durations)
            except (OverflowError, ValueError):
                return _ERROR
        return number
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text


def _check_cell(value: str, where: str, limits: Limits) -> None:
    if len(value) > limits.cell_chars:
        raise SpreadsheetError(
            _("Cell %(cell)s holds %(count)s characters; a cell may hold at most %(limit)s.")
            % {"cell": where, "count": len(value), "limit": limits.cell_chars}
        )


# -- Text files -----------------------------------------------------------------------------


def _read_text(data: bytes, limits: Limits) -> Sheet:
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return Sheet(_dataset(_csv_rows(reader, limits), limits), f"CSV ({encoding})")


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding, told apart without asking.

    UTF-8 is tried strictly first: a Windows-1258 file is almost never valid UTF-8, since its
    Vietnamese letters are single bytes above 127. Windows-1258 writes tones as combining marks
    after the letter, so the text is normalised to NFC, as names are stored.
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
        return unicodedata.normalize("NFC", data.decode("cp1258")), "Windows-1258"
    except UnicodeDecodeError:
        raise SpreadsheetError(_not_a_spreadsheet()) from None


def _csv_rows(reader: Any, limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            _check_size(number, len(values), limits)
            for column, value in enumerate(values, start=1):
                _check_cell(value, f"{get_column_letter(column)}{number}", limits)
            yield number, values
    except csv.Error:
        # The csv module refuses a cell past its own limit (128 KiB) or a broken quote.
        raise SpreadsheetError(
            _(
                "Row %(row)s cannot be read: a cell is longer than %(limit)s characters or a "
                "quotation mark is not closed."
            )
            % {"row": number + 1, "limit": limits.cell_chars}
        ) from None


# -- Rows -----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _dataset(rows: Iterable[tuple[int, list[Any]]], limits: Limits) -> tablib.Dataset:
    """A dataset of the rows under the first non-blank row, its header.

    Blank rows are skipped; the spreadsheet row of each kept row is kept in ``row_numbers``,
    so a message can say where to look. A value in a column without a header refuses the file
    rather than being lost.
    """
    headers: list[str] | None = None
    unnamed: list[int] = []
    dataset = tablib.Dataset()
    numbers: list[int] = []
    for number, values in rows:
        if all(_blank(value) for value in values):
            continue
        if headers is None:
            headers = [
                unicodedata.normalize("NFC", str(value)).strip() if not _blank(value) else ""
                for value in values
            ]
            while headers and not headers[-1]:
                headers.pop()
            dataset.headers = headers
            unnamed = [position for position, header in enumerate(headers) if not header]
            continue
        # Only the cells past the last header, or under an empty one, have no header.
        for position in [*unnamed, *range(len(headers), len(values))]:
            if position < len(values) and not _blank(values[position]):
                raise SpreadsheetError(
                    _(
                        "Cell %(cell)s has a value but its column has no header. Give the column "
                        "a header or empty the cell."
                    )
                    % {"cell": f"{get_column_letter(position + 1)}{number}"}
                )
        row = list(values[: len(headers)])
        row += [None] * (len(headers) - len(row))
        dataset.append(row)
        numbers.append(number)
    if headers is None:
        raise SpreadsheetError(_("The file has no rows."))
    # Columns without a header (and so without values) are no columns.
    for position in reversed(range(len(headers))):
        if not headers[position]:
            del dataset[dataset.headers[position]]
    dataset.row_numbers = numbers
    return dataset


# -- Uploads between preview and confirmation -----------------------------------------------


class UploadStorage(BaseStorage):
    """An upload waiting for its confirmation: its rows as the preview read them, in the database
    cache that every app server shares (settings.CACHES["spreadsheets"]), never on one server's
    disk. The confirmation imports the rows the preview showed, without reading the file again."""

    PREFIX = "movement-upload-"

    @staticmethod
    def cache() -> Any:
        return caches["spreadsheets"]

    def save(self, sheet: Sheet) -> None:
        if not self.name:
            self.name = uuid4().hex
        dataset = sheet.dataset
        rows = (sheet.kind, dataset.headers, [tuple(row) for row in dataset], dataset.row_numbers)
        # Compressed a little: rows repeat their names, dates and years thousands of times.
        self.cache().set(self.PREFIX + self.name, zlib.compress(pickle.dumps(rows), 1))

    def read(self) -> Sheet:
        kept = self.cache().get(self.PREFIX + (self.name or ""))
        if kept is None:
            raise SpreadsheetError(
                _("The uploaded file is no longer kept (after two hours). Upload it again.")
            )
        # Written by save() above into the project's own cache, never by a user.
        kind, headers, rows, numbers = pickle.loads(zlib.decompress(kept))  # noqa: S301
        dataset = tablib.Dataset(*rows, headers=headers)
        dataset.row_numbers = numbers
        return Sheet(dataset, kind)

    def remove(self) -> None:
        self.cache().delete(self.PREFIX + (self.name or ""))


# -- Importing ------------------------------------------------------------------------------


@dataclass
class Problem:
    """Why a row was refused: its spreadsheet row, its column ("" for the whole row), why."""

    row: int
    column: str
    message: str


@dataclass
class PreviewRow:
    """A row as the preview shows it: what it does, its cells, the columns it changes, and, by
    cell, the records the cell was read as (none for a cell that names no record)."""

    row: int
    action: str
    values: list[Any]
    changed: list[str]
    matches: list[tuple[Match, ...]] = field(default_factory=list)

    @property
    def without_marks(self) -> int:
        """How many of its cells named a record without the marks of its name."""
        return sum(match.without_marks for matches in self.matches for match in matches)


@dataclass
class ImportReport:
    file_name: str = ""
    kind: str = ""
    headers: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    written: bool = False
    result: Result | None = None
    # The rows read, and where they wait for the confirmation (preview_upload).
    sheet: Sheet | None = None
    upload: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.invalid


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file's rows are read and become records.

    An import builds a few hundred thousand objects (cells, rows, records, results) that all
    live until it ends. The collector runs each time the objects that survived it grow by a
    quarter, and each run walks every object of the process again to free almost none: for a
    file of 10,000 awards, 2.2 of its 10 s (timed with gc.callbacks), while collecting after an
    import made without it found 1,605 objects to free. Reference counting still frees whatever
    the import drops. The collector is the process's: if it is already paused (by another
    import, on another thread), it is left as it is.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def import_file(
    resource: Any,
    data: bytes | Sheet,
    *,
    dry_run: bool,
    user: Any = None,
    file_name: str = "",
    limits: Limits | None = None,
) -> ImportReport:
    """Read ``data`` (or take the rows already read from it) and import its rows with
    ``resource`` (a MovementResource instance).

    All rows or none: with ``dry_run`` nothing is written; otherwise everything is, in one
    transaction, only if no row is refused.
    """
    report = ImportReport(file_name=file_name)
    with collector_paused():
        try:
            sheet = data if isinstance(data, Sheet) else read_spreadsheet(data, limits)
        except SpreadsheetError as error:
            report.errors.append(str(error))
            return report
        report.kind = sheet.kind
        report.sheet = sheet
        dataset = sheet.dataset
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            file_name=file_name,
            retain_instance_in_row_result=True,
        )
        return describe(resource, dataset, result, report, dry_run=dry_run)


def preview_upload(
    resource: Any, data: bytes, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """The preview of an uploaded file. When every row can be imported, its rows wait in an
    :class:`UploadStorage` for :func:`confirm_upload`; ``report.upload`` names them."""
    report = import_file(resource, data, dry_run=True, user=user, file_name=file_name)
    if report.ok and report.sheet is not None:
        storage = UploadStorage()
        storage.save(report.sheet)
        report.upload = storage.name
    return report


def confirm_upload(
    resource: Any, upload: str, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """Import, for good, the rows a preview kept as ``upload``: all of them, or none if the
    database no longer allows one (someone recorded the same award meanwhile). Raises
    :class:`SpreadsheetError` when the rows are no longer kept."""
    storage = UploadStorage(name=upload)
    report = import_file(resource, storage.read(), dry_run=False, user=user, file_name=file_name)
    if report.written:
        storage.remove()
    return report


def describe(
    resource: Any, dataset: tablib.Dataset, result: Result, report: ImportReport, *, dry_run: bool
) -> ImportReport:
    """Fill ``report`` from an import's result."""
    report.result = result
    report.headers = list(dataset.headers or [])
    report.warnings = list(getattr(result, "warnings", []))
    totals = result.totals
    report.new = totals[RowResult.IMPORT_TYPE_NEW]
    report.updated = totals[RowResult.IMPORT_TYPE_UPDATE]
    report.unchanged = totals[RowResult.IMPORT_TYPE_SKIP]
    report.invalid = totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR]
    for error in result.base_errors:
        report.errors.append(str(error.error))
        if error.traceback and not isinstance(error.error, ValueError):
            logger.warning("Import failed: %s", error.traceback)
    for number, errors in result.row_errors():
        for error in errors:
            logger.warning("Import of row %s failed: %s", number, error.traceback)
            report.problems.append(
                Problem(
                    sheet_row(dataset, number),
                    "",
                    _("This row could not be imported (%(error)s).") % {"error": error.error},
                )
            )
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else resource.column_of(name)
            for message in messages:
                report.problems.append(Problem(sheet_row(dataset, invalid.number), column, message))
    report.problems.sort(key=lambda problem: (problem.row, problem.column))
    actions = {
        RowResult.IMPORT_TYPE_NEW: "new",
        RowResult.IMPORT_TYPE_UPDATE: "update",
        RowResult.IMPORT_TYPE_SKIP: "skip",
    }
    model = resource._meta.model
    columns = {column.column_name: column for column in resource.get_import_fields()}
    readers = [
        match_reader(columns[header], model) if header in columns else None
        for header in report.headers
    ]
    for row_result in result.rows:
        action = actions.get(row_result.import_type)
        number = getattr(row_result, "number", None)
        if action is None or number is None:
            continue
        values = getattr(row_result, "row_values", None) or {}
        instance = getattr(row_result, "instance", None)
        report.rows.append(
            PreviewRow(
                sheet_row(dataset, number),
                action,
                [values.get(header) for header in report.headers],
                getattr(row_result, "changed_columns", []),
                [
                    read(instance, values) if read is not None and instance is not None else ()
                    for read in readers
                ],
            )
        )
    without_marks = sum(row.without_marks for row in report.rows)
    if without_marks:
        report.warnings.append(
            ngettext(
                "%(count)s cell names a record without the marks of its name: check that it "
                "is the one meant (marked “matched without diacritics” below).",
                "%(count)s cells name a record without the marks of its name: check that each "
                "is the one meant (marked “matched without diacritics” below).",
                without_marks,
            )
            % {"count": without_marks}
        )
    report.written = not dry_run and report.ok
    return report
