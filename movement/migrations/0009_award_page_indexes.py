"""Covering indexes for the public pages' tallies at a million awards (see Award.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0008_export_job"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["year", "award_type", "group_count"], name="award_year_type_group_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["campaign", "award_type", "-year", "id"],
                name="award_campaign_type_year_idx",
            ),
        ),
    ]
