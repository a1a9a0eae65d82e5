"""Audit log benchmark (webcare/audit): how fast entries are recorded and how long ``webcare audit verify`` takes.

    python benchmarks/bench_audit.py [--postgres postgres://postgres@127.0.0.1:5432/webcare] [--entries 100000]

For each database (a fresh SQLite data directory; a fresh PostgreSQL database when ``--postgres`` is given):
- ``record()`` per second: one process appending entries one transaction each (how sign-ins and reveals arrive),
  and two processes at once (they take turns on the chain's lock, so the total is what matters);
- ``webcare audit verify`` over ``--entries`` entries (default 100,000), as a user runs it (a subprocess, Django's
  start-up included), and the walk alone in-process. The entries are written as a valid chain in bulk first (the
  time to fill is not measured).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from benchmarks._harness import ROOT, WEBCARE, Target, machine, postgres_target, sqlite_target

RECORD = """
import json, time
from pathlib import Path
from webcare.audit.log import record
record("bench.warm_up")
n = int(os.environ["BENCH_RECORDS"])
if os.environ.get("BENCH_GO"):
    Path(os.environ["BENCH_GO"] + "." + str(os.getpid())).touch()
    while not Path(os.environ["BENCH_GO"]).exists():
        time.sleep(0.005)
start = time.time()
for i in range(n):
    record("bench.record", organisation=1, actor_label="bench", target=f"ticket:{i}", detail={"purpose": "refund"})
print(json.dumps({"start": start, "end": time.time(), "records": n}))
"""

FILL = """
import json
from django.utils import timezone
from webcare.audit import chain
from webcare.audit.models import AuditEntry
total = int(os.environ["BENCH_ENTRIES"])
last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or chain.GENESIS
batch = []
for i in range(total - AuditEntry.objects.count()):
    entry = AuditEntry(at=timezone.now(), organisation_id=1 + i % 3, actor_label=f"agent{i % 40}",
                       action="privacy.reveal", target=f"ticket:{i}", detail={"purpose": "refund", "n": i},
                       ip="192.0.2.1", prev_hash=last)
    entry.hash = last = chain.entry_hash(entry.prev_hash, chain.fields(entry.at, entry.organisation_id, None,
                                          entry.actor_label, entry.action, entry.target, entry.detail, entry.ip))
    batch.append(entry)
    if len(batch) == 5000:
        AuditEntry.objects.bulk_create(batch)
        batch = []
AuditEntry.objects.bulk_create(batch)
print(json.dumps({"entries": AuditEntry.objects.count()}))
"""

WALK = """
import json, time
from webcare.audit import verify
start = time.perf_counter()
result = verify.verify()
print(json.dumps({"seconds": time.perf_counter() - start, "intact": result.intact, "count": result.count}))
"""


def python(target: Target, code: str, **env: str) -> subprocess.Popen[str]:
    prelude = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webcare.settings'); django.setup()\n"
    return subprocess.Popen([sys.executable, "-c", prelude + code], env=target.env | env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result_of(process: subprocess.Popen[str]) -> dict[str, float]:
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(err[-3000:])
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(target: Target, records: int, entries: int) -> dict[str, float]:
    target.run("migrate")
    one = result_of(python(target, RECORD, BENCH_RECORDS=str(records)))
    go = target.data_dir / "go"
    pair = [python(target, RECORD, BENCH_RECORDS=str(records), BENCH_GO=str(go)) for _ in range(2)]
    while len(list(target.data_dir.glob("go.*"))) < 2:  # both started and warmed up: start them together
        time.sleep(0.01)
    go.touch()
    runs = [result_of(process) for process in pair]
    both = max(run["end"] for run in runs) - min(run["start"] for run in runs)
    filled = result_of(python(target, FILL, BENCH_ENTRIES=str(entries)))
    started = time.perf_counter()
    command = target.run("audit", "verify")
    wall = time.perf_counter() - started
    if not command.stdout.startswith(f"intact: {int(filled['entries'])} entries"):
        raise RuntimeError(f"verify said: {command.stdout} {command.stderr}")
    walk = result_of(python(target, WALK))
    return {"record_per_s": records / (one["end"] - one["start"]), "record_two_per_s": 2 * records / both,
            "entries": filled["entries"], "verify_command_s": wall, "verify_walk_s": walk["seconds"],
            "verify_per_s": walk["count"] / walk["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (a fresh database is made beside it and dropped)")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=2_000, help="record() calls per process")
    args = parser.parse_args()
    rows = []
    with sqlite_target() as target:
        rows.append((target.label, measure(target, args.records, args.entries)))
    if args.postgres:
        with postgres_target(args.postgres) as target:
            rows.append((target.label, measure(target, args.records, args.entries)))
    table = Table(title=f"audit log — {machine()}")
    for column in ("database", "record()/s, 1 process", "record()/s, 2 processes", "entries",
                   "webcare audit verify (s)", "walk alone (s)", "entries/s verified"):
        table.add_column(column, justify="right")
    for label, row in rows:
        table.add_row(label, f"{row['record_per_s']:,.0f}", f"{row['record_two_per_s']:,.0f}",
                      f"{row['entries']:,.0f}", f"{row['verify_command_s']:.2f}", f"{row['verify_walk_s']:.2f}",
                      f"{row['verify_per_s']:,.0f}")
    Console(width=160).print(table)
    print(f"command: {WEBCARE} … ; python benchmarks/bench_audit.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
