"""The public pages' tallies of awards in force, kept by triggers (movement.models.tallies).

Every write of awards adds signed rows to the three tallies: an award now in force counts +1 under
its keys, one no longer in force (revoked, deleted, moved to another key) -1. The triggers only
INSERT, so concurrent writers never wait on a counter row (a kept counter would be UPDATEd by
every import of the year, one transaction at a time, and two imports taking their types in
opposite orders would deadlock); the pages add up the rows of their keys, and compaction folds
them.

- PostgreSQL: inserts and deletes are tallied once per statement from its transition table, one
  row per key the statement touched (an import of ten thousand awards adds tens of rows, not
  thirty thousand); an update, per row, only when it changes what is counted (UPDATE OF … WHEN),
  since a statement trigger with transition tables cannot name columns and would copy every
  award a search-text refresh rewrites.
- SQLite has only row triggers: one row per tally per award written.

The tallies are backfilled from the awards in force, one row per key, after the triggers are
made: on PostgreSQL, CREATE TRIGGER holds writers of awards off until the migration commits, so
no award is counted twice or missed.

The year page's first awards of each type are read off a new index on (year, type, id,
revoked_on), a few entries a type: the (year, type) index it replaces made PostgreSQL walk the
primary key, 77 ms of the page at a million awards.

The award table's triggers are lost when SQLite rebuilds it (0026 recreates 0002's and 0007's
around such a step); a later migration that rebuilds it recreates these too (STATEMENTS).
"""

import django.db.models.deletion
from django.db import migrations, models

# Each tally: its table, its keys and sums (column: the award's expression, {row} the award's
# prefix, NEW. or OLD. in a row trigger), and the key that must be set for an award to count.
TALLIES = [
    (
        "movement_campaigntally",
        {"campaign_id": "{row}campaign_id", "award_type_id": "{row}award_type_id"},
        {"awards": "1"},
        "campaign_id",
    ),
    (
        "movement_yeartally",
        {"year": "{row}year", "award_type_id": "{row}award_type_id"},
        {"awards": "1", "recipients": "COALESCE({row}group_count, 1)"},
        "award_type_id",
    ),
    (
        "movement_unityeartally",
        {"unit_id": "{row}recipient_unit_id", "year": "{row}year"},
        {"awards": "1"},
        "recipient_unit_id",
    ),
]
# What an update must change to change a tally.
COUNTED = ["award_type_id", "year", "campaign_id", "recipient_unit_id", "group_count", "revoked_on"]


def tally_inserts(parts: list[tuple[str, str, int]]) -> list[str]:
    """An INSERT per tally of the signed sums of ``parts``: (row prefix, FROM clause, sign)."""
    statements = []
    for table, keys, sums, required in TALLIES:
        selects = []
        for row, source, sign in parts:
            columns = [f"{expr.format(row=row)} AS {name}" for name, expr in keys.items()]
            columns += [f"{sign} * {expr.format(row=row)} AS {name}" for name, expr in sums.items()]
            selects.append(
                f"SELECT {', '.join(columns)} {source}"
                f" WHERE {row}revoked_on IS NULL AND {row}{required} IS NOT NULL"
            )
        key_list = ", ".join(keys)
        if len(parts) == 1 and not parts[0][1]:
            # One row: its sums are never zero, and need no grouping (a third of an insert's
            # time on SQLite, whose triggers run per row).
            statements.append(f"INSERT INTO {table} ({key_list}, {', '.join(sums)}) {selects[0]};")
            continue
        statements.append(
            f"INSERT INTO {table} ({key_list}, {', '.join(sums)})"
            f" SELECT {key_list}, {', '.join(f'SUM({name})' for name in sums)}"
            f" FROM ({' UNION ALL '.join(selects)}) AS change GROUP BY {key_list}"
            f" HAVING {' OR '.join(f'SUM({name}) <> 0' for name in sums)};"
        )
    return statements


def changed(differs: str) -> str:
    return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in COUNTED)


# The award's tallies before (OLD, -1) and after (NEW, +1) a write of one row.
ROW_CHANGES = {
    "insert": ("INSERT", [("NEW.", "", 1)]),
    "delete": ("DELETE", [("OLD.", "", -1)]),
    "update": (f"UPDATE OF {', '.join(COUNTED)}", [("OLD.", "", -1), ("NEW.", "", 1)]),
}
# Only constants of this file are interpolated into the SQL below.
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER movement_award_tally_{name} AFTER {event} ON movement_award
    {f"WHEN {changed('IS NOT')}" if name == "update" else ""}
    BEGIN {" ".join(tally_inserts(parts))} END;
    """
    for name, (event, parts) in ROW_CHANGES.items()
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS movement_award_tally_{name};" for name in ROW_CHANGES]


def postgres_function(name: str, statements: list[str]) -> str:
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        {" ".join(statements)}
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """


POSTGRES_FORWARD = [
    postgres_function("movement_award_tally_insert", tally_inserts([("", "FROM new_awards", 1)])),
    """
    CREATE TRIGGER movement_award_tally_insert AFTER INSERT ON movement_award
    REFERENCING NEW TABLE AS new_awards
    FOR EACH STATEMENT EXECUTE FUNCTION movement_award_tally_insert();
    """,
    postgres_function("movement_award_tally_delete", tally_inserts([("", "FROM old_awards", -1)])),
    """
    CREATE TRIGGER movement_award_tally_delete AFTER DELETE ON movement_award
    REFERENCING OLD TABLE AS old_awards
    FOR EACH STATEMENT EXECUTE FUNCTION movement_award_tally_delete();
    """,
    postgres_function("movement_award_tally_update", tally_inserts(ROW_CHANGES["update"][1])),
    f"""
    CREATE TRIGGER movement_award_tally_update
    AFTER UPDATE OF {", ".join(COUNTED)} ON movement_award
    FOR EACH ROW WHEN ({changed("IS DISTINCT FROM")})
    EXECUTE FUNCTION movement_award_tally_update();
    """,
]
POSTGRES_BACKWARD = [
    statement
    for event in ("insert", "delete", "update")
    for statement in (
        f"DROP TRIGGER IF EXISTS movement_award_tally_{event} ON movement_award;",
        f"DROP FUNCTION IF EXISTS movement_award_tally_{event}();",
    )
]
# The awards in force now, one row per key.
BACKFILL = tally_inserts([("", "FROM movement_award", 1)])

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def triggers(direction: int):
    def operation(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in STATEMENTS:
            raise NotImplementedError(f"No award tally triggers for the {vendor} database.")
        for statement in STATEMENTS[vendor][direction]:
            schema_editor.execute(statement)
        if direction == 0:
            for statement in BACKFILL:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0033_award_person_in_force_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CampaignTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("awards", models.IntegerField()),
                (
                    "award_type",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.awardtype",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.campaign",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["campaign", "award_type", "awards"], name="campaign_tally_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="UnitYearTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("awards", models.IntegerField()),
                ("year", models.PositiveSmallIntegerField()),
                (
                    "unit",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.unit",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["unit", "year", "awards"], name="unit_year_tally_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="YearTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("awards", models.IntegerField()),
                ("year", models.PositiveSmallIntegerField()),
                ("recipients", models.IntegerField()),
                (
                    "award_type",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.awardtype",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["year", "award_type", "awards", "recipients"], name="year_tally_idx"
                    )
                ],
            },
        ),
        # The year page's first awards of each type, read off the index (the wider index
        # serves whatever the narrower one did).
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["year", "award_type", "id", "revoked_on"], name="award_year_type_id_idx"
            ),
        ),
        migrations.RemoveIndex(model_name="award", name="award_year_type_idx"),
        migrations.RunPython(triggers(0), triggers(1)),
    ]
