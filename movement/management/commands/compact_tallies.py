"""Fold the public pages' tallies of awards (movement.models.tallies): for a daily cron."""

from django.core.management.base import BaseCommand

from movement.models import compact_tallies


class Command(BaseCommand):
    help = (
        "Gộp các dòng của bảng đếm khen thưởng, mỗi khoá một dòng (chạy hằng ngày). / "
        "Fold the award tallies' rows into one per key (run daily)."
    )

    def handle(self, *args, **options) -> None:
        compact_tallies()
