"""The topics chart as geometry — pure: per topic two stacked bars, this week and last, each split into
complaints, neutral and praise, on one scale from zero. The template draws it as inline SVG (no chart library, no
CDN, as webcare/supervision/charts.py) next to a table holding the same figures, which is its text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from webcare.insights.topics import Figures

WIDTH: Final = 560
LABEL_WIDTH: Final = 150
VALUE_ROOM: Final = 60
BAR: Final = 12
BAR_GAP: Final = 2
ROW_GAP: Final = 12
TOP: Final = 4
#: The chart shows this many topics (the table has them all).
CHART_TOPICS: Final = 12
PARTS: Final = ("complaints", "neutral", "praise")


@dataclass(frozen=True)
class Segment:
    part: str
    x: float
    width: float
    count: int


@dataclass(frozen=True)
class StackedBar:
    series: str  # "this" or "last"
    y: float
    height: float
    segments: tuple[Segment, ...]
    total: int
    value_x: float
    value_y: float


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: float
    bars: tuple[StackedBar, StackedBar]


@dataclass(frozen=True)
class TopicChart:
    width: int
    height: float
    label_width: int
    rows: tuple[ChartRow, ...]
    scale: int


def _bar(series: str, figures: Figures, y: float, scale: float, plot: float) -> StackedBar:
    x = float(LABEL_WIDTH)
    segments = []
    for part in PARTS:
        n = getattr(figures, part)
        if n:
            width = round(plot * n / scale, 1)
            segments.append(Segment(part, round(x, 1), max(width, 0.5), n))
            x += width
    return StackedBar(series, round(y, 1), BAR, tuple(segments), figures.total, round(x + 4, 1), round(y + BAR - 2, 1))


def topic_chart(rows: Sequence[tuple[str, Figures, Figures]]) -> TopicChart:
    """``rows`` are (topic, this week, last week), at most :data:`CHART_TOPICS` are drawn."""
    rows = rows[:CHART_TOPICS]
    scale = max((max(this.total, last.total) for _, this, last in rows), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    drawn = []
    y = float(TOP)
    for label, this, last in rows:
        drawn.append(ChartRow(label, round(y + BAR + BAR_GAP / 2 + 4, 1),
                              (_bar("this", this, y, scale, plot), _bar("last", last, y + BAR + BAR_GAP, scale, plot))))
        y += 2 * BAR + BAR_GAP + ROW_GAP
    return TopicChart(WIDTH, round(max(y - ROW_GAP + TOP, 0.0), 1), LABEL_WIDTH, tuple(drawn), scale)
