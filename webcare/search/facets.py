"""Facet counts as both backends return them (pure): the order of values, and the date facet's days and months.

Dates are counted per day in UTC; the last :data:`DAYS_SHOWN` days stay one value each ("2026-11-26"), older days are
summed per month ("2026-10"), so a year of messages is a dozen values, not 365.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final

from webcare.search.types import FacetCount

#: Days of the date facet shown one by one; older ones are grouped per month.
DAYS_SHOWN: Final = 30
#: Facets whose "no value" (an untriaged message, an unknown language) is not a useful filter to offer.
HIDE_NONE: Final = frozenset({"language", "sentiment", "channel", "status"})


def date_buckets(days: Iterable[tuple[datetime, int]], now: datetime) -> list[FacetCount]:
    """Daily counts (UTC days) → the date facet, newest first."""
    first_day = (now.astimezone(UTC) - timedelta(days=DAYS_SHOWN - 1)).date()
    counts: dict[str, int] = {}
    for day, count in days:
        key = day.date().isoformat() if day.date() >= first_day else day.strftime("%Y-%m")
        counts[key] = counts.get(key, 0) + count
    return [FacetCount(value, count) for value, count in sorted(counts.items(), reverse=True)]


def sort_counts(facet: str, counts: Iterable[FacetCount]) -> list[FacetCount]:
    """Most frequent first (ties by value), without empty values where "none" is not a filter to offer."""
    kept = [c for c in counts if c.count > 0 and not (facet in HIDE_NONE and c.value in ("none", ""))]
    return sorted(kept, key=lambda c: (-c.count, c.value))
