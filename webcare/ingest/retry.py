"""Sending dead-lettered events back to the worker, shared by the admin, the API and the command line."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.worker import WAKE


def retry_dead(ids: Iterable[int] | None = None) -> int:
    """Make dead events (these ``ids``, or all) pending again with a fresh attempt count. Returns how many."""
    queryset = InboundEvent.objects.filter(status=EventStatus.DEAD)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    count = queryset.update(status=EventStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    transaction.on_commit(WAKE.set)
    return count
