"""The public pages and the admin driven through a real Chromium, as a member of staff uses them.

Run with Debian's Chromium and Playwright for Python (see tests.browsers).
"""

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User

from movement.models import Award, Campaign, WorkPlan
from tests.browsers import chromium, require_chromium

pytestmark = [
    pytest.mark.browser,
    # The live server reads what the test writes, so each test commits; restoring the database
    # afterwards keeps the ranks the migrations seed for the tests that run later.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module", autouse=True)
def _chromium_available() -> None:
    # Checked first, before the database is set up for nothing.
    require_chromium()


@pytest.fixture
def browser() -> Iterator:
    """Chromium, started after the test's data is in place: list data fixtures before ``page``
    (see tests.browsers.chromium)."""
    with chromium() as started:
        yield started


@pytest.fixture
def page(browser) -> Iterator:
    # Vietnamese, as the staff read the pages; locators avoid the words so that they hold in
    # either language.
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("chanh-van-phong", password="mat-khau-thu-nghiem")


@pytest.fixture
def other_campaign(db) -> Campaign:
    return Campaign.objects.create(
        name="Phong trào “Công an nhân dân học tập, thực hiện Sáu điều Bác Hồ dạy”",
        slug="sau-dieu-bac-ho-day",
        kind=Campaign.Kind.MOVEMENT,
        start_year=2005,
    )


def choose(page, field: str, text: str) -> None:
    """Pick ``text`` in the admin's autocomplete (select2) for ``field``, as a user does."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_staff_find_a_campaign_record_an_award_and_download_it(
    live_server, campaign, other_campaign, department, flag_type, staff, page
):
    # From the home page to the campaign.
    page.goto(live_server.url)
    page.locator(f'a[href="{campaign.get_absolute_url()}"]').first.click()
    assert page.locator("h1").inner_text().startswith(campaign.name)

    # The list finds it from a name typed without diacritics, and only it.
    page.goto(f"{live_server.url}/campaigns/")
    page.locator("#id_q").fill("vi antq")
    page.locator("#id_q").press("Enter")
    page.wait_for_url(re.compile(r"q=vi\+antq"))
    results = page.locator("main table tbody tr")
    assert results.count() == 1
    assert campaign.name in results.first.inner_text()

    # An award recorded through the admin's add form…
    page.goto(f"{live_server.url}/admin/login/?next=/admin/movement/award/add/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill("mat-khau-thu-nghiem")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/movement/award/add/$"))
    choose(page, "award_type", "Cờ thi đua xuất sắc")
    page.locator("#id_year").fill("2017")
    choose(page, "campaign", "Vì ANTQ")
    choose(page, "recipient_unit", "Cục XDPT")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/movement/award/$"))
    assert page.locator(".messagelist .success").count() == 1

    # …shows on the campaign's page, under its type, linked to the unit…
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    awards = page.locator("section[aria-labelledby=awards-title]")
    assert "Cờ thi đua xuất sắc của Bộ Công an" in awards.inner_text()
    assert awards.locator(f'a[href="{department.get_absolute_url()}"]').count() == 1

    # …and in the Excel file of the campaign's awards.
    page.goto(f"{live_server.url}/awards/?campaign={campaign.slug}")
    with page.expect_download() as download:
        page.locator('a[href^="/awards/export.xlsx"]').click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    header, *rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert str(row["Năm"]) == "2017"
    assert row["Hình thức khen thưởng"] == "Cờ thi đua xuất sắc của Bộ Công an"
    assert row["Đơn vị nhận"] == department.name
    assert row["Phong trào"] == campaign.name


def test_the_filters_are_reached_with_the_keyboard(live_server, campaign, page):
    page.goto(f"{live_server.url}/campaigns/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    else:
        pytest.fail("Tab never reached the campaign filter")
    page.keyboard.type("vi antq")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=vi\+antq"))
    assert page.locator("main table tbody tr").count() == 1


PHONE_PAGES = [
    "/",
    "/campaigns/",
    "/campaigns/vi-antq-2017/",
    "/awards/",
    "/units/",
    "/units/cuc-xdpt/",
    "/people/nguyen-van-khao/",
    "/years/2017/",
]


@pytest.fixture
def flag_award(flag_type, department) -> Award:
    return Award.objects.create(award_type=flag_type, year=2017, recipient_unit=department)


def test_pages_fit_a_phone_without_sideways_scrolling(live_server, campaign, flag_award, page):
    page.set_viewport_size({"width": 360, "height": 740})
    too_wide, failed = {}, {}
    for path in PHONE_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        if response.status != 200:
            failed[path] = response.status
        # Wide tables scroll inside their own box; the page itself never does.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
    assert failed == {}
    assert too_wide == {}


@pytest.fixture
def plan(department) -> WorkPlan:
    return WorkPlan.objects.create(unit=department, year=2018)


def test_a_new_task_picks_a_work_area_typed_in_the_same_form(live_server, plan, staff, page):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/movement/workplan/{plan.pk}/change/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill("mat-khau-thu-nghiem")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(rf"/workplan/{plan.pk}/change/$"))

    page.locator("#areas-group .add-row a").click()
    page.locator("#id_areas-0-number").fill("3")
    page.locator("#id_areas-0-name").fill("Xây dựng lực lượng nòng cốt")
    page.locator("#tasks-group .add-row a").click()
    page.locator("#id_tasks-0-number").fill("1")
    page.locator("#id_tasks-0-title").fill("Tập huấn lực lượng nòng cốt")
    page.locator("#id_tasks-0-area").select_option(label="3. Xây dựng lực lượng nòng cốt")
    # Renumbered after it was picked: the task keeps its area.
    page.locator("#id_areas-0-number").fill("4")
    assert page.locator("#id_tasks-0-area").input_value() == "new:4"
    page.locator("input[name=_continue]").click()

    page.wait_for_url(re.compile(rf"/workplan/{plan.pk}/change/$"))
    assert page.locator(".messagelist .success").count() == 1
    chosen = page.locator("#id_tasks-0-area option:checked").inner_text()
    assert chosen == "4. Xây dựng lực lượng nòng cốt"


def sign_in(page, live_server, staff, next_url: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill("mat-khau-thu-nghiem")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(rf"{re.escape(next_url)}$"))


def test_the_admins_scripted_widgets_speak_vietnamese(live_server, staff, page):
    """The two-box chooser and the calendar are built by Django's scripts from its JavaScript
    catalogue, which a crawl of the HTML never reads."""
    sign_in(page, live_server, staff, "/admin/auth/group/add/")
    chooser = page.locator(".selector").inner_text()
    assert "Các quyền có thể chọn" in chooser and "Các quyền đã chọn" in chooser
    assert "Chọn tất cả quyền" in chooser and "Bỏ tất cả quyền" in chooser
    assert not re.search(r"Choose|Remove|Available|Chosen|cho phép", chooser), chooser

    page.goto(f"{live_server.url}/admin/movement/award/add/")
    page.locator("#calendarlink0").click()
    calendar = page.locator("#calendarbox0").inner_text()
    assert "CN" in calendar and "Hôm nay" in calendar
    assert not re.search(r"\b(Sun|Mon|Today|Cancel)\b", calendar), calendar


# -- The emulation year end to end (issue #16) ------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Where the run leaves screenshots of the proposal page and the to-do page, when set.
SCREENSHOTS = Path(os.environ["CYCLE_SCREENSHOTS"]) if os.environ.get("CYCLE_SCREENSHOTS") else None


@pytest.fixture
def cycle_world(division, person, campaign, flag_type):
    """A division's editor, the emulation office, the council's secretary and the approver;
    an officer of the division to propose and the titles to propose them for."""
    from django.contrib.auth.models import Group

    from movement.models import AwardType, Person, StaffProfile

    roles = {
        "bientap": ("Cán bộ đơn vị", division),
        "thidua": ("Cán bộ thi đua", None),
        "thuky": ("Thư ký hội đồng", None),
        "pheduyet": ("Người phê duyệt", None),
    }
    for username, (group, unit) in roles.items():
        user = User.objects.create_user(username, password="mat-khau-thu-nghiem", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if unit is not None:
            StaffProfile.objects.create(user=user, unit=unit)
    officer = Person.objects.create(full_name="Trần Thị Lan", slug="tran-thi-lan", unit=division)
    grassroots = AwardType.objects.create(
        name="Chiến sĩ thi đua cơ sở", category=AwardType.Category.TITLE, for_individuals=True
    )
    return {"officer": officer, "grassroots": grassroots, "division": division}


def signed_in(browser, live_server, username: str):
    """A browser of its own for ``username``, signed in: each role works in their own."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-thu-nghiem")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def open_from_todo(page, live_server, title: str) -> None:
    page.goto(f"{live_server.url}/admin/movement/proposal/todo/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/page/$"))


def take_step(page, name: str, comment: str = "") -> None:
    form = page.locator(f"form[action$='/step/{name}/']")
    if comment:
        form.locator("textarea").fill(comment)
    form.locator("button").click()
    page.wait_for_url(re.compile(r"/page/$"))


def test_the_emulation_year_from_registration_to_the_award(
    live_server, cycle_world, campaign, browser
):
    from tests.browsers import assert_none, violations
    from tests.spreadsheets import xlsx

    officer, division = cycle_world["officer"], cycle_world["division"]
    title = "Đề nghị khen thưởng năm 2017 của Phòng Tham mưu"
    found = []

    # The unit registers its officer's title from its spreadsheet: preview, then confirm.
    editor = signed_in(browser, live_server, "bientap")
    editor.goto(f"{live_server.url}/admin/movement/registration/import/")
    rows = [["Đơn vị", "Năm", "Họ và tên", "Danh hiệu đăng ký"]]
    rows.append([division.name, 2017, officer.full_name, "Chiến sĩ thi đua cơ sở"])
    editor.locator("#id_import_file").set_input_files(
        files=[
            {"name": "dang-ky.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx(rows)}
        ]
    )
    editor.locator(".import-upload input[type=submit]").click()
    editor.locator(".import-confirm input.default").click()
    editor.goto(f"{live_server.url}/admin/movement/registration/summary/?year=2017")
    assert "Chiến sĩ thi đua cơ sở" in editor.locator("#content-main").inner_text()

    # It proposes the officer, with the cover letter attached, and sends the proposal.
    editor.goto(f"{live_server.url}/admin/movement/proposal/add/")
    choose(editor, "unit", "Phòng Tham mưu")
    editor.locator("#id_year").fill("2017")
    choose(editor, "campaign", "Vì ANTQ")
    editor.locator("#id_title").fill(title)
    choose(editor, "lines-0-person", "Trần Thị Lan")
    choose(editor, "lines-0-award_type", "Chiến sĩ thi đua cơ sở")
    editor.locator("#id_lines-0-achievement").fill("Chủ trì chuyên án")
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/page/$"))
    editor.locator("#id_kind").select_option("submission")
    editor.locator("#id_file").set_input_files(
        files=[{"name": "to-trinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    editor.locator(".attach-form button").click()
    assert editor.get_by_role("link", name="to-trinh.pdf", exact=True).is_visible()
    take_step(editor, "send")

    # The emulation office finds it on its to-do list and returns it with a reason.
    office = signed_in(browser, live_server, "thidua")
    # The header's figure comes from its script once the page is drawn.
    office.locator(".todo-count", has_text="(1)").wait_for()
    office.goto(f"{live_server.url}/admin/movement/proposal/todo/")
    found += violations(office, "to-do page")
    if SCREENSHOTS:
        office.screenshot(path=str(SCREENSHOTS / "todo.png"), full_page=True)
    open_from_todo(office, live_server, title)
    take_step(office, "receive")
    take_step(office, "return", "Thiếu báo cáo thành tích")

    # The unit fixes it and sends it again.
    open_from_todo(editor, live_server, title)
    assert "Thiếu báo cáo thành tích" in editor.locator(".proposal-log").inner_text()
    editor.locator("#id_kind").select_option("achievements")
    editor.locator("#id_file").set_input_files(
        files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    editor.locator(".attach-form button").click()
    take_step(editor, "send")

    # The office accepts it and puts it to the council.
    open_from_todo(office, live_server, title)
    take_step(office, "receive")
    take_step(office, "accept")
    take_step(office, "submit")

    # The council's secretary records the vote.
    secretary = signed_in(browser, live_server, "thuky")
    open_from_todo(secretary, live_server, title)
    secretary.locator("a[href$='/vote/']").click()
    secretary.locator("#id_held_on").fill("15/12/2017")
    secretary.locator("#id_members").fill("9")
    secretary.locator("#id_present").fill("9")
    secretary.locator("input[id^=id_votes_]").first.fill("8")
    secretary.locator("#content-main form button[type=submit]").click()
    secretary.wait_for_url(re.compile(r"/page/$"))

    # The approver records the decision, and the award is given.
    approver = signed_in(browser, live_server, "pheduyet")
    open_from_todo(approver, live_server, title)
    found += violations(approver, "proposal page")
    if SCREENSHOTS:
        approver.screenshot(path=str(SCREENSHOTS / "proposal.png"), full_page=True)
    approver.locator("a[href$='/decide/']").click()
    approver.locator("#id_number").fill("1234/QĐ-BCA")
    approver.locator("#id_date").fill("20/12/2017")
    approver.locator("#id_issuer").fill("Bộ Công an")
    approver.locator("#content-main form button[type=submit]").click()
    approver.wait_for_url(re.compile(r"/page/$"))
    assert "đã có quyết định" in approver.locator(".proposal-state").inner_text()
    log = approver.locator(".proposal-log li")
    assert log.count() == 9

    # The award is on the officer's page and on the campaign's.
    for url in [officer.get_absolute_url(), campaign.get_absolute_url()]:
        approver.goto(f"{live_server.url}{url}")
        assert "1234/QĐ-BCA" in approver.locator("main").inner_text(), url
    assert_none(found)
