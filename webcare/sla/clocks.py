"""Service-level clocks as pure functions: a ticket's state, its policy's targets, a calendar and ``now`` in; due
times, the warning time, the next check and the pause out. No database and no clock reads here (``now`` is passed),
so every rule is tested directly and the same code serves one ticket (an agent's reply) and a batch of thousands
(ingestion, docs/service-levels.md).

The three targets:

- **first response**: from the customer's first message (``first_inbound_at``) until the first answer;
- **next response**: once the customer has had an answer, from when they wait again (``waiting_since``) until the
  next answer — each new wait is a new cycle with its own warnings;
- **resolution**: from the first message until the ticket is solved.

Pauses: while the ticket waits on the customer (pending) every clock stops, and so does a solved ticket's (a
reopened ticket goes on where it stopped). When it leaves the pause, the clock time it was paused (business seconds
when the policy counts business hours, else calendar seconds) is added to ``paused_seconds`` and each due time moves
later by exactly that: a due time is ``calendar.add(start, target + credit)``, where the credit of first response and
resolution is every pause since the first message (``paused_seconds``) and the credit of next response is the paused
time since its cycle began. First response pauses too (pending before any answer is rare; one rule for all
targets). Closed is final: no clock at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

from webcare.hours.calendar import AlwaysOpen, BusinessCalendar, NeverOpenError
from webcare.sla.models import SlaTarget
from webcare.tickets.models import Status

#: Statuses in which the clocks stand still (and are credited when the ticket leaves them).
PAUSED: Final = frozenset({Status.PENDING, Status.SOLVED})
#: The order targets are listed and tie-broken in.
TARGETS: Final = (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE, SlaTarget.RESOLUTION)
#: Levels of the escalation ladder (``Ticket.sla_level``): 3 and up are the escalation chain's steps.
WARNED: Final = 1
BREACHED: Final = 2
#: Alerts for moments longer ago than this are not raised (see :func:`advance`).
STALE: Final = timedelta(hours=24)
#: Two due times closer than this are the same (calendar arithmetic in floats can differ in the microseconds).
SAME_DUE: Final = timedelta(seconds=1)

_ALWAYS_OPEN: Final = AlwaysOpen()
_TIMES: Final = ("changed_at", "first_inbound_at", "first_response_at", "waiting_since", "paused_since",
                 "first_response_due", "next_response_due", "resolution_due")


@dataclass(frozen=True)
class Targets:
    """A policy's targets in minutes (None: no target) and how they are counted."""

    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = True
    #: The assignee is warned when this share (%) of a target has passed; 100 means no warning.
    warn_percent: int = 75

    def seconds(self, target: str) -> int | None:
        minutes = {SlaTarget.FIRST_RESPONSE: self.first_response_minutes,
                   SlaTarget.NEXT_RESPONSE: self.next_response_minutes,
                   SlaTarget.RESOLUTION: self.resolution_minutes}[SlaTarget(target)]
        return None if minutes is None else minutes * 60


@dataclass(frozen=True)
class ClockState:
    """What the clocks depend on: the ticket's times and status, and what the last computation left on it."""

    status: str
    #: When the ticket last changed (``Ticket.updated_at``): the moment a status change happened, so a pause starts
    #: and ends when the reply or the customer's message did, not when a lagging worker or an import got to it.
    changed_at: datetime | None = None
    first_inbound_at: datetime | None = None
    first_response_at: datetime | None = None
    waiting_since: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: int = 0
    level: int = 0
    first_response_due: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None

    def due(self, target: str) -> datetime | None:
        return {SlaTarget.FIRST_RESPONSE: self.first_response_due, SlaTarget.NEXT_RESPONSE: self.next_response_due,
                SlaTarget.RESOLUTION: self.resolution_due}[SlaTarget(target)]


@dataclass(frozen=True)
class Clocks:
    """The computed clocks, field for field what :mod:`webcare.sla.sync` writes to the ticket.

    The three due times are kept while the clocks are paused (they are what the due times were when the clock
    stopped); ``due_at``, ``warn_at`` and ``check_at`` are None then, since nothing can fall due.
    """

    first_response_due: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    #: The target whose due time is the earliest running one (what ``due_at`` tracks).
    target: str | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    check_at: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: int = 0
    level: int = 0

    def due(self, target: str) -> datetime | None:
        return {SlaTarget.FIRST_RESPONSE: self.first_response_due, SlaTarget.NEXT_RESPONSE: self.next_response_due,
                SlaTarget.RESOLUTION: self.resolution_due}[SlaTarget(target)]


def _start(state: ClockState, target: str) -> datetime | None:
    """When ``target``'s clock started, or None when it does not run for this ticket."""
    if target == SlaTarget.FIRST_RESPONSE:
        return state.first_inbound_at if state.first_response_at is None else None
    if target == SlaTarget.NEXT_RESPONSE:
        return state.waiting_since if state.first_response_at is not None else None
    return state.first_inbound_at


def _earliest(dues: dict[str, datetime]) -> tuple[str, datetime] | None:
    """The target with the earliest due time (ties: in :data:`TARGETS` order)."""
    if not dues:
        return None
    first = min(dues, key=lambda name: (dues[name], TARGETS.index(SlaTarget(name))))
    return str(first), dues[first]


def next_check(due_at: datetime | None, warn_at: datetime | None, level: int,
               escalation_minutes: Sequence[int] = ()) -> datetime | None:
    """When the check must look next: the warning while it is to come, then the due time, then each step of the
    escalation chain at ``due_at + after_minutes`` (calendar minutes); None when the ladder is done or no clock runs.
    """
    if due_at is None:
        return None
    if level < WARNED and warn_at is not None and warn_at < due_at:
        return warn_at
    if level < BREACHED:
        return due_at
    step = level - BREACHED
    if step < len(escalation_minutes):
        return due_at.astimezone(UTC) + timedelta(minutes=escalation_minutes[step])
    return None


@dataclass(frozen=True)
class Advance:
    """What the check does for one ticket now: the levels to raise (in order), the level after, the next check."""

    levels: tuple[int, ...]
    level: int
    check_at: datetime | None


def advance(due_at: datetime | None, warn_at: datetime | None, level: int, escalation_minutes: Sequence[int],
            now: datetime, stale: timedelta = STALE) -> Advance:
    """Every level whose moment has come, once each, in order (missed escalation steps each tell somebody else).

    Passed over silently: a warning the check only gets to after the breach ("at risk" is no news once the target
    is missed), and any level whose moment is more than ``stale`` ago — history (an import of old conversations) or
    a checker that was down for days would otherwise flood people with alerts about long-past moments; the inbox's
    "SLA breached" view lists those tickets all the same.
    """
    levels: list[int] = []
    while (at := next_check(due_at, warn_at, level, escalation_minutes)) is not None and at <= now:
        assert due_at is not None
        if level < WARNED and warn_at is not None and warn_at < due_at:
            level = WARNED
            fires = now < due_at
        else:
            level = max(level, BREACHED - 1) + 1
            fires = True
        if fires and at >= now - stale:
            levels.append(level)
    return Advance(tuple(levels), level, next_check(due_at, warn_at, level, escalation_minutes))


def compute(state: ClockState, targets: Targets | None, calendar: BusinessCalendar, now: datetime,
            escalation_minutes: Sequence[int] = ()) -> Clocks:
    """The ticket's clocks as of ``now`` under ``targets`` (None: no policy applies, so no clock).

    ``calendar`` is the ticket's opening hours (used when the policy counts business hours);
    ``escalation_minutes`` the ``after_minutes`` of the ticket's team's escalation steps, in order.
    ``level`` (the escalation ladder) is kept while the tracked target and due time stay what they were — moved only
    by the pause that just ended — and starts again at 0 when they change (a new next-response cycle, a reply that
    stops the first-response clock, another policy).
    """
    if targets is None or state.status == Status.CLOSED:
        return Clocks(paused_seconds=state.paused_seconds)
    state, now = _in_utc(state), now.astimezone(UTC)
    clock = calendar if targets.business_hours else _ALWAYS_OPEN
    paused_now = state.status in PAUSED

    # The pause: starts when the ticket enters it, is credited when it leaves it.
    paused_since, paused_seconds, resumed = state.paused_since, state.paused_seconds, None
    changed_at = min(state.changed_at or now, now)
    if paused_since is not None and not paused_now:
        resumed = (paused_since, max(changed_at, paused_since))
        paused_seconds += round(clock.elapsed(*resumed))
        paused_since = None
    elif paused_since is None and paused_now:
        paused_since = changed_at

    dues: dict[str, datetime] = {}
    credits: dict[str, int] = {}
    shifts: dict[str, int] = {}
    for target in TARGETS:
        start, seconds = _start(state, target), targets.seconds(target)
        if start is None or seconds is None:
            continue
        if target == SlaTarget.NEXT_RESPONSE:
            credit, shift = _cycle_credit(state, clock, start, seconds, resumed)
        else:
            credit, shift = paused_seconds, paused_seconds - state.paused_seconds
        due = _add(clock, start, seconds + credit)
        if due is not None:
            credits[target], shifts[target], dues[target] = credit, shift, due

    clocks = Clocks(first_response_due=dues.get(SlaTarget.FIRST_RESPONSE),
                    next_response_due=dues.get(SlaTarget.NEXT_RESPONSE),
                    resolution_due=dues.get(SlaTarget.RESOLUTION),
                    paused_since=paused_since, paused_seconds=paused_seconds)
    tracked = _earliest(dues)
    level = _kept_level(state, clock, tracked, shifts)
    if tracked is None or paused_now:
        return replace(clocks, level=level)
    name, due_at = tracked
    warn_at = None
    if targets.warn_percent < 100:
        seconds = targets.seconds(name) or 0
        start = _start(state, name)
        assert start is not None
        warn_at = _add(clock, start, seconds * targets.warn_percent // 100 + credits[name])
    return replace(clocks, target=str(name), due_at=due_at, warn_at=warn_at, level=level,
                    check_at=next_check(due_at, warn_at, level, escalation_minutes))


def _in_utc(state: ClockState) -> ClockState:
    """The state with every time in UTC: Python adds and subtracts datetimes of one zone on the wall clock, which
    would make calendar hours across a DST change an hour off."""
    times = {name: value.astimezone(UTC) for name in _TIMES if (value := getattr(state, name)) is not None}
    return replace(state, **times)


def _add(clock: BusinessCalendar, start: datetime, seconds: int) -> datetime | None:
    """``clock.add``, or None where the opening hours never open again (no open time can pass: never due)."""
    try:
        return clock.add(start, seconds)
    except NeverOpenError:
        return None


def _cycle_credit(state: ClockState, clock: BusinessCalendar, start: datetime, seconds: int,
                  resumed: tuple[datetime, datetime] | None) -> tuple[int, int]:
    """(credit, shift) of the next-response clock: the paused time since its cycle began, and what the pause just
    ended added to it.

    The credit so far is read back from the due time the last computation stored (``due = add(start, target +
    credit)``), bounded by all the pauses there were: a new cycle (its due was None, or lies before this cycle's
    start + target) gets none. A target changed in the middle of a cycle can misplace at most the pauses there were.
    """
    previous = state.next_response_due
    credit = 0
    if previous is not None:
        credit = min(max(0, round(clock.elapsed(start, previous)) - seconds), state.paused_seconds)
    shift = 0
    if resumed is not None:  # only the part of the pause after the cycle began counts for it
        shift = round(clock.elapsed(max(resumed[0], start), resumed[1]))
    return credit + shift, shift


def _kept_level(state: ClockState, clock: BusinessCalendar, tracked: tuple[str, datetime] | None,
                shifts: dict[str, int]) -> int:
    """The escalation level, kept when the tracked clock is the one tracked before (same target, same due time but
    for the pause just credited), else 0."""
    if tracked is None or state.level == 0:
        return 0
    before = _earliest({t: due for t in TARGETS if (due := state.due(t)) is not None})
    if before is None or before[0] != tracked[0]:
        return 0
    target, due_at = tracked
    expected = _add(clock, before[1], shifts.get(target, 0))
    return state.level if expected is not None and abs(expected - due_at) < SAME_DUE else 0

