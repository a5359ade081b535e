"""The ``in_array`` lookup (movement.lookups): ``in`` for thousands of values, sent to
PostgreSQL as one array."""

import uuid

import pytest
from django.db import connection
from django.db.models import CharField, F, Transform
from django.test.utils import register_lookup

from movement.models import Award, Person, PersonRating, Rating, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> list[Person]:
    unit = Unit.objects.create(name="Phòng Tham mưu", slug="phong-tham-muu")
    found = [
        Person.objects.create(full_name=name, slug=f"p-{number}", unit=unit)
        for number, name in enumerate(["Nguyễn Văn Hưng", "Nguyễn Văn Hùng", "Lê Thị Hoa"])
    ]
    for person in found:
        PersonRating.objects.create(person=person, year=2016, rating=Rating.EXCELLENT)
    return found


def both(queryset_of, values):
    """The keys ``in`` and ``in_array`` find for ``values``, in order."""
    return [
        sorted(queryset_of(lookup, values).values_list("pk", flat=True))
        for lookup in ("in", "in_array")
    ]


def test_it_finds_what_in_finds_on_a_key_a_relation_and_a_text(people):
    wanted = [people[0].pk, people[2].pk]
    by_key = both(lambda lookup, values: Person.objects.filter(**{f"pk__{lookup}": values}), wanted)
    assert by_key[0] == by_key[1] == wanted
    ratings = both(
        lambda lookup, values: PersonRating.objects.filter(**{f"person__{lookup}": values}), wanted
    )
    assert ratings[0] == ratings[1] and len(ratings[1]) == 2
    names = both(
        lambda lookup, values: Person.objects.filter(**{f"full_name__{lookup}": values}),
        {"Nguyễn Văn Hưng", "Lê Thị Hoa"},
    )
    assert names[0] == names[1] == wanted


def test_it_keeps_tone_marks_apart_and_drops_none(people, django_assert_num_queries):
    found = Person.objects.filter(full_name__in_array=["Nguyễn Văn Hùng", None])
    assert list(found) == [people[1]]
    # NULL equals nothing: None alone asks nothing, as with ``in``.
    with django_assert_num_queries(0):
        assert list(Person.objects.filter(pk__in_array=[None])) == []


def test_no_values_find_nothing_without_a_query(people, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Person.objects.filter(pk__in_array=[])) == []


def test_a_subquery_is_asked_as_in_asks_it(people):
    chosen = Person.objects.filter(full_name="Lê Thị Hoa").values("pk")
    assert list(Person.objects.filter(pk__in_array=chosen)) == [people[2]]


def test_an_expression_among_the_values_is_asked_as_in_asks_it(people):
    found = Person.objects.filter(pk__in_array=[F("pk")]).order_by("pk")
    assert list(found) == people
    found = Person.objects.filter(pk__in_array=[people[0].pk, F("pk") + 10**6])
    assert list(found) == [people[0]]


class Upper(Transform):
    """UPPER() on both sides of a lookup, as a bilateral transform is applied."""

    lookup_name = "upper"
    function = "UPPER"
    bilateral = True


def test_a_transform_of_both_sides_is_applied_to_the_values_too(people):
    with register_lookup(CharField, Upper):
        found = Person.objects.filter(full_name__upper__in_array=["lê thị hoa"])
        assert list(found) == [people[2]]


def test_the_array_has_the_fields_type(people):
    sql, _params = Award.objects.filter(key__in_array=[uuid.uuid4()]).query.sql_with_params()
    assert list(Award.objects.filter(key__in_array=[uuid.uuid4()])) == []
    if connection.vendor == "postgresql":
        assert "= ANY(%s::uuid[])" in sql


def test_postgresql_is_sent_one_array_whatever_the_number_of_values(people):
    values = [person.pk for person in people] + list(range(10**6, 10**6 + 500))
    sql, params = Person.objects.filter(pk__in_array=values).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in sql
        assert len(params) == 1 and sorted(params[0]) == sorted(values)
    else:
        assert " IN (" in sql and len(params) == len(values)
