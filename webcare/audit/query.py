"""Finding entries: the filters that ``webcare audit list`` and the ``/staff/audit/`` page share, and who sees what.

Why one place: the page and the command must agree on what "actor kari since 1 May" means, and the rule that an
organisation's people never see another organisation's entries is applied once, here (:func:`visible_to`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from webcare.audit.models import AuditEntry
from webcare.core.models import Agent, Role

#: Roles that may read their organisation's audit log; only admins also see entries of no organisation.
READERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Filters:
    """What to look for; empty values filter nothing. Dates are whole days in ``zone`` (``until`` included)."""

    action: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None
    organisation_id: int | None = None


def visible_to(agent: Agent) -> QuerySet[AuditEntry]:
    """The entries ``agent`` may read: their organisation's, and for admins also the install's own (no organisation:
    failed sign-ins of unknown names, key rotation, site administrators' changes). Nothing for other roles."""
    entries = AuditEntry.objects.all()
    if agent.role == Role.ADMIN:
        return entries.filter(Q(organisation_id=agent.organisation_id) | Q(organisation_id__isnull=True))
    if agent.role in READERS:
        return entries.filter(organisation_id=agent.organisation_id)
    return entries.none()


def start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def apply(entries: QuerySet[AuditEntry], filters: Filters, zone: ZoneInfo) -> QuerySet[AuditEntry]:
    """``entries`` narrowed by ``filters``.

    ``actor`` matches the actor's label (a username, "system", "cli:…") case-insensitively, or the actor's user id
    when it is a number; ``target`` matches exactly ("agent:3") or, ending in ":", a kind ("agent:").
    """
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor:
        actor = filters.actor.strip()
        condition = Q(actor_label__iexact=actor)
        if actor.isdigit():
            condition |= Q(actor_id=int(actor))
        entries = entries.filter(condition)
    if filters.target:
        target = filters.target.strip()
        entries = entries.filter(target__startswith=target) if target.endswith(":") else entries.filter(target=target)
    if filters.since is not None:
        entries = entries.filter(at__gte=start_of(filters.since, zone))
    if filters.until is not None:
        entries = entries.filter(at__lt=start_of(filters.until + timedelta(days=1), zone))
    if filters.organisation_id is not None:
        entries = entries.filter(organisation_id=filters.organisation_id)
    return entries


def page(entries: QuerySet[AuditEntry], before: int | None, size: int) -> tuple[list[AuditEntry], int | None]:
    """Newest first, ``size`` entries older than id ``before``; and the cursor of the next page (None at the end).

    A cursor (the last id shown), not a page number: new entries keep arriving at the top, and an offset would
    shift under the reader and cost more the deeper one goes.
    """
    if before is not None:
        entries = entries.filter(id__lt=before)
    found = list(entries.order_by("-id")[: size + 1])
    return found[:size], (found[size - 1].pk if len(found) > size else None)


def parse_day(value: Any, field: str) -> date | None:
    """A date from ``YYYY-MM-DD`` (empty: None); ``ValueError`` naming the field otherwise."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{field}: give a date as YYYY-MM-DD, not {text!r}") from exc
