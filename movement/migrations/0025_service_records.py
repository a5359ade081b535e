"""The service record the eligibility rules read (movement.models.service): a person's date of
entering service, rank history, postings, yearly ratings, initiatives, discipline and
inspections, and a unit's yearly rating; the roles' permissions on them (as 0006_roles).

Each person whose rank, or unit or position, is known gets it as the first entry of their rank
history or postings, undated: when it was given is not known, and no date is made up.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import movement.models.base
import movement.models.fields

RECORDS = [
    "rankchange",
    "posting",
    "personrating",
    "initiative",
    "discipline",
    "inspection",
    "unitrating",
]
HISTORIES = [f"historical{model}" for model in RECORDS]


def codenames(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


ROLES = {
    "Cán bộ thi đua": codenames(["add", "change", "delete", "view"], RECORDS)
    + codenames(["view"], HISTORIES),
    # Unit editors change the records of their own people and units (movement.permissions).
    "Cán bộ đơn vị": codenames(["view"], RECORDS + HISTORIES)
    + codenames(["add", "change", "delete"], RECORDS),
    "Xem": codenames(["view"], RECORDS + HISTORIES),
}


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration; the groups need them now.
    app_config = apps.get_app_config("movement")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, granted in [
        ("Quản trị", [*codenames(["add", "change", "delete", "view"], RECORDS + HISTORIES)]),
        *ROLES.items(),
    ]:
        group = Group.objects.filter(name=name).first()
        if group is None:  # The roles were removed by hand: nothing to extend.
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="movement", codename__in=granted)
        )


def first_entries(apps, schema_editor):
    """Each person's known rank, unit and position as the first, undated entries of their
    history. A frozen copy of movement.models.service.start_histories, in bulk: a migration must
    not change when the app's code does."""
    Person = apps.get_model("movement", "Person")
    RankChange = apps.get_model("movement", "RankChange")
    Posting = apps.get_model("movement", "Posting")
    common = ["source_id", "source_quote", "inference_note"]
    ranked = Person.objects.filter(rank__isnull=False, rank_changes__isnull=True)
    RankChange.objects.bulk_create(
        RankChange(
            person_id=person.pk,
            rank_id=person.rank_id,
            **{name: getattr(person, name) for name in common},
        )
        for person in ranked.iterator()
    )
    placed = models.Q(unit__isnull=False) | ~models.Q(position="")
    Posting.objects.bulk_create(
        Posting(
            person_id=person.pk,
            unit_id=person.unit_id,
            position=person.position,
            **{name: getattr(person, name) for name in common},
        )
        for person in Person.objects.filter(placed, postings__isnull=True).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("movement", "0024_law_award_type_citations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalperson",
            name="entered_service_on",
            field=models.DateField(
                blank=True,
                help_text="The date the person joined the People's Public Security, if stated.",
                null=True,
                verbose_name="entered service on",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="entered_service_on",
            field=models.DateField(
                blank=True,
                help_text="The date the person joined the People's Public Security, if stated.",
                null=True,
                verbose_name="entered service on",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalDiscipline",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("reprimand", "reprimand"),
                            ("warning", "warning"),
                            ("salary_downgrade", "salary downgrade"),
                            ("rank_demotion", "rank demotion"),
                            ("post_demotion", "demotion from post"),
                            ("dismissal", "dismissal from post"),
                            ("expulsion", "expulsion from the force"),
                        ],
                        max_length=30,
                        verbose_name="form",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="from",
                    ),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="Empty while it runs or if not stated.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical discipline",
                "verbose_name_plural": "historical disciplines",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalInitiative",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("title", movement.models.fields.LineField(max_length=500, verbose_name="title")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("grassroots", "grassroots level"),
                            ("provincial", "provincial level"),
                            ("ministry", "ministry level"),
                            ("national", "national level"),
                        ],
                        max_length=20,
                        verbose_name="recognised at",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year recognised")),
                (
                    "recognised_on",
                    models.DateField(blank=True, null=True, verbose_name="recognised on"),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical initiative",
                "verbose_name_plural": "historical initiatives",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalInspection",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("inspection", "inspection"),
                            ("complaint", "complaint"),
                            ("denunciation", "denunciation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="from",
                    ),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="Empty while it runs or if not stated.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                (
                    "note",
                    movement.models.fields.LineField(
                        blank=True, max_length=500, verbose_name="note"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical inspection or complaint",
                "verbose_name_plural": "historical inspections and complaints",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPersonRating",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("excellent", "completed tasks excellently"),
                            ("good", "completed tasks well"),
                            ("completed", "completed tasks"),
                            ("not_completed", "did not complete tasks"),
                        ],
                        max_length=20,
                        verbose_name="rating",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical yearly rating",
                "verbose_name_plural": "historical yearly ratings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPosting",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "position",
                    movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="position"
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="since",
                    ),
                ),
                ("until", models.DateField(blank=True, null=True, verbose_name="until")),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical posting",
                "verbose_name_plural": "historical postings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRankChange",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="since",
                    ),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "rank",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.rank",
                        verbose_name="rank",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical rank change",
                "verbose_name_plural": "historical rank history",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUnitRating",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("excellent", "completed tasks excellently"),
                            ("good", "completed tasks well"),
                            ("completed", "completed tasks"),
                            ("not_completed", "did not complete tasks"),
                        ],
                        max_length=20,
                        verbose_name="rating",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "title",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The title the unit was given for the year, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.awardtype",
                        verbose_name="emulation title",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="movement.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical unit's yearly rating",
                "verbose_name_plural": "historical units' yearly ratings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Discipline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("reprimand", "reprimand"),
                            ("warning", "warning"),
                            ("salary_downgrade", "salary downgrade"),
                            ("rank_demotion", "rank demotion"),
                            ("post_demotion", "demotion from post"),
                            ("dismissal", "dismissal from post"),
                            ("expulsion", "expulsion from the force"),
                        ],
                        max_length=30,
                        verbose_name="form",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="from",
                    ),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="Empty while it runs or if not stated.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="disciplines",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "discipline",
                "verbose_name_plural": "disciplines",
                "ordering": [
                    "person_id",
                    models.OrderBy(models.F("since"), nulls_first=True),
                    "pk",
                ],
                "indexes": [
                    models.Index(fields=["person", "since"], name="discipline_person_since")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("since__isnull", True),
                            ("until__isnull", True),
                            ("until__gte", models.F("since")),
                            _connector="OR",
                        ),
                        name="discipline_dates_in_order",
                        violation_error_message="The end date is before the start date. Check both dates, or leave one empty if the source does not state it.",
                    )
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="Initiative",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("title", movement.models.fields.LineField(max_length=500, verbose_name="title")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("grassroots", "grassroots level"),
                            ("provincial", "provincial level"),
                            ("ministry", "ministry level"),
                            ("national", "national level"),
                        ],
                        max_length=20,
                        verbose_name="recognised at",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year recognised")),
                (
                    "recognised_on",
                    models.DateField(blank=True, null=True, verbose_name="recognised on"),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="initiatives",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "initiative",
                "verbose_name_plural": "initiatives",
                "ordering": ["person_id", "year", "pk"],
                "indexes": [models.Index(fields=["person", "year"], name="initiative_person_year")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1945), ("year__lte", 2100)),
                        name="initiative_year_in_range",
                        violation_error_message="The year must be between 1945 and 2100. Check the year.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("recognised_on__isnull", True),
                            ("recognised_on__year", models.F("year")),
                            _connector="OR",
                        ),
                        name="initiative_date_in_year",
                        violation_error_message="The date of recognition is not in the year recognised. Correct one of them.",
                    ),
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="Inspection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("inspection", "inspection"),
                            ("complaint", "complaint"),
                            ("denunciation", "denunciation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="from",
                    ),
                ),
                (
                    "until",
                    models.DateField(
                        blank=True,
                        help_text="Empty while it runs or if not stated.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                (
                    "note",
                    movement.models.fields.LineField(
                        blank=True, max_length=500, verbose_name="note"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inspections",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "inspection or complaint",
                "verbose_name_plural": "inspections and complaints",
                "ordering": [
                    "person_id",
                    models.OrderBy(models.F("since"), nulls_first=True),
                    "pk",
                ],
                "indexes": [
                    models.Index(fields=["person", "since"], name="inspection_person_since")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("since__isnull", True),
                            ("until__isnull", True),
                            ("until__gte", models.F("since")),
                            _connector="OR",
                        ),
                        name="inspection_dates_in_order",
                        violation_error_message="The end date is before the start date. Check both dates, or leave one empty if the source does not state it.",
                    )
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="PersonRating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("excellent", "completed tasks excellently"),
                            ("good", "completed tasks well"),
                            ("completed", "completed tasks"),
                            ("not_completed", "did not complete tasks"),
                        ],
                        max_length=20,
                        verbose_name="rating",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "yearly rating",
                "verbose_name_plural": "yearly ratings",
                "ordering": ["person_id", "year"],
                "indexes": [
                    models.Index(fields=["year", "rating"], name="person_rating_year_rating")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person", "year"),
                        name="person_rating_one_a_year",
                        violation_error_message="This person already has a rating for this year. Correct that rating instead of adding a second one.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1945), ("year__lte", 2100)),
                        name="person_rating_year_in_range",
                        violation_error_message="The year must be between 1945 and 2100. Check the year.",
                    ),
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="Posting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "position",
                    movement.models.fields.LineField(
                        blank=True, max_length=300, verbose_name="position"
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="since",
                    ),
                ),
                ("until", models.DateField(blank=True, null=True, verbose_name="until")),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postings",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="postings",
                        to="movement.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "posting",
                "verbose_name_plural": "postings",
                "ordering": [
                    "person_id",
                    models.OrderBy(models.F("since"), nulls_first=True),
                    "pk",
                ],
                "indexes": [models.Index(fields=["person", "since"], name="posting_person_since")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("since__isnull", True),
                            ("until__isnull", True),
                            ("until__gte", models.F("since")),
                            _connector="OR",
                        ),
                        name="posting_dates_in_order",
                        violation_error_message="The end date is before the start date. Check both dates, or leave one empty if the source does not state it.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("unit__isnull", False),
                            models.Q(("position", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="posting_unit_or_position",
                        violation_error_message="A posting says where or as what: give the unit, the position or both.",
                    ),
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="RankChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                (
                    "since",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not state it.",
                        null=True,
                        verbose_name="since",
                    ),
                ),
                (
                    "decision",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="decision"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rank_changes",
                        to="movement.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "rank",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="movement.rank",
                        verbose_name="rank",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "rank change",
                "verbose_name_plural": "rank history",
                "ordering": [
                    "person_id",
                    models.OrderBy(models.F("since"), nulls_first=True),
                    "pk",
                ],
                "indexes": [
                    models.Index(fields=["person", "since"], name="rank_change_person_since")
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.CreateModel(
            name="UnitRating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        editable=False,
                        help_text="How many times the record was saved. A form or an exported file carries the version it was read at, and is refused if the record changed since.",
                        verbose_name="version",
                    ),
                ),
                (
                    "source_quote",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The sentences of the source this record was taken from, word for word, one per line.",
                        verbose_name="quoted sentences",
                    ),
                ),
                (
                    "inference_note",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="What this record takes from context rather than from the source's words, and why. Empty when everything is stated outright.",
                        verbose_name="inferred",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("excellent", "completed tasks excellently"),
                            ("good", "completed tasks well"),
                            ("completed", "completed tasks"),
                            ("not_completed", "did not complete tasks"),
                        ],
                        max_length=20,
                        verbose_name="rating",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "title",
                    models.ForeignKey(
                        blank=True,
                        help_text="The title the unit was given for the year, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="movement.awardtype",
                        verbose_name="emulation title",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="movement.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "unit's yearly rating",
                "verbose_name_plural": "units' yearly ratings",
                "ordering": ["unit_id", "year"],
                "indexes": [
                    models.Index(fields=["year", "rating"], name="unit_rating_year_rating")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("unit", "year"),
                        name="unit_rating_one_a_year",
                        violation_error_message="This unit already has a rating for this year. Correct that rating instead of adding a second one.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1945), ("year__lte", 2100)),
                        name="unit_rating_year_in_range",
                        violation_error_message="The year must be between 1945 and 2100. Check the year.",
                    ),
                ],
            },
            bases=(movement.models.base.RulesInClean, models.Model),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(first_entries, migrations.RunPython.noop),
    ]
