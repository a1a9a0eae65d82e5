"""The Instagram connector: direct messages (with story replies, mentions, shares, unsend and seen) and comments in,
through Meta's signed webhook; replies, private replies and comment moderation out through the Graph API — against a
local stub that checks each request.

Inbound shapes: Chatwoot's Instagram factories (tests/fixtures/channels/instagram/*.json without the ``meta_``
prefix; their ``entry`` lists are put in Meta's ``{"object": "instagram"}`` envelope here) and Meta's documented
comment and mention notices (``meta_*.json``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
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
from webcare.channels.instagram import InstagramConnector
from webcare.channels.meta import GRAPH_VERSION
from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "instagram"
ACCOUNT = "17841400000000001"
CUSTOMER = "2543761895680101"
MEDIA = "18000000000000001"
COMMENT = "17900000000000001"
APP_SECRET = "instagram-app-secret"
VERIFY = "another-long-random-verify-token"
TOKEN = "IGQVJ-token-for-tests"
PROOF = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T = "2021-09-08T06:34:04+00:00"


@pytest.fixture
def ig(personas: Personas, httpserver: Any) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="instagram", slug="ig", name="Fjordnett",
                                     settings={"instagram_account_id": ACCOUNT,
                                               "api_base_url": httpserver.url_for("").rstrip("/"),
                                               "lookup_profiles": False})  # names: test_channel_profiles.py
    channel.set_credentials({"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY})
    channel.save()
    return channel


def fixture(name: str) -> dict[str, Any]:
    """A fixture as Meta POSTs it: Chatwoot's factories hold only the entries (fixtures README), placeholders
    filled in."""
    text = (FIXTURES / name).read_text()
    if name.startswith("meta_"):
        return json.loads(text)
    # Chatwoot's account ids are made up ("<expr:ig_entry_id>", "instagram-message-id-123"): this channel's account.
    text = text.replace("<expr:ig_entry_id>", ACCOUNT).replace('"instagram-message-id-123"', f'"{ACCOUNT}"')
    data = json.loads(text.replace("<expr:sender_id>", CUSTOMER))
    entries = data.get("entry", data.get("messaging"))
    if name == "instagram_story_mention_event_with_echo.json":
        # An echo is sent by the account to the customer (Meta's docs); the factory has the two the other way round.
        event = entries[0]["messaging"][0]
        event["sender"]["id"], event["recipient"]["id"] = ACCOUNT, CUSTOMER
    return {"object": "instagram", "entry": entries}


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
    return InstagramConnector(channel).parse(Delivery("POST", {}, {}, json.dumps(payload).encode()))


def summary(item: InboundItem) -> tuple[Any, ...]:
    p = item.payload
    if item.kind == ItemKind.MESSAGE:
        return ("message", item.event_id, p["conversation_id"], p["conversation_kind"], p["direction"],
                p["author"]["id"], p["text"], p["in_reply_to"], [a["name"] for a in p["attachments"]], p["sent_at"])
    return ("update", item.event_id, p["message_id"], p["change"], p["at"], p.get("text", ""))


def dm(mid: str, text: str, attachments: list[str] | None = None, sender_id: str = CUSTOMER, at: str = T,
       in_reply_to: str = "", outbound: bool = False) -> tuple[Any, ...]:
    customer = CUSTOMER if outbound else sender_id
    return ("message", mid, customer, "private", "outbound" if outbound else "inbound",
            ACCOUNT if outbound else sender_id, text, in_reply_to, attachments or [], at)


UNSUPPORTED = ("[Instagram could not pass this message on (a kind its API does not support); open the conversation "
               "in Instagram to see it]")
COMMENTS_AT = "2023-11-10T12:40:00+00:00"

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "incoming_ig_text_message.json": [
        dm("message-id-1", "This is the first message from the customer", sender_id="Sender-id-1")],
    "instagram_message_create_event.json": [dm("message-id-1", "This is the first message from the customer")],
    "instagram_message_reply_event.json": [
        dm("message-id-2", "This is message with replyto mid", in_reply_to="message-id-1")],
    "instagram_message_standby_event.json": [
        dm("message-id-1", "This is the first standby message from the customer, after 24 hours.")],
    "instagram_message_attachment_event.json": [dm("message-id-1", "", ["test.jpeg"])],
    "instagram_ig_post_event.json": [dm("ig-post-message-id-1", "", ["Shared Instagram post"])],
    "instagram_ig_story_event.json": [dm("ig-story-message-id-1", "", ["Instagram story"])],
    "instagram_shared_reel_event.json": [dm("message-id-1", "", ["Reel title"])],
    "instagram_story_mention_event.json": [dm("mention-message-id-1", "", ["story mention"])],
    "instagram_story_mention_event_with_echo.json": [dm("message-id-1", "", ["story mention"], outbound=True)],
    "instagram_story_reply_event.json": [dm("message-id-1", "This is the story reply", ["story replied to"])],
    "instagram_message_unsupported_event.json": [dm("unsupported-message-id-1", UNSUPPORTED)],
    "instagram_message_unsend_event.json": [
        ("update", "message-id-to-delete:deleted", "message-id-to-delete", "deleted", T, "")],
    "messaging_seen_event.json": [("update", "message-id-1:read", "message-id-1", "read", T, "")],
    "instagram_test_event_changes.json": [
        dm("random_mid", "random_text", sender_id="12334", at="2018-05-27T22:23:44+00:00")],
    "instagram_test_text_event.json": [
        dm("random_mid", "random_text", sender_id="12334", at="2018-05-27T22:23:44+00:00")],
    "meta_comments.json": [
        ("message", COMMENT, MEDIA, "public", "inbound", CUSTOMER, "Når kommer fiberen til Tromsø? Venter fortsatt!",
         MEDIA, [], COMMENTS_AT),
        ("message", "17900000000000002", MEDIA, "public", "inbound", "2543761895680102", "Zelfde vraag voor Groningen",
         COMMENT, [], COMMENTS_AT),
        ("message", "17900000000000003", MEDIA, "public", "outbound", ACCOUNT, "Hei Kari! Vi sender deg en melding.",
         COMMENT, [], COMMENTS_AT)],
    "meta_ignored.json": [],
}


# -- inbound ----------------------------------------------------------------------------------------------------------

def test_it_answers_metas_verification_with_the_challenge(ig: Channel) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "CHALLENGE_ACCEPTED"}
    response = Client().get(f"/hooks/{ig.webhook_key}/", query)
    assert (response.status_code, response.content) == (200, b"CHALLENGE_ACCEPTED")
    query["hub.verify_token"] = "wrong"
    assert Client().get(f"/hooks/{ig.webhook_key}/", query).status_code == 401


@pytest.mark.parametrize("signature", [None, sign(b"{}"), sign(b"x", "other-secret"), "sha256=zz"],
                         ids=["missing", "other-body", "other-secret", "not-hex"])
def test_it_refuses_a_wrong_or_missing_signature_and_stores_nothing(ig: Channel, signature: str | None) -> None:
    response = deliver(ig, fixture("meta_comments.json"), signature=signature)
    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize(("body", "words"), [
    (b"\xff\xfe not json", "not JSON"),
    (json.dumps({"object": "instagram", "entry": [{"id": ACCOUNT, "changes": [
        {"field": "comments", "value": {"id": COMMENT, "text": "no media"}}]}]}).encode(),
     "entry[0].changes[0].value.media is not an object"),
    (json.dumps({"object": "instagram", "entry": [{"id": ACCOUNT, "messaging": [
        {"recipient": {"id": ACCOUNT}, "message": {"mid": "m1", "text": "who?"}}]}]}).encode(),
     "entry[0].messaging[0].sender is not an object"),
])
def test_it_refuses_a_malformed_body_with_400(ig: Channel, body: bytes, words: str) -> None:
    response = deliver(ig, body)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_parses_to_the_right_items(ig: Channel, name: str) -> None:
    assert [summary(item) for item in parse(ig, fixture(name))] == EXPECTED[name]


def test_every_fixture_file_is_covered() -> None:
    assert {path.name for path in FIXTURES.glob("*.json")} == set(EXPECTED)


def test_comment_authors_keep_their_username_as_handle(ig: Channel) -> None:
    first = parse(ig, fixture("meta_comments.json"))[0]
    assert first.payload["author"] == {"id": CUSTOMER, "handle": "@kari.nordmann"}


def test_a_retried_delivery_is_a_duplicate(ig: Channel) -> None:
    payload = fixture("meta_comments.json")
    assert deliver(ig, payload).json() == {"stored": 3, "duplicates": 0}
    assert deliver(ig, payload).json() == {"stored": 0, "duplicates": 3}


def test_mentions_and_unknown_events_are_skipped_and_logged(ig: Channel, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = deliver(ig, fixture("meta_ignored.json"))
    assert response.json() == {"stored": 0, "duplicates": 0}
    assert "skipped a mention (comment 17900000000000009 on media 18000000000000009)" in caplog.text
    assert "'story_insights' change" in caplog.text
    assert "messaging event of kind reaction" in caplog.text
    assert "messaging event of kind referral" in caplog.text


def test_entries_for_another_instagram_account_of_the_same_app_are_skipped(ig: Channel,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    payload = fixture("meta_comments.json")
    other = json.loads(json.dumps(payload["entry"][0]).replace(ACCOUNT, "17841400000000777"))
    payload["entry"].append(other)
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        assert [item.event_id for item in parse(ig, payload)] == [COMMENT, "17900000000000002", "17900000000000003"]
    assert "skipped entry[1] for account 17841400000000777" in caplog.text


def test_comments_and_messages_land_in_their_conversations(ig: Channel) -> None:
    for name in ("meta_comments.json", "instagram_message_create_event.json", "instagram_story_mention_event.json"):
        assert deliver(ig, fixture(name)).status_code == 200
        drain()
    public = Conversation.objects.get(channel=ig, external_id=MEDIA)
    assert public.kind == "public"
    rows = {m.external_id: m for m in Message.objects.filter(conversation=public)}
    identity = rows[COMMENT].author_identity
    assert identity is not None
    assert (rows[COMMENT].direction, rows[COMMENT].is_public, identity.handle) == ("inbound", True, "@kari.nordmann")
    assert (rows["17900000000000003"].direction, rows["17900000000000003"].author_identity) == ("outbound", None)
    private = Conversation.objects.get(channel=ig, external_id=CUSTOMER)
    assert private.kind == "private"
    assert sorted(str(m.external_id) for m in Message.objects.filter(conversation=private)) == [
        "mention-message-id-1", "message-id-1"]
    mention = Message.objects.get(channel=ig, external_id="mention-message-id-1")
    assert mention.attachments == [{"name": "story mention", "content_type": "image/jpeg",
                                    "url": "https://www.example.com/test.jpeg"}]
    # The comment's author and the DM's author are the same IGSID: one identity, one customer.
    assert rows[COMMENT].author_identity_id == Message.objects.get(channel=ig,
                                                                    external_id="message-id-1").author_identity_id


def test_unsend_and_seen_reach_the_stored_messages(ig: Channel, personas: Personas) -> None:
    create = fixture("instagram_message_create_event.json")
    create["entry"][0]["messaging"][0]["message"]["mid"] = "message-id-to-delete"
    deliver(ig, create)
    drain()
    deliver(ig, fixture("instagram_message_unsend_event.json"))
    drain()
    assert Message.objects.get(channel=ig, external_id="message-id-to-delete").deleted_at is not None


# -- outbound ---------------------------------------------------------------------------------------------------------

def path(*parts: str) -> str:
    return f"/{GRAPH_VERSION}/" + "/".join(parts)


SENDS = [
    pytest.param(dict(action=Action.REPLY, text="Hei! Hva gjelder det?", conversation_id=CUSTOMER),
                 "POST", path("me", "messages"),
                 {"recipient": {"id": CUSTOMER}, "messaging_type": "RESPONSE",
                  "message": {"text": "Hei! Hva gjelder det?"}},
                 {"recipient_id": CUSTOMER, "message_id": "aWdfZAG1faXRlbTo"}, "aWdfZAG1faXRlbTo", id="dm-reply"),
    pytest.param(dict(action=Action.REPLY, text="@kari.nordmann Vi er i gang i Tromsø i mars!",
                      conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT, "replies"), {"message": "@kari.nordmann Vi er i gang i Tromsø i mars!"},
                 {"id": "17900000000000099"}, "17900000000000099", id="comment-reply"),
    pytest.param(dict(action=Action.REPLY, text="Takk for alle spørsmål!", conversation_id=MEDIA,
                      conversation_public=True, target_id=MEDIA),
                 "POST", path(MEDIA, "comments"), {"message": "Takk for alle spørsmål!"},
                 {"id": "17900000000000098"}, "17900000000000098", id="comment-on-media"),
    pytest.param(dict(action=Action.PRIVATE_REPLY, text="Hei Kari, hvilken adresse gjelder det?",
                      conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
                 "POST", path("me", "messages"),
                 {"recipient": {"comment_id": COMMENT}, "message": {"text": "Hei Kari, hvilken adresse gjelder det?"}},
                 {"recipient_id": CUSTOMER, "message_id": "aWdfprivate"}, "aWdfprivate", id="private-reply"),
    pytest.param(dict(action=Action.HIDE, conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT), {"hide": True}, {"success": True}, "", id="hide"),
    pytest.param(dict(action=Action.UNHIDE, conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
                 "POST", path(COMMENT), {"hide": False}, {"success": True}, "", id="unhide"),
    pytest.param(dict(action=Action.DELETE, conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
                 "DELETE", path(COMMENT), None, {"success": True}, "", id="delete"),
]


@pytest.mark.parametrize(("fields", "method", "uri", "body", "answer", "external_id"), SENDS)
def test_each_action_sends_the_exact_graph_request(ig: Channel, httpserver: Any, fields: dict[str, Any],
                                                   method: str, uri: str, body: dict[str, Any] | None,
                                                   answer: dict[str, Any], external_id: str) -> None:
    kwargs: dict[str, Any] = {"method": method, "headers": AUTH, "query_string": {"appsecret_proof": PROOF}}
    if body is not None:
        kwargs["json"] = body
    httpserver.expect_ordered_request(uri, **kwargs).respond_with_json(answer)
    result = InstagramConnector(ig).send(OutboundRequest(idempotency_key="k-1", **fields))
    httpserver.check_assertions()
    assert result.external_id == external_id


def test_capabilities_leave_out_what_instagrams_api_cannot_do(ig: Channel, httpserver: Any) -> None:
    assert InstagramConnector.capabilities == {Capability.PUBLIC_REPLY, Capability.PRIVATE_REPLY, Capability.HIDE,
                                               Capability.DELETE}
    assert not InstagramConnector(ig).can(Action.LIKE)
    with pytest.raises(SendError, match="cannot like"):
        InstagramConnector(ig).send(OutboundRequest(action=Action.LIKE, idempotency_key="k", target_id=COMMENT))
    assert httpserver.log == []


@pytest.mark.parametrize(("fields", "words"), [
    (dict(action=Action.REPLY, text="ø" * 501, conversation_id=CUSTOMER), "at most 1000 bytes"),
    (dict(action=Action.REPLY, text="x" * 2201, conversation_id=MEDIA, conversation_public=True, target_id=COMMENT),
     "at most 2200 characters"),
    (dict(action=Action.PRIVATE_REPLY, text="Hei", conversation_id=MEDIA, conversation_public=True),
     "needs the comment"),
])
def test_it_refuses_what_instagram_would_refuse_before_anything_leaves(ig: Channel, httpserver: Any,
                                                                       fields: dict[str, Any], words: str) -> None:
    with pytest.raises(SendError, match=words):
        InstagramConnector(ig).send(OutboundRequest(idempotency_key="k", **fields))
    assert httpserver.log == []


def dm_reply() -> OutboundRequest:
    return OutboundRequest(action=Action.REPLY, idempotency_key="k", text="Hei!", conversation_id=CUSTOMER)


def test_a_429_and_a_5xx_are_retryable(ig: Channel, httpserver: Any) -> None:
    httpserver.expect_ordered_request(path("me", "messages")).respond_with_json(
        {"error": {"message": "Too many calls", "code": 4}}, status=429, headers={"Retry-After": "90"})
    httpserver.expect_ordered_request(path("me", "messages")).respond_with_data("Bad gateway", status=502)
    with pytest.raises(SendError) as first:
        InstagramConnector(ig).send(dm_reply())
    with pytest.raises(SendError) as second:
        InstagramConnector(ig).send(dm_reply())
    assert (first.value.retryable, first.value.retry_after, first.value.health) == (
        True, 90.0, HealthStatus.RATE_LIMITED)
    assert (second.value.retryable, second.value.health) == (True, HealthStatus.FAILING)


def test_a_refused_token_is_permanent(ig: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path("me", "messages")).respond_with_json(
        {"error": {"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException",
                   "code": 190}}, status=400)
    with pytest.raises(SendError) as caught:
        InstagramConnector(ig).send(dm_reply())
    assert (caught.value.retryable, caught.value.health) == (False, HealthStatus.TOKEN_EXPIRED)
    assert str(caught.value) == ("the Instagram access token was refused: Invalid OAuth access token - Cannot parse "
                                 "access token")


def test_check_reads_the_account(ig: Channel, httpserver: Any) -> None:
    httpserver.expect_ordered_request(path(ACCOUNT), method="GET", headers=AUTH, query_string={
        "fields": "username,name", "appsecret_proof": PROOF},
    ).respond_with_json({"username": "fjordnett", "name": "Fjordnett AS", "id": ACCOUNT})
    report = InstagramConnector(ig).check()
    httpserver.check_assertions()
    assert (report.status, report.detail) == (HealthStatus.OK, "@fjordnett (Fjordnett AS)")


def test_check_says_when_the_token_is_refused(ig: Channel, httpserver: Any) -> None:
    httpserver.expect_request(path(ACCOUNT)).respond_with_json(
        {"error": {"message": "Error validating access token: Session has expired", "code": 190}}, status=400)
    report = InstagramConnector(ig).check()
    assert (report.status, report.detail) == (
        HealthStatus.TOKEN_EXPIRED, "the Instagram access token was refused: Error validating access token: Session "
                                    "has expired")


# -- end to end -------------------------------------------------------------------------------------------------------

def test_a_reply_to_a_comment_goes_under_it_and_its_echo_is_not_stored_twice(ig: Channel, httpserver: Any,
                                                                              personas: Personas) -> None:
    first = fixture("meta_comments.json")
    first["entry"][0]["changes"] = first["entry"][0]["changes"][:1]
    deliver(ig, first)
    drain()
    ticket = Ticket.objects.get(conversation__channel=ig)
    text = "Hei Kari! Fiberen kommer til Tromsø i mars."
    httpserver.expect_ordered_request(path(COMMENT, "replies"), method="POST", headers=AUTH,
                                      query_string={"appsecret_proof": PROOF}, json={"message": text},
                                      ).respond_with_json({"id": "17900000000000077"})
    message = do_reply(ticket, personas.agent, text)
    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status) == ("17900000000000077", DeliveryStatus.SENT)

    echo = fixture("meta_comments.json")
    echo["entry"][0]["changes"] = echo["entry"][0]["changes"][2:]
    echo["entry"][0]["changes"][0]["value"] |= {"id": "17900000000000077", "text": text}
    deliver(ig, echo)
    drain()
    assert Message.objects.filter(channel=ig).count() == 2


def test_a_direct_message_reply_goes_to_the_igsid(ig: Channel, httpserver: Any, personas: Personas) -> None:
    payload = fixture("instagram_message_create_event.json")
    payload["entry"][0]["messaging"][0]["timestamp"] = int(time.time() * 1000)
    deliver(ig, payload)
    drain()
    ticket = Ticket.objects.get(conversation__channel=ig)
    text = "Hei! Vi hjelper deg gjerne. Hva er adressen?"
    httpserver.expect_ordered_request(path("me", "messages"), method="POST", headers=AUTH, json={
        "recipient": {"id": CUSTOMER}, "messaging_type": "RESPONSE", "message": {"text": text}},
    ).respond_with_json({"recipient_id": CUSTOMER, "message_id": "aWdf_sent"})
    message = do_reply(ticket, personas.agent, text)
    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert message.external_id == "aWdf_sent"


def test_a_private_reply_to_a_comment_is_addressed_by_the_comment(ig: Channel, httpserver: Any,
                                                                  personas: Personas) -> None:
    first = fixture("meta_comments.json")
    first["entry"][0]["changes"] = first["entry"][0]["changes"][:1]
    deliver(ig, first)
    drain()
    ticket = Ticket.objects.get(conversation__channel=ig)
    text = "Hei Kari, hvilken adresse gjelder det?"
    httpserver.expect_ordered_request(path("me", "messages"), method="POST", headers=AUTH, json={
        "recipient": {"comment_id": COMMENT}, "message": {"text": text}},
    ).respond_with_json({"recipient_id": CUSTOMER, "message_id": "aWdf_private"})
    message = do_reply(ticket, personas.agent, text, public=False)
    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.external_id, message.is_public) == ("aWdf_private", False)
