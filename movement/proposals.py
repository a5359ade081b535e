"""An award proposed (saved in the admin, or a row of an import) checked against the rules of
eligibility: a warning with the reasons when it breaks one, never a refusal, since the emulation
council decides (issue #15).

Checked in bulk, so that a file of 10,000 awards costs a few queries, not a query per row: the
facts the rules read of the file's people are read for all of them at once, and each row judged
on them by the rule's own :func:`~movement.eligibility.verdicts.judge` (a unit's rows likewise,
three queries per award type and year). Those who qualify are not cleared first by a
:func:`~movement.eligibility.qualifying` query per award type and year: on the benchmark's file
of 10,000 awards that cost 3.7 s on PostgreSQL (0.9 s without), and the judging it spared costs a
few microseconds a row; the two agree on any population (tests/test_eligibility.py).

An award is judged against the records already stored, less its own stored version (an award
being updated does not count as given twice), and the other rows of the same file: a file
proposing CSTĐ cơ sở for three years and the ministry's title for the third is judged as the
council will see it.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Q, QuerySet, Value
from django.utils.translation import gettext as _

from movement.eligibility import Rule, rule_for
from movement.eligibility.rules import years_spanning
from movement.eligibility.verdicts import Facts, judge, unit_facts
from movement.models import Award, AwardType, Person
from movement.models.service import Discipline, Initiative, Inspection, PersonRating

# People per query when the rows' people are looked up by id: well below SQLite's limit on
# parameters, and a short IN list for PostgreSQL.
PEOPLE_PER_QUERY = 2000


def award_warnings(award: Award) -> list[str]:
    """Why the rules do not support ``award`` (empty when they do, or have nothing to say)."""
    return awards_warnings([award])[0]


def awards_warnings(awards: Sequence[Award]) -> list[list[str]]:
    """For each of ``awards`` (saved or not), the reasons the rules do not support it."""
    warnings: list[list[str]] = [[] for _award in awards]
    cases: dict[tuple[int, int], list[int]] = defaultdict(list)
    units: list[int] = []
    for index, award in enumerate(awards):
        if award.recipient_person_id and award.award_type_id and award.year:
            cases[award.award_type_id, award.year].append(index)
        elif award.recipient_unit_id and award.award_type_id and award.year:
            units.append(index)
    types = AwardType.objects.in_bulk(
        {type_id for type_id, _year in cases} | {awards[index].award_type_id for index in units}
    )
    units_warnings(awards, units, types, warnings)
    in_file = FileRows(awards, types)
    judged: list[tuple[int, AwardType, Rule]] = []
    for (type_id, year), indices in cases.items():
        award_type = types.get(type_id)
        rule = rule_for(award_type, year) if award_type is not None else None
        if rule is None or rule.for_units:
            continue  # No rule covers it (for a person): nothing to warn about.
        judged += [(index, award_type, rule) for index in indices]
    if not judged:
        return warnings
    # Each person's record is read for the years their rows' rules read, not whole: a career
    # of twenty years is mostly years no row is judged for.
    windows: dict[int, tuple[int, int] | None] = {}
    for index, _type, rule in judged:
        person, window = awards[index].recipient_person_id, rule.years_read(awards[index].year)
        windows[person] = years_spanning([windows[person], window]) if person in windows else window
    facts = StoredFacts(set(windows), windows=windows)
    for index, award_type, rule in judged:
        award = awards[index]
        reasons = judge(rule, award_type, award.year, facts.without(award, in_file.others(index)))
        warnings[index] = [str(reason) for reason in reasons if not reason.met]
    return warnings


def units_warnings(
    awards: Sequence[Award], indices: list[int], types: dict[int, AwardType], warnings: list
) -> None:
    """The rows giving a unit a title a rule covers, as the people's rows: judged on facts read
    in bulk, by type and year."""
    cases: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index in indices:
        cases[awards[index].award_type_id, awards[index].year].append(index)
    for (type_id, year), rows in cases.items():
        award_type = types.get(type_id)
        rule = rule_for(award_type, year) if award_type is not None else None
        if rule is None or not rule.for_units:
            continue
        units = sorted({awards[index].recipient_unit_id for index in rows})
        for chunk in chunked(units):
            members = set(chunk)
            judged = [index for index in rows if awards[index].recipient_unit_id in members]
            ignoring = {awards[index].pk for index in judged if awards[index].pk}
            facts = unit_facts(list(chunk), year, rule, ignoring)
            for index in judged:
                reasons = judge(rule, award_type, year, facts[awards[index].recipient_unit_id])
                warnings[index] = [str(reason) for reason in reasons if not reason.met]


def chunked(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), PEOPLE_PER_QUERY):
        yield ids[start : start + PEOPLE_PER_QUERY]


class FileRows:
    """The awards of one file (or one save) by person, so that each row counts the others."""

    def __init__(self, awards: Sequence[Award], types: dict[int, AwardType]) -> None:
        self.awards = awards
        self.rows: dict[int, list[int]] = defaultdict(list)
        self.keys: dict[int, tuple[str, str, int]] = {}
        for index, award in enumerate(awards):
            award_type = types.get(award.award_type_id)
            if award.recipient_person_id and award_type is not None and award.year:
                self.rows[award.recipient_person_id].append(index)
                self.keys[index] = (*award_type.natural_key(), award.year)

    def others(self, index: int) -> list[tuple[int | None, tuple[str, str, int]]]:
        """The other rows of the same person: (stored pk, if any; award key)."""
        person = self.awards[index].recipient_person_id
        return [(self.awards[i].pk, self.keys[i]) for i in self.rows[person] if i != index]

    def repeats(self, index: int, once_in_life: bool) -> bool:
        """Whether another row gives the same person the same type for the same year (or in
        any year, for an award given once): the achievement would be rewarded twice."""
        mine = self.keys[index]
        return any(
            key[:2] == mine[:2] and (once_in_life or key[2] == mine[2])
            for _pk, key in self.others(index)
        )


def years_q(window: tuple[int, int] | None) -> Q:
    """Records of a year in ``window`` (first and last year; None: any year)."""
    if window is None:
        return Q()
    first, last = window
    return Q(year__gte=first, year__lte=last)


def periods_q(window: tuple[int, int] | None) -> Q:
    """Periods touching ``window``: an unstated start or end reaches any year."""
    if window is None:
        return Q()
    first, last = window
    return (Q(since__isnull=True) | Q(since__lte=datetime.date(last, 12, 31))) & (
        Q(until__isnull=True) | Q(until__gte=datetime.date(first, 1, 1))
    )


def chunks_of(
    people: set[int] | QuerySet,
    years: tuple[int, int] | None,
    windows: Mapping[int, tuple[int, int] | None] | None,
) -> Iterable[tuple[Sequence[int] | QuerySet, tuple[int, int] | None]]:
    """``people`` in chunks of ids (or whole, a query), each with the years read of them:
    ``years``, or the span of the chunk's ``windows``. Chunked in the order of their windows,
    so that a chunk's people share their years: one condition per query, where one for each
    window took PostgreSQL longer to plan (100 ms for 2,000 people) than to run."""
    if isinstance(people, QuerySet):
        yield people, years
        return
    if windows is None:
        for chunk in chunked(sorted(people)):
            yield chunk, years
        return
    # A window of None (the whole record) after every year.
    ordered = sorted(people, key=lambda person: (windows[person] or (math.inf,), person))
    for chunk in chunked(ordered):
        yield chunk, years_spanning([windows[person] for person in chunk])


class StoredFacts:
    """What the rules read of many people, read in a few queries for all of them."""

    def __init__(
        self,
        people: set[int] | QuerySet,
        years: tuple[int, int] | None = None,
        *,
        windows: Mapping[int, tuple[int, int] | None] | None = None,
    ) -> None:
        """``people``: their ids, or a query of them (``values("person")``), which each query
        reads as a subquery, in one go: five hundred ids are five hundred parameters to quote,
        send and plan in each of the five queries. ``years``: the first and last year the rules
        will read (:meth:`Rule.years_read`), so that a long career is not read whole for one
        year's verdict; None reads it all. ``windows``: those years person by person (ids only),
        in place of ``years``: a file's rows judge each person for their own years."""
        self.entered: dict[int, datetime.date | None] = {}
        self.awards: dict[int, list[tuple[int, tuple[str, str, int]]]] = defaultdict(list)
        self.initiatives: dict[int, list[tuple[str, int]]] = defaultdict(list)
        self.bars: dict[int, list[tuple]] = defaultdict(list)
        self.ratings: dict[int, dict[int, str]] = defaultdict(dict)
        for chunk, chunk_years in chunks_of(people, years, windows):
            in_years = Q(person__in_array=chunk) & years_q(chunk_years)
            touching = Q(person__in_array=chunk) & periods_q(chunk_years)
            # Unordered: the facts are maps and sets, and sorting the awards by their
            # ordering (year, then type by name) took a third of each query (#12).
            for person, year, rating in (
                PersonRating.objects.filter(in_years)
                .order_by()
                .values_list("person", "year", "rating")
            ):
                self.ratings[person][year] = rating
            self.entered.update(
                Person.objects.filter(pk__in_array=chunk)
                .order_by()
                .values_list("pk", "entered_service_on")
            )
            rows = (
                Award.objects.in_force()
                .filter(years_q(chunk_years), recipient_person__in_array=chunk)
                .order_by()
                .values_list(
                    "recipient_person", "pk", "award_type__name", "award_type__award_class", "year"
                )
            )
            for person, pk, name, award_class, year in rows:
                self.awards[person].append((pk, (name, award_class, year)))
            for person, level, year in (
                Initiative.objects.filter(in_years)
                .order_by()
                .values_list("person", "level", "year")
            ):
                self.initiatives[person].append((level, year))
            # Disciplines and inspections in one query: both are periods that bar.
            bars = (
                Discipline.objects.filter(touching)
                .order_by()
                .values_list("person", Value("discipline"), "since", "until")
                .union(
                    Inspection.objects.filter(touching)
                    .order_by()
                    .values_list("person", Value("inspection"), "since", "until"),
                    all=True,
                )
            )
            for person, what, since, until in bars:
                self.bars[person].append((what, since, until))
        for periods in self.bars.values():
            # A union's rows come in no stated order: disciplines first, as they always came.
            periods.sort(key=lambda period: period[0])

    def without(
        self, award: Award, others: Iterable[tuple[int | None, tuple[str, str, int]]] = ()
    ) -> Facts:
        """The facts of ``award``'s person, less the stored version of ``award`` itself, with
        ``others``, the person's other rows of the file, in place of their stored versions."""
        return self.of(award.recipient_person_id, award.pk, others)

    def of(
        self,
        person: int,
        ignoring: int | None = None,
        others: Iterable[tuple[int | None, tuple[str, str, int]]] = (),
    ) -> Facts:
        """The facts of ``person``, less their stored award ``ignoring`` (a primary key), with
        ``others`` as in :meth:`without`."""
        others = list(others)
        replaced = {ignoring} | {pk for pk, _key in others}
        stored = {key for pk, key in self.awards.get(person, []) if pk not in replaced}
        return Facts(
            self.entered.get(person),
            stored | {key for _pk, key in others},
            self.initiatives.get(person, []),
            self.bars.get(person, []),
            self.ratings.get(person, {}),
        )


def warning_message(reasons: list[str]) -> str:
    """The reasons as one sentence for a message or a row of a preview."""
    return _(
        "The rules of eligibility do not support this award: %(reasons)s. It is only a "
        "warning: the emulation council decides."
    ) % {"reasons": "; ".join(reasons)}
