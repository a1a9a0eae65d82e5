"""Business time: when a desk is open, and clock arithmetic that skips closed time (nights, weekends, public holidays,
special days), correct across DST changes. Pure: no database, no clock reads (every moment is passed in).

Opening hours are wall-clock: "08:00-16:00" in Europe/Oslo is 8 real hours on the day the clocks spring forward and on
the day they fall back, because both ends move with the clock. Each day's intervals are turned into real instants
(UTC) once and cached; arithmetic walks them day by day, and skips whole *regular* weeks (no holiday, special day or
DST change in them, so a week holds exactly the weekly open seconds and lasts exactly 7 × 86,400 s) arithmetically,
so a target months away costs a few dozen steps rather than one per day or minute.

A schedule with no open time at all never opens: ``next_open`` returns None and ``add`` raises ``ValueError`` rather
than looping forever.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from webcare.hours.schedule import DAY_MINUTES, Interval, Schedule

__all__ = ["AlwaysOpen", "BusinessCalendar", "NeverOpenError", "Schedule", "holidays_for"]

WEEK = timedelta(days=7)
#: How far a search goes without meeting any open time before it calls the schedule "never open" (a safety net: a
#: schedule with weekly hours meets open time within weeks, whatever its holidays).
_MAX_EMPTY_DAYS = 800
#: The most weeks skipped in one step (keeps dates far from the year 9999 limit).
_MAX_SKIP_WEEKS = 520


class NeverOpenError(ValueError):
    """The schedule has no open time from the given moment on, so no amount of open time can pass."""


@lru_cache(maxsize=256)
def holidays_for(country: str, subdivision: str, year: int) -> dict[date, str]:
    """The public holidays of one country (and subdivision) and year, by date, with their names; cached per process
    because building a ``holidays`` object computes Easter and the rest each time."""
    import holidays

    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return {day: name for day, name in sorted(found.items()) if day.year == year}


@lru_cache(maxsize=256)
def _dst_dates(zone_name: str, year: int) -> tuple[date, ...]:
    """The dates in ``year`` on which the zone's UTC offset changes (the day is not 24 hours long)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    changes = []
    day = date(year, 1, 1)
    offset = datetime.combine(day, time(), tzinfo=zone).utcoffset()
    while day.year == year:
        following = day + timedelta(days=1)
        next_offset = datetime.combine(following, time(), tzinfo=zone).utcoffset()
        if next_offset != offset:
            changes.append(day)
        day, offset = following, next_offset
    return tuple(changes)


class BusinessCalendar:
    """One schedule's open intervals. Every datetime given or returned is timezone-aware (returned ones in UTC,
    except ``next_open`` of a moment that is open, which is that moment)."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.zone = schedule.zone
        if schedule.always_open:
            self._weekly: dict[int, tuple[Interval, ...]] = {day: ((0, DAY_MINUTES),) for day in range(7)}
        else:
            self._weekly = {day: tuple(intervals) for day, intervals in schedule.weekly.items() if intervals}
        self.week_seconds = sum((end - start) * 60 for day in self._weekly.values() for start, end in day)
        open_specials = sorted(day for day, intervals in schedule.special_days.items() if intervals)
        self._first_special = open_specials[0] if open_specials else None
        self._last_special = open_specials[-1] if open_specials else None
        self._irregular: dict[int, tuple[date, ...]] = {}
        self._days: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    # -- one day ---------------------------------------------------------------------------------------------------

    def _holiday(self, day: date) -> str | None:
        if self.schedule.always_open or not self.schedule.holiday_country:
            return None
        return holidays_for(self.schedule.holiday_country, self.schedule.holiday_subdivision, day.year).get(day)

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        """The wall-clock intervals on ``day``: the special day's, else none on a holiday, else the week's."""
        if day in self.schedule.special_days:
            return tuple(self.schedule.special_days[day])
        if self._holiday(day) is not None:
            return ()
        return self._weekly.get(day.weekday(), ())

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def _instant(self, day: date, minutes: int) -> datetime:
        if minutes >= DAY_MINUTES:
            return self._midnight(day + timedelta(days=1))
        clock = time(minutes // 60, minutes % 60)
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def _open_spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """``day``'s open intervals as real instants (UTC), cached. A wall time that does not exist (in the hour the
        clocks skip) counts as the same time after the change, so an interval in the gap shrinks, never inverts."""
        spans = self._days.get(day)
        if spans is None:
            pairs = [(self._instant(day, start), self._instant(day, end)) for start, end in self.day_intervals(day)]
            spans = tuple((start, end) for start, end in pairs if end > start)
            if len(self._days) > 4096:
                self._days.clear()
            self._days[day] = spans
        return spans

    def _local_date(self, at: datetime) -> date:
        if at.tzinfo is None:
            raise ValueError("the calendar needs timezone-aware datetimes")
        return at.astimezone(self.zone).date()

    # -- regular weeks ---------------------------------------------------------------------------------------------

    def _irregular_dates(self, year: int) -> tuple[date, ...]:
        """Dates of ``year`` on which a week may not hold the usual open time: holidays, special days, DST changes."""
        found = self._irregular.get(year)
        if found is None:
            dates = set(_dst_dates(self.schedule.time_zone, year))
            dates.update(day for day in self.schedule.special_days if day.year == year)
            if self.schedule.holiday_country and not self.schedule.always_open:
                dates.update(holidays_for(self.schedule.holiday_country, self.schedule.holiday_subdivision, year))
            found = self._irregular[year] = tuple(sorted(dates))
        return found

    def _regular_weeks(self, day: date, limit: int) -> int:
        """How many whole weeks from ``day`` (at most ``limit``) hold no irregular date."""
        if limit <= 0:
            return 0
        horizon = day + timedelta(days=7 * limit)
        for year in range(day.year, horizon.year + 1):
            dates = self._irregular_dates(year)
            index = bisect.bisect_left(dates, day)
            if index < len(dates):
                return min(limit, (dates[index] - day).days // 7)
        return limit

    def _never_opens_after(self, day: date) -> bool:
        return self.week_seconds == 0 and (self._last_special is None or day > self._last_special)

    # -- the interface ---------------------------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        return any(start <= at < end for start, end in self._open_spans(self._local_date(at)))

    def next_open(self, at: datetime) -> datetime | None:
        """``at`` itself when open, else the start of the next open interval (None: never opens again)."""
        day = self._local_date(at)
        for _ in range(_MAX_EMPTY_DAYS):
            if self._never_opens_after(day):
                return None
            for start, end in self._open_spans(day):
                if end > at:
                    return at if start <= at else start
            day += timedelta(days=1)
        return None

    def next_close(self, at: datetime) -> datetime | None:
        """When the open interval around ``at`` ends (None when closed at ``at``); back-to-back intervals (16:00 to
        24:00, then 00:00 on) count as one."""
        day = self._local_date(at)
        close: datetime | None = None
        for _ in range(_MAX_EMPTY_DAYS):
            for start, end in self._open_spans(day):
                if (close is None and start <= at < end) or (close is not None and start == close):
                    close = end
                elif close is not None and start > close:
                    return close
            if close is None:
                return None
            day += timedelta(days=1)
        return close

    def last_close(self, at: datetime) -> datetime | None:
        """The end of the last open interval that ended at or before ``at`` (None: never open before): when the
        current closed period began, for a moment that is closed."""
        day = self._local_date(at)
        for _ in range(_MAX_EMPTY_DAYS):
            if self.week_seconds == 0 and (self._first_special is None or day < self._first_special):
                return None
            for _start, end in reversed(self._open_spans(day)):
                if end <= at:
                    return end
            day -= timedelta(days=1)
        return None

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment when ``seconds`` of open time have passed since ``start`` (``start`` itself for 0)."""
        if seconds <= 0:
            return start
        remaining = float(seconds)
        day = self._local_date(start)
        cursor = start
        empty_days = 0
        while True:
            if self._never_opens_after(day) or empty_days > _MAX_EMPTY_DAYS:
                raise NeverOpenError(f"the opening hours ({self.describe()}) have no open time after "
                                     f"{start.isoformat()}, so {seconds:.0f} s of open time never pass")
            if cursor == self._midnight(day) and remaining > self.week_seconds:
                wanted = math.ceil(remaining / self.week_seconds) - 1 if self.week_seconds else _MAX_SKIP_WEEKS
                weeks = self._regular_weeks(day, min(wanted, _MAX_SKIP_WEEKS))
                if weeks:
                    day += WEEK * weeks
                    remaining -= self.week_seconds * weeks
                    cursor = self._midnight(day)
                    continue
            spans = self._open_spans(day)
            for span_start, span_end in spans:
                if span_end <= cursor:
                    continue
                begin = max(span_start, cursor)
                length = (span_end - begin).total_seconds()
                if length >= remaining:
                    return begin + timedelta(seconds=remaining)
                remaining -= length
            empty_days = 0 if spans else empty_days + 1
            day += timedelta(days=1)
            cursor = self._midnight(day)

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Seconds of open time between ``start`` and ``end`` (0 when end <= start)."""
        if end <= start:
            return 0.0
        total = 0.0
        day, last_day = self._local_date(start), self._local_date(end)
        cursor = start
        while day <= last_day:
            if cursor == self._midnight(day):
                weeks = self._regular_weeks(day, (last_day - day).days // 7)
                if weeks:
                    total += self.week_seconds * weeks
                    day += WEEK * weeks
                    cursor = self._midnight(day)
                    continue
            for span_start, span_end in self._open_spans(day):
                begin, finish = max(span_start, cursor), min(span_end, end)
                if finish > begin:
                    total += (finish - begin).total_seconds()
            day += timedelta(days=1)
            cursor = self._midnight(day)
        return total

    def closed_reason(self, day: date) -> str | None:
        """The holiday's or special day's name when ``day`` is closed for one, else None."""
        if day in self.schedule.special_days:
            if self.schedule.special_days[day]:
                return None
            return self.schedule.special_day_names.get(day) or "Closed"
        return self._holiday(day)

    def closures(self, start: date, count: int = 5, *, days: int = 400) -> list[tuple[date, str]]:
        """The next ``count`` dates from ``start`` (within ``days``) that the week would open but a holiday or a
        special day closes, with their names: what people check before Easter."""
        found: list[tuple[date, str]] = []
        for day in _dates(start, days):
            if self._weekly.get(day.weekday()) and not self.day_intervals(day):
                found.append((day, self.closed_reason(day) or ""))
                if len(found) >= count:
                    break
        return found

    def describe(self) -> str:
        if self.schedule.always_open:
            return f"always open, {self.schedule.time_zone}"
        days = sum(1 for intervals in self._weekly.values() if intervals)
        return f"{days} open weekdays, {self.schedule.time_zone}"


def _dates(start: date, days: int) -> Iterator[date]:
    for offset in range(days):
        yield start + timedelta(days=offset)


class AlwaysOpen(BusinessCalendar):
    """Calendar time: what a desk without opening hours, or a policy counting calendar hours, uses."""

    def __init__(self) -> None:
        self.schedule = Schedule(time_zone="UTC", always_open=True)

    def is_open(self, at: datetime) -> bool:
        return True

    def next_open(self, at: datetime) -> datetime | None:
        return at

    def next_close(self, at: datetime) -> datetime | None:
        return None

    def last_close(self, at: datetime) -> datetime | None:
        return None

    def add(self, start: datetime, seconds: float) -> datetime:
        # In UTC: Python adds to a datetime in its own zone by the wall clock, an hour off across a DST change.
        return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(start.tzinfo)

    def elapsed(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())

    def closed_reason(self, day: date) -> str | None:
        return None

    def closures(self, start: date, count: int = 5, *, days: int = 400) -> list[tuple[date, str]]:
        return []

    def describe(self) -> str:
        return "always open"
