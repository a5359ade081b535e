"""``field__in_array=values``: the ``in`` lookup for the thousands of values an import asks for
at once (the people of a file, the names it uses).

On PostgreSQL the values travel as one array, ``field = ANY(%s::type[])``, which the server plans
as it plans ``IN (…)``. Written ``IN (%s, %s, …)``, psycopg splits the statement at each of
its placeholders and keeps a few objects for each value until the query is sent: for a file of
10,000 rows those were a quarter of what Python's cycle collector walked during its import.
Django itself may come to do this (ticket #37211); until then, a lookup of the project's.
Other databases read it as ``in``.
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class InArray(In):
    """Values, not records: ``person__in_array=ids``."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        # A subquery, or values among which an expression (Django gathers them in one), is
        # written as ``in``.
        if not self.rhs_is_direct_value() or self.bilateral_transforms:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # NULL equals nothing; no values raise EmptyResultSet, as ``in`` does.
        values = [value for value in dict.fromkeys(self.rhs) if value is not None]
        if not values:
            raise EmptyResultSet
        # Prepared for the database in one call. ``in`` checks each value for an expression to
        # compile (a direct value holds none) and makes a list and a pair for each: thousands of
        # containers alive at once, which the cycle collector walked in its full collections.
        _placeholder, params = self.get_db_prep_lookup(values, connection)
        kind = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{kind}[])", (*lhs_params, params)


# A relation's lookups are its own (ForeignObject.get_class_lookups): registered there too.
Field.register_lookup(InArray)
ForeignObject.register_lookup(InArray)
