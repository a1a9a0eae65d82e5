"""Write a ticket's service-level clocks (policy, due times, pause) from its current state.

INTERFACE (skeleton): the SLA work implements :func:`refresh`; callers (ticket actions, the ingestion step) call it
after changing a ticket in memory and then save :data:`SLA_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from webcare.tickets.models import Ticket

#: The ticket fields :func:`refresh` may change; callers save these.
SLA_FIELDS: Final = ["sla_policy", "first_response_due", "next_response_due", "resolution_due", "sla_due_at",
                     "sla_warn_at", "sla_check_at", "sla_paused_since", "sla_paused_seconds", "sla_level"]


def refresh(tickets: Sequence[Ticket], now: datetime) -> None:
    """Choose each ticket's policy and recompute its due times, pause and next check time, in memory only."""
    return None
