"""Decisions on commendation: their rules, the awards linked to them, their signed files and
the revocation of awards. The migration that made them from the awards' numbers is tested with
the other data migrations, in tests/test_migrations.py."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movement.models import Award, Decision, Unit
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.resources import AwardResource
from tests.factories import award_row, member
from tests.spreadsheets import dict_csv

DAY = datetime.date(2017, 12, 20)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def decision(db) -> Decision:
    return Decision.objects.create(
        number="1234/QĐ-BCA",
        date=DAY,
        issuer="Bộ Công an",
        signer="Nguyễn Văn A",
        signer_position="KT. BỘ TRƯỞNG, THỨ TRƯỞNG",
        legal_basis="Căn cứ Luật Thi đua, khen thưởng;\nCăn cứ Nghị định 98/2023/NĐ-CP;",
    )


# -- The decision's rules ---------------------------------------------------------------------


def test_an_authority_gives_a_number_once_a_day(decision):
    again = Decision(number=decision.number, date=DAY, issuer=decision.issuer)
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert "cùng số, ký hiệu ký ngày này" in str(refused.value)
    # Another year's decision of the same number, or another authority's, is another one.
    Decision(number=decision.number, date=DAY.replace(year=2018), issuer="Bộ Công an").full_clean()
    Decision(number=decision.number, date=DAY, issuer="Công an tỉnh Lào Cai").full_clean()


def test_a_number_whose_date_is_not_known_is_known_once(db):
    Decision.objects.create(number="12/QĐ", issuer="Bộ Công an")
    with pytest.raises(ValidationError) as refused:
        Decision(number="12/QĐ", issuer="Bộ Công an").full_clean()
    assert "chưa rõ ngày ký" in str(refused.value)


@pytest.mark.parametrize(
    ("content", "accepted"),
    [
        (PDF, True),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, True),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, True),
        (docx(), True),
        (b"<html><script>alert(1)</script></html>", False),
        # A zip that is not a Word document (a workbook, an archive).
        (b"PK\x03\x04" + b"\0" * 30, False),
    ],
    ids=["pdf", "png", "jpeg", "docx", "html", "zip"],
)
def test_a_signed_file_is_told_by_its_bytes(decision, content, accepted):
    decision.file = SimpleUploadedFile("quyet-dinh.pdf", content)
    if accepted:
        decision.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            decision.full_clean()
        assert "file" in refused.value.message_dict


def test_a_file_past_the_limit_is_refused(decision, settings):
    settings.DECISION_MAX_FILE_BYTES = 10
    decision.file = SimpleUploadedFile("qd.pdf", PDF)
    with pytest.raises(ValidationError):
        decision.full_clean()


# -- Awards and their decision ----------------------------------------------------------------


def test_an_award_saved_with_a_number_is_linked_to_its_decision(decision, flag_type, division):
    award = Award.objects.create(
        award_type=flag_type, year=2017, recipient_unit=division,
        decision_number=decision.number, decision_date=DAY,
    )  # fmt: skip
    assert award.decision == decision
    unknown = Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="9/QĐ"
    )
    assert (unknown.decision.number, unknown.decision.date) == ("9/QĐ", None)
    assert Decision.objects.count() == 2


def test_a_corrected_decision_number_reaches_its_awards(decision, flag_type, division):
    award = Award.objects.create(
        award_type=flag_type, year=2017, recipient_unit=division,
        decision_number=decision.number, decision_date=DAY,
    )  # fmt: skip
    decision.number = "1235/QĐ-BCA"
    decision.save()
    award.refresh_from_db()
    assert award.decision_number == "1235/QĐ-BCA"
    assert "1235/qd-bca" in award.search_text


def test_an_import_links_or_records_the_decisions_in_a_few_queries(
    division, department, flag_type, decision
):
    rows = [
        {**award_row(division, 2017), "Số quyết định": decision.number,
         "Ngày quyết định": "20/12/2017"},
        {**award_row(department, 2017), "Số quyết định": "77/QĐ-X", "Ngày quyết định": ""},
        {**award_row(division, 2016), "Số quyết định": "77/QĐ-X", "Ngày quyết định": ""},
    ]  # fmt: skip
    result = import_file(AwardResource(), dict_csv(*rows), dry_run=False)
    assert result.written, result.problems
    awards = Award.objects.all()
    assert {(a.year, a.recipient_unit, a.decision.number) for a in awards} == {
        (2017, division, "1234/QĐ-BCA"),
        (2017, department, "77/QĐ-X"),
        (2016, division, "77/QĐ-X"),
    }
    assert Decision.objects.count() == 2
    [recorded] = Decision.objects.filter(number="77/QĐ-X")
    # Where its number was read: the award's source.
    assert recorded.source_id == awards[0].source_id and recorded.issuer == ""


def test_record_awards_writes_a_decisions_awards_at_once(
    decision, flag_type, division, department, django_assert_max_num_queries
):
    # Checked one by one as a form checks them (full_clean), then written at once.
    with django_assert_max_num_queries(18):
        awards = decision.record_awards(
            [
                Award(award_type=flag_type, year=2017, recipient_unit=division),
                Award(award_type=flag_type, year=2017, recipient_unit=department),
            ]
        )
    assert {award.decision_id for award in awards} == {decision.pk}
    assert set(decision.awards.values_list("decision_number", "decision_date")) == {
        (decision.number, DAY)
    }
    assert all(award.history.count() == 1 for award in decision.awards.all())


def test_record_awards_refuses_them_all_for_one_wrong(decision, flag_type, division):
    with pytest.raises(ValidationError) as refused:
        decision.record_awards(
            [
                Award(award_type=flag_type, year=2017, recipient_unit=division),
                Award(award_type=flag_type, year=1900, recipient_unit=division),
            ]
        )
    assert list(refused.value.error_dict) == ["1"]
    assert not decision.awards.exists()


# -- The signed file --------------------------------------------------------------------------


@pytest.fixture
def filed(decision) -> Decision:
    decision.file = SimpleUploadedFile("scan.pdf", PDF)
    decision.save()
    return decision


def file_url(decision: Decision) -> str:
    return reverse("admin:movement_decision_file", args=[decision.pk])


@pytest.mark.parametrize("role", ["viewer", "unit editor", "officer"])
def test_staff_who_read_decisions_get_the_signed_file(client, filed, department, role):
    client.force_login(member(role, department))
    response = client.get(file_url(filed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"]


def test_nobody_else_gets_it(client, filed):
    assert client.get(file_url(filed)).status_code == 302  # to the sign-in page
    client.force_login(User.objects.create_user("staff", password="x", is_staff=True))
    assert client.get(file_url(filed)).status_code == 403
    client.force_login(User.objects.create_user("public", password="x"))
    assert client.get(file_url(filed)).status_code == 302


def test_the_file_is_not_under_a_public_address(client, filed, settings):
    # Stored under a name nobody can guess, and no URL serves the storage.
    assert filed.file.name.startswith("decisions/") and filed.file.name.endswith(".pdf")
    assert "scan" not in filed.file.name
    assert client.get(f"/media/{filed.file.name}").status_code == 404


# -- Revocation -------------------------------------------------------------------------------


@pytest.fixture
def revoking(db) -> Decision:
    return Decision.objects.create(number="88/QĐ-BCA", date=datetime.date(2018, 3, 1))


def test_a_revoked_award_is_kept_and_leaves_in_force(decision, revoking, flag_type, division):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    award.revoke(revoking, "Khai man thành tích")
    award.refresh_from_db()
    assert (award.revoked_on, award.revoked_by, award.is_revoked) == (revoking.date, revoking, True)
    assert list(Award.objects.in_force()) == []
    assert list(Award.objects.revoked()) == [award]
    assert award.history.first().revocation_reason == "Khai man thành tích"


def test_a_revocation_needs_a_reason(decision, revoking, flag_type, division):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    with pytest.raises(ValidationError):
        award.revoke(revoking, "")


def test_the_database_refuses_a_revocation_without_its_decision(decision, flag_type, division):
    # The last guard, on SQLite a trigger (migration 0026), on PostgreSQL a check constraint.
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(revoked_on=DAY, revocation_reason="Sai")


def revoke_by_action(client, award: Award, decision: Decision):
    return client.post(
        reverse("admin:movement_award_changelist"),
        {"action": "revoke_awards", "_selected_action": [award.pk], "revoke": "1",
         "decision": decision.pk, "revoked_on": "", "reason": "Khai man thành tích"},
    )  # fmt: skip


def test_an_emulation_officer_revokes_by_the_action(
    client, decision, revoking, flag_type, division
):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    client.force_login(member("officer"))
    response = revoke_by_action(client, award, revoking)
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.revoked_by == revoking


@pytest.mark.parametrize("role", ["unit editor", "viewer"])
def test_others_may_not_revoke(client, decision, revoking, flag_type, division, role):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    client.force_login(member(role, division))
    revoke_by_action(client, award, revoking)
    award.refresh_from_db()
    assert not award.is_revoked


def test_a_revoked_award_cannot_be_deleted(client, decision, revoking, flag_type, division):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    award.revoke(revoking, "Khai man thành tích")
    client.force_login(member("officer"))
    response = client.post(reverse("admin:movement_award_delete", args=[award.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Award.objects.filter(pk=award.pk).exists()


# -- The admin --------------------------------------------------------------------------------


def test_a_decisions_page_lists_its_awards_in_as_many_queries_for_many(
    client, decision, flag_type, ministry
):
    client.force_login(member("officer"))
    url = reverse("admin:movement_decision_change", args=[decision.pk])

    def queries_for_awards(count: int) -> int:
        units = Unit.objects.bulk_create(
            Unit(
                name=f"Đơn vị {count}-{n}", slug=f"dv-{count}-{n}", kind="division", parent=ministry
            )
            for n in range(count)
        )
        decision.record_awards(
            Award(award_type=flag_type, year=2017, recipient_unit=unit) for unit in units
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    queries_for_awards(1)  # what the first request caches (content types) is not counted
    few = queries_for_awards(2)
    assert queries_for_awards(30) == few


def test_the_award_page_shows_its_decision_and_revocation(client, decision, flag_type, division):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    award.revoke(Decision.objects.create(number="88/QĐ-BCA", date=DAY), "Khai man thành tích")
    client.force_login(member("officer"))
    html = client.get(reverse("admin:movement_award_change", args=[award.pk])).content.decode()
    assert reverse("admin:movement_decision_change", args=[decision.pk]) in html
    assert "88/QĐ-BCA" in html and "Khai man thành tích" in html


def test_the_revocation_form_asks_in_vietnamese_and_keeps_what_was_typed(
    client, decision, revoking, flag_type, division
):
    [award] = decision.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    client.force_login(member("officer"))
    response = client.post(
        reverse("admin:movement_award_changelist"),
        {"action": "revoke_awards", "_selected_action": [award.pk], "revoke": "1",
         "decision": "", "reason": "Khai man thành tích"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hủy bỏ khen thưởng" in html and "Khai man thành tích" in html
    assert f'name="_selected_action" value="{award.pk}"' in html
    award.refresh_from_db()
    assert not award.is_revoked


def test_record_awards_refuses_one_award_listed_twice(decision, flag_type, division):
    # Neither is stored yet: only the list itself shows the repeat (not an IntegrityError).
    with pytest.raises(ValidationError) as refused:
        decision.record_awards(
            [
                Award(award_type=flag_type, year=2017, recipient_unit=division),
                Award(award_type=flag_type, year=2016, recipient_unit=division),
                Award(award_type=flag_type, year=2017, recipient_unit=division),
            ]
        )
    assert list(refused.value.error_dict) == ["2"]
    assert "dòng 1" in str(refused.value)
    assert not Award.objects.exists()


def test_a_number_corrected_into_a_clash_is_refused_not_a_server_error(
    decision, flag_type, division
):
    decision.record_awards([Award(award_type=flag_type, year=2017, recipient_unit=division)])
    other = Decision.objects.create(number="1235/QĐ-BCA", date=DAY, issuer="Bộ Công an")
    [stored] = other.record_awards(
        [Award(award_type=flag_type, year=2017, recipient_unit=division)]
    )
    decision.number = other.number
    decision.date = datetime.date(2017, 12, 21)
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert "Sửa khen thưởng đó trước" in str(refused.value)
    # Another award of the same number, to someone else, is no clash.
    stored.recipient_unit = Unit.objects.create(name="Khác", slug="khac", kind=Unit.Kind.DIVISION)
    stored.save()
    decision.full_clean()
