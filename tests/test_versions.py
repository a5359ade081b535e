"""No lost edits: a record is saved only over the version it was read at — by a form (the admin's
pages and their inline rows), an import, a bulk action — and a task saved with its units is one
version of its history."""

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.test import Client
from django.urls import reverse

from movement.admin.versions import VERSION_FIELD, VersionedAdminMixin
from movement.models import (
    Award,
    AwardType,
    Campaign,
    Decision,
    Discipline,
    Event,
    Initiative,
    Inspection,
    Participation,
    Person,
    PersonRating,
    Posting,
    Proposal,
    Rank,
    RankChange,
    Rating,
    Registration,
    Source,
    Task,
    Unit,
    UnitRating,
    WorkArea,
    WorkPlan,
)
from movement.models.versions import VersionConflict, Versioned, claim_versions
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.resources import VERSION_COLUMN, AwardResource, UnitResource
from tests.factories import member
from tests.spreadsheets import meanwhile, xlsx


@pytest.fixture
def officer(db) -> User:
    return member("officer")


@pytest.fixture
def award(division, flag_type) -> Award:
    return Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)


@pytest.fixture
def plan(department) -> WorkPlan:
    return WorkPlan.objects.create(unit=department, year=2017)


@pytest.fixture
def task(plan) -> Task:
    return Task.objects.create(plan=plan, number=1, title="Xây dựng kế hoạch")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(record: models.Model) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def posted(response: Any) -> dict[str, Any]:
    """What the change page of ``response`` posts as it is shown: its form and every inline
    row, hidden fields (the version) included."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = "on" if value is True else str(value)

    add(response.context["adminform"].form)
    # A revert page has no inline rows.
    for inline in response.context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def someone_else_saves(record: models.Model, user: User | None = None) -> None:
    """Another person's save of ``record``, made while the page was open."""
    theirs = type(record).objects.get(pk=record.pk)
    theirs._history_user = user
    theirs.save()


# -- Two people, one award --------------------------------------------------------------------


def test_the_second_save_of_one_award_is_refused_and_can_then_be_applied_knowingly(award):
    lan, minh = member("officer"), member("administrator")
    first, second = signed_in(lan), signed_in(minh)
    url = change_url(award)
    lans_page = posted(first.get(url))
    minhs_page = posted(second.get(url))
    assert lans_page[VERSION_FIELD] == minhs_page[VERSION_FIELD] == "1"

    assert first.post(url, {**lans_page, "note": "Lan sửa"}).status_code == 302
    refused = second.post(url, {**minhs_page, "decision_number": "12/QĐ-BCA"})

    assert refused.status_code == 200
    award.refresh_from_db()
    assert (award.note, award.decision_number, award.version) == ("Lan sửa", "", 2)
    form = refused.context["adminform"].form
    conflict = form.version_conflict
    assert (conflict.version, conflict.current) == (1, 2)
    assert "officer" in conflict.saved_by
    [note] = conflict.fields
    assert (note.as_read, note.theirs, note.yours) == ("—", "Lan sửa", "—")
    page = refused.content.decode()
    assert 'id="version-conflict"' in page and "Lan sửa" in page
    # What Minh typed is still in the form, now bound to the version Lan saved.
    again = posted(refused)
    assert again["decision_number"] == "12/QĐ-BCA"
    assert again[VERSION_FIELD] == "2"

    assert second.post(url, again).status_code == 302
    award.refresh_from_db()
    assert (award.note, award.decision_number, award.version) == ("", "12/QĐ-BCA", 3)
    assert award.history.count() == 3


def test_a_form_that_changes_nothing_is_saved_whatever_its_version(award, officer):
    client = signed_in(officer)
    url = change_url(award)
    page = posted(client.get(url))
    someone_else_saves(award)
    assert client.post(url, page).status_code == 302


def test_a_form_without_its_version_is_taken_for_the_record_as_it_is(award, officer):
    client = signed_in(officer)
    page = posted(client.get(change_url(award)))
    del page[VERSION_FIELD]
    someone_else_saves(award)
    assert client.post(change_url(award), {**page, "note": "Sửa"}).status_code == 302


def test_a_save_between_the_check_and_the_write_is_refused_all_the_same(
    award, officer, monkeypatch
):
    client = signed_in(officer)
    url = change_url(award)
    page = posted(client.get(url))
    someone_else_saves(award)
    # The form's check, asked first, still sees the version the page was opened at.
    stored = Versioned.stored_version
    asked = []

    def stale_once(record: Versioned) -> int | None:
        asked.append(record)
        return 1 if len(asked) == 1 else stored(record)

    monkeypatch.setattr(Versioned, "stored_version", stale_once)
    response = client.post(url, {**page, "note": "Sửa"})
    assert response.status_code == 200
    assert response.context["adminform"].form.version_conflict is not None
    award.refresh_from_db()
    assert award.note == ""


def test_a_record_read_twice_is_saved_once(award):
    first, second = Award.objects.get(pk=award.pk), Award.objects.get(pk=award.pk)
    first.note = "Một"
    first.save()
    second.note = "Hai"
    with pytest.raises(VersionConflict):
        second.save()
    award.refresh_from_db()
    assert (award.note, award.version) == ("Một", 2)


# -- Every record staff edit ------------------------------------------------------------------


def source(**_: Any) -> Source:
    return Source.objects.create(slug="nghi-dinh", title="Nghị định")


def rank(**_: Any) -> Rank:
    return Rank.objects.get(name="Trung tướng")


def participation(event, person, **_: Any) -> Participation:
    return Participation.objects.create(event=event, person=person, role="chair")


def work_area(plan, **_: Any) -> WorkArea:
    return WorkArea.objects.create(plan=plan, number=1, name="Công tác tham mưu")


def rank_change(person, **_: Any) -> RankChange:
    return RankChange.objects.create(person=person, rank=person.rank)


def posting(person, **_: Any) -> Posting:
    return Posting.objects.create(person=person, unit=person.unit, position=person.position)


def rating(person, **_: Any) -> PersonRating:
    return PersonRating.objects.create(person=person, year=2017, rating=Rating.EXCELLENT)


def initiative(person, **_: Any) -> Initiative:
    return Initiative.objects.create(
        person=person, title="Sáng kiến", level=Initiative.Level.MINISTRY, year=2017
    )


def discipline(person, **_: Any) -> Discipline:
    return Discipline.objects.create(person=person, form=Discipline.Form.REPRIMAND)


def inspection(person, **_: Any) -> Inspection:
    return Inspection.objects.create(person=person, kind=Inspection.Kind.INSPECTION)


def decision(**_: Any) -> Decision:
    return Decision.objects.create(number="1234/QĐ-BCA", issuer="Bộ Công an")


def registration(division, flag_type, **_: Any) -> Registration:
    return Registration.objects.create(unit=division, year=2017, award_type=flag_type)


def proposal(division, **_: Any) -> Proposal:
    return Proposal.objects.create(unit=division, year=2017, title="Đề nghị khen thưởng")


def unit_rating(department, **_: Any) -> UnitRating:
    return UnitRating.objects.create(unit=department, year=2017, rating=Rating.GOOD)


# Each record staff edit in the admin: its model, how the test makes one, the page it is edited
# on (its own, or its parent's for an inline row) and a text field the test types into.
EDITABLE = {
    "source": (Source, source, None, "note"),
    "unit": (Unit, lambda division, **_: division, None, "inference_note"),
    "rank": (Rank, rank, None, "name"),
    "person": (Person, lambda person, **_: person, None, "inference_note"),
    "event": (Event, lambda event, **_: event, None, "inference_note"),
    "participation": (Participation, participation, "event", "activity"),
    "participation on its own page": (Participation, participation, None, "activity"),
    "campaign": (Campaign, lambda campaign, **_: campaign, None, "inference_note"),
    "award type": (AwardType, lambda flag_type, **_: flag_type, None, "inference_note"),
    "award": (Award, lambda award, **_: award, None, "note"),
    "work plan": (WorkPlan, lambda plan, **_: plan, None, "summary"),
    "work area": (WorkArea, work_area, "plan", "name"),
    "work area on its own page": (WorkArea, work_area, None, "name"),
    "task": (Task, lambda task, **_: task, None, "result"),
    "task of a plan": (Task, lambda task, **_: task, "plan", "title"),
    "rank change of a person": (RankChange, rank_change, "person", "decision"),
    "rank change": (RankChange, rank_change, None, "decision"),
    "posting of a person": (Posting, posting, "person", "position"),
    "posting": (Posting, posting, None, "decision"),
    "yearly rating": (PersonRating, rating, None, "inference_note"),
    "initiative of a person": (Initiative, initiative, "person", "title"),
    "initiative": (Initiative, initiative, None, "title"),
    "discipline of a person": (Discipline, discipline, "person", "decision"),
    "discipline": (Discipline, discipline, None, "decision"),
    "inspection of a person": (Inspection, inspection, "person", "note"),
    "inspection": (Inspection, inspection, None, "note"),
    "unit's yearly rating": (UnitRating, unit_rating, None, "inference_note"),
    "decision": (Decision, decision, None, "legal_basis"),
    "registration": (Registration, registration, None, "note"),
    "proposal": (Proposal, proposal, None, "title"),
}


def test_every_record_with_a_version_is_tested_here():
    versioned = {
        model
        for model in apps.get_app_config("movement").get_models()
        if issubclass(model, Versioned)
    }
    assert versioned == {model for model, *_rest in EDITABLE.values()}


def test_every_list_of_records_with_a_version_checks_it():
    lists = [
        admin.site.get_model_admin(model)
        for model in apps.get_app_config("movement").get_models()
        if issubclass(model, Versioned) and admin.site.is_registered(model)
    ]
    assert lists
    assert [
        type(model_admin).__name__
        for model_admin in lists
        if not isinstance(model_admin, VersionedAdminMixin)
    ] == []


@pytest.mark.parametrize("name", EDITABLE)
def test_every_record_staff_edit_refuses_a_save_over_a_newer_version(
    name, department, division, person, event, campaign, flag_type, award, plan, task
):
    _model, make, parent, field = EDITABLE[name]
    record = make(
        department=department,
        division=division,
        person=person,
        event=event,
        campaign=campaign,
        flag_type=flag_type,
        award=award,
        plan=plan,
        task=task,
    )
    page_record = getattr(record, parent) if parent else record
    client = signed_in(member("administrator"))
    url = change_url(page_record)
    response = client.get(url)
    page = posted(response)
    if parent:
        [prefix] = [
            inline.formset.prefix
            for inline in response.context["inline_admin_formsets"]
            if inline.formset.model is type(record)
        ]
        key = f"{prefix}-0-{field}"
    else:
        key = field
    before = getattr(type(record).objects.get(pk=record.pk), field)

    someone_else_saves(record)
    refused = client.post(url, {**page, key: "Sửa của tôi"})

    assert refused.status_code == 200
    assert getattr(type(record).objects.get(pk=record.pk), field) == before
    again = posted(refused)
    assert again[key] == "Sửa của tôi"
    assert client.post(url, again).status_code == 302
    stored = type(record).objects.get(pk=record.pk)
    assert (getattr(stored, field), stored.version) == ("Sửa của tôi", 3)


# -- Imports ----------------------------------------------------------------------------------


def exported_rows(resource: Any, queryset: models.QuerySet) -> list[list[Any]]:
    dataset = resource.export(queryset, force_native_type=True)
    return [list(dataset.headers), *[list(row) for row in dataset]]


@pytest.mark.parametrize("resource_class", [AwardResource, UnitResource])
def test_an_import_over_a_record_changed_since_the_export_is_refused_whole(
    resource_class, award, division, department
):
    model = resource_class._meta.model
    queryset = model.objects.filter(pk__in=[award.pk if model is Award else division.pk])
    rows = exported_rows(resource_class(), queryset)
    version = rows[0].index(VERSION_COLUMN)
    assert rows[1][version] == 1
    column = "Ghi chú" if model is Award else "Suy luận"
    rows[1][rows[0].index(column)] = "Sửa trong tệp"
    record = queryset.get()
    someone_else_saves(record, member("officer"))

    report = import_file(resource_class(), xlsx(rows), dry_run=False)

    assert not report.written
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, VERSION_COLUMN)
    assert "1" in problem.message and "2" in problem.message and "officer" in problem.message
    record.refresh_from_db()
    assert record.version == 2
    assert "Sửa trong tệp" not in (getattr(record, "note", ""), record.inference_note)


def test_an_import_over_the_version_exported_is_written_and_moves_the_version_on(award):
    rows = exported_rows(AwardResource(), Award.objects.all())
    rows[1][rows[0].index("Ghi chú")] = "Sửa trong tệp"
    report = import_file(AwardResource(), xlsx(rows), dry_run=False)
    assert report.written and report.updated == 1
    award.refresh_from_db()
    assert (award.note, award.version) == ("Sửa trong tệp", 2)
    assert award.history.latest().version == 2


def test_an_import_without_versions_is_taken_for_the_records_as_they_are(award):
    rows = exported_rows(AwardResource(), Award.objects.all())
    version = rows[0].index(VERSION_COLUMN)
    rows = [[cell for position, cell in enumerate(row) if position != version] for row in rows]
    rows[1][rows[0].index("Ghi chú")] = "Sửa trong tệp"
    someone_else_saves(award)
    report = import_file(AwardResource(), xlsx(rows), dry_run=False)
    assert report.written
    award.refresh_from_db()
    assert (award.note, award.version) == ("Sửa trong tệp", 3)


def test_an_unchanged_row_of_an_old_export_is_no_refusal(award):
    rows = exported_rows(AwardResource(), Award.objects.all())
    someone_else_saves(award)
    report = import_file(AwardResource(), xlsx(rows), dry_run=False)
    assert report.problems == [] and report.unchanged == 1


def test_a_record_saved_while_an_import_writes_is_not_overwritten(award, monkeypatch):
    # The file has no versions; the award is saved by someone else after its row was read and
    # before the rows are written: the write's claim of the version read refuses the import.
    rows = exported_rows(AwardResource(), Award.objects.all())
    version = rows[0].index(VERSION_COLUMN)
    rows = [[cell for position, cell in enumerate(row) if position != version] for row in rows]
    rows[1][rows[0].index("Ghi chú")] = "Sửa trong tệp"
    meanwhile(monkeypatch, lambda: someone_else_saves(award))
    report = import_file(AwardResource(), xlsx(rows), dry_run=False)
    assert not report.written
    [error] = report.errors
    assert "đã được người khác lưu sau khi phiên bản 1 của nó được đọc" in error
    award.refresh_from_db()
    assert award.note != "Sửa trong tệp"


def test_a_change_clashing_with_an_award_recorded_while_the_import_writes_refuses_it(
    award, monkeypatch
):
    # The row gives the award a decision number; before the rows are written, another user
    # records the same award under that number. The database refuses the update: so does the
    # import, in words, and the award keeps its number.
    rows = exported_rows(AwardResource(), Award.objects.all())
    rows[1][rows[0].index("Số quyết định")] = "9/QĐ"
    meanwhile(
        monkeypatch,
        lambda: Award.objects.create(
            award_type=award.award_type,
            year=award.year,
            recipient_unit=award.recipient_unit,
            decision_number="9/QĐ",
        ),
    )
    report = import_file(AwardResource(), xlsx(rows), dry_run=False)
    assert not report.written
    [error] = report.errors
    assert error.startswith("Trong lúc tệp đang được nhập, một người dùng khác đã thay đổi")
    award.refresh_from_db()
    assert award.decision_number != "9/QĐ"
    assert Award.objects.count() == 1


def test_records_written_in_bulk_claim_their_versions(award):
    read = Award.objects.get(pk=award.pk)
    someone_else_saves(award)
    with pytest.raises(VersionConflict):
        claim_versions([read])
    fresh = Award.objects.get(pk=award.pk)
    claim_versions([fresh])
    assert fresh.version == 3


# -- Bulk actions -----------------------------------------------------------------------------


def test_a_bulk_action_moves_the_version_on_and_a_form_opened_before_is_refused(task, officer):
    client = signed_in(officer)
    url = change_url(task)
    page = posted(client.get(url))

    response = client.post(
        reverse("admin:movement_task_changelist"),
        {"action": "mark_done", "_selected_action": [task.pk]},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.version) == (Task.Status.DONE, 2)
    latest = task.history.latest()
    assert (latest.version, latest.history_change_reason) == (2, "action: mark_done")

    refused = client.post(url, {**page, "result": "Hoàn thành 4 chỉ thị"})
    assert refused.status_code == 200
    [status] = refused.context["adminform"].form.version_conflict.fields
    assert status.theirs == str(Task.Status.DONE.label)


# -- One version per save ---------------------------------------------------------------------


def test_a_task_saved_with_its_units_is_one_version(task, division, department, officer):
    client = signed_in(officer)
    url = change_url(task)
    page = posted(client.get(url))
    before = task.history.count()

    response = client.post(
        url,
        {
            **page,
            "title": "Xây dựng kế hoạch năm",
            "assigned_units": [str(division.pk)],
            "coordinating_units": [str(department.pk)],
        },
    )

    assert response.status_code == 302
    assert task.history.count() == before + 1
    latest = task.history.latest()
    assert latest.title == "Xây dựng kế hoạch năm"
    assert [row.unit_id for row in latest.assigned_units.all()] == [division.pk]
    assert [row.unit_id for row in latest.coordinating_units.all()] == [department.pk]


def test_a_task_added_with_its_units_is_one_version(plan, division, officer):
    client = signed_in(officer)
    response = client.post(
        reverse("admin:movement_task_add"),
        {
            "plan": plan.pk,
            "number": 2,
            "title": "Tổng kết",
            "status": Task.Status.PLANNED,
            "assigned_units": [str(division.pk)],
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(number=2)
    [created] = task.history.all()
    assert created.history_type == "+"
    assert [row.unit_id for row in created.assigned_units.all()] == [division.pk]


def test_a_revert_page_saves_over_the_record_as_it_was_when_opened(award, officer):
    award.note = "Sai"
    award.save()
    first = award.history.earliest()
    client = signed_in(officer)
    url = reverse("admin:movement_award_simple_history", args=[award.pk, first.history_id])
    page = posted(client.get(url))
    assert page[VERSION_FIELD] == "2"
    someone_else_saves(award)
    assert client.post(url, page).status_code == 200
    award.refresh_from_db()
    assert (award.note, award.version) == ("Sai", 3)

    page = posted(client.get(url))
    assert client.post(url, page).status_code == 302
    award.refresh_from_db()
    assert (award.note, award.version) == ("", 4)
