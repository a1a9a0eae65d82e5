"""The ingestion step that triages every inbound message of a stored batch, before any agent sees it.

It runs inside the batch's transaction (webcare/ingest/pipeline.py), after ``store()`` and before the live update, so
a ticket never appears in an inbox untriaged: a message with personal data in public is urgent and masked from its
first moment. Writes are set-based (one UPDATE statement shape per model, executemany), like the rest of the worker.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from webcare.conversations.models import Direction, Message
from webcare.core.bulk import insert_rows, update_rows
from webcare.core.models import Organisation
from webcare.customers.models import Identity
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult, subject_from_text
from webcare.tickets.models import EventKind, Ticket, TicketEvent
from webcare.triage.analyse import Triage, analyse
from webcare.triage.language import DEFAULT_LANGUAGES
from webcare.triage.pii import find_pii, redact

#: A customer writing again on another channel within this time is a repeat contact (an urgency signal): they did
#: not get what they needed the first time.
REPEAT_WINDOW = timedelta(days=7)

MESSAGE_FIELDS = ["triaged_at", "language", "pii", "redacted_text", "profane", "profanity_terms", "abuse_score",
                  "sentiment", "sentiment_label", "intents", "register", "signals"]
TICKET_FIELDS = ["priority", "language", "sentiment_label", "intents", "register", "public_pii", "subject"]


def organisation_languages(organisation_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """Each organisation's configured languages (the detector is restricted to them; default: the eight)."""
    found = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "languages"))
    return {pk: tuple(found.get(pk) or ()) or DEFAULT_LANGUAGES for pk in organisation_ids}


def repeat_contacts(messages: list[Message]) -> set[int]:
    """The ids of messages whose customer wrote on another channel in the 7 days before (set-based: one query)."""
    identity_ids = {m.author_identity_id for m in messages if m.author_identity_id}
    if not identity_ids:
        return set()
    customer_of = dict(Identity.objects.filter(pk__in=identity_ids).values_list("pk", "customer_id"))
    customers = {c for c in customer_of.values() if c}
    if not customers:
        return set()
    earliest = min(m.sent_at for m in messages) - REPEAT_WINDOW
    latest = max(m.sent_at for m in messages)
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = (Message.objects.filter(direction=Direction.INBOUND, author_identity__customer_id__in=customers,
                                   sent_at__gte=earliest, sent_at__lte=latest)
            .values_list("author_identity__customer_id", "sent_at", "channel_id"))
    for customer_id, sent_at, channel_id in rows:
        history[customer_id].append((sent_at, channel_id))
    repeats = set()
    for message in messages:
        customer = customer_of.get(message.author_identity_id or 0)
        if customer is None:
            continue
        since = message.sent_at - REPEAT_WINDOW
        if any(since <= at < message.sent_at and channel != message.channel_id
               for at, channel in history[customer]):
            repeats.add(message.pk)
    return repeats


def masked_text(text: str, language: str = "") -> str:
    """``text`` with personal data replaced by placeholders, for messages triage does not analyse (the brand's
    replies): ``Message.redacted_text`` is always filled, so lists and search never read the encrypted original."""
    spans = find_pii(text, language)
    return redact(text, spans) if spans else text


def apply_to_message(message: Message, result: Triage, now: datetime) -> None:
    message.triaged_at = now
    message.language = result.language
    message.pii = result.pii_json()
    # Always the masked text — the text itself when nothing was found — so nothing downstream decrypts the original.
    message.redacted_text = result.redacted_text
    message.profane = result.profane
    message.profanity_terms = list(result.profanity_terms)
    message.abuse_score = result.abuse_score
    message.sentiment = result.sentiment
    message.sentiment_label = result.sentiment_label
    message.intents = list(result.intents)
    message.register = result.register
    message.signals = list(result.signals)


def apply_to_ticket(ticket: Ticket, message: Message, result: Triage, first: bool = False) -> TicketEvent | None:
    """The ticket shows its newest inbound message's triage. A new ticket takes its first message's priority; after
    that priority only ever goes up here (an agent may lower it, a later calm message does not). Returns the
    timeline row when the priority rose."""
    ticket.language = result.language
    ticket.sentiment_label = result.sentiment_label
    ticket.intents = list(result.intents)
    ticket.register = result.register
    if result.pii and message.is_public:
        ticket.public_pii = True
    if first:
        ticket.priority = result.priority
        if result.pii and not message.subject:  # the subject was cut from the text: cut it from the masked text
            ticket.subject = subject_from_text(result.redacted_text) or ticket.subject
        if spans := find_pii(ticket.subject, result.language):  # an e-mail subject can hold a number too
            ticket.subject = redact(ticket.subject, spans)
        return None
    if result.priority < ticket.priority:
        event = TicketEvent(ticket=ticket, kind=EventKind.PRIORITY, field="priority", old=str(ticket.priority),
                            new=str(result.priority), at=message.sent_at)
        ticket.priority = result.priority
        return event
    return None


class TriageMessages(Step):
    """Triage the batch's new inbound messages and carry the result to their tickets."""

    name = "triage"

    def warm_up(self) -> None:
        from webcare.triage.analyse import warm_up

        warm_up()

    def run(self, batch: StoreResult) -> None:
        inbound = [m for m in batch.messages if m.direction == Direction.INBOUND and m.triaged_at is None]
        if not inbound:
            return
        now = timezone.now()
        languages = organisation_languages({m.organisation_id for m in inbound})
        repeats = repeat_contacts(inbound)
        tickets: dict[int, Ticket] = {}
        unset = {ticket.pk for ticket in batch.new_tickets}  # new tickets whose first message is still to come
        events: list[TicketEvent] = []
        for message in inbound:  # time order, so each ticket ends with its newest message's triage
            result = analyse(message.text, public=message.is_public, languages=languages[message.organisation_id],
                             repeat_contact=message.pk in repeats)
            apply_to_message(message, result, now)
            ticket = message.ticket
            if ticket is not None:
                ticket = tickets.setdefault(ticket.pk, ticket)  # one instance per ticket, whoever loaded it
                first = ticket.pk in unset
                unset.discard(ticket.pk)
                if (event := apply_to_ticket(ticket, message, result, first)) is not None:
                    events.append(event)
        update_rows(inbound, MESSAGE_FIELDS)
        update_rows(list(tickets.values()), TICKET_FIELDS)
        if events:
            insert_rows(events)
