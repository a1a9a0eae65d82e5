"""``POST /api/v1/inbound``, token authentication, and the inbound-event endpoints (``/events``)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient, Personas, inbound_payload
from webcare.core.models import ApiToken, Channel
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.models import Ticket

URL = "/api/v1/inbound"



def without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    """A copy of ``payload`` with the field at ``path`` removed."""
    copy = json.loads(json.dumps(payload))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


# --- accepting ----------------------------------------------------------------------------------------------------


def test_it_stores_a_valid_message_raw_and_answers_202(api: ApiClient, personas: Personas) -> None:
    payload = inbound_payload(1)
    response = api.post_json(URL, payload)
    assert response.status_code == 202, response.content
    event = InboundEvent.objects.get()
    assert response.json() == {"event_id": event.pk, "status": "accepted"}
    assert (event.channel_id, event.source, event.external_id, event.status) == (
        personas.channel.pk, "api", "m-1", "pending")
    assert event.payload == payload  # as sent, not re-serialised


def test_it_acknowledges_a_repeated_delivery_with_200_and_stores_it_once(api: ApiClient, personas: Personas) -> None:
    first = api.post_json(URL, inbound_payload(1))
    again = api.post_json(URL, inbound_payload(1))
    assert again.status_code == 200
    assert again.json() == {"event_id": first.json()["event_id"], "status": "duplicate"}
    assert InboundEvent.objects.count() == 1


def test_it_deduplicates_on_event_id_when_given_and_keeps_the_envelope_out_of_the_payload(
        api: ApiClient, personas: Personas) -> None:
    assert api.post_json(URL, {**inbound_payload(1), "event_id": "delivery-7"}).status_code == 202
    assert api.post_json(URL, {**inbound_payload(2), "event_id": "delivery-7"}).json()["status"] == "duplicate"
    assert api.post_json(URL, {**inbound_payload(1), "event_id": "delivery-8"}).status_code == 202
    event = InboundEvent.objects.get(external_id="delivery-7")
    assert "event_id" not in event.payload and "channel" not in event.payload


def test_it_stores_under_the_named_api_channel(api: ApiClient, personas: Personas) -> None:
    second = Channel.objects.create(organisation=personas.org, kind="api", slug="shop", name="Web shop")
    assert api.post_json(URL, {**inbound_payload(1), "channel": "shop"}).status_code == 202
    assert InboundEvent.objects.get().channel_id == second.pk


def test_it_is_processed_by_the_worker_into_a_ticket(api: ApiClient, personas: Personas) -> None:
    api.post_json(URL, inbound_payload(1))
    drain()
    ticket = Ticket.objects.get()
    assert ticket.conversation.external_id == "c-1"
    assert api.get("/api/v1/tickets").json()["items"][0]["id"] == ticket.pk


# --- refusing, and storing nothing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (without(inbound_payload(1), "message_id"), "message_id", "Field required"),
        (without(inbound_payload(1), "author", "id"), "author.id", "Field required"),
        (without(inbound_payload(1), "author"), "author", "Field required"),
        ({**inbound_payload(1), "sent_at": "yesterday"}, "sent_at", "datetime"),
        ({**inbound_payload(1), "sent_at": "2026-11-20T10:00:00"}, "sent_at", "timezone"),
        ({**inbound_payload(1), "conversation_kind": "group"}, "conversation_kind", "'public' or 'private'"),
        ({**inbound_payload(1), "direction": "sideways"}, "direction", "'inbound' or 'outbound'"),
        ({**inbound_payload(1), "message_id": 42}, "message_id", "valid string"),
        ({**inbound_payload(1), "public": "maybe"}, "public", "valid boolean"),
        ({**inbound_payload(1), "attachments": [{"size": -1}]}, "attachments.0.name", "Field required"),
        ({**inbound_payload(1), "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({**inbound_payload(1), "text": "  "}, "body", "needs text or at least one attachment"),
        ({**inbound_payload(1), "agent": "kari"}, "body", "only allowed on outbound"),
        ({**inbound_payload(1), "channel": ""}, "channel", "at least 1 character"),
        ([inbound_payload(1)], "body", "valid dictionary"),
    ],
)
def test_it_refuses_an_invalid_message_with_422_naming_the_field_and_stores_nothing(
        api: ApiClient, personas: Personas, body: Any, field: str, message: str) -> None:
    response = api.post_json(URL, body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["error"] == "invalid request"
    assert field in data["fields"], data
    assert message in data["fields"][field]
    assert InboundEvent.objects.count() == 0


def test_it_names_every_invalid_field_at_once(api: ApiClient, personas: Personas) -> None:
    body = {"message_id": "", "conversation_kind": "dm", "author": {}, "sent_at": "now"}
    fields = api.post_json(URL, body).json()["fields"]
    assert set(fields) == {"message_id", "conversation_id", "conversation_kind", "author.id", "sent_at"}


def test_it_never_echoes_the_offending_value(api: ApiClient, personas: Personas) -> None:
    secret = "kari@example.test-1234"
    response = api.post_json(URL, {**inbound_payload(1), "sent_at": secret})
    assert secret not in response.content.decode()


@pytest.mark.parametrize("slug", ["nope", "email", "old-api"])
def test_it_refuses_a_channel_that_is_not_an_active_api_channel_of_the_organisation(
        api: ApiClient, personas: Personas, slug: str) -> None:
    Channel.objects.create(organisation=personas.org, kind="email", slug="email", name="Mail")
    Channel.objects.create(organisation=personas.org, kind="api", slug="old-api", name="Old", is_active=False)
    Channel.objects.create(organisation=personas.other_org, kind="api", slug="nope", name="Theirs")
    response = api.post_json(URL, {**inbound_payload(1), "channel": slug})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"channel"}
    assert InboundEvent.objects.count() == 0


def test_it_refuses_when_the_organisation_has_no_active_api_channel(api: ApiClient, personas: Personas) -> None:
    Channel.objects.filter(pk=personas.channel.pk).update(is_active=False)
    response = api.post_json(URL, inbound_payload(1))
    assert response.status_code == 422
    assert "no active API channel" in response.json()["fields"]["channel"]


@pytest.mark.parametrize("body", ["{not json", '{"a": 1', "\xff\xfe", "NaN-ish"])
def test_it_answers_400_to_a_body_that_is_not_json_and_stores_nothing(api: ApiClient, personas: Personas,
                                                                      body: str) -> None:
    response = api.post(URL, data=body.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "body is not valid JSON", "fields": {}}
    assert InboundEvent.objects.count() == 0


def test_it_answers_422_to_an_empty_body(api: ApiClient, personas: Personas) -> None:
    response = api.post(URL, data=b"", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "Field required"}


def test_it_answers_413_to_a_body_over_the_limit(api: ApiClient, personas: Personas, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post_json(URL, {**inbound_payload(1), "text": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"] == "body too large"
    assert InboundEvent.objects.count() == 0


# --- authentication -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing API token"),
        ("Token abc", "must be 'Bearer <token>'"),
        ("Bearer", "must be 'Bearer <token>'"),
        ("Bearer not-a-webcare-token", "invalid API token"),
        ("Bearer wc_guessed", "invalid API token"),
    ],
)
def test_it_refuses_requests_without_a_valid_token_with_401(personas: Personas, header: str | None,
                                                            message: str) -> None:
    client = Client(headers={} if header is None else {"Authorization": header})
    response = client.post(URL, data=inbound_payload(1), content_type="application/json")
    assert response.status_code == 401
    assert message in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert InboundEvent.objects.count() == 0


def test_it_refuses_a_revoked_token(personas: Personas) -> None:
    token, plain = ApiToken.issue(personas.org, "old")
    token.revoked_at = timezone.now()
    token.save()
    response = ApiClient(plain).post_json(URL, inbound_payload(1))
    assert response.status_code == 401
    assert response.json()["error"] == "this API token was revoked"


def test_it_records_token_use_at_most_once_a_minute(personas: Personas) -> None:
    token, plain = ApiToken.issue(personas.org, "integration")
    client = ApiClient(plain)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get("/api/v1/events")
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        traveller.shift(timedelta(seconds=30))
        client.get("/api/v1/events")
        token.refresh_from_db()
        assert token.last_used_at == first
        traveller.shift(timedelta(seconds=31))
        client.get("/api/v1/events")
        token.refresh_from_db()
        assert token.last_used_at == first + timedelta(seconds=61)


def test_a_token_only_stores_into_its_own_organisation(personas: Personas) -> None:
    Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    _, plain = ApiToken.issue(personas.other_org, "theirs")
    assert ApiClient(plain).post_json(URL, inbound_payload(1)).status_code == 202
    assert InboundEvent.objects.get().organisation_id == personas.other_org.pk


# --- concurrency --------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_event_when_the_same_delivery_arrives_concurrently(personas: Personas) -> None:
    _, plain = ApiToken.issue(personas.org, "tests")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            client = ApiClient(plain)
            barrier.wait()
            statuses.append(client.post_json(URL, inbound_payload(1)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200, 200, 200, 202]
    assert InboundEvent.objects.count() == 1


# --- /events ------------------------------------------------------------------------------------------------------


def make_events(personas: Personas, count: int, status: str = EventStatus.PENDING) -> list[InboundEvent]:
    return [
        InboundEvent.objects.create(organisation=personas.org, channel=personas.channel, source="api",
                                    external_id=f"{status}-{i}", payload={"n": i}, status=status, attempts=5,
                                    last_error="boom" if status == "dead" else "")
        for i in range(count)
    ]


def test_it_lists_events_newest_first_filtered_by_status_without_payloads(api: ApiClient, personas: Personas) -> None:
    make_events(personas, 2, "done")
    dead = make_events(personas, 3, "dead")
    data = api.get("/api/v1/events?status=dead").json()
    assert [item["id"] for item in data["items"]] == [e.pk for e in reversed(dead)]
    assert data["items"][0]["last_error"] == "boom"
    assert "payload" not in data["items"][0]
    assert len(api.get("/api/v1/events").json()["items"]) == 5


def test_it_pages_through_events_with_a_cursor(api: ApiClient, personas: Personas) -> None:
    events = make_events(personas, 5)
    InboundEvent.objects.update(received_at=timezone.now())  # equal times: the id breaks the tie
    seen: list[int] = []
    cursor = ""
    while True:
        data = api.get(f"/api/v1/events?limit=2&cursor={cursor}").json()
        seen += [item["id"] for item in data["items"]]
        if data["next_cursor"] is None:
            break
        cursor = data["next_cursor"]
    assert seen == sorted((e.pk for e in events), reverse=True)


def test_it_shows_one_event_with_its_payload(api: ApiClient, personas: Personas) -> None:
    event = make_events(personas, 1)[0]
    assert api.get(f"/api/v1/events/{event.pk}").json()["payload"] == {"n": 0}


def test_it_retries_a_dead_event_and_the_worker_then_processes_it(api: ApiClient, personas: Personas) -> None:
    event = InboundEvent.objects.create(organisation=personas.org, channel=personas.channel, source="api",
                                        external_id="m-1", payload=inbound_payload(1), status="dead", attempts=5,
                                        next_attempt_at=timezone.now() + timedelta(days=1))
    response = api.post(f"/api/v1/events/{event.pk}/retry")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    event.refresh_from_db()
    assert event.next_attempt_at <= timezone.now()
    drain()
    event.refresh_from_db()
    assert event.status == "done"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("status", ["pending", "done"])
def test_it_refuses_to_retry_an_event_that_is_not_dead(api: ApiClient, personas: Personas, status: str) -> None:
    event = make_events(personas, 1, status)[0]
    response = api.post(f"/api/v1/events/{event.pk}/retry")
    assert response.status_code == 400
    assert "only dead events" in response.json()["fields"]["status"]
    event.refresh_from_db()
    assert event.attempts == 5


def test_it_hides_another_organisations_events(api: ApiClient, personas: Personas) -> None:
    channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    theirs = InboundEvent.objects.create(organisation=personas.other_org, channel=channel, source="api",
                                         payload={}, status="dead")
    assert api.get("/api/v1/events").json()["items"] == []
    assert api.get(f"/api/v1/events/{theirs.pk}").status_code == 404
    response = api.post(f"/api/v1/events/{theirs.pk}/retry")
    assert (response.status_code, response.json()) == (404, {"error": "not found", "fields": {}})
    theirs.refresh_from_db()
    assert theirs.status == "dead"


def test_it_refuses_an_unknown_event_status_filter(api: ApiClient, personas: Personas) -> None:
    response = api.get("/api/v1/events?status=lost")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"status"}
