"""Publishing live events. Call inside the transaction that makes the change: readers see the row when it commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from webcare.live.models import LiveEvent, LiveKind

#: How long events are kept: streams reconnect within seconds, so minutes are plenty.
KEEP = timedelta(minutes=10)
MAX_IDS = 500


def tickets_changed(organisation_id: int, ticket_ids: Iterable[int], actor_id: int | None = None) -> None:
    """Tell open inboxes that these tickets changed (new message, status, assignee …)."""
    ids = sorted({int(pk) for pk in ticket_ids if pk is not None})
    for start in range(0, len(ids), MAX_IDS):
        LiveEvent.objects.create(organisation_id=organisation_id, kind=LiveKind.TICKETS,
                                 data={"tickets": ids[start : start + MAX_IDS], "actor": actor_id})


def presence(organisation_id: int, ticket_id: int, user: Any, state: str) -> None:
    """Somebody is viewing or typing in a ticket ("Kari is replying")."""
    LiveEvent.objects.create(organisation_id=organisation_id, kind=LiveKind.PRESENCE, data={
        "ticket": ticket_id, "user": user.pk, "name": user.first_name or user.get_username(), "state": state})


def prune(now: Any = None) -> int:
    """Delete events older than :data:`KEEP`; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
