"""Indexes for the award list at a million rows: its order, and search inside the folded text.

- (year, id) is the admin's order, newest first; deep pages are read from this index alone.
- Search looks for words anywhere in ``search_text`` (``LIKE '%word%'``), which no b-tree index
  can answer. PostgreSQL gets a pg_trgm GIN index on the column, which the planner uses for that
  very LIKE. SQLite gets an FTS5 table with the trigram tokenizer over the column, kept in step by
  triggers; movement.search queries it.

SQLite drops a table's triggers with it, and Django's SQLite schema editor rebuilds a table (new
table, copy, drop, rename) for most changes to its columns: a later migration that alters the
award table on SQLite must create the triggers below again (tests/test_scale.py would notice).
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    # External content: the index only, the text stays in movement_award.
    """
    CREATE VIRTUAL TABLE movement_award_search USING fts5(
        search_text, content='movement_award', content_rowid='id', tokenize='trigram'
    );
    """,
    "INSERT INTO movement_award_search(movement_award_search) VALUES ('rebuild');",
    """
    CREATE TRIGGER movement_award_search_insert AFTER INSERT ON movement_award BEGIN
        INSERT INTO movement_award_search(rowid, search_text) VALUES (new.id, new.search_text);
    END;
    """,
    """
    CREATE TRIGGER movement_award_search_delete AFTER DELETE ON movement_award BEGIN
        INSERT INTO movement_award_search(movement_award_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END;
    """,
    """
    CREATE TRIGGER movement_award_search_update AFTER UPDATE OF search_text ON movement_award
    BEGIN
        INSERT INTO movement_award_search(movement_award_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO movement_award_search(rowid, search_text) VALUES (new.id, new.search_text);
    END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS movement_award_search_update;",
    "DROP TRIGGER IF EXISTS movement_award_search_delete;",
    "DROP TRIGGER IF EXISTS movement_award_search_insert;",
    "DROP TABLE IF EXISTS movement_award_search;",
]

# pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    """
    CREATE INDEX award_search_text_trgm ON movement_award
    USING gin (search_text gin_trgm_ops);
    """,
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS award_search_text_trgm;"]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def run(direction: int):
    def operation(apps, schema_editor):
        # Another database searches with a plain LIKE (movement.search): slower, still right.
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[direction]:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("movement", "0006_roles")]

    operations = [
        migrations.AddIndex(
            model_name="award",
            index=models.Index(fields=["year", "id"], name="award_year_id_idx"),
        ),
        migrations.RunPython(run(0), run(1)),
    ]
