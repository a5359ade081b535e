import datetime
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation

from movement import permissions
from movement.models import (
    Award,
    AwardType,
    Campaign,
    CertificateField,
    CertificateLayout,
    CouncilMeeting,
    Decision,
    Discipline,
    Initiative,
    Inspection,
    PendingImport,
    Person,
    PersonRating,
    Posting,
    Proposal,
    ProposalLine,
    Rank,
    Rating,
    Registration,
    Source,
    StaffProfile,
    Task,
    Unit,
    UnitRating,
    WorkPlan,
)
from movement.models.base import DJANGO_MESSAGES
from movement.permissions import EMULATION_OFFICERS, UNIT_EDITORS
from movement.spreadsheets.uniqueness import (
    UniqueSet,
    clashes,
    fields_set,
    fields_unset,
    unique_sets,
)
from movement.text import fold
from tests.factories import every_model


def refused(**fields) -> bool:
    try:
        with transaction.atomic():
            Award.objects.create(**fields)
    except IntegrityError:
        return True
    return False


def test_fold_ignores_diacritics_case_and_d_bar():
    assert fold("Nguyễn Văn  KHẢO") == "nguyen van khao"
    assert fold("Đơn vị") == "don vi"


def test_fold_treats_nfc_and_nfd_alike():
    import unicodedata

    word = "Thượng úy"
    assert fold(unicodedata.normalize("NFD", word)) == fold(unicodedata.normalize("NFC", word))


def test_ranks_are_seeded_in_order_of_seniority(db):
    names = list(Rank.objects.values_list("name", flat=True))
    assert names[:4] == ["Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng"]
    assert names[11] == "Thiếu úy"
    assert names[-1] == "Binh nhì"
    assert len(names) == 17


def test_award_without_recipient_is_refused(flag_type):
    assert refused(award_type=flag_type, year=2016)


def test_award_with_two_recipients_is_refused(order_type, department, person):
    assert refused(
        award_type=order_type, year=2016, recipient_unit=department, recipient_person=person
    )


def test_collective_only_type_given_to_a_person_is_refused(flag_type, person):
    assert refused(award_type=flag_type, year=2016, recipient_person=person)


def test_individual_only_type_given_to_a_unit_is_refused(department):
    medal = AwardType.objects.create(
        name="Chiến sĩ thi đua cơ sở", category=AwardType.Category.TITLE, for_individuals=True
    )
    assert refused(award_type=medal, year=2016, recipient_unit=department)
    assert refused(award_type=medal, year=2016, group_kind="collective", group_count=3)


def test_type_cannot_stop_accepting_recipients_it_already_has(flag_type, department):
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=department)
    flag_type.for_collectives = False
    flag_type.for_individuals = True
    with pytest.raises(IntegrityError), transaction.atomic():
        flag_type.save()


def test_same_award_recorded_twice_is_refused(flag_type, department):
    Award.objects.create(award_type=flag_type, year=2016, recipient_unit=department)
    assert refused(award_type=flag_type, year=2016, recipient_unit=department)
    assert not refused(award_type=flag_type, year=2017, recipient_unit=department)


def test_unnamed_group_keeps_its_count(flag_type):
    award = Award.objects.create(
        award_type=flag_type, year=2016, group_kind="collective", group_count=3
    )
    award.refresh_from_db()
    assert award.group_count == 3
    assert award.recipient_label == "3 tập thể"


def test_unnamed_group_needs_a_count(flag_type):
    assert refused(award_type=flag_type, year=2016, group_kind="collective")
    assert refused(award_type=flag_type, year=2016, group_kind="collective", group_count=0)


def test_award_to_a_person_keeps_rank_and_position_held_at_the_time(order_type, person):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    person.rank = Rank.objects.get(name="Thượng tướng")
    person.position = "Thứ trưởng"
    person.save()
    award.refresh_from_db()
    assert award.rank_at_award.name == "Trung tướng"
    assert award.position_at_award == "Cục trưởng"


def test_clean_explains_a_collective_type_given_to_a_person(flag_type, person):
    award = Award(award_type=flag_type, year=2016, recipient_person=person)
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert "award_type" in error.value.message_dict


def test_subtree_is_one_query(ministry, department, division, django_assert_num_queries):
    with django_assert_num_queries(1):
        slugs = set(ministry.subtree().values_list("slug", flat=True))
    assert slugs == {"bo-cong-an", "cuc-xdpt", "phong-tham-muu"}
    assert set(department.subtree().values_list("slug", flat=True)) == {
        "cuc-xdpt",
        "phong-tham-muu",
    }


def test_the_newest_awards_come_newest_first_with_their_relations(
    order_type, person, django_assert_num_queries
):
    Award.objects.bulk_create(
        Award(award_type=order_type, year=year, recipient_person=person, decision_number=str(n))
        for n, year in enumerate([2015, 2019, 2017, 2019, 2016])
    )
    expected = list(Award.objects.newest_first()[:3])
    with django_assert_num_queries(2):
        newest = Award.objects.filter(year__gte=2016).select_related("award_type").newest(3)
        assert [award.award_type.name for award in newest] == [order_type.name] * 3
    assert newest == expected
    assert [award.year for award in newest] == [2019, 2019, 2017]


def test_search_text_is_folded_on_save(department):
    department.refresh_from_db()
    assert "cuc xdpt toan dan bao ve antq" in department.search_text
    assert Unit.objects.filter(search_text__contains="xay dung phong trao").exists()


def test_renaming_a_person_refreshes_the_search_text_of_their_awards(order_type, person):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    person.full_name = "Lương Ngọc Dương"
    person.save()
    award.refresh_from_db()
    assert "luong ngoc duong" in award.search_text
    assert "khao" not in award.search_text


def test_the_marked_text_keeps_the_marks_lower_cased(department):
    department.refresh_from_db()
    assert "cục xdpt toàn dân bảo vệ antq" in department.marked_text
    assert "cuc xdpt" not in department.marked_text


def test_a_new_mark_alone_refreshes_the_marked_text_of_their_awards(order_type, person):
    award = Award.objects.create(award_type=order_type, year=2016, recipient_person=person)
    person.full_name = "Nguyễn Văn Khào"  # the folded text stays "nguyen van khao"
    person.save()
    award.refresh_from_db()
    assert "nguyễn văn khào" in award.marked_text
    assert "khảo" not in award.marked_text


@pytest.mark.parametrize("fields", [None, ["full_name"]])
def test_a_save_of_some_fields_writes_both_search_texts(person, fields):
    person.full_name = "Đặng Quang Hưng"
    person.save(update_fields=fields)
    person.refresh_from_db()
    assert (person.search_text, person.marked_text) == (
        "dang quang hung cuc truong",
        "đặng quang hưng cục trưởng",
    )


def test_renaming_a_unit_refreshes_the_search_text_of_its_awards(flag_type, division):
    award = Award.objects.create(award_type=flag_type, year=2016, recipient_unit=division)
    division.name = "Phòng Hướng dẫn phong trào ngoài xã hội"
    division.save()
    award.refresh_from_db()
    assert "phong huong dan phong trao" in award.search_text


def test_a_code_is_made_from_the_name_with_vietnamese_letters_folded(db):
    assert Person.objects.free_codes(
        ["Trần Thị Hồng Nhung", "Đặng Quang Hưng", "Ông Ích Khiêm"]
    ) == [
        "tran-thi-hong-nhung",
        "dang-quang-hung",
        "ong-ich-khiem",
    ]


def test_a_code_taken_in_the_table_or_the_list_is_numbered(department):
    Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="tran-thi-hong-nhung")
    Person.objects.create(full_name="Trần Thị Hồng Nhung", slug="tran-thi-hong-nhung-2")
    codes = Person.objects.free_codes(
        ["Trần Thị Hồng Nhung", "TRẦN THỊ HỒNG NHUNG", "Lê Văn Tám", "Trần Thị Hồng Nhung"]
    )
    assert codes == [
        "tran-thi-hong-nhung-3",
        "tran-thi-hong-nhung-4",
        "le-van-tam",
        "tran-thi-hong-nhung-5",
    ]
    assert Unit.objects.free_codes(["Cục XDPT", "Cục XDPT"]) == ["cuc-xdpt-2", "cuc-xdpt-3"]


def test_codes_are_found_in_a_few_queries_however_many_are_taken(db, django_assert_max_num_queries):
    Person.objects.bulk_create(
        Person(full_name="Lê Văn Tám", slug="le-van-tam" + (f"-{n}" if n > 1 else ""))
        for n in range(1, 40)
    )
    with django_assert_max_num_queries(7):
        codes = Person.objects.free_codes(["Lê Văn Tám"] * 3)
    assert codes == ["le-van-tam-40", "le-van-tam-41", "le-van-tam-42"]


def test_a_long_name_keeps_its_number_within_the_codes_length(db):
    name = "Phòng " + "rất " * 40
    Unit.objects.create(name=name, slug=Unit.objects.free_codes([name])[0], kind="division")
    first, second = Unit.objects.free_codes([name, name])
    assert len(second) <= 100
    assert first.endswith("-2")
    assert second.endswith("-3")


def test_a_name_without_letters_gets_no_code(db):
    assert Person.objects.free_codes(["—", ""]) == ["", ""]


def test_a_person_or_unit_given_no_code_gets_one_from_the_name(department):
    # As the admin's form validates a record whose optional code was left blank.
    person = Person(full_name="Đỗ Văn Đức", unit=department)
    person.full_clean(exclude=["slug"])
    assert person.slug == "do-van-duc"
    unit = Unit(name="Phòng Tham mưu", kind="division", parent=department)
    unit.full_clean(exclude=["slug"])
    assert unit.slug == "phong-tham-muu"


def every_constraint() -> list:
    return [
        pytest.param(model, constraint, id=constraint.name)
        for model in every_model("movement")
        for constraint in model._meta.constraints
    ]


# Letters only Vietnamese writes among the languages the UI speaks.
VIETNAMESE_LETTERS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def test_the_walk_finds_the_models_constraints():
    names = {param.id for param in every_constraint()}
    assert {"award_year_in_range", "unit_unique_name_per_parent", "task_unique_number"} <= names


@pytest.mark.parametrize(("model", "constraint"), every_constraint())
def test_every_constraint_says_in_vietnamese_what_is_wrong(model, constraint):
    assert constraint.violation_error_message != constraint.default_violation_error_message
    with translation.override("en"):
        english = str(constraint.get_violation_error_message())
    with translation.override("vi"):
        vietnamese = str(constraint.get_violation_error_message())
    assert vietnamese != english, "no Vietnamese translation in locale/vi"
    assert VIETNAMESE_LETTERS.search(vietnamese)
    assert constraint.name not in vietnamese
    # What to do, not only what is wrong.
    assert re.search(r"\b(hãy|cần)\b", vietnamese, re.IGNORECASE)


def test_a_code_that_is_not_a_code_is_refused_in_vietnamese(db):
    person = Person(full_name="Trần Thị Hồng Nhung", slug="Trần Thị")
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            person.full_clean()
        [message] = refused.value.message_dict["slug"]
    assert message.startswith("Mã không hợp lệ")
    assert "slug" not in message


@pytest.mark.parametrize("message", DJANGO_MESSAGES)
def test_djangos_untranslated_validation_messages_read_in_vietnamese(message):
    with translation.override("vi"):
        vietnamese = translation.gettext(message)
    assert vietnamese != message
    assert VIETNAMESE_LETTERS.search(vietnamese)


# -- Query vocabulary: the models' QuerySets -------------------------------------------------


def test_newest_first_orders_by_year_then_latest_entered_first(flag_type, department, division):
    older = Award.objects.create(award_type=flag_type, year=2016, recipient_unit=division)
    first = Award.objects.create(award_type=flag_type, year=2017, recipient_unit=department)
    latest = Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division)
    assert list(Award.objects.newest_first()) == [latest, first, older]


def test_running_in_a_year_takes_open_ends_as_still_running(db):
    periods = {
        "2015-2017": (2015, 2017),
        "since-2018": (2018, None),
        "until-2016": (None, 2016),
        "no-years": (None, None),
    }
    for slug, (start, end) in periods.items():
        Campaign.objects.create(
            name=slug, slug=slug, kind=Campaign.Kind.MOVEMENT, start_year=start, end_year=end
        )

    def running(year: int) -> set[str]:
        return set(Campaign.objects.running_in(year).values_list("slug", flat=True))

    assert running(2014) == {"until-2016"}
    assert running(2016) == {"2015-2017", "until-2016"}
    assert running(2017) == {"2015-2017"}
    assert running(2030) == {"since-2018"}


def staff(username: str, group: str, unit: Unit | None = None) -> User:
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if unit is not None:
        StaffProfile.objects.create(user=user, unit=unit)
    return user


def test_editable_by_a_unit_editor_is_exactly_their_units_subtree(
    ministry, department, division, person, flag_type, order_type
):
    other_unit = Unit.objects.create(
        name="Công an tỉnh Lào Cai", slug="ca-lao-cai", kind="provincial_police", parent=ministry
    )
    other_person = Person.objects.create(full_name="Trần Văn Bình", unit=other_unit, slug="tvb")
    unplaced = Person.objects.create(full_name="Lê Văn Tám", slug="lvt")
    own_awards = {
        Award.objects.create(award_type=flag_type, year=2017, recipient_unit=department),
        Award.objects.create(award_type=flag_type, year=2017, recipient_unit=division),
        Award.objects.create(award_type=order_type, year=2017, recipient_person=person),
    }
    # Above the editor's unit, beside it, and to a group nobody can say whose it is.
    Award.objects.create(award_type=flag_type, year=2017, recipient_unit=ministry)
    Award.objects.create(award_type=order_type, year=2017, recipient_person=other_person)
    Award.objects.create(award_type=flag_type, year=2017, group_kind="collective", group_count=3)
    own_task = Task.objects.create(plan=WorkPlan.objects.create(unit=division, year=2017), number=1)
    Task.objects.create(plan=WorkPlan.objects.create(unit=ministry, year=2017), number=1)

    editor = staff("can-bo-cuc", UNIT_EDITORS, department)
    assert set(Award.objects.editable_by(editor)) == own_awards
    assert set(Person.objects.editable_by(editor)) == {person}
    assert set(Task.objects.editable_by(editor)) == {own_task}
    # A QuerySet method: it narrows whatever it is given.
    assert set(Award.objects.filter(recipient_person__isnull=False).editable_by(editor)) == {
        Award.objects.get(recipient_person=person)
    }

    officer = staff("can-bo-thi-dua", EMULATION_OFFICERS)
    assert Award.objects.editable_by(officer).count() == Award.objects.count() == 6
    assert set(Person.objects.editable_by(officer)) == {person, other_person, unplaced}

    assert not Award.objects.editable_by(staff("khong-don-vi", UNIT_EDITORS)).exists()


def test_the_models_with_editable_by_are_the_unit_scoped_ones():
    for model in apps.get_models():
        assert hasattr(model.objects.all(), "editable_by") == permissions.is_scoped(model), model


def test_a_record_known_by_its_code_is_found_by_its_natural_key(campaign):
    source = Source.objects.create(slug="bao-cao-2017", title="Báo cáo tổng kết năm 2017")
    for record in [
        source,
        campaign.launch_event,
        campaign,
        campaign.launched_by_unit,
        campaign.launched_by_person,
    ]:
        assert type(record).objects.get_by_natural_key(*record.natural_key()) == record


def test_units_keep_their_tree_queries_beside_their_codes(ministry, department, division):
    depths = {unit.slug: unit.tree_depth for unit in Unit.objects.with_tree_fields()}
    assert depths == {"bo-cong-an": 0, "cuc-xdpt": 1, "phong-tham-muu": 2}
    assert Unit.objects.free_codes(["Phòng Tham mưu"]) == ["phong-tham-muu-2"]


# A record breaking each check constraint, built from the shared fixtures (see ``breaking``).
BREAKING = {
    "award_type_has_recipients": lambda r: AwardType(name="Giấy khen", category="certificate"),
    "award_type_valid_period": lambda r: AwardType(
        name="Giấy khen",
        category="certificate",
        for_collectives=True,
        valid_from=datetime.date(2010, 1, 1),
        valid_until=datetime.date(2009, 12, 31),
    ),
    "award_type_article_has_text": lambda r: AwardType(
        name="Giấy khen", category="certificate", for_collectives=True, legal_article="Điều 75"
    ),
    "award_type_confirmed_article": lambda r: AwardType(
        name="Giấy khen",
        category="certificate",
        for_collectives=True,
        article_confirmed=True,
    ),
    "award_exactly_one_recipient": lambda r: Award(
        award_type=r.order_type, year=2016, recipient_unit=r.department, recipient_person=r.person
    ),
    "award_group_has_kind_and_count": lambda r: Award(
        award_type=r.order_type, year=2016, group_kind="collective", group_count=0
    ),
    "award_rank_only_for_people": lambda r: Award(
        award_type=r.order_type,
        year=2016,
        recipient_unit=r.department,
        position_at_award="Cục trưởng",
    ),
    # Revoked without saying why.
    "award_revocation_complete": lambda r: Award(
        award_type=r.order_type,
        year=2017,
        recipient_unit=r.department,
        revoked_on=datetime.date(2018, 1, 5),
        revoked_by=Decision.objects.create(number="12/QĐ-BCA"),
    ),
    "award_year_in_range": lambda r: Award(
        award_type=r.order_type, year=1900, recipient_unit=r.department
    ),
    "campaign_ends_after_it_starts": lambda r: Campaign(
        name="Phong trào",
        slug="phong-trao",
        kind=Campaign.Kind.EMULATION,
        start_year=2017,
        end_year=2016,
    ),
    "unit_not_its_own_parent": lambda r: Unit(
        pk=r.department.pk,
        name=r.department.name,
        slug=r.department.slug,
        kind=r.department.kind,
        parent=r.department,
    ),
    "pending_import_finished_when_ended": lambda r: PendingImport(
        resource="movement.spreadsheets.resources.AwardResource",
        model="award",
        expires_at=timezone.now(),
        state=PendingImport.State.IMPORTED,
    ),
    # A person's service record and a unit's rating (movement.models.service).
    "posting_dates_in_order": lambda r: Posting(
        person=r.person,
        unit=r.department,
        since=datetime.date(2017, 5, 1),
        until=datetime.date(2016, 5, 1),
    ),
    "posting_unit_or_position": lambda r: Posting(person=r.person),
    "person_rating_year_in_range": lambda r: PersonRating(
        person=r.person, year=1900, rating=Rating.GOOD
    ),
    "initiative_year_in_range": lambda r: Initiative(
        person=r.person, title="Sáng kiến", level=Initiative.Level.GRASSROOTS, year=2200
    ),
    "initiative_date_in_year": lambda r: Initiative(
        person=r.person,
        title="Sáng kiến",
        level=Initiative.Level.GRASSROOTS,
        year=2017,
        recognised_on=datetime.date(2018, 1, 5),
    ),
    "discipline_dates_in_order": lambda r: Discipline(
        person=r.person,
        form=Discipline.Form.WARNING,
        since=datetime.date(2017, 5, 1),
        until=datetime.date(2017, 4, 30),
    ),
    "inspection_dates_in_order": lambda r: Inspection(
        person=r.person,
        kind=Inspection.Kind.COMPLAINT,
        since=datetime.date(2017, 5, 1),
        until=datetime.date(2017, 4, 30),
    ),
    "unit_rating_year_in_range": lambda r: UnitRating(
        unit=r.department, year=2101, rating=Rating.EXCELLENT
    ),
    # The emulation year's records (movement.models.cycle).
    "registration_year_range": lambda r: Registration(
        unit=r.department, year=1900, award_type=r.order_type
    ),
    "proposal_year_range": lambda r: Proposal(unit=r.department, year=2200, title="Đề nghị"),
    "proposal_line_one_recipient": lambda r: ProposalLine(
        person=r.person, collective=r.department, award_type=r.order_type
    ),
    "council_present_at_most_members": lambda r: CouncilMeeting(
        held_on=datetime.date(2017, 12, 15), members=5, present=6
    ),
    "council_has_members": lambda r: CouncilMeeting(
        held_on=datetime.date(2017, 12, 15), members=0, present=0
    ),
    # Where a field of a certificate is printed (movement.models.papers).
    "certificate_field_on_page": lambda r: CertificateField(
        layout=CertificateLayout.objects.create(award_type=r.order_type),
        name=CertificateField.Name.RECIPIENT,
        x_mm=-5,
        y_mm=100,
    ),
    "certificate_field_size": lambda r: CertificateField(
        layout=CertificateLayout.objects.create(award_type=r.order_type),
        name=CertificateField.Name.RECIPIENT,
        x_mm=100,
        y_mm=100,
        size_pt=90,
    ),
}


def every_check_constraint() -> list:
    return [
        param for param in every_constraint() if isinstance(param.values[1], models.CheckConstraint)
    ]


@pytest.fixture
def breaking(order_type, department, person):
    records = SimpleNamespace(order_type=order_type, department=department, person=person)
    return lambda name: BREAKING[name](records)


@pytest.mark.parametrize(("model", "constraint"), every_check_constraint())
def test_clean_refuses_what_each_check_constraint_refuses_in_its_words(model, constraint, breaking):
    # The database's constraint is the last guard; the model says the rule first, in a form or
    # a spreadsheet row, in the constraint's own words.
    assert constraint.name in BREAKING, "a check constraint needs its rule in the model's clean()"
    record = breaking(constraint.name)
    assert type(record) is model
    with pytest.raises(ValidationError):
        constraint.validate(model, record)  # the example does break the constraint
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            record.full_clean(validate_constraints=False)
        assert str(constraint.get_violation_error_message()) in refused.value.messages


def test_a_form_says_a_broken_rule_once(order_type, department, person):
    # clean() says it; Django's own check of the constraint is not asked to say it again.
    [constraint] = [
        one for one in Award._meta.constraints if one.name == "award_exactly_one_recipient"
    ]
    award = Award(
        award_type=order_type, year=2016, recipient_unit=department, recipient_person=person
    )
    with pytest.raises(ValidationError) as refused:
        award.full_clean()
    assert refused.value.messages == [constraint.get_violation_error_message()]


@pytest.mark.parametrize("model", every_model("movement"), ids=lambda model: model.__name__)
def test_every_unique_constraint_is_checked_in_bulk(model):
    # A condition the bulk probe cannot read is refused when its sets are made, not mid-import.
    fields = {unique.fields for unique in unique_sets(model)}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert tuple(constraint.fields) in fields


@pytest.mark.parametrize(
    "condition",
    [
        Q(year__gte=2000),
        Q(recipient_person__isnull=False) | Q(recipient_unit__isnull=False),
        ~Q(recipient_person__isnull=True),
        Q(recipient_person__isnull=False) & Q(Q(year=2016) | Q(year=2017)),
        Q(Q(recipient_person__isnull=False), year__gte=2000),
        Q(recipient_person__unit__isnull=False),
        Q(year=1),
    ],
    ids=[
        "a comparison",
        "either of two",
        "negated",
        "a comparison inside",
        "a comparison after a group",
        "through a relation",
        "an equality",
    ],
)
def test_a_unique_condition_the_bulk_probe_cannot_read_is_refused(condition):
    with pytest.raises(ImproperlyConfigured):
        UniqueSet(Award, ("year",), condition)


def test_a_unique_condition_of_fields_set_and_unset_is_read_as_such():
    condition = Q(recipient_person__isnull=False) & Q(Q(recipient_unit__isnull=True))
    assert fields_set(Award, condition) == ("recipient_person",)
    assert fields_unset(Award, condition) == ("recipient_unit",)
    unique = UniqueSet(Award, ("year", "recipient_person"), condition)
    award = Award(year=2016, recipient_person_id=7)
    assert unique.key(award) == (2016, 7)
    award.recipient_unit_id = 3
    assert unique.key(award) is None


def test_a_batch_clashing_with_a_stored_unique_field_is_refused_with_djangos_message(db):
    # Seniority is a unique field, not a constraint: the message is the model's own.
    rank = Rank(name="Cấp bậc mới", seniority=Rank.objects.get(name="Đại tướng").seniority)
    with translation.override("en"):
        [(position, error)] = clashes([rank], [2]).items()
        assert (position, error.messages) == (0, ["Rank with this Seniority already exists."])
