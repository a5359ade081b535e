"""What a benchmark run found: one result per case, grouped by table size and database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The cases in the order the table and the JSON list them.
CASE_NAMES = (
    "changelist:first_page",
    "changelist:year_filter",
    "changelist:unit_filter",
    "changelist:search",
    "changelist:last_page",
    "page:campaign",
    "page:unit",
    "page:year",
    "page:proposal",
    "export:xlsx",
    "import:xlsx",
    "eligibility:sector",
    "eligibility:person",
)


@dataclass
class CaseResult:
    """One case: our median time and query count, and the reference's, when there is one."""

    name: str
    ms: float
    queries: int | None = None
    baseline: str | None = None
    baseline_ms: float | None = None
    peak_mb: float | None = None
    # Shown in the table; the JSON keeps the shape the issue gives.
    baseline_queries: int | None = None
    baseline_peak_mb: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Ours over the reference, so lower is better."""
        if self.baseline_ms is None or not self.baseline_ms:
            return None
        return self.ms / self.baseline_ms

    def as_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "name": self.name,
            "ms": round(self.ms, 1),
            "queries": self.queries,
            "baseline": self.baseline,
            "baseline_ms": None if self.baseline_ms is None else round(self.baseline_ms, 1),
            "ratio": None if ratio is None else round(ratio, 3),
            "peak_mb": None if self.peak_mb is None else round(self.peak_mb, 1),
        }


@dataclass
class SizeResult:
    """Every case measured on one database holding ``awards`` awards."""

    awards: int
    database: str
    cases: list[CaseResult] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        order = {name: i for i, name in enumerate(CASE_NAMES)}
        cases = sorted(self.cases, key=lambda case: order.get(case.name, len(order)))
        return {
            "awards": self.awards,
            "database": self.database,
            "cases": [case.as_json() for case in cases],
        }


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def table(result: SizeResult) -> str:
    """A plain-text table of one size's cases, Markdown-compatible so it can go in the README."""
    header = ["case", "ms", "queries", "peak MB", "reference", "ref ms", "ref queries", "ref MB"]
    header.append("ratio")
    rows = [header]
    for case in sorted(
        result.cases, key=lambda c: CASE_NAMES.index(c.name) if c.name in CASE_NAMES else 99
    ):
        ratio = case.ratio
        rows.append(
            [
                case.name,
                _number(case.ms),
                _count(case.queries),
                _number(case.peak_mb, 0),
                (case.baseline or "—") + (f" ({case.note})" if case.note else ""),
                _number(case.baseline_ms),
                _count(case.baseline_queries),
                _number(case.baseline_peak_mb, 0),
                "—" if ratio is None else f"{ratio:.3f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    rows.insert(1, ["-" * width for width in widths])
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if i in (0, 4) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |")
    title = f"{result.awards:,} awards on {result.database}"
    return title + "\n\n" + "\n".join(lines)
