"""The dashboard's charts as geometry: pure functions from figures to rectangles and points, drawn as inline SVG by
the templates (no JavaScript chart library, nothing from a CDN). Each chart sits next to a table with the same
figures, which is its text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

#: Bar chart layout, in SVG user units (the SVG scales to its container's width).
WIDTH: Final = 480
LABEL_WIDTH: Final = 120
VALUE_ROOM: Final = 110
BAR: Final = 12
BAR_GAP: Final = 3
ROW_GAP: Final = 14
TOP: Final = 4


@dataclass(frozen=True)
class Bar:
    series: str
    x: float
    y: float
    width: float
    height: float
    seconds: float

    @property
    def value_x(self) -> float:
        """Where the value's text starts, just right of the bar."""
        return round(self.x + self.width + 4, 1)

    @property
    def value_y(self) -> float:
        return round(self.y + self.height - 2, 1)


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: float
    label_width: int
    rows: list[BarRow]
    #: The longest value drawn (seconds): the full width of the plot.
    scale_seconds: float


def bar_chart(rows: Sequence[tuple[str, float, float]], series: tuple[str, str] = ("median", "p90")) -> BarChart:
    """Two bars per row (median, 90th percentile), on one linear scale starting at zero so lengths compare
    honestly; rows are ``(label, first value, second value)`` in seconds."""
    top = max((max(a, b) for _, a, b in rows), default=0.0)
    scale = top if top > 0 else 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    result: list[BarRow] = []
    y = float(TOP)
    for label, *values in rows:
        bars = []
        for i, (name, seconds) in enumerate(zip(series, values, strict=True)):
            bar_y = y + i * (BAR + BAR_GAP)
            bars.append(Bar(name, LABEL_WIDTH, round(bar_y, 1), round(max(plot * seconds / scale, 1.0), 1), BAR,
                            seconds))
        result.append(BarRow(label, round(y + BAR + BAR_GAP / 2 + 4, 1), bars))
        y += len(series) * (BAR + BAR_GAP) + ROW_GAP
    return BarChart(WIDTH, round(max(y - ROW_GAP + TOP, 0.0), 1), LABEL_WIDTH, result, top)


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    #: The polyline's points ("x,y x,y …") and the area under it (a closed polygon).
    points: str
    area: str
    last_x: float
    last_y: float
    peak: int


def sparkline(counts: Sequence[int], width: int = 240, height: int = 48, pad: float = 3.0) -> Sparkline:
    """A line through ``counts`` (oldest first), scaled to the largest; zero at the bottom edge."""
    if not counts:
        raise ValueError("a sparkline needs at least one value")
    peak = max(counts)
    step = (width - 2 * pad) / max(len(counts) - 1, 1)

    def y_of(count: int) -> float:
        return round(height - pad - (height - 2 * pad) * (count / peak if peak else 0.0), 1)

    coords = [(round(pad + i * step, 1), y_of(count)) for i, count in enumerate(counts)]
    points = " ".join(f"{x},{y}" for x, y in coords)
    area = f"{coords[0][0]},{height - pad} {points} {coords[-1][0]},{height - pad}"
    return Sparkline(width, height, points, area, coords[-1][0], coords[-1][1], peak)
