"""Service levels in the inbox: the due times in the ticket header and the badge on a list row.

Read from the stored clocks only (``Ticket.sla_*``), never computed here: the page shows what the check acts on.
The state is always said in words ("overdue by 15 min", "SLA breached"); the colour only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from webcare.sla import clocks
from webcare.sla.labels import TARGET_LABELS, minutes_text, span_text
from webcare.tickets.models import Status

register = template.Library()

#: Statuses without any clock to show.
ENDED = frozenset({Status.SOLVED, Status.CLOSED})


@dataclass(frozen=True)
class DueRow:
    target: str
    label: str
    due: datetime
    #: ok, at_risk, breached or paused
    state: str
    text: str

    @property
    def css(self) -> str:
        return self.state.replace("_", "-")


def state_of(ticket: Any, now: datetime) -> str:
    """"breached" once the earliest running target is overdue, "at_risk" from its warning time, else ""."""
    due, warn = ticket.sla_due_at, ticket.sla_warn_at
    if due is None or ticket.status in ENDED:
        return ""
    if due <= now:
        return "breached"
    if warn is not None and warn <= now:
        return "at_risk"
    return ""


@register.filter
def sla_state(ticket: Any) -> str:
    return state_of(ticket, timezone.now())


@lru_cache(maxsize=64)
def _badge(state: str, language: str | None) -> SafeString:
    """The badge's markup, built once per state and interface language (a list renders up to 500 rows)."""
    text = {"breached": _("SLA breached"), "at_risk": _("SLA at risk")}[state]
    return format_html('<span class="sla-badge sla-{}">{}</span>', state.replace("_", "-"), text)


@register.filter
def sla_badge(ticket: Any) -> str:
    """The list row's badge: "SLA breached" or "SLA at risk", else nothing."""
    state = state_of(ticket, timezone.now())
    return _badge(state, get_language()) if state else ""


@register.filter
def sla_minutes(minutes: int | None) -> str:
    return minutes_text(minutes)


@register.simple_tag
def sla_due(ticket: Any) -> dict[str, Any] | None:
    """What the ticket header shows: the policy, whether the clocks are paused, and each running target's due time
    with how long until (or since) it. None when no policy applies or the ticket is solved or closed."""
    if ticket.sla_policy_id is None or ticket.status in ENDED:
        return None
    now = timezone.now()
    paused = ticket.sla_paused_since is not None
    tracked_state = state_of(ticket, now)
    rows = []
    for target in clocks.TARGETS:
        due = getattr(ticket, f"{target}_due")
        if due is None:
            continue
        if paused:
            state, text = "paused", _("paused")
        elif due <= now:
            state, text = "breached", _("overdue by %(span)s") % {"span": span_text((now - due).total_seconds())}
        else:
            tracked = due == ticket.sla_due_at
            state = "at_risk" if tracked and tracked_state == "at_risk" else "ok"
            text = _("due in %(span)s") % {"span": span_text((due - now).total_seconds())}
        rows.append(DueRow(str(target), str(TARGET_LABELS[target]), due, state, text))
    return {"policy": ticket.sla_policy, "paused": paused, "rows": rows}
