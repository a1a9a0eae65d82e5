""""Hide and move to private": one action for a customer who posted personal data in public.

Triage marks such a message (``signals`` holds ``pii_public``) and makes the ticket urgent from its first moment
(webcare/triage/priority.py). This action then, in one transaction — all of it queued, or none of it:

1. queues a moderation *hide* of each of the ticket's public messages from the customer that hold personal data, on
   platforms whose connector can hide (Facebook, Instagram, X); where it cannot, the result lists the messages and the
   private message asks the customer to delete the comment instead;
2. moves the customer to a private message (``do_move_to_private``): a prepared private message in the customer's
   language and register (webcare/tickets/protect_wording.py) and the short public note that says a private message
   is on its way (webcare/channels/notes.py).

It refuses, changing nothing, when the ticket has no personal data in public (or it is already being hidden), or
when the platform has no private messages (a review site, a listening source): then there is nowhere to move to, and
the agent must answer publicly without repeating the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from webcare.channels.base import Action, Capability
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.notes import move_to_private_note
from webcare.channels.outbound import do_moderate
from webcare.channels.registry import connector_for
from webcare.conversations.models import Conversation, ConversationKind, Direction, Message
from webcare.tickets.actions import ActionError, do_move_to_private
from webcare.tickets.models import Status, Ticket
from webcare.tickets.protect_wording import private_message, wording_for


@dataclass(frozen=True)
class ProtectPlan:
    """What the action would do now: the messages, what can be hidden, the prepared texts. For the inbox's form."""

    hide: list[Message]
    cannot_hide: list[Message]
    language: str
    register: str
    private_text: str
    public_note: str


@dataclass(frozen=True)
class ProtectResult:
    """What was queued: hides (message ids), the messages the platform cannot hide (ask the customer to delete
    them), and the two messages of the move to private."""

    hidden: list[int]
    cannot_hide: list[int]
    private_message: Message
    public_note: Message
    language: str
    register: str
    jobs: list[int] = field(default_factory=list)

    @property
    def ask_customer_to_delete(self) -> bool:
        return bool(self.cannot_hide)


def public_pii_messages(ticket: Ticket) -> list[Message]:
    """The ticket's public messages from the customer that hold personal data and are still up (not hidden, not
    deleted, no hide already queued)."""
    queued = OutboundJob.objects.filter(action=Action.HIDE, status__in=[JobStatus.PENDING, JobStatus.SENDING],
                                        message_id__in=Message.objects.filter(ticket=ticket).values("pk"))
    return list(Message.objects.filter(ticket=ticket, direction=Direction.INBOUND, is_public=True, hidden=False,
                                       deleted_at__isnull=True)
                .exclude(pii=[]).exclude(pk__in=queued.values("message_id"))
                .select_related("channel", "conversation", "author_identity").order_by("sent_at", "id"))


def _name(message: Message, ticket: Ticket) -> str:
    if message.author_identity is not None and message.author_identity.display_name:
        return message.author_identity.display_name
    if ticket.customer_id and ticket.customer is not None and ticket.customer.name:
        return ticket.customer.name
    return message.author_name


def plan(ticket: Ticket) -> ProtectPlan:
    """What :func:`do_protect_public_pii` would do now; raises :class:`ActionError` when it would refuse."""
    if ticket.status == Status.CLOSED:
        raise ActionError("ticket", _("this ticket is closed"))
    conversation = Conversation.objects.select_related("channel").get(pk=ticket.conversation_id)
    if conversation.kind != ConversationKind.PUBLIC:
        raise ActionError("ticket", _("this conversation is private: nothing of it is public"))
    messages = public_pii_messages(ticket)
    if not messages:
        raise ActionError("ticket", _("no public message of this ticket shows personal data (or it is already "
                                      "hidden)"))
    connector = connector_for(conversation.channel)
    if connector is None or Capability.PRIVATE_REPLY not in connector.capabilities:
        raise ActionError("ticket", _("%(platform)s has no private messages: answer publicly without repeating the "
                                      "data, and ask the customer to delete the post")
                          % {"platform": conversation.channel.get_kind_display()})
    can_hide = connector.can(Action.HIDE)
    hide = [m for m in messages if can_hide and m.external_id]
    cannot_hide = [m for m in messages if m not in hide]
    newest = messages[-1]
    language, register = wording_for(newest.language or ticket.language, newest.register or ticket.register)
    text = private_message(language, register, _name(newest, ticket), hidden=not cannot_hide)
    return ProtectPlan(hide=hide, cannot_hide=cannot_hide, language=language, register=register,
                       private_text=text, public_note=move_to_private_note(language))


def do_protect_public_pii(ticket: Ticket, actor: object, *, private_text: str | None = None,
                          public_note: str | None = None) -> ProtectResult:
    """Hide the public personal data and move the customer to a private message, in one transaction.

    ``private_text`` and ``public_note`` replace the prepared texts (the inbox lets the agent edit and sign them).
    """
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        prepared = plan(locked)
        jobs = [do_moderate(message, Action.HIDE, actor).pk for message in prepared.hide]
        note, private = do_move_to_private(
            locked, actor, prepared.private_text if private_text is None else private_text,
            prepared.public_note if public_note is None else public_note)
    ticket.refresh_from_db()
    return ProtectResult(hidden=[m.pk for m in prepared.hide], cannot_hide=[m.pk for m in prepared.cannot_hide],
                         private_message=private, public_note=note, language=prepared.language,
                         register=prepared.register, jobs=jobs)
