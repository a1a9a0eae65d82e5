"""The left pane's counts (webcare/inbox/queues.py): exact after every change, personal where they should be, and the
organisation-wide ones computed once per change and shared, however many inboxes ask."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from webcare.core.models import Agent, Role
from webcare.inbox import queues
from webcare.live import publish
from webcare.live.models import LiveEvent, LiveKind
from webcare.tickets.actions import do_change_ticket
from webcare.tickets.models import Status, Ticket


def counts(personas: Personas, user: Any) -> dict[str, int]:
    return {view.key: view.count for view in queues.views(personas.org, user)}


def ticket_count_queries(personas: Personas, user: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        queues.views(personas.org, user)
    return sum('FROM "tickets_ticket"' in query["sql"] for query in captured.captured_queries)


def test_it_counts_every_view_exactly_after_each_change(personas: Personas) -> None:
    first = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    second = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    before = counts(personas, personas.agent)
    assert (before["unassigned"], before["mine"], before["open"], before["channel:api"]) == (2, 0, 2, 2)
    do_change_ticket(first, personas.agent, assignee=personas.agent)
    now = counts(personas, personas.agent)
    assert (now["unassigned"], now["mine"], now["open"]) == (1, 1, 2)
    do_change_ticket(second, personas.supervisor, status=Status.SOLVED)
    now = counts(personas, personas.agent)
    assert (now["unassigned"], now["open"], now["solved"], now["channel:api"]) == (0, 1, 1, 1)
    do_change_ticket(first, personas.agent, status=Status.PENDING)
    now = counts(personas, personas.agent)
    assert (now["pending"], now["open"], now["mine"], now["channel:api"]) == (1, 0, 1, 1)


def test_it_counts_mine_and_my_teams_for_whoever_asks(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    do_change_ticket(ticket, personas.agent, assignee=personas.agent, team=personas.team)
    assert (counts(personas, personas.agent)["mine"], counts(personas, personas.agent)["teams"]) == (1, 1)
    assert (counts(personas, personas.admin)["mine"], counts(personas, personas.admin)["teams"]) == (0, 0)
    assert counts(personas, personas.supervisor)["teams"] == 1  # a member of the same team


def test_it_lists_a_teams_ticket_once_for_an_agent_in_two_organisations(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    do_change_ticket(ticket, personas.agent, team=personas.team)
    second = Agent.objects.create(user=personas.agent, organisation=personas.other_org, role=Role.AGENT)
    personas.team.members.add(second)  # the same person twice in the team, through two agent records
    listed = list(queues.tickets(personas.org, "teams", personas.agent))
    assert listed == [ticket]
    assert counts(personas, personas.agent)["teams"] == 1


def test_it_counts_the_organisations_views_once_per_change_for_every_agent(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    first = ticket_count_queries(personas, personas.agent)
    assert ticket_count_queries(personas, personas.supervisor) == 2  # only mine and my teams
    assert ticket_count_queries(personas, personas.agent) == 2
    do_change_ticket(ticket, personas.supervisor, assignee=personas.supervisor)
    assert ticket_count_queries(personas, personas.agent) == first
    assert counts(personas, personas.agent)["unassigned"] == 0


def test_it_notices_a_change_that_commits_after_a_newer_one(personas: Personas) -> None:
    """Ids are handed out at insert and rows become visible at commit, so a change can show up with a lower id than
    one already seen; the counts must not stay behind."""
    ticket = ingest_ticket(personas, 1)
    newest = LiveEvent.objects.latest("id").pk
    LiveEvent.objects.create(pk=newest + 10, organisation=personas.org, kind=LiveKind.TICKETS, data={"tickets": []})
    assert counts(personas, personas.agent)["unassigned"] == 1
    Ticket.objects.filter(pk=ticket.pk).update(assignee=personas.agent)
    LiveEvent.objects.create(pk=newest + 5, organisation=personas.org, kind=LiveKind.TICKETS,
                             data={"tickets": [ticket.pk]})  # the slower transaction commits now
    assert counts(personas, personas.agent)["unassigned"] == 0


def test_it_is_not_fooled_by_presence_events(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    ticket_count_queries(personas, personas.agent)
    publish.presence(personas.org.pk, ticket.pk, personas.agent, "typing")
    assert ticket_count_queries(personas, personas.supervisor) == 2


def test_it_keeps_another_organisations_counts_apart(personas: Personas) -> None:
    ingest_ticket(personas, 1)
    outsider_counts = {view.key: view.count for view in queues.views(personas.other_org, personas.outsider)}
    assert outsider_counts["unassigned"] == 0
    assert outsider_counts["open"] == 0


def test_it_lists_only_the_channels_open_tickets_in_a_channel_view(personas: Personas) -> None:
    from webcare.core.models import Channel

    other = Channel.objects.create(organisation=personas.org, kind="email", slug="mail", name="Mail")
    ticket = ingest_ticket(personas, 1)
    solved = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    do_change_ticket(solved, personas.agent, status=Status.SOLVED)
    assert list(queues.tickets(personas.org, "channel:api", personas.agent)) == [ticket]
    assert list(queues.tickets(personas.org, f"channel:{other.slug}", personas.agent)) == []
    assert list(queues.tickets(personas.org, "channel:no-such-channel", personas.agent)) == []
    page = client_for(make_user("nils", personas.org, Role.AGENT)).get("/inbox/list/?view=channel:api")
    assert f'data-ticket="{ticket.pk}"' in page.content.decode()
    assert f'data-ticket="{solved.pk}"' not in page.content.decode()
