"""Every fact of the report reachable from the public pages, and every inference marked where
people read it: the unit tree, the people, who presented what, the award filter's units, the
"suy luận" badge and "chưa có nguồn", the year page's honoured, search by abbreviation.

Read on the report's own records (fixtures/report.json), in Vietnamese, the language the pages
speak by default.
"""

import csv
import io
import re

import pytest
from django.core.management import call_command

from movement import list_filters, views
from movement.models import Award, AwardType, Person, Unit
from tests.test_views import get, page_problems

CUC = "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"


@pytest.fixture
def report(db) -> None:
    call_command("load_report", verbosity=0)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    html = response.content.decode()
    assert page_problems(html) == [], url
    return html


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


# -- Units and people -----------------------------------------------------------------------


def test_the_units_page_shows_the_whole_tree_each_level_below_the_top_folded(client, report):
    html = page(client, "/units/")
    # The divisions, three levels below the ministry, are on the page (they were not).
    for name in ("Bộ Công an", "Tổng cục Chính trị Công an nhân dân", CUC, "Phòng Tham mưu"):
        assert f">{name}</a>" in html
    # Folded in <details>, which open without a script: the top level open, the rest closed.
    assert html.count('<details class="unit-tree__below" open>') == 1
    assert html.count('<details class="unit-tree__below">') == 2
    assert "2 đơn vị trực thuộc" in html
    assert "<script" not in html.split("<main")[1]


def test_the_central_police_party_committee_is_in_the_sectors_tree_not_outside_it(client, report):
    html = page(client, "/units/")
    outside = section(html, "external-title")
    assert "Đảng ủy Công an Trung ương" not in outside
    assert "Ban Dân vận Trung ương" in outside
    assert "Tổ chức Đảng trong ngành công an" in html
    unit_page = page(client, "/units/dang-uy-cong-an-tw/")
    assert "ngoài ngành" not in unit_page.split("<h1")[0]


def test_the_units_page_finds_a_unit_by_its_abbreviation(client, report):
    response = get(client, "/units/?q=xdpt")
    assert [unit.slug for unit in response.context["found"]] == ["cuc-xdpt"]


def test_the_people_page_lists_everyone_and_finds_them_without_diacritics(client, report):
    html = page(client, "/people/")
    listed = re.findall(r'<td><a href="/people/([a-z0-9-]+)/">', html)
    assert sorted(listed) == sorted(Person.objects.values_list("slug", flat=True))
    assert "Không có ai khớp" in page(client, "/people/?q=khong+ai")
    # get() reads the page in English from here on.
    response = get(client, "/people/?q=nguyen+van+chi")
    assert [person.slug for person in response.context["object_list"]] == ["nguyen-van-chi"]
    assert 'href="/people/"' in page(client, "/")  # in the main menu


def test_who_presented_an_award_is_shown_on_its_row_and_reachable(client, report):
    html = page(client, "/awards/")
    row = next(row for row in html.split("<tr>")[1:] if "Đơn vị Quyết thắng" in row)
    assert 'người trao: <a href="/people/nguyen-van-chi/">Đại tá Nguyễn Văn Chi</a>' in row


def test_a_persons_page_shows_what_they_presented_and_the_events_they_took_part_in(client, report):
    chi = page(client, "/people/nguyen-van-chi/")
    presented = section(chi, "presented-title")
    assert "Đơn vị Quyết thắng" in presented
    assert "3 tập thể" in presented
    assert "Hội nghị triển khai công tác năm 2017" in presented
    khao = page(client, "/people/nguyen-van-khao/")
    events = section(khao, "events-title")
    assert "chủ trì Hội nghị" in events
    assert "Cờ thi đua xuất sắc của Bộ Công an" in section(khao, "presented-title")


def test_a_persons_page_lists_the_newest_awards_they_presented_and_says_so(
    client, report, monkeypatch
):
    monkeypatch.setattr(views, "PERSON_PRESENTED", 1)
    chi = Person.objects.get(slug="nguyen-van-chi")
    Award.objects.filter(recipient_unit__slug="phong-tham-muu").update(presented_by=chi)
    presented = section(page(client, "/people/nguyen-van-chi/"), "presented-title")
    assert presented.count("<tr>") == 2  # the header and one award
    assert "Chỉ hiện 1 lần trao gần nhất." in presented


# -- The award filter -----------------------------------------------------------------------


def test_the_award_filter_offers_every_unit_of_the_tree(client, report):
    response = get(client, "/awards/")
    options = dict(response.context["filter"].form.fields["unit"].widget.choices)
    assert "phong-tham-muu" in options
    assert options["phong-tham-muu"] == "— — — Phòng Tham mưu"
    picked = get(client, "/awards/?unit=phong-tham-muu")
    assert [award.recipient_unit.slug for award in picked.context["object_list"]] == [
        "phong-tham-muu"
    ]


def test_past_a_large_tree_the_award_filter_offers_the_top_and_the_unit_asked_for(
    client, report, monkeypatch
):
    monkeypatch.setattr(list_filters.UnitTreeChoices, "whole_tree", 3)
    response = get(client, "/awards/?unit=phong-tham-muu")
    options = [
        str(code) for code, _label in response.context["filter"].form.fields["unit"].widget.choices
    ]
    assert options == [
        "",
        "bo-cong-an",
        "tong-cuc-chinh-tri-cand",
        "phong-tham-muu",
        "van-phong-bo-cong-an",
        "dang-uy-cong-an-tw",
    ]


# -- Inferences and sources -----------------------------------------------------------------


def badges(html: str) -> list[str]:
    """The reasons the page's "suy luận" badges open on."""
    return re.findall(
        r'<details class="inferred-badge"><summary><span class="tag tag--inferred">suy luận'
        r"</span>.*?</summary><p>(.*?)</p></details>",
        html,
        flags=re.DOTALL,
    )


@pytest.mark.parametrize("url", ["/", "/awards/", "/years/2016/", "/campaigns/thi-dua-2016/"])
def test_every_list_of_awards_marks_the_inferred_ones_with_the_reason(client, report, url):
    html = page(client, url)
    reasons = badges(html)
    assert reasons
    assert any("Năm thi đua 2016 suy từ câu" in reason for reason in reasons)


@pytest.fixture
def plain_award(report) -> Award:
    """An award entered in the admin, stated outright and without a source."""
    award_type = AwardType.objects.create(
        name="Giấy khen của Cục trưởng", category="certificate", for_collectives=True
    )
    return Award.objects.create(
        award_type=award_type, year=2016, recipient_unit=Unit.objects.get(slug="bo-cong-an")
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/units/", "suy ra từ ngữ cảnh"),  # the divisions under the Cục
        ("/campaigns/", "Báo cáo không nêu năm bắt đầu của phong trào."),
        ("/", "Báo cáo cũng không nói ai phát động."),
    ],
)
def test_lists_of_units_and_campaigns_mark_the_inferred_ones_too(client, report, url, reason):
    assert any(reason in shown for shown in badges(page(client, url)))


def test_an_award_stated_outright_carries_no_badge(client, plain_award):
    Award.objects.exclude(pk=plain_award.pk).delete()
    assert badges(page(client, "/awards/")) == []


def test_an_award_without_a_source_says_so_where_a_sourced_one_shows_its_note(client, plain_award):
    html = page(client, "/awards/?year=2016")
    rows = html.split("<tr>")[1:]
    unsourced = [row for row in rows if "Giấy khen của Cục trưởng" in row]
    assert len(unsourced) == 1
    assert '<span class="no-source">chưa có nguồn</span>' in unsourced[0]
    sourced = [row for row in rows if "Đơn vị Quyết thắng" in row]
    assert '<sup class="cite">' in sourced[0]
    assert "chưa có nguồn" not in sourced[0]


def test_the_public_export_has_a_column_with_the_reason_of_each_inference(client, report):
    response = client.get("/awards/export.csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    notes = [row["Suy luận"] for row in rows]
    assert any("Năm thi đua 2016 suy từ câu" in note for note in notes)


# -- The year page --------------------------------------------------------------------------


def test_the_year_page_lists_who_was_honoured_by_type_linking_to_the_filtered_list(client, report):
    html = page(client, "/years/2016/")
    honoured = html.split('id="honoured-title"')[1].split('id="tasks-title"')[0]
    quyet_thang = AwardType.objects.get(name="Đơn vị Quyết thắng")
    assert "Đơn vị Quyết thắng" in honoured
    assert "Phòng Tham mưu" in honoured
    assert f'href="/awards/?year=2016&amp;award_type={quyet_thang.pk}"' in honoured


def test_the_year_page_does_not_say_a_campaign_was_launched_when_the_source_does_not(
    client, report
):
    html = page(client, "/years/2016/")
    campaigns = section(html, "campaigns-title")
    assert "Phong trào thi đua năm 2016" in campaigns
    assert "phát động" not in campaigns
    assert "phát động" not in html.split('class="stats"')[1].split("</ul>")[0]
    launched = section(page(client, "/years/2017/"), "campaigns-title")
    assert "do Cục XDPT toàn dân bảo vệ ANTQ phát động tại Hội nghị triển khai" in launched


# -- Search ---------------------------------------------------------------------------------


def test_the_home_pages_search_example_finds_a_campaign(client, report):
    html = page(client, "/")
    example = re.search(r'id="home-q"[^>]*placeholder="ví dụ: ([^"]+)"', html).group(1)
    response = get(client, f"/campaigns/?q={example}")
    assert [c.slug for c in response.context["object_list"]] == ["vi-antq-2017"]


def test_an_abbreviation_finds_the_campaigns_that_write_it_out_and_those_that_abbreviate(
    client, report
):
    response = get(client, "/campaigns/?q=antq")
    assert {c.slug for c in response.context["object_list"]} == {
        "toan-dan-bao-ve-antq",
        "vi-antq-2017",
    }
    # Initials no run of words begins with abbreviate nothing.
    assert not get(client, "/campaigns/?q=antz").context["object_list"]
    # Nor do the initials of a run typed out, but other words: "vi an ninh to" is not "ve an…".
    assert [c.slug for c in get(client, "/campaigns/?q=vi+an+ninh+to").context["object_list"]] == [
        "vi-antq-2017"
    ]
