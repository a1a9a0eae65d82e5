"""The database side of automatic assignment: read a team's pool and its agents, apply a plan, write it set-based.

Used by the ingestion step (:mod:`webcare.routing.assign_step`), by the automation pass that reclaims and re-offers
tickets (:mod:`webcare.routing.reclaim`) and when an agent comes online (:mod:`webcare.routing.presence`). The
decisions are :func:`webcare.routing.assignment.plan`'s; this module only gathers its inputs and writes its outcome.

Why the pool is always read, even for one new ticket: a ticket that arrives while older ones of the same team wait
(everybody was at capacity) must not jump the queue the moment a place frees up. So every assignment — at ingestion,
on the periodic pass, when somebody comes online — plans over the team's waiting tickets in fairness order.

Concurrency: the candidates' agent rows are locked ``FOR NO KEY UPDATE SKIP LOCKED`` and the pool's tickets
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers (or a worker and the automation loop) never both count an
agent's load and hand them one ticket too many, and neither ever waits for the other: an agent another transaction
is assigning to right now is simply not a candidate in this one, and tickets left over are taken on the next pass
(``WEBCARE_AUTOMATION_SECONDS``). SQLite has one writer at a time, which gives the same guarantee.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from webcare.core.bulk import insert_rows, update_rows
from webcare.core.models import Agent, Presence, Team
from webcare.live import publish
from webcare.routing.assignment import (
    AUTO_MODES,
    SAME_LANGUAGE,
    Candidate,
    Plan,
    PoolTicket,
    TeamPolicy,
    TicketNeeds,
    eligible,
    plan,
)
from webcare.tickets.actions import ASSIGNABLE_ROLES
from webcare.tickets.models import OPEN_TICKETS, EventKind, Status, Ticket, TicketEvent

ACTIVE: Final = (Status.NEW, Status.OPEN)
#: Most tickets read from one team's pool per pass: a page of the queue's head, far more than any team takes at once.
POOL_LIMIT: Final = 500
#: Tickets read beyond the team's free places, for those the first agents in line cannot take (language, channel).
POOL_SLACK: Final = 50


@dataclass
class Staff:
    """The candidates of some teams: the agents as assignment sees them, each team's policy, and who they are."""

    agents: dict[int, Candidate]
    teams: dict[int, TeamPolicy]
    user_of: dict[int, int]
    username_of: dict[int, str]


def lock_skipping(queryset: QuerySet[Any], **options: Any) -> QuerySet[Any]:
    """``queryset`` locked ``FOR UPDATE SKIP LOCKED`` (its own table only) where the database can; SQLite's single
    writer needs no row locks."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",), **options)
    return queryset


def load_staff(organisation_id: int, team_ids: Collection[int], now: datetime) -> Staff:
    """The auto-assigning teams among ``team_ids`` and their online agents (locked) with their loads, read in one
    query. While a team's ``overflow_until`` is in the future, its overflow team's members are candidates too."""
    teams = list(Team.objects.filter(organisation_id=organisation_id, pk__in=team_ids, assignment__in=AUTO_MODES)
                 .values("pk", "assignment", "last_assigned_id", "overflow_team_id", "overflow_until"))
    if not teams:
        return Staff({}, {}, {}, {})
    draws_on: dict[int, list[int]] = {}
    for team in teams:
        overflowing = team["overflow_team_id"] and team["overflow_until"] and team["overflow_until"] > now
        draws_on[team["pk"]] = [team["pk"]] + ([team["overflow_team_id"]] if overflowing else [])
    members: dict[int, set[int]] = defaultdict(set)
    membership = Team.members.through.objects.filter(team_id__in={t for ts in draws_on.values() for t in ts})
    for team_id, agent_id in membership.values_list("team_id", "agent_id"):
        members[team_id].add(agent_id)
    wanted = {agent_id for ids in members.values() for agent_id in ids}
    # Each agent's load and latest assignment as correlated subqueries: one index scan of ``ticket_open_counts`` per
    # agent (measured at 30,000 open tickets: under a millisecond, against 25 ms for one GROUP BY over the
    # organisation's open tickets, which PostgreSQL chose because it cannot know that few of them are assigned).
    open_held = (Ticket.objects.filter(OPEN_TICKETS, organisation_id=OuterRef("organisation_id"),
                                       assignee_id=OuterRef("user_id"))
                 .order_by().values("assignee_id"))
    rows = list(lock_skipping(
        Agent.objects.filter(pk__in=wanted, organisation_id=organisation_id, presence=Presence.ONLINE,
                             role__in=ASSIGNABLE_ROLES, user__is_active=True)
        .annotate(load=Coalesce(Subquery(open_held.annotate(n=Count("id", filter=Q(status__in=ACTIVE)))
                                         .values("n")), 0),
                  last=Subquery(open_held.annotate(latest=Max("assigned_at")).values("latest"))),
        no_key=True,
    ).values("pk", "user_id", "user__username", "presence", "capacity", "languages", "channel_kinds", "load", "last"))
    agents = {
        row["pk"]: Candidate(
            agent_id=row["pk"], presence=row["presence"], load=row["load"], capacity=row["capacity"],
            languages=frozenset(row["languages"] or ()), channel_kinds=frozenset(row["channel_kinds"] or ()),
            last_assigned_at=row["last"],
        )
        for row in rows
    }
    policies = {
        team["pk"]: TeamPolicy(
            team_id=team["pk"], mode=team["assignment"], last_assigned_id=team["last_assigned_id"],
            agent_ids=tuple(sorted({a for t in draws_on[team["pk"]] for a in members[t] if a in agents})),
        )
        for team in teams
    }
    return Staff(agents, policies,
                 user_of={row["pk"]: row["user_id"] for row in rows},
                 username_of={row["pk"]: row["user__username"] for row in rows})


def _skills_filter(agents: list[Candidate]) -> Q:
    """Only tickets at least one of these agents could answer (language and channel), so a head of the queue that
    nobody online can take does not crowd out the tickets behind it."""
    condition = Q()
    if all(agent.languages for agent in agents):
        languages = {code for agent in agents for spoken in agent.languages
                     for code in SAME_LANGUAGE.get(spoken, frozenset({spoken}))}
        condition &= Q(language="") | Q(language__in=sorted(languages))
    if all(agent.channel_kinds for agent in agents):
        condition &= Q(conversation__channel__kind__in=sorted({k for agent in agents for k in agent.channel_kinds}))
    return condition


def read_pool(organisation_id: int, policy: TeamPolicy, agents: Mapping[int, Candidate],
              not_agent: Mapping[int, int] | None = None) -> list[PoolTicket]:
    """The head of the team's unassigned queue in fairness order, locked (skipping tickets another transaction
    holds), as far as the team's online agents could take them. Index: ``ticket_unassigned_queue``."""
    available = [agents[a] for a in policy.agent_ids if eligible(agents[a], TicketNeeds())]
    free = sum(agent.capacity - agent.load for agent in available)
    if free <= 0:
        return []
    queryset = (Ticket.objects.filter(organisation_id=organisation_id, team_id=policy.team_id,
                                      assignee__isnull=True, status__in=ACTIVE)
                .filter(_skills_filter(available))
                .order_by("priority", F("waiting_since").asc(nulls_last=True), "id"))
    rows = lock_skipping(queryset).values("pk", "priority", "waiting_since", "language", "conversation__channel__kind")
    not_agent = not_agent or {}
    return [
        PoolTicket(ticket_id=row["pk"], team_id=policy.team_id, priority=row["priority"],
                   waiting_since=row["waiting_since"],
                   needs=TicketNeeds(row["language"], row["conversation__channel__kind"]),
                   not_agent_id=not_agent.get(row["pk"]))
        for row in rows[: min(POOL_LIMIT, free + POOL_SLACK)]
    ]


def apply(organisation_id: int, outcome: Plan, staff: Staff, now: datetime,
          in_memory: Mapping[int, Ticket] | None = None) -> list[int]:
    """Write the plan: each ticket's assignee, ``assigned_at`` (now) and ``touched_at`` (None: nobody has acted on
    it yet, which starts the reclaim clock), one timeline row each (actor None: the system), the teams'
    round-robin pointers, and a live event. Tickets the caller holds in memory (an ingestion batch) get the same
    values, so later steps see them. Returns the ids of the tickets assigned."""
    if not outcome.assignments:
        return []
    in_memory = in_memory or {}
    rows: list[Ticket] = []
    events: list[TicketEvent] = []
    for assignment in outcome.assignments:
        ticket = in_memory.get(assignment.ticket_id) or Ticket(pk=assignment.ticket_id)
        ticket.assignee_id = staff.user_of[assignment.agent_id]
        ticket.assigned_at = now
        ticket.touched_at = None
        ticket.updated_at = now
        rows.append(ticket)
        events.append(TicketEvent(ticket_id=assignment.ticket_id, kind=EventKind.ASSIGNEE, field="assignee", old="",
                                  new=staff.username_of[assignment.agent_id][:255], actor=None, at=now))
    update_rows(rows, ["assignee", "assigned_at", "touched_at", "updated_at"])
    insert_rows(events)
    for team_id, agent_id in outcome.last_assigned.items():
        Team.objects.filter(pk=team_id).update(last_assigned_id=agent_id)
    ids = [assignment.ticket_id for assignment in outcome.assignments]
    # The batch's own tickets are announced by the live step at the end of the batch; the others here.
    elsewhere = [pk for pk in ids if pk not in in_memory]
    if elsewhere:
        publish.tickets_changed(organisation_id, elsewhere, None)
    return ids


def assign_pool(organisation_id: int, team_ids: Collection[int], now: datetime,
                in_memory: Mapping[int, Ticket] | None = None, not_agent: Mapping[int, int] | None = None) -> list[int]:
    """Assign the waiting tickets of these teams (those that assign automatically) to their online agents in
    fairness order, as far as capacity and skills allow. The caller holds the transaction. Returns the ids
    assigned. ``not_agent``: ticket id → an agent who must not get it in this pass (the one it was just taken from)."""
    staff = load_staff(organisation_id, team_ids, now)
    if not staff.agents:
        return []
    tickets: list[PoolTicket] = []
    for policy in staff.teams.values():
        tickets += read_pool(organisation_id, policy, staff.agents, not_agent)
    if not tickets:
        return []
    return apply(organisation_id, plan(tickets, staff.agents, staff.teams, now), staff, now, in_memory)
