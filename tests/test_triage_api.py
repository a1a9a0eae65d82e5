"""Triage through the REST API: each inbound message carries its triage; lists show masked text only."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient, inbound_payload, ingest_ticket
from webcare.ingest.models import InboundEvent

PHONE_TEXT = "Hei, ring meg på 412 34 567, fakturaen er feil!"


def test_it_returns_the_triage_of_each_inbound_message(api: ApiClient, personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, conversation_kind="public", text=PHONE_TEXT)
    detail = api.get(f"/api/v1/tickets/{ticket.pk}").json()
    (message,) = detail["messages"]
    triage = message["triage"]
    assert triage["language"] == "nb"
    assert triage["pii"] == [{"type": "PHONE", "start": 17, "end": 27, "kind": triage["pii"][0]["kind"]}]
    assert triage["redacted_text"] == "Hei, ring meg på [PHONE], fakturaen er feil!"
    assert "pii_public" in triage["signals"]
    assert triage["formality"] in ("formal", "informal", "unknown")
    assert detail["priority"] == 1 and detail["public_pii"] is True


def test_it_lists_tickets_with_the_latest_message_masked(api: ApiClient, personas: Any) -> None:
    ingest_ticket(personas, 1, conversation_kind="public", text=PHONE_TEXT)
    (item,) = api.get("/api/v1/tickets").json()["items"]
    assert "412 34 567" not in item["last_message"] and "[PHONE]" in item["last_message"]
    assert item["language"] == "nb" and item["public_pii"] is True


def test_it_has_no_triage_on_outbound_messages(api: ApiClient, personas: Any) -> None:
    ingest_ticket(personas, 1)
    ticket = ingest_ticket(personas, 2, direction="outbound", text="Vi ser på det!", author="brand")
    messages = api.get(f"/api/v1/tickets/{ticket.pk}").json()["messages"]
    assert [m["triage"] is None for m in messages] == [False, True]


def test_it_refuses_a_negative_follower_count_naming_the_field_and_stores_nothing(api: ApiClient,
                                                                                     personas: Any) -> None:
    body = inbound_payload(1)
    body["author"]["followers"] = -5
    response = api.post_json("/api/v1/inbound", body)
    assert response.status_code == 422, response.content
    assert "author.followers" in response.json()["fields"]
    assert InboundEvent.objects.count() == 0
