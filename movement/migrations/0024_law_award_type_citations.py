"""Award types: validity by date instead of year, and the legal text and article they cite.

The years already entered become dates, the first year's 1 January and the last year's
31 December, so a type keeps applying to exactly the emulation years it applied to before; the
history rows are converted the same way. Going back keeps the years of the dates.
"""

import datetime
from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

import movement.models.fields

# SQLite rebuilds the award type table to change its columns and constraints; the triggers of
# 0002 read that table and make SQLite refuse the rebuild, so they are dropped for its time and
# made again after. PostgreSQL alters the table in place and keeps them.
RECIPIENT_KIND = import_module("movement.migrations.0002_award_recipient_kind_trigger")
CREATE, DROP = 0, 1


def sqlite_triggers(direction: int):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for statement in RECIPIENT_KIND.STATEMENTS["sqlite"][direction]:
                schema_editor.execute(statement)

    return operation


DATE_FIELDS = {"valid_from": "valid_from_date", "valid_until": "valid_until_date"}


def years_to_dates(apps, schema_editor) -> None:
    for name in ("AwardType", "HistoricalAwardType"):
        model = apps.get_model("movement", name)
        rows = list(model.objects.exclude(valid_from=None, valid_until=None))
        for row in rows:
            if row.valid_from is not None:
                row.valid_from_date = datetime.date(row.valid_from, 1, 1)
            if row.valid_until is not None:
                row.valid_until_date = datetime.date(row.valid_until, 12, 31)
        model.objects.bulk_update(rows, list(DATE_FIELDS.values()))


def dates_to_years(apps, schema_editor) -> None:
    for name in ("AwardType", "HistoricalAwardType"):
        model = apps.get_model("movement", name)
        rows = list(model.objects.exclude(valid_from_date=None, valid_until_date=None))
        for row in rows:
            if row.valid_from_date is not None:
                row.valid_from = row.valid_from_date.year
            if row.valid_until_date is not None:
                row.valid_until = row.valid_until_date.year
        model.objects.bulk_update(rows, list(DATE_FIELDS))


def date_field(verbose_name: str, help_text: str) -> models.DateField:
    return models.DateField(blank=True, null=True, verbose_name=verbose_name, help_text=help_text)


CATEGORIES = [
    ("order", "order"),
    ("medal", "medal"),
    ("flag", "emulation flag"),
    ("title", "emulation title"),
    ("certificate_of_merit", "certificate of merit"),
    ("certificate", "certificate of commendation"),
    ("commemorative", "commemorative medal"),
]

FROM = ("in force from", "The first day the form could be given; empty when not known.")
UNTIL = ("in force until", "The last day the form could be given; empty while it still is.")


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0023_previewver_pending_import_versions"),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers(DROP), sqlite_triggers(CREATE)),
        # The period's constraint names the year columns: dropped while they are replaced.
        migrations.RemoveConstraint(model_name="awardtype", name="award_type_valid_period"),
        *[
            migrations.AddField(model_name=model, name=temporary, field=date_field(*words))
            for model in ("awardtype", "historicalawardtype")
            for temporary, words in (("valid_from_date", FROM), ("valid_until_date", UNTIL))
        ],
        migrations.RunPython(years_to_dates, dates_to_years),
        *[
            migrations.RemoveField(model_name=model, name=old)
            for model in ("awardtype", "historicalawardtype")
            for old in DATE_FIELDS
        ],
        *[
            migrations.RenameField(model_name=model, old_name=temporary, new_name=old)
            for model in ("awardtype", "historicalawardtype")
            for old, temporary in DATE_FIELDS.items()
        ],
        migrations.AddConstraint(
            model_name="awardtype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_until__isnull", True),
                    ("valid_from__isnull", True),
                    ("valid_until__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="award_type_valid_period",
                violation_error_message=(
                    "The last day an award type is in force cannot come before its first. Correct"
                    " one of the two dates."
                ),
            ),
        ),
        migrations.AddField(
            model_name="awardtype",
            name="article_confirmed",
            field=models.BooleanField(
                default=False,
                help_text="Ticked when the article was read in the text itself, not only inferred.",
                verbose_name="article confirmed",
            ),
        ),
        migrations.AddField(
            model_name="awardtype",
            name="citation_note",
            field=movement.models.fields.TextField(
                blank=True,
                help_text="Where the article was read, or why it could not be confirmed.",
                verbose_name="about the citation",
            ),
        ),
        migrations.AddField(
            model_name="awardtype",
            name="legal_article",
            field=movement.models.fields.LineField(
                blank=True,
                help_text="Where in the legal text, e.g. “Điều 23” or “khoản 2 Điều 54”.",
                max_length=100,
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="awardtype",
            name="legal_source",
            field=models.ForeignKey(
                blank=True,
                help_text="The law, decree or circular that establishes the form.",
                limit_choices_to={"kind": "law"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="award_types_cited",
                to="movement.source",
                verbose_name="legal text",
            ),
        ),
        migrations.AddField(
            model_name="historicalawardtype",
            name="article_confirmed",
            field=models.BooleanField(
                default=False,
                help_text="Ticked when the article was read in the text itself, not only inferred.",
                verbose_name="article confirmed",
            ),
        ),
        migrations.AddField(
            model_name="historicalawardtype",
            name="citation_note",
            field=movement.models.fields.TextField(
                blank=True,
                help_text="Where the article was read, or why it could not be confirmed.",
                verbose_name="about the citation",
            ),
        ),
        migrations.AddField(
            model_name="historicalawardtype",
            name="legal_article",
            field=movement.models.fields.LineField(
                blank=True,
                help_text="Where in the legal text, e.g. “Điều 23” or “khoản 2 Điều 54”.",
                max_length=100,
                verbose_name="article",
            ),
        ),
        migrations.AddField(
            model_name="historicalawardtype",
            name="legal_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The law, decree or circular that establishes the form.",
                limit_choices_to={"kind": "law"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="movement.source",
                verbose_name="legal text",
            ),
        ),
        migrations.AddConstraint(
            model_name="awardtype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("legal_source__isnull", False), ("legal_article", ""), _connector="OR"
                ),
                name="award_type_article_has_text",
                violation_error_message=(
                    "An article is an article of some legal text: choose the text it is in."
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="awardtype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("article_confirmed", False),
                    models.Q(("legal_article", ""), _negated=True),
                    _connector="OR",
                ),
                name="award_type_confirmed_article",
                violation_error_message=(
                    "Only an article can be confirmed: write which article was read, or untick"
                    " “article confirmed”."
                ),
            ),
        ),
        *[
            migrations.AlterField(
                model_name=model,
                name="category",
                field=models.CharField(choices=CATEGORIES, max_length=30, verbose_name="category"),
            )
            for model in ("awardtype", "historicalawardtype")
        ],
        migrations.RunPython(sqlite_triggers(CREATE), sqlite_triggers(DROP)),
    ]
