"""What one policy's cut-off covers now: a query per data kind, the same for the dry run and for the removal.

Why these queries: each starts from an indexed column — tickets by ``(organisation, solved_at)`` (``ticket_resolved``;
a closed ticket always has ``solved_at``) and their messages by ``(ticket, sent_at)``; raw deliveries by
``(status, received_at)`` — and leaves out rows already done (blanked bodies, emptied attachment lists), so a day's
run touches only what became due since the day before, and the dry run counts only what would really change.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce

from webcare.conversations.models import Message
from webcare.core.models import Channel, Organisation
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.live.models import LiveEvent
from webcare.notify.models import Notification
from webcare.retention.models import DataKind
from webcare.retention.plan import Cutoff
from webcare.retention.redact import not_blank
from webcare.tickets.models import Status, Ticket

#: A ticket whose work is over: only its messages age (an open ticket's messages are being worked on, however old).
ENDED = (Status.SOLVED, Status.CLOSED)


def channel_ids(org: Organisation, cutoff: Cutoff) -> list[int]:
    """The organisation's channels a per-channel policy covers."""
    channels = Channel.objects.filter(organisation=org)
    if cutoff.channel_kind:
        channels = channels.filter(kind=cutoff.channel_kind)
    elif cutoff.except_kinds:
        channels = channels.exclude(kind__in=cutoff.except_kinds)
    return list(channels.values_list("pk", flat=True))


def aged_messages(org: Organisation, cutoff: Cutoff) -> QuerySet[Message]:
    """Messages whose ticket ended before the cut-off, or that have no ticket and were sent before it."""
    ended = Q(ticket__status__in=ENDED, ticket__solved_at__lt=cutoff.before)
    lone = Q(ticket__isnull=True, sent_at__lt=cutoff.before)
    return Message.objects.filter(ended | lone, organisation=org, channel_id__in=channel_ids(org, cutoff))


def ended_tickets(org: Organisation, cutoff: Cutoff) -> QuerySet[Ticket]:
    return Ticket.objects.filter(organisation=org, status__in=ENDED, solved_at__lt=cutoff.before,
                                 conversation__channel_id__in=channel_ids(org, cutoff))


def due(org: Organisation, cutoff: Cutoff) -> QuerySet[Message] | QuerySet[InboundEvent] | QuerySet[Notification] \
        | QuerySet[LiveEvent]:
    """The rows the policy would remove or blank now."""
    kind = cutoff.data_kind
    if kind == DataKind.MESSAGE_BODIES:
        return aged_messages(org, cutoff).filter(not_blank())
    if kind == DataKind.ATTACHMENTS:
        return aged_messages(org, cutoff).exclude(attachments=[])
    if kind == DataKind.RAW_EVENTS:
        done = Q(status=EventStatus.DONE, processed_at__lt=cutoff.before)
        dead = Q(status=EventStatus.DEAD)
        # received_at ≤ processed_at, so the extra condition changes nothing but lets the status index narrow it.
        return InboundEvent.objects.filter(done | dead, organisation=org, received_at__lt=cutoff.before,
                                           channel_id__in=channel_ids(org, cutoff))
    if kind == DataKind.NOTIFICATIONS:
        return Notification.objects.filter(organisation=org, created_at__lt=cutoff.before)
    if kind == DataKind.LIVE_EVENTS:
        return LiveEvent.objects.filter(organisation=org, created_at__lt=cutoff.before)
    raise ValueError(f"unknown data kind {kind!r}")


def oldest(rows: QuerySet, cutoff: Cutoff) -> datetime | None:  # type: ignore[type-arg]
    """When the oldest due item's days began to count (the ticket's end, the message, the delivery …)."""
    kind = cutoff.data_kind
    if kind in (DataKind.MESSAGE_BODIES, DataKind.ATTACHMENTS):
        value = rows.aggregate(at=Min(Coalesce("ticket__solved_at", "sent_at")))["at"]
    elif kind == DataKind.RAW_EVENTS:
        value = rows.aggregate(at=Min(Coalesce("processed_at", "received_at")))["at"]
    else:
        value = rows.aggregate(at=Min("created_at"))["at"]
    return value
