"""Quotas: the share of a unit's people an award type may go to in a year, and the check.

The shares are settings (``ELIGIBILITY_QUOTAS`` overrides the defaults below), each with the text
that sets it and whether its article was read there.
"""

from dataclasses import dataclass

from django.conf import settings

from movement.models import Award, AwardType, Person, Unit


@dataclass(frozen=True)
class Quota:
    """At most ``share`` of a unit's headcount may receive the award type in a year."""

    type_key: tuple[str, str]
    share: float
    citation: str


DEFAULT_QUOTAS = [
    Quota(
        ("Chiến sĩ thi đua cơ sở", ""),
        0.15,
        "Nghị định 98/2023/NĐ-CP (tỷ lệ 15%; chưa đối chiếu điều)",
    ),
]

QUOTAS = DEFAULT_QUOTAS


def quotas() -> list[Quota]:
    """The quotas in force here: the setting if given, else the defaults."""
    return getattr(settings, "ELIGIBILITY_QUOTAS", DEFAULT_QUOTAS)


@dataclass(frozen=True)
class QuotaCheck:
    """How many of ``unit``'s people received the type in ``year``, against the quota."""

    quota: Quota
    award_type: AwardType
    unit: Unit
    year: int
    awarded: int
    headcount: int

    @property
    def limit(self) -> int:
        return int(self.headcount * self.quota.share)

    @property
    def exceeded(self) -> bool:
        return self.awarded > self.limit

    def __str__(self) -> str:
        return (
            f"{self.award_type} {self.year}: {self.awarded}/{self.headcount} người, "
            f"tối đa {self.quota.share:.0%} = {self.limit} ({self.quota.citation})"
        )


def quota_checks(unit: Unit, year: int) -> list[QuotaCheck]:
    """Each quota counted over ``unit``'s subtree (its people's current units) in ``year``."""
    units = unit.subtree().values("pk")
    headcount = Person.objects.filter(unit__in=units).count()
    checks = []
    for quota in quotas():
        award_type = AwardType.objects.filter(
            name=quota.type_key[0], award_class=quota.type_key[1]
        ).first()
        if award_type is None:
            continue
        awarded = (
            Award.objects.in_force()
            .filter(award_type=award_type, year=year, recipient_person__unit__in=units)
            .count()
        )
        checks.append(QuotaCheck(quota, award_type, unit, year, awarded, headcount))
    return checks
