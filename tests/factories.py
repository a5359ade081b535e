"""What many test modules make the same way: staff of each role, what the admin's award forms
and an award import carry, and records named alike but for their marks. A module that needs
something of its own builds it itself."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import Client

from movement.models import Award, AwardType, Campaign, Person, StaffProfile, Unit
from movement.permissions import ADMINISTRATORS, EMULATION_OFFICERS, UNIT_EDITORS, VIEWERS
from movement.spreadsheets.resources import AwardResource

ROLES = {
    "administrator": ADMINISTRATORS,
    "officer": EMULATION_OFFICERS,
    "unit editor": UNIT_EDITORS,
    "viewer": VIEWERS,
}
# The roles of the council (migration 0028_cycle_proposals), apart: the tests that go through
# every role of ROLES are about the records, which these roles only read.
COUNCIL_ROLES = {"secretary": "Thư ký hội đồng", "approver": "Người phê duyệt"}


def member(role: str, unit: Unit | None = None) -> User:
    """A staff user of ``role`` (a key of ROLES), named after it, working for ``unit`` if given."""
    user = User.objects.create_user(role.replace(" ", "-"), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name={**ROLES, **COUNCIL_ROLES}[role]))
    if unit is not None:
        StaffProfile.objects.create(user=user, unit=unit)
    return user


def in_english(client: Client) -> Client:
    """``client`` reading the pages in English, as a person who picked it does: by the language
    cookie (the browser's Accept-Language is not asked)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Names alike but for their marks (Hưng is not Hùng), one of them in capitals, by code.
NAMESAKES = {"hung": "Hùng", "hung-2": "Hưng", "hung-3": "HƯNG", "hoa": "Hóa"}
# What each search finds among them, by code. Typed without marks, a word finds every spelling;
# with marks, those marks only, whatever the case, the tone on either vowel ("hoá" finds "Hóa").
NAMESAKE_SEARCHES = {
    "hung": ["hung", "hung-2", "hung-3"],
    "hưng": ["hung-2", "hung-3"],
    "Hưng": ["hung-2", "hung-3"],
    "hùng": ["hung"],
    "hoá": ["hoa"],
    "HÓA": ["hoa"],
    "hòa": [],
}


def make_namesakes(unit: Unit, award_type: AwardType) -> None:
    """For each of NAMESAKES, with its code: a person in ``unit`` with an award of
    ``award_type``, a unit below ``unit`` and a campaign."""
    for code, name in NAMESAKES.items():
        person = Person.objects.create(full_name=f"Đặng Quang {name}", slug=code, unit=unit)
        Award.objects.create(award_type=award_type, year=2017, recipient_person=person)
        Unit.objects.create(name=f"Đội {name}", slug=code, kind=Unit.Kind.DIVISION, parent=unit)
        Campaign.objects.create(
            name=f"Phong trào {name}",
            slug=code,
            kind=Campaign.Kind.MOVEMENT,
            start_year=2017,
            end_year=2017,
        )


# Every field of the award add and change pages.
AWARD_FORM_FIELDS = [
    "award_type",
    "year",
    "campaign",
    "recipient_unit",
    "recipient_person",
    "group_kind",
    "group_count",
    "rank_at_award",
    "position_at_award",
    "decision_number",
    "decision_date",
    "conferring_unit",
    "presented_by",
    "on_behalf_of",
    "event",
    "note",
    "source",
    "source_quote",
    "inference_note",
]


def award_form(award: Award | None = None, **changes: Any) -> dict[str, str]:
    """What the award form posts: every field as ``award`` holds it (empty without one), and
    the version of the award a page opened now carries, with ``changes``."""
    values = model_to_dict(award, fields=AWARD_FORM_FIELDS) if award is not None else {}
    if award is not None:
        values["loaded_version"] = award.stored_version()
    data = {**dict.fromkeys(AWARD_FORM_FIELDS), **values, **changes}
    return {name: "" if value is None else str(value) for name, value in data.items()}


def award_row(unit: Unit, year: int = 2018, key: str = "") -> dict[str, Any]:
    """A row of an award import: a flag for ``unit`` in ``year``; with ``key``, the award's key."""
    return {
        "Mã": key,
        "Năm": year,
        "Hình thức khen thưởng": "Cờ thi đua xuất sắc của Bộ Công an",
        "Đơn vị nhận": unit.name,
    }


# The award export form with every column ticked, as the form offers them.
EXPORT_FIELDS = {f"awardresource_{name}": "on" for name in AwardResource().get_export_order()}


def every_model(app_label: str | None = None) -> list[type[Model]]:
    """The models (of ``app_label``), in a fixed order: django-simple-history registers its
    models of many-to-many histories in an order that varies between processes, and pytest-xdist
    refuses a run whose workers collected tests of different orders."""
    models = apps.get_app_config(app_label).get_models() if app_label else apps.get_models()
    return sorted(models, key=lambda model: model._meta.label)
