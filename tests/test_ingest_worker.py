"""The ingestion worker: idempotent under concurrent duplicate delivery, all-or-nothing per batch, retries and
dead letters, and the ticket lifecycle that inbound messages drive."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.conftest import Personas, inbound_payload
from tests.support import ROOT, child_env, python_child, run_python
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.ingest import pipeline, store, worker
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.receive import receive
from webcare.ingest.retry import retry_dead
from webcare.tickets.models import EventKind, LinkKind, Status, Ticket, TicketEvent, TicketLink


def run_child(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return run_python(code, timeout)


def deliver(channel: Channel, n: int, **overrides: Any) -> InboundEvent:
    event, _ = receive(channel, inbound_payload(n, **overrides), external_id=overrides.pop("event_id", None))
    return event


# --- idempotency -------------------------------------------------------------------------------------------------


def test_it_acknowledges_a_redelivered_event_without_storing_it_again(personas: Personas) -> None:
    first, created = receive(personas.channel, inbound_payload(1), external_id="delivery-1")
    again, created_again = receive(personas.channel, inbound_payload(1), external_id="delivery-1")
    assert created and not created_again
    assert first.pk == again.pk
    assert InboundEvent.objects.count() == 1


def test_it_stores_one_message_when_the_same_message_comes_in_two_events(personas: Personas) -> None:
    receive(personas.channel, inbound_payload(1), external_id="webhook-1")
    receive(personas.channel, inbound_payload(1), external_id="backfill-1")
    tally = worker.drain()
    assert tally.events == 2
    assert tally.duplicates == 1
    assert Message.objects.filter(external_id="m-1").count() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_message_when_two_worker_processes_race_on_duplicates(personas: Personas) -> None:
    """200 messages each delivered twice (different deliveries), interleaved; two worker processes drain at once."""
    for n in range(200):
        for copy in ("a", "b"):
            receive(personas.channel, inbound_payload(n, conversation=f"c-{n % 50}", author=f"u-{n % 40}"),
                    external_id=f"{copy}-{n}")
    code = "from webcare.ingest import worker; t = worker.drain(batch_size=7); print(t.events, t.conflicts)"
    procs = [subprocess.Popen(python_child(code), env=child_env(), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [proc.communicate(timeout=180) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs
    processed = sum(int(out.split()[0]) for out, _ in outputs)
    assert processed == 400
    assert InboundEvent.objects.filter(status=EventStatus.DONE).count() == 400
    assert Message.objects.count() == 200
    assert Conversation.objects.count() == 50
    assert Identity.objects.count() == 40
    assert Customer.objects.count() == 40
    assert Ticket.objects.count() == 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_resolves_a_forced_race_between_two_workers_with_the_unique_constraint(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both workers check 'not stored yet' before either inserts; the constraint, not the check, decides."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so two workers cannot interleave there")
    receive(personas.channel, inbound_payload(1), external_id="a")
    receive(personas.channel, inbound_payload(1), external_id="b")
    # Keyed apart (as when two connectors deliver one message under different thread and author ids), so the claim
    # locks do not keep the workers apart and only the constraint is left to decide.
    InboundEvent.objects.filter(external_id="b").update(routing_key=12345, author_key=54321)
    barrier = threading.Barrier(2, timeout=20)
    original = store._existing_messages
    calls = {"n": 0}

    def existing_then_wait(items: list[store.ParsedItem]) -> set[tuple[int, str]]:
        found = original(items)
        calls["n"] += 1
        if calls["n"] <= 2:
            barrier.wait()
        return found

    monkeypatch.setattr(store, "_existing_messages", existing_then_wait)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            worker.run_batch(batch_size=1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert InboundEvent.objects.filter(status=EventStatus.DONE).count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_one_conversation_or_one_author_to_two_workers_at_once(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): there is only ever one worker in a batch")
    deliver(personas.channel, 1, conversation="c-1", sent_at="2026-11-20T10:00:00+00:00")
    deliver(personas.channel, 2, conversation="c-1", sent_at="2026-11-20T10:01:00+00:00")
    deliver(personas.channel, 3, conversation="c-2", author="u-2")
    deliver(personas.channel, 4, conversation="c-3", author="u-1")  # worker a is creating u-1's customer
    inside, release = threading.Event(), threading.Event()
    original = store.store

    def store_and_hold(items: list[store.ParsedItem], now: Any = None) -> store.StoreResult:
        result = original(items, now)
        if threading.current_thread().name == "worker-a":
            inside.set()
            release.wait(20)
        return result

    monkeypatch.setattr(pipeline, "store", store_and_hold)
    tallies: dict[str, worker.Tally] = {}

    def run(name: str, size: int) -> None:
        try:
            tallies[name] = worker.run_batch(batch_size=size)
        finally:
            connection.close()

    a = threading.Thread(target=run, args=("a", 1), name="worker-a")
    a.start()
    assert inside.wait(20)
    b = threading.Thread(target=run, args=("b", 10), name="worker-b")
    b.start()
    b.join(20)
    release.set()
    a.join(20)
    assert tallies["a"].events == 1
    # only c-2: c-1's second message and u-1's other conversation wait for worker a's transaction
    assert tallies["b"].events == 1
    assert Message.objects.get(external_id="m-3").conversation.external_id == "c-2"
    assert InboundEvent.objects.filter(status=EventStatus.PENDING).count() == 2
    worker.drain()
    assert Message.objects.count() == 4
    assert Customer.objects.count() == 2


# --- all or nothing -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_leaves_nothing_half_written_when_the_worker_dies_mid_batch(personas: Personas) -> None:
    for n in range(30):
        receive(personas.channel, inbound_payload(n, conversation=f"c-{n}", author=f"u-{n}"))
    crash = """
        from webcare.ingest import store, worker
        original = store.insert_rows
        def insert_then_die(objs):
            original(objs)
            if objs and type(objs[0]).__name__ == "Message":
                os._exit(17)   # the process dies after messages were written, before the commit
        store.insert_rows = insert_then_die
        worker.drain()
    """
    result = run_child(crash)
    assert result.returncode == 17, result.stderr
    assert Message.objects.count() == 0
    assert Ticket.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Customer.objects.count() == 0
    assert InboundEvent.objects.filter(status=EventStatus.PENDING, attempts=0).count() == 30

    retried = run_child("from webcare.ingest import worker; print(worker.drain().messages)")
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.strip() == "30"
    assert Message.objects.count() == 30
    assert Ticket.objects.count() == 30


class FailOn(pipeline.Step):
    """A step that fails for messages whose text contains a marker: a stand-in for a buggy later step."""

    name = "fail-on-marker"

    def run(self, batch: store.StoreResult) -> None:
        if any("BOOM" in message.text for message in batch.messages):
            raise RuntimeError("step exploded")


def test_it_isolates_a_failing_event_retries_it_with_backoff_and_dead_letters_it(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "configured_steps", lambda: (FailOn(),))
    good = [deliver(personas.channel, n, conversation=f"c-{n}") for n in range(3)]
    bad = deliver(personas.channel, 99, conversation="c-bad", text="BOOM")
    tally = worker.drain()
    assert tally.failed == 1
    assert Message.objects.count() == 3  # the good events of the same batch went through
    bad.refresh_from_db()
    assert bad.status == EventStatus.PENDING
    assert bad.attempts == 1
    assert "RuntimeError: step exploded" in bad.last_error
    assert bad.next_attempt_at >= timezone.now() + timedelta(seconds=settings.WEBCARE_RETRY_BASE_SECONDS - 5)
    assert all(InboundEvent.objects.get(pk=e.pk).status == EventStatus.DONE for e in good)

    delays = []
    for _ in range(settings.WEBCARE_MAX_ATTEMPTS - 1):
        InboundEvent.objects.filter(pk=bad.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        worker.drain()
        bad.refresh_from_db()
        delays.append((bad.next_attempt_at - before).total_seconds())
    assert bad.status == EventStatus.DEAD
    assert bad.attempts == settings.WEBCARE_MAX_ATTEMPTS
    assert delays[1] > delays[0]  # exponential backoff
    assert [m.text for m in Message.objects.all()].count("BOOM") == 0

    monkeypatch.setattr(pipeline, "configured_steps", lambda: ())  # the bug is fixed
    assert retry_dead([bad.pk]) == 1
    worker.drain()
    bad.refresh_from_db()
    assert bad.status == EventStatus.DONE
    assert [m.text for m in Message.objects.all()].count("BOOM") == 1


def test_it_dead_letters_an_invalid_payload_at_once_naming_the_field(personas: Personas) -> None:
    payload = inbound_payload(1)
    del payload["author"]["id"]
    event, _ = receive(personas.channel, payload)
    worker.drain()
    event.refresh_from_db()
    assert event.status == EventStatus.DEAD
    assert "author.id" in event.last_error
    assert Message.objects.count() == 0


def test_it_runs_configured_steps_on_the_stored_batch(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    class Count(pipeline.Step):
        def run(self, batch: store.StoreResult) -> None:
            seen.append(len(batch.messages))

    monkeypatch.setattr(pipeline, "configured_steps", lambda: (Count(),))
    for n in range(5):
        deliver(personas.channel, n)
    worker.drain(batch_size=500)
    assert seen == [5]


# --- ticket lifecycle through ingestion ---------------------------------------------------------------------------


def test_it_opens_one_ticket_per_conversation_and_tracks_who_waits(personas: Personas) -> None:
    deliver(personas.channel, 1, sent_at="2026-11-20T10:00:00+00:00")
    deliver(personas.channel, 2, sent_at="2026-11-20T10:05:00+00:00")
    worker.drain()
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW
    assert ticket.waiting_since.isoformat() == "2026-11-20T10:00:00+00:00"
    assert ticket.messages.count() == 2
    assert ticket.events.filter(kind=EventKind.CREATED).count() == 1


def test_it_reopens_a_solved_ticket_when_the_customer_writes_again(personas: Personas) -> None:
    deliver(personas.channel, 1, sent_at="2026-11-20T10:00:00+00:00")
    deliver(personas.channel, 2, direction="outbound", author="fjordnett",
            text="Hei! Vi ser på det. /Kari", sent_at="2026-11-20T10:30:00+00:00")
    worker.drain()
    ticket = Ticket.objects.get()
    assert ticket.status == Status.PENDING
    assert ticket.first_response_seconds == 1800
    assert ticket.waiting_since is None
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.SOLVED, solved_at=timezone.now())

    deliver(personas.channel, 3, text="Det virker fortsatt ikke", sent_at="2026-11-21T09:00:00+00:00")
    worker.drain()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None
    assert ticket.waiting_since.isoformat() == "2026-11-21T09:00:00+00:00"
    assert Ticket.objects.count() == 1
    reopen = TicketEvent.objects.get(ticket=ticket, kind=EventKind.REOPENED)
    assert (reopen.old, reopen.new) == (Status.SOLVED, Status.OPEN)


def test_it_starts_a_linked_follow_up_when_the_ticket_was_closed(personas: Personas) -> None:
    deliver(personas.channel, 1)
    worker.drain()
    old = Ticket.objects.get()
    Ticket.objects.filter(pk=old.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    deliver(personas.channel, 2, text="Ny sak: ruteren blinker rødt")
    worker.drain()
    new = Ticket.objects.exclude(pk=old.pk).get()
    assert new.status == Status.NEW
    assert new.conversation_id == old.conversation_id
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=old, kind=LinkKind.FOLLOW_UP).exists()
    assert Message.objects.get(external_id="m-2").ticket_id == new.pk


def test_it_keeps_one_customer_per_platform_identity_across_conversations(personas: Personas) -> None:
    deliver(personas.channel, 1, conversation="public-post-1", conversation_kind="public")
    deliver(personas.channel, 2, conversation="dm-1")
    worker.drain()
    assert Identity.objects.count() == 1
    customer = Customer.objects.get()
    assert customer.name == "Kari Nordmann"
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {customer.pk}
    assert Message.objects.get(external_id="m-1").is_public is True
    assert Message.objects.get(external_id="m-2").is_public is False
