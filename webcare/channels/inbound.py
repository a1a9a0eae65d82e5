"""Store what a connector read from a delivery (webhook, poll, IMAP, SMTP) as raw inbound events, before anyone
acknowledges it. Normalised payloads are validated here, so a delivery the worker could never process is refused
while the platform can still be told (400) — and nothing of it is stored."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from pydantic import ValidationError

from webcare.channels.base import InboundItem, ItemKind, Malformed
from webcare.core.models import Channel
from webcare.ingest.models import EventFormat, EventSource
from webcare.ingest.pipeline import format_validation_error
from webcare.ingest.receive import receive
from webcare.ingest.schema import MessageIn, MessageUpdateIn

logger = logging.getLogger("webcare.channels")


@dataclass
class Stored:
    created: int = 0
    duplicates: int = 0


def validate(items: Sequence[InboundItem]) -> None:
    """:class:`Malformed` naming the item and field when a connector produced a payload webcare cannot take."""
    for index, item in enumerate(items):
        model = MessageIn if item.kind == ItemKind.MESSAGE else MessageUpdateIn
        try:
            model.model_validate(item.payload)
        except ValidationError as exc:
            raise Malformed(f"item {index} ({item.event_id}): {format_validation_error(exc)}") from exc
        if not item.event_id:
            raise Malformed(f"item {index}: no event id")


def store_items(channel: Channel, items: Sequence[InboundItem], source: str = EventSource.WEBHOOK) -> Stored:
    """Store every item of one delivery in one transaction: all or nothing, so a retry after a failure is whole.

    An item the channel has already stored (same event id) is acknowledged without a second row.
    """
    validate(items)
    result = Stored()
    with transaction.atomic():
        for item in items:
            fmt = EventFormat.NORMALIZED if item.kind == ItemKind.MESSAGE else EventFormat.UPDATE
            thread = item.conversation_id or str(item.payload.get("conversation_id") or "")
            if item.kind == ItemKind.UPDATE and not thread:
                # Updates of one message go to that message's lane, so an edit never overtakes its message.
                thread = str(item.payload.get("message_id") or item.event_id)
            _, created = receive(channel, item.payload, source=source, external_id=item.event_id, fmt=fmt,
                                     conversation_id=thread, raw=item.raw)
            if created:
                result.created += 1
            else:
                result.duplicates += 1
    return result
