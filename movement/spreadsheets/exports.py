"""Spreadsheets out: a resource's rows as an Excel workbook or a CSV file, in constant memory.

The rows are the resource's own (movement.spreadsheets.resources): Vietnamese headers, related
records by name, every cell a spreadsheet would run as a formula neutralised. Where each of a
resource's columns can be read straight from the database (most of them), rows are read as plain
values in chunks, with no model instance and no query per row; otherwise (a task's units, a unit
tree) through the resource's export of each record, also in chunks. Either way the cells are
the same as ``Resource.export()`` gives, which the tests check column by column.

An Excel file is written by openpyxl in write-only mode, with a frozen header row, column widths
from the first rows, and dates as real dates shown dd/mm/yyyy. A CSV is UTF-8 with a byte-order
mark, so Excel reads Vietnamese letters right, and can be streamed as it is written.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any

import openpyxl
from django import forms
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.text import slugify
from import_export import fields
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from movement.spreadsheets.cells import DateWidget
from movement.spreadsheets.names import NamedRecordWidget
from movement.spreadsheets.resources import (
    AwardResource,
    GroupField,
    MovementResource,
    escape_formula,
    formula_text,
)
from movement.text import fold

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CHUNK_SIZE = 2000
# Rows read to size the columns before the first is written (write-only sheets cannot go back).
WIDTH_SAMPLE = 200
MAX_WIDTH = 60
DATE_FORMAT = "dd/mm/yyyy"
# An Excel file is kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 20 * 1024 * 1024
# What a workbook cannot hold: the control characters openpyxl refuses, and the two
# noncharacters XML excludes, which openpyxl writes and no reader (Excel included) opens.
UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    """How one column's cell is made from the values a query reads."""

    lookups: tuple[str, ...]
    cell: Callable[..., Any]


def value_columns(
    resource: MovementResource, export_fields: list[fields.Field], *, native: bool
) -> list[Column] | None:
    """The columns as functions of plain values, or None when one of them needs the record."""
    if type(resource).filter_export is not MovementResource.filter_export:
        return None
    columns = []
    for field in export_fields:
        name = resource.get_field_name(field)
        widget = field.widget
        if callable(getattr(resource, field.get_dehydrate_method(name), None)):
            return None
        if isinstance(field, GroupField):
            columns.append(
                Column(
                    ("group_count", "group_kind"),
                    lambda count, kind, widget=widget: widget.render((count, kind)),
                )
            )
        elif isinstance(widget, NamedRecordWidget):
            columns.append(
                Column(tuple(widget.export_lookups(field.attribute)), widget.written_from)
            )
        elif (
            type(field) is not fields.Field
            or isinstance(widget, (ForeignKeyWidget, ManyToManyWidget))
            or not field.attribute
        ):
            return None
        else:
            columns.append(
                Column(
                    (field.attribute,),
                    lambda value, widget=widget: widget.render(value, force_native_type=native),
                )
            )
    return columns


def export_rows(
    resource: MovementResource,
    queryset: QuerySet,
    *,
    native: bool,
    selected: list[str] | None = None,
) -> Iterator[list[Any]]:
    """The rows of ``queryset`` as the resource writes them, formulas neutralised; ``native``
    keeps dates and numbers as such, for a workbook."""
    export_fields = resource.get_export_fields(selected)
    columns = value_columns(resource, export_fields, native=native)
    if columns is None:
        records = resource.iter_queryset(resource.filter_export(queryset))
        for record in records:
            yield resource.export_resource(record, selected, force_native_type=native)
        return
    lookups = [lookup for column in columns for lookup in column.lookups]
    spans = []
    start = 0
    for column in columns:
        spans.append((start, start + len(column.lookups), column.cell))
        start += len(column.lookups)
    for values in queryset.values_list(*lookups).iterator(chunk_size=CHUNK_SIZE):
        yield [escape_formula(cell(*values[begin:end])) for begin, end, cell in spans]


def public_columns(resource: MovementResource) -> list[str]:
    """The resource's columns that hold only what the public pages show: its model's
    ``PUBLIC_FIELDS`` (a column through a relation counts by its first field)."""
    public = resource._meta.model.PUBLIC_FIELDS
    return [
        resource.get_field_name(field)
        for field in resource.get_export_fields()
        if field.attribute and field.attribute.split("__")[0] in public
    ]


def export_headers(resource: MovementResource, selected: list[str] | None = None) -> list[str]:
    return resource.get_export_headers(selected)


# A file name's length before its extension: long enough for a few filters, short enough for
# Windows paths and e-mail attachments.
NAME_LENGTH = 100


def file_name(resource: MovementResource, extension: str, filters: Iterable[Any] = ()) -> str:
    """A plain ASCII name that says what the file holds: the records, then the filters that chose
    them (a year, a record by its code, a word), as in "khen-thuong-2016-phong-tham-muu.xlsx".
    In Vietnamese whatever the interface's language, so that a file keeps its name when shared."""
    parts = [resource._meta.model._meta.verbose_name_plural, *filters]
    with translation.override(settings.LANGUAGE_CODE):
        records, *chosen = [
            slugify(fold(str(getattr(part, "slug", None) or part))) for part in parts
        ]
    # "phong-trao-thi-dua", not "phong-trao-phong-trao-thi-dua" for the campaigns of that kind.
    words = [records, *(word.removeprefix(f"{records}-") for word in chosen)]
    stem = "-".join(word for word in words if word)[:NAME_LENGTH].strip("-")
    return f"{stem or 'export'}.{extension}"


def chosen_filters(form: forms.Form) -> list[Any]:
    """What a valid filter form of a public list chose, for file_name: the year first, a record
    as itself, a choice by its label; not the sort order."""
    chosen = []
    for name, value in form.cleaned_data.items():
        if name == "sort" or value in (None, "", []):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(value, Model):
            value = dict(field.choices).get(value, value)
        chosen.append(value)
    return sorted(chosen, key=lambda value: not isinstance(value, int))


# -- Excel ----------------------------------------------------------------------------------


def column_widths(headers: list[str], rows: Iterable[list[Any]]) -> list[float]:
    widths = [len(header) + 2 for header in headers]
    for row in rows:
        for position, value in enumerate(row):
            if isinstance(value, datetime.date):
                length = 10
            elif value is None:
                continue
            else:
                length = max((len(line) for line in str(value).splitlines()), default=0)
            widths[position] = max(widths[position], length + 2)
    return [min(width, MAX_WIDTH) for width in widths]


def sheet_title(resource: MovementResource) -> str:
    title = str(resource._meta.model._meta.verbose_name_plural).capitalize()
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def write_xlsx(
    resource: MovementResource,
    queryset: QuerySet,
    file: IO[bytes],
    *,
    selected: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
) -> int:
    """Write ``queryset`` to ``file`` as an Excel workbook; returns the number of rows."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(resource))
    headers = export_headers(resource, selected)
    rows = export_rows(resource, queryset, native=True, selected=selected)
    sample = list(islice(rows, WIDTH_SAMPLE))
    for position, width in enumerate(column_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    dates = [
        position
        for position, field in enumerate(resource.get_export_fields(selected))
        if isinstance(field.widget, DateWidget)
    ]
    count = 0
    for row in chain(sample, rows):
        sheet.append(workbook_row(sheet, row, dates))
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    workbook.save(file)
    return count


def workbook_row(sheet: Any, row: list[Any], dates: list[int]) -> list[Any]:
    """A row as openpyxl writes it: dates shown day first; empty texts as empty cells (a
    workbook need not store them); text without the control characters a workbook cannot hold,
    shown as � so nothing vanishes silently (checked a row at a time: most rows have none);
    text that would run as a formula with Excel's quote prefix rather than an apostrophe."""
    if UNWRITABLE.search("".join([value for value in row if type(value) is str])):
        row = [
            UNWRITABLE.sub("\N{REPLACEMENT CHARACTER}", value) if type(value) is str else value
            for value in row
        ]
    row = [None if value == "" else value for value in row]
    for position, value in enumerate(row):
        if type(value) is str and value.startswith("'"):
            text = formula_text(value)
            if text is not None:
                row[position] = quoted_cell(sheet, text)
    for position in dates:
        if row[position] is not None:
            row[position] = date_cell(sheet, row[position])
    return row


def quoted_cell(sheet: Any, text: str) -> WriteOnlyCell:
    """A text Excel shows as typed and never runs as a formula, even once edited: Excel's own
    quote-prefix attribute, what typing a leading apostrophe sets, instead of a visible one."""
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl takes a text starting with "=" for a formula: it is text.
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def date_cell(sheet: Any, value: datetime.date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def workbook_cell(sheet: Any, value: Any) -> Any:
    """One value as :func:`workbook_row` writes it."""
    [cell] = workbook_row(sheet, [value], [0] if isinstance(value, datetime.date) else [])
    return cell


def write_awards_xlsx(queryset: QuerySet, file: IO[bytes]) -> int:
    """The benchmark's entry point: ``queryset`` of awards to ``file`` as the admin writes it."""
    return write_xlsx(AwardResource(), queryset, file)


# -- CSV ------------------------------------------------------------------------------------


def iter_csv(
    resource: MovementResource,
    queryset: QuerySet,
    *,
    selected: list[str] | None = None,
    rows_per_chunk: int = 500,
) -> Iterator[str]:
    """A CSV file, byte-order mark first, in chunks of text as they are written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export_headers(resource, selected))
    yield "\ufeff" + buffer.getvalue()
    rows = export_rows(resource, queryset, native=False, selected=selected)
    while chunk := list(islice(rows, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(chunk)
        yield buffer.getvalue()
