"""The import of a file's rows: :func:`import_file` reads a file (or takes the rows already
read from it) and imports it with a resource, as a preview (``dry_run``) or for good, and says
what happened in an :class:`~movement.spreadsheets.reports.ImportReport`.
"""

from typing import Any

from movement.spreadsheets.files import Limits, Sheet, SpreadsheetError, read_spreadsheet
from movement.spreadsheets.reports import ImportReport, describe


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
