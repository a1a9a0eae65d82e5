"""ISO weeks in the organisation's time zone, and which two spans of time the topics view compares — pure.

Why the organisation's zone and not UTC: a product team's week starts Monday 00:00 where the brand is, so a message
sent at 23:30 on Sunday in Oslo belongs to that week even though it is Sunday 22:30 UTC (in winter) — and in summer
Monday 00:30 Oslo time is still Sunday in UTC and belongs to the new week.

Why "so far" against "the same span": comparing Monday-to-Thursday-noon of this week with the whole of last week
would show every topic shrinking until Sunday. A running week is therefore compared with last week from its Monday
00:00 to the same weekday and wall-clock time a week before now; a finished week with the whole week before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
#: How many weeks the picker offers (this one and those before it).
PICKER_WEEKS = 12


class WeekError(ValueError):
    """A week parameter that is not a week the view can show; ``field`` is always "week"."""

    field = "week"


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Week:
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, raw: str) -> Week:
        """``2026-W47`` (ISO 8601); anything else raises :class:`WeekError` saying what a week looks like."""
        match = _WEEK.fullmatch(raw.strip())
        if match is None:
            raise WeekError(_("week: “%(raw)s” is not a week; write it as 2026-W47") % {"raw": raw[:40]})
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError as exc:
            raise WeekError(_("week: %(year)d has no week %(number)d") % {"year": year, "number": number}) from exc
        return cls(year, number)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def shift(self, weeks: int) -> Week:
        return Week.of(self.monday() + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of ``day`` where the brand is (midnight exists on every day in the zones webcare serves:
    European clocks change at 01:00 UTC, not at midnight)."""
    return datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True)
class Span:
    """A half-open stretch of time ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a span ends after it starts: {self.start} … {self.end}")


@dataclass(frozen=True)
class Comparison:
    """The week shown and the span of last week it is compared with."""

    week: Week
    this: Span
    last: Span
    #: The week is still running: both spans end at the same weekday and time ("so far").
    so_far: bool


def comparison(week: Week, now: datetime, zone: ZoneInfo) -> Comparison:
    """The spans to compare for ``week`` seen at ``now`` (see the module's docstring). A week that has not started
    yet raises :class:`WeekError`."""
    start = local_midnight(week.monday(), zone)
    end = local_midnight(week.monday() + timedelta(days=7), zone)
    last_start = local_midnight(week.monday() - timedelta(days=7), zone)
    if now < start:
        raise WeekError(_("week: %(week)s has not started yet") % {"week": week.label})
    if now >= end:
        return Comparison(week, Span(start, end), Span(last_start, start), so_far=False)
    # The same weekday and wall-clock time a week before (so a DST change in between does not shift it an hour).
    local_now = now.astimezone(zone)
    week_before = (local_now.replace(tzinfo=None) - timedelta(days=7)).replace(tzinfo=zone)
    return Comparison(week, Span(start, now), Span(last_start, max(week_before, last_start)), so_far=True)


def days(span: Span, zone: ZoneInfo) -> list[tuple[Span, bool]]:
    """``span`` cut at local midnights, each piece with whether it is a whole day (a whole day's figures never
    change, so they can be remembered long; the running day's only briefly)."""
    pieces: list[tuple[Span, bool]] = []
    day = span.start.astimezone(zone).date()
    while True:
        day_start, day_end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        if day_start >= span.end:
            break
        start, end = max(day_start, span.start), min(day_end, span.end)
        if end > start:
            pieces.append((Span(start, end), start == day_start and end == day_end))
        day += timedelta(days=1)
    return pieces


#: What a piece of a span is: a whole local day, a whole hour of a day not over yet, or the running rest.
DAY, HOUR, RUNNING = "day", "hour", "running"


def pieces(span: Span, zone: ZoneInfo) -> list[tuple[Span, str]]:
    """``span`` as whole days (:func:`days`), the part of a day not over yet as its whole hours (UTC hours: any fixed
    cut serves) and the running rest. Why hours: a running week is compared with last week up to the same time, so
    both spans end in a day that is not over; cut into hours, only the last hour of each changes between two
    looks, and everything before it can be remembered."""
    found: list[tuple[Span, str]] = []
    for piece, whole in days(span, zone):
        if whole:
            found.append((piece, DAY))
            continue
        start = piece.start
        hour = datetime.fromtimestamp((int(start.timestamp()) // 3600 + 1) * 3600, tz=start.tzinfo)
        while hour <= piece.end:
            found.append((Span(start, hour), HOUR))
            start, hour = hour, hour + timedelta(hours=1)
        if piece.end > start:
            found.append((Span(start, piece.end), RUNNING))
    return found


def recent_weeks(now: datetime, zone: ZoneInfo, count: int = PICKER_WEEKS) -> list[Week]:
    """This week and the ``count - 1`` before it, newest first: what the week picker offers."""
    current = Week.of(now.astimezone(zone).date())
    return [current.shift(-n) for n in range(count)]
