"""The API's request and response schemas, and the builders that turn model rows into responses.

Why plain pydantic models built explicitly (``from_*`` class methods) rather than ninja's attribute resolution: every
attribute a response reads is visible here, so a reviewer can check it against the ``select_related``/``only`` of the
query that loaded the rows, and a response can never trigger a lazy query per row (N+1) without it showing.
Inputs forbid unknown fields, so a misspelt field (``asignee``) is a 422 naming it instead of being silently ignored.

Personal data is masked by default (webcare/access, webcare/api/reveal.py): every builder that reads it takes
``reveal`` (False unless the request recorded a reveal), so an endpoint cannot send originals by forgetting a step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from webcare.access import mask
from webcare.conversations.models import Conversation, Direction, Message
from webcare.core.models import Channel
from webcare.customers.edit import MAX_LENGTHS
from webcare.customers.models import Customer, CustomerHistory, Identity
from webcare.ingest.models import InboundEvent
from webcare.ingest.schema import MAX_TEXT, MessageIn
from webcare.tickets.models import Note, Ticket, TicketEvent, TicketLink

StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
PriorityValue = Literal[1, 2, 3, 4]
LinkKindName = Literal["related", "follow_up", "duplicate"]
PREVIEW_CHARS = 140


class Out(BaseModel):
    """Base of every response schema."""

    model_config = ConfigDict(from_attributes=False)


class In(BaseModel):
    """Base of every request body: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


# --- errors -------------------------------------------------------------------------------------------------------


class ErrorOut(Out):
    """Every error response: a message, and for invalid input the message per field (dotted path)."""

    error: str
    fields: dict[str, str] = Field(default_factory=dict)


# --- inbound ------------------------------------------------------------------------------------------------------


class InboundIn(MessageIn):
    """A message in webcare's format, plus where it arrived and the sender's delivery id."""

    channel: str | None = Field(default=None, min_length=1, max_length=63,
                                description="Slug of an API channel; default: the organisation's first active one.")
    event_id: str | None = Field(default=None, min_length=1, max_length=255,
                                 description="Your id for this delivery; a repeat is acknowledged and not stored "
                                             "again. Default: message_id.")


class InboundOut(Out):
    event_id: int = Field(description="The stored event (see /events).")
    status: Literal["accepted", "duplicate"]


# --- small references -----------------------------------------------------------------------------------------------


class ChannelRef(Out):
    slug: str
    kind: str

    @classmethod
    def from_channel(cls, channel: Channel) -> Self:
        return cls(slug=channel.slug, kind=channel.kind)


class CustomerRef(Out):
    id: int
    name: str

    @classmethod
    def from_customer(cls, customer: Customer | None) -> Self | None:
        return None if customer is None else cls(id=customer.pk, name=customer.name)


def _username(user: Any) -> str | None:
    return None if user is None else str(user.get_username())


# --- messages -------------------------------------------------------------------------------------------------------


class AuthorOut(Out):
    identity_id: int | None
    name: str
    agent: str | None = Field(description="Username of the agent who wrote an outbound message, if known.")


class PiiSpanOut(Out):
    type: Literal["EMAIL", "PHONE", "CARD", "IBAN", "NATIONAL_ID"]
    start: int = Field(description="Offset into the original text (``text`` when revealed; Unicode code points).")
    end: int
    kind: str = Field(description="Which identifier, e.g. no.fodselsnummer, dk.cpr, e164, visa.")


class TriageOut(Out):
    """What triage found in an inbound message (webcare/triage)."""

    language: str = Field(description="ISO 639-1 (nb/nn for Norwegian); empty when unknown.")
    pii: list[PiiSpanOut]
    redacted_text: str = Field(description="The text with personal data replaced by [EMAIL], [PHONE], [CARD], "
                                           "[IBAN], [NATIONAL_ID] (equal to text when there is none).")
    profane: bool
    profanity_terms: list[str]
    abuse_score: float | None = Field(description="0..1")
    sentiment: float | None = Field(description="-1 (negative) .. 1 (positive)")
    sentiment_label: str
    intents: list[str]
    formality: str = Field(description="The register: formal, informal or unknown — how to address the customer in "
                                       "the reply. (Not named 'register', which pydantic models reserve.)")
    signals: list[str] = Field(description="Urgency signals: pii_public, anger, threat, repeat_contact.")

    @classmethod
    def from_message(cls, message: Message) -> Self | None:
        if message.triaged_at is None:
            return None
        return cls(language=message.language, pii=[PiiSpanOut(**span) for span in message.pii],
                   redacted_text=message.safe_text, profane=message.profane,
                   profanity_terms=list(message.profanity_terms), abuse_score=message.abuse_score,
                   sentiment=message.sentiment, sentiment_label=message.sentiment_label,
                   intents=list(message.intents), formality=message.register, signals=list(message.signals))


class MessageOut(Out):
    id: int
    conversation_id: int
    ticket_id: int | None
    external_id: str | None
    direction: Literal["inbound", "outbound"]
    public: bool
    author: AuthorOut
    text: str = Field(description="The text with personal data masked ([PHONE], [EMAIL] …, as triage.redacted_text); "
                                  "the original only with ?reveal=<purpose> (see the API docs).")
    subject: str
    attachments: list[dict[str, Any]]
    in_reply_to: str
    sent_at: datetime
    received_at: datetime
    delivery_status: str
    delivery_error: str
    hidden: bool = Field(description="Hidden on the platform by the brand (moderation).")
    deleted_at: datetime | None = Field(description="When it was deleted on the platform (by its author or the brand).")
    edited_at: datetime | None = Field(description="When its author last edited it on the platform.")
    triage: TriageOut | None = Field(description="Inbound messages once triaged; null for outbound ones.")

    @classmethod
    def from_message(cls, message: Message, reveal: bool = False) -> Self:
        """Needs ``author_agent`` selected (or null). Masked unless ``reveal``."""
        name = message.author_name
        if not reveal and message.direction == Direction.INBOUND:
            name = mask.mask_contact(name, need_plus=False)
        return cls(
            id=message.pk, conversation_id=message.conversation_id, ticket_id=message.ticket_id,
            external_id=message.external_id, direction=message.direction,  # type: ignore[arg-type]
            public=message.is_public,
            author=AuthorOut(identity_id=message.author_identity_id, name=name,
                             agent=_username(message.author_agent) if message.author_agent_id else None),
            text=message.text if reveal else message.safe_text,
            subject=message.subject if reveal else mask.mask_text(message.subject), attachments=message.attachments,
            in_reply_to=message.in_reply_to, sent_at=message.sent_at, received_at=message.received_at,
            delivery_status=message.delivery_status, delivery_error=message.delivery_error,
            hidden=message.hidden, deleted_at=message.deleted_at, edited_at=message.edited_at,
            triage=TriageOut.from_message(message),
        )


#: The message columns :meth:`MessageOut.from_message` reads; the agent's username comes by join, not per row.
MESSAGE_FIELDS = (
    "id", "conversation_id", "ticket_id", "external_id", "direction", "is_public", "author_identity_id",
    "author_agent__username", "author_name", "text", "subject", "attachments", "in_reply_to", "sent_at",
    "received_at", "delivery_status", "delivery_error", "hidden", "deleted_at", "edited_at", "triaged_at", "language",
    "pii", "redacted_text", "profane", "profanity_terms", "abuse_score", "sentiment", "sentiment_label", "intents",
    "register", "signals",
)


def message_queryset() -> QuerySet[Message]:
    """Messages loaded with everything :class:`MessageOut` needs, in one query."""
    return Message.objects.select_related("author_agent").only(*MESSAGE_FIELDS)


class MessagePage(Out):
    items: list[MessageOut]
    next_cursor: str | None


# --- tickets --------------------------------------------------------------------------------------------------------


class SlaOut(Out):
    """A ticket's service-level clocks (docs/service-levels.md). Due times are kept while paused; ``due_at`` is the
    earliest running one and is null while paused or when nothing runs."""

    policy: str
    business_hours: bool
    first_response_due: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    due_at: datetime | None = Field(description="The earliest running target's due time.")
    paused: bool = Field(description="The clocks stand still: the ticket waits on the customer (pending) or is "
                                     "solved.")
    breached: bool = Field(description="due_at has passed.")

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> SlaOut | None:
        """Needs ``sla_policy`` selected."""
        policy = ticket.sla_policy if ticket.sla_policy_id else None
        if policy is None:
            return None
        return cls(policy=policy.name, business_hours=policy.business_hours,
                   first_response_due=ticket.first_response_due, next_response_due=ticket.next_response_due,
                   resolution_due=ticket.resolution_due, due_at=ticket.sla_due_at,
                   paused=ticket.sla_paused_since is not None,
                   breached=ticket.sla_due_at is not None and ticket.sla_due_at <= timezone.now())


class TicketItemOut(Out):
    id: int
    status: str
    priority: int
    subject: str
    channel: ChannelRef
    customer: CustomerRef | None
    assignee: str | None
    team: str | None
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    waiting_since: datetime | None
    first_response_at: datetime | None
    first_response_seconds: float | None
    last_message: str = Field(description=f"The first {PREVIEW_CHARS} characters of the ticket's latest message, "
                                          "with personal data masked.")
    language: str = Field(description="Triage of the newest inbound message: ISO 639-1 language.")
    sentiment_label: str
    intents: list[str]
    formality: str = Field(description="The register of the newest inbound message: formal, informal or unknown.")
    public_pii: bool = Field(description="The customer posted personal data in public on this ticket.")
    sla: SlaOut | None = Field(description="Service level: the policy that applies and its due times (null when no "
                                           "policy applies).")

    @classmethod
    def from_ticket(cls, ticket: Ticket) -> Self:
        """Needs conversation__channel, customer, assignee, team, sla_policy selected, labels prefetched,
        ``last_message`` annotated (the list query in :mod:`webcare.api.tickets` does all of it)."""
        return cls(
            id=ticket.pk, status=ticket.status, priority=ticket.priority, subject=ticket.subject,
            channel=ChannelRef.from_channel(ticket.conversation.channel),
            customer=CustomerRef.from_customer(ticket.customer) if ticket.customer_id else None,
            assignee=_username(ticket.assignee) if ticket.assignee_id else None,
            team=ticket.team.slug if ticket.team_id and ticket.team else None,
            labels=sorted(label.name for label in ticket.labels.all()),
            created_at=ticket.created_at, updated_at=ticket.updated_at, waiting_since=ticket.waiting_since,
            first_response_at=ticket.first_response_at, first_response_seconds=ticket.first_response_seconds,
            last_message=(getattr(ticket, "last_message", None) or "")[:PREVIEW_CHARS],
            language=ticket.language, sentiment_label=ticket.sentiment_label, intents=list(ticket.intents),
            formality=ticket.register, public_pii=ticket.public_pii, sla=SlaOut.from_ticket(ticket),
        )


class TicketPage(Out):
    items: list[TicketItemOut]
    next_cursor: str | None


class NoteOut(Out):
    id: int
    author: str | None
    text: str
    created_at: datetime

    @classmethod
    def from_note(cls, note: Note) -> Self:
        return cls(id=note.pk, author=_username(note.author) if note.author_id else None, text=note.text,
                   created_at=note.created_at)


class LinkOut(Out):
    id: int
    kind: str
    direction: Literal["out", "in"] = Field(description="out: this ticket is the <kind> of the other; in: the reverse.")
    ticket: int
    ticket_subject: str
    ticket_status: str
    created_at: datetime

    @classmethod
    def from_link(cls, link: TicketLink, direction: Literal["out", "in"]) -> Self:
        other = link.to_ticket if direction == "out" else link.from_ticket
        return cls(id=link.pk, kind=link.kind, direction=direction, ticket=other.pk, ticket_subject=other.subject,
                   ticket_status=other.status, created_at=link.created_at)


class TicketEventOut(Out):
    id: int
    kind: str
    field: str
    old: str
    new: str
    actor: str | None
    at: datetime

    @classmethod
    def from_event(cls, event: TicketEvent) -> Self:
        return cls(id=event.pk, kind=event.kind, field=event.field, old=event.old, new=event.new,
                   actor=_username(event.actor) if event.actor_id else None, at=event.at)


class TicketDetailOut(TicketItemOut):
    conversation_id: int
    first_inbound_at: datetime | None
    last_inbound_at: datetime | None
    last_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    messages: list[MessageOut]
    notes: list[NoteOut]
    links: list[LinkOut]
    timeline: list[TicketEventOut]

    @classmethod
    def from_ticket_detail(cls, ticket: Ticket, messages: list[Message], notes: list[Note],
                           links: list[LinkOut], events: list[TicketEvent], reveal: bool = False) -> Self:
        item = TicketItemOut.from_ticket(ticket)
        return cls(
            **item.model_dump(exclude={"channel", "customer"}), channel=item.channel, customer=item.customer,
            conversation_id=ticket.conversation_id, first_inbound_at=ticket.first_inbound_at,
            last_inbound_at=ticket.last_inbound_at, last_response_at=ticket.last_response_at,
            solved_at=ticket.solved_at, closed_at=ticket.closed_at,
            messages=[MessageOut.from_message(m, reveal) for m in messages],
            notes=[NoteOut.from_note(n) for n in notes],
            links=links, timeline=[TicketEventOut.from_event(e) for e in events],
        )


class TicketPatchIn(In):
    """Only the fields given change. ``assignee``/``team`` null clears them; ``labels`` is the complete new set."""

    status: StatusName | None = None
    assignee: str | None = Field(default=None, max_length=150, description="Username of an agent, or null.")
    team: str | None = Field(default=None, max_length=63, description="Slug of a team, or null.")
    priority: PriorityValue | None = Field(default=None, description="1 urgent, 2 high, 3 normal, 4 low.")
    labels: list[str] | None = Field(default=None, max_length=100)

    @field_validator("status", "priority", "labels", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        """Only given values are validated; null makes no sense for these three (unlike assignee and team)."""
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class TemplateIn(In):
    """An approved message template (WhatsApp outside its 24-hour window)."""

    name: str = Field(min_length=1, max_length=512, description="The template's name as approved at the platform.")
    language: str = Field(min_length=2, max_length=15, description="Its language code: nb, en_US …")
    parameters: list[str] = Field(default_factory=list, max_length=20,
                                  description="The values of its body's {{1}}, {{2}} … in order.")


class ReplyIn(In):
    text: str = Field(min_length=1, max_length=MAX_TEXT,
                      description="The reply; with a template, what the customer reads (stored in the thread).")
    public: bool | None = Field(default=None, description="Default: public on a public thread, private otherwise.")
    status: StatusName | None = Field(
        default="pending", description="The ticket's status after the reply (default pending); null keeps it.")
    template: TemplateIn | None = Field(
        default=None, description="Send this approved template instead of free text (needed where the platform "
                                  "allows only templates now, e.g. WhatsApp 24 hours after the customer's last "
                                  "message).")


class NoteIn(In):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class NoReplyIn(In):
    """How a ticket that needs no reply ends: solved (default) or closed."""

    status: Literal["solved", "closed"] = "solved"


class LinkIn(In):
    ticket: int = Field(description="Id of the other ticket.")
    kind: LinkKindName = "related"


# --- conversations --------------------------------------------------------------------------------------------------


class ConversationItemOut(Out):
    id: int
    channel: ChannelRef
    external_id: str
    kind: str
    customer: CustomerRef | None
    subject: str
    created_at: datetime
    last_message_at: datetime

    @classmethod
    def from_conversation(cls, conversation: Conversation) -> Self:
        """Needs channel and customer selected."""
        return cls(
            id=conversation.pk, channel=ChannelRef.from_channel(conversation.channel),
            external_id=conversation.external_id, kind=conversation.kind,
            customer=CustomerRef.from_customer(conversation.customer) if conversation.customer_id else None,
            subject=conversation.subject, created_at=conversation.created_at,
            last_message_at=conversation.last_message_at,
        )


class ConversationPage(Out):
    items: list[ConversationItemOut]
    next_cursor: str | None


class TicketRef(Out):
    id: int
    status: str
    subject: str
    created_at: datetime


class ConversationDetailOut(ConversationItemOut):
    tickets: list[TicketRef]


# --- customers ------------------------------------------------------------------------------------------------------


class IdentityOut(Out):
    id: int
    platform: str
    external_id: str = Field(description="The platform's id for the person; masked where it is an e-mail address or "
                                         "a phone number (e-mail, WhatsApp), unless revealed.")
    handle: str = Field(description="Masked like external_id where it is contact data.")
    display_name: str

    @classmethod
    def from_identity(cls, identity: Identity, reveal: bool = False) -> Self:
        if reveal:
            return cls(id=identity.pk, platform=identity.platform, external_id=identity.external_id,
                       handle=identity.handle, display_name=identity.display_name)
        return cls(id=identity.pk, platform=identity.platform,
                   external_id=mask.mask_identity_value(identity.platform, identity.external_id),
                   handle=mask.mask_identity_value(identity.platform, identity.handle),
                   display_name=mask.mask_contact(identity.display_name, need_plus=False))


class CustomerItemOut(Out):
    id: int
    name: str
    customer_number: str = Field(description="Masked to its last two characters unless revealed.")
    merged_into: int | None = Field(description="Set when this customer was merged into another.")
    identities: list[IdentityOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_customer(cls, customer: Customer, reveal: bool = False) -> Self:
        """Needs identities prefetched. Masked unless ``reveal``."""
        number = customer.customer_number if reveal else mask.mask_code(customer.customer_number)
        return cls(id=customer.pk, name=customer.name, customer_number=number,
                   merged_into=customer.merged_into_id,
                   identities=[IdentityOut.from_identity(i, reveal) for i in customer.identities.all()],
                   created_at=customer.created_at, updated_at=customer.updated_at)


class CustomerPage(Out):
    items: list[CustomerItemOut]
    next_cursor: str | None


class HistoryOut(Out):
    id: int
    kind: str
    customer: int = Field(description="The customer that received the identities.")
    other: int = Field(description="The customer they came from.")
    identity_ids: list[int]
    conversation_ids: list[int]
    actor: str | None
    at: datetime

    @classmethod
    def from_history(cls, history: CustomerHistory) -> Self:
        return cls(id=history.pk, kind=history.kind, customer=history.customer_id, other=history.other_id,
                   identity_ids=history.identity_ids, conversation_ids=history.conversation_ids,
                   actor=_username(history.actor) if history.actor_id else None, at=history.at)


class CustomerDetailOut(CustomerItemOut):
    notes: str = Field(description="With e-mail addresses, phone numbers and ID numbers masked unless revealed.")
    conversations_count: int
    history: list[HistoryOut]


class CustomerPatchIn(In):
    name: str | None = Field(default=None, max_length=MAX_LENGTHS["name"])
    customer_number: str | None = Field(default=None, max_length=MAX_LENGTHS["customer_number"])
    notes: str | None = Field(default=None, max_length=MAX_LENGTHS["notes"])

    @field_validator("name", "customer_number", "notes", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null; send an empty string to clear it")
        return value


class MergeIn(In):
    other: int = Field(description="Id of the customer to merge into this one; it keeps existing as a pointer.")


class SplitIn(In):
    identities: list[int] = Field(min_length=1, max_length=1000,
                                  description="Ids of this customer's identities to move to a new customer.")


# --- inbound events -------------------------------------------------------------------------------------------------


class EventOut(Out):
    id: int
    channel: str
    source: str
    format: str
    external_id: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    received_at: datetime
    processed_at: datetime | None

    @classmethod
    def from_event(cls, event: InboundEvent) -> Self:
        """Needs channel selected."""
        return cls(id=event.pk, channel=event.channel.slug, source=event.source, format=event.format,
                   external_id=event.external_id, status=event.status, attempts=event.attempts,
                   next_attempt_at=event.next_attempt_at, last_error=event.last_error,
                   received_at=event.received_at, processed_at=event.processed_at)


class EventDetailOut(EventOut):
    payload: Any = Field(description="The delivery as received, with personal data in its strings masked unless "
                                     "revealed.")

    @classmethod
    def from_event_detail(cls, event: InboundEvent, reveal: bool = False) -> Self:
        return cls(**EventOut.from_event(event).model_dump(),
                   payload=event.payload if reveal else mask.mask_json(event.payload))


class EventPage(Out):
    items: list[EventOut]
    next_cursor: str | None
