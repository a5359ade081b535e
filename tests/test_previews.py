"""A previewed upload waits, in its own table, until its uploader confirms or cancels it or it
expires, whatever other users do meanwhile; its rows are JSON that gives back every cell exactly;
a confirmation that can no longer be made says why, truthfully (movement.models.PendingImport and
movement.spreadsheets.previews)."""

import datetime
import importlib
import json
import math
from dataclasses import fields

import pytest
import tablib
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from movement.models import Award, PendingImport, Person, Unit
from movement.permissions import EMULATION_OFFICERS
from movement.spreadsheets import previews
from movement.spreadsheets.files import Sheet, SpreadsheetError
from movement.spreadsheets.previews import (
    cancel_upload,
    confirm_upload,
    keep_upload,
    preview_upload,
    sheet_from_json,
    sheet_to_json,
)
from movement.spreadsheets.resources import AwardResource, UnitResource
from tests.spreadsheets import xlsx

HEADERS = ["Năm", "Hình thức khen thưởng", "Hạng", "Đơn vị nhận", "Cá nhân nhận", "Số quyết định"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def officer(name: str) -> User:
    user = User.objects.create_user(name, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EMULATION_OFFICERS))
    return user


@pytest.fixture
def uploader(db) -> User:
    return officer("nguoi-tai-len")


@pytest.fixture
def colleague(db) -> User:
    return officer("dong-nghiep")


@pytest.fixture
def one_award(division, flag_type):
    """A file of one award, numbered ``number``."""

    def file(number: int) -> bytes:
        return xlsx([HEADERS, [2016, flag_type.name, "", division.name, "", f"{number}/QĐ"]])

    return file


# -- Rows as JSON ---------------------------------------------------------------------------

# Every type a reader gives a cell, with the values JSON or PostgreSQL's jsonb would change.
CELLS = [
    None,
    True,
    False,
    0,
    -1,
    2016,
    2**70,
    0.1,
    -0.0,
    1.0,
    1e20,
    5e-324,
    math.inf,
    -math.inf,
    math.nan,
    "",
    "Đặng Quang Hưng",
    "Thuỷ\u0301",
    "dòng một\r\ndòng hai\tcột",
    "=1+1",
    "{'float': '1.5'}",
    '{"date": "2016-01-01"}',
    "a\x00b",
    "😀 emoji",
    datetime.datetime(2016, 5, 19, 7, 30, 15, 123456),
    datetime.datetime(2016, 5, 19, 7, 30, tzinfo=datetime.UTC),
    datetime.datetime(1900, 1, 1),
    datetime.date(2016, 5, 19),
    datetime.date(1, 1, 1),
    datetime.time(0, 0),
    datetime.time(23, 59, 59, 999999),
    datetime.timedelta(days=2, seconds=3, microseconds=4),
    datetime.timedelta(seconds=-1),
]


def same(a, b) -> bool:
    """Equal and of one type; NaN equals NaN and -0.0 differs from 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, datetime.datetime | datetime.time):
        return a == b and a.tzinfo == b.tzinfo and a.fold == b.fold
    return a == b


def same_rows(a: tablib.Dataset, b: tablib.Dataset) -> bool:
    return all(
        all(same(x, y) for x, y in zip(row_a, row_b, strict=True))
        for row_a, row_b in zip(a, b, strict=True)
    )


def kept_and_read(sheet: Sheet) -> Sheet:
    """``sheet`` written to the database and read back, as a confirmation reads it."""
    pending = keep_upload(AwardResource(), sheet, file_name="x.xlsx")
    return sheet_from_json(PendingImport.objects.get(pk=pending.pk).sheet)


@pytest.mark.django_db
# Plain ASCII names: a test's id holding escapes (repr of "dòng một\r\n…") is not found again
# when mutmut names it to pytest (make mutate).
@pytest.mark.parametrize(
    "cell", CELLS, ids=[f"{number}-{type(cell).__name__}" for number, cell in enumerate(CELLS)]
)
def test_every_cell_comes_back_from_the_database_of_its_type_and_value(cell):
    dataset = tablib.Dataset((cell, "x"), headers=["A", "B"])
    dataset.row_numbers = [7]
    back = kept_and_read(Sheet(dataset, "CSV (UTF-8)")).dataset
    assert same(back[0][0], cell)


@pytest.mark.django_db
def test_every_field_of_the_sheet_comes_back():
    dataset = tablib.Dataset(*[(cell, i) for i, cell in enumerate(CELLS)], headers=["Ô", "Số"])
    dataset.row_numbers = [i + 3 for i in range(len(CELLS))]
    sheet = Sheet(dataset, "Excel (.xlsx)")
    back = kept_and_read(sheet)
    for item in fields(Sheet):
        kept, read = getattr(sheet, item.name), getattr(back, item.name)
        if isinstance(kept, tablib.Dataset):
            assert read.headers == kept.headers
            assert read.row_numbers == kept.row_numbers
            assert same_rows(read, kept)
        else:
            assert read == kept


any_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.times(timezones=st.one_of(st.none(), st.timezones())),
    st.timedeltas(),
)


@given(rows=st.lists(st.tuples(any_cell, any_cell), max_size=5))
def test_any_cells_come_back_identical_from_json(rows):
    dataset = tablib.Dataset(*rows, headers=["A", "B"])
    dataset.row_numbers = list(range(2, len(rows) + 2))
    # Through text, as the database holds it.
    back = sheet_from_json(json.loads(json.dumps(sheet_to_json(Sheet(dataset, "CSV")))))
    assert back.dataset.row_numbers == dataset.row_numbers
    assert same_rows(back.dataset, dataset)


def test_what_json_cannot_give_back_is_refused_when_kept_not_when_read():
    with pytest.raises(TypeError, match="cannot be kept"):
        sheet_to_json(Sheet(tablib.Dataset(), kind=object()))


# -- Waiting --------------------------------------------------------------------------------


def test_a_preview_waits_whatever_other_users_preview_meanwhile(uploader, colleague, one_award):
    """Once, 520 previews of others evicted 3 of 10 earlier ones from a cache of 500."""
    mine = [preview_upload(AwardResource(), one_award(n), user=uploader).upload for n in range(10)]
    for n in range(520):
        assert preview_upload(AwardResource(), one_award(1000 + n), user=colleague).upload
    for upload in mine:
        assert confirm_upload(AwardResource(), upload, user=uploader).written
    assert Award.objects.count() == 10


def test_a_preview_waits_until_its_expiry_and_not_after(uploader, one_award, settings):
    settings.IMPORT_PREVIEW_HOURS = 24
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    pending = PendingImport.objects.get(key=report.upload)
    assert pending.expires_at - pending.uploaded_at == datetime.timedelta(hours=24)
    assert report.expires_at == pending.expires_at

    PendingImport.objects.filter(pk=pending.pk).update(
        expires_at=timezone.make_aware(datetime.datetime(2026, 11, 30, 9, 5))
    )
    with pytest.raises(SpreadsheetError) as refusal:
        confirm_upload(AwardResource(), report.upload, user=uploader)
    assert str(refusal.value) == (
        "This preview expired at 09:05 on 30/11/2026: a preview is kept 24 hours. "
        "Upload the file again."
    )
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.EXPIRED and pending.sheet is None
    assert not Award.objects.exists()


def test_a_preview_imported_already_says_by_whom_and_when(uploader, one_award):
    uploader.first_name, uploader.last_name = "Lan", "Trần Thị"
    uploader.save()
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    assert confirm_upload(AwardResource(), report.upload, user=uploader).written
    pending = PendingImport.objects.get(key=report.upload)
    finished = timezone.localtime(pending.finished_at)
    with pytest.raises(SpreadsheetError) as refusal:
        confirm_upload(AwardResource(), report.upload, user=uploader)
    assert str(refusal.value) == (
        f"This file was already imported by Lan Trần Thị (nguoi-tai-len) at "
        f"{finished:%H:%M} on {finished:%d/%m/%Y}."
    )
    assert Award.objects.count() == 1


def test_a_cancelled_preview_cannot_be_confirmed(uploader, one_award):
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    cancel_upload(AwardResource(), report.upload, user=uploader)
    pending = PendingImport.objects.get(key=report.upload)
    assert pending.state == PendingImport.State.CANCELLED and pending.sheet is None
    assert pending.finished_by == uploader
    with pytest.raises(SpreadsheetError, match="cancelled by nguoi-tai-len at"):
        confirm_upload(AwardResource(), report.upload, user=uploader)
    assert not Award.objects.exists()


def test_only_the_uploader_or_a_superuser_ends_a_preview(
    uploader, colleague, admin_user, one_award
):
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    for end in (confirm_upload, cancel_upload):
        with pytest.raises(SpreadsheetError, match="Only nguoi-tai-len, who uploaded this file"):
            end(AwardResource(), report.upload, user=colleague)
        with pytest.raises(SpreadsheetError, match="Only nguoi-tai-len"):
            end(AwardResource(), report.upload)  # a script
    assert PendingImport.objects.get(key=report.upload).state == PendingImport.State.WAITING
    assert confirm_upload(AwardResource(), report.upload, user=admin_user).written
    pending = PendingImport.objects.get(key=report.upload)
    assert (pending.state, pending.finished_by) == (PendingImport.State.IMPORTED, admin_user)


def test_a_second_click_on_confirm_imports_nothing_twice(uploader, one_award, monkeypatch):
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    # The second request found the preview waiting, just before the first one imported it.
    waiting = previews.pending_upload(AwardResource(), report.upload, user=uploader, with_rows=True)
    assert confirm_upload(AwardResource(), report.upload, user=uploader).written
    monkeypatch.setattr(previews, "pending_upload", lambda *args, **kwargs: waiting)
    with pytest.raises(SpreadsheetError, match="already imported by nguoi-tai-len"):
        confirm_upload(AwardResource(), report.upload, user=uploader)
    assert Award.objects.count() == 1


def test_a_preview_is_confirmed_with_the_resource_that_read_it(uploader, one_award):
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    with pytest.raises(SpreadsheetError, match="This preview is of a list of awards"):
        confirm_upload(UnitResource(), report.upload, user=uploader)


def test_an_unknown_preview_is_refused(uploader):
    for upload in ("0" * 32, "not-a-key", ""):
        with pytest.raises(SpreadsheetError, match="This preview is not kept"):
            confirm_upload(AwardResource(), upload, user=uploader)


def test_a_confirmation_that_writes_nothing_leaves_the_preview_waiting(
    uploader, one_award, division, flag_type
):
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    # Meanwhile someone records the same award.
    assert confirm_upload(
        AwardResource(), preview_upload(AwardResource(), one_award(1)).upload
    ).written
    refused = confirm_upload(AwardResource(), report.upload, user=uploader)
    assert not refused.written
    # Said as such: the row the preview showed as new is now the award recorded meanwhile.
    (problem,) = refused.problems
    assert problem.message.startswith(
        "The preview showed this row as a new record, but the records have changed since "
        "(someone else recorded or edited them): it would now be unchanged."
    )
    pending = PendingImport.objects.get(key=report.upload)
    assert pending.state == PendingImport.State.WAITING and pending.sheet is not None


# -- Clean-up -------------------------------------------------------------------------------


def test_purge_deletes_what_ended_more_than_the_days_ago(uploader, one_award):
    def previewed() -> PendingImport:
        report = preview_upload(
            AwardResource(), one_award(PendingImport.objects.count()), user=uploader
        )
        return PendingImport.objects.get(key=report.upload)

    now = timezone.now()
    waiting, fresh_expiry = previewed(), previewed()
    imported, cancelled, expired_long_ago = previewed(), previewed(), previewed()
    confirm_upload(AwardResource(), imported.key.hex, user=uploader)
    cancel_upload(AwardResource(), cancelled.key.hex, user=uploader)
    recently_cancelled = previewed()
    cancel_upload(AwardResource(), recently_cancelled.key.hex, user=uploader)
    long_ago = now - datetime.timedelta(days=31)
    PendingImport.objects.filter(pk__in=[imported.pk, cancelled.pk]).update(finished_at=long_ago)
    PendingImport.objects.filter(pk=expired_long_ago.pk).update(expires_at=long_ago)
    PendingImport.objects.filter(pk=fresh_expiry.pk).update(expires_at=now)

    call_command("purge_imports", "--days", "30")

    kept = dict(PendingImport.objects.values_list("pk", "state"))
    assert kept == {
        waiting.pk: PendingImport.State.WAITING,
        fresh_expiry.pk: PendingImport.State.EXPIRED,
        recently_cancelled.pk: PendingImport.State.CANCELLED,
    }
    assert PendingImport.objects.get(pk=fresh_expiry.pk).sheet is None


def test_a_preview_kept_before_the_resources_moved_is_confirmed_after(uploader, one_award):
    """PendingImport.resource stores a dotted path: migration 0016 moves it with the module."""
    report = preview_upload(AwardResource(), one_award(1), user=uploader)
    PendingImport.objects.update(resource="movement.resources.AwardResource")

    moved = importlib.import_module("movement.migrations.0016_package_resource_paths")
    moved.rename(moved.OLD, moved.NEW)(apps, connection.schema_editor())

    assert PendingImport.objects.get().resource == "movement.spreadsheets.resources.AwardResource"
    assert confirm_upload(AwardResource(), report.upload, user=uploader).written
    assert Award.objects.count() == 1


# -- Records saved between preview and confirmation -----------------------------------------


@pytest.fixture
def noted_award(division, flag_type):
    """A file of one award with a note (and no version column), and the award it records."""

    def file(note: str) -> bytes:
        row = [2016, flag_type.name, "", division.name, "", "1/QĐ", note]
        return xlsx([[*HEADERS, "Ghi chú"], row])

    assert confirm_upload(AwardResource(), preview_upload(AwardResource(), file("a")).upload)
    return file, Award.objects.get()


def test_an_award_saved_between_preview_and_confirmation_refuses_the_import(
    uploader, colleague, noted_award
):
    file, award = noted_award
    previewed = preview_upload(AwardResource(), file("b"), user=uploader)
    assert [row.action for row in previewed.rows] == ["update"]
    award.note = "c"
    award._history_user = colleague
    award.save()

    report = confirm_upload(AwardResource(), previewed.upload, user=uploader)
    # The row is still an update, but of a record edited since the preview read it.
    assert not report.written
    assert [problem.row for problem in report.problems] == [2]
    assert "saved or deleted by someone else" in report.problems[0].message
    assert "dong-nghiep" in report.problems[0].message
    award.refresh_from_db()
    assert award.note == "c"
    assert PendingImport.objects.get(key=previewed.upload).state == PendingImport.State.WAITING


def test_an_award_not_saved_since_the_preview_is_updated(uploader, noted_award):
    file, award = noted_award
    report = preview_upload(AwardResource(), file("b"), user=uploader)
    assert confirm_upload(AwardResource(), report.upload, user=uploader).written
    award.refresh_from_db()
    assert (award.note, award.version) == ("b", 2)


def test_a_preview_kept_without_versions_is_confirmed_as_before(uploader, noted_award):
    file, award = noted_award
    report = preview_upload(AwardResource(), file("b"), user=uploader)
    PendingImport.objects.filter(key=report.upload).update(versions=[])
    assert confirm_upload(AwardResource(), report.upload, user=uploader).written
    award.refresh_from_db()
    assert award.note == "b"


def refusals(report) -> list[tuple[int, str]]:
    return [(problem.row, problem.column) for problem in report.problems]


def test_a_name_that_reads_as_another_person_since_the_preview_refuses_the_import(
    uploader, awards_file, person
):
    previewed = preview_upload(AwardResource(), xlsx(awards_file), user=uploader)
    # Meanwhile the person the preview showed on row 3 is renamed, and a namesake recorded: the
    # row is still a new award, but it would now go to someone the preview never showed.
    person.full_name = "Nguyễn Văn Khải"
    person.save()
    namesake = Person.objects.create(
        full_name="Nguyễn Văn Khảo", slug="nguyen-van-khao-moi", unit=person.unit
    )

    report = confirm_upload(AwardResource(), previewed.upload, user=uploader)
    assert not report.written
    assert refusals(report) == [(3, "Cá nhân nhận")]
    assert report.problems[0].message.startswith(
        "The preview read this cell as another record than it reads as now (Nguyễn Văn Khảo ("
    )
    assert "nguyen-van-khao-moi)" in report.problems[0].message
    assert not Award.objects.exists()
    assert PendingImport.objects.get(key=previewed.upload).state == PendingImport.State.WAITING
    # Uploaded again, the file shows the namesake, and imports as shown.
    again = preview_upload(AwardResource(), xlsx(awards_file), user=uploader)
    assert confirm_upload(AwardResource(), again.upload, user=uploader).written
    assert Award.objects.get(recipient_person__isnull=False).recipient_person == namesake


def test_a_unit_renamed_and_replaced_since_the_preview_refuses_the_import(
    uploader, awards_file, division
):
    previewed = preview_upload(AwardResource(), xlsx(awards_file), user=uploader)
    division.name = "Phòng Tham mưu (cũ)"
    division.save()
    Unit.objects.create(
        name="Phòng Tham mưu",
        slug="phong-tham-muu-moi",
        kind=Unit.Kind.DIVISION,
        parent=division.parent,
    )

    report = confirm_upload(AwardResource(), previewed.upload, user=uploader)
    assert not report.written
    assert refusals(report) == [(2, "Đơn vị nhận"), (4, "Đơn vị nhận")]
    assert "phong-tham-muu-moi" in report.problems[0].message
    assert not Award.objects.exists()


def test_a_name_read_as_the_same_record_after_an_edit_of_it_is_imported(
    uploader, awards_file, person
):
    previewed = preview_upload(AwardResource(), xlsx(awards_file), user=uploader)
    # An edit that leaves the name reading as the same person changes nothing for the file.
    person.position = "Phó Cục trưởng"
    person.save()
    assert confirm_upload(AwardResource(), previewed.upload, user=uploader).written
    assert Award.objects.get(recipient_person__isnull=False).recipient_person == person


def test_a_preview_kept_without_its_records_is_confirmed_as_before(uploader, awards_file):
    previewed = preview_upload(AwardResource(), xlsx(awards_file), user=uploader)
    kept = PendingImport.objects.get(key=previewed.upload)
    assert len(kept.records) == 3 and all(";" in records for records in kept.records)
    PendingImport.objects.filter(pk=kept.pk).update(records=[])
    assert confirm_upload(AwardResource(), previewed.upload, user=uploader).written
    assert Award.objects.count() == 3
