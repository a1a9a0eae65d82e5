"""Listening on Bluesky: keyword searches polled against a stub that checks the exact requests, posts found by several
searches stored once, and public replies through the brand's account."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pytest_httpserver import HTTPServer

from tests.conftest import Personas
from webcare.channels import listening
from webcare.channels.base import Action, ConnectorError, HealthStatus, Malformed, OutboundRequest, SendError
from webcare.channels.inbound import store_items
from webcare.channels.listening import BlueskyListeningConnector
from webcare.channels.polling import poll_due
from webcare.conversations.models import Conversation, DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "listening"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
KARI = "at://did:plc:kari0000000000000000000b/app.bsky.feed.post/3lbzkari00001"
JONAS = "at://did:plc:jonas000000000000000000c/app.bsky.feed.post/3lbzjonas0001"
SANNA = "at://did:plc:sanna00000000000000000e/app.bsky.feed.post/3lbzsanna0001"
BRAND_REPLY = "at://did:plc:fjordnettbrand00000000a/app.bsky.feed.post/3lbzbrand0001"
INGRID_ROOT = "at://did:plc:ingrid00000000000000000d/app.bsky.feed.post/3lbzingrid001"
BRAND_DID = "did:plc:fjordnettbrand00000000a"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def frozen_clock_and_no_sessions() -> Iterator[None]:
    listening._SESSIONS.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    listening._SESSIONS.clear()


@pytest.fixture
def channel(personas: Personas, httpserver: HTTPServer) -> Channel:
    stub = httpserver.url_for("").rstrip("/")
    return Channel.objects.create(
        organisation=personas.org, kind="listening", slug="bluesky", name="Bluesky mentions",
        settings={"api_base_url": stub, "pds_url": stub, "keywords": ["Fjordnett", '"fjord nett"'],
                  "handle": "fjordnett.no", "rate_per_second": 1000},
    )


def sign_in(channel: Channel) -> None:
    channel.set_credentials({"app_password": "abcd-efgh-ijkl-mnop"})
    channel.save()


def expect_search(httpserver: HTTPServer, query: str, since: str, body: dict[str, Any], limit: int = 100,
                  **headers: str) -> None:
    httpserver.expect_ordered_request(
        SEARCH, method="GET", headers=headers,
        query_string={"q": query, "sort": "latest", "limit": str(limit), "since": since},
    ).respond_with_json(body)


def expect_both_searches(httpserver: HTTPServer, since_first: str, since_second: str) -> None:
    expect_search(httpserver, "Fjordnett", since_first, fixture("search_fjordnett.json"))
    expect_search(httpserver, '"fjord nett"', since_second, fixture("search_fjord_nett_phrase.json"))


def expect_session(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(
        "/xrpc/com.atproto.server.createSession", method="POST",
        json={"identifier": "fjordnett.no", "password": "abcd-efgh-ijkl-mnop"},
    ).respond_with_json({"did": BRAND_DID, "handle": "fjordnett.no", "accessJwt": "access-jwt",
                         "refreshJwt": "refresh-jwt", "active": True})


# -- polling ---------------------------------------------------------------------------------------------------------

def test_the_first_poll_searches_every_keyword_and_stores_each_post_once(channel: Channel,
                                                                         httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    items, state = BlueskyListeningConnector(channel).poll({})
    httpserver.check_assertions()
    # Kari's post was found by both searches: one item. Oldest first.
    assert [item.event_id for item in items] == [KARI, JONAS, SANNA, BRAND_REPLY]
    kari = items[0].payload
    assert kari == {
        "message_id": KARI, "conversation_id": KARI, "conversation_kind": "public", "direction": "inbound",
        "author": {"id": "did:plc:kari0000000000000000000b", "handle": "@kari-n.bsky.social", "name": "Kari Nordmann"},
        "text": "Fjordnett-fiberen er nede igjen. Tredje gang denne måneden, og ingen svarer på telefonen.",
        "sent_at": "2026-11-23T09:05:02.870000+00:00", "in_reply_to": "",
        "attachments": [{"name": "bafkreirouterredlight@jpeg", "content_type": "image/jpeg", "url":
                         "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:kari0000000000000000000b/"
                         "bafkreirouterredlight@jpeg"}],
    }
    jonas = items[1].payload
    assert (jonas["conversation_id"], jonas["in_reply_to"]) == (
        INGRID_ROOT, "at://did:plc:ingrid00000000000000000d/app.bsky.feed.post/3lbzingrid002")
    brand = items[3].payload
    assert (brand["direction"], brand["conversation_id"], brand["in_reply_to"]) == ("outbound", KARI, KARI)
    assert state["queries"]["Fjordnett"]["mark"] == "2026-11-23T09:20:12.001000+00:00"
    assert set(state["queries"]["Fjordnett"]["seen"]) == {BRAND_REPLY, JONAS}  # those within the overlap
    assert state["queries"]['"fjord nett"']["mark"] == "2026-11-23T09:15:00.700000+00:00"


def test_a_second_poll_with_the_new_state_finds_nothing_new(channel: Channel, httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    # Each query asks again from its own mark, minus the overlap that catches late-indexed posts.
    expect_both_searches(httpserver, "2026-11-23T09:10:12Z", "2026-11-23T09:05:00Z")
    _, state = BlueskyListeningConnector(channel).poll({})
    items, again = BlueskyListeningConnector(channel).poll(state)
    httpserver.check_assertions()
    assert items == []
    assert again == state


def test_a_late_indexed_post_inside_the_overlap_is_still_found(channel: Channel, httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    late = fixture("search_fjordnett.json")
    extra = copy.deepcopy(late["posts"][1])
    extra.update(uri="at://did:plc:jonas000000000000000000c/app.bsky.feed.post/3lbzjonas0002",
                 indexedAt="2026-11-23T09:19:00.000Z")
    extra["record"]["text"] = "Fjordnett: nå er det oppe igjen her."
    late["posts"].insert(1, extra)
    expect_search(httpserver, "Fjordnett", "2026-11-23T09:10:12Z", late)
    expect_search(httpserver, '"fjord nett"', "2026-11-23T09:05:00Z", fixture("search_fjord_nett_phrase.json"))
    _, state = BlueskyListeningConnector(channel).poll({})
    items, _ = BlueskyListeningConnector(channel).poll(state)
    assert [item.event_id for item in items] == [extra["uri"]]


def test_a_removed_keyword_drops_out_of_the_state(channel: Channel, httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    _, state = BlueskyListeningConnector(channel).poll({})
    channel.settings["keywords"] = "Fjordnett"
    expect_search(httpserver, "Fjordnett", "2026-11-23T09:10:12Z", {"posts": []})
    _, state = BlueskyListeningConnector(channel).poll(state)
    assert list(state["queries"]) == ["Fjordnett"]


def test_found_posts_become_conversations_with_the_brands_own_post_as_its_reply(channel: Channel,
                                                                               httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    items, _ = BlueskyListeningConnector(channel).poll({})
    assert store_items(channel, items, source="poll").created == 4
    drain()
    kari_thread = Conversation.objects.get(channel=channel, external_id=KARI)
    assert [(m.external_id, m.direction) for m in kari_thread.messages.order_by("sent_at")] == [
        (KARI, Direction.INBOUND), (BRAND_REPLY, Direction.OUTBOUND)]
    assert kari_thread.kind == "public"
    assert Conversation.objects.filter(channel=channel).count() == 3
    assert Ticket.objects.filter(conversation__channel=channel).count() == 3


def test_the_poller_keeps_the_cursor_between_polls(channel: Channel, httpserver: HTTPServer) -> None:
    expect_both_searches(httpserver, "2026-11-22T09:30:00Z", "2026-11-22T09:30:00Z")
    expect_both_searches(httpserver, "2026-11-23T09:10:12Z", "2026-11-23T09:05:00Z")
    assert poll_due().stored == 4
    Channel.objects.filter(pk=channel.pk).update(poll_next_at=NOW)
    second = poll_due()
    assert (second.channels, second.stored, second.failed) == (1, 0, 0)
    httpserver.check_assertions()


@pytest.mark.parametrize(("keywords", "expected"), [
    ("Fjordnett\nfjordnett, fjordnett.no ,\n", ["Fjordnett", "fjordnett.no"]),
    (["Fjord Nett", "fjord nett", " "], ["Fjord Nett"]),
])
def test_keywords_are_cleaned_and_deduplicated(channel: Channel, keywords: Any, expected: list[str]) -> None:
    channel.settings["keywords"] = keywords
    assert BlueskyListeningConnector(channel).keywords() == expected


@pytest.mark.parametrize(("keywords", "error"), [
    ("", "has no keywords to search for"),
    ({"q": "Fjordnett"}, "keywords must be a list of search texts"),
    ([f"word{n}" for n in range(21)], "at most 20 keywords per channel (21 given)"),
])
def test_bad_keywords_are_refused_by_name(channel: Channel, keywords: Any, error: str) -> None:
    channel.settings["keywords"] = keywords
    with pytest.raises(ConnectorError, match=error.replace("(", r"\(").replace(")", r"\)")):
        BlueskyListeningConnector(channel).poll({})


def test_an_unreadable_post_is_skipped_and_named(channel: Channel, httpserver: HTTPServer,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    body = fixture("search_fjordnett.json")
    del body["posts"][1]["author"]
    expect_search(httpserver, "Fjordnett", "2026-11-22T09:30:00Z", body)
    expect_search(httpserver, '"fjord nett"', "2026-11-22T09:30:00Z", {"posts": []})
    with caplog.at_level(logging.WARNING, logger="webcare.channels"):
        items, _ = BlueskyListeningConnector(channel).poll({})
    assert JONAS not in [item.event_id for item in items]
    assert f"post {JONAS}: needs an at:// uri, author.did and indexedAt" in caplog.text


def test_an_answer_without_posts_is_refused(channel: Channel, httpserver: HTTPServer) -> None:
    expect_search(httpserver, "Fjordnett", "2026-11-22T09:30:00Z", {"error": "InternalServerError"})
    with pytest.raises(Malformed, match="the answer has no list of posts"):
        BlueskyListeningConnector(channel).poll({})


def test_a_refused_public_search_fails_the_poll_and_says_what_helps(channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(SEARCH, method="GET").respond_with_json(
        {"error": "AuthMissing", "message": "Authentication Required"}, status=403)
    tally = poll_due()
    assert tally.failed == 1
    channel.refresh_from_db()
    assert "HTTP 403: AuthMissing" in channel.health_detail
    httpserver.expect_ordered_request(SEARCH, method="GET").respond_with_json(
        {"error": "AuthMissing", "message": "Authentication Required"}, status=403)
    report = BlueskyListeningConnector(channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert "set the brand's handle and an app password" in report.detail


# -- signed in -------------------------------------------------------------------------------------------------------

def test_a_signed_in_search_goes_through_the_pds_and_pages(channel: Channel, httpserver: HTTPServer,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BlueskyListeningConnector, "page_size", 2)
    sign_in(channel)
    channel.settings["keywords"] = ["Fjordnett"]
    body = fixture("search_fjordnett.json")
    first, second = dict(body, posts=body["posts"][:2], cursor="2"), dict(body, posts=body["posts"][2:])
    expect_session(httpserver)
    expect_search(httpserver, "Fjordnett", "2026-11-22T09:30:00Z", first, limit=2, Authorization="Bearer access-jwt")
    httpserver.expect_ordered_request(
        SEARCH, method="GET", headers={"Authorization": "Bearer access-jwt"},
        query_string={"q": "Fjordnett", "sort": "latest", "limit": "2", "since": "2026-11-22T09:30:00Z",
                      "cursor": "2"},
    ).respond_with_json(second)
    items, _ = BlueskyListeningConnector(channel).poll({})
    httpserver.check_assertions()
    assert [item.event_id for item in items] == [KARI, JONAS, BRAND_REPLY]
    assert items[2].payload["direction"] == "outbound"


def test_check_signs_in(channel: Channel, httpserver: HTTPServer) -> None:
    sign_in(channel)
    expect_session(httpserver)
    report = BlueskyListeningConnector(channel).check()
    assert (report.status, report.detail) == (HealthStatus.OK,
                                              "signed in as @fjordnett.no; searching Bluesky for 2 keyword(s)")


def test_check_reports_a_wrong_app_password(channel: Channel, httpserver: HTTPServer) -> None:
    sign_in(channel)
    httpserver.expect_ordered_request("/xrpc/com.atproto.server.createSession", method="POST").respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status=401)
    report = BlueskyListeningConnector(channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert report.detail.startswith("Bluesky refused: sign in to Bluesky: HTTP 401")


# -- replies ---------------------------------------------------------------------------------------------------------

def expect_reply(httpserver: HTTPServer, text: str) -> None:
    """Read the post answered (for its CID and thread root), then create the reply record."""
    httpserver.expect_ordered_request(
        "/xrpc/app.bsky.feed.getPosts", method="GET", headers={"Authorization": "Bearer access-jwt"},
        query_string={"uris": JONAS},
    ).respond_with_json({"posts": [fixture("search_fjordnett.json")["posts"][1]]})
    httpserver.expect_ordered_request(
        "/xrpc/com.atproto.repo.createRecord", method="POST", headers={"Authorization": "Bearer access-jwt"},
        json={"repo": BRAND_DID, "collection": "app.bsky.feed.post", "record": {
            "$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-23T09:30:00Z",
            "reply": {
                "root": {"uri": INGRID_ROOT, "cid": "bafyreiingridroot000000000000000000000000000000000000000001"},
                "parent": {"uri": JONAS, "cid": "bafyreijonasreply0000000000000000000000000000000000000000001"},
            },
        }},
    ).respond_with_json({"uri": f"at://{BRAND_DID}/app.bsky.feed.post/3lbzbrand0002", "cid": "bafyreinew"})


def test_a_reply_names_the_thread_root_and_the_post_answered(channel: Channel, httpserver: HTTPServer) -> None:
    sign_in(channel)
    expect_session(httpserver)
    expect_reply(httpserver, "Hei Jonas, vi jobber med bruddet i Bergen.")
    result = BlueskyListeningConnector(channel).send(OutboundRequest(
        action=Action.REPLY, idempotency_key="k", text="Hei Jonas, vi jobber med bruddet i Bergen.",
        conversation_id=INGRID_ROOT, conversation_public=True, target_id=JONAS))
    httpserver.check_assertions()
    assert result.external_id == f"at://{BRAND_DID}/app.bsky.feed.post/3lbzbrand0002"


def test_a_reply_to_a_post_that_starts_its_thread_names_it_as_root_and_parent(channel: Channel,
                                                                             httpserver: HTTPServer) -> None:
    sign_in(channel)
    expect_session(httpserver)
    kari = fixture("search_fjordnett.json")["posts"][2]
    httpserver.expect_ordered_request("/xrpc/app.bsky.feed.getPosts", method="GET", query_string={"uris": KARI}
                                      ).respond_with_json({"posts": [kari]})
    ref = {"uri": KARI, "cid": kari["cid"]}
    httpserver.expect_ordered_request(
        "/xrpc/com.atproto.repo.createRecord", method="POST",
        json={"repo": BRAND_DID, "collection": "app.bsky.feed.post", "record": {
            "$type": "app.bsky.feed.post", "text": "Hei Kari, vi ser på det.", "createdAt": "2026-11-23T09:30:00Z",
            "reply": {"root": ref, "parent": ref}}},
    ).respond_with_json({"uri": f"at://{BRAND_DID}/app.bsky.feed.post/3lbzbrand0003", "cid": "bafyreinew"})
    BlueskyListeningConnector(channel).send(OutboundRequest(
        action=Action.REPLY, idempotency_key="k", text="Hei Kari, vi ser på det.", conversation_id=KARI,
        conversation_public=True, target_id=KARI))
    httpserver.check_assertions()


def test_a_reply_to_a_deleted_post_fails_and_says_so(channel: Channel, httpserver: HTTPServer) -> None:
    sign_in(channel)
    expect_session(httpserver)
    httpserver.expect_ordered_request("/xrpc/app.bsky.feed.getPosts", method="GET").respond_with_json({"posts": []})
    with pytest.raises(SendError, match="is no longer on Bluesky"):
        BlueskyListeningConnector(channel).send(OutboundRequest(
            action=Action.REPLY, idempotency_key="k", text="Hei", conversation_public=True, target_id=KARI))


@pytest.mark.parametrize(("fields", "error"), [
    ({"action": Action.PRIVATE_REPLY}, "can only reply in public, not private reply"),
    ({"text": " "}, "a reply needs text"),
    ({"target_id": ""}, "no Bluesky post to answer"),
])
def test_it_refuses_what_it_cannot_send(channel: Channel, httpserver: HTTPServer, fields: dict[str, Any],
                                        error: str) -> None:
    sign_in(channel)
    base = {"action": Action.REPLY, "idempotency_key": "k", "text": "Hei", "conversation_public": True,
            "target_id": JONAS}
    with pytest.raises(SendError, match=error):
        BlueskyListeningConnector(channel).send(OutboundRequest(**(base | fields)))
    assert not httpserver.log


def test_a_reply_without_an_app_password_says_what_is_missing(channel: Channel) -> None:
    with pytest.raises(SendError, match="no Bluesky handle and app password set; replies need them"):
        BlueskyListeningConnector(channel).send(OutboundRequest(
            action=Action.REPLY, idempotency_key="k", text="Hei", conversation_public=True, target_id=JONAS))


def test_a_reply_from_the_inbox_is_posted_in_the_thread(channel: Channel, httpserver: HTTPServer,
                                                        personas: Personas) -> None:
    from webcare.channels.sender import send_due

    sign_in(channel)
    channel.settings["keywords"] = ["Fjordnett"]
    channel.save()
    expect_session(httpserver)
    expect_search(httpserver, "Fjordnett", "2026-11-22T09:30:00Z", fixture("search_fjordnett.json"),
                  Authorization="Bearer access-jwt")
    assert poll_due().stored == 3
    drain()
    ticket = Ticket.objects.get(conversation__external_id=INGRID_ROOT)
    expect_reply(httpserver, "Hei Jonas! Beklager bruddet, vi er på saken.")
    reply = do_reply(ticket, personas.agent, "Hei Jonas! Beklager bruddet, vi er på saken.")
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert (reply.external_id, reply.delivery_status) == (f"at://{BRAND_DID}/app.bsky.feed.post/3lbzbrand0002",
                                                          DeliveryStatus.SENT)
    assert Message.objects.filter(conversation=ticket.conversation, direction=Direction.OUTBOUND).count() == 1


def test_the_look_back_is_a_setting(channel: Channel, httpserver: HTTPServer) -> None:
    channel.settings.update(keywords=["Fjordnett"], lookback_hours="2")
    expect_search(httpserver, "Fjordnett", (NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), {"posts": []})
    items, state = BlueskyListeningConnector(channel).poll({})
    httpserver.check_assertions()
    assert items == [] and state == {"queries": {"Fjordnett": {}}}
