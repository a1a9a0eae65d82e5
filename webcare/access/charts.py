"""A count bar chart as geometry (pure): reveals per person and per purpose on the review page, drawn as inline SVG
by the template (no JavaScript, nothing from a CDN), with a table of the same figures beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

WIDTH: Final = 480
LABEL_WIDTH: Final = 150
VALUE_ROOM: Final = 50
BAR: Final = 14
GAP: Final = 8
TOP: Final = 4


@dataclass(frozen=True)
class CountBar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_y(self) -> float:
        return round(self.y + self.height - 3, 1)

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 4, 1)


@dataclass(frozen=True)
class CountChart:
    width: int
    height: float
    label_width: int
    bars: list[CountBar]


def count_chart(rows: Sequence[tuple[str, int]]) -> CountChart:
    """One bar per row, on one linear scale from zero (lengths compare honestly); a zero still gets a sliver so
    its row is visibly there."""
    top = max((count for _, count in rows), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    y = float(TOP)
    for label, count in rows:
        bars.append(CountBar(label, count, LABEL_WIDTH, round(y, 1), round(max(plot * count / top, 1.0), 1), BAR))
        y += BAR + GAP
    return CountChart(WIDTH, round(max(y - GAP + TOP, 0.0), 1), LABEL_WIDTH, bars)
