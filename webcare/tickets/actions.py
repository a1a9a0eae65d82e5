"""The only place that changes tickets on behalf of a person (Zulip's ``do_*`` style).

Why one place: the API, the web UI and automations must apply the same checks and leave the same timeline. Each
function validates, locks the ticket row, applies the pure rules of :mod:`webcare.tickets.lifecycle`, writes one
:class:`TicketEvent` per change, and does all of it in one transaction, so a request either happens completely (with
its audit trail) or not at all. Invalid requests raise :class:`ActionError`, which names the field at fault so the API
can answer with it.

Locking: the ticket row is re-read ``SELECT … FOR UPDATE`` inside the transaction (on SQLite the IMMEDIATE transaction
takes the write lock instead). Two agents changing one ticket at once are therefore serialised, and the "old" value in
each timeline row is what the database held, never a stale copy from before the other change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from webcare.channels.base import Action
from webcare.channels.outbound import OutboundError, queue_message
from webcare.conversations.models import Conversation, ConversationKind, DeliveryStatus, Direction, Message
from webcare.core.models import Agent, ChannelKind, Role, Team
from webcare.ingest.schema import MAX_TEXT
from webcare.live import publish
from webcare.sla import sync as sla_sync
from webcare.tickets import lifecycle
from webcare.tickets.models import (
    EventKind,
    Label,
    LinkKind,
    Note,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)
from webcare.triage.steps import masked_text

#: Roles that can own tickets. Analysts only see aggregates, so a ticket assigned to one would never be worked.
ASSIGNABLE_ROLES: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
MAX_LABEL_LENGTH: Final = 64


#: Ticket fields whose change can move a service-level clock (a status pauses or stops it; team and priority can
#: choose another policy).
SLA_INPUTS: Final = frozenset({"status", "team", "priority"})


class _Unset(Enum):
    """Marks an argument that was not given, so ``assignee=None`` (unassign) differs from "leave as it is"."""

    UNSET = "unset"


UNSET: Final = _Unset.UNSET


class ActionError(Exception):
    """A request that cannot be carried out as asked; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _lock(ticket: Ticket) -> Ticket:
    """The ticket's current row, locked for the rest of the transaction."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _copy_back(locked: Ticket, ticket: Ticket) -> None:
    """Give the caller's instance the values just written, so it is not left stale after the action."""
    for field in Ticket._meta.concrete_fields:
        setattr(ticket, field.attname, getattr(locked, field.attname))
    # Setting an id drops a cached related object by itself; prefetched labels must be dropped by hand.
    getattr(ticket, "_prefetched_objects_cache", {}).pop("labels", None)


def _event(ticket: Ticket, kind: str, actor: Any, at: datetime, field: str = "", old: str = "",
           new: str = "") -> TicketEvent:
    return TicketEvent(ticket=ticket, kind=kind, field=field, old=old[:255], new=new[:255], actor=actor, at=at)


def _events_from_changes(changes: Iterable[lifecycle.Change], actor: Any, at: datetime) -> list[TicketEvent]:
    return [_event(c.ticket, c.kind, actor, c.at or at, c.field, c.old, c.new) for c in changes]


def _refuse_if_closed(ticket: Ticket, field: str) -> None:
    if ticket.status == Status.CLOSED:
        raise ActionError(field, "the ticket is closed; a new message from the customer starts a follow-up ticket")


def _check_status(ticket: Ticket, status: str, field: str = "status") -> str:
    if status not in Status.values:
        raise ActionError(field, f"unknown status {status!r}; use one of {', '.join(Status.values)}")
    if not lifecycle.can_transition(ticket.status, status):
        raise ActionError(field, f"a ticket cannot go from {ticket.status} to {status}")
    return status


def _check_assignee(ticket: Ticket, assignee: Any) -> None:
    if assignee is None:
        return
    role = (
        Agent.objects.filter(user_id=assignee.pk, organisation_id=ticket.organisation_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise ActionError("assignee", "the assignee is not an agent of this organisation")
    if role not in ASSIGNABLE_ROLES:
        raise ActionError("assignee", f"an {role} cannot be assigned tickets")
    if not assignee.is_active:
        raise ActionError("assignee", "the assignee's account is deactivated")


def _clean_labels(labels: Iterable[str]) -> list[str]:
    """Label names stripped and de-duplicated, in the order given."""
    if isinstance(labels, str):
        raise ActionError("labels", "give a list of label names, not one string")
    names: dict[str, None] = {}
    for raw in labels:
        name = str(raw).strip()
        if not name:
            raise ActionError("labels", "a label name cannot be empty")
        if len(name) > MAX_LABEL_LENGTH:
            raise ActionError("labels", f"a label name can have at most {MAX_LABEL_LENGTH} characters")
        names[name] = None
    return list(names)


def _labels_for(organisation_id: int, names: list[str]) -> dict[str, Label]:
    """The organisation's labels with these names, creating the missing ones (a concurrent creator is harmless)."""
    if not names:
        return {}
    Label.objects.bulk_create([Label(organisation_id=organisation_id, name=name) for name in names],
                              ignore_conflicts=True)
    return {label.name: label for label in Label.objects.filter(organisation_id=organisation_id, name__in=names)}


def do_change_ticket(
    ticket: Ticket,
    actor: Any,
    *,
    status: str | _Unset = UNSET,
    assignee: Any = UNSET,
    team: Team | _Unset | None = UNSET,
    priority: int | _Unset = UNSET,
    labels: Iterable[str] | _Unset = UNSET,
) -> list[TicketEvent]:
    """Change any of a ticket's status, assignee, team, priority and labels in one step.

    ``assignee``/``team`` of None clear them; ``labels`` is the complete new set of label names (missing labels are
    created). Returns the timeline rows written: one per changed field, and one per label added or removed. Nothing
    changes (and nothing is written) when a single requested change is invalid, or when every value is already set.
    ``actor`` is the user doing it, or None for the system and API tokens.
    """
    with transaction.atomic():
        locked = _lock(ticket)
        now = timezone.now()
        events: list[TicketEvent] = []
        update_fields: set[str] = set()

        wanted_status = status if not isinstance(status, _Unset) else None
        if wanted_status is not None:
            _check_status(locked, wanted_status)
        if not isinstance(assignee, _Unset) and assignee is not None:
            _check_assignee(locked, assignee)
        if not isinstance(team, _Unset) and team is not None and team.organisation_id != locked.organisation_id:
            raise ActionError("team", "the team belongs to another organisation")
        if not isinstance(priority, _Unset) and priority not in Priority.values:
            raise ActionError("priority", f"unknown priority {priority!r}; use 1 (urgent) to 4 (low)")
        label_names = None if isinstance(labels, _Unset) else _clean_labels(labels)

        changes_requested = []
        if wanted_status is not None and wanted_status != locked.status:
            changes_requested.append("status")
        if not isinstance(assignee, _Unset) and (assignee.pk if assignee else None) != locked.assignee_id:
            changes_requested.append("assignee")
        if not isinstance(team, _Unset) and (team.pk if team else None) != locked.team_id:
            changes_requested.append("team")
        if not isinstance(priority, _Unset) and priority != locked.priority:
            changes_requested.append("priority")
        current_labels: dict[str, Label] = {}
        if label_names is not None:
            current_labels = {label.name: label for label in locked.labels.all()}
            if set(label_names) != set(current_labels):
                changes_requested.append("labels")
        if not changes_requested:
            _copy_back(locked, ticket)
            return []
        _refuse_if_closed(locked, changes_requested[0])

        if "status" in changes_requested:
            assert wanted_status is not None
            events += _events_from_changes(lifecycle.set_status(locked, wanted_status, now), actor, now)
            update_fields |= {"status", "solved_at", "closed_at"}
        if "assignee" in changes_requested:
            old_name = locked.assignee.get_username() if locked.assignee is not None else ""
            locked.assignee = assignee
            locked.assigned_at = now if assignee is not None else None
            events.append(_event(locked, EventKind.ASSIGNEE, actor, now, "assignee", old_name,
                                 assignee.get_username() if assignee else ""))
            update_fields |= {"assignee", "assigned_at"}
        if "team" in changes_requested:
            assert not isinstance(team, _Unset)
            old_slug = locked.team.slug if locked.team is not None else ""
            locked.team = team
            events.append(_event(locked, EventKind.TEAM, actor, now, "team", old_slug, team.slug if team else ""))
            update_fields.add("team")
        if "priority" in changes_requested:
            assert not isinstance(priority, _Unset)
            events.append(_event(locked, EventKind.PRIORITY, actor, now, "priority", str(locked.priority),
                                 str(priority)))
            locked.priority = priority
            update_fields.add("priority")
        if "labels" in changes_requested:
            assert label_names is not None
            removed = [name for name in current_labels if name not in label_names]
            added = [name for name in label_names if name not in current_labels]
            if removed:
                locked.labels.remove(*(current_labels[name] for name in removed))
                events += [_event(locked, EventKind.LABEL_REMOVED, actor, now, "labels", old=name) for name in removed]
            if added:
                new_labels = _labels_for(locked.organisation_id, added)
                locked.labels.add(*(new_labels[name] for name in added))
                events += [_event(locked, EventKind.LABEL_ADDED, actor, now, "labels", new=name) for name in added]

        locked.updated_at = now
        update_fields.add("updated_at")
        if actor is not None:
            locked.touched_at = now
            update_fields.add("touched_at")
        if update_fields & SLA_INPUTS:
            sla_sync.refresh([locked], now)
            update_fields |= set(sla_sync.SLA_FIELDS)
        locked.save(update_fields=sorted(update_fields))
        TicketEvent.objects.bulk_create(events)
        publish.tickets_changed(locked.organisation_id, [locked.pk], getattr(actor, 'pk', None))
        _copy_back(locked, ticket)
        return events


def do_reply(
    ticket: Ticket,
    actor: Any,
    text: str,
    *,
    public: bool | None = None,
    next_status: str | None = Status.PENDING,
    template: dict[str, Any] | None = None,
) -> Message:
    """Answer the customer on the ticket's conversation; the ticket then waits on the customer (``next_status``).

    The reply is stored as an outbound message without a platform id. On the ``api`` channel kind there is nothing to
    send, so it is ``sent`` at once; on every other kind it is ``queued``, with an outbound job for the channel's
    sender in the same transaction (webcare/channels/sender.py), which records the platform id when it is sent.
    ``public`` defaults to the conversation's kind; a public reply on a private conversation is refused, as it would
    publish a private exchange; a private reply in a public thread is a private message to the author of the newest
    public message (Facebook's private reply, an X DM …), refused where the platform has none. ``template``: an
    approved template, needed where the platform allows no free text now (WhatsApp after 24 hours).
    ``next_status`` None keeps the status.

    A reply on a solved ticket is allowed (a last word to the customer), and like any reply moves the ticket to
    ``next_status``: by default back to pending, so the customer's answer is expected; pass ``"solved"`` to keep it
    solved. A closed ticket cannot be answered: closed is final.
    """
    text = text.strip()
    if not text:
        raise ActionError("text", "a reply needs text")
    if len(text) > MAX_TEXT:
        raise ActionError("text", f"a reply can have at most {MAX_TEXT} characters")
    with transaction.atomic():
        locked = _lock(ticket)
        _refuse_if_closed(locked, "ticket")
        if next_status is not None:
            _check_status(locked, next_status)
        conversation = Conversation.objects.select_related("channel").get(pk=locked.conversation_id)
        is_public = conversation.kind == ConversationKind.PUBLIC if public is None else public
        if is_public and conversation.kind == ConversationKind.PRIVATE:
            raise ActionError("public", "a reply in a private conversation cannot be public")
        now = timezone.now()
        channel = conversation.channel
        author_name = ((actor.get_full_name() or actor.get_username()) if actor is not None else channel.name)[:255]
        message = Message.objects.create(
            organisation_id=locked.organisation_id, channel=channel, conversation=conversation, ticket=locked,
            external_id=None, direction=Direction.OUTBOUND, is_public=is_public, author_agent=actor,
            author_name=author_name, text=text, redacted_text=masked_text(text), sent_at=now, received_at=now,
            delivery_status=DeliveryStatus.SENT if channel.kind == ChannelKind.API else DeliveryStatus.QUEUED,
        )
        private_reply = conversation.kind == ConversationKind.PUBLIC and not is_public
        action = Action.PRIVATE_REPLY if private_reply else Action.REPLY
        try:
            queue_message(message, conversation, actor, action=action, template=template)
        except OutboundError as exc:
            raise ActionError(exc.field, exc.message) from exc
        events = [_event(locked, EventKind.REPLY, actor, now, "message", new=str(message.pk))]
        events += _events_from_changes(lifecycle.record_outbound(locked, now, next_status), actor, now)
        locked.touched_at = now
        sla_sync.refresh([locked], now)
        locked.save(update_fields=["status", "solved_at", "closed_at", "first_response_at", "last_response_at",
                                   "waiting_since", "updated_at", "touched_at", *sla_sync.SLA_FIELDS])
        TicketEvent.objects.bulk_create(events)
        Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=now).update(last_message_at=now)
        publish.tickets_changed(locked.organisation_id, [locked.pk], getattr(actor, 'pk', None))
        _copy_back(locked, ticket)
        return message


def do_move_to_private(ticket: Ticket, actor: Any, private_text: str, public_note: str) -> tuple[Message, Message]:
    """Move a public conversation to private messages in one action: a private reply to the author of the newest
    public message, and a short public note saying so (both queued; both or neither). Returns (note, private)."""
    if not public_note.strip():
        raise ActionError("public_note", "the public note needs text (say that a private message is on its way)")
    with transaction.atomic():
        conversation = Conversation.objects.select_related("channel").get(pk=ticket.conversation_id)
        if conversation.kind != ConversationKind.PUBLIC:
            raise ActionError("ticket", "this conversation is already private")
        private = do_reply(ticket, actor, private_text, public=False, next_status=Status.PENDING)
        note = do_reply(ticket, actor, public_note, public=True, next_status=Status.PENDING)
    return note, private


def do_add_note(ticket: Ticket, actor: Any, text: str) -> Note:
    """Add an internal note. Allowed on closed tickets too: a note changes nothing the customer sees."""
    text = text.strip()
    if not text:
        raise ActionError("text", "a note needs text")
    if len(text) > MAX_TEXT:
        raise ActionError("text", f"a note can have at most {MAX_TEXT} characters")
    with transaction.atomic():
        locked = _lock(ticket)
        now = timezone.now()
        note = Note.objects.create(ticket=locked, author=actor, text=text, created_at=now)
        TicketEvent.objects.create(ticket=locked, kind=EventKind.NOTE, field="note", new=str(note.pk), actor=actor,
                                   at=now)
        locked.updated_at = now
        locked.touched_at = now if actor is not None else locked.touched_at
        locked.save(update_fields=["updated_at", "touched_at"])
        publish.tickets_changed(locked.organisation_id, [locked.pk], getattr(actor, 'pk', None))
        _copy_back(locked, ticket)
        return note


def do_link(ticket: Ticket, other: Ticket, kind: str, actor: Any) -> TicketLink:
    """Link ``ticket`` to ``other`` (``ticket`` is the duplicate/follow-up *of* ``other``); same organisation only.

    Linking works on closed tickets too (a follow-up points at a closed ticket by nature). A link that already exists
    is refused rather than silently changed, so the timeline never misses a change of kind.
    """
    if kind not in LinkKind.values:
        raise ActionError("kind", f"unknown link kind {kind!r}; use one of {', '.join(LinkKind.values)}")
    if other.organisation_id != ticket.organisation_id:
        raise ActionError("ticket", "the other ticket belongs to another organisation")
    if other.pk == ticket.pk:
        raise ActionError("ticket", "a ticket cannot be linked to itself")
    with transaction.atomic():
        locked = _lock(ticket)
        now = timezone.now()
        try:
            with transaction.atomic():
                link = TicketLink.objects.create(from_ticket=locked, to_ticket=other, kind=kind, created_at=now)
        except IntegrityError as exc:
            raise ActionError("ticket", f"this ticket is already linked to ticket {other.pk}") from exc
        TicketEvent.objects.create(ticket=locked, kind=EventKind.LINKED, field=kind, new=str(other.pk), actor=actor,
                                   at=now)
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        publish.tickets_changed(locked.organisation_id, [locked.pk, other.pk], getattr(actor, 'pk', None))
        _copy_back(locked, ticket)
        return link


def do_auto_reply(ticket: Ticket, text: str, kind: str) -> Message | None:
    """Send an automatic message (``kind``: away, ack or rule) on the ticket's conversation, signed by the channel.

    Why separate from :func:`do_reply`: an automatic message is not an answer. The customer still waits
    (``waiting_since`` stays), no response time is set, the status stays, and the SLA clocks keep running; it only
    tells the customer when a person will. The ticket row is not written (only a timeline row), so this is safe
    inside an ingestion batch whose steps still hold the ticket in memory. Returns None, writing nothing, where the
    channel cannot post one now (no replies on it, or a WhatsApp conversation outside its 24-hour window).
    """
    text = text.strip()
    if not text:
        raise ActionError("text", "an automatic reply needs text")
    conversation = Conversation.objects.select_related("channel").get(pk=ticket.conversation_id)
    channel = conversation.channel
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            organisation_id=ticket.organisation_id, channel=channel, conversation=conversation, ticket=ticket,
            external_id=None, direction=Direction.OUTBOUND, is_public=conversation.kind == ConversationKind.PUBLIC,
            author_agent=None, author_name=channel.name[:255], text=text[:MAX_TEXT],
            redacted_text=masked_text(text[:MAX_TEXT]), sent_at=now, received_at=now, automatic=kind,
            delivery_status=DeliveryStatus.SENT if channel.kind == ChannelKind.API else DeliveryStatus.QUEUED,
        )
        try:
            with transaction.atomic():
                queue_message(message, conversation, None, action=Action.REPLY)
        except OutboundError:
            message.delete()
            return None
        TicketEvent.objects.create(ticket=ticket, kind=EventKind.AUTO_REPLY, field=kind, new=str(message.pk), at=now)
        Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=now).update(last_message_at=now)
    return message


def do_no_reply_needed(ticket: Ticket, actor: Any, *, status: str = Status.SOLVED) -> list[TicketEvent]:
    """Say that none of the customer's messages on this ticket so far needs an answer (a thank-you, spam, a matter
    settled elsewhere), and end the ticket (``status``: solved by default, or closed).

    This is the explicit "no reply needed" of the answered-everything measure: those messages count as handled, not
    as forgotten. A later message from the customer is a new question and is counted again.
    """
    if status not in (Status.SOLVED, Status.CLOSED):
        raise ActionError("status", "a ticket that needs no reply ends solved or closed")
    with transaction.atomic():
        locked = _lock(ticket)
        _refuse_if_closed(locked, "ticket")
        now = timezone.now()
        events = [_event(locked, EventKind.NO_REPLY, actor, now, "no_reply_needed", new="yes")]
        events += _events_from_changes(lifecycle.set_status(locked, status, now), actor, now)
        locked.no_reply_needed_at = now
        locked.waiting_since = None
        locked.touched_at = now if actor is not None else locked.touched_at
        sla_sync.refresh([locked], now)
        locked.save(update_fields=["status", "solved_at", "closed_at", "no_reply_needed_at", "waiting_since",
                                   "touched_at", "updated_at", *sla_sync.SLA_FIELDS])
        TicketEvent.objects.bulk_create(events)
        publish.tickets_changed(locked.organisation_id, [locked.pk], getattr(actor, "pk", None))
        _copy_back(locked, ticket)
        return events
