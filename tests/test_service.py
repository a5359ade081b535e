"""A person's service record and a unit's yearly rating (movement.models.service): the rules the
records keep, the person's current rank, unit and position following their latest entries, the
admin within a unit editor's bound, and the spreadsheets of ratings, ranks and postings."""

import dataclasses
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from movement.models import (
    Award,
    AwardType,
    Discipline,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    Posting,
    Rank,
    RankChange,
    Rating,
    Unit,
    UnitRating,
)
from movement.models.awards import keep_ranks_and_positions, ranks_and_positions_left
from movement.models.service import start_histories
from movement.spreadsheets.imports import import_file
from movement.spreadsheets.resources import (
    AwardResource,
    DisciplineResource,
    InitiativeResource,
    InspectionResource,
    PersonRatingResource,
    PersonResource,
    PostingResource,
    RankChangeResource,
    UnitRatingResource,
)
from tests.factories import award_form, member
from tests.spreadsheets import ROUND_TRIP, dict_csv, xlsx


def rank(name: str) -> Rank:
    return Rank.objects.get(name=name)


def day(year: int, month: int = 1, date: int = 1) -> datetime.date:
    return datetime.date(year, month, date)


@pytest.fixture
def other_unit(ministry) -> Unit:
    return Unit.objects.create(
        name="Công an tỉnh Lào Cai",
        slug="ca-lao-cai",
        kind=Unit.Kind.PROVINCIAL_POLICE,
        parent=ministry,
    )


@pytest.fixture
def other_person(other_unit) -> Person:
    return Person.objects.create(full_name="Trần Văn Bình", slug="tran-van-binh", unit=other_unit)


# -- The records' rules -----------------------------------------------------------------------


def test_a_person_has_one_rating_a_year(person):
    PersonRating.objects.create(person=person, year=2017, rating=Rating.EXCELLENT)
    second = PersonRating(person=person, year=2017, rating=Rating.GOOD)
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert refused.value.messages == [
        "Người này đã có xếp loại của năm này. Hãy sửa xếp loại đó thay vì thêm xếp loại thứ hai."
    ]
    with transaction.atomic(), pytest.raises(IntegrityError):
        second.save()
    # Another year, or another person the same year, is another rating.
    PersonRating.objects.create(person=person, year=2018, rating=Rating.GOOD)


def test_a_unit_has_one_rating_a_year_and_a_title_for_collectives(department, flag_type):
    UnitRating.objects.create(unit=department, year=2017, rating=Rating.EXCELLENT, title=flag_type)
    with pytest.raises(ValidationError) as refused:
        UnitRating(unit=department, year=2017, rating=Rating.GOOD).full_clean()
    assert list(refused.value.message_dict) == ["__all__"]
    soldier = AwardType.objects.create(
        name="Chiến sĩ thi đua cơ sở",
        category=AwardType.Category.TITLE,
        for_individuals=True,
    )
    individual_only = UnitRating(unit=department, year=2018, rating=Rating.GOOD, title=soldier)
    with pytest.raises(ValidationError) as refused:
        individual_only.full_clean()
    assert list(refused.value.message_dict) == ["title"]


def test_dates_the_source_does_not_state_stay_empty(person):
    # A discipline still running, a posting whose start the source does not give.
    Discipline(person=person, form=Discipline.Form.WARNING, since=day(2017, 3)).full_clean()
    Posting(person=person, position="Phó Cục trưởng").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Discipline.objects.create(
            person=person, form=Discipline.Form.WARNING, since=day(2017, 3), until=day(2017, 2)
        )


# -- A person's current rank, unit and position are their latest entries ----------------------


def test_a_newer_rank_change_becomes_the_persons_rank_and_an_older_one_does_not(person):
    general = person.rank
    RankChange.objects.create(person=person, rank=general, since=day(2015, 7))
    RankChange.objects.create(person=person, rank=rank("Thiếu tướng"), since=day(2010, 7))
    person.refresh_from_db()
    assert person.rank == general

    promoted = RankChange.objects.create(person=person, rank=rank("Thượng tướng"), since=day(2019))
    person.refresh_from_db()
    assert person.rank == rank("Thượng tướng")

    # Deleted (here as the admin's bulk deletion does, by queryset): the one before it again.
    RankChange.objects.filter(pk=promoted.pk).delete()
    person.refresh_from_db()
    assert person.rank == general


def test_an_undated_entry_comes_before_every_dated_one(person):
    # As the migration records what was known: the rank held, the date not stated.
    RankChange.objects.create(person=person, rank=person.rank)
    RankChange.objects.create(person=person, rank=rank("Thượng tướng"), since=day(2019))
    person.refresh_from_db()
    assert person.rank == rank("Thượng tướng")


def test_a_posting_moves_the_person_and_gives_their_position(person, division):
    Posting.objects.create(person=person, unit=person.unit, position="Cục trưởng", since=day(2015))
    Posting.objects.create(
        person=person, unit=division, position="Trưởng phòng", since=day(2018, 2, 1)
    )
    person.refresh_from_db()
    assert (person.unit, person.position) == (division, "Trưởng phòng")
    # A save changing nothing of the person's leaves their version alone.
    version = person.version
    Posting.objects.get(unit=division).save()
    person.refresh_from_db()
    assert person.version == version


def test_histories_start_from_what_is_known_and_no_date_is_made_up(person, department):
    unplaced = Person.objects.create(full_name="Lê Thị Hoa", slug="le-thi-hoa")
    assert start_histories(Person.objects.all(), RankChange, Posting) == 2
    [first_rank] = RankChange.objects.all()
    [first_posting] = Posting.objects.all()
    assert (first_rank.person, first_rank.rank, first_rank.since) == (person, person.rank, None)
    assert (first_posting.unit, first_posting.position, first_posting.since) == (
        department,
        "Cục trưởng",
        None,
    )
    assert not unplaced.rank_changes.exists() and not unplaced.postings.exists()
    # Once: a person with a history is left alone.
    assert start_histories(Person.objects.all(), RankChange, Posting) == 0


def test_the_reports_people_start_their_histories_when_it_is_loaded(db):
    call_command("load_report", stdout=io.StringIO())
    people = Person.objects.exclude(rank=None)
    assert people.exists()
    for person in people:
        [entry] = person.rank_changes.all()
        assert (entry.rank, entry.since, entry.source) == (person.rank, None, person.source)
        assert entry.source_quote == person.source_quote
    assert not RankChange.objects.exclude(since=None).exists()


def test_the_person_page_shows_the_current_rank_read_only_once_there_is_a_history(client, person):
    client.force_login(member("administrator"))
    url = reverse("admin:movement_person_change", args=[person.pk])
    form = client.get(url).context["adminform"].form
    assert "rank" in form.fields
    RankChange.objects.create(person=person, rank=person.rank)
    form = client.get(url).context["adminform"].form
    assert "rank" not in form.fields and "unit" in form.fields


def test_the_person_page_reads_the_whole_service_record_in_fixed_queries(
    admin_client, person, division
):
    url = reverse("admin:movement_person_change", args=[person.pk])
    counts = []
    for year in [2010, 2011, 2012]:
        RankChange.objects.create(person=person, rank=person.rank, since=day(year))
        Posting.objects.create(person=person, unit=division, position="Cán bộ", since=day(year))
        PersonRating.objects.create(person=person, year=year, rating=Rating.GOOD)
        Initiative.objects.create(
            person=person, title=f"Sáng kiến {year}", level="grassroots", year=year
        )
        Discipline.objects.create(person=person, form=Discipline.Form.REPRIMAND, since=day(year))
        Inspection.objects.create(person=person, kind=Inspection.Kind.COMPLAINT, since=day(year))
        admin_client.get(url)  # Warm the per-process caches (content types).
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


# -- The admin, within a unit editor's bound ---------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inline_page(client: Client, person: Person) -> dict[str, str]:
    """What the person's page posts back unchanged: the person's fields and every inline, empty."""
    response = client.get(reverse("admin:movement_person_change", args=[person.pk]))
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for number, each in enumerate(formset.initial_forms):
            for name in each.fields:
                value = each[name].value()
                data[f"{formset.prefix}-{number}-{name}"] = "" if value is None else str(value)
    return data


def prefix_of(client: Client, person: Person, model: type) -> str:
    response = client.get(reverse("admin:movement_person_change", args=[person.pk]))
    [prefix] = [
        inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    ]
    return prefix


def with_rating(data: dict[str, str], prefix: str, year: int, rating: str) -> dict[str, str]:
    number = int(data[f"{prefix}-TOTAL_FORMS"])
    return {
        **data,
        f"{prefix}-TOTAL_FORMS": str(number + 1),
        f"{prefix}-{number}-year": str(year),
        f"{prefix}-{number}-rating": rating,
    }


def test_a_unit_editor_adds_a_rating_on_their_own_persons_page(person, department):
    client = signed_in(member("unit editor", unit=department))
    url = reverse("admin:movement_person_change", args=[person.pk])
    prefix = prefix_of(client, person, PersonRating)
    response = client.post(url, with_rating(inline_page(client, person), prefix, 2017, "excellent"))
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert PersonRating.objects.get(person=person).rating == Rating.EXCELLENT


def test_a_unit_editor_cannot_change_another_units_persons_record(person, department, other_person):
    rating = PersonRating.objects.create(person=other_person, year=2017, rating=Rating.GOOD)
    editor, officer = member("unit editor", unit=department), member("officer")
    client = signed_in(editor)

    # Their page opens read-only: no inline row may be added, changed or deleted…
    page = client.get(reverse("admin:movement_person_change", args=[other_person.pk]))
    assert page.status_code == 200
    for inline in page.context["inline_admin_formsets"]:
        assert not inline.has_add_permission and not inline.has_change_permission, inline
        assert not inline.has_delete_permission
    # …and a post is refused whatever it carries.
    data = with_rating(
        inline_page(signed_in(officer), other_person),
        prefix_of(client, other_person, PersonRating),
        2018,
        "excellent",
    )
    url = reverse("admin:movement_person_change", args=[other_person.pk])
    assert client.post(url, data).status_code == 403
    assert PersonRating.objects.filter(person=other_person).count() == 1

    # On the ratings' own list: the record is read-only, refused by URL, and the add form
    # does not accept another unit's person.
    change = reverse("admin:movement_personrating_change", args=[rating.pk])
    assert (
        client.post(
            change, {"person": other_person.pk, "year": 2017, "rating": "excellent"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:movement_personrating_delete", args=[rating.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    added = client.post(
        reverse("admin:movement_personrating_add"),
        {"person": other_person.pk, "year": 2019, "rating": "excellent"},
    )
    assert added.status_code == 200
    assert not PersonRating.objects.filter(year=2019).exists()
    assert set(PersonRating.objects.editable_by(editor)) == set()
    assert rating in PersonRating.objects.editable_by(officer)


def test_a_unit_editor_cannot_post_their_person_out_of_their_units(
    person, department, division, other_unit
):
    client = signed_in(member("unit editor", unit=department))
    prefix = prefix_of(client, person, Posting)
    url = reverse("admin:movement_person_change", args=[person.pk])

    def posting(unit: Unit, since: str) -> dict[str, str]:
        return {
            **inline_page(client, person),
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-unit": str(unit.pk),
            f"{prefix}-0-position": "Cán bộ",
            f"{prefix}-0-since": since,
        }

    refused = client.post(url, posting(other_unit, "01/02/2018"))
    assert refused.status_code == 200
    assert not Posting.objects.exists()
    person.refresh_from_db()
    assert person.unit == department

    # Within their units it moves the person; a past posting elsewhere moves nobody.
    assert client.post(url, posting(division, "01/02/2018")).status_code == 302
    page = posting(other_unit, "01/02/2010")
    page[f"{prefix}-TOTAL_FORMS"] = "2"
    page[f"{prefix}-INITIAL_FORMS"] = "1"
    first = Posting.objects.get()
    page.update(
        {
            f"{prefix}-1-id": "",
            f"{prefix}-1-unit": str(other_unit.pk),
            f"{prefix}-1-position": "Cán bộ",
            f"{prefix}-1-since": "01/02/2010",
            f"{prefix}-0-id": str(first.pk),
            f"{prefix}-0-person": str(person.pk),
            f"{prefix}-0-unit": str(division.pk),
            f"{prefix}-0-since": "01/02/2018",
        }
    )
    response = client.post(url, page)
    assert response.status_code == 302, response.context and response.context.get("errors")
    person.refresh_from_db()
    assert person.unit == division
    assert Posting.objects.filter(unit=other_unit).exists()


def test_a_unit_editor_cannot_add_a_person_posted_out_of_their_units(department, other_unit):
    client = signed_in(member("unit editor", unit=department))
    page = client.get(reverse("admin:movement_person_add"))
    prefixes = {
        inline.formset.model: inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
    }
    data = {"full_name": "Lê Văn Tâm", "slug": "", "unit": department.pk}
    for prefix in prefixes.values():
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    postings = prefixes[Posting]
    data |= {
        f"{postings}-TOTAL_FORMS": "1",
        f"{postings}-0-unit": other_unit.pk,
        f"{postings}-0-position": "Cán bộ",
    }
    response = client.post(reverse("admin:movement_person_add"), data)
    assert response.status_code == 200
    assert not Person.objects.filter(full_name="Lê Văn Tâm").exists()


# -- Spreadsheets -----------------------------------------------------------------------------


def ratings_file(*rows: tuple[str, int, str]) -> bytes:
    return dict_csv(
        *[{"Họ và tên": name, "Năm": year, "Xếp loại": rating} for name, year, rating in rows]
    )


def test_a_years_ratings_are_imported_by_name_and_imported_again_change_nothing(person):
    data = ratings_file(
        ("Nguyễn Văn Khảo", 2016, "Hoàn thành tốt nhiệm vụ"),
        # Typed without marks, as many keyboards do: it still names Nguyễn Văn Khảo.
        ("Nguyen Van Khao", 2017, "Hoàn thành xuất sắc nhiệm vụ"),
    )
    report = import_file(PersonRatingResource(), data, dry_run=False)
    assert report.written and report.new == 2, report.problems
    assert dict(person.ratings.values_list("year", "rating")) == {2016: "good", 2017: "excellent"}

    again = import_file(PersonRatingResource(), data, dry_run=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_a_name_typed_with_other_marks_is_not_the_person(person):
    report = import_file(
        PersonRatingResource(),
        ratings_file(
            ("Nguyễn Văn Khảo", 2016, "Hoàn thành tốt nhiệm vụ"),
            ("Nguyễn Văn Khao", 2017, "Hoàn thành nhiệm vụ"),
        ),
        dry_run=False,
    )
    # All or none: the good row is not written either.
    assert not report.written
    assert [problem.row for problem in report.problems] == [3]
    assert not PersonRating.objects.exists()


def test_a_unit_editors_ratings_file_with_another_units_person_is_refused_whole(
    person, department, other_person
):
    editor = member("unit editor", unit=department)
    report = import_file(
        PersonRatingResource(),
        ratings_file(
            ("Nguyễn Văn Khảo", 2017, "Hoàn thành tốt nhiệm vụ"),
            ("Trần Văn Bình", 2017, "Hoàn thành tốt nhiệm vụ"),
        ),
        dry_run=False,
        user=editor,
    )
    assert not report.written
    assert [problem.row for problem in report.problems] == [3]
    assert not PersonRating.objects.exists()


def test_imported_postings_and_rank_changes_bring_the_person_up_to_date(person, division):
    report = import_file(
        PostingResource(),
        dict_csv(
            {
                "Họ và tên": "Nguyễn Văn Khảo",
                "Đơn vị": "Phòng Tham mưu",
                "Chức vụ": "Trưởng phòng",
                "Từ ngày": "01/03/2018",
            }
        ),
        dry_run=False,
    )
    assert report.written, report.problems
    report = import_file(
        RankChangeResource(),
        dict_csv(
            {"Họ và tên": "Nguyễn Văn Khảo", "Cấp bậc hàm": "Thượng tướng", "Từ ngày": "02/09/2019"}
        ),
        dry_run=False,
    )
    assert report.written, report.problems
    person.refresh_from_db()
    assert (person.unit, person.position, person.rank) == (
        division,
        "Trưởng phòng",
        rank("Thượng tướng"),
    )
    assert person.rank_changes.get().since == day(2019, 9, 2)


def test_a_list_of_people_does_not_overwrite_what_their_history_says(person, division):
    def people_file(position: str) -> bytes:
        return dict_csv({"Mã": person.slug, "Họ và tên": person.full_name, "Chức vụ": position})

    # Without a history, the list is where the position is kept.
    assert import_file(PersonResource(), people_file("Phó Cục trưởng"), dry_run=False).written
    Posting.objects.create(person=person, unit=division, position="Trưởng phòng")
    report = import_file(PersonResource(), people_file("Cục trưởng"), dry_run=False)
    assert not report.written
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "Chức vụ")
    person.refresh_from_db()
    assert person.position == "Trưởng phòng"
    # The list as it stands imports unchanged.
    assert import_file(PersonResource(), people_file("Trưởng phòng"), dry_run=False).unchanged == 1


def test_a_unit_editor_previews_and_confirms_their_peoples_ratings_in_the_admin(person, department):
    client = signed_in(member("unit editor", unit=department))
    template = client.get(reverse("admin:movement_personrating_import_template"))
    assert template.status_code == 200
    upload = SimpleUploadedFile(
        "xep-loai.csv", ratings_file(("Nguyễn Văn Khảo", 2017, "Hoàn thành xuất sắc nhiệm vụ"))
    )
    preview = client.post(reverse("admin:movement_personrating_import"), {"import_file": upload})
    # Nothing is written before the preview is confirmed.
    assert not PersonRating.objects.exists()
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context["report"].problems
    response = client.post(reverse("admin:movement_personrating_process_import"), confirm.initial)
    assert response.status_code == 302
    assert PersonRating.objects.get().rating == Rating.EXCELLENT


@ROUND_TRIP
@given(
    ratings=st.dictionaries(
        st.integers(min_value=1945, max_value=2100),
        st.sampled_from(Rating.values),
        min_size=1,
        max_size=6,
    )
)
def test_exported_ratings_import_back_as_they_were(person, ratings):
    with transaction.atomic():
        for year, rating in ratings.items():
            PersonRating.objects.create(person=person, year=year, rating=rating)
        dataset = PersonRatingResource().export(PersonRating.objects.all(), force_native_type=True)
        rows = [list(dataset.headers), *[list(row) for row in dataset]]

        same = import_file(PersonRatingResource(), xlsx(rows), dry_run=False)
        assert (same.new, same.updated, same.unchanged) == (0, 0, len(ratings)), same.problems

        # Into an empty table: the same ratings again, read by the person's name.
        PersonRating.objects.all().delete()
        version = rows[0].index("Phiên bản")
        for row in rows[1:]:
            row[version] = None
        again = import_file(PersonRatingResource(), xlsx(rows), dry_run=False)
        assert again.new == len(ratings), again.problems
        assert dict(person.ratings.values_list("year", "rating")) == ratings
        # The person fixture's records as they were, for the next example.
        transaction.set_rollback(True)


# -- Deleting, within a unit editor's bound ----------------------------------------------------


def another_units_record(model: type, other_person: Person, other_unit: Unit):
    """One record of ``model`` of another unit than the editor's."""
    values = {
        RankChange: {"rank": rank("Đại tá"), "since": day(2015)},
        Posting: {"unit": other_unit, "position": "Cán bộ", "since": day(2015)},
        PersonRating: {"year": 2017, "rating": Rating.GOOD},
        Initiative: {"title": "Sáng kiến A", "level": "grassroots", "year": 2017},
        Discipline: {"form": Discipline.Form.WARNING, "since": day(2017)},
        Inspection: {"kind": Inspection.Kind.COMPLAINT, "since": day(2017)},
    }
    if model is UnitRating:
        return UnitRating.objects.create(unit=other_unit, year=2017, rating=Rating.GOOD)
    return model.objects.create(person=other_person, **values[model])


SERVICE_RECORDS = [
    RankChange,
    Posting,
    PersonRating,
    Initiative,
    Discipline,
    Inspection,
    UnitRating,
]


def changelist_action(client: Client, model: type, action: str, records: list, **extra):
    return client.post(
        reverse(f"admin:movement_{model._meta.model_name}_changelist"),
        {"action": action, "_selected_action": [record.pk for record in records], **extra},
    )


@pytest.mark.parametrize("model", SERVICE_RECORDS, ids=lambda model: model.__name__)
def test_a_unit_editor_cannot_add_change_or_delete_another_units_service_record(
    model, department, other_person, other_unit
):
    record = another_units_record(model, other_person, other_unit)
    client = signed_in(member("unit editor", unit=department))
    officer = signed_in(member("officer"))
    name = model._meta.model_name
    # The record's own values, as its page holds them, posted as a new one: refused by the
    # form (the officer's page is read for them; the record is deleted first, so that only
    # the bound refuses it, not the one-entry rule).
    form = (
        officer.get(reverse(f"admin:movement_{name}_change", args=[record.pk]))
        .context["adminform"]
        .form
    )
    values = {}
    for field in form.fields:
        value = form[field].value()
        values[field] = (
            f"{value:%d/%m/%Y}"
            if isinstance(value, datetime.date)
            else ""
            if value is None
            else str(value)
        )
    model.objects.filter(pk=record.pk).delete()
    added = client.post(reverse(f"admin:movement_{name}_add"), values)
    assert added.status_code == 200
    assert "không thuộc" in str(added.context["adminform"].form.non_field_errors())
    assert not model.objects.exists()
    record = another_units_record(model, other_person, other_unit)
    assert client.get(reverse(f"admin:movement_{name}_delete", args=[record.pk])).status_code == 403
    delete = reverse(f"admin:movement_{name}_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse(f"admin:movement_{name}_change", args=[record.pk])
    assert client.post(change, {}).status_code == 403
    refused = changelist_action(client, model, "delete_selected", [record], post="yes")
    assert refused.status_code == 302
    assert model.objects.filter(pk=record.pk).exists()
    # An emulation officer may.
    assert officer.post(delete, {"post": "yes"}).status_code == 302
    assert not model.objects.filter(pk=record.pk).exists()


@pytest.fixture
def posted_in(person, department, other_unit) -> tuple[Posting, Posting]:
    """The person, posted from another unit into the editor's: their latest posting keeps them
    in the editor's units, the one before it is another unit's."""
    before = Posting.objects.create(
        person=person, unit=other_unit, position="Cán bộ", since=day(2010)
    )
    latest = Posting.objects.create(
        person=person, unit=department, position="Cục trưởng", since=day(2018)
    )
    return before, latest


def test_a_unit_editor_cannot_delete_the_posting_that_keeps_their_person_in_their_units(
    person, department, other_unit, posted_in
):
    before, latest = posted_in
    client = signed_in(member("unit editor", unit=department))
    delete = reverse("admin:movement_posting_delete", args=[latest.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    refused = changelist_action(client, Posting, "delete_selected", [latest], post="yes")
    assert refused.status_code == 302
    # On the person's page, the row ticked for deletion is refused with the reason.
    prefix = prefix_of(client, person, Posting)
    url = reverse("admin:movement_person_change", args=[person.pk])
    page = inline_page(client, person)
    position = next(
        number for number in range(2) if page[f"{prefix}-{number}-id"] == str(latest.pk)
    )
    response = client.post(url, {**page, f"{prefix}-{position}-DELETE": "on"})
    assert response.status_code == 200
    assert "ngoài các đơn vị của bạn" in str(
        response.context["inline_admin_formsets"][1].formset.non_form_errors()
    )
    assert Posting.objects.filter(pk=latest.pk).exists()
    person.refresh_from_db()
    assert person.unit == department
    # The past posting elsewhere moves nobody: it may be deleted, by URL or on the page.
    assert (
        client.post(
            reverse("admin:movement_posting_delete", args=[before.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
    assert not Posting.objects.filter(pk=before.pk).exists()


def test_postings_deleted_together_are_checked_together(person, department, other_unit, posted_in):
    # Each of the two alone leaves the other in the editor's units; both together do not.
    again = Posting.objects.create(
        person=person, unit=department, position="Cục trưởng", since=day(2019)
    )
    client = signed_in(member("unit editor", unit=department))
    refused = changelist_action(
        client, Posting, "delete_selected", [posted_in[1], again], post="yes"
    )
    assert refused.status_code == 302
    assert Posting.objects.count() == 3
    person.refresh_from_db()
    assert person.unit == department
    assert (
        changelist_action(client, Posting, "delete_selected", [again], post="yes").status_code
        == 302
    )
    assert Posting.objects.count() == 2


def test_a_unit_editor_cannot_move_their_person_out_by_dating_the_latest_posting_back(
    person, department, posted_in
):
    latest = posted_in[1]
    client = signed_in(member("unit editor", unit=department))
    change = reverse("admin:movement_posting_change", args=[latest.pk])
    page = client.get(change).context["adminform"].form
    data = {
        name: "" if page[name].value() is None else str(page[name].value()) for name in page.fields
    }
    data |= {"since_0": "", "since": "01/01/2005", "loaded_version": str(latest.version)}
    response = client.post(change, data)
    assert response.status_code == 200
    latest.refresh_from_db()
    assert latest.since == day(2018)


# -- Each entry once --------------------------------------------------------------------------


def test_a_rank_change_a_day_and_a_posting_to_a_unit_a_day(person, division):
    RankChange.objects.create(person=person, rank=rank("Thiếu tướng"), since=day(2010, 7))
    again = RankChange(person=person, rank=rank("Trung tướng"), since=day(2010, 7))
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert refused.value.messages == [
        "Người này đã có một lần thay đổi cấp bậc hàm vào ngày này. Hãy sửa mục đó thay vì "
        "thêm mục thứ hai."
    ]
    with transaction.atomic(), pytest.raises(IntegrityError):
        again.save()
    Posting.objects.create(person=person, unit=division, position="Phó phòng", since=day(2012))
    with pytest.raises(ValidationError):
        Posting(person=person, unit=division, position="Trưởng phòng", since=day(2012)).full_clean()
    # Two positions held at once in two units are two postings; dates not stated never clash.
    Posting(person=person, unit=person.unit, position="Cục trưởng", since=day(2012)).full_clean()
    RankChange.objects.create(person=person, rank=rank("Đại tá"))
    RankChange(person=person, rank=rank("Đại tá")).full_clean()


# -- Spreadsheets of initiatives, discipline, inspections and units' ratings -------------------


@dataclasses.dataclass
class RecordFile:
    """A kind of service record's import, as the cases below need it: a row for a name, the
    same row with a column other than the key corrected, another record (another key), and the
    row made wrong in a date or a period."""

    resource: type
    model: type
    name_column: str
    row: dict
    corrected: dict
    other: dict
    wrong: dict
    wrong_column: str

    def file(self, *names: str, **changes: str) -> bytes:
        return dict_csv(*[{self.name_column: name, **self.row, **changes} for name in names])

    @property
    def for_units(self) -> bool:
        return self.model is UnitRating


RECORD_FILES = [
    RecordFile(
        InitiativeResource,
        Initiative,
        "Họ và tên",
        {
            "Tên sáng kiến": "Ứng dụng phần mềm quản lý hồ sơ thi đua",
            "Cấp công nhận": "cấp cơ sở",
            "Năm công nhận": "2017",
            "Ngày công nhận": "15/06/2017",
        },
        {"Cấp công nhận": "cấp tỉnh"},
        {"Tên sáng kiến": "Sổ tay nghiệp vụ điện tử"},
        {"Ngày công nhận": "15/06/2016"},
        "Ngày công nhận",
    ),
    RecordFile(
        DisciplineResource,
        Discipline,
        "Họ và tên",
        {
            "Hình thức kỷ luật": "khiển trách",
            "Từ ngày": "01/03/2017",
            "Đến ngày": "",
            "Quyết định": "5/QĐ",
        },
        {"Đến ngày": "01/03/2018"},
        {"Từ ngày": "01/03/2015"},
        {"Đến ngày": "01/02/2017"},
        "Đến ngày",
    ),
    RecordFile(
        InspectionResource,
        Inspection,
        "Họ và tên",
        {"Loại": "khiếu nại", "Từ ngày": "10/10/2019", "Đến ngày": "", "Ghi chú": ""},
        {"Đến ngày": "10/12/2019", "Ghi chú": "Đã giải quyết"},
        {"Từ ngày": "10/10/2018"},
        {"Từ ngày": "31/02/2019"},
        "Từ ngày",
    ),
    RecordFile(
        UnitRatingResource,
        UnitRating,
        "Đơn vị",
        {"Năm": "2017", "Xếp loại": "Hoàn thành tốt nhiệm vụ"},
        {"Xếp loại": "Hoàn thành xuất sắc nhiệm vụ"},
        {"Năm": "2016"},
        {"Năm": "1900"},
        "Năm",
    ),
]


def cases(test):
    return pytest.mark.parametrize("case", RECORD_FILES, ids=lambda case: case.model.__name__)(test)


def own_name(case: RecordFile, person: Person, department: Unit) -> str:
    return department.name if case.for_units else person.full_name


def other_name(case: RecordFile, other_person: Person, other_unit: Unit) -> str:
    return other_unit.name if case.for_units else other_person.full_name


@cases
def test_a_records_file_imports_by_name_and_imported_again_updates(case, person, department):
    name = own_name(case, person, department)
    report = import_file(case.resource(), case.file(name), dry_run=False)
    assert report.written and report.new == 1, report.problems
    assert import_file(case.resource(), case.file(name), dry_run=False).unchanged == 1
    # The key's columns name the record; a corrected column updates it, adding nothing.
    corrected = import_file(case.resource(), case.file(name, **case.corrected), dry_run=False)
    assert (corrected.new, corrected.updated) == (0, 1), corrected.problems
    [record] = case.model.objects.all()
    assert record.version == 2
    # Its export, a workbook of the same columns, imports back unchanged.
    exported = case.resource().export(case.model.objects.all(), force_native_type=True)
    assert exported.dict[0][case.name_column] == name
    rows = [list(exported.headers), *[list(row) for row in exported]]
    back = import_file(case.resource(), xlsx(rows), dry_run=False)
    assert (back.new, back.updated, back.unchanged) == (0, 0, 1), back.problems


@cases
def test_a_records_file_naming_a_namesake_or_other_marks_is_refused_whole(
    case, person, department, ministry
):
    name = own_name(case, person, department)
    if case.for_units:
        Unit.objects.create(name=name, slug="cuc-xdpt-2", parent=department)
        marked = "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc".replace("Cục", "Cúc")
    else:
        Person.objects.create(full_name=name, slug="nguyen-van-khao-2", unit=ministry)
        marked = "Nguyễn Văn Khao"
    ambiguous = import_file(case.resource(), case.file(name), dry_run=False)
    [problem] = ambiguous.problems
    assert (problem.row, problem.column) == (2, case.name_column)
    other_marks = import_file(case.resource(), case.file(marked), dry_run=False)
    [problem] = other_marks.problems
    assert (problem.row, problem.column) == (2, case.name_column)
    assert not ambiguous.written and not other_marks.written
    assert not case.model.objects.exists()


@cases
def test_a_unit_editors_records_file_with_another_units_row_is_refused_whole(
    case, person, department, other_person, other_unit
):
    editor = member("unit editor", unit=department)
    data = case.file(own_name(case, person, department), other_name(case, other_person, other_unit))
    report = import_file(case.resource(), data, dry_run=False, user=editor)
    assert not report.written
    [problem] = report.problems
    assert problem.row == 3
    assert "không thuộc" in problem.message or "not of" in problem.message, problem.message
    assert not case.model.objects.exists()
    # The same file is the emulation officer's to import.
    assert import_file(case.resource(), data, dry_run=False, user=member("officer")).written


@cases
def test_a_records_file_with_a_wrong_date_or_period_is_refused_whole(case, person, department):
    name = own_name(case, person, department)
    data = dict_csv(
        {case.name_column: name, **case.row, **case.other},
        {case.name_column: name, **case.row, **case.wrong},
    )
    report = import_file(case.resource(), data, dry_run=False)
    assert not report.written
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, case.wrong_column), problem
    assert not case.model.objects.exists()


@cases
def test_each_records_import_page_offers_its_template_and_previews_before_writing(
    case, person, department
):
    client = signed_in(member("unit editor", unit=department))
    name = case.model._meta.model_name
    template = client.get(reverse(f"admin:movement_{name}_import_template"))
    assert template.status_code == 200
    upload = SimpleUploadedFile("tep.csv", case.file(own_name(case, person, department)))
    preview = client.post(reverse(f"admin:movement_{name}_import"), {"import_file": upload})
    assert not case.model.objects.exists()
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context["report"].problems
    response = client.post(reverse(f"admin:movement_{name}_process_import"), confirm.initial)
    assert response.status_code == 302
    assert case.model.objects.count() == 1


def test_an_undated_entry_imported_again_updates_it_and_two_undated_are_not_guessed(person):
    row = {"Họ và tên": person.full_name, "Hình thức kỷ luật": "cảnh cáo", "Từ ngày": ""}
    assert import_file(DisciplineResource(), dict_csv(row), dry_run=False).new == 1
    again = import_file(
        DisciplineResource(), dict_csv({**row, "Quyết định": "7/QĐ"}), dry_run=False
    )
    assert (again.new, again.updated) == (0, 1), again.problems
    Discipline.objects.create(person=person, form=Discipline.Form.WARNING)
    with translation.override("en"):
        ambiguous = import_file(DisciplineResource(), dict_csv(row), dry_run=False)
    [problem] = ambiguous.problems
    assert problem.row == 2
    assert problem.message == (
        "2 records match this row, whose key's cells (Họ và tên, Hình thức kỷ luật, Từ ngày) "
        "do not tell them apart: give the date, or correct the records in the admin."
    )
    assert Discipline.objects.count() == 2


def test_two_undated_entries_of_one_file_are_two_entries_not_a_repeated_row(person):
    # A date not stated is NULL, and two NULLs never clash in the unique index: the file's
    # check of repeated rows (uniqueness.UniqueSet.key) does not take them for one entry either.
    row = {"Họ và tên": person.full_name, "Hình thức kỷ luật": "cảnh cáo", "Từ ngày": ""}
    report = import_file(DisciplineResource(), dict_csv(row, row), dry_run=False)
    assert (report.new, report.invalid) == (2, 0), report.problems
    assert Discipline.objects.filter(person=person, since=None).count() == 2


def test_a_rank_change_imported_again_with_its_rank_corrected_updates_it(person):
    def rank_file(name: str) -> bytes:
        return dict_csv(
            {"Họ và tên": person.full_name, "Cấp bậc hàm": name, "Từ ngày": "02/09/2019"}
        )

    assert import_file(RankChangeResource(), rank_file("Thiếu tướng"), dry_run=False).new == 1
    corrected = import_file(RankChangeResource(), rank_file("Trung tướng"), dry_run=False)
    assert (corrected.new, corrected.updated) == (0, 1), corrected.problems
    assert person.rank_changes.get().rank == rank("Trung tướng")


def test_an_undated_rank_change_alone_in_its_file_imported_again_updates_it(person):
    # The file's people are read by the first column of the key, whatever its date cell holds.
    def rank_file(name: str) -> bytes:
        return dict_csv({"Họ và tên": person.full_name, "Cấp bậc hàm": name, "Từ ngày": ""})

    assert import_file(RankChangeResource(), rank_file("Thiếu tướng"), dry_run=False).new == 1
    corrected = import_file(RankChangeResource(), rank_file("Trung tướng"), dry_run=False)
    assert (corrected.new, corrected.updated) == (0, 1), corrected.problems
    assert person.rank_changes.get().rank == rank("Trung tướng")


@pytest.mark.parametrize(
    "resource",
    [PersonRatingResource, InitiativeResource, DisciplineResource, InspectionResource],
    ids=lambda resource: resource.__name__,
)
def test_a_records_import_reads_its_rows_in_queries_that_do_not_grow_with_them(
    resource, department
):
    people = [
        Person.objects.create(
            full_name=f"Cán bộ {number}", slug=f"can-bo-{number}", unit=department
        )
        for number in range(12)
    ]
    case = next((case for case in RECORD_FILES if case.resource is resource), None)
    row = case.row if case else {"Năm": "2017", "Xếp loại": "Hoàn thành tốt nhiệm vụ"}

    def queries(count: int) -> int:
        data = dict_csv(*[{"Họ và tên": each.full_name, **row} for each in people[:count]])
        with CaptureQueriesContext(connection) as captured:
            report = import_file(resource(), data, dry_run=True)
        assert not report.problems, report.problems
        return len(captured)

    assert queries(3) == queries(12)


# -- An award keeps the rank and position the history gives on its day --------------------------


@pytest.fixture
def promoted(person, department) -> Person:
    """Made Trung tướng and Cục trưởng in 2017, after being Thiếu tướng and Phó Cục trưởng."""
    RankChange.objects.create(person=person, rank=rank("Thiếu tướng"), since=day(2010, 7))
    RankChange.objects.create(person=person, rank=rank("Trung tướng"), since=day(2017, 3))
    Posting.objects.create(
        person=person, unit=department, position="Phó Cục trưởng", since=day(2010)
    )
    Posting.objects.create(
        person=person, unit=department, position="Cục trưởng", since=day(2017, 3)
    )
    person.refresh_from_db()
    assert (person.rank, person.position) == (rank("Trung tướng"), "Cục trưởng")
    return person


def test_an_award_keeps_the_rank_and_position_held_on_its_day_not_the_current_ones(
    promoted, order_type
):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=promoted)
    assert (award.rank_at_award, award.position_at_award) == (rank("Thiếu tướng"), "Phó Cục trưởng")
    assert award.left_empty == []
    # The decision's date, when known, is the day.
    decided = Award.objects.create(
        award_type=order_type,
        year=2016,
        recipient_person=promoted,
        decision_number="9/QĐ",
        decision_date=day(2017, 6),
    )
    assert (decided.rank_at_award, decided.position_at_award) == (rank("Trung tướng"), "Cục trưởng")
    # What was entered stays.
    typed = Award.objects.create(
        award_type=order_type,
        year=2015,
        recipient_person=promoted,
        decision_number="10/QĐ",
        rank_at_award=rank("Đại tá"),
    )
    assert (typed.rank_at_award, typed.position_at_award) == (rank("Đại tá"), "Phó Cục trưởng")


def test_where_the_history_has_nothing_on_the_day_the_award_says_so_and_guesses_nothing(
    person, order_type, admin_client
):
    RankChange.objects.create(person=person, rank=rank("Thượng tướng"), since=day(2019))
    response = admin_client.post(
        reverse("admin:movement_award_add"),
        award_form(award_type=order_type.pk, year=2016, recipient_person=person.pk),
        follow=True,
    )
    award = Award.objects.get()
    # No rank in force at the end of 2016: left empty, not the later one. No postings at all:
    # the current position stands as their only entry (as migration 0025 would record it).
    assert (award.rank_at_award, award.position_at_award) == (None, "Cục trưởng")
    [message] = [str(m) for m in response.context["messages"] if "31/12/2016" in str(m)]
    assert message == (
        "Cấp bậc khi được khen để nguyên như đã nhập: quá trình công tác của Nguyễn Văn Khảo "
        "không có mục nào có hiệu lực vào ngày 31/12/2016. Hãy điền nếu quyết định có ghi."
    )


def test_imported_awards_keep_the_rank_held_on_their_day_and_the_preview_says_where_none(
    promoted, order_type, other_person
):
    RankChange.objects.create(person=other_person, rank=rank("Đại tá"), since=day(2019))

    def awards_file(*rows: tuple[str, int]) -> bytes:
        return dict_csv(
            *[
                {
                    "Năm": year,
                    "Hình thức khen thưởng": order_type.name,
                    "Hạng": "hạng Ba",
                    "Cá nhân nhận": name,
                    "Số quyết định": f"{number}/QĐ",
                }
                for number, (name, year) in enumerate(rows)
            ]
        )

    data = awards_file(
        ("Nguyễn Văn Khảo", 2016), ("Nguyễn Văn Khảo", 2018), ("Trần Văn Bình", 2016)
    )
    with translation.override("vi"):
        preview = import_file(AwardResource(), data, dry_run=True)
    notes = [warning for warning in preview.warnings if "31/12/2016" in warning]
    assert notes == [
        "Dòng 4: Cấp bậc khi được khen để nguyên như đã nhập: quá trình công tác của Trần Văn "
        "Bình không có mục nào có hiệu lực vào ngày 31/12/2016. Hãy điền nếu quyết định có ghi."
    ]
    report = import_file(AwardResource(), data, dry_run=False)
    assert report.written, report.problems
    kept = Award.objects.order_by("decision_number").values_list(
        "rank_at_award__name", "position_at_award"
    )
    assert list(kept) == [
        ("Thiếu tướng", "Phó Cục trưởng"),
        ("Trung tướng", "Cục trưởng"),
        (None, ""),
    ]


def test_what_a_preview_says_is_left_as_entered_is_what_the_import_leaves_and_it_changes_nothing(
    promoted, other_person, order_type, department
):
    RankChange.objects.create(person=other_person, rank=rank("Đại tá"), since=day(2019))
    Posting.objects.create(
        person=other_person, unit=department, position="Đội trưởng", since=day(2019)
    )

    def awards() -> list[Award]:
        return [
            Award(award_type=order_type, year=2016, recipient_person=promoted),
            Award(award_type=order_type, year=2016, recipient_person=other_person),
            Award(
                award_type=order_type,
                year=2016,
                recipient_person=other_person,
                rank_at_award=rank("Thượng tá"),
            ),
            Award(award_type=order_type, year=2016, recipient_unit=department),
        ]

    previewed = awards()
    left = ranks_and_positions_left(previewed)
    assert left == keep_ranks_and_positions(awards())
    assert left == [[], ["rank_at_award", "position_at_award"], ["position_at_award"], []]
    # The preview writes nothing and reads its awards as the file gave them.
    assert [(award.rank_at_award_id, award.position_at_award) for award in previewed] == [
        (None, ""),
        (None, ""),
        (rank("Thượng tá").pk, ""),
        (None, ""),
    ]


def test_an_award_import_reads_the_histories_in_queries_that_do_not_grow_with_its_rows(
    department, order_type
):
    people = []
    for number in range(10):
        each = Person.objects.create(
            full_name=f"Cán bộ {number}", slug=f"cb-{number}", unit=department
        )
        RankChange.objects.create(person=each, rank=rank("Đại tá"), since=day(2010))
        people.append(each)

    def queries(count: int) -> int:
        data = dict_csv(
            *[
                {
                    "Năm": 2016,
                    "Hình thức khen thưởng": order_type.name,
                    "Hạng": "hạng Ba",
                    "Cá nhân nhận": each.full_name,
                }
                for each in people[:count]
            ]
        )
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            report = import_file(AwardResource(), data, dry_run=False)
            assert report.written, report.problems
            transaction.set_rollback(True)
        return len(captured)

    assert queries(2) == queries(10)


def test_a_file_naming_one_posting_twice_is_refused_at_the_second_row(person, division):
    row = {
        "Họ và tên": "Nguyễn Văn Khảo",
        "Đơn vị": "Phòng Tham mưu",
        "Chức vụ": "Trưởng phòng",
        "Từ ngày": "01/03/2018",
    }
    with translation.override("vi"):
        report = import_file(
            PostingResource(), dict_csv(row, {**row, "Chức vụ": "Phó phòng"}), dry_run=False
        )
    assert not report.written
    [problem] = report.problems
    assert (problem.row, problem.message) == (
        3,
        "Người này đã có một lần điều động đến đơn vị này từ ngày này. Hãy sửa mục đó thay vì "
        "thêm mục thứ hai.",
    )
    assert not Posting.objects.exists()
