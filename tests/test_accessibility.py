"""Accessibility of every page type, checked by axe-core in Chromium; the award form by keyboard.

axe-core comes inside the axe-playwright-python wheel and is injected into the page: nothing is
fetched. The rules run are WCAG 2.0–2.2 A/AA and axe's best practices. Any violation on a public
page fails the test, and a serious or critical one on an admin page (Django's own templates leave
minor ones, such as the empty header over an inline's row titles); the failure lists each rule,
its page and the elements it found.
"""

import io
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from movement.models import Award, Event, WorkPlan
from tests.browsers import ANY, assert_none, chromium, require_chromium, violations
from tests.spreadsheets import HEADERS, xlsx

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes (see tests/test_browser.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "mat-khau-thu-nghiem"

# Each public page type, on the report's own data (manage.py load_report).
PUBLIC_PAGES = [
    "/",
    "/campaigns/",
    "/campaigns/vi-antq-2017/",
    "/units/",
    "/units/cuc-xdpt/",
    "/people/",
    "/people/nguyen-hai-trung/",
    "/years/2016/",
    "/years/2017/",
    "/awards/",
    "/awards/?year=2016&q=antq",
    "/units/khong-co-don-vi-nay/",  # the app's own 404 page
]


@pytest.fixture(scope="module", autouse=True)
def _chromium_available() -> None:
    require_chromium()


@pytest.fixture
def report(db) -> None:
    """The report's records: footnotes, inferred links, plans with tasks, presenters."""
    call_command("load_report", stdout=io.StringIO())


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("chanh-van-phong", password=PASSWORD)


@pytest.fixture
def browser() -> Iterator:
    with chromium() as started:
        yield started


def new_page(browser, width: int = 1366):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("chanh-van-phong")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("width", [1366, 375])
def test_public_pages_have_no_axe_violations(live_server, report, browser, width):
    page = new_page(browser, width)
    found = []
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        found += violations(page, f"{path} at {width}px", impacts=ANY)
    assert_none(found)


@pytest.fixture
def plan(report) -> WorkPlan:
    return WorkPlan.objects.filter(tasks__isnull=False).distinct().first()


@pytest.fixture
def admin_pages(report, plan) -> list[str]:
    """The admin's pages, their addresses read before Chromium starts (see tests.browsers)."""
    award = Award.objects.filter(recipient_unit__isnull=False).first()
    event = Event.objects.filter(participations__isnull=False).first()
    return [
        "/admin/movement/award/add/",
        f"/admin/movement/award/{award.pk}/change/",
        f"/admin/movement/workplan/{plan.pk}/change/",
        "/admin/movement/award/import/",
        "/admin/movement/award/export/",
        # Autocomplete boxes in a stacked inline, and on a page of another app's templates.
        f"/admin/movement/event/{event.pk}/change/",
        "/admin/auth/user/add/",
        # The index, lists with their search box and filters, a record's history and deletion.
        "/admin/",
        "/admin/movement/award/",
        "/admin/movement/awardtype/",
        "/admin/auth/user/",
        f"/admin/movement/award/{award.pk}/history/",
        f"/admin/movement/award/{award.pk}/delete/",
    ]


def test_admin_pages_have_no_serious_axe_violations(live_server, staff, admin_pages, plan, browser):
    page = new_page(browser)
    log_in(page, live_server)
    found = []
    for path in admin_pages:
        page.goto(f"{live_server.url}{path}")
        found += violations(page, path)

    # The plan's inline with a new, empty task row.
    page.goto(f"{live_server.url}/admin/movement/workplan/{plan.pk}/change/")
    page.locator("#tasks-group .add-row a").click()
    found += violations(page, "plan change, a task row added")

    # The import preview, after a file is uploaded.
    page.goto(f"{live_server.url}/admin/movement/award/import/")
    row = [2016, "Cờ thi đua xuất sắc của Bộ Công an", "", "Cục XDPT", "", "1/QĐ"]
    upload = {"name": "khen-thuong.xlsx", "mimeType": "application/octet-stream"}
    page.locator("#id_import_file").set_input_files(
        files=[{**upload, "buffer": xlsx([HEADERS, row])}]
    )
    page.locator(".import-upload input[type=submit]").click()
    page.locator(".import-counts, .errorlist").first.wait_for()
    found += violations(page, "import preview")
    assert_none(found)


def test_an_award_is_recorded_from_the_keyboard_alone(
    live_server, campaign, department, flag_type, staff, browser
):
    page = new_page(browser)
    log_in(page, live_server)
    # Twice: with its scripts cached, the page gives its first focus before the autocomplete
    # boxes are built, to the select that is then hidden.
    page.goto(f"{live_server.url}/admin/movement/award/add/")
    page.goto(f"{live_server.url}/admin/movement/award/add/")

    def box(label: str):
        """The autocomplete box that a screen reader names by ``label`` (its field's label)."""
        return page.get_by_role("combobox", name=re.compile(f"^{label}"))

    def has_focus(locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")

    def tab_to(locator) -> None:
        """Tab until ``locator`` has focus, past the add/change links beside each box."""
        for _ in range(5):
            page.keyboard.press("Tab")
            if has_focus(locator):
                return
        pytest.fail(f"Tab never reached {locator}")

    def pick(text: str) -> None:
        """Open the focused autocomplete box, type, and take the first match with Enter."""
        page.keyboard.press("Enter")
        # As a person does, type once the box has opened and its search field has the focus:
        # keys pressed before that are lost on a slow page.
        from playwright.sync_api import expect

        expect(page.locator(".select2-container--open .select2-search__field")).to_be_focused()
        page.keyboard.type(text)
        page.locator(".select2-results__option--highlighted", has_text=text).wait_for()
        page.keyboard.press("Enter")

    # The first focus is the award type's box, not the select hidden behind it.
    box("Hình thức khen thưởng").wait_for()
    assert has_focus(box("Hình thức khen thưởng"))
    pick("Cờ thi đua xuất sắc")
    tab_to(page.locator("#id_year"))
    page.keyboard.type("2017")
    tab_to(box("Phong trào"))
    pick("Vì ANTQ")
    tab_to(box("Tập thể được khen"))
    pick("Cục XDPT")
    # Enter in a text field submits the form with its first button, "Save".
    page.locator("#id_year").press("Enter")

    page.wait_for_url(re.compile(r"/admin/movement/award/$"))
    assert page.locator(".messagelist .success").count() == 1
    row = page.locator("#result_list tbody tr").first.inner_text()
    assert "2017" in row
    assert flag_type.name in row
    assert campaign.name in row
