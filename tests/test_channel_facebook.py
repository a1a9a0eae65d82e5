"""The Facebook Page connector: Meta's webhook (verification, signature, Messenger and feed events) in, and replies,
private replies and comment moderation out through the Graph API — against a local stub that checks each request.

Inbound shapes: Chatwoot's Messenger events (tests/fixtures/channels/facebook/*.json without the ``meta_`` prefix,
single ``messaging`` events wrapped in Meta's envelope here) and Meta's documented feed and Messenger shapes
(``meta_*.json``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Personas
from webcare.channels import sender
from webcare.channels.base import (
    Action,
    Capability,
    Delivery,
    HealthStatus,
    InboundItem,
    ItemKind,
    OutboundRequest,
    SendError,
)
from webcare.channels.facebook import FacebookConnector
from webcare.channels.meta import GRAPH_VERSION
from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "facebook"
PAGE = "117172741761305"
PSID = "3383290475046708"
POST = "117172741761305_800100200300400"
COMMENT = "800100200300400_900900900900901"
APP_SECRET = "app-secret-for-tests"
VERIFY = "a-long-random-verify-token"
TOKEN = "EAAB-page-token-for-tests"
PROOF = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: ``entry.time`` given to Chatwoot's single events when wrapping them (they carry no timestamp of their own).
ENTRY_TIME = 1648581633
ENTRY_ISO = "2022-03-29T19:20:33+00:00"


@pytest.fixture
def fb(personas: Personas, httpserver: Any) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb", name="Fjordnett",
                                     settings={"page_id": PAGE,
                                               "api_base_url": httpserver.url_for("").rstrip("/"),
                                               "lookup_profiles": False})  # names: test_channel_profiles.py
    channel.set_credentials({"page_access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY})
    channel.save()
    return channel


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def chatwoot(name: str, entry_time: int = ENTRY_TIME) -> dict[str, Any]:
    """A Chatwoot Messenger event in the envelope Meta POSTs (fixtures README), its placeholders filled in."""
    text = (FIXTURES / name).read_text().replace("<expr:facebook_channel.page_id>", PAGE)
    event = json.loads(text)["messaging"]
    return {"object": "page", "entry": [{"id": PAGE, "time": entry_time, "messaging": [event]}]}


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(channel: Channel, payload: Any, signature: str | None = "good") -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature is not None:
        headers["X-Hub-Signature-256"] = sign(body) if signature == "good" else signature
    return Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json",
                         headers=headers)


def parse(channel: Channel, payload: Any) -> list[InboundItem]:
    return FacebookConnector(channel).parse(Delivery("POST", {}, {}, json.dumps(payload).encode()))


def summary(item: InboundItem) -> tuple[Any, ...]:
    p = item.payload
    if item.kind == ItemKind.MESSAGE:
        return ("message", item.event_id, p["conversation_id"], p["conversation_kind"], p["direction"],
                p["author"]["id"], p["text"], p["in_reply_to"], [a["name"] for a in p["attachments"]], p["sent_at"])
    return ("update", item.event_id, p["message_id"], p["change"], p["at"], p.get("text", ""))


def edit_id(comment: str, text: str) -> str:
    """A feed edit's event id: the comment id and a digest of the new text (feed edits carry no edit counter)."""
    return f"{comment}:edit:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


KARI = "6543210987654321"
EDITED = "Hei! Fakturaen min for november er trukket to ganger (nr. 4411). Kan dere se på det?"
MESSENGER_TEXT = "Her er bildet av ruteren og kvitteringen"

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "incoming_fb_text_message.json": [
        ("message", "m_KXGKDUpO6xbVdAmZFBVpzU1AhKVJdAIUnUH4cwkvb_K3iZsWhowDRyJ_DcowEpJjncaBwdCIoRrixvCbbO1PcA", PSID,
         "private", "inbound", PSID, "facebook message", "", [], ENTRY_ISO)],
    "echo_message.json": [
        ("message", "m_echo_1", PSID, "private", "outbound", PAGE, "Echo testing", "", [], ENTRY_ISO)],
    "message_deliveries.json": [],  # a watermark names no message
    "message_reads.json": [],
    "reel_attachment.json": [
        ("message", "m_reel_test", PSID, "private", "inbound", PSID, "", "", ["Test Reel Title"],
         "2026-03-02T11:49:24.516000+00:00")],
    "meta_feed_comment.json": [
        ("message", COMMENT, POST, "public", "inbound", KARI,
         "Hei! Fakturaen min for november er trukket to ganger. Kan dere se på det?", POST, [],
         "2023-11-09T21:21:36+00:00")],
    "meta_feed_comment_reply.json": [
        ("message", "800100200300400_900900900900902", POST, "public", "inbound", "5550001112223334",
         "Samme her, se skjermbildet", COMMENT, ["photo"], "2023-11-09T21:23:20+00:00")],
    "meta_feed_visitor_post.json": [
        ("message", "117172741761305_811111111111111", "117172741761305_811111111111111", "public", "inbound",
         "4443332221110009", "Mijn internet ligt al twee dagen plat in Utrecht. Wanneer wordt dit opgelost?", "", [],
         "2023-11-09T22:46:40+00:00")],
    "meta_feed_page_post_and_reply.json": [  # the unpublished draft is skipped
        ("message", "117172741761305_822222222222222", "117172741761305_822222222222222", "public", "outbound", PAGE,
         "Planlagt vedlikehold natt til tirsdag kl. 01–04.", "", ["photo"], "2023-11-10T01:33:20+00:00"),
        ("message", "800100200300400_900900900900903", POST, "public", "outbound", PAGE,
         "Hei Kari, vi har sendt deg en privat melding.", COMMENT, [], "2023-11-10T01:33:21+00:00")],
    "meta_feed_edit_and_remove.json": [
        ("update", edit_id(COMMENT, EDITED), COMMENT, "edited", "2023-11-10T04:20:00+00:00", EDITED),
        ("update", "800100200300400_900900900900902:deleted", "800100200300400_900900900900902", "deleted",
         "2023-11-10T04:20:00+00:00", "")],
    "meta_feed_ignored.json": [],
    "meta_messenger_events.json": [
        ("message", "m_attach_1", PSID, "private", "inbound", PSID, MESSENGER_TEXT, "m_page_reply_1",
         ["router_n.jpg", "kvittering.pdf", "Driftsmeldinger"], "2023-11-10T09:53:20.123000+00:00"),
        ("update", "m_attach_1:edit:1", "m_attach_1", "edited", "2023-11-10T09:54:20+00:00",
         MESSENGER_TEXT + " fra mai"),
        ("update", "m_page_reply_1:delivered", "m_page_reply_1", "delivered", "2023-11-10T09:54:30+00:00", ""),
        ("update", "m_page_reply_2:delivered", "m_page_reply_2", "delivered", "2023-11-10T09:54:30+00:00", ""),
        ("message", "m_postback_1", PSID, "private", "inbound", PSID, "Snakk med kundeservice", "", [],
         "2023-11-10T09:54:40+00:00")],
}


def payload_of(name: str) -> dict[str, Any]:
    return fixture(name) if name.startswith("meta_") else chatwoot(name)


# -- inbound: verification and signatures -------------------------------------------------------------------------

def test_it_answers_metas_verification_with_the_challenge(fb: Channel) -> None:
    response = Client().get(f"/hooks/{fb.webhook_key}/", {"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                          "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(("query", "status"), [
    ({"hub.mode": "subscribe", "hub.verify_token": "guessed", "hub.challenge": "8675309"}, 401),
    ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "8675309"}, 401),
    ({"hub.challenge": "8675309"}, 400),
])
def test_it_refuses_a_verification_with_a_wrong_token(fb: Channel, query: dict[str, str], status: int) -> None:
    response = Client().get(f"/hooks/{fb.webhook_key}/", query)
    assert response.status_code == status
    assert b"8675309" not in response.content


def test_it_stores_a_signed_delivery(fb: Channel) -> None:
    response = deliver(fb, fixture("meta_feed_comment.json"))
    assert response.status_code == 200
    assert response.json() == {"stored": 1, "duplicates": 0}
    event = InboundEvent.objects.get(channel=fb)
    assert event.external_id == COMMENT


@pytest.mark.parametrize("signature", [
    None,
    "sha256=" + "0" * 64,
    sign(b"another body"),
    "sha1=" + hashlib.sha1(b"x").hexdigest(),  # the old header's form, refused
    "garbage",
], ids=["missing", "zeros", "other-body", "sha1", "garbage"])
def test_it_refuses_a_wrong_or_missing_signature_and_stores_nothing(fb: Channel, signature: str | None) -> None:
    response = deliver(fb, fixture("meta_feed_comment.json"), signature=signature)
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_it_refuses_a_body_signed_with_another_apps_secret(fb: Channel) -> None:
    body = json.dumps(fixture("meta_feed_comment.json")).encode()
    response = deliver(fb, body, signature=sign(body, "someone-elses-secret"))
    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_the_signature_is_over_the_exact_bytes(fb: Channel) -> None:
    """Meta's JSON is not re-serialised before checking: spacing that json.dumps would change must still verify."""
    body = json.dumps(fixture("meta_feed_comment.json"), indent=3, ensure_ascii=True).encode()
    assert deliver(fb, body).status_code == 200


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "the body is not an object"),
    (json.dumps({"object": "page", "entry": {"id": PAGE}}).encode(), "entry is not a list"),
    (json.dumps({"object": "page", "entry": [{"id": PAGE, "messaging": [{"sender": {"id": PSID},
                                                                         "message": {"text": "no mid"}}]}]}).encode(),
     "entry[0].messaging[0].message.mid"),
    (json.dumps({"object": "page", "entry": [{"id": PAGE, "changes": [
        {"field": "feed", "value": {"item": "comment", "verb": "add", "post_id": POST, "message": "hi"}}]}]}).encode(),
     "entry[0].changes[0].value.comment_id"),
    (json.dumps({"object": "page", "entry": [{"id": PAGE, "time": "yesterday", "messaging": []}]}).encode(),
     "entry[0].time is not a time"),
])
def test_it_refuses_a_malformed_body_with_400_naming_what_is_wrong(fb: Channel, body: bytes, words: str) -> None:
    response = deliver(fb, body)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_a_bad_item_refuses_the_whole_delivery(fb: Channel) -> None:
    """All or nothing: a good comment next to a broken one is not stored either, so Meta's retry is whole."""
    payload = fixture("meta_feed_comment.json")
    payload["entry"].append({"id": PAGE, "messaging": [{"sender": {"id": PSID}, "message": {"text": "no mid"}}]})
    assert deliver(fb, payload).status_code == 400
    assert not InboundEvent.objects.exists()


# -- inbound: what each delivery says ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_parses_to_the_right_items(fb: Channel, name: str) -> None:
    assert [summary(item) for item in parse(fb, payload_of(name))] == EXPECTED[name]


def test_every_fixture_file_is_covered() -> None:
    assert {path.name for path in FIXTURES.glob("*.json")} == set(EXPECTED)


def test_attachments_keep_name_type_and_url(fb: Channel) -> None:
    message = parse(fb, fixture("meta_messenger_events.json"))[0]
    assert message.payload["attachments"] == [
        {"name": "router_n.jpg", "content_type": "image/jpeg",
         "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/router_n.jpg?oh=1"},
        {"name": "kvittering.pdf", "content_type": "application/pdf",
         "url": "https://cdn.fbsbx.com/v/t59.2708-21/kvittering.pdf?dl=1"},
        {"name": "Driftsmeldinger", "content_type": "application/octet-stream",
         "url": "https://fjordnett.example/drift"},
    ]
    reel = parse(fb, chatwoot("reel_attachment.json"))[0]
    assert reel.payload["attachments"] == [{"name": "Test Reel Title", "content_type": "video/*",
                                            "url": "https://www.facebook.com/reel/123456"}]


def test_a_retried_delivery_is_a_duplicate(fb: Channel) -> None:
    payload = fixture("meta_messenger_events.json")
    assert deliver(fb, payload).json() == {"stored": 5, "duplicates": 0}
    assert deliver(fb, payload).json() == {"stored": 0, "duplicates": 5}
    assert InboundEvent.objects.filter(channel=fb).count() == 5


def test_unknown_events_are_skipped_and_logged(fb: Channel, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = deliver(fb, fixture("meta_feed_ignored.json"))
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 0}
    logged = caplog.text
    assert "feed 'reaction' item" in logged
    assert "verb 'hide'" in logged
    assert "'mention' change" in logged
    assert "messaging event of kind reaction" in logged


def test_entries_for_another_page_of_the_same_app_are_skipped(fb: Channel, caplog: pytest.LogCaptureFixture) -> None:
    """One Meta app has one callback URL for all its pages: another page's events are not this channel's."""
    payload = fixture("meta_feed_visitor_post.json")
    payload["entry"].insert(0, {**fixture("meta_feed_comment.json")["entry"][0], "id": "200200200200200"})
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        assert [item.event_id for item in parse(fb, payload)] == ["117172741761305_811111111111111"]
    assert "skipped entry[0] for account 200200200200200 (this channel is 117172741761305)" in caplog.text


def test_a_delivery_for_another_meta_object_is_skipped(fb: Channel, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = deliver(fb, {"object": "instagram", "entry": [{"id": "1", "messaging": []}]})
    assert response.json() == {"stored": 0, "duplicates": 0}
    assert "object 'instagram'" in caplog.text


# -- inbound: through the worker into conversations and messages --------------------------------------------------

def test_feed_comments_become_a_public_conversation_with_the_pages_reply(fb: Channel) -> None:
    for name in ("meta_feed_comment.json", "meta_feed_comment_reply.json", "meta_feed_page_post_and_reply.json"):
        assert deliver(fb, fixture(name)).status_code == 200
    drain()
    conversation = Conversation.objects.get(channel=fb, external_id=POST)
    assert conversation.kind == "public"
    rows = {m.external_id: m for m in Message.objects.filter(conversation=conversation)}
    assert set(rows) == {COMMENT, "800100200300400_900900900900902", "800100200300400_900900900900903"}
    kari = rows[COMMENT]
    identity = kari.author_identity
    assert identity is not None
    assert (kari.direction, kari.is_public, identity.external_id, kari.author_name) == (
        "inbound", True, KARI, "Kari Nordmann")
    assert rows["800100200300400_900900900900902"].in_reply_to == COMMENT
    page = rows["800100200300400_900900900900903"]
    assert (page.direction, page.is_public, page.author_identity, page.author_name) == (
        "outbound", True, None, "Fjordnett")
    assert Ticket.objects.get(conversation=conversation).customer == identity.customer
    # the page's own post is the first message of a conversation of its own, without a ticket
    post = Message.objects.get(channel=fb, external_id="117172741761305_822222222222222")
    assert (post.direction, post.ticket, post.conversation.external_id) == (
        "outbound", None, "117172741761305_822222222222222")


def test_edits_and_removals_reach_the_stored_comments(fb: Channel) -> None:
    deliver(fb, fixture("meta_feed_comment.json"))
    deliver(fb, fixture("meta_feed_comment_reply.json"))
    drain()
    deliver(fb, fixture("meta_feed_edit_and_remove.json"))
    drain()
    edited = Message.objects.get(channel=fb, external_id=COMMENT)
    assert edited.text == EDITED
    assert [old["text"] for old in edited.edits] == [
        "Hei! Fakturaen min for november er trukket to ganger. Kan dere se på det?"]
    removed = Message.objects.get(channel=fb, external_id="800100200300400_900900900900902")
    assert removed.deleted_at == datetime(2023, 11, 10, 4, 20, tzinfo=UTC)


def test_messenger_messages_and_echoes_share_the_customers_thread(fb: Channel) -> None:
    deliver(fb, chatwoot("incoming_fb_text_message.json"))
    deliver(fb, chatwoot("echo_message.json"))
    drain()
    conversation = Conversation.objects.get(channel=fb, external_id=PSID)
    assert conversation.kind == "private"
    messages = list(Message.objects.filter(conversation=conversation).order_by("direction"))
    assert [(m.direction, m.is_public, m.text) for m in messages] == [
        ("inbound", False, "facebook message"), ("outbound", False, "Echo testing")]
    customer = messages[0].author_identity
    assert customer is not None and customer.external_id == PSID


# -- outbound: each action against a stub that checks the exact request -------------------------------------------

def path(*parts: str) -> str:
    return f"/{GRAPH_VERSION}/" + "/".join(parts)


SENDS = [
    pytest.param(dict(action=Action.REPLY, text="Hei Kari, vi ser på det nå.", conversation_id=PSID,
                      target_id="m_attach_1", recipient={"id": PSID}),
                 "POST", path(PAGE, "messages"),
                 {"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
                  "message": {"text": "Hei Kari, vi ser på det nå."}},
                 {"recipient_id": PSID, "message_id": "m_new_1"}, "m_new_1", id="messenger-reply"),
    pytest.param(dict(action=Action.REPLY, text="Takk, vi sjekker fakturaen.", conversation_id=POST,
                      conversation_public=True, target_id=COMMENT, recipient={"id": KARI}),
                 "POST", path(COMMENT, "comments"), {"message": "Takk, vi sjekker fakturaen."},
                 {"id": "800100200300400_900900900900950"}, "800100200300400_900900900900950", id="comment-reply"),
    pytest.param(dict(action=Action.REPLY, text="Vi ser på saken.", conversation_id="117172741761305_811111111111111",
                      conversation_public=True, target_id="117172741761305_811111111111111"),
                 "POST", path("117172741761305_811111111111111", "comments"), {"message": "Vi ser på saken."},
                 {"id": "811111111111111_700"}, "811111111111111_700", id="comment-on-visitor-post"),
    pytest.param(dict(action=Action.PRIVATE_REPLY, text="Hei Kari, kan du sende kundenummeret ditt?",
                      conversation_id=POST, conversation_public=True, target_id=COMMENT),
                 "POST", path(PAGE, "messages"),
                 {"recipient": {"comment_id": COMMENT},
                  "message": {"text": "Hei Kari, kan du sende kundenummeret ditt?"}},
                 {"recipient_id": "9998887776665554", "message_id": "m_private_1"}, "m_private_1",
                 id="private-reply-to-comment"),
    pytest.param(dict(action=Action.PRIVATE_REPLY, text="Hoi Sanne, we sturen je een bericht.",
                      conversation_id="117172741761305_811111111111111", conversation_public=True,
                      target_id="117172741761305_811111111111111"),
                 "POST", path(PAGE, "messages"),
                 {"recipient": {"post_id": "117172741761305_811111111111111"},
                  "message": {"text": "Hoi Sanne, we sturen je een bericht."}},
                 {"recipient_id": "1", "message_id": "m_private_2"}, "m_private_2", id="private-reply-to-post"),
    pytest.param(dict(action=Action.HIDE, conversation_id=POST, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT), {"is_hidden": True}, {"success": True}, "", id="hide"),
    pytest.param(dict(action=Action.UNHIDE, conversation_id=POST, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT), {"is_hidden": False}, {"success": True}, "", id="unhide"),
    pytest.param(dict(action=Action.DELETE, conversation_id=POST, conversation_public=True, target_id=COMMENT),
                 "DELETE", path(COMMENT), None, {"success": True}, "", id="delete"),
    pytest.param(dict(action=Action.LIKE, conversation_id=POST, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT, "likes"), None, {"success": True}, "", id="like"),
]


@pytest.mark.parametrize(("fields", "method", "uri", "body", "answer", "external_id"), SENDS)
def test_each_action_sends_the_exact_graph_request(fb: Channel, httpserver: Any, fields: dict[str, Any],
                                                   method: str, uri: str, body: dict[str, Any] | None,
                                                   answer: dict[str, Any], external_id: str) -> None:
    kwargs: dict[str, Any] = {"method": method, "headers": AUTH, "query_string": {"appsecret_proof": PROOF}}
    if body is not None:
        kwargs["json"] = body
    httpserver.expect_ordered_request(uri, **kwargs).respond_with_json(answer)
    result = FacebookConnector(fb).send(OutboundRequest(idempotency_key="k-1", **fields))
    httpserver.check_assertions()
    assert result.external_id == external_id
    if body is None:
        assert httpserver.log[0][0].get_data() == b""


def test_capabilities_are_what_the_graph_api_offers() -> None:
    assert FacebookConnector.capabilities == {Capability.PUBLIC_REPLY, Capability.PRIVATE_REPLY, Capability.HIDE,
                                              Capability.DELETE, Capability.LIKE, Capability.POST}
    assert {field.name for field in FacebookConnector.credential_fields if field.secret} == {
        "page_access_token", "app_secret", "verify_token"}


def graph_error(code: int, message: str, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def reply() -> OutboundRequest:
    return OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei!", conversation_id=PSID)


def test_a_429_is_retryable_after_retry_after(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(PAGE, "messages")).respond_with_json(
        graph_error(4, "(#4) Application request limit reached"), status=429, headers={"Retry-After": "30"})
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(reply())
    error = caught.value
    assert (error.retryable, error.retry_after, error.health) == (True, 30.0, HealthStatus.RATE_LIMITED)


def test_a_5xx_is_retryable(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(PAGE, "messages")).respond_with_json(
        graph_error(2, "Service temporarily unavailable"), status=503)
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(reply())
    assert (caught.value.retryable, caught.value.health, caught.value.ambiguous) == (True, HealthStatus.FAILING, False)


def test_a_rate_limit_sent_as_400_is_retryable_when_meta_says_so(fb: Channel, httpserver: Any) -> None:
    usage = {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    httpserver.expect_request(path(PAGE, "messages")).respond_with_json(
        graph_error(32, "(#32) Page request limit reached"), status=400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(reply())
    error = caught.value
    assert (error.retryable, error.retry_after, error.health) == (True, 300.0, HealthStatus.RATE_LIMITED)
    assert "Page request limit reached" in str(error)


def test_a_refused_token_is_permanent_and_marks_the_channel(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(PAGE, "messages")).respond_with_json(
        graph_error(190, "Error validating access token: Session has expired on Friday, 01-Nov-24.", 463),
        status=400)
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(reply())
    error = caught.value
    assert (error.retryable, error.health) == (False, HealthStatus.TOKEN_EXPIRED)
    assert str(error) == "the page access token was refused: Error validating access token: Session has expired " \
                         "on Friday, 01-Nov-24."


def test_messengers_window_refusal_is_permanent_and_says_why(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(PAGE, "messages")).respond_with_json(
        graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278), status=400)
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(reply())
    assert not caught.value.retryable
    assert "messaging window" in str(caught.value) and "outside of allowed window" in str(caught.value)


def test_any_other_refusal_is_permanent_with_metas_words(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(COMMENT, "comments")).respond_with_json(
        graph_error(100, "(#100) Invalid parameter"), status=400)
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei",
                                                   conversation_id=POST, conversation_public=True, target_id=COMMENT))
    assert (caught.value.retryable, caught.value.status_code) == (False, 400)
    assert "(#100) Invalid parameter" in str(caught.value)


def test_an_answer_without_the_new_id_is_ambiguous(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(COMMENT, "comments")).respond_with_json({"success": True})
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei",
                                                   conversation_id=POST, conversation_public=True, target_id=COMMENT))
    assert caught.value.ambiguous


@pytest.mark.parametrize(("request_fields", "words"), [
    (dict(action=Action.REPLY, text="x" * 2001, conversation_id=PSID), "at most 2000 characters"),
    (dict(action=Action.REPLY, text="   ", conversation_id=PSID), "needs text"),
    (dict(action=Action.REPLY, text="Se vedlegg", conversation_id=PSID,
          attachments=({"name": "a.pdf", "content_type": "application/pdf", "url": "https://x.test/a.pdf"},)),
     "text only"),
    (dict(action=Action.HIDE, conversation_id=POST, conversation_public=True), "needs the id"),
    (dict(action=Action.REPLY, text="Hei", conversation_id=PSID,
          recipient={"id": PSID, "last_inbound_at": (datetime.now(UTC) - timedelta(hours=30)).isoformat()}),
     "within 24 hours"),
])
def test_it_refuses_what_meta_would_refuse_before_anything_leaves(fb: Channel, httpserver: Any,
                                                                  request_fields: dict[str, Any], words: str) -> None:
    with pytest.raises(SendError) as caught:
        FacebookConnector(fb).send(OutboundRequest(idempotency_key="k", **request_fields))
    assert words in str(caught.value)
    assert not caught.value.retryable
    assert httpserver.log == []


def test_the_composer_is_told_when_messengers_window_has_closed(fb: Channel) -> None:
    now = datetime.now(UTC)
    connector = FacebookConnector(fb)
    assert connector.reply_window_note(now - timedelta(hours=23), now) == ""
    assert connector.reply_window_note(None, now) == ""
    assert connector.reply_window_note(now - timedelta(hours=30), now) == (
        "Messenger: more than 24 hours since the customer's last message, so Facebook delivers no reply until the "
        "customer writes again.")


def test_with_the_human_agent_permission_a_late_reply_is_tagged(fb: Channel, httpserver: Any) -> None:
    fb.settings["human_agent"] = "yes"
    fb.save()
    httpserver.expect_ordered_request(path(PAGE, "messages"), method="POST", json={
        "recipient": {"id": PSID}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT", "message": {"text": "Hei!"},
    }).respond_with_json({"recipient_id": PSID, "message_id": "m_late"})
    connector = FacebookConnector(fb)
    last = datetime.now(UTC) - timedelta(days=3)
    result = connector.send(OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei!",
                                            conversation_id=PSID,
                                            recipient={"id": PSID, "last_inbound_at": last.isoformat()}))
    httpserver.check_assertions()
    assert result.external_id == "m_late"
    assert "Human Agent" in connector.reply_window_note(last, datetime.now(UTC))
    with pytest.raises(SendError, match="within 7 days"):
        connector.send(OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei!", conversation_id=PSID,
                                       recipient={"last_inbound_at": (last - timedelta(days=5)).isoformat()}))


# -- health ---------------------------------------------------------------------------------------------------------

def test_check_reads_the_page_name(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_ordered_request(path(PAGE), method="GET", headers=AUTH, query_string={
        "fields": "name", "appsecret_proof": PROOF}).respond_with_json({"name": "Fjordnett", "id": PAGE})
    report = FacebookConnector(fb).check()
    httpserver.check_assertions()
    assert (report.status, report.detail) == (HealthStatus.OK, "Fjordnett")


def test_check_says_when_the_token_is_refused(fb: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(PAGE)).respond_with_json(
        graph_error(190, "Error validating access token: The user has not authorized application 123."), status=400)
    report = FacebookConnector(fb).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert report.detail == ("the page access token was refused: Error validating access token: The user has not "
                             "authorized application 123.")


def test_check_names_a_missing_credential(personas: Personas) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="bare", name="Bare",
                                     settings={"page_id": PAGE})
    report = FacebookConnector(channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert "'page_access_token'" in report.detail


# -- end to end: webhook → worker → agent's reply → sender → Graph API ----------------------------------------------

def test_a_reply_to_a_comment_goes_under_it_and_its_echo_is_not_stored_twice(fb: Channel, httpserver: Any,
                                                                              personas: Personas) -> None:
    deliver(fb, fixture("meta_feed_comment.json"))
    drain()
    ticket = Ticket.objects.get(conversation__channel=fb)
    text = "Hei Kari! Vi har rettet fakturaen, og pengene er på vei tilbake."
    new_id = "800100200300400_900900900900950"
    httpserver.expect_ordered_request(path(COMMENT, "comments"), method="POST", json={"message": text},
                                      headers=AUTH, query_string={"appsecret_proof": PROOF}
                                      ).respond_with_json({"id": new_id})
    message = do_reply(ticket, personas.agent, text)

    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status, message.is_public) == (new_id, DeliveryStatus.SENT, True)

    echo = fixture("meta_feed_comment.json")
    echo["entry"][0]["changes"][0]["value"] |= {"from": {"id": PAGE, "name": "Fjordnett"}, "comment_id": new_id,
                                                "parent_id": COMMENT, "message": text}
    assert deliver(fb, echo).json() == {"stored": 1, "duplicates": 0}
    drain()
    assert Message.objects.filter(channel=fb, external_id=new_id).count() == 1
    assert Message.objects.filter(channel=fb).count() == 2


def test_a_private_reply_to_a_comment_is_addressed_by_the_comment(fb: Channel, httpserver: Any,
                                                                  personas: Personas) -> None:
    deliver(fb, fixture("meta_feed_comment.json"))
    drain()
    ticket = Ticket.objects.get(conversation__channel=fb)
    text = "Hei Kari, kan du sende oss kundenummeret ditt her?"
    httpserver.expect_ordered_request(path(PAGE, "messages"), method="POST", headers=AUTH, json={
        "recipient": {"comment_id": COMMENT}, "message": {"text": text}},
    ).respond_with_json({"recipient_id": "9998887776665554", "message_id": "m_private_9"})
    message = do_reply(ticket, personas.agent, text, public=False)

    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.external_id, message.is_public) == ("m_private_9", False)


def test_a_messenger_reply_goes_to_the_psid_and_its_echo_is_not_stored_twice(fb: Channel, httpserver: Any,
                                                                             personas: Personas) -> None:
    now = int(time.time())
    deliver(fb, chatwoot("incoming_fb_text_message.json", entry_time=now))
    drain()
    ticket = Ticket.objects.get(conversation__channel=fb)
    text = "Hei! Hva er kundenummeret ditt?"
    httpserver.expect_ordered_request(path(PAGE, "messages"), method="POST", headers=AUTH,
                                      query_string={"appsecret_proof": PROOF}, json={
        "recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": text}},
    ).respond_with_json({"recipient_id": PSID, "message_id": "m_sent_1"})
    message = do_reply(ticket, personas.agent, text)

    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status) == ("m_sent_1", DeliveryStatus.SENT)

    echo = chatwoot("echo_message.json", entry_time=now + 1)
    echo["entry"][0]["messaging"][0]["message"] |= {"mid": "m_sent_1", "text": text}
    deliver(fb, echo)
    drain()
    assert Message.objects.filter(channel=fb, external_id="m_sent_1").count() == 1
    assert Message.objects.get(channel=fb, external_id="m_sent_1").author_agent == personas.agent


def test_one_app_serves_several_pages_and_each_page_gets_its_own_entries(fb: Channel, personas: Personas) -> None:
    """Meta sends every page of an app to one callback URL: entries for the organisation's other page are stored on
    that page's channel (checked with its own app secret), entries for pages nobody here serves are left out."""
    other_page = "222333444555666"
    sweden = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb-se", name="Fjordnett SE",
                                    settings={"page_id": other_page})
    sweden.set_credentials({"page_access_token": "se-token", "app_secret": APP_SECRET, "verify_token": VERIFY})
    sweden.save()
    payload = fixture("meta_feed_comment.json")
    swedish = json.loads(json.dumps(payload["entry"][0]).replace(PAGE, other_page).replace("900900900900901",
                                                                                           "900900900900902"))
    stranger = json.loads(json.dumps(payload["entry"][0]).replace(PAGE, "999").replace("900900900900901", "7"))
    payload["entry"] += [swedish, stranger]

    response = deliver(fb, payload)

    assert response.json() == {"stored": 2, "duplicates": 0}
    stored = dict(InboundEvent.objects.values_list("external_id", "channel__slug"))
    assert stored == {COMMENT: "fb", "800100200300400_900900900900902": "fb-se"}
    assert deliver(fb, payload).json() == {"stored": 0, "duplicates": 2}


def test_a_sibling_page_with_another_app_secret_does_not_take_the_entries(fb: Channel, personas: Personas) -> None:
    sweden = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb-se", name="Fjordnett SE",
                                    settings={"page_id": "222333444555666"})
    sweden.set_credentials({"page_access_token": "se-token", "app_secret": "another-app", "verify_token": VERIFY})
    sweden.save()
    payload = fixture("meta_feed_comment.json")
    payload["entry"].append(json.loads(json.dumps(payload["entry"][0]).replace(PAGE, "222333444555666")))
    assert deliver(fb, payload).json() == {"stored": 1, "duplicates": 0}
    assert not InboundEvent.objects.filter(channel=sweden).exists()
