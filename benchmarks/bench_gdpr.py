"""Data subject requests benchmark (webcare/gdpr): what finding, exporting, erasing and reapplying cost.

Runs on its own (``python benchmarks/bench_gdpr.py [--messages N]``), in one process against a fresh SQLite data
directory, and prints a table. N messages from N/3 authors go through the real worker (triage included); every
fifth message carries a phone number, every seventh an e-mail address, so triage finds personal data in about a
third of them. Then:

- find by e-mail address (identities, customers, web chats, and the messages with an address in them decrypted);
- find by phone number (the messages with a number in them decrypted and compared);
- find by handle (no message decrypted);
- export one customer to a ZIP in memory;
- erase one customer (the whole plan worked out twice — preview and inside the transaction — and applied);
- ``reapply`` with nothing left to do (one keyed hash per identity value).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["WEBCARE_DATA_DIR"] = tempfile.mkdtemp(prefix="webcare-bench-gdpr-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks._harness import machine  # noqa: E402
from webcare.conversations.models import Message  # noqa: E402
from webcare.core.models import Channel, Organisation  # noqa: E402
from webcare.gdpr import export as exporting  # noqa: E402
from webcare.gdpr.erase import erase, prepare  # noqa: E402
from webcare.gdpr.find import choose, find  # noqa: E402
from webcare.gdpr.reapply import reapply  # noqa: E402
from webcare.gdpr.scope import collect  # noqa: E402
from webcare.ingest import worker  # noqa: E402
from webcare.ingest.models import InboundEvent  # noqa: E402
from webcare.ingest.receive import author_key, routing_key  # noqa: E402

WORDS = ("fakturaen", "min", "er", "feil", "ruteren", "virker", "ikke", "hjelp", "takk", "i", "dag", "nettet")


def text(n: int, rng: random.Random, author: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(12))
    if n % 5 == 0:
        words += f" ring meg på 9{author % 10_000_000:07d}"
    if n % 7 == 0:
        words += f" eller skriv til kunde{author}@example.no"
    return words


def load(count: int) -> Organisation:
    org = Organisation.objects.create(slug="bench", name="Bench", languages=["nb"])
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    rng = random.Random(7)
    authors = max(count // 3, 1)
    rows = []
    for n in range(count):
        author = n % authors
        rows.append({"message_id": f"m-{n}", "conversation_id": f"c-{author}", "conversation_kind": "private",
                     "author": {"id": f"user-{author}", "handle": f"@user{author}", "name": f"Kunde {author}"},
                     "text": text(n, rng, author), "sent_at": f"2026-11-{10 + n % 14:02d}T10:{n % 60:02d}:00+00:00"})
    InboundEvent.objects.bulk_create([
        InboundEvent(organisation_id=org.pk, channel=channel, source="api", external_id=row["message_id"], payload=row,
                     routing_key=routing_key(channel.pk, str(row["conversation_id"])),
                     author_key=author_key(channel, str(row["author"]["id"])))  # type: ignore[index]
        for row in rows], batch_size=1000)
    tally = worker.drain()
    if tally.messages != count:
        raise RuntimeError(f"stored {tally.messages} of {count} messages")
    return org


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Milliseconds, median of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=6000, help="messages to ingest first (default 6000)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="keyring", verbosity=0, interactive=False)
    started = time.perf_counter()
    org = load(args.messages)
    loaded = time.perf_counter() - started
    with_phone = Message.objects.filter(organisation=org, redacted_text__contains="[PHONE]").count()
    with_email = Message.objects.filter(organisation=org, redacted_text__contains="[EMAIL]").count()
    rows: list[tuple[str, str, str]] = []
    by_phone = find(org, "95")  # warm the keyring cache and the code paths
    by_phone = find(org, "+47 900 00 005")
    rows.append(("find by phone number", f"{timed(lambda: find(org, '+47 900 00 005')):.0f} ms",
                 f"{by_phone.messages_scanned} messages with a number decrypted"))
    by_email = find(org, "kunde7@example.no")
    rows.append(("find by e-mail address", f"{timed(lambda: find(org, 'kunde7@example.no')):.0f} ms",
                 f"{by_email.messages_scanned} messages with an address decrypted"))
    rows.append(("find by handle", f"{timed(lambda: find(org, '@user7')):.1f} ms", "no message decrypted"))
    match = choose(find(org, "@user7"))
    scope = collect(org.pk, match.customer_ids, "NO")
    export = exporting.prepare(org, scope)
    size = 0

    def run_export() -> None:
        nonlocal size
        size = sum(len(chunk) for chunk in exporting.iter_export(export))

    rows.append(("export one customer (ZIP in memory)", f"{timed(run_export):.0f} ms",
                 f"{len(scope.message_ids)} messages, {size:,} bytes"))
    preview_ms = timed(lambda: prepare(org, match.customer_ids), repeat=3)
    rows.append(("erasure preview (the plan)", f"{preview_ms:.0f} ms", "counts only"))
    started = time.perf_counter()
    report = erase(org, match.customer_ids)
    rows.append(("erase one customer", f"{(time.perf_counter() - started) * 1000:.0f} ms",
                 f"{report.counts['messages']} messages blanked, {report.counts['mentions']} mentions scrubbed"))
    started = time.perf_counter()
    again = reapply()
    rows.append(("gdpr reapply, nothing left to erase", f"{(time.perf_counter() - started) * 1000:.0f} ms",
                 f"{again.ledger_rows} ledger row, {args.messages // 3} identities hashed"))

    table = Table(title=f"Data subject requests over {args.messages:,} messages ({with_phone:,} with a phone "
                        f"number, {with_email:,} with an address; loaded in {loaded:.0f} s)")
    for column in ("what", "time", "notes"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console = Console(width=140)
    console.print(table)
    console.print(machine())


if __name__ == "__main__":
    main()
