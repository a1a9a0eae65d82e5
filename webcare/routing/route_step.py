"""The ingestion step that routes each new ticket by its organisation's rules (the pure core is ``rules.py``).

It runs after triage (so language, intents, sentiment and priority are known) and before assignment (which then
assigns within the team chosen here), inside the batch's transaction. Writes are set-based like the rest of the
worker: one UPDATE shape for the tickets, one INSERT for the labels and one for the timeline rows, whatever the batch
size. Only automatic replies are written one by one, through :func:`webcare.tickets.actions.do_auto_reply`, because
each is a message with an outbound job (they are rare: one per matching ticket of a rule that has one).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from django.utils import timezone

from webcare.conversations.models import Direction, Message
from webcare.core.bulk import insert_rows, update_rows
from webcare.core.models import Agent, Team
from webcare.customers.models import Customer
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.routing.models import RoutingRule
from webcare.routing.rules import Decision, Facts, Rule, RuleError, parse_rule, route, uses_customer
from webcare.tickets import lifecycle
from webcare.tickets.actions import ASSIGNABLE_ROLES, do_auto_reply
from webcare.tickets.models import EventKind, Label, Status, Ticket, TicketEvent

logger = logging.getLogger(__name__)

#: An automatic reply answers a message that has just arrived. An import of old messages runs the same steps, and
#: must not write to customers about something they said last year.
AUTO_REPLY_MAX_AGE: Final = timedelta(hours=24)
#: What routing writes on every routed ticket, and in addition on the few it assigns or sets aside as spam (two
#: statement shapes, so the common case does not convert four empty dates per ticket).
TICKET_FIELDS: Final = ["team", "priority", "routed_by"]
MORE_FIELDS: Final = ["assignee", "assigned_at", "status", "solved_at", "no_reply_needed_at", "waiting_since"]


def stored_rule(row: RoutingRule) -> Rule | None:
    """A stored rule as the core reads it; None (and a warning) for one that no longer passes the checks, e.g. an
    intent that triage stopped giving: one bad rule must not stop the ingestion of every message."""
    try:
        return parse_rule({"name": row.name, "conditions": row.conditions, "actions": row.actions,
                           "stop": row.stop, "is_active": row.is_active}, rule_id=row.pk)
    except RuleError as exc:
        logger.warning("routing rule %s (%r) skipped: %s", row.pk, row.name, exc)
        return None


def active_rules(organisation_ids: Iterable[int]) -> dict[int, list[Rule]]:
    """Each organisation's active rules in order (one query for all of them)."""
    found: dict[int, list[Rule]] = defaultdict(list)
    rows = RoutingRule.objects.filter(organisation_id__in=set(organisation_ids), is_active=True).order_by(
        "organisation_id", "position", "id")
    for row in rows:
        if (rule := stored_rule(row)) is not None:
            found[row.organisation_id].append(rule)
    return found


def facts_for(ticket: Ticket, message: Message | None, customer: dict[str, str] | None = None) -> Facts:
    """What the rules see of a new ticket: its triage, its first message (redacted text, channel, public or not)
    and its customer."""
    text = message.safe_text if message is not None else ""
    if message is not None and message.subject:
        text = f"{ticket.subject}\n{text}"  # the ticket's subject is the e-mail subject with personal data masked
    channel = message.channel if message is not None else None
    customer = customer or {}
    return Facts(
        channel_kind=channel.kind if channel is not None else "", channel_slug=channel.slug if channel else "",
        language=ticket.language, intents=tuple(ticket.intents or ()), sentiment=ticket.sentiment_label,
        register=ticket.register, text=text, priority=ticket.priority,
        profane=bool(message.profane) if message is not None else False,
        public=bool(message.is_public) if message is not None else False, public_pii=ticket.public_pii,
        customer_name=customer.get("name", ""), customer_number=customer.get("customer_number", ""),
        customer_notes=customer.get("notes", ""),
    )


def _first_messages(batch: StoreResult, ticket_ids: set[int]) -> dict[int, Message]:
    first: dict[int, Message] = {}
    for message in batch.messages:  # time order
        if message.direction == Direction.INBOUND and message.ticket_id in ticket_ids:
            first.setdefault(message.ticket_id, message)
    return first


def _customers(tickets: list[Ticket]) -> dict[int, dict[str, str]]:
    ids = {ticket.customer_id for ticket in tickets if ticket.customer_id}
    rows = Customer.objects.filter(pk__in=ids).values_list("pk", "name", "customer_number", "notes")
    return {pk: {"name": name, "customer_number": number, "notes": notes} for pk, name, number, notes in rows}


class _Writes:
    """Everything one batch's routing writes, collected per kind and then written once each."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tickets: list[Ticket] = []
        self.more: list[Ticket] = []  # assigned or solved as spam: the other fields too
        self.events: list[TicketEvent] = []
        self.labels: list[tuple[Ticket, str]] = []
        self.replies: list[tuple[Ticket, str]] = []

    def event(self, ticket: Ticket, kind: str, field: str, old: str = "", new: str = "") -> None:
        self.events.append(TicketEvent(ticket=ticket, kind=kind, field=field, old=old[:255], new=new[:255],
                                       actor=None, at=self.now))


def _apply(ticket: Ticket, decision: Decision, teams: dict[str, Team], assignees: dict[str, int],
           first_sent: datetime | None, writes: _Writes) -> None:
    """Apply one decision to the ticket in memory and collect its timeline rows (the order an agent reads them)."""
    now = writes.now
    # One "routed by" row per ticket, naming the rule that decided; what further matching rules added (labels) has
    # its own rows below it.
    writes.event(ticket, EventKind.ROUTED, "rule", new=decision.routed_by)
    ticket.routed_by = decision.routed_by[:200]
    team = teams.get(decision.team or "")
    if team is not None and team.pk != ticket.team_id:
        old_team = ticket.team if ticket.team_id else None  # a new ticket has none: no query
        writes.event(ticket, EventKind.TEAM, "team", old_team.slug if old_team else "", team.slug)
        ticket.team = team
    if decision.priority is not None and decision.priority != ticket.priority:
        writes.event(ticket, EventKind.PRIORITY, "priority", str(ticket.priority), str(decision.priority))
        ticket.priority = decision.priority
    writes.labels += [(ticket, name) for name in decision.labels]
    user_id = assignees.get(decision.assign or "")
    if user_id is not None and ticket.assignee_id is None and not decision.spam:
        writes.event(ticket, EventKind.ASSIGNEE, "assignee", new=str(decision.assign))
        ticket.assignee_id = user_id
        ticket.assigned_at = now
    if decision.solve and ticket.status != Status.CLOSED:
        writes.event(ticket, EventKind.NO_REPLY, "no_reply_needed", new="yes")
        writes.events += [TicketEvent(ticket=c.ticket, kind=c.kind, field=c.field, old=c.old, new=c.new, actor=None,
                                      at=c.at or now) for c in lifecycle.set_status(ticket, Status.SOLVED, now)]
        ticket.no_reply_needed_at = now
        ticket.waiting_since = None
    if (decision.auto_reply and ticket.waiting_since is not None and first_sent is not None
            and now - first_sent <= AUTO_REPLY_MAX_AGE):
        writes.replies.append((ticket, decision.auto_reply))
    writes.tickets.append(ticket)
    if ticket.assignee_id is not None or decision.solve:
        writes.more.append(ticket)


def _write_labels(pairs: list[tuple[Ticket, str]], writes: _Writes) -> None:
    """Create the missing labels, then attach them all with one INSERT (a label already on a ticket is skipped)."""
    if not pairs:
        return
    by_org: dict[int, set[str]] = defaultdict(set)
    for ticket, name in pairs:
        by_org[ticket.organisation_id].add(name)
    label_ids: dict[tuple[int, str], int] = {}
    for organisation_id, names in by_org.items():
        Label.objects.bulk_create([Label(organisation_id=organisation_id, name=name) for name in sorted(names)],
                                  ignore_conflicts=True)
        for pk, name in Label.objects.filter(organisation_id=organisation_id, name__in=names).values_list("pk", "name"):
            label_ids[(organisation_id, name)] = pk
    through = Ticket.labels.through
    links = {(ticket.pk, label_ids[(ticket.organisation_id, name)]): (ticket, name) for ticket, name in pairs}
    through.objects.bulk_create([through(ticket_id=t, label_id=label) for t, label in links], ignore_conflicts=True)
    for ticket, name in links.values():
        writes.event(ticket, EventKind.LABEL_ADDED, "labels", new=name)


class RouteTickets(Step):
    """Route the batch's new tickets: team, priority, labels, an assignee, an automatic reply, or spam."""

    name = "routing"

    def run(self, batch: StoreResult) -> None:
        new = [ticket for ticket in batch.new_tickets if ticket.pk is not None]
        if not new:
            return
        rules = active_rules({ticket.organisation_id for ticket in new})
        tickets = [ticket for ticket in new if rules.get(ticket.organisation_id)]
        if not tickets:
            return
        now = timezone.now()
        first = _first_messages(batch, {ticket.pk for ticket in tickets})
        wants_customers = uses_customer(rule for org_rules in rules.values() for rule in org_rules)
        customers = _customers(tickets) if wants_customers else {}
        decisions = {
            ticket.pk: route(rules[ticket.organisation_id],
                             facts_for(ticket, first.get(ticket.pk), customers.get(ticket.customer_id or 0)))
            for ticket in tickets
        }
        routed = [ticket for ticket in tickets if decisions[ticket.pk].matched]
        if not routed:
            return
        teams = self._teams(routed, decisions)
        assignees = self._assignees(routed, decisions)
        writes = _Writes(now)
        for ticket in routed:
            message = first.get(ticket.pk)
            _apply(ticket, decisions[ticket.pk], teams.get(ticket.organisation_id, {}),
                   assignees.get(ticket.organisation_id, {}), message.sent_at if message else None, writes)
        update_rows(writes.tickets, TICKET_FIELDS)
        update_rows(writes.more, MORE_FIELDS)
        _write_labels(writes.labels, writes)
        insert_rows(writes.events)
        for ticket, text in writes.replies:
            do_auto_reply(ticket, text, "rule")

    @staticmethod
    def _teams(tickets: list[Ticket], decisions: dict[int, Decision]) -> dict[int, dict[str, Team]]:
        """The teams the decisions name, per organisation (one query)."""
        wanted = {decisions[t.pk].team for t in tickets if decisions[t.pk].team}
        if not wanted:
            return {}
        found: dict[int, dict[str, Team]] = defaultdict(dict)
        organisations = {t.organisation_id for t in tickets}
        for team in Team.objects.filter(organisation_id__in=organisations, slug__in=wanted):
            found[team.organisation_id][team.slug] = team
        return found

    @staticmethod
    def _assignees(tickets: list[Ticket], decisions: dict[int, Decision]) -> dict[int, dict[str, int]]:
        """The user ids of the agents the decisions name, who can take tickets now (active, not analysts)."""
        wanted = {decisions[t.pk].assign for t in tickets if decisions[t.pk].assign not in (None, "auto")}
        if not wanted:
            return {}
        found: dict[int, dict[str, int]] = defaultdict(dict)
        rows = Agent.objects.filter(
            organisation_id__in={t.organisation_id for t in tickets}, user__username__in=wanted,
            role__in=ASSIGNABLE_ROLES, user__is_active=True,
        ).values_list("organisation_id", "user__username", "user_id")
        for organisation_id, username, user_id in rows:
            found[organisation_id][username] = user_id
        return found
