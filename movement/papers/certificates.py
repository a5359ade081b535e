"""Certificates printed onto pre-printed blanks, and the page that calibrates a printer.

Each award type's blank has a layout (movement.models.CertificateLayout): the paper and, for
each field, a position in millimetres from the page's top-left corner, a font and a size. A type
with no layout of its own prints on the default one (a landscape A4), which the calibration page
shows too. One PDF holds every certificate of a batch, a page per named recipient; an unnamed
group ("3 tập thể") has no name to print and is skipped, and the caller says so.
"""

import io
from dataclasses import dataclass, field

from django.db.models import QuerySet
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from movement.models import Award, AwardType, CertificateField, CertificateLayout
from movement.models.papers import DEFAULT_FIELDS

from . import fonts
from .lines import Line, line, long_date, with_relations

DOTS = "…………"

FONTS = {
    CertificateField.Font.REGULAR: fonts.SERIF,
    CertificateField.Font.BOLD: fonts.SERIF_BOLD,
    CertificateField.Font.ITALIC: fonts.SERIF_ITALIC,
    CertificateField.Font.BOLD_ITALIC: fonts.SERIF_BOLD_ITALIC,
}

# What the calibration page writes at each field: text as long as a real one, every kind of
# Vietnamese letter among them, to see that it fits the blank's space.
SAMPLES = {
    CertificateField.Name.RECIPIENT: "Nguyễn Thị Phương Thảo",
    CertificateField.Name.RANK: "Thượng tá",
    CertificateField.Name.UNIT: "Phòng Tham mưu, Cục Xây dựng phong trào toàn dân bảo vệ ANTQ",
    CertificateField.Name.ACHIEVEMENT: "Đã có thành tích trong phong trào thi đua năm 2016",
    CertificateField.Name.DECISION: "Quyết định số 1234/QĐ-BCA ngày 05 tháng 01 năm 2017",
    CertificateField.Name.PLACE_DATE: "Hà Nội, ngày 05 tháng 01 năm 2017",
}


def layout_for(award_type: AwardType) -> CertificateLayout:
    """``award_type``'s layout, or the default one (unsaved) when it has none."""
    try:
        return award_type.certificate_layout
    except CertificateLayout.DoesNotExist:
        layout = CertificateLayout(award_type=award_type)
        layout.default_fields = [
            CertificateField(layout=layout, name=name, x_mm=x, y_mm=y, font=font, size_pt=size)
            for name, x, y, font, size in DEFAULT_FIELDS
        ]
        return layout


def fields_of(layout: CertificateLayout) -> list[CertificateField]:
    if layout.pk is None:
        return layout.default_fields
    return list(layout.fields.all())


def values(one: Line, place: str) -> dict[str, str]:
    """What each field of ``one``'s certificate says."""
    award = one.award
    if award.decision_number or award.decision_date:
        decision = f"Quyết định số {award.decision_number or '……'} {long_date(award.decision_date)}"
    else:
        decision = ""
    return {
        CertificateField.Name.RECIPIENT: one.name,
        CertificateField.Name.RANK: one.rank,
        CertificateField.Name.UNIT: one.unit,
        CertificateField.Name.ACHIEVEMENT: one.achievement,
        CertificateField.Name.DECISION: decision,
        CertificateField.Name.PLACE_DATE: f"{place or DOTS}, {long_date(award.decision_date)}",
    }


@dataclass
class Batch:
    """A batch's PDF, how many certificates it holds, and the awards it skipped."""

    pdf: bytes
    pages: int
    skipped: list[Award] = field(default_factory=list)
    default_layouts: list[AwardType] = field(default_factory=list)


def print_batch(awards: QuerySet) -> Batch:
    """Every certificate of ``awards`` as one PDF, a page per named recipient, on each award
    type's blank, in the order of the award types and then of the awards."""
    fonts.register()
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=1)
    canvas.setTitle("Bằng khen, giấy khen")
    layouts: dict[int, CertificateLayout] = {}
    batch = Batch(pdf=b"", pages=0)
    # A revoked award's certificate is recovered (Luật Thi đua, khen thưởng), not printed.
    ordered = with_relations(awards.in_force()).select_related("award_type__certificate_layout")
    for award in ordered.order_by("award_type__name", "award_type__award_class", "pk"):
        one = line(award)
        if not one.named:
            batch.skipped.append(award)
            continue
        if award.award_type_id not in layouts:
            layout = layout_for(award.award_type)
            layout.prefetched = fields_of(layout)
            layouts[award.award_type_id] = layout
            if layout.pk is None:
                batch.default_layouts.append(award.award_type)
        layout = layouts[award.award_type_id]
        _page(canvas, layout, values(one, layout.place))
        batch.pages += 1
    if batch.pages:
        canvas.save()
        batch.pdf = out.getvalue()
    return batch


def _page(canvas: Canvas, layout: CertificateLayout, texts: dict[str, str]) -> None:
    width, height = layout.page_mm
    canvas.setPageSize((width * mm, height * mm))
    for one in layout.prefetched:
        text = texts.get(one.name, "")
        if text:
            _text(canvas, one, height, text)
    canvas.showPage()


def _text(canvas: Canvas, one: CertificateField, page_height: float, text: str) -> None:
    canvas.setFont(FONTS[one.font], one.size_pt)
    x, y = float(one.x_mm) * mm, (page_height - float(one.y_mm)) * mm
    if one.align == CertificateField.Align.CENTER:
        canvas.drawCentredString(x, y, text)
    else:
        canvas.drawString(x, y, text)


def calibration(layout: CertificateLayout) -> bytes:
    """A page of ``layout``'s size: a millimetre grid (a line every 5 mm, numbered every 10 mm)
    and, at each field's position, a cross with the field's name and a sample in its font."""
    fonts.register()
    width, height = layout.page_mm
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width * mm, height * mm))
    canvas.setTitle(f"Căn chỉnh: {layout}")
    for step in range(0, max(width, height) + 1, 5):
        major = step % 10 == 0
        canvas.setStrokeColor(
            colors.Color(0.55, 0.7, 0.9) if major else colors.Color(0.85, 0.9, 0.97)
        )
        canvas.setLineWidth(0.4 if major else 0.2)
        if step <= width:
            canvas.line(step * mm, 0, step * mm, height * mm)
        if step <= height:
            canvas.line(0, (height - step) * mm, width * mm, (height - step) * mm)
        if major and step:
            canvas.setFont(fonts.SERIF, 6)
            canvas.setFillColor(colors.Color(0.3, 0.45, 0.7))
            if step <= width:
                canvas.drawString(step * mm + 0.5 * mm, height * mm - 3 * mm, str(step))
            if step <= height:
                canvas.drawString(0.8 * mm, (height - step) * mm + 0.5 * mm, str(step))
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.SERIF_BOLD, 10)
    canvas.drawString(
        12 * mm,
        8 * mm,
        f"Trang căn chỉnh: {layout} — khổ {layout.page_size}, "
        f"{layout.get_orientation_display()} ({width} × {height} mm)",
    )
    fields = layout.default_fields if layout.pk is None else list(layout.fields.all())
    for one in fields:
        x, y = float(one.x_mm) * mm, (height - float(one.y_mm)) * mm
        canvas.setStrokeColor(colors.red)
        canvas.setLineWidth(0.5)
        canvas.line(x - 4 * mm, y, x + 4 * mm, y)
        canvas.line(x, y - 4 * mm, x, y + 4 * mm)
        canvas.setFillColor(colors.red)
        canvas.setFont(fonts.SERIF, 7)
        label = f"{one.get_name_display()} ({one.x_mm}; {one.y_mm} mm)"
        canvas.drawString(x + 1.5 * mm, y - 3.5 * mm, label)
        canvas.setFillColor(colors.black)
        _text(canvas, one, height, SAMPLES[one.name])
    canvas.showPage()
    canvas.save()
    return out.getvalue()
