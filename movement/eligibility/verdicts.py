"""One subject's case: whether they qualify for an award type in a year, and each reason why.

The facts of a person (or of a unit) are read once (a few small queries) and every rule is
judged on them in Python, so that a page showing all of a subject's verdicts costs the same as one.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Value

from movement.models import Award, AwardType, Person, Unit
from movement.models.service import (
    Discipline,
    Initiative,
    Inspection,
    PersonRating,
    UnitRating,
)

from .rules import (
    GRADE_NAMES,
    LEVEL_NAMES,
    NOT_TWICE,
    NOT_UNDER_DISCIPLINE,
    RULES,
    Rule,
    rule_for,
)


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
    ratings: dict[int, str] = field(default_factory=dict)  # year: grade

    @classmethod
    def of(cls, person: Person, ignoring: Award | None = None, ratings: bool = True) -> "Facts":
        """``ratings``: whether to read the yearly reviews (one query more)."""
        awards = Award.objects.in_force().filter(recipient_person=person.pk)
        if ignoring is not None and ignoring.pk is not None:
            awards = awards.exclude(pk=ignoring.pk)
        awards = awards.values_list("award_type__name", "award_type__award_class", "year")
        initiatives = Initiative.objects.filter(person=person.pk).values_list("level", "year")
        # Disciplines and inspections in one query: both are periods that bar.
        bars = (
            Discipline.objects.filter(person=person.pk)
            .order_by()
            .values_list(Value("discipline"), "since", "until")
            .union(
                Inspection.objects.filter(person=person.pk)
                .order_by()
                .values_list(Value("inspection"), "since", "until"),
                all=True,
            )
        )
        grades = {}
        if ratings:
            grades = dict(
                PersonRating.objects.filter(person=person.pk).values_list("year", "rating")
            )
        return cls(person.entered_service_on, set(awards), list(initiatives), list(bars), grades)

    def has(self, keys: tuple[tuple[str, str], ...], year: int) -> bool:
        return any((name, award_class, year) in self.awards for name, award_class in keys)


@dataclass
class UnitFacts:
    """What the rules read of one unit in one year: its review, its awards, and its people's
    titles and disciplines (counted over its subtree, by each person's current unit)."""

    awards: set[tuple[str, str, int]]
    ratings: dict[int, str]
    people: int = 0
    # Per rule key: how many of its people hold the titles the rule counts, and how many were
    # disciplined in the forms it bars.
    titled: dict[str, int] = field(default_factory=dict)
    disciplined: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, unit: Unit, year: int, rules: list[Rule], ignoring: Award | None = None):
        """Three queries, whatever the number of ``rules`` and of the unit's people."""
        from .sql import overlapping, type_q  # (sql imports this module's rules too)

        awards = Award.objects.in_force().filter(recipient_unit=unit.pk)
        if ignoring is not None and ignoring.pk is not None:
            awards = awards.exclude(pk=ignoring.pk)
        awards = awards.values_list("award_type__name", "award_type__award_class", "year")
        ratings = dict(UnitRating.objects.filter(unit=unit.pk).values_list("year", "rating"))
        counts = {"people": Count("pk")}
        for rule in rules:
            if not rule.members_with:
                continue
            titled = (
                Award.objects.in_force()
                .filter(type_q(rule.members_with), year=year)
                .values("recipient_person")
            )
            counts[f"titled_{rule.key}"] = Count("pk", filter=Q(pk__in=titled))
            first, last = rule.year_span(year)
            barred = overlapping(Discipline, first, last).filter(
                form__in=rule.members_not_disciplined
            )
            counts[f"disciplined_{rule.key}"] = Count("pk", filter=Q(pk__in=barred))
        found = Person.objects.filter(unit__in=unit.subtree().values("pk")).aggregate(**counts)
        return cls(
            set(awards),
            ratings,
            found.pop("people"),
            {k.removeprefix("titled_"): v for k, v in found.items() if k.startswith("titled_")},
            {
                k.removeprefix("disciplined_"): v
                for k, v in found.items()
                if k.startswith("disciplined_")
            },
        )


def unit_facts(units: list[int], year: int, rule: Rule, ignoring: set[int]) -> dict[int, UnitFacts]:
    """The facts ``rule`` reads of many units for ``year``, in three queries (an import's rows);
    ``ignoring``: the stored versions of the awards being checked."""
    from .sql import member_counts

    awards: dict[int, set] = {unit: set() for unit in units}
    rows = (
        Award.objects.in_force()
        .filter(recipient_unit__in=units)
        .exclude(pk__in=ignoring)
        .order_by()
        .values_list("recipient_unit", "award_type__name", "award_type__award_class", "year")
    )
    for unit, name, award_class, award_year in rows:
        awards[unit].add((name, award_class, award_year))
    ratings: dict[int, dict[int, str]] = {unit: {} for unit in units}
    for unit, rating_year, rating in (
        UnitRating.objects.filter(unit__in=units).order_by().values_list("unit", "year", "rating")
    ):
        ratings[unit][rating_year] = rating
    counts = member_counts(rule, year, units) if rule.members_with else {}
    found = {}
    for unit in units:
        people, titled, disciplined = counts.get(unit, (0, 0, 0))
        found[unit] = UnitFacts(
            awards[unit], ratings[unit], people, {rule.key: titled}, {rule.key: disciplined}
        )
    return found


def overlaps(since: datetime.date | None, until: datetime.date | None, first, last) -> bool:
    # A start not stated may be any day before: it bars, as a reader of the file would assume.
    return (since is None or since <= last) and (until is None or until >= first)


def judge(rule: Rule, award_type: AwardType, year: int, facts: "Facts | UnitFacts") -> list[Reason]:
    """Every requirement of ``rule`` for ``year``, met or not."""
    head = f"{rule.short_name} {year}"
    cited = rule.citation(award_type)
    reasons = []
    if rule.rating_at_least is not None:
        grade = facts.ratings.get(year)
        wanted = GRADE_NAMES[rule.rating_at_least]
        if grade is None:
            text, met = f"chưa có xếp loại năm {year} (cần {wanted} trở lên)", False
        else:
            met = grade in rule.grades()
            text = f"xếp loại năm {year}: {GRADE_NAMES[grade]} (cần {wanted} trở lên)"
        reasons.append(Reason(f"{head}: {text}", rule.rating_citation, met=met))
    if rule.members_with:
        titled = facts.titled.get(rule.key, 0)
        met = titled > facts.people * rule.members_share
        text = (
            f"{titled}/{facts.people} người đạt {rule.members_label} năm {year} "
            f"(cần trên {rule.members_share:.0%})"
        )
        reasons.append(Reason(f"{head}: {text}", rule.members_citation, met=met))
        disciplined = facts.disciplined.get(rule.key, 0)
        if disciplined:
            text = f"{disciplined} người bị kỷ luật từ cảnh cáo trở lên trong năm {year}"
            reasons.append(Reason(f"{head}: {text}", rule.members_citation))
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
    if rule.for_units:
        return reasons  # A unit is not disciplined: its people are, counted above.
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
    rule = rule_for(award_type, year)
    if rule is None or rule.for_units != isinstance(subject, Unit):
        return no_rule(subject, award_type, year)
    facts = subject_facts(subject, year, [rule], ignoring)
    return Verdict(subject, award_type, year, rule, judge(rule, award_type, year, facts))


def subject_facts(
    subject: Person | Unit, year: int, rules: list[Rule], ignoring: Award | None = None
) -> "Facts | UnitFacts":
    if isinstance(subject, Unit):
        return UnitFacts.of(subject, year, rules, ignoring)
    ratings = any(rule.rating_at_least is not None for rule in rules)
    return Facts.of(subject, ignoring, ratings=ratings)


def verdicts(subject: Person | Unit, year: int) -> list[Verdict]:
    """A verdict for every award type with a rule in force in ``year`` for this kind of
    subject (a person or a unit)."""
    for_units = isinstance(subject, Unit)
    wanted = [rule for rule in RULES if rule.in_force_in(year) and rule.for_units == for_units]
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
    facts = subject_facts(subject, year, [rule for rule, _type in found.values()])
    return [
        Verdict(subject, award_type, year, rule, judge(rule, award_type, year, facts))
        for rule, award_type in (found[rule.key] for rule in wanted if rule.key in found)
    ]
