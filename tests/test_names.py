"""How a cell names a record: with the record's letters and marks, or, typed without any mark,
the one record it fits; and how a record is written so that it reads back to itself alone."""

import unicodedata

import pytest
from django.utils import translation

from movement.models import AwardType, Campaign, Event, Person, Task, Unit, WorkArea, WorkPlan
from movement.spreadsheets.cells import ChoiceWidget
from movement.spreadsheets.names import (
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
from movement.spreadsheets.resources import TaskResource, award_class_widget


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
