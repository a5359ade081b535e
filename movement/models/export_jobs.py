import uuid
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """An Excel export too big to write during a request, written by a background task.

    The request is kept as plain JSON (which list, which filters and search, which columns, whose
    rights), so a queued job survives an upgrade of Python or Django and its row can never run
    code. The finished file goes to Django's default storage (settings.STORAGES: a directory
    every app server shares, or S3-compatible object storage), not to the database; file and row
    are deleted after settings.EXPORT_KEEP_HOURS.
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

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


@receiver(post_delete, sender=ExportJob)
def delete_export_file(sender: type[ExportJob], instance: ExportJob, **kwargs: object) -> None:
    """A job's file goes with its row, however the row goes (expired, or with its user), once
    the deletion is committed: a rolled-back deletion keeps its file."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
