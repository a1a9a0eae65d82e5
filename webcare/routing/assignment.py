"""Who gets a ticket: the pure rules of automatic assignment (no database, no clock).

The ingestion step (``assign_step.py``), the reclaim and pool pass (``reclaim.py``) and the day simulation
(``benchmarks/simulate_day.py``) all decide with these functions, so what the tests prove here is what runs.

The rules, in order:

1. **Presence**: only agents who are ``online`` get new work. Away and offline agents keep what they hold.
2. **Capacity**: an agent holding ``capacity`` or more new and open tickets gets nothing more.
3. **Skills**: when the ticket's language is known and the agent lists languages, the agent must answer in it
   (bokmål and nynorsk count as one: every Norwegian reads both); an agent with no languages listed takes any. When
   the agent lists channel kinds, the ticket's channel must be one of them; none listed means every channel.
   Nobody who qualifies means nobody: a ticket is never given to an agent who cannot answer it. It stays in the
   team's pool, visible in "Unassigned", and is offered again on every pass.
4. **Mode**: *round-robin* gives the ticket to the next qualifying agent after the one who got the team's last
   ticket, in a stable order (agent id), wrapping round; *least loaded* to the qualifying agent with the fewest new
   and open tickets, ties going to whoever was assigned longest ago (never counts as longest), then the lower id.

A backlog is assigned in fairness order only (:func:`fairness_key`): priority, then the longest wait, then the
ticket id. Nothing about the customer — followers, reach, who they are — is an input here; it cannot be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final

ONLINE: Final = "online"
ROUND_ROBIN: Final = "round_robin"
LEAST_LOADED: Final = "least_loaded"
#: Team assignment modes that assign by themselves ("manual" leaves tickets for agents to take).
AUTO_MODES: Final = frozenset({ROUND_ROBIN, LEAST_LOADED})

#: Written languages an agent who lists one of them can answer in: every Norwegian reads and writes both standards.
SAME_LANGUAGE: Final[Mapping[str, frozenset[str]]] = {
    "nb": frozenset({"nb", "nn"}),
    "nn": frozenset({"nb", "nn"}),
}

#: Sorts before every real time: an agent never assigned counts as assigned longest ago.
_NEVER: Final = datetime.min


def _instant(moment: datetime | None) -> datetime:
    """A time comparable with any other: aware times as naive UTC (webcare's), naive ones as they are (a
    simulation's); None as the earliest time of all."""
    if moment is None:
        return _NEVER
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


@dataclass(frozen=True)
class Candidate:
    """An agent as assignment sees them.

    ``load``: the new and open tickets they hold now. ``last_assigned_at``: when they last got a ticket (None: never,
    or nothing they hold). ``languages``/``channel_kinds`` empty: every language / every channel.
    """

    agent_id: int
    presence: str
    load: int
    capacity: int
    languages: frozenset[str] = frozenset()
    channel_kinds: frozenset[str] = frozenset()
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class TicketNeeds:
    """What a ticket asks of its agent: its language ("" unknown) and its channel's kind ("" unknown)."""

    language: str = ""
    channel_kind: str = ""


@dataclass(frozen=True)
class PoolTicket:
    """A ticket waiting for an owner, with what orders it (priority, waiting since, id) and what it needs.

    ``not_agent_id``: an agent who must not get it this time — the one it was just reclaimed from, so a reclaimed
    ticket moves on to a colleague rather than straight back.
    """

    ticket_id: int
    team_id: int
    priority: int
    waiting_since: datetime | None
    needs: TicketNeeds = TicketNeeds()
    not_agent_id: int | None = None


@dataclass(frozen=True)
class TeamPolicy:
    """How one team assigns: its mode, who may take its tickets now (members, plus the overflow team's members while
    the overflow runs) and who got its last round-robin ticket."""

    team_id: int
    mode: str
    agent_ids: tuple[int, ...]
    last_assigned_id: int | None = None


@dataclass(frozen=True)
class Assignment:
    ticket_id: int
    team_id: int
    agent_id: int


@dataclass
class Plan:
    """The outcome of :func:`plan`: the assignments in the order made, each team's new round-robin pointer, the
    agents as they stand afterwards, and the tickets left in the pool."""

    assignments: list[Assignment] = field(default_factory=list)
    last_assigned: dict[int, int] = field(default_factory=dict)
    agents: dict[int, Candidate] = field(default_factory=dict)
    unassigned: list[int] = field(default_factory=list)


def speaks(candidate: Candidate, language: str) -> bool:
    """Whether the agent can answer a ticket in ``language`` ("" is unknown: anyone can)."""
    if not language or not candidate.languages:
        return True
    return bool(SAME_LANGUAGE.get(language, frozenset({language})) & candidate.languages)


def eligible(candidate: Candidate, needs: TicketNeeds) -> bool:
    """Whether the agent may get this ticket now: online, below capacity, and able to answer it."""
    if candidate.presence != ONLINE or candidate.load >= candidate.capacity:
        return False
    if needs.channel_kind and candidate.channel_kinds and needs.channel_kind not in candidate.channel_kinds:
        return False
    return speaks(candidate, needs.language)


def choose_agent(candidates: Iterable[Candidate], mode: str, last_assigned_id: int | None,
                 ticket_needs: TicketNeeds) -> int | None:
    """The agent id the ticket goes to, or None when nobody qualifies (the ticket stays in the pool).

    ``mode`` is ``round_robin`` or ``least_loaded``; anything else is a programming error (manual teams are not
    assigned at all), so it raises ``ValueError`` naming the mode.
    """
    if mode not in AUTO_MODES:
        raise ValueError(f"mode: {mode!r} does not assign by itself; use one of {', '.join(sorted(AUTO_MODES))}")
    qualified = sorted((c for c in candidates if eligible(c, ticket_needs)), key=lambda c: c.agent_id)
    if not qualified:
        return None
    if mode == ROUND_ROBIN:
        if last_assigned_id is not None:
            for candidate in qualified:
                if candidate.agent_id > last_assigned_id:
                    return candidate.agent_id
        return qualified[0].agent_id
    best = min(qualified, key=lambda c: (c.load, _instant(c.last_assigned_at), c.agent_id))
    return best.agent_id


def fairness_key(ticket: PoolTicket) -> tuple[int, bool, datetime, int]:
    """Priority, then longest waiting first (a ticket nobody waits on after those who wait), then id: the inbox's
    order (``inbox.queues.in_list_order``). Deliberately nothing else."""
    waiting = ticket.waiting_since
    return (ticket.priority, waiting is None, _instant(waiting), ticket.ticket_id)


def plan(tickets: Iterable[PoolTicket], agents: Mapping[int, Candidate], teams: Mapping[int, TeamPolicy],
         now: datetime) -> Plan:
    """Assign a backlog: each ticket in fairness order goes to :func:`choose_agent` of its team, and every
    assignment counts at once (the agent's load goes up, and they become the most recently assigned).

    ``tickets`` may come in any order and from several teams; teams that share agents (an overflow) share their
    loads, so nobody is given more than their capacity. A ticket whose team is not in ``teams`` stays unassigned.
    """
    result = Plan(agents=dict(agents))
    pointers = {team_id: policy.last_assigned_id for team_id, policy in teams.items()}
    stamp = max([_instant(now)] + [_instant(a.last_assigned_at) for a in agents.values()])
    for ticket in sorted(tickets, key=fairness_key):
        policy = teams.get(ticket.team_id)
        if policy is None:
            result.unassigned.append(ticket.ticket_id)
            continue
        members = [result.agents[agent_id] for agent_id in policy.agent_ids
                   if agent_id in result.agents and agent_id != ticket.not_agent_id]
        chosen = choose_agent(members, policy.mode, pointers[ticket.team_id], ticket.needs)
        if chosen is None:
            result.unassigned.append(ticket.ticket_id)
            continue
        # Each assignment is later than every one before it, so "assigned longest ago" stays a strict order.
        stamp += timedelta(microseconds=1)
        agent = result.agents[chosen]
        assigned_at = stamp.replace(tzinfo=UTC) if now.tzinfo is not None else stamp
        result.agents[chosen] = replace(agent, load=agent.load + 1, last_assigned_at=assigned_at)
        pointers[ticket.team_id] = chosen
        result.last_assigned[ticket.team_id] = chosen
        result.assignments.append(Assignment(ticket.ticket_id, ticket.team_id, chosen))
    return result


def spare_capacity(agents: Sequence[Candidate]) -> int:
    """How many more tickets these agents can take now (online ones only)."""
    return sum(max(0, a.capacity - a.load) for a in agents if a.presence == ONLINE)
