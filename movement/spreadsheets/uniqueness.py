"""A model's constraints checked in Python, for imports of thousands of rows.

Django validates each constraint of each instance with a query of its own: eight per award, so
80,000 for a file of 10,000 awards. Here a check constraint's condition is evaluated on the
instance itself, with the database's three-valued logic (a comparison with NULL is unknown, and
an unknown condition passes, as in SQL), compiled once rather than read again on every row; and
unique fields and constraints are checked for a whole batch of instances with one query per
constraint and thousand instances. A condition this module cannot evaluate falls back to
Django's own query, so nothing goes unchecked.
"""

import dataclasses
import functools
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


Condition = Callable[[models.Model], "bool | None"]


def compile_condition(model: type[models.Model], condition: Q, names: set[str]) -> Condition:
    """``condition`` as a function of an instance of ``model``, as the database would read it:
    True, False, or None for unknown. Its fields and lookups are resolved here, once, rather
    than on every row of a file. Adds the fields it reads to ``names``; raises
    :class:`Unsupported` for a lookup or expression it does not evaluate."""
    parts = [
        compile_condition(model, child, names)
        if isinstance(child, Q)
        else _compile_lookup(model, child, names)
        for child in condition.children
    ]
    # The outcome one part decides alone: False for AND, True for OR.
    deciding = condition.connector != Q.AND
    negated = condition.negated

    def check(instance: models.Model) -> bool | None:
        outcome: bool | None = not deciding
        for part in parts:
            result = part(instance)
            if result is None:
                outcome = None
            elif bool(result) is deciding:
                outcome = deciding
                break
        return outcome if outcome is None or not negated else not outcome

    return check


def _reader(model: type[models.Model], name: str, names: set[str]) -> Callable[[Any], Any]:
    names.add(name)
    if name == "pk":
        return operator.attrgetter("pk")
    field = model._meta.get_field(name)
    if field.is_relation and not field.concrete:
        raise Unsupported(name)
    return operator.attrgetter(field.attname)


def _compile_lookup(
    model: type[models.Model], child: tuple[str, Any], names: set[str]
) -> Condition:
    path, expected = child
    name, _sep, lookup = path.partition(LOOKUP_SEP)
    lookup = lookup or "exact"
    if LOOKUP_SEP in lookup:
        raise Unsupported(path)
    read = _reader(model, name, names)
    if lookup == "exact" and expected is None:
        # field=None is Django's spelling of IS NULL.
        return lambda instance: read(instance) is None
    if isinstance(expected, F):
        if LOOKUP_SEP in expected.name:
            raise Unsupported(expected.name)
        other = _reader(model, expected.name, names)
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(path)
    else:
        value = expected.pk if isinstance(expected, models.Model) else expected
        other = lambda instance: value  # noqa: E731
    if lookup == "isnull":
        wanted = bool(expected)
        return lambda instance: (read(instance) is None) == wanted
    compare = COMPARISONS.get(lookup)
    if compare is None:
        raise Unsupported(path)

    def check(instance: models.Model) -> bool | None:
        value, against = read(instance), other(instance)
        if value is None or against is None:
            return None
        return compare(value, against)

    return check


@dataclass(frozen=True)
class Check:
    """A check constraint with its condition compiled (None: checked by Django, with a query)
    and the fields the condition reads."""

    constraint: models.CheckConstraint
    names: frozenset[str]
    condition: Condition | None


def compile_checks(model: type[models.Model]) -> list[Check]:
    checks = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            names: set[str] = set()
            try:
                condition = compile_condition(model, Q(constraint.condition), names)
            except Unsupported:
                condition = None
            checks.append(Check(constraint, frozenset(names), condition))
    return checks


def check_constraints(instance: models.Model, checks: list[Check], exclude: set[str]) -> None:
    """Raise the ValidationError Django would for the instance's violated check constraints,
    leaving out those that read a field in ``exclude``."""
    errors = []
    for check in checks:
        if check.condition is None:
            try:
                check.constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                errors.append(error)
        elif not check.names & exclude and check.condition(instance) is False:
            errors.append(
                ValidationError(
                    check.constraint.get_violation_error_message(),
                    code=check.constraint.violation_error_code,
                )
            )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class UniqueSet:
    """Fields of ``model`` whose values no two rows may share (where ``condition`` holds), and
    the constraint that says so, if it has words of its own for a row that breaks it (None:
    Django's "… with this … already exists")."""

    model: type[models.Model]
    fields: tuple[str, ...]
    condition: Q | None = None
    constraint: models.UniqueConstraint | None = dataclasses.field(default=None, compare=False)

    @functools.cached_property
    def _compiled(self) -> tuple[Condition | None, list[Callable[[Any], Any]]]:
        condition = self.condition and compile_condition(self.model, self.condition, set())
        return condition, [_reader(self.model, name, set()) for name in self.fields]

    def key(self, instance: models.Model) -> tuple | None:
        condition, readers = self._compiled
        if condition is not None and condition(instance) is not True:
            return None
        key = tuple(read(instance) for read in readers)
        # Two NULLs never clash in a unique index.
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
                    message = unique.constraint.get_violation_error_message()
                else:
                    message = instances[position].unique_error_message(model, unique.fields)
                found.setdefault(position, ValidationError(message))
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
