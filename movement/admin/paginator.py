"""Paging through a table of a million rows as quickly as through a thousand."""

from __future__ import annotations

from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections, models
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap on any database.
ESTIMATE_ABOVE = 100_000
# A filtered list is counted this far past the first row of the page shown, and no further.
COUNT_AHEAD = 10_000
# A search's matches, up to this many, are read whole in one query (LargeTablePaginator).
READ_WHOLE = 20_000
# Columns whose order Python's sort gives exactly as the database's, when never null: numbers and
# dates (text follows the database's collation).
SORTED_ALIKE = (models.IntegerField, models.DateField)


def ordering_sorted_alike(queryset: QuerySet) -> list[tuple[str, bool]] | None:
    """The ``queryset``'s ordering as (column, descending) pairs if Python sorts its rows as the
    database does (:data:`SORTED_ALIKE`, the model's own non-null columns); None otherwise."""
    opts = queryset.model._meta
    ordering = []
    for item in queryset.query.order_by:
        if not isinstance(item, str):
            return None
        name = item.removeprefix("-")
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if not isinstance(field, SORTED_ALIKE) or field.null or field.is_relation:
            return None
        # A column named again (the admin adds "-pk" to an ordering that ends with the id)
        # orders nothing more.
        if field.attname not in dict(ordering):
            ordering.append((field.attname, item.startswith("-")))
    return ordering or None


def estimated_count(queryset: QuerySet) -> int | None:
    """The rows of an unfiltered table on PostgreSQL, estimated when it is big; else None.

    Counting a million rows exactly reads a million index entries (a tenth of a second or more
    on PostgreSQL, whose MVCC keeps no row count). The planner's ``reltuples`` is what
    VACUUM and ANALYZE last counted, which autovacuum keeps close after every few percent of
    change. Below ESTIMATE_ABOVE rows the same single query counts exactly, so a small table
    costs no extra query. SQLite counts a table through its smallest index in milliseconds, so
    it is always counted exactly (None here).
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where:
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        # reltuples is -1 until the table is first analysed: then it is counted exactly too.
        cursor.execute(
            f"SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint "  # noqa: S608
            f"ELSE (SELECT count(*) FROM {table}) END "
            "FROM pg_class WHERE oid = %s::regclass",
            [ESTIMATE_ABOVE, queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


class LargeTablePaginator(Paginator):
    """Counts cheaply and reads only the rows of the page asked for, however deep it is.

    The count is exact, except for the whole of a big table on PostgreSQL, where it is the
    planner's estimate (:func:`estimated_count`), and for a filtered list longer than
    COUNT_AHEAD rows past the page shown (``start``, its first row), where counting stops: the
    list is then :attr:`bounded`, its count the rows counted, and it says "more than" that.
    Counting every match of a search for "nguyen van" reads as many rows as the table has
    awards of Nguyễn Văns, which grows with the table; no one pages through ten thousand of
    them, and each page further on counts as far again past it.

    A plain page query (``… ORDER BY year DESC, id DESC LIMIT 100 OFFSET 999900``, with the
    joins the list needs) makes the database build, join and throw away every row before the
    page. Here a page is found in two steps instead (a "deferred join"):

    1. the ids of the page, from the filtered table alone: the index the ordering follows also
       holds the id, so the database steps over the skipped rows inside the index, never
       reading the rows themselves. Past the middle of the list the order is reversed, so that
       the last page is as quick as the first: it is the first page read backwards;
    2. those rows from ``rows`` (the admin's unfiltered queryset, with its joins) by primary
       key, put back in the order of step 1.

    ``rows`` must hold every row the list may show: the filters are not applied to it again,
    which matters where a filter is costly (a full-text search).

    A search (``read_whole``, up to that many matches) is read whole instead, in one query that
    replaces both the count and step 1: its matches' ids and the columns the list is ordered by,
    unordered, sorted here. Ordered by the database, with a LIMIT of a page, the planner guesses
    how far down the ordering's index it must walk to find a page of matches; it guesses from
    how many rows it thinks match, spread evenly. At ten million awards "nguyen van khao"
    matched 10,500 awards, 39 of them among 2026's 220,000: the walk read 350,000 rows, up to a
    second (#18). Unordered, the matches are read from the search's own index, whatever their
    years.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *args,
        rows: QuerySet,
        start: int = 0,
        read_whole: int = 0,
        **kwargs,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows
        self.start = start
        self.read_whole = read_whole
        # How the list is sorted when read whole; None when it is not read so.
        self.ordering = ordering_sorted_alike(object_list) if read_whole else None
        self.bounded = False
        # The ids of the whole list, in its order, when it was read whole.
        self.listed: list | None = None

    @cached_property
    def count(self) -> int:
        if not self.object_list.query.where:
            estimate = estimated_count(self.object_list)
            return self.object_list.count() if estimate is None else estimate
        bound = self.start + COUNT_AHEAD
        read = self.read_unordered()
        if read is not None and len(read) <= self.read_whole:
            self.listed = self.sorted_ids(read)
            return len(read)
        if read is not None and len(read) > bound:
            self.bounded = True
            return bound
        # COUNT(*) over a subquery that stops one row past the bound.
        counted = self.object_list.order_by()[: bound + 1].count()
        self.bounded = counted > bound
        return min(counted, bound)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.page_ids(bottom, top)
        found = self.rows.order_by().in_bulk(ids)
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)

    def read_unordered(self) -> list[tuple] | None:
        """Up to ``read_whole`` + 1 rows of the list, each its id and the columns it is ordered
        by, in no order; None if it is not to be read whole, or Python cannot sort it."""
        if self.ordering is None:
            return None
        columns = [column for column, _descending in self.ordering]
        rows = self.object_list.order_by().values_list("pk", *columns)
        return list(rows[: self.read_whole + 1])

    def sorted_ids(self, rows: list[tuple]) -> list:
        # Sorted by the last column first: each sort keeps the order of the one before among
        # equal values, descending ones too.
        for position, (_column, descending) in reversed(list(enumerate(self.ordering, 1))):
            rows.sort(key=itemgetter(position), reverse=descending)
        return [row[0] for row in rows]

    def page_ids(self, bottom: int, top: int) -> list:
        if self.listed is not None:
            return self.listed[bottom:top]
        ids = self.object_list.values_list("pk", flat=True)
        # A bounded list's end is not known: it is read forwards only.
        if self.bounded or bottom <= self.count - top:
            return list(ids[bottom:top])
        # Nearer the end: the same rows, counted from the end in the reverse order. (With an
        # estimated count, "the end" is where the estimate puts it; the last page is always the
        # last rows.)
        backwards = list(ids.reverse()[max(self.count - top, 0) : self.count - bottom])
        return backwards[::-1]
