"""What the widget shows: the conversation's messages the visitor may see, after a cursor.

Visible are the visitor's own messages (once the worker has stored them) and the brand's replies the sender has
marked sent (or delivered/read). Not visible: replies still queued, failed or uncertain, and deleted messages.

The cursor is a message id, but it never moves past a message that could still appear below it:

- a reply that is not sent yet (a later message may already be visible; the reply appears when it is sent, and its
  id is lower), and
- a message stored in the last :data:`SETTLE` seconds (on PostgreSQL a transaction holding a lower id may commit
  after one holding a higher id, so the cursor only passes messages stored longer ago than any transaction lasts).

So a poll may return a message again; the widget keeps the ids it has shown and skips repeats. Nothing is missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Q

from webcare.conversations.models import Conversation, DeliveryStatus, Direction, Message
from webcare.webchat.models import ChatSession

SETTLE = timedelta(seconds=10)
#: At most this many messages per answer; the widget asks again from the cursor for the rest.
PAGE = 100
SHOWN_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


@dataclass(frozen=True)
class Page:
    messages: list[dict[str, Any]]
    cursor: int


def _shown(message: Message) -> dict[str, Any]:
    inbound = message.direction == Direction.INBOUND
    name = message.author_name or ""
    if not inbound and message.author_agent_id is not None:
        name = name.split(" ")[0]  # agents are known to customers by their first name
    return {
        "id": message.pk,
        "client_id": (message.external_id or "") if inbound else "",
        "from": "visitor" if inbound else "agent",
        "author": "" if inbound else name,
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
    }


def messages_after(session: ChatSession, after: int, now: datetime) -> Page:
    """The visible messages with an id above ``after`` (oldest first) and the cursor to ask from next time."""
    conversation = Conversation.objects.filter(channel_id=session.channel_id,
                                               external_id=str(session.conversation_id)).first()
    if conversation is None:  # nothing stored yet: the worker has not taken the first message
        return Page([], after)
    newer = Message.objects.filter(conversation=conversation, pk__gt=after, deleted_at__isnull=True)
    visible = list(newer.filter(Q(direction=Direction.INBOUND) | Q(delivery_status__in=SHOWN_STATUSES))
                   .order_by("pk")[:PAGE])
    if len(visible) == PAGE:  # a full page: move on, or a long backlog behind a held message would repeat forever
        return Page([_shown(m) for m in visible], visible[-1].pk)
    cursor = after
    settled_before = now - SETTLE
    for message in visible:  # only over the leading run of settled messages: a gap below a fresh one may yet fill
        if message.received_at > settled_before:
            break
        cursor = message.pk
    waiting = (newer.filter(direction=Direction.OUTBOUND).exclude(delivery_status__in=SHOWN_STATUSES)
               .aggregate(first=Min("pk"))["first"])
    if waiting is not None:
        cursor = min(cursor, waiting - 1)
    return Page([_shown(m) for m in visible], max(cursor, after))
