"""Geometry of the bar charts the pages draw as inline SVG.

The charts are drawn on the server, not by a JavaScript chart library: the app runs on closed
networks with no CDN, an SVG in the HTML prints crisply on paper, and it shows with JS disabled.
The template only places what is computed here.

Lengths across the chart are percentages of its width and heights are pixels, so the chart fills
a phone or a desktop column while its text keeps a readable size instead of scaling with it.
"""

from dataclasses import dataclass

LABEL_HEIGHT = 18  # the label sits on its own line above its bar, so long names are not squeezed
BAR_HEIGHT = 14
ROW_GAP = 10
BAR_ROOM = 88.0  # percent of the width the longest bar takes; the rest holds its number
LABEL_MAX_CHARS = 44  # what fits on a 360-pixel-wide phone; the full name is in the tooltip


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: int
    label_y: int
    bar_y: int
    percent: float  # of the chart's width


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    bar_height: int = BAR_HEIGHT


def shorten(label: str, limit: int = LABEL_MAX_CHARS) -> str:
    """Cut ``label`` to ``limit`` characters on a word boundary and mark the cut with "…"."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


def bar_chart(rows: list[tuple[str, int]]) -> BarChart:
    """Lay out one horizontal bar per (label, value), the longest bar for the largest value."""
    largest = max((value for _, value in rows), default=0)
    bars = []
    y = 0
    for label, value in rows:
        percent = BAR_ROOM * value / largest if largest else 0.0
        bars.append(
            Bar(
                label=label,
                short_label=shorten(label),
                value=value,
                label_y=y + LABEL_HEIGHT - 5,
                bar_y=y + LABEL_HEIGHT,
                # A bar for 1 among thousands still shows as a sliver, never as nothing.
                percent=round(max(percent, 0.5) if value else 0.0, 2),
            )
        )
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return BarChart(bars=bars, height=max(y - ROW_GAP, 0))
