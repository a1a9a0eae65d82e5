"""WhatsApp Cloud API connector: Meta's webhook check and signature, messages and statuses in (Meta's documented shapes
and chatwoot's Cloud API fixtures), replies out to a stub Graph server, and the 24-hour customer-service window.

Chatwoot's fixtures are transcriptions of its specs: ``<expr:…>`` placeholders are filled in here, and where the spec
left out the message ``id`` that Meta always sends, one is added (a message without one is refused, see below). The
360dialog fixtures have the older top-level shape; their message objects are the Cloud API's, so they are wrapped in
the Cloud API envelope here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import Personas
from webcare.channels.base import (
    Action,
    Delivery,
    HealthReport,
    HealthStatus,
    InboundItem,
    ItemKind,
    OutboundRequest,
    SendError,
)
from webcare.channels.meta import GRAPH_VERSION
from webcare.channels.models import OutboundJob
from webcare.channels.sender import send_due
from webcare.channels.whatsapp import WhatsAppConnector
from webcare.conversations.models import Conversation, DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.customers.models import Identity
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import ActionError, do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "whatsapp"
PHONE_ID = "106540352242922"
TOKEN = "EAAGm0PX4ZCpsBAtoken"
APP_SECRET = "9f2c1b7e5a3d4c6b8e0f1a2b3c4d5e6f"
VERIFY = "fjordnett-whatsapp-7Qx"
KARI = "4791234567"
TEXT_WAMID = "wamid.HBgKNDc5MTIzNDU2NxUCABIYFjNFQjBDMEE3RkU1MkQ0QTZFRkM2AA=="
REPLY_WAMID = "wamid.HBgKNDc5MTIzNDU2NxUCABEYEjQ4QTBFQzk2OUFBNUYxMzRFAA=="
#: Meta's appsecret_proof: HMAC-SHA256 of the access token with the app secret, sent with every Graph call.
PROOF = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
#: meta_text_message.json's timestamp 1749546000.
KARI_WROTE = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def channel(personas: Personas, httpserver: Any) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="whatsapp", name="WhatsApp",
                                     settings={"phone_number_id": PHONE_ID,
                                               "api_base_url": httpserver.url_for("").rstrip("/")})
    channel.set_credentials({"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY})
    channel.save()
    return channel


def fixture(name: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    text = text.replace("<expr:whatsapp_channel.phone_number>", "+4722334455").replace(
        "<expr:channel.phone_number>", "+4722334455")
    text = text.replace("<expr:other_channel.provider_config['phone_number_id']>", "999000111222333").replace(
        "<expr:channel.provider_config['phone_number_id']>", PHONE_ID)
    text = text.replace("<expr:other_channel.phone_number.delete('+')>", "4799887766").replace(
        "<expr:channel.phone_number.delete('+')>", "4722334455")
    payload = json.loads(text)
    for entry in payload.get("entry", []):
        for change in entry["changes"]:
            for index, message in enumerate(change["value"].get("messages", [])):
                message.setdefault("id", f"wamid.{Path(name).stem}.{index}")  # chatwoot's spec left it out
    return payload


def dialog360(name: str) -> dict[str, Any]:
    """A 360dialog fixture's contacts/messages in the Cloud API envelope."""
    value = {"messaging_product": "whatsapp", **json.loads((FIXTURES / "360dialog" / name).read_text())}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


def signed(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery(payload: dict[str, Any] | bytes) -> Delivery:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Delivery(method="POST", headers={"x-hub-signature-256": signed(body)}, query={}, body=body)


def parse(channel: Channel, payload: dict[str, Any]) -> list[InboundItem]:
    return WhatsAppConnector(channel).parse(delivery(payload))


def post(channel: Channel, payload: dict[str, Any] | bytes, signature: str | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {} if signature == "" else {"X-Hub-Signature-256": signature or signed(body)}
    return Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json", headers=headers)


# -- the webhook check and signatures --------------------------------------------------------------------------

def test_it_answers_metas_verification_with_the_challenge(channel: Channel) -> None:
    response = Client().get(f"/hooks/{channel.webhook_key}/", {
        "hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


def test_it_refuses_verification_with_a_wrong_token(channel: Channel) -> None:
    response = Client().get(f"/hooks/{channel.webhook_key}/", {
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
    assert response.status_code == 401
    assert b"1158201444" not in response.content
    assert Client().get(f"/hooks/{channel.webhook_key}/").status_code == 400


@pytest.mark.parametrize(("signature", "why"), [
    ("", "no X-Hub-Signature-256 header"),
    (signed(b"something else"), "does not match"),
    (signed(json.dumps(fixture("meta_text_message.json")).encode(), "another app's secret"), "does not match"),
    ("sha1=" + "0" * 40, "is not of the form sha256=<hex>"),
])
def test_it_refuses_a_bad_or_missing_signature_and_stores_nothing(channel: Channel, signature: str, why: str) -> None:
    response = post(channel, fixture("meta_text_message.json"), signature=signature)
    assert response.status_code == 401
    assert why in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_the_signature_is_over_the_exact_bytes(channel: Channel) -> None:
    """Re-serialising the JSON (other spacing) must not pass: Meta signs the bytes it sent."""
    compact = json.dumps(fixture("meta_text_message.json"), separators=(",", ":")).encode()
    spaced = json.dumps(fixture("meta_text_message.json"), indent=2).encode()
    assert post(channel, spaced, signature=signed(compact)).status_code == 401
    assert post(channel, spaced, signature=signed(spaced)).status_code == 200


@pytest.mark.parametrize(("body", "why"), [
    (b"{not json", "body is not JSON"),
    (b"[1, 2]", "the body is not an object"),
    (json.dumps({"object": "whatsapp_business_account", "entry": {"changes": []}}).encode(), "entry is not a list"),
    (json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}).encode(),
     "entry[0].changes[0].value is missing"),
    (json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "messages": [{"from": KARI, "id": "wamid.x", "timestamp": "soon", "type": "text", "text": {"body": "hei"}}]},
    }]}]}).encode(), "entry[0].changes[0].value.messages[0].timestamp is not a time"),
])
def test_it_answers_400_to_a_body_meta_does_not_send_and_stores_nothing(channel: Channel, body: bytes,
                                                                        why: str) -> None:
    response = post(channel, body)
    assert response.status_code == 400
    assert why in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_a_message_without_an_id_is_refused_whole(channel: Channel) -> None:
    """Meta always sends a wamid; without one a retry could not be recognised, so nothing of the delivery is kept."""
    payload = fixture("meta_text_message.json")
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {**messages[0], "id": "wamid.first"})
    del messages[1]["id"]
    response = post(channel, payload)
    assert response.status_code == 400
    assert "entry[0].changes[0].value.messages[1].id is missing" in response.json()["error"]
    assert InboundEvent.objects.count() == 0


# -- messages in -----------------------------------------------------------------------------------------------

def test_a_text_message_becomes_a_private_message_from_the_customer(channel: Channel) -> None:
    [item] = parse(channel, fixture("meta_text_message.json"))
    assert item.event_id == TEXT_WAMID
    assert item.kind == ItemKind.MESSAGE
    assert item.conversation_id == KARI
    assert item.payload == {
        "message_id": TEXT_WAMID, "conversation_id": KARI, "conversation_kind": "private", "direction": "inbound",
        "author": {"id": KARI, "handle": "+4791234567", "name": "Kari Nordmann"},
        "text": "Hei! Ruteren min har mistet forbindelsen siden i går.", "sent_at": KARI_WROTE.isoformat(),
        "in_reply_to": "", "attachments": [],
    }
    assert item.raw == fixture("meta_text_message.json")["entry"][0]["changes"][0]["value"]["messages"][0]


@pytest.mark.parametrize(("name", "attachment", "text"), [
    ("image_message.json", {"name": "image-b1c68f38-8734-4ad3-b4a1-ef0c10d683.jpeg", "content_type": "image/jpeg",
                            "url": "whatsapp-media:b1c68f38-8734-4ad3-b4a1-ef0c10d683"}, "Check out my product!"),
    ("document_message.json", {"name": "Currículum café.pdf", "content_type": "application/pdf",
                               "url": "whatsapp-media:b1c68f38-8734-4ad3-b4a1-ef0c10d683"}, "My résumé"),
    ("media_error_message.json", {"name": "image-b1c68f38-8734-4ad3-b4a1-ef0c10d683.jpeg",
                                  "content_type": "image/jpeg",
                                  "url": "whatsapp-media:b1c68f38-8734-4ad3-b4a1-ef0c10d683"},
     "Check out my product!"),
])
def test_media_become_attachments_with_the_media_id_and_the_caption_as_text(
    channel: Channel, name: str, attachment: dict[str, Any], text: str
) -> None:
    [item] = parse(channel, fixture(name))
    assert item.payload["attachments"] == [attachment]
    assert item.payload["text"] == text
    assert item.payload["author"] == {"id": "2423423243", "handle": "+2423423243", "name": "Sojan Jose"}
    assert item.payload["sent_at"] == "2022-10-03T12:25:04+00:00"


def test_a_reply_to_a_message_names_it_and_an_ad_referral_is_shown(channel: Channel) -> None:
    [reply] = parse(channel, fixture("reply_with_context.json"))
    assert reply.payload["in_reply_to"] == "wamid.ORIGINAL_MESSAGE_ID"
    assert reply.payload["message_id"] == "wamid.REPLY_MESSAGE_ID"
    [ad] = parse(channel, fixture("referral_ad_message.json"))
    assert ad.payload["text"] == "Hello nielekeze\n\n[ad: Diana Digital — https://fb.me/3TYpooaRT]"
    assert ad.payload["author"]["name"] == "Mom"


@pytest.mark.parametrize(("name", "text"), [
    ("interactive_button_reply.json", "First Button"),
    ("template_button_reply.json", "Yes this is a button"),
    ("location.json", "📍 Bay Bridge, San Francisco, CA, USA\n"
                      "https://www.openstreetmap.org/?mlat=37.7893768&mlon=-122.3895553#map=17/37.7893768/-122.3895553"),
    ("contacts_message.json", "👤 Apple Inc. +911800\n👤 Chatwoot +1 (415) 341-8386"),
])
def test_buttons_locations_and_contacts_become_text(channel: Channel, name: str, text: str) -> None:
    [item] = parse(channel, dialog360(name))
    assert item.payload["text"] == text
    assert item.payload["attachments"] == []


def test_other_message_types_parse_and_unsupported_ones_are_skipped_and_logged(
    channel: Channel, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        items = parse(channel, fixture("meta_message_types.json"))
    got = {item.event_id: item.payload for item in items}
    assert list(got) == ["wamid.VOICE0001", "wamid.STICKER0001", "wamid.VIDEO0001", "wamid.LIST0001",
                         "wamid.REACTION0001"]
    assert got["wamid.VOICE0001"]["attachments"] == [
        {"name": "audio-1081394350283924.ogg", "content_type": "audio/ogg", "url": "whatsapp-media:1081394350283924"}]
    assert got["wamid.STICKER0001"]["attachments"][0]["content_type"] == "image/webp"
    assert got["wamid.VIDEO0001"]["text"] == "Slik blinker lampene"
    assert got["wamid.LIST0001"]["text"] == "Fiber — Spørsmål om fiberlinjen"
    assert got["wamid.REACTION0001"]["text"] == "🙏"
    assert got["wamid.REACTION0001"]["in_reply_to"] == REPLY_WAMID
    logged = caplog.text
    assert "skipped a 'reaction' message wamid.REACTION0002" in logged  # a removed reaction
    assert "skipped a 'unsupported' message wamid.UNSUPPORTED0001 (Message type unknown (131051): Message type is " \
           "currently not supported.)" in logged
    assert "skipped a 'system' message wamid.SYSTEM0001" in logged


def test_an_unsupported_message_alone_is_acknowledged_with_nothing_stored(channel: Channel) -> None:
    response = post(channel, dialog360("unsupported_message_with_errors.json"))
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 0}


def test_a_delivery_for_another_number_of_the_app_is_skipped(channel: Channel,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    payload = fixture("reaction_message.json")  # its metadata names another channel's phone number id
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        assert parse(channel, payload) == []
    assert f"phone number id 999000111222333 (this channel is {PHONE_ID})" in caplog.text
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = PHONE_ID
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["message_id"] = REPLY_WAMID
    [item] = parse(channel, payload)
    assert (item.payload["text"], item.payload["in_reply_to"]) == ("👍", REPLY_WAMID)


def test_deliveries_with_nothing_to_store_are_acknowledged(channel: Channel, caplog: pytest.LogCaptureFixture) -> None:
    """Signed by Meta, so genuine: an app with several products sends other fields and objects to the same URL."""
    assert parse(channel, fixture("webhook_envelope_with_metadata.json")) == []
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = post(channel, fixture("meta_template_status_update.json"))
        other_object = post(channel, {"object": "page", "entry": [{"id": "1", "time": 1749546000, "messaging": []}]})
    assert response.json() == other_object.json() == {"stored": 0, "duplicates": 0}
    assert "skipped a 'message_template_status_update' change" in caplog.text
    assert "skipped a delivery for object 'page'" in caplog.text


def test_statuses_become_updates_of_the_brands_messages_and_sent_is_skipped(channel: Channel) -> None:
    items = parse(channel, fixture("meta_statuses.json"))
    failed_wamid = "wamid.HBgKNDc5MTIzNDU2NxUCABEYEkYzQjM2MTNDMkU0QjVBODk2RQA="
    assert [(item.event_id, item.kind, item.conversation_id) for item in items] == [
        (f"{REPLY_WAMID}:status:delivered", ItemKind.UPDATE, KARI),
        (f"{REPLY_WAMID}:status:read", ItemKind.UPDATE, KARI),
        (f"{failed_wamid}:status:failed", ItemKind.UPDATE, KARI),
    ]
    assert [item.payload for item in items] == [
        {"message_id": REPLY_WAMID, "change": "delivered", "at": "2025-06-10T09:05:02+00:00"},
        {"message_id": REPLY_WAMID, "change": "read", "at": "2025-06-10T09:06:00+00:00"},
        {"message_id": failed_wamid, "change": "failed", "at": "2025-06-12T03:46:40+00:00",
         "error": "Re-engagement message (131047): Message failed to send because more than 24 hours have passed "
                  "since the customer last replied to this number."},
    ]


def test_metas_retry_of_a_delivery_is_a_duplicate(channel: Channel) -> None:
    first = post(channel, fixture("meta_text_message.json"))
    again = post(channel, fixture("meta_text_message.json"))
    assert first.json() == {"stored": 1, "duplicates": 0}
    assert again.json() == {"stored": 0, "duplicates": 1}
    assert InboundEvent.objects.filter(channel=channel).count() == 1


def test_a_webhook_becomes_a_customer_a_conversation_and_a_message(channel: Channel) -> None:
    assert post(channel, fixture("meta_text_message.json")).status_code == 200
    assert post(channel, as_kari(fixture("image_message.json"))).status_code == 200
    drain()
    conversation = Conversation.objects.get(channel=channel)
    assert (conversation.external_id, conversation.kind) == (KARI, "private")
    messages = list(Message.objects.filter(conversation=conversation).order_by("sent_at"))
    assert [(m.external_id, m.direction, m.is_public) for m in messages] == [
        ("wamid.image_message.0", Direction.INBOUND, False), (TEXT_WAMID, Direction.INBOUND, False)]
    assert messages[0].attachments[0]["url"] == "whatsapp-media:b1c68f38-8734-4ad3-b4a1-ef0c10d683"
    identity = Identity.objects.get(platform="whatsapp", external_id=KARI)
    assert (identity.handle, identity.display_name) == ("+4791234567", "Kari Nordmann")
    assert Ticket.objects.filter(conversation=conversation).count() == 1


def as_kari(payload: dict[str, Any]) -> dict[str, Any]:
    """The chatwoot image fixture, sent by Kari (so both messages are one conversation)."""
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = KARI
    value["contacts"][0]["profile"]["name"] = "Kari Nordmann"
    return payload


# -- replies out -------------------------------------------------------------------------------------------------

def request(**fields: Any) -> OutboundRequest:
    values: dict[str, Any] = {"action": Action.REPLY, "idempotency_key": "0d7c6a9e-5e1f-4f8e-9a63-2f6b9c0e1a11",
                              "text": "Hei Kari! Vi sender en tekniker i morgen. – Ola", "conversation_id": KARI,
                              "target_id": TEXT_WAMID,
                              "recipient": {"id": KARI, "handle": "+4791234567", "name": "Kari Nordmann",
                                            "last_inbound_at": KARI_WROTE.isoformat()}}
    return OutboundRequest(**(values | fields))


def expect_send(httpserver: Any, body: dict[str, Any], wamid: str = REPLY_WAMID) -> None:
    httpserver.expect_ordered_request(
        f"/{GRAPH_VERSION}/{PHONE_ID}/messages", method="POST", headers={"Authorization": f"Bearer {TOKEN}"},
        query_string={"appsecret_proof": PROOF},
        json={"messaging_product": "whatsapp", "recipient_type": "individual", "to": KARI, **body},
    ).respond_with_json({"messaging_product": "whatsapp", "contacts": [{"input": KARI, "wa_id": KARI}],
                         "messages": [{"id": wamid}]})


def test_a_reply_inside_the_window_is_sent_as_text_and_returns_the_wamid(channel: Channel, httpserver: Any) -> None:
    expect_send(httpserver, {"type": "text", "text": {"preview_url": False,
                                                      "body": "Hei Kari! Vi sender en tekniker i morgen. – Ola"}})
    with time_machine.travel(KARI_WROTE + timedelta(hours=23, minutes=59), tick=False):
        result = WhatsAppConnector(channel).send(request())
    httpserver.check_assertions()
    assert result.external_id == REPLY_WAMID


@pytest.mark.parametrize("last_inbound_at", [(KARI_WROTE - timedelta(minutes=1)).isoformat(), None, "yesterday"])
def test_free_text_outside_the_24_hour_window_is_refused_before_anything_is_sent(
    channel: Channel, httpserver: Any, last_inbound_at: str | None
) -> None:
    recipient = {"id": KARI} | ({"last_inbound_at": last_inbound_at} if last_inbound_at else {})
    with time_machine.travel(KARI_WROTE + timedelta(hours=23, minutes=59), tick=False), \
            pytest.raises(SendError) as refused:
        WhatsAppConnector(channel).send(request(recipient=recipient))
    assert "24-hour rule" in str(refused.value)
    assert "send an approved template instead" in str(refused.value)
    assert refused.value.retryable is False
    assert httpserver.log == []


def test_a_template_is_sent_outside_the_window_in_metas_exact_shape(channel: Channel, httpserver: Any) -> None:
    expect_send(httpserver, {"type": "template", "template": {
        "name": "svar_pa_henvendelse", "language": {"code": "nb"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Kari"},
                                                        {"type": "text", "text": "4471"}]}]}})
    expect_send(httpserver, {"type": "template", "template": {
        "name": "levering_klar", "language": {"code": "en_US"},
        "components": [{"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x.test/a.png"}}]},
                       {"type": "body", "parameters": [{"type": "text", "text": "Kari"}]}]}})
    expect_send(httpserver, {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}})
    components = [{"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x.test/a.png"}}]},
                  {"type": "body", "parameters": [{"type": "text", "text": "Kari"}]}]
    connector = WhatsAppConnector(channel)
    with time_machine.travel(KARI_WROTE + timedelta(days=3), tick=False):
        connector.send(request(template={"name": "svar_pa_henvendelse", "language": "nb",
                                         "parameters": ["Kari", "4471"]}))
        connector.send(request(template={"name": "levering_klar", "language": {"code": "en_US"},
                                         "components": components}))
        connector.send(request(template={"name": "hello_world", "language": "en_US"}, recipient={"id": KARI}))
    httpserver.check_assertions()


def test_a_template_without_name_or_language_is_refused(channel: Channel, httpserver: Any) -> None:
    with pytest.raises(SendError, match="has no language code"):
        WhatsAppConnector(channel).send(request(template={"name": "svar_pa_henvendelse"}))
    with pytest.raises(SendError, match="template has no name"):
        WhatsAppConnector(channel).send(request(template={"language": "nb"}))
    assert httpserver.log == []


def test_the_window_rule_for_the_composer(channel: Channel) -> None:
    connector = WhatsAppConnector(channel)
    assert connector.template_required(None, KARI_WROTE) is True
    assert connector.template_required(KARI_WROTE, KARI_WROTE + timedelta(hours=23, minutes=59)) is False
    assert connector.template_required(KARI_WROTE, KARI_WROTE + timedelta(hours=24)) is True
    assert connector.reply_window_note(KARI_WROTE, KARI_WROTE + timedelta(hours=20, minutes=30)) == (
        "WhatsApp allows free replies for 3 h 30 min more (24 hours after the customer's last message); after that "
        "only an approved template.")
    assert "only an approved template until the customer writes again" in connector.reply_window_note(
        KARI_WROTE, KARI_WROTE + timedelta(hours=25))
    assert "has not written to this WhatsApp number yet" in connector.reply_window_note(None, KARI_WROTE)


def test_one_file_goes_by_link_with_the_text_as_caption(channel: Channel, httpserver: Any) -> None:
    expect_send(httpserver, {"type": "image", "image": {"link": "https://files.fjordnett.test/ruter.png",
                                                        "caption": "Slik kobler du den til"}})
    expect_send(httpserver, {"type": "document", "document": {"link": "https://files.fjordnett.test/avtale.pdf",
                                                              "caption": "Avtalen", "filename": "avtale.pdf"}})
    connector = WhatsAppConnector(channel)
    with time_machine.travel(KARI_WROTE + timedelta(hours=1), tick=False):
        connector.send(request(text="Slik kobler du den til", attachments=(
            {"name": "ruter.png", "content_type": "image/png", "url": "https://files.fjordnett.test/ruter.png"},)))
        connector.send(request(text="Avtalen", attachments=(
            {"name": "avtale.pdf", "content_type": "application/pdf",
             "url": "https://files.fjordnett.test/avtale.pdf"},)))
        with pytest.raises(SendError, match="one file per message"):
            connector.send(request(attachments=({"name": "a.pdf", "url": "https://x.test/a.pdf"},
                                                {"name": "b.pdf", "url": "https://x.test/b.pdf"})))
        with pytest.raises(SendError, match="no public link"):
            connector.send(request(attachments=({"name": "a.pdf", "url": "/attachments/1/abc/a.pdf"},)))
        with pytest.raises(SendError, match="at most 4096 characters; this one has 4097"):
            connector.send(request(text="x" * 4097))
    httpserver.check_assertions()
    assert len(httpserver.log) == 2


def error_response(httpserver: Any, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    httpserver.expect_ordered_request(f"/{GRAPH_VERSION}/{PHONE_ID}/messages", method="POST").respond_with_json(
        body, status=status, headers=headers or {})


@pytest.mark.parametrize(("status", "body", "headers", "retryable", "retry_after", "health", "words"), [
    (429, {"error": {"message": "Too many calls", "code": 80007}}, {"Retry-After": "30"}, True, 30.0,
     HealthStatus.RATE_LIMITED, "Meta's rate limit (code 80007): Too many calls"),
    (503, {"error": {"message": "Service temporarily unavailable", "code": 2}}, {}, True, None,
     HealthStatus.FAILING, "HTTP 503"),
    (400, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}}, {}, True, None,
     HealthStatus.RATE_LIMITED, "WhatsApp rate limit, code 130429"),
    (401, {"error": {"message": "Error validating access token: Session has expired", "code": 190}}, {}, False,
     None, HealthStatus.TOKEN_EXPIRED, "the WhatsApp access token was refused"),
    (400, {"error": {"message": "(#131047) Re-engagement message", "code": 131047}}, {}, False, None, None,
     "WhatsApp's 24-hour rule"),
    (400, {"error": {"message": "(#100) Invalid parameter", "code": 100}}, {}, False, None, None,
     "HTTP 400: (#100) Invalid parameter"),
])
def test_platform_errors_map_to_retry_or_stop(
    channel: Channel, httpserver: Any, status: int, body: dict[str, Any], headers: dict[str, str],
    retryable: bool, retry_after: float | None, health: HealthStatus | None, words: str,
) -> None:
    error_response(httpserver, status, body, headers)
    with time_machine.travel(KARI_WROTE + timedelta(hours=1), tick=False), pytest.raises(SendError) as failed:
        WhatsAppConnector(channel).send(request())
    error = failed.value
    assert (error.retryable, error.retry_after, error.health, error.ambiguous) == (retryable, retry_after, health,
                                                                                   False)
    assert words in str(error)


def test_check_names_the_number_or_says_what_is_wrong(channel: Channel, httpserver: Any) -> None:
    httpserver.expect_ordered_request(
        f"/{GRAPH_VERSION}/{PHONE_ID}", method="GET", headers={"Authorization": f"Bearer {TOKEN}"},
        query_string={"fields": "display_phone_number,verified_name", "appsecret_proof": PROOF},
    ).respond_with_json({"display_phone_number": "+47 22 33 44 55", "verified_name": "Fjordnett",
                         "id": PHONE_ID})
    httpserver.expect_ordered_request(f"/{GRAPH_VERSION}/{PHONE_ID}", method="GET").respond_with_json(
        {"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException",
                   "code": 190}}, status=401)
    connector = WhatsAppConnector(channel)
    assert connector.check() == HealthReport(HealthStatus.OK, "Fjordnett (+47 22 33 44 55)")
    report = connector.check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert "access token was refused" in report.detail and "Session has expired" in report.detail
    httpserver.check_assertions()


# -- end to end: webhook → worker → reply → sender → statuses ---------------------------------------------------

@pytest.fixture
def back_in_time(channel: Channel) -> None:
    """These tests travel to June 2025; the channel, made today, would not send "before" it was made."""
    Channel.objects.filter(pk=channel.pk).update(send_after=KARI_WROTE - timedelta(days=1))


def test_webhook_to_reply_to_delivery_status_end_to_end(personas: Personas, channel: Channel, httpserver: Any,
                                                        back_in_time: None) -> None:
    with time_machine.travel(KARI_WROTE + timedelta(minutes=2), tick=False):
        post(channel, fixture("meta_text_message.json"))
        drain()
        ticket = Ticket.objects.get(conversation__channel=channel)
        expect_send(httpserver, {"type": "text", "text": {"preview_url": False, "body": "Hei Kari, vi ser på det."}})
        reply = do_reply(ticket, personas.agent, "Hei Kari, vi ser på det.")
        assert send_due().sent == 1
    httpserver.check_assertions()
    job = OutboundJob.objects.get(message=reply)
    assert job.request["recipient"]["last_inbound_at"] == KARI_WROTE.isoformat()
    reply.refresh_from_db()
    assert (reply.external_id, reply.delivery_status) == (REPLY_WAMID, DeliveryStatus.SENT)

    post(channel, fixture("meta_statuses.json"))
    drain()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.READ


def test_after_24_hours_the_reply_needs_a_template_end_to_end(personas: Personas, channel: Channel,
                                                              httpserver: Any, back_in_time: None) -> None:
    with time_machine.travel(KARI_WROTE + timedelta(minutes=2), tick=False):
        post(channel, fixture("meta_text_message.json"))
        drain()
    ticket = Ticket.objects.get(conversation__channel=channel)
    template = {"name": "svar_pa_henvendelse", "language": "nb", "parameters": ["Kari", "4471"]}
    expect_send(httpserver, {"type": "template", "template": {
        "name": "svar_pa_henvendelse", "language": {"code": "nb"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Kari"},
                                                        {"type": "text", "text": "4471"}]}]}})
    with time_machine.travel(KARI_WROTE + timedelta(hours=30), tick=False):
        with pytest.raises(ActionError, match="only an approved template"):
            do_reply(ticket, personas.agent, "Hei igjen!")
        do_reply(ticket, personas.agent, "Hei Kari, saken 4471 er løst.", template=template)
        assert send_due().sent == 1
    httpserver.check_assertions()


def test_an_entry_is_the_business_account_and_the_number_is_in_the_metadata(personas: Any) -> None:
    """Meta puts the WhatsApp Business Account id in ``entry[].id`` and the phone number id in each change's
    metadata: a real delivery for this channel's number is stored, one for another number of the account is not."""
    channel = Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="wa-waba", name="WA",
                                     settings={"phone_number_id": PHONE_ID})
    channel.set_credentials({"access_token": "t", "app_secret": "waba-secret", "verify_token": "v"})
    channel.save()

    def body(number: str, wamid: str) -> bytes:
        return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "4791234567", "phone_number_id": number},
                "contacts": [{"profile": {"name": "Kari"}, "wa_id": "4790000001"}],
                "messages": [{"from": "4790000001", "id": wamid, "timestamp": "1764000000", "type": "text",
                              "text": {"body": "Hei"}}]}}]}]}).encode()

    for number, wamid in ((PHONE_ID, "wamid.ours"), ("999000111222333", "wamid.theirs")):
        raw = body(number, wamid)
        signature = "sha256=" + hmac.new(b"waba-secret", raw, hashlib.sha256).hexdigest()
        response = Client().post(f"/hooks/{channel.webhook_key}/", data=raw, content_type="application/json",
                                 headers={"X-Hub-Signature-256": signature})
        assert response.status_code == 200
    assert list(InboundEvent.objects.filter(channel=channel).values_list("external_id", flat=True)) == ["wamid.ours"]
