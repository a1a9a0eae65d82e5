"""Automatic assignment (webcare/routing): the pure rules, then the same rules through ingestion, the automation pass
(reclaim and the pool), presence, overflow teams, and the staff forms that configure them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from webcare.core.models import Agent, AssignmentMode, Presence, Role, Team
from webcare.routing import reclaim
from webcare.routing.assign_step import OFFLINE_REASON
from webcare.routing.assignment import (
    LEAST_LOADED,
    ROUND_ROBIN,
    Candidate,
    PoolTicket,
    TeamPolicy,
    TicketNeeds,
    choose_agent,
    plan,
)
from webcare.routing.models import RoutingRule
from webcare.routing.presence import do_set_presence
from webcare.staff import actions as staff_actions
from webcare.tickets.actions import ActionError, do_add_note, do_change_ticket, do_reply
from webcare.tickets.models import EventKind, Status, Ticket, TicketEvent

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ANY = TicketNeeds()


def online(agent_id: int, load: int = 0, capacity: int = 8, **kw: Any) -> Candidate:
    return Candidate(agent_id=agent_id, presence="online", load=load, capacity=capacity, **kw)


# -- the pure rules ---------------------------------------------------------------------------------------------------


def test_it_gives_round_robin_tickets_to_the_next_agent_after_the_last_one_and_wraps_round() -> None:
    agents = [online(9), online(3), online(5)]
    assert choose_agent(agents, ROUND_ROBIN, None, ANY) == 3
    assert choose_agent(agents, ROUND_ROBIN, 3, ANY) == 5
    assert choose_agent(agents, ROUND_ROBIN, 5, ANY) == 9
    assert choose_agent(agents, ROUND_ROBIN, 9, ANY) == 3
    assert choose_agent(agents, ROUND_ROBIN, 4, ANY) == 5  # the last one left the team: the next id after them


def test_it_gives_least_loaded_tickets_to_the_fewest_then_to_who_waited_longest_then_the_lower_id() -> None:
    early, late = T0, T0 + timedelta(minutes=5)
    assert choose_agent([online(1, load=3), online(2, load=1), online(3, load=2)], LEAST_LOADED, None, ANY) == 2
    tie = [online(1, load=1, last_assigned_at=late), online(2, load=1, last_assigned_at=early)]
    assert choose_agent(tie, LEAST_LOADED, None, ANY) == 2
    never = [online(1, load=1, last_assigned_at=early), online(2, load=1)]
    assert choose_agent(never, LEAST_LOADED, None, ANY) == 2  # never assigned counts as longest ago
    assert choose_agent([online(7, load=1), online(4, load=1)], LEAST_LOADED, None, ANY) == 4


def test_it_respects_capacity() -> None:
    agents = [online(1, load=2, capacity=2), online(2, load=5, capacity=6)]
    assert choose_agent(agents, LEAST_LOADED, None, ANY) == 2
    assert choose_agent(agents, ROUND_ROBIN, 2, ANY) == 2
    assert choose_agent([online(1, load=2, capacity=2), online(2, capacity=0)], ROUND_ROBIN, None, ANY) is None


def test_it_gives_nothing_to_away_or_offline_agents_however_idle() -> None:
    agents = [Candidate(1, "away", 0, 8), Candidate(2, "offline", 0, 8), online(3, load=7)]
    assert choose_agent(agents, LEAST_LOADED, None, ANY) == 3
    assert choose_agent(agents[:2], ROUND_ROBIN, None, ANY) is None


def test_it_gives_a_ticket_only_to_someone_who_answers_in_its_language() -> None:
    nb, sv, anything = online(1, languages=frozenset({"nb"})), online(2, languages=frozenset({"sv", "en"})), online(3)
    swedish = TicketNeeds(language="sv")
    assert choose_agent([nb, sv, anything], ROUND_ROBIN, None, swedish) == 2
    assert choose_agent([nb, sv, anything], ROUND_ROBIN, 2, swedish) == 3  # no languages listed: any language
    assert choose_agent([nb], LEAST_LOADED, None, swedish) is None  # never a non-speaker: it stays in the pool
    assert choose_agent([nb], LEAST_LOADED, None, TicketNeeds(language="nn")) == 1  # bokmål reads nynorsk
    assert choose_agent([sv], LEAST_LOADED, None, TicketNeeds(language="")) == 2  # unknown language: anyone


def test_it_gives_a_ticket_only_to_someone_who_works_its_channel() -> None:
    mail_only, everything = online(1, channel_kinds=frozenset({"email"})), online(2, load=5)
    assert choose_agent([mail_only, everything], LEAST_LOADED, None, TicketNeeds(channel_kind="x")) == 2
    assert choose_agent([mail_only, everything], LEAST_LOADED, None, TicketNeeds(channel_kind="email")) == 1
    assert choose_agent([mail_only], LEAST_LOADED, None, TicketNeeds(channel_kind="facebook")) is None


def test_it_decides_the_examples_in_the_docs() -> None:
    """docs/assignment.md: Kari answers in nb, Per in en, Siri in anything; round-robin after Kari, and least loaded
    with Kari holding one ticket."""
    kari, per, siri = (online(1, languages=frozenset({"nb"})), online(2, languages=frozenset({"en"})), online(3))
    loaded = [online(1, load=1, languages=frozenset({"nb"})), per, siri]
    for language, after_kari, least in (("nn", 3, 3), ("en", 2, 2), ("de", 3, 3)):
        assert choose_agent([kari, per, siri], ROUND_ROBIN, 1, TicketNeeds(language)) == after_kari
        assert choose_agent(loaded, LEAST_LOADED, None, TicketNeeds(language)) == least
    away = Candidate(3, "away", 0, 2)
    assert choose_agent([kari, per, away], ROUND_ROBIN, 1, TicketNeeds("de")) is None


def test_it_refuses_a_mode_that_does_not_assign() -> None:
    with pytest.raises(ValueError, match="mode: 'manual'"):
        choose_agent([online(1)], "manual", None, ANY)


def test_it_plans_a_backlog_oldest_first_within_priority_and_counts_each_assignment() -> None:
    tickets = [
        PoolTicket(10, team_id=1, priority=3, waiting_since=T0 + timedelta(minutes=1)),
        PoolTicket(11, team_id=1, priority=3, waiting_since=T0),
        PoolTicket(12, team_id=1, priority=1, waiting_since=T0 + timedelta(hours=2)),
        PoolTicket(13, team_id=1, priority=3, waiting_since=None),
        PoolTicket(14, team_id=1, priority=3, waiting_since=T0 + timedelta(minutes=2)),
    ]
    agents = {1: online(1, capacity=2), 2: online(2, capacity=2)}
    result = plan(tickets, agents, {1: TeamPolicy(1, ROUND_ROBIN, (1, 2))}, T0 + timedelta(hours=3))
    assert [(a.ticket_id, a.agent_id) for a in result.assignments] == [(12, 1), (11, 2), (10, 1), (14, 2)]
    assert result.unassigned == [13]  # both full: the ticket nobody waits on is last in line
    assert result.last_assigned == {1: 2}
    assert result.agents[1].load == 2 and result.agents[2].load == 2


def test_it_spreads_a_least_loaded_backlog_evenly() -> None:
    tickets = [PoolTicket(n, 1, 3, T0 + timedelta(minutes=n)) for n in range(6)]
    result = plan(tickets, {1: online(1), 2: online(2, load=2), 3: online(3)},
                  {1: TeamPolicy(1, LEAST_LOADED, (1, 2, 3))}, T0)
    assert [a.agent_id for a in result.assignments] == [1, 3, 1, 3, 2, 1]
    assert {a: c.load for a, c in result.agents.items()} == {1: 3, 2: 3, 3: 2}


def test_it_shares_agents_between_teams_without_going_over_capacity() -> None:
    tickets = [PoolTicket(1, 1, 3, T0), PoolTicket(2, 2, 3, T0 + timedelta(minutes=1)),
               PoolTicket(3, 1, 3, T0 + timedelta(minutes=2))]
    teams = {1: TeamPolicy(1, LEAST_LOADED, (5,)), 2: TeamPolicy(2, LEAST_LOADED, (5,))}
    result = plan(tickets, {5: online(5, capacity=2)}, teams, T0)
    assert [a.ticket_id for a in result.assignments] == [1, 2] and result.unassigned == [3]


def test_it_offers_a_reclaimed_ticket_to_a_colleague() -> None:
    ticket = PoolTicket(1, 1, 3, T0, not_agent_id=1)
    assert plan([ticket], {1: online(1)}, {1: TeamPolicy(1, LEAST_LOADED, (1,))}, T0).unassigned == [1]
    result = plan([ticket], {1: online(1), 2: online(2, load=4)}, {1: TeamPolicy(1, LEAST_LOADED, (1, 2))}, T0)
    assert [a.agent_id for a in result.assignments] == [2]


# -- through ingestion ------------------------------------------------------------------------------------------------


@pytest.fixture
def desk(personas: Personas) -> dict[str, Any]:
    """The customer-service team assigning round-robin, three online members (kari, sunniva, and a new Per) and a
    rule that sends everything on the API channel to the team."""
    per = make_user("per", personas.org, Role.AGENT, "Per")
    team = personas.team
    team.members.add(Agent.objects.get(user=per))
    team.assignment = AssignmentMode.ROUND_ROBIN
    team.save()
    Agent.objects.filter(organisation=personas.org).update(presence=Presence.ONLINE)
    RoutingRule.objects.create(organisation=personas.org, name="API to customer service", position=0,
                               conditions=[{"field": "channel", "op": "is", "value": "api"}],
                               actions={"team": team.slug})
    members = sorted(Agent.objects.filter(teams=team).select_related("user"), key=lambda a: a.pk)
    return {"team": team, "members": members, "users": [m.user for m in members]}


def ticket_for(personas: Personas, n: int, **overrides: Any) -> Ticket:
    """A new ticket from customer ``n``, whose message was sent a few seconds ago, delivered through ingestion."""
    sent_at = (timezone.now() - timedelta(seconds=5)).isoformat()
    return ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}", **({"sent_at": sent_at} | overrides))


def test_it_assigns_new_tickets_round_robin_through_ingestion(personas: Personas, desk: dict[str, Any]) -> None:
    tickets = [ticket_for(personas, n) for n in range(1, 5)]
    users = desk["users"]
    assert [t.assignee_id for t in tickets] == [users[0].pk, users[1].pk, users[2].pk, users[0].pk]
    assert Team.objects.get(pk=desk["team"].pk).last_assigned_id == desk["members"][0].pk
    first = tickets[0]
    assert first.team_id == desk["team"].pk and first.assigned_at is not None and first.touched_at is None
    event = TicketEvent.objects.get(ticket=first, kind=EventKind.ASSIGNEE)
    assert (event.field, event.old, event.new, event.actor_id) == ("assignee", "", users[0].username, None)


def test_it_assigns_least_loaded_through_ingestion(personas: Personas, desk: dict[str, Any]) -> None:
    Team.objects.filter(pk=desk["team"].pk).update(assignment=AssignmentMode.LEAST_LOADED)
    first, second = ticket_for(personas, 1), ticket_for(personas, 2)
    users = desk["users"]
    assert (first.assignee_id, second.assignee_id) == (users[0].pk, users[1].pk)
    do_change_ticket(first, personas.admin, status=Status.PENDING)  # no longer counts as load
    third = ticket_for(personas, 3)
    assert third.assignee_id == users[2].pk  # 0 tickets, never assigned before
    fourth = ticket_for(personas, 4)
    assert fourth.assignee_id == users[0].pk  # 0 new or open tickets


def test_it_leaves_manual_teams_and_teamless_tickets_alone(personas: Personas, desk: dict[str, Any]) -> None:
    Team.objects.filter(pk=desk["team"].pk).update(assignment=AssignmentMode.MANUAL)
    assert ticket_for(personas, 1).assignee_id is None
    RoutingRule.objects.all().delete()
    Team.objects.filter(pk=desk["team"].pk).update(assignment=AssignmentMode.ROUND_ROBIN)
    ticket = ticket_for(personas, 2)
    assert ticket.team_id is None and ticket.assignee_id is None


def test_it_stops_at_capacity_and_leaves_the_rest_in_the_pool(personas: Personas, desk: dict[str, Any]) -> None:
    Agent.objects.filter(teams=desk["team"]).update(capacity=1)
    tickets = [ticket_for(personas, n) for n in range(1, 5)]
    assert len({t.assignee_id for t in tickets[:3]}) == 3
    assert tickets[3].assignee_id is None
    do_change_ticket(tickets[0], tickets[0].assignee, status=Status.SOLVED)
    assert reclaim.run(timezone.now()) == 1  # a place came free: the pool moves
    tickets[3].refresh_from_db()
    assert tickets[3].assignee_id == tickets[0].assignee_id


def test_it_serves_the_pool_before_a_newer_ticket(personas: Personas, desk: dict[str, Any]) -> None:
    Agent.objects.filter(teams=desk["team"]).exclude(pk=desk["members"][0].pk).update(presence=Presence.OFFLINE)
    Agent.objects.filter(pk=desk["members"][0].pk).update(capacity=1)
    held, waiting = ticket_for(personas, 1), ticket_for(personas, 2)
    assert held.assignee_id == desk["users"][0].pk and waiting.assignee_id is None
    do_change_ticket(held, desk["users"][0], status=Status.SOLVED)
    newer = ticket_for(personas, 3)  # the place that came free goes to the customer who waited longer
    waiting.refresh_from_db()
    assert waiting.assignee_id == desk["users"][0].pk and newer.assignee_id is None


def test_it_matches_language_and_channel_through_ingestion(personas: Personas, desk: dict[str, Any]) -> None:
    kari, sunniva, per = desk["members"]
    Agent.objects.filter(pk=kari.pk).update(languages=["nb"])
    Agent.objects.filter(pk=sunniva.pk).update(channel_kinds=["email"])
    Agent.objects.filter(pk=per.pk).update(languages=["en"])
    english = ticket_for(personas, 1, text="Hello, I was charged twice for my subscription this month, please help")
    assert english.language == "en" and english.assignee_id == per.user_id
    norwegian = ticket_for(personas, 2, text="Hei, jeg har fått to fakturaer for samme måned, kan dere hjelpe meg?")
    assert norwegian.language == "nb" and norwegian.assignee_id == kari.user_id  # sunniva works only e-mail
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.AWAY)
    another = ticket_for(personas, 3, text="Hei, fakturaen min for november er feil, beløpet er altfor høyt")
    assert another.language == "nb" and another.assignee_id is None  # nobody online writes Norwegian here


def test_it_gives_nothing_to_away_or_offline_agents_and_the_pool_moves_when_one_comes_online(
        personas: Personas, desk: dict[str, Any]) -> None:
    kari, sunniva, per = desk["members"]
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.AWAY)
    Agent.objects.filter(pk__in=[sunniva.pk, per.pk]).update(presence=Presence.OFFLINE)
    tickets = [ticket_for(personas, n) for n in range(1, 4)]
    assert [t.assignee_id for t in tickets] == [None, None, None]
    Agent.objects.filter(pk=per.pk).update(capacity=2)
    assigned = do_set_presence(Agent.objects.get(pk=per.pk), Presence.ONLINE)
    assert assigned == [tickets[0].pk, tickets[1].pk]  # oldest first, up to Per's capacity
    Agent.objects.filter(pk=sunniva.pk).update(presence=Presence.ONLINE)  # e.g. set by another process
    assert reclaim.run(timezone.now()) == 1
    assert Ticket.objects.get(pk=tickets[2].pk).assignee_id == sunniva.user_id


def test_an_online_agent_whose_inbox_is_gone_is_set_away_and_gets_nothing(personas: Personas,
                                                                        desk: dict[str, Any]) -> None:
    """Closing the laptop without signing out: the inbox's stream stops saying the agent is there (seen_at), and the
    next pass sets them away before handing out the pool. Agents never seen by a stream are left as they are."""
    kari, sunniva, per = desk["members"]
    Agent.objects.filter(pk__in=[sunniva.pk, per.pk]).update(presence=Presence.OFFLINE)
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.OFFLINE)
    ticket = ticket_for(personas, 1)
    now = timezone.now()
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.ONLINE, seen_at=now - timedelta(minutes=6))
    Agent.objects.filter(pk=per.pk).update(presence=Presence.ONLINE, seen_at=None)
    Agent.objects.filter(pk=per.pk).update(capacity=0)  # online but full: nobody can take it
    assert reclaim.run(now) == 0
    assert Agent.objects.get(pk=kari.pk).presence == Presence.AWAY
    assert Agent.objects.get(pk=per.pk).presence == Presence.ONLINE
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.ONLINE, seen_at=now - timedelta(minutes=1))
    assert reclaim.run(now) == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == kari.user_id


def test_an_open_inbox_stream_says_the_agent_is_there(personas: Personas) -> None:
    client = client_for(personas.agent)
    response = client.get("/inbox/events/?after=0&max=0")
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    seen = Agent.objects.get(user=personas.agent).seen_at
    assert seen is not None and abs((timezone.now() - seen).total_seconds()) < 60


def test_it_reclaims_an_untouched_ticket_after_the_teams_minutes_and_offers_it_again(
        personas: Personas, desk: dict[str, Any]) -> None:
    Team.objects.filter(pk=desk["team"].pk).update(reclaim_minutes=30)
    with time_machine.travel(T0, tick=False):
        ticket = ticket_for(personas, 1)
    first_owner = ticket.assignee
    assert first_owner == desk["users"][0]
    with time_machine.travel(T0 + timedelta(minutes=29), tick=False):
        assert reclaim.run(timezone.now()) == 0
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        assert reclaim.run(timezone.now()) == 2  # reclaimed, and assigned again
    ticket.refresh_from_db()
    assert ticket.assignee_id not in (None, first_owner.pk)
    events = list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).order_by("at", "id")
                  .values_list("field", "old", "new", "actor_id"))
    assert events == [
        ("assignee", "", first_owner.username, None),
        ("assignee", first_owner.username, "", None),
        ("reclaimed", first_owner.username, reclaim.reason_text(30), None),
        ("assignee", "", ticket.assignee.username, None),
    ]


def test_it_counts_the_reclaim_time_from_the_last_touch_or_the_customers_last_message(
        personas: Personas, desk: dict[str, Any]) -> None:
    Team.objects.filter(pk=desk["team"].pk).update(reclaim_minutes=30)
    with time_machine.travel(T0, tick=False):
        touched, answered = ticket_for(personas, 1), ticket_for(personas, 2)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        do_reply(answered, answered.assignee, "Which invoice number is it?")  # pending: the customer's turn
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        do_add_note(touched, touched.assignee, "looking into it")
    late = (T0 + timedelta(minutes=25)).isoformat()
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        reopened = ingest_ticket(personas, 99, conversation="c-2", author="u-2", sent_at=late)
    assert (reopened.pk, reopened.status, reopened.assignee_id) == (answered.pk, Status.OPEN, answered.assignee_id)
    with time_machine.travel(T0 + timedelta(minutes=45), tick=False):
        assert reclaim.run(timezone.now()) == 0
    with time_machine.travel(T0 + timedelta(minutes=56), tick=False):
        assert reclaim.run(timezone.now()) == 4
    for ticket in (touched, answered):
        assert TicketEvent.objects.filter(ticket=ticket, field="reclaimed").count() == 1


def test_it_reclaims_into_the_pool_of_a_manual_team_without_assigning_again(
        personas: Personas, desk: dict[str, Any]) -> None:
    with time_machine.travel(T0, tick=False):
        ticket = ticket_for(personas, 1)
    Team.objects.filter(pk=desk["team"].pk).update(assignment=AssignmentMode.MANUAL, reclaim_minutes=10)
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert reclaim.run(timezone.now()) == 1
    ticket.refresh_from_db()
    assert ticket.assignee_id is None and ticket.assigned_at is None


def test_it_gives_a_reclaimed_ticket_back_on_a_later_pass_when_nobody_else_can_take_it(
        personas: Personas, desk: dict[str, Any]) -> None:
    kari = desk["members"][0]
    Agent.objects.filter(teams=desk["team"]).exclude(pk=kari.pk).update(presence=Presence.OFFLINE)
    Team.objects.filter(pk=desk["team"].pk).update(reclaim_minutes=10)
    with time_machine.travel(T0, tick=False):
        ticket = ticket_for(personas, 1)
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert reclaim.run(timezone.now()) == 1
        assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
        assert reclaim.run(timezone.now()) == 1
        assert Ticket.objects.get(pk=ticket.pk).assignee_id == kari.user_id


def test_it_offers_a_reopened_ticket_again_when_its_assignee_is_offline_but_not_when_away(
        personas: Personas, desk: dict[str, Any]) -> None:
    with time_machine.travel(T0, tick=False):
        first, second = ticket_for(personas, 1), ticket_for(personas, 2)
        owner_one, owner_two = first.assignee, second.assignee
        do_reply(first, owner_one, "Try restarting the router.")
        do_reply(second, owner_two, "Which address is it?")
    do_set_presence(Agent.objects.get(user=owner_one), Presence.OFFLINE)
    do_set_presence(Agent.objects.get(user=owner_two), Presence.AWAY)
    at = T0 + timedelta(minutes=5)
    with time_machine.travel(at, tick=False):
        again = ingest_ticket(personas, 101, conversation="c-1", author="u-1", sent_at=at.isoformat())
        waits = ingest_ticket(personas, 102, conversation="c-2", author="u-2", sent_at=at.isoformat())
    assert again.pk == first.pk and again.assignee_id not in (None, owner_one.pk)  # straight to a colleague
    assert waits.pk == second.pk and waits.assignee_id == owner_two.pk  # away is a short break: it stays
    reasons = TicketEvent.objects.filter(ticket=first, field="reclaimed").values_list("old", "new")
    assert list(reasons) == [(owner_one.username, OFFLINE_REASON)]


def test_it_keeps_an_assignee_a_routing_rule_named_even_when_offline(personas: Personas,
                                                                     desk: dict[str, Any]) -> None:
    kari = desk["members"][1]
    RoutingRule.objects.filter(organisation=personas.org).update(actions={"team": desk["team"].slug,
                                                                          "assign": kari.user.username})
    Agent.objects.filter(pk=kari.pk).update(presence=Presence.OFFLINE)
    assert ticket_for(personas, 1).assignee_id == kari.user_id


def test_it_lets_the_overflow_team_help_only_while_the_overflow_runs(personas: Personas,
                                                                     desk: dict[str, Any]) -> None:
    Agent.objects.filter(teams=desk["team"]).update(presence=Presence.OFFLINE)
    helper = make_user("hilde", personas.org, Role.AGENT, "Hilde")
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales",
                                assignment=AssignmentMode.ROUND_ROBIN)
    sales.members.add(Agent.objects.get(user=helper))
    Agent.objects.filter(user=helper).update(presence=Presence.ONLINE)
    team = desk["team"]
    Team.objects.filter(pk=team.pk).update(overflow_team=sales, overflow_until=T0 + timedelta(hours=1))
    with time_machine.travel(T0 + timedelta(minutes=59), tick=False):
        during = ticket_for(personas, 1)
    with time_machine.travel(T0 + timedelta(minutes=61), tick=False):
        after = ticket_for(personas, 2)
        assert reclaim.run(timezone.now()) == 0
    assert during.assignee_id == helper.pk and after.assignee_id is None
    Team.objects.filter(pk=team.pk).update(overflow_until=None)
    with time_machine.travel(T0 + timedelta(minutes=62), tick=False):
        assert reclaim.run(timezone.now()) == 0


def test_it_never_assigns_to_an_analyst_or_a_deactivated_agent(personas: Personas, desk: dict[str, Any]) -> None:
    anders = Agent.objects.get(user=personas.analyst)
    desk["team"].members.set([anders, desk["members"][0]])
    Agent.objects.filter(pk=anders.pk).update(presence=Presence.ONLINE)
    get_user_model().objects.filter(pk=desk["users"][0].pk).update(is_active=False)
    assert ticket_for(personas, 1).assignee_id is None


# -- presence ---------------------------------------------------------------------------------------------------------


def test_it_sets_presence_and_refuses_an_unknown_state_or_an_analyst(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    with time_machine.travel(T0, tick=False):
        do_set_presence(kari, Presence.AWAY)
    kari.refresh_from_db()
    assert (kari.presence, kari.presence_at) == (Presence.AWAY, T0)
    with pytest.raises(ActionError) as info:
        do_set_presence(kari, "busy")
    assert info.value.field == "presence"
    with pytest.raises(ActionError) as info:
        do_set_presence(Agent.objects.get(user=personas.analyst), Presence.ONLINE)
    assert info.value.field == "presence"
    kari.refresh_from_db()
    assert kari.presence == Presence.AWAY


def test_it_switches_presence_from_the_inbox_header_and_signing_out_goes_offline(personas: Personas) -> None:
    client = client_for(personas.agent)
    page = client.get("/inbox/").content.decode()
    assert 'id="presence-select"' in page and '<option value="offline" selected>' in page
    response = client.post("/inbox/presence/", {"presence": "online"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "You are online" in response.content.decode()
    assert Agent.objects.get(user=personas.agent).presence == Presence.ONLINE
    refused = client.post("/inbox/presence/", {"presence": "busy"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "choose one of: online, away, offline" in refused.content.decode()
    assert client.post("/inbox/presence/", {"presence": "away"}).status_code == 302  # without JavaScript
    assert Agent.objects.get(user=personas.agent).presence == Presence.AWAY
    client.post("/logout/")
    assert Agent.objects.get(user=personas.agent).presence == Presence.OFFLINE
    assert 'id="presence-select"' not in client_for(personas.analyst).get("/inbox/").content.decode()


# -- the staff forms --------------------------------------------------------------------------------------------------


def test_it_saves_an_agents_capacity_and_channels_and_refuses_bad_ones_naming_the_field(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    staff_actions.change_agent(kari, personas.admin, capacity="3", channel_kinds=["x", "email"])
    kari.refresh_from_db()
    assert (kari.capacity, kari.channel_kinds) == (3, ["x", "email"])  # in the order channel kinds are listed
    for field, change in (("capacity", {"capacity": "-1"}), ("capacity", {"capacity": "many"}),
                          ("capacity", {"capacity": "101"}), ("channel_kinds", {"channel_kinds": ["fax"]})):
        with pytest.raises(ActionError) as info:
            staff_actions.change_agent(kari, personas.admin, first_name="Karianne", **change)
        assert info.value.field == field
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.first_name, kari.capacity, kari.channel_kinds) == ("Kari", 3, ["x", "email"])


def test_it_offers_the_organisations_languages_and_keeps_ones_an_agent_already_has(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    Agent.objects.filter(pk=kari.pk).update(languages=["sv"])  # from before the organisation's list changed
    page = client_for(personas.admin).get(f"/staff/agents/{kari.pk}/").content.decode()
    assert 'value="nb"' in page and 'value="en"' in page and 'value="sv" checked' in page and 'value="fi"' not in page
    staff_actions.change_agent(kari, personas.admin, languages=["sv", "nb"])
    kari.refresh_from_db()
    assert kari.languages == ["nb", "sv"]
    personas.org.languages = []
    personas.org.save()
    nora, _ = staff_actions.add_agent(personas.org, personas.admin, username="nora", first_name="Nora", last_name="",
                                      email="", role=Role.AGENT, team_ids=[], languages=["nn", "de"])
    assert nora.languages == ["nn", "de"] and nora.capacity == 8  # triage's languages; the default capacity


def test_it_sets_a_teams_assignment_reclaim_time_and_overflow_from_the_form(personas: Personas) -> None:
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    client = client_for(personas.admin)
    page = client.get(f"/staff/teams/{personas.team.pk}/").content.decode()
    assert 'name="assignment" value="manual" checked' in page and f'<option value="{sales.pk}">Sales' in page
    response = client.post(f"/staff/teams/{personas.team.pk}/", {
        "name": "Customer service", "signature": "first_name", "assignment": "least_loaded",
        "reclaim_minutes": "20", "overflow_team": str(sales.pk)})
    assert response.status_code == 302
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.assignment, team.reclaim_minutes, team.overflow_team_id) == ("least_loaded", 20, sales.pk)
    listing = client.get("/staff/teams/").content.decode()
    assert "Least loaded" in listing and "20 minutes" in listing


@pytest.mark.parametrize(("field", "value", "message"), [
    ("assignment", "random", "choose one of: manual, round_robin, least_loaded"),
    ("reclaim_minutes", "ten", "enter a whole number of minutes from 0 to 10080"),
    ("reclaim_minutes", "99999", "enter a whole number of minutes from 0 to 10080"),
    ("overflow_team", "self", "choose another team of Fjordnett"),
    ("overflow_team", "999999", "choose another team of Fjordnett"),
])
def test_it_refuses_a_bad_team_setting_next_to_its_field_and_saves_nothing(personas: Personas, field: str,
                                                                           value: str, message: str) -> None:
    value = str(personas.team.pk) if value == "self" else value
    data = {"name": "Renamed", "signature": "first_name", "assignment": "round_robin", "reclaim_minutes": "5",
            "overflow_team": ""} | {field: value}
    response = client_for(personas.admin).post(f"/staff/teams/{personas.team.pk}/", data)
    assert response.status_code == 422
    assert f'id="error-{field}">{message}' in response.content.decode()
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.name, team.assignment, team.reclaim_minutes) == ("Customer service", "manual", 0)


def test_it_refuses_another_organisations_team_as_overflow(personas: Personas) -> None:
    theirs = Team.objects.create(organisation=personas.other_org, slug="x", name="Theirs")
    with pytest.raises(ActionError) as info:
        staff_actions.add_team(personas.org, personas.admin, name="Night shift", signature="first_name",
                               member_ids=[], overflow_team=theirs.pk)
    assert info.value.field == "overflow_team"
    assert not Team.objects.filter(name="Night shift").exists()


def test_it_lists_capacity_channels_and_presence_of_each_agent(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    Agent.objects.filter(pk=kari.pk).update(capacity=5, channel_kinds=["email", "webchat"], presence=Presence.ONLINE)
    page = client_for(personas.supervisor).get("/staff/").content.decode()
    row = page[page.index(f'data-agent="{kari.pk}"'):]
    row = row[: row.index("</tr>")]
    assert "E-mail, Web chat" in row and "<td>5</td>" in row and 'data-presence="online">Online' in row
