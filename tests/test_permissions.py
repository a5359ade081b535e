"""Who may do what: the four roles against every admin page and public page, and a unit editor's
bound held on the server whatever the path — URL, form, autocomplete, bulk action, import."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from simple_history.utils import get_history_model_for_model

from movement import permissions
from movement.models import (
    Award,
    AwardType,
    Person,
    RecipientKind,
    Source,
    StaffProfile,
    Task,
    Unit,
    WorkPlan,
)
from movement.permissions import ADMINISTRATORS, EMULATION_OFFICERS, UNIT_EDITORS, VIEWERS
from movement.spreadsheets.resources import AwardResource
from tests.factories import ROLES, award_form, award_row, in_english, member
from tests.spreadsheets import dict_csv


@pytest.fixture
def other_unit(ministry) -> Unit:
    return Unit.objects.create(
        name="Công an tỉnh Lào Cai",
        slug="ca-lao-cai",
        kind=Unit.Kind.PROVINCIAL_POLICE,
        parent=ministry,
    )


@pytest.fixture
def world(department, division, other_unit, person, flag_type, order_type, event, campaign):
    """Records of the unit editor's units (the department and its division) and of another unit."""
    other_person = Person.objects.create(
        full_name="Trần Văn Bình", slug="tran-van-binh", unit=other_unit
    )
    own_plan = WorkPlan.objects.create(unit=department, year=2017)
    other_plan = WorkPlan.objects.create(unit=other_unit, year=2017)
    return {
        "unit editor's unit": department,
        "own award": Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division),
        "own person's award": Award.objects.create(
            award_type=order_type, year=2017, recipient_person=person
        ),
        "other award": Award.objects.create(
            award_type=flag_type, year=2017, recipient_unit=other_unit
        ),
        "group award": Award.objects.create(
            award_type=order_type,
            year=2017,
            group_kind=RecipientKind.COLLECTIVE,
            group_count=3,
        ),
        "own person": person,
        "other person": other_person,
        "own plan": own_plan,
        "other plan": other_plan,
        "own task": Task.objects.create(plan=own_plan, number=1, title="Tổng kết phong trào"),
        "other task": Task.objects.create(plan=other_plan, number=1, title="Sơ kết 6 tháng"),
        "other unit": other_unit,
        "award type": flag_type,
        "campaign": campaign,
        "event": event,
        "source": Source.objects.create(slug="bao-cao", title="Báo cáo"),
    }


@pytest.fixture
def users(world) -> dict[str, User]:
    people = {role: member(role) for role in ROLES if role != "unit editor"}
    people["unit editor"] = member("unit editor", unit=world["unit editor's unit"])
    return people


def client_for(client, users, role):
    """The client of ``role``, reading the admin in English, the messages' own words."""
    in_english(client)
    if role != "anonymous":
        client.force_login(users[role])
    return client


def refusal(user, record) -> str:
    with translation.override("en"):
        return permissions.refusal(user, record)


# -- The admin ----------------------------------------------------------------------------------

VERBS = ["list", "view", "add", "change", "delete", "import", "export", "history"]

# For each admin page (its model, and which record for the record pages), what each role may do:
# a verb's letter where allowed, "-" where refused, " " where the admin has no such page.
#              verbs:  list view add change delete import export history
MATRIX = {
    ("award", "own award"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVACDIEH",
        "viewer": "LV----EH",
    },
    ("award", "own person's award"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVACDIEH",
        "viewer": "LV----EH",
    },
    ("award", "other award"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVA--IEH",
        "viewer": "LV----EH",
    },
    ("award", "group award"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVA--IEH",
        "viewer": "LV----EH",
    },
    ("person", "own person"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVACDIEH",
        "viewer": "LV----EH",
    },
    ("person", "other person"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVA--IEH",
        "viewer": "LV----EH",
    },
    ("task", "own task"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVACDIEH",
        "viewer": "LV----EH",
    },
    ("task", "other task"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LVA--IEH",
        "viewer": "LV----EH",
    },
    ("workplan", "own plan"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("unit", "unit editor's unit"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("awardtype", "award type"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("campaign", "campaign"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("event", "event"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("source", "source"): {
        "administrator": "LVACDIEH",
        "officer": "LVACDIEH",
        "unit editor": "LV----EH",
        "viewer": "LV----EH",
    },
    ("user", "viewer"): {
        "administrator": "LVACD  H",
        "officer": "-----  -",
        "unit editor": "-----  -",
        "viewer": "-----  -",
    },
}


def refused(row: str) -> str:
    """A row of the matrix with every page that exists refused: an anonymous visitor's."""
    return "".join(" " if answer == " " else "-" for answer in row)


def matrix_cases() -> list:
    cases = []
    for (model, record), answers in MATRIX.items():
        for role in [*ROLES, "anonymous"]:
            row = answers.get(role) or refused(answers["administrator"])
            for verb, answer in zip(VERBS, row, strict=True):
                if answer != " ":
                    case_id = f"{model}-{record}-{role}-{verb}"
                    cases.append(pytest.param(model, record, role, verb, answer != "-", id=case_id))
    return cases


def admin_url(model: str, verb: str, pk: int) -> str:
    app = "auth" if model == "user" else "movement"
    name = {
        "list": "changelist",
        "view": "change",
        "change": "change",
        "add": "add",
        "delete": "delete",
        "import": "import",
        "export": "export",
        "history": "history",
    }[verb]
    args = [pk] if verb in {"view", "change", "delete", "history"} else []
    return reverse(f"admin:{app}_{model}_{name}", args=args)


@pytest.mark.parametrize(("model", "record", "role", "verb", "allowed"), matrix_cases())
def test_permission_matrix(client, world, users, model, record, role, verb, allowed):
    target = users[record] if model == "user" else world[record]
    url = admin_url(model, verb, target.pk)
    client = client_for(client, users, role)
    # A change is a POST: refused, it is a 403 before the form is read; allowed, the empty form
    # comes back with its errors.
    response = client.post(url, {}) if verb == "change" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    elif allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_a_record_a_unit_editor_may_not_change_opens_read_only(client, world, users):
    client_for(client, users, "unit editor")
    own = client.get(admin_url("award", "view", world["own award"].pk))
    other = client.get(admin_url("award", "view", world["other award"].pk))
    assert own.context["has_change_permission"] is True
    assert other.context["has_change_permission"] is False
    assert 'name="_save"' in own.content.decode()
    assert 'name="_save"' not in other.content.decode()


def test_a_unit_editor_changes_an_award_of_their_units(client, world, users):
    client_for(client, users, "unit editor")
    award = world["own award"]
    response = client.post(admin_url("award", "change", award.pk), award_form(award, note="Đã sửa"))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.note == "Đã sửa"


def test_a_unit_editor_cannot_change_another_units_award_by_url(client, world, users):
    client_for(client, users, "unit editor")
    award = world["other award"]
    response = client.post(admin_url("award", "change", award.pk), award_form(award, note="x"))
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.note == ""
    response = client.post(admin_url("award", "delete", award.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Award.objects.filter(pk=award.pk).exists()


def test_a_unit_editor_cannot_move_an_award_to_another_unit(client, world, users):
    client_for(client, users, "unit editor")
    award = world["own award"]
    response = client.post(
        admin_url("award", "change", award.pk),
        award_form(award, recipient_unit=world["other unit"].pk),
    )
    assert response.status_code == 200
    assert "recipient_unit" in response.context["adminform"].form.errors
    award.refresh_from_db()
    assert award.recipient_unit != world["other unit"]


def test_a_unit_editor_cannot_add_an_award_for_another_unit_or_an_unnamed_group(
    client, world, users
):
    client_for(client, users, "unit editor")
    before = Award.objects.count()
    other = client.post(
        admin_url("award", "add", 0),
        award_form(world["own award"], recipient_unit=world["other unit"].pk, year=2018),
    )
    group = client.post(
        admin_url("award", "add", 0),
        award_form(world["group award"], year=2018),
    )
    assert other.status_code == group.status_code == 200
    assert "recipient_unit" in other.context["adminform"].form.errors
    assert group.context["adminform"].form.non_field_errors() == [
        refusal(users["unit editor"], world["group award"])
    ]
    assert Award.objects.count() == before


def test_a_refusal_names_the_record_and_the_units_the_account_may_change(world, users):
    # Other tests compare a refusal with refusal() itself; this one says what it reads.
    assert refusal(users["unit editor"], world["other award"]) == (
        "This award is not of Cục XDPT toàn dân bảo vệ ANTQ or a unit below it, the only units "
        "whose records your account may change."
    )
    assert refusal(users["viewer"], world["other task"]) == (
        "Your account is not attached to a unit, so it cannot change this task."
    )
    with translation.override("vi"):
        assert permissions.refusal(users["viewer"], world["other task"]) == (
            "Tài khoản của bạn chưa gắn với đơn vị nào nên không thể sửa nhiệm vụ này."
        )
        assert permissions.refusal(users["unit editor"], world["other award"]) == (
            "Khen thưởng này không thuộc Cục XDPT toàn dân bảo vệ ANTQ hay đơn vị trực thuộc — "
            "những đơn vị duy nhất mà tài khoản của bạn được sửa."
        )


def test_a_unit_editor_adds_an_award_for_a_person_of_their_units(client, world, users):
    client_for(client, users, "unit editor")
    data = award_form(world["own person's award"], year=2018)
    response = client.post(admin_url("award", "add", 0), data)
    assert response.status_code == 302
    assert Award.objects.filter(year=2018, recipient_person=world["own person"]).exists()


def autocomplete(client, model: str, field: str, term: str = "") -> set[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "movement", "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


def test_autocomplete_offers_a_unit_editor_only_their_units_as_recipients(client, world, users):
    client_for(client, users, "unit editor")
    assert autocomplete(client, "award", "recipient_unit") == {
        "Cục XDPT toàn dân bảo vệ ANTQ",
        "Phòng Tham mưu",
    }
    assert autocomplete(client, "award", "recipient_unit", "lao cai") == set()
    assert autocomplete(client, "award", "recipient_person") == {str(world["own person"])}
    assert autocomplete(client, "person", "unit") == {
        "Cục XDPT toàn dân bảo vệ ANTQ",
        "Phòng Tham mưu",
    }
    assert autocomplete(client, "task", "plan") == {str(world["own plan"])}
    # Fields that do not decide whose the record is offer everything.
    assert "Công an tỉnh Lào Cai" in autocomplete(client, "award", "conferring_unit")


def test_autocomplete_offers_an_officer_every_unit(client, world, users):
    client_for(client, users, "officer")
    assert "Công an tỉnh Lào Cai" in autocomplete(client, "award", "recipient_unit", "lao cai")


def changelist_action(client, model: str, action: str, records: list, **extra) -> object:
    return client.post(
        admin_url(model, "list", 0),
        {"action": action, "_selected_action": [r.pk for r in records], **extra},
    )


def test_a_bulk_delete_including_another_units_award_deletes_nothing(client, world, users):
    client_for(client, users, "unit editor")
    selection = [world["own award"], world["other award"]]
    response = changelist_action(client, "award", "delete_selected", selection, post="yes")
    assert response.status_code == 302
    assert Award.objects.filter(pk__in=[a.pk for a in selection]).count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["1 of the selected awards is not of your units: nothing was changed."]


def test_a_unit_editor_bulk_deletes_their_own_awards(client, world, users):
    client_for(client, users, "unit editor")
    selection = [world["own award"], world["own person's award"]]
    response = changelist_action(client, "award", "delete_selected", selection, post="yes")
    assert response.status_code == 302
    assert not Award.objects.filter(pk__in=[a.pk for a in selection]).exists()


def import_csv(client, rows: list[dict]) -> object:
    upload = SimpleUploadedFile("khen-thuong.csv", dict_csv(*rows))
    return client.post(reverse("admin:movement_award_import"), {"import_file": upload})


def confirm_import(client, response) -> object:
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.context["report"].problems
    return client.post(reverse("admin:movement_award_process_import"), confirm.initial)


def test_a_preview_is_neither_confirmed_nor_cancelled_by_someone_who_may_no_longer_import(
    client, world, users
):
    client_for(client, users, "unit editor")
    previewed = import_csv(client, [award_row(world["own award"].recipient_unit)])
    fields = previewed.context["confirm_form"].initial
    users["unit editor"].groups.set([Group.objects.get(name=VIEWERS)])
    for view in ("process_import", "import_cancel"):
        response = client.post(reverse(f"admin:movement_award_{view}"), fields)
        assert response.status_code == 403
    assert not Award.objects.filter(year=2018).exists()


def test_an_import_with_a_row_for_another_unit_is_refused_whole(client, world, users):
    client_for(client, users, "unit editor")
    before = set(Award.objects.values_list("pk", "recipient_unit", "year"))
    response = import_csv(
        client, [award_row(world["own award"].recipient_unit), award_row(world["other unit"])]
    )
    assert response.status_code == 200
    assert response.context["confirm_form"] is None
    # Row 3 of the sheet: the header is row 1.
    assert [(p.row, p.message) for p in response.context["report"].problems] == [
        (3, refusal(users["unit editor"], world["other award"]))
    ]
    assert set(Award.objects.values_list("pk", "recipient_unit", "year")) == before


def test_an_import_cannot_take_over_another_units_award(client, world, users):
    client_for(client, users, "unit editor")
    other = world["other award"]
    own_unit = world["own award"].recipient_unit
    response = import_csv(client, [award_row(own_unit, 2017, key=str(other.key))])
    # Refused because the award is another unit's, not for some other reason (a duplicate).
    assert [(p.row, p.message) for p in response.context["report"].problems] == [
        (2, permissions.refusal(users["unit editor"], other))
    ]
    other.refresh_from_db()
    assert other.recipient_unit == world["other unit"]


def test_a_row_without_a_key_naming_another_units_award_is_refused(client, world, users):
    # Found by its type, year and recipient, the other unit's award is refused for the unit
    # editor as it would be by its key: neither updated nor taken for a new award.
    client_for(client, users, "unit editor")
    other = world["other award"]
    row = {**award_row(world["other unit"], 2017), "Ghi chú": "Sửa hộ đơn vị khác."}
    response = import_csv(client, [row])
    assert response.context["confirm_form"] is None
    assert [(p.row, p.message) for p in response.context["report"].problems] == [
        (2, refusal(users["unit editor"], other))
    ]
    other.refresh_from_db()
    assert other.note == ""


def test_a_unit_editor_reimports_their_list_without_keys_unchanged(client, world, users):
    client_for(client, users, "unit editor")
    own = world["own award"]
    response = import_csv(client, [award_row(own.recipient_unit, 2017)])
    report = response.context["report"]
    assert report.problems == [] and report.unchanged == 1 and report.new == 0


def test_the_confirm_step_refuses_too(client, world, users):
    """A file that passed its preview is checked again when confirmed: a unit may have moved."""
    client_for(client, users, "unit editor")
    response = import_csv(client, [award_row(world["own award"].recipient_unit)])
    Unit.objects.filter(pk=world["own award"].recipient_unit_id).update(parent=world["other unit"])
    response = confirm_import(client, response)
    assert response.status_code == 200
    assert [p.row for p in response.context["report"].problems] == [2]
    assert not Award.objects.filter(year=2018).exists()


def test_a_unit_editor_imports_awards_of_their_units(client, world, users):
    client_for(client, users, "unit editor")
    response = confirm_import(
        client, import_csv(client, [award_row(world["own award"].recipient_unit)])
    )
    assert response.status_code == 302
    own_unit = world["own award"].recipient_unit
    assert Award.objects.filter(year=2018, recipient_unit=own_unit).exists()


def test_a_unit_editor_exports_every_award_they_can_see(client, world, users):
    client_for(client, users, "unit editor")
    model_admin = admin.site.get_model_admin(Award)
    csv_format = [f.__name__ for f in model_admin.get_export_formats()].index("CSV")
    fields = {f"awardresource_{name}": "on" for name in AwardResource().get_export_order()}
    response = client.post(
        reverse("admin:movement_award_export"),
        {"format": str(csv_format), "resource": "0", **fields},
    )
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {row["Mã"] for row in rows} == {
        str(key) for key in Award.objects.values_list("key", flat=True)
    }


def test_only_those_who_may_change_a_record_may_revert_it(client, world, users):
    award = world["own award"]
    award.note = "Bản sau"
    award.save()
    first = award.history.earliest()
    url = reverse("admin:movement_award_simple_history", args=[award.pk, first.history_id])
    data = award_form(award, note="")
    for role in ["viewer", "officer"]:
        client_for(client, users, role)
        response = client.post(url, data)
        award.refresh_from_db()
        if role == "viewer":
            assert response.status_code == 403
            assert award.note == "Bản sau"
        else:
            assert response.status_code == 302
            assert award.note == ""


def test_only_administrators_may_change_or_delete_history(db):
    history_models = set(
        Permission.objects.filter(codename__startswith="change_historical").values_list(
            "content_type__model", flat=True
        )
    )
    assert history_models
    for role, group in ROLES.items():
        granted = set(
            Group.objects.get(name=group)
            .permissions.filter(codename__regex=r"^(change|delete)_historical")
            .values_list("content_type__model", flat=True)
        )
        assert granted == (history_models if role == "administrator" else set()), role


# -- The roles themselves -----------------------------------------------------------------------


def test_every_record_in_the_admin_is_covered_by_the_roles(db):
    """A model added to the admin later needs its permissions given to the roles (0006_roles)."""
    officers = Group.objects.get(name=EMULATION_OFFICERS).permissions
    viewers = Group.objects.get(name=VIEWERS).permissions
    registered = [model for model in admin.site._registry if model._meta.app_label == "movement"]
    assert registered
    for model in registered:
        if model is StaffProfile:
            # Who works where is the users' business: administrators' alone.
            continue
        history = get_history_model_for_model(model)._meta.model_name
        for codename in [f"view_{model._meta.model_name}", f"view_{history}"]:
            assert viewers.filter(codename=codename).exists(), codename
        for action in ["add", "change", "delete"]:
            codename = f"{action}_{model._meta.model_name}"
            assert officers.filter(codename=codename).exists(), codename


def test_an_administrator_may_manage_users_and_nobody_else_may(db):
    assert (
        Group.objects.get(name=ADMINISTRATORS).permissions.filter(codename="change_user").exists()
    )
    for group in [EMULATION_OFFICERS, UNIT_EDITORS, VIEWERS]:
        assert (
            not Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="auth")
            .exists()
        )


def test_a_unit_editor_without_a_unit_may_change_nothing(client, world):
    user = member("unit editor")
    assert not Award.objects.editable_by(user).exists()
    assert not permissions.may_edit(user, world["own award"])


def test_the_bound_narrows_only_a_unit_editor_and_only_records_of_units(world, users):
    # An officer changes every award, even one to a group of no unit; the bound has nothing to
    # say about records that belong to no unit (units themselves, award types).
    awards = Award.objects.all()
    assert set(permissions.editable(users["officer"], awards)) == set(awards)
    units = Unit.objects.all()
    assert set(permissions.editable(users["unit editor"], units)) == set(units)
    assert set(permissions.editable(users["unit editor"], awards)) == {
        world["own award"],
        world["own person's award"],
    }


def test_a_record_belongs_to_the_units_it_names_and_a_group_award_to_none(world, division):
    units = {name: permissions.units_of(world[name]) for name in world}
    assert units["own award"] == {division.pk}
    assert units["own person's award"] == units["own person"] == {world["own person"].unit_id}
    assert units["own task"] == {world["unit editor's unit"].pk}
    # Nothing says whose a group award is; a campaign or a unit is outside the bound.
    assert units["group award"] == units["campaign"] == units["other unit"] == set()


def test_a_users_units_are_looked_up_once_per_user_object(world, users, django_assert_num_queries):
    # A changelist asks may_edit() for each of its rows: the units are found for the first.
    editor = users["unit editor"]
    assert permissions.may_edit(editor, world["own award"])
    with django_assert_num_queries(0):
        assert not permissions.may_edit(editor, world["other award"])
        assert permissions.may_edit(editor, world["own person"])


def test_unit_editors_may_not_touch_the_award_type_catalogue_ranks_or_units(db):
    granted = set(
        Group.objects.get(name=UNIT_EDITORS).permissions.values_list("codename", flat=True)
    )
    for model in [AwardType, Unit, "rank", "campaign", "workplan"]:
        name = model if isinstance(model, str) else model._meta.model_name
        assert {f"add_{name}", f"change_{name}", f"delete_{name}"}.isdisjoint(granted)
        assert f"view_{name}" in granted


# -- The public pages ---------------------------------------------------------------------------

# Every page is public; an edit link appears only to a user who may change that record.
PAGE_EDIT_LINKS = {
    "own person": {"administrator", "officer", "unit editor"},
    "other person": {"administrator", "officer"},
    "unit editor's unit": {"administrator", "officer"},
    "campaign": {"administrator", "officer"},
}


def page_url(record) -> str:
    return record.get_absolute_url()


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("record", list(PAGE_EDIT_LINKS))
def test_public_pages_show_an_edit_link_only_to_who_may_change_the_record(
    client, world, users, role, record
):
    client = client_for(client, users, role)
    response = client.get(page_url(world[record]))
    assert response.status_code == 200
    has_link = 'class="edit-link"' in response.content.decode()
    assert has_link == (role in PAGE_EDIT_LINKS[record])


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("page", ["movement:home", "movement:award_list", "movement:campaign_list"])
def test_public_lists_are_open_to_everyone(client, world, users, role, page):
    assert client_for(client, users, role).get(reverse(page)).status_code == 200
