"""Peak memory and speed of ``webcare import --format twcs`` on a large synthetic file.

Why a subprocess: the figure that matters is the resident size of the real command, from interpreter start to exit,
against a fresh database — not of a test process that already holds Django, pytest and fixtures. The peak comes from
the kernel (``wait4`` → ``ru_maxrss``, the same as VmHWM); a sampler also reads ``/proc/<pid>/status`` so the peak
can be split into anonymous memory (Python objects, SQLite caches) and mapped file pages.

    python benchmarks/import_memory.py --rows 1000000
    python benchmarks/import_memory.py --rows 100000 --database-url postgres://postgres@127.0.0.1:5432/webcare

With ``--database-url`` a fresh database named ``<name>_bench_<pid>`` is created on that server and dropped at the end
(``--keep`` keeps it and the data dir). The generated CSV has the twcs columns, threads of 1–6 tweets between
customers and ~25 companies, tweet-like text lengths, and replies that sometimes come before their parents in the file,
as in the real data.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COMPANIES = [
    "AcmeSupport", "Bolt_Help", "FjordTelecom", "NordlysCares", "SkyMobileHelp", "ParcelPal", "TrainLineUK",
    "BankOfNowhere", "PixelPhoneCare", "StreamBoxHelp", "GroceryGo", "AirNorthSupport", "PowerGridCares",
    "InsureItHelp", "CloudyHosting", "ByteBankSupport", "RailRunner", "MetroBusHelp", "FiberFastCare",
    "GameZoneHelp", "TicketTornado", "HotelHaven", "CarShareCare", "MealBoxHelp", "ShoeStoreCares",
]
PHRASES = (
    "my order never arrived and the tracking page has not changed for three days please help",
    "why is the app crashing every time I open it since the update yesterday",
    "the invoice is wrong again I was charged twice for the same month",
    "hi there sorry to hear that could you send us a DM with your account number so we can look into it",
    "thanks for waiting we have escalated this to our team and will get back to you shortly",
    "still no answer this is the third time I ask the train was cancelled and nobody told us",
    "we are sorry for the delay our engineers are working on the outage in your area",
    "great service today the driver was friendly and on time cheers",
)
WORDS = tuple(word for phrase in PHRASES for word in phrase.split())
THREAD_LENGTHS = (1, 2, 3, 4, 5, 6)
THREAD_WEIGHTS = (15, 35, 20, 15, 10, 5)
FIELDS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]


def _text(rng: random.Random, mention: str) -> str:
    """A tweet: a mention and 3–45 words (20–280 characters, ~110 on average, like the real file)."""
    words = rng.choices(WORDS, k=rng.randint(3, 45))
    return f"@{mention} " + " ".join(words)[:270]


def _twitter_time(moment: datetime) -> str:
    return moment.strftime("%a %b %d %H:%M:%S +0000 %Y")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` tweets to ``path`` as twcs CSV, streaming (a small shuffle window keeps memory small).

    2 % of threads get no company reply but mention a company (their company comes from the mention), 0.5 % mention
    no company at all (skipped by the import with a reason).
    """
    rng = random.Random(seed)
    start = datetime(2017, 10, 1, tzinfo=UTC)
    tweet_id = 1
    customer = 100_000
    written = 0
    window: list[list[str]] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        while written < rows:
            length = min(rng.choices(THREAD_LENGTHS, THREAD_WEIGHTS)[0], rows - written)
            company = rng.choice(COMPANIES)
            customer += 1
            roll = rng.random()
            replies = roll >= 0.025
            mention = company if roll >= 0.005 else f"{customer + 7}"
            moment = start + timedelta(seconds=written * 7 + rng.randint(0, 3600))
            ids = list(range(tweet_id, tweet_id + length))
            tweet_id += length
            for position, current in enumerate(ids):
                from_company = replies and position % 2 == 1
                parent = str(ids[position - 1]) if position else ""
                child = str(ids[position + 1]) if position + 1 < length else ""
                author = company if from_company else str(customer)
                text = _text(rng, str(customer) if from_company else mention)
                window.append([str(current), author, "False" if from_company else "True", _twitter_time(moment),
                               text, child, parent])
                moment += timedelta(seconds=rng.randint(30, 6 * 3600))
            written += length
            if len(window) >= 64:
                rng.shuffle(window)
                writer.writerows(window[:32])
                del window[:32]
        rng.shuffle(window)
        writer.writerows(window)


@dataclass
class Peak:
    rss_kib: int = 0
    anon_kib: int = 0
    file_kib: int = 0


def _sample(pid: int, peak: Peak, stop: threading.Event) -> None:
    """Poll /proc/<pid>/status for the split of resident memory (anonymous vs mapped file pages)."""
    status = Path(f"/proc/{pid}/status")
    while not stop.is_set():
        try:
            values = {}
            for line in status.read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    values[key] = int(rest.split()[0])
        except (OSError, ValueError, IndexError):
            return
        if values.get("VmRSS", 0) > peak.rss_kib:
            peak.rss_kib = values["VmRSS"]
        peak.anon_kib = max(peak.anon_kib, values.get("RssAnon", 0))
        peak.file_kib = max(peak.file_kib, values.get("RssFile", 0))
        stop.wait(0.2)


def _fresh_postgres(url: str) -> tuple[str, str, str]:
    """Create an empty database next to the one in ``url``; returns (its url, the admin url, its name)."""
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "webcare"
    name = f"{base}_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin, name


def _drop_postgres(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_import(csv_path: Path, data_dir: Path, database_url: str | None, batch_size: int) -> dict[str, float]:
    """Run ``webcare import`` once in a child process; returns seconds, exit code and the memory peaks."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "WEBCARE_SQLITE_PATH")}
    env["WEBCARE_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "webcare", "import", str(csv_path), "--format", "twcs", "--quiet",
               "--batch-size", str(batch_size)]
    stderr_path = data_dir / "import.stderr"
    started = time.monotonic()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=stderr)
        peak = Peak()
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(process.pid, peak, stop), daemon=True)
        sampler.start()
        assert process.stdout is not None
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    skipped_lines = sum(1 for _ in stderr_path.open("rb"))
    print(output.strip())
    first = output.split(" rows:", 1)[0].replace(",", "").strip()
    rows = int(first) if first.isdigit() else 0
    if process.returncode != 0:
        print(stderr_path.read_text()[-3000:], file=sys.stderr)
    return {"rows": rows, "seconds": seconds, "returncode": process.returncode, "maxrss_mb": usage.ru_maxrss / 1024,
            "anon_mb": peak.anon_kib / 1024, "file_mb": peak.file_kib / 1024, "stderr_lines": skipped_lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL server to use (a fresh database is made on it)")
    parser.add_argument("--csv", type=Path, help="reuse this CSV if it exists, else generate it there (and keep it)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (and PostgreSQL database)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="webcare-bench-"))
    csv_path = args.csv or workdir / "twcs-synthetic.csv"
    if not csv_path.exists():
        started = time.monotonic()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.0f} MB) in "
              f"{time.monotonic() - started:.0f} s: {csv_path}")
    database_url, admin, name = (None, "", "")
    if args.database_url:
        database_url, admin, name = _fresh_postgres(args.database_url)
    data_dir = workdir / "data"
    data_dir.mkdir()
    try:
        result = run_import(csv_path, data_dir, database_url, args.batch_size)
    finally:
        if database_url and not args.keep:
            _drop_postgres(admin, name)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    backend = "postgresql" if database_url else "sqlite"
    rows = int(str(result["rows"])) or args.rows
    print()
    print(f"{'backend':<11}{'rows':>11}{'seconds':>10}{'rows/s':>9}{'peak RSS MB':>13}{'anon MB':>9}{'file MB':>9}"
          f"{'exit':>6}")
    print(f"{backend:<11}{rows:>11,}{result['seconds']:>10.1f}{rows / result['seconds']:>9,.0f}"
          f"{result['maxrss_mb']:>13.0f}{result['anon_mb']:>9.0f}{result['file_mb']:>9.0f}{result['returncode']:>6}")
    if result["returncode"] != 0:
        raise SystemExit(int(result["returncode"]))


if __name__ == "__main__":
    main()
