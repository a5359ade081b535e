"""The resources moved from movement.resources to movement.spreadsheets.resources: previews
waiting for their confirmation and queued exports name their resource by its dotted path, so
the stored paths move with it."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Replace

OLD = "movement.resources."
NEW = "movement.spreadsheets.resources."


def rename(old: str, new: str):
    def run(apps, schema_editor):
        for name in ("PendingImport", "ExportJob"):
            model = apps.get_model("movement", name)
            model.objects.filter(resource__startswith=old).update(
                resource=Replace(F("resource"), Value(old), Value(new))
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("movement", "0015_pending_import_actions")]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
