"""Delete the records of previewed uploads that ended (imported, cancelled, expired) long ago."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from movement.models import PendingImport


class Command(BaseCommand):
    help = (
        "Xoá các bản xem trước tệp nhập đã kết thúc (đã nhập, đã huỷ, hết hạn) quá N ngày. / "
        "Delete previewed uploads that were imported, cancelled or expired more than N days ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="Giữ bao nhiêu ngày sau khi kết thúc (mặc định 30). / Days kept after the end.",
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days không được âm / must not be negative")
        now = timezone.now()
        expired = PendingImport.objects.expire(now)
        # Until then a late confirmation is told who ended the preview, and when.
        deleted, _by_model = PendingImport.objects.ended_before(
            now - datetime.timedelta(days=days)
        ).delete()
        self.stdout.write(
            f"Đã xoá {deleted} bản xem trước, {expired} bản vừa hết hạn / "
            f"deleted {deleted} previews; {expired} just expired"
        )
