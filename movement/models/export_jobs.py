import datetime
import uuid
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What a job whose worker went silent says in its error, for the page to tell it apart.
STALLED = "Stalled: the worker wrote no heartbeat since"


def silent_since() -> datetime.datetime:
    """A worker whose last heartbeat is older than this was stopped mid-job."""
    return timezone.now() - datetime.timedelta(seconds=settings.EXPORT_HEARTBEAT_TIMEOUT_SECONDS)


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def stalled(self) -> "ExportJobQuerySet":
        """Jobs being written whose worker has been silent past
        settings.EXPORT_HEARTBEAT_TIMEOUT_SECONDS: it was stopped mid-job."""
        # A running job with no heartbeat at all was taken before heartbeats were written.
        return self.filter(
            Q(heartbeat_at__lt=silent_since()) | Q(heartbeat_at__isnull=True),
            status=ExportJob.Status.RUNNING,
        )


class ExportJob(models.Model):
    """An Excel export too big to write during a request, written by a background task.

    The request is kept as plain JSON (which list, which filters and search, which columns, whose
    rights), so a queued job survives an upgrade of Python or Django and its row can never run
    code. The finished file goes to Django's default storage (settings.STORAGES: a directory
    every app server shares, or S3-compatible object storage), not to the database; file and row
    are deleted after settings.EXPORT_KEEP_HOURS.

    A worker that takes the job writes a heartbeat with each progress step; a job whose heartbeat
    stops is failed (``fail_if_stalled``) and can be tried again (``requeue``). Each try has its
    number (``attempt``), and a task writes only to the try it was queued for, so a worker thought
    dead that wakes up cannot overwrite the next try.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    # The admin list exported ("movement.award") and the dotted path of its resource class; the
    # task accepts only a resource that list's admin offers.
    model = models.CharField(_("list"), max_length=100)
    resource = models.CharField(_("resource"), max_length=200)
    # The list's query string (filters, search, ordering), each name with its list of values.
    parameters = models.JSONField(_("filters and search"), default=dict, blank=True)
    # The keys of the records ticked, when the export was of a selection; None for the whole list.
    items = models.JSONField(_("selected records"), null=True, blank=True)
    selected = models.JSONField(_("columns"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    # When the job was queued (again, for a later try): EXPORT_KEEP_HOURS counts from it.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of its worker"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("try"), default=1)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def store(self, content: IO[bytes]) -> None:
        """Save ``content`` to the storage under a name nobody can guess (the download goes
        through the admin, which checks the owner); the row is saved by the caller."""
        self.file.save(f"{uuid.uuid4().hex}.xlsx", File(content), save=False)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def waiting_for_worker(self) -> bool:
        """Still queued settings.EXPORT_WORKER_WAIT_SECONDS after it was queued, while no export
        is being written: no worker is running (an idle one looks for work every second, a busy
        one writes another export's heartbeat)."""
        waited = timezone.now() - self.created_at
        if self.status != self.Status.QUEUED or waited.total_seconds() <= (
            settings.EXPORT_WORKER_WAIT_SECONDS
        ):
            return False
        busy = ExportJob.objects.filter(
            status=self.Status.RUNNING, heartbeat_at__gte=silent_since()
        )
        return not busy.exists()

    @property
    def stalled(self) -> bool:
        """Failed because its worker stopped mid-job (``fail_if_stalled``)."""
        return self.status == self.Status.FAILED and self.error.startswith(STALLED)

    def fail_if_stalled(self) -> bool:
        """Mark the job failed if its worker has gone silent (``ExportJobQuerySet.stalled``);
        returns whether it did. Only then does it write, so a page showing the progress of a
        healthy job every few seconds adds no write to the database."""
        if self.status != self.Status.RUNNING or (
            self.heartbeat_at is not None and self.heartbeat_at >= silent_since()
        ):
            return False
        failed = (
            ExportJob.objects.filter(pk=self.pk, attempt=self.attempt)
            .stalled()
            .update(
                status=self.Status.FAILED,
                error=f"{STALLED} {self.heartbeat_at}.",
                finished_at=timezone.now(),
            )
        )
        if failed:
            self.refresh_from_db()
        return bool(failed)

    def requeue(self) -> bool:
        """Make a failed job a new try; returns whether it did (a second click on "Thử lại"
        finds it queued already). The caller queues the task for the new ``attempt``."""
        requeued = ExportJob.objects.filter(
            pk=self.pk, attempt=self.attempt, status=self.Status.FAILED
        ).update(
            status=self.Status.QUEUED,
            attempt=F("attempt") + 1,
            rows_done=0,
            error="",
            heartbeat_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        self.refresh_from_db()
        return bool(requeued)


@receiver(post_delete, sender=ExportJob)
def delete_export_file(sender: type[ExportJob], instance: ExportJob, **kwargs: object) -> None:
    """A job's file goes with its row, however the row goes (expired, or with its user), once
    the deletion is committed: a rolled-back deletion keeps its file."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
