"""Service-level clocks (``webcare.sla.clocks``, ``webcare.sla.policies``, ``webcare.sla.sync``): due times in
business and calendar hours across weekends, a Norwegian public holiday and the DST changes in Europe/Oslo; pauses
while pending; next-response cycles; resolution stopping at solved; the choice of policy; and the same rules through
the real ingestion path and ticket actions under a frozen clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import Personas, ingest_ticket
from webcare.hours.calendar import AlwaysOpen, BusinessCalendar
from webcare.hours.models import OpeningHours
from webcare.hours.schedule import Schedule
from webcare.sla import clocks, policies
from webcare.sla.clocks import Clocks, ClockState, Targets, advance, compute
from webcare.sla.models import SlaPolicy
from webcare.tickets.actions import do_change_ticket, do_no_reply_needed, do_reply
from webcare.tickets.models import Status, Ticket

OSLO = ZoneInfo("Europe/Oslo")
OFFICE = {day: ((8 * 60, 16 * 60),) for day in range(5)}  # Monday to Friday, 08:00–16:00


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def calendar(holidays: str = "NO", **extra: Any) -> BusinessCalendar:
    return BusinessCalendar(Schedule(time_zone="Europe/Oslo", weekly=OFFICE, holiday_country=holidays, **extra))


def new_ticket(at: datetime) -> ClockState:
    return ClockState(status=Status.NEW, changed_at=at, first_inbound_at=at, waiting_since=at)


def after(clocks_: Clocks, state: ClockState, **changes: Any) -> ClockState:
    """The next state: the ticket as it was stored after ``clocks_`` were computed, with ``changes`` made to it."""
    stored = replace(state, paused_since=clocks_.paused_since, paused_seconds=clocks_.paused_seconds,
                     level=clocks_.level, first_response_due=clocks_.first_response_due,
                     next_response_due=clocks_.next_response_due, resolution_due=clocks_.resolution_due)
    return replace(stored, **changes)


# --- business hours ------------------------------------------------------------------------------------------------


def test_first_response_across_a_weekend_in_business_hours() -> None:
    friday = oslo(2026, 11, 27, 15, 30)
    result = compute(new_ticket(friday), Targets(first_response_minutes=60, warn_percent=75), calendar(), friday)
    assert result.first_response_due == oslo(2026, 11, 30, 8, 30)  # 30 min on Friday, 30 on Monday
    assert result.target == "first_response" and result.due_at == result.first_response_due
    assert result.warn_at == oslo(2026, 11, 30, 8, 15)  # 45 of the 60 minutes
    assert result.check_at == result.warn_at and result.level == 0


def test_first_response_across_a_norwegian_public_holiday() -> None:
    friday = oslo(2027, 5, 14, 15, 0)
    cal = calendar()
    assert cal.closed_reason(oslo(2027, 5, 17).date()) is not None  # Grunnlovsdag (and Whit Monday)
    result = compute(new_ticket(friday), Targets(first_response_minutes=120), cal, friday)
    assert result.first_response_due == oslo(2027, 5, 18, 9, 0)  # 1 h Friday; Monday 17 May closed; 1 h Tuesday
    without_holidays = compute(new_ticket(friday), Targets(first_response_minutes=120), calendar(holidays=""), friday)
    assert without_holidays.first_response_due == oslo(2027, 5, 17, 9, 0)


def test_business_hours_across_the_spring_dst_change() -> None:
    friday = oslo(2027, 3, 26, 15, 0)  # CET, UTC+1
    result = compute(new_ticket(friday), Targets(first_response_minutes=120), calendar(holidays=""), friday)
    due = result.first_response_due
    assert due == oslo(2027, 3, 29, 9, 0)  # CEST, UTC+2: still 09:00 on the wall clock
    assert due is not None and due.astimezone(UTC) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_business_hours_across_the_autumn_dst_change() -> None:
    friday = oslo(2027, 10, 29, 15, 0)  # CEST, UTC+2
    result = compute(new_ticket(friday), Targets(first_response_minutes=120), calendar(holidays=""), friday)
    due = result.first_response_due
    assert due == oslo(2027, 11, 1, 9, 0)
    assert due is not None and due.astimezone(UTC) == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)


def test_a_round_the_clock_desk_counts_the_25_hour_autumn_day_as_25_hours() -> None:
    saturday = oslo(2027, 10, 30, 12, 0)
    desk = BusinessCalendar(Schedule(time_zone="Europe/Oslo", always_open=True))
    result = compute(new_ticket(saturday), Targets(first_response_minutes=24 * 60), desk, saturday)
    assert result.first_response_due == oslo(2027, 10, 31, 11, 0)  # 24 real hours: the clock went back an hour


def test_a_calendar_hours_policy_ignores_the_opening_hours() -> None:
    friday = oslo(2026, 11, 27, 15, 30)
    result = compute(new_ticket(friday), Targets(first_response_minutes=60, business_hours=False), calendar(), friday)
    assert result.first_response_due == oslo(2026, 11, 27, 16, 30)
    saturday = oslo(2027, 3, 27, 23, 0)  # 24 calendar hours across the spring change are 24 real hours
    result = compute(new_ticket(saturday), Targets(resolution_minutes=24 * 60, business_hours=False), calendar(),
                     saturday)
    assert result.resolution_due == oslo(2027, 3, 29, 0, 0)


def test_a_desk_that_never_opens_has_no_due_time() -> None:
    closed = BusinessCalendar(Schedule(time_zone="Europe/Oslo"))
    start = oslo(2026, 11, 27, 10, 0)
    result = compute(new_ticket(start), Targets(first_response_minutes=60), closed, start)
    assert (result.first_response_due, result.due_at, result.check_at) == (None, None, None)


# --- pauses ----------------------------------------------------------------------------------------------------------


def test_pending_pauses_every_clock_and_resuming_moves_the_due_times_by_the_pause_twice() -> None:
    targets = Targets(first_response_minutes=120, resolution_minutes=8 * 60, business_hours=False)
    cal = AlwaysOpen()
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    state = new_ticket(start)
    running = compute(state, targets, cal, start)
    assert running.first_response_due == start + timedelta(hours=2)

    at = start + timedelta(minutes=30)  # an agent sets pending without answering (waiting on the customer)
    state = after(running, state, status=Status.PENDING, changed_at=at, level=1)
    paused = compute(state, targets, cal, at + timedelta(seconds=3))
    assert paused.paused_since == at  # the moment the status changed, not when it was computed
    assert (paused.due_at, paused.warn_at, paused.check_at) == (None, None, None)
    assert paused.first_response_due == running.first_response_due  # kept while paused
    assert paused.level == 1

    back = at + timedelta(minutes=45)
    state = after(paused, state, status=Status.OPEN, changed_at=back)
    resumed = compute(state, targets, cal, back)
    assert resumed.paused_since is None and resumed.paused_seconds == 45 * 60
    assert resumed.first_response_due == start + timedelta(hours=2, minutes=45)
    assert resumed.resolution_due == start + timedelta(hours=8, minutes=45)
    assert resumed.due_at == resumed.first_response_due
    assert resumed.level == 1  # the same clock, moved only by the pause: no second warning

    second = back + timedelta(minutes=10)
    state = after(resumed, state, status=Status.PENDING, changed_at=second)
    paused_again = compute(state, targets, cal, second)
    state = after(paused_again, state, status=Status.OPEN, changed_at=second + timedelta(minutes=20))
    again = compute(state, targets, cal, second + timedelta(minutes=20))
    assert again.paused_seconds == (45 + 20) * 60
    assert again.first_response_due == start + timedelta(hours=2, minutes=65)
    assert again.warn_at == start + timedelta(minutes=90 + 65)  # 75 % of 2 h of running clock


def test_a_pause_in_closed_hours_moves_a_business_hours_due_time_by_nothing() -> None:
    cal = calendar(holidays="")
    start = oslo(2026, 11, 27, 15, 0)  # Friday
    targets = Targets(resolution_minutes=16 * 60)
    state = new_ticket(start)
    running = compute(state, targets, cal, start)
    assert running.resolution_due == oslo(2026, 12, 1, 15, 0)
    state = after(running, state, status=Status.PENDING, changed_at=oslo(2026, 11, 27, 17, 0))
    paused = compute(state, targets, cal, oslo(2026, 11, 27, 17, 0))
    state = after(paused, state, status=Status.OPEN, changed_at=oslo(2026, 11, 30, 9, 0))
    resumed = compute(state, targets, cal, oslo(2026, 11, 30, 9, 0))
    assert resumed.paused_seconds == 3600  # only Monday 08:00–09:00 was open time
    assert resumed.resolution_due == oslo(2026, 12, 1, 16, 0)


def test_a_pause_inside_a_next_response_cycle_moves_only_that_cycle_and_resolution() -> None:
    targets = Targets(first_response_minutes=60, next_response_minutes=30, resolution_minutes=600,
                      business_hours=False)
    cal = AlwaysOpen()
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    answered = t0 + timedelta(minutes=20)
    state = ClockState(status=Status.OPEN, changed_at=answered, first_inbound_at=t0, first_response_at=answered,
                       waiting_since=t0 + timedelta(minutes=40))
    cycle = compute(state, targets, cal, t0 + timedelta(minutes=40))
    assert cycle.first_response_due is None and cycle.next_response_due == t0 + timedelta(minutes=70)
    pause = t0 + timedelta(minutes=50)
    state = after(cycle, state, status=Status.PENDING, changed_at=pause)
    paused = compute(state, targets, cal, pause)
    state = after(paused, state, status=Status.OPEN, changed_at=pause + timedelta(minutes=15))
    resumed = compute(state, targets, cal, pause + timedelta(minutes=15))
    assert resumed.next_response_due == t0 + timedelta(minutes=85)
    assert resumed.resolution_due == t0 + timedelta(minutes=615)
    # Computing again later (a team change, say) keeps the cycle's credit: it is read back from the stored due time.
    later = compute(after(resumed, state, changed_at=pause + timedelta(minutes=16)), targets, cal,
                    pause + timedelta(minutes=16))
    assert later.next_response_due == resumed.next_response_due and later.level == resumed.level


# --- cycles, stops -----------------------------------------------------------------------------------------------


def test_a_reply_stops_first_response_and_the_next_message_starts_a_next_response_cycle() -> None:
    targets = Targets(first_response_minutes=60, next_response_minutes=30, business_hours=False)
    cal = AlwaysOpen()
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    state = new_ticket(t0)
    first = compute(state, targets, cal, t0)
    state = after(first, state, level=2)  # breached and escalated before the answer
    reply = t0 + timedelta(minutes=70)
    state = after(first, state, status=Status.PENDING, changed_at=reply, first_response_at=reply, waiting_since=None,
                  level=2)
    answered = compute(state, targets, cal, reply)
    assert (answered.first_response_due, answered.next_response_due, answered.due_at) == (None, None, None)
    assert answered.level == 0  # the tracked clock stopped: the ladder starts again for the next one
    again = reply + timedelta(hours=2)
    state = after(answered, state, status=Status.OPEN, changed_at=again, waiting_since=again)
    cycle = compute(state, targets, cal, again)
    assert cycle.target == "next_response" and cycle.next_response_due == again + timedelta(minutes=30)
    assert cycle.warn_at == again + timedelta(seconds=30 * 60 * 75 // 100)
    assert cycle.paused_seconds == 2 * 3600  # pending from the reply to the customer's answer


def test_resolution_stops_at_solved_and_a_reopened_ticket_goes_on_where_it_stopped() -> None:
    targets = Targets(resolution_minutes=240, business_hours=False)
    cal = AlwaysOpen()
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    state = new_ticket(t0)
    running = compute(state, targets, cal, t0)
    solved_at = t0 + timedelta(hours=1)
    state = after(running, state, status=Status.SOLVED, changed_at=solved_at, waiting_since=None)
    solved = compute(state, targets, cal, solved_at)
    assert (solved.due_at, solved.check_at) == (None, None)
    reopened_at = solved_at + timedelta(days=2)
    state = after(solved, state, status=Status.OPEN, changed_at=reopened_at, waiting_since=reopened_at)
    reopened = compute(state, targets, cal, reopened_at)
    assert running.resolution_due == t0 + timedelta(hours=4)
    assert reopened.resolution_due == t0 + timedelta(days=2, hours=4)
    closed = compute(after(reopened, state, status=Status.CLOSED), targets, cal, reopened_at)
    assert closed == Clocks(paused_seconds=reopened.paused_seconds)


def test_no_policy_means_no_clock() -> None:
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert compute(new_ticket(t0), None, AlwaysOpen(), t0) == Clocks()


def test_a_new_due_time_starts_the_ladder_again() -> None:
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    state = new_ticket(t0)
    slow = compute(state, Targets(first_response_minutes=240, business_hours=False), AlwaysOpen(), t0)
    state = after(slow, state, level=1)
    fast = compute(state, Targets(first_response_minutes=60, business_hours=False), AlwaysOpen(), t0)
    assert fast.level == 0 and fast.check_at == t0 + timedelta(minutes=45)
    same = compute(state, Targets(first_response_minutes=240, business_hours=False), AlwaysOpen(), t0)
    assert same.level == 1 and same.check_at == slow.due_at


# --- the ladder ------------------------------------------------------------------------------------------------------


def test_the_ladder_warns_then_breaches_then_climbs_the_chain_once_per_level() -> None:
    due = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    warn = due - timedelta(minutes=15)
    steps = [30, 90]
    assert clocks.next_check(due, warn, 0, steps) == warn
    step = advance(due, warn, 0, steps, warn)
    assert (step.levels, step.level, step.check_at) == ((1,), 1, due)
    step = advance(due, warn, 1, steps, due + timedelta(minutes=1))
    assert (step.levels, step.level, step.check_at) == ((2,), 2, due + timedelta(minutes=30))
    step = advance(due, warn, 2, steps, due + timedelta(minutes=100))
    assert (step.levels, step.level, step.check_at) == ((3, 4), 4, None)
    assert advance(due, warn, 4, steps, due + timedelta(days=1)).levels == ()


def test_a_late_check_skips_the_warning_and_old_moments_are_not_alerted() -> None:
    due = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    warn = due - timedelta(minutes=15)
    late = advance(due, warn, 0, [], due + timedelta(minutes=5))
    assert (late.levels, late.level) == ((2,), 2)
    history = advance(due, warn, 0, [60], due + timedelta(days=3))
    assert (history.levels, history.level, history.check_at) == ((), 3, None)
    no_warning = advance(due, None, 0, [], due)
    assert no_warning.levels == (2,)


# --- choosing a policy ------------------------------------------------------------------------------------------------


def rule(pk: int, **conditions: Any) -> policies.PolicyRule:
    values: dict[str, Any] = {"channel_kinds": frozenset(), "priorities": frozenset(), "team_ids": frozenset(),
                              "intents": frozenset()}
    values.update({key: frozenset(value) for key, value in conditions.items()})
    return policies.PolicyRule(id=pk, name=f"p{pk}", position=pk, targets=Targets(first_response_minutes=pk),
                               **values)


def test_the_first_policy_whose_conditions_all_hold_applies() -> None:
    rules = [rule(1, priorities={1}, channel_kinds={"x"}), rule(2, team_ids={7}, intents={"complaint", "spam"}),
             rule(3, channel_kinds={"email"}), rule(4)]

    def pick(**ticket: Any) -> int | None:
        values: dict[str, Any] = {"channel_kind": "facebook", "priority": 3, "team_id": None, "intents": ()} | ticket
        chosen = policies.choose(rules, **values)
        return chosen.id if chosen else None

    assert pick(channel_kind="x", priority=1) == 1
    assert pick(channel_kind="x", priority=2) == 4  # priority fails, so does 2 and 3: the catch-all
    assert pick(team_id=7, intents=("question", "complaint")) == 2
    assert pick(team_id=7, intents=("question",)) == 4  # no listed intent
    assert pick(channel_kind="email", team_id=7) == 3
    assert policies.choose(rules[:3], channel_kind="webchat", priority=3, team_id=None, intents=()) is None


# --- through ingestion and the ticket actions, on a frozen clock -----------------------------------------------------


@pytest.fixture
def office_hours(personas: Personas) -> OpeningHours:
    return OpeningHours.objects.create(organisation=personas.org, name="Office", time_zone="Europe/Oslo",
                                       weekly={str(d): [["08:00", "16:00"]] for d in range(5)}, holiday_country="NO")


def test_ingestion_and_replies_start_pause_and_resume_the_clocks(personas: Personas, office_hours: Any) -> None:
    policy = SlaPolicy.objects.create(organisation=personas.org, name="Standard", first_response_minutes=60,
                                      next_response_minutes=30, resolution_minutes=16 * 60)
    friday = oslo(2026, 11, 27, 15, 30)
    with time_machine.travel(friday, tick=False):
        ticket = ingest_ticket(personas, 1, sent_at=friday.isoformat())
    assert ticket.sla_policy_id == policy.pk
    assert ticket.first_response_due == oslo(2026, 11, 30, 8, 30)
    assert ticket.sla_due_at == ticket.first_response_due and ticket.sla_check_at == oslo(2026, 11, 30, 8, 15)
    assert ticket.resolution_due == oslo(2026, 12, 1, 15, 30)

    monday = oslo(2026, 11, 30, 9, 0)
    with time_machine.travel(monday, tick=False):
        do_reply(ticket, personas.agent, "Vi ser på det.")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.sla_paused_since == monday
    assert (ticket.sla_due_at, ticket.sla_check_at, ticket.first_response_due) == (None, None, None)

    answer = oslo(2026, 11, 30, 11, 0)
    with time_machine.travel(answer + timedelta(seconds=2), tick=False):
        ingest_ticket(personas, 2, sent_at=answer.isoformat())
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.sla_paused_since is None
    assert ticket.sla_paused_seconds == 2 * 3600
    assert ticket.next_response_due == oslo(2026, 11, 30, 11, 30)
    assert ticket.resolution_due == oslo(2026, 12, 2, 9, 30)  # two business hours later: past Tuesday 16:00
    assert ticket.sla_due_at == ticket.next_response_due


def test_a_change_of_team_or_priority_chooses_the_policy_again(personas: Personas) -> None:
    standard = SlaPolicy.objects.create(organisation=personas.org, name="Standard", position=2,
                                        first_response_minutes=240, business_hours=False)
    urgent = SlaPolicy.objects.create(organisation=personas.org, name="Urgent", position=1, priorities=[1],
                                      first_response_minutes=30, business_hours=False)
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ticket = ingest_ticket(personas, 1, sent_at=start.isoformat())
        assert ticket.sla_policy_id == standard.pk and ticket.sla_due_at == start + timedelta(hours=4)
        do_change_ticket(ticket, personas.supervisor, priority=1)
    ticket.refresh_from_db()
    assert ticket.sla_policy_id == urgent.pk and ticket.sla_due_at == start + timedelta(minutes=30)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        do_no_reply_needed(ticket, personas.agent)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.SOLVED and (ticket.sla_due_at, ticket.sla_check_at) == (None, None)


def test_refresh_costs_the_same_queries_for_two_tickets_as_for_twenty(personas: Personas, office_hours: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webcare.sla.sync import refresh

    SlaPolicy.objects.create(organisation=personas.org, name="Standard", first_response_minutes=60)
    start = oslo(2026, 11, 23, 9, 0)
    with time_machine.travel(start, tick=False):
        for n in range(1, 21):
            ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}", sent_at=start.isoformat())
    counts = []
    for size in (2, 20):
        tickets = list(Ticket.objects.order_by("id")[:size])
        for ticket in tickets:
            ticket.team = personas.team
        with CaptureQueriesContext(connection) as captured:
            refresh(tickets, start)
        counts.append(len(captured.captured_queries))
        assert all(t.sla_due_at == oslo(2026, 11, 23, 10, 0) for t in tickets)
    assert counts[0] == counts[1]
