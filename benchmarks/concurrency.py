"""Office use at once, on one database: the writers that met "database is locked" on SQLite.

Each writer is a thread with a database connection of its own (Django gives each thread one) and a
browser of its own (the test client, through the whole stack: middleware, session, the admin's
views), and does in turn what staff do: sign in, save an award in the admin, import award rows
(preview, then confirm), and once queue an Excel export too big to write during the request.
Beside them a task worker, in a process of its own as ``make run`` starts it, writes those exports
and their progress. Every answer is counted; an error is an exception, an answer of 500, or an
answer that refused the work (a login, a save, an import not written).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from movement.models import Award, ExportJob
from movement.spreadsheets.resources import AwardResource

PASSWORD = "office-load-password"  # noqa: S105 (a throwaway database's users)
# Progress written every this many rows by the worker under load, ten times as often as usual:
# each write is one more writer meeting the others.
WORKER_PROGRESS_ROWS = 500
# How long the exports may take once the writers are done, before the run gives up on them.
EXPORTS_TIMEOUT = 300


@dataclass
class LoadResult:
    """What a run did and what went wrong: ``errors`` holds one line per failure."""

    database: str
    writers: int
    rounds: int
    awards: int
    seconds: float = 0.0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    exports: dict[str, int] = field(default_factory=dict)
    worker_exit: int | None = None
    # SQLite's settings as the app's connections have them (settings.DATABASES).
    pragmas: dict[str, Any] = field(default_factory=dict)

    @property
    def locked(self) -> int:
        return sum("locked" in error.lower() for error in self.errors)

    @property
    def server_errors(self) -> int:
        return sum(" 500" in error for error in self.errors)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "locked": self.locked, "server_errors": self.server_errors}

    def summary(self) -> str:
        return (
            f"{self.database}: {self.writers} writers × {self.rounds} rounds and a worker, "
            f"{self.requests} requests in {self.seconds:.1f} s; exports {self.exports}; "
            f"{len(self.errors)} errors ({self.locked} 'database is locked', "
            f"{self.server_errors} answers 500)"
        )


@dataclass
class Writer:
    """One member of staff: their name, the award they edit, the files they import."""

    number: int
    username: str
    award: int
    imports: list[bytes]


def import_file(awards: list[Award], prefix: str) -> bytes:
    """An xlsx of new awards: ``awards`` as exported, without key, renumbered with ``prefix``."""
    resource = AwardResource()
    exported = resource.export(queryset=Award.objects.filter(pk__in=[a.pk for a in awards]))
    key = exported.headers.index(resource.fields["key"].column_name)
    number = exported.headers.index(resource.fields["decision_number"].column_name)
    renumbered = tablib.Dataset(headers=exported.headers)
    for i, row in enumerate(exported):
        row = list(row)
        row[key] = ""
        row[number] = f"{prefix}{i:04d}"
        renumbered.append(row)
    return renumbered.xlsx


def prepare(writers: int, rounds: int, import_rows: int) -> list[Writer]:
    """The staff users, each with an award of their own to edit and a file per round."""
    awards = list(Award.objects.order_by("pk")[: writers * (1 + import_rows)])
    prepared = []
    for number in range(writers):
        username = f"writer-{number}"
        get_user_model().objects.create_superuser(username, password=PASSWORD)
        start = writers + number * import_rows
        rows = awards[start : start + import_rows]
        prepared.append(
            Writer(
                number=number,
                username=username,
                award=awards[number].pk,
                imports=[import_file(rows, f"TẢI/{number}/{r}/") for r in range(rounds)],
            )
        )
    return prepared


def posted(form: Any, **changes: str) -> dict[str, Any]:
    """What a browser posts for the admin ``form`` as it stands, with ``changes``."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = str(value)
    return {**data, **changes}


class Office:
    """The writers' threads, their answers and their errors."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self.lock = threading.Lock()

    def error(self, writer: Writer, what: str, problem: str) -> None:
        with self.lock:
            self.result.errors.append(f"writer {writer.number}, {what}: {problem}")

    def request(
        self, writer: Writer, what: str, send: Any, url: str, expected: int, **data: Any
    ) -> Any:
        with self.lock:
            self.result.requests += 1
        try:
            response = send(url, data) if data else send(url)
        except Exception as exception:
            self.error(writer, what, f"{type(exception).__name__}: {exception}")
            return None
        if response.status_code != expected:
            report = getattr(response, "context_data", None) or {}
            report = report.get("report")
            reasons = [*report.errors, *map(str, report.problems[:3])] if report else []
            self.error(
                writer, what, f"answered {response.status_code}, not {expected} {reasons}".strip()
            )
            return None
        return response

    def work(self, writer: Writer, rounds: int) -> None:
        try:
            for round_ in range(rounds):
                self.round(writer, round_)
        finally:
            connection.close()

    def round(self, writer: Writer, round_: int) -> None:
        client = Client()
        login = reverse("admin:login")
        credentials = {"username": writer.username, "password": PASSWORD}
        if not self.request(writer, "sign in", client.post, login, 302, **credentials):
            return
        change = reverse("admin:movement_award_change", args=[writer.award])
        page = self.request(writer, "open an award", client.get, change, 200)
        if page is not None:
            data = posted(page.context_data["adminform"].form, note=f"round {round_}")
            self.request(writer, "save an award", client.post, change, 302, **data)
        if round_ == 0:
            fields = {f"awardresource_{name}": "on" for name in AwardResource().get_export_order()}
            export = reverse("admin:movement_award_export")
            data = {"format": "0", "resource": "0", **fields}
            self.request(writer, "queue an export", client.post, export, 302, **data)
        self.import_round(client, writer, round_)

    def import_round(self, client: Client, writer: Writer, round_: int) -> None:
        name = f"khen-thuong-{writer.number}-{round_}.xlsx"
        upload = SimpleUploadedFile(name, writer.imports[round_])
        preview = self.request(
            writer,
            "preview an import",
            client.post,
            reverse("admin:movement_award_import"),
            200,
            import_file=upload,
        )
        confirm = preview.context_data.get("confirm_form") if preview is not None else None
        if confirm is None:
            if preview is not None:
                self.error(writer, "preview an import", "refused the file")
            return
        self.request(
            writer,
            "confirm an import",
            client.post,
            reverse("admin:movement_award_process_import"),
            302,
            **confirm.initial,
        )


def start_worker(database: str, log: IO[str]) -> subprocess.Popen:
    """A task worker in a process of its own, as ``make run`` starts one, on ``database``,
    its output written to ``log``."""
    return subprocess.Popen(  # noqa: S603 (this interpreter, this manage.py)
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "concurrency",
            "--settings",
            settings.SETTINGS_MODULE,
            "--worker-for",
            database,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def run_worker(database: str) -> None:
    """In the worker's process: ``db_worker`` on ``database``, writing progress often."""
    from django.core.management import call_command

    from benchmarks.database import use_database
    from movement import tasks

    use_database(database)
    tasks.PROGRESS_ROWS = WORKER_PROGRESS_ROWS
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")


def run(database: str, *, writers: int, rounds: int, awards: int, import_rows: int) -> LoadResult:
    """Load the throwaway ``database`` (already filled) as an office would; see the module."""
    result = LoadResult(database=connection.vendor, writers=writers, rounds=rounds, awards=awards)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in ("journal_mode", "synchronous", "busy_timeout"):
                result.pragmas[pragma] = cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
    staff = prepare(writers, rounds, import_rows)
    connection.close()
    with tempfile.TemporaryFile("w+") as log:
        worker = start_worker(database, log)
        office = Office(result)
        started = time.perf_counter()
        threads = [threading.Thread(target=office.work, args=(w, rounds)) for w in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The exports the writers queued, written by the worker meanwhile or now.
        deadline = time.monotonic() + EXPORTS_TIMEOUT
        while ExportJob.objects.filter(status__in=["queued", "running"]).exists():
            if time.monotonic() > deadline or worker.poll() is not None:
                break
            time.sleep(0.2)
        result.seconds = time.perf_counter() - started
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        result.worker_exit = worker.returncode
        log.seek(0)
        for line in log:
            if "Traceback" in line or "locked" in line.lower():
                result.errors.append(f"worker: {line.strip()}")
    for status in ExportJob.Status.values:
        result.exports[status] = ExportJob.objects.filter(status=status).count()
    for task in DBTaskResult.objects.failed():
        result.errors.append(f"worker: task failed: {task.exception_class_path}")
    if result.exports["done"] != writers:
        result.errors.append(f"exports: {result.exports}, not {writers} done")
    connection.close()
    return result
