"""A person's record holds each entry once (movement.models.service): a rank change a day, a
posting to a unit from a day, a discipline or an inspection of a kind from a day; a file
imported again then updates its entries instead of adding them twice.

Entries that already break this are not deleted or merged here: two of them may differ in their
decision, source or note, and which one is right is for a person to decide. The migration stops
before changing anything and names them (the person, the entries' ids and what they share); once
they are corrected in the admin, it runs again. Entries whose date is not stated never clash.
"""

from django.db import migrations, models
from django.db.models import Count

# Model → the fields no two of a person's entries may share (as the constraints below).
KEYS = {
    "rankchange": ["person", "since"],
    "posting": ["person", "unit", "since"],
    "discipline": ["person", "form", "since"],
    "inspection": ["person", "kind", "since"],
}


def duplicates(apps, schema_editor) -> None:
    """Stop, naming every group of entries the constraints would refuse."""
    found = []
    for name, fields in KEYS.items():
        model = apps.get_model("movement", name)
        # NULLs never clash in a unique index: entries without a date (or a unit) are left out.
        entries = model.objects.filter(**{f"{field}__isnull": False for field in fields})
        groups = entries.order_by().values(*fields).annotate(count=Count("pk")).filter(count__gt=1)
        for group in groups:
            same = entries.filter(**{field: group[field] for field in fields})
            ids = list(same.order_by("pk").values_list("pk", flat=True))
            person = apps.get_model("movement", "Person").objects.get(pk=group["person"])
            shared = ", ".join(f"{field}={group[field]}" for field in fields if field != "person")
            found.append(
                f"  {model._meta.object_name} của {person.full_name} (id {person.pk}): "
                f"các mục {ids} trùng {shared}"
            )
    if found:
        raise RuntimeError(
            "Có mục trùng trong quá trình công tác; chưa thay đổi gì. Hãy giữ lại một mục của "
            "mỗi nhóm (sửa hoặc xoá các mục còn lại trong trang quản trị), rồi chạy lại "
            "migrate:\n" + "\n".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0026_decisions_records"),
    ]

    operations = [
        migrations.RunPython(duplicates, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="rankchange",
            name="rank_change_person_since",
        ),
        migrations.AddConstraint(
            model_name="discipline",
            constraint=models.UniqueConstraint(
                fields=("person", "form", "since"),
                name="discipline_one_a_day",
                violation_error_message="This person already has a discipline of this form from this date. Correct that entry instead of adding a second one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.UniqueConstraint(
                fields=("person", "kind", "since"),
                name="inspection_one_a_day",
                violation_error_message="This person already has an inspection or complaint of this kind from this date. Correct that entry instead of adding a second one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="posting",
            constraint=models.UniqueConstraint(
                fields=("person", "unit", "since"),
                name="posting_one_a_unit_a_day",
                violation_error_message="This person already has a posting to this unit from this date. Correct that posting instead of adding a second one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="rankchange",
            constraint=models.UniqueConstraint(
                fields=("person", "since"),
                name="rank_change_one_a_day",
                violation_error_message="This person already has a rank change on this date. Correct that entry instead of adding a second one.",
            ),
        ),
    ]
