"""Which column of a spreadsheet is which: headers in Vietnamese or English, in any order.

A resource's columns have Vietnamese headers ("Đơn vị nhận"). A file may write them in another
case, without diacritics, or in English (the model field's English name, "recipient unit", or the
field's own name, "recipient_unit"), and in any order. Before a row is read, the file's headers
are renamed to the resource's; a column the resource does not know is dropped with a warning
that names it, and a missing column no record can do without refuses the file, naming it.
"""

from collections import defaultdict
from typing import Any

import tablib
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields import NOT_PROVIDED
from django.utils import translation
from django.utils.translation import gettext as _
from import_export.widgets import ManyToManyWidget

from movement.text import fold


class ColumnsError(ValueError):
    """A file whose columns cannot be imported: the message says which and why."""


def quoted(names: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


class ColumnsMixin:
    """For django-import-export resources: headers matched loosely, checked before any row.

    ``extra_required`` names fields a row cannot do without although the model field may be
    blank (the year of a task's plan, read to find the plan).
    """

    extra_required: tuple[str, ...] = ()

    def model_field(self, attribute: str | None) -> models.Field | None:
        """The model field an attribute reaches ("award_type__award_class" included)."""
        if not attribute:
            return None
        model = self._meta.model
        field = None
        for name in attribute.split("__"):
            if model is None:
                return None
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            model = field.related_model
        return field

    def column_aliases(self) -> dict[str, str]:
        """Every header a column may be written under, folded, to the column's own header."""
        aliases: dict[str, set[str]] = defaultdict(set)
        for name, field in self.fields.items():
            written = {field.column_name, name, name.replace("_", " ")}
            model_field = self.model_field(field.attribute)
            if model_field is not None and hasattr(model_field, "verbose_name"):
                with translation.override("en"):
                    written.add(str(model_field.verbose_name))
            for alias in written:
                aliases[fold(alias)].add(field.column_name)
        # An alias two columns share names neither.
        return {alias: columns.pop() for alias, columns in aliases.items() if len(columns) == 1}

    def required_columns(self) -> list[str]:
        """The columns without which no row could make a record."""
        required = []
        for name, field in self.fields.items():
            if name in self.extra_required:
                required.append(field.column_name)
                continue
            model_field = self.model_field(field.attribute)
            if (
                field.readonly
                or "__" in (field.attribute or "")
                or model_field is None
                or model_field.many_to_many
                or isinstance(field.widget, ManyToManyWidget)
            ):
                continue
            if (
                not model_field.blank
                and not model_field.has_default()
                and field.default is NOT_PROVIDED
            ):
                required.append(field.column_name)
        return required

    def prepare_columns(self, dataset: tablib.Dataset) -> list[str]:
        """Rename the file's headers to the resource's and drop the columns it does not know.

        Returns the warnings to show; raises :class:`ColumnsError` when the file lacks a column
        no record can do without, or gives one column twice.
        """
        aliases = self.column_aliases()
        headers = list(dataset.headers or [])
        renamed: list[Any] = []
        given: dict[str, Any] = {}
        unknown = []
        for header in headers:
            text = "" if header is None else str(header)
            column = aliases.get(fold(text)) if text.strip() else None
            if column is None:
                unknown.append(text.strip() or _("(no header)"))
                renamed.append(header)
                continue
            if column in given:
                raise ColumnsError(
                    _("The columns %(first)s and %(second)s are the same column, “%(column)s”.")
                    % {"first": f"“{given[column]}”", "second": f"“{text}”", "column": column}
                )
            given[column] = text
            renamed.append(column)
        missing = [column for column in self.required_columns() if column not in given]
        if missing:
            raise ColumnsError(
                _(
                    "The file lacks these columns, which every row needs: %(missing)s. "
                    "Its columns are: %(given)s."
                )
                % {
                    "missing": quoted(missing),
                    "given": quoted([str(header) for header in headers if header]) or "—",
                }
            )
        keep = [position for position, name in enumerate(renamed) if name in given]
        if len(keep) == len(renamed):
            # Every column is ours (a file the export wrote): the rows stay as they are.
            dataset.headers = renamed
        else:
            rows = [[row[position] for position in keep] for row in dataset]
            dataset.wipe()
            dataset.headers = [renamed[position] for position in keep]
            dataset.extend(rows)
        # A column a record can do without, named in the keys, is added empty rather than missed.
        for name in self.get_import_id_fields():
            column = self.fields[name].column_name
            if column not in given and dataset.headers is not None:
                dataset.append_col([""] * len(dataset), header=column)
        warnings = []
        if unknown:
            warnings.append(
                _("These columns are not ours and were left out: %(columns)s.")
                % {"columns": quoted(unknown)}
            )
        return warnings
