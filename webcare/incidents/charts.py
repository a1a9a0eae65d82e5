"""The incident page's chart: the group's arrivals per 5 minutes, as columns, with the topic's usual rate as a line.

Pure geometry (as webcare/supervision/charts.py): the template draws it as inline SVG next to a table of the same
figures, which is its text alternative. An incident longer than a few hours is drawn in wider buckets (15, 30, 60
minutes …), so the chart never has more than :data:`MAX_BUCKETS` columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

WIDTH: Final = 480
HEIGHT: Final = 140
PAD_LEFT: Final = 30
PAD_BOTTOM: Final = 18
PAD_TOP: Final = 8
GAP: Final = 2
MAX_BUCKETS: Final = 48
BUCKET_MINUTES: Final = (5, 15, 30, 60, 120, 240, 480, 1440)


@dataclass(frozen=True)
class Column:
    start: datetime
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    bucket_minutes: int
    columns: list[Column]
    peak: int
    #: The usual rate per bucket, as a horizontal line (y), None when there is none to draw.
    baseline: float
    baseline_y: float | None
    axis_y: float
    plot_left: int


def bucket_minutes(start: datetime, end: datetime) -> int:
    """The narrowest bucket (5 minutes first) that fits ``start``–``end`` into :data:`MAX_BUCKETS` columns."""
    span = max((end - start).total_seconds() / 60, 1)
    for minutes in BUCKET_MINUTES:
        if span / minutes <= MAX_BUCKETS:
            return minutes
    return BUCKET_MINUTES[-1]


def floor_to(at: datetime, minutes: int) -> datetime:
    """``at`` rounded down to a multiple of ``minutes`` past the hour (or of the day, for day-long buckets)."""
    at = at.replace(second=0, microsecond=0)
    total = at.hour * 60 + at.minute
    floored = total - total % minutes
    return at.replace(hour=floored // 60, minute=floored % 60)


def buckets(times: Sequence[datetime], start: datetime, end: datetime) -> tuple[int, list[tuple[datetime, int]]]:
    """Counts of ``times`` per bucket from ``start`` to ``end`` (empty buckets included), and the bucket size."""
    minutes = bucket_minutes(start, end)
    step = timedelta(minutes=minutes)
    first = floor_to(start, minutes)
    count = int((end - first) / step) + 1
    counts = [0] * count
    for at in times:
        index = int((at - first) / step)
        if 0 <= index < count:
            counts[index] += 1
    return minutes, [(first + i * step, n) for i, n in enumerate(counts)]


def column_chart(rows: Sequence[tuple[datetime, int]], bucket: int, baseline_per_hour: float) -> ColumnChart:
    """Columns on one linear scale from zero (so heights compare honestly); the baseline line where it fits."""
    baseline = baseline_per_hour * bucket / 60
    peak = max([n for _, n in rows] + [0])
    scale = max(peak, baseline, 1.0)
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    axis_y = float(HEIGHT - PAD_BOTTOM)
    slot = (WIDTH - PAD_LEFT) / max(len(rows), 1)
    columns = []
    for i, (start, n) in enumerate(rows):
        height = round(plot_height * n / scale, 1)
        columns.append(Column(start, n, round(PAD_LEFT + i * slot + GAP / 2, 1), round(axis_y - height, 1),
                              round(max(slot - GAP, 1.0), 1), height))
    baseline_y = round(axis_y - plot_height * baseline / scale, 1) if baseline > 0 else None
    return ColumnChart(WIDTH, HEIGHT, bucket, columns, peak, round(baseline, 2), baseline_y, axis_y, PAD_LEFT)
