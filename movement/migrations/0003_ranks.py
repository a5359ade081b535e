"""The ranks of the People's Public Security (cấp bậc hàm CAND), most senior first."""

from django.db import migrations

RANKS = [
    ("Đại tướng", "general"),
    ("Thượng tướng", "general"),
    ("Trung tướng", "general"),
    ("Thiếu tướng", "general"),
    ("Đại tá", "field"),
    ("Thượng tá", "field"),
    ("Trung tá", "field"),
    ("Thiếu tá", "field"),
    ("Đại úy", "company"),
    ("Thượng úy", "company"),
    ("Trung úy", "company"),
    ("Thiếu úy", "company"),
    ("Thượng sĩ", "nco"),
    ("Trung sĩ", "nco"),
    ("Hạ sĩ", "nco"),
    ("Binh nhất", "enlisted"),
    ("Binh nhì", "enlisted"),
]


def add_ranks(apps, schema_editor):
    Rank = apps.get_model("movement", "Rank")
    for seniority, (name, tier) in enumerate(RANKS, start=1):
        Rank.objects.update_or_create(name=name, defaults={"seniority": seniority, "tier": tier})


def remove_ranks(apps, schema_editor):
    apps.get_model("movement", "Rank").objects.filter(name__in=[n for n, _ in RANKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("movement", "0002_award_recipient_kind_trigger")]

    operations = [migrations.RunPython(add_ranks, remove_ranks)]
