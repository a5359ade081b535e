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

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class InArray(In):
    """Values, not records: ``person__in_array=ids``."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        # A subquery, or values among which an expression (Django gathers them in one), is
        # written as ``in``.
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Raises EmptyResultSet for no values, as ``in`` does.
        _placeholders, params = self.process_rhs(compiler, connection)
        kind = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{kind}[])", (*lhs_params, list(params))


# A relation's lookups are its own (ForeignObject.get_class_lookups): registered there too.
Field.register_lookup(InArray)
ForeignObject.register_lookup(InArray)
