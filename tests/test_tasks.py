"""Background exports (movement.tasks): queued as plain JSON, written by the worker to the
storage, downloaded by their owner, forgotten with their files after EXPORT_KEEP_HOURS."""

import datetime
import functools
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from movement import tasks
from movement.models import Award, ExportJob
from movement.spreadsheets.resources import AwardResource
from movement.tasks import forget_old_exports, write_export
from tests.factories import EXPORT_FIELDS
from tests.spreadsheets import workbook_rows


def export(client, query: str = "", **data):
    """The awards changelist's Excel export, as its form posts it."""
    return client.post(
        reverse("admin:movement_award_export") + query,
        {"format": "0", "resource": "0", **EXPORT_FIELDS, **data},
    )


def download(client, job: ExportJob) -> FileResponse:
    return client.get(reverse("admin:movement_award_export_download", args=[job.pk]))


@pytest.fixture
def awards(department, person, order_type) -> list[Award]:
    """Three awards of 2016 and one of 2017."""
    made = [
        Award.objects.create(
            award_type=order_type, year=year, recipient_unit=department, decision_number=number
        )
        for number, year in (("1/QĐ", 2016), ("2/QĐ", 2016), ("3/QĐ", 2017))
    ]
    made.append(Award.objects.create(award_type=order_type, year=2016, recipient_person=person))
    return made


@pytest.fixture
def background(settings) -> None:
    """Any Excel export of more than two rows goes to the worker."""
    settings.EXPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def worker_signals():
    """The worker takes over SIGINT and SIGTERM for a graceful stop; give them back after."""
    names = [name for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)]
    handlers = {name: signal.getsignal(getattr(signal, name)) for name in names}
    yield
    for name, handler in handlers.items():
        signal.signal(getattr(signal, name), handler)


def assert_plain_json(job: ExportJob) -> None:
    """Nothing in the row but text, numbers, JSON and dates: no pickle, no bytes."""
    row = ExportJob.objects.values().get(pk=job.pk)
    for name, value in row.items():
        assert not isinstance(value, bytes | memoryview | bytearray), name


# The worker closes its database connection between tasks, as a real one does: a test
# transaction would not survive it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("background", "worker_signals")
def test_the_worker_writes_a_queued_export_to_the_storage_for_its_owner(
    admin_client, admin_user, awards
):
    response = export(admin_client, "?year=2016&o=1")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("admin:movement_award_export_job", args=[job.pk])
    # The request, as JSON: the list, its query string, the columns and whose rights.
    assert_plain_json(job)
    assert (job.model, job.resource, job.user) == (
        "movement.award",
        "movement.spreadsheets.resources.AwardResource",
        admin_user,
    )
    assert job.parameters == {"year": ["2016"], "o": ["1"]}
    assert job.selected == list(AwardResource().get_export_order())
    assert (job.status, job.rows_total, job.file.name) == ("queued", 3, "")

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    [result] = DBTaskResult.objects.all()
    assert (result.task_path, result.status, result.return_value) == (
        "movement.tasks.write_export",
        "SUCCESSFUL",
        3,
    )
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 3)
    assert job.file.name.startswith("exports/") and default_storage.exists(job.file.name)
    assert_plain_json(job)

    response = download(admin_client, job)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    data = b"".join(response.streaming_content)
    assert data == default_storage.open(job.file.name).read()
    header, *rows = workbook_rows(data)
    assert header == AwardResource().get_export_headers()
    assert [row[header.index("Năm")] for row in rows] == [2016, 2016, 2016]


# import-export reads the ticked keys through a method it has deprecated; nothing to change here.
@pytest.mark.filterwarnings("ignore:.*get_valid_export_item_pks:DeprecationWarning")
@pytest.mark.usefixtures("background")
def test_a_selection_exports_only_the_records_ticked(admin_client, awards):
    ticked = [awards[0].pk, awards[2].pk, awards[3].pk]
    export(admin_client, export_items=ticked)
    job = ExportJob.objects.get()
    assert job.items == [str(pk) for pk in ticked]
    assert job.parameters == {}

    assert write_export.call(job.pk) == 3
    header, *rows = workbook_rows(b"".join(download(admin_client, job).streaming_content))
    assert sorted(row[header.index("Năm")] for row in rows) == [2016, 2016, 2017]


@pytest.mark.usefixtures("background")
def test_a_job_runs_only_a_resource_its_list_offers(admin_client, awards):
    export(admin_client)
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        resource="movement.spreadsheets.resources.UnitResource"
    )
    with pytest.raises(ValueError, match="offers no resource"):
        write_export.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")
    assert "UnitResource" in job.error


def test_a_job_forgotten_before_a_worker_reached_it_is_skipped(db):
    assert write_export.call(12345) == 0


@pytest.mark.usefixtures("background")
def test_old_exports_are_forgotten_with_their_files(
    admin_client, awards, settings, django_capture_on_commit_callbacks
):
    for _ in range(2):
        export(admin_client)
    old, young = ExportJob.objects.order_by("pk")
    for job in (old, young):
        write_export.call(job.pk)
        job.refresh_from_db()
    files = [old.file.name, young.file.name]
    assert all(default_storage.exists(name) for name in files)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS, minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert forget_old_exports() == 1
    assert list(ExportJob.objects.all()) == [young]
    assert [default_storage.exists(name) for name in files] == [False, True]


@pytest.mark.usefixtures("background")
def test_a_users_exports_go_with_them_files_included(
    client, django_user_model, awards, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_superuser("leaving", password="x")
    client.force_login(user)
    export(client)
    job = ExportJob.objects.get()
    write_export.call(job.pk)
    job.refresh_from_db()
    assert default_storage.exists(job.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    assert not ExportJob.objects.exists()
    assert not default_storage.exists(job.file.name)


@pytest.mark.usefixtures("background")
def test_a_job_queued_before_the_resources_moved_runs_after(admin_client, awards):
    """ExportJob.resource stores a dotted path: migration 0016 moves it with the module."""
    export(admin_client)
    ExportJob.objects.update(resource="movement.resources.AwardResource")

    moved = importlib.import_module("movement.migrations.0016_package_resource_paths")
    moved.rename(moved.OLD, moved.NEW)(apps, connection.schema_editor())

    job = ExportJob.objects.get()
    assert job.resource == "movement.spreadsheets.resources.AwardResource"
    assert write_export.call(job.pk) == len(awards)


# -- A job never stuck: no worker, a worker that stopped, a database that was busy ----------------


def job_page(client, job: ExportJob):
    return client.get(reverse("admin:movement_award_export_job", args=[job.pk]))


def retry(client, job: ExportJob):
    return client.post(reverse("admin:movement_award_export_retry", args=[job.pk]))


def queued(client, exclude: ExportJob | None = None) -> ExportJob:
    """An Excel export of the awards, queued for the worker."""
    export(client)
    return ExportJob.objects.exclude(pk=getattr(exclude, "pk", None)).get()


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.fixture
def quick_retries(monkeypatch) -> None:
    """A refused write is tried again at once."""
    monkeypatch.setattr("movement.tasks.RETRY_DELAYS", (0, 0, 0, 0))


def refusing(monkeypatch, refuses) -> list[dict]:
    """Make the database refuse the QuerySet.update calls for which ``refuses(values)`` holds,
    as SQLite does while another connection holds its lock; returns the values of every call."""
    original = QuerySet.update
    calls = []

    def update(queryset, **values):
        calls.append(values)
        if queryset.model is ExportJob and refuses(values):
            raise OperationalError("database is locked")
        return original(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    return calls


@pytest.mark.usefixtures("background", "awards")
def test_a_job_no_worker_has_taken_within_a_minute_says_how_to_start_one(admin_client, settings):
    job = queued(admin_client)
    assert "db_worker" not in job_page(admin_client, job).text

    ExportJob.objects.update(created_at=ago(settings.EXPORT_WORKER_WAIT_SECONDS + 1))
    # While the worker writes another export, this one waits its turn.
    other = queued(admin_client, exclude=job)
    ExportJob.objects.filter(pk=other.pk).update(status="running", heartbeat_at=timezone.now())
    assert "db_worker" not in job_page(admin_client, job).text

    ExportJob.objects.filter(pk=other.pk).update(status="done")
    page = job_page(admin_client, job).text
    assert "Chưa có tiến trình nền nào nhận tệp xuất này" in page
    assert "<code>make run</code>" in page
    assert "<code>.venv/bin/python manage.py db_worker</code>" in page
    # It keeps refreshing: the export starts as soon as a worker runs.
    assert 'http-equiv="refresh"' in page


@pytest.mark.usefixtures("background", "awards")
def test_a_job_whose_worker_went_silent_is_failed_with_try_again(admin_client, settings):
    job = queued(admin_client)
    timeout = settings.EXPORT_HEARTBEAT_TIMEOUT_SECONDS
    ExportJob.objects.update(
        status="running",
        rows_done=2,
        heartbeat_at=ago(timeout - 5),
        created_at=ago(timeout + settings.EXPORT_WORKER_WAIT_SECONDS),
    )
    page = job_page(admin_client, job).text
    # Taken by a worker long ago, and alive: neither "no worker" nor "Thử lại".
    assert "Thử lại" not in page
    assert "db_worker" not in page
    assert ExportJob.objects.get().status == "running"

    ExportJob.objects.update(heartbeat_at=ago(timeout + 5))
    page = job_page(admin_client, job).text
    job.refresh_from_db()
    assert (job.status, job.stalled) == ("failed", True)
    assert job.finished_at is not None
    assert "Tiến trình nền đang ghi tệp này đã dừng trước khi xong" in page
    assert reverse("admin:movement_award_export_retry", args=[job.pk]) in page
    assert "Thử lại" in page
    assert 'http-equiv="refresh"' not in page


@pytest.mark.usefixtures("background", "awards")
def test_a_job_running_before_heartbeats_were_written_is_failed_when_seen(admin_client):
    job = queued(admin_client)
    ExportJob.objects.update(status="running", heartbeat_at=None)
    job_page(admin_client, job)
    assert ExportJob.objects.get().status == "failed"


@pytest.mark.usefixtures("background", "awards")
def test_the_page_of_a_healthy_job_writes_nothing(admin_client, django_assert_num_queries):
    """The page refreshes every two seconds while a job runs: it only reads."""
    job = queued(admin_client)
    ExportJob.objects.update(status="running", heartbeat_at=timezone.now())
    with django_assert_num_queries(3) as captured:
        assert job_page(admin_client, job).status_code == 200
    assert not [query for query in captured if not query["sql"].startswith("SELECT")]


@pytest.mark.usefixtures("background", "awards")
def test_try_again_queues_a_failed_job_as_a_new_try(
    admin_client, django_capture_on_commit_callbacks
):
    job = queued(admin_client)
    ExportJob.objects.update(status="failed", error="OperationalError('disk I/O error')")
    assert "Xuất tệp thất bại" in job_page(admin_client, job).text

    response = retry(admin_client, job)
    assert response["Location"] == reverse("admin:movement_award_export_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error, job.heartbeat_at) == ("queued", 2, "", None)
    assert [
        result.args_kwargs["args"] for result in DBTaskResult.objects.order_by("enqueued_at")
    ] == [
        [job.pk],
        [job.pk, 2],
    ]
    # A second click, from the same page, queues nothing more.
    retry(admin_client, job)
    assert DBTaskResult.objects.count() == 2

    # The first try's task, still queued, writes nothing; the new one writes the file.
    assert write_export.call(job.pk, 1) == 0
    assert ExportJob.objects.get().status == "queued"
    assert write_export.call(job.pk, 2) == 4
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 4)
    assert default_storage.exists(job.file.name)


@pytest.mark.usefixtures("background", "awards")
def test_try_again_leaves_a_job_that_has_not_failed_alone(admin_client):
    job = queued(admin_client)
    ExportJob.objects.update(status="running", heartbeat_at=timezone.now())
    retry(admin_client, job)
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("running", 1)
    assert (
        admin_client.get(reverse("admin:movement_award_export_retry", args=[job.pk])).status_code
        == 302
    )
    assert DBTaskResult.objects.count() == 1


@pytest.mark.usefixtures("background", "awards")
def test_a_worker_thought_stopped_does_not_overwrite_the_next_try(admin_client, monkeypatch):
    job = queued(admin_client)
    store = ExportJob.store

    def stalled_meanwhile(self, content):
        # While this worker wrote, its job was failed as stalled and tried again.
        ExportJob.objects.update(status="failed")
        ExportJob.objects.get().requeue()
        store(self, content)

    monkeypatch.setattr(ExportJob, "store", stalled_meanwhile)
    before = (
        set(default_storage.listdir("exports")[1]) if default_storage.exists("exports") else set()
    )
    assert write_export.call(job.pk, 1) == 4
    job.refresh_from_db()
    assert (job.status, job.attempt, job.file.name) == ("queued", 2, "")
    # Its file went with it: the new try writes its own.
    assert set(default_storage.listdir("exports")[1]) == before


@pytest.mark.usefixtures("background", "awards")
def test_progress_is_written_with_a_heartbeat(admin_client, monkeypatch):
    monkeypatch.setattr("movement.tasks.PROGRESS_ROWS", 1)
    job = queued(admin_client)
    beats = []
    record = tasks.record_progress

    def recording(rows, done):
        record(rows, done)
        beats.append(rows.values_list("rows_done", "heartbeat_at", "status").get())

    monkeypatch.setattr("movement.tasks.record_progress", recording)
    write_export.call(job.pk)
    assert [(done, status) for done, _beat, status in beats] == [
        (1, "running"),
        (2, "running"),
        (3, "running"),
        (4, "running"),
    ]
    assert all(beat is not None for _done, beat, _status in beats)
    assert beats[0][1] <= beats[-1][1]


@pytest.mark.usefixtures("background", "awards", "quick_retries")
def test_a_progress_write_the_database_refuses_is_tried_again(admin_client, monkeypatch):
    monkeypatch.setattr("movement.tasks.PROGRESS_ROWS", 1)
    job = queued(admin_client)
    refusals = iter([True, True])
    calls = refusing(monkeypatch, lambda values: "rows_done" in values and next(refusals, False))
    assert write_export.call(job.pk) == 4
    progress = [values["rows_done"] for values in calls if "status" not in values]
    assert progress == [1, 1, 1, 2, 3, 4]
    assert ExportJob.objects.get().status == "done"


@pytest.mark.usefixtures("background", "awards", "quick_retries")
def test_a_progress_write_refused_past_its_retries_does_not_fail_the_export(
    admin_client, monkeypatch, caplog
):
    monkeypatch.setattr("movement.tasks.PROGRESS_ROWS", 1)
    job = queued(admin_client)
    refusing(monkeypatch, lambda values: "status" not in values)
    assert write_export.call(job.pk) == 4
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("done", 4)
    assert "progress not written" in caplog.text


@pytest.mark.usefixtures("background", "awards", "quick_retries")
def test_the_end_of_an_export_waits_out_a_busy_database(admin_client, monkeypatch):
    job = queued(admin_client)
    refusals = iter([True, True, True])
    refusing(monkeypatch, lambda values: values.get("status") == "done" and next(refusals, False))
    assert write_export.call(job.pk) == 4
    assert ExportJob.objects.get().status == "done"


# -- make run: the web server and the worker, one command -------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
            return response.status == 200
    except OSError:
        return False


def test_make_runs_processes_start_together_and_stop_together_on_ctrl_c(tmp_path):
    """`make run` starts Procfile.dev through honcho: the web server and a task worker."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    run = functools.partial(subprocess.run, env=env, cwd=settings.BASE_DIR, check=True)
    # The worker's table only: the sign-in page reads nothing.
    run([sys.executable, "manage.py", "migrate", "django_tasks_database", "--verbosity=0"])
    port = free_port()
    honcho = Path(sys.executable).parent / "honcho"
    log = tmp_path / "run.log"
    with log.open("w") as output:
        started = subprocess.Popen(  # noqa: S603 (the virtualenv's honcho, our Procfile)
            [honcho, "start", "--procfile", "Procfile.dev", "--port", str(port)],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Both up: the server answers, the worker says it has started.
        for _ in range(240):
            up = answers(f"http://127.0.0.1:{port}/admin/login/")
            if (up and "Starting worker" in log.read_text()) or started.poll() is not None:
                break
            time.sleep(0.5)
        # Neither has stopped: honcho stops both when either does.
        assert started.poll() is None
        started.send_signal(signal.SIGINT)
        started.wait(timeout=60)
    finally:
        if started.poll() is None:
            os.killpg(started.pid, signal.SIGKILL)
    output = log.read_text()
    assert "Starting worker" in output
    assert "Starting development server at http://127.0.0.1:" in output
    assert "web.1 stopped" in output and "worker.1 stopped" in output
    assert not answers(f"http://127.0.0.1:{port}/admin/login/")
