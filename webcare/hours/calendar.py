"""Business time: when a desk is open, and clock arithmetic that skips closed time (nights, weekends, public holidays,
special days), correct across DST changes. Pure: no database.

INTERFACE (skeleton) — the opening-hours work implements it.
"""

from __future__ import annotations

from datetime import date, datetime


class BusinessCalendar:
    """One schedule's open intervals. Every datetime given or returned is timezone-aware."""

    def is_open(self, at: datetime) -> bool:
        raise NotImplementedError

    def next_open(self, at: datetime) -> datetime | None:
        """``at`` itself when open, else the start of the next open interval (None: never opens again)."""
        raise NotImplementedError

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment when ``seconds`` of open time have passed since ``start``."""
        raise NotImplementedError

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Seconds of open time between ``start`` and ``end`` (0 when end <= start)."""
        raise NotImplementedError

    def closed_reason(self, day: date) -> str | None:
        """The holiday's or special day's name when ``day`` is closed for one, else None."""
        raise NotImplementedError


class AlwaysOpen(BusinessCalendar):
    """Calendar time: what a desk without opening hours, or a policy counting calendar hours, uses."""

    def is_open(self, at: datetime) -> bool:
        return True

    def next_open(self, at: datetime) -> datetime | None:
        return at

    def add(self, start: datetime, seconds: float) -> datetime:
        from datetime import timedelta

        return start + timedelta(seconds=seconds)

    def elapsed(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds())

    def closed_reason(self, day: date) -> str | None:
        return None
