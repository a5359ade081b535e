"""Write a year's statistics on the Ministry of Home Affairs' forms as .xlsx (movement.papers)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from movement.models import Award, Unit
from movement.papers import statistics


class Command(BaseCommand):
    help = (
        "Báo cáo thống kê thi đua, khen thưởng năm (biểu 0602.N, 0603.N/BNV-TĐKT), tệp .xlsx. / "
        "The year's emulation-and-commendation statistics on the Home Affairs forms, .xlsx."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="Năm báo cáo. / The year.")
        parser.add_argument("--unit", help="Mã đơn vị (cả các đơn vị trực thuộc). / Unit code.")
        parser.add_argument("--out", required=True, help="Tệp .xlsx ghi ra. / The file written.")

    def handle(self, *args, year, unit, out, **options) -> None:
        within = None
        if unit:
            try:
                within = Unit.objects.get(slug=unit)
            except Unit.DoesNotExist:
                raise CommandError(f"Không có đơn vị mã “{unit}” / no unit “{unit}”") from None
        Path(out).write_bytes(statistics.workbook(Award.objects.all(), year, within))
        counted = statistics.tally(Award.objects.all(), year, within)
        self.stdout.write(
            f"Đã ghi {out}: biểu 0602.N {counted.total('0602')}, biểu 0603.N "
            f"{counted.total('0603')} (trong đó cờ thi đua cấp bộ "
            f"{counted.get('0603', 'ministry_flag')}), ngoài biểu {sum(counted.outside.values())}"
        )
