"""An award's note moves to the end of its ``search_text``, after a line break, where the public
search no longer reads it (movement.search): the search texts of the awards with a note are
written again. The parts are Award.search_parts() and staff_search_parts() as they are now
(historical models have no methods of their own). Backwards there is nothing to undo: the
earlier code searched the whole text, wherever the note stood in it."""

from django.db import migrations

from movement.text import fold

CLASS_NAMES = {"1": "hạng Nhất", "2": "hạng Nhì", "3": "hạng Ba"}
BATCH = 2000


def award_type_name(award_type) -> str:
    if award_type.award_class:
        return f"{award_type.name} {CLASS_NAMES[award_type.award_class]}"
    return award_type.name


def search_text(award) -> str:
    parts = [award.decision_number, award_type_name(award.award_type)]
    if award.recipient_person_id:
        parts.append(award.recipient_person.full_name)
    if award.recipient_unit_id:
        parts += [award.recipient_unit.name, award.recipient_unit.short_name]
    public = fold(" ".join(part for part in parts if part))
    note = fold(award.note)
    return f"{public}\n{note}" if note else public


def note_apart(apps, schema_editor):
    Award = apps.get_model("movement", "Award")
    awards = (
        Award.objects.exclude(note="")
        .select_related("award_type", "recipient_person", "recipient_unit")
        .order_by("pk")
    )
    batch = []
    for award in awards.iterator(chunk_size=BATCH):
        award.search_text = search_text(award)
        batch.append(award)
        if len(batch) == BATCH:
            Award.objects.bulk_update(batch, ["search_text"])
            batch = []
    Award.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("movement", "0016_package_resource_paths")]

    operations = [migrations.RunPython(note_apart, migrations.RunPython.noop)]
