"""People indexed by their full name: the admin lists them by it, an import finds them by their
names' spellings, and an export reads each name's namesakes, a thousand names a query
(movement.spreadsheets.names.NamedRecordWidget.written_forms), without reading the table each
time (#12)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0040_award_person_year_type_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["full_name"], name="person_full_name_idx"),
        ),
    ]
