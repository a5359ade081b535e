"""A decision on awards and its attached list, as .docx and as PDF.

Laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I, lays out an administrative document: A4 upright,
margins 20 mm top and bottom, 30 mm left, 15 mm right; the issuing body top left (upper case,
bold, its superior above it unbolded) with the number and symbol under it; the Quốc hiệu (upper
case, bold, 12–13 pt) and the Tiêu ngữ (bold, 13–14 pt, a line under it) top right with the place
and date (italic) under them; the kind of document and its subject (bold, 14 pt) centred; the
"Căn cứ…" lines and the articles in 14 pt; "Nơi nhận:" (bold italic 12 pt, the list 11 pt) at
the bottom left, the signer's title (upper case, bold) and name at the bottom right. The attached
list is a table: STT, name or collective, rank, position, unit, achievement.

The .docx is written with python-docx, in code, rather than from a Word template (docxtpl): the
layout is reviewed in a diff and tested like the PDF's, and there is no binary file to keep in
step with it. It names Times New Roman, which Word on the office's machines has; the PDF embeds
Liberation Serif, which has the same metrics (movement.papers.fonts).
"""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from movement.models import Award, AwardType, Decision, group_label

from . import fonts
from .lines import Line, line, long_date, with_relations

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOTS = "…………"

# Who signs for each conferring authority, as the signature block and "… QUYẾT ĐỊNH:" name them.
AUTHORITIES = {
    AwardType.Conferrer.STATE_PRESIDENT: "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam",
    AwardType.Conferrer.PRIME_MINISTER: "Thủ tướng Chính phủ",
    AwardType.Conferrer.MINISTER: "Bộ trưởng Bộ Công an",
    AwardType.Conferrer.GENERAL_DEPARTMENT: "Tổng cục trưởng",
    AwardType.Conferrer.UNIT_HEAD: "Thủ trưởng đơn vị",
}
SIGNER_TITLES = {
    AwardType.Conferrer.STATE_PRESIDENT: "CHỦ TỊCH NƯỚC",
    AwardType.Conferrer.PRIME_MINISTER: "THỦ TƯỚNG",
    AwardType.Conferrer.MINISTER: "BỘ TRƯỞNG",
    AwardType.Conferrer.GENERAL_DEPARTMENT: "TỔNG CỤC TRƯỞNG",
    AwardType.Conferrer.UNIT_HEAD: "THỦ TRƯỞNG ĐƠN VỊ",
}


@dataclass
class DecisionPaper:
    """What a decision on awards says: who issues it, its number, date and grounds, and the
    awards it gives."""

    number: str
    date: datetime.date | None
    issuing_body: str
    parent_body: str
    authority: str
    signer_title: str
    signer_name: str
    awards: list[Award]
    place: str = ""
    legal_basis: list[str] = field(default_factory=list)
    summary: str = ""

    @classmethod
    def from_awards(cls, awards: Iterable[Award]) -> "DecisionPaper":
        """The decision that gave ``awards``: they share a decision number (and date)."""
        awards = list(awards)
        if not awards:
            raise ValidationError(_("Choose the awards of one decision: none was chosen."))
        numbers = {award.decision_number for award in awards}
        if len(numbers) > 1:
            raise ValidationError(
                _(
                    "These awards belong to %(count)d decisions (%(numbers)s): choose the awards "
                    "of one decision number."
                )
                % {"count": len(numbers), "numbers": ", ".join(sorted(n or "—" for n in numbers))}
            )
        dates = {award.decision_date for award in awards if award.decision_date}
        bodies = {award.conferring_unit for award in awards if award.conferring_unit_id}
        conferrers = {award.award_type.conferred_by for award in awards} - {""}
        body = bodies.pop() if len(bodies) == 1 else None
        conferrer = conferrers.pop() if len(conferrers) == 1 else ""
        basis = []
        for award_type in sorted({a.award_type for a in awards}, key=lambda t: t.pk):
            if award_type.legal_source_id and award_type.legal_source.title not in basis:
                basis.append(award_type.legal_source.title)
        return cls(
            number=numbers.pop(),
            date=dates.pop() if len(dates) == 1 else None,
            issuing_body=body.name if body else "",
            parent_body=body.parent.name if body and body.parent_id else "",
            authority=AUTHORITIES.get(conferrer, ""),
            signer_title=SIGNER_TITLES.get(conferrer, ""),
            signer_name="",
            awards=awards,
            legal_basis=[f"Căn cứ {text};" for text in basis],
        )

    # -- What the paper says, shared by the .docx and the PDF -------------------------------

    @property
    def number_line(self) -> str:
        return (
            f"Số: {self.number}"
            if self.number
            else "Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/QĐ-……"
        )

    @property
    def place_and_date(self) -> str:
        return f"{self.place or DOTS}, {long_date(self.date)}"

    def groups(self) -> list[tuple[AwardType, list[Line]]]:
        """The recipients, by award type, in the order the awards were given."""
        ordered = sorted(self.awards, key=lambda a: (a.award_type.pk, a.pk))
        return [
            (award_type, [line(award) for award in awards])
            for award_type, awards in groupby(ordered, key=lambda a: a.award_type)
        ]

    @classmethod
    def from_decision(
        cls, decision: Decision, awards: Iterable[Award] | None = None
    ) -> "DecisionPaper":
        """``decision`` as recorded: its number, date, issuer, signer and grounds, and the awards
        it gave that are in force (``awards``, a subset of them, if given)."""
        if awards is None:
            awards = with_relations(decision.awards.in_force()).order_by("pk")
        paper = cls.from_awards(awards)
        paper.number, paper.date = decision.number, decision.date
        if decision.issuer:
            paper.issuing_body, paper.parent_body = decision.issuer, ""
        paper.signer_name = decision.signer
        if decision.signer_position:
            # "KT. BỘ TRƯỞNG, THỨ TRƯỞNG": one line each above the signature (Nghị định 30).
            paper.signer_title = decision.signer_position.upper().replace(", ", "\n")
        paper.legal_basis = decision.basis_lines() or paper.legal_basis
        paper.summary = decision.subject
        return paper

    @property
    def subject(self) -> str:
        if self.summary:
            return self.summary
        names = [str(award_type) for award_type, _lines in self.groups()]
        return "Về việc tặng " + ", ".join(names)

    def who(self, lines: list[Line]) -> str:
        """How many recipients ("2 tập thể và 1 cá nhân"), an unnamed group counted as its size."""
        collectives = individuals = 0
        for one in lines:
            count = one.award.group_count or 1
            if one.award.recipient_kind == "individual":
                individuals += count
            else:
                collectives += count
        parts = [
            group_label(n, kind)
            for n, kind in ((collectives, "collective"), (individuals, "individual"))
            if n
        ]
        return " và ".join(parts)

    def articles(self) -> list[tuple[str, str]]:
        first = "; ".join(
            f"Tặng {award_type} cho {self.who(lines)}" for award_type, lines in self.groups()
        )
        return [
            ("Điều 1.", f"{first} có tên trong danh sách kèm theo."),
            ("Điều 2.", "Quyết định này có hiệu lực kể từ ngày ký."),
            (
                "Điều 3.",
                "Thủ trưởng các đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 "
                "chịu trách nhiệm thi hành Quyết định này.",
            ),
        ]

    @property
    def list_title(self) -> str:
        """The list's title under "DANH SÁCH": what it gives, by award type."""
        return "Tặng " + ", ".join(str(award_type) for award_type, _lines in self.groups())

    @property
    def reference(self) -> str:
        """ "(Kèm theo Quyết định số … ngày … của …)", the list's line under its title."""
        number = self.number or "……"
        by = f" của {self.authority}" if self.authority else ""
        return f"(Kèm theo Quyết định số {number} {long_date(self.date)}{by})"

    RECIPIENTS = ["- Như Điều 3;", "- Lưu: VT."]

    # -- .docx ------------------------------------------------------------------------------

    def docx(self) -> bytes:
        """The decision and, on a landscape page after it, its list, as a Word document."""
        document = Document()
        style = document.styles["Normal"]
        style.font.name = fonts.DOCX_FONT
        style.element.rPr.rFonts.set(qn("w:eastAsia"), fonts.DOCX_FONT)
        style.font.size = Pt(14)
        style.paragraph_format.space_after = Pt(0)
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        _margins(section)

        self._docx_heading(document)
        _para(document, "QUYẾT ĐỊNH", bold=True, align="center", before=12)
        _para(document, self.subject, bold=True, align="center")
        _para(document, "_" * 12, align="center", size=10)
        _para(document, self.authority.upper() or DOTS, bold=True, align="center", before=12)
        for basis in self.legal_basis:
            _para(document, basis, italic=True, align="justify", indent=True, before=6)
        _para(document, "QUYẾT ĐỊNH:", bold=True, align="center", before=12, after=6)
        for head, text in self.articles():
            paragraph = _para(document, "", align="justify", indent=True, before=6)
            paragraph.add_run(head + " ").bold = True
            paragraph.add_run(text)
        self._docx_signature(document)

        # The list, on a landscape page of its own (Nghị định 30 lets a table lie across).
        landscape_section = document.add_section()
        landscape_section.orientation = WD_ORIENT.LANDSCAPE
        landscape_section.page_width, landscape_section.page_height = Mm(297), Mm(210)
        _margins(landscape_section)
        self._docx_list(document)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def _docx_heading(self, document) -> None:
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        left.width, right.width = Mm(65), Mm(100)
        cell = left.paragraphs[0]
        cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.parent_body:
            _run(cell, self.parent_body.upper(), size=13)
            cell = left.add_paragraph()
            cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell, (self.issuing_body or DOTS).upper(), size=13, bold=True)
        _cell_para(left, "_" * 8, size=10)
        _cell_para(left, self.number_line, size=13, before=6)
        cell = right.paragraphs[0]
        cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell, NATIONAL_TITLE, size=12, bold=True)
        _cell_para(right, MOTTO, size=13, bold=True)
        _cell_para(right, "_" * 20, size=10)
        _cell_para(right, self.place_and_date, size=13, italic=True, before=6)

    def _docx_signature(self, document) -> None:
        table = document.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        cell = left.paragraphs[0]
        cell.paragraph_format.space_before = Pt(12)
        _run(cell, "Nơi nhận:", size=12, bold=True, italic=True)
        for recipient in self.RECIPIENTS:
            paragraph = left.add_paragraph()
            _run(paragraph, recipient, size=11)
        cell = right.paragraphs[0]
        cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraph_format.space_before = Pt(12)
        for number, title in enumerate((self.signer_title or DOTS).splitlines()):
            if number:
                cell = right.add_paragraph()
                cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cell, title, size=14, bold=True)
        for _blank in range(4):
            right.add_paragraph()
        _cell_para(right, self.signer_name or DOTS, size=14, bold=True)

    def _docx_list(self, document) -> None:
        _para(document, (self.issuing_body or DOTS).upper(), bold=True, size=13)
        _para(document, "DANH SÁCH", bold=True, align="center", before=12)
        _para(document, self.list_title, bold=True, align="center")
        _para(document, self.reference, italic=True, align="center", after=6)
        headers = LIST_HEADERS
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cell.paragraphs[0], header, size=12, bold=True)
        number = 0
        for roman, (award_type, lines) in enumerate(self.groups(), start=1):
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            _run(merged.paragraphs[0], f"{ROMAN[roman]}. {award_type}", size=12, bold=True)
            for one in lines:
                number += 1
                values = _list_row(number, one)
                for cell, value in zip(table.add_row().cells, values, strict=True):
                    _run(
                        cell.paragraphs[0],
                        value,
                        size=12,
                        italic=not one.named and value == one.name,
                    )
        for cell, width in zip(table.columns, LIST_WIDTHS_MM, strict=True):
            for each in cell.cells:
                each.width = Mm(width)

    # -- PDF --------------------------------------------------------------------------------

    def pdf(self) -> bytes:
        """The decision (A4 upright) and its list (A4 across), as one PDF."""
        fonts.register()
        out = io.BytesIO()
        document = BaseDocTemplate(
            out,
            pagesize=A4,
            leftMargin=30 * mm,
            rightMargin=15 * mm,
            topMargin=20 * mm,
            bottomMargin=20 * mm,
            title=f"Quyết định {self.number}".strip(),
        )
        upright = Frame(
            30 * mm, 20 * mm, 165 * mm, 257 * mm, id="upright", leftPadding=0, rightPadding=0
        )
        across = Frame(
            30 * mm, 20 * mm, 252 * mm, 170 * mm, id="across", leftPadding=0, rightPadding=0
        )
        document.addPageTemplates(
            [
                PageTemplate("decision", [upright], pagesize=A4),
                PageTemplate("list", [across], pagesize=landscape(A4)),
            ]
        )
        story = self._pdf_decision()
        story += [NextPageTemplate("list"), PageBreak()]
        story += self._pdf_list()
        document.build(story)
        return out.getvalue()

    def _pdf_decision(self) -> list:
        heading = [
            [
                _stack(
                    [
                        (self.parent_body.upper(), S["body13"]) if self.parent_body else None,
                        ((self.issuing_body or DOTS).upper(), S["bold13"]),
                        _rule(20 * mm),
                        (self.number_line, S["body13"]),
                    ]
                ),
                _stack(
                    [
                        (NATIONAL_TITLE, S["bold12"]),
                        (MOTTO, S["bold13"]),
                        _rule(pdfmetrics.stringWidth(MOTTO, fonts.SERIF_BOLD, 13)),
                        (self.place_and_date, S["italic13"]),
                    ]
                ),
            ]
        ]
        table = Table(heading, colWidths=[65 * mm, 100 * mm])
        table.setStyle(_PLAIN)
        story = [table, Spacer(1, 8 * mm)]
        story += [
            Paragraph("QUYẾT ĐỊNH", S["title"]),
            Paragraph(escape(self.subject), S["title"]),
            _rule(30 * mm),
            Spacer(1, 5 * mm),
            Paragraph(escape(self.authority.upper() or DOTS), S["title"]),
            Spacer(1, 3 * mm),
        ]
        story += [Paragraph(escape(basis), S["basis"]) for basis in self.legal_basis]
        story += [Spacer(1, 3 * mm), Paragraph("QUYẾT ĐỊNH:", S["title"]), Spacer(1, 2 * mm)]
        story += [
            Paragraph(f"<b>{escape(head)}</b> {escape(text)}", S["article"])
            for head, text in self.articles()
        ]
        places = [Paragraph("<b><i>Nơi nhận:</i></b>", S["body12"])]
        places += [Paragraph(escape(one), S["body11"]) for one in self.RECIPIENTS]
        signature = _stack(
            [
                *[(title, S["bold14"]) for title in (self.signer_title or DOTS).splitlines()],
                Spacer(1, 25 * mm),
                (self.signer_name or DOTS, S["bold14"]),
            ]
        )
        block = Table([[places, signature]], colWidths=[80 * mm, 85 * mm])
        block.setStyle(_PLAIN)
        story += [Spacer(1, 6 * mm), KeepTogether(block)]
        return story

    def _pdf_list(self) -> list:
        story = [
            Paragraph(escape((self.issuing_body or DOTS).upper()), S["bold13left"]),
            Spacer(1, 4 * mm),
            Paragraph("DANH SÁCH", S["title"]),
            Paragraph(escape(self.list_title), S["title"]),
            Paragraph(escape(self.reference), S["italic13"]),
            Spacer(1, 4 * mm),
        ]
        rows = [[Paragraph(h, S["cellhead"]) for h in LIST_HEADERS]]
        spans = []
        number = 0
        for roman, (award_type, lines) in enumerate(self.groups(), start=1):
            spans.append(len(rows))
            rows.append(
                [Paragraph(f"<b>{ROMAN[roman]}. {escape(str(award_type))}</b>", S["cell"])]
                + [""] * 5
            )
            for one in lines:
                number += 1
                values = _list_row(number, one)
                cells = [Paragraph(escape(v), S["cell"]) for v in values]
                if not one.named:
                    cells[1] = Paragraph(f"<i>{escape(one.name)}</i>", S["cell"])
                cells[0] = Paragraph(values[0], S["cellcenter"])
                rows.append(cells)
        table = Table(rows, colWidths=[w * mm for w in LIST_WIDTHS_MM], repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ]
        style += [("SPAN", (0, row), (-1, row)) for row in spans]
        table.setStyle(TableStyle(style))
        story.append(table)
        return story


LIST_HEADERS = ["STT", "Họ và tên / Tập thể", "Cấp bậc", "Chức vụ", "Đơn vị", "Thành tích"]
LIST_WIDTHS_MM = [14, 55, 28, 40, 55, 60]
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"] + [
    str(n) for n in range(11, 100)
]


def _list_row(number: int, one: Line) -> list[str]:
    return [str(number), one.name, one.rank, one.position, one.unit, one.achievement]


def decision_for(awards) -> DecisionPaper:
    """The decision of ``awards`` (a queryset) in force, its relations read in one query: from
    the Decision record they share when they are linked to one, else from the awards alone."""
    chosen = list(
        with_relations(awards.in_force())
        .select_related("award_type__legal_source", "decision")
        .order_by("pk")
    )
    decisions = {award.decision for award in chosen}
    if len(decisions) == 1 and None not in decisions:
        return DecisionPaper.from_decision(decisions.pop(), chosen)
    return DecisionPaper.from_awards(chosen)


# -- ReportLab styles ------------------------------------------------------------------------


def _style(
    name: str, size: float, font: str = fonts.SERIF, align=TA_CENTER, **extra
) -> ParagraphStyle:
    extra.setdefault("leading", size * 1.2)
    return ParagraphStyle(name, fontName=font, fontSize=size, alignment=align, **extra)


S = {
    "body11": _style("body11", 11, align=TA_LEFT),
    "body12": _style("body12", 12, align=TA_LEFT),
    "body13": _style("body13", 13),
    "bold12": _style("bold12", 12, fonts.SERIF_BOLD),
    "bold13": _style("bold13", 13, fonts.SERIF_BOLD),
    "bold13left": _style("bold13left", 13, fonts.SERIF_BOLD, align=TA_LEFT),
    "bold14": _style("bold14", 14, fonts.SERIF_BOLD),
    "italic13": _style("italic13", 13, fonts.SERIF_ITALIC),
    "title": _style("title", 14, fonts.SERIF_BOLD),
    "basis": _style(
        "basis", 14, fonts.SERIF_ITALIC, align=TA_JUSTIFY, firstLineIndent=10 * mm, spaceBefore=3
    ),
    "article": _style(
        "article", 14, align=TA_JUSTIFY, firstLineIndent=10 * mm, spaceBefore=6, leading=14 * 1.3
    ),
    "cell": _style("cell", 12, align=TA_LEFT),
    "cellcenter": _style("cellcenter", 12),
    "cellhead": _style("cellhead", 12, fonts.SERIF_BOLD),
}

_PLAIN = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
)


class _Rule(Flowable):
    """The short line under the issuing body, the motto and the subject, centred."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.rule_width = width
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, 8

    def draw(self) -> None:
        left = (self.available - self.rule_width) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(left, 5, left + self.rule_width, 5)


def _rule(width: float) -> "_Rule":
    return _Rule(width)


def _stack(parts: list) -> list:
    """Paragraphs (text and style) and flowables one under another, in a table cell."""
    flowables = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, tuple):
            text, style = part
            flowables.append(Paragraph(escape(text), style))
        else:
            flowables.append(part)
    return flowables


# -- python-docx helpers ---------------------------------------------------------------------

_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}


def _margins(section) -> None:
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _run(paragraph, text: str, size: float = 14, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    return run


def _para(
    document,
    text: str,
    size: float = 14,
    bold=False,
    italic=False,
    align="left",
    indent=False,
    before=0,
    after=0,
):
    paragraph = document.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _cell_para(cell, text: str, size: float, bold=False, italic=False, before=0):
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(before)
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph
