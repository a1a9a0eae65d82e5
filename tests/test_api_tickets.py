"""The ticket endpoints: list (filters, orders, cursor pagination, query count), detail, and the actions."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient, Personas, inbound_payload
from webcare.conversations.models import Message
from webcare.core.models import ApiToken, Channel, Team
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_add_note, do_change_ticket, do_link
from webcare.tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets"



def ingest(channel: Channel, *payloads: dict[str, Any]) -> None:
    for payload in payloads:
        receive(channel, payload, external_id=payload["message_id"])
    drain()


def make_tickets(channel: Channel, count: int, start: int = 1) -> list[Ticket]:
    """``count`` tickets in their own conversations, oldest first."""
    ingest(channel, *(inbound_payload(n, conversation=f"c-{n}", author=f"u-{n}") for n in range(start, start + count)))
    return list(Ticket.objects.filter(conversation__channel=channel).order_by("created_at", "id"))[-count:]


def foreign_ticket(personas: Personas) -> Ticket:
    channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    return make_tickets(channel, 1, start=90)[0]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def all_pages(api: ApiClient, query: str, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = ""
    for _ in range(100):
        data = api.get(f"{URL}?{query}&limit={limit}&cursor={cursor}").json()
        seen += [item["id"] for item in data["items"]]
        if data["next_cursor"] is None:
            return seen
        cursor = data["next_cursor"]
    raise AssertionError("pagination did not end")


# --- list ---------------------------------------------------------------------------------------------------------


def test_it_lists_tickets_with_everything_an_inbox_row_shows(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    ingest(personas.channel, inbound_payload(2, conversation="c-1", author="u-1", text="Nytt: " + "ø" * 200))
    do_change_ticket(ticket, None, assignee=personas.agent, team=personas.team, labels=["vip", "billing"])
    item = api.get(URL).json()["items"][0]
    assert item["id"] == ticket.pk
    assert (item["status"], item["priority"], item["subject"]) == ("new", 3, "Hei, fakturaen min er feil (1)")
    assert item["channel"] == {"slug": "api", "kind": "api"}
    assert item["customer"] == {"id": ticket.customer_id, "name": "Kari Nordmann"}
    assert (item["assignee"], item["team"], item["labels"]) == ("kari", "customer-service", ["billing", "vip"])
    assert item["waiting_since"] == "2026-11-20T10:01:00Z"
    assert (item["first_response_at"], item["first_response_seconds"]) == (None, None)
    assert item["last_message"] == ("Nytt: " + "ø" * 200)[:140]  # the latest message, first 140 characters


def test_it_reports_the_first_response_time(api: ApiClient, personas: Personas) -> None:
    make_tickets(personas.channel, 1)
    ingest(personas.channel, inbound_payload(9, conversation="c-1", direction="outbound",
                                             sent_at="2026-11-20T10:31:00+00:00", text="Hei!"))
    item = api.get(URL).json()["items"][0]
    assert item["first_response_seconds"] == 30 * 60
    assert item["last_message"] == "Hei!"


def test_it_lists_tickets_in_a_constant_number_of_queries(api: ApiClient, personas: Personas) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL).status_code == 200
        return len(queries)

    for ticket in make_tickets(personas.channel, 2):
        do_change_ticket(ticket, None, assignee=personas.agent, team=personas.team, labels=["a", "b"])
    api.get(URL)  # the token's first use is recorded (a write, once a minute); not part of the comparison
    few = count_queries()
    for ticket in make_tickets(personas.channel, 12, start=10):
        do_change_ticket(ticket, None, assignee=personas.supervisor, labels=["c"])
    assert count_queries() == few == 3  # the token, the page (with its last messages), the page's labels


@pytest.mark.parametrize("query", ["status=open&status=pending", "status=open,pending", "status=open, pending"])
def test_it_filters_on_several_statuses(api: ApiClient, personas: Personas, query: str) -> None:
    _new, opened, pending = make_tickets(personas.channel, 3)
    do_change_ticket(opened, None, status="open")
    do_change_ticket(pending, None, status="pending")
    assert sorted(ids(api.get(f"{URL}?{query}"))) == sorted([opened.pk, pending.pk])


def test_it_filters_on_assignee_team_label_channel_customer_and_priority(api: ApiClient, personas: Personas) -> None:
    other_channel = Channel.objects.create(organisation=personas.org, kind="api", slug="shop", name="Shop")
    a, b, c = make_tickets(personas.channel, 3)
    d = make_tickets(other_channel, 1, start=4)[0]
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    do_change_ticket(a, None, assignee=personas.agent, team=personas.team, labels=["vip"], priority=1)
    do_change_ticket(b, None, assignee=personas.supervisor, team=sales, labels=["vip", "billing"])
    assert ids(api.get(f"{URL}?assignee=kari")) == [a.pk]
    assert sorted(ids(api.get(f"{URL}?assignee=none"))) == sorted([c.pk, d.pk])
    assert ids(api.get(f"{URL}?team=sales")) == [b.pk]
    assert sorted(ids(api.get(f"{URL}?label=vip"))) == sorted([a.pk, b.pk])
    assert ids(api.get(f"{URL}?label=billing")) == [b.pk]
    assert ids(api.get(f"{URL}?channel=shop")) == [d.pk]
    assert ids(api.get(f"{URL}?customer={c.customer_id}")) == [c.pk]
    assert ids(api.get(f"{URL}?priority=1")) == [a.pk]
    assert ids(api.get(f"{URL}?label=vip&priority=3")) == [b.pk]
    assert ids(api.get(f"{URL}?team=nonexistent")) == []


def test_it_never_lists_another_organisations_tickets(api: ApiClient, personas: Personas) -> None:
    mine = make_tickets(personas.channel, 1)[0]
    foreign_ticket(personas)
    assert ids(api.get(URL)) == [mine.pk]


def test_it_orders_by_last_change_by_default_and_pages_without_gaps_or_repeats(api: ApiClient,
                                                                               personas: Personas) -> None:
    tickets = make_tickets(personas.channel, 7)
    same = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[2:6]]).update(updated_at=same)  # ties: id decides
    Ticket.objects.filter(pk=tickets[0].pk).update(updated_at=same + timedelta(hours=1))
    expected = [tickets[0].pk, *sorted((t.pk for t in tickets[2:6]), reverse=True), tickets[6].pk, tickets[1].pk]
    assert ids(api.get(URL)) == expected
    for limit in (1, 2, 3, 7):
        assert all_pages(api, "order=-updated", limit) == expected


def test_it_orders_by_priority_then_longest_waiting_with_nobody_waiting_last(api: ApiClient,
                                                                            personas: Personas) -> None:
    t = make_tickets(personas.channel, 8)
    early, late = datetime(2026, 11, 20, 8, 0, tzinfo=UTC), datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    plan = [(3, late), (1, late), (3, None), (1, early), (3, early), (1, None), (3, early), (3, None)]
    for ticket, (priority, waiting) in zip(t, plan, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(priority=priority, waiting_since=waiting)
    expected = [t[3].pk, t[1].pk, t[5].pk, t[4].pk, t[6].pk, t[0].pk, t[2].pk, t[7].pk]
    assert ids(api.get(f"{URL}?order=waiting")) == expected
    for limit in (1, 2, 3, 5):
        assert all_pages(api, "order=waiting", limit) == expected


def test_it_answers_a_page_after_the_last_with_nothing(api: ApiClient, personas: Personas) -> None:
    make_tickets(personas.channel, 2)
    data = api.get(f"{URL}?limit=2").json()
    assert data["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("status=archived", "status"),
        ("priority=5", "priority"), ("priority=high", "priority"), ("order=oldest", "order"),
        ("customer=kari", "customer"),
    ],
)
def test_it_refuses_invalid_list_parameters_with_422(api: ApiClient, personas: Personas, query: str,
                                                     field: str) -> None:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {field}


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", "e30", _cursor(["updated", "2026-11-20T10:00:00", 1]), _cursor(["updated", "x", 1]),
     _cursor(["updated", "2026-11-20T10:00:00+00:00", "1"]), _cursor(["updated", None, 1]),
     _cursor(["waiting", 3, None, 1]), _cursor(["updated", 1])],
)
def test_it_refuses_a_malformed_cursor_with_400_naming_cursor(api: ApiClient, personas: Personas,
                                                               cursor: str) -> None:
    response = api.get(f"{URL}?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid cursor"
    assert set(response.json()["fields"]) == {"cursor"}


def test_it_refuses_a_cursor_of_the_other_order(api: ApiClient, personas: Personas) -> None:
    make_tickets(personas.channel, 3)
    cursor = api.get(f"{URL}?order=waiting&limit=1").json()["next_cursor"]
    assert api.get(f"{URL}?order=waiting&limit=1&cursor={cursor}").status_code == 200
    assert api.get(f"{URL}?limit=1&cursor={cursor}").status_code == 400


# --- detail -------------------------------------------------------------------------------------------------------


def test_it_shows_a_ticket_with_thread_notes_links_and_timeline(api: ApiClient, personas: Personas) -> None:
    ticket, other = make_tickets(personas.channel, 2)
    ingest(personas.channel, inbound_payload(5, conversation="c-1", author="u-1", sent_at="2026-11-20T09:00:00Z"))
    do_add_note(ticket, personas.agent, "Ringte kunden.")
    do_link(other, ticket, "duplicate", None)
    do_change_ticket(ticket, personas.agent, status="open")
    data = api.get(f"{URL}/{ticket.pk}").json()
    assert [m["external_id"] for m in data["messages"]] == ["m-5", "m-1"]  # thread order, not arrival order
    assert data["last_message"] == "Hei, fakturaen min er feil (1)"
    assert [(n["author"], n["text"]) for n in data["notes"]] == [("kari", "Ringte kunden.")]
    assert [(lk["direction"], lk["kind"], lk["ticket"]) for lk in data["links"]] == [("in", "duplicate", other.pk)]
    assert [(e["kind"], e["actor"]) for e in data["timeline"]] == [
        ("created", None), ("note", "kari"), ("status", "kari")]
    assert data["conversation_id"] == ticket.conversation_id


def test_it_shows_a_ticket_in_a_constant_number_of_queries(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    api.get(f"{URL}/{ticket.pk}")
    with CaptureQueriesContext(connection) as small:
        api.get(f"{URL}/{ticket.pk}")
    for n in range(2, 8):
        ingest(personas.channel, inbound_payload(n, conversation="c-1", author="u-1"))
        do_add_note(ticket, personas.agent, f"note {n}")
    with CaptureQueriesContext(connection) as large:
        api.get(f"{URL}/{ticket.pk}")
    assert len(large) == len(small)


@pytest.mark.parametrize("method", ["get", "patch", "replies", "notes", "links"])
def test_it_answers_404_for_another_organisations_or_a_missing_ticket(api: ApiClient, personas: Personas,
                                                                      method: str) -> None:
    theirs = foreign_ticket(personas)
    mine = make_tickets(personas.channel, 1)[0]
    for ticket_id in (theirs.pk, 999_999):
        if method == "get":
            response = api.get(f"{URL}/{ticket_id}")
        elif method == "patch":
            response = api.patch_json(f"{URL}/{ticket_id}", {"status": "open"})
        elif method == "links":
            response = api.post_json(f"{URL}/{ticket_id}/links", {"ticket": mine.pk})
        else:
            response = api.post_json(f"{URL}/{ticket_id}/{method}", {"text": "Hei"})
        assert (response.status_code, response.json()) == (404, {"error": "not found", "fields": {}})
    theirs.refresh_from_db()
    assert theirs.status == "new"
    assert not Message.objects.filter(direction="outbound").exists()


# --- PATCH --------------------------------------------------------------------------------------------------------


def test_it_patches_several_fields_and_writes_one_timeline_row_each(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    response = api.patch_json(f"{URL}/{ticket.pk}", {
        "status": "open", "assignee": "kari", "team": "customer-service", "priority": 2, "labels": ["vip"]})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["assignee"], data["team"], data["priority"], data["labels"]) == (
        "open", "kari", "customer-service", 2, ["vip"])
    rows = [(e["kind"], e["field"], e["old"], e["new"], e["actor"]) for e in data["timeline"][1:]]
    assert rows == [
        ("status", "status", "new", "open", None),
        ("assignee", "assignee", "", "kari", None),
        ("team", "team", "", "customer-service", None),
        ("priority", "priority", "3", "2", None),
        ("label_added", "labels", "", "vip", None),
    ]
    assert TicketEvent.objects.filter(ticket=ticket).count() == 6


def test_it_patches_only_the_fields_given_and_clears_with_null(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, assignee=personas.agent, team=personas.team, priority=1, labels=["a"])
    data = api.patch_json(f"{URL}/{ticket.pk}", {"assignee": None, "team": None}).json()
    assert (data["assignee"], data["team"], data["priority"], data["labels"]) == (None, None, 1, ["a"])
    assert [(e["kind"], e["old"], e["new"]) for e in data["timeline"][-2:]] == [
        ("assignee", "kari", ""), ("team", "customer-service", "")]
    before = TicketEvent.objects.count()
    assert api.patch_json(f"{URL}/{ticket.pk}", {}).status_code == 200
    assert TicketEvent.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"status": None}, "status"),
        ({"priority": 0}, "priority"),
        ({"priority": "urgent"}, "priority"),
        ({"priority": None}, "priority"),
        ({"labels": "vip"}, "labels"),
        ({"labels": [1]}, "labels.0"),
        ({"labels": None}, "labels"),
        ({"assignee": 5}, "assignee"),
        ({"asignee": "kari"}, "asignee"),
    ],
)
def test_it_refuses_an_invalid_patch_with_422_and_changes_nothing(api: ApiClient, personas: Personas,
                                                                  body: dict[str, Any], field: str) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    response = api.patch_json(f"{URL}/{ticket.pk}", {"team": "customer-service", **body})
    assert response.status_code == 422, response.content
    assert set(response.json()["fields"]) == {field}
    ticket.refresh_from_db()
    assert ticket.team_id is None
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"assignee": "nobody"}, "assignee", "no agent with username 'nobody'"),
        ({"assignee": "olga"}, "assignee", "no agent with username 'olga'"),  # an agent of another organisation
        ({"assignee": "anders"}, "assignee", "analyst"),
        ({"team": "sales"}, "team", "no team with slug 'sales'"),  # another organisation's team
        ({"status": "new"}, "status", "cannot go from open to new"),
    ],
)
def test_it_refuses_a_patch_the_rules_forbid_with_400_naming_the_field(
        api: ApiClient, personas: Personas, body: dict[str, Any], field: str, message: str) -> None:
    Team.objects.create(organisation=personas.other_org, slug="sales", name="Sales")
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, status="open")
    response = api.patch_json(f"{URL}/{ticket.pk}", {"priority": 1, **body})
    assert response.status_code == 400, response.content
    data = response.json()
    assert message in data["error"]
    assert data["fields"] == {field: data["error"]}
    ticket.refresh_from_db()
    assert ticket.priority == 3


def test_it_refuses_to_patch_a_closed_ticket(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, status="closed")
    response = api.patch_json(f"{URL}/{ticket.pk}", {"labels": ["late"]})
    assert response.status_code == 400
    assert "closed" in response.json()["fields"]["labels"]


def test_it_answers_400_to_a_patch_body_that_is_not_json(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    response = api.patch(f"{URL}/{ticket.pk}", data="status=open", content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "body is not valid JSON")


# --- replies, notes, links ----------------------------------------------------------------------------------------


def test_it_replies_and_the_ticket_waits_on_the_customer(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    response = api.post_json(f"{URL}/{ticket.pk}/replies", {"text": "Vi sjekker fakturaen."})
    assert response.status_code == 201, response.content
    message = response.json()
    assert (message["direction"], message["delivery_status"], message["public"]) == ("outbound", "sent", False)
    assert (message["ticket_id"], message["external_id"], message["author"]["agent"]) == (ticket.pk, None, None)
    detail = api.get(f"{URL}/{ticket.pk}").json()
    assert (detail["status"], detail["waiting_since"]) == ("pending", None)
    assert detail["first_response_at"] == message["sent_at"]
    assert [(e["kind"], e["new"]) for e in detail["timeline"][1:]] == [("reply", str(message["id"])),
                                                                       ("status", "pending")]
    assert detail["last_message"] == "Vi sjekker fakturaen."


def test_it_replies_with_the_status_asked_for_or_keeps_it_with_null(api: ApiClient, personas: Personas) -> None:
    first, second = make_tickets(personas.channel, 2)
    api.post_json(f"{URL}/{first.pk}/replies", {"text": "Løst!", "status": "solved"})
    api.post_json(f"{URL}/{second.pk}/replies", {"text": "Et øyeblikk.", "status": None})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("solved", "new")


def test_a_reply_on_a_solved_ticket_moves_it_back_to_pending(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, status="solved")
    assert api.post_json(f"{URL}/{ticket.pk}/replies", {"text": "En ting til"}).status_code == 201
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved_at) == ("pending", None)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "text"),
        ({"text": ""}, 422, "text"),
        ({"text": 5}, 422, "text"),
        ({"text": "Hei", "status": "archived"}, 422, "status"),
        ({"text": "Hei", "public": "yes please"}, 422, "public"),
        ({"text": "Hei", "cc": "x"}, 422, "cc"),
        ({"text": "   "}, 400, "text"),
        ({"text": "Hei", "public": True}, 400, "public"),  # a private conversation
        ({"text": "Hei", "status": "new"}, 400, "status"),
    ],
)
def test_it_refuses_an_invalid_reply_and_sends_nothing(api: ApiClient, personas: Personas, body: dict[str, Any],
                                                       status: int, field: str) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, status="open")
    response = api.post_json(f"{URL}/{ticket.pk}/replies", body)
    assert response.status_code == status, response.content
    assert set(response.json()["fields"]) == {field}
    assert not Message.objects.filter(direction="outbound").exists()
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_it_refuses_to_reply_on_a_closed_ticket(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    do_change_ticket(ticket, None, status="closed")
    response = api.post_json(f"{URL}/{ticket.pk}/replies", {"text": "Hei"})
    assert response.status_code == 400
    assert "closed" in response.json()["fields"]["ticket"]


def test_it_adds_a_note(api: ApiClient, personas: Personas) -> None:
    ticket = make_tickets(personas.channel, 1)[0]
    response = api.post_json(f"{URL}/{ticket.pk}/notes", {"text": "Sjekk med økonomi."})
    assert response.status_code == 201
    assert (response.json()["text"], response.json()["author"]) == ("Sjekk med økonomi.", None)
    assert api.post_json(f"{URL}/{ticket.pk}/notes", {}).json()["fields"] == {"text": "Field required"}
    assert api.post_json(f"{URL}/{ticket.pk}/notes", {"text": " "}).status_code == 400


def test_it_links_tickets_and_refuses_bad_links(api: ApiClient, personas: Personas) -> None:
    ticket, other = make_tickets(personas.channel, 2)
    theirs = foreign_ticket(personas)
    response = api.post_json(f"{URL}/{ticket.pk}/links", {"ticket": other.pk, "kind": "duplicate"})
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("kind", "direction", "ticket")} == {
        "kind": "duplicate", "direction": "out", "ticket": other.pk}
    again = api.post_json(f"{URL}/{ticket.pk}/links", {"ticket": other.pk})
    assert (again.status_code, set(again.json()["fields"])) == (400, {"ticket"})
    itself = api.post_json(f"{URL}/{ticket.pk}/links", {"ticket": ticket.pk})
    assert (itself.status_code, set(itself.json()["fields"])) == (400, {"ticket"})
    foreign = api.post_json(f"{URL}/{ticket.pk}/links", {"ticket": theirs.pk})
    assert (foreign.status_code, foreign.json()["fields"]) == (404, {"ticket": "no such ticket"})
    kind = api.post_json(f"{URL}/{ticket.pk}/links", {"ticket": other.pk, "kind": "sibling"})
    assert (kind.status_code, set(kind.json()["fields"])) == (422, {"kind"})
    missing = api.post_json(f"{URL}/{ticket.pk}/links", {"kind": "related"})
    assert (missing.status_code, set(missing.json()["fields"])) == (422, {"ticket"})


# --- authentication -----------------------------------------------------------------------------------------------


ENDPOINTS = [
    ("get", URL, None), ("get", f"{URL}/1", None), ("patch", f"{URL}/1", {"status": "open"}),
    ("post", f"{URL}/1/replies", {"text": "Hei"}), ("post", f"{URL}/1/notes", {"text": "Hei"}),
    ("post", f"{URL}/1/links", {"ticket": 2}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("token", ["missing", "wrong", "revoked"])
def test_every_ticket_endpoint_refuses_a_missing_wrong_or_revoked_token(
        personas: Personas, method: str, path: str, body: Any, token: str) -> None:
    make_tickets(personas.channel, 2)
    if token == "missing":
        client: Client = Client()
    elif token == "wrong":
        client = ApiClient("wc_" + "x" * 43)
    else:
        row, plain = ApiToken.issue(personas.org, "old")
        ApiToken.objects.filter(pk=row.pk).update(revoked_at=row.created_at)
        client = ApiClient(plain)
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]
    assert TicketEvent.objects.exclude(kind="created").count() == 0


def test_an_unexpected_error_answers_500_in_the_error_format_and_is_logged(
        api: ApiClient, personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    ticket = make_tickets(personas.channel, 1)[0]

    def broken(*args: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("webcare.api.tickets.ticket_detail", broken)
    response = api.get(f"{URL}/{ticket.pk}")
    assert (response.status_code, response.json()) == (500, {"error": "internal error", "fields": {}})
    assert "database on fire" not in response.content.decode()
    assert "database on fire" in caplog.text


# --- no reply needed ----------------------------------------------------------------------------------------------

def test_it_ends_a_ticket_that_needs_no_reply_and_says_so_on_the_timeline(api: ApiClient, personas: Personas) -> None:
    [ticket] = make_tickets(personas.channel, 1)
    response = api.post_json(f"{URL}/{ticket.pk}/no-reply-needed", {"status": "closed"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    ticket.refresh_from_db()
    assert ticket.no_reply_needed_at is not None and ticket.waiting_since is None
    assert TicketEvent.objects.filter(ticket=ticket, kind="no_reply").count() == 1
    refused = api.post_json(f"{URL}/{ticket.pk}/no-reply-needed", {})
    assert refused.status_code == 400 and "closed" in refused.content.decode()


def test_it_refuses_an_end_other_than_solved_or_closed_and_changes_nothing(api: ApiClient, personas: Personas) -> None:
    [ticket] = make_tickets(personas.channel, 1)
    response = api.post_json(f"{URL}/{ticket.pk}/no-reply-needed", {"status": "pending"})
    assert response.status_code == 422 and "status" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.no_reply_needed_at is None and ticket.status == "new"
    assert api.post_json(f"{URL}/{foreign_ticket(personas).pk}/no-reply-needed", {}).status_code == 404
