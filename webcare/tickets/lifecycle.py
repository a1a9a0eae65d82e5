"""The ticket lifecycle as pure functions on in-memory tickets: what a message does to its ticket.

Why pure: ingestion applies these to hundreds of tickets per batch in memory and writes the result in a few bulk
statements; the API's reply action applies the same rules to one ticket. No I/O here, so the rules are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webcare.tickets.models import EventKind, Status, Ticket

#: Statuses from which a customer's new message brings the ticket back to "open".
REOPENABLE = frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED})


@dataclass(frozen=True)
class Change:
    """A timeline entry to write for a ticket (the ticket itself may not have an id yet)."""

    ticket: Ticket
    kind: str
    field: str = ""
    old: str = ""
    new: str = ""
    at: datetime | None = None


def needs_new_ticket(current: Ticket | None) -> bool:
    """A customer message needs a new ticket when there is none, or the last one is closed (a follow-up)."""
    return current is None or current.status == Status.CLOSED


def record_inbound(ticket: Ticket, at: datetime) -> list[Change]:
    """A customer wrote: they now wait (from their oldest unanswered message), and a parked ticket reopens."""
    changes: list[Change] = []
    if ticket.first_inbound_at is None or at < ticket.first_inbound_at:
        ticket.first_inbound_at = at
    if ticket.last_inbound_at is None or at > ticket.last_inbound_at:
        ticket.last_inbound_at = at
    if ticket.waiting_since is None:
        ticket.waiting_since = at
    if ticket.status in REOPENABLE:
        changes.append(Change(ticket, EventKind.REOPENED, "status", ticket.status, Status.OPEN, at))
        ticket.status = Status.OPEN
        ticket.solved_at = None
    ticket.updated_at = max(ticket.updated_at, at) if ticket.updated_at else at
    return changes


def record_outbound(ticket: Ticket, at: datetime, next_status: str | None = Status.PENDING) -> list[Change]:
    """The brand answered: nobody waits any more, response times are set, and the ticket waits on the customer.

    ``next_status`` is the status an agent chose when sending (pending by default); None keeps the status.
    """
    changes: list[Change] = []
    if ticket.first_response_at is None and (ticket.first_inbound_at is None or at >= ticket.first_inbound_at):
        ticket.first_response_at = at
    if ticket.last_response_at is None or at > ticket.last_response_at:
        ticket.last_response_at = at
    if ticket.last_inbound_at is None or at >= ticket.last_inbound_at:
        ticket.waiting_since = None
    if next_status and next_status != ticket.status and ticket.status != Status.CLOSED:
        changes.extend(set_status(ticket, next_status, at))
    ticket.updated_at = max(ticket.updated_at, at) if ticket.updated_at else at
    return changes


def set_status(ticket: Ticket, status: str, at: datetime) -> list[Change]:
    """Move to ``status``, keeping solved/closed times right. Returns the timeline entry (none if unchanged)."""
    if status == ticket.status:
        return []
    old = ticket.status
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = at
    elif status == Status.CLOSED:
        ticket.closed_at = at
        ticket.solved_at = ticket.solved_at or at
    elif old in (Status.SOLVED,):
        ticket.solved_at = None
    ticket.updated_at = at
    return [Change(ticket, EventKind.STATUS, "status", old, status, at)]


#: Which status changes an agent may make by hand. Closed is final: a new message starts a follow-up instead.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def can_transition(old: str, new: str) -> bool:
    return old == new or new in ALLOWED_TRANSITIONS.get(old, frozenset())
