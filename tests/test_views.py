"""The public pages, read the way staff and leaders read them: through HTTP, in English.

Requests ask for English (the language cookie) so that the assertions read the English msgids
and keep passing once the Vietnamese translations are written; one test checks that Vietnamese
is the default.
"""

import csv
import datetime
import io
import time
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urlencode

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import server_error

from movement import views
from movement.charts import bar_chart, shorten
from movement.models import (
    Award,
    AwardType,
    Campaign,
    Decision,
    Event,
    Person,
    Rank,
    Source,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)
from movement.search import award_text_contains
from movement.spreadsheets.exports import public_columns
from movement.spreadsheets.resources import AwardResource
from tests.factories import NAMESAKE_SEARCHES, in_english, make_namesakes, member

# -- Helpers --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
LABELLED = {"input", "select", "textarea"}


class PageChecker(HTMLParser):
    """Finds what makes a page invalid or hard to use: unbalanced tags, duplicate ids, more or
    fewer than one h1, form controls no label names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.label_targets: set[str] = set()
        self.controls: list[dict] = []
        self.h1_count = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "h1":
            self.h1_count += 1
        if tag == "label" and "for" in attributes:
            self.label_targets.add(attributes["for"])
        if tag in LABELLED and attributes.get("type") not in {"hidden", "submit", "button"}:
            self.controls.append(attributes)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"</{tag}> closes a void element")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def problems(self) -> list[str]:
        problems = list(self.errors)
        if self.stack:
            problems.append(f"never closed: {self.stack}")
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            problems.append(f"duplicate ids: {sorted(duplicates)}")
        if self.h1_count != 1:
            problems.append(f"{self.h1_count} h1 elements")
        for control in self.controls:
            if control.get("id") not in self.label_targets and not control.get("aria-label"):
                problems.append(f"unlabelled control: {control}")
        return problems


def page_problems(html: str) -> list[str]:
    checker = PageChecker()
    checker.feed(html)
    checker.close()
    return checker.problems()


def get(client, url: str, status: int = 200, **headers):
    response = in_english(client).get(url, **headers)
    assert response.status_code == status, response.content[:500]
    return response


def text_of(response) -> str:
    return response.content.decode()


def body_of(response) -> bytes:
    """A download's bytes, whether it was streamed or sent whole."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    return len(captured.captured_queries)


# -- Data -----------------------------------------------------------------------------------


@pytest.fixture
def report(db) -> Source:
    return Source.objects.create(
        slug="bao-cao-2017", title="Báo cáo Hội nghị triển khai công tác năm 2017"
    )


@pytest.fixture
def individual_type(db) -> AwardType:
    return AwardType.objects.create(
        name="Chiến sĩ thi đua cơ sở",
        category=AwardType.Category.TITLE,
        conferred_by=AwardType.Conferrer.UNIT_HEAD,
        for_individuals=True,
    )


@pytest.fixture
def awards(campaign, department, division, person, flag_type, order_type, report) -> list[Award]:
    """The 2017 campaign's awards: a flag to the department, an order to a person and to an
    unnamed group, and one to the division with no campaign."""
    return [
        Award.objects.create(
            award_type=flag_type,
            year=2017,
            recipient_unit=department,
            campaign=campaign,
            decision_number="123/QĐ-BCA",
            source=report,
            source_quote="Cục XDPT được tặng Cờ thi đua xuất sắc của Bộ Công an.",
        ),
        Award.objects.create(
            award_type=order_type,
            year=2017,
            recipient_person=person,
            rank_at_award=Rank.objects.get(name="Thiếu tướng"),
            position_at_award="Phó Cục trưởng",
            campaign=campaign,
            source=report,
            source_quote="Đồng chí Nguyễn Văn Khảo được tặng Huân chương Bảo vệ Tổ quốc hạng Ba.",
        ),
        Award.objects.create(
            award_type=order_type,
            year=2017,
            group_kind="collective",
            group_count=3,
            campaign=campaign,
            source=report,
            source_quote="3 tập thể được tặng Huân chương Bảo vệ Tổ quốc hạng Ba.",
            inference_note="The report does not name the three collectives.",
        ),
        Award.objects.create(award_type=flag_type, year=2016, recipient_unit=division),
    ]


@pytest.fixture
def plans(campaign, department, division) -> tuple[WorkPlan, WorkPlan]:
    """The department's 2017 plan declares 13 tasks and lists none; the division's lists two."""
    declared = WorkPlan.objects.create(
        unit=department, year=2017, campaign=campaign, declared_task_count=13
    )
    listed = WorkPlan.objects.create(unit=division, year=2017, campaign=campaign)
    area = WorkArea.objects.create(plan=listed, number=1, name="Công tác tham mưu")
    first = Task.objects.create(
        plan=listed,
        area=area,
        number=1,
        title="Tham mưu ban hành kế hoạch thực hiện phong trào",
        status=Task.Status.DONE,
        result="Đã ban hành 4 chỉ thị",
    )
    first.assigned_units.add(division)
    first.coordinating_units.add(department)
    Task.objects.create(plan=listed, number=2, title="Sơ kết phong trào", status="in_progress")
    return declared, listed


# -- Home -----------------------------------------------------------------------------------


def test_home_shows_running_and_recent_campaigns_latest_awards_and_years(client, awards):
    Campaign.objects.create(
        name="Phong trào Toàn dân bảo vệ an ninh Tổ quốc",
        slug="toan-dan",
        kind=Campaign.Kind.MOVEMENT,
        start_year=1962,
    )
    html = text_of(get(client, "/"))
    running, recent = html.split("Recent campaigns")
    assert "Phong trào Toàn dân bảo vệ an ninh Tổ quốc" in running
    assert "Phong trào thi đua “Vì ANTQ” năm 2017" in recent
    assert 'href="/campaigns/vi-antq-2017/"' in recent
    assert 'href="/people/nguyen-van-khao/"' in html
    assert "3 tập thể" in html
    assert 'href="/years/2017/"' in html
    assert 'href="/years/1962/"' in html


def test_home_speaks_vietnamese_by_default(client, db):
    response = client.get("/")
    assert '<html lang="vi">' in text_of(response)


def test_home_on_an_empty_database_says_so(client, db):
    html = text_of(get(client, "/"))
    assert "No campaign has been recorded yet." in html
    assert page_problems(html) == []


# -- Campaign list --------------------------------------------------------------------------


@pytest.fixture
def campaigns(campaign, ministry) -> list[Campaign]:
    others = [
        Campaign.objects.create(
            name="Phong trào “Công an nhân dân học tập, thực hiện Sáu điều Bác Hồ dạy”",
            slug="sau-dieu-bac-ho-day",
            kind=Campaign.Kind.MOVEMENT,
            start_year=2005,
            launched_by_unit=ministry,
        ),
        Campaign.objects.create(
            name="Phong trào thi đua “Vì an ninh Tổ quốc” năm 2016",
            slug="vi-antq-2016",
            kind=Campaign.Kind.EMULATION,
            start_year=2016,
            end_year=2016,
        ),
    ]
    return [campaign, *others]


def names_listed(response) -> list[str]:
    return [campaign.name for campaign in response.context["object_list"]]


def test_campaign_list_finds_a_name_typed_without_diacritics(client, campaigns):
    response = get(client, "/campaigns/?q=sau+dieu+BAC+ho")
    assert names_listed(response) == [campaigns[1].name]


def test_campaign_list_filters_by_year_running(client, campaigns):
    # The 2005 movement has no end, so it still runs in 2016.
    response = get(client, "/campaigns/?year=2016")
    assert sorted(names_listed(response)) == sorted([campaigns[1].name, campaigns[2].name])


def test_campaign_list_filters_by_kind_and_launching_unit(client, campaigns):
    assert names_listed(get(client, "/campaigns/?kind=movement")) == [campaigns[1].name]
    assert names_listed(get(client, "/campaigns/?unit=cuc-xdpt")) == [campaigns[0].name]


def test_every_sort_choice_is_said_in_the_language_of_the_request():
    """Each label is translated when the page is drawn, not once when the module was imported."""
    from movement.list_filters import CampaignFilter

    labels = CampaignFilter.base_filters["sort"].extra["choices"]
    for language, said in {
        "vi": ["Năm", "Năm (giảm dần)", "Tên", "Tên (giảm dần)"],
        "en": ["Year", "Year (descending)", "Name", "Name (descending)"],
    }.items():
        with translation.override(language):
            assert [str(label) for _value, label in labels] == said


def test_campaign_list_sorts_by_name_and_by_year(client, campaigns):
    by_name = names_listed(get(client, "/campaigns/?sort=name"))
    assert by_name == sorted(by_name)
    by_year = names_listed(get(client, "/campaigns/?sort=year"))
    assert by_year == [campaigns[1].name, campaigns[2].name, campaigns[0].name]


def test_campaign_list_paginates(client, db):
    Campaign.objects.bulk_create(
        Campaign(name=f"Phong trào {i:02}", slug=f"pt-{i}", kind="emulation", start_year=2000 + i)
        for i in range(30)
    )
    first = get(client, "/campaigns/?sort=name")
    second = get(client, "/campaigns/?sort=name&page=2")
    assert len(first.context["object_list"]) == 25
    assert names_listed(second) == [f"Phong trào {i:02}" for i in range(25, 30)]
    assert 'href="?sort=name&amp;page=2"' in text_of(first)


def test_campaign_list_answers_a_bad_filter_with_a_message_not_an_error(client, campaigns):
    html = text_of(get(client, "/campaigns/?year=soon&unit=no-such-unit"))
    assert "Enter a number." in html
    assert "No campaign matches these filters." in html


def test_campaign_list_shows_award_counts_and_export_links_for_the_same_filter(
    client, campaigns, awards
):
    html = text_of(get(client, "/campaigns/?kind=emulation&page=1"))
    assert '<td data-label="Awards" class="num">3</td>' in html
    assert 'href="/campaigns/export.xlsx?kind=emulation"' in html
    assert 'href="/campaigns/export.csv?kind=emulation"' in html


def test_every_filter_control_is_labelled_and_the_page_is_well_formed(client, campaigns, awards):
    for url in ("/campaigns/", "/awards/"):
        assert page_problems(text_of(get(client, url))) == [], url


# -- Campaign page --------------------------------------------------------------------------


def test_campaign_page_sets_out_the_campaign(client, campaign, awards, plans):
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    assert '<dl class="mottos">' in html
    assert "“đổi mới, đoàn kết, kỷ cương, trách nhiệm, hiệu quả”" in html
    assert 'href="/people/nguyen-van-khao/"' in html
    assert 'href="/units/cuc-xdpt/"' in html
    assert "Hội nghị triển khai công tác năm 2017" in html
    assert page_problems(html) == []


def test_campaign_page_shows_declared_against_entered_tasks(client, campaign, plans):
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    assert "13 declared, 0 entered" in html
    assert "Tham mưu ban hành kế hoạch thực hiện phong trào" in html
    assert "Đã ban hành 4 chỉ thị" in html
    assert '<span class="status status--done">Done</span>' in html
    assert '<span class="status status--in_progress">In progress</span>' in html


def test_campaign_page_groups_awards_by_type_most_senior_first(client, campaign, awards):
    response = get(client, "/campaigns/vi-antq-2017/")
    groups = response.context["award_groups"]
    assert [str(g.award_type) for g in groups] == [
        "Huân chương Bảo vệ Tổ quốc hạng Ba",  # an order comes before a flag
        "Cờ thi đua xuất sắc của Bộ Công an",
    ]
    assert [a.recipient_label for a in groups[0].awards] == ["Nguyễn Văn Khảo", "3 tập thể"]
    html = text_of(response)
    assert '3 tập thể <span class="muted">(not named)</span>' in html
    assert "(Thiếu tướng, Phó Cục trưởng)" in html
    # The 2016 award to the division belongs to no campaign.
    assert 'href="/units/phong-tham-muu/"' not in html


def test_campaign_page_footnotes_each_fact_with_its_source_sentence(client, campaign, awards):
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    sources = html.split('id="footnotes-title"')[1]
    assert "Cục XDPT được tặng Cờ thi đua xuất sắc của Bộ Công an." in sources
    assert "Báo cáo Hội nghị triển khai công tác năm 2017" in sources
    assert '<strong class="tag">Inferred</strong> The report does not name' in sources
    assert html.count('href="#note-') == 3


def test_awards_quoting_the_same_sentence_share_one_footnote(client, campaign, flag_type, report):
    for slug in ("a", "b"):
        unit = Unit.objects.create(name=slug, slug=slug, kind="division")
        Award.objects.create(
            award_type=flag_type,
            year=2017,
            recipient_unit=unit,
            campaign=campaign,
            source=report,
            source_quote="Hai đơn vị được tặng Cờ thi đua.",
        )
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    assert html.count('href="#note-1"') == 2
    assert html.count("Hai đơn vị được tặng Cờ thi đua.") == 1


def test_synthetic_records_are_never_presented_as_facts(client, campaign):
    campaign.source = Source.objects.create(
        slug="demo", title="Dữ liệu mô phỏng", kind=Source.Kind.SYNTHETIC
    )
    campaign.save()
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    assert "Demo data, not a fact of the report" in html


def test_campaign_page_lists_a_sample_of_each_type_and_links_to_the_rest(
    client, campaign, individual_type, monkeypatch
):
    monkeypatch.setattr(views, "AWARDS_PER_TYPE", 2)
    people = Person.objects.bulk_create(
        Person(full_name=f"Người {i}", slug=f"nguoi-{i}") for i in range(5)
    )
    Award.objects.bulk_create(
        Award(award_type=individual_type, year=2017, recipient_person=p, campaign=campaign)
        for p in people
    )
    response = get(client, "/campaigns/vi-antq-2017/")
    (group,) = response.context["award_groups"]
    assert (len(group.awards), group.total, group.more) == (2, 5, 3)
    assert f"/awards/?campaign=vi-antq-2017&amp;award_type={individual_type.pk}" in text_of(
        response
    )


def test_campaign_page_samples_the_newest_awards_of_every_type(
    client, campaign, individual_type, flag_type, department, monkeypatch
):
    monkeypatch.setattr(views, "AWARDS_PER_TYPE", 2)
    people = Person.objects.bulk_create(
        Person(full_name=f"Người {i}", slug=f"nguoi-{i}") for i in range(4)
    )
    Award.objects.bulk_create(
        Award(award_type=individual_type, year=2013 + i, recipient_person=p, campaign=campaign)
        for i, p in enumerate(people)
    )
    Award.objects.bulk_create(
        Award(award_type=flag_type, year=year, recipient_unit=department, campaign=campaign)
        for year in (2010, 2011, 2012)
    )
    groups = get(client, "/campaigns/vi-antq-2017/").context["award_groups"]
    sampled = {group.award_type: [a.year for a in group.awards] for group in groups}
    assert sampled == {flag_type: [2012, 2011], individual_type: [2016, 2015]}
    assert [group.total for group in groups] == [3, 4]


def test_newest_years_are_the_fewest_that_hold_the_awards_wanted():
    per_year = {2016: 1, 2010: 40, 2017: 2, 2005: 7}
    assert views.newest_years(per_year, 3) == [2017, 2016]
    assert views.newest_years(per_year, 4) == [2017, 2016, 2010]
    assert views.newest_years(per_year, 100) == [2017, 2016, 2010, 2005]
    assert views.newest_years({}, 20) == []


# -- Unit page ------------------------------------------------------------------------------


def test_unit_page_shows_its_place_in_the_tree(client, division):
    html = text_of(get(client, "/units/phong-tham-muu/"))
    breadcrumb = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert breadcrumb.index("Bộ Công an") < breadcrumb.index("Cục XDPT toàn dân bảo vệ ANTQ")
    assert '<span aria-current="page">Phòng Tham mưu</span>' in breadcrumb
    assert page_problems(html) == []


def test_unit_page_counts_the_awards_of_its_sub_units_year_by_year(client, awards, division):
    response = get(client, "/units/cuc-xdpt/")
    years = [(y.year, y.total) for y in response.context["award_years"]]
    assert years == [(2017, 1), (2016, 1)]
    html = text_of(response)
    assert 'href="/units/phong-tham-muu/">Phòng Tham mưu</a>' in html  # child and recipient
    # The award to a person is on the person's page, not counted as the unit's.
    assert response.context["award_count"] == 2


def test_unit_page_lists_each_award_under_its_year(client, awards, division):
    html = text_of(get(client, "/units/cuc-xdpt/"))
    history = html.split('id="awards-title"')[1].split("</section>")[0]
    year_2017, year_2016 = history.split('href="/years/2016/"')
    assert "Cờ thi đua xuất sắc của Bộ Công an" in year_2017
    assert "Cục XDPT toàn dân bảo vệ ANTQ" in year_2017
    assert 'href="/units/phong-tham-muu/">Phòng Tham mưu</a>' in year_2016


def test_unit_page_lists_its_people_and_tasks(client, person, plans, department):
    html = text_of(get(client, "/units/cuc-xdpt/"))
    people = html.split('id="people-title"')[1].split("</section>")[0]
    assert 'href="/people/nguyen-van-khao/"' in people
    assert "Trung tướng" in people
    tasks = html.split('id="tasks-title"')[1]
    assert "13 declared, 0 entered" in tasks
    # The division's task that the department coordinates.
    assert "Tham mưu ban hành kế hoạch thực hiện phong trào" in tasks
    assert "coordinating" in tasks


def test_unit_page_shows_a_bounded_sample_of_awards(client, department, flag_type, monkeypatch):
    monkeypatch.setattr(views, "UNIT_AWARDS", 3)
    Award.objects.bulk_create(
        Award(award_type=flag_type, year=2000 + i, recipient_unit=department) for i in range(5)
    )
    response = get(client, "/units/cuc-xdpt/")
    assert response.context["award_count"] == 5
    shown = [len(y.awards) for y in response.context["award_years"]]
    assert shown == [1, 1, 1, 0, 0]
    assert "/awards/?unit=cuc-xdpt" in text_of(response)


def test_units_page_shows_the_tree_and_finds_units_without_diacritics(client, division):
    tree = get(client, "/units/")
    assert [row.unit.slug for row in tree.context["units"]] == [
        "bo-cong-an",
        "cuc-xdpt",
        "phong-tham-muu",
    ]
    found = get(client, "/units/?q=phong+tham+muu")
    assert [u.slug for u in found.context["found"]] == ["phong-tham-muu"]
    assert page_problems(text_of(found)) == []


def test_units_page_shows_fewer_levels_when_the_tree_is_large(client, division, monkeypatch):
    monkeypatch.setattr(views, "UNIT_TREE_MAX", 2)
    monkeypatch.setattr(views, "UNIT_TREE_DEPTH", 1)
    tree = get(client, "/units/")
    assert [row.unit.slug for row in tree.context["units"]] == ["bo-cong-an", "cuc-xdpt"]


def suggested(client, query: str | dict) -> list[str]:
    params = {"q": query} if isinstance(query, str) else query
    response = client.get("/units/suggestions.json", params)
    assert response.status_code == 200
    return [unit["slug"] for unit in response.json()["results"]]


@pytest.fixture
def marked_divisions(department) -> list[Unit]:
    return [
        Unit.objects.create(name=name, slug=slug, kind=Unit.Kind.DIVISION, parent=department)
        for name, slug in [("Phòng Khảo thí", "phong-khao-thi"), ("Phòng Khào", "phong-khao")]
    ]


def test_unit_suggestions_ignore_diacritics_but_keep_the_marks_typed(client, marked_divisions):
    assert suggested(client, "khao") == ["phong-khao", "phong-khao-thi"]
    assert suggested(client, "KHAO THI") == ["phong-khao-thi"]
    # A word typed with marks asks for those marks: Khảo is not Khào.
    assert suggested(client, "khảo") == ["phong-khao-thi"]
    assert suggested(client, "Khào") == ["phong-khao"]
    assert suggested(client, "phòng khả") == ["phong-khao-thi"]


def test_unit_suggestions_name_each_unit_and_its_parent(client, division):
    response = client.get("/units/suggestions.json", {"q": "tham muu"})
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "slug": "phong-tham-muu",
                "name": "Phòng Tham mưu",
                "parent": "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
            }
        ],
        "more": False,
    }


def test_unit_suggestions_reach_any_unit_and_stop_at_the_limit(client, department, monkeypatch):
    Unit.objects.bulk_create(
        Unit(name=f"Đội {n:02}", slug=f"doi-{n:02}", kind=Unit.Kind.DIVISION, parent=department)
        for n in range(5)
    )
    for unit in Unit.objects.filter(slug__startswith="doi-"):
        unit.save()  # the search text bulk_create leaves empty
    monkeypatch.setattr(views, "UNIT_SUGGESTIONS", 3)
    response = client.get("/units/suggestions.json", {"q": "doi"})
    assert [u["slug"] for u in response.json()["results"]] == ["doi-00", "doi-01", "doi-02"]
    assert response.json()["more"] is True
    assert suggested(client, "doi 04") == ["doi-04"]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 5000}, {"q": ["zzz", "qqq"]}, {"q": '"*%_\\'}],
)
def test_unit_suggestions_answer_odd_queries_with_an_empty_list(client, division, params):
    assert suggested(client, params) == []


# -- Search: a word typed with marks keeps them ------------------------------------------------


@pytest.fixture
def namesakes(department, order_type) -> None:
    make_namesakes(department, order_type)


def codes_found(client, surface: str, query: str) -> list[str]:
    """The codes of the records a public search finds, on each page that searches."""
    if surface == "suggestions":
        return sorted(suggested(client, query))
    response = get(client, f"/{surface}/?{urlencode({'q': query})}")
    if surface == "units":
        return sorted(unit.slug for unit in response.context["found"])
    found = response.context["object_list"]
    if surface == "awards":
        return sorted(award.recipient_person.slug for award in found)
    return sorted(record.slug for record in found)


SEARCH_SURFACES = ["people", "awards", "units", "campaigns", "suggestions"]


@pytest.mark.parametrize("surface", SEARCH_SURFACES)
@pytest.mark.parametrize(("query", "codes"), NAMESAKE_SEARCHES.items())
def test_a_word_typed_with_marks_finds_those_marks_only(client, namesakes, surface, query, codes):
    assert codes_found(client, surface, query) == codes


@pytest.mark.parametrize("surface", ["people", "awards", "campaigns"])
def test_a_search_typed_with_marks_takes_the_queries_of_one_typed_without(
    client, namesakes, surface
):
    # Found by the database, paged and counted there: no row is read to be thrown away.
    marked, plain = (f"/{surface}/?{urlencode({'q': query})}" for query in ["hưng", "hung"])
    assert queries_for(client, marked) == queries_for(client, plain)


# -- Person page ----------------------------------------------------------------------------


def test_person_page_shows_the_rank_held_at_the_time_of_each_award(client, awards, person):
    response = get(client, "/people/nguyen-van-khao/")
    html = text_of(response)
    header = html.split('<header class="page-header">')[1].split("</header>")[0]
    assert "Trung tướng" in header  # the rank held now
    awards_table = html.split('id="awards-title"')[1].split("</table>")[0]
    assert "Thiếu tướng" in awards_table
    assert "Phó Cục trưởng" in awards_table
    assert 'href="/campaigns/vi-antq-2017/"' in awards_table
    assert page_problems(html) == []


def test_person_page_leads_back_up_the_unit_tree(client, person):
    html = text_of(get(client, "/people/nguyen-van-khao/"))
    breadcrumb = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert breadcrumb.index('href="/units/bo-cong-an/"') < breadcrumb.index(
        'href="/units/cuc-xdpt/"'
    )


# -- Year page ------------------------------------------------------------------------------


def test_year_page_counts_awards_by_category_and_conferring_level(client, awards, plans):
    response = get(client, "/years/2017/")
    context = response.context
    # The unnamed group of three counts as three recipients.
    assert context["recipient_count"] == 5
    assert [(t.label, t.count) for t in context["categories"]] == [
        ("order", 4),
        ("emulation flag", 1),
    ]
    assert [(t.label, t.count) for t in context["levels"]] == [
        ("State President", 4),
        ("Minister of Public Security", 1),
    ]
    statuses = {t.label: t.count for t in context["task_statuses"]}
    assert (statuses["done"], statuses["in progress"], statuses["planned"]) == (1, 1, 0)
    assert [c.slug for c in context["campaigns"]] == ["vi-antq-2017"]


def test_year_page_draws_the_awards_as_an_svg_bar_chart(client, awards):
    html = text_of(get(client, "/years/2017/"))
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert svg.count("<rect") == 2
    assert "Huân chương Bảo vệ Tổ quốc hạng Ba: 4" in svg
    assert "<script" not in html
    assert page_problems(html) == []


def test_year_page_groups_the_digits_of_large_counts_as_each_language_does(client, order_type):
    Award.objects.create(
        award_type=order_type, year=2017, group_kind="individual", group_count=1200
    )
    assert '<span class="stats__number">1,200</span>' in text_of(get(client, "/years/2017/"))
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    vietnamese = client.get("/years/2017/").content.decode()
    assert '<span class="stats__number">1.200</span>' in vietnamese


def test_year_without_data_answers_404_and_lists_the_years_that_have_some(client, awards):
    html = text_of(get(client, "/years/1999/", status=404))
    assert "Nothing recorded for 1999" in html
    assert 'href="/years/2017/"' in html
    assert 'href="/years/2016/"' in html


def test_year_page_links_to_the_neighbouring_years(client, awards):
    html = text_of(get(client, "/years/2017/"))
    assert 'href="/years/2016/" rel="prev"' in html


# -- Errors and escaping --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/campaigns/no-such-campaign/",
        "/units/no-such-unit/",
        "/people/no-such-person/",
        "/years/99999/",
        "/no/such/page/",
    ],
)
def test_unknown_addresses_answer_404_with_a_helpful_page(client, db, url):
    html = text_of(get(client, url, status=404))
    assert 'href="/campaigns/"' in html
    assert page_problems(html) == []


def test_a_server_error_page_needs_neither_the_database_nor_a_request_context(rf):
    # No middleware runs here to pick the language: English is asked for, whatever an earlier
    # test left active.
    with translation.override("en"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert page_problems(html) == []


def test_user_text_is_shown_as_text_never_run(client, department, db):
    evil = "<script>alert(1)</script>"
    Campaign.objects.create(name=evil, slug="evil", kind="emulation", start_year=2017, slogan=evil)
    kind = AwardType.objects.create(name=evil, category="flag", for_collectives=True)
    Award.objects.create(award_type=kind, year=2017, recipient_unit=department, note=evil)
    for url in ("/", "/campaigns/", "/campaigns/evil/", "/years/2017/", "/awards/"):
        html = text_of(get(client, url))
        assert evil not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# -- Staff ----------------------------------------------------------------------------------


def test_edit_link_only_for_staff_allowed_to_change(client, campaign):
    url = "/campaigns/vi-antq-2017/"
    edit = reverse("admin:movement_campaign_change", args=[campaign.pk])
    assert edit not in text_of(get(client, url))

    staff = User.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert edit not in text_of(get(client, url))

    staff.user_permissions.add(Permission.objects.get(codename="change_campaign"))
    assert f'href="{edit}"' in text_of(get(client, url))


# -- Language -------------------------------------------------------------------------------


def test_language_switch_posts_to_set_language_and_comes_back(client, campaign):
    html = text_of(get(client, "/campaigns/vi-antq-2017/"))
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert '<input type="hidden" name="next" value="/campaigns/vi-antq-2017/">' in html
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/campaigns/vi-antq-2017/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/vi-antq-2017/"
    assert '<html lang="en">' in text_of(client.get("/campaigns/vi-antq-2017/"))


# -- Exports --------------------------------------------------------------------------------


def test_campaign_csv_holds_what_the_filter_shows_with_vietnamese_headers(client, campaigns):
    response = get(client, "/campaigns/export.csv?kind=emulation&sort=name")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="phong-trao-thi-dua.csv"'
    body = body_of(response).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [row["Tên phong trào"] for row in rows] == sorted([campaigns[0].name, campaigns[2].name])
    launched_by = {row["Mã"]: row["Đơn vị phát động"] for row in rows}
    assert launched_by == {
        "vi-antq-2017": "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "vi-antq-2016": "",
    }


def test_award_excel_holds_the_filtered_awards_by_name(client, awards):
    response = get(client, "/awards/export.xlsx?year=2017&category=flag")
    name = "khen-thuong-2017-co-thi-dua.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    workbook = openpyxl.load_workbook(io.BytesIO(body_of(response)))
    sheet = workbook.active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 1
    assert sheet.freeze_panes == "A2"
    row = dict(zip(header, rows[0], strict=True))
    assert str(row["Năm"]) == "2017"
    assert row["Hình thức khen thưởng"] == "Cờ thi đua xuất sắc của Bộ Công an"
    assert row["Đơn vị nhận"] == "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"
    assert row["Phong trào"] == "Phong trào thi đua “Vì ANTQ” năm 2017"


def test_an_invalid_filter_exports_nothing(client, awards):
    response = get(client, "/awards/export.csv?year=never")
    rows = list(csv.reader(io.StringIO(body_of(response).decode().removeprefix("\ufeff"))))
    assert len(rows) == 1  # the headers alone


def test_an_export_past_the_limit_asks_for_a_narrower_filter(client, awards, settings):
    settings.EXPORT_PUBLIC_XLSX_ROWS = 2
    html = text_of(get(client, "/awards/export.xlsx?year=2017", status=413))
    assert "narrow the filter" in html
    assert 'href="/awards/?year=2017"' in html
    assert 'href="/awards/export.csv?year=2017"' in html
    # Staff may download more, once signed in, and come back to the same file.
    assert 'href="/admin/login/?next=/awards/export.xlsx%3Fyear%3D2017"' in html


def test_staff_download_larger_excel_files_up_to_the_export_limit(
    client, awards, settings, monkeypatch
):
    settings.EXPORT_PUBLIC_XLSX_ROWS = 2
    client.force_login(member("viewer"))
    workbook = openpyxl.load_workbook(
        io.BytesIO(body_of(get(client, "/awards/export.xlsx?year=2017")))
    )
    assert workbook.active.max_row == 1 + 3
    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    html = text_of(get(client, "/awards/export.xlsx?year=2017", status=413))
    assert 'href="/awards/export.csv?year=2017"' in html
    assert "/admin/login/" not in html


def test_a_csv_export_streams_past_the_excel_limit(client, awards, settings):
    settings.EXPORT_PUBLIC_XLSX_ROWS = 2
    response = get(client, "/awards/export.csv?year=2017")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(body_of(response).decode().removeprefix("\ufeff"))))
    assert len(rows) == 1 + Award.objects.filter(year=2017).count()


def test_award_list_filters_by_unit_with_its_sub_units(client, awards):
    response = get(client, "/awards/?unit=cuc-xdpt")
    assert sorted(a.year for a in response.context["object_list"]) == [2016, 2017]
    deep = get(client, "/awards/?unit=phong-tham-muu")
    assert deep.context["paginator"].count == 1
    # The select offers the top of the tree, and the unit asked for even when it lies deeper.
    assert '<option value="phong-tham-muu" selected>' in text_of(deep)


def test_award_list_prints_its_system_date_and_filters(client, awards):
    html = text_of(get(client, "/awards/?year=2017&unit=cuc-xdpt&sort=year"))
    header = html.split('<div class="print-header">')[1].split("</div>")[0]
    assert "Emulation and commendation" in header
    assert f"Printed on {timezone.localdate():%d/%m/%Y}" in header
    assert "Emulation year: 2017; Recipient unit (with its sub-units): Cục XDPT" in header
    assert "Sort" not in header
    everything = text_of(get(client, "/awards/"))
    assert "Filters: none, every record" in everything.split('<div class="print-header">')[1]


def test_award_list_shows_newest_first_or_oldest_first(client, awards):
    assert [a.year for a in get(client, "/awards/").context["object_list"]] == [2017] * 3 + [2016]
    oldest = get(client, "/awards/?sort=year").context["object_list"]
    assert [a.year for a in oldest] == [2016] + [2017] * 3


def test_award_list_finds_recipients_typed_without_diacritics(client, awards):
    response = get(client, "/awards/?q=nguyen+van+khao")
    assert [a.recipient_person.slug for a in response.context["object_list"]] == ["nguyen-van-khao"]


# -- Public means public --------------------------------------------------------------------

# One word in each field of an award that the public pages do not show (Award.PUBLIC_FIELDS).
STAFF_ONLY = {
    "note": "Ghi chú nội bộ: hồ sơ còn thiếu, mật danh Xuyênkhung",
    "on_behalf_of": "Thừa lệnh Hoàngcầm",
    "event": "Hội nghị Bạchtruật",
    "conferring_unit": "Văn phòng Camthảo",
}
STAFF_WORDS = ["Xuyênkhung", "Hoàngcầm", "Bạchtruật", "Camthảo"]


@pytest.fixture
def staff_only_award(awards, person, order_type, campaign, department) -> Award:
    """An award to a person in the 2017 campaign with every field outside the public set
    filled, each with a word found nowhere else."""
    award = Award.objects.get(recipient_person=person)
    award.note = STAFF_ONLY["note"]
    award.on_behalf_of = STAFF_ONLY["on_behalf_of"]
    award.event = Event.objects.create(name=STAFF_ONLY["event"], slug="hn-bach-truat", year=2017)
    award.conferring_unit = Unit.objects.create(
        name=STAFF_ONLY["conferring_unit"],
        slug="van-phong-cam-thao",
        kind="organisation",
        # An outside organisation: the unit filter's choices list the sector's own tree, which
        # would show the name whatever the award's conferring unit.
        is_external=True,
    )
    award.save()
    return award


def test_the_public_set_leaves_out_every_field_the_pages_do_not_show():
    shown = set(Award.PUBLIC_FIELDS)
    staff_only = {field.name for field in Award._meta.concrete_fields} - shown
    # The decision's record (signer, signed file) is the admin's; the pages show the number and
    # date the award keeps of it.
    assert staff_only == {
        "id",
        "key",
        "search_text",
        "marked_text",
        "version",
        "decision",
        *STAFF_ONLY,
    }


PUBLIC_PAGES = [
    "/",
    "/awards/",
    "/awards/?year=2017",
    "/campaigns/vi-antq-2017/",
    "/people/nguyen-van-khao/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_the_public_pages_show_no_field_outside_the_public_set(client, staff_only_award, url):
    html = text_of(get(client, url))
    assert "Nguyễn Văn Khảo" in html
    assert [word for word in STAFF_WORDS if word in html] == []


def exported_rows(response, fmt: str) -> list[list[str]]:
    """A download's rows as text, header first, the Excel file opened with openpyxl."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body_of(response).decode().removeprefix("\ufeff"))))
    sheet = openpyxl.load_workbook(io.BytesIO(body_of(response))).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", [None, "viewer"], ids=["anonymous", "staff"])
def test_a_public_export_holds_the_public_columns_alone_whoever_downloads_it(
    client, staff_only_award, fmt, who
):
    if who:
        client.force_login(member(who))
    header, *rows = exported_rows(get(client, f"/awards/export.{fmt}?year=2017"), fmt)
    resource = AwardResource()
    assert header == resource.get_export_headers(public_columns(resource))
    assert "Ghi chú" not in header
    assert "Mã" not in header
    cells = " ".join(" ".join(row) for row in rows)
    assert "Nguyễn Văn Khảo" in cells
    assert [word for word in STAFF_WORDS if word in cells] == []
    assert str(staff_only_award.key) not in cells


@pytest.mark.parametrize("words", ["xuyenkhung", "XUYÊNKHUNG hồ sơ", "mat danh", "noi bo"])
def test_the_public_search_never_reads_the_note(client, admin_client, staff_only_award, words):
    found = get(client, f"/awards/?q={words}").context["object_list"]
    assert list(found) == []
    _header, *rows = exported_rows(get(client, f"/awards/export.csv?q={words}"), "csv")
    assert rows == []
    # Staff search the note in the admin, through the same index.
    changelist = admin_client.get(f"/admin/movement/award/?q={words}")
    assert list(changelist.context["cl"].result_list) == [staff_only_award]


def test_no_spelling_of_a_word_typed_with_marks_is_read_from_the_note(client, staff_only_award):
    # "hoá" is looked for as "hoá" and "hóa": the note holds one, the public text neither.
    staff_only_award.note = "Hồ sơ Hóa chất"
    staff_only_award.save()
    assert list(get(client, "/awards/?q=ho%C3%A1").context["object_list"]) == []
    assert list(get(client, "/awards/?q=kh%E1%BA%A3o").context["object_list"]) == [staff_only_award]


def test_the_public_search_finds_a_word_of_the_public_text_also_in_the_note(
    client, staff_only_award
):
    staff_only_award.note = "Đồng chí Khảo nhận tại Hà Nội"
    staff_only_award.save()
    found = get(client, "/awards/?q=khao").context["object_list"]
    assert list(found) == [staff_only_award]


def test_a_short_word_of_the_note_is_not_found_publicly_either(client, staff_only_award):
    # Words under three letters skip the SQLite trigram table: the LIKE path.
    staff_only_award.note = "Mã hồ sơ qz"
    staff_only_award.save()
    assert Award.objects.filter(award_text_contains(["qz"])).get() == staff_only_award
    assert list(get(client, "/awards/?q=qz").context["object_list"]) == []


def test_the_migration_moves_the_note_of_recorded_awards_apart(client, staff_only_award):
    note_apart = import_module("movement.migrations.0017_public_award_note_apart").note_apart
    # As the earlier code wrote it: the note between the decision number and the rest.
    Award.objects.filter(pk=staff_only_award.pk).update(
        search_text="xuyenkhung huan chuong bao ve to quoc hang ba nguyen van khao"
    )
    assert list(get(client, "/awards/?q=xuyenkhung").context["object_list"]) != []
    note_apart(apps, None)
    stored = Award.objects.get(pk=staff_only_award.pk).search_text
    staff_only_award.refresh_search_text()
    assert stored == staff_only_award.search_text
    assert list(get(client, "/awards/?q=xuyenkhung").context["object_list"]) == []


# -- Public exports under load ----------------------------------------------------------------


@pytest.fixture
def one_window(monkeypatch):
    """Requests made within one rate-limit window, whenever the test runs."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)


@pytest.mark.usefixtures("one_window")
def test_an_address_downloading_too_often_is_asked_to_wait_in_vietnamese(client, awards, settings):
    settings.EXPORT_PUBLIC_PER_MINUTE = 2
    # In the default language (get() would pick English by its cookie).
    assert client.get("/awards/export.csv").status_code == 200
    assert client.get("/campaigns/export.xlsx").status_code == 200
    response = client.get("/awards/export.csv")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = text_of(response)
    assert "Tải xuống quá nhiều lần" in html
    assert "tối đa 2 lần mỗi phút" in html
    assert 'href="/awards/?"' in html
    assert page_problems(html) == []
    # Another address is not held back by this one.
    get(client, "/awards/export.csv", REMOTE_ADDR="10.0.0.2")


@pytest.mark.usefixtures("one_window")
def test_staff_are_not_counted(client, awards, settings):
    settings.EXPORT_PUBLIC_PER_MINUTE = 1
    client.force_login(member("viewer"))
    for _ in range(3):
        get(client, "/awards/export.csv")


# -- Query counts ---------------------------------------------------------------------------


def grow(size: int, campaign, department, person, flag_type, order_type) -> None:
    """Add ``size`` of everything a page lists: units, people, awards, plans, tasks, events."""
    start = Unit.objects.count()
    units = [
        Unit.objects.create(
            name=f"Đội {start + i}", slug=f"doi-{start + i}", kind="division", parent=department
        )
        for i in range(size)
    ]
    people = Person.objects.bulk_create(
        Person(full_name=f"Cán bộ {start + i}", slug=f"cb-{start + i}", unit=department)
        for i in range(size)
    )
    Award.objects.bulk_create(
        [
            *(
                Award(award_type=flag_type, year=2017, recipient_unit=u, campaign=campaign)
                for u in units
            ),
            *(
                Award(award_type=order_type, year=2017, recipient_person=p, campaign=campaign)
                for p in people
            ),
            *(
                Award(
                    award_type=order_type,
                    year=2016,
                    recipient_person=person,
                    decision_number=str(i),
                )
                for i in range(start, start + size)
            ),
        ]
    )
    Campaign.objects.bulk_create(
        Campaign(name=f"Phong trào {start + i}", slug=f"pt-{start + i}", kind="emulation")
        for i in range(size)
    )
    Event.objects.bulk_create(
        Event(name=f"Hội nghị {start + i}", slug=f"hn-{start + i}", year=2017) for i in range(size)
    )
    for unit in units[:3]:
        plan = WorkPlan.objects.create(unit=unit, year=2017, campaign=campaign)
        tasks = Task.objects.bulk_create(
            Task(plan=plan, number=n, title=f"Nhiệm vụ {n}") for n in range(1, size + 1)
        )
        # The links in bulk, as the rows above: add() would also write their history, a
        # query or two a link, which these counts of the pages' queries do not need.
        Task.assigned_units.through.objects.bulk_create(
            Task.assigned_units.through(task=task, unit=lead)
            for task in tasks
            for lead in (unit, department)
        )
        Task.coordinating_units.through.objects.bulk_create(
            Task.coordinating_units.through(task=task, unit=department) for task in tasks
        )


PAGES = [
    ("/", 4),
    ("/campaigns/", 4),
    ("/awards/", 6),
    ("/awards/?unit=cuc-xdpt&year=2017", 7),
    ("/campaigns/vi-antq-2017/", 8),
    ("/units/", 2),
    ("/units/?q=cuc", 1),
    # The newest awards' ids, then their rows (AwardQuerySet.newest).
    ("/units/cuc-xdpt/", 16),
    ("/people/", 3),
    ("/people/?q=nguyen", 3),
    ("/people/nguyen-van-khao/", 7),
    # The tallies, then who was honoured: the newest few of each type and their relations.
    ("/years/2017/", 9),
]


@pytest.mark.parametrize(("url", "most"), PAGES)
def test_each_page_takes_as_many_queries_for_hundreds_of_rows_as_for_a_few(
    client, url, most, campaign, department, person, flag_type, order_type, awards,
    django_assert_max_num_queries,
):  # fmt: skip
    grow(3, campaign, department, person, flag_type, order_type)
    few = queries_for(client, url)
    grow(150, campaign, department, person, flag_type, order_type)
    with django_assert_max_num_queries(most):
        many = queries_for(client, url)
    assert many == few


def test_staff_pages_take_no_query_per_row_either(
    client, campaign, department, person, flag_type, order_type, awards, plans
):
    staff = User.objects.create_user("staff", password="x", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__startswith="change_"))
    client.force_login(staff)
    few = queries_for(client, "/campaigns/vi-antq-2017/")
    grow(50, campaign, department, person, flag_type, order_type)
    assert queries_for(client, "/campaigns/vi-antq-2017/") == few


# -- Charts ---------------------------------------------------------------------------------


def test_bar_lengths_are_proportional_to_their_values():
    chart = bar_chart([("a", 10), ("b", 5), ("c", 0)])
    widths = [bar.percent for bar in chart.bars]
    assert widths[0] == 2 * widths[1] == 88
    assert widths[2] == 0
    assert chart.bars[1].bar_y > chart.bars[0].bar_y
    assert chart.height == chart.bars[-1].bar_y + chart.bar_height


def test_an_empty_chart_has_no_bars():
    chart = bar_chart([])
    assert (chart.bars, chart.height) == ([], 0)


def test_long_labels_are_cut_on_a_word_boundary():
    assert shorten("Bằng khen của Bộ trưởng Bộ Công an", 20) == "Bằng khen của Bộ…"
    assert shorten("Giấy khen", 20) == "Giấy khen"


# -- Revoked awards: out of every tally, kept in the lists of history -------------------------


@pytest.fixture
def revoke():
    """Revoke an award by a decision of the ministry, for a reason the tests look for."""
    decision = Decision.objects.create(number="9/QĐ-BCA", date=datetime.date(2018, 5, 2))

    def revoke(award: Award) -> Award:
        award.revoke(decision, "Khai man thành tích")
        return award

    return revoke


def test_the_campaign_page_counts_only_awards_in_force(client, campaign, awards, revoke):
    assert get(client, "/campaigns/vi-antq-2017/").context["award_count"] == 3
    revoke(awards[0])
    response = get(client, "/campaigns/vi-antq-2017/")
    assert response.context["award_count"] == 2
    assert awards[0].award_type not in [
        group.award_type for group in response.context["award_groups"]
    ]


def test_the_campaign_list_counts_only_awards_in_force(client, campaign, awards, revoke):
    revoke(awards[1])
    [shown] = get(client, "/campaigns/").context["object_list"]
    assert shown.award_count == 2


def test_the_unit_page_counts_only_awards_in_force(client, awards, revoke):
    def tally() -> dict[int, int]:
        years = get(client, "/units/cuc-xdpt/").context["award_years"]
        return {year.year: year.total for year in years}

    assert tally()[2017] == 1
    revoke(awards[0])
    assert 2017 not in tally()


def test_the_year_page_counts_and_charts_only_awards_in_force(client, awards, revoke):
    before = get(client, "/years/2017/").context
    revoke(awards[2])  # the three collectives
    after = get(client, "/years/2017/").context
    assert after["recipient_count"] == before["recipient_count"] - 3
    assert sum(bar.value for bar in after["chart"].bars) == after["recipient_count"]


def test_the_person_page_lists_a_revoked_award_struck_and_does_not_count_it(
    client, person, awards, revoke
):
    revoke(awards[1])
    response = get(client, "/people/nguyen-van-khao/")
    assert response.context["awards_in_force"] == 0
    html = text_of(response)
    assert "<del>Huân chương Bảo vệ Tổ quốc hạng Ba</del>" in html
    assert "Khai man thành tích" in html and "9/QĐ-BCA" in html


def test_the_award_list_keeps_a_revoked_award_struck_and_the_home_page_leaves_it_out(
    client, awards, revoke
):
    revoke(awards[0])
    html = text_of(get(client, "/awards/"))
    assert '<tr class="revoked">' in html and "Khai man thành tích" in html
    assert awards[0] not in get(client, "/").context["latest_awards"]


def test_an_export_says_which_awards_were_revoked(client, awards, revoke):
    revoke(awards[0])
    rows = exported_rows(get(client, "/awards/export.csv"), "csv")
    reason = rows[0].index("Lý do hủy bỏ")
    assert sorted(row[reason] for row in rows[1:]) == ["", "", "", "Khai man thành tích"]


# The pages whose counts are read from the tallies (movement.models.tallies), with their queries.
TALLIED_PAGES = [("/campaigns/vi-antq-2017/", 8), ("/units/cuc-xdpt/", 15), ("/years/2017/", 9)]


@pytest.mark.parametrize(("url", "queries"), TALLIED_PAGES)
def test_the_pages_that_count_awards_read_the_tallies(
    client, url, queries, campaign, department, person, flag_type, order_type, awards
):
    grow(150, campaign, department, person, flag_type, order_type)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(captured.captured_queries) == queries
    # No count of the awards grouped by type or year, which reads every award of the campaign,
    # year or units: the tallies hold those.
    grouped = [
        q["sql"] for q in captured if 'FROM "movement_award"' in q["sql"] and "GROUP BY" in q["sql"]
    ]
    assert grouped == []
