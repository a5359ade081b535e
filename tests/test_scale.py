"""At a ministry's scale: the award list and the public pages cost as many queries for thousands
of awards as for hundreds, deep pages show the right rows, and search finds through its index
exactly what reading every row would.

How long they take is the benchmark command's business (``manage.py benchmark``), not a test's.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from benchmarks import baseline, synthetic, web
from benchmarks.measure import count_queries
from movement.admin.paginator import LargeTablePaginator, estimated_count, ordering_sorted_alike
from movement.models import Award, AwardType, Person, Unit
from movement.search import award_text_contains, looked_up, spellings_of, typed_words
from movement.text import fold, has_marks, tone_spellings

SMALL = synthetic.Sizes(units=40, people=150, awards=800)
LARGE = synthetic.Sizes(units=80, people=600, awards=3200)
# Small pages, so that every case of the award list spans several pages at both sizes.
PER_PAGE = 5
# Common enough to fill several pages at both sizes.
COMMON_NAME = "nguyen van"

POSTGRES = connection.vendor == "postgresql"
# Session, user, the year, award type, unit and campaign filters, the count, the page's ids,
# the page's rows (the unfiltered count on PostgreSQL asks the planner and counts in one query);
# a search reads its trigram index once on SQLite, the planner's sample of the texts on
# PostgreSQL (movement.search.looked_up): one more query; its matches are counted and paged in
# one (LargeTablePaginator's read_whole).
QUERIES = {
    "changelist:first_page": 9,
    "changelist:year_filter": 9,
    "changelist:unit_filter": 9,
    "changelist:search": 9,
    "changelist:last_page": 9,
    "page:campaign": 5,
    # with the quota checks of the year (movement.eligibility.quotas), and the newest awards'
    # ids before their rows (AwardQuerySet.newest)
    "page:unit": 19,
    "page:year": 9,  # the tallies, then who was honoured: each type's newest and their rows
}


@pytest.fixture
def small_pages(monkeypatch):
    from movement.admin.awards import AwardAdmin

    monkeypatch.setattr(AwardAdmin, "list_per_page", PER_PAGE)


def queries_per_case(client, admin_client) -> dict[str, int]:
    subjects = web.Subjects.find(per_page=PER_PAGE)
    counts = {}
    for case in web.changelist_cases(subjects, folded_name=COMMON_NAME):
        counts[case.name] = count_queries(lambda url=case.url: admin_client.get(url))
    for name, url in web.page_urls(subjects).items():
        counts[name] = count_queries(lambda url=url: client.get(url))
    return counts


def queries_at(size: synthetic.Sizes, client, admin_client) -> dict[str, int]:
    with transaction.atomic():
        synthetic.generate(size, seed=3)
        counts = queries_per_case(client, admin_client)
        transaction.set_rollback(True)
    return counts


def test_every_case_takes_as_many_queries_for_thousands_of_awards_as_for_hundreds(
    client, admin_client, small_pages, settings
):
    settings.ROOT_URLCONF = baseline.__name__
    small = queries_at(SMALL, client, admin_client)
    large = queries_at(LARGE, client, admin_client)
    assert small == QUERIES
    assert large == QUERIES


# -- Paging -----------------------------------------------------------------------------------


@pytest.fixture
def seeded(db):
    synthetic.generate(SMALL, seed=5)


def ordered() -> list[int]:
    return list(Award.objects.newest_first().values_list("pk", flat=True))


@pytest.mark.parametrize("per_page", [7, 100])
def test_every_page_holds_the_rows_of_that_stretch_of_the_list(seeded, per_page):
    everything = ordered()
    paginator = LargeTablePaginator(
        Award.objects.newest_first(), per_page, rows=Award.objects.all()
    )
    assert paginator.count == len(everything)
    for number in paginator.page_range:
        page = paginator.page(number)
        stretch = everything[(number - 1) * per_page : number * per_page]
        assert [award.pk for award in page] == stretch, number


def test_the_last_page_of_the_admin_list_shows_the_oldest_awards(admin_client, seeded):
    everything = ordered()
    last = -(-len(everything) // 100)
    response = admin_client.get(reverse("admin:movement_award_changelist"), {"p": last})
    shown = [award.pk for award in response.context["cl"].result_list]
    assert shown == everything[(last - 1) * 100 :]


@pytest.mark.parametrize("filters", [{}, {"year": "2017", "q": "nguyen van"}])
def test_each_change_link_keeps_the_lists_filters(admin_client, seeded, filters):
    response = admin_client.get(reverse("admin:movement_award_changelist"), filters)
    page = response.content.decode()
    kept = "?" + urlencode({"_changelist_filters": urlencode(filters)}) if filters else ""
    awards = response.context["cl"].result_list
    assert awards
    for award in awards:
        link = reverse("admin:movement_award_change", args=[award.pk]) + kept
        assert f'href="{escape(link)}"' in page


def test_a_page_reads_its_rows_with_their_related_records(seeded):
    paginator = LargeTablePaginator(
        Award.objects.filter(recipient_person__isnull=False).newest_first(),
        10,
        rows=Award.objects.select_related("award_type", "recipient_person"),
    )
    page = paginator.page(2)
    assert len(page) == 10
    assert (
        count_queries(lambda: [(a.award_type.name, a.recipient_person.full_name) for a in page])
        == 0
    )


@pytest.fixture
def count_ahead(monkeypatch):
    """Filtered lists counted only 10 rows past the page shown, searches read whole up to 10."""
    monkeypatch.setattr("movement.admin.paginator.COUNT_AHEAD", 10)
    monkeypatch.setattr("movement.admin.large_tables.READ_WHOLE", 10)
    return 10


def test_a_long_filtered_list_is_counted_up_to_its_bound(seeded, count_ahead):
    matches = Award.objects.filter(award_text_contains(typed_words(COMMON_NAME))).newest_first()
    everything = list(matches.values_list("pk", flat=True))
    assert len(everything) > 15 + count_ahead
    paginator = LargeTablePaginator(matches, 5, rows=Award.objects.all())
    assert (paginator.count, paginator.bounded) == (count_ahead, True)
    # Its end is not known: the last page counted is read forwards, not from the list's end.
    last = paginator.page(paginator.num_pages)
    assert [award.pk for award in last] == everything[count_ahead - 5 : count_ahead]
    # From a page further on, the count reaches as far again past it.
    further = LargeTablePaginator(matches, 5, rows=Award.objects.all(), start=15)
    assert (further.count, further.bounded) == (15 + count_ahead, True)
    assert [award.pk for award in further.page(4)] == everything[15:20]


def test_a_short_filtered_list_and_a_whole_table_are_counted_exactly(seeded, count_ahead):
    short = Award.objects.filter(pk__in=ordered()[:count_ahead])
    paginator = LargeTablePaginator(short, 5, rows=Award.objects.all())
    assert (paginator.count, paginator.bounded) == (short.count(), False)
    whole = LargeTablePaginator(Award.objects.all(), 5, rows=Award.objects.all())
    assert (whole.count, whole.bounded) == (Award.objects.count(), False)


def test_the_admin_says_more_than_the_bound_and_pages_on_past_it(
    admin_client, seeded, count_ahead, small_pages
):
    url = reverse("admin:movement_award_changelist")
    response = admin_client.get(url, {"q": COMMON_NAME})
    page = response.content.decode()
    assert response.context["cl"].result_count == count_ahead
    assert f"hơn {count_ahead} kết quả" in page
    assert f"hơn {count_ahead} khen thưởng" in page
    assert f"Chọn tất cả khen thưởng, hơn {count_ahead}" in page
    # The last page linked is there, and links on.
    response = admin_client.get(url, {"q": COMMON_NAME, "p": count_ahead // PER_PAGE})
    assert response.status_code == 200
    assert response.context["cl"].result_count == count_ahead - PER_PAGE + count_ahead
    assert f"?p={count_ahead // PER_PAGE + 1}&amp;q=" in response.content.decode()


def common_name_matches() -> QuerySet:
    return Award.objects.filter(award_text_contains(typed_words(COMMON_NAME)))


@pytest.mark.parametrize("ordering", [("-year", "-pk"), ("year", "-pk"), ("-year", "pk")])
def test_a_list_read_whole_is_counted_and_paged_from_one_unordered_query(seeded, ordering):
    matches = common_name_matches().order_by(*ordering)
    everything = list(matches.values_list("pk", flat=True))
    paginator = LargeTablePaginator(
        matches, 5, rows=Award.objects.all(), read_whole=len(everything)
    )
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.bounded) == (len(everything), False)
        shown = [award.pk for number in paginator.page_range for award in paginator.page(number)]
    # Sorted in Python as the database sorts, ascending and descending alike.
    assert shown == everything
    # Read once, in no order: no index walked down the list's order to find a page's matches.
    # Each page then reads its rows by id.
    assert len(queries) == 1 + paginator.num_pages
    assert not any("ORDER BY" in query["sql"] for query in queries.captured_queries)


def test_a_list_longer_than_read_whole_is_bounded_by_the_same_query(seeded, count_ahead):
    matches = common_name_matches().newest_first()
    everything = list(matches.values_list("pk", flat=True))
    paginator = LargeTablePaginator(matches, 5, rows=Award.objects.all(), read_whole=count_ahead)
    assert count_queries(lambda: paginator.count) == 1
    assert (paginator.count, paginator.bounded, paginator.listed) == (count_ahead, True, None)
    assert [award.pk for award in paginator.page(2)] == everything[5:10]


@pytest.mark.parametrize(
    "ordering",
    [
        ("award_type__name", "-pk"),  # text, in the database's collation
        ("-decision_date", "pk"),  # null for some awards
    ],
)
def test_a_list_python_cannot_sort_alike_is_counted_and_paged_by_the_database(seeded, ordering):
    matches = common_name_matches().order_by(*ordering)
    everything = list(matches.values_list("pk", flat=True))
    paginator = LargeTablePaginator(matches, 5, rows=Award.objects.all(), read_whole=10_000)
    assert paginator.count == len(everything)
    assert paginator.listed is None
    assert [award.pk for award in paginator.page(2)] == everything[5:10]


def test_only_numbers_and_dates_never_null_are_sorted_in_python():
    awards = Award.objects.all()
    assert ordering_sorted_alike(awards.order_by("-year", "-pk", "-id")) == [
        ("year", True),
        ("id", True),
    ]
    assert ordering_sorted_alike(awards.order_by("version", "pk")) == [
        ("version", False),
        ("id", False),
    ]
    unlike_python = [
        "decision_number",
        "decision_date",
        "award_type",
        "award_type__name",
        "key",
        "?",
    ]
    for unlike in unlike_python:
        assert ordering_sorted_alike(awards.order_by(unlike, "pk")) is None, unlike
    assert ordering_sorted_alike(awards.order_by(F("year").desc())) is None
    assert ordering_sorted_alike(awards.order_by()) is None


def test_the_admin_reads_a_search_whole_and_a_filter_from_the_database(admin_client, seeded):
    url = reverse("admin:movement_award_changelist")
    searched = admin_client.get(url, {"q": COMMON_NAME}).context["cl"]
    assert searched.paginator.listed == list(
        common_name_matches().newest_first().values_list("pk", flat=True)
    )
    assert [award.pk for award in searched.result_list] == searched.paginator.listed[:100]
    filtered = admin_client.get(url, {"year": "2017"}).context["cl"]
    assert filtered.paginator.listed is None


def test_an_unfiltered_count_is_exact_below_the_estimate_threshold(seeded):
    exact = Award.objects.count()
    assert estimated_count(Award.objects.all()) == (exact if POSTGRES else None)
    assert estimated_count(Award.objects.filter(year=2017)) is None


@pytest.mark.skipif(not POSTGRES, reason="SQLite always counts exactly")
def test_a_big_table_is_counted_from_postgresqls_estimate(seeded, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE movement_award")
    analysed = Award.objects.count()
    Award.objects.filter(pk=Award.objects.values("pk")[:1]).delete()
    # Below the threshold the table is counted; above it, ANALYZE's count stands until the next.
    assert estimated_count(Award.objects.all()) == analysed - 1
    monkeypatch.setattr("movement.admin.paginator.ESTIMATE_ABOVE", 1)
    assert estimated_count(Award.objects.all()) == analysed
    assert estimated_count(Award.objects.filter(year=2017)) is None


# -- Search -----------------------------------------------------------------------------------


def searched(admin_client, term: str) -> set[int]:
    response = admin_client.get(reverse("admin:movement_award_changelist"), {"q": term, "all": ""})
    assert response.status_code == 200
    return {award.pk for award in response.context["cl"].queryset}


def read_every_row(term: str) -> set[int]:
    """What the search must find: every word in the folded text, or a word typed with marks in
    the marked text in one of its tone spellings, or a year equal to it."""
    words = typed_words(term)

    def holds(word: str, folded: str, marked: str, year: int) -> bool:
        if len(word) == 4 and word == str(year):
            return True
        if has_marks(word):
            return any(spelling in marked for spelling in tone_spellings(word))
        return fold(word) in folded

    rows = Award.objects.values_list("pk", "search_text", "marked_text", "year")
    return {pk for pk, *texts in rows if all(holds(word, *texts) for word in words)}


@pytest.mark.parametrize(
    "term",
    [
        "nguyen van",  # common words
        "Nguyễn Văn Hùng",  # typed with accents: those accents
        "nguyen van hung",  # typed without: any
        "HƯNG",  # not Hùng
        "thuỷ",  # the tone on either vowel: Thủy
        "hùng an",  # a short word beside an indexed one typed with accents
        "khen",  # part of a word
        "an",  # shorter than the index's three letters
        "le an",  # a short word beside an indexed one
        "2017",  # a year, or those digits in a decision number
        "giay khen 2019",
        "qd-demo-0000",  # punctuation inside a word
        'khen"',  # a quote, which the index's query language must not see as one
        "zzzz",  # nothing
    ],
)
def test_search_finds_what_reading_every_row_finds(admin_client, seeded, term):
    assert searched(admin_client, term) == read_every_row(term)


def test_hung_and_hung_typed_with_their_accents_are_other_names(admin_client, seeded):
    without_accents = searched(admin_client, "nguyen hung")
    hung, hung_with_a_horn = (
        searched(admin_client, "nguyễn hùng"),
        searched(admin_client, "NGUYỄN HƯNG"),
    )
    assert hung and hung_with_a_horn
    assert hung.isdisjoint(hung_with_a_horn)
    assert hung | hung_with_a_horn <= without_accents


def test_a_search_typed_with_accents_takes_as_many_queries(admin_client, seeded, small_pages):
    url = reverse("admin:movement_award_changelist")

    def queries(term: str) -> int:
        return count_queries(lambda: admin_client.get(url, {"q": term}))

    # Words common enough to fill several pages either way: a list that fits on one page is not
    # counted apart.
    assert queries("nguyễn") == queries("nguyen")
    assert queries("giấy khen") == queries("giay khen")


def test_a_common_word_is_searched_through_the_index_as_well(admin_client, seeded, monkeypatch):
    # Past a few thousand matches the index is asked in a subquery rather than for a list.
    monkeypatch.setattr("movement.search.PINNED_MATCHES", 10)
    assert searched(admin_client, "nguyen") == read_every_row("nguyen")


def test_a_common_word_is_checked_on_the_rows_the_rarer_words_find():
    words = [spellings_of(word) for word in ["nguyen", "van", "khao", "an"]]
    # "nguyen" in most texts, "van" in a third, "khao" in none of the sample.
    sample = {"search_text": ["nguyen van"] * 30 + ["nguyen"] * 50 + ["le"] * 20}
    assert looked_up(words, sample) == [False, True, True, False]
    # The rarest word is looked up however common; without a sample, every word is.
    assert looked_up(words[:1], sample) == [True]
    assert looked_up(words[:2], {"search_text": ["nguyen van"] * 100}) == [False, True]
    assert looked_up(words, {}) == [True, True, True, False]


@pytest.mark.skipif(not POSTGRES, reason="SQLite's trigram table intersects the words itself")
def test_a_word_checked_on_the_rows_finds_what_the_index_would(admin_client, seeded, monkeypatch):
    monkeypatch.setattr(
        "movement.search.sampled_texts",
        lambda: {"search_text": ["nguyen van"] * 10, "marked_text": ["nguyễn văn"] * 10},
    )
    for term in ["nguyen van hung", "Nguyễn Văn Hùng", "nguyen an"]:
        found = award_text_contains(typed_words(term))
        assert "STRPOS" in str(Award.objects.filter(found).query)
        assert searched(admin_client, term) == read_every_row(term)


def test_search_follows_new_changed_and_deleted_awards(admin_client, seeded):
    person = Person.objects.order_by("pk").first()
    award_type = AwardType.objects.get(name="Huân chương Bảo vệ Tổ quốc", award_class="3")
    award = Award.objects.create(award_type=award_type, year=2017, recipient_person=person)
    assert award.pk in searched(admin_client, "bao ve to quoc hang ba")
    person.full_name = "Trịnh Xuân Thưởng"
    person.save()
    assert award.pk in searched(admin_client, "trinh xuan thuong")
    assert searched(admin_client, "trinh xuan thuong") == read_every_row("trinh xuan thuong")
    award.delete()
    assert award.pk not in searched(admin_client, "trinh xuan thuong")


# -- The unit tree ----------------------------------------------------------------------------


def test_a_unit_knows_its_path_from_the_root(ministry, department, division):
    assert division.path() == [ministry, department, division]
    assert ministry.path() == [ministry]
    assert set(division.lineage()) == {ministry, department, division}


def test_a_subtree_is_the_unit_and_everything_below_it(seeded):
    for unit in Unit.objects.all():
        below = set(Unit.objects.descendants(unit, include_self=True))
        assert set(unit.subtree()) == below
