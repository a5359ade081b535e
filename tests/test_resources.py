"""Spreadsheets in and out: what an export writes imports back to the same records, names match
however they were typed, and no cell can run as a formula."""

import datetime
import io
import re
import unicodedata

import openpyxl
import pytest
import tablib
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from movement.models import (
    Award,
    AwardType,
    Campaign,
    Decision,
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
from movement.spreadsheets.resources import (
    VERSION_COLUMN,
    AwardResource,
    AwardTypeResource,
    CampaignResource,
    EventResource,
    PersonResource,
    RankResource,
    SourceResource,
    TaskResource,
    UnitResource,
    WorkPlanResource,
)
from movement.text import fold
from tests.spreadsheets import APOSTROPHES, FORMULAE, PLAIN, dataset

# In the order a file set is imported into an empty database: what a record names comes first.
RESOURCES = [
    SourceResource,
    RankResource,
    UnitResource,
    PersonResource,
    EventResource,
    CampaignResource,
    AwardTypeResource,
    AwardResource,
    WorkPlanResource,
    TaskResource,
]


@pytest.fixture
def report(ministry, department, division, person, flag_type, order_type, event, campaign):
    """One of everything, every field filled, as the report's data would be."""
    source = Source.objects.create(
        slug="bao-cao-2017",
        title="Báo cáo hội nghị triển khai công tác năm 2017",
        author="Phòng Tham mưu",
        published_on=datetime.date(2017, 3, 4),
        text="Toàn văn báo cáo.\nDòng thứ hai.",
    )
    for record in (ministry, department, division, person, flag_type, event, campaign):
        record.source = source
        record.source_quote = "Câu thứ nhất.\nCâu thứ hai."
        record.save()
    # The law establishing a form, cited by its article: an article needs its legal text.
    flag_type.legal_source = Source.objects.create(
        slug="luat-tdkt-2022", kind=Source.Kind.LAW, title="Luật Thi đua, khen thưởng 2022"
    )
    flag_type.legal_article = "Điều 32"
    flag_type.save()
    external = Unit.objects.create(
        name="Ban Tuyên giáo Trung ương",
        slug="ban-tuyen-giao",
        kind=Unit.Kind.ORGANISATION,
        is_external=True,
        inference_note="Tên đầy đủ suy ra từ chữ viết tắt.",
    )
    guest = Person.objects.create(
        full_name="Trần Thị Đào", slug="tran-thi-dao", unit=external, position="Phó Trưởng ban"
    )
    Participation.objects.create(
        event=event,
        person=person,
        role=Participation.Role.CHAIR,
        activity="trình bày báo cáo",
        source=source,
    )
    Participation.objects.create(event=event, person=guest, role=Participation.Role.GUEST)
    Award.objects.create(
        award_type=flag_type,
        year=2016,
        recipient_unit=division,
        conferring_unit=ministry,
        presented_by=person,
        on_behalf_of="Bộ trưởng Bộ Công an",
        event=event,
        decision_number="123/QĐ-BCA",
        decision_date=datetime.date(2017, 1, 20),
        campaign=campaign,
        note="Tặng tại hội nghị.",
        source=source,
        source_quote="Phòng Tham mưu được tặng Cờ thi đua.",
    )
    Award.objects.create(
        award_type=order_type,
        year=2016,
        recipient_person=person,
        presented_by=person,
        source=source,
        inference_note="Năm suy ra từ ngày hội nghị.",
    )
    Award.objects.create(award_type=order_type, year=2016, group_kind="collective", group_count=3)
    plan = WorkPlan.objects.create(
        unit=department,
        year=2017,
        campaign=campaign,
        declared_area_count=13,
        declared_task_count=40,
        summary="Kế hoạch năm 2017.",
        source=source,
    )
    area = WorkArea.objects.create(plan=plan, number=1, name="Công tác tham mưu")
    task = Task.objects.create(
        plan=plan,
        area=area,
        number=1,
        title="Ban hành 4 chỉ thị",
        status=Task.Status.DONE,
        result="Đã ban hành 4 chỉ thị.",
        result_quantity=4,
        source=source,
    )
    task.assigned_units.set([department, division])
    task.coordinating_units.set([external])
    Task.objects.create(plan=plan, number=2, title="Tổng kết phong trào")


def snapshot(model) -> list[dict]:
    """Every stored value of every row, search text and keys included."""
    rows = list(model.objects.order_by("pk").values())
    for field in model._meta.many_to_many:
        through = getattr(model, field.name).through
        rows.append({field.name: sorted(through.objects.values_list(*_ends(through)))})
    return rows


def _ends(through) -> list[str]:
    return [field.attname for field in through._meta.fields if field.is_relation]


def as_csv(dataset: tablib.Dataset) -> tablib.Dataset:
    """The dataset after a trip through a CSV file, as a user would send it back."""
    return tablib.Dataset().load(dataset.export("csv"), format="csv")


def unversioned(dataset: tablib.Dataset) -> list[dict]:
    """The rows of an export without the version each record was at (a count of its saves)."""
    return [{**row, VERSION_COLUMN: None} for row in dataset.dict]


def import_types(result) -> set[str]:
    return {row.import_type for row in result.rows}


def errors(result) -> list[str]:
    messages = [str(error.error) for _number, row in result.row_errors() for error in row]
    for row in result.invalid_rows:
        messages += [message for field in row.error_dict.values() for message in field]
    return messages


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.__name__)
def test_importing_an_export_again_changes_nothing(report, resource):
    model = resource._meta.model
    before = snapshot(model)
    exported = as_csv(resource().export())
    assert len(exported) == model.objects.count() > 0

    dry_run = resource().import_data(exported, dry_run=True)
    assert errors(dry_run) == []
    assert import_types(dry_run) == {"skip"}

    result = resource().import_data(exported)
    assert errors(result) == []
    assert import_types(result) == {"skip"}
    assert snapshot(model) == before


# What only the admin's inline forms enter (an event's participants, a plan's work areas) has no
# spreadsheet of its own: it is put back by natural keys once what it belongs to is imported.
INLINE = {Event: Participation, WorkPlan: WorkArea}


def test_a_full_export_imports_into_an_empty_database_as_the_same_records(report):
    exported = {resource: as_csv(resource().export()) for resource in RESOURCES}
    inline = {
        model: serializers.serialize(
            "json",
            model.objects.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        for model in INLINE.values()
    }
    for resource in reversed(RESOURCES):
        model = resource._meta.model
        if model is Unit:
            # Leaves first: a unit's parent is protected while it has children.
            for unit in sorted(Unit.objects.with_tree_fields(), key=lambda u: -u.tree_depth):
                unit.delete()
        else:
            model.objects.all().delete()
        if model is Award:
            # The award import records them again from the awards' numbers and dates.
            Decision.objects.all().delete()

    for resource in RESOURCES:
        result = resource().import_data(exported[resource])
        assert errors(result) == [], resource.__name__
        if part := INLINE.get(resource._meta.model):
            for record in serializers.deserialize("json", inline[part]):
                record.save()

    for resource in RESOURCES:
        again = as_csv(resource().export())
        # The same records, each at the first version of this database.
        assert sorted(unversioned(again), key=repr) == sorted(
            unversioned(exported[resource]), key=repr
        )
    for model, before in inline.items():
        after = serializers.serialize(
            "json",
            model.objects.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        assert after == before


@pytest.fixture
def namesakes(report, ministry, department, division, person, flag_type):
    """What every province has: a "Phòng Tham mưu", an officer named like one of another unit."""
    province = Unit.objects.create(
        name="Công an tỉnh Hà Tĩnh", slug="ca-ha-tinh", kind="provincial_police", parent=ministry
    )
    other = Unit.objects.create(
        name="Phòng Tham mưu", slug="pv01-ha-tinh", kind="division", parent=province
    )
    Unit.objects.create(name="Đội Tổng hợp", slug="doi-th-ha-tinh", kind="division", parent=other)
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=other)
    Award.objects.create(
        award_type=flag_type, year=2017, recipient_unit=other, presented_by=namesake
    )
    return other, namesake


def test_namesakes_are_exported_by_name_and_unit_and_read_back(namesakes):
    units = {row["Mã"]: row for row in as_csv(UnitResource().export()).dict}
    assert units["pv01-ha-tinh"]["Tên đầy đủ"] == "Phòng Tham mưu"
    assert units["doi-th-ha-tinh"]["Đơn vị cấp trên"] == "Phòng Tham mưu (Công an tỉnh Hà Tĩnh)"
    people = {row["Mã"]: row["Đơn vị"] for row in as_csv(PersonResource().export()).dict}
    assert people["khao-2"] == "Phòng Tham mưu (Công an tỉnh Hà Tĩnh)"
    assert people["nguyen-van-khao"] == "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"
    presenters = {row["Người trao"] for row in as_csv(AwardResource().export()).dict}
    assert presenters == {
        "",
        "Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)",
        "Nguyễn Văn Khảo (Phòng Tham mưu)",
    }
    for resource in RESOURCES:
        model = resource._meta.model
        before = snapshot(model)
        result = resource().import_data(as_csv(resource().export()))
        assert errors(result) == [], resource.__name__
        assert import_types(result) == {"skip"}, resource.__name__
        assert snapshot(model) == before


def test_namesakes_export_into_an_empty_database_as_the_same_records(namesakes):
    test_a_full_export_imports_into_an_empty_database_as_the_same_records(None)


def test_a_unit_written_with_its_parent_may_be_one_an_earlier_row_created(ministry):
    headers = ["Mã", "Tên đầy đủ", "Đơn vị cấp trên", "Loại đơn vị"]
    rows = [
        ["ca-a", "Công an tỉnh A", "Bộ Công an", "provincial_police"],
        ["tm-a", "Phòng Tham mưu", "Công an tỉnh A", "division"],
        ["doi-a", "Đội Tổng hợp", "Phòng Tham mưu (Công an tỉnh A)", "division"],
        ["ca-b", "Công an tỉnh B", "Bộ Công an", "provincial_police"],
        ["tm-b", "Phòng Tham mưu", "Công an tỉnh B", "division"],
        ["doi-b", "Đội Tổng hợp", "Phòng Tham mưu (Công an tỉnh B)", "division"],
    ]
    result = UnitResource().import_data(tablib.Dataset(*rows, headers=headers))
    assert errors(result) == []
    assert Unit.objects.get(slug="doi-a").parent.slug == "tm-a"
    assert Unit.objects.get(slug="doi-b").parent.slug == "tm-b"


def test_names_match_whatever_their_case_spacing_and_unicode_form(division, person, order_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": unicodedata.normalize("NFD", "HUÂN CHƯƠNG  bảo vệ Tổ quốc"),
            "Hạng": "hạng ba",
            "Cá nhân nhận": unicodedata.normalize("NFD", " nguyễn văn KHẢO "),
            "Cấp khen thưởng": unicodedata.normalize("NFD", "phòng tham mưu"),
        }
    )
    result = AwardResource().import_data(file)
    assert errors(result) == []
    award = Award.objects.get()
    assert award.award_type == order_type
    assert award.recipient_person == person
    assert award.conferring_unit == division


def test_a_unit_matches_by_its_short_name_or_code_too(department, flag_type):
    for name in ("Cục XDPT toàn dân bảo vệ ANTQ", "cuc-xdpt"):
        file = dataset(
            **{"Năm": "2016", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": name}
        )
        Award.objects.all().delete()
        assert errors(AwardResource().import_data(file)) == []
        assert Award.objects.get().recipient_unit == department


def test_names_typed_without_diacritics_match_when_only_one_record_fits(division, flag_type):
    file = dataset(
        **{"Năm": "2016", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": "Phong Tham Muu"}
    )
    assert errors(AwardResource().import_data(file)) == []
    assert Award.objects.get().recipient_unit == division


def test_a_name_spelled_exactly_wins_over_one_that_differs_only_in_diacritics(ministry, flag_type):
    le, _le_dot = (
        Unit.objects.create(name=name, slug=slug, kind=Unit.Kind.DIVISION, parent=ministry)
        for name, slug in (("Đội Lê", "doi-le"), ("Đội Lệ", "doi-le-2"))
    )
    exact = dataset(
        **{"Năm": "2016", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": "đội lê"}
    )
    assert errors(AwardResource().import_data(exact)) == []
    assert Award.objects.get().recipient_unit == le

    bare = dataset(
        **{"Năm": "2017", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": "Doi Le"}
    )
    result = AwardResource().import_data(bare)
    assert any("doi-le" in message and "doi-le-2" in message for message in errors(result))
    assert Award.objects.count() == 1


def test_an_unknown_unit_is_a_row_error_that_names_it(division, flag_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": "Phòng Không Có Thật",
        }
    )
    result = AwardResource().import_data(file)
    assert result.has_validation_errors()
    [row] = result.invalid_rows
    [message] = row.error_dict["recipient_unit"]
    assert "Phòng Không Có Thật" in message
    assert not Award.objects.exists()


def test_an_award_the_model_refuses_is_a_row_error(person, flag_type):
    file = dataset(
        **{"Năm": "2016", "Hình thức khen thưởng": flag_type.name, "Cá nhân nhận": person.full_name}
    )
    result = AwardResource().import_data(file)
    [row] = result.invalid_rows
    assert flag_type.name in row.error_dict["award_type"][0]
    assert not Award.objects.exists()


# For each check constraint an import can reach, a row that breaks it.
ROWS_BREAKING = {
    "award_year_in_range": (AwardResource, {"Năm": "1900", "Đơn vị nhận": "{department}"}),
    "award_exactly_one_recipient": (
        AwardResource,
        {"Năm": "2016", "Đơn vị nhận": "{department}", "Cá nhân nhận": "{person}"},
    ),
    "award_rank_only_for_people": (
        AwardResource,
        {"Năm": "2016", "Đơn vị nhận": "{department}", "Chức vụ khi khen thưởng": "Cục trưởng"},
    ),
    "award_type_has_recipients": (
        AwardTypeResource,
        {"Hình thức khen thưởng": "Giấy khen", "Loại": "giấy khen", "Cho tập thể": "không"},
    ),
    "award_type_valid_period": (
        AwardTypeResource,
        {
            "Hình thức khen thưởng": "Giấy khen",
            "Loại": "giấy khen",
            "Cho tập thể": "có",
            "Áp dụng từ ngày": "01/01/2010",
            "Áp dụng đến ngày": "31/12/2009",
        },
    ),
    "award_type_article_has_text": (
        AwardTypeResource,
        {
            "Hình thức khen thưởng": "Giấy khen",
            "Loại": "giấy khen",
            "Cho tập thể": "có",
            "Điều, khoản": "Điều 75",
        },
    ),
    "campaign_ends_after_it_starts": (
        CampaignResource,
        {
            "Mã": "thi-dua",
            "Tên phong trào": "Thi đua",
            "Loại": "emulation",
            "Từ năm": "2017",
            "Đến năm": "2016",
        },
    ),
    "unit_not_its_own_parent": (
        UnitResource,
        {
            "Mã": "{department_code}",
            "Tên đầy đủ": "{department}",
            "Đơn vị cấp trên": "{department_code}",
            "Loại đơn vị": "department",
        },
    ),
}


@pytest.mark.parametrize("name", ROWS_BREAKING)
def test_a_row_breaking_a_check_constraint_is_refused_in_its_words(
    name, department, person, order_type
):
    resource, cells = ROWS_BREAKING[name]
    model = resource._meta.model
    [constraint] = [one for one in model._meta.constraints if one.name == name]
    names = {
        "department": department.name,
        "department_code": department.slug,
        "person": person.full_name,
    }
    cells = {column: value.format(**names) for column, value in cells.items()}
    if model is Award:
        cells["Hình thức khen thưởng"] = order_type.name
        cells["Hạng"] = order_type.award_class
    before = snapshot(model)
    with translation.override("vi"):
        result = resource().import_data(tablib.Dataset(list(cells.values()), headers=list(cells)))
        assert errors(result) == [str(constraint.get_violation_error_message())]
    assert snapshot(model) == before


def test_units_that_share_a_name_are_written_with_their_parent(ministry, department, flag_type):
    other = Unit.objects.create(
        name="Cục Cảnh sát hình sự", slug="c02", kind=Unit.Kind.DEPARTMENT, parent=ministry
    )
    ours, theirs = (
        Unit.objects.create(
            name="Phòng Tham mưu", slug=f"tham-muu-{parent.slug}", kind="division", parent=parent
        )
        for parent in (department, other)
    )
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=theirs)
    exported = as_csv(AwardResource().export())
    assert exported.dict[0]["Đơn vị nhận"] == "Phòng Tham mưu (Cục Cảnh sát hình sự)"

    result = AwardResource().import_data(exported)
    assert errors(result) == []
    assert import_types(result) == {"skip"}
    assert ours.awards.count() == 0


def test_units_whose_parents_share_a_name_too_are_written_as_their_codes(ministry, flag_type):
    # Several provinces have a district called Châu Thành, each with its "Phòng Tham mưu".
    divisions = []
    for province in ("Bến Tre", "Tiền Giang"):
        parent = Unit.objects.create(
            name=f"Công an tỉnh {province}", slug=f"ca-{fold(province)}", parent=ministry
        )
        district = Unit.objects.create(
            name="Công an huyện Châu Thành", slug=f"chau-thanh-{parent.pk}", parent=parent
        )
        divisions.append(
            Unit.objects.create(name="Phòng Tham mưu", slug=f"tm-{parent.pk}", parent=district)
        )
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=divisions[1])
    exported = as_csv(AwardResource().export())
    assert exported.dict[0]["Đơn vị nhận"] == divisions[1].slug

    result = AwardResource().import_data(exported)
    assert errors(result) == []
    assert import_types(result) == {"skip"}


def test_a_file_of_new_awards_may_leave_out_the_key(department, flag_type):
    file = dataset(
        **{"Năm": "2016", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": department.name}
    )
    assert import_types(AwardResource().import_data(file)) == {"new"}
    award = Award.objects.get()
    assert award.key is not None

    # The same rows again find the award they name: nothing changes, nothing is stored twice.
    result = AwardResource().import_data(file)
    assert errors(result) == []
    assert import_types(result) == {"skip"}
    assert Award.objects.count() == 1


def without(dataset: tablib.Dataset, column: str) -> tablib.Dataset:
    """``dataset`` without one of its columns, as a list typed or pasted without it."""
    del dataset[column]
    return dataset


def test_a_list_without_its_key_column_finds_the_awards_it_names(report):
    before = snapshot(Award)
    exported = without(as_csv(AwardResource().export()), "Mã")

    result = AwardResource().import_data(exported)
    assert errors(result) == []
    assert import_types(result) == {"skip"}
    assert snapshot(Award) == before


def test_a_list_without_keys_plus_one_new_row_imports_that_row(report, department, flag_type):
    exported = without(as_csv(AwardResource().export()), "Mã")
    headers = exported.headers
    new = dict.fromkeys(headers, "")
    new.update({"Năm": "2017", "Hình thức khen thưởng": flag_type.name, "Đơn vị nhận": "cuc-xdpt"})
    exported.append([new[header] for header in headers])
    keys = set(Award.objects.values_list("key", flat=True))

    result = AwardResource().import_data(exported)
    assert errors(result) == []
    assert [row.import_type for row in result.rows] == ["skip"] * len(keys) + ["new"]
    assert set(Award.objects.values_list("key", flat=True)) > keys
    assert Award.objects.get(year=2017).recipient_unit == department


def test_a_row_without_a_key_updates_the_award_its_natural_key_names(report, division, flag_type):
    award = Award.objects.get(recipient_unit=division)
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": division.name,
            "Số quyết định": "123/QĐ-BCA",
            "Ghi chú": "Trao tại hội nghị tổng kết.",
        }
    )
    preview = AwardResource().import_data(file, dry_run=True)
    assert import_types(preview) == {"update"}
    # The row is shown with the key of the award it updates.
    assert preview.rows[0].row_values["Mã"] == str(award.key)

    AwardResource().import_data(file)
    award.refresh_from_db()
    assert award.note == "Trao tại hội nghị tổng kết."
    assert award.source_quote == "Phòng Tham mưu được tặng Cờ thi đua."
    assert Award.objects.count() == 3


def test_two_rows_without_a_key_naming_one_award_are_both_read_as_that_award(
    report, division, flag_type
):
    """Each row is looked up by its natural key, the second as well as the first: two changes
    to one award, the second refused, not a second award recorded beside it."""
    award = Award.objects.get(recipient_unit=division)
    cells = {
        "Năm": "2016",
        "Hình thức khen thưởng": flag_type.name,
        "Đơn vị nhận": division.name,
        "Số quyết định": "123/QĐ-BCA",
    }
    file = tablib.Dataset(
        [*cells.values(), "Trao tại hội nghị."],
        [*cells.values(), "Trao tại lễ kỷ niệm."],
        headers=[*cells, "Ghi chú"],
    )
    preview = AwardResource().import_data(file, dry_run=True)
    assert [row.row_values.get("Mã") for row in preview.rows] == [str(award.key)] * 2
    # The second row is refused as naming the first row's award again.
    assert errors(preview) == ["Dòng 2 của tệp này có cùng mã."]


def test_a_row_whose_key_cannot_be_read_is_refused_not_matched_by_its_natural_key(
    report, division, flag_type
):
    file = dataset(
        **{
            "Mã": "không-phải-mã",
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": division.name,
            "Số quyết định": "123/QĐ-BCA",
        }
    )
    result = AwardResource().import_data(file)
    assert any("không-phải-mã" in message for message in errors(result))


def test_another_decision_number_is_another_award(report, division, flag_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": division.name,
            "Số quyết định": "456/QĐ-BCA",
        }
    )
    assert import_types(AwardResource().import_data(file)) == {"new"}
    assert division.awards.count() == 2


def unkeyed_award_rows(units: list[Unit], flag_type: AwardType) -> tablib.Dataset:
    return tablib.Dataset(
        *[("", "2016", flag_type.name, unit.name) for unit in units],
        headers=["Mã", "Năm", "Hình thức khen thưởng", "Đơn vị nhận"],
    )


@pytest.fixture
def half_awarded(ministry, flag_type) -> list[Unit]:
    """Forty divisions, every other one holding the flag of 2016."""
    units = [
        Unit.objects.create(name=f"Đội {i}", slug=f"doi-{i}", kind="division", parent=ministry)
        for i in range(40)
    ]
    for unit in units[::2]:
        Award.objects.create(award_type=flag_type, year=2016, recipient_unit=unit)
    return units


def test_rows_without_keys_are_looked_up_in_a_few_queries_whatever_their_number(
    half_awarded, flag_type
):
    units = half_awarded

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as context:
            result = AwardResource().import_data(
                unkeyed_award_rows(units[:count], flag_type), dry_run=True
            )
        assert errors(result) == []
        assert [row.import_type for row in result.rows] == ["skip", "new"] * (count // 2)
        return len(context)

    assert queries(40) == queries(4)


def test_awards_found_by_their_natural_key_are_not_looked_for_again_before_writing(
    half_awarded, flag_type
):
    rows = unkeyed_award_rows(half_awarded[:4], flag_type)
    with CaptureQueriesContext(connection) as context:
        result = AwardResource().import_data(rows, dry_run=True)
    assert [row.import_type for row in result.rows] == ["skip", "new"] * 2
    # The loader's probe by (type, year, unit), then the awards it found. The new rows' check
    # against stored rows (uniqueness.clashes) skips the natural key the loader has read.
    award_reads = [query for query in context if 'FROM "movement_award"' in query["sql"]]
    assert len(award_reads) == 2


def test_a_unit_editors_row_naming_another_units_award_is_refused(
    ministry, department, flag_type, django_user_model
):
    from django.contrib.auth.models import Group

    from movement.models import StaffProfile
    from movement.permissions import UNIT_EDITORS, refusal

    other = Unit.objects.create(
        name="Công an tỉnh Lào Cai", slug="ca-lao-cai", kind="provincial_police", parent=ministry
    )
    theirs = Award.objects.create(award_type=flag_type, year=2016, recipient_unit=other)
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=UNIT_EDITORS))
    StaffProfile.objects.create(user=editor, unit=department)
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": other.name,
            "Ghi chú": "Sửa hộ.",
        }
    )
    result = AwardResource().import_data(file, user=editor)
    assert errors(result) == [refusal(editor, theirs)]
    theirs.refresh_from_db()
    assert theirs.note == ""


def test_a_unit_without_a_code_is_found_by_its_parent_and_name(report, department, division):
    before = snapshot(Unit)
    exported = without(as_csv(UnitResource().export()), "Mã")
    result = UnitResource().import_data(exported)
    assert errors(result) == []
    # The units without a parent have no natural key: they are new, with codes made for them.
    named = {row.row_values["Tên đầy đủ"]: row for row in result.rows}
    assert named[division.name].import_type == "skip"
    assert named[department.name].import_type == "skip"
    assert named["Bộ Công an"].import_type == "new"
    assert named["Bộ Công an"].row_values["Mã"] == "bo-cong-an-2"
    assert snapshot(Unit)[: len(before)] == before


def test_a_person_without_a_code_gets_one_made_from_the_name(department):
    Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="tran-thi-hong-nhung")
    file = tablib.Dataset(
        ["Trần Thị Hồng Nhung", department.name],
        ["Trần Thị Hồng Nhung", department.name],
        ["Đỗ Đức Đạt", ""],
        headers=["Họ và tên", "Đơn vị"],
    )
    result = PersonResource().import_data(file)
    assert errors(result) == []
    assert import_types(result) == {"new"}
    assert list(Person.objects.order_by("pk").values_list("slug", flat=True)) == [
        "tran-thi-hong-nhung",
        "tran-thi-hong-nhung-2",
        "tran-thi-hong-nhung-3",
        "do-duc-dat",
    ]


def test_a_person_without_a_code_is_always_a_new_person(person):
    # A person has no unique key but the code: two officers may share a name and a unit.
    file = tablib.Dataset(
        ["", person.full_name, person.unit.name], headers=["Mã", "Họ và tên", "Đơn vị"]
    )
    assert import_types(PersonResource().import_data(file)) == {"new"}
    assert Person.objects.filter(full_name=person.full_name).count() == 2


def test_unnamed_groups_are_written_as_the_report_counts_them(flag_type):
    Award.objects.create(award_type=flag_type, year=2016, group_kind="collective", group_count=3)
    [row] = as_csv(AwardResource().export()).dict
    assert row["Số tập thể/cá nhân (chưa nêu tên)"] == "3 tập thể"


def test_a_name_repeated_with_other_classes_reads_as_each_rows_class(order_type):
    # An import reads a cell that repeats once where its reading depends on the cell alone;
    # an award type's name depends on its row's "Hạng" too, and each row keeps its own class.
    second = AwardType.objects.create(
        name=order_type.name,
        award_class=AwardType.Class.SECOND,
        category=order_type.category,
        for_collectives=True,
    )
    file = tablib.Dataset(
        headers=["Năm", "Hình thức khen thưởng", "Hạng", "Số tập thể/cá nhân (chưa nêu tên)"]
    )
    for count, award_class in enumerate(("3", "2", "3"), start=1):
        file.append(["2016", order_type.name, award_class, f"{count} tập thể"])
    assert errors(AwardResource().import_data(file)) == []
    read = Award.objects.order_by("pk").values_list("award_type", flat=True)
    assert list(read) == [order_type.pk, second.pk, order_type.pk]


def test_a_group_reads_back_whatever_its_spelling(flag_type, order_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": order_type.name,
            "Hạng": "3",
            "Số tập thể/cá nhân (chưa nêu tên)": "5  CÁ NHÂN",
        }
    )
    assert errors(AwardResource().import_data(file)) == []
    award = Award.objects.get()
    assert (award.group_count, award.group_kind) == (5, "individual")


def test_a_group_without_a_count_is_refused(order_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": order_type.name,
            "Hạng": "hạng Ba",
            "Số tập thể/cá nhân (chưa nêu tên)": "ba tập thể",
        }
    )
    result = AwardResource().import_data(file)
    assert "ba tập thể" in result.invalid_rows[0].error_dict["group_count"][0]
    assert not Award.objects.exists()


@pytest.mark.parametrize("value", FORMULAE + APOSTROPHES)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(department, flag_type, value):
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=department, note=value)
    [row] = AwardResource().export().dict
    assert row["Ghi chú"] == "'" + value


@pytest.mark.parametrize("value", [*PLAIN, ""])
def test_a_plain_cell_is_written_as_it_is(department, flag_type, value):
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=department, note=value)
    [row] = AwardResource().export().dict
    assert row["Ghi chú"] == value


def test_every_column_is_escaped_not_only_free_text(ministry, flag_type):
    unit = Unit.objects.create(
        name="=cmd|' /C calc'!A0", slug="x", kind="division", parent=ministry
    )
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=unit)
    [row] = AwardResource().export().dict
    assert row["Đơn vị nhận"] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", FORMULAE + APOSTROPHES)
def test_an_escaped_cell_imports_back_as_it_was(department, flag_type, value):
    award = Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=department, note=value
    )
    result = AwardResource().import_data(AwardResource().export())
    assert import_types(result) == {"skip"}
    award.refresh_from_db()
    assert award.note == value


def test_dates_are_written_day_first_and_kept_as_dates_in_binary_formats(department, flag_type):
    Award.objects.create(
        award_type=flag_type,
        year=2016,
        recipient_unit=department,
        decision_date=datetime.date(2017, 3, 4),
    )
    assert AwardResource().export().dict[0]["Ngày quyết định"] == "04/03/2017"
    # What the admin asks for when it writes .xlsx or .ods.
    native = AwardResource().export(force_native_type=True)
    assert native.dict[0]["Ngày quyết định"] == datetime.date(2017, 3, 4)

    sheet = openpyxl.load_workbook(io.BytesIO(native.export("xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Ngày quyết định") + 1)
    assert cell.is_date
    assert cell.value.date() == datetime.date(2017, 3, 4)


def test_an_xlsx_export_imports_back_unchanged(report):
    native = AwardResource().export(force_native_type=True)
    before = snapshot(Award)
    workbook = tablib.Dataset().load(native.export("xlsx"), format="xlsx")
    result = AwardResource().import_data(workbook)
    assert errors(result) == []
    assert import_types(result) == {"skip"}
    assert snapshot(Award) == before


def test_a_date_is_read_day_first(department, flag_type):
    file = dataset(
        **{
            "Năm": "2016",
            "Hình thức khen thưởng": flag_type.name,
            "Đơn vị nhận": department.name,
            "Ngày quyết định": "03/04/2017",
        }
    )
    assert errors(AwardResource().import_data(file)) == []
    assert Award.objects.get().decision_date == datetime.date(2017, 4, 3)


def test_yes_and_no_are_read_in_vietnamese(db):
    file = tablib.Dataset(
        ["Cờ thi đua của Chính phủ", "", "cờ thi đua", "Có", "không"],
        headers=["Hình thức khen thưởng", "Hạng", "Loại", "Cho tập thể", "Cho cá nhân"],
    )
    assert errors(AwardTypeResource().import_data(file)) == []
    flag = AwardType.objects.get(name="Cờ thi đua của Chính phủ")
    assert (flag.for_collectives, flag.for_individuals) == (True, False)
    assert flag.category == AwardType.Category.FLAG


def test_an_unclear_yes_or_no_is_refused(db):
    file = tablib.Dataset(
        ["Cờ thi đua của Chính phủ", "flag", "có lẽ"],
        headers=["Hình thức khen thưởng", "Loại", "Cho tập thể"],
    )
    result = AwardTypeResource().import_data(file)
    assert "có lẽ" in result.invalid_rows[0].error_dict["for_collectives"][0]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_choice_reads_back_as_its_code_or_its_label_in_either_language(db, language):
    with translation.override(language):
        label = str(Campaign.Kind.EMULATION.label)
    for written in (label, "emulation"):
        file = tablib.Dataset(
            ["thi-dua", "Thi đua", written], headers=["Mã", "Tên phong trào", "Loại"]
        )
        assert errors(CampaignResource().import_data(file)) == []
        assert Campaign.objects.get(slug="thi-dua").kind == Campaign.Kind.EMULATION


def test_a_tasks_units_are_listed_in_one_cell(report, department, division):
    task = Task.objects.get(number=1)
    [row] = [row for row in as_csv(TaskResource().export()).dict if row["Số thứ tự"] == "1"]
    assert row["Đơn vị chủ trì"] == f"{department.name}; {division.name}"
    assert row["Mặt công tác"] == "1. Công tác tham mưu"

    row["Đơn vị chủ trì"] = "phong tham muu"
    row["Mặt công tác"] = "Công tác tham mưu"
    file = tablib.Dataset(list(row.values()), headers=list(row))
    assert errors(TaskResource().import_data(file)) == []
    assert list(task.assigned_units.all()) == [division]
    assert task.area.name == "Công tác tham mưu"


def test_a_task_whose_units_alone_change_is_an_update_of_that_column(report, division):
    [row] = [row for row in as_csv(TaskResource().export()).dict if row["Số thứ tự"] == "1"]
    file = tablib.Dataset(list(row.values()), headers=list(row))
    assert import_types(TaskResource().import_data(file, dry_run=True)) == {"skip"}

    row["Đơn vị chủ trì"] = division.name
    file = tablib.Dataset(list(row.values()), headers=list(row))
    result = TaskResource().import_data(file, dry_run=True)
    assert [row.changed_columns for row in result.rows] == [("Đơn vị chủ trì",)]


def test_a_task_of_a_plan_that_does_not_exist_is_refused(report):
    [row, *_] = as_csv(TaskResource().export()).dict
    row["Năm"] = "2030"
    file = tablib.Dataset(list(row.values()), headers=list(row))
    result = TaskResource().import_data(file)
    assert any("2030" in message for message in errors(result))
    assert not Task.objects.filter(plan__year=2030).exists()


def export_queries(resource) -> int:
    with CaptureQueriesContext(connection) as queries:
        resource().export()
    return len(queries)


def test_exporting_more_awards_runs_no_more_queries(report, department, person, order_type):
    few = export_queries(AwardResource)
    for year in range(2000, 2010):
        Award.objects.create(award_type=order_type, year=year, recipient_unit=department)
        Award.objects.create(award_type=order_type, year=year, recipient_person=person)
    assert export_queries(AwardResource) == few


def test_exporting_more_tasks_runs_no_more_queries(report, department, division):
    few = export_queries(TaskResource)
    plan = WorkPlan.objects.create(unit=division, year=2018)
    area = WorkArea.objects.create(plan=plan, number=1, name="Mặt công tác")
    for number in range(1, 11):
        task = Task.objects.create(plan=plan, area=area, number=number, title=f"Việc {number}")
        task.assigned_units.set([department, division])
    assert export_queries(TaskResource) == few


def test_people_export_their_rank_by_name(report, person):
    [row] = [row for row in PersonResource().export().dict if row["Mã"] == person.slug]
    assert row["Cấp bậc hàm"] == "Trung tướng"
    assert Rank.objects.filter(name=row["Cấp bậc hàm"]).exists()


def test_units_export_parents_before_children(report):
    codes = [row["Mã"] for row in UnitResource().export().dict]
    assert codes.index("bo-cong-an") < codes.index("cuc-xdpt") < codes.index("phong-tham-muu")


def test_a_row_that_would_record_an_award_twice_is_told_so_in_vietnamese(division, flag_type):
    Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="1"
    )
    other = Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="2"
    )
    exported = as_csv(AwardResource().export())
    [row] = [row for row in exported.dict if row["Mã"] == str(other.key)]
    file = dataset(**{**row, "Số quyết định": "1"})
    with translation.override("vi"):
        result = AwardResource().import_data(file)
        assert errors(result) == [
            "Đơn vị này đã có hình thức khen thưởng này trong năm này với cùng số quyết định. "
            "Nếu đây là một lần khen thưởng khác, hãy ghi số quyết định của lần đó."
        ]


def test_a_keyed_row_is_checked_against_the_table_beside_rows_without_keys(division, flag_type):
    # Rows without a key are looked up by their natural key; a row with one is not, so its
    # natural key is still checked against the stored awards.
    Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="1"
    )
    other = Award.objects.create(
        award_type=flag_type, year=2016, recipient_unit=division, decision_number="2"
    )
    file = tablib.Dataset(
        [str(other.key), "2016", flag_type.name, division.name, "1"],
        ["", "2017", flag_type.name, division.name, "3"],
        headers=["Mã", "Năm", "Hình thức khen thưởng", "Đơn vị nhận", "Số quyết định"],
    )
    result = AwardResource().import_data(file)
    assert len(errors(result)) == 1
    assert Award.objects.count() == 2


def test_every_refusal_of_a_bad_file_reads_in_vietnamese(ministry, flag_type):
    people = tablib.Dataset(
        ["Trần Thị", "Trần Thị Hồng Nhung", ""],
        headers=["Mã", "Họ và tên", "Đơn vị"],
    )
    # A second "Phòng A" under the same parent, given a code of its own.
    units = tablib.Dataset(
        ["phong-b", "Phòng A", "Bộ Công an", "division"],
        headers=["Mã", "Tên đầy đủ", "Đơn vị cấp trên", "Loại đơn vị"],
    )
    Unit.objects.create(name="Phòng A", slug="phong-a", kind="division", parent=ministry)
    with translation.override("vi"):
        messages = errors(PersonResource().import_data(people))
        messages += errors(UnitResource().import_data(units))
    assert len(messages) == 2
    for message in messages:
        assert not re.search(r"\b(Enter|valid|Constraint|violated|exists|slug)\b", message), message
