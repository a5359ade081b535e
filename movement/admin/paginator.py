"""Paging through a table of a million rows as quickly as through a thousand."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap on any database.
ESTIMATE_ABOVE = 100_000
# A filtered list is counted this far past the first row of the page shown, and no further.
COUNT_AHEAD = 10_000


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
    """

    def __init__(
        self, object_list: QuerySet, per_page: int, *args, rows: QuerySet, start: int = 0, **kwargs
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows
        self.start = start
        self.bounded = False

    @cached_property
    def count(self) -> int:
        if not self.object_list.query.where:
            estimate = estimated_count(self.object_list)
            return self.object_list.count() if estimate is None else estimate
        bound = self.start + COUNT_AHEAD
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

    def page_ids(self, bottom: int, top: int) -> list:
        ids = self.object_list.values_list("pk", flat=True)
        # A bounded list's end is not known: it is read forwards only.
        if self.bounded or bottom <= self.count - top:
            return list(ids[bottom:top])
        # Nearer the end: the same rows, counted from the end in the reverse order. (With an
        # estimated count, "the end" is where the estimate puts it; the last page is always the
        # last rows.)
        backwards = list(ids.reverse()[max(self.count - top, 0) : self.count - bottom])
        return backwards[::-1]
