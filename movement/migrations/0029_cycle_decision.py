"""A proposal names the decision that gave its awards (the decisions' own model, issue #16)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0028_cycle_proposals"),
        ("movement", "0026_decisions_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="movement.decision",
                verbose_name="decision",
            ),
        ),
        migrations.AddField(
            model_name="historicalproposal",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="movement.decision",
                verbose_name="decision",
            ),
        ),
    ]
