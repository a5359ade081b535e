"""An award the rules of eligibility do not support is warned about, with the reasons, wherever
it is proposed, and still saved or imported: the council decides (movement.proposals)."""

import datetime
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movement.eligibility import verdict
from movement.models import Award, AwardType, Decision, Person, Unit
from movement.models.service import Discipline, Initiative, PersonRating, UnitRating
from movement.proposals import award_warnings, awards_warnings
from movement.spreadsheets.previews import confirm_upload, preview_upload
from movement.spreadsheets.resources import AwardResource
from tests.factories import award_form
from tests.spreadsheets import upload, xlsx

GRASSROOTS = "Chiến sĩ thi đua cơ sở"
ADVANCED = "Chiến sĩ tiên tiến"


@pytest.fixture
def law(db) -> None:
    call_command("load_law", stdout=StringIO())


def kind(name: str) -> AwardType:
    return AwardType.objects.get(name=name, award_class="")


def qualified(person: Person, year: int) -> None:
    """``person`` has what CSTĐ cơ sở asks in ``year``: Chiến sĩ tiên tiến and an initiative."""
    Award.objects.create(award_type=kind(ADVANCED), year=year, recipient_person=person)
    Initiative.objects.create(
        person=person, title="Sáng kiến", level=Initiative.Level.GRASSROOTS, year=year
    )


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_award_that_breaks_a_rule_is_saved_with_a_warning_and_the_reason(
    admin_client, law, person
):
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(award_type=kind(GRASSROOTS).pk, year=2020, recipient_person=person.pk),
    )
    assert response.status_code == 302
    assert Award.objects.filter(award_type__name=GRASSROOTS, recipient_person=person).exists()
    (warning,) = [text for text in shown(response) if "thiếu Chiến sĩ tiên tiến năm 2020" in text]
    assert "Điều 23" in warning  # the article the catalogue cites
    assert "thiếu sáng kiến" in warning


def test_an_award_the_rules_support_is_saved_without_a_warning(admin_client, law, person):
    qualified(person, 2020)
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(award_type=kind(GRASSROOTS).pk, year=2020, recipient_person=person.pk),
    )
    assert response.status_code == 302
    assert not [text for text in shown(response) if "CSTĐ cơ sở" in text]


def test_an_award_saved_again_is_not_counted_as_given_twice(law, person):
    qualified(person, 2020)
    award = Award.objects.create(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)
    assert award_warnings(award) == []
    # A second one for the same year is.
    twice = Award(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)
    assert any("đã được tặng cho năm 2020" in reason for reason in award_warnings(twice))


def test_an_award_no_rule_covers_gets_no_warning(law, person):
    certificate = Award(award_type=kind("Giấy khen"), year=2020, recipient_person=person)
    assert award_warnings(certificate) == []


def rows(*people_years: tuple[Person, int]) -> bytes:
    header = ["Năm", "Hình thức khen thưởng", "Cá nhân nhận", "Số quyết định"]
    return xlsx(
        [header]
        + [
            [year, GRASSROOTS, someone.full_name, f"{number}/QĐ"]
            for number, (someone, year) in enumerate(people_years, 1)
        ]
    )


def test_an_import_preview_warns_of_the_row_and_still_allows_the_import(law, person):
    qualified(person, 2020)
    report = preview_upload(AwardResource(), rows((person, 2020), (person, 2021)))
    assert report.ok and report.upload  # it may be confirmed
    (warning,) = report.row_warnings
    assert warning.row == 3  # the 2021 row: no Chiến sĩ tiên tiến, no initiative that year
    assert "thiếu Chiến sĩ tiên tiến năm 2021" in warning.message
    confirmed = confirm_upload(AwardResource(), report.upload)
    assert confirmed.written
    assert Award.objects.filter(award_type__name=GRASSROOTS).count() == 2


def test_the_preview_page_shows_the_rows_warnings(admin_client, law, person):
    response = upload(admin_client, "award", rows((person, 2021)))
    page = response.content.decode()
    assert "thiếu Chiến sĩ tiên tiến năm 2021" in page
    assert "1 dòng đề nghị khen thưởng chưa đủ điều kiện" in page
    assert response.context["confirm_form"] is not None


def test_a_preview_of_rows_the_rules_support_warns_of_none(law, person):
    qualified(person, 2020)
    assert preview_upload(AwardResource(), rows((person, 2020))).row_warnings == []


def checked(proposed: list[Award]) -> tuple[int, list[list[str]]]:
    """The queries that checking ``proposed`` costs, and the warnings it gives."""
    with CaptureQueriesContext(connection) as captured:
        warnings = awards_warnings(proposed)
    return len(captured), warnings


def test_the_check_of_many_awards_costs_the_same_queries_as_of_a_few(law, department):
    people = Person.objects.bulk_create(
        Person(full_name=f"Người {i}", slug=f"nguoi-{i}", unit=department) for i in range(60)
    )
    for someone in people[::2]:
        qualified(someone, 2020)
    grassroots = kind(GRASSROOTS)

    def queries(count: int) -> tuple[int, list[list[str]]]:
        proposed = [
            Award(award_type=grassroots, year=2020, recipient_person=someone)
            for someone in people[:count]
        ]
        return checked(proposed)

    few, _warnings = queries(4)
    many, warnings = queries(60)
    assert many == few
    # Those with what the rule asks pass; the others are each told why.
    assert [bool(reasons) for reasons in warnings] == [i % 2 == 1 for i in range(60)]


def test_the_check_of_a_file_costs_the_same_queries_whatever_years_its_rows_name(law, department):
    # A file of several years (a unit's history typed in) is not checked with a query per award
    # type and year: its people's facts are read once and each row judged on them.
    people = Person.objects.bulk_create(
        Person(full_name=f"Người {i}", slug=f"nguoi-{i}", unit=department) for i in range(12)
    )
    for i, someone in enumerate(people):
        if i % 2 == 0:
            qualified(someone, 2010 + i)
    grassroots = kind(GRASSROOTS)

    def queries(years: int) -> tuple[int, list[list[str]]]:
        proposed = [
            Award(award_type=grassroots, year=2010 + i % years * (12 // years), recipient_person=p)
            for i, p in enumerate(people)
        ]
        return checked(proposed)

    one_year, _warnings = queries(1)
    twelve_years, warnings = queries(12)
    assert twelve_years == one_year
    # Each row judged against its own year's records.
    assert [bool(reasons) for reasons in warnings] == [i % 2 == 1 for i in range(12)]


CAND = "Chiến sĩ thi đua toàn lực lượng Công an nhân dân"


def titled_rows(*rows_: tuple[str, Person, int]) -> bytes:
    header = ["Năm", "Hình thức khen thưởng", "Cá nhân nhận", "Số quyết định"]
    return xlsx(
        [header]
        + [
            [year, name, someone.full_name, f"{number}/QĐ"]
            for number, (name, someone, year) in enumerate(rows_, 1)
        ]
    )


def test_rows_of_the_same_file_count_towards_a_run_of_titles(law, person):
    for year in (2021, 2022, 2023):
        qualified(person, year)
    Initiative.objects.create(
        person=person, title="Sáng kiến", level=Initiative.Level.MINISTRY, year=2022
    )
    rows_ = [(GRASSROOTS, person, year) for year in (2021, 2022, 2023)]
    report = preview_upload(AwardResource(), titled_rows(*rows_, (CAND, person, 2023)))
    assert report.row_warnings == []
    # Without the file's CSTĐ cơ sở the run is missing, as before.
    (warning,) = preview_upload(AwardResource(), titled_rows((CAND, person, 2023))).row_warnings
    assert "thiếu CSTĐ cơ sở năm 2021" in warning.message
    assert "thiếu CSTĐ cơ sở năm 2022" in warning.message


def test_each_person_is_read_for_the_years_their_rows_rules_read(law, person, department):
    # A file's people are read for their own rows' years only, not whole (#12): the earlier
    # years of a run and, for a medal given once, every year are still among them.
    for year in (2021, 2022, 2023):
        qualified(person, year)
        Award.objects.create(award_type=kind(GRASSROOTS), year=year, recipient_person=person)
    Initiative.objects.create(
        person=person, title="Sáng kiến", level=Initiative.Level.MINISTRY, year=2022
    )
    medal = AwardType.objects.get(name="Huy chương Chiến sĩ vẻ vang", award_class="3")
    veteran = Person.objects.create(full_name="Lê Văn An", slug="le-van-an", unit=department)
    Award.objects.create(award_type=medal, year=2005, recipient_person=veteran)
    run, again = awards_warnings(
        [
            Award(award_type=kind(CAND), year=2023, recipient_person=person),
            Award(award_type=medal, year=2024, recipient_person=veteran),
        ]
    )
    assert not [reason for reason in run if "thiếu CSTĐ cơ sở" in reason]
    assert any("đã được tặng năm 2005" in reason for reason in again)


def test_a_row_repeated_in_the_file_is_given_twice(law, person):
    qualified(person, 2020)
    report = preview_upload(AwardResource(), rows((person, 2020), (person, 2020)))
    assert [warning.row for warning in report.row_warnings] == [2, 3]
    assert all("đã được tặng cho năm 2020" in w.message for w in report.row_warnings)


def test_a_file_row_replaces_the_stored_award_it_updates(law, person):
    # The stored CSTĐ cơ sở 2020, updated by its own row: not counted as given twice.
    qualified(person, 2020)
    stored = Award.objects.create(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)
    again = Award.objects.get(pk=stored.pk)
    assert awards_warnings([again]) == [[]]


def test_a_units_title_is_warned_about_on_save(law, department):
    title = Award(award_type=kind("Đơn vị tiên tiến"), year=2020, recipient_unit=department)
    warnings = award_warnings(title)
    assert any("chưa có xếp loại năm 2020" in reason for reason in warnings)


def test_the_rows_explained_read_the_stored_ratings(law, person):
    # Doubtful for a discipline, the row's other reasons still see the year's rating.
    PersonRating.objects.create(person=person, year=2020, rating="good")
    Discipline.objects.create(person=person, form=Discipline.Form.WARNING)
    (reasons,) = awards_warnings(
        [Award(award_type=kind(ADVANCED), year=2020, recipient_person=person)]
    )
    assert reasons and all("xếp loại" not in reason for reason in reasons)


def test_units_titles_are_checked_in_bulk_as_each_units_verdict_says(law, department):
    title = kind("Đơn vị tiên tiến")
    units = [
        Unit.objects.create(
            name=f"Đội {i}", slug=f"doi-{i}", kind=Unit.Kind.DIVISION, parent=department
        )
        for i in range(12)
    ]
    for i, unit in enumerate(units):
        UnitRating.objects.create(unit=unit, year=2020, rating="good" if i % 3 else "completed")
        officer = Person.objects.create(full_name=f"Người {i}", slug=f"nguoi-{i}", unit=unit)
        if i % 2:
            Award.objects.create(award_type=kind(ADVANCED), year=2020, recipient_person=officer)
        if i % 4 == 1:
            Discipline.objects.create(
                person=officer, form=Discipline.Form.WARNING, since=datetime.date(2020, 5, 1)
            )

    # The department's people are its teams': counted down its subtree.
    UnitRating.objects.create(unit=department, year=2020, rating="excellent")
    units.insert(0, department)

    def check(count: int) -> tuple[int, list[list[str]]]:
        proposed = [Award(award_type=title, year=2020, recipient_unit=u) for u in units[:count]]
        return checked(proposed)

    few, _warnings = check(3)
    many, warnings = check(13)
    assert many == few
    assert warnings == [
        [str(reason) for reason in verdict(unit, title, 2020).unmet] for unit in units
    ]
    assert [bool(reasons) for reasons in warnings] != [True] * 13  # some qualify
    assert "6/12 người đạt Chiến sĩ tiên tiến" in warnings[0][0]


def test_a_files_facts_are_read_unsorted_and_its_units_people_by_unit(law, department, person):
    # Sorting the awards read by Award's ordering (type by name) took a third of each query; and
    # joined to the walk down the units' subtrees, whose size the planner cannot guess, the
    # people were read sector-wide on PostgreSQL to meet a few hundred of them (#12).
    proposed = [
        Award(award_type=kind(GRASSROOTS), year=2020, recipient_person=person),
        Award(award_type=kind("Đơn vị tiên tiến"), year=2020, recipient_unit=department),
    ]
    with CaptureQueriesContext(connection) as captured:
        awards_warnings(proposed)
    reads = [query["sql"] for query in captured]
    facts = [
        sql for sql in reads if sql.startswith('SELECT "movement_award"."recipient_person_id"')
    ]
    assert facts and all("ORDER BY" not in sql for sql in facts)
    # Of the years the row's rule reads (CSTĐ cơ sở: its own), not the whole career.
    assert all('"year" >= 2020' in sql for sql in facts)
    walks = [sql for sql in reads if "WITH RECURSIVE" in sql]
    assert walks and all("movement_person" not in sql for sql in walks)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, read in words")
def test_the_peoples_awards_are_read_from_an_index_alone(law, person):
    # Read from the table, the 58,000 awards of an import's 2,000 people took 110 ms on
    # PostgreSQL, about one table page each (#12).
    qualified(person, 2020)
    with CaptureQueriesContext(connection) as captured:
        awards_warnings([Award(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)])
    (facts,) = [
        query["sql"]
        for query in captured
        if query["sql"].startswith('SELECT "movement_award"."recipient_person_id"')
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {facts}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("COVERING INDEX award_person_year_type_idx" in step for step in plan), plan


def test_a_revoked_title_is_not_a_title_given(law, person):
    # An import's check (awards_warnings) and a form's (award_warnings) read awards in force.
    qualified(person, 2020)
    first = Award.objects.create(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)
    first.revoke(Decision.objects.create(number="9/QĐ", date=datetime.date(2021, 1, 4)), "Sai")
    again = Award(award_type=kind(GRASSROOTS), year=2020, recipient_person=person)
    assert awards_warnings([again]) == [[]]
    assert award_warnings(again) == []
