"""Export jobs keep their request as JSON and their file in the storage, not pickles and bytes in
the database. Jobs from before are dropped: their pickled queries are exactly what this removes,
and they were kept for a day only."""

from django.db import migrations, models


def forget_pickled_jobs(apps, schema_editor):
    apps.get_model("movement", "ExportJob").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0011_preview_pending_import"),
    ]

    operations = [
        migrations.RunPython(forget_pickled_jobs, migrations.RunPython.noop),
        migrations.RemoveField(model_name="exportjob", name="query"),
        migrations.RemoveField(model_name="exportjob", name="content"),
        migrations.AddField(
            model_name="exportjob",
            name="model",
            field=models.CharField(default="", max_length=100, verbose_name="list"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exportjob",
            name="parameters",
            field=models.JSONField(blank=True, default=dict, verbose_name="filters and search"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="items",
            field=models.JSONField(blank=True, null=True, verbose_name="selected records"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="file",
            field=models.FileField(blank=True, upload_to="exports/", verbose_name="file"),
        ),
    ]
