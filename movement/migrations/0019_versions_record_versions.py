"""A version on every record staff edit (movement.models.versions); existing records and their
history rows start at 1.

SQLite gets the column by ALTER TABLE … ADD COLUMN, with a default: Django's schema editor would
rebuild each table (new table, copy, drop, rename), which the award tables' triggers refuse and
which would copy a million awards. PostgreSQL adds a column with a default at once.
"""

from django.db import migrations, models

MODELS = [
    "award",
    "awardtype",
    "campaign",
    "event",
    "historicalaward",
    "historicalawardtype",
    "historicalcampaign",
    "historicalevent",
    "historicalparticipation",
    "historicalperson",
    "historicalrank",
    "historicalsource",
    "historicaltask",
    "historicalunit",
    "historicalworkarea",
    "historicalworkplan",
    "participation",
    "person",
    "rank",
    "source",
    "task",
    "unit",
    "workarea",
    "workplan",
]

HELP_TEXT = (
    "How many times the record was saved. A form or an exported file carries the version it "
    "was read at, and is refused if the record changed since."
)


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=1, editable=False, help_text=HELP_TEXT, verbose_name="version"
    )


def run(forward: bool):
    def operation(apps, schema_editor):
        quote = schema_editor.quote_name
        for name in MODELS:
            model = apps.get_model("movement", name)
            field = model._meta.get_field("version")
            table = quote(model._meta.db_table)
            if schema_editor.connection.vendor != "sqlite":
                (schema_editor.add_field if forward else schema_editor.remove_field)(model, field)
            elif forward:
                column = quote(field.column)
                schema_editor.execute(
                    f"ALTER TABLE {table} ADD COLUMN {column} integer unsigned NOT NULL "
                    f"DEFAULT 1 CHECK ({column} >= 0)"
                )
            else:
                schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(field.column)}")

    return operation


class Migration(migrations.Migration):
    dependencies = [("movement", "0018_accounts_passwords")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name=name, name="version", field=version_field())
                for name in MODELS
            ]
        ),
        # After the state has the field, so that the models given to it have it too.
        migrations.RunPython(run(True), run(False)),
    ]
