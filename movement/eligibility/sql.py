"""Everyone who qualifies for an award type in a year, as one query over the whole sector.

Each requirement of a rule is a set of people computed by the database, not a loop: the run of
earlier titles is a grouped subquery (the people with every year of the run, the distinct years
counted), the initiative, the discipline and the inspection are semi-joins, and the service years
a comparison of dates. The same expressions run on SQLite and PostgreSQL.
"""

from django.db.models import Count, Q, QuerySet

from movement.models import Award, AwardType, Person, Unit
from movement.models.service import Discipline, Initiative, Inspection

from .rules import Rule, rule_for


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


def qualifying(award_type: AwardType, year: int, within: Unit | None = None) -> QuerySet:
    """The people who qualify for ``award_type`` in ``year`` (within ``within``'s subtree).

    None when no rule covers the type in that year: ``Person.objects.none()``.
    """
    rule = rule_for(award_type, year)
    if rule is None:
        return Person.objects.none()
    # In the order of the table, not by name: sorting the whole sector is the caller's choice.
    people = Person.objects.order_by("pk")
    if within is not None:
        people = people.filter(unit__in=within.subtree().values("pk"))
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
