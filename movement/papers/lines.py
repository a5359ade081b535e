"""What a paper prints of an award, in the Vietnamese every paper is written in."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from movement.models import Award

# What each paper reads of an award, in one query.
AWARD_RELATIONS = (
    "award_type",
    "recipient_unit__parent",
    "recipient_person__unit",
    "rank_at_award",
    "conferring_unit__parent",
    "campaign",
)


def with_relations(awards: QuerySet) -> QuerySet:
    return awards.select_related(*AWARD_RELATIONS)


def long_date(day: datetime.date | None) -> str:
    """ "ngày 05 tháng 01 năm 2017", days and months under 10 with a 0 (Nghị định 30/2020, Phụ
    lục I); a date not recorded is dotted space to write in."""
    if day is None:
        return "ngày ….. tháng ….. năm ……"
    return f"ngày {day:%d} tháng {day:%m} năm {day.year}"


@dataclass(frozen=True)
class Line:
    """One recipient of an award, as a list or a certificate prints it."""

    award: Award
    name: str
    rank: str
    position: str
    unit: str
    achievement: str

    @property
    def named(self) -> bool:
        """Whether the recipient has a name: an unnamed group ("3 tập thể") has none to print."""
        return self.award.group_count is None


def achievement(award: Award) -> str:
    """The achievement the award recognises, in the words the records allow.

    The app keeps no citation of the deed itself: what it knows is the year and the movement.
    """
    if award.campaign_id:
        name = award.campaign.name
        # "Phong trào thi đua năm 2016" reads as part of the sentence, its year already said.
        if name.startswith("Phong trào"):
            name = "p" + name[1:]
        year = "" if str(award.year) in name else f" năm {award.year}"
        return f"Đã có thành tích trong {name}{year}"
    return f"Đã có thành tích trong năm {award.year}"


def line(award: Award) -> Line:
    if award.recipient_person_id:
        person = award.recipient_person
        return Line(
            award=award,
            name=person.full_name,
            rank=award.rank_at_award.name if award.rank_at_award_id else "",
            position=award.position_at_award,
            unit=person.unit.name if person.unit_id else "",
            achievement=achievement(award),
        )
    if award.recipient_unit_id:
        unit = award.recipient_unit
        return Line(
            award=award,
            name=unit.name,
            rank="",
            position="",
            unit=unit.parent.name if unit.parent_id else "",
            achievement=achievement(award),
        )
    return Line(
        award=award,
        name=award.recipient_label,
        rank="",
        position="",
        unit="",
        achievement=achievement(award),
    )
