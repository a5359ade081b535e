"""The eligibility cases: who in the whole sector qualifies for one title in one year, and one
person's verdicts for every rule.

``eligibility:sector`` times :func:`movement.eligibility.qualifying` over every person of the
tree, its answer read out (the ids). Its reference is the same rule judged person by person in
Python, as code without set-based SQL would: the facts the rule reads are loaded in bulk (a
handful of queries, only the award types the rule looks at, not a query per person, which would
make the reference far slower and the ratio flatter than it is), grouped by person, and each
person is judged by the very function :func:`~movement.eligibility.verdict` uses. Both answers
are compared, and a difference is reported in the case's note.

``eligibility:person`` times :func:`~movement.eligibility.verdicts` for one person with a long
record (the most titles of the sector's ladder), every rule in force that year.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from movement.eligibility import qualifying, rule_for, verdicts
from movement.eligibility.sql import type_q
from movement.eligibility.verdicts import Facts, judge
from movement.models import Award, AwardType, Person
from movement.models.service import Discipline, Initiative, Inspection

from .measure import measure, measure_side_by_side
from .results import CaseResult

# The force's ministry-level title (three years running of CSTĐ cơ sở and an initiative the
# ministry recognised), in the last year the demo rates: the longest chain a person meets often.
TITLE = ("Chiến sĩ thi đua toàn lực lượng Công an nhân dân", "")
YEAR = 2025
REFERENCE = "per-person Python loop (facts loaded in bulk)"


def sector_ids(award_type: AwardType, year: int) -> set[int]:
    """Ours: the ids of everyone who qualifies, from one set-based query."""
    return set(qualifying(award_type, year).values_list("pk", flat=True))


def loop_ids(award_type: AwardType, year: int) -> set[int]:
    """The reference: every person judged one by one in Python on facts loaded in bulk."""
    rule = rule_for(award_type, year)
    if rule is None:
        return set()
    awards = defaultdict(set)
    wanted = type_q((*rule.chain_of, rule.type_key))
    rows = Award.objects.filter(wanted, recipient_person__isnull=False).values_list(
        "recipient_person", "award_type__name", "award_type__award_class", "year"
    )
    for person, name, award_class, award_year in rows.iterator(chunk_size=10_000):
        awards[person].add((name, award_class, award_year))
    initiatives = defaultdict(list)
    for person, level, initiative_year in Initiative.objects.values_list(
        "person", "level", "year"
    ).iterator(chunk_size=10_000):
        initiatives[person].append((level, initiative_year))
    bars = defaultdict(list)
    for what, model in [("discipline", Discipline), ("inspection", Inspection)]:
        for person, since, until in model.objects.values_list("person", "since", "until"):
            bars[person].append((what, since, until))
    eligible = set()
    people = Person.objects.values_list("pk", "entered_service_on").iterator(chunk_size=10_000)
    for person, entered in people:
        facts = Facts(
            entered, awards.get(person, set()), initiatives.get(person, []), bars.get(person, [])
        )
        if all(reason.met for reason in judge(rule, award_type, year, facts)):
            eligible.add(person)
    return eligible


def busiest_person() -> Person | None:
    """The person with the most titles of the ladder, so the verdicts read a long record."""
    ladder = Q(awards__award_type__name__startswith="Chiến sĩ thi đua")
    return (
        Person.objects.annotate(titles=Count("awards", filter=ladder))
        .order_by("-titles", "pk")
        .first()
    )


def measure_eligibility(runs: int) -> list[CaseResult]:
    cases = []
    award_type = AwardType.objects.get_by_natural_key(*TITLE)
    ours, reference = sector_ids(award_type, YEAR), loop_ids(award_type, YEAR)
    note = f"{len(ours)} qualify"
    if ours != reference:
        note += f"; the loop differs on {len(ours ^ reference)} people"
    timing, reference_timing = measure_side_by_side(
        lambda: sector_ids(award_type, YEAR), lambda: loop_ids(award_type, YEAR), runs
    )
    cases.append(
        CaseResult(
            "eligibility:sector",
            ms=timing.ms,
            queries=timing.queries,
            baseline=REFERENCE,
            baseline_ms=reference_timing.ms,
            baseline_queries=reference_timing.queries,
            note=note,
        )
    )
    person = busiest_person()
    if person is not None:
        timing = measure(lambda: verdicts(person, YEAR), runs)
        cases.append(CaseResult("eligibility:person", ms=timing.ms, queries=timing.queries))
    return cases
