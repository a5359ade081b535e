"""A preview keeps the version of the record each row read: its confirmation refuses a record
saved since. Previews kept before have none, and are confirmed as they were."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0022_jobs_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingimport",
            name="versions",
            field=models.JSONField(blank=True, default=list, verbose_name="versions previewed"),
        ),
    ]
