"""The supervisor dashboard at scale: server time of its figures on the inbox benchmark's million conversations.

Uses the PostgreSQL database of ``benchmarks/inbox_scale.py`` (``webcare_bench``: 1,000,000 conversations and
tickets, ~2.5 million messages over two years, most of them recent — seeded by that benchmark's ``seed`` if missing,
a few minutes on 2 cores). Then, in-process, it times each figure of the dashboard — the "now" figures (arrival
rate, oldest wait, agents online, handling time), arrivals by hour, the answered-everything measure and the
response-time percentiles for each window — plus a quiet pass of the surge check and the two pages as a
supervisor's browser asks for them (the full dashboard, and the "now" partial it polls every 30 s). With
``--with-indexes`` it measures again after creating the indexes docs/supervision.md recommends (and drops them
afterwards), so the figures with and without them sit side by side.

    python benchmarks/dashboard_scale.py                    # seed if needed, measure, write the JSON
    python benchmarks/dashboard_scale.py --with-indexes     # also with the recommended indexes
    python benchmarks/dashboard_scale.py --repeat 5         # a quicker look

Results: benchmarks/results/dashboard_scale.json; figures in docs/benchmarks.md ("Supervisor dashboard").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, machine
from benchmarks.inbox_scale import DATABASE, PASSWORD, Sizes, _load, _psql, seed, seeded_summary

RESULTS = ROOT / "benchmarks" / "results" / "dashboard_scale.json"
SUPERVISOR = "bench-supervisor"
#: The indexes docs/supervision.md recommends (name, definition); created and dropped by ``--with-indexes``.
RECOMMENDED = [
    ("message_human_reply",
     'CREATE INDEX IF NOT EXISTS message_human_reply ON conversations_message (conversation_id, sent_at) '
     "WHERE direction = 'outbound' AND automatic = ''"),
    ("message_org_inbound",
     'CREATE INDEX IF NOT EXISTS message_org_inbound ON conversations_message (organisation_id, sent_at) '
     "WHERE direction = 'inbound'"),
    ("ticket_first_response",
     "CREATE INDEX IF NOT EXISTS ticket_first_response ON tickets_ticket (organisation_id, first_response_at) "
     "WHERE first_response_at IS NOT NULL"),
    ("ticket_resolved",
     "CREATE INDEX IF NOT EXISTS ticket_resolved ON tickets_ticket (organisation_id, solved_at) "
     "WHERE solved_at IS NOT NULL"),
]


@contextmanager
def constant_column_defaults() -> Iterator[None]:
    """Give every NOT NULL column with a constant model default a database default while seeding, and take them
    away after. Why: the inbox benchmark's seed SQL predates the columns issue 6 added (``Ticket.routed_by``,
    ``sla_level``, ``Message.automatic`` …), which Django fills in Python but the database has no default for."""
    from django.apps import apps
    from django.db import connection

    altered: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for label in ("tickets.Ticket", "conversations.Message", "conversations.Conversation", "customers.Customer",
                      "customers.Identity"):
            model = apps.get_model(label)
            for field in model._meta.concrete_fields:
                # A text field without a default gets "" from Django, as the form would.
                default = field.default if field.has_default() else ("" if field.empty_strings_allowed else None)
                if field.null or default is None or callable(default) or field.primary_key:
                    continue
                if isinstance(default, bool):
                    literal = "true" if default else "false"
                elif isinstance(default, int | float):
                    literal = str(default)
                elif isinstance(default, str):
                    literal = "'" + default.replace("'", "''") + "'"
                else:
                    continue
                table, column = model._meta.db_table, field.column
                cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {literal}')
                altered.append((table, column))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table, column in altered:
                cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')


def timed(call: Callable[[], Any], repeat: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
            "max_ms": round(samples[-1], 1), "n": repeat}


def _supervisor(org_id: int) -> Any:
    from django.contrib.auth import get_user_model

    from webcare.core.models import Agent, Role

    user, made = get_user_model().objects.get_or_create(username=SUPERVISOR, defaults={"first_name": "Bench"})
    if made:
        user.set_password(PASSWORD)
        user.save()
    Agent.objects.get_or_create(user=user, organisation_id=org_id, defaults={"role": Role.SUPERVISOR})
    return user


def measure(org: Any, repeat: int) -> dict[str, dict[str, float]]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from webcare.supervision import answered, metrics, response_times, surge

    now = timezone.now()
    # The figures themselves, computed afresh each time (nothing remembered).
    cases: dict[str, Callable[[], Any]] = {
        "now figures (metrics.load)": lambda: (cache.clear(), metrics.load(org, now)),
        "arrivals by hour (24 h)": lambda: metrics.arrivals_by_hour(org.pk, now),
        "surge check, quiet pass": lambda: surge.check(org, now),
    }
    for key, span in metrics.WINDOWS.items():
        cases[f"answered everything, {key}"] = lambda span=span: answered.measure(org.pk, now, span)
        cases[f"response times, {key}"] = lambda span=span: response_times.measure(org.pk, now - span, now)
    client = Client()
    client.force_login(_supervisor(org.pk))
    # Cold: nothing remembered (webcare/supervision/remember.py), as the first supervisor to look in five minutes
    # finds it; remembered: what everybody else gets in those five minutes, and every 30-second poll of "now".
    for path in ("/supervisor/?window=24h", "/supervisor/?window=7d", "/supervisor/?window=30d", "/supervisor/now/"):
        cases[f"GET {path}, cold"] = lambda path=path: _get(client, path, forget=True)
    for path in ("/supervisor/?window=7d", "/supervisor/now/"):
        cases[f"GET {path}, remembered"] = lambda path=path: _get(client, path)
    results = {}
    for name, call in cases.items():
        results[name] = timed(call, repeat)
        print(f"  {name:<46} p50 {results[name]['p50_ms']:>8.1f} ms   p95 {results[name]['p95_ms']:>8.1f} ms",
              flush=True)
    return results


def _get(client: Any, path: str, forget: bool = False) -> None:
    from django.core.cache import cache

    from webcare.inbox import queues

    if forget:
        cache.clear()
        queues.forget_shared_counts()
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)


def plans(org: Any) -> dict[str, list[str]]:
    """The plans PostgreSQL picks for the answered-everything count and a response-time query (7 days)."""
    from django.db import connection
    from django.utils import timezone

    from webcare.supervision import answered, metrics, response_times

    now = timezone.now()
    queries = {
        "answered everything (count of unanswered, 7d)": answered.unanswered(org.pk, now, metrics.WINDOWS["7d"]),
        "first responses (7d)": response_times.first_responses(org.pk, now - metrics.WINDOWS["7d"], now),
    }
    found = {}
    with connection.cursor() as cursor:
        for name, queryset in queries.items():
            sql, params = queryset.values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            found[name] = [row[0] for row in cursor.fetchall()]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432",
                        help="the PostgreSQL server (the database is webcare_bench on it)")
    parser.add_argument("--database", default=DATABASE, help=f"the database on that server (default {DATABASE})")
    parser.add_argument("--conversations", type=int, default=Sizes.conversations, help="seed size if seeding")
    parser.add_argument("--open-tickets", type=int, default=Sizes.open_tickets)
    parser.add_argument("--customers", type=int, default=Sizes.customers)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per case (default 20)")
    parser.add_argument("--with-indexes", action="store_true", help="measure again with the recommended indexes")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()

    server = args.postgres_url.rstrip("/")
    if server.count("/") > 2:
        server = server.rsplit("/", 1)[0]
    if not _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'"):
        _psql(server, f"CREATE DATABASE {args.database}")
    data_dir = Path(tempfile.mkdtemp(prefix="webcare-dashboard-scale-"))
    os.environ.update(DATABASE_URL=f"{server}/{args.database}", WEBCARE_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="webcare.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from webcare.core.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    print(f"machine: {machine()}; load average {_load()}")
    seeded = seeded_summary()
    if seeded is None:
        sizes = Sizes(conversations=args.conversations, open_tickets=args.open_tickets, customers=args.customers)
        with constant_column_defaults():
            seeded = seed(sizes, lambda step, done: print(f"seeding: {step} {done:.0%}", flush=True))
        with connection.cursor() as cursor:
            for table in ("conversations_message", "tickets_ticket", "conversations_conversation"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    org = Organisation.objects.get(pk=seeded.organisation_id)
    # Thresholds no afternoon reaches, so the surge check's pass is the quiet one that runs every 15 seconds.
    Organisation.objects.filter(pk=org.pk).update(surge_arrivals_per_hour=1_000_000, surge_oldest_wait_minutes=0)
    org.refresh_from_db()
    print(f"data: {seeded.conversations:,} conversations, {seeded.tickets:,} tickets, {seeded.messages:,} messages")

    import webcare.wsgi  # noqa: F401 - start up as a server worker does

    report: dict[str, Any] = {"machine": machine(), "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "data": {"conversations": seeded.conversations, "tickets": seeded.tickets,
                                       "messages": seeded.messages}, "repeat": args.repeat}
    print("without the recommended indexes:")
    report["without_indexes"] = measure(org, args.repeat)
    report["plans_without_indexes"] = plans(org)
    if args.with_indexes:
        with connection.cursor() as cursor:
            for _, definition in RECOMMENDED:
                cursor.execute(definition)
            cursor.execute("ANALYZE conversations_message")
            cursor.execute("ANALYZE tickets_ticket")
        try:
            print("with the recommended indexes:")
            report["with_indexes"] = measure(org, args.repeat)
            report["plans_with_indexes"] = plans(org)
        finally:
            with connection.cursor() as cursor:
                for name, _ in RECOMMENDED:
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    report["load_after"] = _load()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
