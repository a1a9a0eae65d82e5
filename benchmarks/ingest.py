"""Ingestion benchmark: raw event → ticket visible through the API, in messages per second.

Runs on its own (``python benchmarks/ingest.py``) and prints a table:
- API receipt: ``POST /api/v1/inbound`` through ``webcare serve`` (uvicorn) with several client threads;
- processing: N raw events become due at one instant while warm ``webcare worker`` processes wait; the clock stops
  when none is pending, then the newest ticket is fetched through the API to prove it is visible;
  on SQLite with one worker, on PostgreSQL with one and with two worker processes;
- the peak memory of ``webcare import`` of a 1-million-row twcs file (benchmarks/import_memory.py).

Messages are realistic in shape: ~8,000 conversations for 30,000 messages, returning authors, 60–280 characters of
customer messages in eight languages (joined from webcare/triage/labelled), so the triage step pays what it pays in use.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from benchmarks._harness import Target, count_rows, machine, postgres_target, served, sqlite_target
from webcare.triage.paths import labelled_messages

WORDS = (
    "faktura mobil nett ruter signal dekning abonnement fiber bytte pris roaming esim hjelp feil regning kontakt "
    "oppsigelse flytte tv wifi telefon kundeservice svar snart takk problem"
).split()


def _labelled_texts() -> dict[str, list[str]]:
    """Real-sounding customer messages per language: the project's own labelled sets (webcare/triage/labelled)."""
    by_language: dict[str, list[str]] = {}
    for language, text in labelled_messages():
        by_language.setdefault(language, []).append(text)
    return by_language


TEXTS = _labelled_texts()


def _text(rng: random.Random) -> str:
    """60–280 characters in one language, so triage pays what it pays for real messages (not random words)."""
    if not TEXTS:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40)))[:280]
    pool = TEXTS[rng.choice(sorted(TEXTS))]
    wanted = rng.randint(60, 280)
    text = rng.choice(pool)
    while len(text) < wanted:
        text = f"{text} {rng.choice(pool)}"
    return text[:280]


def message(n: int, rng: random.Random, conversations: int, authors: int) -> dict[str, object]:
    text = _text(rng)
    conv = rng.randrange(conversations)
    return {
        "message_id": f"bench-{n}",
        "conversation_id": f"conv-{conv}",
        "conversation_kind": "public" if conv % 3 == 0 else "private",
        "author": {"id": f"user-{conv % authors}", "handle": f"@user{conv % authors}",
                   "name": f"Kunde {conv % authors}"},
        "text": text,
        "sent_at": f"2026-11-{10 + n % 14:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00",
    }


SETUP = """
from webcare.core.models import Organisation, Channel, ApiToken
org = Organisation.objects.create(slug="bench", name="Bench")
Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
print(ApiToken.issue(org, "bench")[1])
"""

PRELOAD = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.receive import author_key, routing_key
channel = Channel.objects.get(slug="api", organisation__slug="bench")
due = timezone.now() + timedelta(seconds={delay})
InboundEvent.objects.filter(status="pending").update(next_attempt_at=due)
rows = [json.loads(line) for line in open({path!r})]
for start in range(0, len(rows), 2000):
    InboundEvent.objects.bulk_create([
        InboundEvent(organisation_id=channel.organisation_id, channel=channel, source="api",
                     external_id=row["message_id"], payload=row, next_attempt_at=due,
                     routing_key=routing_key(channel.pk, row["conversation_id"]),
                     author_key=author_key(channel, row["author"]["id"]))
        for row in rows[start:start + 2000]])
print(due.timestamp())
"""

PENDING = "SELECT count(*) FROM ingest_inboundevent WHERE status = 'pending'"


def api_receipt(base: str, token: str, payloads: list[dict[str, object]], threads: int) -> tuple[float, float]:
    """Post ``payloads`` with ``threads`` keep-alive clients; returns (requests/s, p95 ms)."""
    host, port = base.removeprefix("http://").split(":")
    chunks = [payloads[i::threads] for i in range(threads)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(chunk: list[dict[str, object]]) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        for payload in chunk:
            start = time.perf_counter()
            conn.request("POST", "/api/v1/inbound", body=json.dumps(payload),
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 202:
                errors.append(str(response.status))
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} API posts failed, e.g. HTTP {errors[0]}")
    return len(payloads) / elapsed, statistics.quantiles(latencies, n=20)[18] * 1000


def processing(target: Target, token: str, messages_path: Path, workers: int, api_posted: int) -> dict[str, float]:
    """Warm workers wait; N events become due at once; time until none is pending; then check the API."""
    procs = [target.popen("worker", "--batch-size", "500") for _ in range(workers)]
    try:
        due = float(target.django(PRELOAD.format(delay=8, path=str(messages_path))).strip())
        total = api_posted + sum(1 for _ in messages_path.open())
        while time.time() < due:
            time.sleep(0.01)
        started = time.time()
        while count_rows(target, PENDING):
            time.sleep(0.05)
        elapsed = time.time() - started
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)
    return {"messages": total, "seconds": elapsed, "rate": total / elapsed}


def visible_through_api(base: str, token: str, expect_message: str) -> bool:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/api/v1/messages?limit=1&direction=inbound", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = json.loads(response.read())
    return response.status == 200 and bool(body.get("items"))


def run_target(target: Target, n: int, api_n: int, workers: int, console: Console) -> dict[str, object]:
    rng = random.Random(42)
    conversations, authors = max(n // 4, 1), max(n // 5, 1)
    target.run("migrate", "-v", "0")
    token = target.django(SETUP).strip().splitlines()[-1]
    all_messages = [message(i, rng, conversations, authors) for i in range(n)]
    api_part, rest = all_messages[:api_n], all_messages[api_n:]
    path = target.data_dir / "messages.jsonl"
    path.write_text("".join(json.dumps(m) + "\n" for m in rest))
    with served(target, "--no-worker") as base:
        console.print(f"[dim]{target.label}: posting {api_n} messages through the API…[/dim]")
        rps, p95 = api_receipt(base, token, api_part, threads=4)
        console.print(f"[dim]{target.label}: processing {n} events with {workers} worker(s)…[/dim]")
        result = processing(target, token, path, workers, api_n)
        visible = visible_through_api(base, token, api_part[-1]["message_id"])  # type: ignore[arg-type]
    return {"target": target.label, "workers": workers, "api_rps": rps, "api_p95_ms": p95, "visible": visible,
            **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=30_000, help="messages per run (default 30,000)")
    parser.add_argument("--api-messages", type=int, default=3_000, help="of which posted through the HTTP API")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server to create a scratch database on ('' to skip)")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="rows of the twcs import memory run (0 to skip)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args()
    console = Console(width=120)
    console.print(f"machine: {machine()}")
    results = []
    with sqlite_target() as target:
        results.append(run_target(target, args.messages, args.api_messages, 1, console))
    if args.postgres_url:
        for workers in (1, 2):
            with postgres_target(args.postgres_url) as target:
                results.append(run_target(target, args.messages, args.api_messages, workers, console))
    table = Table(title="ingestion: raw event → ticket visible through the API")
    for column in ("database", "workers", "messages", "seconds", "messages/s", "API POST/s", "API p95 ms", "visible"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r["target"]), str(r["workers"]), f"{r['messages']:,}", f"{r['seconds']:.1f}",
                      f"{r['rate']:,.0f}", f"{r['api_rps']:,.0f}", f"{r['api_p95_ms']:.1f}",
                      "yes" if r["visible"] else "NO")
    console.print(table)
    if args.import_rows:
        import shutil
        import tempfile

        from benchmarks.import_memory import generate, run_import

        workdir = Path(tempfile.mkdtemp(prefix="webcare-bench-import-"))
        try:
            csv_path = workdir / "twcs.csv"
            console.print(f"[dim]generating and importing {args.import_rows:,} twcs rows (SQLite)…[/dim]")
            generate(csv_path, args.import_rows)
            (workdir / "data").mkdir()
            imp = run_import(csv_path, workdir / "data", None, 1000)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        results.append({"import": imp})
        t2 = Table(title="webcare import --format twcs (SQLite)")
        for column in ("rows", "seconds", "rows/s", "peak RSS MB", "exit code"):
            t2.add_column(column, justify="right")
        t2.add_row(f"{args.import_rows:,}", f"{imp['seconds']:.0f}", f"{args.import_rows / imp['seconds']:,.0f}",
                   f"{imp['maxrss_mb']:.0f}", str(imp["returncode"]))
        console.print(t2)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
