"""The empty workbook staff fill in to import records: the columns, an example row, and a second
sheet saying what each column holds and which values it takes."""

import io
from typing import Any

import openpyxl
from django.db import models
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from import_export.widgets import ManyToManyWidget
from openpyxl.styles import Alignment, Font

from movement.exports import XLSX_TYPE, file_name, workbook_cell
from movement.resources import GroupField, MovementResource
from movement.widgets import (
    ChoiceWidget,
    DateWidget,
    NamedRecordsWidget,
    NamedRecordWidget,
    NumberWidget,
    PersonWidget,
    UUIDWidget,
    WorkAreaWidget,
    WorkPlanWidget,
    YearWidget,
    YesNoWidget,
)


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
    """The first record of the table as the resource writes it, or an empty row."""
    record = resource.filter_export(resource._meta.model._default_manager.all()).first()
    if record is None:
        return [None] * len(fields)
    return [resource.export_field(field, record, force_native_type=True) for field in fields]


def write_template(resource: MovementResource, file: Any) -> None:
    fields = list(resource.get_import_fields())
    required = set(resource.required_columns())
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = _("Data")
    bold = Font(bold=True)
    data.append([field.column_name for field in fields])
    data.append([workbook_cell(data, value) for value in example_row(resource, fields)])
    for position, field in enumerate(fields, start=1):
        data.cell(row=1, column=position).font = bold
        column = data.cell(row=1, column=position).column_letter
        data.column_dimensions[column].width = min(max(len(field.column_name) + 4, 14), 40)
        example = data.cell(row=2, column=position)
        if example.is_date:
            example.number_format = "dd/mm/yyyy"
    data.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Guide"))
    guide.append([_("Column"), _("Required"), _("What it holds"), _("Allowed values")])
    for cell in guide[1]:
        cell.font = bold
    for field in fields:
        guide.append(
            [
                field.column_name,
                _("yes") if field.column_name in required else _("no"),
                meaning(resource, field),
                allowed_values(field),
            ]
        )
    guide.append([])
    guide.append(
        [
            _(
                "Row 2 of the first sheet is an example taken from the records: overwrite or "
                "delete it. Columns may come in any order; headers may also be written in "
                "English. Only the first sheet is imported."
            )
        ]
    )
    for column, width in zip("ABCD", (32, 10, 50, 60), strict=True):
        guide.column_dimensions[column].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(file)


def template_response(resource: MovementResource) -> HttpResponse:
    buffer = io.BytesIO()
    write_template(resource, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    name = file_name(resource, "xlsx").replace(".xlsx", "-mau.xlsx")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
