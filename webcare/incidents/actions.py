"""What people do with an incident — the only writers on their behalf (``do_*``, as webcare/tickets/actions.py).

- :func:`do_reply_all`: one reply to everyone affected — one text per language and register among the linked
  tickets, personalised per customer (``{customer_first_name}``, webcare/replies/variables.py), signed by the agent
  (webcare/replies/signature.py), sent through :func:`webcare.tickets.actions.do_reply` on each linked ticket in the
  agent's scope that has not had it yet, where the customer asked (:func:`reply_publicly`).
- :func:`do_publish_post`: a proactive public post on channels that can post (webcare/channels: ``Capability.POST``),
  one text per channel, queued as ``post`` jobs for the sender.
- :func:`do_resolve`: the incident is over — optionally a closing update to every linked ticket (same mechanics as
  the reply to everyone) and the tickets solved; the tickets are freed for another incident.
- :func:`do_dismiss` (not an incident after all) and :func:`do_rename`.

Each runs in one transaction with the incident row locked, writes an :class:`IncidentUpdate` (the incident's
timeline; each reply also writes its ticket's timeline through ``do_reply``), and refuses bad input with
:class:`IncidentError` naming the field, storing nothing. A form's one-time ``token`` makes a second submission (a
double click) return the first one's update without sending anything again; a ticket never gets the same kind of
update twice (unique index on deliveries) whatever the tokens.

A ticket a reply cannot reach (closed, or its platform refuses free text now, e.g. WhatsApp after 24 hours) is
skipped and counted by reason — it is shown in the preview before anything is sent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from webcare.access.scope import visible_tickets
from webcare.channels.base import Capability, Connector
from webcare.channels.outbound import OutboundError, queue_post, reply_options
from webcare.channels.registry import connector_class
from webcare.conversations.models import ConversationKind, Direction, Message
from webcare.core.models import Agent, Channel
from webcare.incidents import wording
from webcare.incidents.access import LEADERS, REPLIERS, require
from webcare.incidents.models import (
    Incident,
    IncidentDelivery,
    IncidentStatus,
    IncidentTicket,
    IncidentUpdate,
    UpdateKind,
)
from webcare.live import publish
from webcare.replies import compose, signature, variables
from webcare.tickets.actions import ActionError, do_change_ticket, do_reply
from webcare.tickets.models import Status, Ticket

MAX_TITLE: Final = 200

#: Why a linked ticket is not answered (codes; the page words them).
CLOSED: Final = "closed"
ALREADY: Final = "already"
REFUSED: Final = "refused"
OUTSIDE: Final = "outside"


class IncidentError(ActionError):
    """A request about an incident that cannot be carried out as asked; ``field`` names the input at fault."""


@dataclass(frozen=True)
class Target:
    """One linked ticket and how an update would reach it."""

    ticket: Ticket
    key: str  #: the text it gets: "nb-informal"
    public: bool
    skip: str = ""  #: why it is not answered ("" when it is)


@dataclass
class Plan:
    """Who an update goes to: the linked tickets in the person's scope, grouped by language and register."""

    kind: str
    targets: list[Target]
    outside_scope: int = 0
    groups: dict[str, int] = field(default_factory=dict)  #: key → tickets it goes to, largest first
    skipped: dict[str, int] = field(default_factory=dict)  #: reason → tickets

    @property
    def sending(self) -> list[Target]:
        return [target for target in self.targets if not target.skip]


# -- who, in which language, where --------------------------------------------------------------------------------

def reply_publicly(conversation_kind: str, moved_to_private: bool, public_pii: bool, can_private: bool) -> bool:
    """Whether an update on a ticket is public: where the customer asked (a public comment gets a public answer),
    unless the conversation went private — an agent moved it to private messages, or the customer posted personal
    data in public — and the platform can answer privately. A private conversation is always answered privately."""
    if conversation_kind != ConversationKind.PUBLIC:
        return False
    return not ((moved_to_private or public_pii) and can_private)


def plan_updates(incident: Incident, agent: Agent, kind: str) -> Plan:
    """The targets of a reply to everyone (``reply_all``) or a closing update (``closing``) by ``agent``."""
    linked = Ticket.objects.filter(incident_links__incident=incident)
    visible = list(visible_tickets(agent, linked).select_related("customer", "conversation__channel")
                   .order_by("pk"))
    outside = linked.count() - len(visible)
    ids = [ticket.pk for ticket in visible]
    delivered = set(IncidentDelivery.objects.filter(incident=incident, kind=kind, ticket_id__in=ids)
                    .values_list("ticket_id", flat=True))
    went_private = set(Message.objects.filter(
        ticket_id__in=ids, direction=Direction.OUTBOUND, is_public=False, automatic="",
        conversation__kind=ConversationKind.PUBLIC).values_list("ticket_id", flat=True))
    languages = incident.organisation.languages or []
    targets = []
    for ticket in visible:
        language = wording.language_for(ticket.language, languages)
        key = wording.group_key(language, wording.register_for(ticket.register, language))
        conversation = ticket.conversation
        connector = connector_class(conversation.channel.kind)
        capabilities = connector.capabilities if connector is not None else frozenset()
        public = reply_publicly(conversation.kind, ticket.pk in went_private, ticket.public_pii,
                                Capability.PRIVATE_REPLY in capabilities)
        skip = ""
        if ticket.status == Status.CLOSED:
            skip = CLOSED
        elif ticket.pk in delivered:
            skip = ALREADY
        elif not public and _windowed(connector) and reply_options(conversation, ticket.pk).template_required:
            skip = REFUSED
        targets.append(Target(ticket, key, public, skip))
    plan = Plan(kind, targets, outside)
    plan.groups = dict(Counter(t.key for t in targets if not t.skip).most_common())
    plan.skipped = dict(Counter(t.skip for t in targets if t.skip))
    if outside:
        plan.skipped[OUTSIDE] = outside
    return plan


def _windowed(connector: type[Connector] | None) -> bool:
    """Whether the platform may refuse free text by time (WhatsApp's 24 hours): only then is the conversation's last
    message read to know (one query a ticket, which the others are spared)."""
    return connector is not None and connector.template_required is not Connector.template_required


def default_texts(plan: Plan) -> dict[str, str]:
    """The built-in text for each group of the plan (the page's boxes start with these)."""
    kind = wording.CLOSING if plan.kind == UpdateKind.CLOSING else wording.REPLY_ALL
    texts = {}
    for key in plan.groups or {t.key: 1 for t in plan.targets}:
        parsed = wording.parse_group_key(key)
        if parsed is not None:
            texts[key] = wording.default_text(kind, *parsed)
    return texts


def render_for(target: Target, agent: Agent, text: str) -> str:
    """The text one customer gets: personalised, then signed with the agent's signature for that ticket."""
    values = compose.values_for(target.ticket, agent.user)
    personal = wording.personalise(text, values[variables.CUSTOMER_FIRST_NAME], values)
    return signature.sign(personal, signature.signature_for(target.ticket, agent))


def check_texts(plan: Plan, texts: dict[str, str]) -> dict[str, str]:
    """The texts the plan's groups need, each checked; :class:`IncidentError` naming the first group at fault."""
    chosen = {}
    for key, count in plan.groups.items():
        text = (texts.get(key) or "").strip()
        if not text:
            raise IncidentError(f"texts.{key}", f"write the text for {key} ({count} customers), or leave the update")
        if unknown := variables.check(text):
            raise IncidentError(f"texts.{key}", "unknown variable " + ", ".join(
                variables.placeholder(name) for name in unknown) + f"; use {variables.known_list()}")
        chosen[key] = text
    return chosen


# -- sending --------------------------------------------------------------------------------------------------------

def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)


def _repeat(token: uuid.UUID | str | None, incident: Incident) -> IncidentUpdate | None:
    """The update an earlier submission of the same form made (a double click), or None."""
    if not token:
        return None
    try:
        token = uuid.UUID(str(token))
    except ValueError as exc:
        raise IncidentError("token", "the form's token is not valid; reload the page") from exc
    earlier = IncidentUpdate.objects.filter(token=token).first()
    if earlier is not None and earlier.incident_id != incident.pk:
        raise IncidentError("token", "this form belongs to another incident; reload the page")
    return earlier


def _send(incident: Incident, agent: Agent, plan: Plan, texts: dict[str, str], update: IncidentUpdate,
          next_status: str | None) -> tuple[int, Counter[str]]:
    """Reply on each target (each in its savepoint: one ticket the platform refuses does not stop the others)."""
    sent, skipped = 0, Counter(plan.skipped)
    for target in plan.sending:
        text = render_for(target, agent, texts[target.key])
        status = None if target.ticket.status == Status.SOLVED and next_status != Status.SOLVED else next_status
        try:
            with transaction.atomic():
                message = do_reply(target.ticket, agent.user, text, public=target.public, next_status=status)
                IncidentDelivery.objects.create(incident=incident, update=update, kind=update.kind,
                                                ticket=target.ticket, message=message)
        except ActionError:
            skipped[REFUSED] += 1
            continue
        sent += 1
    return sent, skipped


def do_reply_all(incident: Incident, agent: Agent, texts: dict[str, str], *,
                 token: uuid.UUID | str | None = None) -> IncidentUpdate:
    """Answer everyone affected at once (see the module docstring). Returns the update (its ``sent`` and
    ``skipped``); a repeat of the same ``token`` returns the first update and sends nothing."""
    require(agent, REPLIERS, "reply")
    with transaction.atomic():
        locked = _lock(incident)
        if (earlier := _repeat(token, locked)) is not None:
            return earlier
        if locked.status != IncidentStatus.OPEN:
            raise IncidentError("incident", "the incident is over; its tickets got the closing update")
        plan = plan_updates(locked, agent, UpdateKind.REPLY_ALL)
        if not plan.groups:
            raise IncidentError("tickets", "no linked ticket to answer: each has had this update, is closed, or is "
                                           "outside your teams")
        chosen = check_texts(plan, texts)
        update = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.REPLY_ALL, actor=agent.user,
                                               token=token or None, texts=chosen)
        sent, skipped = _send(locked, agent, plan, chosen, update, Status.PENDING)
        if not sent:
            raise IncidentError("tickets", "no reply could be queued: the platforms refuse replies on every ticket now")
        _finish(locked, update, sent, skipped)
    return update


def _finish(incident: Incident, update: IncidentUpdate, sent: int, skipped: Counter[str]) -> None:
    update.sent, update.skipped = sent, dict(skipped)
    update.save(update_fields=["sent", "skipped"])
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now())


def do_publish_post(incident: Incident, agent: Agent, texts: dict[int, str], *,
                    token: uuid.UUID | str | None = None) -> IncidentUpdate:
    """Publish a proactive public post on each channel given (channel id → its text): queued ``post`` jobs, sent by
    the sender. Every channel and text is checked before anything is written."""
    require(agent, LEADERS, "lead")
    wanted = {int(pk): text.strip() for pk, text in texts.items() if (text or "").strip()}
    if not wanted:
        raise IncidentError("texts", "write the post for at least one channel")
    with transaction.atomic():
        locked = _lock(incident)
        if (earlier := _repeat(token, locked)) is not None:
            return earlier
        channels = {c.pk: c for c in Channel.objects.filter(organisation_id=locked.organisation_id, pk__in=wanted)}
        for pk in wanted:
            if pk not in channels:
                raise IncidentError(f"texts.{pk}", "no such channel in this organisation")
        update = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.POST, actor=agent.user,
                                               token=token or None, texts={str(pk): t for pk, t in wanted.items()})
        for pk, text in wanted.items():
            try:
                message = queue_post(channels[pk], text, agent.user)
            except OutboundError as exc:
                raise IncidentError(f"texts.{pk}", exc.message) from exc
            IncidentDelivery.objects.create(incident=locked, update=update, kind=UpdateKind.POST, channel=channels[pk],
                                            message=message)
        _finish(locked, update, len(wanted), Counter())
    return update


def postable_channels(incident: Incident) -> list[Channel]:
    """The organisation's active channels whose platform takes a post of the brand's own."""
    channels = Channel.objects.filter(organisation_id=incident.organisation_id, is_active=True).order_by("kind", "name")
    return [c for c in channels if (cls := connector_class(c.kind)) is not None and Capability.POST in cls.capabilities]


def do_resolve(incident: Incident, agent: Agent, *, closing: dict[str, str] | None = None, solve: bool = False,
               token: uuid.UUID | str | None = None) -> IncidentUpdate:
    """End the incident as over: with ``closing`` texts, every linked ticket (that has not had it) gets the closing
    update; with ``solve``, the linked tickets are solved too. Returns the ``resolved`` update."""
    require(agent, LEADERS, "lead")
    with transaction.atomic():
        locked = _lock(incident)
        if (earlier := _repeat(token, locked)) is not None:
            return earlier
        if locked.status != IncidentStatus.OPEN:
            raise IncidentError("incident", f"the incident is already {locked.status}")
        sent = 0
        if closing is not None:
            plan = plan_updates(locked, agent, UpdateKind.CLOSING)
            chosen = check_texts(plan, closing)
            update = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.CLOSING, actor=agent.user,
                                                   texts=chosen)
            sent, skipped = _send(locked, agent, plan, chosen, update, Status.SOLVED if solve else Status.PENDING)
            _finish(locked, update, sent, skipped)
        elif solve:
            _solve_all(locked, agent)
        _end(locked, agent, IncidentStatus.RESOLVED)
        resolved = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.RESOLVED, actor=agent.user,
                                                 token=token or None, sent=sent)
    _copy_back(locked, incident)
    return resolved


def _solve_all(incident: Incident, agent: Agent) -> None:
    for ticket in Ticket.objects.filter(incident_links__incident=incident).exclude(
            status__in=[Status.SOLVED, Status.CLOSED]).order_by("pk"):
        do_change_ticket(ticket, agent.user, status=Status.SOLVED)


def _end(incident: Incident, agent: Agent, status: str) -> None:
    now = timezone.now()
    incident.status, incident.resolved_at, incident.resolved_by, incident.updated_at = status, now, agent.user, now
    incident.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
    tickets = list(IncidentTicket.objects.filter(incident=incident, open=True).values_list("ticket_id", flat=True))
    IncidentTicket.objects.filter(incident=incident).update(open=False)
    # Open inboxes refresh: the banner goes, and the tickets' lists show them as they now are.
    publish.tickets_changed(incident.organisation_id, tickets, agent.user_id)


def _copy_back(locked: Incident, incident: Incident) -> None:
    for name in ("status", "resolved_at", "resolved_by_id", "updated_at", "title", "title_edited"):
        setattr(incident, name, getattr(locked, name))


def do_dismiss(incident: Incident, agent: Agent) -> IncidentUpdate:
    """Close an incident that is not one (a false alarm): nothing is sent, the tickets are freed."""
    require(agent, LEADERS, "lead")
    with transaction.atomic():
        locked = _lock(incident)
        if locked.status != IncidentStatus.OPEN:
            raise IncidentError("incident", f"the incident is already {locked.status}")
        _end(locked, agent, IncidentStatus.CLOSED)
        update = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.CLOSED, actor=agent.user)
    _copy_back(locked, incident)
    return update


def do_rename(incident: Incident, agent: Agent, title: str) -> IncidentUpdate | None:
    """Give the incident a title people understand (the detector's is its shared terms); None when unchanged."""
    require(agent, LEADERS, "lead")
    title = " ".join(title.split())
    if not title:
        raise IncidentError("title", "the title cannot be empty")
    if len(title) > MAX_TITLE:
        raise IncidentError("title", f"the title can have at most {MAX_TITLE} characters")
    with transaction.atomic():
        locked = _lock(incident)
        if locked.title == title:
            return None
        update = IncidentUpdate.objects.create(incident=locked, kind=UpdateKind.RENAMED, actor=agent.user,
                                               texts={"old": locked.title, "new": title})
        locked.title, locked.title_edited, locked.updated_at = title, True, timezone.now()
        locked.save(update_fields=["title", "title_edited", "updated_at"])
    _copy_back(locked, incident)
    return update


def new_token() -> str:
    """A one-time token for a form (see the module docstring)."""
    return str(uuid.uuid4())


def summary(update: IncidentUpdate) -> dict[str, Any]:
    """An update's outcome for pages and the API."""
    return {"kind": update.kind, "sent": update.sent, "skipped": dict(update.skipped or {})}

