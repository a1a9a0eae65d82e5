"""The NUL character in what the JSON endpoints receive: a 400 naming where, nothing stored (the API fuzz test found
it as a 500 on PostgreSQL, which cannot store NUL in text or JSON)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.conftest import ApiClient, Personas, inbound_payload
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent

SITE = "https://www.fjordnett.test"


def test_an_api_body_with_nul_is_refused_naming_the_field(api: ApiClient) -> None:
    payload = inbound_payload(1, text="Hei\u0000der", author={"id": "u-1", "name": "Kari"})
    response = api.post_json("/api/v1/inbound", payload)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid request",
                               "fields": {"body.text": "must not contain the NUL character (\\u0000)"}}
    nested = api.post_json("/api/v1/inbound", inbound_payload(2, attachments=[{"name": "a\u0000.png"}]))
    assert nested.json()["fields"] == {"body.attachments[0].name": "must not contain the NUL character (\\u0000)"}
    assert not InboundEvent.objects.exists()


def test_a_backslash_u_typed_as_text_is_not_nul(api: ApiClient) -> None:
    response = api.post_json("/api/v1/inbound", inbound_payload(1, text="In JSON, NUL is written \\u0000."))
    assert response.status_code == 202
    assert InboundEvent.objects.get().payload["text"] == "In JSON, NUL is written \\u0000."


def test_a_query_parameter_with_nul_is_refused(api: ApiClient) -> None:
    response = api.get("/api/v1/tickets?label=faktura%00")
    assert response.status_code == 400
    assert response.json()["fields"] == {"query.label": "must not contain the NUL character (\\u0000)"}
    assert api.get("/api/v1/tickets?label=faktura").status_code == 200


def test_a_web_chat_message_with_nul_is_refused(personas: Personas) -> None:
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Chat",
                                  settings={"allowed_origins": SITE})
    visitor = Client()
    url = f"/chat/{chat.webhook_key}/session"
    response = visitor.post(url, data=json.dumps({"name": "Ola\u0000"}), content_type="application/json",
                            headers={"Origin": SITE})
    assert response.status_code == 400 and response.json()["fields"] == {
        "body.name": "must not contain the NUL character (\\u0000)"}


def test_a_body_too_large_is_still_the_apis_own_413(api: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post_json("/api/v1/inbound", inbound_payload(1, text="x" * 4000 + "\u0000"))
    assert response.status_code == 413
