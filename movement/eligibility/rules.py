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
from collections.abc import Sequence
from dataclasses import dataclass, field

from movement.models import AwardType
from movement.models.service import Discipline, Initiative, Rating

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

# The grades of a yearly review from the lowest up: "rated at least X" is X or any grade after.
GRADES = [Rating.NOT_COMPLETED, Rating.COMPLETED, Rating.GOOD, Rating.EXCELLENT]
GRADE_NAMES = {
    Rating.NOT_COMPLETED: "không hoàn thành nhiệm vụ",
    Rating.COMPLETED: "hoàn thành nhiệm vụ",
    Rating.GOOD: "hoàn thành tốt nhiệm vụ",
    Rating.EXCELLENT: "hoàn thành xuất sắc nhiệm vụ",
}
# "Bị kỷ luật từ hình thức cảnh cáo trở lên": every form but the reprimand (khiển trách).
WARNING_OR_ABOVE = tuple(form for form in Discipline.Form.values if form != "reprimand")

# Bars that hold for every rule, with their texts. Neither article was read: searched for
# "khoản 2 Điều 5 Luật Thi đua, khen thưởng 2022 một thành tích" and for the principle of NĐ
# 98/2023 on discipline, inspection and complaints (bqllang.gov.vn names the principle, its
# khoản cut off in the excerpt read). See the README's eligibility section.
NOT_TWICE = "khoản 2 Điều 5 Luật Thi đua, khen thưởng (chưa đối chiếu)"
NOT_UNDER_DISCIPLINE = "Nghị định 98/2023/NĐ-CP (chưa đối chiếu điều)"

# Texts read for the requirements a rule adds to its award type's own article.
# Luật 2003, Điều 24 khoản 1 (Lao động tiên tiến: "Hoàn thành tốt nhiệm vụ được giao"), quoted at
# http://websrv2.ctu.edu.vn/dept/dp/index.php/khen-thng/cac-danh-hieu-thi-dua.
GOOD_2003 = "Điều 24 Luật Thi đua, khen thưởng số 15/2003/QH11"
# Luật 2022: "Hoàn thành tốt nhiệm vụ trở lên" for Lao động tiên tiến, Chiến sĩ tiên tiến as the
# force sets it (dantri.com.vn, 06/12/2025); the article number is not in what was read.
GOOD_2022 = "Luật Thi đua, khen thưởng số 06/2022/QH15 (chưa đối chiếu điều)"
# Luật 2003, Điều 28: a collective rated "hoàn thành tốt nhiệm vụ và kế hoạch", over half its
# people Lao động (Chiến sĩ) tiên tiến, none disciplined from a warning up (read at
# http://thiduakhenthuong.langson.gov.vn/en/hinhthucs/tap-lao-dong-tien-tien).
COLLECTIVE_2003 = "Điều 28 Luật Thi đua, khen thưởng số 15/2003/QH11"


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
    # The yearly review of the year considered (the person's, or the unit's for a collective) at
    # least this grade, by the text ``rating_citation``.
    rating_at_least: str | None = None
    rating_citation: str = ""
    # A rule for a collective (a unit) rather than a person.
    for_units: bool = False
    # For a collective: more than ``members_share`` of its people (those whose unit is in its
    # subtree) hold one of ``members_with`` in the year, and none of them is disciplined in one
    # of ``members_not_disciplined`` during it; by the text ``members_citation``.
    members_with: tuple[tuple[str, str], ...] = ()
    members_label: str = ""
    members_share: float = 0.0
    members_not_disciplined: tuple[str, ...] = ()
    members_citation: str = ""
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

    def grades(self) -> list[str]:
        """The grades that meet ``rating_at_least``."""
        if self.rating_at_least is None:
            return []
        return [str(grade) for grade in GRADES[GRADES.index(self.rating_at_least) :]]

    def year_span(self, year: int) -> tuple[datetime.date, datetime.date]:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def lookback(self, year: int) -> tuple[datetime.date, datetime.date]:
        """The first and last day in which a discipline or an inspection bars the award."""
        return datetime.date(year - self.lookback_years + 1, 1, 1), datetime.date(year, 12, 31)

    def years_read(self, year: int) -> tuple[int, int] | None:
        """The first and last year of a person's record that judging ``year`` reads (titles,
        initiatives, reviews, and the bars that touch them); None for the whole record, as an
        award given once in a life is looked for in every year."""
        if self.once_in_life:
            return None
        starts = [year - self.lookback_years + 1, self.initiative_years(year)[0]]
        return min(starts + self.chain_years(year)), year

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


def years_spanning(windows: Sequence[tuple[int, int] | None]) -> tuple[int, int] | None:
    """The years that cover every window (None, a whole record, covers all)."""
    if None in windows:
        return None
    return min(first for first, _last in windows), max(last for _first, last in windows)


RULES: list[Rule] = [
    # The yearly titles of a person: the year rated at least "hoàn thành tốt nhiệm vụ". Each
    # law in its own years, the article of the 2022 law not read.
    *[
        Rule(
            key=f"{slug}-{law}",
            short_name=name,
            type_key=(name, ""),
            valid_from=start,
            valid_until=end,
            rating_at_least=Rating.GOOD,
            rating_citation=cited,
        )
        for slug, name, read in [
            # Điều 24 was read in its khoản on Lao động tiên tiến, which Chiến sĩ tiên tiến (the
            # armed forces' name of the title) follows.
            (
                "chien-si-tien-tien",
                "Chiến sĩ tiên tiến",
                f"{GOOD_2003}, khoản về Lao động tiên tiến",
            ),
            ("ldtt", "Lao động tiên tiến", GOOD_2003),
        ]
        for law, start, end, cited in [
            ("2003", LAW_2003_IN_FORCE, datetime.date(2023, 12, 31), read),
            ("2022", datetime.date(2024, 1, 1), None, GOOD_2022),
        ]
    ],
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

# Collectives, under the 2003 law only: the 2022 law's article for these titles was not read
# (searched "Điều 28 Luật Thi đua khen thưởng 2022 Tập thể lao động tiên tiến"), so from 2024
# there is no rule rather than a guessed one.
RULES += [
    Rule(
        key=f"{slug}-2003",
        short_name=name,
        type_key=(name, ""),
        valid_from=LAW_2003_IN_FORCE,
        valid_until=datetime.date(2023, 12, 31),
        for_units=True,
        rating_at_least=Rating.GOOD,
        rating_citation=COLLECTIVE_2003,
        members_with=(members,),
        members_label=members[0],
        members_share=0.5,
        members_not_disciplined=WARNING_OR_ABOVE,
        members_citation=COLLECTIVE_2003,
    )
    for slug, name, members in [
        # khoản 2: a unit of the armed forces, its people Chiến sĩ tiên tiến.
        ("don-vi-tien-tien", "Đơn vị tiên tiến", ADVANCED[0]),
        # khoản 1: any other collective, its people Lao động tiên tiến.
        ("tap-the-ldtt", "Tập thể lao động tiên tiến", ADVANCED[1]),
    ]
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
