"""How a cell names a record: with the record's letters and marks, or, typed without any mark,
the one record it fits; and how a record is written so that it reads back to itself alone."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from movement.models import (
    Award,
    AwardType,
    Campaign,
    Event,
    Person,
    Rank,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)
from movement.spreadsheets.cells import ChoiceWidget, exact_key
from movement.spreadsheets.names import (
    SUGGESTED_NAMES,
    AwardTypeWidget,
    Match,
    NamedRecordsWidget,
    NamedRecordWidget,
    PersonWidget,
    UnitWidget,
    WorkAreaWidget,
    WorkPlanWidget,
    match_reader,
)
from movement.spreadsheets.resources import (
    AwardResource,
    PersonResource,
    TaskResource,
    award_class_widget,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the language of their msgids."""
    with translation.override("en"):
        yield


@pytest.fixture
def soc_son(ministry) -> Unit:
    hanoi = Unit.objects.create(
        name="Công an thành phố Hà Nội", slug="ca-ha-noi", kind="provincial_police", parent=ministry
    )
    return Unit.objects.create(
        name="Công an huyện Sóc Sơn", slug="ca-soc-son", kind="district_police", parent=hanoi
    )


@pytest.fixture
def hung(soc_son) -> Person:
    return Person.objects.create(full_name="Đặng Quang Hùng", slug="dang-quang-hung", unit=soc_son)


@pytest.fixture
def ha(soc_son) -> Person:
    return Person.objects.create(full_name="Lê Thu Hà", slug="le-thu-ha", unit=soc_son)


def read(widget, text, row=None):
    return widget.clean(text, row=row)


def refusal(widget, text, row=None) -> str:
    with pytest.raises(ValueError) as refused:
        widget.clean(text, row=row)
    return str(refused.value)


# -- Names with marks match the same marks only ---------------------------------------------


@pytest.mark.parametrize("typed", ["Đặng Quang Hưng", "Đặng Quang Hung", "Dặng Quang Hùng"])
def test_a_person_named_with_other_marks_is_refused_naming_the_close_person(hung, typed):
    assert refusal(PersonWidget(Person), typed) == (
        f"No person is named “{typed}”. Close names: “Đặng Quang Hùng (Công an huyện Sóc Sơn)”."
    )


@pytest.mark.parametrize("typed", ["Lê Thu Hạ", "Lê Thư Hà"])
def test_names_one_mark_apart_are_different_people(ha, typed):
    assert "Close names: “Lê Thu Hà (Công an huyện Sóc Sơn)”" in refusal(
        PersonWidget(Person), typed
    )


def test_every_name_that_differs_in_its_marks_only_is_suggested(ha, soc_son):
    # Both fold to "le thu ha": a suggestion by spelling alone would name one of them.
    Person.objects.create(full_name="Lê Thư Hạ", slug="le-thu-ha-2", unit=soc_son)
    assert refusal(PersonWidget(Person), "Lê Thú Hà") == (
        "No person is named “Lê Thú Hà”. Close names: “Lê Thu Hà (Công an huyện Sóc Sơn)”, "
        "“Lê Thư Hạ (Công an huyện Sóc Sơn)”."
    )


def test_a_unit_named_with_other_marks_is_refused_naming_the_close_unit(soc_son):
    assert refusal(UnitWidget(Unit), "Công an huyện Sọc Sơn") == (
        "No unit is named “Công an huyện Sọc Sơn”. "
        "Close names: “Công an huyện Sóc Sơn (Công an thành phố Hà Nội)”."
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "Đặng Quang Hùng",
        unicodedata.normalize("NFD", "Đặng Quang Hùng"),
        "  đặng  QUANG hùng ",
        "\u00d0ặng Quang Hùng",  # Ð, the Icelandic eth
        "\u0189ặng Quang Hùng",  # Ɖ, the African D
        "\u00f0ặng Quang Hùng",
    ],
)
def test_the_same_letters_and_marks_match_however_encoded(hung, spelling):
    assert read(PersonWidget(Person), spelling) == hung


def test_the_old_and_new_tone_placements_match(soc_son):
    thuy = Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy", unit=soc_son)
    hoa = Unit.objects.create(name="Đội Hóa", slug="doi-hoa", parent=soc_son)
    assert read(PersonWidget(Person), "Nguyễn Thị Thuỷ") == thuy
    assert read(UnitWidget(Unit), "Đội Hoá") == hoa


def test_a_name_typed_with_marks_never_falls_back_to_one_without(ministry):
    Unit.objects.create(name="Đội Lệ", slug="doi-le", parent=ministry)
    message = refusal(UnitWidget(Unit), "Đội Lê")
    assert message.startswith("No unit is named “Đội Lê”.")
    assert "“Đội Lệ (Bộ Công an)”" in message


# -- Names typed without marks ----------------------------------------------------------------


def test_a_name_typed_without_marks_matches_the_one_record_it_fits(hung):
    widget = PersonWidget(Person)
    assert read(widget, "dang quang hung") == hung
    assert read(widget, "DANG QUANG HUNG") == hung


def test_a_name_typed_without_marks_that_fits_several_records_is_refused(hung, soc_son):
    Person.objects.create(full_name="Đặng Quang Hưng", slug="dang-quang-hung-2", unit=soc_son)
    message = refusal(PersonWidget(Person), "dang quang hung")
    assert message.startswith("“dang quang hung” could be any of these people:")
    assert "Đặng Quang Hùng (Công an huyện Sóc Sơn, dang-quang-hung)" in message
    assert "Đặng Quang Hưng (Công an huyện Sóc Sơn, dang-quang-hung-2)" in message


def test_a_record_named_without_marks_wins_over_those_with_marks(ministry):
    plain = Unit.objects.create(name="Doi Le", slug="doi-le-plain", parent=ministry)
    Unit.objects.create(name="Đội Lê", slug="doi-le", parent=ministry)
    assert read(UnitWidget(Unit), "doi le") == plain


# -- Every name a file can carry --------------------------------------------------------------


def test_award_types_campaigns_and_events_follow_the_same_rule(order_type, campaign, event):
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    row = {"Hạng": "hạng Ba"}
    assert read(types, "huan chuong bao ve to quoc", row) == order_type
    assert "Close names: “Huân chương Bảo vệ Tổ quốc”" in refusal(
        types, "Huân chương Bảo về Tổ quốc", row
    )
    events = NamedRecordWidget(Event)
    assert read(events, "hoi nghi trien khai cong tac nam 2017") == event
    assert refusal(events, "Hội nghị triển khải công tác năm 2017").startswith("No event")
    campaigns = NamedRecordWidget(Campaign)
    assert read(campaigns, unicodedata.normalize("NFD", campaign.name.upper())) == campaign
    assert refusal(campaigns, campaign.name.replace("thi đua", "thì đua")).startswith("No campaign")


def test_an_award_types_other_classes_are_named_only_for_the_same_marks(order_type):
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    message = refusal(types, "Huân chương Bảo vệ Tổ quốc", {"Hạng": "hạng Nhất"})
    assert message.startswith("“Huân chương Bảo vệ Tổ quốc” has no class “hạng Nhất”")
    message = refusal(types, "Huân chương Bảo về Tổ quốc", {"Hạng": "hạng Nhất"})
    assert message.startswith("No award type is named")


def test_a_cell_of_several_units_reads_each_by_the_same_rule(ministry, soc_son):
    units = NamedRecordsWidget(UnitWidget(Unit))
    assert units.clean("Bộ Công an; cong an huyen soc son") == [ministry, soc_son]
    with pytest.raises(ValueError, match="Close names: “Công an huyện Sóc Sơn"):
        units.clean("Bộ Công an; Công an huyện Sọc Sơn")


def test_a_cell_of_several_units_is_written_as_their_names_and_reads_back(ministry, soc_son):
    units = NamedRecordsWidget(UnitWidget(Unit))
    written = units.render(Unit.objects.filter(pk__in=[ministry.pk, soc_son.pk]).order_by("pk"))
    assert written == "Bộ Công an; Công an huyện Sóc Sơn"
    assert units.clean(written) == [ministry, soc_son]
    assert units.render(None) == ""
    assert units.clean("  ") == []


def test_a_work_area_is_named_with_its_marks_or_without_any(department):
    plan = WorkPlan.objects.create(unit=department, year=2017)
    area = WorkArea.objects.create(plan=plan, number=1, name="Công tác tham mưu")
    WorkArea.objects.create(plan=plan, number=2, name="Công tác thâm mưu")
    plans = WorkPlanWidget(WorkPlan, UnitWidget(Unit), "Năm")
    areas = WorkAreaWidget(WorkArea, plans, "Đơn vị")
    row = {"Đơn vị": department.name, "Năm": 2017}
    assert areas.clean("công tác THAM MƯU", row) == area
    with pytest.raises(ValueError, match="no single work area"):
        areas.clean("Công tác thảm mưu", row)
    with pytest.raises(ValueError, match="no single work area"):
        areas.clean("cong tac tham muu", row)  # both areas fit


def test_a_choice_label_is_read_by_the_same_rule(db):
    statuses = ChoiceWidget(Task.Status.choices)
    with translation.override("vi"):
        done = str(Task.Status.DONE.label)
    assert statuses.clean(done) == "done"
    assert statuses.clean("done") == "done"
    classes = award_class_widget()
    assert classes.clean("hạng Ba") == classes.clean("hang ba") == classes.clean("Ba") == "3"
    assert classes.clean("HẠNG NHẤT") == classes.clean("nhat") == "1"
    with pytest.raises(ValueError, match="is not one of"):
        classes.clean("hạng Bà")


# -- Names written with their unit ------------------------------------------------------------


def test_a_person_written_with_their_unit_reads_when_both_match(hung, soc_son):
    widget = PersonWidget(Person)
    assert read(widget, "Đặng Quang Hùng (Công an huyện Sóc Sơn)") == hung
    assert read(widget, "Đặng Quang Hùng (cong an huyen soc son)") == hung
    message = refusal(widget, "Đặng Quang Hùng (Công an huyện Sọc Sơn)")
    assert message == (
        "No person is named “Đặng Quang Hùng (Công an huyện Sọc Sơn)”. "
        "Close names: “Đặng Quang Hùng (Công an huyện Sóc Sơn)”."
    )
    assert "Close names: “Đặng Quang Hùng" in refusal(
        PersonWidget(Person), "Đặng Quang Hưng (Công an huyện Sóc Sơn)"
    )


def test_a_unit_written_with_its_parent_reads_as_that_unit(ministry, department):
    province = Unit.objects.create(name="Công an tỉnh Hà Tĩnh", slug="ca-ha-tinh", parent=ministry)
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="pv01-ha-tinh", parent=province)
    theirs = Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    widget = UnitWidget(Unit)
    assert read(widget, "Phòng Tham mưu (Công an tỉnh Hà Tĩnh)") == ours
    assert read(widget, "Phòng Tham mưu (Cục XDPT toàn dân bảo vệ ANTQ)") == theirs
    assert read(widget, "phong tham muu (cuc-xdpt)") == theirs
    with pytest.raises(ValueError, match="could be any of these units"):
        read(widget, "Phòng Tham mưu")


# -- What a cell was read as ------------------------------------------------------------------


def test_a_match_says_what_the_cell_named_and_whether_without_marks(hung):
    widget = PersonWidget(Person)
    assert widget.match(read(widget, "Đặng Quang Hùng"), "Đặng Quang Hùng") == Match(
        name="Đặng Quang Hùng",
        unit="Công an huyện Sóc Sơn",
        code="dang-quang-hung",
        without_marks=False,
    )
    assert widget.match(hung, "dang quang hung").without_marks
    assert not widget.match(hung, "dang-quang-hung").without_marks
    assert widget.match(hung, "Đặng Quang Hùng (cong an huyen soc son)").without_marks is False
    assert widget.match(hung, "dang quang hung (Công an huyện Sóc Sơn)").without_marks is False
    assert widget.match(hung, "dang quang hung (cong an huyen soc son)").without_marks


# -- Writing ----------------------------------------------------------------------------------


def test_a_name_is_written_as_itself_when_no_other_record_shares_it(division, person):
    assert UnitWidget(Unit).render(division) == "Phòng Tham mưu"
    assert PersonWidget(Person).render(person) == "Nguyễn Văn Khảo"


def test_namesakes_are_written_with_what_tells_them_apart(ministry, department, person):
    province = Unit.objects.create(name="Công an tỉnh Hà Tĩnh", slug="ca-ha-tinh", parent=ministry)
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="pv01-ha-tinh", parent=province)
    theirs = Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    units = UnitWidget(Unit)
    assert units.render(ours) == "Phòng Tham mưu (Công an tỉnh Hà Tĩnh)"
    assert (
        units.render(theirs)
        == "Phòng Tham mưu (Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc)"
    )
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=ours)
    people = PersonWidget(Person)
    assert people.render(person) == "Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)"
    assert people.render(namesake) == "Nguyễn Văn Khảo (Phòng Tham mưu)"
    # What is written reads back to the same record.
    for widget, record in ((units, ours), (units, theirs), (people, person), (people, namesake)):
        assert type(widget)(widget.model).clean(widget.render(record)) == record


def test_the_namesakes_of_a_name_written_with_its_unit_are_read_unsorted(ministry, person):
    # A common name is shared by thousands across the sector: sorted by name, the 65,000 people
    # of the benchmark's 7,000 names spilled PostgreSQL's sort to disk, for an order never used.
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="tm-ha-tinh", parent=ministry)
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=ours)
    widget = PersonWidget(Person)
    with CaptureQueriesContext(connection) as captured:
        widget.prepare(["Nguyễn Văn Khảo (Phòng Tham mưu)"])
    (namesakes,) = [
        query["sql"]
        for query in captured
        if '"movement_person"."unit_id" AS "unit"' in query["sql"]
    ]
    assert "ORDER BY" not in namesakes
    assert widget.clean("Nguyễn Văn Khảo (Phòng Tham mưu)") == namesake


def test_a_namesakes_written_form_is_not_remembered_as_a_name_read(ministry, person):
    # Every namesake's "Name (Unit)" is a text of its own: remembered in the cache of the keys
    # of names read, 65,536 of them took 26 MB of a 100,000-row export and pushed out the names.
    Person.objects.create(full_name="Lê Văn Tám (Đội 1)", slug="tam")  # forms are checked
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="tm-ha-tinh", parent=ministry)
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=ours)
    exact_key.cache_clear()
    assert PersonWidget(Person).render(namesake) == "Nguyễn Văn Khảo (Phòng Tham mưu)"
    misses = exact_key.cache_info().misses
    exact_key("Nguyễn Văn Khảo (Phòng Tham mưu)")
    assert exact_key.cache_info().misses == misses + 1


def test_namesakes_of_one_unit_are_written_as_their_codes(person):
    namesake = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=person.unit)
    people = PersonWidget(Person)
    assert people.render(person) == "nguyen-van-khao"
    assert people.render(namesake) == "khao-2"
    assert PersonWidget(Person).clean("khao-2") == namesake


def test_a_name_is_never_written_as_another_records_whole_name(ministry, department):
    # A unit really named "Phòng Tham mưu (Bộ Công an)": the other would read as it.
    Unit.objects.create(name="Phòng Tham mưu (Bộ Công an)", slug="odd", parent=department)
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="tm-bo", parent=ministry)
    Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    assert UnitWidget(Unit).render(ours) == "tm-bo"


def test_the_preview_reads_each_unit_a_cell_names(ministry, soc_son):
    resource = TaskResource()
    assigned = match_reader(resource.fields["assigned_units"], Task)
    matches = assigned(Task(), {"Đơn vị chủ trì": "Bộ Công an; cong an huyen soc son"})
    assert [(match.name, match.unit, match.without_marks) for match in matches] == [
        ("Bộ Công an", "", False),
        ("Công an huyện Sóc Sơn", "Công an thành phố Hà Nội", True),
    ]
    plan = match_reader(resource.fields["plan"], Task)
    [match] = plan(Task(), {"Đơn vị": "Công an huyện Sóc Sơn", "Năm": 2017})
    assert (match.code, match.without_marks) == ("ca-soc-son", False)
    assert match_reader(resource.fields["title"], Task) is None


# -- Plans and work areas -------------------------------------------------------------------


@pytest.fixture
def areas(department, division) -> WorkAreaWidget:
    """Two plans of the department, one of the division; two areas in the department's 2017."""
    plan = WorkPlan.objects.create(unit=department, year=2017)
    WorkPlan.objects.create(unit=department, year=2018)
    WorkPlan.objects.create(unit=division, year=2017)
    WorkArea.objects.create(plan=plan, number=1, name="Công tác tham mưu")
    WorkArea.objects.create(plan=plan, number=2, name="Công tác tuyên truyền")
    return WorkAreaWidget(WorkArea, WorkPlanWidget(WorkPlan, UnitWidget(Unit), "Năm"), "Đơn vị")


def test_a_plan_is_the_units_plan_of_the_rows_year(areas, department, division):
    plans = areas.plans
    assert plans.clean("Phòng Tham mưu", {"Năm": 2017}) == WorkPlan.objects.get(
        unit=division, year=2017
    )
    assert plans.clean(department.name, {"Năm": "2018"}) == WorkPlan.objects.get(
        unit=department, year=2018
    )
    assert plans.clean("", {"Năm": 2017}) is None
    with pytest.raises(ValueError) as refused:
        plans.clean("Phòng Tham mưu", {})
    assert str(refused.value) == "Give the year of Phòng Tham mưu's work plan."
    with pytest.raises(ValueError) as refused:
        plans.clean("Phòng Tham mưu", {"Năm": 2019})
    assert str(refused.value) == "Phòng Tham mưu has no work plan for 2019."


def test_a_plan_and_a_work_area_are_written_as_they_are_read(areas, department):
    plan = WorkPlan.objects.get(unit=department, year=2017)
    area = plan.areas.get(number=2)
    assert areas.plans.render(plan) == department.name
    assert areas.plans.render(None) == ""
    assert areas.render(area) == "2. Công tác tuyên truyền"
    assert areas.render(None) == ""
    row = {"Đơn vị": areas.plans.render(plan), "Năm": 2017}
    assert areas.clean(areas.render(area), row) == area


def test_a_work_area_is_named_by_its_number_with_or_without_its_name(areas, department):
    row = {"Đơn vị": department.name, "Năm": 2017}
    second = WorkArea.objects.get(plan__year=2017, number=2)
    assert areas.clean("2", row) == second
    assert areas.clean("2. Công tác tuyên truyền", row) == second
    assert areas.clean(" 2) Công tác tuyên truyền ", row) == second
    assert areas.clean("Công tác tuyên truyền", row) == second
    assert areas.clean("", row) is None
    with pytest.raises(ValueError) as refused:
        areas.clean("3", row)
    assert str(refused.value) == (
        "Cục XDPT toàn dân bảo vệ ANTQ — 2017 has no single work area “3”."
    )


def test_a_work_area_typed_with_other_marks_is_refused_and_without_any_read(areas, department):
    row = {"Đơn vị": department.name, "Năm": 2017}
    assert areas.clean("cong tac tham muu", row).number == 1
    with pytest.raises(ValueError, match="no single work area “Công tác thảm mưu”"):
        areas.clean("Công tác thảm mưu", row)


def test_a_work_area_needs_its_plan(areas):
    with pytest.raises(ValueError) as refused:
        areas.clean("Công tác tham mưu", {})
    assert str(refused.value) == "A work area needs the plan it belongs to."


def test_a_work_area_added_since_the_plan_was_read_is_found(
    areas, department, django_assert_num_queries
):
    row = {"Đơn vị": department.name, "Năm": 2017}
    assert areas.clean("1", row).number == 1
    with django_assert_num_queries(0):  # a file names a plan's areas on many rows: read once
        assert areas.clean("2", row).number == 2
    plan = WorkPlan.objects.get(unit=department, year=2017)
    added = WorkArea.objects.create(plan=plan, number=3, name="Công tác xây dựng lực lượng")
    assert areas.clean("Công tác xây dựng lực lượng", row) == added


# -- Messages ---------------------------------------------------------------------------------


def test_namesakes_are_listed_by_name_unit_and_code_with_an_example_to_write(department):
    department.people.create(full_name="Lê Văn An", slug="le-van-an")
    Person.objects.create(full_name="Lê Văn Ân", slug="le-van-an-2")  # of no unit
    assert refusal(PersonWidget(Person), "le van an") == (
        "“le van an” could be any of these people: Lê Văn An (Cục XDPT toàn dân bảo vệ ANTQ, "
        "le-van-an), Lê Văn Ân (—, le-van-an-2). Write the unit after the name, e.g. "
        "“Lê Văn An (Cục XDPT toàn dân bảo vệ ANTQ)”, or the code."
    )
    Person.objects.filter(slug="le-van-an").update(unit=None)
    assert refusal(PersonWidget(Person), "le van an").endswith("e.g. “Lê Văn An (…)”, or the code.")


def test_a_person_is_listed_by_name_without_their_rank(department):
    for slug in ("tran-an", "tran-an-2"):
        department.people.create(
            full_name="Trần An", slug=slug, rank=Rank.objects.get(name="Trung tướng")
        )
    assert "people: Trần An (Cục XDPT toàn dân bảo vệ ANTQ, tran-an), Trần An (" in refusal(
        PersonWidget(Person), "Trần An"
    )


def test_units_of_no_parent_are_listed_with_a_dash(db):
    Unit.objects.create(name="Đội Lê", slug="doi-le")
    Unit.objects.create(name="Đội Lệ", slug="doi-le-2")
    assert refusal(UnitWidget(Unit), "doi le") == (
        "“doi le” could be any of these units: Đội Lê (—, doi-le), Đội Lệ (—, doi-le-2)."
    )


def test_award_types_are_listed_with_their_class(db):
    for name in ("Kỷ niệm chương Vì an ninh", "Kỷ niệm chương Vì an nính"):
        AwardType.objects.create(
            name=name,
            award_class=AwardType.Class.THIRD,
            category=AwardType.Category.ORDER,
            conferred_by=AwardType.Conferrer.MINISTER,
            for_individuals=True,
        )
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert refusal(types, "ky niem chuong vi an ninh", {"Hạng": "hạng Ba"}) == (
        "“ky niem chuong vi an ninh” could be any of these award types: "
        "Kỷ niệm chương Vì an ninh hạng Ba, Kỷ niệm chương Vì an nính hạng Ba."
    )


def test_a_name_that_differs_in_its_marks_only_is_suggested_first(order_type):
    # Spelled nearly alike, and older; the class's name of the same letters comes first.
    for name in ("Huân chương Quân công", "Huân chương Chiến công"):
        AwardType.objects.create(
            name=name,
            award_class=AwardType.Class.THIRD,
            category=AwardType.Category.ORDER,
            conferred_by=AwardType.Conferrer.STATE_PRESIDENT,
            for_individuals=True,
        )
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert refusal(types, "Huân chương Chiến cồng", {"Hạng": "hạng Ba"}).endswith(
        "Close names: “Huân chương Chiến công”, “Huân chương Quân công”."
    )


# -- Writing namesakes ------------------------------------------------------------------------


def test_namesakes_without_a_unit_to_tell_them_apart_are_written_as_their_codes(department):
    first = Event.objects.create(name="Hội nghị sơ kết", slug="so-ket-2017", organiser=department)
    second = Event.objects.create(name="Hội nghị sơ kết", slug="so-ket-2018", organiser=department)
    events = NamedRecordWidget(Event)
    assert [events.render(first), events.render(second), events.render(None)] == [
        "so-ket-2017",
        "so-ket-2018",
        "",
    ]
    assert NamedRecordWidget(Event).clean("so-ket-2018") == second


def test_an_award_type_is_written_as_its_name_whatever_its_class(order_type):
    other_class = AwardType.objects.create(
        name=order_type.name,
        award_class=AwardType.Class.FIRST,
        category=AwardType.Category.ORDER,
        conferred_by=AwardType.Conferrer.STATE_PRESIDENT,
        for_individuals=True,
    )
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert types.render(order_type) == types.render(other_class) == "Huân chương Bảo vệ Tổ quốc"


def test_namesakes_are_written_once_per_file(ministry, department, django_assert_num_queries):
    Unit.objects.create(name="Phòng Tham mưu", slug="tm-bo", parent=ministry)
    theirs = Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    units = UnitWidget(Unit)
    units.render(theirs)
    with django_assert_num_queries(0):
        assert units.render(theirs).startswith("Phòng Tham mưu (Cục")


def test_namesakes_in_units_whose_names_differ_in_marks_are_written_with_their_units(ministry):
    le = Unit.objects.create(name="Đội Lê", slug="doi-le", parent=ministry)
    le_dot = Unit.objects.create(name="Đội Lệ", slug="doi-le-2", parent=ministry)
    first = Person.objects.create(full_name="Phạm Văn Bình", slug="binh", unit=le)
    second = Person.objects.create(full_name="Phạm Văn Bình", slug="binh-2", unit=le_dot)
    people = PersonWidget(Person)
    assert [people.render(first), people.render(second)] == [
        "Phạm Văn Bình (Đội Lê)",
        "Phạm Văn Bình (Đội Lệ)",
    ]


def test_a_namesake_is_written_as_its_code_when_its_unit_reads_as_another_too(ministry):
    # "PV01" is one unit's short name and another's code: "Name (PV01)" would read as both.
    pv01 = Unit.objects.create(name="Phòng An ninh", short_name="PV01", slug="pa", parent=ministry)
    coded = Unit.objects.create(name="Phòng Cảnh sát", slug="pv01", parent=ministry)
    typed = Unit.objects.create(name="Phòng Hậu cần", short_name="PH10", slug="ph", parent=ministry)
    first = Person.objects.create(full_name="Vũ Văn Cường", slug="cuong", unit=pv01)
    Person.objects.create(full_name="Vũ Văn Cường", slug="cuong-2", unit=coded)
    third = Person.objects.create(full_name="Vũ Văn Cường", slug="cuong-3", unit=typed)
    people = PersonWidget(Person)
    assert people.render(first) == "cuong"
    assert people.render(third) == "Vũ Văn Cường (PH10)"
    assert PersonWidget(Person).clean("Vũ Văn Cường (PH10)") == third


def test_a_person_written_with_their_units_code_reads_as_them(hung):
    assert read(PersonWidget(Person), "Đặng Quang Hùng (ca-soc-son)") == hung


def test_a_person_written_with_a_unit_there_is_not_is_refused(hung):
    assert refusal(PersonWidget(Person), "Đặng Quang Hùng (Công an huyện Sọc Sơn)") == (
        "No person is named “Đặng Quang Hùng (Công an huyện Sọc Sơn)”. "
        "Close names: “Đặng Quang Hùng (Công an huyện Sóc Sơn)”."
    )


def test_an_export_writes_a_record_from_the_values_it_reads_without_loading_it(
    ministry, department
):
    Unit.objects.create(name="Phòng Tham mưu", slug="tm-bo", parent=ministry)
    theirs = Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    person = Person.objects.create(full_name="Ngô Văn Dũng", slug="dung", unit=theirs)
    units = UnitWidget(Unit)
    lookups = units.export_lookups("unit")
    assert lookups == ["unit__name", "unit__slug", "unit__pk", "unit__pk"]
    [values] = Person.objects.filter(pk=person.pk).values_list(*lookups)
    assert (
        units.written_from(*values)
        == units.render(theirs)
        == ("Phòng Tham mưu (Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc)")
    )
    assert units.written_from(None, None, None, None) == ""
    Event.objects.create(name="Hội nghị sơ kết", slug="so-ket-2017", organiser=department)
    second = Event.objects.create(name="Hội nghị sơ kết", slug="so-ket-2018", organiser=department)
    events = NamedRecordWidget(Event)
    assert events.export_lookups("event") == [
        "event__name",
        "event__slug",
        "event__pk",
        "event__pk",
    ]
    assert events.written_from(second.name, second.slug, second.pk, second.pk) == "so-ket-2018"
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert types.export_lookups("award_type") == [
        "award_type__name",
        "award_type__pk",
        "award_type__award_class",
        "award_type__pk",
    ]


# -- Records an earlier row of the same file created -------------------------------------------


def test_a_record_created_since_the_file_was_first_read_is_found(ministry):
    units = UnitWidget(Unit)
    assert read(units, "Bộ Công an") == ministry
    created = Unit.objects.create(name="Đội Cơ động", slug="doi-co-dong", parent=ministry)
    assert read(units, "Đội Cơ động") == created
    events = NamedRecordWidget(Event)
    with pytest.raises(ValueError, match="No event is named"):
        read(events, "Hội nghị tổng kết")
    held = Event.objects.create(name="Hội nghị tổng kết", slug="tong-ket", organiser=ministry)
    assert read(events, "Hội nghị tổng kết") == held


def test_a_namesake_created_since_is_found_by_its_unit(ha, ministry):
    people = PersonWidget(Person)
    assert read(people, "Lê Thu Hà (Công an huyện Sóc Sơn)") == ha
    namesake = Person.objects.create(full_name="Lê Thu Hà", slug="le-thu-ha-2", unit=ministry)
    assert read(people, "Lê Thu Hà (Bộ Công an)") == namesake


def test_a_name_read_before_a_namesake_was_created_is_no_longer_taken_as_one(ministry, department):
    units = UnitWidget(Unit)
    first = Unit.objects.create(name="Đội Tuần tra", slug="tuan-tra-1", parent=ministry)
    assert read(units, "Đội Tuần tra") == first
    Unit.objects.create(name="Đội Tuần tra", slug="tuan-tra-2", parent=department)
    Unit.objects.create(name="Đội Cơ động", slug="doi-co-dong", parent=ministry)
    read(units, "Đội Cơ động")  # looked for among the records created since: finds both
    with pytest.raises(ValueError, match="could be any of these units"):
        read(units, "Đội Tuần tra")


# -- Suggestions ------------------------------------------------------------------------------


def test_a_name_spelled_nearly_alike_is_suggested_as_it_is_written(soc_son, department, person):
    assert refusal(UnitWidget(Unit), "Công an huyện Sóc Sơnn").endswith(
        "Close names: “Công an huyện Sóc Sơn (Công an thành phố Hà Nội)”."
    )
    assert refusal(UnitWidget(Unit), "Cục XDPT toàn dân bảo vệ ANTQQ").endswith(
        "Close names: “Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc (Bộ Công an)”."
    )
    assert refusal(PersonWidget(Person), "Nguyễn Văn Khảoo").endswith(
        "Close names: “Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)”."
    )


def test_suggestions_are_looked_for_for_the_first_unknown_names_of_a_column_only(soc_son):
    units = UnitWidget(Unit)
    for _ in range(SUGGESTED_NAMES):
        assert "Close names" in refusal(units, "Công an huyện Sọc Sơn")
    assert refusal(units, "Công an huyện Sọc Sơn") == "No unit is named “Công an huyện Sọc Sơn”."


def test_an_award_type_of_another_class_is_refused_naming_its_classes(order_type):
    assert refusal(AwardTypeWidget(AwardType, "Hạng", award_class_widget()), order_type.name) == (
        "“Huân chương Bảo vệ Tổ quốc” has no class “no class”; its classes are: hạng Ba."
    )
    for award_class in (AwardType.Class.SECOND, AwardType.Class.NONE):
        AwardType.objects.create(
            name=order_type.name,
            award_class=award_class,
            category=AwardType.Category.ORDER,
            conferred_by=AwardType.Conferrer.STATE_PRESIDENT,
            for_individuals=True,
        )
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert refusal(types, "huan chuong bao ve to quoc", {"Hạng": "hạng Nhất"}) == (
        "“huan chuong bao ve to quoc” has no class “hạng Nhất”; its classes are: "
        "hạng Ba, hạng Nhì, no class."
    )


def test_the_three_names_spelled_most_alike_are_suggested(ministry):
    for number in range(1, 5):
        Unit.objects.create(name=f"Đội Tuần tra {number}", slug=f"tt-{number}", parent=ministry)
    assert refusal(UnitWidget(Unit), "Đội Tuần tra 5").endswith(
        "Close names: “Đội Tuần tra 2 (Bộ Công an)”, “Đội Tuần tra 3 (Bộ Công an)”, "
        "“Đội Tuần tra 4 (Bộ Công an)”."
    )


def test_a_unit_named_as_another_units_short_name_is_written_with_its_parent(ministry, department):
    Unit.objects.create(name="Phòng Hồ sơ", short_name="Phòng Tham mưu", slug="hs", parent=ministry)
    ours = Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    units = UnitWidget(Unit)
    assert (
        units.render(ours)
        == "Phòng Tham mưu (Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc)"
    )
    assert UnitWidget(Unit).clean(units.render(ours)) == ours


def test_names_in_the_old_and_new_tone_placements_are_namesakes(ministry, department):
    old = Person.objects.create(full_name="Nguyễn Thị Thuỷ", slug="thuy-1", unit=ministry)
    new = Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy-2", unit=department)
    people = PersonWidget(Person)
    assert [people.render(old), people.render(new)] == [
        "Nguyễn Thị Thuỷ (Bộ Công an)",
        "Nguyễn Thị Thủy (Cục XDPT toàn dân bảo vệ ANTQ)",
    ]


def test_namesakes_read_a_few_names_at_a_time_are_written_as_when_read_at_once(
    monkeypatch, ministry, department
):
    # A table's namesakes are read a thousand names a query. A unit answers to its name and its
    # short name, which may fall in two different queries; a name has two tone placements.
    Unit.objects.create(name="Phòng Hồ sơ", short_name="Phòng Tham mưu", slug="hs", parent=ministry)
    Unit.objects.create(name="Phòng Hồ sơ", slug="hs-cuc", parent=department)
    Unit.objects.create(name="Phòng Tham mưu", slug="tm-bo", parent=ministry)
    Unit.objects.create(name="Phòng Tham mưu", slug="tm-cuc", parent=department)
    Unit.objects.create(name="PV01", slug="pv01-bo", parent=ministry)
    Unit.objects.create(name="Phòng An ninh", slug="pv01", parent=department)
    Person.objects.create(full_name="Nguyễn Thị Thuỷ", slug="thuy-1", unit=ministry)
    Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy-2", unit=department)
    Person.objects.create(full_name="Nguyễn Thị Thủy", slug="thuy-3", unit=department)

    def written() -> list[str]:
        units, people = UnitWidget(Unit), PersonWidget(Person)
        return [units.render(unit) for unit in Unit.objects.order_by("pk")] + [
            people.render(person) for person in Person.objects.order_by("pk")
        ]

    at_once = written()
    department_name = "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"
    assert at_once[2:] == [
        "Phòng Hồ sơ (Bộ Công an)",
        f"Phòng Hồ sơ ({department_name})",
        # "Phòng Tham mưu (Bộ Công an)" would read as the first unit too, by its short name.
        "tm-bo",
        f"Phòng Tham mưu ({department_name})",
        "PV01 (Bộ Công an)",
        "Phòng An ninh",
        "Nguyễn Thị Thuỷ (Bộ Công an)",
        "thuy-2",
        "thuy-3",
    ]
    monkeypatch.setattr("movement.spreadsheets.names.NAMES_PER_QUERY", 1)
    with CaptureQueriesContext(connection) as captured:
        assert written() == at_once
    # One query for each of the units' three shared names and the people's one.
    namesakes = [query["sql"] for query in captured if " WHERE " in query["sql"]]
    assert sum('"parent_id" AS "parent" FROM "movement_unit"' in sql for sql in namesakes) == 3
    assert sum('"unit_id" AS "unit" FROM "movement_person"' in sql for sql in namesakes) == 1


def test_a_name_spelled_as_another_records_code_is_written_with_its_parent(ministry, department):
    named_so = Unit.objects.create(name="PV01", slug="pv01-ha-noi", parent=ministry)
    Unit.objects.create(name="Phòng An ninh", slug="pv01", parent=department)
    own_code = Unit.objects.create(name="PV02", slug="pv02", parent=ministry)
    units = UnitWidget(Unit)
    assert units.render(named_so) == "PV01 (Bộ Công an)"
    assert units.render(own_code) == "PV02"
    assert UnitWidget(Unit).clean("PV01 (Bộ Công an)") == named_so


def test_a_name_spelled_as_a_code_of_its_own_parent_is_written_as_its_code(ministry):
    # "PV01 (Bộ Công an)" would read as both: the unit named PV01 and the one whose code it is.
    named_so = Unit.objects.create(name="PV01", slug="pv01-bo", parent=ministry)
    Unit.objects.create(name="Phòng An ninh", slug="pv01", parent=ministry)
    units = UnitWidget(Unit)
    assert units.render(named_so) == "pv01-bo"
    assert UnitWidget(Unit).clean("pv01-bo") == named_so


def test_a_namesake_without_a_unit_is_written_as_its_code(person):
    unplaced = Person.objects.create(full_name=person.full_name, slug="khao-2", unit=None)
    people = PersonWidget(Person)
    assert [people.render(person), people.render(unplaced)] == [
        "Nguyễn Văn Khảo (Cục XDPT toàn dân bảo vệ ANTQ)",
        "khao-2",
    ]


def test_a_files_names_are_found_before_its_rows_are_read(hung, ha, django_assert_num_queries):
    people = PersonWidget(Person)
    cells = ["Đặng Quang Hùng (Công an huyện Sóc Sơn)", "le thu ha", "", None]
    people.prepare(cells)
    with django_assert_num_queries(0):
        assert [people.clean(cell) for cell in cells] == [hung, ha, None, None]
        people.prepare(cells)  # names already looked for are not looked for again
    units = UnitWidget(Unit)
    units.prepare(["Công an huyện Sóc Sơn (Công an thành phố Hà Nội)"])
    with django_assert_num_queries(0):
        assert units.clean("Công an huyện Sóc Sơn (Công an thành phố Hà Nội)") == hung.unit


def test_namesakes_of_two_units_named_in_one_file_are_each_found(hung, ministry):
    other = Person.objects.create(full_name=hung.full_name, slug="dang-quang-hung-2", unit=ministry)
    people = PersonWidget(Person)
    cells = ["Đặng Quang Hùng (Công an huyện Sóc Sơn)", "Đặng Quang Hùng (Bộ Công an)"]
    people.prepare(cells)
    assert [people.clean(cell) for cell in cells] == [hung, other]


def test_the_preview_reads_the_record_a_row_was_read_as(soc_son, django_assert_num_queries):
    resource = PersonResource()
    unit = match_reader(resource.fields["unit"], Person)
    read_as = Match(
        name="Công an huyện Sóc Sơn",
        unit="Công an thành phố Hà Nội",
        code="ca-soc-son",
        without_marks=True,
    )
    # The row's record holds the unit the cell was read as: it is not looked for again.
    with django_assert_num_queries(0):
        assert unit(Person(unit=soc_son), {"Đơn vị": "cong an huyen soc son"}) == (read_as,)
    assert unit(Person(), {"Đơn vị": "cong an huyen soc son"}) == (read_as,)
    assert unit(Person(), {"Đơn vị": "Công an huyện Sóc Sơn"})[0].without_marks is False
    assert unit(Person(), {"Đơn vị": "Công an huyện Sọc Sơn"}) == ()
    assert unit(Person(), {"Đơn vị": " "}) == ()
    assert unit(Person(), {}) == ()


def test_the_preview_reads_nothing_from_a_cell_of_several_names_one_unknown(soc_son):
    resource = TaskResource()
    assigned = match_reader(resource.fields["assigned_units"], Task)
    assert (
        assigned(Task(), {"Đơn vị chủ trì": "Công an huyện Sóc Sơn; Công an huyện Sọc Sơn"}) == ()
    )
    assert assigned(Task(), {"Đơn vị chủ trì": ""}) == ()
    plan = match_reader(resource.fields["plan"], Task)
    assert plan(Task(), {"Đơn vị": "", "Năm": 2017}) == ()


def test_a_name_without_marks_of_its_own_is_not_read_without_marks(soc_son):
    # Many Ê Đê names carry no mark: written as stored, nothing was read without its marks.
    bih = Person.objects.create(full_name="Y Bih", slug="y-bih", unit=soc_son)
    people = PersonWidget(Person)
    assert people.match(bih, "Y Bih (ca-soc-son)").without_marks is False
    assert people.match(bih, "Y Bih (cong an huyen soc son)").without_marks is True


def test_a_unit_named_with_brackets_and_no_parent_is_read_without_marks_as_typed(db):
    squad = Unit.objects.create(name="Đội 1 (Cơ động)", slug="doi-1")
    assert UnitWidget(Unit).match(squad, "doi 1 (co dong)").without_marks is True
    assert UnitWidget(Unit).match(squad, "Đội 1 (Cơ động)").without_marks is False


def test_an_award_type_is_read_as_its_name_and_class(order_type):
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert types.match(order_type, "huan chuong bao ve to quoc") == Match(
        name="Huân chương Bảo vệ Tổ quốc hạng Ba", unit="", code="", without_marks=True
    )


def test_the_preview_reads_an_award_type_in_the_rows_class(order_type):
    types = match_reader(AwardResource().fields["award_type"], Award)
    [match] = types(Award(), {"Hình thức khen thưởng": order_type.name, "Hạng": "hạng Ba"})
    assert match.name == "Huân chương Bảo vệ Tổ quốc hạng Ba"
    assert types(Award(), {"Hình thức khen thưởng": order_type.name, "Hạng": "hạng Nhất"}) == ()


def test_namesakes_in_units_of_one_name_are_refused_with_their_codes(ministry, department):
    for parent, slug in ((ministry, "an-1"), (department, "an-2")):
        unit = Unit.objects.create(name="Phòng Tham mưu", slug=f"tm-{slug}", parent=parent)
        Person.objects.create(full_name="Lê Văn An", slug=slug, unit=unit)
    assert refusal(PersonWidget(Person), "Lê Văn An (Phòng Tham mưu)") == (
        "“Lê Văn An (Phòng Tham mưu)” could be any of these people: "
        "Lê Văn An (Phòng Tham mưu, an-1), Lê Văn An (Phòng Tham mưu, an-2). "
        "Write the unit after the name, e.g. “Lê Văn An (Phòng Tham mưu)”, or the code."
    )


def test_a_files_award_types_are_found_before_its_rows_are_read(
    order_type, django_assert_num_queries
):
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    types.prepare(["huan chuong bao ve to quoc"])
    with django_assert_num_queries(0):
        assert read(types, "huan chuong bao ve to quoc", {"Hạng": "hạng Ba"}) == order_type


def test_a_code_reads_whatever_its_case_and_spacing(soc_son):
    assert read(UnitWidget(Unit), " CA-SOC-SON ") == soc_son


def test_names_looked_for_in_an_earlier_batch_are_not_looked_for_again(
    ministry, department, django_assert_num_queries
):
    units = UnitWidget(Unit)
    units.prepare(["Bộ Công an"])
    units.prepare(["Cục XDPT toàn dân bảo vệ ANTQ"])
    with django_assert_num_queries(0):
        assert read(units, "Bộ Công an") == ministry


def test_an_award_type_created_since_the_file_was_first_read_is_found(order_type):
    types = AwardTypeWidget(AwardType, "Hạng", award_class_widget())
    assert read(types, order_type.name, {"Hạng": "hạng Ba"}) == order_type
    created = AwardType.objects.create(
        name="Huân chương Chiến công",
        award_class=AwardType.Class.THIRD,
        category=AwardType.Category.ORDER,
        conferred_by=AwardType.Conferrer.STATE_PRESIDENT,
        for_individuals=True,
    )
    assert read(types, "Huân chương Chiến công", {"Hạng": "hạng Ba"}) == created


def test_units_read_in_one_file_share_one_record_of_their_parent(division):
    Unit.objects.create(name="Phòng Hồ sơ", slug="ho-so", parent=division.parent)
    units = UnitWidget(Unit)
    units.prepare(["Phòng Hồ sơ", "Phòng Tham mưu"])
    # A file of thousands of units keeps each parent once, however many children it names.
    assert read(units, "Phòng Hồ sơ").parent is read(units, "Phòng Tham mưu").parent
