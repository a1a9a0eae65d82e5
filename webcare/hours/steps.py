"""The ingestion step that answers customers who write while the desk is closed ("we are back at …").

Rules (docs/opening-hours.md):

- only new inbound messages that arrived while the ticket's calendar was closed, and while it still is;
- one away reply per conversation per closed period: none when ``Conversation.away_replied_at`` is after the moment
  the desk last closed before this message (a second message in the same night gets none, the next night one again);
- never on reviews or listening channels (public reviews and brand mentions don't get "we're closed"), never where a
  channel's ``settings["away_replies"]`` is false, never to history: a message sent more than an hour before it is
  processed (an import, a backfill, a long outage) is not answered automatically.

The reply goes through ``tickets.actions.do_auto_reply`` (not an answer: the ticket keeps waiting) in the customer's
language and register; ``away_replied_at`` is written for all conversations at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from webcare.conversations.models import Conversation, Direction, Message
from webcare.core.bulk import update_rows
from webcare.core.models import Channel, ChannelKind
from webcare.hours.calendar import BusinessCalendar
from webcare.hours.lookup import calendars_for_tickets
from webcare.hours.replies import ReplyTexts
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.tickets.models import Status, Ticket

#: A message sent longer ago than this when it is processed is history, never answered automatically.
HISTORY_AGE = timedelta(hours=1)
#: Channels where webcare never replies automatically: what is said there is public and not a conversation with us.
NO_AUTO_REPLY_KINDS = frozenset({ChannelKind.REVIEWS, ChannelKind.LISTENING})


def arrived_at(message: Message, now: datetime) -> datetime:
    """When the message reached us (its receipt, never later than now)."""
    return min(message.received_at or now, now)


def needs_away_reply(calendar: BusinessCalendar, arrived: datetime, now: datetime,
                     away_replied_at: datetime | None) -> bool:
    """Pure: closed when the message arrived and still closed now, and no away reply yet in this closed period
    (the period began when the desk last closed before the message; with no open time before it, it is one period
    from the beginning of time)."""
    if calendar.is_open(arrived) or calendar.is_open(now):
        return False
    if away_replied_at is None:
        return True
    period_start = calendar.last_close(arrived)
    return period_start is not None and away_replied_at < period_start


def _candidates(messages: list[Message], now: datetime) -> list[Message]:
    """Inbound customer messages of the batch that are not history, on channels that allow away replies; the
    first per conversation."""
    fresh = [m for m in messages if m.direction == Direction.INBOUND and m.ticket_id and not m.automatic
             and m.sent_at >= now - HISTORY_AGE]
    if not fresh:
        return []
    channels = {pk: (kind, settings or {}) for pk, kind, settings in
                Channel.objects.filter(pk__in={m.channel_id for m in fresh}).values_list("pk", "kind", "settings")}
    first: dict[int, Message] = {}
    for message in fresh:
        kind, settings = channels.get(message.channel_id, ("", {}))
        if kind in NO_AUTO_REPLY_KINDS or settings.get("away_replies", True) in (False, 0, "false", "off"):
            continue
        first.setdefault(message.conversation_id, message)
    return list(first.values())


class SendAwayReplies(Step):
    """Send one away reply per conversation and closed period to customers who write while the desk is closed."""

    name = "away"

    def run(self, batch: StoreResult) -> None:
        from webcare.tickets.actions import do_auto_reply

        now = timezone.now()
        messages = _candidates(batch.messages, now)
        if not messages:
            return
        tickets = self._tickets(batch, messages)
        calendars = calendars_for_tickets(list(tickets.values()))
        conversations = Conversation.objects.in_bulk({m.conversation_id for m in messages})
        # A routing rule's automatic reply in this batch already answered the customer: one automatic message is
        # enough (and spam, which routing set aside, gets none).
        ruled = set(Message.objects.filter(conversation_id__in=conversations, automatic="rule",
                                           sent_at__gte=min(m.received_at for m in messages))
                    .values_list("conversation_id", flat=True))
        texts: dict[int, ReplyTexts] = {}
        replied: list[Conversation] = []
        for message in messages:
            ticket, conversation = tickets.get(message.ticket_id or 0), conversations.get(message.conversation_id)
            if ticket is None or conversation is None or conversation.pk in ruled:
                continue
            if ticket.no_reply_needed_at is not None or ticket.status in (Status.SOLVED, Status.CLOSED):
                continue
            calendar = calendars[ticket.pk]
            if not needs_away_reply(calendar, arrived_at(message, now), now, conversation.away_replied_at):
                continue
            if ticket.organisation_id not in texts:
                texts[ticket.organisation_id] = ReplyTexts.load(ticket.organisation_id)
            text = texts[ticket.organisation_id].text(
                "away", message.language or ticket.language, message.register or ticket.register,
                back_at=calendar.next_open(now), now=now, time_zone=calendar.schedule.time_zone,
                customer_name=message.author_name)
            if do_auto_reply(ticket, text, "away") is not None:
                conversation.away_replied_at = now
                replied.append(conversation)
        update_rows(replied, ["away_replied_at"])

    @staticmethod
    def _tickets(batch: StoreResult, messages: list[Message]) -> dict[int, Ticket]:
        wanted = {m.ticket_id for m in messages if m.ticket_id}
        found = {pk: batch.touched_tickets[pk] for pk in wanted if pk in batch.touched_tickets}
        missing = wanted - set(found)
        if missing:
            found.update(Ticket.objects.in_bulk(missing))
        return found
