"""Tickets: the inbox list, one ticket with its thread and timeline, and the actions agents take on them.

Every change goes through :mod:`webcare.tickets.actions`, so the API and the web UI apply the same rules and write the
same timeline. API tokens act as the system (actor None): a token is not a person.

The list is built for a large inbox: one query for the page (the latest message's preview is a correlated subquery
on the ``(ticket, sent_at)`` index, not a query per ticket), one for the labels of the page, keyset pagination on
the indexes ``ticket_recent`` (``-updated``) and ``ticket_queue`` (``waiting``).
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from webcare.access.models import RevealField
from webcare.access.reveal import Target
from webcare.api.auth import organisation
from webcare.api.errors import NotFound, get_or_404
from webcare.api.pagination import Cursor, Key, Limit, Ordering, paginate
from webcare.api.reveal import RevealParams, revealing
from webcare.api.schemas import (
    PREVIEW_CHARS,
    ErrorOut,
    LinkIn,
    LinkOut,
    MessageOut,
    NoReplyIn,
    NoteIn,
    NoteOut,
    ReplyIn,
    TicketDetailOut,
    TicketItemOut,
    TicketPage,
    TicketPatchIn,
    message_queryset,
)
from webcare.conversations.models import Message
from webcare.core.models import Organisation, Team
from webcare.tickets.actions import ActionError, do_add_note, do_change_ticket, do_link, do_no_reply_needed, do_reply
from webcare.tickets.models import Label, Note, Ticket, TicketEvent, TicketLink
from webcare.tickets.models import Status as TicketStatus

router = Router(tags=["tickets"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

ORDERINGS = {
    "-updated": Ordering("updated", (Key("updated_at", descending=True, kind="datetime"), Key("id", descending=True))),
    "waiting": Ordering("waiting", (Key("priority"), Key("waiting_since", nullable=True, kind="datetime"), Key("id"))),
}

#: Ticket columns the list reads (see :meth:`TicketItemOut.from_ticket`).
LIST_FIELDS = (
    "id", "status", "priority", "subject", "created_at", "updated_at", "waiting_since", "first_inbound_at",
    "first_response_at", "conversation__channel__slug", "conversation__channel__kind", "customer__name",
    "assignee__username", "team__slug", "language", "sentiment_label", "intents", "register", "public_pii",
    "first_response_due", "next_response_due", "resolution_due", "sla_due_at", "sla_paused_since",
    "sla_policy__name", "sla_policy__business_hours",
)


class TicketFilters(BaseModel):
    """Filters of the ticket list; all given ones must match."""

    model_config = ConfigDict(extra="forbid")

    status: list[str] = Field(default_factory=list,
                              description="Repeat the parameter or separate with commas: status=new,open.")
    assignee: str | None = Field(default=None, description="Username, or `none` for unassigned tickets.")
    team: str | None = Field(default=None, description="Team slug.")
    label: str | None = Field(default=None, description="Label name.")
    channel: str | None = Field(default=None, description="Channel slug.")
    customer: int | None = Field(default=None, description="Customer id.")
    priority: int | None = Field(default=None, ge=1, le=4, description="1 urgent … 4 low.")
    order: Literal["-updated", "waiting"] = Field(
        default="-updated",
        description="-updated: most recently changed first. waiting: by priority, then longest-waiting customer "
                    "first; within a priority, tickets nobody waits on come last.")

    @field_validator("status", mode="after")
    @classmethod
    def _statuses(cls, values: list[str]) -> list[str]:
        statuses = [part.strip() for value in values for part in value.split(",") if part.strip()]
        unknown = [status for status in statuses if status not in TicketStatus.values]
        if unknown:
            raise ValueError(f"unknown status {', '.join(unknown)}; use {', '.join(TicketStatus.values)}")
        return statuses


def list_queryset(org: Organisation) -> QuerySet[Ticket]:
    """Tickets of ``org`` with everything a list item shows, for one query per page plus one for labels."""
    latest_text = (
        # The masked text, always filled: the original is encrypted at rest and a list never decrypts.
        Message.objects.filter(ticket=OuterRef("pk")).order_by("-sent_at", "-id").values("redacted_text")[:1]
    )
    return (
        Ticket.objects.filter(organisation=org)
        .select_related("conversation__channel", "customer", "assignee", "team", "sla_policy")
        .only(*LIST_FIELDS)
        .prefetch_related(Prefetch("labels", queryset=Label.objects.only("id", "name")))
        .annotate(last_message=Substr(Subquery(latest_text), 1, PREVIEW_CHARS))
    )


def _filtered(queryset: QuerySet[Ticket], filters: TicketFilters) -> QuerySet[Ticket]:
    if filters.status:
        queryset = queryset.filter(status__in=filters.status)
    if filters.assignee is not None:
        if filters.assignee == "none":
            queryset = queryset.filter(assignee__isnull=True)
        else:
            queryset = queryset.filter(assignee__username=filters.assignee)
    if filters.team is not None:
        queryset = queryset.filter(team__slug=filters.team)
    if filters.label is not None:
        queryset = queryset.filter(Exists(
            Ticket.labels.through.objects.filter(ticket_id=OuterRef("pk"), label__name=filters.label)
        ))
    if filters.channel is not None:
        queryset = queryset.filter(conversation__channel__slug=filters.channel)
    if filters.customer is not None:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.priority is not None:
        queryset = queryset.filter(priority=filters.priority)
    return queryset


@router.get("", response={200: TicketPage, **ERRORS}, summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters], cursor: Cursor = None,
                 limit: Limit = 50) -> TicketPage:
    ordering = ORDERINGS[filters.order]
    rows, next_cursor = paginate(_filtered(list_queryset(organisation(request)), filters), ordering, cursor, limit)
    return TicketPage(items=[TicketItemOut.from_ticket(t) for t in rows], next_cursor=next_cursor)


def _get_ticket(org: Organisation, ticket_id: int) -> Ticket:
    return get_or_404(Ticket.objects.all(), organisation=org, pk=ticket_id)


def ticket_detail(org: Organisation, ticket_id: int, reveal: bool = False) -> TicketDetailOut:
    """One ticket with its thread, notes, links and timeline: a fixed number of queries, whatever its size. The
    messages are masked unless ``reveal`` (the caller recorded the reveal)."""
    ticket = get_or_404(
        Ticket.objects.select_related("conversation__channel", "customer", "assignee", "team", "sla_policy")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.only("id", "name"))),
        organisation=org, pk=ticket_id,
    )
    messages = list(message_queryset().filter(ticket=ticket).order_by("sent_at", "id"))
    ticket.last_message = messages[-1].safe_text if messages else ""  # type: ignore[attr-defined]
    notes = list(Note.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "id"))
    related = ("id", "kind", "created_at", "from_ticket_id", "to_ticket_id")
    links = [
        LinkOut.from_link(link, "out")
        for link in TicketLink.objects.filter(from_ticket=ticket).select_related("to_ticket")
        .only(*related, "to_ticket__subject", "to_ticket__status").order_by("created_at", "id")
    ] + [
        LinkOut.from_link(link, "in")
        for link in TicketLink.objects.filter(to_ticket=ticket).select_related("from_ticket")
        .only(*related, "from_ticket__subject", "from_ticket__status").order_by("created_at", "id")
    ]
    events = list(TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id"))
    return TicketDetailOut.from_ticket_detail(ticket, messages, notes, links, events, reveal)


@router.get("/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="One ticket with thread and timeline")
def get_ticket(request: HttpRequest, ticket_id: int, reveal: Query[RevealParams]) -> TicketDetailOut:
    """Messages come masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives the originals, recorded."""
    org = organisation(request)
    ticket = _get_ticket(org, ticket_id)
    shown = revealing(request, reveal, Target(RevealField.API_TICKET, ticket_id=ticket.pk,
                                              customer_id=ticket.customer_id))
    return ticket_detail(org, ticket_id, shown)


def _agent_user(org: Organisation, username: str) -> Any:
    user = get_user_model().objects.filter(username=username, agents__organisation=org).first()
    if user is None:
        raise ActionError("assignee", f"no agent with username {username!r} in this organisation")
    return user


def _team(org: Organisation, slug: str) -> Team:
    team = Team.objects.filter(organisation=org, slug=slug).first()
    if team is None:
        raise ActionError("team", f"no team with slug {slug!r} in this organisation")
    return team


@router.patch("/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="Change a ticket")
def patch_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatchIn) -> TicketDetailOut:
    """Change status, assignee, team, priority and labels in one step; each change is a timeline row."""
    org = organisation(request)
    ticket = _get_ticket(org, ticket_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "status" in given:
        changes["status"] = payload.status
    if "assignee" in given:
        changes["assignee"] = _agent_user(org, payload.assignee) if payload.assignee is not None else None
    if "team" in given:
        changes["team"] = _team(org, payload.team) if payload.team is not None else None
    if "priority" in given:
        changes["priority"] = payload.priority
    if "labels" in given:
        changes["labels"] = payload.labels
    do_change_ticket(ticket, None, **changes)
    return ticket_detail(org, ticket_id)


@router.post("/{ticket_id}/replies", response={201: MessageOut, **ERRORS}, summary="Reply to the customer")
def post_reply(request: HttpRequest, ticket_id: int, payload: ReplyIn) -> Status[MessageOut]:
    """Send a reply on the ticket's conversation. The ticket then has ``status`` (default pending; null keeps it).
    A reply on a solved ticket moves it back to pending unless ``status`` says otherwise; closed tickets refuse.
    The reply is queued for the channel (``delivery_status`` queued, then sent or failed: see the message).
    Where the platform allows only approved templates now, free text is refused (field ``template``)."""
    ticket = _get_ticket(organisation(request), ticket_id)
    template = payload.template.model_dump() if payload.template is not None else None
    message = do_reply(ticket, None, payload.text, public=payload.public, next_status=payload.status,
                       template=template)
    return Status(201, MessageOut.from_message(message))


@router.post("/{ticket_id}/no-reply-needed", response={200: TicketDetailOut, **ERRORS},
             summary="End the ticket: no reply needed")
def post_no_reply_needed(request: HttpRequest, ticket_id: int, payload: NoReplyIn) -> TicketDetailOut:
    """Say that none of the customer's messages on the ticket so far needs an answer (a thank-you, spam, a matter
    settled elsewhere), and end it ``status`` (solved or closed). Those messages then count as handled in the
    answered-everything measure; a later message from the customer counts again. Closed tickets refuse."""
    org = organisation(request)
    ticket = _get_ticket(org, ticket_id)
    do_no_reply_needed(ticket, None, status=payload.status)
    return ticket_detail(org, ticket_id)


@router.post("/{ticket_id}/notes", response={201: NoteOut, **ERRORS}, summary="Add an internal note")
def post_note(request: HttpRequest, ticket_id: int, payload: NoteIn) -> Status[NoteOut]:
    ticket = _get_ticket(organisation(request), ticket_id)
    return Status(201, NoteOut.from_note(do_add_note(ticket, None, payload.text)))


@router.post("/{ticket_id}/links", response={201: LinkOut, **ERRORS}, summary="Link to another ticket")
def post_link(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Status[LinkOut]:
    """This ticket becomes the ``kind`` (related, follow_up, duplicate) of ``ticket``."""
    org = organisation(request)
    ticket = _get_ticket(org, ticket_id)
    other = Ticket.objects.filter(organisation=org, pk=payload.ticket).first()
    if other is None:
        raise NotFound("ticket", "no such ticket")
    return Status(201, LinkOut.from_link(do_link(ticket, other, payload.kind, None), "out"))
