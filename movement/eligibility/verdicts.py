"""One subject's case: whether they qualify for an award type in a year, and each reason why.

The facts of a person are read once (four small queries) and every rule is judged on them in
Python, so that a page showing all of a person's verdicts costs the same as one.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from movement.models import Award, AwardType, Person, Unit
from movement.models.service import Discipline, Initiative, Inspection

from .rules import LEVEL_NAMES, NOT_TWICE, NOT_UNDER_DISCIPLINE, RULES, Rule, rule_for


@dataclass(frozen=True)
class Reason:
    """One thing a rule asks, in Vietnamese, with the text that asks it; ``met`` when it holds."""

    text: str
    citation: str
    met: bool = False

    def __str__(self) -> str:
        return f"{self.text} ({self.citation})" if self.citation else self.text


@dataclass
class Verdict:
    """Whether ``subject`` qualifies for ``award_type`` in ``year``, under ``rule``.

    ``rule`` is None when no rule covers the type in that year: then ``eligible`` is False and the
    reason says there is no rule, which is not a refusal.
    """

    subject: Person | Unit
    award_type: AwardType
    year: int
    rule: Rule | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.rule is not None and all(reason.met for reason in self.reasons)

    @property
    def unmet(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.met]


@dataclass
class Facts:
    """What the rules read of one person."""

    entered_service_on: datetime.date | None
    awards: set[tuple[str, str, int]]  # (type name, type class, year)
    initiatives: list[tuple[str, int]]  # (level, year)
    bars: list[tuple[str, datetime.date | None, datetime.date | None]]  # (what, since, until)

    @classmethod
    def of(cls, person: Person, ignoring: Award | None = None) -> "Facts":
        awards = Award.objects.in_force().filter(recipient_person=person.pk)
        if ignoring is not None and ignoring.pk is not None:
            awards = awards.exclude(pk=ignoring.pk)
        awards = awards.values_list("award_type__name", "award_type__award_class", "year")
        initiatives = Initiative.objects.filter(person=person.pk).values_list("level", "year")
        disciplines = Discipline.objects.filter(person=person.pk).values_list(
            "form", "since", "until"
        )
        inspections = Inspection.objects.filter(person=person.pk).values_list(
            "kind", "since", "until"
        )
        bars = [("discipline", since, until) for _form, since, until in disciplines]
        bars += [("inspection", since, until) for _kind, since, until in inspections]
        return cls(person.entered_service_on, set(awards), list(initiatives), bars)

    def has(self, keys: tuple[tuple[str, str], ...], year: int) -> bool:
        return any((name, award_class, year) in self.awards for name, award_class in keys)


def overlaps(since: datetime.date | None, until: datetime.date | None, first, last) -> bool:
    # A start not stated may be any day before: it bars, as a reader of the file would assume.
    return (since is None or since <= last) and (until is None or until >= first)


def judge(rule: Rule, award_type: AwardType, year: int, facts: Facts) -> list[Reason]:
    """Every requirement of ``rule`` for ``year``, met or not."""
    head = f"{rule.short_name} {year}"
    cited = rule.citation(award_type)
    reasons = []
    if rule.chain_length:
        missing = [y for y in rule.chain_years(year) if not facts.has(rule.chain_of, y)]
        for missed in missing:
            reasons.append(Reason(f"{head}: thiếu {rule.chain_label} năm {missed}", cited))
        if not missing:
            span = rule.chain_years(year)
            years = f"năm {year}" if len(span) == 1 else "các năm " + ", ".join(map(str, span))
            reasons.append(Reason(f"{head}: có {rule.chain_label} {years}", cited, met=True))
    if rule.initiative_level is not None:
        first, last = rule.initiative_years(year)
        levels = rule.initiative_levels()
        found = any(level in levels and first <= y <= last for level, y in facts.initiatives)
        level = LEVEL_NAMES[rule.initiative_level]
        when = f"năm {year}" if first == last else f"từ {first} đến {last}"
        text = f"sáng kiến được công nhận từ {level} trở lên {when}"
        reasons.append(Reason(f"{head}: {'có' if found else 'thiếu'} {text}", cited, met=found))
    if rule.service_years is not None:
        entered = facts.entered_service_on
        if entered is None:
            reasons.append(Reason(f"{head}: chưa rõ ngày vào ngành", cited))
        else:
            served = entered <= rule.served_by(year)
            text = f"{rule.service_years} năm công tác (vào ngành {entered:%d/%m/%Y})"
            reasons.append(Reason(f"{head}: {'đủ' if served else 'chưa đủ'} {text}", cited, served))
    if rule.once_in_life:
        before = sorted(y for name, cls, y in facts.awards if (name, cls) == rule.type_key)
        if before:
            text = f"{head}: đã được tặng năm {before[0]}, chỉ tặng một lần"
            reasons.append(Reason(text, cited))
    elif (*rule.type_key, year) in facts.awards:
        reasons.append(Reason(f"{head}: đã được tặng cho năm {year}", NOT_TWICE))
    first_day, last_day = rule.lookback(year)
    for what, since, until in facts.bars:
        if overlaps(since, until, first_day, last_day):
            noun = (
                "kỷ luật" if what == "discipline" else "thanh tra, kiểm tra hoặc khiếu nại, tố cáo"
            )
            period = f"{first_day.year}–{year}" if first_day.year != year else str(year)
            reasons.append(
                Reason(f"{head}: đang hoặc đã bị {noun} trong {period}", NOT_UNDER_DISCIPLINE)
            )
    return reasons


def no_rule(subject: Person | Unit, award_type: AwardType, year: int) -> Verdict:
    text = f"{award_type} {year}: chưa có quy tắc xét, không kết luận được"
    return Verdict(subject, award_type, year, None, [Reason(text, "")])


def verdict(
    subject: Person | Unit, award_type: AwardType, year: int, *, ignoring: Award | None = None
) -> Verdict:
    """Whether ``subject`` qualifies for ``award_type`` in ``year``, and why (or why not).

    ``ignoring``: an award left out of the record: the award being changed is checked on what
    the person had without it.
    """
    rule = rule_for(award_type, year) if isinstance(subject, Person) else None
    if rule is None:
        return no_rule(subject, award_type, year)
    facts = Facts.of(subject, ignoring)
    return Verdict(subject, award_type, year, rule, judge(rule, award_type, year, facts))


def verdicts(subject: Person | Unit, year: int) -> list[Verdict]:
    """A verdict for every award type with a rule in force in ``year`` (none yet for units)."""
    if not isinstance(subject, Person):
        return []
    wanted = [rule for rule in RULES if rule.in_force_in(year)]
    keys = Q()
    for rule in wanted:
        keys |= Q(name=rule.type_key[0], award_class=rule.type_key[1])
    if not wanted:
        return []
    types = AwardType.objects.filter(keys).select_related("legal_source")
    found = {}
    for award_type in types:
        rule = rule_for(award_type, year)
        if rule is not None:
            found[rule.key] = (rule, award_type)
    if not found:
        return []
    facts = Facts.of(subject)
    return [
        Verdict(subject, award_type, year, rule, judge(rule, award_type, year, facts))
        for rule, award_type in (found[rule.key] for rule in wanted if rule.key in found)
    ]
