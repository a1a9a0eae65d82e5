"""Turn a batch of parsed messages into customers, identities, conversations, tickets and messages — set-based.

Why set-based: one query per kind of row per batch (instead of several per message) is what lets one worker on
SQLite take thousands of messages a second. Every insert is a plain insert guarded by a unique constraint; when a
concurrent worker wins a race the constraint raises ``IntegrityError`` and the caller retries the whole batch, which
then finds the rows the other worker committed. Nothing is check-then-insert without a constraint behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.bulk import insert_rows, update_rows
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.ingest.models import InboundEvent
from webcare.ingest.schema import MessageIn
from webcare.keys.fields import use_key
from webcare.keys.keyring import keys_for_customers, organisation_key
from webcare.tickets import lifecycle
from webcare.tickets.models import EventKind, LinkKind, Status, Ticket, TicketEvent, TicketLink


@dataclass(frozen=True)
class ParsedItem:
    """One message read from one inbound event (``event`` is None for sources without a raw event row)."""

    channel: Channel
    message: MessageIn
    event: InboundEvent | None = None


@dataclass
class StoreResult:
    """What a batch stored: the new messages (time order) and the tickets they touched, for later pipeline steps."""

    messages: list[Message] = field(default_factory=list)
    new_tickets: list[Ticket] = field(default_factory=list)
    touched_tickets: dict[int, Ticket] = field(default_factory=dict)
    duplicates: int = 0
    new_customers: int = 0
    #: Inbound event id → (organisation, customer) of the message it became (also for a duplicate: the stored
    #: message's), so the worker seals the event under that customer's key.
    event_owners: dict[int, tuple[int, int | None]] = field(default_factory=dict)


def subject_from_text(text: str) -> str:
    """The first line of a message, shortened to a subject; "" for a message without text."""
    lines = text.strip().splitlines()
    return lines[0][:120] if lines else ""


def _subject(item: MessageIn) -> str:
    """A ticket's subject: the e-mail subject, else the first line of the first message, shortened."""
    if item.subject:
        return item.subject[:500]
    return subject_from_text(item.text) or item.attachments[0].name[:120]


def _chunks[T](values: list[T], size: int = 500) -> list[list[T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _existing_messages(items: list[ParsedItem]) -> dict[tuple[int, str], int | None]:
    """(channel, platform id) → customer of its conversation, for the messages already stored."""
    by_channel: dict[int, list[str]] = defaultdict(list)
    for item in items:
        by_channel[item.channel.pk].append(item.message.message_id)
    found: dict[tuple[int, str], int | None] = {}
    for channel_id, ids in by_channel.items():
        for chunk in _chunks(ids):
            stored = Message.objects.filter(channel_id=channel_id, external_id__in=chunk)
            found.update(((channel_id, str(ext)), customer)
                         for ext, customer in stored.values_list("external_id", "conversation__customer_id"))
    return found


def _use_keys(messages: list[Message]) -> None:
    """Give each message its conversation's customer's data key (the organisation's when there is none): the keys
    of the whole batch in a fixed number of queries, new customers' keys created in one insert."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for message in messages:
        if message.conversation.customer_id is not None:
            wanted[message.organisation_id].add(message.conversation.customer_id)
    keys = {org: keys_for_customers(org, customers) for org, customers in wanted.items()}
    for message in messages:
        customer_id = message.conversation.customer_id
        key = keys.get(message.organisation_id, {}).get(customer_id) if customer_id is not None else None
        use_key(message, key or organisation_key(message.organisation_id))


def _identities(items: list[ParsedItem], now: datetime, result: StoreResult) -> dict[tuple[int, str, str], Identity]:
    """Find or create the identity (and, for a new one, the customer) of every inbound author."""
    wanted: dict[tuple[int, str, str], ParsedItem] = {}
    for item in items:
        if item.message.direction == "inbound":
            key = (item.channel.organisation_id, item.channel.kind, item.message.author.id)
            wanted.setdefault(key, item)
    found: dict[tuple[int, str, str], Identity] = {}
    by_scope: dict[tuple[int, str], list[str]] = defaultdict(list)
    for org_id, platform, ext in wanted:
        by_scope[(org_id, platform)].append(ext)
    for (org_id, platform), ext_ids in by_scope.items():
        for chunk in _chunks(ext_ids):
            for identity in Identity.objects.filter(organisation_id=org_id, platform=platform, external_id__in=chunk):
                found[(org_id, platform, identity.external_id)] = identity
    missing = [key for key in wanted if key not in found]
    if missing:
        customers = [
            Customer(organisation_id=key[0], name=(wanted[key].message.author.name or wanted[key].message.author.handle
                                                   or wanted[key].message.author.id)[:200],
                     created_at=now, updated_at=now)
            for key in missing
        ]
        insert_rows(customers)
        identities = [
            Identity(organisation_id=key[0], platform=key[1], external_id=key[2], customer=customer,
                     handle=wanted[key].message.author.handle, display_name=wanted[key].message.author.name,
                     created_at=now)
            for key, customer in zip(missing, customers, strict=True)
        ]
        insert_rows(identities)
        found.update(zip(missing, identities, strict=True))
        result.new_customers += len(customers)
    renamed = []
    for key, identity in found.items():
        author = wanted[key].message.author
        new_handle = author.handle and author.handle != identity.handle
        if new_handle or (author.name and author.name != identity.display_name):
            identity.handle = author.handle or identity.handle
            identity.display_name = author.name or identity.display_name
            renamed.append(identity)
    if renamed:
        update_rows(renamed, ["handle", "display_name"])
    return found


def _conversations(
    items: list[ParsedItem], identities: dict[tuple[int, str, str], Identity]
) -> dict[tuple[int, str], Conversation]:
    """Find or create every conversation, set its customer once an inbound message is known, and its last time."""
    first_item: dict[tuple[int, str], ParsedItem] = {}
    first_inbound: dict[tuple[int, str], ParsedItem] = {}
    last_at: dict[tuple[int, str], datetime] = {}
    for item in items:
        key = (item.channel.pk, item.message.conversation_id)
        first_item.setdefault(key, item)
        if item.message.direction == "inbound":
            first_inbound.setdefault(key, item)
        last_at[key] = max(last_at.get(key, item.message.sent_at), item.message.sent_at)
    found: dict[tuple[int, str], Conversation] = {}
    by_channel: dict[int, list[str]] = defaultdict(list)
    for channel_id, ext in first_item:
        by_channel[channel_id].append(ext)
    for channel_id, ext_ids in by_channel.items():
        for chunk in _chunks(ext_ids):
            for conversation in Conversation.objects.filter(channel_id=channel_id, external_id__in=chunk):
                found[(channel_id, conversation.external_id)] = conversation

    def customer_for(key: tuple[int, str]) -> int | None:
        item = first_inbound.get(key)
        if item is None:
            return None
        return identities[(item.channel.organisation_id, item.channel.kind, item.message.author.id)].customer_id

    new = []
    new_keys = set()
    for key, item in first_item.items():
        if key in found:
            continue
        new_keys.add(key)
        conversation = Conversation(
            organisation_id=item.channel.organisation_id, channel=item.channel, external_id=key[1],
            kind=item.message.conversation_kind, customer_id=customer_for(key),
            subject=item.message.subject[:500], created_at=item.message.sent_at, last_message_at=last_at[key],
        )
        found[key] = conversation
        new.append(conversation)
    if new:
        insert_rows(new)
    changed = []
    for key, conversation in found.items():
        if key in new_keys:
            continue
        dirty = False
        if conversation.customer_id is None and (customer := customer_for(key)) is not None:
            conversation.customer_id = customer
            dirty = True
        if last_at[key] > conversation.last_message_at:
            conversation.last_message_at = last_at[key]
            dirty = True
        if dirty:
            changed.append(conversation)
    if changed:
        update_rows(changed, ["customer", "last_message_at"])
    return found


def _agents(items: list[ParsedItem]) -> dict[str, int]:
    names = {item.message.agent for item in items if item.message.agent}
    if not names:
        return {}
    return dict(get_user_model().objects.filter(username__in=names).values_list("username", "pk"))


def store(items: list[ParsedItem], now: datetime | None = None) -> StoreResult:
    """Store ``items`` (one batch) and open, reopen or follow up their tickets. Must run inside a transaction."""
    from webcare.triage.steps import masked_text  # the triage step imports this module
    now = now or timezone.now()
    result = StoreResult()
    unique: dict[tuple[int, str], ParsedItem] = {}
    for item in items:
        unique.setdefault((item.channel.pk, item.message.message_id), item)
    existing = _existing_messages(list(unique.values()))
    fresh = sorted((item for key, item in unique.items() if key not in existing),
                   key=lambda item: (item.message.sent_at, item.message.message_id))
    result.duplicates = len(items) - len(fresh)
    for item in items:
        key = (item.channel.pk, item.message.message_id)
        if item.event is not None and key in existing:
            result.event_owners[item.event.pk] = (item.channel.organisation_id, existing[key])
    if not fresh:
        return result

    identities = _identities(fresh, now, result)
    conversations = _conversations(fresh, identities)
    agents = _agents(fresh)

    # Tickets: the active (not closed) one per conversation, and the latest closed one for follow-up links.
    conv_ids = [conversation.pk for conversation in conversations.values()]
    active: dict[int, Ticket] = {}
    for chunk in _chunks(conv_ids):
        # Locked (PostgreSQL; SQLite serialises writers anyway) so an agent's change made at the same moment is not
        # overwritten by this batch's update, and in id order so two workers cannot deadlock on them.
        active_tickets = (Ticket.objects.filter(conversation_id__in=chunk).exclude(status=Status.CLOSED)
                          .order_by("id").select_for_update(of=("self",)))
        for locked in active_tickets:
            active[locked.conversation_id] = locked
    closed_latest: dict[int, int] = {}
    needs_closed = [cid for cid in conv_ids if cid not in active]
    for chunk in _chunks(needs_closed):
        for conv_id, ticket_id in (
            Ticket.objects.filter(conversation_id__in=chunk, status=Status.CLOSED)
            .order_by("conversation_id", "-id").values_list("conversation_id", "pk")
        ):
            closed_latest.setdefault(conv_id, ticket_id)

    changes: list[lifecycle.Change] = []
    new_tickets: list[Ticket] = []
    follow_ups: list[tuple[Ticket, int]] = []
    messages: list[Message] = []
    message_ticket: list[Ticket | None] = []
    for item in fresh:
        msg = item.message
        conversation = conversations[(item.channel.pk, msg.conversation_id)]
        ticket: Ticket | None = active.get(conversation.pk)
        identity = None
        if msg.direction == "inbound":
            identity = identities[(item.channel.organisation_id, item.channel.kind, msg.author.id)]
            if lifecycle.needs_new_ticket(ticket):
                ticket = Ticket(
                    organisation_id=item.channel.organisation_id, conversation=conversation,
                    customer_id=conversation.customer_id or identity.customer_id, status=Status.NEW,
                    subject=conversation.subject or _subject(msg), created_at=msg.sent_at, updated_at=msg.sent_at,
                )
                new_tickets.append(ticket)
                active[conversation.pk] = ticket
                changes.append(lifecycle.Change(ticket, EventKind.CREATED, "status", "", Status.NEW, msg.sent_at))
                if conversation.pk in closed_latest:
                    follow_ups.append((ticket, closed_latest.pop(conversation.pk)))
            assert ticket is not None
            changes.extend(lifecycle.record_inbound(ticket, msg.sent_at))
        elif ticket is not None:
            changes.extend(lifecycle.record_outbound(ticket, msg.sent_at))
        messages.append(Message(
            organisation_id=item.channel.organisation_id, channel=item.channel, conversation=conversation,
            external_id=msg.message_id, direction=msg.direction, is_public=msg.is_public,
            author_identity=identity, author_agent_id=agents.get(msg.agent),
            author_name=(msg.author.name or msg.author.handle)[:255], text=msg.text, subject=msg.subject,
            attachments=[a.model_dump(exclude_defaults=True) for a in msg.attachments],
            in_reply_to=msg.in_reply_to, sent_at=msg.sent_at, received_at=now,
            delivery_status=DeliveryStatus.RECEIVED if msg.direction == "inbound" else DeliveryStatus.SENT,
            event=item.event,
        ))
        message_ticket.append(ticket)

    if new_tickets:
        insert_rows(new_tickets)
    new_ids = {id(ticket) for ticket in new_tickets}
    updated = [ticket for ticket in {id(t): t for t in message_ticket if t is not None}.values()
               if id(ticket) not in new_ids]
    if updated:
        update_rows(updated, [
            "status", "first_inbound_at", "last_inbound_at", "first_response_at", "last_response_at",
            "waiting_since", "solved_at", "updated_at",
        ])
    for message, owner in zip(messages, message_ticket, strict=True):
        message.ticket = owner
        if message.direction == "outbound":  # the brand's own words are not triaged: mask them here
            message.redacted_text = masked_text(message.text)
    _use_keys(messages)
    insert_rows(messages)
    for message in messages:
        if message.event is not None:
            result.event_owners[message.event.pk] = (message.organisation_id, message.conversation.customer_id)
    if changes:
        insert_rows([
            TicketEvent(ticket=c.ticket, kind=c.kind, field=c.field, old=c.old, new=c.new, at=c.at or now)
            for c in changes
        ])
    if follow_ups:
        TicketLink.objects.bulk_create([
            TicketLink(from_ticket=ticket, to_ticket_id=old_id, kind=LinkKind.FOLLOW_UP, created_at=now)
            for ticket, old_id in follow_ups
        ])
    result.messages = messages
    result.new_tickets = new_tickets
    result.touched_tickets = {t.pk: t for t in message_ticket if t is not None}
    return result

