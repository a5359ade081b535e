"""How a file's rows become records: in a few queries, checked like a model form, all or none.

django-import-export reads a row at a time and, by default, asks the database about each one:
its record by key, each related record by name, each foreign key's existence, each constraint.
For a file of 10,000 awards that is some 150,000 queries. :class:`RowImportMixin` keeps its
workflow (and so its preview, hooks and results) but makes each of those a bulk operation:

- the records the file's keys name are loaded in one query per thousand rows;
- the names each column uses are resolved before the first row (see NamedRecordWidget.prepare);
- rows are validated by the model's clean(), which holds its check constraints' rules too;
  unique fields and constraints are checked for the whole file at once, against the database
  and between rows;
- what is left is the rows themselves, so a row's cost is kept to what it must do: its cells are
  read without import-export's layers of calls, a cell a file repeats is read once (in bulk
  mode), and no copy of a new record is kept for a diff;
- a resource in bulk mode (``use_bulk``) writes its rows with one ``bulk_create`` at the end,
  and only when every row is valid and the import is confirmed, not previewed.
"""

import contextlib
import copy
import functools
import weakref
from types import SimpleNamespace
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields import NOT_PROVIDED
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result, RowResult
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from movement.models.versions import VersionConflict, Versioned, claim_versions
from movement.spreadsheets.cells import (
    ChoiceWidget,
    DateWidget,
    GroupWidget,
    LineWidget,
    NumberWidget,
    TextWidget,
    YesNoWidget,
)
from movement.spreadsheets.names import (
    NamedRecordsWidget,
    NamedRecordWidget,
    WorkAreaWidget,
    WorkPlanWidget,
    share_tables,
)
from movement.spreadsheets.uniqueness import (
    KEYS_PER_QUERY,
    UniqueSet,
    clashes,
    stored_keys,
    unique_sets,
)


class KeyedInstanceLoader(ModelInstanceLoader):
    """The records a file's rows update, found by their key in one query per thousand rows.

    A row without a key (the column left out or the cell blank) is looked for by its natural
    key, the fields a unique constraint other than the key's makes unique (an award's type,
    year, recipient and decision number; a unit's parent and name): a file exported without
    its code column, or one's own list typed again, updates the records it names instead of
    being refused as their duplicates. Those are looked up in bulk too, one query per unique
    constraint and thousand rows. A row found so is given the record's key; a row of a model
    whose code is made from the name (the ``code_source`` of its
    :class:`movement.models.base.CodedManager`) that finds no record is given a new code,
    numbered against the table and the file's other rows.

    A key that cannot be read finds no record, by its key or otherwise; the row's own import
    then says why. Records keyed on several columns (a plan by unit and year) are few: they are
    looked up row by row.
    """

    def __init__(self, resource: Any, dataset: tablib.Dataset | None = None) -> None:
        super().__init__(resource, dataset)
        names = resource.get_import_id_fields()
        self.field = resource.fields[names[0]] if len(names) == 1 else None
        self.instances: dict[Any, models.Model] = {}
        # Rows without a key, as the import reads them (see unkeyed_rows), to the record their
        # natural key found (None: a new record) and the codes made for them, in row order.
        self.unkeyed: dict[tuple, models.Model | None] = {}
        self.codes: dict[tuple, list[str]] = {}
        # The unique sets every row of the file was looked up by (see looked_up).
        self.probed: list[tuple[str, ...]] = []
        # Records keyed on several columns, by their key's values (see find_by_keys).
        self.by_key: dict[tuple, list[models.Model]] | None = None
        if self.field is None and getattr(resource, "keys_in_bulk", False):
            self.find_by_keys(dataset, [resource.fields[name] for name in names])
        if self.field is None or self.field.column_name not in (dataset.headers or []):
            return
        keys = set()
        unkeyed = []
        for position, value in enumerate(dataset[self.field.column_name]):
            if value is None or str(value).strip() == "":
                unkeyed.append(position)
                continue
            key = self.key({self.field.column_name: value})
            if key not in (None, ""):
                keys.add(key)
        keys_list = list(keys)
        for start in range(0, len(keys_list), KEYS_PER_QUERY):
            chunk = keys_list[start : start + KEYS_PER_QUERY]
            found = self.get_queryset().filter(**{f"{self.field.attribute}__in": chunk})
            for instance in found:
                self.instances[getattr(instance, self.field.attribute)] = instance
        if unkeyed:
            self.find_unkeyed(self.unkeyed_rows(dataset, unkeyed))

    def find_by_keys(self, dataset: tablib.Dataset, key_fields: list[fields.Field]) -> None:
        """The records the rows name by a key of several columns (a person and a date), in a
        query per thousand of the first column's records (a file's people), instead of one
        query a row. Keys are compared in Python, so an empty cell (a date not stated) finds
        the record whose date is not stated."""
        headers = dataset.headers or []
        if any(field.column_name not in headers for field in key_fields):
            return  # A missing column refuses the file before any row is read.
        self.key_fields = key_fields
        firsts = set()
        for row in self.unkeyed_rows(dataset, list(range(len(dataset)))):
            key = self.compound_key(row)
            if key is not None and key[0] is not None:
                firsts.add(key[0])
        attnames = [
            self.resource._meta.model._meta.get_field(f.attribute).attname for f in key_fields
        ]
        self.by_key = {}
        values = list(firsts)
        for start in range(0, len(values), KEYS_PER_QUERY):
            chunk = values[start : start + KEYS_PER_QUERY]
            for record in self.get_queryset().filter(**{f"{attnames[0]}__in": chunk}):
                key = tuple(getattr(record, name) for name in attnames)
                self.by_key.setdefault(key, []).append(record)

    def compound_key(self, row: dict) -> tuple | None:
        """The row's values of the key's columns (a related record by its primary key), or None
        if a cell cannot be read: the row's own import then says why."""
        key = []
        for field in self.key_fields:
            try:
                value = field.clean(row)
            except (ValueError, ValidationError):
                return None
            key.append(value.pk if isinstance(value, models.Model) else value)
        return tuple(key)

    def key(self, row: dict) -> Any:
        # The widget's reading, not the field's: a blank key names no record, and the field
        # would give it a new one (Award's default), to be looked for in vain.
        try:
            return self.field.widget.clean(row.get(self.field.column_name), row=row)
        except ValueError:
            return None

    def unkeyed_rows(self, dataset: tablib.Dataset, positions: list[int]) -> list[dict]:
        """The rows at ``positions`` as dicts, as the import reads them (their cells already
        plain: the resource reads a dataset through resources.unescaped)."""
        headers = dataset.headers
        return [dict(zip(headers, dataset[position], strict=True)) for position in positions]

    def natural_fields(self) -> tuple[list[UniqueSet], list[fields.Field]]:
        """The model's unique sets other than the key, and the resource's fields that set theirs."""
        sets = [
            unique
            for unique in unique_sets(self.resource._meta.model)
            if unique.fields != (self.field.attribute,)
        ]
        wanted = {name for unique in sets for name in unique.fields}
        reading = [
            field
            for field in self.resource.get_import_fields()
            if field.attribute in wanted and not field.readonly
        ]
        return sets, reading

    def find_unkeyed(self, rows: list[dict]) -> None:
        model = self.resource._meta.model
        sets, reading = self.natural_fields()
        manager = model._default_manager
        source = getattr(manager, "code_source", None)
        name_field = next(
            (field for field in self.resource.get_import_fields() if field.attribute == source),
            None,
        )
        # Each row's natural key, read by the resource's fields into a bare namespace rather
        # than a model instance, which costs ten times more to make.
        needed = {name for unique in sets for name in unique.fields}
        defaults = {}
        relations = []
        for field in model._meta.concrete_fields:
            if field.name in needed:
                defaults[field.attname] = field.get_default()
                if field.is_relation:
                    relations.append((field.name, field.attname))
        fields_read = reading + ([name_field] if name_field is not None else [])
        # A cell a file repeats (its year, its award type's name) is read once, where the
        # reading depends on the cell alone.
        readings: dict[str, dict] = {
            field.column_name: {}
            for field in fields_read
            if type(field) is fields.Field
            and "__" not in field.attribute
            and reads_only_its_cell(field.widget)
        }
        # Each row's keys (one per unique set) and its code's source text are kept, not its
        # namespace: tuples of plain values, which the cycle collector stops walking.
        row_keys: list[tuple[tuple | None, ...]] = []
        sources: list[str] = []
        for row in rows:
            instance = SimpleNamespace(**defaults)
            for field in fields_read:
                column = field.column_name
                if column not in row:
                    continue
                read = readings.get(column)
                if read is None:
                    with contextlib.suppress(ValueError, ValidationError):
                        field.save(instance, row)
                    continue
                cell = row[column]
                value = read.get((type(cell), cell), NOT_READ)
                if value is NOT_READ:
                    try:
                        value = field.clean(row)
                    except (ValueError, ValidationError):
                        # Unreadable: the row's own import says why.
                        value = NOT_READ
                    read[type(cell), cell] = value
                if value is NOT_READ:
                    continue
                if value is not None or field.saves_null_values:
                    setattr(instance, field.attribute, value)
            for name, attname in relations:
                related = instance.__dict__.pop(name, None)
                if related is not None:
                    setattr(instance, attname, related.pk)
            row_keys.append(tuple(unique.key(instance) for unique in sets))
            if name_field is not None:
                sources.append(getattr(instance, source) or "")
        found: list[Any] = [None] * len(rows)
        agreed = True
        for number, unique in enumerate(sets):
            # The first row of each key, and the rare rows that repeat one: a list per key
            # would be one per row, walked by the cycle collector until the probe ends.
            first: dict[tuple, int] = {}
            repeated: dict[tuple, list[int]] = {}
            for position, keys_of_row in enumerate(row_keys):
                key = keys_of_row[number]
                if key is None:
                    continue
                if key in first:
                    repeated.setdefault(key, []).append(position)
                else:
                    first[key] = position
            for key, pk in stored_keys(model, unique, list(first)).items():
                for position in (first[key], *repeated.get(key, ())):
                    # Two constraints naming two records: the first is updated, and the row
                    # is then refused for the second (RowImportMixin.refuse_clashes).
                    agreed = agreed and found[position] in (None, pk)
                    found[position] = found[position] or pk
        self.probed = [unique.fields for unique in sets] if agreed else []
        pks = list({pk for pk in found if pk is not None})
        stored = {}
        for start in range(0, len(pks), KEYS_PER_QUERY):
            stored.update(self.get_queryset().in_bulk(pks[start : start + KEYS_PER_QUERY]))
        new = [position for position, pk in enumerate(found) if pk is None]
        codes = (
            manager.free_codes([sources[position] for position in new])
            if name_field is not None
            else []
        )
        for position, row in enumerate(rows):
            self.unkeyed[self.identity(row)] = stored.get(found[position])
        for position, code in zip(new, codes, strict=False):
            if code:
                self.codes.setdefault(self.identity(rows[position]), []).append(code)

    def looked_up(self) -> list[tuple[str, ...]]:
        """The unique sets of fields each row was looked up by, key aside: those of the natural
        key when no row had a key, for :func:`movement.spreadsheets.uniqueness.clashes` not to ask
        the table again. A row found by one holds that record; a row found by none is new."""
        return self.probed

    @staticmethod
    def identity(row: dict) -> tuple:
        # A row's cells in the order of the file's headers, the same for every row, with their
        # types: 1 == 1.0 == True, and two rows whose cells differ so would share one record.
        cells = tuple(row.values())
        return cells, tuple(type(cell).__name__ for cell in cells)

    def get_instance(self, row: dict) -> models.Model | None:
        if self.by_key is not None:
            key = self.compound_key(row)
            found = self.by_key.get(key, []) if key is not None else []
            if len(found) > 1:
                raise ValidationError(
                    _(
                        "%(count)d records match this row, whose key's cells (%(columns)s) do not "
                        "tell them apart: give the date, or correct the records in the admin."
                    )
                    % {
                        "count": len(found),
                        "columns": ", ".join(field.column_name for field in self.key_fields),
                    }
                )
            return copy.copy(found[0]) if found else None
        if self.field is None:
            return super().get_instance(row)
        identity = self.identity(row) if self.unkeyed else None
        if identity in self.unkeyed:
            found = self.unkeyed[identity]
            column = self.field.column_name
            if found is not None:
                # The key the row names implicitly, as if the file had given it.
                row[column] = self.field.widget.render(getattr(found, self.field.attribute))
                return copy.copy(found)
            codes = self.codes.get(identity)
            if codes:
                row[column] = codes.pop(0)
            return None
        # A row with a key, or one read otherwise than it was looked up: its natural key was not
        # looked up, so clashes() must check every row's against the table.
        self.probed = []
        if not self.instances:
            # A file of new records: no row's key needs reading (a blank one makes a new key).
            return None
        found = self.instances.get(self.key(row))
        # A record of its own for each row: two rows with one key are two changes to refuse
        # (the second names the first's row), not one record that the second overwrites.
        return copy.copy(found) if found is not None else None


def sheet_row(dataset: tablib.Dataset, number: int) -> int:
    """The spreadsheet row of the dataset's ``number``-th row (1-based): the reader keeps it in
    ``row_numbers`` since blank rows are skipped; otherwise the header is row 1."""
    numbers = getattr(dataset, "row_numbers", None)
    if numbers and 0 < number <= len(numbers):
        return numbers[number - 1]
    return number + 1


def sheet_of(dataset: tablib.Dataset, number: int) -> str:
    """The sheet of the dataset's ``number``-th row when the reader read several, else ""."""
    sheets = getattr(dataset, "row_sheets", None)
    if sheets and 0 < number <= len(sheets):
        return sheets[number - 1]
    return ""


def row_place(dataset: tablib.Dataset, number: int) -> int | str:
    """The dataset's ``number``-th row as a sentence names it: its spreadsheet row, with its
    sheet when the file's rows came from several."""
    sheet = sheet_of(dataset, number)
    row = sheet_row(dataset, number)
    if not sheet:
        return row
    return _("%(row)s of sheet “%(sheet)s”") % {"row": row, "sheet": sheet}


NOT_READ = object()

# Widgets whose reading of a cell depends on the cell alone, not on other cells of its row.
ROW_FREE_WIDGETS = (
    LineWidget,
    TextWidget,
    YesNoWidget,
    DateWidget,
    NumberWidget,
    ChoiceWidget,
    GroupWidget,
)


def reads_only_its_cell(widget: Any) -> bool:
    """Whether ``widget`` reads a cell the same whatever the rest of its row: not an award
    type, read with its class's column, nor a plan, read with its year's."""
    if isinstance(widget, NamedRecordWidget):
        return type(widget).scope_of_row is NamedRecordWidget.scope_of_row
    return isinstance(widget, ROW_FREE_WIDGETS)


class RowImportMixin:
    """For django-import-export model resources; see the module's docstring."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        share_tables(self.record_widgets())
        # The row number of each record waiting for bulk_create, by the record's id.
        self._pending: dict[int, int] = {}
        self._row_results: dict[int, RowResult] = {}
        self._changed: tuple[str, ...] = ()
        self._original: models.Model | None = None
        self._writable: list[tuple[fields.Field, str | None, dict | None]] | None = None
        self._dataset: tablib.Dataset | None = None
        # The import's instance loader, held weakly: it holds the resource, and the cycle would
        # keep every row, record and result of the import alive after it, until Python's cycle
        # collector walked them all.
        self._loader: weakref.ref | None = None

    def get_or_init_instance(self, instance_loader: Any, row: dict) -> tuple[Any, bool]:
        self._loader = weakref.ref(instance_loader)
        return super().get_or_init_instance(instance_loader, row)

    def record_widgets(self) -> list[Any]:
        """The widgets that find related records, nested ones included."""
        found = []
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, NamedRecordsWidget):
                widget = widget.record
            elif isinstance(widget, WorkPlanWidget):
                widget = widget.units
            elif isinstance(widget, WorkAreaWidget):
                widget = widget.plans.units
            found.append(widget)
        return found

    def writable_fields(self) -> list[tuple[fields.Field, str | None, dict | None]]:
        """The fields a row's cells set, each with the attribute its cleaned value is set to
        directly (None for a field that sets it itself, with Field.save), and the values its
        cells were read as, by cell, where a cell reads the same on every row."""
        if self._writable is None:
            self._writable = []
            for field in self.get_import_fields():
                if not field.attribute or isinstance(field.widget, ManyToManyWidget):
                    continue
                plain = type(field) is fields.Field and "__" not in field.attribute
                if plain and field.readonly:
                    continue
                # In bulk mode no record is written before the last row: a cell that does not
                # depend on its row reads the same on every row.
                remembered = self._meta.use_bulk and reads_only_its_cell(field.widget)
                self._writable.append(
                    (field, field.attribute if plain else None, {} if remembered else None)
                )
        return self._writable

    def import_instance(self, instance: models.Model, row: dict, **kwargs: Any) -> None:
        # What import-export does, without the three calls a cell takes there (import_field,
        # Field.save, Field.clean): on a file of 10,000 rows those are 600,000 calls. A file
        # repeats its years, dates and names on thousands of rows: each is read once.
        errors = {}
        for field, attribute, read in self.writable_fields():
            if field.column_name not in row:
                continue
            try:
                if attribute is None:
                    field.save(instance, row, **kwargs)
                    continue
                cell = row[field.column_name]
                # 1 == 1.0 == True, but a widget may read them differently.
                value = read.get((type(cell), cell), NOT_READ) if read is not None else NOT_READ
                if value is NOT_READ:
                    value = field.widget.clean(cell, row=row, **kwargs)
                    if read is not None:
                        read[type(cell), cell] = value
                if field.default is not NOT_PROVIDED and value in field.empty_values:
                    value = field.default() if callable(field.default) else field.default
                if value is not None or field.saves_null_values:
                    setattr(instance, attribute, value)
            except ValueError as error:
                errors[field.attribute] = ValidationError(force_str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self._dataset = dataset
        self.prepare_widgets(dataset)

    def prepare_widgets(self, dataset: tablib.Dataset) -> None:
        """Resolve the names each column uses, in a few queries, before the first row."""
        headers = dataset.headers or []
        for field in self.fields.values():
            if field.column_name not in headers:
                continue
            cells = dataset[field.column_name]
            widget = field.widget
            if isinstance(widget, NamedRecordsWidget):
                widget.record.prepare(name for cell in cells for name in widget.split(cell))
            elif isinstance(widget, NamedRecordWidget):
                widget.prepare(cells)
            elif isinstance(widget, WorkPlanWidget):
                widget.units.prepare(cells)
            elif isinstance(widget, WorkAreaWidget) and widget.plan_column in headers:
                widget.plans.units.prepare(dataset[widget.plan_column])

    # -- Unchanged rows -------------------------------------------------------------------------

    def changed_columns(
        self, instance: models.Model, original: models.Model, row: dict
    ) -> tuple[str, ...]:
        """The columns whose cell changes the record. Related records compare by id, so the
        comparison loads none."""
        changed = []
        for field in self.get_import_fields():
            if field.readonly or not field.attribute or field.column_name not in row:
                continue
            if isinstance(field.widget, ManyToManyWidget):
                try:
                    after = sorted(record.pk for record in field.clean(row))
                except ValueError:
                    changed.append(field.column_name)
                    continue
                before = sorted(field.get_value(original).values_list("pk", flat=True))
                if after != before:
                    changed.append(field.column_name)
            elif self.value_of(field, instance) != self.value_of(field, original):
                changed.append(field.column_name)
        # Kept with the row's result until the import ends: a tuple, which the cycle collector
        # stops tracking (see movement.spreadsheets.reports.PreviewRow).
        return tuple(changed)

    @staticmethod
    def value_of(field: fields.Field, instance: models.Model) -> Any:
        if type(field) is fields.Field and isinstance(field.widget, ForeignKeyWidget):
            return getattr(instance, instance._meta.get_field(field.attribute).attname)
        return field.get_value(instance)

    def after_init_instance(
        self, instance: models.Model, new: bool, row: dict, **kwargs: Any
    ) -> None:
        # The record as stored, to tell an unchanged row. import-export would deep-copy every
        # row's instance for its diff (Meta.skip_diff turns that off), the new ones included;
        # a shallow copy of the stored ones is all a comparison of values needs.
        super().after_init_instance(instance, new, row, **kwargs)
        self._original = None if new else copy.copy(instance)

    def skip_row(
        self,
        instance: models.Model,
        original: models.Model | None,
        row: dict,
        import_validation_errors: dict | None = None,
    ) -> bool:
        # Called for every row before after_import_row, which reads what it leaves here.
        self._changed = ()
        original = original or self._original
        if import_validation_errors or original is None or original.pk is None:
            return False
        self._changed = self.changed_columns(instance, original, row)
        return self._meta.skip_unchanged and not self._changed

    def after_import_row(self, row: dict, row_result: RowResult, **kwargs: Any) -> None:
        super().after_import_row(row, row_result, **kwargs)
        number = kwargs.get("row_number")
        row_result.changed_columns = self._changed
        row_result.row_values = row
        # The key and version of the record the row updates or leaves unchanged, as read: a
        # preview keeps them, and its confirmation refuses a record saved since
        # (movement.spreadsheets.previews).
        original = self._original
        row_result.record_read = (
            (original.pk, original.version) if isinstance(original, Versioned) else None
        )
        if number is not None:
            row_result.number = number
            self._row_results[number] = row_result

    # -- Validation -----------------------------------------------------------------------------

    def validate_instance(
        self,
        instance: models.Model,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        # Validate like a model form: the model's clean() (its check constraints' rules with it,
        # see movement.models.base.RulesInClean) and unique constraints, but not the columns no
        # cell sets (search_text is computed on save), nor those whose cell was already refused,
        # nor related records the widgets found in the database (Django would look each up again).
        errors = dict(import_validation_errors or {})
        computed, relations = self.computed_fields(), self.relation_fields()
        found = {field.name for field in relations if getattr(instance, field.attname) is not None}
        try:
            instance.clean_fields(exclude=set(errors) | computed | found)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            # A cell that could not be read leaves its field unset: the record as a whole would
            # be refused for that again, in words that point away from the cell.
            raise ValidationError(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if validate_unique and not errors and not self._meta.use_bulk:
            # In bulk mode the whole file is checked at once, before it is written.
            clash = clashes([instance], [0])
            if clash:
                errors = clash[0].update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @functools.cached_property
    def _fields_by_kind(self) -> tuple[set[str], list[models.Field]]:
        concrete = self._meta.model._meta.concrete_fields
        computed = {field.name for field in concrete if not field.editable}
        return computed, [field for field in concrete if field.is_relation]

    def computed_fields(self) -> set[str]:
        """The fields no cell sets, which the model computes (search_text) or defaults (key)."""
        return self._fields_by_kind[0]

    def relation_fields(self) -> list[models.Field]:
        return self._fields_by_kind[1]

    # -- Bulk mode ------------------------------------------------------------------------------

    def save_instance(self, instance: models.Model, is_create: bool, row: dict, **kwargs) -> None:
        if self._meta.use_bulk:
            self._pending[id(instance)] = kwargs.get("row_number", 0)
        super().save_instance(instance, is_create, row, **kwargs)

    def get_bulk_update_fields(self) -> list[str]:
        keys = {self.fields[name].attribute for name in self.get_import_id_fields()}
        return [
            field.name
            for field in self._meta.model._meta.concrete_fields
            if not field.primary_key and field.name not in keys
        ]

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        # Called once, after the last row (Meta.batch_size is None), before bulk_update.
        pending = [*self.create_instances, *self.update_instances]
        if pending and result is not None:
            self.refuse_clashes(pending, result)
        refused = result is not None and (result.has_errors() or result.has_validation_errors())
        if dry_run or refused:
            # A preview writes nothing, and neither does a file with a refused row.
            self.create_instances.clear()
            self.update_instances.clear()
            return
        self.before_write(pending)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)

    def before_write(self, instances: list[models.Model]) -> None:
        """Called once every row is valid and the import confirmed, before its records (new and
        updated) are written in bulk: what their save() would do for each, done for all."""

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        # bulk_update() writes without Model.save(), which would claim each record's version:
        # claimed here, all at once, in the import's transaction (movement.models.versions).
        try:
            if issubclass(self._meta.model, Versioned):
                claim_versions(self.update_instances)
        except VersionConflict as conflict:
            self.update_instances.clear()
            self.handle_import_error(result, conflict, raise_errors)
            return
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)

    def refuse_clashes(self, pending: list[models.Model], result: Result) -> None:
        """Turn the rows that break a unique field or constraint into invalid rows."""
        if not unique_sets(self._meta.model):
            return
        # Every instance waiting was saved by save_instance, which noted its row.
        rows = [row_place(self._dataset, self._pending[id(instance)]) for instance in pending]
        # The instance loader (Meta.instance_loader_class: KeyedInstanceLoader, which read the
        # rows before this) found each row's record by its import id or its natural key: none
        # is looked for again.
        import_id = tuple(self.fields[name].attribute for name in self.get_import_id_fields())
        natural = self._loader().looked_up()
        found = clashes(pending, rows, looked_up=[import_id, *natural])
        for position, error in sorted(found.items()):
            number = self._pending[id(pending[position])]
            row_result = self._row_results.get(number)
            if row_result is None:
                continue
            row = row_result.row_values
            result.totals[row_result.import_type] -= 1
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            result.append_invalid_row(number, row, error)
