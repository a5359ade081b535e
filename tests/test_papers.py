"""Papers the office hands out: decisions with their lists, certificates on blanks, the yearly
statistics and people's award records, each opened as a person would (movement.papers)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFont

from movement.models import (
    Award,
    AwardType,
    CertificateField,
    CertificateLayout,
    Decision,
    Person,
    Unit,
)
from movement.papers import certificates, decisions, fonts, statistics
from tests.factories import member

VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


@pytest.fixture
def report(db) -> None:
    call_command("load_report", stdout=io.StringIO())


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def action(client, name: str, awards) -> object:
    return client.post(
        reverse("admin:movement_award_changelist"),
        {"action": name, "_selected_action": [award.pk for award in awards]},
    )


# -- Fonts --------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["Regular", "Bold", "Italic", "BoldItalic"])
def test_the_shipped_serif_has_every_vietnamese_letter(style):
    face = TTFont("check", fonts.FONT_DIR / f"LiberationSerif-{style}.ttf").face
    letters = VIETNAMESE + VIETNAMESE.upper()
    assert [letter for letter in letters if ord(letter) not in face.charToGlyph] == []


def test_the_fonts_ship_with_their_licence():
    assert "SIL Open Font License" in (fonts.FONT_DIR / "LICENSE").read_text()


# -- Certificates -------------------------------------------------------------------------


def test_print_certificates_makes_a_page_per_named_recipient_of_2016(report, tmp_path):
    out = io.StringIO()
    call_command("print_certificates", "--year", "2016", "--out", tmp_path / "c.pdf", stdout=out)
    named = Award.objects.filter(year=2016, group_count__isnull=True)
    reader = PdfReader(tmp_path / "c.pdf")
    assert len(reader.pages) == named.count() == 4
    text = pdf_text((tmp_path / "c.pdf").read_bytes())
    assert "Nguyễn Văn Khảo" in text
    assert "Phòng Tham mưu" in text
    # The unnamed group is skipped, and the output says so.
    assert "Bỏ qua: Đơn vị Quyết thắng — 3 tập thể (2016)" in out.getvalue()


def test_a_layout_sets_its_type_s_page_and_where_each_field_goes(report):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = CertificateLayout.objects.create(
        award_type=flag, page_size="A5", orientation=CertificateLayout.Orientation.PORTRAIT
    )
    CertificateField.objects.create(
        layout=layout, name=CertificateField.Name.RECIPIENT, x_mm=20, y_mm=50, align="left"
    )
    batch = certificates.print_batch(Award.objects.filter(award_type=flag))
    page = PdfReader(io.BytesIO(batch.pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (420, 595)
    found = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: found.append((text, tm[4], tm[5])))
    [(x, y)] = [(x, y) for text, x, y in found if "Phòng Tham mưu" in text]
    # 20 mm from the left, 50 mm from the top of a 210 mm page, in points.
    assert (round(x / 72 * 25.4), round(210 - y / 72 * 25.4)) == (20, 50)
    # Only the fields the layout places are printed.
    assert "Cục Xây dựng" not in page.extract_text()
    assert flag not in batch.default_layouts


def test_the_calibration_page_has_the_layout_s_size_and_marks_each_field(report):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = certificates.layout_for(flag)
    reader = PdfReader(io.BytesIO(certificates.calibration(layout)))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    text = page.extract_text()
    assert "Nguyễn Thị Phương Thảo" in text
    assert "148.5; 108" in text


def test_the_calibration_page_is_offered_on_the_layout_s_page(report, admin_client):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = CertificateLayout.objects.create(award_type=flag)
    url = reverse("admin:movement_certificatelayout_calibration", args=[layout.pk])
    change = reverse("admin:movement_certificatelayout_change", args=[layout.pk])
    assert url in admin_client.get(change).content.decode()
    response = admin_client.get(url)
    assert response["Content-Type"] == "application/pdf"
    # Opened in the browser to be printed, not saved.
    assert response["Content-Disposition"] == f'inline; filename="can-chinh-{layout.pk}.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_a_field_off_the_page_is_refused_in_vietnamese(report):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = CertificateLayout.objects.create(award_type=flag)  # A4 across: 297 × 210 mm
    field = CertificateField(layout=layout, name="recipient", x_mm=Decimal(150), y_mm=Decimal(230))
    with pytest.raises(ValidationError, match="ngoài trang giấy"):
        field.full_clean()


def test_a_field_s_letters_are_from_6_to_72_points(report):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = CertificateLayout.objects.create(award_type=flag)
    field = CertificateField(layout=layout, name="recipient", x_mm=10, y_mm=10, size_pt=90)
    with pytest.raises(ValidationError, match="từ 6 đến 72"):
        field.full_clean()


# -- Decisions ----------------------------------------------------------------------------


def test_the_decision_docx_holds_the_parts_of_an_administrative_document(report):
    awards = Award.objects.filter(year=2016, award_type__name__endswith="Bộ Công an")
    text = docx_text(decisions.decision_for(awards).docx())
    for part in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BỘ CÔNG AN",
        "QUYẾT ĐỊNH",
        "Về việc tặng Cờ thi đua xuất sắc của Bộ Công an",
        "BỘ TRƯỞNG BỘ CÔNG AN",
        "Điều 1.",
        "Tặng Cờ thi đua xuất sắc của Bộ Công an cho 2 tập thể",
        "Nơi nhận:",
        "DANH SÁCH",
        "Họ và tên / Tập thể",
        "Thành tích",
        "Phòng Tham mưu",
    ]:
        assert part in text, part


def test_the_decision_pdf_is_the_decision_then_its_list_across_the_page(report):
    awards = Award.objects.filter(year=2016)
    content = decisions.decision_for(awards).pdf()
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2
    assert float(pages[0].mediabox.width) < float(pages[0].mediabox.height)
    assert float(pages[1].mediabox.width) > float(pages[1].mediabox.height)
    text = pdf_text(content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Văn Khảo" in text
    # The unnamed group is listed as what it is, and counted in Điều 1.
    assert "3 tập thể" in pages[1].extract_text()
    assert "Tặng Đơn vị Quyết thắng cho 3 tập thể" in text


def test_the_decision_s_number_date_and_grounds_come_from_its_awards(report):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    call_command("load_law", stdout=io.StringIO())
    flag.refresh_from_db()
    awards = Award.objects.filter(award_type=flag)
    awards.update(decision_number="123/QĐ-BCA", decision_date=datetime.date(2017, 1, 5))
    paper = decisions.decision_for(awards)
    text = docx_text(paper.docx())
    assert "Số: 123/QĐ-BCA" in text
    assert "ngày 05 tháng 01 năm 2017" in text
    assert "(Kèm theo Quyết định số 123/QĐ-BCA ngày 05 tháng 01 năm 2017" in text
    if flag.legal_source_id:
        assert f"Căn cứ {flag.legal_source.title};" in text


def test_awards_of_two_decision_numbers_make_no_decision(report):
    awards = list(Award.objects.filter(year=2016)[:2])
    awards[0].decision_number = "1/QĐ"
    with pytest.raises(ValidationError, match="thuộc 2 quyết định"):
        decisions.DecisionPaper.from_awards(awards)


@pytest.fixture
def decision(report) -> Decision:
    """A decision recorded for the report's two Ministry flags (the report gives no number)."""
    decision = Decision.objects.create(
        number="99/QĐ-BCA",
        date=datetime.date(2017, 1, 5),
        issuer="Bộ Công an",
        subject="Về việc tặng Cờ thi đua xuất sắc năm 2016",
        signer="Người Ký Thử",
        signer_position="KT. Bộ trưởng, Thứ trưởng",
        legal_basis="Căn cứ Luật Thi đua, khen thưởng năm 2003;\nXét đề nghị của đơn vị;",
    )
    flags = Award.objects.filter(award_type__name="Cờ thi đua xuất sắc của Bộ Công an")
    flags.update(decision=decision, decision_number=decision.number, decision_date=decision.date)
    return decision


def test_a_decision_record_gives_its_paper_its_number_signer_and_grounds(decision):
    text = docx_text(decisions.decision_for(decision.awards.all()).docx())
    for part in [
        "Số: 99/QĐ-BCA",
        "ngày 05 tháng 01 năm 2017",
        "Về việc tặng Cờ thi đua xuất sắc năm 2016",
        "Căn cứ Luật Thi đua, khen thưởng năm 2003;",
        "Xét đề nghị của đơn vị;",
        "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG",
        "Người Ký Thử",
        "Phòng Tham mưu",
    ]:
        assert part in text, part


def test_a_revoked_award_leaves_the_decision_the_certificates_and_the_statistics(decision):
    revoked = decision.awards.get(recipient_unit__slug="phong-tham-muu")
    revoked.revoke(decision, "Thử thu hồi", on=datetime.date(2017, 6, 1))
    paper = decisions.DecisionPaper.from_decision(decision)
    assert [award.recipient_unit.slug for award in paper.awards] == ["cuc-xdpt"]
    batch = certificates.print_batch(Award.objects.filter(year=2016))
    assert batch.pages == 3
    assert statistics.tally(Award.objects.all(), 2016).get("0603", "ministry_flag") == 1


def test_staff_print_a_decision_s_papers_from_its_record(decision, admin_client):
    def run(name: str) -> object:
        return admin_client.post(
            reverse("admin:movement_decision_changelist"),
            {"action": name, "_selected_action": [decision.pk]},
        )

    assert "Người Ký Thử" in docx_text(run("decision_record_docx").content)
    assert len(PdfReader(io.BytesIO(run("decision_record_pdf").content)).pages) == 2
    certificates_pdf = run("print_decision_certificates")
    assert len(PdfReader(io.BytesIO(certificates_pdf.content)).pages) == 2


def test_a_unit_editor_prints_no_decision_with_other_units_awards(decision, client):
    division = Unit.objects.get(slug="phong-tham-muu")
    editor = member("unit editor", unit=division)
    editor.user_permissions.add(*Permission.objects.filter(codename="view_decision"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:movement_decision_changelist"),
        {"action": "print_decision_certificates", "_selected_action": [decision.pk]},
    )
    assert not response.get("Content-Type", "").startswith("application/pdf")


# -- Statistics ---------------------------------------------------------------------------


def sheet_rows(path) -> dict[str, list[tuple]]:
    book = load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_the_statistics_count_two_ministry_flags_for_2016(report, tmp_path):
    out = io.StringIO()
    call_command("statistics_report", "2016", "--out", tmp_path / "s.xlsx", stdout=out)
    sheets = sheet_rows(tmp_path / "s.xlsx")
    rows = sheets["0603.N"]
    header = next(row for row in rows if row[4] == "Bằng khen")
    flags = header.index(next(h for h in header if h and h.startswith("Cờ thi đua")))
    total = next(row for row in rows if row[0] == "Tổng số")
    assert total[flags] == 2  # the general department's flag is not the Ministry's
    assert "cờ thi đua cấp bộ 2" in out.getvalue()
    assert ("Cờ thi đua xuất sắc của Tổng cục", 1) in sheets["Ngoài biểu"]
    # The unnamed group counts as its three collectives.
    assert ("Đơn vị Quyết thắng", 3) in sheets["Ngoài biểu"]
    state = sheets["0602.N"]
    order = next(row for row in state if row[0] == "Tổng số")
    assert order[3] == 1  # Huân chương Bảo vệ Tổ quốc hạng Ba, to one person


def test_what_the_app_does_not_hold_is_said_never_a_zero(report, tmp_path):
    call_command("statistics_report", "2016", "--out", tmp_path / "s.xlsx", stdout=io.StringIO())
    rows = sheet_rows(tmp_path / "s.xlsx")["0603.N"]
    for code in ["03", "04", "06", "07", "08", "09", "10", "11", "17"]:
        row = next(row for row in rows if row[1] == code)
        assert row[3].startswith(statistics.NOT_HELD), code
    state = sheet_rows(tmp_path / "s.xlsx")["0602.N"]
    total = next(row for row in state if row[0] == "Tổng số")
    assert statistics.NOT_IN_CATALOGUE in total
    assert "02/2023/TT-BNV" in sheet_rows(tmp_path / "s.xlsx")["Nguồn"][0][0]


def test_a_unit_s_statistics_count_its_subtree_and_say_groups_are_left_out(report):
    division = Unit.objects.get(slug="phong-tham-muu")
    counted = statistics.tally(Award.objects.all(), 2016, division)
    assert counted.get("0603", "ministry_flag") == 1
    assert counted.unattributed_groups == 1
    assert sum(counted.outside.values()) == 0


# -- Who may print ------------------------------------------------------------------------


def test_staff_print_the_certificates_of_the_awards_they_choose(report, admin_client):
    response = action(admin_client, "print_certificates", Award.objects.filter(year=2016))
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 4
    assert response["X-Skipped-Unnamed-Groups"] == "1"


def test_staff_get_the_decision_as_word_and_pdf(report, admin_client):
    awards = Award.objects.filter(year=2016)
    word = action(admin_client, "decision_docx", awards)
    assert "QUYẾT ĐỊNH" in docx_text(word.content)
    pdf = action(admin_client, "decision_pdf", awards)
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2


def test_a_unit_editor_prints_their_units_awards_only(report, client):
    division = Unit.objects.get(slug="phong-tham-muu")
    client.force_login(member("unit editor", unit=division))
    theirs = Award.objects.filter(recipient_unit=division)
    response = action(client, "print_certificates", theirs)
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    others = Award.objects.filter(year=2016, group_count__isnull=True)
    refused = action(client, "print_certificates", others)
    assert refused.status_code == 302
    assert not refused.get("Content-Type", "").startswith("application/pdf")


def test_a_unit_editor_s_statistics_count_their_units_only(report, client):
    division = Unit.objects.get(slug="phong-tham-muu")
    client.force_login(member("unit editor", unit=division))
    response = client.get(reverse("admin:movement_award_statistics"), {"year": 2016})
    rows = load_workbook(io.BytesIO(response.content))["0603.N"].iter_rows(values_only=True)
    assert next(row for row in rows if row[0] == "Tổng số")[3] == 1


def test_a_viewer_prints_nothing(report, client):
    client.force_login(member("viewer"))
    assert client.get(reverse("admin:movement_award_statistics"), {"year": 2016}).status_code == 403
    response = action(client, "print_certificates", Award.objects.filter(year=2016))
    assert not response.get("Content-Type", "").startswith("application/pdf")


def test_papers_are_for_staff_signed_in(report, client):
    response = client.get(reverse("admin:movement_award_statistics"), {"year": 2016})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# -- Award records ------------------------------------------------------------------------


def test_a_person_s_award_record_prints_a_page_each_and_as_word(report, admin_client, settings):
    khao = Person.objects.get(slug="nguyen-van-khao")
    other = Person.objects.exclude(pk=khao.pk).first()
    url = reverse("admin:movement_person_records") + f"?ids={khao.pk},{other.pk}"
    page = admin_client.get(url).content.decode()
    assert page.count('<section class="record">') == 2
    assert "Trích ngang khen thưởng" in page
    assert "Huân chương Bảo vệ Tổ quốc hạng Ba" in page
    # A page each when printed, from the stylesheet (an inline style is refused by the CSP).
    assert "css/papers.css" in page
    assert "break-after: page" in (settings.BASE_DIR / "static/css/papers.css").read_text()
    word = admin_client.get(url + "&format=docx")
    text = docx_text(word.content)
    assert "Nguyễn Văn Khảo" in text
    assert "Huân chương Bảo vệ Tổ quốc hạng Ba" in text


def test_a_unit_editor_reads_the_records_of_their_units_people_only(report, client):
    khao = Person.objects.get(slug="nguyen-van-khao")
    client.force_login(member("unit editor", unit=Unit.objects.get(slug="phong-tham-muu")))
    url = reverse("admin:movement_person_records") + f"?ids={khao.pk}"
    assert client.get(url).status_code == 403


def test_emulation_officers_edit_the_layouts_and_unit_editors_look(report, client):
    flag = AwardType.objects.get(name="Cờ thi đua xuất sắc của Bộ Công an")
    layout = CertificateLayout.objects.create(award_type=flag)
    change = reverse("admin:movement_certificatelayout_change", args=[layout.pk])
    client.force_login(member("officer"))
    response = client.post(
        change,
        {
            "award_type": flag.pk,
            "page_size": "A4",
            "orientation": "landscape",
            "place": "Hà Nội",
            "fields-TOTAL_FORMS": "0",
            "fields-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.place == "Hà Nội"
    client.force_login(member("unit editor", unit=Unit.objects.get(slug="phong-tham-muu")))
    assert client.get(change).status_code == 200
    assert client.post(change, {"award_type": flag.pk}).status_code == 403
