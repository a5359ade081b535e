"""The public pages' counts of awards in force, kept by the database as awards are written.

Counting a campaign's or a year's awards reads as many index entries as it holds, hundreds of
thousands on a sector's ten million. The triggers of migration 0035 add, for every write of
awards, signed rows to three tallies: per campaign and type, per year and type (awards and
recipients), per recipient unit and year. A page adds up the rows of its keys.

The triggers only ever INSERT: two imports writing the same year's awards never wait on one
counter row, nor deadlock taking two in opposite orders. :meth:`TallyQuerySet.compact` folds each
key's rows into one: from the task worker after an import (movement.tasks.fold_tallies), and
daily from ``manage.py compact_tallies``.
"""

from django.db import connections, models, router, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _


class TallyQuerySet(models.QuerySet):
    def totals(self, key: str, *sums: str) -> dict:
        """The rows added up per ``key``: {key: sum} for one sum, {key: (sums…)} for several;
        a key whose awards are all gone is left out."""
        names = sums or ("awards",)
        rows = (
            self.order_by()
            .values_list(key)
            .annotate(*(Sum(name) for name in names))
            .filter(**{f"{names[0]}__sum__gt": 0})
            .values_list(key, *(f"{name}__sum" for name in names))
        )
        return {row[0]: row[1] if len(row) == 2 else row[1:] for row in rows}

    def compact(self) -> None:
        """Fold each key's rows into one row of their sums, dropping the sums that are zero."""
        model = self.model
        alias = router.db_for_write(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        keys = ", ".join(quote(model._meta.get_field(name).column) for name in model.KEYS)
        sums = ", ".join(quote(name) for name in model.SUMS)
        summed = ", ".join(f"SUM({quote(name)})" for name in model.SUMS)
        nonzero = " OR ".join(f"SUM({quote(name)}) <> 0" for name in model.SUMS)
        folded = f"SELECT {keys} FROM {table} GROUP BY {keys} HAVING COUNT(*) > 1"  # noqa: S608
        # Only the model's own table and column names go into the SQL.
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One statement, so one snapshot: a row a writer commits meanwhile is neither
                # deleted nor summed, and waits for the next compaction. The lock lets one
                # compaction run at a time and never waits on, nor holds up, the writers' INSERTs.
                cursor.execute(f"LOCK TABLE {table} IN SHARE UPDATE EXCLUSIVE MODE")
                cursor.execute(
                    f"WITH gone AS (DELETE FROM {table} WHERE ({keys}) IN ({folded})"  # noqa: S608
                    f" RETURNING {keys}, {sums})"
                    f" INSERT INTO {table} ({keys}, {sums}) SELECT {keys}, {summed} FROM gone"
                    f" GROUP BY {keys} HAVING {nonzero}"
                )
            else:
                # SQLite's writers take the database's lock in turn: none writes between the two.
                cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
                (last,) = cursor.fetchone()
                if last is None:
                    return
                before = f"{table} WHERE id <= {int(last)}"
                folded = f"SELECT {keys} FROM {before} GROUP BY {keys} HAVING COUNT(*) > 1"  # noqa: S608
                mine = f"id <= {int(last)} AND ({keys}) IN ({folded})"
                cursor.execute(
                    f"INSERT INTO {table} ({keys}, {sums}) SELECT {keys}, {summed}"  # noqa: S608
                    f" FROM {table} WHERE {mine} GROUP BY {keys} HAVING {nonzero}"
                )
                cursor.execute(f"DELETE FROM {table} WHERE {mine}")  # noqa: S608


class Tally(models.Model):
    # The keys' field names and the summed columns, for compact().
    KEYS: tuple[str, ...] = ()
    SUMS: tuple[str, ...] = ("awards",)

    awards = models.IntegerField()

    objects = TallyQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        keys = ", ".join(
            str(getattr(self, self._meta.get_field(name).attname)) for name in self.KEYS
        )
        return f"{keys}: {', '.join(str(getattr(self, name)) for name in self.SUMS)}"


# The keys are not foreign-key constraints: a tally is derived from the awards, whose own keys
# PROTECT their campaign, type and unit; a campaign deleted once its awards are gone leaves rows
# summing to zero, which the next compaction drops. A write of awards checks no more keys than
# it did. Each table's one index, on its keys then its sums, is all a page's sum reads.
def key(to: str) -> models.ForeignKey:
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class CampaignTally(Tally):
    """Awards in force of a campaign and type (rows to add up)."""

    KEYS = ("campaign", "award_type")

    campaign = key("movement.Campaign")
    award_type = key("movement.AwardType")

    class Meta:
        verbose_name = _("campaign tally")
        verbose_name_plural = _("campaign tallies")
        # Derived from the awards by the triggers: nobody adds, edits or deletes a tally.
        default_permissions = ()
        indexes = [
            models.Index(fields=["campaign", "award_type", "awards"], name="campaign_tally_idx")
        ]


class YearTally(Tally):
    """Awards in force of a year and type, and the recipients they honour (rows to add up)."""

    KEYS = ("year", "award_type")
    SUMS = ("awards", "recipients")

    year = models.PositiveSmallIntegerField()
    award_type = key("movement.AwardType")
    recipients = models.IntegerField()

    class Meta:
        verbose_name = _("year tally")
        verbose_name_plural = _("year tallies")
        # Derived from the awards by the triggers: nobody adds, edits or deletes a tally.
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["year", "award_type", "awards", "recipients"], name="year_tally_idx"
            )
        ]


class UnitYearTally(Tally):
    """Awards in force given to a unit in a year (rows to add up)."""

    KEYS = ("unit", "year")

    unit = key("movement.Unit")
    year = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("unit year tally")
        verbose_name_plural = _("unit year tallies")
        # Derived from the awards by the triggers: nobody adds, edits or deletes a tally.
        default_permissions = ()
        indexes = [models.Index(fields=["unit", "year", "awards"], name="unit_year_tally_idx")]


TALLIES = (CampaignTally, YearTally, UnitYearTally)


def compact_tallies() -> None:
    """Fold every tally's rows (TallyQuerySet.compact)."""
    for model in TALLIES:
        model.objects.compact()
