"""Decisions on commendation, awards linked to them, and the revocation of awards.

- A table of decisions (movement.models.decisions) and its history; an award's decision, and
  the three parts of a revocation: its date, the revoking decision and the reason.
- Each award that had a decision number gets the decision of that number and date, recorded
  once per number and date, in bulk, with the source and quoted sentences of its first award:
  a frozen copy of ``DecisionQuerySet.link``; an issuer cannot be read from a number.
- The public tallies' covering indexes end with ``revoked_on``: a count of the awards in force
  still reads the index alone.
- Roles: emulation officers record decisions and revoke awards; everyone reads them.

SQLite rebuilds a table to add a NOT NULL column or a CHECK constraint, which the award table's
triggers refuse (0002, 0007) and which would copy a million awards: there the reason's column is
added by ALTER TABLE with its default, and the revocation's rule is held by triggers, as 0002
holds the recipient's kind. PostgreSQL alters the table in place.
"""

from importlib import import_module

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery

import movement.models.decisions
import movement.models.fields

# Going back, SQLite rebuilds the award table to drop the decision's columns, which the triggers
# of 0002 (and the search index's of 0007) refuse or would be lost with: they are dropped for its
# time and made again after. Going forward adds columns in place and keeps them.
AWARD_TRIGGERS = [
    import_module("movement.migrations.0002_award_recipient_kind_trigger").STATEMENTS["sqlite"],
    import_module("movement.migrations.0007_award_year_index_and_search_index").STATEMENTS[
        "sqlite"
    ],
]


def award_triggers(create: bool):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for forward, backward in AWARD_TRIGGERS:
                for statement in forward if create else backward:
                    schema_editor.execute(statement)

    return operation


REVOCATION_RULE = models.CheckConstraint(
    condition=models.Q(revoked_on__isnull=True, revoked_by__isnull=True, revocation_reason="")
    | (
        models.Q(revoked_on__isnull=False, revoked_by__isnull=False)
        & ~models.Q(revocation_reason="")
    ),
    name="award_revocation_complete",
    violation_error_message=(
        "A revocation needs its date, the decision that revokes the award and the reason; an "
        "award not revoked has none of the three."
    ),
)
SQLITE_COMPLETE = """
    (NEW.revoked_on IS NULL AND NEW.revoked_by_id IS NULL AND NEW.revocation_reason = '')
    OR (NEW.revoked_on IS NOT NULL AND NEW.revoked_by_id IS NOT NULL
        AND NEW.revocation_reason != '')
"""
# "CHECK constraint failed" makes Django's SQLite backend raise IntegrityError, as for a CHECK.
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER movement_award_revocation_complete_{event}
    BEFORE {event} ON movement_award
    FOR EACH ROW WHEN NOT ({SQLITE_COMPLETE})
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: award_revocation_complete'); END;
    """
    for event in ("insert", "update")
]


def revocation_reason() -> movement.models.fields.TextField:
    return movement.models.fields.TextField(
        blank=True, editable=False, verbose_name="reason for revocation"
    )


def revocation_columns(forward: bool):
    def operation(apps, schema_editor) -> None:
        sqlite = schema_editor.connection.vendor == "sqlite"
        quote = schema_editor.quote_name
        award = apps.get_model("movement", "Award")
        if sqlite and not forward:
            for event in ("insert", "update"):
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS movement_award_revocation_complete_{event}"
                )
        elif not forward:
            schema_editor.remove_constraint(award, REVOCATION_RULE)
        for name in ("Award", "HistoricalAward"):
            model = apps.get_model("movement", name)
            field = model._meta.get_field("revocation_reason")
            table = quote(model._meta.db_table)
            if not sqlite:
                (schema_editor.add_field if forward else schema_editor.remove_field)(model, field)
            elif forward:
                schema_editor.execute(
                    f"ALTER TABLE {table} ADD COLUMN {quote(field.column)} text NOT NULL DEFAULT ''"
                )
            else:
                schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(field.column)}")
        if sqlite and forward:
            for statement in SQLITE_TRIGGERS:
                schema_editor.execute(statement)
        elif forward:
            schema_editor.add_constraint(award, REVOCATION_RULE)

    return operation


def decisions_from_awards(apps, schema_editor) -> None:
    """A decision for each number and date the awards name, and the awards linked to it. A
    frozen copy of movement.models.decisions.DecisionQuerySet.link, in bulk: a migration must
    not change when the app's code does."""
    Award = apps.get_model("movement", "Award")
    Decision = apps.get_model("movement", "Decision")
    named = Award.objects.exclude(decision_number="").order_by()
    firsts = named.values("decision_number", "decision_date").annotate(first=Min("pk"))
    first_of = {row["first"]: (row["decision_number"], row["decision_date"]) for row in firsts}
    decisions = []
    pks = sorted(first_of)
    for start in range(0, len(pks), 1000):
        chunk = Award.objects.filter(pk__in=pks[start : start + 1000]).order_by()
        for pk, source_id, quote in chunk.values_list("pk", "source_id", "source_quote"):
            number, date = first_of[pk]
            decisions.append(
                Decision(number=number, date=date, source_id=source_id, source_quote=quote)
            )
    Decision.objects.bulk_create(decisions, batch_size=1000)
    same = Decision.objects.filter(number=OuterRef("decision_number"), issuer="")
    named.filter(decision_date__isnull=False).update(
        decision=Subquery(same.filter(date=OuterRef("decision_date")).values("pk")[:1])
    )
    named.filter(decision_date__isnull=True).update(
        decision=Subquery(same.filter(date__isnull=True).values("pk")[:1])
    )


def codenames(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


EVERY = ["add", "change", "delete", "view"]
ROLES = {
    "Quản trị": [*codenames(EVERY, ["decision", "historicaldecision"]), "revoke_award"],
    # Emulation officers record decisions and revoke awards; unit editors do neither.
    "Cán bộ thi đua": codenames(EVERY, ["decision"])
    + codenames(["view"], ["historicaldecision"])
    + ["revoke_award"],
    "Cán bộ đơn vị": codenames(["view"], ["decision", "historicaldecision"]),
    "Xem": codenames(["view"], ["decision", "historicaldecision"]),
}


def grant(apps, schema_editor) -> None:
    # Permissions are normally created after the last migration; the groups need them now.
    app_config = apps.get_app_config("movement")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, granted in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:  # The roles were removed by hand: nothing to extend.
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="movement", codename__in=granted)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("movement", "0025_service_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undone last going back: the award table rebuilt, its triggers are made again.
        migrations.RunPython(migrations.RunPython.noop, award_triggers(create=True)),
        migrations.CreateModel(
            name="Decision",
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
                    "number",
                    movement.models.fields.LineField(
                        help_text="As printed on the decision, e.g. “1234/QĐ-BCA”.",
                        max_length=100,
                        verbose_name="number and symbol",
                    ),
                ),
                (
                    "date",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not say.",
                        null=True,
                        verbose_name="signed on",
                    ),
                ),
                (
                    "issuer",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="Who issued it, as the decision names it, e.g. “Bộ Công an”.",
                        max_length=300,
                        verbose_name="issuing authority",
                    ),
                ),
                (
                    "subject",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="The decision's summary line (trích yếu), e.g. “Về việc khen thưởng …”.",
                        max_length=500,
                        verbose_name="subject",
                    ),
                ),
                (
                    "signer",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="signed by"
                    ),
                ),
                (
                    "signer_position",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="As written above the signature, e.g. “KT. BỘ TRƯỞNG, THỨ TRƯỞNG”.",
                        max_length=300,
                        verbose_name="signer's position",
                    ),
                ),
                (
                    "legal_basis",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The “Căn cứ …” lines of the decision, one per line.",
                        verbose_name="legal basis",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        help_text="The signed decision: PDF, Word (.docx), or a JPEG or PNG scan.",
                        max_length=200,
                        upload_to=movement.models.decisions.signed_file_name,
                        validators=[movement.models.decisions.validate_signed_file],
                        verbose_name="signed file",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
                "ordering": ["-date", "number"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDecision",
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
                    "number",
                    movement.models.fields.LineField(
                        help_text="As printed on the decision, e.g. “1234/QĐ-BCA”.",
                        max_length=100,
                        verbose_name="number and symbol",
                    ),
                ),
                (
                    "date",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source does not say.",
                        null=True,
                        verbose_name="signed on",
                    ),
                ),
                (
                    "issuer",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="Who issued it, as the decision names it, e.g. “Bộ Công an”.",
                        max_length=300,
                        verbose_name="issuing authority",
                    ),
                ),
                (
                    "subject",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="The decision's summary line (trích yếu), e.g. “Về việc khen thưởng …”.",
                        max_length=500,
                        verbose_name="subject",
                    ),
                ),
                (
                    "signer",
                    movement.models.fields.LineField(
                        blank=True, max_length=200, verbose_name="signed by"
                    ),
                ),
                (
                    "signer_position",
                    movement.models.fields.LineField(
                        blank=True,
                        help_text="As written above the signature, e.g. “KT. BỘ TRƯỞNG, THỨ TRƯỞNG”.",
                        max_length=300,
                        verbose_name="signer's position",
                    ),
                ),
                (
                    "legal_basis",
                    movement.models.fields.TextField(
                        blank=True,
                        help_text="The “Căn cứ …” lines of the decision, one per line.",
                        verbose_name="legal basis",
                    ),
                ),
                (
                    "file",
                    models.TextField(
                        blank=True,
                        help_text="The signed decision: PDF, Word (.docx), or a JPEG or PNG scan.",
                        max_length=200,
                        validators=[movement.models.decisions.validate_signed_file],
                        verbose_name="signed file",
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
            ],
            options={
                "verbose_name": "historical decision",
                "verbose_name_plural": "historical decisions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterModelOptions(
            name="award",
            options={
                "ordering": ["-year", "award_type", "pk"],
                "permissions": [("revoke_award", "Can revoke an award")],
                "verbose_name": "award",
                "verbose_name_plural": "awards",
            },
        ),
        migrations.RemoveIndex(
            model_name="award",
            name="award_year_type_group_idx",
        ),
        migrations.RemoveIndex(
            model_name="award",
            name="award_campaign_type_year_idx",
        ),
        migrations.RemoveIndex(
            model_name="award",
            name="award_unit_year_idx",
        ),
        migrations.AddField(
            model_name="award",
            name="revoked_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="revoked on"
            ),
        ),
        migrations.AddField(
            model_name="historicalaward",
            name="revoked_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="revoked on"
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="movement.source",
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="award",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                help_text="The decision that gave the award. Its number and date are the decision's; an award given a number alone is linked to the decision of that number and date.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="awards",
                to="movement.decision",
                verbose_name="decision",
            ),
        ),
        migrations.AddField(
            model_name="award",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="revoked_awards",
                to="movement.decision",
                verbose_name="revoking decision",
            ),
        ),
        migrations.AddField(
            model_name="historicalaward",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The decision that gave the award. Its number and date are the decision's; an award given a number alone is linked to the decision of that number and date.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="movement.decision",
                verbose_name="decision",
            ),
        ),
        migrations.AddField(
            model_name="historicalaward",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="movement.decision",
                verbose_name="revoking decision",
            ),
        ),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["year", "award_type", "group_count", "revoked_on"],
                name="award_year_type_group_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["campaign", "award_type", "-year", "id", "revoked_on"],
                name="award_campaign_type_year_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                fields=["recipient_unit", "year", "id", "revoked_on"], name="award_unit_year_idx"
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="movement.source",
                verbose_name="source",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["number", "date"], name="decision_number_date_idx"),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("date__isnull", False)),
                fields=("number", "issuer", "date"),
                name="decision_unique_number",
                violation_error_message="This authority already has a decision with this number signed on this day. Open that decision instead of recording it again.",
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("date__isnull", True)),
                fields=("number", "issuer"),
                name="decision_unique_undated_number",
                violation_error_message="This authority already has a decision with this number whose date is not known. Open that decision and give its date instead of recording it again.",
            ),
        ),
        # Undone first going back, before the award table is rebuilt.
        migrations.RunPython(migrations.RunPython.noop, award_triggers(create=False)),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name=name, name="revocation_reason", field=revocation_reason()
                )
                for name in ("award", "historicalaward")
            ]
            + [migrations.AddConstraint(model_name="award", constraint=REVOCATION_RULE)]
        ),
        # After the state has them, so that the models given to it have them too.
        migrations.RunPython(revocation_columns(True), revocation_columns(False)),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(decisions_from_awards, migrations.RunPython.noop),
    ]
