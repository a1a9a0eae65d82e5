"""What the customer card and the ticket links beside a conversation show: read-only queries, no writes.

Why separate from the views: the conversation pane (``views._ticket_context``) and the card's own htmx endpoints
(``customer_views``) render the same card, so both build it here. Every query is bounded: the timeline reads one page
(20 conversations, keyset on the ``conversation_customer_recent`` index) however many conversations a customer has,
the merge search at most 10 customers.

Need to know (webcare/access): the card's contact details — identities' addresses and numbers, the customer number,
the notes — are masked unless the card is rendered for a reveal (``revealed=True``, after the agent gave a purpose);
the timeline and the links list only tickets the agent may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy

from webcare.access import mask
from webcare.access.scope import Scope, may_see, scope_for, ticket_condition
from webcare.conversations.models import Conversation, Direction, Message
from webcare.core.models import Agent
from webcare.customers.edit import MAX_LENGTHS
from webcare.customers.models import Customer, CustomerEdit, Identity
from webcare.tickets.models import LinkKind, Ticket, TicketLink

TIMELINE_PAGE: Final = 20
SEARCH_LIMIT: Final = 10
MAX_QUERY: Final = 255

#: How a link reads from the ticket that made it ("this ticket is a duplicate of #12") …
OUTGOING: Final = {LinkKind.RELATED: gettext_lazy("Related to"), LinkKind.FOLLOW_UP: gettext_lazy("Follow-up of"),
                   LinkKind.DUPLICATE: gettext_lazy("Duplicate of")}
#: … and from the ticket it points at ("#40 is a follow-up of this one").
INCOMING: Final = {LinkKind.RELATED: gettext_lazy("Related to"), LinkKind.FOLLOW_UP: gettext_lazy("Followed up by"),
                   LinkKind.DUPLICATE: gettext_lazy("Has duplicate")}


def opened_with_strong_language() -> Subquery:
    """Whether a ticket's first message from the customer has strong language (triage's ``profane``), for a ticket
    queryset's ``annotate``: the subject is usually that message's first line, so the inbox blurs it as it blurs the
    message. A subquery on the ``message_ticket_order`` index, so the list or the timeline needs no extra query."""
    first = (Message.objects.filter(ticket_id=OuterRef("pk"), direction=Direction.INBOUND)
             .order_by("sent_at", "id").values("profane")[:1])
    return Subquery(first)


@dataclass(frozen=True)
class TimelineRow:
    """One earlier conversation, with its latest ticket (the one that opens when clicked)."""

    conversation: Conversation
    ticket: Ticket | None

    @property
    def subject(self) -> str:
        """The ticket's subject, which triage masked when it was cut from a message with personal data."""
        return (self.ticket.subject if self.ticket else "") or self.conversation.subject

    @property
    def subject_profane(self) -> bool:
        return bool(getattr(self.ticket, "subject_profane", False))


@dataclass(frozen=True)
class TimelinePage:
    rows: list[TimelineRow]
    #: Query string for the next page ("t=…&id=…"), or "" when this was the last.
    more: str


@dataclass(frozen=True)
class IdentityRow:
    """An identity as the card shows it: its handle (else platform id), masked where it is contact data."""

    identity: Identity
    shown: str


@dataclass(frozen=True)
class CustomerCard:
    customer: Customer
    identities: list[IdentityRow]
    timeline: TimelinePage
    last_edit: CustomerEdit | None
    #: Other live customers of the organisation with the same customer number: probably the same person.
    same_number: list[Customer]
    #: Shown unmasked (the card of a reveal).
    revealed: bool = False
    number_shown: str = ""
    notes_shown: str = ""

    @property
    def has_contact(self) -> bool:
        """Whether anything on the card is masked, so "Show contact details" has something to show."""
        return bool(self.customer.customer_number or self.customer.notes) or any(
            row.shown != (row.identity.handle or row.identity.external_id) for row in self.identities)


@dataclass(frozen=True)
class LinkRow:
    label: str
    other: Ticket


EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    """Exact microseconds since the epoch (a float timestamp could round the cursor onto the wrong row)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def parse_cursor(t: str, pk: str) -> tuple[datetime, int]:
    """The position after which the next timeline page starts; ValueError when the query string was tampered with."""
    if not (t.isdigit() and pk.isdigit()):
        raise ValueError("a timeline cursor is two numbers")
    try:
        return EPOCH + timedelta(microseconds=int(t)), int(pk)
    except OverflowError as exc:
        raise ValueError("a timeline cursor out of range") from exc


def timeline(customer: Customer, current_conversation_id: int,
             after: tuple[datetime, int] | None = None, scope: Scope | None = None) -> TimelinePage:
    """The customer's other conversations on every channel, most recent first, one page at a time.

    Merged customers' conversations are here too: ``do_merge`` moved them to this customer. A conversation's latest
    ticket comes from a subquery on the ticket's conversation index, so a page is two queries whatever the history.
    With an agent's ``scope``, only conversations with a ticket the agent may see are listed (and that ticket opens):
    another team's conversation is not even named.
    """
    visible = Ticket.objects.filter(conversation=OuterRef("pk"))
    if scope is not None:
        visible = visible.filter(ticket_condition(scope))
    latest_ticket = visible.order_by("-created_at", "-id").values("pk")[:1]
    queryset = (Conversation.objects.filter(customer=customer).exclude(pk=current_conversation_id)
                .select_related("channel").annotate(latest_ticket=Subquery(latest_ticket))
                .order_by("-last_message_at", "-id"))
    if scope is not None and not scope.everything:
        queryset = queryset.filter(latest_ticket__isnull=False)
    if after is not None:
        moment, pk = after
        # The plain ``<=`` bound lets the index range start at the cursor; the OR breaks ties on the id.
        queryset = queryset.filter(last_message_at__lte=moment).filter(
            Q(last_message_at__lt=moment) | Q(last_message_at=moment, pk__lt=pk))
    conversations = list(queryset[: TIMELINE_PAGE + 1])
    page = conversations[:TIMELINE_PAGE]
    tickets = (Ticket.objects.annotate(subject_profane=opened_with_strong_language())
               .in_bulk([c.latest_ticket for c in page if c.latest_ticket]))  # type: ignore[attr-defined]
    rows = [TimelineRow(c, tickets.get(c.latest_ticket)) for c in page]  # type: ignore[attr-defined]
    more = ""
    if len(conversations) > TIMELINE_PAGE:
        last = page[-1]
        more = f"t={_micros(last.last_message_at)}&id={last.pk}"
    return TimelinePage(rows, more)


def same_number(customer: Customer) -> list[Customer]:
    if not customer.customer_number:
        return []
    return list(Customer.objects.filter(organisation_id=customer.organisation_id, merged_into__isnull=True,
                                        customer_number=customer.customer_number)
                .exclude(pk=customer.pk).order_by("name", "pk")[:SEARCH_LIMIT])


def card(ticket: Ticket, agent: Agent | None = None, revealed: bool = False) -> CustomerCard | None:
    """The card of the ticket's customer as ``agent`` may see it: masked, unless ``revealed`` (the caller recorded
    the reveal)."""
    customer = ticket.customer
    if customer is None:
        return None
    identities = list(customer.identities.order_by("platform", "pk"))
    rows = [IdentityRow(i, (i.handle or i.external_id) if revealed
                        else mask.mask_identity_value(i.platform, i.handle or i.external_id)) for i in identities]
    return CustomerCard(
        customer=customer,
        identities=rows,
        timeline=timeline(customer, ticket.conversation_id, scope=scope_for(agent) if agent is not None else None),
        last_edit=CustomerEdit.objects.filter(customer=customer).select_related("actor").order_by("-at", "-id").first(),
        same_number=same_number(customer),
        revealed=revealed,
        number_shown=customer.customer_number if revealed else mask.mask_code(customer.customer_number),
        notes_shown=customer.notes if revealed else mask.mask_text(customer.notes),
    )


def links(ticket: Ticket, agent: Agent | None = None) -> list[LinkRow]:
    """The ticket's links both ways, oldest first, each read from this ticket's side; with ``agent``, only links to
    tickets the agent may see (another team's ticket is not named)."""
    out = TicketLink.objects.filter(from_ticket=ticket).select_related("to_ticket")
    into = TicketLink.objects.filter(to_ticket=ticket).select_related("from_ticket")
    rows = [(link.created_at, link.pk, LinkRow(str(OUTGOING[LinkKind(link.kind)]), link.to_ticket)) for link in out]
    rows += [(link.created_at, link.pk, LinkRow(str(INCOMING[LinkKind(link.kind)]), link.from_ticket))
             for link in into]
    return [row for _, _, row in sorted(rows, key=lambda item: (item[0], item[1]))
            if agent is None or may_see(agent, row.other)]


def customer_card_context(ticket: Ticket, agent: Agent | None = None, revealed: bool = False) -> dict[str, Any]:
    """What ``_customer.html`` and ``_links.html`` need, for the conversation pane's context."""
    return {"card": card(ticket, agent, revealed), "ticket_links": links(ticket, agent), "max_lengths": MAX_LENGTHS}


def merge_candidates(customer: Customer, query: str) -> list[Customer]:
    """Customers of the same organisation matching part of a name, customer number, handle, shown name or platform
    id; never this customer nor a merged-away one (merging into a pointer is refused anyway)."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    # Exists, not a join: a customer with two matching identities is listed once, without DISTINCT.
    identity = Identity.objects.filter(customer=OuterRef("pk")).filter(
        Q(handle__icontains=query) | Q(display_name__icontains=query) | Q(external_id__icontains=query))
    return list(
        Customer.objects.filter(organisation_id=customer.organisation_id, merged_into__isnull=True)
        .exclude(pk=customer.pk)
        .filter(Q(name__icontains=query) | Q(customer_number__icontains=query) | Exists(identity))
        .prefetch_related(Prefetch("identities", queryset=Identity.objects.order_by("platform", "pk")))
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class MergePreview:
    """What a merge would move, for the confirmation ("3 identities and 5 conversations of Ola N. move to …")."""

    source: Customer
    target: Customer
    identities: int
    conversations: int


def merge_preview(target: Customer, source: Customer) -> MergePreview:
    return MergePreview(source, target, Identity.objects.filter(customer=source).count(),
                        Conversation.objects.filter(customer=source).count())
