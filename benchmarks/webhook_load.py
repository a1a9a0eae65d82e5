"""Webhook load test: N signed platform deliveries per second for a minute against ``webcare serve`` on SQLite.

What it proves (issue 5): under a storm of concurrent webhook deliveries nothing is lost and nothing is duplicated.
Deliveries are WhatsApp Cloud API message webhooks, each signed with the app secret like Meta signs them, each a new
customer message; a share of them are sent a second time, as platforms do when an answer is slow (same body, same
wamid). Requests are started on a fixed schedule (``--rate`` a second), not one after another, so slow answers pile up
as concurrent requests like a real storm.

After the load, the embedded worker is given time to drain, then the database is counted:
- lost = deliveries answered 200 whose message is not stored (must be 0);
- duplicated = stored messages beyond one per wamid, and redeliveries that made a second row (must be 0);
- refused = deliveries not answered 200 (the platform would retry these; they are reported, not hidden).

Run: ``python benchmarks/webhook_load.py [--rate 200] [--seconds 60]``; writes benchmarks/results/webhook_load.json.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks._harness import machine, served, sqlite_target

APP_SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "106540352242922"
RETRY_SHARE = 0.05
TEXTS = ["Hei, fakturaen min er feil denne måneden", "Mobilnettet er nede i Bergen igjen?",
         "Hej, jeg kan ikke logge ind på min side", "Hallo, mijn internet doet het al twee dagen niet",
         "Hei, miten vaihdan liittymän?", "Hej! Hur säger jag upp mitt abonnemang?"]


def delivery(n: int, rng: random.Random) -> tuple[str, bytes]:
    """One WhatsApp Cloud API message webhook (the documented shape) from one of 5,000 customers."""
    customer = f"47{90000000 + rng.randrange(5000)}"
    wamid = f"wamid.BENCH{n:08d}"
    body = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "4791234567", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": f"Kunde {customer[-4:]}"}, "wa_id": customer}],
            "messages": [{"from": customer, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": f"{rng.choice(TEXTS)} ({n})"}}]}}]}]}
    return wamid, json.dumps(body).encode()


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def load(url: str, rate: int, seconds: int, console: Console, senders: int = 48) -> dict[str, object]:
    """Start ``rate`` deliveries a second on a fixed schedule; ``senders`` threads with keep-alive connections carry
    them. Latency counts from when a delivery was due, so a server that falls behind shows it (queueing included).

    Why threads and http.client rather than an asyncio client: httpx's async pool spends its time matching queued
    requests to connections (quadratic in the queue) and became the bottleneck at 200 a second on 2 cores."""
    rng = random.Random(5)
    total = rate * seconds
    target = urlsplit(url)
    due_queue: queue.Queue[tuple[float, str, bytes, str] | None] = queue.Queue()
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    accepted: set[str] = set()

    def sender() -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        while (job := due_queue.get()) is not None:
            due, wamid, body, signature = job
            try:
                conn.request("POST", target.path, body=body, headers={
                    "Content-Type": "application/json", "X-Hub-Signature-256": signature})
                response = conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                code = 0
            with lock:
                latencies.append(time.perf_counter() - due)
                statuses[code] = statuses.get(code, 0) + 1
                if code == 200:
                    accepted.add(wamid)
        conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    # Every delivery is made and signed before the clock starts, so the generator spends its CPU on sending only
    # (it shares the machine's 2 cores with the server being measured).
    planned: list[tuple[str, bytes, str]] = []
    sent_bodies: list[tuple[str, bytes, str]] = []
    redeliveries = 0
    for n in range(total):
        if sent_bodies and rng.random() < RETRY_SHARE:
            planned.append(rng.choice(sent_bodies))  # the platform's retry of an earlier delivery
            redeliveries += 1
        else:
            wamid, body = delivery(n, rng)
            sent_bodies.append((wamid, body, sign(body)))
            planned.append(sent_bodies[-1])
    cpu_before = time.process_time()
    start = time.perf_counter()
    with Progress(TextColumn("deliveries"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console) as progress:
        bar = progress.add_task("load", total=total)
        for n, (wamid, body, signature) in enumerate(planned):
            due = start + n / rate
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            due_queue.put((due, wamid, body, signature))
            progress.advance(bar)
        for _ in threads:
            due_queue.put(None)
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - start
    generator_cpu = time.process_time() - cpu_before
    latencies.sort()
    return {
        "deliveries": total, "redeliveries": redeliveries, "unique_messages": len(sent_bodies),
        "seconds": round(elapsed, 1), "achieved_rate": round(total / elapsed, 1),
        "generator_cpu_seconds": round(generator_cpu, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "latency_ms": {"p50": round(statistics.median(latencies) * 1000, 1),
                       "p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
                       "p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
                       "max": round(latencies[-1] * 1000, 1)},
        "_accepted": accepted,
    }


def server_cpu_seconds(port: str) -> float:
    """CPU seconds used so far by `webcare serve --port PORT` and its child processes (from /proc)."""
    procs: dict[int, tuple[int, float]] = {}
    root = None
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        procs[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        if f"serve --port {port}" in cmdline:
            root = int(entry.name)
    family = {root} if root else set()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in procs.items():
            if ppid in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(procs[pid][1] for pid in family if pid in procs)


def count(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        one = conn.execute
        return {
            "messages": one("SELECT count(*) FROM conversations_message WHERE external_id LIKE 'wamid.BENCH%'")
            .fetchone()[0],
            "distinct": one("SELECT count(DISTINCT external_id) FROM conversations_message "
                            "WHERE external_id LIKE 'wamid.BENCH%'").fetchone()[0],
            "events": one("SELECT count(*) FROM ingest_inboundevent").fetchone()[0],
            "pending": one("SELECT count(*) FROM ingest_inboundevent WHERE status = 'pending'").fetchone()[0],
            "dead": one("SELECT count(*) FROM ingest_inboundevent WHERE status = 'dead'").fetchone()[0],
            "tickets": one("SELECT count(*) FROM tickets_ticket").fetchone()[0],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--serve", default="", help='extra arguments for `webcare serve`, e.g. --serve="--processes 2"')
    args = parser.parse_args()
    console = Console(stderr=True)
    with sqlite_target() as target:
        target.run("migrate", "--no-input")
        key = target.django(f"""
from webcare.core.models import Channel, Organisation
org, _ = Organisation.objects.get_or_create(slug="bench", defaults={{"name": "Bench"}})
channel = Channel.objects.create(organisation=org, kind="whatsapp", slug="wa", name="WhatsApp",
                                 settings={{"phone_number_id": "{PHONE_NUMBER_ID}"}})
channel.set_credentials({{"access_token": "t", "app_secret": "{APP_SECRET}", "verify_token": "v"}})
channel.save()
print(channel.webhook_key)
""").strip()
        with served(target, *args.serve.split()) as base:
            port = base.rsplit(":", 1)[1]
            cpu_before = server_cpu_seconds(port)
            result = load(f"{base}/hooks/{key}/", args.rate, args.seconds, console)
            result["server_cpu_seconds"] = round(server_cpu_seconds(port) - cpu_before, 1)
            db = target.data_dir / "webcare.sqlite3"
            drain_start = time.perf_counter()
            while (counts := count(db))["pending"] and time.perf_counter() - drain_start < 600:
                time.sleep(1)
            result["drain_seconds_after_load"] = round(time.perf_counter() - drain_start, 1)
            with sqlite3.connect(db) as conn:
                stored = {row[0] for row in conn.execute(
                    "SELECT external_id FROM conversations_message WHERE external_id LIKE 'wamid.BENCH%'")}
    accepted: set[str] = result.pop("_accepted")  # type: ignore[assignment]
    result.update({
        "machine": machine(), "stored": counts,
        "lost": len(accepted - stored),
        "stored_without_200": len(stored - accepted),
        "duplicated": counts["messages"] - counts["distinct"],
    })
    result["serve_arguments"] = args.serve
    name = "webhook_load" + "".join(f"_{a.strip('-')}" for a in args.serve.split())
    out = Path(__file__).parent / "results" / f"{name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    console.print_json(json.dumps(result))


if __name__ == "__main__":
    main()
