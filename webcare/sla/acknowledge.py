"""The acknowledgement guarantee: one holding reply per conversation to a customer still waiting after the window.

A task of the automation loop (``run(now)``). For each organisation with ``ack_window_minutes`` > 0 it looks for
tickets being worked on (new, open, on hold) whose customer has waited at least the window (``waiting_since <= now -
window``), but not a day longer than that (:data:`MAX_LATE`: never to history), on a conversation that has had no
holding reply (``Conversation.acknowledged_at`` is empty), as index ranges (``ticket_queue``: organisation, status,
priority, waiting_since; measured in docs/benchmarks.md), at most :data:`BATCH` per organisation and pass.

In transactions of :data:`CHUNK` tickets: claim the conversations — lock those still without ``acknowledged_at``
(``SELECT … FOR UPDATE``, then re-checked), set it — so that of two automation loops only the one that changed a row
goes on with it, and never two replies go out; then send each reply in the customer's language and register through
``tickets.actions.do_auto_reply`` (an automatic message: the ticket stays open and the customer still waits; the SLA
clocks keep running).

A channel that cannot post one now (``do_auto_reply`` returns None: no replies on the channel, WhatsApp outside its
24-hour window) still has ``acknowledged_at`` set, with a timeline row saying the holding reply could not be sent:
trying again every pass would spin on the same tickets, and a customer who writes again within WhatsApp's window is
answered by a person anyway. Pending tickets get none (the agent said we wait on the customer), nor do review and
listening channels (a public review or a brand mention is not a customer waiting in a queue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from django.db import transaction
from django.db.models import QuerySet

from webcare.conversations.models import Conversation
from webcare.core.models import ChannelKind, Organisation
from webcare.hours.models import AutoReplyKind
from webcare.hours.replies import ReplyTexts
from webcare.live import publish
from webcare.tickets.actions import do_auto_reply
from webcare.tickets.models import EventKind, Priority, Status, Ticket, TicketEvent

#: Holding replies sent per organisation and pass at most (the rest wait for the next pass, 15 s later).
BATCH: Final = 200
#: Holding replies per transaction: few enough that the conversations are not held long (the ingestion worker
#: writes them too), enough that a catch-up does not pay a commit per reply.
CHUNK: Final = 25
#: Statuses that get a holding reply: the ticket is ours to answer.
STATUSES: Final = (Status.NEW, Status.OPEN, Status.ON_HOLD)
#: Channels where an automatic holding reply is never posted.
SILENT_KINDS: Final = (ChannelKind.REVIEWS, ChannelKind.LISTENING)
#: A holding reply that would come later than this after it was due is not sent: the customer's message is history
#: (an import of old conversations, a desk switched on with a backlog), and "we have not forgotten you" days later
#: does more harm than good — on a real channel it would post to people who wrote years ago. Those tickets are never
#: read again either: the query is a bounded range of waiting_since.
MAX_LATE: Final = timedelta(hours=24)
#: The timeline's words when the channel could not take the reply.
NOT_SENT: Final = "not sent: the channel cannot post a reply now"


def owed(org: Organisation, now: datetime) -> QuerySet[Ticket]:
    """The organisation's tickets owed a holding reply now, longest waiting first (at most :data:`BATCH`).

    ``priority__in`` lets PostgreSQL read the queue indexes (organisation, [status,] priority, waiting_since) as one
    range per status and priority instead of every open ticket of the organisation."""
    cutoff = now - timedelta(minutes=org.ack_window_minutes)
    return (
        Ticket.objects.filter(organisation=org, priority__in=Priority.values, status__in=STATUSES,
                              waiting_since__lte=cutoff, waiting_since__gt=cutoff - MAX_LATE,
                              conversation__acknowledged_at__isnull=True)
        .exclude(conversation__channel__kind__in=SILENT_KINDS)
        .select_related("customer")
        .order_by("waiting_since", "id")[:BATCH]
    )


def waiting(org: Organisation, now: datetime) -> list[Ticket]:
    return list(owed(org, now))


def claim(tickets: Sequence[Ticket], now: datetime) -> list[Ticket]:
    """Mark the tickets' conversations acknowledged; the tickets whose conversation this caller marked (a concurrent
    loop that got there first has set ``acknowledged_at``, so the conditional update skips its rows)."""
    ids = {ticket.conversation_id for ticket in tickets}
    won = set(Conversation.objects.filter(pk__in=ids, acknowledged_at__isnull=True)
              .order_by("pk").select_for_update().values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=won, acknowledged_at__isnull=True).update(acknowledged_at=now)
    return [ticket for ticket in tickets if ticket.conversation_id in won]


def acknowledge(tickets: Sequence[Ticket], org: Organisation, texts: ReplyTexts, now: datetime) -> int:
    """Send the holding replies of ``tickets`` in one transaction; returns how many were queued."""
    sent = 0
    with transaction.atomic():
        claimed = claim(tickets, now)
        for ticket in claimed:
            text = texts.text(AutoReplyKind.ACK, ticket.language, ticket.register, back_at=None, now=now,
                              time_zone=org.time_zone, customer_name=ticket.customer.name if ticket.customer else "")
            if do_auto_reply(ticket, text, AutoReplyKind.ACK) is not None:
                sent += 1
                continue
            TicketEvent.objects.create(ticket=ticket, kind=EventKind.AUTO_REPLY, field=AutoReplyKind.ACK,
                                       new=NOT_SENT, at=now)
        if claimed:  # open inboxes show the holding reply in the conversation
            publish.tickets_changed(org.pk, [ticket.pk for ticket in claimed], None)
    return sent


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many holding replies were queued."""
    sent = 0
    for org in Organisation.objects.filter(ack_window_minutes__gt=0).order_by("pk"):
        tickets = waiting(org, now)
        if not tickets:
            continue
        texts = ReplyTexts.load(org.pk)
        for start in range(0, len(tickets), CHUNK):
            sent += acknowledge(tickets[start : start + CHUNK], org, texts, now)
    return sent
