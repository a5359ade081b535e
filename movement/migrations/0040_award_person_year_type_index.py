"""A person's awards indexed with their year, type, id and revocation, in place of their year
alone: the rules' facts of an import's or a proposal's people (movement.proposals.StoredFacts)
are read from the index alone, not one table page per award (#12)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0039_pending_import_records"),
    ]

    operations = [
        # The new index first: the person's awards are never left without one.
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["recipient_person", "year", "award_type", "id", "revoked_on"],
                name="award_person_year_type_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="award",
            name="award_person_year_idx",
        ),
    ]
