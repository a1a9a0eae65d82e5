"""Trustpilot reviews: polled against a stub that checks the exact requests, stored, answered with the company reply."""

from __future__ import annotations

import base64
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
from webcare.channels import reviews as reviews_module
from webcare.channels.base import Action, HealthStatus, ItemKind, Malformed, OutboundRequest, SendError
from webcare.channels.inbound import store_items
from webcare.channels.polling import poll_due
from webcare.channels.reviews import TrustpilotConnector
from webcare.conversations.models import Conversation, DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

FIXTURE = Path(__file__).parent / "fixtures" / "channels" / "reviews" / "private_reviews.json"
UNIT = "46d6a890ffa235a75b00021d"
AUTHOR = "507f191e810c19729de860ea"
REVIEWS_PATH = f"/v1/private/business-units/{UNIT}/reviews"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
FIRST_PAGE = {"orderBy": "createdat.desc", "perPage": "100"}
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OLA, LOTTE, SANNA = "6741a5c2f1e2b3a4c5d6e7f3", "6741a5c2f1e2b3a4c5d6e7f2", "6741a5c2f1e2b3a4c5d6e7f1"
API_HEADERS = {"apikey": "tp-key", "Authorization": "Bearer tp-access-token"}


def page() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


@pytest.fixture(autouse=True)
def frozen_clock_and_no_cached_tokens() -> Iterator[None]:
    reviews_module._TOKENS.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    reviews_module._TOKENS.clear()


@pytest.fixture
def channel(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(
        organisation=personas.org, kind="reviews", slug="trustpilot", name="Fjordnett on Trustpilot",
        settings={"api_base_url": httpserver.url_for("").rstrip("/"), "business_unit_id": UNIT,
                  "business_user_id": AUTHOR, "rate_per_second": 1000},
    )
    channel.set_credentials({"api_key": "tp-key", "api_secret": "tp-secret"})
    channel.save()
    return channel


def expect_token(httpserver: HTTPServer) -> None:
    basic = base64.b64encode(b"tp-key:tp-secret").decode()
    httpserver.expect_ordered_request(
        TOKEN_PATH, method="POST", headers={"Authorization": f"Basic {basic}"}, data="grant_type=client_credentials",
    ).respond_with_json({"access_token": "tp-access-token", "expires_in": "359999"})


def expect_reviews(httpserver: HTTPServer, body: dict[str, Any], query: dict[str, str] | None = None) -> None:
    httpserver.expect_ordered_request(REVIEWS_PATH, method="GET", headers=API_HEADERS,
                                      query_string=query or FIRST_PAGE).respond_with_json(body)


def test_the_first_poll_takes_the_reviews_of_the_last_two_weeks(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    items, state = TrustpilotConnector(channel).poll({})
    httpserver.check_assertions()
    # Oldest first; the review from October is older than the 14-day backfill.
    assert [(item.event_id, item.kind) for item in items] == [
        (LOTTE, ItemKind.MESSAGE), (f"{LOTTE}:reply", ItemKind.MESSAGE), (OLA, ItemKind.MESSAGE)]
    ola = items[2].payload
    assert ola == {
        "message_id": OLA, "conversation_id": OLA, "conversation_kind": "public",
        "author": {"id": "5c1b2a3d4e5f60718293a4b3", "name": "Ola Hansen"},
        "text": "★★☆☆☆\n\nLovet tekniker, ingen kom\n\nVi ventet hjemme hele dagen på en tekniker som aldri kom. "
                "Ingen beskjed, og kundeservice hadde 40 minutters kø.",
        "subject": "★★☆☆☆ Lovet tekniker, ingen kom", "sent_at": "2026-11-23T08:41:17+00:00",
    }
    reply = items[1].payload
    assert (reply["direction"], reply["conversation_id"], reply["in_reply_to"], reply["text"]) == (
        "outbound", LOTTE, LOTTE, "Tusen takk, Lotte! Vi sender hilsenen videre til Ingrid.")
    assert state["newest"] == "2026-11-23T08:41:17+00:00"
    assert state["newest_ids"] == [OLA]
    assert set(state["known"]) == {OLA, LOTTE}


def test_a_second_poll_with_the_new_state_finds_nothing_new(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    expect_reviews(httpserver, page())  # the token is kept: no second token request
    connector = TrustpilotConnector(channel)
    _, state = connector.poll({})
    items, again = TrustpilotConnector(channel).poll(state)
    httpserver.check_assertions()
    assert items == []
    assert again == state


def test_a_review_created_in_the_same_second_as_the_cursor_is_not_lost(channel: Channel,
                                                                       httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    twin = copy.deepcopy(page()["reviews"][0]) | {"id": "6741a5c2f1e2b3a4c5d6e7f4"}
    expect_reviews(httpserver, {"reviews": [twin, *page()["reviews"]]})
    _, state = TrustpilotConnector(channel).poll({})
    items, state = TrustpilotConnector(channel).poll(state)
    assert [item.event_id for item in items] == ["6741a5c2f1e2b3a4c5d6e7f4"]
    assert state["newest_ids"] == [OLA, "6741a5c2f1e2b3a4c5d6e7f4"]


def _review(n: int, created: datetime) -> dict[str, Any]:
    review = copy.deepcopy(page()["reviews"][0])
    review.update(id=f"r{n:04d}", createdAt=created.isoformat().replace("+00:00", "Z"), title=f"Review {n}")
    return review


def test_it_pages_back_until_it_reaches_the_cursor(channel: Channel, httpserver: HTTPServer) -> None:
    cursor = NOW - timedelta(hours=6)
    state = {"newest": cursor.isoformat(), "newest_ids": ["old-1"], "known": {}}
    newer = [_review(n, NOW - timedelta(minutes=n + 1)) for n in range(130)]  # all within the last 6 hours
    older = [_review(900, cursor - timedelta(minutes=5))]
    expect_token(httpserver)
    expect_reviews(httpserver, {"reviews": newer[:100]})
    expect_reviews(httpserver, {"reviews": newer[100:] + older}, FIRST_PAGE | {"page": "2"})
    items, new_state = TrustpilotConnector(channel).poll(state)
    httpserver.check_assertions()
    assert len(items) == 130
    assert items[0].event_id == "r0129" and items[-1].event_id == "r0000"
    assert new_state["newest"] == (NOW - timedelta(minutes=1)).isoformat()


def test_edits_and_replies_made_on_trustpilot_are_picked_up(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    _, state = TrustpilotConnector(channel).poll({})
    changed = page()
    ola, lotte = changed["reviews"][0], changed["reviews"][1]
    ola.update(stars=4, text="Teknikeren kom dagen etter og fikset alt. Bra.", updatedAt="2026-11-23T09:30:00Z")
    ola["companyReply"] = {"text": "Beklager ventetiden, Ola.", "createdAt": "2026-11-23T09:40:00Z"}
    lotte["companyReply"]["text"] = "Tusen takk, Lotte! Hilsenen er sendt til Ingrid."
    lotte["companyReply"]["updatedAt"] = "2026-11-23T09:45:00Z"
    expect_reviews(httpserver, changed)
    items, _ = TrustpilotConnector(channel).poll(state)
    httpserver.check_assertions()
    by_id = {item.event_id: item for item in items}
    assert set(by_id) == {f"{LOTTE}:reply:edit:{reviews_module._digest(lotte['companyReply']['text'])}",
                          f"{OLA}:edit:{reviews_module._digest(4, ola['title'], ola['text'])}", f"{OLA}:reply"}
    edit = by_id[f"{OLA}:edit:{reviews_module._digest(4, ola['title'], ola['text'])}"]
    assert edit.kind == ItemKind.UPDATE
    assert edit.payload == {
        "message_id": OLA, "change": "edited", "at": "2026-11-23T09:30:00+00:00",
        "text": "★★★★☆\n\nLovet tekniker, ingen kom\n\nTeknikeren kom dagen etter og fikset alt. Bra.",
    }
    assert by_id[f"{OLA}:reply"].payload["direction"] == "outbound"


def test_polled_reviews_become_tickets_and_edits_change_them(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    items, state = TrustpilotConnector(channel).poll({})
    assert store_items(channel, items, source="poll").created == 3
    drain()
    ola = Message.objects.get(channel=channel, external_id=OLA)
    assert ola.conversation.external_id == OLA and ola.is_public and ola.direction == Direction.INBOUND
    assert Ticket.objects.get(conversation=ola.conversation).subject == "★★☆☆☆ Lovet tekniker, ingen kom"
    reply = Message.objects.get(channel=channel, external_id=f"{LOTTE}:reply")
    assert reply.direction == Direction.OUTBOUND and reply.conversation.external_id == LOTTE
    edited = page()
    edited["reviews"][0]["text"] = "Oppdatert: teknikeren kom til slutt."
    expect_reviews(httpserver, edited)
    items, _ = TrustpilotConnector(channel).poll(state)
    store_items(channel, items, source="poll")
    drain()
    ola.refresh_from_db()
    assert ola.text.endswith("Oppdatert: teknikeren kom til slutt.")
    assert len(ola.edits) == 1


def test_the_poller_stores_new_reviews_and_keeps_the_cursor(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    expect_reviews(httpserver, page())
    expect_reviews(httpserver, page())
    first = poll_due()
    assert (first.channels, first.stored, first.failed) == (1, 3, 0)
    channel.refresh_from_db()
    assert channel.poll_state["newest_ids"] == [OLA]
    Channel.objects.filter(pk=channel.pk).update(poll_next_at=NOW)
    second = poll_due()
    assert (second.channels, second.stored, second.duplicates) == (1, 0, 0)
    drain()
    assert Conversation.objects.filter(channel=channel).count() == 2


def test_a_static_access_token_is_used_as_it_is(channel: Channel, httpserver: HTTPServer) -> None:
    channel.set_credentials({"api_key": "tp-key", "access_token": "tp-access-token"})
    channel.save()
    expect_reviews(httpserver, {"reviews": []})
    items, state = TrustpilotConnector(channel).poll({})
    httpserver.check_assertions()
    assert items == [] and state["newest"] is None


def test_a_refused_token_fails_the_poll_and_marks_the_channel(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    httpserver.expect_ordered_request(REVIEWS_PATH, method="GET").respond_with_json(
        {"message": "Unauthorized: token expired"}, status=401)
    tally = poll_due()
    assert tally.failed == 1
    channel.refresh_from_db()
    assert channel.health_status == HealthStatus.TOKEN_EXPIRED
    assert "token expired" in channel.health_detail
    assert reviews_module._TOKENS == {}


@pytest.mark.parametrize("body", [[1, 2], {"reviews": "none"}])
def test_an_answer_without_a_list_of_reviews_is_refused(channel: Channel, httpserver: HTTPServer, body: Any) -> None:
    expect_token(httpserver)
    httpserver.expect_ordered_request(REVIEWS_PATH, method="GET").respond_with_json(body)
    with pytest.raises(Malformed, match="no list of reviews"):
        TrustpilotConnector(channel).poll({})


def test_an_unreadable_review_is_skipped_and_named(channel: Channel, httpserver: HTTPServer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    body = page()
    body["reviews"][0]["stars"] = "many"
    del body["reviews"][1]["consumer"]
    expect_token(httpserver)
    expect_reviews(httpserver, body)
    with caplog.at_level(logging.WARNING, logger="webcare.channels"):
        items, _ = TrustpilotConnector(channel).poll({})
    assert items == []
    assert f"review {OLA}: stars 'many' is not 1 to 5" in caplog.text
    assert f"review {LOTTE}: needs id and consumer.id" in caplog.text


def test_backfill_days_must_be_a_number(channel: Channel) -> None:
    channel.settings["backfill_days"] = "two weeks"
    with pytest.raises(Exception, match="backfill_days must be a whole number of days, not 'two weeks'"):
        TrustpilotConnector(channel).poll({})


# -- replies ---------------------------------------------------------------------------------------------------------

def reply_request(**fields: Any) -> OutboundRequest:
    return OutboundRequest(**{"action": Action.REPLY, "idempotency_key": "k1", "conversation_id": OLA,
                              "conversation_public": True, "target_id": OLA, **fields})


def test_a_reply_is_posted_as_the_company_reply(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    httpserver.expect_ordered_request(
        f"/v1/private/reviews/{OLA}/reply", method="POST", headers=API_HEADERS,
        json={"authorBusinessUserId": AUTHOR, "message": "Hei Ola, vi beklager. Ring oss på 22 00 00 00."},
    ).respond_with_data("", status=201)
    result = TrustpilotConnector(channel).send(reply_request(text="Hei Ola, vi beklager. Ring oss på 22 00 00 00."))
    httpserver.check_assertions()
    assert result.external_id == f"{OLA}:reply"


@pytest.mark.parametrize(("fields", "error"), [
    ({"action": Action.HIDE, "text": ""}, "Trustpilot cannot hide"),
    ({"text": "  "}, "a reply needs text"),
    ({"text": "Hei", "target_id": "", "conversation_id": ""}, "no review to answer"),
])
def test_it_refuses_what_trustpilot_cannot_do(channel: Channel, httpserver: HTTPServer, fields: dict[str, Any],
                                              error: str) -> None:
    with pytest.raises(SendError, match=error):
        TrustpilotConnector(channel).send(reply_request(**fields))
    assert not httpserver.log


def test_a_reply_without_a_business_user_says_what_is_missing(channel: Channel, httpserver: HTTPServer) -> None:
    del channel.settings["business_user_id"]
    with pytest.raises(SendError, match="no 'business_user_id' set"):
        TrustpilotConnector(channel).send(reply_request(text="Hei"))


def test_a_reply_from_the_inbox_reaches_trustpilot_and_its_echo_is_no_second_message(
    channel: Channel, httpserver: HTTPServer, personas: Personas
) -> None:
    from webcare.channels.sender import send_due

    expect_token(httpserver)
    expect_reviews(httpserver, page())
    poll_due()
    drain()
    ticket = Ticket.objects.get(conversation__external_id=OLA)
    httpserver.expect_ordered_request(
        f"/v1/private/reviews/{OLA}/reply", method="POST", headers=API_HEADERS,
        json={"authorBusinessUserId": AUTHOR, "message": "Hei Ola, beklager ventetiden."},
    ).respond_with_data("", status=201)
    reply = do_reply(ticket, personas.agent, "Hei Ola, beklager ventetiden.")
    assert send_due().sent == 1
    reply.refresh_from_db()
    assert (reply.external_id, reply.delivery_status) == (f"{OLA}:reply", DeliveryStatus.SENT)
    answered = page()
    answered["reviews"][0]["companyReply"] = {"text": "Hei Ola, beklager ventetiden.",
                                              "createdAt": "2026-11-23T10:00:00Z"}
    expect_reviews(httpserver, answered)
    Channel.objects.filter(pk=channel.pk).update(poll_next_at=NOW)
    assert poll_due().stored == 1
    drain()
    httpserver.check_assertions()
    assert Message.objects.filter(channel=channel, conversation__external_id=OLA, direction=Direction.OUTBOUND
                                  ).count() == 1


# -- check -----------------------------------------------------------------------------------------------------------

def test_check_names_the_business_unit(channel: Channel, httpserver: HTTPServer) -> None:
    expect_token(httpserver)
    httpserver.expect_ordered_request(REVIEWS_PATH, method="GET", headers=API_HEADERS,
                                      query_string={"perPage": "1"}).respond_with_json(page())
    report = TrustpilotConnector(channel).check()
    assert (report.status, report.detail) == (HealthStatus.OK, "Trustpilot business unit Fjordnett")


def test_check_reports_a_refused_key(channel: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_json(
        {"fault": {"faultstring": "Invalid ApiKey"}}, status=401)
    report = TrustpilotConnector(channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert report.detail.startswith("Trustpilot refused: get a Trustpilot access token: HTTP 401")


def test_check_reports_a_missing_reply_author(channel: Channel, httpserver: HTTPServer) -> None:
    del channel.settings["business_user_id"]
    expect_token(httpserver)
    httpserver.expect_ordered_request(REVIEWS_PATH, method="GET").respond_with_json(page())
    report = TrustpilotConnector(channel).check()
    assert report.status == HealthStatus.FAILING
    assert "no business_user_id" in report.detail
