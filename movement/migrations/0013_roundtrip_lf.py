"""Text stored with LF line breaks only, whatever wrote it.

The fields become movement.models.fields' TextField and LineField, which normalise what is
written from now on: a change of Python class only, so the schema is left as it is (altering the
columns would rebuild every SQLite table). What is already stored is rewritten in SQL, a table in
one statement, history tables included: CR LF and a lone CR become LF. Then the few rows whose
text is not yet in its stored form otherwise (a name with doubled spaces, letters in NFD), found
by SQL, are rewritten one by one.
"""

from functools import reduce
from operator import or_

from django.db import IntegrityError, migrations, transaction
from django.db.models import Q

import movement.models.fields
from movement.text import normalize, normalize_text

TEXT_TYPES = ("CharField", "TextField")


def line_feeds_only(apps, schema_editor):
    quote = schema_editor.quote_name
    for model in apps.get_app_config("movement").get_models():
        columns = [
            quote(field.column)
            for field in model._meta.concrete_fields
            if field.get_internal_type() in TEXT_TYPES
        ]
        if not columns:
            continue
        rewrites = ", ".join(
            f"{column} = REPLACE(REPLACE({column}, %s, %s), %s, %s)" for column in columns
        )
        having_cr = " OR ".join(f"{column} LIKE %s" for column in columns)
        schema_editor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {rewrites} WHERE {having_cr}",
            ["\r\n", "\n", "\r", "\n"] * len(columns) + ["%\r%"] * len(columns),
        )


# The combining marks Vietnamese letters are written with in NFD: a text holding none is in NFC.
VIETNAMESE_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
# What a one-line text's stored form never holds inside it.
LINE_BREAKERS = ("  ", "\t", "\n", "\r", "\u00a0")


def candidates(name, line):
    """The rows whose column ``name`` may not be in its stored form."""
    pieces = [*VIETNAMESE_MARKS, *(LINE_BREAKERS if line else ())]
    lookups = [Q(**{f"{name}__contains": piece}) for piece in pieces]
    if line:
        lookups += [Q(**{f"{name}__startswith": " "}), Q(**{f"{name}__endswith": " "})]
    return reduce(or_, lookups)


def stored_form(apps, schema_editor):
    for model in apps.get_app_config("movement").get_models():
        rules = {
            field.attname: normalize
            if isinstance(field, movement.models.fields.LineField)
            else normalize_text
            for field in model._meta.concrete_fields
            if isinstance(
                field, movement.models.fields.LineField | movement.models.fields.TextField
            )
        }
        if not rules:
            continue
        where = reduce(or_, [candidates(name, rule is normalize) for name, rule in rules.items()])
        # Few rows: read at once, not while updating their table.
        rows = list(model._default_manager.filter(where).values_list("pk", *rules))
        for pk, *values in rows:
            changes = {
                name: rule(value)
                for (name, rule), value in zip(rules.items(), values, strict=True)
                if value is not None and rule(value) != value
            }
            if not changes:
                continue
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**changes)
            except IntegrityError:
                # Another record already has that name: both stay as they are, for a person
                # to tell apart.
                continue


class Migration(migrations.Migration):
    dependencies = [
        ("movement", "0012_exportfiles_job_file"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="award",
                    name="decision_number",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=100, verbose_name="decision number"
                    ),
                ),
                migrations.AlterField(
                    model_name="award",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="award",
                    name="note",
                    field=movement.models.fields.TextField(blank=True, verbose_name="note"),
                ),
                migrations.AlterField(
                    model_name="award",
                    name="on_behalf_of",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="Whose authority the presenter acted under (thừa ủy quyền của …).",
                        max_length=300,
                        verbose_name="on behalf of",
                    ),
                ),
                migrations.AlterField(
                    model_name="award",
                    name="position_at_award",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="position at the time"
                    ),
                ),
                migrations.AlterField(
                    model_name="award",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="awardtype",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="awardtype",
                    name="legal_basis",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="legal basis"
                    ),
                ),
                migrations.AlterField(
                    model_name="awardtype",
                    name="name",
                    field=movement.models.fields.LineField(max_length=200, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="awardtype",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="audience",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="E.g. “toàn thể CBCS”.",
                        max_length=300,
                        verbose_name="for whom",
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="description",
                    field=movement.models.fields.TextField(blank=True, verbose_name="description"),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="guiding_principle",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="guiding principle"
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="motto",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="motto"
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="slogan",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="slogan"
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="description",
                    field=movement.models.fields.TextField(blank=True, verbose_name="description"),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="decision_number",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=100, verbose_name="decision number"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="note",
                    field=movement.models.fields.TextField(blank=True, verbose_name="note"),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="on_behalf_of",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="Whose authority the presenter acted under (thừa ủy quyền của …).",
                        max_length=300,
                        verbose_name="on behalf of",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="position_at_award",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="position at the time"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalaward",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalawardtype",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalawardtype",
                    name="legal_basis",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="legal basis"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalawardtype",
                    name="name",
                    field=movement.models.fields.LineField(max_length=200, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="historicalawardtype",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="audience",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="E.g. “toàn thể CBCS”.",
                        max_length=300,
                        verbose_name="for whom",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="description",
                    field=movement.models.fields.TextField(blank=True, verbose_name="description"),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="guiding_principle",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="guiding principle"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="motto",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="motto"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="slogan",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="slogan"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcampaign",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalevent",
                    name="description",
                    field=movement.models.fields.TextField(blank=True, verbose_name="description"),
                ),
                migrations.AlterField(
                    model_name="historicalevent",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalevent",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="historicalevent",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalparticipation",
                    name="activity",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="E.g. “presented the work report and the 2017 plan”.",
                        max_length=300,
                        verbose_name="what they did",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalparticipation",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalparticipation",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalperson",
                    name="full_name",
                    field=movement.models.fields.LineField(
                        max_length=200, verbose_name="full name"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalperson",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalperson",
                    name="position",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="current position"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalperson",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalrank",
                    name="name",
                    field=movement.models.fields.LineField(
                        db_index=True, max_length=50, verbose_name="name"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalsource",
                    name="author",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="author"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalsource",
                    name="note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What is known about the document itself, e.g. that it has no headline.",
                        verbose_name="note",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalsource",
                    name="text",
                    field=movement.models.fields.TextField(blank=True, verbose_name="full text"),
                ),
                migrations.AlterField(
                    model_name="historicalsource",
                    name="title",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="title"),
                ),
                migrations.AlterField(
                    model_name="historicaltask",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaltask",
                    name="result",
                    field=movement.models.fields.TextField(blank=True, verbose_name="result"),
                ),
                migrations.AlterField(
                    model_name="historicaltask",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicaltask",
                    name="title",
                    field=movement.models.fields.LineField(max_length=500, verbose_name="task"),
                ),
                migrations.AlterField(
                    model_name="historicalunit",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalunit",
                    name="name",
                    field=movement.models.fields.LineField(
                        max_length=300, verbose_name="full name"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalunit",
                    name="short_name",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="The name used in writing, e.g. “Cục XDPT toàn dân bảo vệ ANTQ”.",
                        max_length=200,
                        verbose_name="short name",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalunit",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalworkarea",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="historicalworkplan",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalworkplan",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalworkplan",
                    name="summary",
                    field=movement.models.fields.TextField(blank=True, verbose_name="summary"),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="activity",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="E.g. “presented the work report and the 2017 plan”.",
                        max_length=300,
                        verbose_name="what they did",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="full_name",
                    field=movement.models.fields.LineField(
                        max_length=200, verbose_name="full name"
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="position",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="current position"
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="rank",
                    name="name",
                    field=movement.models.fields.LineField(
                        max_length=50, unique=True, verbose_name="name"
                    ),
                ),
                migrations.AlterField(
                    model_name="source",
                    name="author",
                    field=movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="author"
                    ),
                ),
                migrations.AlterField(
                    model_name="source",
                    name="note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What is known about the document itself, e.g. that it has no headline.",
                        verbose_name="note",
                    ),
                ),
                migrations.AlterField(
                    model_name="source",
                    name="text",
                    field=movement.models.fields.TextField(blank=True, verbose_name="full text"),
                ),
                migrations.AlterField(
                    model_name="source",
                    name="title",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="title"),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="result",
                    field=movement.models.fields.TextField(blank=True, verbose_name="result"),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="title",
                    field=movement.models.fields.LineField(max_length=500, verbose_name="task"),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="name",
                    field=movement.models.fields.LineField(
                        max_length=300, verbose_name="full name"
                    ),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="short_name",
                    field=movement.models.fields.LineField(
                        blank=True,
                        help_text="The name used in writing, e.g. “Cục XDPT toàn dân bảo vệ ANTQ”.",
                        max_length=200,
                        verbose_name="short name",
                    ),
                ),
                migrations.AlterField(
                    model_name="unit",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="workarea",
                    name="name",
                    field=movement.models.fields.LineField(max_length=300, verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="workplan",
                    name="inference_note",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                migrations.AlterField(
                    model_name="workplan",
                    name="source_quote",
                    field=movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                migrations.AlterField(
                    model_name="workplan",
                    name="summary",
                    field=movement.models.fields.TextField(blank=True, verbose_name="summary"),
                ),
            ],
        ),
        migrations.RunPython(line_feeds_only, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(stored_form, migrations.RunPython.noop, elidable=True),
    ]
