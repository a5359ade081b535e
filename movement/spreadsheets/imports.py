"""The import of a file's rows: :func:`import_file` reads a file (or takes the rows already
read from it) and imports it with a resource, as a preview (``dry_run``) or for good, and says
what happened in an :class:`~movement.spreadsheets.reports.ImportReport`.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from movement.spreadsheets.files import Limits, Sheet, SpreadsheetError, read_spreadsheet
from movement.spreadsheets.reports import ImportReport, describe


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
