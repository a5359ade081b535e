"""seed_demo fills a database with plausible synthetic data, marked so it never passes for real."""

import hashlib
import re
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from benchmarks import synthetic
from movement.models import (
    Award,
    AwardType,
    Campaign,
    Discipline,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    RecipientKind,
    Source,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)
from movement.text import fold, marked
from tests.test_tallies import counted, tallied

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's fill keeps its indexes"
)
SIZES = {"units": 50, "people": 300, "awards": 2000}
SOURCED = [Award, Campaign, Person, PersonRating, Initiative, Task, Unit, WorkPlan]


def seed_demo(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SIZES, "seed": 7, **options})
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    return seed_demo()


@pytest.fixture
def report_source(db) -> Source:
    return Source.objects.create(
        slug="bao-cao-hoi-nghi", kind=Source.Kind.REPORT, title="Báo cáo hội nghị"
    )


def snapshot() -> dict[str, list[tuple]]:
    """The data as natural keys and values, without database ids (which sequences may skip)."""
    return {
        "units": list(Unit.objects.order_by("slug").values_list("slug", "parent__slug", "name")),
        "people": list(
            Person.objects.order_by("slug").values_list(
                "slug", "full_name", "rank__name", "position", "unit__slug"
            )
        ),
        "awards": list(
            Award.objects.order_by("decision_number").values_list(
                "key",
                "decision_number",
                "decision_date",
                "award_type__name",
                "award_type__award_class",
                "year",
                "recipient_person__slug",
                "recipient_unit__slug",
                "group_kind",
                "group_count",
                "rank_at_award__name",
                "campaign__slug",
            )
        ),
        "tasks": list(
            Task.objects.order_by("plan__unit__slug", "plan__year", "number").values_list(
                "plan__unit__slug", "plan__year", "number", "title", "status", "area__name"
            )
        ),
    }


def test_makes_as_many_units_people_and_awards_as_asked(seeded):
    assert Unit.objects.count() == 50
    assert Person.objects.count() == 300
    assert Award.objects.count() == 2000


def test_says_what_it_made_and_how_long_it_took(seeded):
    assert "Award" in seeded
    assert "2000" in seeded
    assert "seed 7" in seeded
    assert " s (" in seeded


def test_every_record_it_makes_points_at_the_synthetic_source(seeded):
    source = Source.objects.get(slug="du-lieu-mo-phong")
    assert source.kind == Source.Kind.SYNTHETIC
    assert source.title == "Dữ liệu mô phỏng (không phải dữ liệu thật)"
    for model in SOURCED:
        assert model.objects.exists(), model
        assert not model.objects.exclude(source=source).exists(), model


def test_the_award_types_are_the_laws_loaded_first_when_missing(seeded):
    assert Source.objects.filter(kind=Source.Kind.LAW).exists()
    used = AwardType.objects.filter(awards__isnull=False).distinct()
    assert used.exists()
    assert not used.exclude(source__kind=Source.Kind.LAW).exists()
    assert not AwardType.objects.filter(source__kind=Source.Kind.SYNTHETIC).exists()


def test_people_have_a_service_record_over_1_to_35_years(seeded):
    entered = list(Person.objects.values_list("entered_service_on", flat=True))
    assert None not in entered
    years = {2026 - day.year for day in entered}
    assert min(years) >= 1
    assert max(years) <= 35
    assert max(years) - min(years) >= 15
    rated = PersonRating.objects.values("person").distinct().count()
    assert rated > Person.objects.count() * 0.8
    # Nobody is rated for a year before they entered service.
    for rating in PersonRating.objects.select_related("person")[:500]:
        assert rating.year > rating.person.entered_service_on.year
    assert Initiative.objects.exists()
    assert Discipline.objects.exists() or Inspection.objects.exists()


def test_careers_chain_titles_as_the_law_asks(seeded):
    def holders(name: str) -> set[tuple[int, int]]:
        return set(
            Award.objects.filter(award_type__name=name, recipient_person__isnull=False).values_list(
                "recipient_person", "year"
            )
        )

    advanced = holders("Chiến sĩ tiên tiến")
    grassroots = holders("Chiến sĩ thi đua cơ sở")
    ministry = holders("Chiến sĩ thi đua toàn lực lượng Công an nhân dân")
    assert len(advanced) > len(grassroots) > len(ministry) > 0
    # Chiến sĩ tiên tiến comes most years to many; CSTĐ cơ sở only on top of it.
    assert len({person for person, _ in advanced}) > Person.objects.count() * 0.3
    assert grassroots <= advanced
    # The ministry's title crowns three years running of CSTĐ cơ sở.
    for person, year in ministry:
        assert {(person, year - 2), (person, year - 1), (person, year)} <= grassroots
    initiatives = set(Initiative.objects.values_list("person", "year"))
    # Mostly with an initiative that year, not always: the rules have work both ways.
    with_initiative = len(grassroots & initiatives)
    assert len(grassroots) * 0.8 < with_initiative < len(grassroots)


def test_codes_of_units_people_and_campaigns_start_with_demo(seeded):
    for model in (Unit, Person, Campaign):
        assert not model.objects.exclude(slug__startswith="demo-").exists(), model


def test_units_form_one_tree_at_least_three_levels_below_the_ministry(seeded):
    root = Unit.objects.get(parent=None)
    assert root.name == "Bộ Công an"
    assert root.kind == Unit.Kind.MINISTRY
    depths = {unit.tree_depth for unit in Unit.objects.with_tree_fields()}
    assert max(depths) >= 3
    province = Unit.objects.get(kind=Unit.Kind.PROVINCIAL_POLICE)
    assert province.parent == root
    assert province.name == "Công an thành phố Hà Nội"
    district = Unit.objects.filter(kind=Unit.Kind.DISTRICT_POLICE).first()
    assert district.parent == province
    assert district.name.startswith("Công an ")
    assert district.children.exists()


def test_people_have_vietnamese_names_and_mostly_middle_ranks(seeded):
    family_names = {name.split()[0] for name in Person.objects.values_list("full_name", flat=True)}
    assert "Nguyễn" in family_names
    assert family_names <= {
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
    }  # fmt: skip
    middle = Person.objects.filter(rank__tier__in=["field", "company"]).count()
    assert middle > Person.objects.count() * 0.7
    assert not Person.objects.filter(rank__name="Đại tướng").exists()


def test_search_texts_are_what_saving_each_record_would_store(seeded):
    person = Person.objects.order_by("pk").first()
    assert person.search_text == fold(f"{person.full_name} {person.position}")
    assert person.marked_text == marked(f"{person.full_name} {person.position}")
    assert fold(person.full_name) in person.search_text
    awards = Award.objects.select_related("award_type", "recipient_person", "recipient_unit")
    for model, records in [
        (Unit, Unit.objects.all()),
        (Person, Person.objects.all()),
        (Campaign, Campaign.objects.all()),
        (Task, Task.objects.all()),
        (AwardType, AwardType.objects.all()),
        (Award, awards),
    ]:
        for record in records:
            stored = (record.search_text, record.marked_text)
            record.refresh_search_text()
            assert stored == (record.search_text, record.marked_text), (model, record.pk)


def test_awards_spread_over_years_and_kinds_of_recipient(seeded):
    years = set(Award.objects.values_list("year", flat=True))
    assert min(years) >= 2005
    assert max(years) <= 2026
    assert len(years) > 15
    to_people = Award.objects.filter(recipient_person__isnull=False).count()
    to_units = Award.objects.filter(recipient_unit__isnull=False).count()
    to_groups = Award.objects.filter(group_count__isnull=False).count()
    assert to_people > to_units > to_groups > 0
    assert to_people + to_units + to_groups == 2000


def test_awards_keep_the_rules_a_saved_award_would(seeded):
    assert Award.objects.filter(decision_number__startswith="QĐ-DEMO-").count() == 2000
    assert Award.objects.values("decision_number").distinct().count() == 2000
    for award in Award.objects.select_related("award_type", "recipient_person__rank")[:300]:
        assert award.award_type.accepts(award.recipient_kind)
        if award.recipient_person_id:
            assert award.rank_at_award_id is not None
            # A rank at the time is never above the one held now.
            assert award.rank_at_award.seniority >= award.recipient_person.rank.seniority
        else:
            assert award.rank_at_award_id is None
            assert award.position_at_award == ""
    assert (
        Award.objects.filter(group_count__isnull=False)
        .exclude(group_kind__in=RecipientKind.values)
        .count()
        == 0
    )


def test_campaigns_and_work_plans_come_with_it(seeded):
    yearly = Campaign.objects.filter(kind=Campaign.Kind.EMULATION)
    assert sorted(yearly.values_list("start_year", flat=True)) == list(range(2005, 2027))
    assert Campaign.objects.filter(kind=Campaign.Kind.MOVEMENT).exists()
    plan = WorkPlan.objects.order_by("pk").first()
    assert plan.declared_area_count == WorkArea.objects.filter(plan=plan).count()
    assert plan.declared_task_count == Task.objects.filter(plan=plan).count()
    assert plan.campaign.start_year == plan.year
    assert Task.objects.filter(assigned_units__isnull=False).exists()


def test_an_award_type_already_in_the_database_is_reused(order_type):
    seed_demo()
    reused = AwardType.objects.get(name="Huân chương Bảo vệ Tổ quốc", award_class="3")
    assert reused == order_type
    assert reused.source is None
    assert AwardType.objects.filter(name="Huân chương Bảo vệ Tổ quốc").count() == 3


def test_refuses_a_database_holding_the_report_fixtures(report_source):
    with pytest.raises(CommandError) as refused:
        seed_demo()
    assert "dữ liệu thật" in str(refused.value)
    assert "report fixtures" in str(refused.value)
    assert "--force" in str(refused.value)
    assert not Unit.objects.exists()
    assert not Source.objects.filter(kind=Source.Kind.SYNTHETIC).exists()


def test_writes_next_to_the_report_fixtures_when_forced(report_source):
    seed_demo(force=True)
    assert Award.objects.count() == 2000
    assert Source.objects.filter(kind=Source.Kind.REPORT).count() == 1


def test_refuses_to_run_twice_on_the_same_database(seeded):
    with pytest.raises(CommandError, match="already holds synthetic demo data"):
        seed_demo(seed=8, force=True)
    assert Award.objects.count() == 2000


def test_refuses_negative_sizes(db):
    with pytest.raises(CommandError, match="negative"):
        seed_demo(awards=-1)


def test_the_same_seed_gives_the_same_data(db):
    small = {"units": 30, "people": 100, "awards": 500}
    with transaction.atomic():
        seed_demo(seed=11, **small)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Unit.objects.exists()
    seed_demo(seed=11, **small)
    assert snapshot() == first


def test_another_seed_gives_other_data(db):
    with transaction.atomic():
        seed_demo(seed=11, units=20, people=50, awards=100)
        first = snapshot()
        transaction.set_rollback(True)
    seed_demo(seed=12, units=20, people=50, awards=100)
    second = snapshot()
    assert second["people"] != first["people"]
    assert second["awards"] != first["awards"]


def test_with_debug_on_it_keeps_no_query_log_and_never_rewrites_settings(db, settings):
    """DEBUG (a laptop's default) logs each query's SQL; a million-row load would keep them all.
    The log is emptied after each batch instead of turning DEBUG off for the whole process."""
    settings.DEBUG = True
    seen = set()

    def observe(execute, sql, params, many, context):
        seen.add(django_settings.DEBUG)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        seed_demo(units=20, people=100, awards=3000, batch_size=500)
    assert seen == {True}
    assert len(connection.queries) < 10


def fingerprint() -> str:
    """A digest of every column of the big tables, ids replaced by natural keys."""
    tables = {
        Award: ("key", "decision_number"),
        Person: ("slug",),
        PersonRating: ("person__slug", "year"),
        Initiative: ("person__slug", "year", "title", "decision"),
        Discipline: ("person__slug", "since", "form"),
        Inspection: ("person__slug", "since", "kind"),
    }
    # Others (decisions, events) are empty in synthetic data: their ids are kept.
    natural = {
        "person": ["slug"],
        "unit": ["slug"],
        "campaign": ["slug"],
        "source": ["slug"],
        "rank": ["name"],
        "awardtype": ["name", "award_class"],
    }
    dump = []
    for model, order in tables.items():
        columns = []
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            if f.is_relation:
                target = f.related_model._meta.model_name
                keys = natural.get(target, ["id"])
                columns += [f"{f.name}__{key}" for key in keys]
            else:
                columns.append(f.name)
        service = model not in (Person, Award)
        lead = "person_id" if service else "pk"
        rows = model.objects.order_by(*order).values_list(lead, *columns)
        if service:
            # An initiative's decision number holds its person's id, which the sequence gives.
            rows = [
                tuple(re.sub(rf"-{row[0]}-", "-#-", v) if isinstance(v, str) else v for v in row)
                for row in rows
            ]
        # Without the ids; sorted, since rows alike in the columns ordered by come in any order.
        dump.append(sorted(repr(row[1:]) for row in rows))
    return hashlib.sha256(repr(dump).encode()).hexdigest()


def test_a_seed_gives_the_rows_it_gave_before_the_load_was_sped_up(db):
    """The digest was taken with the INSERT-only load (#18): COPY, indexes built afterwards and
    foreign keys validated once must not change a single value."""
    seed_demo()
    assert fingerprint() == "19ef5492484a368ca2e78caf6af0885a6943fa24eed65548e90a4aa7cd7794c1"


def test_the_tallies_of_a_fill_count_its_awards(seeded):
    """Written by COPY on PostgreSQL, the awards still fire the tally triggers."""
    assert tallied() == counted()
    assert sum(awards for _, _, awards, _ in counted()["year"]) == SIZES["awards"]


def schema() -> dict[str, set]:
    """The big tables' index and constraint definitions, and whether each constraint is valid."""
    tables = [model._meta.db_table for model in synthetic.BIG_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated,"
            " condeferrable, condeferred FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = set(cursor.fetchall())
    return {"indexes": indexes, "constraints": constraints}


@ON_POSTGRESQL
def test_a_fill_leaves_the_indexes_and_constraints_migrations_made(db):
    """The fill drops them for the load and makes them again (#18): exactly the same."""
    migrated = schema()
    assert len(migrated["indexes"]) > 20
    assert any(
        definition.startswith("FOREIGN KEY") for _, _, definition, *_ in migrated["constraints"]
    )
    seed_demo()
    assert schema() == migrated


@ON_POSTGRESQL
def test_a_fill_checks_the_foreign_keys_it_dropped_for_the_load(db, monkeypatch):
    """A row pointing nowhere fails the fill, as the deferred checks would have at the commit."""
    award_row = synthetic._Builder.award_row

    def dangling(self, *args, **kwargs):
        row = award_row(self, *args, **kwargs)
        return (*row[:14], 999_999_999, *row[15:])  # the source

    monkeypatch.setattr(synthetic._Builder, "award_row", dangling)
    with pytest.raises(IntegrityError, match="source"):
        seed_demo()
