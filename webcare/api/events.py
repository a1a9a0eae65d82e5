"""Inbound events: what was delivered, whether it was processed, and retrying dead letters.

A dead letter is an event that failed too often (or can never be parsed as it is). Retrying puts it back in the
queue as if new — attempts 0, due now — and wakes an in-process worker once the change is committed.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import BaseModel, ConfigDict

from webcare.access.models import RevealField
from webcare.access.reveal import Target
from webcare.api.auth import organisation
from webcare.api.errors import get_or_404
from webcare.api.pagination import Cursor, Key, Limit, Ordering, paginate
from webcare.api.reveal import RevealParams, revealing
from webcare.api.schemas import ErrorOut, EventDetailOut, EventOut, EventPage
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.worker import WAKE
from webcare.tickets.actions import ActionError

router = Router(tags=["events"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

NEWEST = Ordering("received", (Key("received_at", descending=True, kind="datetime"), Key("id", descending=True)))


class EventFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["pending", "done", "dead"] | None = None


@router.get("", response={200: EventPage, **ERRORS}, summary="List inbound events, newest first")
def list_events(request: HttpRequest, filters: Query[EventFilters], cursor: Cursor = None,
                limit: Limit = 50) -> EventPage:
    # The payload can be large and is not in the list; it is in GET /events/{id}.
    queryset = InboundEvent.objects.filter(organisation=organisation(request)).select_related("channel").defer(
        "payload"
    )
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    rows, next_cursor = paginate(queryset, NEWEST, cursor, limit)
    return EventPage(items=[EventOut.from_event(e) for e in rows], next_cursor=next_cursor)


@router.get("/{event_id}", response={200: EventDetailOut, **ERRORS}, summary="One inbound event with its payload")
def get_event(request: HttpRequest, event_id: int, reveal: Query[RevealParams]) -> EventDetailOut:
    """The payload's strings come with personal data masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives
    the delivery as received, recorded."""
    event = get_or_404(InboundEvent.objects.select_related("channel"), organisation=organisation(request),
                       pk=event_id)
    shown = revealing(request, reveal, Target(RevealField.API_EVENT))
    return EventDetailOut.from_event_detail(event, shown)


@router.post("/{event_id}/retry", response={200: EventOut, **ERRORS}, summary="Retry a dead-lettered event")
def retry_event(request: HttpRequest, event_id: int) -> EventOut:
    """Only dead events can be retried (a pending one is already queued, a done one is stored)."""
    org = organisation(request)
    with transaction.atomic():
        # Locked, so two retries (or a retry racing the worker) cannot both act on a stale status.
        event = get_or_404(InboundEvent.objects.select_for_update().defer("payload"), organisation=org, pk=event_id)
        if event.status != EventStatus.DEAD:
            raise ActionError("status", f"only dead events can be retried; this one is {event.status}")
        event.status = EventStatus.PENDING
        event.attempts = 0
        event.next_attempt_at = timezone.now()
        event.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(WAKE.set)
    return EventOut.from_event(event)
