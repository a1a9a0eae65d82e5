"""A schedule as a plain value (:class:`Schedule`), and the parsing and validation of opening hours as people and the
database write them (``"08:00-16:00, 18:00-20:00"``; ``[["08:00", "16:00"]]``).

Why a value apart from the model: the calendar arithmetic (webcare/hours/calendar.py) is pure and tested without a
database, and one schedule is built per batch from rows read once (webcare/hours/lookup.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: An open interval of one day in wall-clock minutes since midnight: (start, end), 0 <= start < end <= 1440.
Interval = tuple[int, int]

DAY_MINUTES = 24 * 60
#: Weekday names for messages and forms (translated when shown).
WEEKDAYS = (gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"), gettext_lazy("Thursday"),
            gettext_lazy("Friday"), gettext_lazy("Saturday"), gettext_lazy("Sunday"))

_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


class ScheduleError(ValueError):
    """Opening hours that cannot be used as they are; ``field`` names what is wrong (``weekly.0``, ``time_zone``,
    ``special_days.2026-12-24``, …) and the message says why in words a person can act on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Schedule:
    """Opening hours as a value: what :class:`webcare.hours.calendar.BusinessCalendar` computes with.

    ``weekly`` maps the weekday (0 Monday … 6 Sunday) to its open intervals (a missing day is closed). Special days
    override the week and the holiday calendar for their date (no intervals: closed all day). ``always_open`` ignores
    the week and the holidays; special days still apply.
    """

    time_zone: str = "Europe/Oslo"
    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)
    holiday_country: str = ""
    holiday_subdivision: str = ""
    always_open: bool = False
    special_days: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)
    special_day_names: Mapping[date, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def configured(self) -> bool:
        """False for a schedule with no weekly hours and not always open: a desk that has not set its hours."""
        return self.always_open or any(self.weekly.values())


def parse_clock(text: str, field: str) -> int:
    """``"08:00"`` (or ``"8"``, ``"8.00"``) → 480 minutes; ``"24:00"`` (the end of the day) → 1440."""
    match = _CLOCK.match(text)
    if not match:
        raise ScheduleError(field, _("%(value)s is not a time of day like 08:00") % {"value": repr(text.strip())})
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ScheduleError(field, _("%(value)s is not a time of day between 00:00 and 24:00")
                            % {"value": repr(text.strip())})
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_intervals(intervals: Iterable[Interval], field: str, day_name: object) -> tuple[Interval, ...]:
    """Sorted intervals, or an error naming the day: empty, across midnight, or overlapping."""
    ordered = sorted(intervals)
    for start, end in ordered:
        if end == start:
            raise ScheduleError(field, _("%(day)s: %(interval)s is empty")
                                % {"day": day_name, "interval": f"{format_clock(start)}-{format_clock(end)}"})
        if end < start:
            raise ScheduleError(field, _("%(day)s: %(interval)s crosses midnight; end the day at 24:00 and start the "
                                         "next one at 00:00")
                                % {"day": day_name, "interval": f"{format_clock(start)}-{format_clock(end)}"})
    for (_start, end), (start, _end) in pairwise(ordered):
        if start < end:
            raise ScheduleError(field, _("%(day)s: the intervals overlap at %(time)s")
                                % {"day": day_name, "time": format_clock(start)})
    return tuple(ordered)


def parse_intervals_text(text: str, field: str, day_name: object) -> tuple[Interval, ...]:
    """``"08:00-16:00, 18:00-20:00"`` → ((480, 960), (1080, 1200)); blank or "closed" → closed (no intervals)."""
    text = text.strip()
    if not text or text.lower() in ("closed", "-"):
        return ()
    intervals = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        pieces = re.split(r"\s*[-–]\s*", part.strip())
        if len(pieces) != 2:
            raise ScheduleError(field, _("%(day)s: %(value)s is not an interval like 08:00-16:00")
                                % {"day": day_name, "value": repr(part.strip())})
        intervals.append((parse_clock(pieces[0], field), parse_clock(pieces[1], field)))
    return check_intervals(intervals, field, day_name)


def format_intervals(intervals: Sequence[Interval]) -> str:
    """The inverse of :func:`parse_intervals_text`: ``"08:00-16:00, 18:00-20:00"`` ("" when closed)."""
    return ", ".join(f"{format_clock(start)}-{format_clock(end)}" for start, end in intervals)


def parse_intervals_json(value: object, field: str, day_name: object) -> tuple[Interval, ...]:
    """The stored form ``[["08:00", "16:00"], …]`` → intervals."""
    if not isinstance(value, list):
        raise ScheduleError(field, f"{day_name}: expected a list of [start, end] pairs")
    intervals = []
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise ScheduleError(field, f"{day_name}: {pair!r} is not a [start, end] pair like [\"08:00\", \"16:00\"]")
        intervals.append((parse_clock(pair[0], field), parse_clock(pair[1], field)))
    return check_intervals(intervals, field, day_name)


def intervals_json(intervals: Sequence[Interval]) -> list[list[str]]:
    return [[format_clock(start), format_clock(end)] for start, end in intervals]


def parse_weekly_json(weekly: object) -> dict[int, tuple[Interval, ...]]:
    """The stored ``{"0": [["08:00", "16:00"]], …}`` → {0: ((480, 960),), …}; only days with hours are kept."""
    if not isinstance(weekly, dict):
        raise ScheduleError("weekly", "expected a mapping of weekday to intervals")
    parsed: dict[int, tuple[Interval, ...]] = {}
    for key, value in weekly.items():
        if str(key) not in {str(day) for day in range(7)}:
            raise ScheduleError("weekly", f"{key!r} is not a weekday number 0 (Monday) to 6 (Sunday)")
        day = int(key)
        intervals = parse_intervals_json(value, f"weekly.{day}", WEEKDAYS[day])
        if intervals:
            parsed[day] = intervals
    return parsed


def weekly_json(weekly: Mapping[int, Sequence[Interval]]) -> dict[str, list[list[str]]]:
    return {str(day): intervals_json(intervals) for day, intervals in sorted(weekly.items()) if intervals}


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    name = name.strip()
    if name not in _zones():
        raise ScheduleError("time_zone", _("%(value)s is not a known time zone (like Europe/Oslo)")
                            % {"value": repr(name)})
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError("time_zone", _("%(value)s is not a known time zone (like Europe/Oslo)")
                            % {"value": repr(name)}) from exc
    return name


def check_holidays(country: str, subdivision: str) -> tuple[str, str]:
    """Upper-cased (country, subdivision) that the ``holidays`` package knows; ("", "") for none."""
    from holidays import list_supported_countries

    country, subdivision = country.strip().upper(), subdivision.strip()
    if not country:
        if subdivision:
            raise ScheduleError("holiday_subdivision", _("a subdivision needs a holiday country"))
        return "", ""
    supported = list_supported_countries()
    if country not in supported:
        raise ScheduleError("holiday_country", _("%(value)s is not a country with a holiday calendar")
                            % {"value": repr(country)})
    if subdivision:
        by_upper = {sub.upper(): sub for sub in supported[country]}
        if subdivision.upper() not in by_upper:
            raise ScheduleError("holiday_subdivision", _("%(value)s is not a subdivision of %(country)s (known: "
                                                         "%(known)s)") % {
                "value": repr(subdivision), "country": country, "known": ", ".join(supported[country][:20]) or "-"})
        subdivision = by_upper[subdivision.upper()]
    return country, subdivision


def schedule_from_config(*, time_zone: str, weekly: object, holiday_country: str = "", holiday_subdivision: str = "",
                         always_open: bool = False,
                         special_days: Iterable[tuple[date, str, object]] = ()) -> Schedule:
    """A validated :class:`Schedule` from the stored forms (``special_days``: (date, name, intervals JSON))."""
    country, subdivision = check_holidays(holiday_country, holiday_subdivision)
    specials: dict[date, tuple[Interval, ...]] = {}
    names: dict[date, str] = {}
    for day, name, intervals in special_days:
        specials[day] = parse_intervals_json(intervals, f"special_days.{day.isoformat()}", day.isoformat())
        names[day] = name
    return Schedule(time_zone=check_time_zone(time_zone), weekly=parse_weekly_json(weekly), holiday_country=country,
                    holiday_subdivision=subdivision, always_open=always_open, special_days=specials,
                    special_day_names=names)
