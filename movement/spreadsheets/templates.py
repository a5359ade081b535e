"""The empty workbook staff fill in to import records: a data sheet holding only the columns'
header, and a guide sheet saying what to do, what each column holds, which values it takes and
an example of each.

A template never holds a recorded row's key: a row written over one would change that record.
"""

import io
from collections.abc import Iterable
from typing import Any

import openpyxl
from django.db import models
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from import_export.widgets import ManyToManyWidget
from openpyxl.styles import Alignment, Font

from movement.models import Award
from movement.spreadsheets.cells import (
    ChoiceWidget,
    DateWidget,
    NumberWidget,
    UUIDWidget,
    YearWidget,
    YesNoWidget,
)
from movement.spreadsheets.exports import XLSX_TYPE, file_name, workbook_cell
from movement.spreadsheets.names import (
    NamedRecordsWidget,
    NamedRecordWidget,
    PersonWidget,
    WorkAreaWidget,
    WorkPlanWidget,
)
from movement.spreadsheets.resources import GroupField, MovementResource


def allowed_values(field: Any) -> str:
    """What a column's cells may hold, in words."""
    widget = field.widget
    if isinstance(field, GroupField):
        return _("A count and “tập thể” or “cá nhân”, e.g. “3 tập thể”.")
    if isinstance(widget, ChoiceWidget):
        return _("One of: %(values)s.") % {
            "values": ", ".join(widget.render(code) for code, _label in widget.choices if code)
        }
    if isinstance(widget, YesNoWidget):
        return _("“có” or “không”.")
    if isinstance(widget, DateWidget):
        return _("A date, day first (31/12/2017), or an Excel date.")
    if isinstance(widget, YearWidget):
        return _("A year, e.g. 2017.")
    if isinstance(widget, NumberWidget):
        return _("A whole number.")
    if isinstance(widget, UUIDWidget):
        return _("Empty for a new record; the key an export wrote, to update that record.")
    if isinstance(widget, PersonWidget):
        return _("A person's full name; for namesakes “Full Name (Unit)”, or the person's code.")
    if isinstance(widget, NamedRecordsWidget):
        return _("Names of %(records)s, separated by semicolons.") % {
            "records": widget.model._meta.verbose_name_plural
        }
    if isinstance(widget, NamedRecordWidget):
        model = widget.model._meta
        if widget.code:
            return _("The name of a %(record)s already recorded, or its code.") % {
                "record": model.verbose_name
            }
        return _("The name of a %(record)s already recorded.") % {"record": model.verbose_name}
    if isinstance(widget, WorkPlanWidget):
        return _("A unit with a work plan for the year in the “Năm” column.")
    if isinstance(widget, WorkAreaWidget):
        return _("A work area of that plan: its number, its name, or both (“3. Name”).")
    if isinstance(widget, ManyToManyWidget):
        return _("Names separated by semicolons.")
    return _("Text.")


def meaning(resource: MovementResource, field: Any) -> str:
    model_field = resource.model_field(field.attribute)
    if not isinstance(model_field, models.Field):
        return ""
    text = str(model_field.verbose_name)
    text = text[:1].upper() + text[1:]
    if model_field.help_text:
        text += f". {model_field.help_text}"
    return text


def example_row(resource: MovementResource, fields: list[Any]) -> list[Any]:
    """The first record of the table as the resource writes it, without the columns that tell
    which record a row is: copied into the data sheet, it can only be a new record, never a
    change to that one. An empty row if there are no records."""
    record = resource.filter_export(resource._meta.model._default_manager.all()).first()
    if record is None:
        return [None] * len(fields)
    keys = identifying_columns(resource)
    return [
        None
        if field.column_name in keys
        else resource.export_field(field, record, force_native_type=True)
        for field in fields
    ]


# Columns that, beside the import's key, tell an award apart: an award for the same recipient,
# type, year and decision is the same award. Left empty, the example can match no award.
RECIPIENT_FIELDS = {Award: ("recipient_unit", "recipient_person", "group")}


def identifying_columns(resource: MovementResource) -> list[str]:
    """The columns by which an import finds the record a row changes."""
    names = [
        *resource._meta.import_id_fields,
        *RECIPIENT_FIELDS.get(resource._meta.model, ()),
    ]
    return [resource.fields[name].column_name for name in names]


def quoted(columns: Iterable[str]) -> str:
    return ", ".join(f"“{column}”" for column in columns)


def steps(resource: MovementResource) -> list[str]:
    """What to do with the template, step by step."""
    keys = quoted(resource.fields[name].column_name for name in resource._meta.import_id_fields)
    return [
        _(
            "1. The sheet “%(data)s” holds only the header row. Write each new record on a row of "
            "its own, from row 2 down, directly under the header; do not change the header."
        )
        % {"data": _("Data")},
        _(
            "2. A row whose %(keys)s is that of a recorded %(record)s changes that record. To "
            "change recorded %(records)s, do not use this template: export them from the "
            "list, correct the exported file and import it."
        )
        % {
            "keys": keys,
            "record": resource._meta.model._meta.verbose_name,
            "records": resource._meta.model._meta.verbose_name_plural,
        },
        _(
            "3. The columns marked “yes” under “Required” must be filled on every row; the "
            "table below says what each column takes. Columns may come in any order and "
            "headers may be written in English. Every sheet whose header row names the columns "
            "is imported (one for units, one for individuals…); title rows above the header "
            "and the signature block below the list are left out."
        ),
        _(
            "4. The column “%(example)s” of the table shows how each cell is written, taken "
            "from a recorded %(record)s; these are left empty: %(keys)s. It is never imported."
        )
        % {
            "example": _("Example"),
            "record": resource._meta.model._meta.verbose_name,
            "keys": quoted(identifying_columns(resource)),
        },
    ]


def write_template(resource: MovementResource, file: Any) -> None:
    fields = list(resource.get_import_fields())
    required = set(resource.required_columns())
    workbook = openpyxl.Workbook()
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")

    # The data sheet holds the header only: nothing in it can match a recorded row.
    data = workbook.active
    data.title = _("Data")
    data.append([field.column_name for field in fields])
    for position, field in enumerate(fields, start=1):
        data.cell(row=1, column=position).font = bold
        column = data.cell(row=1, column=position).column_letter
        data.column_dimensions[column].width = min(max(len(field.column_name) + 4, 14), 40)
    data.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Guide"))
    guide.append([_("How to fill in this template")])
    guide["A1"].font = Font(bold=True, size=13)
    for step in steps(resource):
        guide.append([step])
        guide.merge_cells(
            start_row=guide.max_row, end_row=guide.max_row, start_column=1, end_column=5
        )
        guide.cell(row=guide.max_row, column=1).alignment = wrapped
        guide.row_dimensions[guide.max_row].height = 32
    guide.append([])
    # The example goes down a column, a cell beside each column's description: a sheet
    # reader looking for a header row finds none here.
    guide.append(
        [_("Column"), _("Required"), _("What it holds"), _("Allowed values"), _("Example")]
    )
    for cell in guide[guide.max_row]:
        cell.font = bold
    for field, example in zip(fields, example_row(resource, fields), strict=True):
        guide.append(
            [
                field.column_name,
                _("yes") if field.column_name in required else _("no"),
                meaning(resource, field),
                allowed_values(field),
                workbook_cell(guide, example),
            ]
        )
        for cell in guide[guide.max_row]:
            cell.alignment = wrapped
            if cell.is_date:
                cell.number_format = "dd/mm/yyyy"
    for column, width in zip("ABCDE", (32, 10, 50, 60, 40), strict=True):
        guide.column_dimensions[column].width = width
    workbook.save(file)


def template_response(resource: MovementResource) -> HttpResponse:
    buffer = io.BytesIO()
    write_template(resource, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    name = file_name(resource, "xlsx").replace(".xlsx", "-mau.xlsx")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
