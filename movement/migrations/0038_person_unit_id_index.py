"""A person's unit indexed with their id, in place of the foreign key's own index on the unit
alone: a province's quota check counts its people, and those holding the year's titles, which
the unit's index answered by reading each of them from the table, 35,000 rows at ten million
awards; with the id beside the unit the index answers alone (#18)."""

import django.db.models.deletion
from django.db import migrations, models

UNIT_INDEX = "movement_person_unit_id_6bf9f6ff"


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0037_tallies_without_permissions"),
    ]

    operations = [
        # The new index first: the unit's people are never left without one.
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["unit", "id"], name="person_unit_id_idx"),
        ),
        # The foreign key's own index dropped by name, as Django named it on either database:
        # altering the field would make SQLite rebuild the people's table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="people",
                        to="movement.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {UNIT_INDEX}",
                    f"CREATE INDEX {UNIT_INDEX} ON movement_person (unit_id)",
                ),
            ],
        ),
    ]
