"""Conversations and messages, read-only: threads as the platforms delivered them.

Lists use keyset pagination: conversations on ``(last_message_at, id)`` newest first, a thread's messages on the
``message_thread_order`` index ``(conversation, sent_at, id)`` in thread order, and the message feed on
``(sent_at, id)`` oldest first, so a client can follow it with ``since`` and the cursor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from webcare.access.models import RevealField
from webcare.access.reveal import Target
from webcare.api.auth import organisation
from webcare.api.errors import get_or_404
from webcare.api.pagination import Cursor, Key, Limit, Ordering, paginate
from webcare.api.reveal import RevealParams, revealing
from webcare.api.schemas import (
    ConversationDetailOut,
    ConversationItemOut,
    ConversationPage,
    ErrorOut,
    MessageOut,
    MessagePage,
    TicketRef,
    message_queryset,
)
from webcare.conversations.models import Conversation
from webcare.core.models import Organisation
from webcare.tickets.models import Ticket

router = Router(tags=["conversations"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

RECENT = Ordering("recent", (Key("last_message_at", descending=True, kind="datetime"), Key("id", descending=True)))
THREAD = Ordering("thread", (Key("sent_at", kind="datetime"), Key("id")))

CONVERSATION_FIELDS = (
    "id", "channel__slug", "channel__kind", "external_id", "kind", "customer__name", "subject", "created_at",
    "last_message_at",
)


class ConversationFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str | None = Field(default=None, description="Channel slug.")
    customer: int | None = Field(default=None, description="Customer id.")


class MessageFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Literal["inbound", "outbound"] | None = None
    channel: str | None = Field(default=None, description="Channel slug.")
    since: AwareDatetime | None = Field(default=None, description="Messages sent at or after this time (ISO 8601 "
                                                                 "with a UTC offset).")


def conversation_queryset(org: Organisation) -> QuerySet[Conversation]:
    return Conversation.objects.filter(organisation=org).select_related("channel", "customer").only(
        *CONVERSATION_FIELDS
    )


@router.get("/conversations", response={200: ConversationPage, **ERRORS}, summary="List conversations")
def list_conversations(request: HttpRequest, filters: Query[ConversationFilters], cursor: Cursor = None,
                       limit: Limit = 50) -> ConversationPage:
    queryset = conversation_queryset(organisation(request))
    if filters.channel is not None:
        queryset = queryset.filter(channel__slug=filters.channel)
    if filters.customer is not None:
        queryset = queryset.filter(customer_id=filters.customer)
    rows, next_cursor = paginate(queryset, RECENT, cursor, limit)
    return ConversationPage(items=[ConversationItemOut.from_conversation(c) for c in rows], next_cursor=next_cursor)


@router.get("/conversations/{conversation_id}", response={200: ConversationDetailOut, **ERRORS},
            summary="One conversation with its tickets")
def get_conversation(request: HttpRequest, conversation_id: int) -> ConversationDetailOut:
    conversation = get_or_404(conversation_queryset(organisation(request)), pk=conversation_id)
    tickets = Ticket.objects.filter(conversation=conversation).only("id", "status", "subject", "created_at")
    item = ConversationItemOut.from_conversation(conversation)
    return ConversationDetailOut(
        **item.model_dump(exclude={"channel", "customer"}), channel=item.channel, customer=item.customer,
        tickets=[TicketRef(id=t.pk, status=t.status, subject=t.subject, created_at=t.created_at)
                 for t in tickets.order_by("created_at", "id")],
    )


@router.get("/conversations/{conversation_id}/messages", response={200: MessagePage, **ERRORS},
            summary="A conversation's messages in thread order")
def list_conversation_messages(request: HttpRequest, conversation_id: int, reveal: Query[RevealParams],
                               cursor: Cursor = None, limit: Limit = 50) -> MessagePage:
    """Masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives the originals, recorded."""
    org = organisation(request)
    conversation = get_or_404(Conversation.objects.only("id", "customer_id"), organisation=org, pk=conversation_id)
    rows, next_cursor = paginate(message_queryset().filter(conversation=conversation), THREAD, cursor, limit)
    shown = revealing(request, reveal, Target(RevealField.API_MESSAGES, customer_id=conversation.customer_id),
                      count=len(rows))
    return MessagePage(items=[MessageOut.from_message(m, shown) for m in rows], next_cursor=next_cursor)


@router.get("/messages", response={200: MessagePage, **ERRORS}, summary="All messages, oldest first")
def list_messages(request: HttpRequest, filters: Query[MessageFilters], reveal: Query[RevealParams],
                  cursor: Cursor = None, limit: Limit = 50) -> MessagePage:
    """Masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives the originals, recorded."""
    queryset = message_queryset().filter(organisation=organisation(request))
    if filters.direction is not None:
        queryset = queryset.filter(direction=filters.direction)
    if filters.channel is not None:
        queryset = queryset.filter(channel__slug=filters.channel)
    if filters.since is not None:
        since: datetime = filters.since
        queryset = queryset.filter(sent_at__gte=since)
    rows, next_cursor = paginate(queryset, THREAD, cursor, limit)
    shown = revealing(request, reveal, Target(RevealField.API_MESSAGES), count=len(rows))
    return MessagePage(items=[MessageOut.from_message(m, shown) for m in rows], next_cursor=next_cursor)
