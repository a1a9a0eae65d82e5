"""What the conversation pane shows about the outbound side: each message's delivery state and the moderation
tools the channel offers, and the WhatsApp templates an agent may send (views.py renders it; the writers are in
webcare/channels/outbound.py and webcare/tickets/actions.py)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webcare.channels.base import Action, Capability
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.notes import move_to_private_note
from webcare.channels.outbound import ReplyOptions, reply_options
from webcare.conversations.models import DeliveryStatus, Direction, Message
from webcare.core.models import Agent, Channel, Role
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket

logger = logging.getLogger("webcare.inbox")

MODERATION = {"hide": Action.HIDE, "unhide": Action.UNHIDE, "delete": Action.DELETE, "like": Action.LIKE}
#: What a message shows while its moderation job waits or after it failed; ``%(platform)s`` is the platform's name.
MODERATION_PENDING = {
    Action.HIDE: gettext_lazy("Hiding on %(platform)s…"), Action.UNHIDE: gettext_lazy("Unhiding on %(platform)s…"),
    Action.DELETE: gettext_lazy("Deleting on %(platform)s…"), Action.LIKE: gettext_lazy("Liking on %(platform)s…"),
}
MODERATION_FAILED = {
    Action.HIDE: gettext_lazy("Could not hide it on %(platform)s: %(error)s"),
    Action.UNHIDE: gettext_lazy("Could not unhide it on %(platform)s: %(error)s"),
    Action.DELETE: gettext_lazy("Could not delete it on %(platform)s: %(error)s"),
    Action.LIKE: gettext_lazy("Could not like it on %(platform)s: %(error)s"),
}
#: A template's numbered placeholders, as WhatsApp writes them: {{1}}, {{2}} …
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


@dataclass(frozen=True)
class ApprovedTemplate:
    """One approved message template a channel may send when free text is not allowed (WhatsApp after 24 hours).

    Why from the channel's settings (``Channel.settings["templates"]``: ``[{"name", "language", "body"}]``): Meta
    approves templates per business account, and the composer must show the agent what the customer will read —
    the body with its {{1}}, {{2}} … filled — before it is sent.
    """

    name: str
    language: str
    body: str

    @property
    def key(self) -> str:
        return f"{self.name}:{self.language}"

    @property
    def placeholders(self) -> int:
        """How many values the body needs: its highest {{n}}."""
        return max((int(n) for n in TEMPLATE_PLACEHOLDER.findall(self.body)), default=0)

    def render(self, values: list[str]) -> str:
        return TEMPLATE_PLACEHOLDER.sub(lambda match: values[int(match.group(1)) - 1], self.body)


def approved_templates(channel: Channel) -> list[ApprovedTemplate]:
    """The channel's templates; an entry without a name or language is skipped (and logged for the admin)."""
    raw = channel.settings.get("templates") or []
    found = []
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        name, language = (str(entry.get(key) or "").strip() for key in ("name", "language")) if isinstance(
            entry, dict) else ("", "")
        if name and language:
            found.append(ApprovedTemplate(name, language, str(entry.get("body") or "")))
        else:
            logger.warning("channel %s: templates[%s] needs a name and a language; skipped", channel.slug, index)
    return found


def template_reply(channel: Channel, key: str, raw_values: str) -> tuple[str, dict[str, Any]]:
    """The text the thread shows and the template request for the chosen template, or why not (field named)."""
    chosen = next((t for t in approved_templates(channel) if t.key == key), None)
    if chosen is None:
        raise ActionError("template", _("Choose one of the channel's approved templates."))
    values = [line.strip() for line in raw_values.splitlines() if line.strip()]
    if len(values) != chosen.placeholders:
        raise ActionError("template_values", _(
            "The template %(name)s needs %(needed)d value(s), one per line; %(given)d given.")
            % {"name": chosen.name, "needed": chosen.placeholders, "given": len(values)})
    text = chosen.render(values).strip() or chosen.name
    return text, {"name": chosen.name, "language": chosen.language, "parameters": values}


def _earlier_texts(message: Message) -> list[dict[str, Any]]:
    """A message's earlier versions with personal data masked like its current text (triage only saw the latest)."""
    from webcare.triage.pii import find_pii, redact

    earlier = []
    for edit in message.edits if isinstance(message.edits, list) else []:
        text = str(edit.get("text") or "")
        try:
            at = datetime.fromisoformat(str(edit.get("at") or ""))
        except ValueError:
            at = None
        earlier.append({"at": at, "text": redact(text, find_pii(text, message.language))})
    return earlier


@dataclass
class MessageState:
    """What the thread shows about a message beyond its columns (``message.shown`` in the template).

    Why: a conversation renders up to 500 messages, and every variable a Django template looks up costs microseconds
    (most of them in the exceptions of its dictionary-then-attribute lookup). So an ordinary message gets None and
    costs two lookups more than before, and the others get this as a dictionary (``vars``), whose keys resolve at
    the first try; the moderation buttons come as ready HTML.
    """

    #: The time line has a marker: hidden, deleted, liked.
    markers: bool = False
    #: Something follows the text: earlier versions, a delivery problem, moderation buttons, an error.
    below: bool = False
    liked: bool = False
    #: The brand deleted it on the platform (not its author).
    deleted_by_brand: bool = False
    #: The earlier versions of an edited message, masked: [{"at": datetime | None, "text": str}].
    earlier: list[dict[str, Any]] = field(default_factory=list)
    #: The moderation buttons with the newest action's state ("Hiding on Facebook…"), as HTML.
    tools: str = ""


@dataclass
class _Job:
    action: str
    status: str
    error: str


def _moderation_jobs(conversation_id: int) -> dict[int, list[_Job]]:
    """The moderation jobs of a conversation's messages, by message, oldest first (one query)."""
    jobs: dict[int, list[_Job]] = {}
    for message_id, action, status, error in (
            OutboundJob.objects.filter(message__conversation_id=conversation_id, action__in=list(MODERATION.values()))
            .order_by("id").values_list("message_id", "action", "status", "last_error")):
        jobs.setdefault(message_id, []).append(_Job(action, status, error))
    return jobs


class _Tools:
    """The moderation buttons under customers' public messages. Why a class: what all messages share — labels in
    the agent's language, the button rows (four variants at most) — is built once per conversation."""

    def __init__(self, ticket_url: str, csrf: str, platform: str, capabilities: frozenset[Capability],
                 confirm_delete: int | None) -> None:
        self.ticket_url, self.csrf, self.platform, self.confirm_delete = ticket_url, csrf, platform, confirm_delete
        self.capabilities = capabilities
        self._rows: dict[tuple[bool, bool], str] = {}

    def _row(self, hidden: bool, liked: bool) -> str:
        """Hide or Unhide, Like (until liked), Delete… (which asks first)."""
        if (hidden, liked) not in self._rows:
            buttons = []
            if Capability.HIDE in self.capabilities:
                buttons.append(("unhide", _("Unhide")) if hidden else ("hide", _("Hide")))
            if Capability.LIKE in self.capabilities and not liked:
                buttons.append(("like", _("Like")))
            if Capability.DELETE in self.capabilities:
                buttons.append(("delete", _("Delete…")))
            self._rows[(hidden, liked)] = "".join(
                format_html('<button type="submit" name="action" value="{}" class="secondary">{}</button> ', value,
                            label) for value, label in buttons)
        return self._rows[(hidden, liked)]

    def _state(self, jobs: list[_Job]) -> str:
        """The newest action's state when it waits or failed ("Hiding on Facebook…")."""
        newest = jobs[-1] if jobs else None
        if newest is not None and newest.status in (JobStatus.PENDING, JobStatus.SENDING):
            return format_html('<span class="moderation-note" role="status">{}</span>',
                               MODERATION_PENDING[Action(newest.action)] % {"platform": self.platform})
        if newest is not None and newest.status in (JobStatus.FAILED, JobStatus.UNCERTAIN):
            return format_html('<span class="moderation-note error" role="status">{}</span>',
                               MODERATION_FAILED[Action(newest.action)] % {"platform": self.platform,
                                                                           "error": newest.error})
        return ""

    def _confirm(self, message: Message) -> str:
        return format_html(
            '<p class="confirm-delete" role="alert">{}</p><input type="hidden" name="confirm" value="1">'
            '<button type="submit" name="action" value="delete" class="danger" id="confirm-delete-{}">{}</button> '
            '<button type="button" class="secondary" hx-get="{}" hx-target="#ticket" hx-swap="innerHTML">{}</button>',
            _("Delete this comment on %(platform)s? It is gone for everyone there, and it cannot be undone.")
            % {"platform": self.platform}, message.pk, _("Delete on %(platform)s") % {"platform": self.platform},
            self.ticket_url, _("Cancel"))

    def html(self, message: Message, jobs: list[_Job], liked: bool) -> str:
        url = f"{self.ticket_url}messages/{message.pk}/moderate/"
        opening = format_html('<form class="msg-actions" hx-post="{}" hx-target="#ticket" hx-swap="innerHTML" '
                              'method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                              url, url, self.csrf)
        body = self._confirm(message) if self.confirm_delete == message.pk else self._row(message.hidden, liked)
        # Every part is format_html's (escaped) output or a constant.
        return mark_safe(f"{opening}{self._state(jobs)}{body}</form>")  # noqa: S308  # nosec B308 B703


def _message_states(request: HttpRequest, ticket: Ticket, messages: list[Message], options: ReplyOptions,
                    platform: str, read_only: bool, extra: dict[str, Any]) -> None:
    """Give every message its :class:`MessageState` (``message.shown``)."""
    moderates = options.public_thread and bool(options.capabilities & {Capability.HIDE, Capability.DELETE,
                                                                       Capability.LIKE})
    jobs = _moderation_jobs(ticket.conversation_id) if moderates else {}
    tools = _Tools(reverse("inbox:ticket", args=[ticket.pk]), get_token(request), platform, options.capabilities,
                   extra.get("confirm_delete"))
    error_on = extra.get("error_message_id")
    for message in messages:
        own = jobs.get(message.pk, [])
        liked = any(j.action == Action.LIKE and j.status == JobStatus.SENT for j in own)
        deleted_by_brand = any(j.action == Action.DELETE and j.status == JobStatus.SENT for j in own)
        outbound = message.direction == Direction.OUTBOUND
        problem = outbound and (message.delivery_status in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN)
                                or (message.delivery_status == DeliveryStatus.QUEUED and bool(message.delivery_error)))
        with_tools = (moderates and not read_only and not outbound and message.is_public and bool(message.external_id)
                      and message.deleted_at is None)
        markers = bool(message.hidden or message.deleted_at or liked)
        below = bool(message.edits or problem or with_tools or error_on == message.pk)
        message.shown = vars(MessageState(  # type: ignore[attr-defined]
            markers=markers, below=below, liked=liked, deleted_by_brand=deleted_by_brand,
            earlier=_earlier_texts(message) if message.edits else [],
            tools=tools.html(message, own, liked) if with_tools else "",
        )) if markers or below else None


def outbound_context(request: HttpRequest, ticket: Ticket, agent: Agent, messages: list[Message],
                      extra: dict[str, Any]) -> dict[str, Any]:
    """What the composer and the thread offer on this channel now: public or private, the window note and the
    templates, "Move to private", moderation buttons, and each message's delivery and moderation state."""
    conversation = ticket.conversation
    options: ReplyOptions = reply_options(conversation, ticket.pk)
    platform = conversation.channel.get_kind_display()
    _message_states(request, ticket, messages, options, platform, agent.role == Role.ANALYST, extra)
    templates = approved_templates(conversation.channel) if options.template_required else []
    language = ticket.language or next(iter(agent.organisation.languages or []), "en")
    return {
        "reply": options, "platform": platform, "templates": templates,
        "templates_take_values": any(t.placeholders for t in templates),
        "can_private": options.public_thread and Capability.PRIVATE_REPLY in options.capabilities,
        "move_note_default": move_to_private_note(language),
    }
