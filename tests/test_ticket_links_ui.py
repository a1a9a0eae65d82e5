"""Linking tickets from the conversation header: the links both ways, the form, and its refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.core.models import Channel
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.live.models import LiveEvent
from webcare.tickets.models import EventKind, Ticket, TicketEvent, TicketLink

HTMX = {"HX-Request": "true"}


@pytest.fixture
def tickets(personas: Personas) -> tuple[Ticket, Ticket]:
    first = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Ruteren virker ikke")
    second = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Internett er nede")
    return first, second


@pytest.fixture
def agent(personas: Personas) -> Client:
    return client_for(personas.agent)


def link(client: Client, ticket: Ticket, other: str, kind: str = "duplicate") -> tuple[int, str]:
    response = client.post(f"/inbox/tickets/{ticket.pk}/links/", {"other": other, "kind": kind}, headers=HTMX)
    return response.status_code, response.content.decode()


def test_it_links_a_ticket_and_shows_the_link_from_both_sides(personas: Personas, agent: Client,
                                                              tickets: tuple[Ticket, Ticket]) -> None:
    first, second = tickets
    response = agent.post(f"/inbox/tickets/{second.pk}/links/", {"other": f"#{first.pk}", "kind": "duplicate"},
                          headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    html = response.content.decode()
    assert f'Duplicate of <a href="/inbox/?ticket={first.pk}" hx-get="/inbox/tickets/{first.pk}/"' in html
    assert "Ruteren virker ikke" in html[html.index('class="ticket-links"'):]
    link_row = TicketLink.objects.get()
    assert (link_row.from_ticket_id, link_row.to_ticket_id, link_row.kind) == (second.pk, first.pk, "duplicate")
    assert TicketEvent.objects.filter(ticket=second, kind=EventKind.LINKED, actor=personas.agent).exists()
    assert LiveEvent.objects.order_by("-id").values_list("data", flat=True)[0] == {
        "tickets": sorted([first.pk, second.pk]), "actor": personas.agent.pk}

    other_side = agent.get(f"/inbox/tickets/{first.pk}/", headers=HTMX).content.decode()
    assert f'Has duplicate <a href="/inbox/?ticket={second.pk}"' in other_side
    assert "Internett er nede" in other_side


@pytest.mark.parametrize(("kind", "here", "there"), [("related", "Related to", "Related to"),
                                                     ("follow_up", "Follow-up of", "Followed up by")])
def test_it_names_each_kind_from_each_side(agent: Client, tickets: tuple[Ticket, Ticket], kind: str, here: str,
                                           there: str) -> None:
    first, second = tickets
    status, html = link(agent, second, str(first.pk), kind)
    assert status == 200 and f"{here} <a href=\"/inbox/?ticket={first.pk}\"" in html
    assert f"{there} <a href=\"/inbox/?ticket={second.pk}\"" in agent.get(
        f"/inbox/tickets/{first.pk}/", headers=HTMX).content.decode()


@pytest.mark.parametrize(("other", "message"), [
    ("", "Type the number of the ticket to link, such as 1234."),
    ("twelve", "Type the number of the ticket to link, such as 1234."),
    ("999999", "There is no ticket #999999 in your organisation."),
])
def test_it_refuses_a_bad_ticket_number_next_to_the_field(agent: Client, tickets: tuple[Ticket, Ticket],
                                                          other: str, message: str) -> None:
    status, html = link(agent, tickets[0], other)
    assert status == 422
    assert f'id="link-error-{tickets[0].pk}" role="alert">{message}' in html
    assert 'aria-invalid="true"' in html
    assert not TicketLink.objects.exists()


def test_it_refuses_to_link_a_ticket_to_itself(agent: Client, tickets: tuple[Ticket, Ticket]) -> None:
    status, html = link(agent, tickets[0], str(tickets[0].pk))
    assert (status, "a ticket cannot be linked to itself" in html) == (422, True)
    assert not TicketLink.objects.exists()


def test_it_refuses_an_unknown_kind_and_a_second_link(agent: Client, tickets: tuple[Ticket, Ticket]) -> None:
    first, second = tickets
    status, html = link(agent, second, str(first.pk), "sibling")
    assert (status, "unknown link kind" in html) == (422, True)
    assert link(agent, second, str(first.pk))[0] == 200
    status, html = link(agent, second, str(first.pk), "related")
    assert (status, f"this ticket is already linked to ticket {first.pk}" in html) == (422, True)
    assert TicketLink.objects.get().kind == "duplicate"


def test_it_treats_another_organisations_ticket_as_missing(personas: Personas, agent: Client,
                                                           tickets: tuple[Ticket, Ticket]) -> None:
    theirs_channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    payload = {"message_id": "t-1", "conversation_id": "t-c", "conversation_kind": "private",
               "author": {"id": "t-u"}, "text": "Hei", "sent_at": "2026-11-20T10:00:00+00:00"}
    receive(theirs_channel, payload, external_id="t-1")
    drain()
    theirs = Ticket.objects.get(organisation=personas.other_org)
    status, html = link(agent, tickets[0], str(theirs.pk))
    assert (status, f"There is no ticket #{theirs.pk} in your organisation." in html) == (422, True)
    outsider = client_for(personas.outsider)
    assert link(outsider, tickets[0], str(theirs.pk))[0] == 404
    assert not TicketLink.objects.exists()
