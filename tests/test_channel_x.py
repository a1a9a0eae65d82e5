"""X (Twitter): the Account Activity webhook in (CRC, signature, real payload shapes), API v2 out (exact requests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
import time_machine
from django.test import Client
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import Personas
from webcare.channels.base import Action, HealthStatus, OutboundRequest, SendError
from webcare.channels.x import OAuth1Auth, XConnector
from webcare.conversations.models import Conversation, DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "x"
SECRET = "consumer-secret-for-tests"
BRAND = "2244994945"
KARI = "3001969357"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sign(body: bytes, secret: str = SECRET) -> str:
    """X's signature, computed as its documentation says (independently of the connector)."""
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def x_channel(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(
        organisation=personas.org, kind="x", slug="x", name="Fjordnett on X",
        settings={"api_base_url": httpserver.url_for("").rstrip("/"), "user_id": BRAND, "rate_per_second": 1000},
    )
    channel.set_credentials({"consumer_secret": SECRET, "bearer_token": "user-context-token"})
    channel.save()
    return channel


def deliver(channel: Channel, body: bytes, signature: str | None = None) -> Any:
    headers = {} if signature == "" else {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": signature or sign(body)}
    return Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json", **headers)


def deliver_all(channel: Channel, *names: str) -> None:
    for name in names:
        response = deliver(channel, fixture(name))
        assert response.status_code == 200, (name, response.content)
    drain()


# -- inbound ---------------------------------------------------------------------------------------------------------

def test_it_answers_the_crc_challenge(x_channel: Channel) -> None:
    response = Client().get(f"/hooks/{x_channel.webhook_key}/", {"crc_token": "9b4507b3-crc"})
    assert response.status_code == 200
    expected = base64.b64encode(hmac.new(SECRET.encode(), b"9b4507b3-crc", hashlib.sha256).digest()).decode()
    assert response.json() == {"response_token": f"sha256={expected}"}


def test_it_refuses_a_get_that_is_no_crc(x_channel: Channel) -> None:
    assert Client().get(f"/hooks/{x_channel.webhook_key}/").status_code == 400


@pytest.mark.parametrize("signature", ["", "sha256=bm90IHRoZSByaWdodCBvbmU=", "other-body"])
def test_it_refuses_unsigned_or_wrongly_signed_deliveries(x_channel: Channel, signature: str) -> None:
    body = fixture("mention_with_photo.json")
    if signature == "other-body":
        signature = sign(b'{"for_user_id": "2244994945"}')
    response = deliver(x_channel, body, signature)
    assert response.status_code == 401
    assert "x-twitter-webhooks-signature" in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_it_refuses_deliveries_signed_with_another_apps_secret(x_channel: Channel) -> None:
    body = fixture("mention_with_photo.json")
    assert deliver(x_channel, body, sign(body, "another-app")).status_code == 401
    assert not InboundEvent.objects.exists()


def test_it_stores_a_mention_with_its_photo_as_a_public_message(x_channel: Channel) -> None:
    deliver_all(x_channel, "mention_with_photo.json")
    message = Message.objects.get(external_id="1860000000000000001")
    assert message.direction == Direction.INBOUND and message.is_public
    # The full (extended) text, unescaped, without the t.co link of the photo it carries.
    assert message.text == ("@Fjordnett Fiberen har vært nede siden i går kveld & kundeservice svarer ikke på telefon. "
                            "Hva skjer? Vi har hjemmekontor begge to og trenger nett i dag.")
    assert message.attachments == [{"name": "GdRouterRedLight.jpg", "content_type": "image/jpeg",
                                    "url": "https://pbs.twimg.com/media/GdRouterRedLight.jpg"}]
    assert message.sent_at == datetime(2026, 11, 23, 9, 14, 5, tzinfo=UTC)
    assert message.conversation.external_id == f"public:{KARI}"
    assert message.conversation.kind == "public"
    identity = message.author_identity
    assert identity is not None
    assert (identity.external_id, identity.handle, identity.display_name) == (KARI, "@kari_n", "Kari Nordmann")
    assert Ticket.objects.filter(conversation=message.conversation).count() == 1


def test_it_keeps_the_whole_exchange_with_a_customer_in_one_conversation(x_channel: Channel) -> None:
    deliver_all(x_channel, "mention_with_photo.json", "brand_reply.json", "customer_reply.json")
    conversation = Conversation.objects.get(channel=x_channel)
    messages = list(conversation.messages.order_by("sent_at"))
    assert [(m.external_id, m.direction, m.in_reply_to) for m in messages] == [
        ("1860000000000000001", Direction.INBOUND, ""),
        ("1860000000000000010", Direction.OUTBOUND, "1860000000000000001"),
        ("1860000000000000020", Direction.INBOUND, "1860000000000000010"),
    ]
    assert Ticket.objects.filter(conversation=conversation).count() == 1


def test_it_turns_an_edited_tweet_into_an_edit_of_the_original(x_channel: Channel) -> None:
    deliver_all(x_channel, "customer_reply.json", "customer_reply_edited.json")
    message = Message.objects.get(external_id="1860000000000000020")
    assert message.text == "@Fjordnett Takk! Kl. 12 går fint, vi jobber fra kafé til da."
    assert [edit["text"] for edit in message.edits] == ["@Fjordnett Takk! Kl. 12 går fint."]
    assert not Message.objects.filter(external_id="1860000000000000021").exists()


def test_it_marks_a_deleted_tweet(x_channel: Channel) -> None:
    deliver_all(x_channel, "customer_reply.json", "tweet_delete.json")
    message = Message.objects.get(external_id="1860000000000000020")
    assert message.deleted_at == datetime(2026, 11, 23, 9, 35, tzinfo=UTC)


def test_it_files_direct_messages_per_customer_and_the_brands_own_as_outbound(x_channel: Channel) -> None:
    deliver_all(x_channel, "dm_received.json", "dm_sent_by_brand.json")
    conversation = Conversation.objects.get(channel=x_channel)
    assert (conversation.external_id, conversation.kind) == (f"{BRAND}-{KARI}", "private")
    messages = list(conversation.messages.order_by("sent_at"))
    assert [(m.external_id, m.direction, m.is_public) for m in messages] == [
        ("1860000000000000100", Direction.INBOUND, False), ("1860000000000000101", Direction.OUTBOUND, False)]
    assert messages[0].sent_at == datetime(2026, 11, 23, 9, 25, tzinfo=UTC)


def test_it_records_that_the_customer_read_the_brands_message(x_channel: Channel) -> None:
    deliver_all(x_channel, "dm_received.json", "dm_sent_by_brand.json", "dm_mark_read.json")
    assert Message.objects.get(external_id="1860000000000000101").delivery_status == DeliveryStatus.READ


def test_it_reads_chatwoots_tweet_and_direct_message_shapes(x_channel: Channel) -> None:
    x_channel.settings["user_id"] = "1"  # the Chatwoot fixtures' account
    x_channel.save()
    deliver_all(x_channel, "tweet_create_event.json", "twitter_message_create_event.json")
    tweet = Message.objects.get(external_id="1")
    assert tweet.text == "@chatwootapp Testing a sample tweet with Twitter client"
    assert tweet.sent_at == datetime(2020, 2, 5, 8, 39, 31, tzinfo=UTC)
    assert tweet.conversation.external_id == "public:2"
    dm = Message.objects.get(external_id="123")
    assert (dm.text, dm.direction, dm.conversation.external_id) == ("Blue Bird", Direction.INBOUND, "1-2")


def test_it_keeps_the_image_of_a_direct_message(x_channel: Channel) -> None:
    x_channel.settings["user_id"] = "1"
    x_channel.save()
    response = deliver(x_channel, fixture("twitter_dm_image_event.json"))
    assert response.json() == {"stored": 1, "duplicates": 0}
    drain()
    dm = Message.objects.get(external_id="123")
    assert dm.attachments == [{"name": "DOhM30VVwAEpIHq.jpg", "content_type": "image/jpeg",
                               "url": "https://pbs.twimg.com/media/DOhM30VVwAEpIHq.jpg"}]


def test_it_skips_likes_follows_typing_retweets_and_announcements(x_channel: Channel,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="webcare.channels"):
        response = deliver(x_channel, fixture("other_events.json"))
    assert response.status_code == 200
    assert response.json() == {"stored": 0, "duplicates": 0}
    logged = caplog.text
    assert "favorite_events skipped" in logged and "follow_events skipped" in logged
    assert "retweet 1860000000000000200 skipped" in logged
    assert "1860000000000000201 by the brand answers no customer" in logged


def test_a_video_is_kept_as_its_best_mp4(x_channel: Channel) -> None:
    body = json.loads(fixture("customer_reply.json"))
    body["tweet_create_events"][0]["extended_entities"] = {"media": [{
        "id_str": "77", "type": "video", "url": "https://t.co/vid", "media_url_https": "https://pbs.twimg.com/v.jpg",
        "video_info": {"variants": [
            {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/v.m3u8"},
            {"bitrate": 832000, "content_type": "video/mp4", "url": "https://video.twimg.com/v/480x270/low.mp4"},
            {"bitrate": 2176000, "content_type": "video/mp4", "url": "https://video.twimg.com/v/1280x720/high.mp4"},
        ]},
    }]}
    body["tweet_create_events"][0]["text"] += " https://t.co/vid"
    deliver(x_channel, json.dumps(body).encode())
    drain()
    message = Message.objects.get(external_id="1860000000000000020")
    assert message.text == "@Fjordnett Takk! Kl. 12 går fint."
    assert message.attachments == [{"name": "high.mp4", "content_type": "video/mp4",
                                    "url": "https://video.twimg.com/v/1280x720/high.mp4"}]


def test_odd_values_where_objects_belong_do_not_break_the_delivery(x_channel: Channel) -> None:
    body = json.loads(fixture("customer_reply.json"))
    body["tweet_create_events"][0].update(edit_history="n/a", extended_tweet=None, entities=[])
    body["users"] = "none"
    assert deliver(x_channel, json.dumps(body).encode()).json() == {"stored": 1, "duplicates": 0}


def test_a_redelivery_stores_nothing_new(x_channel: Channel) -> None:
    body = fixture("mention_with_photo.json")
    assert deliver(x_channel, body).json() == {"stored": 1, "duplicates": 0}
    assert deliver(x_channel, body).json() == {"stored": 0, "duplicates": 1}
    drain()
    assert Message.objects.filter(channel=x_channel).count() == 1


@pytest.mark.parametrize(("body", "error"), [
    (b"not json", "body is not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"tweet_create_events": []}', "for_user_id is missing"),
    (b'{"for_user_id": "2244994945", "tweet_create_events": {"id_str": "1"}}', "tweet_create_events is not a list"),
    (b'{"for_user_id": "2244994945", "tweet_create_events": [{"id_str": "5", "text": "hei"}]}',
     "tweet_create_events[0]: a tweet needs id_str and user.id_str"),
    (b'{"for_user_id": "2244994945", "tweet_create_events": [{"id_str": "5", "text": "hei", '
     b'"user": {"id_str": "7"}, "created_at": "yesterday"}]}', "created_at 'yesterday'"),
    (b'{"for_user_id": "2244994945", "direct_message_events": [{"type": "message_create", "id": "9", '
     b'"message_create": {"message_data": {"text": "hei"}}}]}', "needs sender_id and target.recipient_id"),
])
def test_it_refuses_malformed_deliveries_and_stores_nothing(x_channel: Channel, body: bytes, error: str) -> None:
    response = deliver(x_channel, body)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_a_bad_event_refuses_the_whole_delivery(x_channel: Channel) -> None:
    """All or nothing: X redelivers the whole body, so nothing of it may be half-stored."""
    good = json.loads(fixture("mention_with_photo.json"))
    good["tweet_create_events"].append({"id_str": "6", "text": "no author"})
    assert deliver(x_channel, json.dumps(good).encode()).status_code == 400
    assert not InboundEvent.objects.exists()


def test_it_ignores_deliveries_for_another_account(x_channel: Channel) -> None:
    body = fixture("mention_with_photo.json").replace(b'"for_user_id": "2244994945"', b'"for_user_id": "99"')
    assert deliver(x_channel, body).json() == {"stored": 0, "duplicates": 0}


# -- outbound --------------------------------------------------------------------------------------------------------

BEARER = {"Authorization": "Bearer user-context-token"}


def request(action: Action, **fields: Any) -> OutboundRequest:
    return OutboundRequest(action=action, idempotency_key="3f1c", **fields)


def test_a_public_reply_answers_the_tweet(x_channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(
        "/2/tweets", method="POST", headers=BEARER,
        json={"text": "Hei Kari, teknikerne er på vei.", "reply": {"in_reply_to_tweet_id": "1860000000000000001"}},
    ).respond_with_json({"data": {"id": "1860000000000000300", "text": "Hei Kari, teknikerne er på vei."}},
                        status=201)
    result = XConnector(x_channel).send(request(
        Action.REPLY, text="Hei Kari, teknikerne er på vei.", conversation_id=f"public:{KARI}",
        conversation_public=True, target_id="1860000000000000001", recipient={"id": KARI, "handle": "@kari_n"}))
    httpserver.check_assertions()
    assert result.external_id == "1860000000000000300"


@pytest.mark.parametrize(("action", "conversation_id", "public"), [
    (Action.REPLY, f"{BRAND}-{KARI}", False),  # a reply in a DM conversation
    (Action.PRIVATE_REPLY, f"public:{KARI}", True),  # a private reply to a public tweet's author
])
def test_a_private_answer_is_a_direct_message(x_channel: Channel, httpserver: HTTPServer, action: Action,
                                              conversation_id: str, public: bool) -> None:
    httpserver.expect_ordered_request(
        f"/2/dm_conversations/with/{KARI}/messages", method="POST", headers=BEARER,
        json={"text": "Kan du sende oss kundenummeret ditt her?"},
    ).respond_with_json({"data": {"dm_conversation_id": f"{BRAND}-{KARI}", "dm_event_id": "1860000000000000400"}},
                        status=201)
    result = XConnector(x_channel).send(request(
        action, text="Kan du sende oss kundenummeret ditt her?", conversation_id=conversation_id,
        conversation_public=public, target_id="1860000000000000001", recipient={"id": KARI, "handle": "@kari_n"}))
    httpserver.check_assertions()
    assert result.external_id == "1860000000000000400"


@pytest.mark.parametrize(("action", "method", "path", "body", "answer"), [
    (Action.HIDE, "PUT", "/2/tweets/1860000000000000020/hidden", {"hidden": True}, {"data": {"hidden": True}}),
    (Action.UNHIDE, "PUT", "/2/tweets/1860000000000000020/hidden", {"hidden": False}, {"data": {"hidden": False}}),
    (Action.DELETE, "DELETE", "/2/tweets/1860000000000000020", None, {"data": {"deleted": True}}),
    (Action.LIKE, "POST", f"/2/users/{BRAND}/likes", {"tweet_id": "1860000000000000020"}, {"data": {"liked": True}}),
])
def test_moderation_actions_make_the_documented_request(x_channel: Channel, httpserver: HTTPServer, action: Action,
                                                        method: str, path: str, body: Any, answer: Any) -> None:
    expectation = {"json": body} if body is not None else {"data": b""}
    httpserver.expect_ordered_request(path, method=method, headers=BEARER, **expectation).respond_with_json(answer)
    result = XConnector(x_channel).send(request(action, target_id="1860000000000000020", conversation_public=True))
    httpserver.check_assertions()
    assert result.external_id == ""


def test_a_like_without_a_configured_account_id_asks_x_who_the_brand_is(x_channel: Channel,
                                                                        httpserver: HTTPServer) -> None:
    del x_channel.settings["user_id"]
    x_channel.save()
    httpserver.expect_ordered_request("/2/users/me", method="GET", headers=BEARER).respond_with_json(
        {"data": {"id": BRAND, "name": "Fjordnett", "username": "Fjordnett"}})
    httpserver.expect_ordered_request(f"/2/users/{BRAND}/likes", method="POST", json={"tweet_id": "77"}
                                      ).respond_with_json({"data": {"liked": True}})
    XConnector(x_channel).send(request(Action.LIKE, target_id="77"))
    httpserver.check_assertions()


def test_a_429_waits_until_xs_rate_limit_window_resets(x_channel: Channel, httpserver: HTTPServer) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    reset = int(now.timestamp()) + 840
    httpserver.expect_ordered_request("/2/tweets", method="POST").respond_with_json(
        {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}, status=429,
        headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    with time_machine.travel(now, tick=False), pytest.raises(SendError) as caught:
        XConnector(x_channel).send(request(Action.REPLY, text="Hei", conversation_public=True, target_id="1"))
    error = caught.value
    assert (error.retryable, error.retry_after, error.health) == (True, 840.0, HealthStatus.RATE_LIMITED)
    assert "Too Many Requests" in str(error)


def test_a_refused_token_fails_the_send_and_says_so(x_channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/2/tweets", method="POST").respond_with_json(
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}, status=401)
    with pytest.raises(SendError) as caught:
        XConnector(x_channel).send(request(Action.REPLY, text="Hei", conversation_public=True, target_id="1"))
    assert (caught.value.retryable, caught.value.health) == (False, HealthStatus.TOKEN_EXPIRED)


@pytest.mark.parametrize(("fields", "error"), [
    ({"text": "Hei", "conversation_public": True}, "no tweet to answer"),
    ({"text": "  ", "conversation_public": True, "target_id": "1"}, "a reply needs text"),
    ({"text": "Hei", "conversation_id": "public:5"}, "no X account to send the direct message to"),
])
def test_it_refuses_requests_it_cannot_carry_out(x_channel: Channel, httpserver: HTTPServer,
                                                 fields: dict[str, Any], error: str) -> None:
    with pytest.raises(SendError, match=error) as caught:
        XConnector(x_channel).send(request(Action.REPLY, **fields))
    assert not caught.value.retryable
    assert not httpserver.log


def test_it_names_the_missing_credentials(x_channel: Channel) -> None:
    x_channel.set_credentials({"consumer_secret": SECRET})
    x_channel.save()
    with pytest.raises(SendError, match="set consumer_key, consumer_secret, access_token and access_token_secret"):
        XConnector(x_channel).send(request(Action.REPLY, text="Hei", conversation_public=True, target_id="1"))


# -- OAuth 1.0a ------------------------------------------------------------------------------------------------------

def test_the_oauth1_signature_matches_xs_documented_example() -> None:
    """The worked example of X's "Creating a signature" page (docs.x.com, authentication)."""
    auth = OAuth1Auth("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                      "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
                      nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp=1318622958)
    params = [("include_entities", "true"), ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
              *auth.oauth_params().items()]
    assert auth.signature("post", "https://api.twitter.com/1.1/statuses/update.json", params) == \
        "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def _check_oauth1(request: Request) -> Response:
    """The stub's side: recompute the signature from what arrived, with the secrets X would hold."""
    header = request.headers.get("Authorization", "")
    assert header.startswith("OAuth ")
    oauth = {k: unquote(v.strip('"')) for k, v in (p.split("=", 1) for p in header[6:].split(", "))}
    given = oauth.pop("oauth_signature")
    params = sorted((quote(k, safe="-._~"), quote(v, safe="-._~"))
                    for k, v in [*oauth.items(), *request.args.items(multi=True)])
    base = "&".join(["POST", quote(request.base_url, safe="-._~"),
                     quote("&".join(f"{k}={v}" for k, v in params), safe="-._~")])
    expected = base64.b64encode(hmac.new(b"ck-secret&at-secret", base.encode(), hashlib.sha1).digest()).decode()
    assert (oauth["oauth_consumer_key"], oauth["oauth_token"], given) == ("ck", "at", expected)
    return Response(json.dumps({"data": {"id": "901", "text": "Hei"}}), status=201, content_type="application/json")


def test_it_signs_requests_with_oauth1_when_its_keys_are_set(x_channel: Channel, httpserver: HTTPServer) -> None:
    x_channel.set_credentials({"consumer_secret": "ck-secret", "consumer_key": "ck", "access_token": "at",
                               "access_token_secret": "at-secret", "bearer_token": "not-used"})
    x_channel.save()
    httpserver.expect_ordered_request("/2/tweets", method="POST").respond_with_handler(_check_oauth1)
    result = XConnector(x_channel).send(request(Action.REPLY, text="Hei", conversation_public=True, target_id="1"))
    httpserver.check_assertions()
    assert result.external_id == "901"


# -- check -----------------------------------------------------------------------------------------------------------

def test_check_names_the_account(x_channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/2/users/me", method="GET", headers=BEARER).respond_with_json(
        {"data": {"id": BRAND, "name": "Fjordnett", "username": "Fjordnett"}})
    report = XConnector(x_channel).check()
    assert (report.status, report.detail) == (HealthStatus.OK, f"@Fjordnett (Fjordnett), account id {BRAND}")


def test_check_reports_a_refused_token(x_channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/2/users/me", method="GET").respond_with_json(
        {"title": "Unauthorized", "detail": "Unauthorized", "status": 401}, status=401)
    report = XConnector(x_channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert report.detail.startswith("X refused the credentials: read the X account: HTTP 401")


def test_check_reports_a_token_of_another_account(x_channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/2/users/me", method="GET").respond_with_json(
        {"data": {"id": "12", "name": "Other", "username": "other"}})
    report = XConnector(x_channel).check()
    assert report.status == HealthStatus.FAILING
    assert f"set up for account id {BRAND}" in report.detail


def test_check_reports_missing_credentials(x_channel: Channel) -> None:
    x_channel.set_credentials({})
    x_channel.save()
    report = XConnector(x_channel).check()
    assert report.status == HealthStatus.FAILING
    assert "no consumer secret" in report.detail


# -- end to end: webhook → inbox → reply → X ---------------------------------------------------------------------------

def test_a_reply_from_the_inbox_is_posted_as_an_answer_to_the_tweet(x_channel: Channel, httpserver: HTTPServer,
                                                                     personas: Personas) -> None:
    from webcare.channels.sender import send_due

    deliver_all(x_channel, "mention_with_photo.json")
    ticket = Ticket.objects.get(conversation__channel=x_channel)
    httpserver.expect_ordered_request(
        "/2/tweets", method="POST", headers=BEARER,
        json={"text": "Hei Kari, det er et brudd i Bergen sentrum.",
              "reply": {"in_reply_to_tweet_id": "1860000000000000001"}},
    ).respond_with_json({"data": {"id": "1860000000000000010", "text": "…"}}, status=201)
    reply = do_reply(ticket, personas.agent, "Hei Kari, det er et brudd i Bergen sentrum.")
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert (reply.external_id, reply.delivery_status) == ("1860000000000000010", DeliveryStatus.SENT)
    # X echoes the brand's reply through the webhook: it is the same message, not a second one.
    deliver_all(x_channel, "brand_reply.json")
    assert Message.objects.filter(channel=x_channel, direction=Direction.OUTBOUND).count() == 1
    assert Message.objects.get(external_id="1860000000000000010").author_agent == personas.agent


def test_a_private_reply_from_the_inbox_is_a_direct_message_to_the_author(x_channel: Channel, httpserver: HTTPServer,
                                                                          personas: Personas) -> None:
    from webcare.channels.sender import send_due

    deliver_all(x_channel, "mention_with_photo.json")
    ticket = Ticket.objects.get(conversation__channel=x_channel)
    httpserver.expect_ordered_request(
        f"/2/dm_conversations/with/{KARI}/messages", method="POST", headers=BEARER,
        json={"text": "Send oss gjerne kundenummeret ditt her."},
    ).respond_with_json({"data": {"dm_conversation_id": f"{BRAND}-{KARI}", "dm_event_id": "1860000000000000500"}},
                        status=201)
    reply = do_reply(ticket, personas.agent, "Send oss gjerne kundenummeret ditt her.", public=False)
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert reply.external_id == "1860000000000000500"
