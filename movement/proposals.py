"""An award proposed (saved in the admin, or a row of an import) checked against the rules of
eligibility: a warning with the reasons when it breaks one, never a refusal, since the emulation
council decides (issue #15).

Checked in bulk, so that a file of 10,000 awards costs a few queries, not a verdict per row:
one :func:`~movement.eligibility.qualifying` query per award type and year in the file clears the
rows whose person qualifies; only the others are explained, on facts read for all of them at once
and judged by the rule's own :func:`~movement.eligibility.verdicts.judge`. An award is judged
against the records already stored, less its own stored version (an award being updated does not
count as given twice); the other rows of the same file are not counted as records yet.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from movement.eligibility import qualifying, rule_for
from movement.eligibility.verdicts import Facts, judge
from movement.models import Award, AwardType, Person
from movement.models.service import Discipline, Initiative, Inspection

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
    for index, award in enumerate(awards):
        if award.recipient_person_id and award.award_type_id and award.year:
            cases[award.award_type_id, award.year].append(index)
    types = AwardType.objects.in_bulk({type_id for type_id, _year in cases})
    doubtful: list[tuple[int, AwardType]] = []
    for (type_id, year), indices in cases.items():
        award_type = types.get(type_id)
        if award_type is None or rule_for(award_type, year) is None:
            continue  # No rule covers it: nothing to warn about.
        people = {awards[index].recipient_person_id for index in indices}
        qualified = set()
        for chunk in chunked(sorted(people)):
            qualified |= set(
                qualifying(award_type, year).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        doubtful += [
            (index, award_type)
            for index in indices
            if awards[index].recipient_person_id not in qualified or awards[index].pk is not None
        ]
    if not doubtful:
        return warnings
    facts = StoredFacts({awards[index].recipient_person_id for index, _type in doubtful})
    for index, award_type in doubtful:
        award = awards[index]
        rule = rule_for(award_type, award.year)
        reasons = judge(rule, award_type, award.year, facts.without(award))
        warnings[index] = [str(reason) for reason in reasons if not reason.met]
    return warnings


def chunked(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), PEOPLE_PER_QUERY):
        yield ids[start : start + PEOPLE_PER_QUERY]


class StoredFacts:
    """What the rules read of many people, read in a few queries for all of them."""

    def __init__(self, people: set[int]) -> None:
        self.entered: dict[int, datetime.date | None] = {}
        self.awards: dict[int, list[tuple[int, tuple[str, str, int]]]] = defaultdict(list)
        self.initiatives: dict[int, list[tuple[str, int]]] = defaultdict(list)
        self.bars: dict[int, list[tuple]] = defaultdict(list)
        for chunk in chunked(sorted(people)):
            self.entered.update(
                Person.objects.filter(pk__in=chunk).values_list("pk", "entered_service_on")
            )
            rows = (
                Award.objects.in_force()
                .filter(recipient_person__in=chunk)
                .values_list(
                    "recipient_person", "pk", "award_type__name", "award_type__award_class", "year"
                )
            )
            for person, pk, name, award_class, year in rows:
                self.awards[person].append((pk, (name, award_class, year)))
            for person, level, year in Initiative.objects.filter(person__in=chunk).values_list(
                "person", "level", "year"
            ):
                self.initiatives[person].append((level, year))
            for what, model in [("discipline", Discipline), ("inspection", Inspection)]:
                for person, since, until in model.objects.filter(person__in=chunk).values_list(
                    "person", "since", "until"
                ):
                    self.bars[person].append((what, since, until))

    def without(self, award: Award) -> Facts:
        """The facts of ``award``'s person, less the stored version of ``award`` itself."""
        person = award.recipient_person_id
        return Facts(
            self.entered.get(person),
            {key for pk, key in self.awards.get(person, []) if pk != award.pk},
            self.initiatives.get(person, []),
            self.bars.get(person, []),
        )


def warning_message(reasons: list[str]) -> str:
    """The reasons as one sentence for a message or a row of a preview."""
    return _(
        "The rules of eligibility do not support this award: %(reasons)s. It is only a "
        "warning: the emulation council decides."
    ) % {"reasons": "; ".join(reasons)}
