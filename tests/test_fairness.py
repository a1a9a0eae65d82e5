"""Same service for everyone: follower counts never change a ticket's priority, its place in the inbox, or when it is
assigned.

Customers with millions of followers and customers with none write at interleaved times. Two desks get the same
messages — one with the follower counts platforms send (shuffled between runs), one without any — and everything
webcare decides must come out the same: priority, the inbox's order (``webcare.inbox.queues.tickets``) and the order
tickets are handed to agents, which is by priority and then purely by how long the customer has waited.
"""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Personas, make_user
from webcare.core.models import Agent, AssignmentMode, Channel, Organisation, Presence, Role, Team
from webcare.inbox import queues
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.routing.assignment import LEAST_LOADED, ROUND_ROBIN, Candidate, PoolTicket, TeamPolicy, plan
from webcare.routing.models import RoutingRule
from webcare.routing.presence import do_set_presence
from webcare.tickets.models import EventKind, Ticket, TicketEvent

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
CUSTOMERS = 16
#: What customers write: a few kinds of message, so priorities differ between them but never because of who wrote.
TEXTS = (
    "Hei, fakturaen min for november er feil, jeg er belastet to ganger",  # a complaint: normal (3)
    "Jeg sier opp abonnementet og går til pressen hvis dere ikke fikser internett i dag",  # a threat: high (2)
    "Tusen takk for god hjelp i går, dere er flinke!",  # praise: low (4)
    "Hvordan bytter jeg passord på Min side?",  # a question: normal (3)
)
BIG = (10_000_000, 2_500_000, 850_000)


def build_desk(slug: str) -> dict[str, Any]:
    """An organisation with an API channel, a round-robin team of three agents (all offline) and a rule sending the
    channel's tickets to the team."""
    org = Organisation.objects.create(slug=slug, name=slug.title(), languages=["nb", "en"])
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    team = Team.objects.create(organisation=org, slug="service", name="Service", assignment=AssignmentMode.ROUND_ROBIN)
    users = [make_user(f"{slug}-{name}", org, Role.AGENT) for name in ("a", "b", "c")]
    team.members.set(Agent.objects.filter(user__in=users))
    RoutingRule.objects.create(organisation=org, name="All to service", position=0,
                               conditions=[{"field": "channel", "op": "is", "value": "api"}],
                               actions={"team": team.slug})
    return {"org": org, "channel": channel, "team": team, "users": users}


def deliver(desk: dict[str, Any], followers: dict[int, int | None], arrival: list[int]) -> None:
    """Customer ``n`` writes ``TEXTS[n % 4]`` at T0 + n minutes; deliveries reach webcare in ``arrival`` order."""
    for n in arrival:
        author: dict[str, Any] = {"id": f"cust-{n}", "handle": f"@cust{n}", "name": f"Customer {n}"}
        if followers.get(n) is not None:
            author["followers"] = followers[n]
        payload = {"message_id": f"m-{n}", "conversation_id": f"conv-{n}", "conversation_kind": "public",
                   "author": author, "text": TEXTS[n % len(TEXTS)],
                   "sent_at": (T0 + timedelta(minutes=n)).isoformat()}
        receive(desk["channel"], payload, external_id=payload["message_id"])
    drain()


def outcome(desk: dict[str, Any]) -> dict[str, Any]:
    """What webcare decided, keyed by conversation: priorities, the inbox's order, and the assignment order."""
    org, reader = desk["org"], desk["users"][0]
    tickets = Ticket.objects.filter(organisation=org).select_related("conversation")
    priority = {t.conversation.external_id: t.priority for t in tickets}
    inbox = [t.conversation.external_id for t in queues.tickets(org, "unassigned", reader)]
    assigned = (TicketEvent.objects.filter(ticket__organisation=org, kind=EventKind.ASSIGNEE, field="assignee")
                .order_by("at", "id").values_list("ticket__conversation__external_id", "new"))
    return {"priority": priority, "inbox": inbox,
            "assigned": [(conv, who.removeprefix(org.slug + "-")) for conv, who in assigned]}


def serve(desk: dict[str, Any], capacity: int) -> None:
    """The agents come online one after the other, each taking up to ``capacity`` waiting tickets."""
    Agent.objects.filter(organisation=desk["org"]).update(capacity=capacity)
    for user in desk["users"]:
        do_set_presence(Agent.objects.get(user=user), Presence.ONLINE)


def test_it_never_lets_followers_change_priority_inbox_order_or_assignment_order(personas: Personas) -> None:
    famous = build_desk("famous")
    plain = build_desk("plain")
    arrival = [n for pair in zip(range(0, CUSTOMERS, 2), range(1, CUSTOMERS, 2), strict=True) for n in pair[::-1]]
    deliver(famous, {n: BIG[n % 3] if n % 2 else None for n in range(CUSTOMERS)}, arrival)
    deliver(plain, {}, arrival)

    before = outcome(famous)
    assert before["priority"] == outcome(plain)["priority"]
    assert set(before["priority"].values()) == {2, 3, 4}  # the messages differ in urgency: order is tested across it
    expected = sorted(before["priority"], key=lambda conv: (before["priority"][conv], int(conv.split("-")[1])))
    assert before["inbox"] == expected  # priority, then oldest first: nothing else
    assert before["assigned"] == []  # everybody offline: all wait in the pool

    serve(famous, capacity=3)
    serve(plain, capacity=3)
    after = outcome(famous)
    assert after["assigned"] == outcome(plain)["assigned"]
    assert [conv for conv, _who in after["assigned"]] == expected[:9]  # three agents × three places
    assert after["inbox"] == expected[9:]  # the customers still waiting, in the same order


@pytest.mark.parametrize("seed", range(5))
def test_it_gives_the_same_result_whatever_the_follower_counts_and_arrival_order(personas: Personas,
                                                                                 seed: int) -> None:
    rng = random.Random(seed)
    counts: list[int | None] = [rng.choice([None, 0, 12, 40_000, 3_000_000, 90_000_000]) for _ in range(CUSTOMERS)]
    rng.shuffle(counts)
    arrival = list(range(CUSTOMERS))
    rng.shuffle(arrival)
    shuffled, baseline = build_desk("shuffled"), build_desk("baseline")
    deliver(shuffled, dict(enumerate(counts)), arrival)
    deliver(baseline, {}, sorted(arrival))
    serve(shuffled, capacity=2)
    serve(baseline, capacity=2)
    assert outcome(shuffled) == outcome(baseline)


def test_it_has_no_input_that_could_carry_reach() -> None:
    """The assignment core sees only these facts about a ticket and an agent; a new one must be argued here."""
    assert {f.name for f in fields(PoolTicket)} == {"ticket_id", "team_id", "priority", "waiting_since", "needs",
                                                     "not_agent_id"}
    assert {f.name for f in fields(Candidate)} == {"agent_id", "presence", "load", "capacity", "languages",
                                                    "channel_kinds", "last_assigned_at"}


@pytest.mark.parametrize("mode", [ROUND_ROBIN, LEAST_LOADED])
def test_it_plans_the_same_whatever_order_the_backlog_comes_in(mode: str) -> None:
    rng = random.Random(7)
    tickets = [PoolTicket(n, 1, rng.choice([1, 2, 3, 3, 4]), T0 + timedelta(seconds=rng.randrange(3600)))
               for n in range(60)]
    agents = {a: Candidate(a, "online", rng.randrange(3), 12) for a in range(1, 6)}
    teams = {1: TeamPolicy(1, mode, tuple(agents))}
    reference = plan(tickets, agents, teams, T0).assignments
    assert len(reference) == sum(12 - a.load for a in agents.values())
    served = [t for t in sorted(tickets, key=lambda t: (t.priority, t.waiting_since, t.ticket_id))]
    assert [a.ticket_id for a in reference] == [t.ticket_id for t in served[: len(reference)]]
    for _ in range(10):
        rng.shuffle(tickets)
        assert plan(tickets, agents, teams, T0).assignments == reference
