"""The inbox pages without a browser: who may see what, the views' contents and order, and refused actions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.conversations.models import Message
from webcare.tickets.models import Status, Ticket


def test_it_sends_a_visitor_to_sign_in(db: None) -> None:
    response = Client().get("/inbox/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_refuses_an_account_that_is_no_agent(db: None) -> None:
    user = get_user_model().objects.create_user("visitor", password="correct horse battery")
    assert client_for(user).get("/inbox/").status_code == 403


def test_it_hides_another_organisations_tickets(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    outsider = client_for(personas.outsider)
    assert ticket.subject not in outsider.get("/inbox/?view=open").content.decode()
    assert outsider.get(f"/inbox/tickets/{ticket.pk}/", headers={"HX-Request": "true"}).status_code == 404
    assert outsider.post(f"/inbox/tickets/{ticket.pk}/assign-me/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_it_answers_an_unknown_view_with_404(personas: Personas) -> None:
    assert client_for(personas.agent).get("/inbox/?view=nonsense").status_code == 404


def test_it_orders_a_view_by_priority_then_longest_waiting(personas: Personas) -> None:
    late = ingest_ticket(personas, 1, conversation="c-late", author="u-1", sent_at="2026-11-20T12:00:00+00:00")
    early = ingest_ticket(personas, 2, conversation="c-early", author="u-2", sent_at="2026-11-20T08:00:00+00:00")
    urgent = ingest_ticket(personas, 3, conversation="c-urgent", author="u-3", sent_at="2026-11-20T13:00:00+00:00")
    Ticket.objects.filter(pk=urgent.pk).update(priority=1)
    page = client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode()
    positions = [page.index(f'data-ticket="{t.pk}"') for t in (urgent, early, late)]
    assert positions == sorted(positions)


def test_it_counts_each_view(personas: Personas) -> None:
    mine = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    Ticket.objects.filter(pk=mine.pk).update(assignee=personas.agent)
    page = client_for(personas.agent).get("/inbox/").content.decode()
    assert 'data-view="unassigned">1<' in page
    assert 'data-view="mine">1<' in page
    assert 'data-view="open">2<' in page


def test_it_replies_and_assigns_through_the_ticket_actions(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    agent = client_for(personas.agent)
    htmx = {"HX-Request": "true"}
    assert agent.post(f"/inbox/tickets/{ticket.pk}/assign-me/", headers=htmx).status_code == 200
    response = agent.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei! Mvh Kari"}, headers=htmx)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    ticket.refresh_from_db()
    assert ticket.assignee == personas.agent
    assert ticket.status == Status.PENDING
    assert ticket.events.filter(kind="assignee", actor=personas.agent).exists()


@pytest.mark.parametrize(("path", "data", "message"), [
    ("reply", {"text": "   "}, "a reply needs text"),
    ("note", {"text": ""}, "a note needs text"),
    ("status", {"status": "exploded"}, "exploded"),
])
def test_it_refuses_bad_input_with_the_reason_and_stores_nothing(
    personas: Personas, path: str, data: dict[str, str], message: str
) -> None:
    ticket = ingest_ticket(personas, 1)
    events_before = ticket.events.count()
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/{path}/", data,
                                               headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Message.objects.filter(direction="outbound").exists()
    assert ticket.notes.count() == 0
    assert ticket.events.count() == events_before


def test_it_solves_and_labels_selected_tickets_in_bulk(personas: Personas) -> None:
    one = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    two = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    untouched = ingest_ticket(personas, 3, conversation="c-3", author="u-3")
    agent = client_for(personas.agent)
    htmx = {"HX-Request": "true"}
    response = agent.post("/inbox/bulk/", {"tickets": [one.pk, two.pk], "action": "add_label", "label": "outage"},
                          headers=htmx)
    assert response.status_code == 200
    response = agent.post("/inbox/bulk/", {"tickets": [one.pk, two.pk], "action": "solve"}, headers=htmx)
    assert response.status_code == 200
    for ticket in (one, two):
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert list(ticket.labels.values_list("name", flat=True)) == ["outage"]
    untouched.refresh_from_db()
    assert untouched.status == Status.NEW


def test_it_changes_nothing_in_bulk_when_one_ticket_refuses(personas: Personas) -> None:
    one = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    closed = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    response = client_for(personas.agent).post("/inbox/bulk/", {"tickets": [one.pk, closed.pk], "action": "assign_me"},
                                               headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert f"#{closed.pk}:" in response.content.decode()
    one.refresh_from_db()
    assert one.assignee is None
    assert not one.events.filter(kind="assignee").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "solve"}, "Select at least one ticket."),
    ({"action": "explode", "tickets": "TICKET"}, "unknown action"),
    ({"action": "set_team", "team": "nope", "tickets": "TICKET"}, "choose one of your organisation"),
    ({"action": "add_label", "label": " ", "tickets": "TICKET"}, "type the label to add"),
])
def test_it_refuses_a_bad_bulk_request_with_the_reason(personas: Personas, data: dict[str, str], message: str) -> None:
    ticket = ingest_ticket(personas, 1)
    data = {k: (str(ticket.pk) if v == "TICKET" else v) for k, v in data.items()}
    response = client_for(personas.agent).post("/inbox/bulk/", data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_it_ignores_another_organisations_tickets_in_bulk(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    response = client_for(personas.outsider).post("/inbox/bulk/", {"tickets": [ticket.pk], "action": "solve"},
                                                  headers={"HX-Request": "true"})
    assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_it_saves_priority_team_and_labels_from_the_pane(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    response = client_for(personas.agent).post(
        f"/inbox/tickets/{ticket.pk}/fields/",
        {"priority": "2", "team": "customer-service", "labels": "billing, invoice ,billing"},
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.priority == 2
    assert ticket.team == personas.team
    assert sorted(ticket.labels.values_list("name", flat=True)) == ["billing", "invoice"]
    assert set(ticket.events.values_list("field", flat=True)) >= {"priority", "team", "labels"}


@pytest.mark.parametrize(("data", "message"), [
    ({"priority": "9", "team": "", "labels": ""}, "priority"),
    ({"priority": "x", "team": "", "labels": ""}, "choose a priority"),
    ({"priority": "2", "team": "nope", "labels": "a"}, "choose one of your organisation"),
])
def test_it_refuses_bad_pane_fields_and_changes_nothing(personas: Personas, data: dict[str, str],
                                                        message: str) -> None:
    ticket = ingest_ticket(personas, 1)
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/fields/", data,
                                               headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == 3
    assert ticket.labels.count() == 0


def test_it_shows_the_customers_name_handle_and_channel_in_each_row(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, author="sigrid")
    page = client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode()
    row = page[page.index(f'data-ticket="{ticket.pk}"'):]
    row = row[:row.index("</li>")]
    assert "Kari Nordmann" in row  # the author's name in conftest's payload
    assert '<span class="handle">@sigrid</span>' in row
    assert 'class="icon icon-api"' in row and ">API<" in row


@pytest.mark.parametrize(("path", "data"), [
    ("assign-me/", {}),
    ("status/", {"status": "solved"}),
    ("fields/", {"priority": "1", "team": "", "labels": "x"}),
    ("reply/", {"text": "Hei!"}),
    ("note/", {"text": "internal"}),
    ("customer/edit/", {"name": "Someone else"}),
    ("links/", {"kind": "related", "other": "1"}),
    ("customer/merge/", {"other": "1"}),
])
def test_it_lets_an_analyst_look_but_not_change_a_ticket(personas: Personas, path: str, data: dict[str, str]) -> None:
    ticket = ingest_ticket(personas, 1)
    analyst = client_for(personas.analyst)
    before = (ticket.status, ticket.assignee_id, ticket.priority, ticket.customer.name)
    assert analyst.post(f"/inbox/tickets/{ticket.pk}/{path}", data, headers={"HX-Request": "true"}).status_code == 403
    ticket.refresh_from_db()
    ticket.customer.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.priority, ticket.customer.name) == before
    assert not Message.objects.filter(direction="outbound").exists()
    assert not ticket.notes.exists()


def test_it_shows_an_analyst_the_conversation_without_the_controls(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    page = client_for(personas.analyst).get(f"/inbox/tickets/{ticket.pk}/", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "fakturaen min er feil" in html
    assert "read-only" in html
    assert 'id="reply-text"' not in html and 'id="assign-me"' not in html and 'id="customer-edit"' not in html
    bulk = client_for(personas.analyst).post("/inbox/bulk/", {"action": "solve", "tickets": [ticket.pk]})
    assert bulk.status_code == 403


def test_it_places_internal_notes_in_the_thread_by_time(personas: Personas) -> None:
    from webcare.tickets.actions import do_add_note

    ticket = ingest_ticket(personas, 1, sent_at="2026-11-20T10:00:00+00:00")
    do_add_note(ticket, personas.agent, "Ringte kunden, venter på svar")
    ingest_ticket(personas, 2, sent_at="2099-01-01T10:00:00+00:00")  # a later customer message on the same thread
    pane = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers={"HX-Request": "true"})
    html = pane.content.decode()
    first, note, later = (html.index("fakturaen min er feil (1)"), html.index("Ringte kunden"),
                          html.index("fakturaen min er feil (2)"))
    assert first < note < later


def test_it_shows_fifty_rows_then_more_on_request(personas: Personas) -> None:
    from tests.conftest import inbound_payload
    from webcare.ingest.receive import receive
    from webcare.ingest.worker import drain

    for n in range(60):
        payload = inbound_payload(n, conversation=f"c-{n}", author=f"u-{n}")
        receive(personas.channel, payload, external_id=payload["message_id"])
    drain()
    client = client_for(personas.agent)
    first = client.get("/inbox/list/?view=unassigned").content.decode()
    assert first.count('class="row ') == 50
    assert 'id="show-more"' in first and "n=100" in first
    everything = client.get("/inbox/list/?view=unassigned&n=100").content.decode()
    assert everything.count('class="row ') == 60
    assert 'id="show-more"' not in everything
    assert client.get("/inbox/list/?view=unassigned&n=99999").status_code == 200  # capped, not an error
