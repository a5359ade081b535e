"""The data migrations turn the rows they find as they say.

Migrating a database back costs seconds a migration, since Django renders the models' state at
every step, and five tests each walking back from the newest migration took two minutes of each
CI run. So the cases share one walk: back once, to the earliest migration a case needs, then
forward, each case's rows written just before its migration and read just after it. The rows of
the cases differ in name, and each case reads its own.
"""

import datetime

import pytest
from django.apps.registry import Apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.utils import translation

from movement.models import Award, AwardType, Campaign, Event, Person, RankChange, Task, Unit
from movement.search import award_text_contains

DAY = datetime.date(2017, 12, 20)
NEWEST = None


def migrate(name: str | None) -> Apps:
    """Move the test database to the movement migration ``name`` (NEWEST: the newest of every
    app), forward or back, and return the models as they are there."""
    executor = MigrationExecutor(connection)
    targets = [("movement", name)] if name else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Serialized rollback as the suite's other transactional tests: the rows migrations made (content
# types, groups) come back as they were for the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_data_migration_turns_the_rows_it_finds_as_it_says():
    apps = migrate("0023_previewver_pending_import_versions")
    award_type = write_years_of_validity(apps)

    apps = migrate("0024_law_award_type_citations")
    assert_years_became_first_and_last_days(apps, award_type)
    apps = migrate("0023_previewver_pending_import_versions")
    assert_days_went_back_to_years(apps, award_type)

    apps = migrate("0024_law_award_type_citations")
    write_people_before_their_histories(apps)
    apps = migrate("0025_service_records")
    assert_each_history_starts_from_what_is_known_undated(apps)

    write_awards_before_their_decisions(apps)
    write_records_before_their_marked_text(apps)
    apps = migrate("0026_decisions_records")
    assert_a_decision_per_number_and_date_links_the_awards(apps)

    person, first, second = write_a_rank_entered_twice(apps)
    assert_the_duplicates_are_named_and_nothing_changes(apps, person, first, second)
    apps.get_model("movement", "RankChange").objects.filter(pk=second.pk).delete()
    migrate(NEWEST)
    assert RankChange.objects.filter(person__slug="le-van-an").count() == 3
    assert_every_record_has_its_marked_text_indexed()


# -- 0024: an award type's years of validity become days ------------------------------------


def write_years_of_validity(apps: Apps):
    return apps.get_model("movement", "AwardType").objects.create(
        name="Cờ thi đua của Tổng cục",
        category="flag",
        for_collectives=True,
        valid_from=2004,
        valid_until=2018,
    )


def assert_years_became_first_and_last_days(apps: Apps, made) -> None:
    row = apps.get_model("movement", "AwardType").objects.get(pk=made.pk)
    assert (row.valid_from, row.valid_until) == (
        datetime.date(2004, 1, 1),
        datetime.date(2018, 12, 31),
    )


def assert_days_went_back_to_years(apps: Apps, made) -> None:
    row = apps.get_model("movement", "AwardType").objects.get(pk=made.pk)
    assert (row.valid_from, row.valid_until) == (2004, 2018)


# -- 0025: each person's history starts from what is known, undated ---------------------------


def write_people_before_their_histories(apps: Apps) -> None:
    unit = apps.get_model("movement", "Unit").objects.create(name="Phòng A", slug="phong-a")
    people = apps.get_model("movement", "Person").objects
    rank = apps.get_model("movement", "Rank").objects.first()
    people.create(full_name="Nguyễn Văn An", slug="an", rank=rank, unit=unit, position="Trưởng")
    people.create(full_name="Nguyễn Văn Bình", slug="binh")
    people.create(full_name="Nguyễn Văn Chi", slug="chi", position="Cán bộ")


def assert_each_history_starts_from_what_is_known_undated(apps: Apps) -> None:
    ranks = apps.get_model("movement", "RankChange").objects.values_list("person__slug", "since")
    postings = apps.get_model("movement", "Posting").objects.order_by("person__slug")
    assert list(ranks) == [("an", None)]
    assert list(postings.values_list("person__slug", "unit__slug", "position", "since")) == [
        ("an", "phong-a", "Trưởng", None),
        ("chi", None, "Cán bộ", None),
    ]


# -- 0026: a decision per number and date, linked to its awards --------------------------------


def write_awards_before_their_decisions(apps: Apps) -> None:
    unit = apps.get_model("movement", "Unit").objects.create(name="Phòng B", slug="phong-b")
    kind = apps.get_model("movement", "AwardType").objects.create(
        name="Giấy khen", category="certificate", for_collectives=True
    )
    source = apps.get_model("movement", "Source").objects.create(slug="bao-cao", title="Báo cáo")
    awards = apps.get_model("movement", "Award").objects
    common = {"award_type": kind, "recipient_unit": unit}
    awards.create(**common, year=2015, decision_number="5/QĐ", decision_date=DAY,
                  source=source, source_quote="Phòng B được tặng Giấy khen.")  # fmt: skip
    awards.create(**common, year=2016, decision_number="5/QĐ", decision_date=DAY)
    awards.create(**common, year=2017, decision_number="5/QĐ")
    awards.create(**common, year=2018)


def assert_a_decision_per_number_and_date_links_the_awards(apps: Apps) -> None:
    decisions = apps.get_model("movement", "Decision").objects.filter(number="5/QĐ")
    assert list(
        decisions.order_by(F("date").asc(nulls_first=True)).values_list(
            "number", "date", "source__slug", "source_quote"
        )
    ) == [
        ("5/QĐ", None, None, ""),
        ("5/QĐ", DAY, "bao-cao", "Phòng B được tặng Giấy khen."),
    ]
    linked = apps.get_model("movement", "Award").objects.filter(recipient_unit__slug="phong-b")
    assert list(linked.order_by("year").values_list("year", "decision__date")) == [
        (2015, DAY), (2016, DAY), (2017, None), (2018, None),
    ]  # fmt: skip
    assert linked.get(year=2017).decision_id is not None
    assert linked.get(year=2018).decision_id is None


# -- 0027: entries made twice are named, and nothing is changed ---------------------------------


def write_a_rank_entered_twice(apps: Apps) -> tuple:
    person = apps.get_model("movement", "Person").objects.create(
        full_name="Lê Văn An", slug="le-van-an"
    )
    ranks = apps.get_model("movement", "Rank").objects.all()
    changes = apps.get_model("movement", "RankChange").objects
    first = changes.create(person=person, rank=ranks[0], since=datetime.date(2010, 1, 1))
    second = changes.create(person=person, rank=ranks[1], since=datetime.date(2010, 1, 1))
    changes.create(person=person, rank=ranks[0])
    changes.create(person=person, rank=ranks[0])  # Undated twice: not a duplicate.
    return person, first, second


def assert_the_duplicates_are_named_and_nothing_changes(apps: Apps, person, first, second):
    with pytest.raises(RuntimeError) as refused:
        migrate("0027_records_unique_entries")
    assert (
        f"Lê Văn An (id {person.pk}): các mục [{first.pk}, {second.pk}] trùng since=2010-01-01"
        in str(refused.value)
    )
    assert apps.get_model("movement", "RankChange").objects.filter(person=person).count() == 4


# -- 0032: every record's marked text, written and indexed --------------------------------------


def write_records_before_their_marked_text(apps: Apps) -> None:
    model = apps.get_model
    unit = model("movement", "Unit").objects.create(
        name="Phòng Hóa chất", short_name="PHC", slug="phc"
    )
    person = model("movement", "Person").objects.create(
        full_name="ĐẶNG Quang Hưng", slug="hung", position="Trưởng phòng", unit=unit
    )
    award_type = model("movement", "AwardType").objects.create(
        name="Huân chương Chiến công",
        award_class="3",
        category="order",
        for_individuals=True,
        for_collectives=True,
    )
    awards = model("movement", "Award").objects
    awards.create(award_type=award_type, year=2017, recipient_person=person, note="Hồ sơ  đủ")
    awards.create(award_type=award_type, year=2017, recipient_unit=unit, decision_number="9/QĐ")
    model("movement", "Campaign").objects.create(
        name="Phong trào Hùng", slug="p", kind="movement", slogan="Đoàn kết", motto="Kỷ cương"
    )
    model("movement", "Event").objects.create(name="Hội nghị", slug="h", description="Tổng kết")
    plan = model("movement", "WorkPlan").objects.create(unit=unit, year=2017)
    model("movement", "Task").objects.create(plan=plan, number=1, title="Việc", result="Xong")


def assert_every_record_has_its_marked_text_indexed() -> None:
    # Each text as saving the record now writes it, in the site's language (an award type's
    # text holds its category's label): whatever language an earlier test left active.
    awards = Award.objects.select_related("award_type", "recipient_person", "recipient_unit")
    models = [Unit, Person, AwardType, Campaign, Event, Task]
    with translation.override(settings.LANGUAGE_CODE):
        for records in [awards, *(model.objects.all() for model in models)]:
            for record in records:
                stored = record.marked_text
                record.refresh_search_text()
                assert stored == record.marked_text != "", record
    # And indexed: the award to Hưng is found by his name as written, not by Hùng's.
    assert Award.objects.filter(award_text_contains(["hưng"])).get().recipient_person.slug == "hung"
    assert not Award.objects.filter(award_text_contains(["hùng"])).exists()
