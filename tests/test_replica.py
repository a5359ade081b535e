"""Reads on a streaming replica (config/replica.py): which database each read goes to.

Here the "replica" is a second connection to the test database (conftest.py), so these run on
SQLite too; the data is committed (transactional tests) for that connection to see it. The same
scenarios on a real PostgreSQL replica: ``benchmarks/replica_check.sh`` (tests at the end).
"""

import os
import re
import runpy
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from multidb.pinning import pin_this_thread, this_thread_is_pinned, unpin_this_thread

from config import replica
from config.replica import REPLICA_DB_ALIAS, fresh_replica_reads, replica_routed
from movement.models import Award, ExportJob, Unit
from tests.factories import award_form, member

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS]
)


@pytest.fixture
def routed(settings) -> Iterator[None]:
    """The router and its middleware installed, as DATABASE_REPLICA_URL installs them. Ask for
    it after the test's data: a write pins the thread that made it, a fixture's too."""
    settings.DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    if "config.replica.PinningMiddleware" not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[:at],
            "config.replica.PinningMiddleware",
            *settings.MIDDLEWARE[at:],
        ]
    replica.forget_replica_health()
    if settings.DATABASE_REPLICA_URL and replica.replica_lag() is not None:
        # A real replica: wait until it holds the test's data, committed a moment ago.
        assert replica.replica_caught_up(timeout=10)
    unpin_this_thread()
    yield
    unpin_this_thread()
    replica.forget_replica_health()


@pytest.fixture
def lag(monkeypatch, settings) -> dict[str, float | None]:
    """The replica's lag as measured, set by the test (None: it does not answer)."""
    measured: dict[str, float | None] = {"seconds": 0.0}
    monkeypatch.setattr(replica, "replica_lag", lambda: measured["seconds"])
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0  # measured at every read
    return measured


@pytest.fixture
def award(campaign, department, flag_type) -> Award:
    return Award.objects.create(
        award_type=flag_type, year=2017, recipient_unit=department, campaign=campaign
    )


def go_down(monkeypatch) -> None:
    """The replica stops answering, as a server that is down or unreachable does."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5433 failed")

    for method in ("cursor", "chunked_cursor"):
        monkeypatch.setattr(connections[REPLICA_DB_ALIAS], method, refuse)


@pytest.fixture
def replica_down(monkeypatch) -> None:
    go_down(monkeypatch)


class Queries:
    """The queries each database ran inside a ``with``."""

    def __enter__(self) -> "Queries":
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA_DB_ALIAS]).__enter__()
        return self

    def __exit__(self, *error) -> None:
        self.replica.__exit__(*error)
        self.primary.__exit__(*error)
        # Kept: the next request empties the connections' query logs.
        self.on = {
            DEFAULT_DB_ALIAS: list(self.primary.captured_queries),
            REPLICA_DB_ALIAS: list(self.replica.captured_queries),
        }

    def on_primary(self, table: str) -> bool:
        return any(table in query["sql"] for query in self.on[DEFAULT_DB_ALIAS])

    def on_replica(self, table: str) -> bool:
        return any(table in query["sql"] for query in self.on[REPLICA_DB_ALIAS])


@pytest.mark.skipif(bool(settings.DATABASE_REPLICA_URL), reason="DATABASE_REPLICA_URL is set")
def test_without_a_replica_url_nothing_is_routed() -> None:
    assert not replica_routed()
    assert router.db_for_read(Award) == DEFAULT_DB_ALIAS


def test_the_replica_url_installs_the_router_and_the_pin(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.example.vn:5432/thidua")
    monkeypatch.setenv("DATABASE_REPLICA_MAX_LAG_SECONDS", "5")
    configured = runpy.run_path("config/settings.py")
    assert configured["DATABASES"]["replica"]["HOST"] == "replica.example.vn"
    assert configured["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert configured["DATABASE_ROUTERS"] == ["config.replica.ReplicaRouter"]
    middleware = configured["MIDDLEWARE"]
    assert middleware.index("config.replica.PinningMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    # The pin outlasts the lag allowed plus one measure's age (2 s).
    assert configured["MULTIDB_PINNING_SECONDS"] == 7


def test_an_anonymous_visitor_reads_the_public_pages_on_the_replica(
    routed, lag, client, award, department
) -> None:
    for url in (
        reverse("movement:home"),  # its years: raw SQL
        reverse("movement:award_list"),
        department.get_absolute_url(),
        reverse("movement:award_export", kwargs={"fmt": "csv"}),
    ):
        with Queries() as queries:
            response = client.get(url)
            response.getvalue()  # a CSV streams: read it all inside
        assert response.status_code == 200, url
        assert queries.on_replica("movement_award"), url
        assert not queries.on_primary("movement_award"), url
        assert "primary_pin" not in response.cookies


def test_writes_go_to_the_primary_and_pin_the_thread(department, routed, lag) -> None:
    assert router.db_for_read(Unit) == REPLICA_DB_ALIAS
    assert router.db_for_write(Unit) == DEFAULT_DB_ALIAS
    # Read in the same request after the write: from the primary, which holds it.
    assert this_thread_is_pinned()
    assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS


def test_records_read_right_after_their_write_stay_on_the_primary(routed, lag) -> None:
    for model in (Session, User, ExportJob):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS
        router.db_for_write(model)
    # Writing them pins nothing: their reads are on the primary anyway.
    assert not this_thread_is_pinned()


def test_a_read_inside_a_transaction_is_on_the_primary(routed, lag) -> None:
    with transaction.atomic():
        assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Unit) == REPLICA_DB_ALIAS


def test_a_writer_reads_their_edit_on_the_primary_until_the_pin_ends(
    routed, lag, client, settings, award
) -> None:
    client.force_login(member("officer"))
    response = client.post(
        reverse("admin:movement_award_change", args=[award.pk]),
        award_form(award, decision_number="77/QĐ-BCA"),
    )
    assert response.status_code == 302
    pin = response.cookies["primary_pin"]
    assert pin["max-age"] == settings.MULTIDB_PINNING_SECONDS
    assert pin["httponly"]

    with Queries() as queries:
        assert client.get(reverse("movement:award_list")).status_code == 200
    assert queries.on_primary("movement_award")
    assert not queries.on_replica("movement_award")


def test_a_get_that_writes_sets_the_pin(routed, lag, rf, department) -> None:
    middleware = replica.PinningMiddleware(lambda request: None)
    request = rf.get("/units/")
    middleware.process_request(request)
    Unit.objects.filter(pk=department.pk).update(short_name="Cục XDPT")
    response = middleware.process_response(request, HttpResponse())
    assert "primary_pin" in response.cookies


def test_a_new_request_without_the_pin_reads_the_replica_again(routed, lag, rf) -> None:
    pin_this_thread()  # left by the thread's last request, which wrote
    replica.PinningMiddleware(lambda request: None).process_request(rf.get("/units/"))
    assert router.db_for_read(Unit) == REPLICA_DB_ALIAS


def test_the_admin_reads_the_primary(routed, lag, client, award) -> None:
    client.force_login(member("officer"))
    with Queries() as queries:
        assert client.get(reverse("admin:movement_award_changelist")).status_code == 200
    assert queries.on_primary("movement_award")
    assert not queries.on_replica("movement_award")


def test_a_replica_too_far_behind_is_passed_over(award, client, settings, routed, lag) -> None:
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 10
    lag["seconds"] = 10.0
    assert router.db_for_read(Unit) == REPLICA_DB_ALIAS
    lag["seconds"] = 10.5
    assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS
    lag["seconds"] = None  # not answering
    with Queries() as queries:
        assert client.get(reverse("movement:award_list")).status_code == 200
    assert queries.on_primary("movement_award")


def test_the_lag_is_measured_at_most_every_few_seconds(routed, monkeypatch, settings) -> None:
    measures = []
    monkeypatch.setattr(replica, "replica_lag", lambda: measures.append(1) or 0.0)
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    for _ in range(5):
        router.db_for_read(Unit)
    assert len(measures) == 1


def test_a_replica_down_is_measured_as_such(routed, replica_down) -> None:
    assert replica.replica_lag() is None
    assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS


@pytest.fixture
def measured_through_its_connection(monkeypatch, settings) -> None:
    """The test mirror measured as a replica that answers: up while its connection answers.
    (Measured for real, a PostgreSQL mirror is no replica: it is not in recovery.)"""
    if settings.DATABASE_REPLICA_URL:
        return  # a real replica (benchmarks/replica_check.sh) is measured as it is

    def lag() -> float | None:
        try:
            with connections[REPLICA_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT 1")
        except OperationalError:
            return None
        return 0.0

    monkeypatch.setattr(replica, "replica_lag", lag)


def test_a_page_whose_replica_fails_mid_request_is_answered_from_the_primary(
    award, client, settings, routed, monkeypatch, measured_through_its_connection
) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    assert replica.replica_usable()  # measured up a moment ago, then it goes down
    go_down(monkeypatch)
    with Queries() as queries:
        response = client.get(reverse("movement:award_list"))
    assert response.status_code == 200
    assert award.campaign.name in response.content.decode()
    assert queries.on_primary("movement_award")
    assert not replica.replica_usable()


def test_an_error_the_replica_answers_for_is_not_retried(routed, lag, client, monkeypatch) -> None:
    # A query failing on a replica measured healthy is the query's fault, not the replica's.
    go_down(monkeypatch)
    client.raise_request_exception = False
    assert client.get(reverse("movement:award_list")).status_code == 500


def test_a_background_export_reads_the_replica_only_once_it_holds_every_earlier_write(
    routed, monkeypatch
) -> None:
    caught_up = {"value": True}
    monkeypatch.setattr(replica, "replica_caught_up", lambda timeout: caught_up["value"])
    with fresh_replica_reads() as alias:
        assert alias == REPLICA_DB_ALIAS
        assert not this_thread_is_pinned()
    caught_up["value"] = False
    with fresh_replica_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert this_thread_is_pinned()
    assert not this_thread_is_pinned()
    caught_up["value"] = True
    with transaction.atomic(), fresh_replica_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS


# -- On a real replica: benchmarks/replica_check.sh starts one and runs these. -------------------

live = pytest.mark.skipif(
    not settings.DATABASE_REPLICA_URL,
    reason="needs a streaming replica: benchmarks/replica_check.sh",
)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def on_replica(sql: str) -> object:
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def public_urls(award: Award, person) -> list[str]:
    return [
        reverse("movement:home"),
        reverse("movement:campaign_list"),
        award.campaign.get_absolute_url(),
        reverse("movement:campaign_export", kwargs={"fmt": "csv"}),
        reverse("movement:award_list"),
        reverse("movement:award_list") + "?q=Cục",
        reverse("movement:award_export", kwargs={"fmt": "csv"}),
        reverse("movement:award_export", kwargs={"fmt": "xlsx"}),
        reverse("movement:unit_list"),
        award.recipient_unit.get_absolute_url(),
        reverse("movement:unit_suggestions") + "?q=Cục",
        reverse("movement:person_list"),
        person.get_absolute_url(),
        reverse("movement:year_detail", args=[2017]),
    ]


def body(response) -> bytes:
    return CSRF_TOKEN.sub("", response.getvalue().decode(errors="replace")).encode()


@live
def test_live_every_public_page_reads_the_replica_and_shows_what_the_primary_shows(
    award, person, client, routed
) -> None:
    pinned = Client()
    pinned.cookies["primary_pin"] = "y"
    for url in public_urls(award, person):
        with Queries() as queries:
            response = client.get(url)
            content = body(response)
        assert response.status_code == 200, url
        replica_reads, primary_reads = queries.on[REPLICA_DB_ALIAS], queries.on[DEFAULT_DB_ALIAS]
        assert replica_reads, url
        # On the primary no record: at most the lag's measure and the download count (the cache,
        # read where it is written).
        records = [
            q for q in primary_reads if "movement_" in q["sql"] and "movement_cache" not in q["sql"]
        ]
        assert not records, url
        if not url.endswith(".xlsx"):  # a workbook holds the time it was written
            assert content == body(pinned.get(url)), url
        print(f"  {url}: {len(replica_reads)} queries on the replica, {len(primary_reads)} primary")


@live
def test_live_a_writer_sees_their_edit_while_the_replica_lags(
    award, department, client, settings, routed
) -> None:
    writer = Client()
    writer.force_login(member("officer"))
    unpin_this_thread()
    page = department.get_absolute_url()
    on_replica("SELECT pg_wal_replay_pause()")
    try:
        response = writer.post(
            reverse("admin:movement_award_change", args=[award.pk]),
            award_form(award, decision_number="77/QĐ-BCA"),
        )
        assert response.status_code == 302
        assert "primary_pin" in writer.cookies
        time.sleep(0.5)
        print(f"  replay paused; the replica is {replica.replica_lag():.2f} s behind")

        with Queries() as queries:
            seen = writer.get(page)
        assert "77/QĐ-BCA" in seen.content.decode()
        assert not queries.on_replica("movement_award")
        print("  the writer (pinned by the cookie) reads the primary and sees 77/QĐ-BCA")

        with Queries() as queries:
            seen = client.get(page)
        assert seen.status_code == 200
        assert queries.on_replica("movement_award")
        assert "77/QĐ-BCA" not in seen.content.decode()
        print("  an anonymous reader reads the replica, 200, not yet the edit (within the lag)")

        settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
        settings.DATABASE_REPLICA_CHECK_SECONDS = 0
        time.sleep(1.5)
        with Queries() as queries:
            seen = client.get(page)
        assert seen.status_code == 200
        assert not queries.on_replica("movement_award")
        assert "77/QĐ-BCA" in seen.content.decode()
        print(
            f"  {replica.replica_lag():.2f} s behind > 1 s allowed: the anonymous reader is"
            " served from the primary, 200, with the edit"
        )
    finally:
        on_replica("SELECT pg_wal_replay_resume()")
    assert replica.replica_caught_up(timeout=10)
    with Queries() as queries:
        seen = client.get(page)
    assert queries.on_replica("movement_award")
    assert "77/QĐ-BCA" in seen.content.decode()
    print("  replay resumed: the anonymous reader reads the replica again, with the edit")


@pytest.mark.skipif(
    os.environ.get("REPLICA_DOWN") != "1",
    reason="replica_check.sh runs it with the replica stopped",
)
def test_live_the_public_pages_answer_with_the_replica_down(award, person, client, routed) -> None:
    assert replica.replica_lag() is None
    for url in public_urls(award, person):
        # Only the primary's queries: capturing the replica's would connect to it.
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            response = client.get(url)
            response.getvalue()
        assert response.status_code == 200, url
        assert any("movement_" in query["sql"] for query in primary.captured_queries), url
    count = len(public_urls(award, person))
    print(f"  replica stopped: {count} public URLs answered 200 from the primary")
