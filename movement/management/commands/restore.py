"""Load a file written by `backup` into a new, migrated, empty database."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from movement import audit
from movement.models import Rank


def records_present() -> list[str]:
    """The tables holding records a backup would bring, other than those migrations fill."""
    seeded = {Rank, Group}
    models = [get_user_model(), *apps.get_app_config("movement").get_models()]
    return [
        model._meta.label
        for model in models
        if model not in seeded and model._default_manager.exists()
    ]


class Command(BaseCommand):
    help = (
        "Khôi phục tệp sao lưu vào một cơ sở dữ liệu mới (đã migrate, chưa có dữ liệu). / "
        "Restore a backup into a new database: migrated, holding no records yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a file written by `backup`")

    def handle(self, *args, path: str, **options) -> None:
        present = records_present()
        if present:
            raise CommandError(
                "Cơ sở dữ liệu đã có dữ liệu / the database is not empty "
                f"({', '.join(present)}): restore into a new database after `migrate`."
            )
        # The history comes back from the file: nothing done here is a change to record.
        with transaction.atomic(), audit.suspended():
            # Migrations fill in the ranks and the roles; the backup has them as they were.
            Rank.objects.all().delete()
            Group.objects.all().delete()
            call_command("loaddata", path, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Đã khôi phục từ {path} / restored from {path}"))
