"""Eligibility: which award a person qualifies for in a year, and why not (issue #15).

The rules are code, dated and cited (:mod:`.rules`); :func:`verdict` explains one subject's case
with a few small queries, :func:`qualifying` finds everyone who qualifies with one set-based query
(:mod:`.sql`). Both read the same rule objects, and a property test holds them to the same answer.
"""

from .quotas import QUOTAS, Quota, QuotaCheck, quota_checks
from .rules import RULES, Rule, rule_for
from .sql import qualifying
from .verdicts import Reason, Verdict, verdict, verdicts

__all__ = [
    "QUOTAS",
    "RULES",
    "Quota",
    "QuotaCheck",
    "Reason",
    "Rule",
    "Verdict",
    "qualifying",
    "quota_checks",
    "rule_for",
    "verdict",
    "verdicts",
]
