"""Store an inbound delivery raw, before anything acknowledges it: the first half of "nothing lost"."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction

from webcare.core.models import Channel
from webcare.ingest.models import EventFormat, EventSource, InboundEvent
from webcare.ingest.worker import WAKE


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


def routing_key(channel_id: int, conversation_id: str) -> int:
    """A signed 64-bit hash of a conversation, for the worker's per-conversation advisory lock."""
    return _key(f"c:{channel_id}:{conversation_id}")


def author_key(channel: Channel, author_id: str) -> int:
    """A signed 64-bit hash of a person on a platform, for the worker's per-author advisory lock (0: unknown)."""
    return _key(f"a:{channel.organisation_id}:{channel.kind}:{author_id}") if author_id else 0


def without_nul(value: Any) -> Any:
    """``value`` with every NUL character in its strings (keys too) replaced by U+FFFD.

    Why: PostgreSQL's JSON and text columns refuse ``\\u0000``, so a platform that sends one would get a 500 and retry
    the delivery for ever; SQLite would take it, so both databases store the same replacement instead.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def receive(
    channel: Channel,
    payload: dict[str, Any],
    source: str = EventSource.API,
    external_id: str | None = None,
    fmt: str = EventFormat.NORMALIZED,
    conversation_id: str | None = None,
    raw: Any = None,
) -> tuple[InboundEvent, bool]:
    """Store one delivery; returns ``(event, created)``.

    A delivery whose ``external_id`` this channel has already stored is not stored again (``created`` is False): the
    platform retried, and acknowledging the retry is right. The unique constraint decides, so two concurrent deliveries
    of one event store one row. ``conversation_id`` (read from a normalised payload when not given) keys the event to
    its conversation for the worker. ``raw`` is the platform's own item, kept beside a connector's normalised payload.
    """
    payload, raw = without_nul(payload), without_nul(raw)
    external_id = without_nul(external_id)
    thread = conversation_id or str(payload.get("conversation_id") or external_id or "")
    author = payload.get("author")
    author_id = str(author.get("id") or "") if isinstance(author, dict) else ""
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                organisation_id=channel.organisation_id, channel=channel, source=source, format=fmt,
                external_id=external_id, payload=payload, raw=raw, routing_key=routing_key(channel.pk, thread),
                author_key=author_key(channel, author_id),
            )
    except IntegrityError:
        if external_id is None:
            raise
        return InboundEvent.objects.get(channel=channel, external_id=external_id), False
    transaction.on_commit(WAKE.set)
    return event, True
