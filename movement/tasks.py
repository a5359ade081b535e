"""Background tasks (django-tasks, database backend): a deployment runs `manage.py db_worker`."""

import datetime
import tempfile

from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task

from movement.exports import SPOOL_BYTES, write_xlsx
from movement.models import ExportJob


@task()
def write_export(job_id: int) -> int:
    """Write an export job's workbook into the database; returns the number of rows."""
    job = ExportJob.objects.get(pk=job_id)
    rows = ExportJob.objects.filter(pk=job_id)
    rows.update(status=ExportJob.Status.RUNNING)
    resource_class = import_string(job.resource)
    try:
        with (
            translation.override(job.language),
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as file,
        ):
            count = write_xlsx(
                resource_class(),
                job.queryset(resource_class._meta.model),
                file,
                selected=job.selected,
                progress=lambda done: rows.update(rows_done=done),
            )
            file.seek(0)
            content = file.read()
    except Exception as error:
        rows.update(status=ExportJob.Status.FAILED, error=repr(error), finished_at=timezone.now())
        raise
    rows.update(
        status=ExportJob.Status.DONE,
        content=content,
        rows_done=count,
        finished_at=timezone.now(),
    )
    return count


def forget_old_exports() -> int:
    """Delete the exports older than settings.EXPORT_KEEP_HOURS; returns how many."""
    since = timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _by_model = ExportJob.objects.filter(created_at__lt=since).delete()
    return deleted
