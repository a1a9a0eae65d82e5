"""Load the Fjordnett demo (``webcare.demo.scenario``) through the same path live messages take.

Why through ``store`` and the pipeline steps: the demo then shows exactly what the desk does with real traffic —
threads, customers, tickets, response times, and whatever later steps (triage, routing, SLA) add — instead of
hand-made rows that could drift from the real behaviour. Only what an agent would have done by hand (assigning,
labelling, notes, solving) is applied afterwards from the scenario's ticket list, with the scenario's times.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from webcare.conversations.models import Conversation
from webcare.core.models import Agent, Channel, Organisation, Team
from webcare.customers.merge import do_merge
from webcare.customers.models import Customer, Identity
from webcare.demo.scenario import Scenario, build_scenario
from webcare.inbox.models import SavedSearch
from webcare.inbox.saved_searches import do_save
from webcare.ingest import pipeline
from webcare.ingest.schema import MessageIn
from webcare.ingest.store import ParsedItem, store
from webcare.replies.actions import CannedInput, do_create_canned
from webcare.replies.models import CannedResponse
from webcare.tickets.models import EventKind, Label, Note, Status, Ticket, TicketEvent

#: Keys of a scenario message that are for the loader (or for evaluation), not part of webcare's message format.
ENVELOPE_KEYS = ("channel", "customer_key", "language")
BATCH = 500


@dataclass
class DemoSummary:
    organisation: str
    conversations: int
    messages: int
    tickets_by_status: dict[str, int]
    agents: list[str]
    agent_password: str | None
    already_loaded: bool = False


def _make_users(scenario: Scenario, org: Organisation, password: str) -> dict[str, Any]:
    user_model = get_user_model()
    teams = {}
    for team in scenario.teams:
        teams[team["slug"]], _ = Team.objects.get_or_create(
            organisation=org, slug=team["slug"], defaults={"name": team["name"], "signature": team["signature"]})
    users = {}
    for spec in scenario.agents:
        user, created = user_model.objects.get_or_create(username=spec["username"], defaults={
            "first_name": spec["first_name"], "last_name": spec["last_name"], "email": spec["email"]})
        if created:
            user.set_password(password)
            user.is_staff = spec["role"] in ("admin", "supervisor")
            user.save()
        agent, _ = Agent.objects.update_or_create(user=user, organisation=org, defaults={
            "role": spec["role"], "languages": spec["languages"]})
        for slug in spec["teams"]:
            teams[slug].members.add(agent)
        users[spec["username"]] = user
    return {"users": users, "teams": teams}


def _make_service_setup(org: Organisation, people: dict[str, Any]) -> None:
    """Opening hours, service levels, the escalation chain, assignment and the default routing rules of the demo
    desk, so every part of the service-level work has something to show (docs/service-levels.md)."""
    from webcare.hours.models import OpeningHours
    from webcare.routing.defaults import ensure_default_rules
    from webcare.sla.models import EscalationStep, SlaPolicy

    OpeningHours.objects.get_or_create(organisation=org, team=None, channel=None, defaults={
        "name": "Fjordnett customer service", "time_zone": "Europe/Oslo", "holiday_country": "NO",
        "weekly": {str(day): [["08:00", "20:00"]] for day in range(5)} | {"5": [["10:00", "16:00"]]},
    })
    policies = [
        {"name": "Urgent", "priorities": [1], "first_response_minutes": 30, "next_response_minutes": 30,
         "resolution_minutes": 8 * 60, "business_hours": False},
        {"name": "Public posts", "channel_kinds": ["facebook", "instagram", "x"], "first_response_minutes": 60,
         "next_response_minutes": 120, "resolution_minutes": 2 * 24 * 60},
        {"name": "Everything else", "first_response_minutes": 4 * 60, "next_response_minutes": 8 * 60,
         "resolution_minutes": 5 * 24 * 60},
    ]
    for position, spec in enumerate(policies):
        SlaPolicy.objects.get_or_create(organisation=org, name=spec["name"], defaults={"position": position, **spec})
    agents = {agent.user.username: agent for agent in Agent.objects.filter(organisation=org).select_related("user")}
    teams = people["teams"]
    supervisor, admin = agents.get("lars"), agents.get("marte")
    modes = {"customer-service": ("least_loaded", 30), "social": ("round_robin", 20), "sales-marketing": ("manual", 0)}
    for slug, team in teams.items():
        mode, reclaim = modes.get(slug, ("manual", 0))
        team.assignment, team.reclaim_minutes, team.supervisor = mode, reclaim, supervisor
        team.overflow_team = teams.get("customer-service") if slug == "social" else teams.get("social")
        team.save(update_fields=["assignment", "reclaim_minutes", "supervisor", "overflow_team"])
        if admin is not None:
            EscalationStep.objects.get_or_create(team=team, position=0, defaults={"agent": admin, "after_minutes": 60})
    ensure_default_rules(org)


def _make_canned_responses(scenario: Scenario, org: Organisation) -> None:
    """The desk's canned responses, written by the demo's admin through the same action as the inbox page."""
    author = Agent.objects.filter(organisation=org, role="admin").select_related("organisation").order_by("id").first()
    if author is None:
        return
    for spec in scenario.canned_responses:
        if not CannedResponse.objects.filter(organisation=org, title=spec["title"], language=spec["language"]).exists():
            do_create_canned(author, CannedInput(title=spec["title"], body=spec["body"], language=spec["language"],
                                                 team=spec["team"]))


def _make_saved_searches(scenario: Scenario, org: Organisation, users: dict[str, Any]) -> None:
    """Saved searches shown in the left pane, through the same action as the inbox's "Save search"."""
    for spec in scenario.saved_searches:
        owner = users.get(spec["owner"])
        if owner is not None and not SavedSearch.objects.filter(organisation=org, owner=owner,
                                                                  name=spec["name"]).exists():
            do_save(org, owner, spec["name"], spec["query"], shared=spec["shared"])


def _store_messages(scenario: Scenario, channels: dict[str, Channel]) -> None:
    items = []
    for raw in scenario.messages:
        body = {k: v for k, v in raw.items() if k not in ENVELOPE_KEYS}
        items.append(ParsedItem(channels[raw["channel"]], MessageIn.model_validate(body)))
    steps = pipeline.configured_steps()
    for start in range(0, len(items), BATCH):
        with transaction.atomic():
            result = store(items[start : start + BATCH])
            for step in steps:
                step.run(result)


def _link_customers(scenario: Scenario, org: Organisation, channels: dict[str, Channel]) -> None:
    """One person on several channels: merge their customers, as an agent would after recognising them."""
    identities_by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for raw in scenario.messages:
        if raw.get("direction", "inbound") == "inbound" and raw.get("customer_key"):
            identities_by_key[raw["customer_key"]].add((channels[raw["channel"]].kind, raw["author"]["id"]))
    for keys in identities_by_key.values():
        if len(keys) < 2:
            continue
        customers = []
        for platform, external_id in sorted(keys):
            identity = Identity.objects.select_related("customer").get(
                organisation=org, platform=platform, external_id=external_id)
            if identity.customer not in customers:
                customers.append(identity.customer)
        target = customers[0]
        for other in customers[1:]:
            do_merge(Customer.objects.get(pk=target.pk), Customer.objects.get(pk=other.pk), actor=None)


def _at(value: str | None, fallback: datetime) -> datetime:
    parsed = parse_datetime(value) if value else None
    return parsed or fallback


def _apply_ticket_states(scenario: Scenario, org: Organisation, channels: dict[str, Channel],
                         people: dict[str, Any]) -> None:
    users, teams = people["users"], people["teams"]
    labels: dict[str, Label] = {}
    for spec in scenario.tickets:
        conversation = Conversation.objects.get(channel=channels[spec["channel"]], external_id=spec["conversation_id"])
        ticket = Ticket.objects.filter(conversation=conversation).order_by("-id").first()
        if ticket is None:
            continue
        last_at = conversation.last_message_at
        assignee = users.get(spec.get("assignee") or "")
        team = teams.get(spec.get("team") or "")
        changes: list[TicketEvent] = []
        if team and ticket.team_id != team.pk:
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.TEAM, field="team",
                                       old=ticket.team.slug if ticket.team is not None else "", new=team.slug,
                                       at=ticket.created_at + timedelta(minutes=2)))
            ticket.team = team
        if assignee and ticket.assignee_id != assignee.pk:
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.ASSIGNEE, field="assignee",
                                       new=assignee.username, actor=assignee,
                                       at=ticket.created_at + timedelta(minutes=3)))
            ticket.assignee = assignee
        priority = int(spec.get("priority") or 3)
        if priority != ticket.priority:
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.PRIORITY, field="priority",
                                       old=str(ticket.priority), new=str(priority), at=ticket.created_at))
            ticket.priority = priority
        status = spec["status"]
        if status != ticket.status:
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.STATUS, field="status", old=ticket.status,
                                       new=status, actor=assignee, at=last_at + timedelta(minutes=5)))
            ticket.status = status
            if status in (Status.SOLVED, Status.CLOSED):
                ticket.solved_at = last_at + timedelta(minutes=5)
                ticket.waiting_since = None
            if status == Status.CLOSED:
                ticket.closed_at = last_at + timedelta(days=4)
        ticket.updated_at = max(ticket.updated_at, last_at)
        ticket.save()
        for name in spec.get("labels", []):
            if name not in labels:
                labels[name], _ = Label.objects.get_or_create(organisation=org, name=name)
            ticket.labels.add(labels[name])
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.LABEL_ADDED, field="labels", new=name,
                                       at=ticket.created_at + timedelta(minutes=1)))
        for note in spec.get("notes", []):
            at = _at(note.get("at"), last_at)
            author = users.get(note.get("author") or "")
            Note.objects.create(ticket=ticket, author=author, text=note["text"], created_at=at)
            changes.append(TicketEvent(ticket=ticket, kind=EventKind.NOTE, actor=author, at=at))
        TicketEvent.objects.bulk_create(changes)


def load_demo(now: datetime | None = None, seed: int = 7) -> DemoSummary:
    """Load the demo once; a second call finds it loaded and changes nothing."""
    now = now or timezone.now()
    scenario = build_scenario(now, seed)
    spec = scenario.organisation
    existing = Organisation.objects.filter(slug=spec["slug"]).first()
    if existing is not None and Conversation.objects.filter(organisation=existing).exists():
        return _summary(existing, scenario, None, already_loaded=True)
    password = secrets.token_urlsafe(9)
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "languages": spec["languages"]})
        channels = {}
        for channel in scenario.channels:
            channels[channel["slug"]], _ = Channel.objects.get_or_create(
                organisation=org, slug=channel["slug"],
                # Demo channels are not connected to any platform: replies on them are simulated (marked sent, posted
                # nowhere), and the channel list says so.
                defaults={"kind": channel["kind"], "name": channel["name"], "settings": {"simulate": True}})
        Channel.objects.get_or_create(organisation=org, slug="api", defaults={"kind": "api", "name": "API"})
        people = _make_users(scenario, org, password)
        _make_service_setup(org, people)
        _make_canned_responses(scenario, org)
        # The FAQ the web chat suggests from while a customer types (webcare/knowledge/demo_articles/).
        from webcare.knowledge.loader import DEMO_FILE, load_file

        load_file(org, DEMO_FILE)
        _make_saved_searches(scenario, org, people["users"])
    _store_messages(scenario, channels)
    with transaction.atomic():
        _link_customers(scenario, org, channels)
        _apply_ticket_states(scenario, org, channels, people)
        _start_clocks(org, now)
    return _summary(org, scenario, password)


def _start_clocks(org: Organisation, now: datetime) -> None:
    """The scenario set teams, priorities and states after storing: the SLA clocks follow from those."""
    from webcare.sla import sync as sla_sync
    from webcare.tickets.models import OPEN_TICKETS

    tickets = list(Ticket.objects.filter(OPEN_TICKETS, organisation=org).select_related("conversation__channel"))
    sla_sync.refresh(tickets, now)
    Ticket.objects.bulk_update(tickets, sla_sync.SLA_FIELDS, batch_size=500)


def _summary(org: Organisation, scenario: Scenario, password: str | None, already_loaded: bool = False) -> DemoSummary:
    counts: dict[str, int] = defaultdict(int)
    for status in Ticket.objects.filter(organisation=org).values_list("status", flat=True):
        counts[status] += 1
    return DemoSummary(
        organisation=org.slug,
        conversations=Conversation.objects.filter(organisation=org).count(),
        messages=sum(1 for _ in scenario.messages),
        tickets_by_status=dict(counts),
        agents=[a["username"] for a in scenario.agents],
        agent_password=password,
        already_loaded=already_loaded,
    )
