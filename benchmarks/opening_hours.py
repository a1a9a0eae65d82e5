"""Opening-hours benchmark: business-time arithmetic, the calendar lookup for a batch, and what away replies cost the
ingestion worker.

Runs on its own (``python benchmarks/opening_hours.py [--tickets N]``; ``DATABASE_URL=postgres://…/webcare_bench_hours``
for PostgreSQL, else a fresh SQLite file in a temporary directory) and prints a table; results go to
benchmarks/results/opening_hours.json for docs/benchmarks.md.

- **arithmetic**: ``add`` of 30 days of open time (90 working days, across Easter and DST) and ``elapsed`` over the
  same span, on a fresh calendar (cold: holidays computed, days converted) and a warm one.
- **lookup**: ``calendars_for_tickets`` for N tickets spread over channels and teams: queries and time.
- **worker**: N first messages from N customers stored by the real worker while the desk is closed, with and without
  the away-reply step (each reply is a message, an outbound job and a timeline row).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["WEBCARE_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-hours-")

if TYPE_CHECKING:
    from webcare.core.models import Channel, Team
    from webcare.ingest.pipeline import Step

RESULTS = Path(__file__).resolve().parent / "results" / "opening_hours.json"


def per_call_ms(function: object, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000 / repeat


def arithmetic() -> dict[str, float]:
    from webcare.hours.calendar import BusinessCalendar, holidays_for
    from webcare.hours.schedule import schedule_from_config

    schedule = schedule_from_config(time_zone="Europe/Oslo", holiday_country="NO",
                                    weekly={str(day): [["08:00", "16:00"]] for day in range(5)})
    start = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    warm = BusinessCalendar(schedule)
    end = warm.add(start, 30 * 86400)

    def cold_add() -> None:
        holidays_for.cache_clear()
        BusinessCalendar(schedule).add(start, 30 * 86400)

    return {
        "add_30_days_cold_ms": per_call_ms(cold_add, 200),
        "add_30_days_warm_ms": per_call_ms(lambda: warm.add(start, 30 * 86400), 2000),
        "elapsed_30_days_warm_ms": per_call_ms(lambda: warm.elapsed(start, end), 2000),
        "next_open_warm_ms": per_call_ms(lambda: warm.next_open(datetime(2026, 4, 1, 17, 0, tzinfo=UTC)), 5000),
        "is_open_warm_ms": per_call_ms(lambda: warm.is_open(datetime(2026, 4, 1, 12, 0, tzinfo=UTC)), 5000),
    }


def setup_organisation() -> tuple[Channel, Team]:
    from webcare.core.models import Channel, Organisation, Team
    from webcare.hours.models import OpeningHours

    org = Organisation.objects.create(slug=f"bench-{time.monotonic_ns()}", name="Bench", languages=["nb", "en"])
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    team = Team.objects.create(organisation=org, slug="cs", name="CS")
    # Open one minute a day: closed whenever the benchmark runs.
    OpeningHours.objects.create(organisation=org, name="Night", weekly={str(d): [["00:00", "00:01"]] for d in range(7)},
                                holiday_country="NO")
    OpeningHours.objects.create(organisation=org, team=team, name="Team", weekly={"0": [["08:00", "16:00"]]})
    return channel, team


def ingest(channel: Channel, count: int, prefix: str, steps: Sequence[Step] | None) -> float:
    from webcare.ingest.receive import receive
    from webcare.ingest.worker import drain

    now = datetime.now(UTC).isoformat()
    for n in range(count):
        payload: dict[str, Any] = {
            "message_id": f"{prefix}-{n}", "conversation_id": f"{prefix}-{n}", "conversation_kind": "private",
            "author": {"id": f"{prefix}-u{n}", "name": "Kari Nordmann"}, "text": "Hei, fakturaen min er feil",
            "sent_at": now}
        receive(channel, payload, external_id=payload["message_id"])
    from webcare.ingest import pipeline

    original = pipeline.configured_steps
    if steps is not None:
        pipeline.configured_steps = lambda: tuple(steps)  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        drain()
        return time.perf_counter() - start
    finally:
        pipeline.configured_steps = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks._harness import machine
    from webcare.conversations.models import Message
    from webcare.hours.lookup import calendars_for_tickets
    from webcare.hours.steps import SendAwayReplies
    from webcare.ingest.pipeline import configured_steps
    from webcare.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    results: dict[str, object] = {"machine": machine(), "database": connection.vendor, "tickets": args.tickets}
    results |= arithmetic()

    channel, _team = setup_organisation()
    without = [step for step in configured_steps() if not isinstance(step, SendAwayReplies)]
    results["worker_without_away_s"] = ingest(channel, args.tickets, "plain", without)
    results["worker_with_away_s"] = ingest(channel, args.tickets, "night", None)
    results["away_replies_sent"] = Message.objects.filter(automatic="away", conversation__channel=channel).count()

    tickets = list(Ticket.objects.filter(conversation__channel=channel))
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        calendars = calendars_for_tickets(tickets)
        results["lookup_ms"] = (time.perf_counter() - start) * 1000
    results["lookup_tickets"] = len(calendars)
    results["lookup_queries"] = len(queries)

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")


if __name__ == "__main__":
    main()
