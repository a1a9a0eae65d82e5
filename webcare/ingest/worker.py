"""The ingestion worker: claim a batch of pending events, process it in one transaction, mark it done.

PostgreSQL: any number of workers on any number of machines claim with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
workers never take the same event and none waits for another. SQLite: transactions begin IMMEDIATE (see settings), so
the claim happens under the database's write lock and a second worker simply queues.

Failure handling, from the outside in:
- the process dies mid-batch → the transaction never commits, the row locks go, the events are still pending and the
  next claim takes them again: nothing half-written;
- a unique constraint fires because another worker stored the same thing first → the batch is redone (it then finds
  what the other worker committed); this costs no attempt;
- anything else → each event of the batch is processed alone in a savepoint, so one bad event cannot hold up the
  others; the failing ones keep their error, are retried with exponential backoff, and after
  ``WEBCARE_MAX_ATTEMPTS`` tries become dead letters that an admin can retry.

Events marked done are sealed in the same statement: their payload and raw delivery are encrypted with the data key
of the customer whose message they became (webcare/keys), so the raw copy of a message is erased with the customer.
Pending and dead events stay plain: the worker and an admin must read them, and whose they are is not known yet.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

from webcare.channels.attachments import stored_key_ids
from webcare.conversations.models import Message
from webcare.core.bulk import update_rows
from webcare.core.threads import start_daemon
from webcare.ingest import pipeline
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.keys.fields import seal_json
from webcare.keys.keyring import Key, adopt, keys_for_customers, organisation_key

logger = logging.getLogger("webcare.worker")

#: Set after a commit that stored new events, so an in-process worker wakes at once instead of at its next poll.
WAKE = threading.Event()
CONFLICT_RETRIES = 5
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class Tally:
    """What a worker did, for its log line and the benchmark."""

    batches: int = 0
    events: int = 0
    messages: int = 0
    duplicates: int = 0
    failed: int = 0
    dead: int = 0
    conflicts: int = 0
    #: Claimed but left for later because another worker holds their conversation or author (PostgreSQL).
    deferred: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """Delay before try ``attempts + 1``: base, 2×base, 4×base … capped at an hour."""
    return min(timedelta(seconds=base_seconds * (2 ** max(attempts - 1, 0))), MAX_BACKOFF)


def _claim(batch_size: int, now: datetime, tally: Tally) -> list[InboundEvent]:
    queryset = (
        InboundEvent.objects.filter(status=EventStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .select_related("channel")
    )
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    events = list(queryset[:batch_size])
    if connection.vendor == "postgresql" and events:
        events = _keep_unlocked_keys(events, tally)
    return events


def _keep_unlocked_keys(events: list[InboundEvent], tally: Tally) -> list[InboundEvent]:
    """Keep the events whose conversation and author no other worker is processing (PostgreSQL advisory locks).

    Why: two workers storing the same conversation, or creating the same new customer, would make one wait for the
    other's whole batch (row and unique-index locks) and then redo its own — serialising the workers. The locks are
    taken here, on exactly the claimed rows, and held until this transaction ends; the rows left out stay locked by
    this claim and are taken again after it commits, so a conversation's messages keep their order. (Taking the locks
    inside the claim query instead depends on the planner: with a sort above the scan it locks every pending row.)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS t(id, rk, ak) "
            "WHERE pg_try_advisory_xact_lock(rk) AND (ak = 0 OR pg_try_advisory_xact_lock(ak))",
            [[e.pk for e in events], [e.routing_key for e in events], [e.author_key for e in events]],
        )
        allowed = {row[0] for row in cursor.fetchall()}
    kept = [e for e in events if e.pk in allowed]
    tally.deferred += len(events) - len(kept)
    return kept


def _fail(event: InboundEvent, error: str, now: datetime, permanent: bool) -> bool:
    """Record a failure; returns True when the event became a dead letter."""
    event.attempts += 1
    event.last_error = error[:4000]
    dead = permanent or event.attempts >= settings.WEBCARE_MAX_ATTEMPTS
    if dead:
        event.status = EventStatus.DEAD
    else:
        event.next_attempt_at = now + backoff(event.attempts, settings.WEBCARE_RETRY_BASE_SECONDS)
    event.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    return dead


Owner = tuple[int, int | None]


def _owners(events: list[InboundEvent], known: dict[int, Owner]) -> dict[int, Owner]:
    """(organisation, customer) of the message each event became or changed: from the store's result, else (updates,
    a duplicate in the same batch) looked up by the message id the payload names — one query per channel."""
    owners = {event.pk: known[event.pk] for event in events if event.pk in known}
    wanted: dict[int, dict[str, list[InboundEvent]]] = {}
    for event in events:
        if event.pk in owners:
            continue
        owners[event.pk] = (event.organisation_id, None)
        message_id = event.payload.get("message_id") if isinstance(event.payload, dict) else None
        if isinstance(message_id, str) and message_id:
            wanted.setdefault(event.channel_id, {}).setdefault(message_id, []).append(event)
    for channel_id, by_message in wanted.items():
        rows = (Message.objects.filter(channel_id=channel_id, external_id__in=list(by_message))
                .values_list("external_id", "conversation__customer_id"))
        for external_id, customer_id in rows:
            for event in by_message.get(str(external_id), []):
                owners[event.pk] = (event.organisation_id, customer_id)
    return owners


def _seal(events: list[InboundEvent], known: dict[int, Owner]) -> None:
    """Encrypt each event's payload and raw delivery (in memory) with its owner's key; written by the caller."""
    if not events:
        return
    owners = _owners(events, known)
    customers: dict[int, set[int]] = {}
    for organisation_id, customer_id in owners.values():
        if customer_id is not None:
            customers.setdefault(organisation_id, set()).add(customer_id)
    keys = {org: keys_for_customers(org, ids) for org, ids in customers.items()}
    payload_label = InboundEvent._meta.get_field("payload").label  # type: ignore[attr-defined]
    raw_label = InboundEvent._meta.get_field("raw").label  # type: ignore[attr-defined]
    for event in events:
        organisation_id, customer_id = owners[event.pk]
        key: Key | None = keys.get(organisation_id, {}).get(customer_id) if customer_id is not None else None
        if key is not None:
            # Files stored with the delivery before its customer was known (an e-mail's attachments and original)
            # have keys of their own: from now on they are this customer's, and are destroyed with theirs.
            file_keys = stored_key_ids(organisation_id, [event.payload, event.raw]) - {str(key.id)}
            if file_keys:
                adopt(organisation_id, key.customer_id or 0, file_keys)
        key = key or organisation_key(organisation_id)
        event.payload = seal_json(key, event.payload, payload_label)
        if event.raw is not None:
            event.raw = seal_json(key, event.raw, raw_label)


def _mark_done(events: list[InboundEvent], now: datetime, owners: dict[int, Owner]) -> None:
    """Mark the events done and seal them, in one statement shape (executemany)."""
    _seal(events, owners)
    for event in events:
        event.status, event.processed_at, event.last_error = EventStatus.DONE, now, ""
    update_rows(events, ["status", "processed_at", "last_error", "payload", "raw"])


def _process_whole(events: list[InboundEvent], now: datetime, tally: Tally) -> pipeline.BatchOutcome:
    """Process the batch in a savepoint, redoing it when a concurrent worker won a unique-constraint race."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            with transaction.atomic():
                return pipeline.process(events, now)
        except IntegrityError:
            tally.conflicts += 1
            if attempt == CONFLICT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _process_one_by_one(events: list[InboundEvent], now: datetime, tally: Tally) -> None:
    for event in events:
        try:
            with transaction.atomic():
                outcome = pipeline.process([event], now)
        except Exception as exc:
            logger.warning("event %s failed: %s", event.pk, type(exc).__name__)
            tally.failed += 1
            tally.dead += _fail(event, f"{type(exc).__name__}: {exc}", now, permanent=False)
            continue
        _account(outcome, [event], now, tally)


def _account(outcome: pipeline.BatchOutcome, events: list[InboundEvent], now: datetime, tally: Tally) -> None:
    done = [e for e in events if e.pk not in outcome.parse_failures and e.pk not in outcome.waiting]
    for event in events:
        if event.pk in outcome.parse_failures:
            tally.failed += 1
            tally.dead += _fail(event, "payload invalid: " + outcome.parse_failures[event.pk], now, permanent=True)
        elif event.pk in outcome.waiting:
            if event.attempts + 1 >= settings.WEBCARE_MAX_ATTEMPTS:
                # The message never came: an edit of a comment from before the channel was connected, a status of
                # a message sent outside webcare. Nothing to do, and nothing for an admin to fix: not a dead letter.
                event.attempts += 1
                event.last_error = "skipped: " + outcome.waiting[event.pk]
                event.status, event.processed_at = EventStatus.DONE, now
                _seal([event], {})
                event.save(update_fields=["attempts", "last_error", "status", "processed_at", "payload", "raw"])
                logger.info("update event %s skipped: %s", event.pk, outcome.waiting[event.pk])
                continue
            tally.failed += 1
            tally.dead += _fail(event, outcome.waiting[event.pk], now, permanent=False)
    _mark_done(done, now, outcome.stored.event_owners)
    tally.events += len(done)
    tally.messages += len(outcome.stored.messages)
    tally.duplicates += outcome.stored.duplicates


def run_batch(batch_size: int | None = None) -> Tally:
    """Claim and process one batch in one transaction. Returns an empty tally when there was nothing to do."""
    tally = Tally()
    batch_size = batch_size or settings.WEBCARE_WORKER_BATCH
    with transaction.atomic():
        now = timezone.now()
        events = _claim(batch_size, now, tally)
        if not events:
            return tally
        tally.batches = 1
        try:
            outcome = _process_whole(events, now, tally)
        except Exception as exc:
            logger.warning("batch of %d failed (%s); processing its events one by one", len(events),
                           type(exc).__name__)
            _process_one_by_one(events, now, tally)
        else:
            _account(outcome, events, now, tally)
    return tally


def drain(batch_size: int | None = None, max_batches: int | None = None) -> Tally:
    """Process batches until nothing is due (or ``max_batches``): for tests, the import command and benchmarks."""
    total = Tally()
    while max_batches is None or total.batches < max_batches:
        tally = run_batch(batch_size)
        total.add(tally)
        if not tally.batches:
            if not tally.deferred:
                break
            time.sleep(0.02)  # everything due is another worker's conversation right now
    return total


def run_forever(stop: threading.Event, batch_size: int | None = None, idle_seconds: float = 0.25) -> Tally:
    """The worker loop: process while there is work, sleep (or wait to be woken) when idle, stop when ``stop`` is set.

    Database errors that are not the batch's fault (the database restarting, a lock timeout) are logged and the loop
    goes on after a pause, so a worker outlives a database restart.
    """
    total = Tally()
    for step in pipeline.configured_steps():
        step.warm_up()  # a model loaded inside the first batch would hold SQLite's write lock while it loads
    while not stop.is_set():
        try:
            tally = run_batch(batch_size)
        except OperationalError as exc:
            logger.error("database unavailable (%s); retrying in 2 s", type(exc).__name__)
            close_old_connections()
            stop.wait(2)
            continue
        total.add(tally)
        if tally.batches or tally.deferred:
            if not tally.batches:
                stop.wait(0.02)
            logger.debug("batch: %d events, %d messages, %d duplicates, %d failed", tally.events, tally.messages,
                        tally.duplicates, tally.failed)
            continue
        WAKE.wait(idle_seconds)
        WAKE.clear()
    return total


def start_in_process(stop: threading.Event) -> threading.Thread:
    """Start the embedded worker as a daemon thread of the web server (the zero-set-up default)."""
    return start_daemon("webcare-worker", run_forever, stop)


def wait_until_idle(timeout: float = 10.0) -> bool:
    """Block until no event is pending and due (for tests that post through a running server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not InboundEvent.objects.filter(status=EventStatus.PENDING, next_attempt_at__lte=timezone.now()).exists():
            return True
        time.sleep(0.05)
    return False
