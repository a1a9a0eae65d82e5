"""Need-to-know access (webcare/access/scope.py): agents see their teams' tickets, their own and the shared queue's;
supervisors, admins and analysts see the whole organisation; anything else is a 404 everywhere — lists, counts,
the conversation pane and its actions, the customer card, search, saved searches, bulk actions, links and the live
event stream."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from tests.search_support import tantivy_index  # noqa: F401 — a fixture
from webcare.access.scope import Scope, scope_for, ticket_condition
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Agent, Role, Team
from webcare.inbox import queues
from webcare.inbox.live_views import scoped_events
from webcare.inbox.models import SavedSearch
from webcare.live import publish
from webcare.search import indexer
from webcare.tickets.actions import do_change_ticket
from webcare.tickets.models import Ticket, TicketLink

HTMX = {"HX-Request": "true"}


class World:
    """Fjordnett with two teams: customer service (kari) and sales (per); one ticket in each, one in the shared
    queue, and one of sales assigned to kari."""

    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self.sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
        self.per = make_user("per", personas.org, Role.AGENT, "Per")
        self.sales.members.add(Agent.objects.get(user=self.per))
        self.mine = self._ticket(1, personas.team)
        self.theirs = self._ticket(2, self.sales)
        self.shared = self._ticket(3, None)
        self.lent = self._ticket(4, self.sales)
        Ticket.objects.filter(pk=self.lent.pk).update(assignee=personas.agent)

    def _ticket(self, n: int, team: Team | None) -> Ticket:
        ticket = ingest_ticket(self.p, n, conversation=f"c-{n}", author=f"u-{n}", text=f"Hei, sak nummer {n}")
        Ticket.objects.filter(pk=ticket.pk).update(team=team)
        ticket.refresh_from_db()
        return ticket


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def listed(user: Any, view: str = "open") -> set[int]:
    html = client_for(user).get(f"/inbox/list/?view={view}").content.decode()
    return {int(part.split('"')[0]) for part in html.split('data-ticket="')[1:]}


# -- the rule itself -----------------------------------------------------------------------------------------------

def test_it_builds_the_rule_as_one_condition_per_scope() -> None:
    everything = Scope(organisation_id=1, user_id=5, role=Role.SUPERVISOR, everything=True)
    assert str(ticket_condition(everything)) == str(ticket_condition(everything, ""))
    assert "team" not in str(ticket_condition(everything))
    teams = Scope(organisation_id=1, user_id=5, role=Role.AGENT, everything=False, team_ids=frozenset({3, 2}))
    condition = str(ticket_condition(teams, "ticket__"))
    for part in ("ticket__organisation_id", "ticket__team__isnull", "ticket__team_id__in", "[2, 3]",
                 "ticket__assignee_id"):
        assert part in condition, part
    assert teams.key == ("teams", 2, 3) and everything.key == ("all",)
    assert teams.may_reveal and not Scope(1, 5, Role.ANALYST, True).may_reveal


def test_it_gives_each_role_its_scope(world: World) -> None:
    p = world.p
    kari = Agent.objects.get(user=p.agent)
    assert scope_for(kari).team_ids == {p.team.pk} and not scope_for(kari).everything
    for user in (p.supervisor, p.admin, p.analyst):
        assert scope_for(Agent.objects.get(user=user)).everything


# -- lists and counts ------------------------------------------------------------------------------------------------

def test_an_agent_lists_their_teams_their_own_and_the_shared_tickets_only(world: World) -> None:
    assert listed(world.p.agent) == {world.mine.pk, world.shared.pk, world.lent.pk}
    assert listed(world.per) == {world.theirs.pk, world.shared.pk, world.lent.pk}  # lent: still sales' ticket
    for user in (world.p.supervisor, world.p.admin, world.p.analyst):
        assert listed(user) == {world.mine.pk, world.theirs.pk, world.shared.pk, world.lent.pk}


def test_the_counts_hold_only_what_the_agent_may_see(world: World) -> None:
    kari = Agent.objects.get(user=world.p.agent)
    per = Agent.objects.get(user=world.per)
    queues.forget_shared_counts()
    kari_counts = {v.key: v.count for v in queues.views(world.p.org, world.p.agent, scope_for(kari))}
    per_counts = {v.key: v.count for v in queues.views(world.p.org, world.per, scope_for(per))}
    everyone = {v.key: v.count for v in queues.views(world.p.org, world.p.supervisor)}
    assert kari_counts["open"] == 3 and kari_counts["mine"] == 1 and kari_counts["channel:api"] == 3
    assert per_counts["open"] == 3 and per_counts["unassigned"] == 2 and per_counts["channel:api"] == 3
    assert everyone["open"] == 4
    # The left pane as the page shows it
    html = client_for(world.per).get("/inbox/views/").content.decode()
    assert 'data-view="open">3<' in html and 'data-view="channel:api">3<' in html


@pytest.mark.usefixtures("tantivy_index")
def test_a_search_and_a_shared_saved_search_find_only_what_the_agent_may_see(world: World) -> None:
    indexer.sync()  # free words go through the search engine (webcare/inbox/search.py)
    saved = SavedSearch.objects.create(organisation=world.p.org, owner=world.p.supervisor, name="Saker",
                                       query="sak", shared=True)
    assert listed(world.p.agent, "search&q=sak") == {world.mine.pk, world.shared.pk, world.lent.pk}
    Ticket.objects.filter(pk=world.lent.pk).update(team=world.p.team)
    assert listed(world.per, "search&q=sak") == {world.theirs.pk, world.shared.pk}
    assert listed(world.per, f"saved:{saved.pk}") == {world.theirs.pk, world.shared.pk}
    assert listed(world.p.supervisor, f"saved:{saved.pk}") == {world.mine.pk, world.theirs.pk, world.shared.pk,
                                                                world.lent.pk}


# -- one ticket: 404 everywhere ---------------------------------------------------------------------------------------

def other_team_urls(ticket: Ticket) -> list[tuple[str, str, dict[str, str]]]:
    message = Message.objects.filter(ticket=ticket, direction="inbound").first()
    assert message is not None
    base = f"/inbox/tickets/{ticket.pk}"
    return [
        ("get", f"{base}/", {}), ("post", f"{base}/assign-me/", {}), ("post", f"{base}/status/", {"status": "solved"}),
        ("post", f"{base}/note/", {"text": "x"}), ("post", f"{base}/reply/", {"text": "x"}),
        ("post", f"{base}/fields/", {"priority": "2"}), ("post", f"{base}/presence/", {"state": "viewing"}),
        ("get", f"{base}/messages/{message.pk}/personal-data/", {}),
        ("post", f"{base}/messages/{message.pk}/personal-data/", {"purpose": "call_back"}),
        ("get", f"{base}/customer/", {}), ("get", f"{base}/customer/edit/", {}),
        ("get", f"{base}/customer/reveal/", {}), ("get", f"{base}/customer/timeline/?t=1&id=1", {}),
        ("get", f"{base}/customer/merge/search/?q=a", {}), ("post", f"{base}/links/", {"other": "1"}),
        ("get", f"/inbox/?ticket={ticket.pk}", {}),
    ]


def test_another_teams_ticket_is_404_for_an_agent_on_every_route(world: World) -> None:
    client = client_for(world.p.agent)
    for method, url, data in other_team_urls(world.theirs):
        response = getattr(client, method)(url, data, headers=HTMX)
        assert response.status_code == 404, (method, url, response.status_code)
    world.theirs.refresh_from_db()
    assert world.theirs.assignee_id is None and world.theirs.status != "solved"
    # … and the same routes answer for the team that owns it
    assert client_for(world.per).get(f"/inbox/tickets/{world.theirs.pk}/", headers=HTMX).status_code == 200


def test_bulk_actions_skip_tickets_the_agent_may_not_see(world: World) -> None:
    response = client_for(world.p.agent).post("/inbox/bulk/", {
        "action": "assign_me", "tickets": [world.theirs.pk, world.shared.pk], "view": "open"}, headers=HTMX)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=world.shared.pk).assignee_id == world.p.agent.pk
    assert Ticket.objects.get(pk=world.theirs.pk).assignee_id is None
    refused = client_for(world.p.agent).post("/inbox/bulk/", {"action": "solve", "tickets": [world.theirs.pk]},
                                             headers=HTMX)
    assert refused.status_code == 422 and "Select at least one ticket." in refused.content.decode()


def test_links_name_only_tickets_the_agent_may_see(world: World) -> None:
    TicketLink.objects.create(from_ticket=world.mine, to_ticket=world.theirs, kind="related")
    TicketLink.objects.create(from_ticket=world.mine, to_ticket=world.shared, kind="related")
    pane = client_for(world.p.agent).get(f"/inbox/tickets/{world.mine.pk}/", headers=HTMX).content.decode()
    assert f'data-ticket="{world.shared.pk}"' in pane and f'data-ticket="{world.theirs.pk}"' not in pane
    refused = client_for(world.p.agent).post(f"/inbox/tickets/{world.mine.pk}/links/",
                                             {"other": str(world.theirs.pk), "kind": "related"}, headers=HTMX)
    assert f"There is no ticket #{world.theirs.pk} in your organisation." in refused.content.decode()


def test_the_customer_timeline_lists_only_conversations_the_agent_may_see(world: World) -> None:
    # The same customer wrote to both teams.
    Ticket.objects.filter(pk=world.theirs.pk).update(customer=world.mine.customer)
    Conversation.objects.filter(pk=world.theirs.conversation_id).update(customer=world.mine.customer)
    Ticket.objects.filter(pk=world.shared.pk).update(customer=world.mine.customer)
    Conversation.objects.filter(pk=world.shared.conversation_id).update(customer=world.mine.customer)
    card = client_for(world.p.agent).get(f"/inbox/tickets/{world.mine.pk}/customer/", headers=HTMX).content.decode()
    assert f'data-ticket="{world.shared.pk}"' in card and f'data-ticket="{world.theirs.pk}"' not in card
    full = client_for(world.p.supervisor).get(f"/inbox/tickets/{world.mine.pk}/customer/",
                                              headers=HTMX).content.decode()
    assert f'data-ticket="{world.theirs.pk}"' in full


def test_an_overflow_teams_members_see_the_swamped_teams_tickets_while_it_lasts(world: World) -> None:
    world.sales.overflow_team = world.p.team
    world.sales.overflow_until = timezone.now() + timedelta(hours=1)
    world.sales.save()
    assert world.theirs.pk in listed(world.p.agent)
    world.sales.overflow_until = timezone.now() - timedelta(minutes=1)
    world.sales.save()
    assert world.theirs.pk not in listed(world.p.agent)


def test_moving_a_ticket_to_another_team_says_where_it_went_instead_of_404(world: World) -> None:
    response = client_for(world.p.agent).post(f"/inbox/tickets/{world.mine.pk}/fields/",
                                              {"priority": "3", "team": "sales", "labels": ""}, headers=HTMX)
    assert response.status_code == 200
    assert "is now with a team you are not in" in response.content.decode()
    assert response["HX-Trigger"] == "ticket-changed"
    assert Ticket.objects.get(pk=world.mine.pk).team_id == world.sales.pk


# -- the live stream -----------------------------------------------------------------------------------------------

def test_the_pure_filter_keeps_visible_ids_and_drops_presence_elsewhere() -> None:
    rows = [{"id": 1, "kind": "tickets", "data": {"tickets": [1, 2, 3], "actor": None}},
            {"id": 2, "kind": "presence", "data": {"ticket": 2, "user": 9, "name": "Per", "state": "typing"}},
            {"id": 3, "kind": "presence", "data": {"ticket": 1, "user": 9, "name": "Per", "state": "typing"}},
            {"id": 4, "kind": "tickets", "data": {"tickets": [2], "actor": None}}]
    assert scoped_events(rows, {1, 3}) == [
        {"id": 1, "kind": "tickets", "data": {"tickets": [1, 3], "actor": None}},
        {"id": 3, "kind": "presence", "data": {"ticket": 1, "user": 9, "name": "Per", "state": "typing"}},
        {"id": 4, "kind": "tickets", "data": {"tickets": [], "actor": None}},
    ]


def stream(user: Any) -> list[dict[str, Any]]:
    response = client_for(user).get("/inbox/events/?after=0&max=0")
    body = b"".join(response.streaming_content).decode()
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in lines:
            events.append({"kind": lines["event"], "data": json.loads(lines["data"])})
    return events


def test_the_live_stream_names_only_tickets_the_agent_may_see(world: World) -> None:
    publish.tickets_changed(world.p.org.pk, [world.mine.pk, world.theirs.pk])
    publish.presence(world.p.org.pk, world.theirs.pk, world.per, "typing")
    kari_events = stream(world.p.agent)
    named = {pk for e in kari_events if e["kind"] == "tickets" for pk in e["data"]["tickets"]}
    assert world.mine.pk in named and world.theirs.pk not in named
    assert not [e for e in kari_events if e["kind"] == "presence" and e["data"]["ticket"] == world.theirs.pk]
    supervisor_named = {pk for e in stream(world.p.supervisor) if e["kind"] == "tickets"
                        for pk in e["data"]["tickets"]}
    assert world.theirs.pk in supervisor_named


def test_an_assignment_to_another_team_makes_the_ticket_visible_to_its_assignee(world: World) -> None:
    assert world.theirs.pk not in listed(world.p.agent)
    do_change_ticket(Ticket.objects.get(pk=world.theirs.pk), world.p.supervisor, assignee=world.p.agent)
    assert world.theirs.pk in listed(world.p.agent)
    assert client_for(world.p.agent).get(f"/inbox/tickets/{world.theirs.pk}/", headers=HTMX).status_code == 200
