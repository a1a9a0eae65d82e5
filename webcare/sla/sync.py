"""Write a ticket's service-level clocks (policy, due times, pause, next check) from its current state.

Callers (the ticket actions, the ingestion step) call :func:`refresh` after changing tickets in memory and then save
:data:`SLA_FIELDS`. It reads what the rules need for the whole set in a fixed number of queries — the organisations'
policies, the channels' kinds, the opening hours, the teams' escalation steps — and then applies the pure rules of
:mod:`webcare.sla.clocks` and :mod:`webcare.sla.policies` in memory, so a batch of thousands costs what one does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

from webcare.conversations.models import Conversation
from webcare.hours.calendar import AlwaysOpen, BusinessCalendar
from webcare.hours.lookup import calendars_for_tickets
from webcare.sla import clocks, policies
from webcare.sla.models import EscalationStep

if TYPE_CHECKING:
    from webcare.tickets.models import Ticket

#: The ticket fields :func:`refresh` may change; callers save these.
SLA_FIELDS: Final = ["sla_policy", "first_response_due", "next_response_due", "resolution_due", "sla_due_at",
                     "sla_warn_at", "sla_check_at", "sla_paused_since", "sla_paused_seconds", "sla_level"]
_CHUNK: Final = 1000
_ALWAYS_OPEN: Final = AlwaysOpen()


def state_of(ticket: Ticket) -> clocks.ClockState:
    """The clock-relevant part of a ticket."""
    return clocks.ClockState(
        status=ticket.status, changed_at=ticket.updated_at, first_inbound_at=ticket.first_inbound_at,
        first_response_at=ticket.first_response_at, waiting_since=ticket.waiting_since,
        paused_since=ticket.sla_paused_since, paused_seconds=ticket.sla_paused_seconds, level=ticket.sla_level,
        first_response_due=ticket.first_response_due, next_response_due=ticket.next_response_due,
        resolution_due=ticket.resolution_due,
    )


def apply(ticket: Ticket, policy: policies.PolicyRule | None, result: clocks.Clocks) -> None:
    """Put computed clocks on the ticket (in memory)."""
    ticket.sla_policy_id = policy.id if policy is not None else None
    ticket.first_response_due = result.first_response_due
    ticket.next_response_due = result.next_response_due
    ticket.resolution_due = result.resolution_due
    ticket.sla_due_at = result.due_at
    ticket.sla_warn_at = result.warn_at
    ticket.sla_check_at = result.check_at
    ticket.sla_paused_since = result.paused_since
    ticket.sla_paused_seconds = result.paused_seconds
    ticket.sla_level = result.level


def channel_kinds(tickets: Sequence[Ticket]) -> dict[int, str]:
    """Conversation id → its channel's kind (one query per thousand conversations)."""
    ids = sorted({ticket.conversation_id for ticket in tickets})
    found: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        found.update(Conversation.objects.filter(pk__in=ids[start : start + _CHUNK])
                     .values_list("pk", "channel__kind"))
    return found


def escalation_minutes(team_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Team id → the ``after_minutes`` of its escalation steps, in order (one query)."""
    steps: dict[int, list[int]] = defaultdict(list)
    if team_ids:
        for team_id, minutes in (EscalationStep.objects.filter(team_id__in=team_ids)
                                 .order_by("team_id", "position", "id").values_list("team_id", "after_minutes")):
            steps[team_id].append(minutes)
    return {team_id: tuple(minutes) for team_id, minutes in steps.items()}


def refresh(tickets: Sequence[Ticket], now: datetime) -> None:
    """Choose each ticket's policy and recompute its due times, pause and next check time, in memory only."""
    tickets = [ticket for ticket in tickets if ticket.pk is not None]
    if not tickets:
        return
    rules = policies.load({ticket.organisation_id for ticket in tickets})
    kinds = channel_kinds(tickets)
    chosen = {
        ticket.pk: policies.choose(rules[ticket.organisation_id], channel_kind=kinds.get(ticket.conversation_id, ""),
                                   priority=ticket.priority, team_id=ticket.team_id, intents=ticket.intents or ())
        for ticket in tickets
    }
    business = [t for t in tickets if (rule := chosen[t.pk]) is not None and rule.targets.business_hours]
    calendars: dict[int, BusinessCalendar] = calendars_for_tickets(business) if business else {}
    steps = escalation_minutes({t.team_id for t in tickets if t.team_id is not None and chosen[t.pk] is not None})
    for ticket in tickets:
        rule = chosen[ticket.pk]
        result = clocks.compute(state_of(ticket), rule.targets if rule is not None else None,
                                calendars.get(ticket.pk, _ALWAYS_OPEN), now,
                                steps.get(ticket.team_id, ()) if ticket.team_id is not None else ())
        apply(ticket, rule, result)
