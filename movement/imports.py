"""Uploaded spreadsheets: what a file is, whether it is within the limits, its rows, and the
import of those rows with a report a person can act on.

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
of :mod:`movement.sheet_tables`.

:func:`import_file` reads a file and imports it with a resource, as a preview (``dry_run``) or for
good, and says what happened in an :class:`ImportReport`: rows new, updated, unchanged and
refused, each refusal with its spreadsheet row, its column and the reason. The admin's two steps
are :func:`preview_upload`, which keeps the rows it read, and :func:`confirm_upload`, which
imports those rows.
"""

import codecs
import csv
import datetime
import gc
import io
import logging
import pyexpat
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import tablib
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from import_export.results import Result, RowResult
from openpyxl.utils import get_column_letter

from movement.encodings import MixedEncodings, decode_8bit
from movement.models import PendingImport
from movement.row_import import sheet_of, sheet_row
from movement.sheet_tables import Row, SheetPart, TableError, read_table
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
    every sheet, and read down to a signature block (movement.sheet_tables); without it, the
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
    kind of each formula and error cell is kept for :mod:`movement.sheet_tables` to refuse it
    where its value would be imported."""
    longest = limits.cell_chars
    # Rows come one after the other from row 1, the missing ones as empty tuples.
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        _check_size(number, len(cells), limits)
        values = [cell.value for cell in cells]
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
            % {"rows": rows, "limit": limits.rows}
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
            % {"cell": where, "count": len(value), "limit": limits.cell_chars}
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
    TCVN3 or VNI, is told by movement.encodings, which reads their letters as Unicode (NFC).
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
            yield number, values, None
    except csv.Error:
        # The csv module refuses a cell past its own limit (128 KiB) or a broken quote.
        raise SpreadsheetError(
            _(
                "Row %(row)s cannot be read: a cell is longer than %(limit)s characters or a "
                "quotation mark is not closed."
            )
            % {"row": number + 1, "limit": limits.cell_chars}
        ) from None


# -- Uploads between preview and confirmation -----------------------------------------------
#
# The rows a preview read wait in the database (movement.models.PendingImport), which every app
# server shares, as JSON: a Python or Django upgrade cannot make them unreadable and a database
# row can never run code. The confirmation imports the rows the preview showed, without reading
# the file again.


class UploadUnavailable(SpreadsheetError):
    """A preview that cannot be confirmed or cancelled; ``pending`` is it, when it exists."""

    def __init__(self, message: str, pending: PendingImport | None = None) -> None:
        super().__init__(message)
        self.pending = pending


def sheet_to_json(sheet: Sheet) -> dict[str, Any]:
    """``sheet`` as JSON: each field of the dataclass by name, each value tagged with its type
    where JSON has none of its own, so that :func:`sheet_from_json` gives back the same sheet."""
    return {item.name: _to_json(getattr(sheet, item.name)) for item in fields(Sheet)}


def sheet_from_json(data: dict[str, Any]) -> Sheet:
    return Sheet(**{name: _from_json(value) for name, value in data.items()})


def _to_json(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is str:
        # PostgreSQL's jsonb holds no NUL character.
        return {"nul": value.split("\x00")} if "\x00" in value else value
    if kind is float:
        # Tagged, since jsonb keeps a number as a decimal: 1e20 would come back an int, -0.0 as 0.
        return {"float": repr(value)}
    if kind is datetime.datetime or kind is datetime.time:
        tag = kind.__name__
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        if zone is None and not value.fold:
            return {tag: value.isoformat()}
        # An offset alone would lose the zone (and a time's offset is unknown without it);
        # ISO 8601 has no fold (which of a repeated hour).
        stamp = value.replace(tzinfo=None) if zone else value
        return {tag: [stamp.replace(fold=0).isoformat(), zone, value.fold]}
    if kind is datetime.date:
        return {"date": value.isoformat()}
    if kind is datetime.timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if kind is list:
        return [_to_json(item) for item in value]
    if kind is tuple:
        return {"tuple": [_to_json(item) for item in value]}
    if kind is dict:
        return {"dict": [[_to_json(key), _to_json(item)] for key, item in value.items()]}
    if kind is SheetPart:
        return {"part": _to_json(list(astuple(value)))}
    if kind is tablib.Dataset:
        return {
            "dataset": {
                "headers": _to_json(value.headers),
                "rows": [[_to_json(cell) for cell in row] for row in value],
                "row_numbers": _to_json(getattr(value, "row_numbers", None)),
                "row_sheets": _to_json(getattr(value, "row_sheets", None)),
                "title": _to_json(value.title),
            }
        }
    raise TypeError(f"a {kind.__name__} cannot be kept between preview and confirmation")


def _from_json(value: Any) -> Any:
    if type(value) is list:
        return [_from_json(item) for item in value]
    if type(value) is not dict:
        return value
    ((tag, kept),) = value.items()
    if tag == "nul":
        return "\x00".join(kept)
    if tag == "float":
        return float(kept)
    if tag in ("datetime", "time"):
        kind = getattr(datetime, tag)
        if type(kept) is list:
            stamp, zone, fold = kept
            moment = kind.fromisoformat(stamp).replace(fold=fold)
            return moment.replace(tzinfo=ZoneInfo(zone)) if zone else moment
        return kind.fromisoformat(kept)
    if tag == "date":
        return datetime.date.fromisoformat(kept)
    if tag == "timedelta":
        return datetime.timedelta(*kept)
    if tag == "tuple":
        return tuple(_from_json(item) for item in kept)
    if tag == "dict":
        return {_from_json(key): _from_json(item) for key, item in kept}
    if tag == "dataset":
        dataset = tablib.Dataset(
            *(tuple(_from_json(cell) for cell in row) for row in kept["rows"]),
            headers=_from_json(kept["headers"]),
            title=_from_json(kept["title"]),
        )
        numbers = _from_json(kept["row_numbers"])
        if numbers is not None:
            dataset.row_numbers = numbers
        sheets = _from_json(kept.get("row_sheets"))
        if sheets is not None:
            dataset.row_sheets = sheets
        return dataset
    if tag == "part":
        return SheetPart(*_from_json(kept))
    raise ValueError(f"unknown tag {tag!r}")


def resource_path(resource: Any) -> str:
    return f"{type(resource).__module__}.{type(resource).__qualname__}"


def keep_upload(
    resource: Any,
    sheet: Sheet,
    *,
    user: Any = None,
    file_name: str = "",
    actions: list[str] | None = None,
) -> PendingImport:
    """Keep the rows of a previewed upload, and what the preview said each does, for its
    confirmation; its ``key`` confirms (or cancels) it."""
    # Previews past their expiry give back their rows' space; nothing else ends a preview.
    PendingImport.objects.expire()
    now = timezone.now()
    return PendingImport.objects.create(
        uploaded_by=user if user is not None and user.is_authenticated else None,
        resource=resource_path(resource),
        model=resource._meta.model._meta.label,
        file_name=file_name[:255],
        uploaded_at=now,
        expires_at=PendingImport.expiry_from(now),
        sheet=sheet_to_json(sheet),
        actions=actions or [],
    )


def pending_upload(
    resource: Any, upload: str, *, user: Any = None, with_rows: bool = False
) -> PendingImport:
    """The preview named ``upload``, still waiting, that ``user`` may confirm or cancel with
    ``resource``; otherwise :class:`UploadUnavailable` says why not. Its rows are read only
    ``with_rows``."""
    previews = PendingImport.objects.select_related("uploaded_by", "finished_by")
    try:
        pending = (previews if with_rows else previews.defer("sheet")).get(key=upload)
    except (PendingImport.DoesNotExist, ValidationError, ValueError):
        raise UploadUnavailable(
            _(
                "This preview is not kept: it never existed, or it ended long ago and was "
                "deleted. Upload the file again."
            )
        ) from None
    if not pending.may_be_ended_by(user):
        raise UploadUnavailable(
            _(
                "Only %(user)s, who uploaded this file, or an administrator may confirm or "
                "cancel its preview."
            )
            % {"user": user_name(pending.uploaded_by)},
            pending,
        )
    if pending.resource != resource_path(resource):
        model = apps.get_model(pending.model)
        raise UploadUnavailable(
            _("This preview is of a list of %(records)s: confirm it on that list's import page.")
            % {"records": model._meta.verbose_name_plural},
            pending,
        )
    refusal = ended(pending)
    if refusal is not None:
        raise refusal
    return pending


def ended(pending: PendingImport) -> UploadUnavailable | None:
    """Why ``pending`` can no longer be confirmed or cancelled, if it has ended."""
    if pending.expired:
        PendingImport.objects.filter(pk=pending.pk).expire()
        return UploadUnavailable(
            _(
                "This preview expired at %(time)s on %(date)s: a preview is kept %(hours)s "
                "hours. Upload the file again."
            )
            % {**when(pending.expires_at), "hours": settings.IMPORT_PREVIEW_HOURS},
            pending,
        )
    if pending.state == PendingImport.State.IMPORTED:
        return UploadUnavailable(
            _("This file was already imported by %(user)s at %(time)s on %(date)s.")
            % {"user": user_name(pending.finished_by), **when(pending.finished_at)},
            pending,
        )
    if pending.state == PendingImport.State.CANCELLED:
        return UploadUnavailable(
            _(
                "This preview was cancelled by %(user)s at %(time)s on %(date)s. Upload the file "
                "again to import it."
            )
            % {"user": user_name(pending.finished_by), **when(pending.finished_at)},
            pending,
        )
    return None


def user_name(user: Any) -> str:
    if user is None:
        return _("an unknown user")
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def when(moment: datetime.datetime) -> dict[str, str]:
    """A moment as a message says it, in the site's time zone: its time and its date."""
    local = timezone.localtime(moment)
    return {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


def _end(pending: PendingImport, state: str, user: Any) -> None:
    """Mark ``pending`` ended, unless another request ended it first (a second click on
    Confirm, a cancel in another tab): then say how that one ended it."""
    now = timezone.now()
    claimed = (
        PendingImport.objects.waiting()
        .filter(pk=pending.pk, expires_at__gt=now)
        .update(
            state=state,
            finished_by=user if user is not None and user.is_authenticated else None,
            finished_at=now,
            sheet=None,
        )
    )
    if not claimed:
        raise _ended_meanwhile(pending)


def _ended_meanwhile(pending: PendingImport) -> UploadUnavailable:
    """Why ``pending``, found waiting a moment ago, has ended since."""
    fresh = PendingImport.objects.select_related("finished_by").defer("sheet")
    pending = fresh.filter(pk=pending.pk).first() or pending
    return ended(pending) or UploadUnavailable(_damaged_upload(), pending)


def _damaged_upload() -> str:
    return _("This preview cannot be read any more. Upload the file again.")


def cancel_upload(resource: Any, upload: str, *, user: Any = None) -> PendingImport:
    """Cancel the preview named ``upload``: its rows are dropped, and a confirmation that comes
    later is told who cancelled it and when. Raises :class:`UploadUnavailable` as
    :func:`pending_upload` does."""
    pending = pending_upload(resource, upload, user=user)
    _end(pending, PendingImport.State.CANCELLED, user)
    return pending


# -- Importing ------------------------------------------------------------------------------


@dataclass
class Problem:
    """Why a row was refused: its spreadsheet row, its column ("" for the whole row), why."""

    row: int
    column: str
    message: str
    # The row's sheet, when the file's rows came from several.
    sheet: str = ""

    @property
    def place(self) -> str:
        return _place(self.sheet, self.row)


@dataclass
class PreviewRow:
    """A row as the preview shows it: what it does, its cells, the columns it changes, and, by
    cell, the records the cell was read as (none for a cell that names no record)."""

    row: int
    action: str
    values: list[Any]
    changed: list[str]
    sheet: str = ""
    matches: list[tuple[Match, ...]] = field(default_factory=list)

    @property
    def place(self) -> str:
        return _place(self.sheet, self.row)

    @property
    def without_marks(self) -> int:
        """How many of its cells named a record without the marks of its name."""
        return sum(match.without_marks for matches in self.matches for match in matches)


def _place(sheet: str, row: int) -> str:
    """A row in the preview's "Row" column: "Cá nhân, dòng 7" when the file has several sheets."""
    return _("%(sheet)s, row %(row)s") % {"sheet": sheet, "row": row} if sheet else str(row)


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
    expires_at: datetime.datetime | None = None
    # Where each sheet's header was read from, and how many rows each gave.
    parts: list[SheetPart] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.invalid

    @property
    def header_location(self) -> str:
        """Where the header of each sheet read was found, for the preview to say."""
        places = []
        for part in self.parts:
            row = str(part.header_row)
            if part.header_last_row != part.header_row:
                row += f"–{part.header_last_row}"
            if part.sheet:
                places.append(
                    ngettext(
                        "sheet “%(sheet)s”, row %(row)s: %(count)s row",
                        "sheet “%(sheet)s”, row %(row)s: %(count)s rows",
                        part.rows,
                    )
                    % {"sheet": part.sheet, "row": row, "count": part.rows}
                )
            else:
                places.append(_("row %(row)s") % {"row": row})
        if not places:
            return ""
        return _("Header read from %(places)s.") % {"places": "; ".join(places)}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file's rows are read and become records.

    An import keeps what it builds until it ends: for 10,000 awards some 240,000 containers
    (per row the sheet's row, import-export's RowResult, the award waiting for bulk_create, the
    preview's row; and every unit's name). The collector walks the whole process each time the
    survivors grow by a quarter: in a process of a server's size (80,000 objects), 14 full runs
    and 5.3 s of a 24 s preview and confirmation, against one run and 1.3 s paused (timed with
    gc.callbacks, 30/11/2026); without the pause the benchmark's import was 5.2 times a bare
    bulk_create, over its bar of 4. The import's objects hold cycles: the collector's first run
    after the pause frees them. The collector is the process's: if it is already paused (by
    another import, on another thread), it is left as it is.
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
            sheet = (
                data
                if isinstance(data, Sheet)
                else read_spreadsheet(data, limits, known=resource.column_aliases())
            )
        except SpreadsheetError as error:
            report.errors.append(str(error))
            return report
        report.kind = sheet.kind
        report.sheet = sheet
        report.parts = list(sheet.parts)
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
        report = describe(resource, dataset, result, report, dry_run=dry_run)
        # What the reading left out (sheets, signature blocks) is said before the columns.
        report.warnings[:0] = sheet.warnings
        return report


def preview_upload(
    resource: Any, data: bytes, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """The preview of an uploaded file. When every row can be imported, its rows wait in a
    :class:`~movement.models.PendingImport` for :func:`confirm_upload` (or
    :func:`cancel_upload`); ``report.upload`` names them and ``report.expires_at`` says until
    when they wait."""
    report = import_file(resource, data, dry_run=True, user=user, file_name=file_name)
    if report.ok and report.sheet is not None:
        pending = keep_upload(
            resource,
            report.sheet,
            user=user,
            file_name=file_name,
            actions=[row.action for row in report.rows],
        )
        report.upload = pending.key.hex
        report.expires_at = pending.expires_at
    return report


def confirm_upload(
    resource: Any, upload: str, *, user: Any = None, file_name: str = ""
) -> ImportReport:
    """Import, for good, the rows a preview kept as ``upload``: all of them, or none if the
    database no longer allows one (someone recorded the same award meanwhile), and then the
    preview still waits. Raises :class:`UploadUnavailable` when the rows cannot be confirmed:
    the preview has expired, was cancelled or imported already, or is another user's."""
    pending = pending_upload(resource, upload, user=user, with_rows=True)
    if pending.sheet is None:  # ended between the two reads
        raise _ended_meanwhile(pending)
    try:
        sheet = sheet_from_json(pending.sheet)
    except (TypeError, ValueError, KeyError, AttributeError):
        logger.warning("Unreadable preview %s", pending.pk, exc_info=True)
        raise UploadUnavailable(_damaged_upload(), pending) from None
    with transaction.atomic():
        # Claimed first, so that a second click imports nothing twice; undone if nothing is
        # written.
        _end(pending, PendingImport.State.IMPORTED, user)
        report = import_file(resource, sheet, dry_run=False, user=user, file_name=file_name)
        if report.written and pending.actions:
            refuse_changed_rows(report, pending.actions)
        if not report.written:
            transaction.set_rollback(True)
    return report


def refuse_changed_rows(report: ImportReport, previewed: list[str]) -> None:
    """Refuse the confirmation of ``report`` if a row now does something else than its preview
    said: a row shown as new that meets a record someone recorded meanwhile would otherwise
    update that record, and one shown unchanged would overwrite an edit made since."""
    for row, action in zip(report.rows, previewed, strict=False):
        if row.action != action:
            report.problems.append(
                Problem(
                    row.row,
                    "",
                    _(
                        "The preview showed this row as %(previewed)s, but the records have "
                        "changed since (someone else recorded or edited them): it would now be "
                        "%(now)s. Upload the file again to see the rows as they are now."
                    )
                    % {"previewed": ACTION_NAMES[action], "now": ACTION_NAMES[row.action]},
                    row.sheet,
                )
            )
    if len(report.rows) != len(previewed):
        report.errors.append(
            _("The rows are no longer those of the preview. Upload the file again.")
        )
    report.written = report.ok


ACTION_NAMES = {
    "new": _lazy("a new record"),
    "update": _lazy("an update of a recorded one"),
    "skip": _lazy("unchanged"),
}


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
                    sheet_of(dataset, number),
                )
            )
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else resource.column_of(name)
            for message in messages:
                report.problems.append(
                    Problem(
                        sheet_row(dataset, invalid.number),
                        column,
                        message,
                        sheet_of(dataset, invalid.number),
                    )
                )
    # Sheets in the file's order, rows in each sheet's.
    order = {part.sheet: position for position, part in enumerate(report.parts)}
    report.problems.sort(
        key=lambda problem: (order.get(problem.sheet, 0), problem.row, problem.column)
    )
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
                sheet_of(dataset, number),
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
