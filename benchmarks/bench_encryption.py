"""Encryption at rest benchmark (webcare/keys): what it costs on the hot path and when an agent opens a conversation.

Runs on its own (``python benchmarks/bench_encryption.py``), in one process against a fresh SQLite data directory,
and prints a table:
- ingestion: N raw events processed by the worker (``drain()``, all pipeline steps, one transaction per batch of 500),
  with encryption at rest and with it switched off in-process (fields write plaintext, no keys fetched or made, events
  not sealed), alternating runs, best of each; every run has new customers, so their keys are made in the batch;
- the per-message cost of sealing and opening a 280-character text (AES-256-GCM, base64);
- loading a conversation of 50 messages: encrypted with the key cached (the usual case), encrypted with a cold cache
  (one keyring query), and the same rows as plaintext.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["WEBCARE_DATA_DIR"] = tempfile.mkdtemp(prefix="webcare-bench-encryption-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks._harness import machine  # noqa: E402
from benchmarks.ingest import message  # noqa: E402
from webcare.conversations.models import Message  # noqa: E402
from webcare.core.models import Channel, Organisation  # noqa: E402
from webcare.ingest import store, worker  # noqa: E402
from webcare.ingest.models import InboundEvent  # noqa: E402
from webcare.ingest.receive import author_key, routing_key  # noqa: E402
from webcare.keys import fields, keyring  # noqa: E402
from webcare.keys.sealing import open_text, seal_text  # noqa: E402


@contextmanager
def encryption_off() -> Iterator[None]:
    """Switch encryption at rest off in this process: what ingestion cost before it existed."""
    saved: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, value: Any) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    patch(fields.EncryptedTextField, "pre_save", models.TextField.pre_save)
    patch(fields.EncryptedTextField, "get_prep_value", models.TextField.get_prep_value)
    patch(fields.EncryptedJSONField, "pre_save", models.JSONField.pre_save)
    patch(fields.EncryptedJSONField, "get_prep_value", models.JSONField.get_prep_value)
    patch(store, "_use_keys", lambda messages: None)
    patch(worker, "_seal", lambda events, owners: None)
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def load_events(run: int, count: int, authors: int) -> Channel:
    org = Organisation.objects.create(slug=f"bench-{run}", name=f"Bench {run}")
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    rng = random.Random(run)
    rows = [message(n, rng, conversations=max(count // 4, 1), authors=authors) for n in range(count)]
    InboundEvent.objects.bulk_create([
        InboundEvent(organisation_id=org.pk, channel=channel, source="api", external_id=row["message_id"], payload=row,
                     routing_key=routing_key(channel.pk, str(row["conversation_id"])),
                     author_key=author_key(channel, str(row["author"]["id"])))  # type: ignore[index]
        for row in rows], batch_size=1000)
    return channel


def ingest(run: int, count: int, authors: int) -> float:
    """Messages per second through the worker for ``count`` fresh events."""
    load_events(run, count, authors)
    started = time.perf_counter()
    tally = worker.drain()
    elapsed = time.perf_counter() - started
    if tally.messages != count:
        raise RuntimeError(f"stored {tally.messages} of {count} messages")
    return count / elapsed


def per_call(fn: Callable[[], object], repeat: int) -> float:
    """Microseconds per call, best of five rounds."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        rounds.append((time.perf_counter() - started) / repeat * 1e6)
    return min(rounds)


def conversation_load(channel: Channel) -> tuple[float, float, float]:
    """Milliseconds to load a 50-message conversation: encrypted warm, encrypted cold, plaintext."""
    conversation = (Message.objects.filter(channel=channel).values("conversation_id")
                    .annotate(n=models.Count("id")).order_by("-n").first())
    assert conversation is not None
    conv_id = conversation["conversation_id"]
    ids = list(Message.objects.filter(conversation_id=conv_id).order_by("sent_at", "id").values_list("pk", flat=True))
    base = Message.objects.filter(pk__in=ids[:50]).order_by("sent_at", "id")
    assert base.count() == 50, f"need a conversation of 50 messages, found {base.count()}"

    def load() -> None:
        rows = list(base.all())  # a new query each time (a QuerySet caches its rows)
        assert all(row.text for row in rows)

    def cold() -> None:
        keyring.forget_all()
        load()

    warm_ms, cold_ms = per_call(load, 20) / 1000, per_call(cold, 20) / 1000
    with connection.cursor() as cursor:  # the same rows as plaintext (as before encryption at rest)
        for row in list(base):
            cursor.execute("UPDATE conversations_message SET text = %s WHERE id = %s", [row.text, row.pk])
    plain_ms = per_call(load, 20) / 1000
    return warm_ms, cold_ms, plain_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000, help="events per ingestion run (default 3000)")
    parser.add_argument("--rounds", type=int, default=2, help="runs with and without encryption (default 2)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    for step in worker.pipeline.configured_steps():
        step.warm_up()
    ingest(0, 200, 50)  # warm-up: models, statement caches
    with_rates, without_rates = [], []
    for round_ in range(args.rounds):
        with encryption_off():
            without_rates.append(ingest(2 * round_ + 1, args.messages, args.messages // 3))
        with_rates.append(ingest(2 * round_ + 2, args.messages, args.messages // 3))
    with_best, without_best = max(with_rates), max(without_rates)

    key = keyring.file_key(1)
    text = ("Hei, fakturaen min for oktober er feil: dere har trukket meg to ganger for abonnementet, og mobilnettet "
            "har vært nede hele helgen. Kan dere ringe meg i morgen? ") * 2
    text = text[:280]
    token = seal_text(key, text, "conversations.message.text")
    seal_us = per_call(lambda: seal_text(key, text, "conversations.message.text"), 2000)
    open_us = per_call(lambda: open_text(token, "conversations.message.text", key), 2000)

    # A conversation of 50 messages: one customer writing 50 times.
    org = Organisation.objects.create(slug="bench-thread", name="Thread")
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    rng = random.Random(7)
    for n in range(50):
        row = message(10_000 + n, rng, conversations=1, authors=1)
        InboundEvent.objects.create(organisation_id=org.pk, channel=channel, source="api",
                                    external_id=str(row["message_id"]), payload=row)
    worker.drain()
    warm_ms, cold_ms, plain_ms = conversation_load(channel)

    table = Table(title=f"encryption at rest — SQLite, {machine()}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(f"ingestion, encryption off (best of {args.rounds} × {args.messages})", f"{without_best:,.0f} msg/s")
    table.add_row(f"ingestion, encryption on (best of {args.rounds} × {args.messages})", f"{with_best:,.0f} msg/s")
    table.add_row("cost per message on ingestion",
                  f"{(1 / with_best - 1 / without_best) * 1e6:,.0f} µs ({(1 - with_best / without_best) * 100:.1f} %)")
    table.add_row("all runs on / off", f"{', '.join(f'{r:,.0f}' for r in with_rates)} / "
                                       f"{', '.join(f'{r:,.0f}' for r in without_rates)}")
    table.add_row("seal one 280-character text", f"{seal_us:.1f} µs")
    table.add_row("open one 280-character text", f"{open_us:.1f} µs")
    table.add_row("load a 50-message conversation, plaintext", f"{plain_ms:.2f} ms")
    table.add_row("… encrypted, key cached", f"{warm_ms:.2f} ms (+{warm_ms - plain_ms:.2f} ms)")
    table.add_row("… encrypted, key not cached (one keyring query)", f"{cold_ms:.2f} ms (+{cold_ms - plain_ms:.2f} ms)")
    Console(width=120).print(table)
    print(f"median on {statistics.median(with_rates):,.0f}, off {statistics.median(without_rates):,.0f} msg/s")


if __name__ == "__main__":
    main()
