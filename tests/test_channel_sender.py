"""The outbound queue and its sender: retries with backoff on 5xx and 429 (honouring Retry-After), per-channel rate
limits, no double post after an ambiguous failure, failures on the message with a retry, and survival of restarts.

The platform is a local HTTP server (pytest-httpserver) that checks the exact request; the connector under test is a
minimal one defined here, so these tests are about the queue, not about any one platform.
"""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from werkzeug import Request, Response

from tests.conftest import Personas, inbound_payload
from tests.support import ROOT, child_env, python_child
from webcare.channels import http, registry, sender
from webcare.channels.base import Capability, Connector, HealthStatus, OutboundRequest, SendResult
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.outbound import OutboundError, do_retry
from webcare.conversations.models import DeliveryStatus, Message
from webcare.core.models import Channel
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import ActionError, do_reply
from webcare.tickets.models import Ticket


class StubConnector(Connector):
    """Posts ``{"to", "text", "key"}`` to ``<api_base>/send`` and takes ``{"id"}`` back."""

    kind = "stub"
    label = "Stub"
    capabilities = frozenset({Capability.PUBLIC_REPLY})
    rate_per_second = 5.0

    def send(self, request: OutboundRequest) -> SendResult:
        response = http.call("POST", f"{self.api_base}/send", "send", json={
            "to": request.recipient.get("id"), "text": request.text, "key": request.idempotency_key,
            "thread": request.conversation_id, "answers": request.target_id})
        return SendResult(external_id=response.json()["id"])


class IdempotentStubConnector(StubConnector):
    idempotent_sends = True


@pytest.fixture
def stub_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "stub", f"{__name__}.StubConnector")
    monkeypatch.setitem(registry.CONNECTORS, "stubidem", f"{__name__}.IdempotentStubConnector")
    registry.connector_class.cache_clear()
    yield
    registry.connector_class.cache_clear()


def _ticket(personas: Personas, httpserver: Any, kind: str = "stub", slug: str = "stub") -> Ticket:
    channel = Channel.objects.create(organisation=personas.org, kind=kind, slug=slug, name="Stub",
                                     settings={"api_base_url": httpserver.url_for("").rstrip("/")})
    payload = inbound_payload(1, conversation="thread-1", author="cust-7")
    receive(channel, payload, external_id=payload["message_id"])
    drain()
    return Ticket.objects.get(conversation__channel=channel)


def _expect_send(httpserver: Any, text: str) -> Any:
    return httpserver.expect_ordered_request("/send", method="POST", json={
        "to": "cust-7", "text": text, "key": str(OutboundJob.objects.latest("id").idempotency_key),
        "thread": "thread-1", "answers": "m-1"})


def test_a_reply_is_queued_then_sent_with_the_exact_request(personas: Personas, httpserver: Any,
                                                             stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Hei Kari, vi ser på saken. – Ola")
    assert message.delivery_status == DeliveryStatus.QUEUED
    job = OutboundJob.objects.get(message=message)
    assert (job.status, job.action, job.created_by) == (JobStatus.PENDING, "reply", personas.agent)
    _expect_send(httpserver, message.text).respond_with_json({"id": "platform-99"})

    tally = sender.send_due()

    httpserver.check_assertions()
    assert tally.sent == 1
    message.refresh_from_db()
    job.refresh_from_db()
    assert (message.delivery_status, message.external_id, message.delivery_error) == ("sent", "platform-99", "")
    assert (job.status, job.external_id, job.attempts) == (JobStatus.SENT, "platform-99", 1)
    assert Channel.objects.get(slug="stub").health_status == HealthStatus.OK
    assert sender.send_due().total == 0  # nothing sent twice


def test_a_5xx_is_retried_with_backoff_and_the_try_shows_on_the_message(personas: Personas, httpserver: Any,
                                                                      stub_kinds: None, settings: Any) -> None:
    settings.WEBCARE_SEND_RETRY_BASE_SECONDS = 10
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Svar")
    _expect_send(httpserver, "Svar").respond_with_json({"error": {"message": "temporarily down"}}, status=503)
    _expect_send(httpserver, "Svar").respond_with_json({"id": "p-2"})

    assert sender.send_due().retrying == 1
    job = OutboundJob.objects.get(message=message)
    message.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.attempts == 1
    assert job.next_attempt_at >= timezone.now() + timedelta(seconds=9)
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "503" in message.delivery_error and "temporarily down" in message.delivery_error
    assert sender.send_due().total == 0  # not due yet

    with time_machine.travel(timezone.now() + timedelta(seconds=11), tick=True):
        assert sender.send_due().sent == 1
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.delivery_status, message.external_id) == ("sent", "p-2")


def test_a_429_honours_retry_after_and_pauses_the_whole_channel(personas: Personas, httpserver: Any,
                                                                stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    first = do_reply(ticket, personas.agent, "Første")
    _expect_send(httpserver, "Første").respond_with_json({"error": "slow down"}, status=429,
                                                          headers={"Retry-After": "120"})
    before = timezone.now()
    assert sender.send_due().retrying == 1
    do_reply(ticket, personas.agent, "Andre")  # a second reply on the same channel must wait too
    assert sender.send_due(max_wait=0).total == 0

    channel = Channel.objects.get(slug="stub")
    job = OutboundJob.objects.get(message=first)
    assert channel.send_after >= before + timedelta(seconds=120)
    assert job.next_attempt_at >= before + timedelta(seconds=120)
    assert channel.health_status == HealthStatus.RATE_LIMITED
    assert len(httpserver.log) == 1


def test_a_timeout_after_sending_is_uncertain_and_never_resent_by_itself(personas: Personas, httpserver: Any,
                                                                        stub_kinds: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "TIMEOUT", 0.3)
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Kanskje sendt")

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response('{"id": "late"}', content_type="application/json")

    _expect_send(httpserver, "Kanskje sendt").respond_with_handler(slow)
    assert sender.send_due().uncertain == 1
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.UNCERTAIN
    assert "may have been posted" in message.delivery_error
    assert sender.send_due(max_wait=0).total == 0  # a person decides, not the sender

    # The agent checked the platform, the reply is not there: Retry sends it (once).
    _expect_send(httpserver, "Kanskje sendt").respond_with_json({"id": "p-3"})
    monkeypatch.setattr(http, "TIMEOUT", 5.0)
    do_retry(message, personas.agent)
    assert sender.send_due().sent == 1
    message.refresh_from_db()
    assert (message.delivery_status, message.external_id) == ("sent", "p-3")
    assert len(httpserver.log) == 2


def test_a_client_error_fails_at_once_with_the_platforms_words_and_can_be_retried(
        personas: Personas, httpserver: Any, stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Feil")
    _expect_send(httpserver, "Feil").respond_with_json({"error": {"message": "text too long"}}, status=400)
    assert sender.send_due().failed == 1
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "HTTP 400" in message.delivery_error and "text too long" in message.delivery_error
    do_retry(message, personas.agent)
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error) == (DeliveryStatus.QUEUED, "")
    with pytest.raises(OutboundError, match="only a failed or uncertain message can be retried; this one is pending"):
        do_retry(message, personas.agent)
    with pytest.raises(OutboundError, match="never queued"):
        do_retry(Message.objects.get(direction="inbound"), personas.agent)


def test_refused_credentials_fail_and_mark_the_channel(personas: Personas, httpserver: Any, stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    do_reply(ticket, personas.agent, "Hei")
    _expect_send(httpserver, "Hei").respond_with_json({"error": {"message": "token expired"}}, status=401)
    assert sender.send_due().failed == 1
    channel = Channel.objects.get(slug="stub")
    assert channel.health_status == HealthStatus.TOKEN_EXPIRED
    assert "token expired" in channel.health_detail


def test_retryable_failures_end_as_failed_after_the_last_attempt(personas: Personas, httpserver: Any,
                                                                 stub_kinds: None, settings: Any) -> None:
    settings.WEBCARE_SEND_ATTEMPTS = 2
    settings.WEBCARE_SEND_RETRY_BASE_SECONDS = 0
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "To forsøk")
    for _ in range(2):
        _expect_send(httpserver, "To forsøk").respond_with_data("bad gateway", status=502)
    tally = sender.send_due()
    assert (tally.retrying, tally.failed) == (1, 1)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    httpserver.check_assertions()


def test_the_rate_limit_spaces_sends_on_one_channel(personas: Personas, httpserver: Any, stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    do_reply(ticket, personas.agent, "En")
    do_reply(ticket, personas.agent, "To")
    now = timezone.now()
    first = sender.claim(now)
    assert first is not None
    assert sender.claim(now) is None  # the channel's slot is taken for 1/5 s
    assert sender.claim(now + timedelta(milliseconds=199)) is None
    second = sender.claim(now + timedelta(milliseconds=201))
    assert second is not None and second.pk != first.pk


def test_a_slot_that_comes_while_the_claim_runs_does_not_end_the_pass(personas: Personas, httpserver: Any,
                                                                      stub_kinds: None,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine a claim can take longer than the channel's gap: it finds the slot still taken, and by the
    time the sender asks when the next slot comes, it has come. The pass must send the job, not stop with it due."""
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Straks")
    _expect_send(httpserver, "Straks").respond_with_json({"id": "p-late"})
    real_claim, calls = sender.claim, []

    def slow_claim(now: Any = None) -> Any:
        calls.append(now)
        if len(calls) == 1:
            return None  # as the claim that still saw the channel's slot ahead
        return real_claim(now)

    monkeypatch.setattr(sender, "claim", slow_claim)
    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    assert Message.objects.get(pk=message.pk).delivery_status == DeliveryStatus.SENT


def test_a_sender_that_died_mid_send_leaves_the_job_uncertain(personas: Personas, httpserver: Any,
                                                              stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Avbrutt")
    job = sender.claim()  # claimed and committed as "sending" — then the process is killed
    assert job is not None and OutboundJob.objects.get(pk=job.pk).status == JobStatus.SENDING
    later = timezone.now() + timedelta(seconds=121)
    assert sender.expire_leases(later) == 1
    job.refresh_from_db()
    message.refresh_from_db()
    assert job.status == JobStatus.UNCERTAIN and message.delivery_status == DeliveryStatus.UNCERTAIN
    assert len(httpserver.log) == 0


def test_where_sends_are_idempotent_an_interrupted_job_is_sent_again(personas: Personas, httpserver: Any,
                                                                     stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver, kind="stubidem", slug="idem")
    message = do_reply(ticket, personas.agent, "Igjen")
    assert sender.claim() is not None
    _expect_send(httpserver, "Igjen").respond_with_json({"id": "p-9"})
    with time_machine.travel(timezone.now() + timedelta(seconds=121), tick=True):
        assert sender.send_due().sent == 1  # the expired lease is found and the job sent again
    message.refresh_from_db()
    assert message.external_id == "p-9"


def test_a_platform_echo_stored_first_is_replaced_by_the_sent_reply(personas: Personas, httpserver: Any,
                                                                    stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Ekko")
    channel = Channel.objects.get(slug="stub")
    echo = inbound_payload(2, conversation="thread-1", author="brand", direction="outbound", text="Ekko",
                           message_id="platform-echo")
    receive(channel, echo, external_id="platform-echo")
    drain()
    assert Message.objects.filter(external_id="platform-echo").count() == 1
    _expect_send(httpserver, "Ekko").respond_with_json({"id": "platform-echo"})
    sender.send_due()
    rows = Message.objects.filter(conversation__channel=channel, direction="outbound")
    assert list(rows.values_list("pk", "external_id")) == [(message.pk, "platform-echo")]


@pytest.mark.django_db(transaction=True)
def test_the_queue_survives_a_restart(personas: Personas, httpserver: Any, stub_kinds: None) -> None:
    """A queued reply is a row: a new process started after a restart finds it and sends it."""
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Etter omstart")
    _expect_send(httpserver, "Etter omstart").respond_with_json({"id": "p-r"})
    child = python_child(f"""
        from webcare.channels import registry, sender
        registry.CONNECTORS["stub"] = "{__name__}.StubConnector"
        print(sender.send_due().sent)
    """)
    done = subprocess.run(child, env=child_env(), cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"
    httpserver.check_assertions()
    message.refresh_from_db()
    assert (message.delivery_status, message.external_id) == ("sent", "p-r")


def test_a_private_reply_is_refused_where_the_platform_has_none(personas: Personas, httpserver: Any,
                                                                stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    ticket.conversation.kind = "public"
    ticket.conversation.save()
    with pytest.raises(ActionError) as refused:
        do_reply(ticket, personas.agent, "Privat", public=False)
    assert refused.value.field == "action" and "cannot private reply" in str(refused.value)
    assert not OutboundJob.objects.exists()
    assert not Message.objects.filter(direction="outbound").exists()


def test_demo_channels_simulate_sending(personas: Personas, httpserver: Any) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="demo-fb", name="Demo",
                                     settings={"simulate": True})
    payload = inbound_payload(1, conversation="post-1", conversation_kind="public")
    receive(channel, payload, external_id=payload["message_id"])
    drain()
    message = do_reply(Ticket.objects.get(conversation__channel=channel), personas.agent, "Demo-svar")
    assert sender.send_due().sent == 1
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT and message.external_id.startswith("simulated:")


def test_a_deactivated_channel_sends_nothing_until_it_is_active_again(personas: Personas, httpserver: Any,
                                                                     stub_kinds: None) -> None:
    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Vent")
    Channel.objects.filter(slug="stub").update(is_active=False)
    assert sender.send_due(max_wait=0).total == 0
    assert len(httpserver.log) == 0
    Channel.objects.filter(slug="stub").update(is_active=True)
    _expect_send(httpserver, "Vent").respond_with_json({"id": "p-a"})
    assert sender.send_due().sent == 1
    message.refresh_from_db()
    assert message.external_id == "p-a"


def test_a_reply_that_replaces_an_earlier_one_on_the_platform_keeps_both_rows(personas: Personas, httpserver: Any,
                                                                              stub_kinds: None) -> None:
    """A review has one company reply: the second reply gets the same platform id as the first."""
    ticket = _ticket(personas, httpserver)
    first = do_reply(ticket, personas.agent, "Første svar")
    _expect_send(httpserver, "Første svar").respond_with_json({"id": "review-1:reply"})
    sender.send_due()
    second = do_reply(ticket, personas.agent, "Rettet svar")
    _expect_send(httpserver, "Rettet svar").respond_with_json({"id": "review-1:reply"})
    sender.send_due()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.external_id, first.text) == (None, "Første svar")
    assert second.external_id == "review-1:reply"


def test_a_retry_tells_open_inboxes_at_once(personas: Personas, httpserver: Any, stub_kinds: None) -> None:
    from webcare.live.models import LiveEvent

    ticket = _ticket(personas, httpserver)
    message = do_reply(ticket, personas.agent, "Feil igjen")
    _expect_send(httpserver, "Feil igjen").respond_with_json({"error": "no"}, status=400)
    sender.send_due()
    newest = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    do_retry(message, personas.agent)
    changed = LiveEvent.objects.filter(id__gt=newest, kind="tickets")
    assert [event.data["tickets"] for event in changed] == [[ticket.pk]]
