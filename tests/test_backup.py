"""`backup` writes one file and `restore` loads it into a new database: every record, its history,
the users and their roles come back as they were."""

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from movement.management.commands.backup import backed_up
from movement.models import (
    Award,
    Participation,
    RecipientKind,
    StaffProfile,
    Task,
    WorkArea,
    WorkPlan,
    compact_tallies,
)
from movement.permissions import ADMINISTRATORS, UNIT_EDITORS


@pytest.fixture
def populated(ministry, department, division, person, flag_type, order_type, event, campaign):
    """A little of everything, with history that records edits and a deletion."""
    editor = User.objects.create_user("can-bo", password="mat-khau-dai-1", is_staff=True)
    editor.groups.add(Group.objects.get(name=UNIT_EDITORS))
    editor.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    StaffProfile.objects.create(user=editor, unit=department)
    chief = User.objects.create_user("quan-tri", password="mat-khau-dai-2", is_staff=True)
    chief.groups.add(Group.objects.get(name=ADMINISTRATORS))
    Participation.objects.create(event=event, person=person, role=Participation.Role.CHAIR)
    award = Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)
    award.note = "Sửa lần một"
    award._history_user = editor
    award.save()
    Award.objects.create(award_type=order_type, year=2017, recipient_person=person)
    Award.objects.create(
        award_type=order_type, year=2017, group_kind=RecipientKind.COLLECTIVE, group_count=3
    )
    Award.objects.create(award_type=order_type, year=2016, recipient_unit=ministry).delete()
    plan = WorkPlan.objects.create(unit=department, year=2017, campaign=campaign)
    area = WorkArea.objects.create(plan=plan, number=1, name="Xây dựng lực lượng")
    task = Task.objects.create(plan=plan, area=area, number=1, title="Tổng kết")
    task.assigned_units.add(division)
    task.coordinating_units.add(ministry)
    LogEntry.objects.log_actions(
        user_id=chief.pk, queryset=[award], action_flag=ADDITION, change_message="Thêm"
    )


def records(path: Path) -> dict:
    """Every record of a backup file, by model and id, with many-to-many lists in any order."""
    opener = gzip.open if path.suffix == ".gz" else open
    found = {}
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            model = apps.get_model(item["model"])
            fields = {
                name: sorted(value, key=json.dumps)
                if model._meta.get_field(name).many_to_many
                else value
                for name, value in item["fields"].items()
            }
            found[item["model"], item["pk"]] = fields
    return found


def empty_database(tmp_path: Path):
    """A new database for the restore, of the kind the tests run on, and how to remove it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    server = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    user = f"{db['USER']}@" if db["USER"] else ""
    return f"postgres://{user}{server['host']}:{server['port']}/{name}", drop


def manage(database_url: str, *arguments: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_backup_restores_into_an_empty_database_record_for_record(populated, tmp_path):
    # Folded, the tallies' rows have ids the restore's triggers would not give theirs.
    compact_tallies()
    backup = tmp_path / "sao-luu.jsonl.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    saved = records(backup)

    # The file holds every record of every model it covers, and those are the ones that matter.
    for model, _natural_keys in backed_up():
        assert sum(1 for label, _pk in saved if label == model._meta.label_lower) == (
            model._default_manager.count()
        ), model
    kinds = {label for label, _pk in saved}
    assert {
        "auth.user",
        "auth.group",
        "admin.logentry",
        "movement.award",
        "movement.historicalaward",
        "movement.historicaltask_assigned_units",
        "movement.staffprofile",
    } <= kinds

    database_url, drop = empty_database(tmp_path)
    try:
        manage(database_url, "migrate", "--no-input", "-v0")
        manage(database_url, "restore", str(backup))
        # The tallies, left out of the file, were made again as the awards were loaded.
        check = "from tests.test_tallies import counted, tallied; print(tallied() == counted())"
        assert manage(database_url, "shell", "-c", check).splitlines()[-1] == "True"
        again = tmp_path / "sau-khoi-phuc.jsonl.gz"
        manage(database_url, "backup", str(again))
    finally:
        drop()
    assert records(again) == saved


def test_the_backup_keeps_the_history_of_a_deleted_award(populated, tmp_path):
    backup = tmp_path / "sao-luu.jsonl"
    call_command("backup", str(backup), stdout=io.StringIO())
    history = [
        fields
        for (label, _pk), fields in records(backup).items()
        if label == "movement.historicalaward"
    ]
    assert sorted(fields["history_type"] for fields in history) == ["+", "+", "+", "+", "-", "~"]
    # By id: the history may name a user deleted since.
    editor = User.objects.get(username="can-bo")
    assert {fields["history_user"] for fields in history} == {None, editor.pk}


def test_restore_refuses_a_database_that_holds_records(populated, tmp_path):
    backup = tmp_path / "sao-luu.jsonl"
    call_command("backup", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), stdout=io.StringIO())


def test_backup_names_its_format_so_restore_can_read_it(db, tmp_path):
    with pytest.raises(CommandError, match=r"\*\.jsonl"):
        call_command("backup", str(tmp_path / "sao-luu.json"), stdout=io.StringIO())


def test_content_types_are_written_by_name_not_by_id(populated, tmp_path):
    backup = tmp_path / "sao-luu.jsonl"
    call_command("backup", str(backup), stdout=io.StringIO())
    [entry] = [f for (label, _pk), f in records(backup).items() if label == "admin.logentry"]
    assert entry["content_type"] == ["movement", "award"]
    assert ContentType.objects.get_by_natural_key(*entry["content_type"]).model_class() is Award
