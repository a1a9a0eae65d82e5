"""Everything that is one person's, collected once: what an export writes out and an erasure removes.

Two kinds of rows belong to a person. Their own: the customer rows (merged-away ones too), identities, the
conversations they started, every message in those and every message they wrote elsewhere (a comment in someone
else's public thread), their tickets and everything hanging off those. And rows of other people that *mention* them:
a message in which triage found their address or number, a note, a subject or an agent's reply that names their
handle or full name. Their own rows are exported and erased; mentions are only scrubbed of the values on erasure.

:class:`Values` holds the person's identifiers in normal form, from their own rows: it is what mentions are searched
for, what the erasure ledger keeps (as keyed hashes) and what ``webcare gdpr reapply`` recovers again from a
restored backup's rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from webcare.conversations.models import Conversation, Message
from webcare.core.models import ChannelKind
from webcare.customers.models import Customer, Identity
from webcare.gdpr.identifiers import (
    EMAIL,
    HANDLE,
    MIN_CONTAINED,
    PHONE,
    Identifier,
    classify,
    fold,
    phone_forms,
    phone_pattern,
    span_value,
    values_hashes,
)
from webcare.tickets.models import Ticket
from webcare.webchat.models import ChatSession

#: A single word ("Kari") is too common to scrub from other people's texts; names are searched only when they
#: are a full name (a space in them) or otherwise distinctive.
_DISTINCTIVE = re.compile(r"[\s@0-9._+-]")
#: Short values (a 3-digit customer number) would match inside unrelated text.
MIN_NEEDLE = 5


@dataclass
class Values:
    """A person's identifiers in normal form."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    external_ids: set[str] = field(default_factory=set)

    def add_stored(self, value: str, region: str | None) -> None:
        """An identity's id or handle, or a chat's e-mail: an address, a number, and a handle all at once."""
        for kind, normal in classify(value, region):
            {EMAIL: self.emails, PHONE: self.phones, HANDLE: self.handles}[kind].add(normal)

    def add_identifier(self, identifier: Identifier) -> None:
        kind, value = identifier.pair
        {EMAIL: self.emails, PHONE: self.phones, HANDLE: self.handles}[kind].add(value)

    def hashes(self) -> list[str]:
        """Keyed hashes of every identifier (not of names: a name identifies nobody by itself)."""
        pairs = [(EMAIL, v) for v in self.emails] + [(PHONE, v) for v in self.phones]
        pairs += [(HANDLE, v) for v in self.handles]
        return values_hashes(pairs)

    def needles(self) -> list[str]:
        """Folded strings to look for in other people's plain text: addresses, "@handles", full names, every
        written form of the numbers, customer numbers and platform ids long enough to mean something."""
        found: set[str] = set(self.emails)
        found |= {"@" + h for h in self.handles if h}
        found |= {h for h in self.handles if len(h) >= MIN_NEEDLE and _DISTINCTIVE.search(h)}
        found |= {fold(n) for n in self.names if len(n) >= MIN_CONTAINED and _DISTINCTIVE.search(n.strip())}
        for phone in self.phones:
            found |= {fold(form) for form in phone_forms(phone)}
        found |= {fold(n) for n in self.numbers if len(n) >= MIN_NEEDLE}
        found |= {fold(x) for x in self.external_ids if len(x) >= MIN_NEEDLE}
        return sorted((n for n in found if n), key=lambda n: (-len(n), n))

    def patterns(self) -> list[re.Pattern[str]]:
        """What :func:`webcare.gdpr.erase.scrub` replaces: the numbers however they are grouped, then every needle
        as a whole word (case-insensitive: "@user7" is not "@user70"), longest first."""
        found = [phone_pattern(phone) for phone in sorted(self.phones)]
        return found + [re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE) for needle in self.needles()]


@dataclass
class Scope:
    """Ids of everything that is one person's (see the module docstring)."""

    organisation_id: int
    customer_ids: list[int]
    identity_ids: list[int]
    conversation_ids: list[int]
    message_ids: list[int]
    ticket_ids: list[int]
    chat_session_ids: list[int]
    values: Values
    #: The phone region national numbers were read in (the organisation's).
    region: str | None = None

    @property
    def empty(self) -> bool:
        return not self.customer_ids


def collect(organisation_id: int, customer_ids: Iterable[int], region: str | None,
            identifier: Identifier | None = None) -> Scope:
    """The rows of the customers ``customer_ids`` (one person: a surviving customer and the rows merged into it)."""
    ids = sorted(set(Customer.objects.filter(organisation_id=organisation_id, pk__in=list(customer_ids))
                     .values_list("pk", flat=True)))
    values = Values()
    if identifier is not None:
        values.add_identifier(identifier)
    for name, number in Customer.objects.filter(pk__in=ids).values_list("name", "customer_number"):
        if name:
            values.names.add(name)
        if number:
            values.numbers.add(number)
    identities = list(Identity.objects.filter(customer_id__in=ids).values_list(
        "pk", "platform", "external_id", "handle", "display_name"))
    for _, _, external_id, handle, display_name in identities:
        values.external_ids.add(external_id)
        values.add_stored(external_id, region)
        if handle:
            values.add_stored(handle, region)
        if display_name:
            values.names.add(display_name)
    identity_ids = [row[0] for row in identities]
    visitors = [row[2] for row in identities if row[1] == ChannelKind.WEBCHAT]
    in_organisation = ChatSession.objects.filter(channel__organisation_id=organisation_id)
    sessions = list(in_organisation.filter(visitor_id__in=_uuids(visitors)).values_list("pk", "name", "email"))
    for _, name, email in sessions:
        if name:
            values.names.add(name)
        if email:
            values.add_stored(email, region)
    if values.emails:
        condition = Q()
        for email in values.emails:
            condition |= Q(email__iexact=email)
        sessions += list(in_organisation.filter(condition).exclude(pk__in=[s[0] for s in sessions])
                         .values_list("pk", "name", "email"))
    conversation_ids = sorted(Conversation.objects.filter(organisation_id=organisation_id, customer_id__in=ids)
                              .values_list("pk", flat=True))
    message_ids = sorted(Message.objects.filter(organisation_id=organisation_id).filter(
        Q(conversation_id__in=conversation_ids) | Q(author_identity_id__in=identity_ids)).values_list("pk", flat=True))
    _values_in_messages(values, message_ids, region)
    ticket_ids = sorted(Ticket.objects.filter(organisation_id=organisation_id).filter(
        Q(customer_id__in=ids) | Q(conversation_id__in=conversation_ids)).values_list("pk", flat=True))
    return Scope(organisation_id=organisation_id, customer_ids=ids, identity_ids=identity_ids,
                 conversation_ids=conversation_ids, message_ids=message_ids, ticket_ids=ticket_ids,
                 chat_session_ids=sorted(s[0] for s in sessions), values=values, region=region)


def _values_in_messages(values: Values, message_ids: list[int], region: str | None) -> None:
    """The addresses and numbers triage found in their own messages ("call me on 912 34 567"): theirs too, so an
    erasure also cuts them out of other people's messages. Only messages with such personal data are decrypted."""
    rows = (Message.objects.filter(pk__in=message_ids, direction="inbound")
            .filter(Q(redacted_text__contains="[EMAIL]") | Q(redacted_text__contains="[PHONE]"))
            .only("text", "pii"))
    for message in rows.iterator(chunk_size=500):
        text = str(message.text or "")
        for span in message.pii or []:
            try:
                piece = text[int(span["start"]):int(span["end"])]
            except (KeyError, TypeError, ValueError):
                continue
            kind = EMAIL if span.get("type") == "EMAIL" else PHONE if span.get("type") == "PHONE" else None
            if kind is None:
                continue
            value = span_value(kind, str(span.get("type")), str(span.get("kind", "")), piece, region)
            if value:
                (values.emails if kind == EMAIL else values.phones).add(value)


def _uuids(values: list[str]) -> list[str]:
    """Only well-formed UUIDs (a web chat identity's id is its session's visitor id)."""
    import uuid

    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return out
