"""Importing spreadsheets: names matched, every refusal says where and why, nothing is written
unless every row is good, in as many queries for many rows as for few, and a preview confirmed
as it was shown. Reading the file is in tests/test_files.py, reading its table in
tests/test_tables.py; the files are built by the tests themselves (tests/spreadsheets.py)."""

import datetime
import gc
import html
import io
import math
import unicodedata
import weakref
from collections import Counter

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from movement.models import Award, PendingImport, Person, Rank, Unit, YearTally
from movement.spreadsheets.files import SpreadsheetError
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.previews import confirm_upload, preview_upload
from movement.spreadsheets.resources import AwardResource, RankResource, UnitResource
from movement.tasks import fold_tallies
from tests.factories import award_row, in_english
from tests.spreadsheets import (
    HEADERS,
    awards,
    confirm,
    dict_csv,
    meanwhile,
    preview,
    problems,
    upload,
    xlsx,
    zip_bomb,
)

# Messages are checked in English (tests/conftest.py: english).
pytestmark = pytest.mark.usefixtures("english")


# -- Names ----------------------------------------------------------------------------------


def test_names_match_in_nfd_and_any_case_and_spacing(awards_file, person, division):
    rows = [
        [unicodedata.normalize("NFD", str(cell)).upper().replace(" ", "  ") for cell in row]
        for row in awards_file[1:]
    ]
    report = confirm(xlsx([awards_file[0], *rows]))
    assert report.problems == []
    assert {award.recipient_person for award in Award.objects.all()} == {person, None}
    assert {award.recipient_unit for award in Award.objects.all()} == {division, None}


def test_an_unknown_name_is_refused_with_its_row_column_and_the_names_close_to_it(awards_file):
    awards_file[2][4] = "Nguyễn Văn Khả"
    report = preview(xlsx(awards_file))
    assert problems(report) == [
        (
            3,
            "Cá nhân nhận",
            "No person is named “Nguyễn Văn Khả”. "
            "Close names: “Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)”.",
        )
    ]
    assert (report.new, report.invalid) == (2, 1)


def test_namesakes_are_told_apart_by_their_unit(awards_file, person, division, order_type):
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=division)
    awards_file[2][4] = person.full_name
    report = preview(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (3, "Cá nhân nhận")
    assert "nguyen-van-khao" in message and "khao-2" in message
    assert "Nguyễn Văn Khảo (Phòng Tham mưu, khao-2)" in message

    awards_file[2][4] = "Nguyễn Văn Khảo (phong tham muu)"
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == namesake


def test_a_unit_name_every_province_has_picks_the_namesake_only_when_one_matches(
    awards_file, person, division, ministry
):
    # Two provinces, each with its own "Phòng Tham mưu"; the name is written with that unit.
    province = Unit.objects.create(
        name="Công an tỉnh Hà Giang", slug="ca-ha-giang", parent=ministry
    )
    other = Unit.objects.create(name="Phòng Tham mưu", slug="pv01-ha-giang", parent=province)
    here = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=division)
    awards_file[2][4] = "Nguyễn Văn Khảo (Phòng Tham mưu)"
    # A recipient unit written by a name two units share is refused; by its code it is not.
    awards_file[1][3] = awards_file[3][3] = division.slug
    assert problems(preview(xlsx(awards_file))) == []
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == here

    Award.objects.all().delete()
    there = Person.objects.create(full_name=person.full_name, slug="khao-3", unit=other)
    [(row, column, message)] = problems(preview(xlsx(awards_file)))
    assert (row, column) == (3, "Cá nhân nhận")
    assert "khao-2" in message and "khao-3" in message
    awards_file[2][4] = there.slug
    assert confirm(xlsx(awards_file)).written
    assert Award.objects.get(decision_number="2/QĐ").recipient_person == there


@pytest.fixture
def soc_son(ministry, flag_type, order_type):
    """A district, and two officers of it whose names others misspell by a mark."""
    hanoi = Unit.objects.create(
        name="Công an thành phố Hà Nội", slug="ca-ha-noi", kind="provincial_police", parent=ministry
    )
    district = Unit.objects.create(
        name="Công an huyện Sóc Sơn", slug="ca-soc-son", kind="district_police", parent=hanoi
    )
    Person.objects.create(full_name="Đặng Quang Hùng", slug="dang-quang-hung", unit=district)
    Person.objects.create(full_name="Lê Thu Hà", slug="le-thu-ha", unit=district)
    return district


def recipients(order_type, *cells: tuple[str, str]) -> list[list]:
    """A file of awards of ``order_type``, one a row, to the (unit, person) of each of ``cells``."""
    return [
        HEADERS,
        *(
            [2016, order_type.name, "hạng Ba", unit, person, f"{number}/QĐ"]
            for number, (unit, person) in enumerate(cells, start=1)
        ),
    ]


@pytest.mark.parametrize(
    ("unit", "person", "column", "close"),
    [
        ("", "Đặng Quang Hưng", "Cá nhân nhận", "Đặng Quang Hùng (Công an huyện Sóc Sơn)"),
        ("", "Lê Thu Hạ", "Cá nhân nhận", "Lê Thu Hà (Công an huyện Sóc Sơn)"),
        ("", "Lê Thư Hà", "Cá nhân nhận", "Lê Thu Hà (Công an huyện Sóc Sơn)"),
        (
            "Công an huyện Sọc Sơn",
            "",
            "Đơn vị nhận",
            "Công an huyện Sóc Sơn (Công an thành phố Hà Nội)",
        ),
    ],
)
def test_a_name_with_other_tone_marks_is_refused_naming_the_record_it_was_taken_for(
    soc_son, order_type, unit, person, column, close
):
    # Each of these was imported onto the record named with other marks, and previewed as new.
    report = preview(xlsx(recipients(order_type, (unit, person))))
    [(row, where, message)] = problems(report)
    assert (row, where, report.new, report.invalid) == (2, column, 0, 1)
    assert message.endswith(f"Close names: “{close}”.")
    assert not confirm(xlsx(recipients(order_type, (unit, person)))).written
    assert not Award.objects.exists()


def test_a_name_typed_without_marks_matches_the_one_person_and_the_preview_marks_it(
    soc_son, order_type
):
    hung = Person.objects.get(slug="dang-quang-hung")
    file = xlsx(recipients(order_type, ("", "dang quang hung"), ("", "Đặng Quang Hùng")))
    report = preview(file)
    assert report.problems == [] and report.new == 2
    bare, exact = (row.matches[HEADERS.index("Cá nhân nhận")] for row in report.rows)
    assert [(match.name, match.unit, match.code) for match in bare + exact] == 2 * [
        ("Đặng Quang Hùng", "Công an huyện Sóc Sơn", "dang-quang-hung")
    ]
    assert [match.without_marks for match in bare + exact] == [True, False]
    assert [row.without_marks for row in report.rows] == [1, 0]
    assert any("1 cell names a record without the marks" in warning for warning in report.warnings)
    assert confirm(file).written
    assert {award.recipient_person for award in Award.objects.all()} == {hung}


def test_a_name_typed_without_marks_that_fits_two_people_is_refused(soc_son, order_type):
    Person.objects.create(full_name="Đặng Quang Hưng", slug="dang-quang-hung-2", unit=soc_son)
    report = preview(xlsx(recipients(order_type, ("", "dang quang hung"))))
    [(row, column, message)] = problems(report)
    assert (row, column) == (2, "Cá nhân nhận")
    assert "could be any of these people" in message
    assert "dang-quang-hung," not in message  # each is named with their unit and code
    assert "Đặng Quang Hùng (Công an huyện Sóc Sơn, dang-quang-hung)" in message
    assert "Đặng Quang Hưng (Công an huyện Sóc Sơn, dang-quang-hung-2)" in message


def test_spellings_of_the_same_name_match_it(soc_son, order_type):
    Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy", unit=soc_son)
    cells = [
        ("", "\u00d0ặng Quang Hùng"),  # Ð, an eth, for Đ
        ("", unicodedata.normalize("NFD", "LÊ THU HÀ")),
        ("", "Nguyễn Thị Thuỷ"),  # the old tone placement
        ("công an huyện sóc sơn", ""),
    ]
    report = confirm(xlsx(recipients(order_type, *cells)))
    assert report.problems == [] and report.written
    assert [award[2:4] for award in awards()] == [
        (None, "dang-quang-hung"),
        (None, "le-thu-ha"),
        (None, "thuy"),
        ("ca-soc-son", None),
    ]
    assert not any(row.without_marks for row in report.rows)


def test_the_preview_page_shows_what_each_name_was_read_as(admin_client, soc_son, order_type):
    file = xlsx(recipients(order_type, ("", "dang quang hung"), ("Công an huyện Sóc Sơn", "")))
    response = upload(admin_client, "award", file)
    page = response.content.decode()
    assert response.context["confirm_form"] is not None
    assert "→ Đặng Quang Hùng · Công an huyện Sóc Sơn · <code>dang-quang-hung</code>" in page
    assert "→ Công an huyện Sóc Sơn · Công an thành phố Hà Nội · <code>ca-soc-son</code>" in page
    assert page.count("khớp không dấu — kiểm tra lại") == 2  # the cell, and the warning
    assert "Có 1 ô ghi tên không dấu" in page
    assert "→ Huân chương Bảo vệ Tổ quốc hạng Ba" in page


def test_the_preview_page_refuses_a_name_with_other_marks_in_vietnamese(
    admin_client, soc_son, order_type
):
    response = upload(admin_client, "award", xlsx(recipients(order_type, ("", "Đặng Quang Hưng"))))
    page = response.content.decode()
    assert response.context["confirm_form"] is None
    assert (
        "Không có cán bộ nào tên “Đặng Quang Hưng”. "
        "Tên gần giống: “Đặng Quang Hùng (Công an huyện Sóc Sơn)”."
    ) in html.unescape(page)


# -- All or nothing -------------------------------------------------------------------------


def test_a_refused_row_means_nothing_is_written_and_the_preview_says_so(awards_file):
    awards_file[3][3] = "Phòng Không Có"
    report = confirm(xlsx(awards_file))
    assert not report.written
    assert (report.new, report.invalid) == (2, 1)
    assert [(row, column) for row, column, _message in problems(report)] == [(4, "Đơn vị nhận")]
    assert not Award.objects.exists()


def test_a_required_cell_left_empty_is_refused_in_its_column(ministry):
    # The widget reads an empty cell as nothing; the model's own field check refuses it.
    row = {"Tên đầy đủ": "Đội Một", "Đơn vị cấp trên": ministry.name, "Loại đơn vị": ""}
    report = import_file(UnitResource(), dict_csv(row), dry_run=True)
    assert problems(report) == [(2, "Loại đơn vị", "This field cannot be blank.")]
    assert (report.new, report.invalid) == (0, 1)


def test_a_row_clashing_with_a_stored_records_unique_field_is_refused_before_writing(db):
    # Rows imported one by one (not in bulk) are checked for uniqueness as a model form would:
    # a new rank with the most senior rank's seniority is refused, not left to the database.
    row = {"Cấp bậc hàm": "Cấp bậc mới", "Thứ tự": "1", "Cấp": "general officer"}
    report = import_file(RankResource(), dict_csv(row), dry_run=False)
    assert problems(report) == [(2, "Thứ tự", "Rank with this Seniority already exists.")]
    assert not report.written and not Rank.objects.filter(name="Cấp bậc mới").exists()


def test_a_row_the_model_refuses_is_a_problem_of_the_whole_row(awards_file, person):
    awards_file[1][4] = person.full_name  # a unit and a person: two recipients
    report = preview(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (2, "")
    assert message.startswith("An award has exactly one recipient: a unit, a person, or")


def test_two_rows_of_one_file_for_the_same_award_are_refused(awards_file):
    awards_file.append(list(awards_file[1]))
    report = confirm(xlsx(awards_file))
    [(row, column, message)] = problems(report)
    assert (row, column) == (5, "")
    # The fields of the award's natural key, each named.
    assert message == (
        "Row 2 of this file has the same award type, emulation year, recipient unit, "
        "decision number."
    )
    # The refused row is counted as refused, not also as new, and its row result says why.
    assert (report.new, report.invalid) == (3, 1)
    [refused] = [row for row in report.result.rows if row.import_type == "invalid"]
    assert refused.validation_error.messages == [message]
    assert not Award.objects.exists()


def test_an_award_recorded_by_someone_else_while_the_import_writes_refuses_it_whole(
    awards_file, division, flag_type, monkeypatch
):
    # The rows were checked against the stored awards; the same award is recorded by another
    # user before they are written. The database refuses the write: so does the import, in
    # words, and nothing of the file is kept.
    meanwhile(
        monkeypatch,
        lambda: Award.objects.create(
            award_type=flag_type, year=2016, recipient_unit=division, decision_number="1/QĐ"
        ),
    )
    report = confirm(xlsx(awards_file))
    assert not report.written
    assert report.errors == [
        "Another user changed records this file writes or names while it was being imported. "
        "Nothing was imported: import the file again to check its rows against the records "
        "as they are now."
    ]
    assert not Award.objects.exists()


def test_a_row_for_an_award_already_recorded_finds_it_and_changes_nothing(awards_file):
    # The rows have no key: each is found by its type, year, recipient and decision number.
    assert confirm(xlsx(awards_file)).written
    before = awards()
    report = confirm(xlsx(awards_file))
    assert problems(report) == []
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert awards() == before


def test_two_rows_changing_one_record_are_refused_naming_the_first(awards_file):
    assert confirm(xlsx(awards_file)).written
    exported = AwardResource().export(force_native_type=True)
    rows = [exported.headers, *[list(row) for row in exported]]
    note = exported.headers.index("Ghi chú")
    rows[1][note] = "Sửa lần một"
    rows.append([*rows[1][:note], "Sửa lần hai", *rows[1][note + 1 :]])
    before = awards()

    report = confirm(xlsx(rows))
    assert problems(report) == [(5, "", "Row 2 of this file has the same key.")]
    assert (report.updated, report.unchanged, report.invalid) == (1, 2, 1)
    assert not report.written and awards() == before
    assert not Award.objects.filter(note__startswith="Sửa").exists()


def test_rows_already_recorded_are_found_however_many_queries_it_takes(awards_file, monkeypatch):
    assert confirm(xlsx(awards_file)).written
    monkeypatch.setattr("movement.spreadsheets.uniqueness.KEYS_PER_QUERY", 1)
    monkeypatch.setattr("movement.spreadsheets.rows.KEYS_PER_QUERY", 1)
    report = confirm(xlsx(awards_file))
    assert problems(report) == []
    assert report.unchanged == 3 and Award.objects.count() == 3


def test_cells_equal_in_python_but_of_different_types_are_each_read_as_written(division, flag_type):
    # 1 == True in Python; in a file, TRUE and 1 are two decision numbers.
    Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="1"
    )
    row = [2016, flag_type.name, "", division.name, ""]
    report = confirm(xlsx([HEADERS, [*row, True], [*row, 1]]))
    assert problems(report) == []
    assert (report.new, report.unchanged) == (1, 1)


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(awards_file):
    rows = [awards_file[0], [], awards_file[1], [None, "", " "], awards_file[2]]
    rows[4] = [*awards_file[2][:3], "Không có", *awards_file[2][4:]]
    report = preview(xlsx(rows))
    assert [row for row, _column, _message in problems(report)] == [5]


def test_importing_an_export_again_changes_nothing_and_an_edit_is_an_update(awards_file):
    assert confirm(xlsx(awards_file)).written
    exported = AwardResource().export(force_native_type=True)
    exported_rows = [exported.headers, *[list(row) for row in exported]]
    report = confirm(xlsx(exported_rows))
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)

    note = exported.headers.index("Ghi chú")
    exported_rows[1][note] = "Đã sửa"
    report = confirm(xlsx(exported_rows))
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    assert [row.changed for row in report.rows if row.action == "update"] == [("Ghi chú",)]
    assert Award.objects.filter(note="Đã sửa").count() == 1


def test_a_cell_emptied_in_an_export_clears_what_it_held(awards_file):
    assert confirm(xlsx(awards_file)).written
    Award.objects.update(decision_date=datetime.date(2017, 1, 5))
    exported = AwardResource().export(force_native_type=True)
    rows = [exported.headers, *[list(row) for row in exported]]
    rows[1][exported.headers.index("Ngày quyết định")] = ""
    report = confirm(xlsx(rows))
    assert (report.updated, report.unchanged) == (1, 2)
    assert Award.objects.filter(decision_date=None).count() == 1


def test_a_row_with_its_code_cell_left_empty_gets_a_code_made_from_its_name(ministry):
    row = {"Mã": "", "Tên đầy đủ": "Đội Một", "Đơn vị cấp trên": ministry.name}
    report = import_file(
        UnitResource(), dict_csv({**row, "Loại đơn vị": "division"}), dry_run=False
    )
    assert (report.new, report.problems) == (1, [])
    assert Unit.objects.get(name="Đội Một").slug == "doi-mot"


# -- Cost -----------------------------------------------------------------------------------


def many_awards(count: int, order_type, division, person, year: int = 2016) -> bytes:
    """``count`` new awards, to a unit, to a person written with their unit, to a group."""
    recipients = [
        (division.name, "", ""),
        ("", f"{person.full_name} ({person.unit.name})", ""),
        ("", "", "3 tập thể"),
    ]
    rows = [[*HEADERS, "Số tập thể/cá nhân (chưa nêu tên)", "Ngày quyết định"]]
    for number in range(count):
        unit, recipient, group = recipients[number % len(recipients)]
        rows.append(
            [year, order_type.name, "hạng Ba", unit, recipient, f"{number}/QĐ", group, "15/01/2017"]
        )
    return xlsx(rows)


def statements(data: bytes, *, dry_run: bool) -> Counter[str]:
    """The statements an import of ``data`` runs, by kind (SELECT, INSERT, SAVEPOINT…)."""
    with CaptureQueriesContext(connection) as captured:
        report = import_file(AwardResource(), data, dry_run=dry_run)
    assert report.ok and report.written is not dry_run
    return Counter(query["sql"].split(None, 1)[0].upper() for query in captured)


def test_a_preview_runs_as_many_queries_for_60_rows_as_for_20(order_type, division, person):
    few = statements(many_awards(20, order_type, division, person), dry_run=True)
    many = statements(many_awards(60, order_type, division, person), dry_run=True)
    assert many == few


def test_an_import_runs_as_many_queries_for_60_rows_as_for_20(order_type, division, person):
    few = statements(many_awards(20, order_type, division, person), dry_run=False)
    many = statements(many_awards(60, order_type, division, person, year=2017), dry_run=False)
    assert Award.objects.count() == Award.history.count() == 80
    # SQLite takes at most 999 values a statement: it inserts the awards, and their history, a
    # few dozen rows at a time. Every other statement is the same for 60 rows as for 20.
    inserts = many.pop("INSERT") - few.pop("INSERT")
    assert many == few
    limit = connection.features.max_query_params
    assert inserts == 0 if limit is None else inserts <= 2 * math.ceil(60 * 30 / limit)


def test_the_preview_page_lists_each_refused_row_with_its_column_in_vietnamese(
    admin_client, awards_file
):
    awards_file[3][3] = "Phòng Không Có"
    response = upload(admin_client, "award", xlsx(awards_file))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["confirm_form"] is None
    assert "Phòng Không Có" in page and "Đơn vị nhận" in page
    assert '<td class="number">4</td>' in page
    assert not Award.objects.exists()


def test_the_preview_shows_each_updated_row_beside_the_record_it_updates(
    admin_client, division, flag_type
):
    award = Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)
    data = dict_csv(
        {**award_row(division, 2017), "Mã": str(award.key), "Ghi chú": "Cập nhật"},
        {**award_row(division, 2018), "Mã": "", "Ghi chú": ""},
    )
    response = upload(admin_client, "award", data, name="khen-thuong.csv")
    preview = response.context["preview"]
    assert [row["record"] for row in preview["update"]] == [award]
    page = response.content.decode()
    new_rows, updated_rows = page.split('<table class="import-preview">')[1:]
    assert 'class="record"' not in new_rows
    link = reverse("admin:movement_award_change", args=[award.pk])
    assert f'<td class="record"><a href="{link}">{html.escape(str(award))}</a></td>' in updated_rows
    # Long cells wrap in their column.
    assert '<div class="cell">Cập nhật</div>' in page


def test_the_upload_waits_in_the_database_until_confirmed(admin_client, awards_file):
    response = upload(admin_client, "award", xlsx(awards_file))
    confirm_form = response.context["confirm_form"]
    kept = PendingImport.objects.get(key=confirm_form.initial["import_file_name"])
    assert kept.state == PendingImport.State.WAITING and kept.sheet is not None
    assert not Award.objects.exists()

    response = admin_client.post(
        reverse("admin:movement_award_process_import"), confirm_form.initial
    )
    assert response.status_code == 302
    assert Award.objects.count() == 3
    kept.refresh_from_db()
    assert kept.state == PendingImport.State.IMPORTED and kept.sheet is None


def test_a_confirmed_import_of_awards_has_the_worker_fold_the_tallies(
    admin_client, awards_file, division, order_type, django_capture_on_commit_callbacks
):
    Award.objects.create(award_type=order_type, year=2017, recipient_unit=division)
    response = upload(admin_client, "award", xlsx(awards_file))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:movement_award_process_import"), response.context["confirm_form"].initial
        )
    # The year's tally has a row from the award above and one from the import's statement.
    assert YearTally.objects.filter(year=2017).count() == 2
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "movement.tasks.fold_tallies"
    fold_tallies.call()
    assert list(YearTally.objects.filter(year=2017).values_list("awards", flat=True)) == [2]


def test_a_confirmation_that_no_longer_holds_writes_nothing(admin_client, awards_file, person):
    response = upload(admin_client, "award", xlsx(awards_file))
    confirm_form = response.context["confirm_form"]
    # Between the preview and the confirmation, someone deletes a recipient the file names.
    person.delete()
    before = awards()

    response = admin_client.post(
        reverse("admin:movement_award_process_import"), confirm_form.initial
    )
    assert response.status_code == 200
    assert response.context["report"].problems
    assert awards() == before


def test_the_admin_refuses_a_confirmation_whose_names_now_read_as_other_records(
    admin_client, awards_file, person
):
    response = upload(admin_client, "award", xlsx(awards_file))
    confirm_form = response.context["confirm_form"]
    # Between the preview and the confirmation the person is renamed and a namesake recorded.
    person.full_name = "Nguyễn Văn Khải"
    person.save()
    Person.objects.create(full_name="Nguyễn Văn Khảo", slug="nguyen-van-khao-moi", unit=person.unit)

    with translation.override("vi"):
        response = admin_client.post(
            reverse("admin:movement_award_process_import"), confirm_form.initial
        )
    assert response.status_code == 200
    [problem] = response.context["report"].problems
    assert (problem.row, problem.column) == (3, "Cá nhân nhận")
    assert "Bản xem trước đọc ô này là một bản ghi khác" in response.content.decode()
    assert not Award.objects.exists()


def test_the_confirmation_imports_the_rows_the_preview_read_with_their_row_numbers(awards_file):
    rows = [awards_file[0], [], *awards_file[1:]]  # a blank row 2: the awards are rows 3 to 5
    previewed = preview_upload(AwardResource(), xlsx(rows))
    assert previewed.upload and not Award.objects.exists()
    # Meanwhile someone deletes the recipient of row 4; the file itself is not read again.
    Person.objects.all().delete()
    before = awards()

    report = confirm_upload(AwardResource(), previewed.upload)
    assert not report.written
    assert [(row, column) for row, column, _message in problems(report)] == [(4, "Cá nhân nhận")]
    assert awards() == before


def test_an_award_recorded_between_preview_and_confirmation_refuses_the_confirmation(
    awards_file,
):
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert (previewed.new, previewed.unchanged) == (3, 0)
    assert confirm(xlsx(awards_file[:2])).written
    recorded = Award.objects.get()

    with translation.override("vi"):
        report = confirm_upload(AwardResource(), previewed.upload)
    # The preview said "new"; the row would now meet the award recorded meanwhile.
    assert not report.written
    assert [problem.row for problem in report.problems] == [2]
    assert report.problems[0].message.startswith(
        "Bản xem trước cho thấy dòng này là bản ghi mới, nhưng dữ liệu đã thay đổi"
    )
    assert "giờ nó sẽ là không đổi" in report.problems[0].message
    assert Award.objects.get() == recorded
    again = preview_upload(AwardResource(), xlsx(awards_file))
    assert (again.new, again.unchanged) == (2, 1)
    assert confirm_upload(AwardResource(), again.upload).written
    assert Award.objects.count() == 3 and Award.objects.filter(pk=recorded.pk).exists()


def test_an_edit_made_between_preview_and_confirmation_is_not_overwritten(awards_file):
    assert confirm(xlsx(awards_file)).written
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert previewed.unchanged == 3
    edited = Award.objects.get(decision_number="1/QĐ")
    edited.decision_number = "1a/QĐ"
    edited.save()

    report = confirm_upload(AwardResource(), previewed.upload)
    assert not report.written
    assert [problem.row for problem in report.problems] == [2]
    assert Award.objects.count() == 3
    edited.refresh_from_db()
    assert edited.decision_number == "1a/QĐ"


def test_rows_no_longer_kept_are_not_confirmed(awards_file):
    previewed = preview_upload(AwardResource(), xlsx(awards_file))
    assert confirm_upload(AwardResource(), previewed.upload).written
    with pytest.raises(SpreadsheetError, match="already imported"):
        confirm_upload(AwardResource(), previewed.upload)
    assert Award.objects.count() == 3


def test_a_preview_with_a_refused_row_keeps_nothing_to_confirm(awards_file):
    awards_file[2][4] = "Không Có Ai"
    assert preview_upload(AwardResource(), xlsx(awards_file)).upload == ""


def test_what_an_import_built_is_freed_with_its_report_not_left_to_the_cycle_collector(
    awards_file,
):
    # An import of thousands of rows builds hundreds of thousands of objects; held in a
    # reference cycle, they would stay until the collector's next full run walked them all.
    resource = AwardResource()
    gc.disable()
    try:
        report = preview_upload(resource, xlsx(awards_file))
        assert report.ok
        kept = weakref.ref(resource), weakref.ref(report.result.rows[0].instance)
        del resource, report
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()


class CollectorWatchingResource(AwardResource):
    """Awards, noting on each row whether Python's cycle collector is on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.collector_on: list[bool] = []

    def before_import_row(self, row, **kwargs):
        self.collector_on.append(gc.isenabled())
        super().before_import_row(row, **kwargs)


def test_an_import_leaves_the_cycle_collector_on(awards_file, monkeypatch):
    # The collector is the process's: an import that switched it off would switch it off for
    # every other request a server's threads serve meanwhile.
    def switched_off():
        raise AssertionError("the import switched the process's cycle collector off")

    monkeypatch.setattr(gc, "disable", switched_off)
    previewing, confirming = CollectorWatchingResource(), CollectorWatchingResource()
    report = preview_upload(previewing, xlsx(awards_file))
    assert report.ok
    assert confirm_upload(confirming, report.upload).written
    assert previewing.collector_on
    assert confirming.collector_on
    assert all(previewing.collector_on + confirming.collector_on)


def test_a_hostile_upload_gets_a_page_not_an_error(admin_client, awards_file):
    for data in (b"\x00junk", xlsx(awards_file)[:300], zip_bomb(xlsx(awards_file), 300 << 20)):
        response = upload(admin_client, "award", data)
        assert response.status_code == 200
        assert response.context["report"].errors


def test_the_empty_template_has_the_columns_an_example_and_a_guide(admin_client, awards_file):
    assert confirm(xlsx(awards_file)).written
    response = in_english(admin_client).get(reverse("admin:movement_award_import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    data, guide = workbook.worksheets
    headers = [cell.value for cell in data[1]]
    assert headers == AwardResource().get_export_headers()
    assert data.freeze_panes == "A2"
    guide_rows = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True) if row[0]}
    assert guide_rows["Năm"][1] == "yes"
    assert guide_rows["Hạng"][3] == "One of: hạng Nhất, hạng Nhì, hạng Ba."
    # The data sheet has the header only (tests/test_templates.py).
    assert data.max_row == 1
