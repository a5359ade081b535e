"""Codes that keep Vietnamese letters, and the Party committee within the sector.

Codes made before names were folded lost letters: Django's prepopulating script (URLify) knows
only the Latin-1 letters and drops the rest ("Trần Thị Hồng Nhung" gave "trn-th-hng-nhung"), and
slugify drops đ. Each stored code that is such a spelling of its record's name, numbered or not,
is made again from the name (movement.text.code_from_name), numbered -2, -3… where taken, as
CodedManager numbers new codes. The old code is kept as a RetiredCode, which the public pages
answer with a permanent redirect to the new one; the change is written in the record's history.
Codes typed by hand ("cuc-xdpt") are no such spelling and stay.

Đảng ủy Công an Trung ương was recorded as an organisation outside the sector: it is the
sector's own Party committee.
"""

import re

from django.db import migrations, models
from django.utils import timezone
from django.utils.text import slugify

from movement.text import code_from_name, fold

# Each coded model and the field its code is made from.
CODED = {
    "unit": "name",
    "person": "full_name",
    "campaign": "name",
    "event": "name",
    "source": "title",
}
CODE_LENGTH = 100
# The Vietnamese letters URLify's tables have (LATIN_MAP, ROMANIAN_MAP's ă, SERBIAN_MAP's đ):
# it drops every other one.
URLIFY_LETTERS = str.maketrans(
    {
        **{letter: fold(letter) for letter in "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂă"},
        "Đ": "Dj",
        "đ": "dj",
    }
)
URLIFY_DROPS = re.compile(r"[^-A-Za-z0-9_\s]")


def urlify(name):
    """What Django's URLify (admin/js/urlify.js) made of ``name``."""
    text = name.translate(URLIFY_LETTERS).lower()
    text = re.sub(r"[-\s]+", "-", URLIFY_DROPS.sub("", text).strip())
    return text[:CODE_LENGTH].rstrip("-")


def lossy_spellings(name):
    """The codes ``name`` was given before it was folded, where they differ from today's."""
    return {urlify(name), slugify(name)} - {code_from_name(name), ""}


def is_lossy(code, name):
    return any(
        code == spelling or re.fullmatch(re.escape(spelling) + r"-\d+", code)
        for spelling in lossy_spellings(name)
    )


def numbered(base, number):
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: CODE_LENGTH - len(suffix)].rstrip("-") + suffix


def fold_codes(apps, schema_editor):
    RetiredCode = apps.get_model("movement", "RetiredCode")
    now = timezone.now()
    for model_name, source in CODED.items():
        Model = apps.get_model("movement", model_name)
        History = apps.get_model("movement", f"Historical{model_name}")
        rows = list(Model.objects.values_list("pk", "slug", source).order_by("pk").iterator())
        changing = [(pk, code, name) for pk, code, name in rows if is_lossy(code, name)]
        if not changing:
            continue
        taken = {code for _pk, code, _name in rows}
        for pk, old, name in changing:
            base = code_from_name(name)[:CODE_LENGTH].strip("-")
            number = 1
            while numbered(base, number) in taken:
                number += 1
            new = numbered(base, number)
            taken.add(new)
            changes = {"slug": new}
            if model_name == "unit":
                # A unit's search text holds its code.
                short_name = Model.objects.get(pk=pk).short_name
                changes["search_text"] = fold(" ".join(filter(None, [name, short_name, new])))
            # update(), not save(): the history row below is the one this change writes.
            Model.objects.filter(pk=pk).update(**changes)
            record = Model.objects.get(pk=pk)
            RetiredCode.objects.create(
                model=f"movement.{model_name}", record_id=pk, code=old, retired_at=now
            )
            write_history(History, record, now)


def write_history(History, record, now):
    # The record's fields the history keeps: not the derived search texts (audit.DERIVED_FIELDS).
    kept = {field.attname for field in History._meta.concrete_fields}
    values = {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname in kept
    }
    History.objects.create(
        **values,
        history_date=now,
        history_type="~",
        history_change_reason="migration: 0017 mã làm lại từ tên, giữ chữ tiếng Việt",
    )


PARTY_NOTE = (
    "Báo cáo không nói Đảng ủy thuộc đâu; ghi là tổ chức Đảng của chính ngành công an, không phải"
    " tổ chức ngoài ngành, là hiểu biết ngoài báo cáo."
)


def party_committee(apps, schema_editor):
    Unit = apps.get_model("movement", "Unit")
    History = apps.get_model("movement", "HistoricalUnit")
    now = timezone.now()
    for unit in Unit.objects.filter(name="Đảng ủy Công an Trung ương", is_external=True):
        unit.kind = "party_committee"
        unit.is_external = False
        # As fixtures/report.json now says: the kind is known from outside the report.
        if PARTY_NOTE not in unit.inference_note:
            unit.inference_note = f"{unit.inference_note} {PARTY_NOTE}".strip()
        Unit.objects.filter(pk=unit.pk).update(
            kind=unit.kind, is_external=unit.is_external, inference_note=unit.inference_note
        )
        write_history(History, unit, now)


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0019_versions_record_versions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalunit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("ministry", "ministry"),
                    ("general_department", "general department"),
                    ("department", "department"),
                    ("division", "division"),
                    ("provincial_police", "provincial police"),
                    ("district_police", "district police"),
                    ("party_committee", "Party committee within the sector"),
                    ("organisation", "organisation"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="unit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("ministry", "ministry"),
                    ("general_department", "general department"),
                    ("department", "department"),
                    ("division", "division"),
                    ("provincial_police", "provincial police"),
                    ("district_police", "district police"),
                    ("party_committee", "Party committee within the sector"),
                    ("organisation", "organisation"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="RetiredCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("model", models.CharField(max_length=100, verbose_name="model")),
                ("record_id", models.PositiveBigIntegerField(verbose_name="record")),
                ("code", models.SlugField(max_length=100, verbose_name="former code")),
                ("retired_at", models.DateTimeField(auto_now_add=True, verbose_name="retired at")),
            ],
            options={
                "verbose_name": "former code",
                "verbose_name_plural": "former codes",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("model", "code"),
                        name="retired_code_unique",
                        violation_error_message=(
                            "A record of this kind was already known by this former code. Check whether"
                            " it is the same record."
                        ),
                    )
                ],
            },
        ),
        migrations.RunPython(fold_codes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(party_committee, migrations.RunPython.noop, elidable=True),
    ]
