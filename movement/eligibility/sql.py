"""Everyone who qualifies for an award type in a year, as one query over the whole sector.

Each requirement of a rule is a set of people computed by the database, not a loop: the run of
earlier titles is a grouped subquery (the people with every year of the run, the distinct years
counted), the initiative, the discipline and the inspection are semi-joins, and the service years
a comparison of dates. The same expressions run on SQLite and PostgreSQL.
"""

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from movement.models import Award, AwardType, Person, Unit
from movement.models.service import (
    Discipline,
    Initiative,
    Inspection,
    PersonRating,
    UnitRating,
)

from .rules import Rule, rule_for

# Every unit with each unit of its subtree (itself included), walked down from every unit at
# once: the members of a collective are the people whose current unit is in its subtree.
# Recursive CTEs inside a subquery run the same on SQLite and PostgreSQL.
MEMBERS_SQL = """
    WITH RECURSIVE tree(ancestor, member) AS (
        SELECT id, id FROM movement_unit
        UNION ALL
        SELECT tree.ancestor, child.id
        FROM movement_unit child JOIN tree ON child.parent_id = tree.member
    )
    SELECT tree.ancestor FROM tree JOIN movement_person person ON person.unit_id = tree.member
"""


def type_q(keys: tuple[tuple[str, str], ...], prefix: str = "award_type__") -> Q:
    """Award types given by natural key, through the join ``prefix``."""
    found = Q()
    for name, award_class in keys:
        found |= Q(**{f"{prefix}name": name, f"{prefix}award_class": award_class})
    return found


def overlapping(model, first, last) -> QuerySet:
    """The people with a period of ``model`` touching [first, last] (an unstated start bars)."""
    return (
        model.objects.filter(Q(since__isnull=True) | Q(since__lte=last))
        .filter(Q(until__isnull=True) | Q(until__gte=first))
        .values("person")
    )


def with_run(rule: Rule, year: int) -> QuerySet:
    """The people holding one of ``rule.chain_of`` in every year of the run ending in ``year``."""
    years = rule.chain_years(year)
    return (
        Award.objects.in_force()
        .filter(type_q(rule.chain_of), year__in=years, recipient_person__isnull=False)
        .values("recipient_person")
        .annotate(years=Count("year", distinct=True))
        .filter(years=len(years))
        .values("recipient_person")
    )


def units_with_members(rule: Rule, year: int) -> RawSQL:
    """The units more than ``rule.members_share`` of whose people hold one of
    ``rule.members_with`` in ``year``: one grouped pass over every unit's subtree."""
    titled, params = (
        Award.objects.in_force()
        .filter(type_q(rule.members_with), year=year, recipient_person__isnull=False)
        .order_by()
        .values("recipient_person")
        .query.sql_with_params()
    )
    sql = (
        f"{MEMBERS_SQL} GROUP BY tree.ancestor HAVING "
        f"SUM(CASE WHEN person.id IN ({titled}) THEN 1 ELSE 0 END) > %s * COUNT(*)"
    )
    return RawSQL(sql, (*params, rule.members_share))  # noqa: S611


def member_counts(rule: Rule, year: int, units: list[int]) -> dict[int, tuple[int, int, int]]:
    """For each of ``units``: its people, those holding ``rule.members_with`` in ``year``, and
    those disciplined in the year in a form the rule bars (two queries: the units' subtrees,
    then their people)."""
    marks = ", ".join(["%s"] * len(units))
    # The subtrees first, on their own: joined to the people in one query, the planner guessed
    # the walk at thousands of units (it cannot know a recursion's depth) and read every person
    # of the sector to meet the hundred units an import's rows name (#12).
    subtrees = f"""
        WITH RECURSIVE tree(ancestor, member) AS (
            SELECT id, id FROM movement_unit WHERE id IN ({marks})
            UNION ALL
            SELECT tree.ancestor, child.id
            FROM movement_unit child JOIN tree ON child.parent_id = tree.member
        )
        SELECT ancestor, member FROM tree
    """  # noqa: S608 (only placeholders are put into the SQL)
    with connection.cursor() as cursor:
        cursor.execute(subtrees, units)
        tree = cursor.fetchall()
    titled = (
        Award.objects.in_force()
        .filter(type_q(rule.members_with), year=year, recipient_person__isnull=False)
        .values("recipient_person")
    )
    first, last = rule.year_span(year)
    barred = overlapping(Discipline, first, last).filter(form__in=rule.members_not_disciplined)
    by_unit = {
        unit: (people, with_title, disciplined)
        for unit, people, with_title, disciplined in Person.objects.filter(
            unit__in={member for _ancestor, member in tree}
        )
        .order_by()
        .values("unit")
        .annotate(
            people=Count("pk"),
            titled=Count("pk", filter=Q(pk__in=titled.order_by())),
            barred=Count("pk", filter=Q(pk__in=barred.order_by())),
        )
        .values_list("unit", "people", "titled", "barred")
    }
    counts: dict[int, tuple[int, int, int]] = {}
    for ancestor, member in tree:
        if member in by_unit:
            people, with_title, disciplined = by_unit[member]
            before = counts.get(ancestor, (0, 0, 0))
            counts[ancestor] = (before[0] + people, before[1] + with_title, before[2] + disciplined)
    return counts


def units_with_disciplined(rule: Rule, year: int) -> RawSQL:
    """The units one of whose people was disciplined in ``year`` in a form the rule bars."""
    first, last = rule.year_span(year)
    barred, params = (
        overlapping(Discipline, first, last)
        .filter(form__in=rule.members_not_disciplined)
        .order_by()
        .query.sql_with_params()
    )
    return RawSQL(f"{MEMBERS_SQL} WHERE person.id IN ({barred})", params)  # noqa: S611


def qualifying_units(rule: Rule, award_type: AwardType, year: int, within: Unit | None):
    """The units that qualify under a rule for collectives: one query, like the people's."""
    units = Unit.objects.order_by("pk")
    if within is not None:
        units = units.filter(pk__in=within.subtree().values("pk"))
    if rule.rating_at_least is not None:
        rated = UnitRating.objects.filter(year=year, rating__in=rule.grades())
        units = units.filter(pk__in=rated.values("unit"))
    if rule.members_with:
        units = units.filter(pk__in=units_with_members(rule, year))
        units = units.exclude(pk__in=units_with_disciplined(rule, year))
    given = Award.objects.in_force().filter(
        type_q((rule.type_key,)), year=year, recipient_unit__isnull=False
    )
    return units.exclude(pk__in=given.values("recipient_unit"))


def qualifying(award_type: AwardType, year: int, within: Unit | None = None) -> QuerySet:
    """The people who qualify for ``award_type`` in ``year`` (within ``within``'s subtree), or
    the units, for a title of collectives.

    None when no rule covers the type in that year: ``Person.objects.none()``.
    """
    rule = rule_for(award_type, year)
    if rule is None:
        return Person.objects.none()
    if rule.for_units:
        return qualifying_units(rule, award_type, year, within)
    # In the order of the table, not by name: sorting the whole sector is the caller's choice.
    people = Person.objects.order_by("pk")
    if within is not None:
        people = people.filter(unit__in=within.subtree().values("pk"))
    if rule.rating_at_least is not None:
        rated = PersonRating.objects.filter(year=year, rating__in=rule.grades())
        people = people.filter(pk__in=rated.values("person"))
    if rule.chain_length:
        people = people.filter(pk__in=with_run(rule, year))
    if rule.initiative_level is not None:
        first, last = rule.initiative_years(year)
        initiatives = Initiative.objects.filter(
            level__in=rule.initiative_levels(), year__gte=first, year__lte=last
        )
        people = people.filter(pk__in=initiatives.values("person"))
    if rule.service_years is not None:
        people = people.filter(entered_service_on__lte=rule.served_by(year))
    given = Award.objects.in_force().filter(
        type_q((rule.type_key,)), recipient_person__isnull=False
    )
    if not rule.once_in_life:
        given = given.filter(year=year)
    people = people.exclude(pk__in=given.values("recipient_person"))
    first_day, last_day = rule.lookback(year)
    people = people.exclude(pk__in=overlapping(Discipline, first_day, last_day))
    return people.exclude(pk__in=overlapping(Inspection, first_day, last_day))
