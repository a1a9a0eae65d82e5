"""Publishing live events. Call inside the transaction that makes the change: readers see the row when it commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from webcare.live.models import LiveEvent, LiveKind

#: How long events are kept: streams reconnect within seconds, so minutes are plenty.
KEEP = timedelta(minutes=10)
#: Longer only while a reader (the search indexer) has not read them yet, but never longer than this: a reader gone
#: for a day catches up by rebuilding, and the log must not grow without end meanwhile. (Retention's "live updates"
#: policy, a day by default, is the organisation's own backstop.)
KEEP_UNREAD = timedelta(days=1)
MAX_IDS = 500
#: Rows deleted per statement, so pruning a backlog never holds a long lock on the table every change writes to.
PRUNE_BATCH = 5_000


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


def _readers() -> list[Callable[[], int | None]]:
    return [import_string(path) for path in settings.WEBCARE_LIVE_READERS]


def unread_from() -> int | None:
    """The lowest event id a reader of the log (``WEBCARE_LIVE_READERS``) still needs, or None when none does."""
    needed = [pk for pk in (reader() for reader in _readers()) if pk is not None]
    return min(needed) if needed else None


def prune(now: Any = None) -> int:
    """Delete events older than :data:`KEEP` that every reader has read, and any older than :data:`KEEP_UNREAD`;
    returns how many. An automation task (``WEBCARE_AUTOMATION_TASKS``): without it the log grows with every change
    the desk ever made, and every stream's and the indexer's read of "events after N" gets slower."""
    now = now or timezone.now()
    old = LiveEvent.objects.filter(created_at__lt=now - KEEP)
    floor = unread_from()
    if floor is not None:
        old = old.filter(pk__lt=floor) | LiveEvent.objects.filter(created_at__lt=now - KEEP_UNREAD)
    deleted = 0
    while True:
        batch = list(old.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            return deleted
        deleted += LiveEvent.objects.filter(pk__in=batch).delete()[0]
