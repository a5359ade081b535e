"""Background tasks (django-tasks, database backend): `make run` starts a worker beside the web
server; a deployment runs `manage.py db_worker`."""

import contextlib
import datetime
import logging
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import OperationalError, connection, connections
from django.db.models import QuerySet
from django.utils import timezone, translation
from django_tasks import task

from config.replica import fresh_replica_reads
from movement.models import ExportJob, compact_tallies
from movement.spreadsheets.exports import SPOOL_BYTES, write_xlsx

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Rows between two progress writes, which are the job's heartbeat too: about a second apart at
# the speed an export writes (README.md, "The benchmark"), far inside the heartbeat timeout.
PROGRESS_ROWS = 5_000

# Pauses between tries of a write the database refused, about ten seconds in all, beside the
# busy timeout each try waits already (settings.DATABASES): a writer holding SQLite's lock
# through a long import should cost a pause, not the export or the worker.
RETRY_DELAYS = (0.2, 1.0, 3.0, 6.0)


def write_with_retries(rows: QuerySet, **values: Any) -> int:
    """``rows.update(**values)``, tried again after a pause while the database refuses it
    (OperationalError: "database is locked", a lock timeout); the last refusal is raised."""
    for delay in RETRY_DELAYS:
        try:
            return rows.update(**values)
        except OperationalError:
            logger.warning("Export job write refused, trying again in %s s", delay, exc_info=True)
            time.sleep(delay)
    return rows.update(**values)


def record_progress(rows: QuerySet, done: int) -> None:
    """Write a job's progress and heartbeat. A refusal that outlasts the retries is logged and
    passed over: the file goes on being written, and the next step writes again."""
    try:
        write_with_retries(rows, rows_done=done, heartbeat_at=timezone.now())
    except OperationalError:
        logger.exception("Export job progress not written (%s rows); the export goes on", done)


@task()
def write_export(job_id: int, attempt: int = 1) -> int:
    """Write try ``attempt`` of an export job's workbook to the storage; returns the number
    of rows."""
    rows = ExportJob.objects.filter(pk=job_id, attempt=attempt)
    job = rows.select_related("user").first()
    if job is None:
        # Forgotten (settings.EXPORT_KEEP_HOURS) before a worker reached it, or tried again
        # since (ExportJob.requeue), whose own task writes it: nothing to write.
        return 0
    try:
        write_with_retries(rows, status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now())
        count = reading_apart(
            lambda progress: write_file(job, progress), lambda done: record_progress(rows, done)
        )
    except Exception as error:
        write_with_retries(
            rows, status=ExportJob.Status.FAILED, error=repr(error), finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    written = write_with_retries(
        rows,
        status=ExportJob.Status.DONE,
        file=job.file.name,
        rows_done=count,
        heartbeat_at=now,
        finished_at=now,
    )
    if not written:
        # Tried again while this worker was thought stopped: the new try writes its own file.
        job.file.delete(save=False)
    return count


def write_file(job: ExportJob, progress: Callable[[int], None]) -> int:
    """Write the job's workbook to the storage, telling ``progress`` the rows written so far;
    returns the number of rows. The job's row is left for the caller to save."""
    with (
        translation.override(job.language),
        tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as file,
        # The records from a streaming replica, when one is configured and holds every write
        # made before the job began (an edit just before the export), else from the primary.
        fresh_replica_reads(),
    ):
        model_admin = admin.site.get_model_admin(apps.get_model(job.model))
        resource, queryset = model_admin.export_job_rows(job)
        count = write_xlsx(
            resource,
            queryset,
            file,
            selected=job.selected,
            progress=progress,
            progress_every=PROGRESS_ROWS,
        )
        job.store(file)
    return count


def reading_apart(work: Callable[[Callable[[int], None]], T], progress: Callable[[int], None]) -> T:
    """``work(report)`` in a thread of its own, so on a database connection of its own, closed
    when it ends; what it reports is passed to ``progress`` here, on this thread's connection.

    An export reads its rows through one long query. On SQLite that read is a snapshot, and a
    connection holding one cannot write once another connection has written: "database is
    locked" at once, whatever the busy timeout. So the rows are read on one connection and the
    progress written on another. Inside a caller's transaction (a test's) another connection
    would not see the job: there the work runs on this thread.
    """
    if connection.in_atomic_block:
        return work(progress)
    reports: queue.SimpleQueue[int] = queue.SimpleQueue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work(reports.put)
        except BaseException as error:
            outcome["error"] = error
        finally:
            # This thread's own connections: the primary's, and the replica's if it read there.
            connections.close_all()

    # A daemon thread: a worker stopped by force (Ctrl-C twice) stops at once, not after it.
    thread = threading.Thread(target=run, name="export", daemon=True)
    thread.start()
    while thread.is_alive() or not reports.empty():
        with contextlib.suppress(queue.Empty):
            progress(reports.get(timeout=0.2))
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def forget_old_exports() -> int:
    """Delete the exports older than settings.EXPORT_KEEP_HOURS, their files with them
    (movement.models.export_jobs.delete_export_file); returns how many."""
    since = timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _by_model = ExportJob.objects.filter(created_at__lt=since).delete()
    return deleted


@task()
def fold_tallies() -> None:
    """Fold each tally's rows into one a key (movement.models.tallies): queued after an import
    of awards, which adds a row a key of each of its statements."""
    compact_tallies()
