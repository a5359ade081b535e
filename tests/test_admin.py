"""The staff's admin: every page in a fixed number of queries, search that ignores accents, filters
that follow the unit tree, award rules on the form, and Vietnamese by default."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from movement.models import (
    Award,
    AwardType,
    Campaign,
    Event,
    Participation,
    PendingImport,
    Person,
    Posting,
    Rank,
    Source,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)
from movement.permissions import EMULATION_OFFICERS
from movement.spreadsheets.resources import AwardResource
from tests.factories import (
    EXPORT_FIELDS,
    NAMESAKE_SEARCHES,
    NAMESAKES,
    award_form,
    in_english,
    make_namesakes,
)
from tests.spreadsheets import xlsx

ROWS = 5


@pytest.fixture
def records(ministry, department, division, person, flag_type, order_type, event, campaign):
    """Five or more of every record, linked the way real data is, so a query per row would show."""
    sources = [
        Source.objects.create(slug=f"bao-cao-{i}", title=f"Báo cáo số {i}", author="Phòng Tham mưu")
        for i in range(ROWS)
    ]
    units = [
        Unit.objects.create(
            name=f"Đội Công tác số {i}",
            slug=f"doi-{i}",
            kind=Unit.Kind.DIVISION,
            parent=division,
            source=sources[i],
            inference_note="Tên đội suy ra từ danh sách." if i % 2 else "",
        )
        for i in range(ROWS)
    ]
    people = [
        Person.objects.create(
            full_name=f"Đỗ Văn Đức {i}",
            slug=f"do-van-duc-{i}",
            rank=Rank.objects.get(name="Đại tá"),
            position="Trưởng phòng",
            unit=units[i],
            source=sources[i],
        )
        for i in range(ROWS)
    ]
    events = [
        Event.objects.create(
            name=f"Hội nghị sơ kết {2010 + i}",
            slug=f"so-ket-{i}",
            date=datetime.date(2010 + i, 12, 1),
            organiser=department,
            source=sources[i],
        )
        for i in range(ROWS)
    ]
    for i, each in enumerate(events):
        Participation.objects.create(event=each, person=person, role=Participation.Role.CHAIR)
        Participation.objects.create(
            event=each, person=people[i], role=Participation.Role.SPEAKER, source=sources[i]
        )
    campaigns = [
        Campaign.objects.create(
            name=f"Phong trào thi đua năm {2010 + i}",
            slug=f"thi-dua-{2010 + i}",
            kind=Campaign.Kind.EMULATION,
            start_year=2010 + i,
            launched_by_unit=department,
            launched_by_person=person,
            launch_event=events[i],
            source=sources[i],
        )
        for i in range(ROWS)
    ]
    types = [
        AwardType.objects.create(
            name=f"Bằng khen loại {i}",
            category=AwardType.Category.CERTIFICATE_OF_MERIT,
            for_individuals=True,
            for_collectives=True,
            source=sources[i],
        )
        for i in range(ROWS)
    ]
    awards = [
        Award.objects.create(
            award_type=types[i],
            year=2010 + i,
            recipient_person=people[i] if i % 2 else None,
            recipient_unit=None if i % 2 else units[i],
            conferring_unit=ministry,
            presented_by=person,
            event=events[i],
            campaign=campaigns[i],
            decision_number=f"{i}/QĐ-BCA",
            decision_date=datetime.date(2010 + i, 11, 20),
            source=sources[i],
            source_quote=f"Câu trích số {i}.",
        )
        for i in range(ROWS)
    ]
    awards.append(
        Award.objects.create(
            award_type=order_type,
            year=2016,
            group_kind="collective",
            group_count=3,
            conferring_unit=ministry,
            presented_by=person,
            campaign=campaign,
        )
    )
    plans = [
        WorkPlan.objects.create(
            unit=units[i],
            year=2017,
            campaign=campaign,
            declared_area_count=13,
            declared_task_count=40,
            source=sources[i],
        )
        for i in range(ROWS)
    ]
    for plan in plans:
        areas = [
            WorkArea.objects.create(plan=plan, number=n, name=f"Mặt công tác {n}")
            for n in range(1, ROWS + 1)
        ]
        for n in range(1, ROWS + 1):
            task = Task.objects.create(
                plan=plan,
                area=areas[n - 1],
                number=n,
                title=f"Nhiệm vụ {n} của {plan.unit}",
                source=sources[n - 1],
            )
            task.assigned_units.set([plan.unit, department])
            task.coordinating_units.set(units[:2])
    return {
        "source": sources[0],
        "unit": units[1],
        "rank": Rank.objects.get(name="Đại tá"),
        "person": people[1],
        "event": events[1],
        "campaign": campaigns[1],
        "awardtype": types[1],
        "award": awards[1],
        "workplan": plans[1],
        "task": plans[1].tasks.get(number=2),
    }


def get(client, url, django_assert_num_queries, queries):
    """GET ``url`` twice and count the second: a running server has its per-process caches
    (content types) warm, and a first request's misses would make the count depend on test order.
    """
    client.get(url)
    with django_assert_num_queries(queries):
        return client.get(url)


# Queries per page, pinned: a query per row or per inline row would change them. Each request
# starts with two, the session and the user. Changelists then add their filters' choices (years
# from MIN/MAX, units in tree order, related records), the count and the rows; change pages the
# record, its inlines and one query per filled autocomplete field.
CHANGELIST_QUERIES = {
    "source": 5,
    "unit": 5,
    "rank": 5,
    "person": 6,
    "event": 6,
    "campaign": 5,
    # The days a type begins or ends (InForceOnFilter), and the legal texts cited.
    "awardtype": 7,
    "award": 8,
    "workplan": 7,
    "task": 6,
}
ADD_QUERIES = {
    "source": 2,
    "unit": 2,
    "rank": 2,
    # The ranks, once, for the rank history's rows.
    "person": 3,
    "event": 2,
    "campaign": 2,
    "awardtype": 2,
    "award": 2,
    "workplan": 2,
    "task": 2,
}
CHANGE_QUERIES = {
    "source": 3,
    # The unit's yearly ratings, inline.
    "unit": 6,
    "rank": 3,
    # Whether they have a rank history and postings, the six kinds of their service record, the
    # ranks once for the rank history's rows, and the award types with a rule this year
    # (movement.eligibility; none loaded here: with the law's catalogue, four more read the
    # person's facts, whatever their number).
    "person": 16,
    "event": 9,
    "campaign": 7,
    "awardtype": 4,
    "award": 11,
    "workplan": 9,
    "task": 10,
}


@pytest.mark.parametrize(("model", "queries"), CHANGELIST_QUERIES.items())
def test_changelist_answers_in_a_fixed_number_of_queries(
    admin_client, records, django_assert_num_queries, model, queries
):
    url = reverse(f"admin:movement_{model}_changelist")
    response = get(admin_client, url, django_assert_num_queries, queries)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= ROWS


@pytest.mark.parametrize(("model", "queries"), ADD_QUERIES.items())
def test_add_page_answers_in_a_fixed_number_of_queries(
    admin_client, records, django_assert_num_queries, model, queries
):
    url = reverse(f"admin:movement_{model}_add")
    response = get(admin_client, url, django_assert_num_queries, queries)
    assert response.status_code == 200
    assert response.context["add"] is True


@pytest.mark.parametrize(("model", "queries"), CHANGE_QUERIES.items())
def test_change_page_answers_in_a_fixed_number_of_queries(
    admin_client, records, django_assert_num_queries, model, queries
):
    record = records[model]
    url = reverse(f"admin:movement_{model}_change", args=[record.pk])
    response = get(admin_client, url, django_assert_num_queries, queries)
    assert response.status_code == 200
    assert response.context["original"] == record


@pytest.mark.parametrize(
    ("model", "field"),
    [("person", "recipient_person"), ("workplan", "plan"), ("unit", "recipient_unit")],
)
def test_autocomplete_answers_in_a_fixed_number_of_queries(
    admin_client, records, django_assert_num_queries, model, field
):
    source_model = "task" if field == "plan" else "award"
    url = reverse("admin:autocomplete")
    query = f"?app_label=movement&model_name={source_model}&field_name={field}&term="
    response = get(admin_client, url + query, django_assert_num_queries, 4)
    assert len(response.json()["results"]) >= ROWS


def changelist(client, model: str, **params) -> list:
    response = client.get(reverse(f"admin:movement_{model}_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "term", ["nguyen van khao", "khao", "NGUYỄN VĂN KHẢO", "Khảo", "  van   khao "]
)
def test_search_for_a_person_ignores_accents_case_and_spacing(admin_client, person, term):
    Person.objects.create(full_name="Nguyễn Văn Khánh", slug="nguyen-van-khanh")
    assert changelist(admin_client, "person", q=term) == [person]


def test_search_d_finds_d_with_stroke(admin_client, person):
    duc = Person.objects.create(full_name="Đỗ Văn Đức", slug="do-van-duc")
    assert changelist(admin_client, "person", q="do van duc") == [duc]
    assert changelist(admin_client, "person", q="duc") == [duc]


def test_autocomplete_search_ignores_accents(admin_client, person):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "movement",
            "model_name": "award",
            "field_name": "recipient_person",
            "term": "khao",
        },
    )
    assert [result["id"] for result in response.json()["results"]] == [str(person.pk)]


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [("rank", "thuong ta", ["Thượng tá"]), ("source", "bao cao so 3", ["Báo cáo số 3"])],
)
def test_search_of_small_tables_ignores_accents_too(admin_client, records, model, term, expected):
    assert [str(found) for found in changelist(admin_client, model, q=term)] == expected


@pytest.fixture
def namesakes(department, order_type) -> None:
    """NAMESAKES as people, their awards and postings, units, campaigns and sources."""
    make_namesakes(department, order_type)
    for code, name in NAMESAKES.items():
        Posting.objects.create(person=Person.objects.get(slug=code), unit=department)
        Source.objects.create(title=f"Báo cáo {name}", slug=code)


# Each changelist that searches, and the code of the NAMESAKES row each of its rows is: by its
# own search_text (people, units, campaigns), through the trigram index (awards), by the
# search_text of the record it points to (postings), or read in Python (sources).
NAMESAKE_CODES = {
    "person": lambda person: person.slug,
    "award": lambda award: award.recipient_person.slug,
    "unit": lambda unit: unit.slug,
    "campaign": lambda campaign: campaign.slug,
    "posting": lambda posting: posting.person.slug,
    "source": lambda source: source.slug,
}


@pytest.mark.parametrize("model", NAMESAKE_CODES)
@pytest.mark.parametrize(("term", "codes"), NAMESAKE_SEARCHES.items())
def test_search_keeps_the_marks_typed(admin_client, namesakes, model, term, codes):
    found = changelist(admin_client, model, q=term)
    assert sorted(NAMESAKE_CODES[model](row) for row in found) == codes


@pytest.mark.parametrize(("term", "codes"), NAMESAKE_SEARCHES.items())
def test_autocomplete_keeps_the_marks_typed(admin_client, namesakes, term, codes):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "movement", "model_name": "award", "field_name": "recipient_person"}
        | {"term": term},
    )
    found = Person.objects.filter(pk__in=[row["id"] for row in response.json()["results"]])
    assert sorted(person.slug for person in found) == codes


def test_search_needs_every_word(admin_client, person):
    assert changelist(admin_client, "person", q="khao nguyen") == [person]
    assert changelist(admin_client, "person", q="khao tran") == []


def test_search_for_a_person_finds_their_awards(admin_client, person, department, order_type):
    to_him = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    # Awards he only presented, or to someone else, are not his.
    Award.objects.create(
        award_type=order_type, year=2016, recipient_unit=department, presented_by=person
    )
    assert changelist(admin_client, "award", q="nguyen van khao") == [to_him]
    assert changelist(admin_client, "award", q="khao") == [to_him]


def test_search_for_awards_takes_a_year(admin_client, person, order_type):
    of_2016 = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    Award.objects.create(award_type=order_type, year=2017, recipient_person=person)
    assert changelist(admin_client, "award", q="khao 2016") == [of_2016]


def test_unit_filter_includes_the_awards_of_units_below(
    admin_client, ministry, department, division, flag_type
):
    other = Unit.objects.create(
        name="Cục Cảnh sát hình sự", slug="c02", kind=Unit.Kind.DEPARTMENT, parent=ministry
    )
    to_department, to_division, _to_other, _to_ministry = (
        Award.objects.create(award_type=flag_type, year=2016, recipient_unit=unit)
        for unit in (department, division, other, ministry)
    )
    found = changelist(admin_client, "award", unit=department.pk)
    assert set(found) == {to_department, to_division}
    assert changelist(admin_client, "award", unit=division.pk) == [to_division]


def unit_choices(admin_client, **params) -> list[str]:
    response = admin_client.get(reverse("admin:movement_award_changelist"), params)
    unit_filter = next(
        f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "unit"
    )
    return [label for _pk, label in unit_filter.lookup_choices]


def test_unit_filter_lists_the_top_of_the_tree_in_tree_order(
    admin_client, ministry, department, division
):
    # A ministry's thousands of units would not fit: the roots and the units right below them.
    assert unit_choices(admin_client) == ["Bộ Công an", "— Cục XDPT toàn dân bảo vệ ANTQ"]


def test_unit_filter_opens_the_way_down_to_the_chosen_unit(
    admin_client, ministry, department, division
):
    assert unit_choices(admin_client, unit=department.pk) == [
        "Bộ Công an",
        "— Cục XDPT toàn dân bảo vệ ANTQ",
        "— — Phòng Tham mưu",
    ]
    assert unit_choices(admin_client, unit=division.pk) == [
        "Bộ Công an",
        "— Cục XDPT toàn dân bảo vệ ANTQ",
        "— — Phòng Tham mưu",
    ]


def test_year_filter_offers_every_year_from_the_first_to_the_last(
    admin_client, department, flag_type
):
    first = Award.objects.create(award_type=flag_type, year=2014, recipient_unit=department)
    Award.objects.create(award_type=flag_type, year=2017, recipient_unit=department)
    response = admin_client.get(reverse("admin:movement_award_changelist"))
    year_filter = next(
        f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "year"
    )
    assert [year for year, _label in year_filter.lookup_choices] == [
        "2017",
        "2016",
        "2015",
        "2014",
    ]
    assert changelist(admin_client, "award", year=2014) == [first]


def test_award_refused_by_the_model_shows_the_error_and_keeps_what_was_typed(
    admin_client, flag_type, person
):
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(
            award_type=flag_type.pk,
            year=2016,
            recipient_person=person.pk,
            decision_number="1234/QĐ-BCA",
            note="Tặng tại hội nghị",
        ),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    with translation.override("vi"):
        expected = gettext("“%(type)s” is given to collectives only, not to a person.") % {
            "type": flag_type
        }
    assert form.errors["award_type"] == [expected]
    page = response.content.decode()
    assert expected in page
    assert 'value="1234/QĐ-BCA"' in page
    assert "Tặng tại hội nghị" in page
    assert form["recipient_person"].value() == str(person.pk)
    assert not Award.objects.exists()


def test_award_without_a_recipient_is_refused_on_the_form(admin_client, order_type):
    response = admin_client.post(
        reverse("admin:movement_award_add"), award_form(award_type=order_type.pk, year=2016)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Award.objects.exists()


def test_award_to_a_person_keeps_their_rank_at_the_time(admin_client, order_type, person):
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(award_type=order_type.pk, year=2016, recipient_person=person.pk),
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.recipient_person == person
    assert award.rank_at_award == person.rank
    assert award.position_at_award == "Cục trưởng"


def test_award_recipient_fieldset_groups_the_three_kinds_of_recipient(admin_client, records):
    response = admin_client.get(reverse("admin:movement_award_add"))
    recipient = next(
        fieldset
        for fieldset in response.context["adminform"]
        if "recipient_person" in str(fieldset.fields)
    )
    assert recipient.fields == [
        "recipient_unit",
        "recipient_person",
        ("group_kind", "group_count"),
        ("rank_at_award", "position_at_award"),
    ]
    assert recipient.description


SOURCED = ["unit", "person", "event", "campaign", "awardtype", "award", "workplan", "task"]


@pytest.mark.parametrize("model", SOURCED)
def test_sourced_record_shows_its_source_in_a_collapsed_fieldset(admin_client, records, model):
    url = reverse(f"admin:movement_{model}_change", args=[records[model].pk])
    response = admin_client.get(url)
    fieldsets = list(response.context["adminform"])
    with translation.override("vi"):
        title = gettext("Source")
    source = next(fieldset for fieldset in fieldsets if fieldset.name == title)
    assert "collapse" in source.classes
    assert source.fields == ["source", "source_quote", "inference_note"]
    assert "search_text" not in response.context["adminform"].form.fields


@pytest.mark.parametrize("model", SOURCED)
def test_changelist_marks_inferred_records(admin_client, records, model):
    inferred = records[model]
    type(inferred).objects.filter(pk=inferred.pk).update(inference_note="Suy ra từ báo cáo.")
    response = admin_client.get(reverse(f"admin:movement_{model}_changelist"))
    # The "inferred" cell of each row, in the order of the list's records.
    marks = re.findall(
        r'class="field-inferred"><img src="[^"]*icon-(yes|no)\.svg"', response.content.decode()
    )
    rows = response.context["cl"].result_list
    assert marks == ["yes" if row.is_inferred else "no" for row in rows]
    assert {"yes", "no"} <= set(marks)
    assert next(row for row in rows if row.pk == inferred.pk).is_inferred


def test_inferred_column_says_which_records_are_inferred(admin_client, records):
    response = admin_client.get(reverse("admin:movement_unit_changelist"), {"q": "doi cong tac"})
    page = response.content.decode()
    inferred = [unit for unit in response.context["cl"].result_list if unit.is_inferred]
    assert len(inferred) == 2
    assert page.count("icon-yes.svg") == 2


def test_work_plan_shows_declared_against_entered(admin_client, records):
    plan = records["workplan"]
    response = admin_client.get(reverse("admin:movement_workplan_change", args=[plan.pk]))
    with translation.override("vi"):
        areas = gettext("%(declared)s declared, %(entered)s entered") % {
            "declared": 13,
            "entered": ROWS,
        }
        tasks = gettext("%(declared)s declared, %(entered)s entered") % {
            "declared": 40,
            "entered": ROWS,
        }
    page = response.content.decode()
    assert areas in page
    assert tasks in page


def test_new_work_plan_has_nothing_entered(admin_client, department):
    plan = WorkPlan.objects.create(unit=department, year=2018, declared_task_count=13)
    response = admin_client.get(reverse("admin:movement_workplan_change", args=[plan.pk]))
    with translation.override("vi"):
        tasks = gettext("%(declared)s declared, %(entered)s entered") % {
            "declared": 13,
            "entered": 0,
        }
        areas = gettext("%(entered)s entered, none declared") % {"entered": 0}
    page = response.content.decode()
    assert tasks in page
    assert areas in page


def test_task_offers_only_its_plans_work_areas(admin_client, records):
    task = records["task"]
    response = admin_client.get(reverse("admin:movement_task_change", args=[task.pk]))
    offered = set(response.context["adminform"].form.fields["area"].queryset)
    assert offered == set(task.plan.areas.all())
    assert len(offered) == ROWS


def test_new_task_offers_the_areas_of_the_plan_it_was_opened_for(admin_client, records):
    plan = records["workplan"]
    url = reverse("admin:movement_task_add")
    response = admin_client.get(url, {"plan": plan.pk})
    offered = set(response.context["adminform"].form.fields["area"].queryset)
    assert offered == set(plan.areas.all())

    response = admin_client.get(url)
    assert not response.context["adminform"].form.fields["area"].queryset.exists()


def test_plans_task_rows_offer_only_the_plans_work_areas(admin_client, records):
    plan = records["workplan"]
    response = admin_client.get(reverse("admin:movement_workplan_change", args=[plan.pk]))
    tasks = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is Task
    )
    expected = {str(area.pk) for area in plan.areas.all()}
    for form in tasks.formset.forms:
        offered = {str(value) for value, _label in form.fields["area"].choices if value}
        assert offered == expected


def test_admin_speaks_vietnamese_by_default(admin_client, records):
    add_page = admin_client.get(reverse("admin:movement_award_add")).content.decode()
    assert "Lưu" in add_page
    assert '<html lang="vi"' in add_page
    changelist_page = admin_client.get(reverse("admin:movement_award_changelist"))
    assert "Thêm" in changelist_page.content.decode()


def test_admin_names_the_installed_packages_in_vietnamese_too(admin_client, records):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert '<div id="site-name"><a href="/admin/">Thi đua, khen thưởng</a></div>' in index
    assert "<title>Trang quản trị | Thi đua, khen thưởng</title>" in index
    assert "Django" not in index
    for heading in ("Bảo vệ đăng nhập", "Nhật ký đăng nhập", "Tác vụ nền", "Kết quả tác vụ"):
        assert heading in index
    for english in ("Axes", "Access logs", "Tasks Database Backend", "Task Results"):
        assert english not in index
    changelist = admin_client.get(reverse("admin:movement_award_changelist")).content.decode()
    assert "Hiện số lượng" in changelist and "Show counts" not in changelist


def test_admin_speaks_english_when_asked(admin_client, records):
    page = in_english(admin_client).get(reverse("admin:movement_award_add")).content.decode()
    assert ">Save<" in page or 'value="Save"' in page


@pytest.mark.parametrize("model", list(CHANGELIST_QUERIES))
@pytest.mark.parametrize("page", ["import", "export"])
def test_every_record_can_be_imported_and_exported(admin_client, model, page):
    response = admin_client.get(reverse(f"admin:movement_{model}_{page}"))
    assert response.status_code == 200
    # An import takes any spreadsheet it recognises; an export asks Excel or CSV.
    field = "import_file" if page == "import" else "format"
    assert field in response.context["form"].fields


def format_index(model, name: str, export: bool = True) -> str:
    model_admin = admin.site.get_model_admin(model)
    formats = model_admin.get_export_formats() if export else model_admin.get_import_formats()
    return str([fmt.__name__ for fmt in formats].index(name))


def test_award_changelist_exports_a_csv_with_vietnamese_headers(admin_client, records):
    Award.objects.filter(pk=records["award"].pk).update(note='=HYPERLINK("http://x")')
    response = admin_client.post(
        reverse("admin:movement_award_export"),
        {"format": format_index(Award, "CSV"), "resource": "0", **EXPORT_FIELDS},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == Award.objects.count()
    assert {"Năm", "Hình thức khen thưởng", "Đơn vị nhận", "Cá nhân nhận"} <= set(rows[0])
    assert '\'=HYPERLINK("http://x")' in [row["Ghi chú"] for row in rows]


def test_award_changelist_exports_real_dates_to_xlsx(admin_client, records):
    response = admin_client.post(
        reverse("admin:movement_award_export"),
        {"format": format_index(Award, "XLSX"), "resource": "0", **EXPORT_FIELDS},
    )
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    dates = [row[header.index("Ngày quyết định")] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value.date() for cell in dates if cell.value} == set(
        Award.objects.exclude(decision_date=None).values_list("decision_date", flat=True)
    )
    assert all(cell.is_date for cell in dates if cell.value)


def test_exported_awards_import_back_through_the_admin_unchanged(admin_client, records):
    exported = AwardResource().export().csv.encode()
    before = list(Award.objects.values_list("key", "year", "recipient_unit", "recipient_person"))
    response = admin_client.post(
        reverse("admin:movement_award_import"),
        {"import_file": SimpleUploadedFile("khen-thuong.csv", exported)},
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok
    assert (report.new, report.updated, report.unchanged) == (0, 0, Award.objects.count())

    confirm = response.context["confirm_form"]
    response = admin_client.post(reverse("admin:movement_award_process_import"), confirm.initial)
    assert response.status_code == 302
    after = list(Award.objects.values_list("key", "year", "recipient_unit", "recipient_person"))
    assert after == before


# -- Import previews: confirm or cancel, and the truth when neither can be done ---------------


@pytest.fixture
def award_file(division, flag_type) -> bytes:
    return xlsx(
        [
            ["Năm", "Hình thức khen thưởng", "Đơn vị nhận", "Số quyết định"],
            [2016, flag_type.name, division.name, "1/QĐ"],
        ]
    )


def previewed(client, data: bytes) -> dict:
    """Upload ``data`` for a preview of awards; the confirmation form's fields."""
    response = client.post(
        reverse("admin:movement_award_import"),
        {"import_file": SimpleUploadedFile("khen-thuong.xlsx", data)},
    )
    assert response.status_code == 200
    return response.context["confirm_form"].initial


def end(client, fields: dict, view: str = "process_import") -> str:
    """Confirm (or cancel) a preview; the import page it leads back to."""
    response = client.post(reverse(f"admin:movement_award_{view}"), fields, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def local(moment: datetime.datetime) -> str:
    moment = timezone.localtime(moment)
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def test_the_preview_offers_confirm_and_cancel_and_says_until_when_it_waits(
    admin_client, award_file
):
    response = admin_client.post(
        reverse("admin:movement_award_import"),
        {"import_file": SimpleUploadedFile("khen-thuong.xlsx", award_file)},
    )
    page = response.content.decode()
    pending = PendingImport.objects.get()
    assert 'value="Xác nhận nhập"' in page
    cancel = reverse("admin:movement_award_import_cancel")
    assert f'formaction="{cancel}" value="Huỷ"' in page
    assert f"Bản xem trước này được giữ cho bạn đến {local(pending.expires_at)}" in page


def test_cancel_drops_the_preview_and_a_cancelled_preview_cannot_be_confirmed(
    admin_client, admin_user, award_file
):
    fields = previewed(admin_client, award_file)
    page = end(admin_client, fields, "import_cancel")
    assert "Đã huỷ bản xem trước của “khen-thuong.xlsx”: không có gì được ghi." in page
    pending = PendingImport.objects.get()
    assert pending.state == PendingImport.State.CANCELLED and pending.finished_by == admin_user

    page = end(admin_client, fields)
    assert (
        f"Bản xem trước này đã bị admin huỷ lúc {local(pending.finished_at)}. "
        "Muốn nhập thì hãy tải tệp lên lại." in page
    )
    assert not Award.objects.exists()


def test_a_preview_imported_already_says_by_whom_and_when_with_a_link_to_the_list(
    admin_client, award_file
):
    fields = previewed(admin_client, award_file)
    end(admin_client, fields)
    assert Award.objects.count() == 1
    pending = PendingImport.objects.get()

    page = end(admin_client, fields)
    changelist = reverse("admin:movement_award_changelist")
    assert (
        f"Tệp này đã được admin nhập lúc {local(pending.finished_at)}. "
        f'<a href="{changelist}">Xem danh sách khen thưởng.</a>' in page
    )
    assert Award.objects.count() == 1


def test_an_expired_preview_says_when_it_expired(admin_client, award_file, settings):
    settings.IMPORT_PREVIEW_HOURS = 24
    fields = previewed(admin_client, award_file)
    expiry = timezone.now() - datetime.timedelta(minutes=5)
    PendingImport.objects.update(expires_at=expiry)

    page = end(admin_client, fields)
    assert (
        f"Bản xem trước này đã hết hạn lúc {local(expiry)}: bản xem trước chỉ được giữ 24 giờ. "
        "Hãy tải tệp lên lại." in page
    )
    assert not Award.objects.exists()


def test_only_the_uploader_may_confirm_or_cancel_a_preview(client, award_file):
    officers = []
    for name in ("can-bo-a", "can-bo-b"):
        user = User.objects.create_user(name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=EMULATION_OFFICERS))
        officers.append(user)
    client.force_login(officers[0])
    fields = previewed(client, award_file)

    client.force_login(officers[1])
    for view in ("process_import", "import_cancel"):
        page = end(client, fields, view)
        assert (
            "Chỉ can-bo-a, người đã tải tệp này lên, hoặc quản trị viên mới được xác nhận hay "
            "huỷ bản xem trước của tệp." in page
        )
    assert PendingImport.objects.get().state == PendingImport.State.WAITING
    assert not Award.objects.exists()

    client.force_login(officers[0])
    end(client, fields)
    assert Award.objects.count() == 1


def no_rows(*prefixes: str) -> dict[str, str]:
    """The management forms of a page's inlines, posted without rows."""
    return {
        f"{prefix}-{count}": "0"
        for prefix in prefixes
        for count in ["TOTAL_FORMS", "INITIAL_FORMS"]
    }


# The inlines of a person's page (their service record) and of a unit's (its yearly ratings).
PERSON_INLINES = [
    "rank_changes",
    "postings",
    "ratings",
    "initiatives",
    "disciplines",
    "inspections",
]
UNIT_INLINES = ["ratings"]


def test_a_person_or_unit_added_without_a_code_gets_one_made_from_the_name(admin_client, ministry):
    Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="tran-thi-hong-nhung")
    response = admin_client.post(
        reverse("admin:movement_person_add"),
        {"full_name": "Trần Thị Hồng Nhung", "slug": "", **no_rows(*PERSON_INLINES)},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.filter(slug="tran-thi-hong-nhung-2").exists()

    response = admin_client.post(
        reverse("admin:movement_unit_add"),
        {
            "name": "Đội Cảnh sát giao thông",
            "slug": "",
            "parent": ministry.pk,
            "kind": "division",
            **no_rows(*UNIT_INLINES),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Unit.objects.get(name="Đội Cảnh sát giao thông").slug == "doi-canh-sat-giao-thong"


def test_the_add_page_does_not_prepopulate_the_code_with_djangos_script(admin_client):
    # Django's URLify drops the letters it does not know: "Trần" would become "trn".
    page = admin_client.get(reverse("admin:movement_person_add")).content.decode()
    assert "prepopulated_fields" not in page
    assert "tran-thi-hong-nhung" in page


@pytest.mark.parametrize(
    ("model", "column"),
    [("awardtype", "for_individuals"), ("unit", "is_external"), ("unit", "inferred")],
)
def test_yes_no_columns_read_yes_or_no_in_vietnamese(admin_client, records, model, column):
    page = admin_client.get(reverse(f"admin:movement_{model}_changelist")).content.decode()
    icons = re.findall(
        rf'class="field-{column}"><img src="[^"]*icon-(yes|no)\.svg" alt="([^"]*)"', page
    )
    assert icons
    assert {alt for _icon, alt in icons} <= {"Có", "Không"}
    assert all(alt == {"yes": "Có", "no": "Không"}[icon] for icon, alt in icons)


def test_the_users_staff_column_reads_yes_in_vietnamese(admin_client):
    page = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert re.search(r'class="field-is_staff"><img src="[^"]*icon-yes\.svg" alt="Có"', page)


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:movement_award_changelist",
        "admin:movement_award_add",
        "admin:movement_award_import",
        "admin:movement_award_export",
        "admin:auth_user_changelist",
    ],
)
def test_admin_pages_carry_the_sites_icon(admin_client, url):
    page = admin_client.get(reverse(url)).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)


def test_the_login_page_carries_the_sites_icon(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)


def new_plan_form(department: Unit, area: str, **changes: str) -> dict[str, str]:
    """A new plan posted with one new work area (number 7) and one new task whose area is
    ``area``."""
    return {
        "unit": str(department.pk),
        "year": "2019",
        "areas-TOTAL_FORMS": "1",
        "areas-INITIAL_FORMS": "0",
        "areas-0-number": "7",
        "areas-0-name": "Xây dựng lực lượng nòng cốt",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-number": "1",
        "tasks-0-title": "Tập huấn lực lượng nòng cốt",
        "tasks-0-area": area,
        "tasks-0-status": Task.Status.PLANNED,
        **changes,
    }


def test_a_new_task_picks_a_work_area_added_in_the_same_form(admin_client, department):
    response = admin_client.post(
        reverse("admin:movement_workplan_add"), new_plan_form(department, "new:7")
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.area == WorkArea.objects.get(plan=task.plan, number=7)


def test_a_task_cannot_pick_a_new_area_the_form_does_not_add(admin_client, department):
    response = admin_client.post(
        reverse("admin:movement_workplan_add"), new_plan_form(department, "new:8")
    )
    assert response.status_code == 200
    assert not WorkPlan.objects.exists()
    tasks = response.context["inline_admin_formsets"][1].formset
    assert "area" in tasks.forms[0].errors


def test_a_refused_plan_form_keeps_the_tasks_choice_of_a_new_area(admin_client, department):
    response = admin_client.post(
        reverse("admin:movement_workplan_add"), new_plan_form(department, "new:7", year="")
    )
    assert response.status_code == 200
    assert re.search(
        r'<option value="new:7" selected>7\. Xây dựng lực lượng nòng cốt</option>',
        response.content.decode(),
    )
