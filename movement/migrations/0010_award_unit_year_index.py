"""A unit page's tallies and newest awards from one index, for any size of subtree."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0009_award_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="award",
            index=models.Index(fields=["recipient_unit", "year", "id"], name="award_unit_year_idx"),
        ),
    ]
