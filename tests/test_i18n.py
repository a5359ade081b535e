"""Vietnamese on every page, whatever the browser asks.

Government PCs often run an English browser: the app answers in Vietnamese all the same, and in
English only to a person who picked it. The crawl below reads every kind of admin and public page
as such a browser (Accept-Language: en-US, no language cookie) and looks for English in what a
person sees or hears: the text, and the ``title``, ``aria-label``, ``placeholder``, ``alt`` and
button values.
"""

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from movement.models import Award, Unit
from tests.factories import EXPORT_FIELDS, award_row
from tests.spreadsheets import xlsx

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}

# Words of the stock English interfaces (Django's admin, import-export, simple-history, axes,
# django-tasks) that no Vietnamese page should show. Chosen not to collide with Vietnamese words
# written without marks.
ENGLISH = re.compile(
    r"\b(?:Please|Change|Changed|Add|Added|Delete|Deleted|History|Save|Search|Filter|Choose|"
    r"Key|Format|Created|Toggle|Skip|User Agent|IP Address|Password|descending|ascending|"
    r"View|Select|Selected|Show|Hide|Enqueued|Task name|Priority|Status|Model name|Log out|"
    r"Welcome|Revert|Action|Clear|Today|Previous|Next|Import|Export|Submit|Confirm|Cancel|"
    r"Download|Upload|Close|Error|Required|Results|Total|Unknown|Date|Name|Username|"
    r"Permissions|Active|Superuser|Last login|Attempt|Failures|Login|Home|Apply|Queue|"
    r"Backend|Result|Exception|Traceback|Ready|Running|Succeeded|Failed|Finished|Started|"
    r"Successful|Object|Reason|Comment|Recent|Remove|Available|Edit|Loading|Sort|Path|"
    r"Language|Author|Title|Version|Changes|Field|Value|Summary|Preview|Rows?|Columns?|None|"
    r"Historical|Movement|relationships?|models)\b",
    re.IGNORECASE,
)
# Names of records that the packages spell in English, and data: django-axes names its records
# itself ("Attempted Access: <time>"), Django names a record of a model that gives none
# ("Group_permissions object (3)");
# "<unknown>" is the user agent of a request that sent none; a task is named by its dotted path.
ALLOWED = re.compile(
    r"Attempted Access: \S+ \S+|Access Log for \S+ @ \S+ \S+"
    r"|Failed access: user \S+( locked out)? on \S+ \S+ from \S+"
    r"|\w+ object \([\w-]+\)|<unknown>"
    r"|\b\w+(\.\w+)+\b"
)

# Attributes a person reads or a screen reader speaks.
SPOKEN = {"title", "aria-label", "placeholder", "alt"}


class Speech(HTMLParser):
    """What a page says to a person: its text and spoken attributes, without scripts or styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.said: list[str] = []
        self.links: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in {"script", "style"}:
            self.silent += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self.said += [attributes[name] for name in SPOKEN if attributes.get(name)]
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
            self.said.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.silent -= 1

    def handle_data(self, data: str) -> None:
        if not self.silent and data.strip():
            self.said.append(" ".join(data.split()))


def heard(html: str) -> Speech:
    speech = Speech()
    speech.feed(html)
    return speech


def english_in(said: list[str]) -> list[str]:
    return sorted(
        {
            text
            for text in said
            if ENGLISH.search(ALLOWED.sub("", text)) or ISO_DATE.search(ALLOWED.sub("", text))
        }
    )


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Downloads and language switches are not pages.
NOT_PAGES = re.compile(r"\.(xlsx|csv)$|/download/|/i18n/|/static/|/logout/|/template/|^/admin/r/")


def shape(path: str) -> str:
    """One URL per kind of page: record ids and public slugs stand for any."""
    if path.startswith("/admin/"):
        return re.sub(r"/\d+(?=/)", "/N", path)
    first, *rest = path.strip("/").split("/")
    return "/".join(["", first, *["*" for _ in rest], ""])


def crawl(client: Client, starts: list[str]) -> dict[str, list[str]]:
    """Each kind of page reachable from ``starts`` by links: its first URL, the English on it."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or NOT_PAGES.search(parts.path) or shape(parts.path) in seen:
            continue
        seen.add(shape(parts.path))
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            found[url] = [] if response.status_code == 200 else [f"HTTP {response.status_code}"]
            continue
        speech = heard(response.content.decode())
        found[url] = english_in(speech.said)
        queue += [
            link
            for link in speech.links
            if urlsplit(link).path.startswith("/") and not urlsplit(link).netloc
        ]
    return found


@pytest.fixture
def report(db) -> None:
    call_command("loaddata", "report", verbosity=0)


@pytest.fixture
def english_browser() -> Client:
    return Client(headers=ENGLISH_BROWSER)


@pytest.fixture
def staff(english_browser, admin_user) -> Client:
    english_browser.force_login(admin_user)
    return english_browser


@pytest.fixture
def pages(staff, report, settings) -> list[str]:
    """Pages a link crawl does not reach by itself: a record changed and one deleted (history,
    deleted records), a refused form, an import preview, an export job, login failures."""
    settings.EXPORT_BACKGROUND_ROWS = 0
    award = Award.objects.first()
    for day in (15, 16):
        award.decision_date = datetime.date(2017, 12, day)
        award.save()
    Award.objects.exclude(pk=award.pk).last().delete()
    version = award.history.earliest()
    AccessAttempt.objects.create(
        username="khach", ip_address="10.0.0.1", user_agent="Mozilla", failures_since_start=2
    )
    AccessLog.objects.create(username="khach", ip_address="10.0.0.1", user_agent="Mozilla")
    AccessFailureLog.objects.create(
        username="khach", ip_address="10.0.0.1", user_agent="Mozilla", locked_out=False
    )
    export = staff.post(
        reverse("admin:movement_award_export"), {"format": "0", "resource": "0", **EXPORT_FIELDS}
    )
    assert export.status_code == 302
    return [
        reverse("admin:index"),
        reverse("admin:movement_award_history", args=[award.pk]),
        reverse("admin:movement_award_simple_history", args=[award.pk, version.history_id]),
        export.url,
        "/",
    ]


def posted(client: Client) -> dict[str, list[str]]:
    """Pages that answer a POST: a refused add form and an import preview."""
    refused = client.post(reverse("admin:movement_award_add"), {})
    unit = Unit.objects.order_by("pk").first()
    preview = client.post(
        reverse("admin:movement_award_import"),
        {"import_file": SimpleUploadedFile("khen-thuong.xlsx", xlsx(rows(unit)))},
    )
    return {
        "POST award add (refused)": english_in(heard(refused.content.decode()).said),
        "POST award import (preview)": english_in(heard(preview.content.decode()).said),
    }


def rows(unit: Unit) -> list[list]:
    row = award_row(unit, year=2016)
    return [list(row), list(row.values())]


def test_an_english_browser_gets_every_page_in_vietnamese(staff, english_browser, pages):
    found = crawl(staff, pages)
    found |= posted(staff)
    staff.logout()
    found |= {f"{url} (signed out)": said for url, said in crawl(english_browser, ["/"]).items()}
    found["/admin/login/"] = english_in(
        heard(english_browser.get(reverse("admin:login")).content.decode()).said
    )
    english = {url: said for url, said in found.items() if said}
    # Every kind of page was read: the admin's lists, forms, histories, imports, exports, jobs,
    # users, login records and task results, and the public pages.
    assert len(found) >= 130, sorted(found)
    assert not english, "\n".join(f"{url}: {said}" for url, said in english.items())


def test_english_only_for_a_person_who_picks_it(english_browser, db):
    assert heard(english_browser.get("/").content.decode()).said[0] != "Skip to content"
    assert english_browser.get("/")["Content-Language"] == "vi"
    english_browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert english_browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert english_browser.get("/")["Content-Language"] == "en"


def test_the_admin_header_offers_the_language_switch(staff, db):
    page = staff.get(reverse("admin:index")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en" lang="en" aria-pressed="false">English</button>' in page
    staff.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert ">Site administration<" in staff.get(reverse("admin:index")).content.decode()


# -- Dates and numbers as Vietnamese write them ----------------------------------------------


def test_a_history_shows_changed_dates_as_dd_mm_yyyy(staff, award):
    for day in (15, 16):
        award.decision_date = datetime.date(2017, 12, day)
        award.save()
    page = staff.get(reverse("admin:movement_award_history", args=[award.pk])).content.decode()
    assert "15/12/2017 &rarr; 16/12/2017" in page
    assert "— &rarr; 15/12/2017" in page


def test_the_import_page_groups_its_limits_in_thousands(staff, settings, db):
    settings.IMPORT_MAX_ROWS = 50_000
    settings.IMPORT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    page = staff.get(reverse("admin:movement_award_import")).content.decode()
    assert "10 MB" in page and "50.000 dòng" in page


def test_an_export_job_groups_its_row_counts(staff, settings, award):
    settings.EXPORT_BACKGROUND_ROWS = 0
    ExportJob = award._meta.apps.get_model("movement", "ExportJob")
    response = staff.post(
        reverse("admin:movement_award_export"), {"format": "0", "resource": "0", **EXPORT_FIELDS}
    )
    ExportJob.objects.update(rows_done=1500, rows_total=6500)
    page = staff.get(response.url).content.decode()
    assert "1.500" in page and "6.500" in page


# -- The export form ---------------------------------------------------------------------------


def test_the_export_form_names_columns_by_their_headers_and_chooses_excel(staff, db):
    form = staff.get(reverse("admin:movement_award_export")).context["form"]
    labels = [field.label for name, field in form.fields.items() if name.startswith("award")]
    assert labels[:2] == ["Mã", "Năm"]
    assert form["format"].value() == "0"
    assert form.fields["format"].choices[1][1] == "xlsx"


# -- File names that say what they hold ------------------------------------------------------


@pytest.fixture
def award(division, flag_type) -> Award:
    return Award.objects.create(award_type=flag_type, year=2016, recipient_unit=division)


def attachment(response) -> str:
    return response["Content-Disposition"].split("filename=")[1].strip('"')


@pytest.mark.parametrize(("fmt", "extension"), [("0", "xlsx"), ("1", "csv")])
def test_an_admin_export_is_named_after_its_records_and_filters(
    staff, award, division, fmt, extension
):
    query = f"?year=2016&unit={division.pk}"
    response = staff.post(
        reverse("admin:movement_award_export") + query,
        {"format": fmt, "resource": "0", **EXPORT_FIELDS},
    )
    assert attachment(response) == f"khen-thuong-2016-phong-tham-muu.{extension}"


def test_an_unfiltered_export_is_named_after_its_records(staff, award):
    response = staff.post(
        reverse("admin:movement_award_export"), {"format": "0", "resource": "0", **EXPORT_FIELDS}
    )
    assert attachment(response) == "khen-thuong.xlsx"


def test_a_background_export_is_named_after_its_filters_too(staff, settings, award, flag_type):
    settings.EXPORT_BACKGROUND_ROWS = 0
    query = f"?year=2016&award_type__id__exact={flag_type.pk}"
    staff.post(
        reverse("admin:movement_award_export") + query,
        {"format": "0", "resource": "0", **EXPORT_FIELDS},
    )
    job = award._meta.apps.get_model("movement", "ExportJob").objects.get()
    assert job.file_name == "khen-thuong-2016-co-thi-dua-xuat-sac-cua-bo-cong-an.xlsx"


def test_a_public_export_is_named_after_its_filters(english_browser, award):
    response = english_browser.get(
        reverse("movement:award_export", kwargs={"fmt": "csv"}),
        {"year": 2016, "unit": "phong-tham-muu"},
    )
    assert attachment(response) == "khen-thuong-2016-phong-tham-muu.csv"


def test_a_file_name_holds_no_mark_and_no_unsafe_character(staff, award, division):
    response = staff.post(
        reverse("admin:movement_award_export") + '?q=Đội "Tham/mưu"',
        {"format": "1", "resource": "0", **EXPORT_FIELDS},
    )
    assert attachment(response) == "khen-thuong-doi-thammuu.csv"
