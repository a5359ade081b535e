"""A person's award record (trích ngang khen thưởng): who they are and every award they were
given, newest first, as .docx; the printable page is movement.papers.views.person_record."""

import io
from collections.abc import Iterable

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from movement.models import Award, Person

from . import fonts
from .lines import long_date

HEADERS = [
    "STT",
    "Năm",
    "Hình thức khen thưởng",
    "Số, ngày quyết định",
    "Cấp bậc, chức vụ khi được khen",
]


def awards_of(person: Person) -> list[Award]:
    return list(
        person.awards.select_related("award_type", "rank_at_award").order_by("-year", "-pk")
    )


def decision_of(award: Award) -> str:
    if not (award.decision_number or award.decision_date):
        return ""
    number = f"Số {award.decision_number}" if award.decision_number else "Số ……"
    return f"{number}, {long_date(award.decision_date)}" if award.decision_date else number


def revoked(award: Award) -> str:
    """A revoked award stays on the record, said to be revoked (and when)."""
    if award.revoked_on is None:
        return ""
    return f" (đã thu hồi {long_date(award.revoked_on)})"


def held_then(award: Award) -> str:
    parts = [award.rank_at_award.name if award.rank_at_award_id else "", award.position_at_award]
    return ", ".join(part for part in parts if part)


def rows(person: Person) -> list[list[str]]:
    return [
        [str(n), str(a.year), str(a.award_type) + revoked(a), decision_of(a), held_then(a)]
        for n, a in enumerate(awards_of(person), start=1)
    ]


def docx_of(people: Iterable[Person]) -> bytes:
    """The award records of ``people``, a page each, as one Word document."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = fonts.DOCX_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), fonts.DOCX_FONT)
    style.font.size = Pt(13)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for number, person in enumerate(people):
        if number:
            document.add_page_break()
        _record(document, person)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _record(document, person: Person) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("TRÍCH NGANG KHEN THƯỞNG")
    run.bold, run.font.size = True, Pt(14)
    facts = [
        ("Họ và tên", person.full_name),
        ("Cấp bậc", person.rank.name if person.rank_id else ""),
        ("Chức vụ", person.position),
        ("Đơn vị", person.unit.name if person.unit_id else ""),
        (
            "Ngày vào ngành",
            long_date(person.entered_service_on)[5:] if person.entered_service_on else "",
        ),
    ]
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value or "chưa ghi")
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.paragraphs[0].add_run(header).bold = True
    lines = rows(person)
    for values in lines:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.paragraphs[0].add_run(value)
    if not lines:
        document.add_paragraph("Chưa có khen thưởng nào được ghi.")
    footer = document.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run(
        f"Trích từ dữ liệu thi đua, khen thưởng {long_date(timezone.localdate())}"
    ).italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
