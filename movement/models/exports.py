import pickle

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """An Excel export too big to write during a request, written by a background task.

    The finished file is kept in the database, not on one app server's disk, so whichever server
    answers the download has it; it is deleted after settings.EXPORT_KEEP_HOURS.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    resource = models.CharField(_("resource"), max_length=200)
    # The rows' query, pickled as Django documents for re-running a QuerySet elsewhere; only this
    # application writes it.
    query = models.BinaryField(_("query"))
    selected = models.JSONField(_("columns"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @staticmethod
    def pickle_query(queryset: QuerySet) -> bytes:
        return pickle.dumps(queryset.query)

    def queryset(self, model: type[models.Model]) -> QuerySet:
        queryset = model._default_manager.all()
        queryset.query = pickle.loads(self.query)  # noqa: S301 - written by this application only
        return queryset

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
