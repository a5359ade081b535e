"""Search keeps the marks typed: Hưng is not Hùng (movement.search). Each searchable record gets
``marked_text``, its text lower-cased with its marks, beside the folded ``search_text``; it is
filled here for the records there are, and indexed on the award table as ``search_text`` is
(0007): a pg_trgm GIN index of its own on PostgreSQL; on SQLite the FTS5 trigram table is made
again over both columns, with its triggers.

SQLite gets the column by ALTER TABLE … ADD COLUMN with a default, as in 0019: Django's schema
editor would rebuild each table, which the award tables' triggers refuse and which would copy a
million awards. The texts are written as Searchable.refresh_search_text() and each model's
search_parts() write them now, with frozen copies of both and of text.marked(): historical
models have no methods, and a migration must not change when the app's code does.
"""

import re
import unicodedata
from importlib import import_module

from django.db import migrations, models

MODELS = ["award", "awardtype", "campaign", "event", "person", "task", "unit"]
BATCH = 2000

# -- The text, as movement.text.marked() and Searchable.refresh_search_text() write it ---------

LOOKALIKES = str.maketrans({"Ð": "Đ", "Ɖ": "Đ", "ð": "đ", "ɖ": "đ"})
SPACES = re.compile(r"\s+")
SEPARATOR = "\n"


def marked(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text.translate(LOOKALIKES).casefold())
    return SPACES.sub(" ", lowered).strip()


def marked_text(public: list, staff: list) -> str:
    public_text = marked(" ".join(part for part in public if part))
    staff_text = marked(" ".join(part for part in staff if part))
    return f"{public_text}{SEPARATOR}{staff_text}" if staff_text else public_text


# An award type's name with its class, as AwardType.__str__, and its category as the site's
# language (Vietnamese, settings.LANGUAGE_CODE) labels it.
CLASS_NAMES = {"1": "hạng Nhất", "2": "hạng Nhì", "3": "hạng Ba"}
CATEGORY_NAMES = {
    "order": "huân chương",
    "medal": "huy chương",
    "flag": "cờ thi đua",
    "title": "danh hiệu thi đua",
    "certificate_of_merit": "bằng khen",
    "certificate": "giấy khen",
    "commemorative": "kỷ niệm chương",
}


def award_type_name(name, award_class) -> str:
    return f"{name} {CLASS_NAMES[award_class]}" if award_class else name


# Each model's search_parts() and staff_search_parts(): the columns read, and the parts they give.
PARTS = {
    "unit": (["name", "short_name", "slug"], lambda r: ([r[0], r[1], r[2]], [])),
    "person": (["full_name", "position"], lambda r: ([r[0], r[1]], [])),
    "event": (["name", "description"], lambda r: ([r[0], r[1]], [])),
    "campaign": (
        ["name", "slogan", "motto", "guiding_principle"],
        lambda r: ([r[0], r[1], r[2], r[3]], []),
    ),
    "task": (["title", "result"], lambda r: ([r[0], r[1]], [])),
    "awardtype": (
        ["name", "award_class", "category"],
        lambda r: ([award_type_name(r[0], r[1]), CATEGORY_NAMES.get(r[2], r[2])], []),
    ),
    "award": (
        [
            "decision_number",
            "award_type__name",
            "award_type__award_class",
            "recipient_person__full_name",
            "recipient_unit__name",
            "recipient_unit__short_name",
            "note",
        ],
        lambda r: (
            [r[0], r[1] if r[1] is None else award_type_name(r[1], r[2]), r[3], r[4], r[5]],
            [r[6]],
        ),
    ),
}


def fill(apps, schema_editor) -> None:
    for name, (columns, parts) in PARTS.items():
        model = apps.get_model("movement", name)
        manager = model._default_manager
        rows = manager.order_by("pk").values_list("pk", *columns)
        batch = []
        for pk, *values in rows.iterator(chunk_size=BATCH):
            batch.append(model(pk=pk, marked_text=marked_text(*parts(values))))
            if len(batch) == BATCH:
                manager.bulk_update(batch, ["marked_text"])
                batch = []
        manager.bulk_update(batch, ["marked_text"])


# -- The column ---------------------------------------------------------------------------------


def marked_text_field() -> models.TextField:
    return models.TextField(default="", editable=False)


def column(forward: bool):
    def operation(apps, schema_editor) -> None:
        quote = schema_editor.quote_name
        for name in MODELS:
            model = apps.get_model("movement", name)
            field = model._meta.get_field("marked_text")
            table = quote(model._meta.db_table)
            if schema_editor.connection.vendor != "sqlite":
                (schema_editor.add_field if forward else schema_editor.remove_field)(model, field)
            elif forward:
                schema_editor.execute(
                    f"ALTER TABLE {table} ADD COLUMN {quote(field.column)} text NOT NULL DEFAULT ''"
                )
            else:
                schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(field.column)}")

    return operation


# -- The award table's index ----------------------------------------------------------------------

SEARCH_INDEX = import_module("movement.migrations.0007_award_year_index_and_search_index")

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE movement_award_search USING fts5(
        search_text, marked_text, content='movement_award', content_rowid='id',
        tokenize='trigram'
    );
    """,
    "INSERT INTO movement_award_search(movement_award_search) VALUES ('rebuild');",
    """
    CREATE TRIGGER movement_award_search_insert AFTER INSERT ON movement_award BEGIN
        INSERT INTO movement_award_search(rowid, search_text, marked_text)
        VALUES (new.id, new.search_text, new.marked_text);
    END;
    """,
    """
    CREATE TRIGGER movement_award_search_delete AFTER DELETE ON movement_award BEGIN
        INSERT INTO movement_award_search(movement_award_search, rowid, search_text, marked_text)
        VALUES ('delete', old.id, old.search_text, old.marked_text);
    END;
    """,
    """
    CREATE TRIGGER movement_award_search_update
    AFTER UPDATE OF search_text, marked_text ON movement_award
    BEGIN
        INSERT INTO movement_award_search(movement_award_search, rowid, search_text, marked_text)
        VALUES ('delete', old.id, old.search_text, old.marked_text);
        INSERT INTO movement_award_search(rowid, search_text, marked_text)
        VALUES (new.id, new.search_text, new.marked_text);
    END;
    """,
]
# The same names as 0007's table and triggers, so the same statements drop either.
SQLITE_BACKWARD = SEARCH_INDEX.SQLITE_BACKWARD

POSTGRES_FORWARD = [
    "CREATE INDEX award_marked_text_trgm ON movement_award USING gin (marked_text gin_trgm_ops);"
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS award_marked_text_trgm;"]


def run(statements: dict[str, list[str]]):
    def operation(apps, schema_editor) -> None:
        # Another database searches with a plain LIKE (movement.search): slower, still right.
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


DROP_OLD_INDEX = {"sqlite": SEARCH_INDEX.SQLITE_BACKWARD}
MAKE_OLD_INDEX = {"sqlite": SEARCH_INDEX.SQLITE_FORWARD}
MAKE_INDEX = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
DROP_INDEX = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}


class Migration(migrations.Migration):
    dependencies = [("movement", "0031_papers_certificate_layouts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name=name, name="marked_text", field=marked_text_field())
                for name in MODELS
            ]
        ),
        # After the state has the field, so that the models given to it have it too.
        migrations.RunPython(column(True), column(False)),
        # Filled without the index, then indexed at once: no trigger runs for each row.
        migrations.RunPython(run(DROP_OLD_INDEX), run(MAKE_OLD_INDEX)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(run(MAKE_INDEX), run(DROP_INDEX)),
    ]
