"""Every change to a record is in its history: who, when, what changed and by which path — a form,
a bulk action, an import (in bulk mode too), a revert, a fixture load — and a deleted award can be
brought back by an administrator."""

import datetime
import io
from typing import Any

import pytest
from django import forms
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from movement import audit
from movement.models import (
    Award,
    AwardType,
    CertificateField,
    CertificateLayout,
    Decision,
    Discipline,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    Proposal,
    Rating,
    Registration,
    RegistrationPeriod,
    Source,
    Task,
    Unit,
    UnitRating,
    WorkArea,
    WorkPlan,
)
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.resources import AwardResource
from tests.factories import award_form, award_row, every_model, in_english, member
from tests.spreadsheets import dict_csv


@pytest.fixture
def officer(db) -> User:
    return member("officer")


@pytest.fixture
def administrator(db) -> User:
    return member("administrator")


@pytest.fixture
def award(division, flag_type) -> Award:
    return Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)


def test_a_form_edit_records_who_what_and_how(client, officer, award):
    client.force_login(officer)
    url = reverse("admin:movement_award_change", args=[award.pk])
    response = client.post(url, award_form(award, decision_number="12/QĐ-BCA", note="Sửa"))
    assert response.status_code == 302
    latest, previous = award.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == officer
    assert latest.history_change_reason == "form"
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(previous).changes}
    # The number names a decision, recorded for it and linked.
    decision = Decision.objects.get(number="12/QĐ-BCA")
    assert changes == {
        "decision_number": ("", "12/QĐ-BCA"),
        "decision": (None, decision.pk),
        "note": ("", "Sửa"),
    }


def test_an_award_added_through_the_form_starts_its_history(client, officer, division, flag_type):
    client.force_login(officer)
    data = {"award_type": flag_type.pk, "year": 2018, "recipient_unit": division.pk}
    assert client.post(reverse("admin:movement_award_add"), data).status_code == 302
    created = Award.objects.get(year=2018).history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        officer,
        "form",
    )


def test_a_bulk_action_records_each_deletion(client, officer, award, division, flag_type):
    other = Award.objects.create(award_type=flag_type, year=2016, recipient_unit=division)
    client.force_login(officer)
    response = client.post(
        reverse("admin:movement_award_changelist"),
        {"action": "delete_selected", "_selected_action": [award.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deletions = Award.history.filter(history_type="-")
    assert sorted(deletions.values_list("id", flat=True)) == sorted([award.pk, other.pk])
    assert {(d.history_user, d.history_change_reason) for d in deletions} == {
        (officer, "action: delete_selected")
    }


def test_an_import_records_each_row_with_the_file_name(client, officer, division, flag_type):
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "khen-thuong-2018.csv", dict_csv(award_row(division, 2018), award_row(division, 2019))
    )
    response = client.post(reverse("admin:movement_award_import"), {"import_file": upload})
    confirm = response.context["confirm_form"].initial
    response = client.post(reverse("admin:movement_award_process_import"), confirm)
    assert response.status_code == 302
    created = Award.history.filter(year__in=[2018, 2019])
    assert created.count() == 2
    assert {(h.history_type, h.history_user, h.history_change_reason) for h in created} == {
        ("+", officer, "import: khen-thuong-2018.csv")
    }


class BulkAwardResource(AwardResource):
    class Meta:
        use_bulk = True


def test_an_import_in_bulk_mode_is_recorded_too(officer, award, division, flag_type):
    """bulk_create and bulk_update send no signals; the resource records the rows itself."""
    assert BulkAwardResource._meta.use_bulk
    data = dict_csv(
        {**award_row(division, 2017), "Mã": str(award.key), "Ghi chú": "Cập nhật"},
        {**award_row(division, 2018), "Mã": "", "Ghi chú": ""},
    )
    report = import_file(
        BulkAwardResource(), data, dry_run=False, user=officer, file_name="lo-lon.csv"
    )
    assert report.written, report.problems
    updated = award.history.latest()
    assert (updated.history_type, updated.note, updated.history_user) == ("~", "Cập nhật", officer)
    added = Award.history.get(year=2018)
    assert (added.history_type, added.history_user) == ("+", officer)
    assert {updated.history_change_reason, added.history_change_reason} == {"import: lo-lon.csv"}


def test_an_imported_award_s_history_holds_the_values_it_was_written_with(
    officer, division, flag_type
):
    data = dict_csv({**award_row(division, 2018), "Ghi chú": "Đợt 1"})
    report = import_file(AwardResource(), data, dry_run=False, user=officer, file_name="a.csv")
    assert report.written, report.problems
    stored = Award.objects.get(year=2018)
    [recorded] = stored.history.all()
    tracked = Award.history.model.tracked_fields
    assert [getattr(recorded, field.attname) for field in tracked] == [
        getattr(stored, field.attname) for field in tracked
    ]
    assert abs(recorded.history_date - timezone.now()) < datetime.timedelta(minutes=1)


def test_a_dry_run_records_nothing(officer, division, flag_type):
    before = Award.history.count()
    report = import_file(
        AwardResource(), dict_csv(award_row(division, 2018)), dry_run=True, user=officer
    )
    assert report.ok
    assert Award.history.count() == before


def test_the_report_fixture_load_is_recorded_as_such(db):
    call_command("load_report", stdout=io.StringIO())
    for model in [Source, Unit, Person, Award]:
        records = model.objects.count()
        history = model.history.filter(history_type="+", history_change_reason="fixture: report")
        assert records and history.count() == records, model
        assert not history.exclude(history_user=None).exists()


def test_a_revert_restores_the_earlier_version_and_says_so(client, officer, award):
    award.note = "Ghi chú sai"
    award.save()
    first = award.history.earliest()
    client.force_login(officer)
    url = reverse("admin:movement_award_simple_history", args=[award.pk, first.history_id])
    response = client.post(url, award_form(first.instance))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.note == ""
    latest = award.history.latest()
    assert latest.history_change_reason == f"revert: #{first.history_id}"
    assert latest.history_user == officer


def test_staff_read_the_history_with_old_and_new_values(client, award):
    award.note = "<b>Ghi chú</b>"
    award.save()
    viewer = member("viewer")
    client.force_login(viewer)
    response = in_english(client).get(reverse("admin:movement_award_history", args=[award.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;Ghi chú&lt;/b&gt;" in page
    assert "<b>Ghi chú</b>" not in page
    # The viewer may not change the award, so may not revert it either.
    assert response.context["revert_disabled"] is True


def test_an_administrator_restores_a_deleted_award(client, administrator, officer, award):
    key, pk = award.key, award.pk
    client.force_login(officer)
    client.post(reverse("admin:movement_award_delete", args=[pk]), {"post": "yes"})
    assert not Award.objects.filter(pk=pk).exists()

    deleted_url = reverse("admin:movement_award_deleted")
    changelist = reverse("admin:movement_award_changelist")
    assert client.get(deleted_url).status_code == 403
    assert f'href="{deleted_url}"' not in client.get(changelist).content.decode()
    record = Award.history.get(id=pk, history_type="-")
    restore_url = reverse("admin:movement_award_restore", args=[record.history_id])
    assert client.post(restore_url).status_code == 403

    client.force_login(administrator)
    assert f'href="{deleted_url}"' in client.get(changelist).content.decode()
    listed = client.get(deleted_url)
    assert [r.history_id for r, _path in listed.context["records"]] == [record.history_id]
    assert client.get(restore_url).status_code == 405
    response = client.post(restore_url)
    assert response.status_code == 302
    restored = Award.objects.get(pk=pk)
    assert restored.key == key
    assert restored.recipient_unit == award.recipient_unit
    latest = restored.history.latest()
    assert (latest.history_type, latest.history_user) == ("+", administrator)
    assert latest.history_change_reason == f"restore: #{record.history_id}"
    assert client.get(deleted_url).context["records"] == []


def test_a_restore_that_would_break_a_rule_is_refused(client, administrator, award):
    """Once the award's recipient is deleted too, the award cannot come back."""
    unit = award.recipient_unit
    award.delete()
    unit.delete()
    record = Award.history.get(history_type="-")
    client.force_login(administrator)
    response = in_english(client).post(
        reverse("admin:movement_award_restore", args=[record.history_id])
    )
    assert response.status_code == 302
    assert not Award.objects.exists()
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith("The deleted award could not be restored:")


def test_a_change_reason_reads_as_words():
    with translation.override("en"):
        assert audit.describe("import: a.xlsx") == "spreadsheet import: a.xlsx"
        assert audit.describe("form") == "admin form"
        assert audit.describe(None) == ""
        assert audit.describe("made by hand") == "made by hand"


def test_the_reason_is_cut_to_what_the_history_keeps():
    assert len(audit.reason(audit.Path.IMPORT, "x" * 300)) == audit.REASON_LENGTH


# -- Every audited model, walked through the admin ------------------------------------------

AUDITED = [model for model in every_model() if audit.is_audited(model)]


@pytest.fixture
def records(db) -> None:
    """The report's records, and what it holds none of: a work area and a staff profile."""
    call_command("load_report", stdout=io.StringIO())
    plan = WorkPlan.objects.first()
    WorkArea.objects.create(plan=plan, number=1, name="Công tác xây dựng lực lượng")
    member("unit editor", unit=plan.unit)
    # Records of kinds that all the report's records of point to, which can be deleted.
    Source.objects.create(title="Công văn", slug="cong-van", kind=Source.Kind.REPORT)
    AwardType.objects.create(
        name="Giấy khen", category=AwardType.Category.CERTIFICATE, for_individuals=True
    )
    binh = Person.objects.create(full_name="Trần Văn Bình", slug="tran-van-binh", unit=plan.unit)
    # A service record, of which the report states the ranks and postings only.
    PersonRating.objects.create(person=binh, year=2017, rating=Rating.GOOD)
    Initiative.objects.create(
        person=binh, title="Sáng kiến", level=Initiative.Level.GRASSROOTS, year=2017
    )
    Discipline.objects.create(person=binh, form=Discipline.Form.REPRIMAND)
    Inspection.objects.create(person=binh, kind=Inspection.Kind.COMPLAINT)
    UnitRating.objects.create(unit=plan.unit, year=2017, rating=Rating.EXCELLENT)
    # Two certificate layouts, a field on each, so that a field can move from one to the other.
    for award_type, field in zip(AwardType.objects.all(), ["recipient", "rank"], strict=False):
        layout = CertificateLayout.objects.create(award_type=award_type, place="Hà Nội")
        CertificateField.objects.create(layout=layout, name=field, x_mm=148, y_mm=108)
    # A decision, of which the report states none.
    Decision.objects.create(number="1234/QĐ-BCA", date=datetime.date(2017, 12, 20))
    # A unit's registration and a draft proposal (movement.models.cycle).
    Registration.objects.create(
        unit=plan.unit,
        year=2017,
        award_type=AwardType.objects.filter(for_collectives=True).first(),
        note="Đăng ký",
    )
    Proposal.objects.create(unit=plan.unit, year=2017, title="Đề nghị khen thưởng năm 2017")
    RegistrationPeriod.objects.create(
        year=2016, closes_on=datetime.date(2016, 3, 31), basis="Hướng dẫn của Cục"
    )


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def deletable(model: type[Model]) -> Model:
    """A record of ``model`` that nothing keeps from being deleted."""
    for record in model._default_manager.order_by("pk"):
        collector = NestedObjects(using="default")
        collector.collect([record])
        if not collector.protected:
            return record
    raise AssertionError(f"no {model.__name__} can be deleted: add one to the records fixture")


def posted(response: HttpResponse) -> dict[str, Any]:
    """What the admin page in ``response`` posts back unchanged: its form's values, and no rows
    in its inlines."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = "" if value is None else str(value)
    for inline in response.context.get("inline_admin_formsets", []):
        data[f"{inline.formset.prefix}-TOTAL_FORMS"] = "0"
        data[f"{inline.formset.prefix}-INITIAL_FORMS"] = "0"
    return data


def changed(response: HttpResponse, data: dict[str, Any]) -> tuple[str, str]:
    """A field of the form in ``response`` and another value for it than ``data``'s."""
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        # A text already written: an empty one may be one the record must leave empty.
        if type(field) is forms.CharField and not field.disabled and data[name]:
            return name, (data[name] + " (sửa)")[-(field.max_length or 100) :]
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and not field.disabled:
            other = field.queryset.exclude(pk=data[name] or None).first()
            if other is not None:
                return name, str(other.pk)
    raise AssertionError("nothing to change on the form")


def snapshot(record: Model) -> dict[str, Any]:
    return model_to_dict(record)


def messages(response: HttpResponse) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def assert_redirected(response: HttpResponse) -> None:
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, errors or response.status_code


@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model.__name__)
def test_every_audited_record_is_created_changed_reverted_deleted_and_restored(
    client, records, model
):
    administrator = User.objects.create_superuser("admin", password="x")
    client.force_login(administrator)
    original = deletable(model)
    data = posted(client.get(admin_url(model, "change", original.pk)))

    # Created through the add form, with the values of a record deleted first to make room.
    assert_redirected(client.post(admin_url(model, "delete", original.pk), {"post": "yes"}))
    assert_redirected(client.post(admin_url(model, "add"), data))
    record = model._default_manager.order_by("pk").last()
    first = snapshot(record)

    name, value = changed(client.get(admin_url(model, "change", record.pk)), data)
    assert_redirected(client.post(admin_url(model, "change", record.pk), {**data, name: value}))
    record.refresh_from_db()
    assert snapshot(record) != first

    versions = list(record.history.all())
    assert len(versions) >= 2
    assert client.get(admin_url(model, "history", record.pk)).status_code == 200
    for version in versions:
        page = client.get(admin_url(model, "simple_history", record.pk, version.history_id))
        assert page.status_code == 200, version
    earliest = client.get(admin_url(model, "simple_history", record.pk, versions[-1].history_id))
    url = admin_url(model, "simple_history", record.pk, versions[-1].history_id)
    assert_redirected(client.post(url, posted(earliest)))
    record.refresh_from_db()
    assert snapshot(record) == first

    assert_redirected(client.post(admin_url(model, "delete", record.pk), {"post": "yes"}))
    assert not model._default_manager.filter(pk=record.pk).exists()
    listed = client.get(admin_url(model, "deleted"))
    assert listed.status_code == 200
    [deletion] = [row for row, _path in listed.context["records"] if row.instance.pk == record.pk]
    response = client.post(admin_url(model, "restore", deletion.history_id))
    assert response.status_code == 302, response.status_code
    assert response.url == admin_url(model, "change", record.pk), messages(response)
    assert snapshot(model._default_manager.get(pk=record.pk)) == first


def test_a_restored_plan_brings_back_its_areas_and_tasks_with_their_units(
    client, administrator, department, division
):
    plan = WorkPlan.objects.create(unit=department, year=2017)
    area = WorkArea.objects.create(plan=plan, number=1, name="Xây dựng lực lượng")
    task = Task.objects.create(plan=plan, area=area, number=1, title="Tập huấn nghiệp vụ")
    task.assigned_units.set([division])
    task.coordinating_units.set([department])
    # Deleted on its own before the plan: it stays deleted when the plan comes back.
    Task.objects.create(plan=plan, number=2, title="Nhiệm vụ bỏ").delete()
    client.force_login(administrator)
    client.post(reverse("admin:movement_workplan_delete", args=[plan.pk]), {"post": "yes"})
    assert not Task.objects.exists()

    deletion = WorkPlan.history.get(history_type="-")
    response = in_english(client).post(
        reverse("admin:movement_workplan_restore", args=[deletion.history_id])
    )
    assert response.status_code == 302
    assert WorkPlan.objects.get(pk=plan.pk)
    assert list(WorkArea.objects.values_list("pk", "plan", "name")) == [
        (area.pk, plan.pk, "Xây dựng lực lượng")
    ]
    restored = Task.objects.get()
    assert (restored.pk, restored.area_id, restored.title) == (task.pk, area.pk, task.title)
    assert list(restored.assigned_units.all()) == [division]
    assert list(restored.coordinating_units.all()) == [department]
    assert restored.history.latest().history_change_reason == f"restore: #{deletion.history_id}"
    assert messages(response)[-1] == (
        f"{plan} was restored, with what was deleted with it: 1 work area, 1 task."
    )


def test_a_record_deleted_again_is_dated_by_its_second_deletion(award):
    award.delete()
    award.save()
    award.delete()
    first, second = Award.history.filter(history_type="-").order_by("history_id")
    assert second.history_date > first.history_date
