"""Eligibility (movement.eligibility, issue #15): each rule met exactly, missed by one year,
barred by a discipline, and silent outside its years; a unit over its quota; and the one-case
explanation (verdict) agreeing with the sector-wide query (qualifying) on generated people."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, target
from hypothesis import strategies as st
from openpyxl import load_workbook

from movement.eligibility import RULES, Quota, qualifying, quota_checks, verdict, verdicts
from movement.models import Award, AwardType, Decision, Person, Unit
from movement.models.service import (
    Discipline,
    Initiative,
    Inspection,
    PersonRating,
    Rating,
    UnitRating,
)
from tests.factories import member
from tests.spreadsheets import ROUND_TRIP

CO_SO = ("Chiến sĩ thi đua cơ sở", "")
TIEN_TIEN = ("Chiến sĩ tiên tiến", "")
LDTT = ("Lao động tiên tiến", "")
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


# The yearly titles of a person read the year's review: "hoàn thành tốt nhiệm vụ" at least.


def rate(person: Person, year: int, rating: str) -> None:
    PersonRating.objects.create(person=person, year=year, rating=rating)


@pytest.mark.parametrize("key", [TIEN_TIEN, LDTT])
@pytest.mark.parametrize("year", [2020, 2024])
def test_advanced_title_needs_the_year_rated_well(law, person, key, year):
    rate(person, year - 1, Rating.EXCELLENT)
    assert not eligible(person, key, year)  # a year short: the year before is not this year
    assert texts(person, key, year)[0].startswith(f"{key[0]} {year}: chưa có xếp loại năm {year}")
    rate(person, year, Rating.GOOD)
    assert eligible(person, key, year)
    PersonRating.objects.filter(year=year).update(rating=Rating.EXCELLENT)
    assert eligible(person, key, year)
    PersonRating.objects.filter(year=year).update(rating=Rating.COMPLETED)
    assert not eligible(person, key, year)
    assert "xếp loại năm" in texts(person, key, year)[0]
    wanted = "hoàn thành nhiệm vụ (cần hoàn thành tốt nhiệm vụ trở lên)"
    assert wanted in texts(person, key, year)[0]


def test_advanced_title_cites_each_law_in_its_years(law, person):
    rate(person, 2023, Rating.COMPLETED)
    rate(person, 2024, Rating.COMPLETED)
    assert texts(person, TIEN_TIEN, 2023)[0].endswith(
        "(Điều 24 Luật Thi đua, khen thưởng số 15/2003/QH11, khoản về Lao động tiên tiến)"
    )
    assert texts(person, TIEN_TIEN, 2024)[0].endswith(
        "(Luật Thi đua, khen thưởng số 06/2022/QH15 (chưa đối chiếu điều))"
    )
    assert verdict(person, kind(TIEN_TIEN), 2003).rule is None


def test_advanced_title_barred_by_a_discipline_and_not_given_twice(law, person):
    rate(person, 2020, Rating.GOOD)
    discipline(person, datetime.date(2020, 3, 1), datetime.date(2020, 4, 1))
    assert not eligible(person, TIEN_TIEN, 2020)
    Discipline.objects.all().delete()
    give(person, TIEN_TIEN, 2020)
    assert not eligible(person, TIEN_TIEN, 2020)


# Collectives (khoản 1, 2 Điều 28 Luật 2003): rated "hoàn thành tốt", over half its people
# Chiến sĩ (Lao động) tiên tiến, none disciplined from a warning up; 2004–2023 only.

DON_VI_TIEN_TIEN = ("Đơn vị tiên tiến", "")
TAP_THE_LDTT = ("Tập thể lao động tiên tiến", "")


def unit_eligible(unit: Unit, key: tuple[str, str], year: int) -> bool:
    found = verdict(unit, kind(key), year).eligible
    assert found == qualifying(kind(key), year).filter(pk=unit.pk).exists()
    return found


def unit_texts(unit: Unit, key: tuple[str, str], year: int) -> list[str]:
    return [str(reason) for reason in verdict(unit, kind(key), year).unmet]


def staff(unit: Unit, count: int) -> list[Person]:
    start = Person.objects.count()
    return [
        Person.objects.create(full_name=f"Người {n}", slug=f"nguoi-{n}", unit=unit)
        for n in range(start, start + count)
    ]


@pytest.mark.parametrize(("key", "members"), [(DON_VI_TIEN_TIEN, TIEN_TIEN), (TAP_THE_LDTT, LDTT)])
def test_a_unit_qualifies_with_over_half_its_people_advanced(
    law, department, division, key, members
):
    people = staff(department, 2) + staff(division, 2)  # the subtree's people count
    UnitRating.objects.create(unit=department, year=2020, rating=Rating.GOOD)
    for officer in people[:2]:
        give(officer, members, 2020)
    assert not unit_eligible(department, key, 2020)  # exactly half is not over half
    assert unit_texts(department, key, 2020) == [
        f"{key[0]} 2020: 2/4 người đạt {members[0]} năm 2020 (cần trên 50%) (Điều 28 Luật Thi"
        " đua, khen thưởng số 15/2003/QH11)"
    ]
    give(people[3], members, 2020)
    assert unit_eligible(department, key, 2020)
    # Another year's titles do not count.
    UnitRating.objects.create(unit=department, year=2021, rating=Rating.GOOD)
    for officer in people[:3]:
        give(officer, members, 2019)
    assert not unit_eligible(department, key, 2021)


def test_a_unit_needs_its_year_rated_well(law, department):
    people = staff(department, 2)
    for officer in people:
        give(officer, TIEN_TIEN, 2020)
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    assert "chưa có xếp loại năm 2020" in unit_texts(department, DON_VI_TIEN_TIEN, 2020)[0]
    UnitRating.objects.create(unit=department, year=2020, rating=Rating.COMPLETED)
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    UnitRating.objects.filter(unit=department).update(rating=Rating.EXCELLENT)
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2020)


def test_a_unit_with_a_person_warned_that_year_does_not_qualify(law, department, division):
    people = staff(division, 3)
    UnitRating.objects.create(unit=department, year=2020, rating=Rating.GOOD)
    for officer in people:
        give(officer, TIEN_TIEN, 2020)
    Discipline.objects.create(
        person=people[0], form=Discipline.Form.WARNING, since=datetime.date(2020, 6, 1)
    )
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    assert unit_texts(department, DON_VI_TIEN_TIEN, 2020) == [
        "Đơn vị tiên tiến 2020: 1 người bị kỷ luật từ cảnh cáo trở lên trong năm 2020 (Điều 28"
        " Luật Thi đua, khen thưởng số 15/2003/QH11)"
    ]
    # A reprimand (khiển trách) is below a warning; a warning over before the year bars nothing.
    Discipline.objects.update(form=Discipline.Form.REPRIMAND)
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    Discipline.objects.update(
        form=Discipline.Form.WARNING,
        since=datetime.date(2019, 1, 1),
        until=datetime.date(2019, 12, 31),
    )
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2020)


def test_a_unit_title_is_not_given_twice_for_one_year(law, department):
    staff_ready(department, 2020)
    Award.objects.create(award_type=kind(DON_VI_TIEN_TIEN), year=2020, recipient_unit=department)
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    given = Award.objects.get(recipient_unit=department)
    assert verdict(department, kind(DON_VI_TIEN_TIEN), 2020, ignoring=given).eligible


def staff_ready(unit: Unit, *years: int) -> None:
    people = staff(unit, 2)
    for year in years:
        UnitRating.objects.create(unit=unit, year=year, rating=Rating.GOOD)
        for officer in people:
            give(officer, TIEN_TIEN, year)


def test_unit_rules_hold_under_the_2003_law_only(law, department):
    staff_ready(department, 2023, 2024)
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2023)
    found = verdict(department, kind(DON_VI_TIEN_TIEN), 2024)
    assert found.rule is None and "chưa có quy tắc" in found.reasons[0].text
    assert not qualifying(kind(DON_VI_TIEN_TIEN), 2024).exists()
    assert verdict(department, kind(DON_VI_TIEN_TIEN), 2003).rule is None


def test_a_unit_is_not_judged_by_a_persons_rule_nor_the_reverse(law, department, person):
    assert verdict(department, kind(CO_SO), 2020).rule is None
    assert verdict(person, kind(DON_VI_TIEN_TIEN), 2020).rule is None
    assert {v.rule.key for v in verdicts(department, 2020)} == {
        "don-vi-tien-tien-2003",
        "tap-the-ldtt-2003",
    }
    assert verdicts(department, 2024) == []


def test_qualifying_units_within_a_subtree_in_one_query(
    law, department, division, django_assert_num_queries
):
    staff_ready(division, 2020)
    award_type = kind(DON_VI_TIEN_TIEN)
    with django_assert_num_queries(1):
        assert list(qualifying(award_type, 2020, within=department)) == [division]
    other = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DEPARTMENT)
    assert not qualifying(award_type, 2020, within=other).exists()


def test_a_units_verdict_costs_three_queries(law, department, django_assert_num_queries):
    award_type = kind(DON_VI_TIEN_TIEN)
    with django_assert_num_queries(3):
        verdict(department, award_type, 2020)
    with django_assert_num_queries(4):
        verdicts(department, 2020)


# The quota of CSTĐ cơ sở: 15% of those rated Chiến sĩ (Lao động) tiên tiến that year (khoản 3
# Điều 9 NĐ 91/2017), not of the headcount.


def test_a_unit_over_its_quota_of_grassroots_titles_is_flagged(law, department, division):
    people = staff(division, 30)
    for officer in people[:20]:
        give(officer, TIEN_TIEN, 2020)
    give(people[20], LDTT, 2020)
    give(people[21], TIEN_TIEN, 2019)  # another year's title: not in the base
    for officer in people[:3]:
        give(officer, CO_SO, 2020)
    (check,) = quota_checks(department, 2020)
    assert (check.awarded, check.base, check.limit, check.exceeded) == (3, 21, 3, False)
    give(people[3], CO_SO, 2020)
    (check,) = quota_checks(department, 2020)
    assert check.exceeded
    assert "15%" in str(check) and "khoản 3 Điều 9 Nghị định 91/2017" in str(check)
    assert "4/21 người đạt Chiến sĩ tiên tiến" in str(check)
    # The unit's own subtree only.
    other = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DEPARTMENT)
    assert quota_checks(other, 2020)[0].awarded == 0


def test_a_quota_of_the_headcount_when_it_names_no_titles(law, department, settings):
    settings.ELIGIBILITY_QUOTAS = [Quota(CO_SO, 0.5, "thử")]
    people = staff(department, 4)
    give(people[0], CO_SO, 2020)
    (check,) = quota_checks(department, 2020)
    assert (check.base, check.limit) == (4, 2)


def test_every_rule_finds_its_award_type_in_the_catalogue(law):
    for rule in RULES:
        assert rule.award_type().natural_key() == rule.type_key
        assert rule.citation(rule.award_type())


def test_verdicts_cover_every_rule_in_force(law, person):
    found = {v.rule.key for v in verdicts(person, 2020)}
    assert found == {rule.key for rule in RULES if rule.in_force_in(2020) and not rule.for_units}
    assert "chien-si-tien-tien-2003" in found and "cstd-bo-2022" not in found


# Query counts: a verdict is a handful of small queries; the sector is one.


def test_a_verdict_costs_four_queries(law, person, django_assert_num_queries):
    # Awards, initiatives, disciplines with inspections (one union), and the ratings, read only
    # for a rule that reads them.
    ministry, advanced = kind(BO_2003), kind(TIEN_TIEN)
    with django_assert_num_queries(3):
        verdict(person, ministry, 2019)
    with django_assert_num_queries(4):
        verdict(person, advanced, 2019)
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
TYPES = [TIEN_TIEN, TIEN_TIEN, LDTT, CO_SO, CO_SO, CO_SO, BO_2003, BO_2022, CAND, TOAN_QUOC, KNC]
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
        "disciplines": st.lists(
            st.tuples(st.sampled_from(Discipline.Form.values), PERIOD), max_size=1
        ),
        "inspections": st.lists(PERIOD, max_size=1),
        "ratings": st.dictionaries(YEARS, st.sampled_from(Rating.values), max_size=4),
        # Which of the two units: the department or the division under it.
        "below": st.booleans(),
    }
)


def until(since: datetime.date | None, days: int | None) -> datetime.date | None:
    return None if since is None or days is None else since + datetime.timedelta(days=days)


@ROUND_TRIP
@given(
    population=st.lists(PERSON, min_size=1, max_size=5),
    year=st.integers(2017, 2024),
    unit_ratings=st.dictionaries(st.booleans(), st.sampled_from(Rating.values)),
)
def test_verdict_and_qualifying_agree(law, department, division, population, year, unit_ratings):
    with transaction.atomic():
        units = {False: department, True: division}
        for below, rating in unit_ratings.items():
            UnitRating.objects.create(unit=units[below], year=year, rating=rating)
        for n, facts in enumerate(population):
            person = Person.objects.create(
                full_name=f"Người {n}",
                slug=f"nguoi-{n}",
                unit=units[facts["below"]],
                entered_service_on=facts["entered"],
            )
            for rating_year, rating in facts["ratings"].items():
                rate(person, rating_year, rating)
            for key, award_year in facts["awards"]:
                give(person, key, award_year)
            for level, initiative_year in facts["initiatives"]:
                initiative(person, level, initiative_year)
            for form, (since, days) in facts["disciplines"]:
                Discipline.objects.create(
                    person=person, form=form, since=since, until=until(since, days)
                )
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
            subjects = list(units.values()) if rule.for_units else people
            expected = {s.pk for s in subjects if verdict(s, award_type, year).eligible}
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
    for officer in people:
        give(officer, TIEN_TIEN, 2020)
    page = client.get(department.get_absolute_url(), {"year": 2020}).content.decode()
    assert "Nghị định 91/2017" in page and "2020: 1/6 người đạt Chiến sĩ tiên tiến" in page
    assert "<strong>" in page.split('id="quota-title"')[1].split("</section>")[0]


def test_the_unit_page_shows_its_verdicts_to_staff_only(law, client, department):
    people = staff(department, 2)
    Discipline.objects.create(
        person=people[0], form=Discipline.Form.WARNING, since=datetime.date(2020, 6, 1)
    )
    url = department.get_absolute_url()
    assert "bị kỷ luật" not in client.get(url, {"year": 2020}).content.decode()
    client.force_login(member("viewer"))
    page = client.get(url, {"year": 2020}).content.decode()
    assert "Đơn vị tiên tiến 2020: 1 người bị kỷ luật từ cảnh cáo trở lên trong năm 2020" in page


def test_the_staff_list_offers_the_titles_of_people_only(law, client):
    client.force_login(member("viewer"))
    page = client.get(reverse("admin:movement_person_eligibility")).content.decode()
    assert "Chiến sĩ thi đua cơ sở</option>" in page
    assert "Đơn vị tiên tiến</option>" not in page


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


def test_a_revoked_title_leaves_the_quota_and_its_base(law, department, division):
    people = staff(division, 21)
    for officer in people[:20]:
        give(officer, TIEN_TIEN, 2020)
    for one in people[:4]:
        give(one, CO_SO, 2020)
    assert quota_checks(department, 2020)[0].exceeded
    decision = Decision.objects.create(number="9/QĐ-BCA", date=datetime.date(2021, 3, 1))
    Award.objects.get(recipient_person=people[3], award_type=kind(CO_SO)).revoke(
        decision, "Khai man"
    )
    (check,) = quota_checks(department, 2020)
    assert (check.awarded, check.base, check.exceeded) == (3, 20, False)
    # A revoked Chiến sĩ tiên tiến leaves the base the 15% is taken of.
    Award.objects.get(recipient_person=people[19], award_type=kind(TIEN_TIEN)).revoke(
        decision, "Khai man"
    )
    (check,) = quota_checks(department, 2020)
    assert check.base == 19


def test_revoked_awards_count_for_nothing_in_a_units_title(law, department):
    staff_ready(department, 2020)
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    decision = Decision.objects.create(number="9/QĐ-BCA", date=datetime.date(2021, 3, 1))
    # Its people's titles revoked: no longer over half of them.
    Award.objects.filter(award_type=kind(TIEN_TIEN)).first().revoke(decision, "Khai man")
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    # The unit's own title revoked is a title no longer given.
    Award.objects.filter(award_type=kind(TIEN_TIEN)).update(
        revoked_on=None, revoked_by=None, revocation_reason=""
    )
    title = Award.objects.create(
        award_type=kind(DON_VI_TIEN_TIEN), year=2020, recipient_unit=department
    )
    assert not unit_eligible(department, DON_VI_TIEN_TIEN, 2020)
    title.revoke(decision, "Khai man")
    assert unit_eligible(department, DON_VI_TIEN_TIEN, 2020)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, read in words")
def test_a_quota_check_counts_the_units_people_from_an_index_alone(law, department):
    # A province's headcount read each of its people from the table: 120 ms of a 270 ms page at
    # ten million awards (#18).
    staff(department, 3)
    with CaptureQueriesContext(connection) as captured:
        quota_checks(department, 2020)
    (counted,) = [query["sql"] for query in captured if '"headcount"' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {counted}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("COVERING INDEX person_unit_id_idx" in step for step in plan), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, read in words")
def test_the_sector_reads_the_awards_in_force_from_an_index_alone(law):
    # A revoked award must not count, and the check must not cost a read of the award table
    # per title (0.018 × the per-person loop at a million awards became 0.047 without it).
    sql, params = qualifying(kind(CAND), 2025).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("COVERING INDEX award_person_in_force_idx" in step for step in plan), plan
