"""Which opening hours apply to a ticket, a team or a channel (the channel's, else the team's, else the
organisation's, else always open), as calendars.

INTERFACE (skeleton) — the opening-hours work implements it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from webcare.hours.calendar import AlwaysOpen, BusinessCalendar

if TYPE_CHECKING:
    from webcare.tickets.models import Ticket


def calendars_for_tickets(tickets: Sequence[Ticket]) -> dict[int, BusinessCalendar]:
    """Ticket id → its calendar, in a fixed number of queries (called on whole ingestion batches and SLA passes)."""
    return {ticket.pk: AlwaysOpen() for ticket in tickets}
