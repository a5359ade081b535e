"""Quotas: the share of a unit's people an award type may go to in a year, and the check.

The shares are settings (``ELIGIBILITY_QUOTAS`` overrides the defaults below), each with the text
that sets it and whether its article was read there. A share is of the unit's people holding the
titles ``of`` that year (CSTĐ cơ sở: of those rated Lao động or Chiến sĩ tiên tiến), or of its
whole headcount when ``of`` is empty.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from movement.models import Award, AwardType, Person, Unit

from .sql import type_q


@dataclass(frozen=True)
class Quota:
    """At most ``share`` of a unit's people holding one of ``of`` in the year (or of its whole
    headcount, if ``of`` is empty) may receive the award type that year."""

    type_key: tuple[str, str]
    share: float
    citation: str
    of: tuple[tuple[str, str], ...] = ()
    of_label: str = ""


DEFAULT_QUOTAS = [
    # Read: "không quá 15% tổng số cá nhân đạt danh hiệu “Lao động tiên tiến” hoặc danh hiệu
    # “Chiến sĩ tiên tiến”", khoản 3 Điều 9 NĐ 91/2017/NĐ-CP, quoted by thuvienphapluat.vn
    # (hoi-dap-phap-luat/45A9C). Its successor in NĐ 98/2023 was not read.
    Quota(
        ("Chiến sĩ thi đua cơ sở", ""),
        0.15,
        "khoản 3 Điều 9 Nghị định 91/2017/NĐ-CP; Nghị định 98/2023/NĐ-CP chưa đối chiếu",
        of=(("Chiến sĩ tiên tiến", ""), ("Lao động tiên tiến", "")),
        of_label="đạt Chiến sĩ tiên tiến, Lao động tiên tiến",
    ),
]

QUOTAS = DEFAULT_QUOTAS


def quotas() -> list[Quota]:
    """The quotas in force here: the setting if given, else the defaults."""
    return getattr(settings, "ELIGIBILITY_QUOTAS", DEFAULT_QUOTAS)


@dataclass(frozen=True)
class QuotaCheck:
    """How many of ``unit``'s people received the type in ``year``, against the quota:
    ``base`` is the number the share is of (those holding ``quota.of``, or the headcount)."""

    quota: Quota
    award_type: AwardType
    unit: Unit
    year: int
    awarded: int
    base: int

    @property
    def limit(self) -> int:
        return int(self.base * self.quota.share)

    @property
    def exceeded(self) -> bool:
        return self.awarded > self.limit

    def __str__(self) -> str:
        of = f" {self.quota.of_label}" if self.quota.of else ""
        return (
            f"{self.award_type} {self.year}: {self.awarded}/{self.base} người{of}, "
            f"tối đa {self.quota.share:.0%} = {self.limit} ({self.quota.citation})"
        )


def quota_checks(unit: Unit, year: int) -> list[QuotaCheck]:
    """Each quota counted over ``unit``'s subtree (its people's current units) in ``year``."""
    units = unit.subtree().values("pk")
    # Every quota's base in one query: the headcount and, per quota, those holding its titles.
    counts = {"headcount": Count("pk")}
    for n, quota in enumerate(quotas()):
        if quota.of:
            holders = (
                Award.objects.in_force()
                .filter(type_q(quota.of), year=year)
                .values("recipient_person")
            )
            counts[f"of_{n}"] = Count("pk", filter=Q(pk__in=holders))
    found = Person.objects.filter(unit__in=units).aggregate(**counts)
    checks = []
    for n, quota in enumerate(quotas()):
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
        base = found[f"of_{n}"] if quota.of else found["headcount"]
        checks.append(QuotaCheck(quota, award_type, unit, year, awarded, base))
    return checks
