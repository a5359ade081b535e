"""Each line of a proposal checked against the rules of eligibility, for all lines at once.

A proposal of 500 lines costs the same few queries as one of five: the facts of every person
proposed are read together (:class:`movement.proposals.StoredFacts`, a handful of queries per
2,000 people), only in the years the lines' rules read (a career of titles is most of the rows),
and each line is judged on them by its rule
(:func:`movement.eligibility.verdicts.judge`), as :func:`movement.eligibility.verdict` judges
one. A line's own award, once the decision gives it, is left out of its person's record: a line
is checked on what the person had before it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from movement.eligibility import rule_for
from movement.eligibility.rules import Rule, years_spanning
from movement.eligibility.verdicts import Reason, UnitFacts, judge, unit_facts
from movement.models import ProposalLine
from movement.proposals import StoredFacts


@dataclass
class LineCheck:
    """What the rules say of one line: ``eligible`` is None where no rule covers its type (a
    collective, or a type without a rule): nothing to conclude, which is not a refusal."""

    eligible: bool | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def unmet(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.met]


def line_checks(lines: Sequence[ProposalLine], year: int) -> list[LineCheck]:
    """A :class:`LineCheck` for each of ``lines`` (their ``award_type`` loaded, with its legal
    source), for emulation year ``year``: a person's line by a rule for people, a collective's
    by a rule for units."""
    rules = []
    for line in lines:
        rule = rule_for(line.award_type, year)
        rules.append(
            rule if rule is not None and rule.for_units == (line.person_id is None) else None
        )
    people, windows = set(), []
    for line, rule in zip(lines, rules, strict=True):
        if rule is not None and not rule.for_units:
            people.add(line.person_id)
            windows.append(rule.years_read(year))
    facts = None
    if people:
        if all(line.pk for line in lines):
            # Stored lines' people as a subquery of their proposals' lines: a few more than
            # those judged by a rule for people (a collective's line, a type without a rule),
            # read and not looked at.
            people = ProposalLine.objects.filter(
                proposal__in={line.proposal_id for line in lines}, person__isnull=False
            ).values("person")
        facts = StoredFacts(people, years_spanning(windows))
    units = units_facts(lines, rules, year)
    checks = []
    for line, rule in zip(lines, rules, strict=True):
        if rule is None:
            checks.append(LineCheck(None))
            continue
        if rule.for_units:
            known = units[rule.key][line.collective_id]
        else:
            # The award the line gave is not counted against it.
            known = facts.of(line.person_id, ignoring=line.award_id)
        reasons = judge(rule, line.award_type, year, known)
        checks.append(LineCheck(all(reason.met for reason in reasons), reasons))
    return checks


def units_facts(
    lines: Sequence[ProposalLine], rules: Sequence[Rule | None], year: int
) -> dict[str, dict[int, UnitFacts]]:
    """The facts of the collectives proposed, per unit rule: three queries a rule, whatever the
    number of lines; a line's own award left out, as a person's is."""
    wanted: dict[str, tuple[Rule, set[int], set[int]]] = {}
    for line, rule in zip(lines, rules, strict=True):
        if rule is not None and rule.for_units:
            _rule, units, own = wanted.setdefault(rule.key, (rule, set(), set()))
            units.add(line.collective_id)
            if line.award_id is not None:
                own.add(line.award_id)
    return {
        key: unit_facts(sorted(units), year, rule, own)
        for key, (rule, units, own) in wanted.items()
    }
