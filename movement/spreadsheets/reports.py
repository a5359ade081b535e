"""What an import did, as a person can act on it: rows new, updated, unchanged and refused,
each refusal with its spreadsheet row, its column and the reason (:class:`ImportReport`, filled
by :func:`describe` from import-export's result).
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import Result, RowResult

from movement.spreadsheets.files import Sheet
from movement.spreadsheets.names import Match, match_reader
from movement.spreadsheets.rows import sheet_of, sheet_row
from movement.spreadsheets.tables import SheetPart

logger = logging.getLogger(__name__)


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


@dataclass(slots=True)
class PreviewRow:
    """A row as the preview shows it: what it does, its cells, the columns it changes, and, by
    cell, the records the cell was read as (none for a cell that names no record).

    An import keeps one for each of its rows until it ends. Its cells, columns and matches are
    tuples of plain values, which Python's cycle collector stops tracking after its first look
    (lists it would walk on each of its full collections): with them, a file of 10,000 rows
    kept 30,000 more containers alive, and the collector ran more often and for longer.
    """

    row: int
    action: str
    values: tuple[Any, ...]
    changed: tuple[str, ...]
    sheet: str = ""
    matches: tuple[tuple[Match, ...], ...] = ()
    # The key and version of the record it updates or leaves unchanged, as the row read it.
    record: tuple[Any, int] | None = None

    @property
    def place(self) -> str:
        return _place(self.sheet, self.row)

    @property
    def records(self) -> str:
        """The keys of the records its cells were read as, cell by cell (";" between cells, ","
        between the records of one cell): what the confirmation checks it still reads."""
        return RECORDS_BETWEEN_CELLS.join(keys_of(matches) for matches in self.matches)

    @property
    def without_marks(self) -> int:
        """How many of its cells named a record without the marks of its name."""
        return sum(match.without_marks for matches in self.matches for match in matches)


RECORDS_BETWEEN_CELLS = ";"


def keys_of(matches: tuple[Match, ...]) -> str:
    """The keys of the records one cell was read as, as :attr:`PreviewRow.records` has them."""
    return ",".join(str(match.pk) for match in matches)


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
    # Rows that may be imported but that a rule advises against (an award the rules of
    # eligibility do not support): shown, never refused.
    row_warnings: list[Problem] = field(default_factory=list)
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


def base_error_message(error: Exception) -> str:
    """What to tell a person of an error that stopped the whole import."""
    if isinstance(error, IntegrityError):
        # Every row was checked against the stored records (uniqueness.clashes, the names'
        # lookups) before the write: the database refusing it means another user changed them
        # meanwhile (recorded the same record, deleted one a row names). Its own words name
        # tables and columns, in English.
        return _(
            "Another user changed records this file writes or names while it was being "
            "imported. Nothing was imported: import the file again to check its rows "
            "against the records as they are now."
        )
    return str(error)


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
        report.errors.append(base_error_message(error.error))
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
    instances = []
    for row_result in result.rows:
        action = actions.get(row_result.import_type)
        number = getattr(row_result, "number", None)
        if action is None or number is None:
            continue
        values = getattr(row_result, "row_values", None) or {}
        instance = getattr(row_result, "instance", None)
        instances.append(instance)
        report.rows.append(
            PreviewRow(
                sheet_row(dataset, number),
                action,
                tuple([values.get(header) for header in report.headers]),
                getattr(row_result, "changed_columns", ()),
                sheet_of(dataset, number),
                tuple(
                    [
                        read(instance, values) if read is not None and instance is not None else ()
                        for read in readers
                    ]
                ),
                record=getattr(row_result, "record_read", None),
            )
        )
    notes = getattr(resource, "file_warnings", None)
    if dry_run and notes is not None and report.rows:
        report.warnings += notes(instances, [row.row for row in report.rows])
    advise = getattr(resource, "row_warnings", None)
    if dry_run and advise is not None and report.rows:
        # Asked of the whole file at once, so that the resource can check it in bulk.
        for row, warning in zip(report.rows, advise(instances), strict=True):
            if warning:
                report.row_warnings.append(Problem(row.row, "", warning, row.sheet))
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
