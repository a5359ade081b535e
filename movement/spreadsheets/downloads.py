"""Downloads of a list: its rows as a CSV streamed as it is written, or as an Excel file written
during the request (movement.spreadsheets.exports); bigger Excel exports are written in the
background (movement.tasks) and downloaded from their page (movement.spreadsheets.admin).
"""

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from movement.spreadsheets.exports import (
    CSV_TYPE,
    SPOOL_BYTES,
    XLSX_TYPE,
    file_name,
    iter_csv,
    write_xlsx,
)
from movement.spreadsheets.resources import (
    MovementResource,
)


def csv_response(
    resource: MovementResource,
    queryset: QuerySet,
    *,
    selected: list[str] | None = None,
    name: str | None = None,
) -> StreamingHttpResponse:
    """A CSV download streamed as it is written: no size makes it time out or fill memory."""
    response = StreamingHttpResponse(
        (text.encode("utf-8") for text in iter_csv(resource, queryset, selected=selected)),
        content_type=CSV_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        True, name or file_name(resource, "csv")
    )
    return response


def xlsx_response(
    resource: MovementResource,
    queryset: QuerySet,
    *,
    selected: list[str] | None = None,
    name: str | None = None,
) -> HttpResponse:
    """An Excel download written during the request, for exports under the background limit."""
    # FileResponse closes the file once sent.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    write_xlsx(resource, queryset, file, selected=selected)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=name or file_name(resource, "xlsx"),
        content_type=XLSX_TYPE,
    )


def export_response(
    resource: MovementResource,
    queryset: QuerySet,
    fmt: str,
    *,
    selected: list[str] | None = None,
    name: str | None = None,
) -> HttpResponse:
    """``fmt`` ("xlsx" or "csv") of ``queryset``, for the public list pages and the admin."""
    if fmt == "csv":
        return csv_response(resource, queryset, selected=selected, name=name)
    return xlsx_response(resource, queryset, selected=selected, name=name)
