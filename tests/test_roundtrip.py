"""Text is stored in one form whatever wrote it (a browser's form, a spreadsheet, code, a bulk
write), so an export imports back changing nothing: line breaks as LF, letters in NFC, and a
one-line text's white space collapsed."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from movement.models import Award, Person
from movement.resources import AwardResource, PersonResource
from tests.test_admin import award_form

migration = importlib.import_module("movement.migrations.0011_roundtrip_lf")

CRLF = "Dòng một\r\nDòng hai\rDòng ba\n"
LF = "Dòng một\nDòng hai\nDòng ba\n"


def test_a_note_posted_from_the_admin_form_is_stored_with_line_feeds(
    admin_client, order_type, person
):
    # A browser submits a textarea's line breaks as CR LF.
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(
            award_type=order_type.pk,
            year=2016,
            recipient_person=person.pk,
            note=CRLF,
            source_quote="Câu một.\r\nCâu hai.",
        ),
    )
    assert response.status_code == 302
    award = Award.objects.get()
    # The form strips the text's ends, as Django's forms do.
    assert (award.note, award.source_quote) == (LF.strip(), "Câu một.\nCâu hai.")

    response = admin_client.post(
        reverse("admin:movement_award_change", args=[award.pk]),
        award_form(
            award_type=order_type.pk, year=2016, recipient_person=person.pk, note="A\r\n\r\nB"
        ),
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.note == "A\n\nB"
    assert award.history.first().note == "A\n\nB"


def test_every_way_of_writing_stores_one_form(order_type, person, department):
    nfd = "Nguye\u0302\u0303n  Va\u0306n\tKha\u0309o "
    award = Award.objects.create(
        award_type=order_type, year=2016, recipient_person=person, note=CRLF, on_behalf_of=nfd
    )
    # The instance holds what was stored.
    assert (award.note, award.on_behalf_of) == (LF, "Nguyễn Văn Khảo")
    award.refresh_from_db()
    assert (award.note, award.on_behalf_of) == (LF, "Nguyễn Văn Khảo")
    assert award.history.first().note == LF

    Award.objects.filter(pk=award.pk).update(note="a\r\nb")
    assert Award.objects.get().note == "a\nb"

    award.note = "c\rd"
    Award.objects.bulk_update([award], ["note"])
    assert Award.objects.get().note == "c\nd"

    [created] = Award.objects.bulk_create(
        [Award(award_type=order_type, year=2017, recipient_unit=department, note="e\r\nf")]
    )
    assert Award.objects.get(pk=created.pk).note == "e\nf"


def test_an_import_stores_text_as_a_form_does(order_type, person):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    dataset = AwardResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row["Ghi chú"] = CRLF
    dataset[0] = tuple(row[header] for header in dataset.headers)

    result = AwardResource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    award.refresh_from_db()
    assert award.note == LF
    # The same file again changes nothing.
    result = AwardResource().import_data(dataset)
    assert {row.import_type for row in result.rows} == {"skip"}


def test_a_name_typed_with_doubled_spaces_is_stored_as_an_import_reads_it(department):
    person = Person.objects.create(full_name=" Trần  Thị\u00a0Đào ", slug="dao", unit=department)
    assert person.full_name == "Trần Thị Đào"
    result = PersonResource().import_data(PersonResource().export())
    assert {row.import_type for row in result.rows} == {"skip"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_stored_carriage_returns_in_every_text_column(order_type, person):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    history = award.history.first()
    # As stored before: written past the fields' normalisation.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE movement_award SET note = %s, source_quote = %s", [CRLF, "x\ry"])
        cursor.execute(
            "UPDATE movement_historicalaward SET inference_note = %s WHERE history_id = %s",
            [CRLF, history.history_id],
        )
        cursor.execute("UPDATE movement_person SET full_name = %s", ["Nguyễn Văn\r\nKhảo"])

    with connection.schema_editor() as editor:
        migration.line_feeds_only(apps, editor)

    award.refresh_from_db()
    history.refresh_from_db()
    person.refresh_from_db()
    assert (award.note, award.source_quote, history.inference_note) == (LF, "x\ny", LF)
    assert person.full_name == "Nguyễn Văn\nKhảo"
