"""Eligibility (movement.eligibility, issue #15): each rule met exactly, missed by one year,
barred by a discipline, and silent outside its years; a unit over its quota; and the one-case
explanation (verdict) agreeing with the sector-wide query (qualifying) on generated people."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import given, target
from hypothesis import strategies as st
from openpyxl import load_workbook

from movement.eligibility import RULES, qualifying, quota_checks, verdict, verdicts
from movement.models import Award, AwardType, Decision, Person, Unit
from movement.models.service import Discipline, Initiative, Inspection
from tests.factories import member
from tests.spreadsheets import ROUND_TRIP

CO_SO = ("Chiến sĩ thi đua cơ sở", "")
TIEN_TIEN = ("Chiến sĩ tiên tiến", "")
BO_2003 = ("Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương", "")
BO_2022 = ("Chiến sĩ thi đua Bộ, ban, ngành, tỉnh", "")
CAND = ("Chiến sĩ thi đua toàn lực lượng Công an nhân dân", "")
TOAN_QUOC = ("Chiến sĩ thi đua toàn quốc", "")
VI_ANTQ = ("Huy chương Vì an ninh Tổ quốc", "")
KNC = ("Kỷ niệm chương “Bảo vệ an ninh Tổ quốc”", "")


@pytest.fixture
def law(db) -> None:
    call_command("load_law", stdout=StringIO())


def kind(key: tuple[str, str]) -> AwardType:
    return AwardType.objects.select_related("legal_source").get(name=key[0], award_class=key[1])


def give(person: Person, key: tuple[str, str], *years: int) -> None:
    for year in years:
        Award.objects.create(award_type=kind(key), year=year, recipient_person=person)


def initiative(person: Person, level: str, year: int) -> None:
    Initiative.objects.create(person=person, title="Sáng kiến", level=level, year=year)


def discipline(person: Person, since: datetime.date, until: datetime.date | None = None) -> None:
    Discipline.objects.create(
        person=person, form=Discipline.Form.REPRIMAND, since=since, until=until
    )


def texts(person: Person, key: tuple[str, str], year: int) -> list[str]:
    return [str(reason) for reason in verdict(person, kind(key), year).unmet]


def eligible(person: Person, key: tuple[str, str], year: int) -> bool:
    found = verdict(person, kind(key), year).eligible
    # The sector-wide query says the same of this person.
    assert found == qualifying(kind(key), year).filter(pk=person.pk).exists()
    return found


# CSTĐ cơ sở: Chiến sĩ tiên tiến that year and a grassroots initiative.


def test_grassroots_title_needs_the_advanced_title_and_an_initiative(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    assert eligible(person, CO_SO, 2020)


def test_grassroots_title_one_year_short(law, person):
    give(person, TIEN_TIEN, 2019)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    assert not eligible(person, CO_SO, 2020)
    assert texts(person, CO_SO, 2020) == [
        "CSTĐ cơ sở 2020: thiếu Chiến sĩ tiên tiến năm 2020 (Điều 23, Luật Thi đua, khen thưởng"
        " số 06/2022/QH15)"
    ]


def test_grassroots_title_needs_the_initiative_in_that_year(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2019)
    assert not eligible(person, CO_SO, 2020)


def test_grassroots_title_barred_by_a_discipline_that_year(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    discipline(person, datetime.date(2019, 6, 1), datetime.date(2020, 2, 1))
    assert not eligible(person, CO_SO, 2020)
    assert "kỷ luật" in texts(person, CO_SO, 2020)[0]
    # A discipline over before the year looked back on bars nothing.
    assert eligible(person, CO_SO, 2021) is False  # no advanced title in 2021
    give(person, TIEN_TIEN, 2021)
    initiative(person, Initiative.Level.GRASSROOTS, 2021)
    assert eligible(person, CO_SO, 2021)


def test_a_discipline_whose_dates_are_not_stated_bars(law, person):
    # It may run still: the file does not say otherwise.
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    Discipline.objects.create(person=person, form=Discipline.Form.WARNING)
    assert not eligible(person, CO_SO, 2020)


def test_an_inspection_or_complaint_bars_too(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    Inspection.objects.create(
        person=person, kind=Inspection.Kind.COMPLAINT, since=datetime.date(2020, 3, 1)
    )
    assert not eligible(person, CO_SO, 2020)


def test_no_rule_before_the_law_of_2003_is_not_a_refusal(law, person):
    give(person, TIEN_TIEN, 2003)
    initiative(person, Initiative.Level.GRASSROOTS, 2003)
    found = verdict(person, kind(CO_SO), 2003)
    assert found.rule is None and not found.eligible
    assert "chưa có quy tắc" in found.reasons[0].text
    assert not qualifying(kind(CO_SO), 2003).exists()


def test_the_award_types_own_dates_bound_its_rule(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    AwardType.objects.filter(name=CO_SO[0]).update(valid_until=datetime.date(2019, 12, 31))
    assert verdict(person, kind(CO_SO), 2020).rule is None
    assert not qualifying(kind(CO_SO), 2020).exists()


def test_the_same_title_is_not_given_twice_for_one_year(law, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    give(person, CO_SO, 2020)
    assert not eligible(person, CO_SO, 2020)
    assert "đã được tặng cho năm 2020" in texts(person, CO_SO, 2020)[0]
    # An award being changed is checked as if it were not yet given.
    given = Award.objects.get(award_type=kind(CO_SO))
    assert verdict(person, kind(CO_SO), 2020, ignoring=given).eligible
    # Another year's title is another achievement.
    give(person, TIEN_TIEN, 2021)
    initiative(person, Initiative.Level.GRASSROOTS, 2021)
    assert eligible(person, CO_SO, 2021)


# CSTĐ cấp Bộ: three CSTĐ cơ sở in a row and an initiative recognised in the province or above.


def ministry_ready(person: Person, last: int) -> None:
    give(person, CO_SO, last - 2, last - 1, last)
    initiative(person, Initiative.Level.PROVINCIAL, last - 1)


def test_ministry_title_after_three_grassroots_years_in_a_row(law, person):
    ministry_ready(person, 2019)
    assert eligible(person, BO_2003, 2019)


def test_ministry_title_one_year_short_says_which_year(law, person):
    give(person, CO_SO, 2018, 2019)
    initiative(person, Initiative.Level.PROVINCIAL, 2019)
    assert not eligible(person, BO_2003, 2019)
    assert texts(person, BO_2003, 2019) == [
        "CSTĐ cấp Bộ 2019: thiếu CSTĐ cơ sở năm 2017 (Điều 22, Luật Thi đua, khen thưởng số"
        " 15/2003/QH11)"
    ]


def test_a_grassroots_initiative_is_not_enough_for_the_ministry_title(law, person):
    give(person, CO_SO, 2017, 2018, 2019)
    initiative(person, Initiative.Level.GRASSROOTS, 2019)
    assert not eligible(person, BO_2003, 2019)


def test_ministry_title_barred_by_a_discipline_within_three_years(law, person):
    ministry_ready(person, 2019)
    discipline(person, datetime.date(2017, 5, 1), datetime.date(2017, 11, 1))
    assert not eligible(person, BO_2003, 2019)
    Discipline.objects.update(since=datetime.date(2016, 5, 1), until=datetime.date(2016, 12, 31))
    assert eligible(person, BO_2003, 2019)


def test_each_name_of_the_ministry_title_in_its_own_years(law, person):
    ministry_ready(person, 2024)
    assert verdict(person, kind(BO_2003), 2024).rule is None
    assert eligible(person, BO_2022, 2024)
    assert verdict(person, kind(BO_2022), 2023).rule is None


def test_the_forces_own_title_asks_a_ministry_level_initiative(law, person):
    ministry_ready(person, 2019)
    assert not eligible(person, CAND, 2019)
    initiative(person, Initiative.Level.MINISTRY, 2017)
    assert eligible(person, CAND, 2019)


# CSTĐ toàn quốc: two CSTĐ cấp Bộ in a row (either dated name), one cycle apart.


def test_national_title_after_two_ministry_titles_across_both_names(law, person):
    give(person, BO_2003, 2023)
    give(person, BO_2022, 2026)
    initiative(person, Initiative.Level.NATIONAL, 2025)
    assert eligible(person, TOAN_QUOC, 2026)


def test_national_title_one_ministry_title_short(law, person):
    give(person, BO_2022, 2026)
    initiative(person, Initiative.Level.NATIONAL, 2025)
    assert not eligible(person, TOAN_QUOC, 2026)
    assert texts(person, TOAN_QUOC, 2026)[0].startswith(
        "CSTĐ toàn quốc 2026: thiếu CSTĐ cấp Bộ năm 2023"
    )


def test_national_title_looks_back_seven_years_for_a_discipline(law, person):
    give(person, BO_2003, 2023)
    give(person, BO_2022, 2026)
    initiative(person, Initiative.Level.NATIONAL, 2025)
    discipline(person, datetime.date(2020, 1, 1), datetime.date(2020, 3, 1))
    assert not eligible(person, TOAN_QUOC, 2026)
    Discipline.objects.update(since=datetime.date(2019, 1, 1), until=datetime.date(2019, 12, 31))
    assert eligible(person, TOAN_QUOC, 2026)


# Medals for years of service.


@pytest.mark.parametrize(
    ("key", "years"),
    [
        (VI_ANTQ, 25),
        (("Huy chương Chiến sĩ vẻ vang", "1"), 20),
        (("Huy chương Chiến sĩ vẻ vang", "2"), 15),
        (("Huy chương Chiến sĩ vẻ vang", "3"), 10),
    ],
)
def test_service_medals_after_their_years(law, person, key, years):
    person.entered_service_on = datetime.date(2020 - years, 12, 31)
    person.save()
    assert eligible(person, key, 2020)
    assert not eligible(person, key, 2019)
    assert "chưa đủ" in texts(person, key, 2019)[0]
    discipline(person, datetime.date(2020, 4, 1))
    assert not eligible(person, key, 2020)
    assert verdict(person, kind(key), 2003).rule is None


@pytest.mark.parametrize("key", [VI_ANTQ, ("Huy chương Chiến sĩ vẻ vang", "3")])
def test_a_service_medal_is_given_once(law, person, key):
    person.entered_service_on = datetime.date(1980, 1, 1)
    person.save()
    give(person, key, 2015)
    assert not eligible(person, key, 2020)
    assert "đã được tặng năm 2015, chỉ tặng một lần" in " ".join(texts(person, key, 2020))
    # Another class of the same medal is another award.
    assert eligible(person, ("Huy chương Chiến sĩ vẻ vang", "1"), 2020)


def test_service_unknown_is_said(law, person):
    assert texts(person, VI_ANTQ, 2020) == [
        "Huy chương Vì an ninh Tổ quốc 2020: chưa rõ ngày vào ngành (Điều 56, Luật Thi đua, khen"
        " thưởng số 06/2022/QH15)"
    ]


# The commemorative medal, once in a life; its article is not confirmed and the reason says so.


def test_commemorative_medal_once_in_a_life(law, person):
    assert eligible(person, KNC, 2020)
    give(person, KNC, 2012)
    assert not eligible(person, KNC, 2020)
    assert texts(person, KNC, 2020) == [
        "Kỷ niệm chương Bảo vệ ANTQ 2020: đã được tặng năm 2012, chỉ tặng một lần (Thông tư"
        " 20/2025/TT-BCA (chưa đối chiếu))"
    ]


# Units: no rule for collectives yet, and the quota.


def test_a_unit_has_no_rule_yet(law, department):
    assert verdict(department, kind(CO_SO), 2020).rule is None
    assert verdicts(department, 2020) == []


def test_a_unit_over_its_quota_of_grassroots_titles_is_flagged(law, department, division):
    people = [
        Person.objects.create(full_name=f"Người {n}", slug=f"nguoi-{n}", unit=division)
        for n in range(20)
    ]
    give(people[0], CO_SO, 2020)
    give(people[1], CO_SO, 2020)
    give(people[2], CO_SO, 2020)
    (check,) = quota_checks(department, 2020)
    assert (check.awarded, check.headcount, check.limit, check.exceeded) == (3, 20, 3, False)
    give(people[3], CO_SO, 2020)
    (check,) = quota_checks(department, 2020)
    assert check.exceeded
    assert "15%" in str(check) and "Nghị định 98/2023" in str(check)
    # The unit's own subtree only.
    other = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DEPARTMENT)
    assert quota_checks(other, 2020)[0].awarded == 0


def test_every_rule_finds_its_award_type_in_the_catalogue(law):
    for rule in RULES:
        assert rule.award_type().natural_key() == rule.type_key
        assert rule.citation(rule.award_type())


def test_verdicts_cover_every_rule_in_force(law, person):
    found = {v.rule.key for v in verdicts(person, 2020)}
    assert found == {rule.key for rule in RULES if rule.key != "cstd-bo-2022"}


# Query counts: a verdict is a handful of small queries; the sector is one.


def test_a_verdict_costs_four_queries(law, person, django_assert_num_queries):
    award_type = kind(BO_2003)
    with django_assert_num_queries(4):
        verdict(person, award_type, 2019)
    with django_assert_num_queries(5):
        verdicts(person, 2019)


def test_qualifying_is_one_query_within_a_subtree(
    law, person, department, django_assert_num_queries
):
    ministry_ready(person, 2019)
    award_type = kind(BO_2003)
    with django_assert_num_queries(1):
        assert list(qualifying(award_type, 2019, within=department)) == [person]
    other = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DEPARTMENT)
    assert not qualifying(award_type, 2019, within=other).exists()


# The strongest guard: the explanation and the query agree on any population.

# Few years and the titles of the ladder often, so that runs of three, and so people who
# qualify, are common among the examples.
TYPES = [TIEN_TIEN, TIEN_TIEN, CO_SO, CO_SO, CO_SO, BO_2003, BO_2022, CAND, TOAN_QUOC, KNC]
YEARS = st.integers(min_value=2015, max_value=2024)
PERIOD = st.tuples(
    st.none() | st.dates(datetime.date(2012, 1, 1), datetime.date(2026, 12, 31)),
    st.none() | st.integers(min_value=0, max_value=900),
)
PERSON = st.fixed_dictionaries(
    {
        "entered": st.none() | st.dates(datetime.date(1985, 1, 1), datetime.date(2020, 12, 31)),
        "awards": st.sets(st.tuples(st.sampled_from(TYPES), YEARS), max_size=16),
        "initiatives": st.lists(
            st.tuples(st.sampled_from(Initiative.Level.values), YEARS), max_size=4
        ),
        "disciplines": st.lists(PERIOD, max_size=1),
        "inspections": st.lists(PERIOD, max_size=1),
    }
)


def until(since: datetime.date | None, days: int | None) -> datetime.date | None:
    return None if since is None or days is None else since + datetime.timedelta(days=days)


@ROUND_TRIP
@given(population=st.lists(PERSON, min_size=1, max_size=5), year=st.integers(2017, 2024))
def test_verdict_and_qualifying_agree(law, department, population, year):
    with transaction.atomic():
        for n, facts in enumerate(population):
            person = Person.objects.create(
                full_name=f"Người {n}",
                slug=f"nguoi-{n}",
                unit=department,
                entered_service_on=facts["entered"],
            )
            for key, award_year in facts["awards"]:
                give(person, key, award_year)
            for level, initiative_year in facts["initiatives"]:
                initiative(person, level, initiative_year)
            for since, days in facts["disciplines"]:
                discipline(person, since, until(since, days))
            for since, days in facts["inspections"]:
                Inspection.objects.create(
                    person=person,
                    kind=Inspection.Kind.INSPECTION,
                    since=since,
                    until=until(since, days),
                )
        people = list(Person.objects.all())
        found = 0
        for rule in RULES:
            award_type = kind(rule.type_key)
            expected = {p.pk for p in people if verdict(p, award_type, year).eligible}
            assert set(qualifying(award_type, year).values_list("pk", flat=True)) == expected, rule
            found += len(expected)
        # Steer the examples towards people who qualify, where a wrong guard shows.
        target(found)
        transaction.set_rollback(True)


# Where it shows: the staff's list of who qualifies, the person's and the unit's pages, the admin.


def test_staff_list_who_qualifies_within_a_unit_and_download_it(law, client, person, department):
    ministry_ready(person, 2019)
    client.force_login(member("viewer"))
    url = reverse("admin:movement_person_eligibility")
    asked = {"award_type": kind(BO_2003).pk, "year": 2019, "unit": department.pk}
    response = client.get(url, asked)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [person]
    other = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DEPARTMENT)
    assert list(client.get(url, {**asked, "unit": other.pk}).context["page_obj"]) == []

    sheet = client.get(url, {**asked, "download": "xlsx"})
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[1][:2] == (person.full_name, person.slug)
    text = client.get(url, {**asked, "download": "csv"}).content.decode("utf-8-sig")
    assert person.full_name in text


def test_the_list_of_people_links_to_who_qualifies(law, client):
    # (Among the list's tools, which import-export shows to those who may add.)
    client.force_login(member("officer"))
    page = client.get(reverse("admin:movement_person_changelist")).content.decode()
    assert reverse("admin:movement_person_eligibility") in page


def test_the_list_is_for_staff_only(law, client):
    url = reverse("admin:movement_person_eligibility")
    assert client.get(url).status_code == 302


def test_a_persons_eligibility_is_shown_to_staff_only(law, client, person):
    give(person, TIEN_TIEN, 2020)
    initiative(person, Initiative.Level.GRASSROOTS, 2020)
    discipline(person, datetime.date(2020, 5, 1))
    url = person.get_absolute_url()
    assert "kỷ luật" not in client.get(url, {"year": 2020}).content.decode()
    client.force_login(member("viewer"))
    page = client.get(url, {"year": 2020}).content.decode()
    assert "CSTĐ cơ sở 2020: đang hoặc đã bị kỷ luật trong 2020" in page


def test_the_admin_person_page_shows_the_verdicts(law, client, person):
    client.force_login(member("viewer"))
    page = client.get(reverse("admin:movement_person_change", args=[person.pk]))
    assert "chưa rõ ngày vào ngành" in page.content.decode()


def test_the_unit_page_flags_a_quota_exceeded(law, client, department):
    people = [
        Person.objects.create(full_name=f"Người {n}", slug=f"nguoi-{n}", unit=department)
        for n in range(6)
    ]
    give(people[0], CO_SO, 2020)
    page = client.get(department.get_absolute_url(), {"year": 2020}).content.decode()
    assert "Nghị định 98/2023" in page and "2020: 1/6" in page
    assert "<strong>" in page.split('id="quota-title"')[1].split("</section>")[0]


# Revoked awards (khoản 2 Điều 93 Luật 06/2022/QH15) count for nothing: not in a run of years,
# not as a title already given, not in a unit's quota.


def revoke_all(key: tuple[str, str]) -> None:
    decision = Decision.objects.create(number="9/QĐ-BCA", date=datetime.date(2021, 3, 1))
    for award in Award.objects.filter(award_type=kind(key)):
        award.revoke(decision, "Khai man thành tích")


def test_a_revoked_title_is_no_year_of_a_run(law, person):
    give(person, CO_SO, 2018, 2019, 2020)
    initiative(person, Initiative.Level.PROVINCIAL, 2020)
    assert eligible(person, BO_2003, 2020)
    revoke_all(CO_SO)
    assert not eligible(person, BO_2003, 2020)


def test_a_revoked_medal_bars_it_no_more(law, person):
    person.entered_service_on = datetime.date(1980, 1, 1)
    person.save()
    give(person, VI_ANTQ, 2015)
    revoke_all(VI_ANTQ)
    assert eligible(person, VI_ANTQ, 2020)


def test_a_revoked_title_leaves_the_quota(law, department, division):
    people = [
        Person.objects.create(full_name=f"Người {n}", slug=f"nguoi-{n}", unit=division)
        for n in range(20)
    ]
    for one in people[:4]:
        give(one, CO_SO, 2020)
    assert quota_checks(department, 2020)[0].exceeded
    Award.objects.filter(recipient_person=people[3]).get().revoke(
        Decision.objects.create(number="9/QĐ-BCA", date=datetime.date(2021, 3, 1)), "Khai man"
    )
    (check,) = quota_checks(department, 2020)
    assert (check.awarded, check.exceeded) == (3, False)
