"""Apply what platforms say about messages already stored: edits, deletions and the fate of the brand's replies.

Why here and not in the connectors: an update must follow its message through the same queue (an edit must never be
applied before the message exists), and an edited text must be triaged again before anyone sees it, so personal data
written into an edit is masked like in any new message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from webcare.conversations.models import DeliveryStatus, Direction, Message
from webcare.ingest.models import InboundEvent
from webcare.ingest.schema import MessageUpdateIn

#: Later delivery states never go back to earlier ones (a late "delivered" after "read" changes nothing).
STATUS_RANK = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.UNCERTAIN: 1,
               DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3}


@dataclass(frozen=True)
class UpdateItem:
    event: InboundEvent
    update: MessageUpdateIn


def _retriage(message: Message, now: datetime) -> None:
    from webcare.triage.analyse import analyse
    from webcare.triage.steps import apply_to_message, organisation_languages

    languages = organisation_languages({message.organisation_id})[message.organisation_id]
    apply_to_message(message, analyse(message.text, public=message.is_public, languages=languages), now)


def apply_one(message: Message, update: MessageUpdateIn, now: datetime) -> list[str]:
    """Change ``message`` in memory as ``update`` says; returns the fields changed (pure apart from triage)."""
    change = update.change
    if change == "edited":
        if update.text == message.text:
            return []
        message.edits = [*message.edits, {"at": (message.edited_at or message.sent_at).isoformat(),
                                          "text": message.text}]
        message.text = update.text
        message.edited_at = update.at
        fields = ["text", "edits", "edited_at"]
        if message.direction == Direction.INBOUND:
            _retriage(message, now)
            from webcare.triage.steps import MESSAGE_FIELDS
            fields += MESSAGE_FIELDS
        else:  # the brand's own message, edited on the platform: its masked text follows
            from webcare.triage.steps import masked_text
            message.redacted_text = masked_text(message.text, message.language)
            fields.append("redacted_text")
        return fields
    if change == "deleted":
        if message.deleted_at is not None:
            return []
        message.deleted_at = update.at
        return ["deleted_at"]
    if change == "failed":
        message.delivery_status = DeliveryStatus.FAILED
        message.delivery_error = update.error or "the platform reported the message as not delivered"
        return ["delivery_status", "delivery_error"]
    wanted = DeliveryStatus.DELIVERED if change == "delivered" else DeliveryStatus.READ
    if message.direction != Direction.OUTBOUND:
        return []
    if STATUS_RANK.get(DeliveryStatus(message.delivery_status), 99) >= STATUS_RANK[wanted]:
        return []
    message.delivery_status = wanted
    return ["delivery_status"]


def apply_updates(items: Sequence[UpdateItem], now: datetime) -> tuple[list[Message], dict[int, str]]:
    """Apply a batch's updates (in order); returns the messages changed and, per event id, why an update must wait
    (its message is not stored yet: the worker retries it with backoff, and dead-letters it in the end)."""
    keys = {(item.event.channel_id, item.update.message_id) for item in items}
    by_key: dict[tuple[int, str], Message] = {}
    for channel_id in {channel for channel, _ in keys}:
        ids = [mid for channel, mid in keys if channel == channel_id]
        # The conversation comes along: its customer's key encrypts the new text (and not locked: only the message is).
        for message in (Message.objects.filter(channel_id=channel_id, external_id__in=ids)
                        .select_related("conversation").select_for_update(of=("self",))):
            by_key[(channel_id, message.external_id or "")] = message
    waiting: dict[int, str] = {}
    changed: dict[int, tuple[Message, set[str]]] = {}
    for item in items:
        target = by_key.get((item.event.channel_id, item.update.message_id))
        if target is None:
            waiting[item.event.pk] = f"message {item.update.message_id!r} is not stored (yet)"
            continue
        if fields := apply_one(target, item.update, now):
            changed.setdefault(target.pk, (target, set()))[1].update(fields)
    for target, names in changed.values():
        target.save(update_fields=sorted(names))
    return [target for target, _ in changed.values()], waiting
