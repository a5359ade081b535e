"""A model's constraints checked in Python, for imports of thousands of rows.

Django validates each constraint of each instance with a query of its own: eight per award, so
80,000 for a file of 10,000 awards. Here a check constraint's condition is evaluated on the
instance itself, with the database's three-valued logic (a comparison with NULL is unknown, and
an unknown condition passes, as in SQL), and unique fields and constraints are checked for a whole
batch of instances with one query per constraint and thousand instances. A condition this module
cannot evaluate falls back to Django's own query, so nothing goes unchecked.
"""

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

# Keys asked for in one query when checking a file's rows against the table.
KEYS_PER_QUERY = 1000


class Unsupported(Exception):
    """A condition with a lookup or expression this module does not evaluate."""


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _value(instance: models.Model, name: str) -> Any:
    if name == "pk":
        return instance.pk
    field = instance._meta.get_field(name)
    if field.is_relation and not field.concrete:
        raise Unsupported(name)
    return getattr(instance, field.attname)


def evaluate(condition: Q, instance: models.Model) -> bool | None:
    """``condition`` on ``instance`` as the database would: True, False, or None for unknown."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, instance))
        else:
            results.append(_lookup(child, instance))
    if condition.connector == Q.AND:
        outcome = False if False in results else None if None in results else True
    else:
        outcome = True if True in results else None if None in results else False
    if condition.negated:
        return None if outcome is None else not outcome
    return outcome


def _lookup(child: tuple[str, Any], instance: models.Model) -> bool | None:
    path, expected = child
    name, _sep, lookup = path.partition(LOOKUP_SEP)
    lookup = lookup or "exact"
    if LOOKUP_SEP in lookup:
        raise Unsupported(path)
    value = _value(instance, name)
    if lookup == "exact" and expected is None:
        # field=None is Django's spelling of IS NULL.
        return value is None
    if isinstance(expected, F):
        if LOOKUP_SEP in expected.name:
            raise Unsupported(expected.name)
        expected = _value(instance, expected.name)
    elif isinstance(expected, models.Model):
        expected = expected.pk
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(path)
    if lookup == "isnull":
        return (value is None) == bool(expected)
    if lookup not in COMPARISONS:
        raise Unsupported(path)
    if value is None or expected is None:
        return None
    return COMPARISONS[lookup](value, expected)


def check_constraints(instance: models.Model, exclude: Sequence[str] = ()) -> None:
    """Raise the ValidationError Django would for the instance's violated check constraints."""
    errors: list[ValidationError] = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        if set(_fields_of(constraint.condition)) & set(exclude):
            continue
        try:
            violated = evaluate(Q(constraint.condition), instance) is False
        except Unsupported:
            try:
                constraint.validate(type(instance), instance, exclude=set(exclude))
            except ValidationError as error:
                errors.append(error)
            continue
        if violated:
            errors.append(
                ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code
                )
            )
    if errors:
        raise ValidationError(errors)


def _fields_of(condition: Q) -> list[str]:
    names = []
    for child in condition.children:
        if isinstance(child, Q):
            names += _fields_of(child)
        else:
            names.append(child[0].split(LOOKUP_SEP)[0])
    return names


@dataclass(frozen=True)
class UniqueSet:
    """Fields whose values no two rows may share (where ``condition`` holds)."""

    fields: tuple[str, ...]
    condition: Q | None = None

    def key(self, instance: models.Model) -> tuple | None:
        if self.condition is not None and evaluate(self.condition, instance) is not True:
            return None
        key = tuple(_value(instance, name) for name in self.fields)
        # Two NULLs never clash in a unique index.
        return None if None in key else key


def unique_sets(model: type[models.Model]) -> list[UniqueSet]:
    sets = [
        UniqueSet((field.name,))
        for field in model._meta.concrete_fields
        if field.unique and not field.primary_key
    ]
    sets += [UniqueSet(tuple(fields)) for fields in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            if constraint.expressions or constraint.include or constraint.opclasses:
                continue
            sets.append(UniqueSet(tuple(constraint.fields), constraint.condition))
    return sets


KeyReader = Callable[[models.Model], "tuple | None"]


def clashes(
    instances: Sequence[models.Model],
    rows: Sequence[int],
    key_reader: Callable[[type[models.Model], UniqueSet], KeyReader] | None = None,
    looked_up: Sequence[tuple[str, ...]] = (),
) -> dict[int, ValidationError]:
    """The instances (by position) that would break a unique field or constraint: against the
    database's rows, or against an earlier instance of the batch, whose row the error gives.

    ``key_reader`` gives, for a model and one of its unique sets, a faster way to read an
    instance's key than :meth:`UniqueSet.key` (an import compiles one per file). The unique
    fields in ``looked_up`` are only checked between the instances: each instance holds the
    stored record of its value, if any (an import's instance loader found it by its key)."""
    if not instances:
        return {}
    model = type(instances[0])
    found: dict[int, ValidationError] = {}
    for unique in unique_sets(model):
        keys = {}
        key_of = key_reader(model, unique) if key_reader else unique.key
        for position, instance in enumerate(instances):
            key = key_of(instance)
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
                found.setdefault(
                    position,
                    ValidationError(instances[position].unique_error_message(model, unique.fields)),
                )
    return found


def stored_keys(model: type[models.Model], unique: UniqueSet, keys: list[tuple]) -> dict:
    """The primary keys of the stored rows among ``keys``, by key.

    A key of several fields is asked for whole: the keys, as a list of VALUES, joined to the
    table on its fields, which both databases answer with one probe of the unique index per
    key. Django's own spellings take about a millisecond a key to build (a Q per key) or fall
    back to that on SQLite (a tuple lookup); a box of each field's values (a IN … AND b IN …)
    reads every row in the box, at a million awards most of a second per thousand keys; and
    SQLite answers ``(a, b) IN (VALUES …)`` by reading the whole index.
    """
    fields = [
        model._meta.pk if name == "pk" else model._meta.get_field(name) for name in unique.fields
    ]
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    # VALUES names its columns column1, column2… on both databases.
    joined = " AND ".join(
        f"stored.{quote(field.column)} = wanted.column{number}"
        for number, field in enumerate(fields, start=1)
    )
    one_key = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
    # order_by(): the model's ordering would join the award types and sort for nothing.
    rows = model._default_manager.order_by()
    if unique.condition is not None:
        rows = rows.filter(unique.condition)
    stored = {}
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        if len(fields) == 1:
            found = rows.filter(**{f"{fields[0].attname}__in": [key[0] for key in chunk]})
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
