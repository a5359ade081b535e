"""A person's awards indexed with their year, in place of the foreign key's own index on the
person alone: a proposal's page reads the awards of its five hundred people in the years its
rules read (movement.proposals.StoredFacts), which the person's index answered with all their
awards, each read from the table, and the year's index with a tenth of the table (#18)."""

import django.db.models.deletion
from django.db import migrations, models

PERSON_INDEX = "movement_award_recipient_person_id_fba30279"


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0035_award_tallies"),
    ]

    operations = [
        # The new index first: the person's awards are never left without one.
        migrations.AddIndex(
            model_name="award",
            index=models.Index(fields=["recipient_person", "year"], name="award_person_year_idx"),
        ),
        # The foreign key's own index dropped by name, as Django named it on either database:
        # altering the field would make SQLite rebuild the award table, which the award
        # types' triggers name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="award",
                    name="recipient_person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="awards",
                        to="movement.person",
                        verbose_name="recipient person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {PERSON_INDEX}",
                    f"CREATE INDEX {PERSON_INDEX} ON movement_award (recipient_person_id)",
                ),
            ],
        ),
    ]
