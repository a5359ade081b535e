"""Background tasks (django-tasks, database backend): a deployment runs `manage.py db_worker`."""

import datetime
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils import timezone, translation
from django_tasks import task

from movement.models import ExportJob
from movement.spreadsheets.exports import SPOOL_BYTES, write_xlsx


@task()
def write_export(job_id: int) -> int:
    """Write an export job's workbook to the storage; returns the number of rows."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        # Forgotten (settings.EXPORT_KEEP_HOURS) before a worker reached it: nothing to write.
        return 0
    rows = ExportJob.objects.filter(pk=job_id)
    rows.update(status=ExportJob.Status.RUNNING)
    try:
        with (
            translation.override(job.language),
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as file,
        ):
            model_admin = admin.site.get_model_admin(apps.get_model(job.model))
            resource, queryset = model_admin.export_job_rows(job)
            count = write_xlsx(
                resource,
                queryset,
                file,
                selected=job.selected,
                progress=lambda done: rows.update(rows_done=done),
            )
            job.store(file)
    except Exception as error:
        rows.update(status=ExportJob.Status.FAILED, error=repr(error), finished_at=timezone.now())
        raise
    rows.update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        rows_done=count,
        finished_at=timezone.now(),
    )
    return count


def forget_old_exports() -> int:
    """Delete the exports older than settings.EXPORT_KEEP_HOURS, their files with them
    (movement.models.export_jobs.delete_export_file); returns how many."""
    since = timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _by_model = ExportJob.objects.filter(created_at__lt=since).delete()
    return deleted
