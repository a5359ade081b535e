import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import RulesInClean


class PendingImportQuerySet(models.QuerySet):
    def waiting(self) -> "PendingImportQuerySet":
        return self.filter(state=PendingImport.State.WAITING)

    def past_expiry(self, now: datetime.datetime | None = None) -> "PendingImportQuerySet":
        return self.waiting().filter(expires_at__lte=now or timezone.now())

    def expire(self, now: datetime.datetime | None = None) -> int:
        """Mark the previews past their expiry as expired and drop their rows; returns how many."""
        return self.past_expiry(now).update(state=PendingImport.State.EXPIRED, sheet=None)

    def ended_before(self, moment: datetime.datetime) -> "PendingImportQuerySet":
        """The previews that were imported, cancelled or expired before ``moment``."""
        finished = [PendingImport.State.IMPORTED, PendingImport.State.CANCELLED]
        return self.filter(
            Q(state__in=finished, finished_at__lt=moment)
            | (~Q(state__in=finished) & Q(expires_at__lt=moment))
        )


class PendingImport(RulesInClean, models.Model):
    """An uploaded spreadsheet between its preview and its confirmation: the rows the preview
    read (JSON written by movement.spreadsheets.previews, never a pickle), whose they are, and how
    it ended.

    A preview waits until its uploader (or a superuser) confirms or cancels it, or until
    ``expires_at`` (settings.IMPORT_PREVIEW_HOURS after the upload); nothing else removes it.
    When it ends its rows are dropped and the record stays, so a late confirmation is told what
    happened, by whom and when, until ``manage.py purge_imports`` deletes it.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting for confirmation")
        IMPORTED = "imported", _("imported")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    # The name a confirmation form carries: not guessable, unlike the primary key.
    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # The import-export resource that read the rows (its dotted path) and the model it fills.
    resource = models.CharField(_("resource"), max_length=200)
    model = models.CharField(_("model"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported or cancelled by"),
    )
    finished_at = models.DateTimeField(_("imported or cancelled at"), null=True, blank=True)
    sheet = models.JSONField(_("rows read"), null=True, blank=True)
    # What the preview said each row would do ("new", "update", "skip"), in the rows' order: the
    # confirmation writes nothing unless each row still does the same.
    actions = models.JSONField(_("actions previewed"), default=list, blank=True)
    # For each row, the [key, version] of the record it updates or leaves unchanged as the
    # preview read it (null for a new row): the confirmation writes nothing if one was saved
    # since. Empty for a preview kept before versions were.
    versions = models.JSONField(_("versions previewed"), default=list, blank=True)
    # For each row, the keys of the records its cells were read as (PreviewRow.records): the
    # confirmation writes nothing if a name now reads as another record, one added or renamed
    # since. Empty for a preview kept before these were.
    records = models.JSONField(_("records previewed"), default=list, blank=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("previewed upload")
        verbose_name_plural = _("previewed uploads")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="pending_import_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["imported", "cancelled"], finished_at__isnull=False)
                | Q(state__in=["waiting", "expired"], finished_at__isnull=True),
                name="pending_import_finished_when_ended",
                violation_error_message=_(
                    "A preview that was imported or cancelled needs the moment it ended; one that "
                    "is waiting or expired needs none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or str(self.key)

    def clean(self) -> None:
        # A state outside the choices is refused by the field.
        ended = self.state in (self.State.IMPORTED, self.State.CANCELLED)
        if ended != (self.finished_at is not None):
            raise self.broken("pending_import_finished_when_ended")

    @classmethod
    def expiry_from(cls, moment: datetime.datetime) -> datetime.datetime:
        return moment + datetime.timedelta(hours=settings.IMPORT_PREVIEW_HOURS)

    @property
    def expired(self) -> bool:
        if self.state == self.State.EXPIRED:
            return True
        return self.state == self.State.WAITING and self.expires_at <= timezone.now()

    def may_be_ended_by(self, user: Any) -> bool:
        """Only its uploader, or a superuser, confirms or cancels a preview: it holds their file.
        A preview made by a script (no user) is ended by a script or a superuser."""
        if user is not None and user.is_superuser:
            return True
        return (user.pk if user is not None else None) == self.uploaded_by_id
