"""The catalogue of the legal texts (fixtures/law.json, manage.py load_law) and the award types'
dates in force and citations.

The fixture is held to the project's rule on data: every type it ships cites a legal text and
an article, or says in its record that the article could not be confirmed; none of it comes
from the conference report, and loading it never rewrites what the report says.
"""

import datetime
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from movement.admin.filters import InForceOnFilter
from movement.models import Award, AwardType, Source
from tests.factories import in_english

LAW_FILE = settings.BASE_DIR / "fixtures" / "law.json"
REPORT_SLUG = "bao-cao-hoi-nghi-2017"
LAW_2003 = "luat-15-2003-qh11"
LAW_2022 = "luat-06-2022-qh15"
NOT_CONFIRMED = "CHƯA ĐỐI CHIẾU"


def law_entries(model: str) -> list[dict]:
    entries = json.loads(LAW_FILE.read_text(encoding="utf-8"))
    return [entry["fields"] for entry in entries if entry["model"] == f"movement.{model}"]


def load_law(*args: str) -> str:
    out = StringIO()
    call_command("load_law", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def law(db) -> None:
    load_law()


@pytest.fixture
def report(db) -> Source:
    call_command("load_report", stdout=StringIO())
    return Source.objects.get(slug=REPORT_SLUG)


# The fixture, as written


def test_every_text_of_the_fixture_is_a_legal_text():
    sources = law_entries("source")
    assert sources
    assert {source["kind"] for source in sources} == {Source.Kind.LAW}
    # Each says where it was read and what of it could not be confirmed.
    assert all(source["note"].strip() for source in sources)


@pytest.mark.parametrize(
    "entry", law_entries("awardtype"), ids=lambda entry: f"{entry['name']} {entry['award_class']}"
)
def test_every_type_cites_a_legal_text_and_an_article_or_says_it_could_not(entry):
    texts = {source["slug"] for source in law_entries("source")}
    [cited] = entry["legal_source"]
    assert cited in texts
    assert entry["source"] == entry["legal_source"], "a law type's source is the text it cites"
    if entry["article_confirmed"]:
        assert entry["legal_article"].strip()
        assert NOT_CONFIRMED not in entry["citation_note"]
    else:
        assert entry["citation_note"].startswith(NOT_CONFIRMED)
    # Where the article was read is part of every citation.
    assert "http" in entry["citation_note"] or NOT_CONFIRMED in entry["citation_note"]


def test_no_record_of_the_law_points_to_the_report():
    assert REPORT_SLUG not in LAW_FILE.read_text(encoding="utf-8")
    report_slugs = {
        entry["fields"]["slug"]
        for entry in json.loads((settings.BASE_DIR / "fixtures" / "report.json").read_text())
        if entry["model"] == "movement.source"
    }
    assert not report_slugs & {source["slug"] for source in law_entries("source")}


def test_the_fixture_refers_by_natural_keys_only():
    for entry in json.loads(LAW_FILE.read_text(encoding="utf-8")):
        assert "pk" not in entry


def test_names_and_classes_are_unique_in_the_fixture():
    keys = [(entry["name"], entry["award_class"]) for entry in law_entries("awardtype")]
    assert len(keys) == len(set(keys))


# Loaded


def test_every_loaded_type_passes_the_models_rules(law):
    types = AwardType.objects.filter(source__kind=Source.Kind.LAW)
    assert types.count() == len(law_entries("awardtype"))
    for award_type in types:
        award_type.full_clean()


def test_a_title_renamed_by_the_2022_law_ends_with_the_old_law_and_starts_with_the_new(law):
    old = AwardType.objects.get(name="Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương")
    new = AwardType.objects.get(name="Chiến sĩ thi đua Bộ, ban, ngành, tỉnh")
    assert old.legal_source.slug == LAW_2003
    assert new.legal_source.slug == LAW_2022
    assert old.valid_until == datetime.date(2023, 12, 31)
    assert new.valid_from == datetime.date(2024, 1, 1)
    in_2016 = AwardType.objects.in_force_in(2016)
    assert old in in_2016 and new not in in_2016
    on_new_years_day = AwardType.objects.in_force_on(datetime.date(2024, 1, 1))
    assert new in on_new_years_day and old not in on_new_years_day


def test_the_issues_titles_of_the_ministry_are_in_the_catalogue(law):
    names = set(AwardType.objects.values_list("name", flat=True))
    for name in [
        "Chiến sĩ tiên tiến",
        "Chiến sĩ thi đua cơ sở",
        "Chiến sĩ thi đua toàn lực lượng Công an nhân dân",
        "Đơn vị tiên tiến",
        "Đơn vị Quyết thắng",
        "Cờ thi đua của Bộ Công an",
        "Bằng khen của Bộ trưởng Bộ Công an",
        "Giấy khen",
        "Huy chương Vì an ninh Tổ quốc",
        "Huy chương Chiến sĩ vẻ vang",
        "Kỷ niệm chương “Bảo vệ an ninh Tổ quốc”",
    ]:
        assert name in names
    assert set(
        AwardType.objects.filter(name="Huy chương Chiến sĩ vẻ vang").values_list(
            "award_class", flat=True
        )
    ) == {"1", "2", "3"}


def test_a_second_load_changes_nothing(law):
    before = list(AwardType.objects.order_by("pk").values())
    sources = list(Source.objects.order_by("pk").values())
    out = load_law()
    assert "nạp 0 bản ghi" in out
    assert list(AwardType.objects.order_by("pk").values()) == before
    assert list(Source.objects.order_by("pk").values()) == sources


def test_a_later_edit_by_staff_is_kept_unless_forced(law):
    medal = AwardType.objects.get(name="Huy chương Vì an ninh Tổ quốc")
    medal.citation_note = "Đã đối chiếu lại trên Công báo."
    medal.save()
    load_law()
    medal.refresh_from_db()
    assert medal.citation_note == "Đã đối chiếu lại trên Công báo."
    load_law("--force")
    medal.refresh_from_db()
    assert medal.citation_note != "Đã đối chiếu lại trên Công báo."


# Where the report and the law name the same type


def test_the_reports_order_keeps_its_facts_and_gains_only_the_confirmed_citation(report):
    order = AwardType.objects.get(name="Huân chương Bảo vệ Tổ quốc", award_class="3")
    facts = (order.source_id, order.source_quote, order.inference_note, order.conferred_by)
    load_law()
    order.refresh_from_db()
    assert (order.source_id, order.source_quote, order.inference_note, order.conferred_by) == facts
    assert order.source.slug == REPORT_SLUG
    assert order.legal_source.slug == LAW_2022
    assert order.legal_article == "khoản 2 Điều 33"
    assert order.article_confirmed


def test_the_reports_title_is_not_cited_to_an_article_nobody_confirmed(report):
    title = AwardType.objects.get(name="Đơn vị Quyết thắng")
    out = load_law()
    title.refresh_from_db()
    assert title.legal_source is None and title.legal_article == ""
    assert title.source.slug == REPORT_SLUG
    assert "Giữ nguyên “Đơn vị Quyết thắng”" in out


def test_the_reports_flags_stay_apart_from_the_laws_flag(report):
    load_law()
    ministry_flags = AwardType.objects.filter(name__contains="của Bộ Công an", category="flag")
    assert {flag.source.kind for flag in ministry_flags} == {Source.Kind.REPORT, Source.Kind.LAW}


def test_the_report_and_the_law_load_together_without_duplicates(report):
    load_law()
    report_types = AwardType.objects.filter(source=report).count()
    law_types = AwardType.objects.filter(source__kind=Source.Kind.LAW).count()
    shared = 2  # the order and "Đơn vị Quyết thắng": the report's records
    assert report_types == 4
    assert law_types == len(law_entries("awardtype")) - shared


# The model


def test_an_article_of_a_source_that_is_no_law_is_refused(report):
    award_type = AwardType(
        name="Giấy khen của Cục",
        category=AwardType.Category.CERTIFICATE,
        for_collectives=True,
        legal_source=report,
        legal_article="Điều 1",
    )
    with pytest.raises(ValidationError) as refused:
        award_type.full_clean()
    assert "legal_source" in refused.value.message_dict


def test_the_citation_reads_article_then_text(law):
    medal = AwardType.objects.get(name="Huy chương Vì an ninh Tổ quốc")
    assert medal.legal_citation == "Điều 56, Luật Thi đua, khen thưởng số 06/2022/QH15"
    assert AwardType(name="x").legal_citation == ""


def test_a_type_is_in_force_on_its_first_and_last_day_and_not_around_them(db):
    award_type = AwardType.objects.create(
        name="Cờ thi đua cấp bộ",
        category=AwardType.Category.FLAG,
        for_collectives=True,
        valid_from=datetime.date(2004, 7, 1),
        valid_until=datetime.date(2023, 12, 31),
    )
    in_force = AwardType.objects.in_force_on
    assert award_type in in_force(datetime.date(2004, 7, 1))
    assert award_type in in_force(datetime.date(2023, 12, 31))
    assert award_type not in in_force(datetime.date(2004, 6, 30))
    assert award_type not in in_force(datetime.date(2024, 1, 1))
    # An emulation year counts if the type was in force on any of its days.
    assert award_type in AwardType.objects.in_force_in(2004)
    assert award_type not in AwardType.objects.in_force_in(2024)


dates = st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))


@pytest.mark.django_db
@given(start=st.none() | dates, end=st.none() | dates, day=dates)
def test_the_query_and_the_record_agree_on_what_is_in_force(start, end, day):
    if start and end and end < start:
        start, end = end, start
    AwardType.objects.all().delete()
    award_type = AwardType.objects.create(
        name="Giấy khen",
        category=AwardType.Category.CERTIFICATE,
        for_individuals=True,
        valid_from=start,
        valid_until=end,
    )
    assert (award_type in AwardType.objects.in_force_on(day)) == award_type.in_force_on(day)
    year = day.year
    assert (award_type in AwardType.objects.in_force_in(year)) == award_type.in_force_in(year)


# The admin


def changelist(client, **params) -> list:
    response = client.get(reverse("admin:movement_awardtype_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_admin_lists_the_types_of_one_legal_text(admin_client, law):
    text = Source.objects.get(slug=LAW_2003)
    listed = changelist(admin_client, legal_source__id__exact=text.pk)
    assert listed
    assert {award_type.legal_source_id for award_type in listed} == {text.pk}


def test_the_admin_lists_the_types_in_force_on_a_day(admin_client, law):
    listed = changelist(admin_client, in_force_on="2016-06-30")
    names = {award_type.name for award_type in listed}
    assert "Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương" in names
    assert "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh" not in names


def test_the_admin_offers_the_days_the_catalogue_changes(admin_client, law):
    response = admin_client.get(reverse("admin:movement_awardtype_changelist"))
    assert "?in_force_on=2024-01-01" in response.content.decode()
    assert "?in_force_on=2023-12-31" in response.content.decode()


def test_a_day_that_is_no_date_is_a_wrong_parameter_not_an_error(admin_client, law):
    response = admin_client.get(
        reverse("admin:movement_awardtype_changelist"), {"in_force_on": "hôm qua"}
    )
    assert response.status_code == 302
    assert "e=1" in response.url


def test_the_admin_shows_the_article_linked_to_its_text_and_says_when_unconfirmed(
    admin_client, law
):
    in_english(admin_client)
    page = admin_client.get(reverse("admin:movement_awardtype_changelist")).content.decode()
    text = Source.objects.get(slug=LAW_2022)
    assert reverse("admin:movement_source_change", args=[text.pk]) in page
    assert "Điều 56, Luật Thi đua, khen thưởng số 06/2022/QH15" in page
    assert "(article not confirmed)" in page


# The public pages


def test_a_campaign_page_cites_the_article_under_the_types_heading(client, campaign, department):
    AwardType.objects.all().delete()
    law = Source.objects.create(slug=LAW_2022, kind=Source.Kind.LAW, title="Luật 06/2022/QH15")
    medal = AwardType.objects.create(
        name="Huân chương Chiến công",
        award_class="3",
        category=AwardType.Category.ORDER,
        for_collectives=True,
        legal_source=law,
        legal_article="khoản 2 Điều 33",
        article_confirmed=True,
    )
    Award.objects.create(award_type=medal, year=2017, recipient_unit=department, campaign=campaign)
    in_english(client)
    page = client.get(reverse("movement:campaign_detail", args=[campaign.slug])).content.decode()
    assert "Legal basis: khoản 2 Điều 33, Luật 06/2022/QH15" in page
    assert "(article not confirmed)" not in page


@pytest.mark.parametrize(
    ("title", "cited_as"),
    [
        ("Thông tư 35/2015/TT-BCA quy định chi tiết mẫu hiện vật", "Thông tư 35/2015/TT-BCA"),
        ("Nghị định 98/2023/NĐ-CP quy định chi tiết", "Nghị định 98/2023/NĐ-CP"),
        ("Luật Thi đua, khen thưởng số 06/2022/QH15", "Luật Thi đua, khen thưởng số 06/2022/QH15"),
        ("Hội nghị triển khai công tác năm 2017", "Hội nghị triển khai công tác năm 2017"),
    ],
)
def test_a_legal_text_is_cited_by_its_number_not_its_whole_title(title, cited_as):
    assert Source(title=title).cited_as == cited_as


def test_a_day_given_in_the_address_shows_as_the_chosen_one(admin_client, law):
    response = admin_client.get(
        reverse("admin:movement_awardtype_changelist"), {"in_force_on": "2016-06-30"}
    )
    [spec] = [f for f in response.context["cl"].filter_specs if isinstance(f, InForceOnFilter)]
    [chosen] = [c for c in spec.choices(response.context["cl"]) if c["selected"]]
    assert "in_force_on=2016-06-30" in chosen["query_string"]
