"""Print every certificate of a year, a decision or a unit as one PDF (movement.papers)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from movement.models import Award, Unit
from movement.papers import certificates


class Command(BaseCommand):
    help = (
        "In bằng khen, giấy khen lên phôi: một tệp PDF, mỗi người hoặc tập thể có tên một trang. / "
        "Print certificates onto blanks: one PDF, a page per named recipient."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="Năm thi đua. / Emulation year.")
        parser.add_argument("--decision", help="Số quyết định. / Decision number.")
        parser.add_argument("--unit", help="Mã đơn vị (cả các đơn vị trực thuộc). / Unit code.")
        parser.add_argument("--out", required=True, help="Tệp PDF ghi ra. / The PDF written.")

    def handle(self, *args, year, decision, unit, out, **options) -> None:
        if year is None and not decision:
            raise CommandError("Cần --year hoặc --decision / give --year or --decision")
        awards = Award.objects.all()
        if year is not None:
            awards = awards.filter(year=year)
        if decision:
            awards = awards.filter(decision_number=decision)
        if unit:
            try:
                within = Unit.objects.get(slug=unit).subtree()
            except Unit.DoesNotExist:
                raise CommandError(f"Không có đơn vị mã “{unit}” / no unit “{unit}”") from None
            awards = awards.filter(recipient_unit__in=within) | awards.filter(
                recipient_person__unit__in=within
            )
        batch = certificates.print_batch(awards)
        if not batch.pages:
            raise CommandError(
                "Không có khen thưởng nào cho người hoặc tập thể có tên / no named recipient"
            )
        Path(out).write_bytes(batch.pdf)
        self.stdout.write(f"Đã ghi {batch.pages} trang vào {out} / wrote {batch.pages} pages")
        for award in batch.skipped:
            self.stdout.write(
                f"Bỏ qua: {award} — nhóm không nêu tên, không có tên để in / "
                "skipped: an unnamed group has no name to print"
            )
        for award_type in batch.default_layouts:
            self.stdout.write(
                f"{award_type}: chưa có mẫu phôi, in theo mẫu mặc định (A4 ngang) / default layout"
            )
