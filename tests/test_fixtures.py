"""The report's records (fixtures/report.json): one test per fact of the report.

Each fact is checked against what the report says; where a record goes beyond the report's words,
the test also checks that the record says so in its inference note.
"""

import datetime
import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from simple_history.models import HistoricalChanges

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
from movement.models.base import Searchable, Sourced
from movement.text import fold, normalize

REPORT_SLUG = "bao-cao-hoi-nghi-2017"
FIXTURE_FILE = settings.BASE_DIR / "fixtures" / "report.json"

CUC = "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc"
TONG_CUC = "Tổng cục Chính trị Công an nhân dân"
CONFERENCE = "Hội nghị triển khai công tác năm 2017"
FLAG_OF_MINISTRY = "Cờ thi đua xuất sắc của Bộ Công an"
FLAG_OF_TONG_CUC = "Cờ thi đua xuất sắc của Tổng cục"


@pytest.fixture
def report(db) -> Source:
    call_command("loaddata", "report", verbosity=0)
    return Source.objects.get(slug=REPORT_SLUG)


def movement_models(*, include_auto_created: bool = False) -> list:
    config = apps.get_app_config("movement")
    return list(config.get_models(include_auto_created=include_auto_created))


def counts() -> dict[str, int]:
    # History grows with every load by design (tests/test_audit.py); the records must not.
    return {
        model._meta.label: model._default_manager.count()
        for model in movement_models(include_auto_created=True)
        if not issubclass(model, HistoricalChanges)
    }


def sourced_records() -> list[Sourced]:
    return [
        record
        for model in movement_models()
        if issubclass(model, Sourced)
        for record in model._default_manager.all()
    ]


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def person(full_name: str) -> Person:
    return Person.objects.get(full_name=full_name)


def awards_of(type_name: str, award_class: str = "") -> list[Award]:
    return list(
        Award.objects.filter(award_type__name=type_name, award_type__award_class=award_class)
    )


def run_load_report(*args: str) -> str:
    out = StringIO()
    call_command("load_report", *args, stdout=out)
    return out.getvalue().strip()


# Loading


def test_report_loads_into_an_empty_database(report):
    assert Source.objects.count() == 1
    assert Unit.objects.count() == 9
    assert Person.objects.count() == 7
    assert Event.objects.count() == 2
    assert Participation.objects.count() == 7
    assert Campaign.objects.count() == 3
    assert AwardType.objects.count() == 4
    assert Award.objects.count() == 5
    assert WorkPlan.objects.count() == 2
    assert WorkArea.objects.count() == 0
    assert Task.objects.count() == 4


def test_loading_twice_adds_nothing(report):
    before = counts()
    call_command("loaddata", "report", verbosity=0)
    assert counts() == before


def test_fixture_refers_by_natural_keys_only():
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    assert all("pk" not in record for record in records)
    assert all(record["fields"]["key"] for record in records if record["model"] == "movement.award")


# The source


def test_the_source_is_the_whole_report_by_tam_pham_without_a_date(report):
    assert report.kind == Source.Kind.REPORT
    assert report.author == "Tâm Phạm"
    assert report.published_on is None
    assert report.title == "Hội nghị triển khai công tác năm 2017 của Cục XDPT toàn dân bảo vệ ANTQ"
    assert report.text.startswith("Trung tướng Nguyễn Văn Khảo, Cục trưởng Cục XDPT")
    assert report.text.rstrip().endswith("trong toàn thể CBCS.\n\nTâm Phạm")


def test_the_source_note_says_the_title_comes_from_the_reports_own_caption(report):
    assert "không có tiêu đề" in report.note
    assert "Toàn cảnh Hội nghị triển khai công tác năm 2017." in report.note


def test_every_quote_is_verbatim_from_the_report(report):
    text = normalize(report.text)
    for record in sourced_records():
        for line in record.quotes():
            assert normalize(line) in text, f"{record._meta.label} {record}: {line}"


def test_every_record_from_the_report_has_a_source_and_a_quote(report):
    records = sourced_records()
    assert len(records) == 43  # every record but the Source itself
    for record in records:
        assert record.source_id == report.pk, f"{record._meta.label} {record}"
        assert record.quotes(), f"{record._meta.label} {record}"


# Units


@pytest.mark.parametrize(
    ("name", "short_name", "kind", "parent"),
    [
        ("Bộ Công an", "", Unit.Kind.MINISTRY, None),
        (TONG_CUC, "Tổng cục Chính trị CAND", Unit.Kind.GENERAL_DEPARTMENT, "Bộ Công an"),
        ("Văn phòng Bộ Công an", "", Unit.Kind.DEPARTMENT, "Bộ Công an"),
        (CUC, "Cục XDPT toàn dân bảo vệ ANTQ", Unit.Kind.DEPARTMENT, TONG_CUC),
        ("Phòng Tham mưu", "", Unit.Kind.DIVISION, CUC),
        ("Phòng Hướng dẫn phong trào ngoài xã hội", "", Unit.Kind.DIVISION, CUC),
    ],
)
def test_units_of_the_ministry_have_their_kind_short_name_and_parent(
    report, name, short_name, kind, parent
):
    found = unit(name)
    assert found.short_name == short_name
    assert found.kind == kind
    assert found.is_external is False
    assert (found.parent.name if found.parent else None) == parent


def test_the_cuc_under_the_tong_cuc_is_an_inference_and_says_why(report):
    note = unit(CUC).inference_note
    assert "Tổng cục Chính trị CAND" in note
    assert "suy luận" in note
    assert "Phó Tổng cục trưởng" in note


@pytest.mark.parametrize("name", ["Phòng Tham mưu", "Phòng Hướng dẫn phong trào ngoài xã hội"])
def test_the_divisions_under_the_cuc_are_inferred_from_context(report, name):
    assert "suy ra từ ngữ cảnh" in unit(name).inference_note


def test_phong_tham_muu_under_the_cuc_rests_on_pham_thi_oanh_speaking_there(report):
    assert "Phạm Thị Oanh" in unit("Phòng Tham mưu").inference_note


def test_the_ministry_tree_holds_six_units_and_no_outside_organisation(report):
    below_ministry = {u.name for u in unit("Bộ Công an").subtree()}
    assert below_ministry == {
        "Bộ Công an",
        TONG_CUC,
        "Văn phòng Bộ Công an",
        CUC,
        "Phòng Tham mưu",
        "Phòng Hướng dẫn phong trào ngoài xã hội",
    }


@pytest.mark.parametrize(
    ("name", "short_name"),
    [
        ("Ban Dân vận Trung ương", "Ban Dân vận TW"),
        ("Mặt trận Tổ quốc", ""),
    ],
)
def test_outside_organisations_are_external_and_stand_alone(report, name, short_name):
    found = unit(name)
    assert found.is_external is True
    assert found.kind == Unit.Kind.ORGANISATION
    assert found.parent is None
    assert found.short_name == short_name


def test_the_central_police_party_committee_is_the_sectors_own_not_outside_it(report):
    found = unit("Đảng ủy Công an Trung ương")
    assert found.is_external is False
    assert found.kind == Unit.Kind.PARTY_COMMITTEE
    # The report names no parent; the kind is known from outside it, and the record says so.
    assert found.parent is None
    assert "tổ chức Đảng của chính ngành công an" in found.inference_note
    assert "hiểu biết ngoài báo cáo" in found.inference_note


@pytest.mark.parametrize(
    ("short_name", "name"),
    [
        ("Ban Dân vận TW", "Ban Dân vận Trung ương"),
        ("Đảng ủy Công an TW", "Đảng ủy Công an Trung ương"),
        ("Tổng cục Chính trị CAND", TONG_CUC),
        ("Cục XDPT toàn dân bảo vệ ANTQ", CUC),
    ],
)
def test_names_spelled_out_from_the_reports_abbreviations_say_so(report, short_name, name):
    found = Unit.objects.get(short_name=short_name)
    assert found.name == name
    assert f"“{short_name}”" in found.inference_note


# People


@pytest.mark.parametrize(
    ("full_name", "rank", "position", "unit_name"),
    [
        ("Nguyễn Văn Khảo", "Trung tướng", "Cục trưởng Cục XDPT toàn dân bảo vệ ANTQ", CUC),
        ("Nguyễn Hải Trung", "Đại tá", "Phó Tổng cục trưởng Tổng cục Chính trị CAND", TONG_CUC),
        (
            "Nguyễn Minh Tuấn",
            "Thiếu tướng",
            "Phó Chánh Văn phòng Bộ Công an",
            "Văn phòng Bộ Công an",
        ),
        ("Nguyễn Văn Chi", "Đại tá", "", None),
        ("Tô Lâm", None, "Bộ trưởng Bộ Công an", "Bộ Công an"),
        ("Phạm Thị Oanh", "Thượng tá", "Trưởng phòng Tham mưu", "Phòng Tham mưu"),
        ("Lương Ngọc Dương", "Thiếu tướng", "Phó cục trưởng Cục XDPT Toàn dân bảo vệ ANTQ", CUC),
    ],
)
def test_each_person_has_the_rank_position_and_unit_the_report_gives(
    report, full_name, rank, position, unit_name
):
    found = person(full_name)
    assert (found.rank.name if found.rank else None) == rank
    assert found.position == position
    assert (found.unit.name if found.unit else None) == unit_name
    assert found.inference_note == ""


def test_nguyen_van_chi_has_neither_position_nor_unit_as_the_report_gives_none(report):
    chi = person("Nguyễn Văn Chi")
    assert (chi.position, chi.unit) == ("", None)


def test_to_lam_has_no_rank_as_the_report_gives_none(report):
    assert person("Tô Lâm").rank is None


def test_the_author_is_not_a_person_of_the_report(report):
    assert not Person.objects.filter(full_name="Tâm Phạm").exists()


# Events and who did what


def test_the_conference_is_the_cucs_and_has_no_date(report):
    conference = Event.objects.get(name=CONFERENCE)
    assert conference.organiser == unit(CUC)
    assert (conference.date, conference.year) == (None, None)
    assert "Báo cáo không nêu ngày tổ chức." in conference.description
    assert conference.is_inferred  # the report does not say who organised it


def test_khao_chairs_the_conference_as_trung_tuong(report):
    conference = Event.objects.get(name=CONFERENCE)
    [chair] = conference.participations.filter(role=Participation.Role.CHAIR)
    assert chair.person == person("Nguyễn Văn Khảo")
    assert chair.person.rank == Rank.objects.get(name="Trung tướng")
    assert chair.activity == "chủ trì Hội nghị"


def test_the_conference_has_two_guests_and_three_speakers(report):
    roles = {
        (p.person.full_name, p.role, p.activity)
        for p in Participation.objects.filter(event__name=CONFERENCE)
    }
    assert roles == {
        ("Nguyễn Văn Khảo", "chair", "chủ trì Hội nghị"),
        (
            "Nguyễn Văn Khảo",
            "speaker",
            "trình bày báo cáo công tác và triển khai công tác năm 2017",
        ),
        ("Nguyễn Hải Trung", "guest", "dự Hội nghị"),
        ("Nguyễn Minh Tuấn", "guest", "dự Hội nghị"),
        ("Phạm Thị Oanh", "speaker", "phát biểu tham luận"),
        ("Lương Ngọc Dương", "speaker", "phát động phong trào thi đua “Vì ANTQ” năm 2017"),
    }


def test_award_presenters_are_not_recorded_as_participants(report):
    assert not Participation.objects.filter(person__full_name="Nguyễn Văn Chi").exists()


def test_to_lam_stressed_the_movement_at_the_72nd_national_conference(report):
    conference = Event.objects.get(name="Hội nghị Công an toàn quốc lần thứ 72")
    assert conference.organiser == unit("Bộ Công an")
    assert (conference.date, conference.year) == (None, None)
    [speech] = conference.participations.all()
    assert speech.person == person("Tô Lâm")
    assert speech.role == Participation.Role.SPEAKER
    assert speech.activity.startswith("nhấn mạnh vị trí thứ 2 của công tác XDPT")


# Campaigns


def test_the_movement_has_its_motto_and_guiding_principle_and_no_years(report):
    movement = Campaign.objects.get(name="Phong trào Toàn dân bảo vệ an ninh Tổ quốc")
    assert movement.kind == Campaign.Kind.MOVEMENT
    assert movement.motto == "Tự phòng, tự quản, tự bảo vệ, tự hòa giải"
    assert movement.guiding_principle == "trọng dân, gần dân, hiểu dân, có trách nhiệm với nhân dân"
    assert (movement.start_year, movement.end_year) == (None, None)
    assert movement.description.startswith("Năm 2016, công tác XDPT toàn dân bảo vệ ANTQ")


def test_vi_antq_2017_is_launched_by_duong_at_the_conference_with_its_slogan(report):
    campaign = Campaign.objects.get(slug="vi-antq-2017")
    assert campaign.name == "Phong trào thi đua “Vì ANTQ” năm 2017"
    assert campaign.kind == Campaign.Kind.EMULATION
    assert (campaign.start_year, campaign.end_year) == (2017, 2017)
    assert campaign.slogan == "đổi mới, đoàn kết, kỷ cương, trách nhiệm, hiệu quả"
    assert campaign.audience == "toàn thể CBCS"
    assert campaign.launched_by_unit == unit(CUC)
    assert campaign.launched_by_person == person("Lương Ngọc Dương")
    assert campaign.launch_event == Event.objects.get(name=CONFERENCE)


def test_the_2016_emulation_campaign_is_named_only_by_its_year(report):
    campaign = Campaign.objects.get(name="Phong trào thi đua năm 2016")
    assert campaign.kind == Campaign.Kind.EMULATION
    assert (campaign.start_year, campaign.end_year) == (2016, 2016)
    assert campaign.slogan == ""
    assert "“phong trào thi đua năm 2016”" in campaign.inference_note


def test_uncounted_commendations_stay_in_the_description_not_as_awards(report):
    campaign = Campaign.objects.get(name="Phong trào thi đua năm 2016")
    assert "nhiều tập thể cá nhân được các cấp, ngành khen thưởng…" in campaign.description
    assert Award.objects.count() == 5


# Award types


@pytest.mark.parametrize(
    ("name", "award_class", "category", "conferred_by", "individuals", "collectives"),
    [
        (FLAG_OF_MINISTRY, "", "flag", "minister", False, True),
        (FLAG_OF_TONG_CUC, "", "flag", "general_department", False, True),
        ("Huân chương Bảo vệ Tổ quốc", "3", "order", "state_president", True, True),
        ("Đơn vị Quyết thắng", "", "title", "", False, True),
    ],
)
def test_award_types_of_the_report(
    report, name, award_class, category, conferred_by, individuals, collectives
):
    award_type = AwardType.objects.get_by_natural_key(name, award_class)
    assert award_type.category == category
    assert award_type.conferred_by == conferred_by
    assert (award_type.for_individuals, award_type.for_collectives) == (individuals, collectives)


def test_the_order_is_third_class(report):
    assert str(AwardType.objects.get(category="order")) == "Huân chương Bảo vệ Tổ quốc hạng Ba"


def test_the_tong_cuc_flag_ends_in_2018_by_knowledge_beyond_the_report(report):
    flag = AwardType.objects.get(name=FLAG_OF_TONG_CUC)
    assert (flag.valid_from, flag.valid_until) == (None, datetime.date(2018, 12, 31))
    assert "ngoài báo cáo" in flag.inference_note
    assert "2018" in flag.inference_note


# Awards


def test_khao_presented_the_ministry_flag_to_phong_tham_muu_for_the_minister(report):
    [award] = Award.objects.filter(recipient_unit__name="Phòng Tham mưu")
    assert award.award_type.name == FLAG_OF_MINISTRY
    assert award.year == 2016
    assert award.presented_by == person("Nguyễn Văn Khảo")
    assert award.on_behalf_of == "Bộ trưởng Bộ Công an"
    assert award.conferring_unit == unit("Bộ Công an")
    assert award.event == Event.objects.get(name=CONFERENCE)


def test_the_cuc_itself_received_the_ministry_flag_without_a_ceremony(report):
    [award] = Award.objects.filter(recipient_unit=unit(CUC))
    assert award.award_type.name == FLAG_OF_MINISTRY
    assert award.year == 2016
    assert award.conferring_unit == unit("Bộ Công an")
    assert (award.presented_by, award.on_behalf_of, award.event) == (None, "", None)


def test_nguyen_hai_trung_presented_the_tong_cuc_flag_to_phong_huong_dan(report):
    [award] = Award.objects.filter(recipient_unit__name="Phòng Hướng dẫn phong trào ngoài xã hội")
    assert award.award_type.name == FLAG_OF_TONG_CUC
    assert award.year == 2016
    assert award.presented_by == person("Nguyễn Hải Trung")
    assert award.on_behalf_of == "lãnh đạo Tổng cục Chính trị CAND"
    assert award.conferring_unit == unit(TONG_CUC)
    assert award.event == Event.objects.get(name=CONFERENCE)


def test_khao_received_the_third_class_order_from_the_state_president(report):
    [award] = Award.objects.filter(recipient_person=person("Nguyễn Văn Khảo"))
    assert str(award.award_type) == "Huân chương Bảo vệ Tổ quốc hạng Ba"
    assert award.award_type.conferred_by == AwardType.Conferrer.STATE_PRESIDENT
    assert award.year == 2016
    assert award.rank_at_award == Rank.objects.get(name="Trung tướng")
    assert award.position_at_award == "Cục trưởng Cục XDPT toàn dân bảo vệ ANTQ"
    assert (award.conferring_unit, award.presented_by, award.event) == (None, None, None)


def test_quyet_thang_title_went_to_an_unnamed_group_of_three(report):
    [award] = awards_of("Đơn vị Quyết thắng")
    assert (award.recipient_unit, award.recipient_person) == (None, None)
    assert (award.group_kind, award.group_count) == ("collective", 3)
    assert award.recipient_label == "3 tập thể"
    assert award.presented_by == person("Nguyễn Văn Chi")
    assert award.event == Event.objects.get(name=CONFERENCE)
    assert award.conferring_unit is None
    assert award.year == 2016
    assert "suy luận" in award.inference_note  # the year is not in the sentence


def test_every_award_is_for_2016_under_the_2016_campaign(report):
    campaign = Campaign.objects.get(name="Phong trào thi đua năm 2016")
    assert {(a.year, a.campaign) for a in Award.objects.all()} == {(2016, campaign)}


def test_reconciled_awards_are_recorded_once_with_both_mentions(report):
    # "Tập thể Cục … và 1 đơn vị cấp cơ sở của Cục": two ministry flags, one being the ceremony's.
    assert {a.recipient_unit.name for a in awards_of(FLAG_OF_MINISTRY)} == {CUC, "Phòng Tham mưu"}
    # "1 tập thể được Tặng cờ thi đua của Tổng cục Chính trị CAND": the ceremony's only.
    assert len(awards_of(FLAG_OF_TONG_CUC)) == 1
    ceremonies = {
        "Phòng Tham mưu": ("tặng Phòng Tham mưu.", "1 đơn vị cấp cơ sở của Cục"),
        "Phòng Hướng dẫn phong trào ngoài xã hội": (
            "cho Phòng Hướng dẫn phong trào ngoài xã hội.",
            "1 tập thể được Tặng cờ thi đua của Tổng cục Chính trị CAND",
        ),
    }
    for recipient, (ceremony, summary) in ceremonies.items():
        award = Award.objects.get(recipient_unit__name=recipient)
        ceremony_line, summary_line = award.quotes()
        assert ceremony_line.endswith(ceremony)
        assert summary_line.startswith("Tổng kết phong trào thi đua năm 2016")
        assert summary in summary_line
        assert "Đối chiếu hai câu" in award.inference_note


def test_awards_keep_their_fixed_keys(report):
    keys = {str(key) for key in Award.objects.values_list("key", flat=True)}
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    assert keys == {r["fields"]["key"] for r in records if r["model"] == "movement.award"}


# Work plans and tasks


def test_2017_plan_declares_8_areas_and_13_tasks_with_none_entered(report):
    plan = WorkPlan.objects.get_by_natural_key(unit(CUC).slug, 2017)
    assert (plan.declared_area_count, plan.declared_task_count) == (8, 13)
    assert plan.campaign.name == "Phong trào Toàn dân bảo vệ an ninh Tổ quốc"
    assert (plan.areas.count(), plan.tasks.count()) == (0, 0)


def test_2016_tasks_are_the_cucs_four_done_tasks(report):
    plan = WorkPlan.objects.get_by_natural_key(unit(CUC).slug, 2016)
    assert (plan.declared_area_count, plan.declared_task_count) == (None, None)
    assert plan.is_inferred  # the report names no 2016 plan
    tasks = list(plan.tasks.all())
    assert [t.number for t in tasks] == [1, 2, 3, 4]
    for task in tasks:
        assert task.status == Task.Status.DONE
        assert list(task.assigned_units.all()) == [unit(CUC)]


def test_the_cuc_drafted_4_directives_for_the_minister(report):
    task = Task.objects.get(plan__year=2016, number=1)
    assert "Chỉ thị" in task.title
    assert task.result_quantity == 4
    assert "4 Chỉ thị quan trọng" in task.result
    assert task.coordinating_units.count() == 0


def test_the_cuc_drafted_1_programme_with_ban_dan_van_tw(report):
    task = Task.objects.get(plan__year=2016, number=2)
    assert "Chương trình phối hợp với Ban Dân vận TW" in task.title
    assert task.result_quantity == 1
    assert list(task.coordinating_units.all()) == [unit("Ban Dân vận Trung ương")]


def test_criterion_19_of_the_new_countryside_criteria_was_carried_out(report):
    task = Task.objects.get(plan__year=2016, number=3)
    assert "Tiêu chí số 19 về “An ninh, trật tự xã hội được giữ vững”" in task.title
    assert "Bộ tiêu chí quốc gia về xây dựng Nông thôn mới" in task.title
    assert "được tổ chức thực hiện và mang lại hiệu quả tích cực" in task.result
    assert task.result_quantity is None


def test_the_movement_work_ranks_2nd_of_12_key_tasks_of_the_sector(report):
    task = Task.objects.get(plan__year=2016, number=4)
    assert "vị trí thứ 2 trong số 12 nhiệm vụ, giải pháp trọng tâm" in task.result
    assert "Đảng ủy Công an TW và lãnh đạo Bộ Công an" in task.result
    assert "Tô Lâm" in task.result
    assert task.coordinating_units.count() == 0


# The load_report command


def test_load_report_loads_an_empty_database_and_says_how_many(db):
    records = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))
    assert run_load_report() == f"Đã nạp dữ liệu báo cáo: {len(records)} bản ghi"
    assert Source.objects.filter(slug=REPORT_SLUG).exists()


def test_load_report_fills_the_search_text_of_every_record(db):
    run_load_report()
    searchable = [m for m in movement_models() if issubclass(m, Searchable)]
    for model in searchable:
        for record in model._default_manager.all():
            expected = fold(" ".join(part for part in record.search_parts() if part))
            assert record.search_text == expected != "", f"{model._meta.label} {record}"
    found = Person.objects.filter(search_text__contains=fold("nguyen van khao"))
    assert list(found) == [person("Nguyễn Văn Khảo")]


def test_load_report_keeps_staff_edits(db):
    run_load_report()
    before = counts()
    Person.objects.filter(full_name="Phạm Thị Oanh").update(position="Trưởng phòng (đã sửa)")
    assert run_load_report() == "Dữ liệu báo cáo đã có, bỏ qua (dùng --force để nạp lại)"
    assert person("Phạm Thị Oanh").position == "Trưởng phòng (đã sửa)"
    assert counts() == before


def test_load_report_skips_when_the_report_was_loaded_otherwise(report):
    before = counts()
    assert run_load_report() == "Dữ liệu báo cáo đã có, bỏ qua (dùng --force để nạp lại)"
    assert counts() == before


def test_load_report_force_reloads_the_report_without_duplicating(db):
    run_load_report()
    before = counts()
    Person.objects.filter(full_name="Phạm Thị Oanh").update(position="Trưởng phòng (đã sửa)")
    assert run_load_report("--force").startswith("Đã nạp dữ liệu báo cáo:")
    assert person("Phạm Thị Oanh").position == "Trưởng phòng Tham mưu"
    assert counts() == before
