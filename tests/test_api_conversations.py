"""The conversation and message endpoints: lists with filters and cursors, one conversation, threads, the feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient, Personas, inbound_payload
from webcare.conversations.models import Conversation
from webcare.core.models import Channel
from webcare.customers.models import Identity
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

URL = "/api/v1/conversations"



def ingest(channel: Channel, *payloads: dict[str, Any]) -> None:
    for payload in payloads:
        receive(channel, payload, external_id=payload["message_id"])
    drain()


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def walk(api: ApiClient, url: str, limit: int) -> list[int]:
    """Every id of a list, following next_cursor page by page."""
    seen: list[int] = []
    separator = "&" if "?" in url else "?"
    cursor = ""
    for _ in range(100):
        data = api.get(f"{url}{separator}limit={limit}&cursor={cursor}").json()
        seen += [item["id"] for item in data["items"]]
        if data["next_cursor"] is None:
            return seen
        cursor = data["next_cursor"]
    raise AssertionError("pagination did not end")


@pytest.fixture
def threads(personas: Personas) -> list[Conversation]:
    """Three conversations of two customers, c-3 the most recent."""
    ingest(personas.channel,
           inbound_payload(1, conversation="c-1", author="u-1"),
           inbound_payload(2, conversation="c-2", author="u-2"),
           inbound_payload(3, conversation="c-1", author="u-1"),
           inbound_payload(4, conversation="c-3", author="u-1"))
    return list(Conversation.objects.order_by("external_id"))


def test_it_lists_conversations_most_recent_first(api: ApiClient, personas: Personas,
                                                  threads: list[Conversation]) -> None:
    c1, c2, c3 = threads
    data = api.get(URL).json()
    assert [item["id"] for item in data["items"]] == [c3.pk, c1.pk, c2.pk]
    item = data["items"][1]
    assert item["channel"] == {"slug": "api", "kind": "api"}
    assert item["customer"] == {"id": c1.customer_id, "name": "Kari Nordmann"}
    assert (item["external_id"], item["kind"], item["last_message_at"]) == ("c-1", "private", "2026-11-20T10:03:00Z")


def test_it_filters_conversations_on_channel_and_customer(api: ApiClient, personas: Personas,
                                                          threads: list[Conversation]) -> None:
    c1, _, c3 = threads
    shop = Channel.objects.create(organisation=personas.org, kind="api", slug="shop", name="Shop")
    ingest(shop, inbound_payload(5, conversation="c-9", author="u-9"))
    assert ids(api.get(f"{URL}?customer={c1.customer_id}")) == [c3.pk, c1.pk]
    assert ids(api.get(f"{URL}?channel=shop")) == [Conversation.objects.get(external_id="c-9").pk]
    assert ids(api.get(f"{URL}?channel=none-such")) == []


def test_it_pages_conversations_with_ties_broken_by_id(api: ApiClient, personas: Personas) -> None:
    ingest(personas.channel, *(inbound_payload(n, conversation=f"c-{n}", author="u-1") for n in range(1, 8)))
    Conversation.objects.filter(external_id__in=["c-2", "c-3", "c-4", "c-5"]).update(
        last_message_at=datetime(2026, 11, 20, 10, 4, tzinfo=UTC))
    expected = ids(api.get(URL))
    assert len(expected) == 7
    for limit in (1, 2, 3):
        assert walk(api, URL, limit) == expected


def test_it_lists_conversations_in_a_constant_number_of_queries(api: ApiClient, personas: Personas) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL).status_code == 200
        return len(queries)

    api.get(URL)
    ingest(personas.channel, inbound_payload(1, conversation="c-1", author="u-1"))
    few = count()
    ingest(personas.channel, *(inbound_payload(n, conversation=f"c-{n}", author=f"u-{n}") for n in range(2, 12)))
    assert count() == few == 2  # the token, the page


def test_it_shows_a_conversation_with_its_tickets(api: ApiClient, personas: Personas,
                                                  threads: list[Conversation]) -> None:
    c1 = threads[0]
    data = api.get(f"{URL}/{c1.pk}").json()
    ticket = Ticket.objects.get(conversation=c1)
    assert data["id"] == c1.pk
    assert data["tickets"] == [{"id": ticket.pk, "status": "new", "subject": ticket.subject,
                                "created_at": "2026-11-20T10:01:00Z"}]


def test_it_lists_a_threads_messages_in_order_across_pages(api: ApiClient, personas: Personas,
                                                           threads: list[Conversation]) -> None:
    c1 = threads[0]
    ingest(personas.channel, inbound_payload(0, conversation="c-1", author="u-1"))  # sent before the others
    do_reply(Ticket.objects.get(conversation=c1), None, "Vi ser på det.")
    data = api.get(f"{URL}/{c1.pk}/messages").json()
    assert [m["text"][-3:] for m in data["items"]] == ["(0)", "(1)", "(3)", "et."]
    assert data["items"][-1]["direction"] == "outbound"
    assert data["items"][0]["author"]["identity_id"] == Identity.objects.get(external_id="u-1").pk
    assert walk(api, f"{URL}/{c1.pk}/messages", 1) == [m["id"] for m in data["items"]]


def test_it_lists_messages_in_a_constant_number_of_queries(api: ApiClient, personas: Personas,
                                                           threads: list[Conversation]) -> None:
    c1 = threads[0]
    api.get("/api/v1/messages")
    with CaptureQueriesContext(connection) as few:
        api.get(f"{URL}/{c1.pk}/messages")
    ticket = Ticket.objects.get(conversation=c1)
    for n in range(5):
        do_reply(ticket, personas.agent, f"svar {n}")
    with CaptureQueriesContext(connection) as many:
        data = api.get(f"{URL}/{c1.pk}/messages").json()
    assert data["items"][-1]["author"]["agent"] == "kari"
    assert len(many) == len(few)


def test_it_feeds_all_messages_oldest_first_with_filters(api: ApiClient, personas: Personas,
                                                         threads: list[Conversation]) -> None:
    do_reply(Ticket.objects.get(conversation=threads[1]), None, "Hei!")
    everything = api.get("/api/v1/messages").json()["items"]
    assert [m["text"][-3:] for m in everything] == ["(1)", "(2)", "(3)", "(4)", "ei!"]
    assert [m["direction"] for m in api.get("/api/v1/messages?direction=outbound").json()["items"]] == ["outbound"]
    since = api.get("/api/v1/messages?since=2026-11-20T10:03:00%2B00:00").json()["items"]
    assert [m["text"][-3:] for m in since] == ["(3)", "(4)", "ei!"]
    assert api.get("/api/v1/messages?channel=none-such").json()["items"] == []
    assert walk(api, "/api/v1/messages?direction=inbound", 3) == [m["id"] for m in everything[:4]]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/messages?direction=sideways", "direction"),
        ("/api/v1/messages?since=yesterday", "since"),
        ("/api/v1/messages?since=2026-11-20T10:00:00", "since"),
        ("/api/v1/messages?limit=500", "limit"),
        (f"{URL}?customer=kari", "customer"),
        (f"{URL}?limit=-1", "limit"),
        (f"{URL}/abc", "conversation_id"),
    ],
)
def test_it_refuses_invalid_parameters_with_422(api: ApiClient, personas: Personas, url: str, field: str) -> None:
    response = api.get(url)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {field}


@pytest.mark.parametrize("url", [f"{URL}?cursor=xyz", "/api/v1/messages?cursor=%%%", URL + "/{id}/messages?cursor=e30"])
def test_it_refuses_a_malformed_cursor_with_400(api: ApiClient, personas: Personas, threads: list[Conversation],
                                                url: str) -> None:
    response = api.get(url.format(id=threads[0].pk))
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cursor"}


def test_it_hides_another_organisations_conversations_and_messages(api: ApiClient, personas: Personas,
                                                                   threads: list[Conversation]) -> None:
    channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    ingest(channel, inbound_payload(1, conversation="theirs"))
    theirs = Conversation.objects.get(external_id="theirs")
    assert theirs.pk not in ids(api.get(URL))
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    assert api.get(f"{URL}/{theirs.pk}/messages").json() == {"error": "not found", "fields": {}}
    assert all(m["conversation_id"] != theirs.pk for m in api.get("/api/v1/messages").json()["items"])
    assert len(api.get("/api/v1/messages").json()["items"]) == 4


@pytest.mark.parametrize("url", [URL, f"{URL}/1", f"{URL}/1/messages", "/api/v1/messages"])
def test_it_refuses_requests_without_a_valid_token(personas: Personas, url: str) -> None:
    assert Client().get(url).status_code == 401
    assert ApiClient("wc_nope").get(url).status_code == 401
