"""Telegram bot connector: the secret-token header, updates in (chatwoot's fixtures and the Bot API's documented
shapes), replies out to a stub Bot API server with the exact request, and Telegram's error answers.

Chatwoot's Telegram fixtures all share ``update_id`` 2342342343242 and ``message_id`` 1 in chat 23; where a test
stores two of them, it gives the second its own message id.
"""

from __future__ import annotations

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
from webcare.channels.sender import send_due
from webcare.channels.telegram import TelegramConnector
from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.models import Channel
from webcare.customers.models import Identity
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "telegram"
BOT_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "fjordnett_tg-2b9f6c1d8e"
SANNE = "5123456789"
GROUP = "-1001987654321"
#: chatwoot's fixtures' date 1631132077.
SOJAN_WROTE = "2021-09-08T20:14:37+00:00"


@pytest.fixture
def channel(personas: Personas, httpserver: Any) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="telegram", slug="telegram", name="Telegram",
                                     settings={"api_base_url": httpserver.url_for("").rstrip("/")})
    channel.set_credentials({"bot_token": BOT_TOKEN, "secret_token": SECRET})
    channel.save()
    return channel


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def parse(channel: Channel, payload: dict[str, Any]) -> list[InboundItem]:
    body = json.dumps(payload).encode()
    return TelegramConnector(channel).parse(Delivery(method="POST", headers={}, query={}, body=body))


def post(channel: Channel, payload: dict[str, Any] | bytes, secret: str | None = SECRET) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json", headers=headers)


# -- the secret token ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("secret", "why"), [
    (None, "no X-Telegram-Bot-Api-Secret-Token header"),
    ("", "no X-Telegram-Bot-Api-Secret-Token header"),
    ("fjordnett_tg-2b9f6c1d8", "does not match"),
    (SECRET + "x", "does not match"),
])
def test_it_refuses_a_missing_or_wrong_secret_token_and_stores_nothing(channel: Channel, secret: str | None,
                                                                      why: str) -> None:
    response = post(channel, fixture("text_message.json"), secret=secret)
    assert response.status_code == 401
    assert why in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_a_channel_without_a_secret_token_refuses_every_delivery(channel: Channel) -> None:
    """Without a secret anyone who learns the URL could post as Telegram: refuse rather than accept unchecked."""
    channel.set_credentials({"bot_token": BOT_TOKEN})
    channel.save()
    response = post(channel, fixture("text_message.json"), secret="anything")
    assert response.status_code == 401
    assert "has no 'secret_token' set" in response.json()["error"]
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize(("body", "why"), [
    (b"<html>", "body is not JSON"),
    (b"[]", "no numeric update_id"),
    (json.dumps({"update_id": "12", "message": {}}).encode(), "no numeric update_id"),
    (json.dumps({"update_id": 12, "message": {"message_id": 1, "date": 1631132077, "text": "hei"}}).encode(),
     "message.chat.id is missing"),
    (json.dumps({"update_id": 12, "message": {"message_id": 1, "chat": {"id": 23, "type": "private"},
                                               "date": 1631132077, "text": "hei"}}).encode(),
     "message.from is missing"),
    (json.dumps({"update_id": 12, "message": {"message_id": 1, "chat": {"id": 23, "type": "private"},
                                               "from": {"id": 23}, "date": "yesterday", "text": "hei"}}).encode(),
     "message.date is not a Unix time"),
])
def test_it_answers_400_to_a_body_telegram_does_not_send_and_stores_nothing(channel: Channel, body: bytes,
                                                                           why: str) -> None:
    response = post(channel, body)
    assert response.status_code == 400
    assert why in response.json()["error"]
    assert InboundEvent.objects.count() == 0


# -- updates in ------------------------------------------------------------------------------------------------

def test_a_private_text_message_parses_to_the_exact_item(channel: Channel) -> None:
    [item] = parse(channel, fixture("text_message.json"))
    assert (item.event_id, item.kind, item.conversation_id) == ("23:1", ItemKind.MESSAGE, "23")
    assert item.payload == {
        "message_id": "23:1", "conversation_id": "23", "conversation_kind": "private", "direction": "inbound",
        "author": {"id": "23", "handle": "@sojan", "name": "Sojan Jose"}, "text": "test", "sent_at": SOJAN_WROTE,
        "in_reply_to": "", "attachments": [],
    }
    assert item.raw == fixture("text_message.json")["message"]


def test_a_group_message_is_public(channel: Channel) -> None:
    [item] = parse(channel, fixture("group_message.json"))
    assert (item.payload["conversation_kind"], item.payload["text"]) == ("public", "test")
    [reply] = parse(channel, fixture("botapi_supergroup_reply.json"))
    assert reply.payload | {"author": None} == {
        "message_id": f"{GROUP}:7781", "conversation_id": GROUP, "conversation_kind": "public",
        "direction": "inbound", "author": None, "text": "Kiitos! Still no signal in Tromsø though.",
        "sent_at": "2025-06-10T09:16:40+00:00", "in_reply_to": f"{GROUP}:7779", "attachments": [],
    }
    assert reply.payload["author"] == {"id": "6234567890", "handle": "@mikko_k", "name": "Mikko"}


@pytest.mark.parametrize(("name", "attachments", "text"), [
    ("photo_message.json", [{"name": "photo-AQADL60xG8Kh4FZ4.jpg", "content_type": "image/jpeg", "size": 1883,
                             "url": "telegram-file:AgACAgUAAxkBAAODYV3aGZlD6vhzKsE2WNmblsr6zKwAAi-tMRvCoeBWNQ1ENVBzJd"
                                    "wBAAMCAANzAAMhBA"}], ""),
    ("document_message.json", [{"name": "Screenshot 2021-09-27 at 2.01.14 PM.png", "content_type": "application/png",
                                "size": 536392, "url": "telegram-file:AwADBAADbXXXXXXXXXXXGBdhD2l6_XX"}], ""),
    ("audio_message.json", [{"name": "Test music file", "content_type": "audio/mpeg", "size": 3897500,
                             "url": "telegram-file:AwADBAADbXXXXXXXXXXXGBdhD2l6_XX"}], ""),
    ("botapi_voice_message.json", [{"name": "voice.ogg", "content_type": "audio/ogg", "size": 28432,
                                    "url": "telegram-file:AwACAgQAAxkBAAIBK2ZnVoiceFileId0123456789"}], ""),
    ("sticker_message.json", [{"name": "sticker.tgs", "content_type": "application/x-tgsticker", "size": 7340,
                               "url": "telegram-file:CAACAgEAAxkBAANHYV6SqK4_QokaTV90Dp-2D2el0uAAAuMAA3FRvjHsabcjn_E"
                                      "m3yEE"}], "👍"),
    ("location_message.json", [], "📍\nhttps://www.openstreetmap.org/?mlat=37.7893768&mlon=-122.3895553"
                                  "#map=17/37.7893768/-122.3895553"),
    ("contact_message.json", [], "👤 +918660944581"),
])
def test_files_become_attachments_and_places_and_contacts_text(channel: Channel, name: str,
                                                               attachments: list[dict[str, Any]], text: str) -> None:
    [item] = parse(channel, fixture(name))
    assert item.payload["attachments"] == attachments
    assert item.payload["text"] == text


def test_the_largest_photo_size_and_the_caption_are_taken(channel: Channel) -> None:
    payload = fixture("photo_message.json")
    small = payload["message"]["photo"][0]
    payload["message"]["photo"].append(small | {"file_id": "BIG", "file_unique_id": "BIGU", "file_size": 90210,
                                                "width": 1280, "height": 960})
    payload["message"]["caption"] = "Routeren blinker rødt"
    [item] = parse(channel, payload)
    assert item.payload["attachments"] == [{"name": "photo-BIGU.jpg", "content_type": "image/jpeg", "size": 90210,
                                            "url": "telegram-file:BIG"}]
    assert item.payload["text"] == "Routeren blinker rødt"


def test_an_edit_becomes_an_update_with_its_own_event_id(channel: Channel) -> None:
    [item] = parse(channel, fixture("botapi_edited_message.json"))
    assert (item.event_id, item.kind, item.conversation_id) == (f"{SANNE}:42:edit:1749546125", ItemKind.UPDATE, SANNE)
    assert item.payload == {
        "message_id": f"{SANNE}:42", "change": "edited", "at": "2025-06-10T09:02:05+00:00",
        "text": "Mijn bestelling 4471 is nog steeds niet aangekomen, kunnen jullie kijken?",
    }


@pytest.mark.parametrize(("name", "logged"), [
    ("callback_query.json", "skipped update 2342342343242 (callback_query)"),
    ("botapi_my_chat_member.json", "skipped update 815263004 (my_chat_member)"),
    ("botapi_new_chat_members.json", f"skipped message {GROUP}:7790 with nothing to show (new_chat_member, "
                                     f"new_chat_members)"),
])
def test_other_updates_are_skipped_logged_and_acknowledged(channel: Channel, caplog: pytest.LogCaptureFixture,
                                                           name: str, logged: str) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = post(channel, fixture(name))
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 0}
    assert logged in caplog.text


def test_telegrams_retry_of_an_update_is_a_duplicate(channel: Channel) -> None:
    assert post(channel, fixture("text_message.json")).json() == {"stored": 1, "duplicates": 0}
    assert post(channel, fixture("text_message.json")).json() == {"stored": 0, "duplicates": 1}


def test_the_same_message_number_in_two_chats_is_two_messages(channel: Channel) -> None:
    """Telegram numbers messages per chat: message 1 in chat 23 and message 1 in chat 24 are different messages."""
    other_chat = fixture("text_message.json")
    other_chat["message"]["chat"]["id"] = other_chat["message"]["from"]["id"] = 24
    assert post(channel, fixture("text_message.json")).json() == {"stored": 1, "duplicates": 0}
    assert post(channel, other_chat).json() == {"stored": 1, "duplicates": 0}


def test_a_webhook_becomes_a_customer_a_conversation_and_messages_then_an_edit(channel: Channel) -> None:
    post(channel, fixture("text_message.json"))
    photo = fixture("photo_message.json")
    photo["message"]["message_id"] = 2
    post(channel, photo)
    drain()
    conversation = Conversation.objects.get(channel=channel)
    assert (conversation.external_id, conversation.kind) == ("23", "private")
    messages = list(Message.objects.filter(conversation=conversation).order_by("external_id"))
    assert [(m.external_id, m.text, m.is_public) for m in messages] == [("23:1", "test", False), ("23:2", "", False)]
    assert messages[1].attachments[0]["url"].startswith("telegram-file:")
    identity = Identity.objects.get(platform="telegram", external_id="23")
    assert (identity.handle, identity.display_name) == ("@sojan", "Sojan Jose")

    edit = {"update_id": 2342342343250, "edited_message": fixture("text_message.json")["message"] | {
        "text": "test, edited", "edit_date": 1631132177}}
    assert post(channel, edit).json() == {"stored": 1, "duplicates": 0}
    drain()
    messages[0].refresh_from_db()
    assert messages[0].text == "test, edited"
    assert messages[0].edits == [{"at": SOJAN_WROTE, "text": "test"}]


# -- replies out -------------------------------------------------------------------------------------------------

def request(**fields: Any) -> OutboundRequest:
    values: dict[str, Any] = {"action": Action.REPLY, "idempotency_key": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
                              "text": "Hoi Sanne, we kijken ernaar. – Ola", "conversation_id": SANNE,
                              "target_id": f"{SANNE}:42",
                              "recipient": {"id": SANNE, "handle": "@sannedv", "name": "Sanne de Vries"}}
    return OutboundRequest(**(values | fields))


def expect_send(httpserver: Any, body: dict[str, Any], message_id: int = 44) -> None:
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/sendMessage", method="POST", json=body).respond_with_json(
        {"ok": True, "result": {"message_id": message_id, "date": 1749546400,
                                "chat": {"id": int(body["chat_id"]), "type": "private"}, "text": body["text"]}})


def test_a_reply_answers_the_message_and_returns_chat_and_message_id(channel: Channel, httpserver: Any) -> None:
    expect_send(httpserver, {"chat_id": SANNE, "text": "Hoi Sanne, we kijken ernaar. – Ola",
                             "reply_parameters": {"message_id": 42, "allow_sending_without_reply": True}})
    expect_send(httpserver, {"chat_id": SANNE, "text": "Nog een vraag?"}, message_id=45)
    connector = TelegramConnector(channel)
    result = connector.send(request())
    assert (result.external_id, result.sent_at) == (f"{SANNE}:44", datetime(2025, 6, 10, 9, 6, 40, tzinfo=UTC))
    assert connector.send(request(text="Nog een vraag?", target_id="")).external_id == f"{SANNE}:45"
    httpserver.check_assertions()


def test_what_telegram_cannot_take_is_refused_before_sending(channel: Channel, httpserver: Any) -> None:
    connector = TelegramConnector(channel)
    with pytest.raises(SendError, match="at most 4096 characters; this one has 4097"):
        connector.send(request(text="x" * 4097))
    with pytest.raises(SendError, match="does not send files to Telegram yet"):
        connector.send(request(attachments=({"name": "a.pdf", "url": "https://x.test/a.pdf"},)))
    with pytest.raises(SendError, match="Telegram cannot hide"):
        connector.send(request(action=Action.HIDE))
    with pytest.raises(SendError, match="no Telegram chat to send to"):
        connector.send(request(conversation_id=""))
    assert httpserver.log == []


def reply_error(httpserver: Any, status: int, body: dict[str, Any]) -> None:
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/sendMessage", method="POST").respond_with_json(
        body, status=status)


@pytest.mark.parametrize(("status", "body", "retryable", "retry_after", "health", "words"), [
    (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 17",
           "parameters": {"retry_after": 17}}, True, 17.0, HealthStatus.RATE_LIMITED,
     "HTTP 429: Too Many Requests: retry after 17"),
    (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, True, None, HealthStatus.FAILING,
     "HTTP 502: Bad Gateway"),
    (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, False, None, HealthStatus.TOKEN_EXPIRED,
     "HTTP 401: Unauthorized"),
    (404, {"ok": False, "error_code": 404, "description": "Not Found"}, False, None, HealthStatus.TOKEN_EXPIRED,
     "does not know this bot token"),
    (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, False, None,
     None, "Telegram refused to deliver to this chat: Forbidden: bot was blocked by the user"),
    (400, {"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat",
           "parameters": {"migrate_to_chat_id": -1001234567890}}, False, None, None,
     "this group became a supergroup with chat id -1001234567890"),
    (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, False, None, None,
     "HTTP 400: Bad Request: chat not found"),
])
def test_telegram_errors_map_to_retry_or_stop(channel: Channel, httpserver: Any, status: int, body: dict[str, Any],
                                              retryable: bool, retry_after: float | None,
                                              health: HealthStatus | None, words: str) -> None:
    reply_error(httpserver, status, body)
    with pytest.raises(SendError) as failed:
        TelegramConnector(channel).send(request())
    error = failed.value
    assert (error.retryable, error.retry_after, error.health, error.ambiguous) == (retryable, retry_after, health,
                                                                                   False)
    assert words in str(error)
    assert BOT_TOKEN not in str(error)


def test_check_names_the_bot_or_says_what_is_wrong(channel: Channel, httpserver: Any) -> None:
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getMe", method="POST").respond_with_json(
        {"ok": True, "result": {"id": 7012345678, "is_bot": True, "first_name": "Fjordnett kundeservice",
                                "username": "fjordnett_bot", "can_join_groups": True}})
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getMe", method="POST").respond_with_json(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
    connector = TelegramConnector(channel)
    assert connector.check() == HealthReport(HealthStatus.OK, "@fjordnett_bot (Fjordnett kundeservice)")
    report = connector.check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert "Unauthorized" in report.detail and BOT_TOKEN not in report.detail
    httpserver.check_assertions()


# -- end to end ----------------------------------------------------------------------------------------------------

def test_webhook_to_reply_end_to_end_in_a_group(personas: Personas, channel: Channel, httpserver: Any) -> None:
    with time_machine.travel(datetime(2025, 6, 10, 9, 17, tzinfo=UTC), tick=False):
        Channel.objects.filter(pk=channel.pk).update(send_after=datetime(2025, 6, 9, tzinfo=UTC))
        post(channel, fixture("botapi_supergroup_reply.json"))
        drain()
        ticket = Ticket.objects.get(conversation__channel=channel)
        assert ticket.conversation.kind == "public"
        expect_send(httpserver, {"chat_id": GROUP, "text": "Hei Mikko, vi sjekker masten i Tromsø nå.",
                                 "reply_parameters": {"message_id": 7781, "allow_sending_without_reply": True}},
                    message_id=7782)
        reply = do_reply(ticket, personas.agent, "Hei Mikko, vi sjekker masten i Tromsø nå.")
        assert send_due(max_wait=0).sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert (reply.external_id, reply.is_public, reply.delivery_status) == (f"{GROUP}:7782", True,
                                                                           DeliveryStatus.SENT)


def test_a_rate_limited_reply_waits_as_telegram_says(personas: Personas, channel: Channel, httpserver: Any) -> None:
    post(channel, fixture("text_message.json"))
    drain()
    ticket = Ticket.objects.get(conversation__channel=channel)
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/sendMessage", method="POST").respond_with_json(
        {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 40",
         "parameters": {"retry_after": 40}}, status=429)
    reply = do_reply(ticket, personas.agent, "Hei!")
    before = datetime.now(UTC)
    assert send_due(max_wait=0).retrying == 1
    channel.refresh_from_db()
    assert channel.send_after >= before + timedelta(seconds=40)
    assert channel.health_status == HealthStatus.RATE_LIMITED
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.QUEUED
