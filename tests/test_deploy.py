"""Production settings: `check --deploy` has nothing to say, the content security policy holds on
every page, every cookie is as guarded as the session's, and gunicorn with WhiteNoise serves the
app as the README says. (Failed logins are throttled: tests/test_accounts.py.)"""

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from movement.models import Award, Task, WorkPlan
from tests.browsers import chromium, require_chromium

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "thidua.example.vn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://thidua.example.vn",
}


def run(*command: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - this interpreter and this project's own commands
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def test_check_deploy_has_nothing_to_say_with_production_settings():
    done = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "System check identified no issues (0 silenced).\n"


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    done = run("manage.py", "check", env=env)
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in done.stderr


# -- The content security policy ----------------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects what a strict content security policy refuses in a page's HTML: inline scripts,
    event handler attributes, style attributes and elements, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []
        self.open_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.refused.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.refused.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.refused.append("<style>")
        # A data block (json_script) is not run, so the policy has nothing to refuse.
        runs = attributes.get("type") != "application/json"
        if tag == "script" and not attributes.get("src") and runs:
            self.open_script = tag

    def handle_data(self, data: str) -> None:
        if self.open_script and data.strip():
            self.refused.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.open_script = None


@pytest.fixture
def site(admin_user, department, division, person, flag_type, campaign, event) -> dict:
    award = Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)
    award.note = "Sửa"
    award.save()
    plan = WorkPlan.objects.create(unit=department, year=2017, campaign=campaign)
    task = Task.objects.create(plan=plan, number=1, title="Tổng kết")
    history = award.history.earliest()
    return {
        "public": [
            reverse("movement:home"),
            reverse("movement:campaign_list"),
            campaign.get_absolute_url(),
            reverse("movement:award_list"),
            reverse("movement:unit_list"),
            department.get_absolute_url(),
            person.get_absolute_url(),
            reverse("movement:year_detail", args=[2017]),
        ],
        "admin": [
            reverse("admin:index"),
            reverse("admin:movement_award_changelist"),
            reverse("admin:movement_award_add"),
            reverse("admin:movement_award_change", args=[award.pk]),
            reverse("admin:movement_award_delete", args=[award.pk]),
            reverse("admin:movement_award_history", args=[award.pk]),
            reverse("admin:movement_award_simple_history", args=[award.pk, history.history_id]),
            reverse("admin:movement_award_deleted"),
            reverse("admin:movement_award_import"),
            reverse("admin:movement_award_export"),
            reverse("admin:movement_workplan_change", args=[plan.pk]),
            reverse("admin:movement_task_change", args=[task.pk]),
            reverse("admin:movement_event_change", args=[event.pk]),
            reverse("admin:auth_user_change", args=[admin_user.pk]),
            reverse("admin:auth_user_add"),
            reverse("admin:password_change"),
        ],
    }


def test_every_page_carries_the_content_security_policy(admin_client, site):
    for url in site["public"] + site["admin"]:
        policy = admin_client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy


def test_no_page_holds_what_the_policy_refuses(client, admin_client, site):
    pages = [(client, url) for url in site["public"]] + [
        (admin_client, url) for url in site["public"] + site["admin"]
    ]
    pages.append((client, reverse("admin:login")))
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.refused == [], url


# -- gunicorn and WhiteNoise, as in the README ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(
    url: str, headers: dict[str, str] | None = None, data: dict[str, str] | None = None
) -> tuple[int, Message, bytes]:
    """GET ``url``, or POST ``data`` to it; the status, the headers and the body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, body, headers=headers or {})  # noqa: S310 - a local server
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


def production(test):
    """A test of the one server, started once: on one worker when the suite runs in parallel,
    and in the SQLite run only, since the server keeps its records in a SQLite file of its own."""
    return pytest.mark.own_sqlite(pytest.mark.xdist_group("production_server")(test))


@pytest.fixture(scope="module")
def production_server(tmp_path_factory) -> Iterator[str]:
    """gunicorn serving the app with DEBUG off behind a TLS proxy, as the README deploys it."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        **PRODUCTION,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
    }
    for command in [["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]]:
        done = run("manage.py", *command, env=env)
        assert done.returncode == 0, done.stderr
    port = free_port()
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(  # noqa: S603 - this project's documented command
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


HTTPS = {"X-Forwarded-Proto": "https"}


@production
def test_plain_http_is_sent_to_https(production_server):
    status, headers, _body = fetch(production_server + "/")
    assert status == 301
    assert headers["Location"].startswith("https://127.0.0.1")


@production
def test_the_production_server_sends_the_security_headers(production_server):
    status, headers, _body = fetch(production_server + "/admin/login/", HTTPS)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert re.search(r"csrftoken=[^;]+;.*Secure", headers["Set-Cookie"])


@production
def test_the_language_cookie_is_guarded_like_the_session_cookie(production_server):
    _status, headers, body = fetch(production_server + "/", HTTPS)
    [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())
    [csrf_cookie] = re.findall(r"csrftoken=[^;]+", headers["Set-Cookie"])
    origin = production_server.replace("http://", "https://")
    status, headers, _body = fetch(
        production_server + "/i18n/setlang/",
        {**HTTPS, "Cookie": csrf_cookie, "Referer": origin + "/"},
        {"language": "en", "next": "/", "csrfmiddlewaretoken": token},
    )
    assert status == 302
    [language] = [c for c in headers.get_all("Set-Cookie") if c.startswith("django_language=en")]
    attributes = {part.strip().lower() for part in language.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= attributes


@production
def test_whitenoise_serves_the_hashed_static_files_compressed(production_server):
    _status, _headers, body = fetch(production_server + "/", HTTPS)
    [stylesheet] = re.findall(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body.decode())
    status, headers, _css = fetch(
        production_server + stylesheet, {**HTTPS, "Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


# -- The policy in a real browser -----------------------------------------------------------------

# Each page keeps the violations the browser reports, read back after it has loaded.
VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.lineNumber}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chromium_reports_no_policy_violation(live_server, site):
    require_chromium()
    admin = User.objects.get(username="admin")
    admin.set_password("mat-khau-quan-tri")
    admin.save()
    found = {}
    with chromium() as browser:
        page = browser.new_page()
        page.add_init_script(VIOLATIONS)
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", "admin")
        page.fill("#id_password", "mat-khau-quan-tri")
        page.click("[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))
        for url in site["public"] + site["admin"]:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.cspViolations")
            if violations:
                found[url] = violations
    assert found == {}


# -- make run -------------------------------------------------------------------------------


def make_run_environment() -> dict[str, str]:
    """The variables `make run` sets for its server, read from its commands (make -n)."""
    done = subprocess.run(
        ["make", "-n", "run"],  # noqa: S607 - the project's own Makefile
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if "collectstatic" in line)
    env = {}
    for word in shlex.split(line):
        name, equals, value = word.partition("=")
        if not equals:
            break
        env[name] = value
    return env


@pytest.mark.own_sqlite
def test_make_run_serves_the_apps_own_error_pages_over_plain_http(tmp_path):
    env = make_run_environment()
    assert env["DJANGO_DEBUG"] == "0"
    env |= {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    for command in [["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]]:
        done = run("manage.py", *command, env=env)
        assert done.returncode == 0, done.stderr
    port = free_port()
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(  # noqa: S603 - the command Procfile.dev runs
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                fetch(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        # An unknown unit: the app's page, not Django's technical one listing every URL.
        status, _headers, body = fetch(base + "/units/khong-co-don-vi-nay/")
        assert status == 404
        assert b"DEBUG = True" not in body
        assert b'class="site-header"' in body
        # Plain HTTP on this machine: no redirect to HTTPS, a sign-in form whose cookie the
        # browser sends back, and the admin's styles.
        status, headers, body = fetch(base + "/admin/login/")
        assert status == 200
        assert "secure" not in headers["Set-Cookie"].lower()
        stylesheet = re.search(rb'href="(/static/css/admin\.[0-9a-f]+\.css)"', body)
        assert stylesheet
        assert fetch(base + stylesheet.group(1).decode())[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
