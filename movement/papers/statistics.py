"""The yearly emulation-and-commendation statistics on the Ministry of Home Affairs' forms, .xlsx.

The forms are those of Thông tư số 02/2023/TT-BNV (23/3/2023) of the Ministry of Home Affairs on
the statistics of the Home Affairs sector, as offices' software implements them: Biểu số
0602.N/BNV-TĐKT "Số lượng khen thưởng cấp Nhà nước" and 0603.N/BNV-TĐKT "Số lượng khen thưởng
cấp bộ, ban, ngành, đoàn thể Trung ương và tỉnh, thành phố trực thuộc Trung ương", yearly, due
15 December. Thông tư số 18/2025/TT-BNV (8/10/2025) now sets the sector's statistics; its own
forms were not read here, which the workbook's "Nguồn" sheet says.

Each form counts recipients by form of award and by class, a collective and an individual apart;
an unnamed group ("3 tập thể") counts as its size. What a form asks and the app does not hold
(the kind of collective, the leaders' levels, the way an award was given) is said in its cells,
never printed as 0. Awards on neither form (a general department's flag, a unit title) are listed
on a sheet of their own, so that nothing is left out unseen.
"""

import io
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from movement.models import Award, AwardType, RecipientKind, Unit

CIRCULAR = "Thông tư số 02/2023/TT-BNV ngày 23/3/2023 của Bộ Nội vụ"
LATER_CIRCULAR = (
    "Thông tư số 18/2025/TT-BNV ngày 08/10/2025 của Bộ Nội vụ quy định Chế độ báo cáo thống kê "
    "ngành Nội vụ: biểu mẫu của thông tư này chưa được đối chiếu (CHƯA ĐỐI CHIẾU)."
)
NOT_HELD = "Ứng dụng không lưu dữ liệu này"
NOT_IN_CATALOGUE = "Danh mục của ứng dụng không có hình thức này"
COLLECTIVE, INDIVIDUAL = RecipientKind.COLLECTIVE, RecipientKind.INDIVIDUAL

# The ministry-level titles and flags that the law's catalogue names without a conferrer (the
# law's own names for "of a ministry, sector, province"); the CAND's own are the minister's.
MINISTRY_TITLES = {
    "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh",
    "Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương",
}
MINISTRY_FLAGS = {
    "Cờ thi đua của Bộ, ban, ngành, tỉnh",
    "Cờ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương",
}

# Form 0602's columns and 0603's, each: a key, its header, and whether it counts collectives,
# individuals or both (a pair of columns).
STATE_COLUMNS = [
    ("orders", "Các loại huân chương, huy chương", (COLLECTIVE, INDIVIDUAL)),
    ("hcm_prize", "Giải thưởng Hồ Chí Minh", (INDIVIDUAL,)),
    ("state_prize", "Giải thưởng Nhà nước", (INDIVIDUAL,)),
    ("honour", "Danh hiệu vinh dự nhà nước", (COLLECTIVE, INDIVIDUAL)),
    ("government_flag", "Cờ thi đua của Chính phủ", (COLLECTIVE,)),
    ("pm_merit", "Bằng khen của Thủ tướng Chính phủ", (COLLECTIVE, INDIVIDUAL)),
    ("national_soldier", "Chiến sĩ thi đua toàn quốc", (INDIVIDUAL,)),
]
MINISTRY_COLUMNS = [
    ("merit", "Bằng khen"),
    ("ministry_soldier", "Chiến sĩ thi đua cấp bộ, cấp tỉnh"),
    (
        "ministry_flag",
        "Cờ thi đua của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố trực thuộc Trung ương",
    ),
    (
        "badge",
        "Huy hiệu (kỷ niệm chương) của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố "
        "trực thuộc Trung ương",
    ),
]
# Columns the catalogue cannot hold: no category of award type is a prize or a state honour.
NOT_IN_CATALOGUE_COLUMNS = {"hcm_prize", "state_prize", "honour"}


def column_of(award_type: AwardType) -> tuple[str, str] | None:
    """The form ("0602" or "0603") and column an award of ``award_type`` is counted in, or None
    for a form neither counts."""
    category, by = award_type.category, award_type.conferred_by
    Category, Conferrer = AwardType.Category, AwardType.Conferrer
    if category in (Category.ORDER, Category.MEDAL):
        return ("0602", "orders")
    if by == Conferrer.PRIME_MINISTER:
        columns = {
            Category.FLAG: "government_flag",
            Category.CERTIFICATE_OF_MERIT: "pm_merit",
            Category.TITLE: "national_soldier",
        }
        return ("0602", columns[category]) if category in columns else None
    if category == Category.CERTIFICATE_OF_MERIT and by == Conferrer.MINISTER:
        return ("0603", "merit")
    ministry_title = by == Conferrer.MINISTER or award_type.name in MINISTRY_TITLES
    if category == Category.TITLE and award_type.for_individuals and ministry_title:
        return ("0603", "ministry_soldier")
    if category == Category.FLAG and (
        by == Conferrer.MINISTER or award_type.name in MINISTRY_FLAGS
    ):
        return ("0603", "ministry_flag")
    if category == Category.COMMEMORATIVE and by == Conferrer.MINISTER:
        return ("0603", "badge")
    return None


def size(award: Award) -> int:
    """How many recipients an award counts: one, or an unnamed group's size."""
    return award.group_count or 1


@dataclass
class Tally:
    """The year's awards counted per form, column, kind of recipient and order type."""

    counts: Counter
    orders: Counter
    outside: Counter
    unattributed_groups: int = 0

    def get(self, form: str, column: str, kind: str | None = None) -> int:
        if kind is None:
            return self.counts[form, column, COLLECTIVE] + self.counts[form, column, INDIVIDUAL]
        return self.counts[form, column, kind]

    def total(self, form: str, kind: str | None = None) -> int:
        return sum(
            n for (f, _column, k), n in self.counts.items() if f == form and kind in (None, k)
        )


def tally(awards: QuerySet, year: int, unit: Unit | None = None) -> Tally:
    """Count ``awards`` of ``year``, within ``unit``'s subtree when one is given."""
    # A revoked award is no longer given: the decisions' rule for every tally.
    chosen = awards.in_force().filter(year=year).select_related("award_type")
    unattributed = 0
    if unit is not None:
        subtree = unit.subtree()
        # An unnamed group belongs to no unit: it cannot be counted in one's subtree.
        unattributed = chosen.filter(group_count__isnull=False).count()
        chosen = chosen.filter(
            Q(recipient_unit__in=subtree) | Q(recipient_person__unit__in=subtree)
        )
    counts, orders, outside = Counter(), Counter(), Counter()
    for award in chosen.order_by("award_type__name", "award_type__award_class", "pk"):
        placed = column_of(award.award_type)
        if placed is None:
            outside[award.award_type] += size(award)
            continue
        form, column = placed
        counts[form, column, award.recipient_kind] += size(award)
        if column == "orders":
            orders[award.award_type, award.recipient_kind] += size(award)
    return Tally(counts, orders, outside, unattributed)


# -- The workbook ----------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True)
PLAIN = Font(name="Times New Roman")
ITALIC = Font(name="Times New Roman", italic=True)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")


def workbook(awards: QuerySet, year: int, unit: Unit | None = None, reporter: str = "") -> bytes:
    """The year's statistics, form 0602 and 0603 each on its sheet, as .xlsx bytes."""
    counted = tally(awards, year, unit)
    book = Workbook()
    scope = unit.name if unit else (reporter or "Toàn bộ dữ liệu")
    state = book.active
    state.title = "0602.N"
    _state_sheet(state, counted, year, scope)
    _ministry_sheet(book.create_sheet("0603.N"), counted, year, scope)
    _outside_sheet(book.create_sheet("Ngoài biểu"), counted, year)
    _sources_sheet(book.create_sheet("Nguồn"), counted)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet, form: str, title: str, year: int, scope: str, width: int) -> int:
    """The form's heading rows; returns the next free row."""
    sheet["A1"] = f"Biểu số: {form}/BNV-TĐKT"
    sheet["A1"].font = BOLD
    sheet["A2"] = f"Ban hành theo {CIRCULAR}"
    sheet["A3"] = "Ngày nhận báo cáo: ngày 15 tháng 12 năm báo cáo"
    sheet["A4"] = f"Đơn vị báo cáo: {scope}"
    sheet["A4"].font = BOLD
    sheet.cell(row=6, column=1, value=title).font = Font(name="Times New Roman", bold=True, size=14)
    sheet.merge_cells(start_row=6, start_column=1, end_row=6, end_column=width)
    sheet.cell(row=6, column=1).alignment = WRAP
    sheet.cell(row=7, column=1, value=f"Năm báo cáo: {year}").font = ITALIC
    sheet.merge_cells(start_row=7, start_column=1, end_row=7, end_column=width)
    sheet.cell(row=7, column=1).alignment = WRAP
    return 9


def _put(sheet, row: int, column: int, value, font=PLAIN, align=WRAP) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font, cell.alignment, cell.border = font, align, BOX


def _state_sheet(sheet, counted: Tally, year: int, scope: str) -> None:
    order_types = sorted(
        {award_type for award_type, _kind in counted.orders},
        key=lambda t: (t.name, t.award_class),
    )
    # Column layout: A label, B code, C unit, D total, then each column's kinds.
    columns: list[tuple[str, str, str, AwardType | None]] = []  # key, header, kind, order type
    for key, header, kinds in STATE_COLUMNS:
        if key == "orders":
            for order_type in order_types or [None]:
                for kind in kinds:
                    columns.append(
                        (key, str(order_type) if order_type else header, kind, order_type)
                    )
        else:
            for kind in kinds:
                columns.append((key, header, kind, None))
    width = 4 + len(columns)
    row = _heading(sheet, "0602.N", "SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC", year, scope, width)
    for column, header in enumerate(["", "Mã số", "Đơn vị tính", "Tổng số"], start=1):
        _put(sheet, row, column, header, BOLD)
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 2, end_column=column)
    _put(sheet, row, 5, "Chia ra", BOLD)
    sheet.merge_cells(start_row=row, start_column=5, end_row=row, end_column=width)
    for index, (key, header, kind, _type) in enumerate(columns, start=5):
        group = "Các loại huân chương, huy chương" if key == "orders" else header
        _put(sheet, row + 1, index, group, BOLD)
        _put(
            sheet,
            row + 2,
            index,
            f"{header if key == 'orders' else ''}\n{_kind(kind)}".strip(),
            BOLD,
        )
    _merge_runs(sheet, row + 1, 5, width)
    row += 3
    _put(sheet, row, 1, "Tổng số", BOLD, WRAP_LEFT)
    _put(sheet, row, 2, "01")
    _put(sheet, row, 3, "Tập thể, người")
    _put(sheet, row, 4, counted.total("0602"), BOLD)
    for index, (key, _header, kind, order_type) in enumerate(columns, start=5):
        if key in NOT_IN_CATALOGUE_COLUMNS:
            _put(sheet, row, index, NOT_IN_CATALOGUE, ITALIC)
        elif key == "orders" and order_type is not None:
            _put(sheet, row, index, counted.orders[order_type, kind])
        else:
            _put(sheet, row, index, counted.get("0602", key, kind))
    row += 1
    for label, code in [
        ("1. Chia theo đơn vị ban hành tờ trình Thủ tướng Chính phủ về khen thưởng", ""),
        ("2. Chia theo đối tượng khen thưởng", ""),
    ]:
        _put(sheet, row, 1, label, BOLD, WRAP_LEFT)
        _put(sheet, row, 2, code)
        _put(sheet, row, 3, "")
        _put(sheet, row, 4, NOT_HELD, ITALIC)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=width)
        row += 1
    _sizes(sheet, width)


def _ministry_sheet(sheet, counted: Tally, year: int, scope: str) -> None:
    width = 4 + len(MINISTRY_COLUMNS)
    title = (
        "SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH, ĐOÀN THỂ TRUNG ƯƠNG VÀ TỈNH, THÀNH PHỐ TRỰC "
        "THUỘC TRUNG ƯƠNG"
    )
    row = _heading(sheet, "0603.N", title, year, scope, width)
    for column, header in enumerate(["", "Mã số", "Đơn vị tính", "Tổng số"], start=1):
        _put(sheet, row, column, header, BOLD)
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    _put(sheet, row, 5, "Chia ra", BOLD)
    sheet.merge_cells(start_row=row, start_column=5, end_row=row, end_column=width)
    for index, (_key, header) in enumerate(MINISTRY_COLUMNS, start=5):
        _put(sheet, row + 1, index, header, BOLD)
    row += 2
    for index, letter in enumerate(["A", "B", "C", "1", "2", "3", "4", "5"], start=1):
        _put(sheet, row, index, letter, BOLD)
    row += 1

    def counts(label: str, code: str, unit: str, kind: str | None, font=PLAIN) -> None:
        nonlocal row
        _put(sheet, row, 1, label, font, WRAP_LEFT)
        _put(sheet, row, 2, code)
        _put(sheet, row, 3, unit)
        _put(sheet, row, 4, counted.total("0603", kind), font)
        for index, (key, _header) in enumerate(MINISTRY_COLUMNS, start=5):
            _put(sheet, row, index, counted.get("0603", key, kind), font)
        row += 1

    def not_held(label: str, code: str, unit: str, why: str = NOT_HELD) -> None:
        nonlocal row
        _put(sheet, row, 1, label, PLAIN, WRAP_LEFT)
        _put(sheet, row, 2, code)
        _put(sheet, row, 3, unit)
        _put(sheet, row, 4, why, ITALIC)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=width)
        for index in range(5, width + 1):
            sheet.cell(row=row, column=index).border = BOX
        row += 1

    def section(label: str) -> None:
        nonlocal row
        _put(sheet, row, 1, label, BOLD, WRAP_LEFT)
        for index in range(2, width + 1):
            _put(sheet, row, index, "")
        row += 1

    counts("Tổng số", "01", "", None, BOLD)
    section("1. Chia theo đối tượng khen thưởng")
    counts("- Tập thể", "02", "Tập thể", COLLECTIVE)
    not_held("Trong đó: Doanh nghiệp", "03", "Doanh nghiệp", NOT_HELD + " (loại hình tập thể)")
    not_held("- Hộ gia đình", "04", "Hộ", NOT_HELD + " (ứng dụng không ghi hộ gia đình)")
    counts("- Cá nhân", "05", "Người", INDIVIDUAL)
    leaders = NOT_HELD + " (cấp lãnh đạo của người được khen)"
    for label, code in [
        ("+ Lãnh đạo cấp bộ, cấp tỉnh và tương đương trở lên", "06"),
        ("+ Lãnh đạo cấp vụ, sở, ngành và tương đương", "07"),
        ("+ Doanh nhân", "08"),
        ("+ Các cấp lãnh đạo khác từ phó phòng trở lên", "09"),
        (
            "+ Người trực tiếp công tác, lao động, học tập, chiến đấu và phục vụ chiến đấu "
            "(công nhân, nông dân,...)",
            "10",
        ),
    ]:
        not_held(label, code, "Người", leaders)
    section("2. Chia theo phương thức khen thưởng")
    ways = NOT_HELD + " (phương thức khen thưởng)"
    for label, code in [
        ("- Thường xuyên", "11"),
        ("- Chuyên đề", "12"),
        ("- Đột xuất", "13"),
        ("- Đối ngoại", "14"),
        ("- Cống hiến", "15"),
        ("- Niên hạn", "16"),
        ("- Kháng chiến", "17"),
    ]:
        not_held(label, code, "", ways)
    _sizes(sheet, width)


def _outside_sheet(sheet, counted: Tally, year: int) -> None:
    sheet["A1"] = f"Khen thưởng năm {year} không thuộc cột nào của biểu 0602.N và 0603.N"
    sheet["A1"].font = BOLD
    for column, header in enumerate(["Hình thức khen thưởng", "Số lượt (tập thể, người)"], 1):
        _put(sheet, 3, column, header, BOLD)
    row = 4
    for award_type, number in sorted(counted.outside.items(), key=lambda item: str(item[0])):
        _put(sheet, row, 1, str(award_type), PLAIN, WRAP_LEFT)
        _put(sheet, row, 2, number)
        row += 1
    if row == 4:
        _put(sheet, row, 1, "Không có", ITALIC, WRAP_LEFT)
        _put(sheet, row, 2, "")
    if counted.unattributed_groups:
        sheet.cell(
            row=row + 2,
            column=1,
            value=(
                f"{counted.unattributed_groups} khen thưởng cho nhóm không nêu tên (“3 tập thể”) "
                "không thuộc đơn vị nào nên không tính vào báo cáo của một đơn vị."
            ),
        ).font = ITALIC
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 24


def _sources_sheet(sheet, counted: Tally) -> None:
    lines = [
        "Biểu số 0602.N/BNV-TĐKT và 0603.N/BNV-TĐKT, ban hành theo " + CIRCULAR + ".",
        LATER_CIRCULAR,
        "Mỗi khen thưởng tính một tập thể hoặc một người; nhóm không nêu tên (“3 tập thể”) "
        "tính theo số lượng của nhóm.",
        "Ô ghi “" + NOT_HELD + "”: biểu hỏi dữ liệu mà ứng dụng không lưu; không ghi số 0.",
    ]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text).alignment = WRAP_LEFT
    sheet.column_dimensions["A"].width = 120


def _kind(kind: str) -> str:
    return "Tập thể" if kind == COLLECTIVE else "Cá nhân"


def _merge_runs(sheet, row: int, first: int, last: int) -> None:
    """Merge neighbouring header cells of ``row`` that say the same."""
    start = first
    for column in range(first + 1, last + 2):
        same = column <= last and (
            sheet.cell(row=row, column=column).value == sheet.cell(row=row, column=start).value
        )
        if not same:
            if column - 1 > start:
                sheet.merge_cells(
                    start_row=row, start_column=start, end_row=row, end_column=column - 1
                )
            start = column


def _sizes(sheet, width: int) -> None:
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 7
    sheet.column_dimensions["C"].width = 12
    for column in range(4, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
