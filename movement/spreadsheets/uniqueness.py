"""A model's unique fields and constraints checked for a whole batch of instances at once, for
imports of thousands of rows.

Django validates each unique constraint of each instance with a query of its own: several per
award, so tens of thousands for a file of 10,000 awards. Here each unique set is checked for a
batch with one query per thousand instances, and between the batch's own instances in Python.
The models' other rules are their clean() methods' (check constraints included: see
:class:`movement.models.base.RulesInClean`).
"""

import dataclasses
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

# Keys asked for in one query when checking a file's rows against the table.
KEYS_PER_QUERY = 1000


def _reader(model: type[models.Model], name: str) -> Callable[[Any], Any]:
    return operator.attrgetter(model._meta.get_field(name).attname)


def fields_set(model: type[models.Model], condition: Q) -> tuple[str, ...]:
    """The fields a unique constraint's ``condition`` requires set (``isnull=False``)."""
    return tuple(name for name, is_set in _nullness(model, condition) if is_set)


def fields_unset(model: type[models.Model], condition: Q) -> tuple[str, ...]:
    """The fields a unique constraint's ``condition`` requires NULL (``isnull=True``)."""
    return tuple(name for name, is_set in _nullness(model, condition) if not is_set)


def _nullness(model: type[models.Model], condition: Q) -> list[tuple[str, bool]]:
    """The one kind of condition checked here, fields being set or NULL (``field__isnull``),
    alone or several together, each as (field, set). Any other condition is refused at once
    rather than checked wrongly."""
    if condition.connector != Q.AND or condition.negated:
        raise ImproperlyConfigured(f"{model.__name__}: a condition other than fields being set")
    found: list[tuple[str, bool]] = []
    for child in condition.children:
        if isinstance(child, Q):
            found += _nullness(model, child)
            continue
        path, value = child
        name, _sep, lookup = path.partition(LOOKUP_SEP)
        if lookup != "isnull" or value not in (True, False):
            raise ImproperlyConfigured(f"{model.__name__}: {path}={value!r} is not checked in bulk")
        found.append((name, not value))
    return found


@dataclass(frozen=True)
class UniqueSet:
    """Fields of ``model`` whose values no two rows may share (where ``condition`` holds), and
    the constraint that says so, if it has words of its own for a row that breaks it (None:
    Django's "… with this … already exists")."""

    model: type[models.Model]
    fields: tuple[str, ...]
    condition: Q | None = None
    constraint: models.UniqueConstraint | None = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        # A condition not checked here is refused when the set is made, not at a file's first row.
        if self.condition is not None:
            fields_set(self.model, self.condition)

    @functools.cached_property
    def _readers(self) -> tuple[list[Callable[[Any], Any]], ...]:
        condition = self.condition
        required = fields_set(self.model, condition) if condition is not None else ()
        absent = fields_unset(self.model, condition) if condition is not None else ()
        return (
            [_reader(self.model, name) for name in required],
            [_reader(self.model, name) for name in absent],
            [_reader(self.model, name) for name in self.fields],
        )

    def key(self, instance: Any) -> tuple | None:
        """The instance's values of the fields, or None where the constraint does not apply
        to it: its condition does not hold, or a value is NULL (two NULLs never clash in a
        unique index)."""
        required, absent, readers = self._readers
        if any(read(instance) is None for read in required):
            return None
        if any(read(instance) is not None for read in absent):
            return None
        key = tuple(read(instance) for read in readers)
        return None if None in key else key


@functools.cache
def unique_sets(model: type[models.Model]) -> tuple[UniqueSet, ...]:
    sets = [
        UniqueSet(model, (field.name,))
        for field in model._meta.concrete_fields
        if field.unique and not field.primary_key
    ]
    sets += [UniqueSet(model, tuple(fields)) for fields in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            if constraint.expressions or constraint.include or constraint.opclasses:
                continue
            default = constraint.violation_error_message == (
                constraint.default_violation_error_message
            )
            sets.append(
                UniqueSet(
                    model,
                    tuple(constraint.fields),
                    constraint.condition,
                    None if default else constraint,
                )
            )
    return tuple(sets)


def clashes(
    instances: Sequence[models.Model],
    rows: Sequence[int],
    looked_up: Sequence[tuple[str, ...]] = (),
) -> dict[int, ValidationError]:
    """The instances (by position) that would break a unique field or constraint: against the
    database's rows, or against an earlier instance of the batch, whose row the error gives.

    The unique fields in ``looked_up`` are only checked between the instances: each instance
    holds the stored record of its value, if any (an import's instance loader found it by its
    key)."""
    if not instances:
        return {}
    model = type(instances[0])
    found: dict[int, ValidationError] = {}
    for unique in unique_sets(model):
        keys = {}
        for position, instance in enumerate(instances):
            key = unique.key(instance)
            if key is None:
                continue
            if key in keys:
                found.setdefault(
                    position,
                    ValidationError(
                        _("Row %(row)s of this file has the same %(fields)s.")
                        % {"row": rows[keys[key]], "fields": _labels(model, unique.fields)}
                    ),
                )
            else:
                keys[key] = position
        if unique.fields in looked_up:
            continue
        stored = stored_keys(model, unique, list(keys))
        for key, position in keys.items():
            pk = stored.get(key)
            if pk is not None and pk != instances[position].pk:
                if unique.constraint is not None:
                    error = ValidationError(unique.constraint.get_violation_error_message())
                else:
                    # As Django's validate_unique says it: a single field's clash is that field's.
                    message = instances[position].unique_error_message(model, unique.fields)
                    if len(unique.fields) == 1:
                        error = ValidationError({unique.fields[0]: message})
                    else:
                        error = ValidationError(message)
                found.setdefault(position, error)
    return found


def stored_keys(model: type[models.Model], unique: UniqueSet, keys: list[tuple]) -> dict:
    """The primary keys of the stored rows among ``keys``, by key.

    A key of several fields is asked for whole: the keys, as a list of VALUES (on PostgreSQL,
    one array per field, unnested), joined to the table on its fields, which both databases
    answer with one probe of the unique index per key. Django's own spellings take about a
    millisecond a key to build (a Q per key) or fall back to that on SQLite (a tuple lookup); a
    box of each field's values (a IN … AND b IN …) reads every row in the box, at a million
    awards most of a second per thousand keys; and SQLite answers ``(a, b) IN (VALUES …)`` by
    reading the whole index.
    """
    fields = [model._meta.get_field(name) for name in unique.fields]
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    # VALUES names its columns column1, column2… on both databases.
    joined = " AND ".join(
        f"stored.{quote(field.column)} = wanted.column{number}"
        for number, field in enumerate(fields, start=1)
    )
    one_key = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
    # On PostgreSQL the keys come as arrays, each cast to its column's type, named as VALUES
    # names its columns.
    unnested = (
        "unnest("
        + ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        + ") AS wanted("
        + ", ".join(f"column{number}" for number in range(1, len(fields) + 1))
        + ")"
    )
    # order_by(): the model's ordering would join the award types and sort for nothing.
    rows = model._default_manager.order_by()
    if unique.condition is not None:
        rows = rows.filter(unique.condition)
    stored = {}
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        if len(fields) == 1:
            found = rows.filter(**{f"{fields[0].attname}__in": [key[0] for key in chunk]})
        elif connection.vendor == "postgresql":
            # One array per field, unnested side by side: a placeholder per field, not one per
            # value, which psycopg would otherwise split the statement's text at, thousands of
            # times per chunk (a third of a file's lookups of its natural keys went there).
            columns = [
                [field.get_db_prep_value(key[number], connection) for key in chunk]
                for number, field in enumerate(fields)
            ]
            among = RawSQL(  # noqa: S611
                f"SELECT stored.{pk_column} FROM {unnested} JOIN {table} AS stored ON {joined}",  # noqa: S608
                columns,
            )
            found = rows.filter(pk__in=among)
        else:
            # Quoted names and placeholders only; the values are parameters.
            wanted = ", ".join([one_key] * len(chunk))
            sql = (
                f"SELECT stored.{pk_column} FROM (VALUES {wanted}) AS wanted JOIN {table} AS stored"  # noqa: S608
            )
            among = RawSQL(  # noqa: S611
                f"{sql} ON {joined}",
                [
                    field.get_db_prep_value(value, connection)
                    for key in chunk
                    for field, value in zip(fields, key, strict=True)
                ],
            )
            found = rows.filter(pk__in=among)
        for pk, *key in found.values_list("pk", *(field.attname for field in fields)):
            stored[tuple(key)] = pk
    return stored


def _labels(model: type[models.Model], names: Sequence[str]) -> str:
    return ", ".join(str(model._meta.get_field(name).verbose_name) for name in names)
