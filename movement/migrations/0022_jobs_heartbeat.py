"""Export jobs write a heartbeat and count their tries: a job whose worker stopped is failed and
can be tried again, never left "being written" for ever."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0021_history_area_restrict"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="attempt",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="try"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last sign of its worker"
            ),
        ),
    ]
