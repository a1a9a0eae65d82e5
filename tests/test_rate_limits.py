"""Rate limits on the public endpoints: token buckets per client address and per channel, 429 with Retry-After
(nothing stored, so the platform's retry delivers it), readable by the chat widget across origins; and how the
client address is found (behind a proxy, IPv6 networks)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, RequestFactory

from tests.conftest import Personas, inbound_payload
from tests.test_channel_webhooks import SECRET
from webcare.channels import registry
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.security import ratelimit
from webcare.security.client import address_key, client_ip
from webcare.webchat.models import ChatSession

SITE = "https://www.fjordnett.test"


# -- the buckets ------------------------------------------------------------------------------------------------------


def test_a_bucket_allows_its_burst_then_asks_to_wait_until_a_token_is_back() -> None:
    buckets = ratelimit.TokenBuckets("test", rate=2, burst=3)
    assert [buckets.take("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", now=100.0) == pytest.approx(0.5)  # 2 a second: the next token in half a second
    assert buckets.take("b", now=100.0) == 0.0  # every key has its own bucket
    assert buckets.take("a", now=100.6) == 0.0  # refilled by then
    assert buckets.take("a", now=100.6) > 0


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    assert ratelimit.refill(1.0, 3600, rate=10, burst=5) == 5
    assert ratelimit.refill(1.0, -5, rate=10, burst=5) == 1.0  # a clock going back adds nothing
    assert ratelimit.wait_for_token(0.25, rate=0.5) == pytest.approx(1.5)


def test_it_keeps_memory_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 10)
    buckets = ratelimit.TokenBuckets("test", rate=1, burst=2)
    for n in range(50):
        buckets.take(f"client-{n}", now=float(n))
    assert len(buckets) <= 10


def test_a_flood_is_logged_once_a_minute_without_the_client_address(caplog: Any) -> None:
    buckets = ratelimit.TokenBuckets("hooks.address", rate=1000, burst=1)
    with caplog.at_level(logging.WARNING, logger="webcare.security"):
        for ms in range(5000):  # 5 s of a flood: every millisecond a token comes back and is taken again
            buckets.take("203.0.113.9", now=ms / 1000)
            buckets.take("203.0.113.9", now=ms / 1000)
        assert len(caplog.records) == 1
        buckets.take("203.0.113.9", now=61.0)
        buckets.take("203.0.113.9", now=61.0)
    assert len(caplog.records) == 2
    assert "rate limit hooks.address reached for one client address" in caplog.text
    assert "203.0.113.9" not in caplog.text


def test_a_limit_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="rate must be > 0"):
        ratelimit.TokenBuckets("hooks.address", rate=0, burst=5)


def test_a_changed_setting_starts_fresh_buckets(settings: Any) -> None:
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS, "hooks.address": (1, 1)}
    assert ratelimit.limiter("hooks.address").take("x") == 0.0
    assert ratelimit.limiter("hooks.address").take("x") > 0
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS, "hooks.address": (1, 2)}
    assert ratelimit.limiter("hooks.address").take("x") == 0.0


# -- who is the client ------------------------------------------------------------------------------------------------


def test_the_client_is_the_remote_address_unless_behind_a_proxy(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.20")
    settings.WEBCARE_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.2"  # a client may write X-Forwarded-For itself: ignored
    settings.WEBCARE_BEHIND_PROXY = True
    assert client_ip(request) == "198.51.100.20"  # the address our proxy appended, not what the client claimed


def test_ipv6_clients_are_counted_by_network() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("not an address") == "not an address"


# -- webhooks ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def hooked(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channel]:
    monkeypatch.setitem(registry.CONNECTORS, "signed", "tests.test_channel_webhooks.SignedConnector")
    registry.connector_class.cache_clear()
    yield Channel.objects.create(organisation=personas.org, kind="signed", slug="signed", name="Signed")
    registry.connector_class.cache_clear()


def deliver(channel: Channel, n: int, address: str = "192.0.2.1") -> Any:
    raw = json.dumps({"items": [{"kind": "message", "id": f"m-{n}", "payload": inbound_payload(n)}]}).encode()
    signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return Client(REMOTE_ADDR=address).post(f"/hooks/{channel.webhook_key}/", data=raw,
                                            content_type="application/json", headers={"X-Signature": signature})


def limits(settings: Any, **changed: tuple[float, int]) -> None:
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS,
                                    **{name.replace("_", "."): value for name, value in changed.items()}}


def test_a_webhook_past_the_address_limit_gets_429_and_nothing_is_stored(hooked: Channel, settings: Any) -> None:
    limits(settings, hooks_address=(0.5, 3))
    assert [deliver(hooked, n).status_code for n in range(3)] == [200, 200, 200]
    refused = deliver(hooked, 3)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"  # half a token a second: two seconds to a whole one
    assert refused.json() == {"error": "too many requests; try again in 2 s"}
    assert InboundEvent.objects.count() == 3  # the refused delivery left nothing: the platform sends it again
    assert deliver(hooked, 3, address="192.0.2.2").status_code == 200  # another platform address is not held up


def test_a_webhook_past_the_channel_limit_gets_429_from_any_address(hooked: Channel, personas: Personas,
                                                                    settings: Any) -> None:
    limits(settings, hooks_channel=(1, 2))
    assert deliver(hooked, 1, "192.0.2.1").status_code == 200
    assert deliver(hooked, 2, "192.0.2.2").status_code == 200
    refused = deliver(hooked, 3, "192.0.2.3")
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    other = Channel.objects.create(organisation=personas.org, kind="signed", slug="signed-2", name="Signed 2")
    assert deliver(other, 4, "192.0.2.3").status_code == 200


def test_the_default_limits_take_a_platform_burst(hooked: Channel) -> None:
    """Meta sends bursts of hundreds of deliveries a second from one address: the default burst takes them."""
    rate, burst = ratelimit.limiter("hooks.address").rate, ratelimit.limiter("hooks.address").burst
    assert rate >= 100 and burst >= 1000
    assert all(ratelimit.limiter("hooks.address").take("192.0.2.77", now=5.0) == 0.0 for _ in range(1000))


# -- web chat ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def chat(personas: Personas) -> Channel:
    return Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Chat",
                                  settings={"allowed_origins": SITE})


def chat_get(chat: Channel, address: str = "192.0.2.1") -> Any:
    return Client(REMOTE_ADDR=address).get(f"/chat/{chat.webhook_key}/config", headers={"Origin": SITE})


def test_the_chat_past_the_address_limit_answers_429_that_the_widget_can_read(chat: Channel, settings: Any) -> None:
    limits(settings, chat_address=(1, 2))
    assert [chat_get(chat).status_code for _ in range(2)] == [200, 200]
    refused = chat_get(chat)
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    assert refused["Access-Control-Allow-Origin"] == "*"  # says only "wait": any page may read it
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]
    assert chat_get(chat, address="192.0.2.2").status_code == 200


def test_the_chat_past_the_channel_limit_answers_429_to_its_own_site(chat: Channel, settings: Any) -> None:
    limits(settings, chat_channel=(1, 1))
    assert chat_get(chat, "192.0.2.1").status_code == 200
    refused = chat_get(chat, "192.0.2.2")
    assert refused.status_code == 429 and refused["Access-Control-Allow-Origin"] == SITE


def test_new_chats_are_limited_harder_than_messages(chat: Channel, settings: Any) -> None:
    limits(settings, chat_session_address=(1 / 60, 2))
    visitor = Client(REMOTE_ADDR="192.0.2.1")
    url = f"/chat/{chat.webhook_key}/session"
    started = [visitor.post(url, data="{}", content_type="application/json", headers={"Origin": SITE}).status_code
               for _ in range(3)]
    assert started == [201, 201, 429]
    assert ChatSession.objects.count() == 2
    refused = visitor.post(url, data="{}", content_type="application/json", headers={"Origin": SITE})
    assert refused["Retry-After"] == "60" and refused["Access-Control-Allow-Origin"] == SITE
    assert chat_get(chat).status_code == 200  # reading goes on
