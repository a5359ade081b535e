"""The rules of eligibility: data, dated and cited, read by both :func:`~.verdict` (one case,
explained) and :func:`~.qualifying` (everyone, in SQL).

A rule names the award type it grants by its natural key (name, class) in the law catalogue
(fixtures/law.json): its article is the catalogue's, so that correcting a citation there corrects
every reason given here. A rule applies in a year when both its own text and the award type were
in force on some day of it; outside those years there is no rule, which says nothing either way.

Where this module states a number the catalogue does not hold (a look-back period, the years of
service), the number is the issue's (#15) reading of the texts, not an article read here: the
rules table in the README says which.
"""

import datetime
from dataclasses import dataclass, field

from movement.models import AwardType
from movement.models.service import Initiative

# The day Luật Thi đua, khen thưởng 15/2003/QH11 came into force: no rule here reaches before it.
LAW_2003_IN_FORCE = datetime.date(2004, 7, 1)

# Initiative levels from the lowest up: "recognised at least at X" is X or any level after it.
LEVELS = [
    Initiative.Level.GRASSROOTS,
    Initiative.Level.PROVINCIAL,
    Initiative.Level.MINISTRY,
    Initiative.Level.NATIONAL,
]
LEVEL_NAMES = {
    Initiative.Level.GRASSROOTS: "cấp cơ sở",
    Initiative.Level.PROVINCIAL: "cấp tỉnh",
    Initiative.Level.MINISTRY: "cấp Bộ",
    Initiative.Level.NATIONAL: "toàn quốc",
}

# The award types of each step of the ladder, by natural key (name, class).
ADVANCED = (("Chiến sĩ tiên tiến", ""), ("Lao động tiên tiến", ""))
GRASSROOTS = (("Chiến sĩ thi đua cơ sở", ""),)
# Either of the dated names of the ministry-level title, or the force's own (Thông tư 35/2015).
MINISTRY = (
    ("Chiến sĩ thi đua cấp bộ, ngành, tỉnh, đoàn thể trung ương", ""),
    ("Chiến sĩ thi đua Bộ, ban, ngành, tỉnh", ""),
    ("Chiến sĩ thi đua toàn lực lượng Công an nhân dân", ""),
)

# Bars that hold for every rule, with their texts.
NOT_TWICE = "khoản 2 Điều 5 Luật Thi đua, khen thưởng (chưa đối chiếu)"
NOT_UNDER_DISCIPLINE = "Nghị định 98/2023/NĐ-CP (chưa đối chiếu điều)"


@dataclass(frozen=True)
class Rule:
    """What a person needs for one award type, and the years the rule holds."""

    key: str
    short_name: str
    type_key: tuple[str, str]
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    # Years back from the year considered (that year included) in which a discipline, an
    # inspection or a complaint bars the award.
    lookback_years: int = 1
    # A run of earlier titles: ``chain_length`` of them, ``chain_step`` years apart, the last in
    # the year considered (3 CSTĐ cơ sở in a row; 2 CSTĐ cấp Bộ, one cycle of 3 years apart).
    chain_of: tuple[tuple[str, str], ...] = ()
    chain_label: str = ""
    chain_length: int = 0
    chain_step: int = 1
    # An initiative recognised at least at this level, in the years of the chain (or the year).
    initiative_level: str | None = None
    # Years of service completed by the end of the year considered.
    service_years: int | None = None
    once_in_life: bool = False
    notes: tuple[str, ...] = field(default=())

    def in_force_in(self, year: int) -> bool:
        """Whether the rule's own text held on some day of ``year`` (the award type aside)."""
        return (self.valid_from is None or self.valid_from.year <= year) and (
            self.valid_until is None or year <= self.valid_until.year
        )

    def applies(self, award_type: AwardType, year: int) -> bool:
        return (
            award_type.natural_key() == self.type_key
            and self.in_force_in(year)
            and award_type.in_force_in(year)
        )

    def chain_years(self, year: int) -> list[int]:
        """The years the chain needs, earliest first."""
        return [year - self.chain_step * k for k in range(self.chain_length - 1, -1, -1)]

    def initiative_years(self, year: int) -> tuple[int, int]:
        """The first and last year an initiative counts in (both included)."""
        years = self.chain_years(year) or [year]
        return years[0], year

    def initiative_levels(self) -> list[str]:
        if self.initiative_level is None:
            return []
        return [str(level) for level in LEVELS[LEVELS.index(self.initiative_level) :]]

    def lookback(self, year: int) -> tuple[datetime.date, datetime.date]:
        """The first and last day in which a discipline or an inspection bars the award."""
        return datetime.date(year - self.lookback_years + 1, 1, 1), datetime.date(year, 12, 31)

    def served_by(self, year: int) -> datetime.date:
        """The latest day one may have entered service and still count ``service_years``."""
        return datetime.date(year - (self.service_years or 0), 12, 31)

    def award_type(self) -> AwardType:
        """The catalogue's award type this rule grants, with its legal text (one query)."""
        name, award_class = self.type_key
        return AwardType.objects.select_related("legal_source").get(
            name=name, award_class=award_class
        )

    def citation(self, award_type: AwardType) -> str:
        """The article the catalogue cites for the award type, and whether it was read."""
        cited = award_type.legal_citation
        if not cited:
            return "chưa có căn cứ trong danh mục"
        return cited if award_type.article_confirmed else f"{cited} (chưa đối chiếu)"


RULES: list[Rule] = [
    Rule(
        key="cstd-co-so",
        short_name="CSTĐ cơ sở",
        type_key=GRASSROOTS[0],
        valid_from=LAW_2003_IN_FORCE,
        valid_until=None,
        lookback_years=1,
        chain_of=ADVANCED,
        chain_label="Chiến sĩ tiên tiến",
        chain_length=1,
        initiative_level=Initiative.Level.GRASSROOTS,
    ),
    Rule(
        key="cstd-bo-2003",
        short_name="CSTĐ cấp Bộ",
        type_key=MINISTRY[0],
        valid_from=LAW_2003_IN_FORCE,
        valid_until=datetime.date(2023, 12, 31),
        lookback_years=3,
        chain_of=GRASSROOTS,
        chain_label="CSTĐ cơ sở",
        chain_length=3,
        initiative_level=Initiative.Level.PROVINCIAL,
    ),
    Rule(
        key="cstd-bo-2022",
        short_name="CSTĐ cấp Bộ",
        type_key=MINISTRY[1],
        valid_from=datetime.date(2024, 1, 1),
        valid_until=None,
        lookback_years=3,
        chain_of=GRASSROOTS,
        chain_label="CSTĐ cơ sở",
        chain_length=3,
        initiative_level=Initiative.Level.PROVINCIAL,
    ),
    Rule(
        key="cstd-cand",
        short_name="CSTĐ toàn lực lượng CAND",
        type_key=MINISTRY[2],
        valid_from=LAW_2003_IN_FORCE,
        valid_until=None,
        lookback_years=3,
        chain_of=GRASSROOTS,
        chain_label="CSTĐ cơ sở",
        chain_length=3,
        initiative_level=Initiative.Level.MINISTRY,
    ),
    Rule(
        key="cstd-toan-quoc",
        short_name="CSTĐ toàn quốc",
        type_key=("Chiến sĩ thi đua toàn quốc", ""),
        valid_from=LAW_2003_IN_FORCE,
        valid_until=None,
        lookback_years=7,
        chain_of=MINISTRY,
        chain_label="CSTĐ cấp Bộ",
        chain_length=2,
        # Each CSTĐ cấp Bộ crowns 3 years of CSTĐ cơ sở: two in a row are one cycle apart.
        chain_step=3,
        initiative_level=Initiative.Level.NATIONAL,
    ),
    Rule(
        key="hc-vi-antq",
        short_name="Huy chương Vì an ninh Tổ quốc",
        type_key=("Huy chương Vì an ninh Tổ quốc", ""),
        valid_from=LAW_2003_IN_FORCE,
        valid_until=None,
        service_years=25,
        # A medal for a length of service is given for that service once (khoản 2 Điều 5).
        once_in_life=True,
    ),
    *[
        Rule(
            key=f"hc-csvv-{award_class}",
            short_name=f"Huy chương Chiến sĩ vẻ vang hạng {name}",
            type_key=("Huy chương Chiến sĩ vẻ vang", award_class),
            valid_from=LAW_2003_IN_FORCE,
            valid_until=None,
            service_years=years,
            once_in_life=True,
        )
        for award_class, name, years in [("1", "Nhất", 20), ("2", "Nhì", 15), ("3", "Ba", 10)]
    ],
    Rule(
        key="knc-bv-antq",
        short_name="Kỷ niệm chương Bảo vệ ANTQ",
        type_key=("Kỷ niệm chương “Bảo vệ an ninh Tổ quốc”", ""),
        valid_from=LAW_2003_IN_FORCE,
        valid_until=None,
        once_in_life=True,
    ),
]

BY_TYPE: dict[tuple[str, str], list[Rule]] = {}
for _rule in RULES:
    BY_TYPE.setdefault(_rule.type_key, []).append(_rule)


def rule_for(award_type: AwardType, year: int) -> Rule | None:
    """The rule that grants ``award_type`` in ``year``, or None when none covers it."""
    for rule in BY_TYPE.get(award_type.natural_key(), []):
        if rule.applies(award_type, year):
            return rule
    return None
