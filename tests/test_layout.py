"""Layout measured in a real Chromium: the admin's lists on a 1366 px screen, the public pages on a
375 px phone and on A4 paper (static/css/admin.css, app.css, print.css).

Run with Debian's Chromium and Playwright for Python (see tests.browsers).
"""

import io
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.browsers import chromium, require_chromium

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes, so each test commits; restoring the database
    # afterwards keeps the ranks the migrations seed for the tests that run later.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}
PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(scope="module", autouse=True)
def _chromium_available() -> None:
    require_chromium()


@pytest.fixture
def report(db) -> None:
    """The report's records: real names, long enough to wrap, and inferred links."""
    call_command("load_report", stdout=io.StringIO())


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("chanh-van-phong", password=PASSWORD)


@pytest.fixture
def page(report) -> Iterator:
    """A Vietnamese page in Chromium, started after the test's data is in place."""
    with chromium() as browser:
        context = browser.new_context(locale="vi-VN")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()


def sign_in(page, live_server, user: User) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


# Widths of the page and of the admin's results box, which scrolls by itself when a list is too
# wide: either scrolling sideways hides the last columns.
SCROLL_WIDTHS = """() => {
  const page = document.documentElement;
  const results = document.querySelector('#changelist .results');
  return {page: [page.scrollWidth, page.clientWidth],
          results: [results.scrollWidth, results.clientWidth]};
}"""


# Every list of the report's records, the award list (the widest) first.
ADMIN_LISTS = ["award", "workplan", "task", "unit", "person", "campaign", "awardtype", "event"]


def test_admin_lists_fit_a_1366_px_screen(live_server, staff, page):
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, staff)
    too_wide = {}
    for model in ADMIN_LISTS:
        page.goto(f"{live_server.url}/admin/movement/{model}/")
        widths = page.evaluate(SCROLL_WIDTHS)
        if widths["page"][0] > widths["page"][1] or widths["results"][0] > widths["results"][1]:
            too_wide[model] = widths
        # The "inferred" mark, where a list has it, is on screen without scrolling.
        inferred = page.locator("#result_list thead th.column-inferred")
        if inferred.count():
            box = inferred.bounding_box()
            assert box["x"] + box["width"] <= LAPTOP["width"], model
    assert too_wide == {}


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_buttons_above_a_list_leave_its_title_uncovered(live_server, staff, page):
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, staff)
    # The work plans' title is long enough to run under the buttons where Django floats them.
    page.goto(f"{live_server.url}/admin/movement/workplan/")
    title = page.locator("#content h1").bounding_box()
    buttons = page.locator(".object-tools a")
    assert buttons.count() >= 3
    covered = [
        buttons.nth(i).inner_text()
        for i in range(buttons.count())
        if overlap(title, buttons.nth(i).bounding_box())
    ]
    assert covered == []


def test_the_award_filter_finds_any_unit_by_a_name_typed_without_diacritics(live_server, page):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/awards/")
    page.locator("#id_unit").fill("phong tham")
    option = page.locator("#id_unit + [role=listbox] [role=option]")
    option.first.wait_for()
    assert option.first.inner_text().startswith("Phòng Tham mưu")
    page.locator("#id_unit").press("ArrowDown")
    page.locator("#id_unit").press("Enter")
    page.locator(".filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"unit=phong-tham-muu"))
    assert page.locator("#id_unit").input_value() == "Phòng Tham mưu"


def test_the_award_filter_keeps_its_unit_select_without_javascript(live_server, report):
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{live_server.url}/awards/")
        assert page.locator("select#id_unit option").count() > 3
        page.locator("select#id_unit").select_option("cuc-xdpt")
        page.locator(".filters button[type=submit]").click()
        page.wait_for_url(re.compile(r"unit=cuc-xdpt"))
        context.close()


def test_a_printed_award_list_says_what_when_and_which_filters(live_server, page):
    page.goto(f"{live_server.url}/awards/?year=2016&unit=cuc-xdpt")
    header = page.locator(".print-header")
    # On screen the page's own header says it all; the print header waits for paper.
    assert header.evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".sort-arrow").evaluate("e => getComputedStyle(e).display") != "none"

    page.emulate_media(media="print")
    assert header.evaluate("e => getComputedStyle(e).display") == "block"
    text = header.inner_text()
    assert "Thi đua, khen thưởng" in text
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text)
    assert "2016" in text
    assert "Cục XDPT toàn dân bảo vệ ANTQ" in text
    # The sort arrow, the menu, the filters and the buttons stay on screen.
    for hidden in [".sort-arrow", ".site-header", ".filters", ".exports"]:
        assert page.locator(hidden).first.evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("main table").is_visible()

    # A4 within its margins is as narrow as a small tablet (680 px): nothing says to swipe it.
    page.set_viewport_size({"width": 680, "height": 960})
    page.goto(f"{live_server.url}/years/2017/")
    hint = page.locator(".scroll-hint").first
    assert hint.evaluate("e => getComputedStyle(e).display") == "none"


PUBLIC_PAGES = [
    "/",
    "/campaigns/",
    "/campaigns/vi-antq-2017/",
    "/awards/",
    "/awards/?year=2016",
    "/units/",
    "/units/cuc-xdpt/",
    "/people/",
    "/people/nguyen-van-khao/",
    "/years/2016/",
    "/years/2017/",
]

# Elements reaching past either side of the screen, outside the boxes that scroll by themselves
# (.table-scroll, which a shadow and a hint mark as scrolling).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.table-scroll')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      found.push(`${element.tagName.toLowerCase()}.${element.className}`);
    }
  }
  return found;
}"""


def test_nothing_reaches_past_a_375_px_phone_but_tables_that_say_they_scroll(live_server, page):
    page.set_viewport_size(PHONE)
    overflowing, silent = {}, {}
    for path in PUBLIC_PAGES:
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        if found := page.evaluate(OVERFLOWING):
            overflowing[path] = found
        # A table that still scrolls sideways has the hint above it.
        for box in page.locator(".table-scroll").all():
            if box.evaluate("e => e.scrollWidth > e.clientWidth"):
                hint = box.evaluate(
                    "e => { const p = e.previousElementSibling;"
                    " return !!p && p.matches('.scroll-hint') && getComputedStyle(p).display"
                    " !== 'none'; }"
                )
                if not hint:
                    silent.setdefault(path, []).append(box.get_attribute("aria-labelledby"))
    assert overflowing == {}
    assert silent == {}


def test_the_award_list_becomes_cards_on_a_phone(live_server, page):
    # A table on a wider screen, each cell under its heading.
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/awards/")
    table = page.locator("main table")
    assert table.evaluate("e => getComputedStyle(e).display") == "table"
    heading = page.locator("main table thead th").nth(1).bounding_box()
    cell = page.locator("main table tbody td").nth(1).bounding_box()
    assert abs(heading["x"] - cell["x"]) < 1

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/awards/")
    box = page.locator("main .table-scroll")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")
    # Each cell says what it holds, as the hidden headings did.
    label = page.locator("main table tbody td").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert label == '"Năm"'
    # The filters one above the other, none cut short.
    fields = page.locator(".filters .field").all()
    lefts = {round(field.bounding_box()["x"]) for field in fields}
    assert len(lefts) == 1
    for select in page.locator(".filters select").all():
        assert select.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_a_unit_name_typed_in_full_needs_no_click(live_server, page):
    page.goto(f"{live_server.url}/awards/")
    page.locator("#id_unit").fill("Phòng Tham mưu")
    page.locator("#id_unit + [role=listbox] [role=option]").first.wait_for()
    page.locator(".filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"unit=phong-tham-muu"))


def test_a_unit_name_that_names_no_unit_is_not_sent_as_any_unit(live_server, page):
    page.goto(f"{live_server.url}/awards/")
    search = page.locator("#id_unit")
    search.fill("Phòng Không Có")
    page.locator(".unit-search__status").filter(has_text=re.compile(".")).wait_for()
    page.locator(".filters button[type=submit]").click()
    assert search.evaluate("e => e.validationMessage") != ""
    assert "unit=" not in page.url
