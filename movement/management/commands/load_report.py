"""Load the conference report's records (fixtures/report.json) once, keeping later edits by staff.

The fixture uses natural keys throughout, so loading it again updates the same rows rather than
adding new ones. loaddata saves rows raw, without calling Model.save(), so the command refreshes the
search texts (folded and marked) of the loaded records itself.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.management.commands import loaddata
from django.db import transaction

from movement import audit
from movement.models import Person, Posting, RankChange, Source
from movement.models.base import SEARCH_FIELDS, Searchable
from movement.models.service import start_histories

FIXTURE = "report"
REPORT_SOURCE_SLUG = "bao-cao-hoi-nghi-2017"


def refresh_search_text(source: Source) -> int:
    """Recompute the search text of every searchable record taken from ``source``.

    Returns how many records were refreshed.
    """
    refreshed = 0
    for model in apps.get_app_config("movement").get_models():
        if not issubclass(model, Searchable):
            continue
        records = list(model._default_manager.filter(source=source))
        for record in records:
            record.refresh_search_text()
        # Not save(): the search text is derived, and the load itself is already in the history.
        model._default_manager.bulk_update(records, SEARCH_FIELDS)
        refreshed += len(records)
    return refreshed


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu của báo cáo Hội nghị triển khai công tác năm 2017 (fixtures/report.json) "
        "nếu chưa có; --force để nạp lại. / Load the report's records unless already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Nạp lại dù dữ liệu báo cáo đã có (ghi đè các bản ghi của báo cáo đã sửa).",
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not force and Source.objects.filter(slug=REPORT_SOURCE_SLUG).exists():
            self.stdout.write("Dữ liệu báo cáo đã có, bỏ qua (dùng --force để nạp lại)")
            return
        loader = loaddata.Command()
        # loaddata saves raw, which django-simple-history does not record; the report's
        # records enter the history here as a fixture load.
        with transaction.atomic(), audit.recording(audit.Path.FIXTURE, FIXTURE, raw_saves=True):
            call_command(loader, FIXTURE, verbosity=0)
            report = Source.objects.get(slug=REPORT_SOURCE_SLUG)
            refresh_search_text(report)
            # The rank, unit and position the report gives a person start their history, as
            # the migration that added the history did for the people already recorded.
            start_histories(Person.objects.filter(source=report), RankChange, Posting)
        self.stdout.write(
            self.style.SUCCESS(f"Đã nạp dữ liệu báo cáo: {loader.loaded_object_count} bản ghi")
        )
