"""Background exports (movement.tasks): queued as plain JSON, written by the worker to the
storage, downloaded by their owner, forgotten with their files after EXPORT_KEEP_HOURS."""

import datetime
import importlib
import signal

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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
