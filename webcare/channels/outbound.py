"""Queue outbound work on behalf of people: replies, private replies, the brand's own public posts, moderation,
retries.

These are the only writers of :class:`OutboundJob` rows. They run inside the caller's transaction (a reply's message,
its timeline row and its job commit together or not at all) and wake the in-process sender after the commit. The
request is fixed here — thread, target, recipient, subject, references — so every retry sends the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from webcare.channels.base import SENDS_MESSAGE, Action, Capability, Connector
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.registry import connector_for
from webcare.conversations.models import Conversation, ConversationKind, DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.customers.models import Identity

#: Jobs on these kinds are not sent anywhere: the ``api`` channel's replies are read back through the REST API.
NOTHING_TO_SEND = {"api"}
MAX_REFERENCES = 20
#: The conversation that holds a channel's posts of the brand's own (:func:`queue_post`): one per channel, with no
#: customer and no ticket, so a post is a message like any other (encrypted, delivery state, retry) without being
#: anybody's conversation.
POSTS_THREAD = "webcare:posts"


class OutboundError(Exception):
    """A request a person made that cannot be queued; ``field`` names what is wrong (like tickets.ActionError)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ReplyOptions:
    """What the composer may offer on a ticket's channel now (for the inbox)."""

    capabilities: frozenset[Capability]
    public_thread: bool
    #: A platform rule limiting free replies now (WhatsApp's 24-hour window), "" when none.
    window_note: str
    template_required: bool
    sends: bool

    @property
    def can_move_to_private(self) -> bool:
        return self.public_thread and Capability.PRIVATE_REPLY in self.capabilities


def _last_inbound(conversation: Conversation, ticket_id: int | None) -> Message | None:
    queryset = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    if ticket_id:
        queryset = queryset.filter(ticket_id=ticket_id)
    return queryset.exclude(external_id=None).order_by("-sent_at", "-id").first()


def reply_options(conversation: Conversation, ticket_id: int | None = None,
                  now: datetime | None = None) -> ReplyOptions:
    connector = connector_for(conversation.channel)
    if connector is None:
        return ReplyOptions(frozenset({Capability.PUBLIC_REPLY}), conversation.kind == ConversationKind.PUBLIC, "",
                            False, False)
    now = now or timezone.now()
    public = conversation.kind == ConversationKind.PUBLIC
    if public:
        # Messaging windows (Messenger's, WhatsApp's) are about private messages: a public reply in a comment thread
        # follows other rules, so the composer shows no window note there.
        return ReplyOptions(connector.capabilities, True, "", False, True)
    last = _last_inbound(conversation, None)
    last_at = last.sent_at if last else None
    return ReplyOptions(connector.capabilities, False, connector.reply_window_note(last_at, now),
                        connector.template_required(last_at, now), True)


def _recipient(conversation: Conversation, target: Message | None) -> dict[str, str]:
    identity: Identity | None = None
    if target is not None and target.author_identity_id:
        identity = Identity.objects.filter(pk=target.author_identity_id).first()
    if identity is None and conversation.customer_id:
        identity = (Identity.objects.filter(customer_id=conversation.customer_id, platform=conversation.channel.kind)
                    .order_by("pk").first())
    if identity is None:
        return {}
    recipient = {"id": identity.external_id, "handle": identity.handle, "name": identity.display_name}
    last = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND,
                                  author_identity=identity).order_by("-sent_at").values_list("sent_at", flat=True)
    if (last_at := last.first()) is not None:
        recipient["last_inbound_at"] = last_at.isoformat()
    return recipient


def request_for(message: Message, conversation: Conversation, *,
                target: Message | None = None, template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request of a reply job: everything a connector needs, read now and stored with the job."""
    target = target or _last_inbound(conversation, message.ticket_id)
    references = list(Message.objects.filter(conversation=conversation).exclude(external_id=None)
                      .exclude(pk=message.pk).order_by("sent_at", "id").values_list("external_id", flat=True))
    subject = conversation.subject or (message.ticket.subject if message.ticket_id and message.ticket else "")
    return {
        "text": message.text, "conversation_id": conversation.external_id,
        "conversation_public": conversation.kind == ConversationKind.PUBLIC,
        "target_id": (target.external_id or "") if target else "", "recipient": _recipient(conversation, target),
        "subject": (target.subject if target and target.subject else subject)[:500],
        "references": references[-MAX_REFERENCES:], "attachments": list(message.attachments or []),
        "template": template, "agent_name": message.author_name,
    }


def _wake() -> None:
    from webcare.channels.sender import WAKE

    transaction.on_commit(WAKE.set)


def _publish(message: Message) -> None:
    """Tell open inboxes at once (in the same transaction) that a message's state changed, not only once it is sent."""
    from webcare.live import publish

    if message.ticket_id:
        publish.tickets_changed(message.organisation_id, [message.ticket_id], None)


def queue_message(message: Message, conversation: Conversation, actor: Any, *, action: Action = Action.REPLY,
                  template: dict[str, Any] | None = None, target: Message | None = None) -> OutboundJob | None:
    """Queue a just-written outbound message for its channel; None on channels with nothing to send to.

    Must run inside the transaction that created ``message``.
    """
    channel = conversation.channel
    if channel.kind in NOTHING_TO_SEND:
        return None
    connector = connector_for(channel)
    if connector is None:
        raise OutboundError("channel", f"channel {channel.slug!r} ({channel.kind}) has no connector to send with")
    _check_can(connector, action)
    private_thread = conversation.kind == ConversationKind.PRIVATE
    if template is None and private_thread and connector.template_required(_last_at(conversation), timezone.now()):
        raise OutboundError("template", connector.reply_window_note(_last_at(conversation), timezone.now())
                            or "only an approved template may be sent now")
    job = OutboundJob.objects.create(
        organisation_id=message.organisation_id, channel=channel, message=message, action=action,
        request=request_for(message, conversation, target=target, template=template), created_by=actor,
    )
    _wake()
    return job


def _last_at(conversation: Conversation) -> datetime | None:
    last = _last_inbound(conversation, None)
    return last.sent_at if last else None


def _check_can(connector: Connector, action: Action) -> None:
    if not connector.can(action):
        raise OutboundError("action", f"{connector.label or connector.kind} cannot {action.replace('_', ' ')}")


def queue_post(channel: Channel, text: str, actor: Any) -> Message:
    """Queue a public post of the brand's own on ``channel`` (a proactive announcement): an outbound message in the
    channel's posts thread (:data:`POSTS_THREAD`) and an ``OutboundJob`` of action ``post``, which the sender carries
    out like a reply (retries, rate limit, no double posts). Refused with :class:`OutboundError` — nothing written —
    where the channel's connector cannot post or the text is empty or too long for the platform.

    Must run inside the caller's transaction (the caller records why it posted, in the same commit).
    """
    from webcare.triage.steps import masked_text

    text = text.strip()
    connector = connector_for(channel)
    if connector is None:
        raise OutboundError("channel", f"channel {channel.slug!r} ({channel.kind}) has no connector to post with")
    if problem := connector.post_problem(text):
        raise OutboundError("text" if connector.can(Action.POST) else "channel", f"{channel.name}: {problem}")
    if not channel.is_active:
        raise OutboundError("channel", f"{channel.name} is switched off")
    now = timezone.now()
    conversation, _ = Conversation.objects.get_or_create(
        channel=channel, external_id=POSTS_THREAD,
        defaults={"organisation_id": channel.organisation_id, "kind": ConversationKind.PUBLIC,
                  "subject": "Posts by the brand", "created_at": now, "last_message_at": now})
    author_name = ((actor.get_full_name() or actor.get_username()) if actor is not None else channel.name)[:255]
    message = Message.objects.create(
        organisation_id=channel.organisation_id, channel=channel, conversation=conversation, ticket=None,
        external_id=None, direction=Direction.OUTBOUND, is_public=True, author_agent=actor, author_name=author_name,
        text=text, redacted_text=masked_text(text), sent_at=now, received_at=now,
        delivery_status=DeliveryStatus.QUEUED)
    OutboundJob.objects.create(
        organisation_id=channel.organisation_id, channel=channel, message=message, action=Action.POST,
        request={"text": text, "conversation_public": True, "agent_name": author_name}, created_by=actor)
    Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=now).update(last_message_at=now)
    _wake()
    return message


def do_moderate(message: Message, action: Action, actor: Any) -> OutboundJob:
    """Hide, unhide, delete or like a customer's public message on the platform (queued like a reply)."""
    if action not in (Action.HIDE, Action.UNHIDE, Action.DELETE, Action.LIKE):
        raise OutboundError("action", f"{action} is not a moderation action")
    if not message.external_id:
        raise OutboundError("message", "this message has no platform id to act on")
    if action in (Action.HIDE, Action.UNHIDE) and not message.is_public:
        raise OutboundError("action", "only public messages can be hidden")
    connector = connector_for(message.channel)
    if connector is None:
        raise OutboundError("channel", "this channel has no connector")
    _check_can(connector, action)
    with transaction.atomic():
        job = OutboundJob.objects.create(
            organisation_id=message.organisation_id, channel=message.channel, message=message, action=action,
            request={"target_id": message.external_id, "conversation_id": message.conversation.external_id,
                     "conversation_public": message.conversation.kind == ConversationKind.PUBLIC},
            created_by=actor,
        )
        _publish(message)
        _wake()
    return job


def do_retry(message: Message, actor: Any) -> OutboundJob:
    """Send a failed or uncertain reply again — a person's decision, after checking the platform when uncertain."""
    with transaction.atomic():
        job = (OutboundJob.objects.select_for_update().filter(message=message, action__in=sorted(SENDS_MESSAGE))
               .order_by("-id").first())
        if job is None:
            raise OutboundError("message", "this message was never queued for sending")
        if job.status not in (JobStatus.FAILED, JobStatus.UNCERTAIN):
            raise OutboundError("message",
                                f"only a failed or uncertain message can be retried; this one is {job.status}")
        job.status, job.attempts, job.next_attempt_at, job.last_error = JobStatus.PENDING, 0, timezone.now(), ""
        job.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
        Message.objects.filter(pk=message.pk).update(delivery_status=DeliveryStatus.QUEUED, delivery_error="")
        _publish(message)
        _wake()
    return job
