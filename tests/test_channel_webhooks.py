"""The one webhook endpoint every connector sits behind (/hooks/<key>/), and what the worker does with updates.

Rules tested here for all connectors at once with a minimal HMAC-signing connector: verification GET, 401 on a wrong
or missing signature with nothing stored, 400 on a malformed body with nothing stored, 200 only after storing, a
retried delivery stored once, a delivery stored all-or-nothing; edits (triaged again), deletions and delivery receipts
applied in order by the worker, and an update that arrives before its message waits for it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.conftest import Personas, inbound_payload
from webcare.channels import registry
from webcare.channels.base import BadSignature, Connector, Delivery, InboundItem, ItemKind, Malformed
from webcare.conversations.models import DeliveryStatus, Message
from webcare.core.models import Channel
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.worker import drain

SECRET = "s3cret"


class SignedConnector(Connector):
    """Body: {"items": [{"kind": "message"|"update", "id": ..., "payload": {...}}]}, signed like Meta's webhooks."""

    kind = "signed"

    def handshake(self, delivery: Delivery) -> HttpResponse | None:
        if "challenge" not in delivery.query:
            return None
        if delivery.query.get("token") != SECRET:
            raise BadSignature("wrong verify token")
        return HttpResponse(delivery.query["challenge"], content_type="text/plain")

    def verify(self, delivery: Delivery) -> None:
        given = delivery.headers.get("x-signature", "")
        wanted = hmac.new(SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
        if not given:
            raise BadSignature("no X-Signature header")
        if not hmac.compare_digest(given, wanted):
            raise BadSignature("X-Signature does not match the body")

    def parse(self, delivery: Delivery) -> list[InboundItem]:
        body = delivery.json()
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise Malformed("expected an object with an 'items' list")
        return [InboundItem(event_id=item["id"], kind=ItemKind(item["kind"]), payload=item["payload"], raw=item)
                for item in body["items"]]


@pytest.fixture
def hooked(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channel]:
    monkeypatch.setitem(registry.CONNECTORS, "signed", f"{__name__}.SignedConnector")
    registry.connector_class.cache_clear()
    yield Channel.objects.create(organisation=personas.org, kind="signed", slug="signed", name="Signed")
    registry.connector_class.cache_clear()


def _post(channel: Channel, body: Any, signature: str | None = "auto") -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature == "auto":
        headers["X-Signature"] = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    elif signature is not None:
        headers["X-Signature"] = signature
    return Client().post(f"/hooks/{channel.webhook_key}/", data=raw, content_type="application/json",
                         headers=headers)


def _message(n: int, **overrides: Any) -> dict[str, Any]:
    return {"kind": "message", "id": f"m-{n}", "payload": inbound_payload(n, **overrides)}


def test_the_verification_get_is_answered_and_a_wrong_token_refused(hooked: Channel) -> None:
    ok = Client().get(f"/hooks/{hooked.webhook_key}/", {"challenge": "1158201444", "token": SECRET})
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = Client().get(f"/hooks/{hooked.webhook_key}/", {"challenge": "1", "token": "guess"})
    assert wrong.status_code == 401
    plain = Client().get(f"/hooks/{hooked.webhook_key}/")
    assert plain.status_code == 400


def test_a_delivery_is_stored_before_it_is_acknowledged_and_a_retry_adds_nothing(hooked: Channel) -> None:
    body = {"items": [_message(1), _message(2)]}
    first = _post(hooked, body)
    assert (first.status_code, first.json()) == (200, {"stored": 2, "duplicates": 0})
    events = InboundEvent.objects.filter(channel=hooked).order_by("id")
    assert [e.external_id for e in events] == ["m-1", "m-2"]
    assert events[0].raw == body["items"][0] and events[0].source == "webhook"
    again = _post(hooked, body)
    assert again.json() == {"stored": 0, "duplicates": 2}
    drain()
    assert Message.objects.filter(channel=hooked).count() == 2


def test_a_nul_character_from_a_platform_is_stored_as_a_replacement_not_a_500(hooked: Channel) -> None:
    # PostgreSQL refuses NUL in JSON and text: without the replacement the platform would retry this for ever.
    response = _post(hooked, {"items": [_message(1, text="Hei\u0000 der")]})
    assert (response.status_code, response.json()) == (200, {"stored": 1, "duplicates": 0})
    drain()
    assert Message.objects.get(channel=hooked).text == "Hei\ufffd der"


@pytest.mark.parametrize(("signature", "reason"), [(None, "no X-Signature header"),
                                                   ("0" * 64, "does not match the body")])
def test_a_wrong_or_missing_signature_is_401_and_nothing_is_stored(hooked: Channel, signature: str | None,
                                                                  reason: str, caplog: Any) -> None:
    response = _post(hooked, {"items": [_message(1, text="Mitt fødselsnummer er 01017012345")]}, signature)
    assert response.status_code == 401
    assert reason in response.json()["error"]
    assert not InboundEvent.objects.exists()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "webhook refused for channel signed" in logged and reason in logged
    assert "01017012345" not in logged  # the unauthenticated payload is not written to the log


def test_a_malformed_body_is_400_naming_the_problem_and_nothing_is_stored(hooked: Channel) -> None:
    not_json = _post(hooked, b"{not json")
    assert not_json.status_code == 400 and "body is not JSON" in not_json.json()["error"]
    wrong_shape = _post(hooked, {"entries": []})
    assert wrong_shape.status_code == 400 and "'items' list" in wrong_shape.json()["error"]
    # One bad item spoils the whole delivery: none of it is stored, so the platform's retry is whole.
    bad = _message(2)
    del bad["payload"]["sent_at"]
    half = _post(hooked, {"items": [_message(1), bad]})
    assert half.status_code == 400
    assert "item 1 (m-2): sent_at: Field required" in half.json()["error"]
    assert not InboundEvent.objects.exists()


def test_unknown_or_inactive_channels_are_404(hooked: Channel) -> None:
    assert Client().post("/hooks/nope/", data=b"{}", content_type="application/json").status_code == 404
    hooked.is_active = False
    hooked.save()
    assert _post(hooked, {"items": []}).status_code == 404


def test_edits_are_applied_and_triaged_again(hooked: Channel) -> None:
    _post(hooked, {"items": [_message(1, text="Hei, fakturaen er feil")]})
    drain()
    edit = {"kind": "update", "id": "m-1:edit:1",
            "payload": {"message_id": "m-1", "change": "edited", "at": "2026-11-20T10:05:00+00:00",
                        "text": "Hei, fakturaen er feil. Ring meg på 912 34 567"}}
    _post(hooked, {"items": [edit]})
    drain()
    message = Message.objects.get(external_id="m-1")
    assert message.text == "Hei, fakturaen er feil. Ring meg på 912 34 567"
    assert message.edits == [{"at": message.sent_at.isoformat(), "text": "Hei, fakturaen er feil"}]
    assert message.edited_at is not None
    assert "[PHONE]" in message.redacted_text  # the number written into the edit is masked like any other


def test_a_deletion_is_recorded_and_the_text_kept(hooked: Channel) -> None:
    _post(hooked, {"items": [_message(1)]})
    _post(hooked, {"items": [{"kind": "update", "id": "m-1:deleted",
                              "payload": {"message_id": "m-1", "change": "deleted",
                                          "at": "2026-11-20T11:00:00+00:00"}}]})
    drain()
    message = Message.objects.get(external_id="m-1")
    assert message.deleted_at is not None and message.text


def test_an_update_that_arrives_before_its_message_waits_for_it(hooked: Channel, settings: Any) -> None:
    settings.WEBCARE_RETRY_BASE_SECONDS = 0
    early = {"kind": "update", "id": "m-5:edit", "payload": {"message_id": "m-5", "change": "edited",
                                                            "at": "2026-11-20T10:06:00+00:00", "text": "ny"}}
    _post(hooked, {"items": [early]})
    drain(max_batches=1)
    event = InboundEvent.objects.get(external_id="m-5:edit")
    assert event.status == EventStatus.PENDING and "not stored (yet)" in event.last_error
    _post(hooked, {"items": [_message(5)]})
    drain()
    event.refresh_from_db()
    assert event.status == EventStatus.DONE
    assert Message.objects.get(external_id="m-5").text == "ny"


def test_delivery_receipts_only_move_a_reply_forward(hooked: Channel) -> None:
    outbound = _message(1, direction="outbound", author="brand")
    _post(hooked, {"items": [outbound]})
    drain()

    def receipt(change: str, n: int) -> dict[str, Any]:
        return {"kind": "update", "id": f"m-1:{change}",
                "payload": {"message_id": "m-1", "change": change, "at": f"2026-11-20T10:1{n}:00+00:00"}}

    _post(hooked, {"items": [receipt("read", 2), receipt("delivered", 1)]})
    drain()
    assert Message.objects.get(external_id="m-1").delivery_status == DeliveryStatus.READ
    _post(hooked, {"items": [{"kind": "update", "id": "m-1:failed", "payload": {
        "message_id": "m-1", "change": "failed", "at": "2026-11-20T10:13:00+00:00",
        "error": "131047: re-engagement message"}}]})
    drain()
    message = Message.objects.get(external_id="m-1")
    assert (message.delivery_status, message.delivery_error) == ("failed", "131047: re-engagement message")


def test_an_update_whose_message_never_comes_is_skipped_not_dead_lettered(hooked: Channel, settings: Any) -> None:
    """An edit of a comment from before the channel was connected: retried a few times, then set aside quietly."""
    settings.WEBCARE_RETRY_BASE_SECONDS = 0
    settings.WEBCARE_MAX_ATTEMPTS = 3
    orphan = {"kind": "update", "id": "old:edit", "payload": {"message_id": "from-before", "change": "edited",
                                                              "at": "2026-11-20T10:06:00+00:00", "text": "ny"}}
    _post(hooked, {"items": [orphan]})
    for _ in range(3):
        drain(max_batches=1)
    event = InboundEvent.objects.get(external_id="old:edit")
    assert (event.status, event.attempts) == (EventStatus.DONE, 3)
    assert event.last_error == "skipped: message 'from-before' is not stored (yet)"
    assert not InboundEvent.objects.filter(status=EventStatus.DEAD).exists()
