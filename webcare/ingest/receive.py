"""Store an inbound delivery raw, before anything acknowledges it: the first half of "nothing lost"."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from webcare.core.models import Channel
from webcare.ingest.models import EventFormat, EventSource, InboundEvent
from webcare.ingest.worker import WAKE


def receive(
    channel: Channel,
    payload: dict[str, Any],
    source: str = EventSource.API,
    external_id: str | None = None,
    fmt: str = EventFormat.NORMALIZED,
) -> tuple[InboundEvent, bool]:
    """Store one delivery; returns ``(event, created)``.

    A delivery whose ``external_id`` this channel has already stored is not stored again (``created`` is False): the
    platform retried, and acknowledging the retry is right. The unique constraint decides, so two concurrent deliveries
    of one event store one row.
    """
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                organisation_id=channel.organisation_id, channel=channel, source=source, format=fmt,
                external_id=external_id, payload=payload,
            )
    except IntegrityError:
        if external_id is None:
            raise
        return InboundEvent.objects.get(channel=channel, external_id=external_id), False
    transaction.on_commit(WAKE.set)
    return event, True
