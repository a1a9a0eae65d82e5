"""The answered-everything measure: the share of customers' messages that nobody answered and nobody set aside.

A customer's (inbound) message counts as **handled** when either

- a person replied after it in its conversation: an outbound message with ``automatic = ""`` (an away message, the
  acknowledgement guarantee's holding reply or a rule's auto-reply is not an answer), sent at or after it, and not
  failed (a reply the platform refused never reached the customer); or
- an agent said so: ``Ticket.no_reply_needed_at`` on the message's ticket is at or after the message was sent.

Everything else is **unanswered**. Only messages at least :data:`GRACE` old are counted — a message from an hour ago
may still be answered in time — so a window of 7 days counts the messages sent between 8 days and 1 day ago. The
target is 0 %.

Both conditions are ``EXISTS`` subqueries on indexes: the outer scan is a range of ``message_org_feed``
(organisation, sent_at); the reply probe a range of ``message_thread_order`` (conversation, sent_at) that stops at the
first human reply; the no-reply probe a primary-key lookup of the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from webcare.conversations.models import DeliveryStatus, Direction, Message
from webcare.tickets.models import Ticket

#: How old a message must be before it counts: a day to answer it.
GRACE: Final = timedelta(hours=24)
#: How many unanswered messages the dashboard lists (the oldest first).
LISTED: Final = 100


def human_reply_after() -> Exists:
    """A person's reply in the same conversation, sent at or after the outer message."""
    return Exists(Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), direction=Direction.OUTBOUND, automatic="",
        sent_at__gte=OuterRef("sent_at")).exclude(delivery_status=DeliveryStatus.FAILED))


def set_aside_after() -> Exists:
    """The outer message's ticket was marked "no reply needed" at or after the message was sent."""
    return Exists(Ticket.objects.filter(pk=OuterRef("ticket_id"), no_reply_needed_at__gte=OuterRef("sent_at")))


def counted(organisation_id: int, now: datetime, window: timedelta) -> QuerySet[Message]:
    """The customers' messages the measure looks at: sent in the ``window`` that ends :data:`GRACE` before ``now``."""
    until = now - GRACE
    return Message.objects.filter(organisation_id=organisation_id, direction=Direction.INBOUND,
                                  sent_at__gte=until - window, sent_at__lt=until)


def unanswered(organisation_id: int, now: datetime, window: timedelta) -> QuerySet[Message]:
    """The counted messages with neither a person's reply after them nor a "no reply needed"."""
    return counted(organisation_id, now, window).filter(~Q(human_reply_after()), ~Q(set_aside_after()))


@dataclass(frozen=True)
class AnsweredEverything:
    since: datetime
    until: datetime
    counted: int
    unanswered: int
    #: The oldest unanswered messages (at most :data:`LISTED`), with their channel and ticket.
    oldest: list[Message]

    @property
    def share(self) -> float | None:
        """Unanswered / counted (0–1); None when no message was counted."""
        return self.unanswered / self.counted if self.counted else None


def measure(organisation_id: int, now: datetime, window: timedelta, listed: int = LISTED) -> AnsweredEverything:
    """The measure for one window: both counts in one pass over the window's messages, and one page of the
    unanswered ones (oldest first)."""
    totals = counted(organisation_id, now, window).aggregate(
        counted=Count("id"), unanswered=Count("id", filter=~Q(human_reply_after()) & ~Q(set_aside_after())))
    oldest = list(unanswered(organisation_id, now, window).select_related("conversation__channel", "ticket")
                  .order_by("sent_at", "id")[:listed]) if totals["unanswered"] else []
    return AnsweredEverything(since=now - GRACE - window, until=now - GRACE, counted=totals["counted"],
                              unanswered=totals["unanswered"], oldest=oldest)
