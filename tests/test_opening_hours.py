"""Business time (webcare/hours/calendar.py, schedule.py): open and closed moments, holidays, special days, DST,
and clock arithmetic that skips closed time. Pure: no database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from webcare.hours.calendar import AlwaysOpen, BusinessCalendar, NeverOpenError
from webcare.hours.schedule import Schedule, ScheduleError, parse_intervals_text, schedule_from_config

OSLO = ZoneInfo("Europe/Oslo")
OFFICE = {str(day): [["08:00", "16:00"]] for day in range(5)}  # Monday to Friday 08:00-16:00


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def calendar(weekly: object = None, country: str = "NO", **options: object) -> BusinessCalendar:
    schedule = schedule_from_config(time_zone=str(options.pop("time_zone", "Europe/Oslo")),
                                    weekly=OFFICE if weekly is None else weekly, holiday_country=country,
                                    **options)  # type: ignore[arg-type]
    return BusinessCalendar(schedule)


def minute_by_minute(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """The slow, obviously right count the fast arithmetic is checked against."""
    total, at = 0.0, start
    while at < end:
        if cal.is_open(at):
            total += 60
        at += timedelta(minutes=1)
    return total


# Open or closed


def test_it_is_open_inside_the_hours_and_closed_outside_them() -> None:
    cal = calendar()
    assert cal.is_open(oslo(2026, 11, 23, 8, 0))  # Monday 08:00: the start is open
    assert cal.is_open(oslo(2026, 11, 23, 15, 59))
    assert not cal.is_open(oslo(2026, 11, 23, 16, 0))  # the end is not
    assert not cal.is_open(oslo(2026, 11, 23, 7, 59))


def test_it_is_closed_at_the_weekend_and_opens_on_monday_morning() -> None:
    cal = calendar()
    saturday = oslo(2026, 11, 21, 12, 0)
    assert not cal.is_open(saturday)
    assert cal.next_open(saturday) == oslo(2026, 11, 23, 8, 0)
    assert cal.next_open(oslo(2026, 11, 23, 9, 30)) == oslo(2026, 11, 23, 9, 30)  # open: that moment itself
    assert cal.last_close(saturday) == oslo(2026, 11, 20, 16, 0)  # the closed period began on Friday at 16:00
    assert cal.next_close(oslo(2026, 11, 23, 9, 30)) == oslo(2026, 11, 23, 16, 0)


@pytest.mark.parametrize(("day", "name"), [
    (date(2026, 5, 17), "Grunnlovsdag"),           # Constitution Day (a Sunday in 2026)
    (date(2027, 5, 17), "Andre pinsedag; Grunnlovsdag"),  # … and Whit Monday as well in 2027
    (date(2026, 4, 2), "Skjærtorsdag"),            # Easter: Maundy Thursday
    (date(2026, 4, 3), "Langfredag"),              # Good Friday
    (date(2026, 4, 6), "Andre påskedag"),          # Easter Monday
    (date(2026, 12, 25), "Første juledag"),        # Christmas Day
    (date(2026, 12, 26), "Andre juledag"),
])
def test_it_closes_on_norwegian_public_holidays(day: date, name: str) -> None:
    cal = calendar()
    assert cal.closed_reason(day) == name
    assert not cal.is_open(datetime.combine(day, datetime.min.time(), tzinfo=OSLO) + timedelta(hours=10))


def test_it_opens_after_easter_on_the_first_working_day() -> None:
    cal = calendar()
    wednesday_evening = oslo(2026, 4, 1, 17, 0)  # before Maundy Thursday
    assert cal.next_open(wednesday_evening) == oslo(2026, 4, 7, 8, 0)  # Tuesday after Easter Monday
    assert cal.closures(date(2026, 3, 30), 3) == [(date(2026, 4, 2), "Skjærtorsdag"), (date(2026, 4, 3), "Langfredag"),
                                                  (date(2026, 4, 6), "Andre påskedag")]


def test_it_uses_the_holidays_of_a_german_state() -> None:
    bavaria = calendar(country="DE", holiday_subdivision="BY", time_zone="Europe/Berlin")
    berlin = calendar(country="DE", holiday_subdivision="BE", time_zone="Europe/Berlin")
    epiphany = datetime(2026, 1, 6, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # Heilige Drei Könige, a Tuesday
    assert not bavaria.is_open(epiphany) and bavaria.closed_reason(date(2026, 1, 6))
    assert berlin.is_open(epiphany) and berlin.closed_reason(date(2026, 1, 6)) is None
    unity_day = datetime(2026, 10, 3, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert bavaria.closed_reason(unity_day.date()) == "Tag der Deutschen Einheit"


def test_a_desk_without_a_holiday_country_is_open_on_holidays() -> None:
    assert calendar(country="").is_open(oslo(2026, 12, 25, 10, 0))


# Special days


def test_a_special_day_shortens_the_hours_and_can_close_a_weekday() -> None:
    cal = calendar(special_days=[(date(2026, 12, 24), "Julaften", [["09:00", "13:00"]]),
                                 (date(2026, 11, 27), "Staff day", [])])
    assert cal.is_open(oslo(2026, 12, 24, 12, 59)) and not cal.is_open(oslo(2026, 12, 24, 13, 0))
    assert cal.closed_reason(date(2026, 12, 24)) is None  # open that day, only shorter
    assert not cal.is_open(oslo(2026, 11, 27, 10, 0))
    assert cal.closed_reason(date(2026, 11, 27)) == "Staff day"
    assert cal.next_open(oslo(2026, 11, 26, 16, 30)) == oslo(2026, 11, 30, 8, 0)  # Friday closed: Monday next


def test_a_special_day_opens_on_a_holiday() -> None:
    cal = calendar(special_days=[(date(2026, 12, 26), "Sale", [["10:00", "14:00"]])])  # Andre juledag, a Saturday
    assert cal.is_open(oslo(2026, 12, 26, 11, 0))
    assert cal.closed_reason(date(2026, 12, 26)) is None


def test_always_open_ignores_the_week_and_holidays_but_not_special_days() -> None:
    cal = calendar(weekly={}, always_open=True, special_days=[(date(2026, 12, 24), "Julaften", [])])
    assert cal.is_open(oslo(2026, 12, 25, 3, 0))  # a holiday at night
    assert not cal.is_open(oslo(2026, 12, 24, 12, 0))
    assert cal.elapsed(oslo(2026, 12, 23, 12, 0), oslo(2026, 12, 25, 12, 0)) == 24 * 3600


def test_24_00_ends_the_day_and_joins_the_next_days_midnight_start() -> None:
    cal = calendar(weekly={"4": [["20:00", "24:00"]], "5": [["00:00", "02:00"]]}, country="")
    assert cal.is_open(oslo(2026, 11, 20, 23, 59)) and cal.is_open(oslo(2026, 11, 21, 0, 0))
    assert not cal.is_open(oslo(2026, 11, 21, 2, 0))
    assert cal.next_close(oslo(2026, 11, 20, 21, 0)) == oslo(2026, 11, 21, 2, 0)
    assert cal.elapsed(oslo(2026, 11, 20, 19, 0), oslo(2026, 11, 21, 3, 0)) == 6 * 3600


# DST in Europe/Oslo: opening hours are wall-clock


def test_an_office_day_is_eight_real_hours_on_the_day_the_clocks_spring_forward() -> None:
    cal = calendar(weekly={str(day): [["00:00", "24:00"]] for day in range(7)} | {"6": [["08:00", "16:00"]]},
                   country="")
    sunday = date(2026, 3, 29)  # 02:00 → 03:00
    assert cal.elapsed(oslo(2026, 3, 29, 8, 0), oslo(2026, 3, 29, 16, 0)) == 8 * 3600
    whole_day = calendar(weekly={str(day): [["00:00", "24:00"]] for day in range(7)}, country="")
    start, end = datetime.combine(sunday, datetime.min.time(), tzinfo=OSLO), oslo(2026, 3, 30, 0, 0)
    assert whole_day.elapsed(start, end) == 23 * 3600  # the day itself is an hour short


def test_an_office_day_is_eight_real_hours_on_the_day_the_clocks_fall_back() -> None:
    monday_office = calendar(weekly={"6": [["08:00", "16:00"]]}, country="")
    assert monday_office.elapsed(oslo(2026, 10, 25, 0, 0), oslo(2026, 10, 26, 0, 0)) == 8 * 3600  # Sunday 25 Oct
    whole_day = calendar(weekly={str(day): [["00:00", "24:00"]] for day in range(7)}, country="")
    assert whole_day.elapsed(oslo(2026, 10, 25, 0, 0), oslo(2026, 10, 26, 0, 0)) == 25 * 3600


def test_adding_time_across_the_spring_change_keeps_wall_clock_opening() -> None:
    cal = calendar(country="")
    friday = oslo(2026, 3, 27, 15, 0)  # one open hour left on Friday; the clocks change on Sunday
    monday = cal.add(friday, 2 * 3600)
    assert monday.astimezone(OSLO) == oslo(2026, 3, 30, 9, 0)
    assert monday.astimezone(OSLO).utcoffset() == timedelta(hours=2)  # summer time: 07:00 UTC, not 08:00
    assert cal.elapsed(friday, monday) == 2 * 3600


def test_an_interval_inside_the_skipped_hour_does_not_invert() -> None:
    cal = calendar(weekly={"6": [["02:15", "02:45"], ["03:00", "04:00"]]}, country="")
    # 02:15-02:45 does not exist on 29 March 2026; both ends move forward together and the interval stays sane.
    assert cal.elapsed(oslo(2026, 3, 29, 0, 0), oslo(2026, 3, 29, 5, 0)) == 30 * 60 + 3600


# Arithmetic


def test_add_and_elapsed_round_trip() -> None:
    cal = calendar()
    start = oslo(2026, 11, 23, 15, 30)  # Monday, half an hour before closing
    assert cal.add(start, 3600) == oslo(2026, 11, 24, 8, 30)
    assert cal.elapsed(start, oslo(2026, 11, 24, 8, 30)) == 3600
    assert cal.add(oslo(2026, 11, 21, 12, 0), 60) == oslo(2026, 11, 23, 8, 1)  # from a Saturday
    assert cal.add(start, 0) == start
    assert cal.elapsed(oslo(2026, 11, 24), oslo(2026, 11, 23)) == 0


def test_add_ends_at_the_closing_time_when_the_time_fits_exactly() -> None:
    cal = calendar()
    assert cal.add(oslo(2026, 11, 23, 8, 0), 8 * 3600) == oslo(2026, 11, 23, 16, 0)
    assert cal.add(oslo(2026, 11, 23, 8, 0), 5 * 8 * 3600) == oslo(2026, 11, 27, 16, 0)  # a whole week, to the end


def test_a_long_span_skips_whole_weeks_and_still_counts_holidays() -> None:
    cal = calendar()
    start = oslo(2026, 1, 5, 9, 0)  # a Monday
    target = cal.add(start, 30 * 86400)  # 30 days of open time: 90 working days of 8 hours
    assert cal.elapsed(start, target) == 30 * 86400
    # 90 working days from 5 January is 11 May without holidays; Easter (3 days), 1 May and Ascension Day add five.
    assert target == oslo(2026, 5, 18, 9, 0)
    assert len(cal._days) < 60  # days were skipped in whole weeks, not walked one by one


def test_the_arithmetic_agrees_with_a_minute_by_minute_count() -> None:
    cal = calendar(special_days=[(date(2026, 3, 26), "Half day", [["08:00", "12:00"]])])
    rng = random.Random(6)
    start_of_year = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(25):
        start = start_of_year + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        seconds = cal.elapsed(start, end)
        assert abs(seconds - minute_by_minute(cal, start, end)) < 60
        if seconds:
            assert cal.elapsed(start, cal.add(start, seconds)) == seconds


@time_machine.travel(datetime(2026, 12, 23, 15, 0, tzinfo=OSLO), tick=False)
def test_at_christmas_the_next_opening_is_after_the_holidays() -> None:
    from django.utils import timezone

    cal = calendar(special_days=[(date(2026, 12, 24), "Julaften", []), (date(2026, 12, 31), "Nyttårsaften", [])])
    now = timezone.now()
    closes = cal.next_close(now)
    assert closes == oslo(2026, 12, 23, 16, 0)
    assert cal.next_open(closes) == oslo(2026, 12, 28, 8, 0)  # 24th closed, 25th and 26th holidays, then a weekend
    assert [day for day, _name in cal.closures(now.date(), 5)] == [date(2026, 12, 24), date(2026, 12, 25),
                                                                   date(2026, 12, 31), date(2027, 1, 1),
                                                                   date(2027, 3, 25)]


# A schedule with no open time


def test_a_schedule_with_no_open_hours_never_opens_and_add_refuses() -> None:
    cal = BusinessCalendar(Schedule(time_zone="Europe/Oslo"))
    at = oslo(2026, 11, 23, 10, 0)
    assert not cal.is_open(at)
    assert cal.next_open(at) is None
    assert cal.last_close(at) is None
    assert cal.elapsed(at, at + timedelta(days=3650)) == 0
    with pytest.raises(NeverOpenError, match="no open time"):
        cal.add(at, 60)


def test_a_schedule_open_only_on_a_past_special_day_never_opens_again() -> None:
    cal = calendar(weekly={}, special_days=[(date(2026, 6, 1), "Launch", [["10:00", "12:00"]])])
    assert cal.next_open(oslo(2026, 5, 1, 10, 0)) == oslo(2026, 6, 1, 10, 0)
    assert cal.next_open(oslo(2026, 6, 2, 10, 0)) is None
    assert cal.add(oslo(2026, 5, 1, 10, 0), 3600) == oslo(2026, 6, 1, 11, 0)
    with pytest.raises(ValueError, match="no open time"):
        cal.add(oslo(2026, 5, 1, 10, 0), 3 * 3600)


def test_always_open_is_plain_calendar_time() -> None:
    cal = AlwaysOpen()
    at = oslo(2026, 11, 21, 3, 0)
    assert cal.is_open(at) and cal.next_open(at) == at
    assert cal.add(at, 90) == at + timedelta(seconds=90)
    assert cal.elapsed(at, at + timedelta(hours=5)) == 5 * 3600
    assert cal.closed_reason(date(2026, 12, 25)) is None


# Validation


@pytest.mark.parametrize(("text", "message"), [
    ("22:00-02:00", "Friday: 22:00-02:00 crosses midnight"),
    ("08:00-16:00, 15:00-18:00", "Friday: the intervals overlap at 15:00"),
    ("08:00 to 16:00", "Friday: '08:00 to 16:00' is not an interval"),
    ("morning-16:00", "'morning' is not a time of day like 08:00"),
    ("08:00-16:60", "'16:60' is not a time of day between 00:00 and 24:00"),
    ("24:30-24:45", "'24:30' is not a time of day"),
    ("10:00-10:00", "Friday: 10:00-10:00 is empty"),
])
def test_it_refuses_hours_it_cannot_use_naming_the_day(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as caught:
        parse_intervals_text(text, "weekly_4", "Friday")
    assert caught.value.field == "weekly_4"


def test_it_reads_the_forms_people_type() -> None:
    assert parse_intervals_text("08:00-11:30, 12:00 – 16:00", "f", "Monday") == ((480, 690), (720, 960))
    assert parse_intervals_text("8.00-16.00", "f", "Monday") == ((480, 960),)
    assert parse_intervals_text("8-16", "f", "Monday") == ((480, 960),)
    assert parse_intervals_text("", "f", "Monday") == ()
    assert parse_intervals_text("closed", "f", "Monday") == ()


@pytest.mark.parametrize(("options", "field"), [
    ({"time_zone": "Europe/Olso"}, "time_zone"),
    ({"holiday_country": "XX"}, "holiday_country"),
    ({"holiday_country": "DE", "holiday_subdivision": "ZZ"}, "holiday_subdivision"),
    ({"weekly": {"7": [["08:00", "16:00"]]}}, "weekly"),
    ({"weekly": {"0": [["22:00", "02:00"]]}}, "weekly.0"),
])
def test_a_stored_schedule_is_validated_with_the_field_named(options: dict[str, object], field: str) -> None:
    config: dict[str, object] = {"time_zone": "Europe/Oslo", "weekly": OFFICE} | options
    with pytest.raises(ScheduleError) as caught:
        schedule_from_config(**config)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_it_needs_timezone_aware_moments() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar().is_open(datetime(2026, 11, 23, 10, 0))


def test_calendar_time_counts_real_seconds_across_a_dst_change() -> None:
    """A 24-hour calendar-hours target set on the Saturday before the autumn change ends 24 real hours later, at
    11:00 wall-clock on Sunday, not 12:00 (Python's arithmetic in one zone would say 12:00)."""
    from zoneinfo import ZoneInfo

    from webcare.hours.calendar import AlwaysOpen

    oslo = ZoneInfo("Europe/Oslo")
    start = datetime(2026, 10, 24, 12, 0, tzinfo=oslo)
    due = AlwaysOpen().add(start, 24 * 3600)
    assert due.astimezone(oslo).replace(tzinfo=None) == datetime(2026, 10, 25, 11, 0)
    assert AlwaysOpen().elapsed(start, datetime(2026, 10, 25, 12, 0, tzinfo=oslo)) == 25 * 3600
