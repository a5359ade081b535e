"""Write everything worth keeping to one file: the records, their history, users and roles."""

import bz2
import datetime
import gzip
import lzma
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from movement.models import ExportJob, PendingImport
from movement.models.tallies import TALLIES

# Kept only for a while, not worth restoring: export files waiting to be downloaded, previewed
# uploads waiting to be confirmed.
TRANSIENT = {ExportJob, PendingImport}
# Made again by the database's triggers as the awards are restored: restored too, the tallies
# would count every award twice.
DERIVED = set(TALLIES)
OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".lzma": lzma.open, ".bz2": bz2.open}
ROWS_PER_QUERY = 2000


def backed_up() -> list[tuple[type[models.Model], bool]]:
    """The models a backup holds, each with whether it refers to others by natural key.

    Users, groups and the admin's log refer to content types and permissions, which migrate
    recreates with ids of its own: they are written by their natural keys. The app's records and
    their history keep plain ids: a history row may point at a record deleted since, which has no
    natural key left to write. Left out: what migrate recreates (content types, permissions) and
    what is kept only for a while (sessions, login attempts, export files, background tasks),
    and the tallies the triggers keep.
    """
    by_natural_key = [(Group, True), (get_user_model(), True), (LogEntry, True)]
    records = [
        (model, False)
        for model in apps.get_app_config("movement").get_models()
        if model not in TRANSIENT | DERIVED
    ]
    return by_natural_key + records


class ExactEncoder(DjangoJSONEncoder):
    """Dates and times to the microsecond: DjangoJSONEncoder rounds them to the millisecond, and
    a record's history is ordered by the time of each change."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def open_for_writing(path: Path) -> IO[str]:
    opener = OPENERS.get(path.suffix, open)
    return opener(path, "wt", encoding="utf-8")


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ dữ liệu (bản ghi, lịch sử, người dùng, nhóm quyền) vào một tệp "
        "JSON Lines; đuôi .gz hoặc .xz để nén. / Back up every record, its history, users and "
        "groups to one "
        "JSON Lines file (.jsonl.gz or .jsonl.xz to compress). Restore it with `restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to write, e.g. backup-2026-11-27.jsonl.gz")

    def handle(self, *args, path: str, **options) -> None:
        file = Path(path)
        compressed = file.suffix in OPENERS
        if (file.with_suffix("") if compressed else file).suffix != ".jsonl":
            # `restore` (loaddata) tells the format by the name.
            raise CommandError("Name the file *.jsonl, *.jsonl.gz or *.jsonl.xz.")
        written = 0
        with open_for_writing(file) as stream:
            for model, natural_keys in backed_up():
                rows = model._default_manager.order_by("pk").iterator(chunk_size=ROWS_PER_QUERY)
                serializer = serializers.get_serializer("jsonl")()
                serializer.serialize(
                    rows, stream=stream, use_natural_foreign_keys=natural_keys, cls=ExactEncoder
                )
                written += model._default_manager.count()
        self.stdout.write(
            self.style.SUCCESS(f"Đã sao lưu {written} bản ghi vào {path} / backed up to {path}")
        )
