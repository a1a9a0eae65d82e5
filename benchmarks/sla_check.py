"""The SLA check and the acknowledgement guarantee at 100,000 open tickets on PostgreSQL: how long one pass of the
automation loop takes.

Seeds (once) a PostgreSQL database with one organisation, 40 agents in 8 teams (each with a supervisor and a
two-step escalation chain), one policy, 100,000 open tickets with their conversations and customers, and 400,000
solved or closed ones (so the ticket table has the size of a desk in use; the pass must not notice them). Rows are
made with set-based SQL over ``generate_series``. Then, for each scenario, it sets the open tickets' clocks the way a
running desk has them — a share of them due in this pass (checked less than 15 s late), the rest due over the next
three days; of the due ones 60 % reach their warning, 30 % their breach and 10 % the first escalation step — runs
``VACUUM ANALYZE`` (not timed), and times ``webcare.sla.checks.run(now)`` in-process, as the automation loop calls
it. Everything a pass does is timed: claiming, the alert rows, timeline rows, in-app notifications (e-mail is not
configured, so none is queued), the live events and the tickets' next check times. Between repeats the alerts,
notifications and timeline rows are deleted and the clocks set again.

Scenarios: nothing due (the pass only probes the index), 1 % due (the typical pass), 10 % and 100 % due (the worst
case: a mass breach, or a checker that was down). And the acknowledgement pass: 30 % of the open tickets have waited
longer than the window and were acknowledged already (what a pass must step over), plus 0 or 100 owed a holding reply.

    python benchmarks/sla_check.py                  # seed if needed, measure, write benchmarks/results/sla_check.json
    python benchmarks/sla_check.py --reset          # drop and re-create the database first
    python benchmarks/sla_check.py --repeats 3 --open-tickets 20000 --closed-tickets 0   # a quicker look

The database is ``webcare_bench_sla`` on the server of ``--postgres-url``. Target (issue 6): a pass over 100,000 open
tickets under 2 s. Figures are in docs/benchmarks.md ("Service levels").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, machine

DATABASE = "webcare_bench_sla"
RESULTS = ROOT / "benchmarks" / "results" / "sla_check.json"
TARGET_SECONDS = 2.0
TEAMS = 8
AGENTS = 40
SLUG = "sla-bench"


@dataclass(frozen=True)
class PassTime:
    scenario: str
    due: int
    raised: int
    queries: int
    seconds: list[float]
    median_s: float
    max_s: float
    per_due_ms: float | None
    meets_target: bool


def _psql(server: str, sql: str) -> str:
    return subprocess.run(["psql", "-X", "-qAt", f"{server}/postgres", "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def _load() -> str:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        return f"{load}; CPU pressure {dict(part.split('=') for part in some[1:])['avg60']}%"
    except (OSError, IndexError, KeyError):
        return load


# --- seeding -------------------------------------------------------------------------------------------------------

CUSTOMERS = """
INSERT INTO customers_customer (organisation_id, name, customer_number, notes, created_at, updated_at)
SELECT %(org)s, 'Kunde ' || n, '', '', %(now)s::timestamptz - interval '30 days', %(now)s::timestamptz
FROM generate_series(1, %(total)s) AS n
"""

CONVERSATIONS = """
INSERT INTO conversations_conversation (organisation_id, channel_id, external_id, kind, customer_id, subject,
                                        created_at, last_message_at, acknowledged_at)
SELECT %(org)s, %(channel)s, 'sla-' || n, 'private', %(cbase)s + n, '',
       %(now)s::timestamptz - interval '30 days', %(now)s::timestamptz - interval '1 hour',
       CASE WHEN n <= %(open)s AND n %% 10 < 3 THEN %(now)s::timestamptz - interval '2 days' END
FROM generate_series(1, %(total)s) AS n
"""

#: Ticket n ≤ open is open (new, open, on hold; every seventh pending, with its clocks paused), the rest solved or
#: closed. Every open ticket runs its first response (or, if answered, next response) clock under the one policy.
TICKETS = """
INSERT INTO tickets_ticket (organisation_id, conversation_id, customer_id, status, priority, assignee_id, team_id,
                            subject, created_at, updated_at, first_inbound_at, last_inbound_at, first_response_at,
                            waiting_since, solved_at, closed_at, language, sentiment_label, intents, register,
                            public_pii, routed_by, sla_policy_id, sla_paused_seconds, sla_level, sla_paused_since)
SELECT %(org)s, %(vbase)s + n, %(cbase)s + n,
       CASE WHEN n > %(open)s THEN CASE WHEN n %% 2 = 0 THEN 'solved' ELSE 'closed' END
            WHEN n %% 7 = 0 THEN 'pending' WHEN n %% 3 = 0 THEN 'new' WHEN n %% 3 = 1 THEN 'open'
            ELSE 'on_hold' END,
       1 + (n %% 4), CASE WHEN n %% 10 < 7 THEN (%(agents)s::int[])[1 + n %% %(a)s] END,
       (%(teams)s::bigint[])[1 + n %% %(t)s], 'Faktura ' || n,
       %(now)s::timestamptz - interval '3 days', %(now)s::timestamptz - interval '1 hour',
       %(now)s::timestamptz - interval '3 days', %(now)s::timestamptz - interval '1 hour',
       CASE WHEN n %% 2 = 0 THEN %(now)s::timestamptz - interval '2 days' END,
       CASE WHEN n <= %(open)s AND n %% 7 <> 0 THEN
            CASE WHEN n %% 10 < 3 THEN %(now)s::timestamptz - interval '2 days'
                 ELSE %(now)s::timestamptz - interval '1 hour' END END,
       CASE WHEN n > %(open)s THEN %(now)s::timestamptz - interval '1 day' END,
       CASE WHEN n > %(open)s AND n %% 2 = 1 THEN %(now)s::timestamptz - interval '12 hours' END,
       'nb', 'neutral', '["question"]'::jsonb, 'informal', false, '',
       CASE WHEN n <= %(open)s THEN %(policy)s END, 0, 0,
       CASE WHEN n <= %(open)s AND n %% 7 = 0 THEN %(now)s::timestamptz - interval '1 hour' END
FROM generate_series(1, %(total)s) AS n
"""

#: The clocks of a running desk: ticket n (a running one) is due in this pass when its hash falls in the share; the
#: due ones are at their warning (60 %%), breach (30 %%) or first escalation step (10 %%); the rest fall due over the
#: next three days.
ARRANGE = """
WITH clock AS (
    SELECT id, abs(hashint8(id)) %% 1000000 < %(due_millionths)s AS due, abs(hashint8(id + 7)) %% 10 AS kind,
           abs(hashint8(id + 13)) %% 15000 AS late_ms, abs(hashint8(id + 17)) %% 259200 AS ahead_s
    FROM tickets_ticket
    WHERE organisation_id = %(org)s AND status IN ('new', 'open', 'on_hold')
), timed AS (
    SELECT id, due, kind,
           CASE WHEN due THEN %(now)s::timestamptz - late_ms * interval '1 millisecond'
                ELSE %(now)s::timestamptz + interval '60 seconds' + ahead_s * interval '1 second' END AS check_at
    FROM clock
)
UPDATE tickets_ticket AS t SET
    sla_check_at = timed.check_at,
    sla_level = CASE WHEN NOT timed.due OR timed.kind < 6 THEN 0 WHEN timed.kind < 9 THEN 1 ELSE 2 END,
    sla_warn_at = CASE WHEN NOT timed.due OR timed.kind < 6 THEN timed.check_at
                       ELSE timed.check_at - interval '15 minutes' END,
    sla_due_at = CASE WHEN NOT timed.due OR timed.kind < 6 THEN timed.check_at + interval '15 minutes'
                      WHEN timed.kind < 9 THEN timed.check_at ELSE timed.check_at - interval '30 minutes' END,
    first_response_due = CASE WHEN t.first_response_at IS NULL THEN
        CASE WHEN NOT timed.due OR timed.kind < 6 THEN timed.check_at + interval '15 minutes'
             WHEN timed.kind < 9 THEN timed.check_at ELSE timed.check_at - interval '30 minutes' END END,
    next_response_due = CASE WHEN t.first_response_at IS NOT NULL THEN
        CASE WHEN NOT timed.due OR timed.kind < 6 THEN timed.check_at + interval '15 minutes'
             WHEN timed.kind < 9 THEN timed.check_at ELSE timed.check_at - interval '30 minutes' END END
FROM timed WHERE t.id = timed.id
"""

#: ``owed`` of the customers waiting two days or more are made to have waited 25 hours without a holding reply: they
#: are owed one (after a day's window, and not more than a day late: webcare.sla.acknowledge.MAX_LATE).
UNACKNOWLEDGE = """
WITH owed AS (
    UPDATE tickets_ticket SET waiting_since = %(now)s::timestamptz - interval '25 hours' WHERE id IN (
        SELECT id FROM tickets_ticket
        WHERE organisation_id = %(org)s AND status IN ('new', 'open', 'on_hold')
          AND waiting_since < %(now)s::timestamptz - interval '1 day'
        ORDER BY id DESC LIMIT %(owed)s)
    RETURNING conversation_id)
UPDATE conversations_conversation SET acknowledged_at = NULL WHERE id IN (SELECT conversation_id FROM owed)
"""


def seed(open_tickets: int, closed_tickets: int, now: datetime) -> int:
    """Seed the organisation; returns its id. All in one transaction."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from webcare.core.models import Agent, Channel, Organisation, Role, Team
    from webcare.sla.models import EscalationStep, SlaPolicy

    total = open_tickets + closed_tickets
    with transaction.atomic(), connection.cursor() as cursor:
        org = Organisation.objects.create(slug=SLUG, name="Fjordnett (SLA benchmark)", languages=["nb", "en"])
        password = make_password("correct horse battery")
        users = get_user_model().objects.bulk_create([
            get_user_model()(username=f"sla-agent{i:02d}", first_name=f"Agent {i}", email=f"agent{i}@bench.example",
                             password=password) for i in range(AGENTS)])
        roles = [Role.ADMIN if i < 2 else Role.SUPERVISOR if i < 2 + TEAMS else Role.AGENT for i in range(AGENTS)]
        agents = Agent.objects.bulk_create([Agent(user=user, organisation=org, role=role)
                                            for user, role in zip(users, roles, strict=True)])
        teams = []
        for i in range(TEAMS):
            team = Team.objects.create(organisation=org, slug=f"team-{i}", name=f"Team {i}", supervisor=agents[2 + i])
            team.members.set(agents[2 + TEAMS + i * 3: 2 + TEAMS + i * 3 + 3])
            EscalationStep.objects.create(team=team, position=0, agent=agents[i % 2], after_minutes=30)
            EscalationStep.objects.create(team=team, position=1, agent=agents[(i + 1) % 2], after_minutes=120)
            teams.append(team)
        channel = Channel.objects.create(organisation=org, kind="webchat", slug="chat", name="Chat")
        policy = SlaPolicy.objects.create(organisation=org, name="Standard", first_response_minutes=60,
                                          next_response_minutes=240, resolution_minutes=24 * 60,
                                          business_hours=False)
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_customer")
        cbase = cursor.fetchone()[0]
        params = {"org": org.pk, "now": now, "total": total, "open": open_tickets, "channel": channel.pk,
                  "cbase": cbase, "agents": [u.pk for u in users[2 + TEAMS:]], "a": AGENTS - 2 - TEAMS,
                  "teams": [t.pk for t in teams], "t": TEAMS, "policy": policy.pk}
        cursor.execute(CUSTOMERS, params)
        cursor.execute("SELECT coalesce(max(id), 0) FROM conversations_conversation")
        params["vbase"] = cursor.fetchone()[0]
        cursor.execute(CONVERSATIONS, params)
        cursor.execute(TICKETS, params)
    return int(org.pk)


# --- measuring -------------------------------------------------------------------------------------------------------


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "conversations_conversation", "sla_slaalert", "notify_notification",
                      "tickets_ticketevent"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _clean(org_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sla_slaalert")
        cursor.execute("DELETE FROM notify_notification WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM tickets_ticketevent WHERE kind IN ('sla', 'auto_reply')")
        cursor.execute("DELETE FROM channels_outboundjob WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM conversations_message WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM live_liveevent WHERE organisation_id = %s", [org_id])


def arrange(org_id: int, share: float, now: datetime) -> int:
    """Set the clocks for a pass with ``share`` of the running tickets due; returns how many are due."""
    from django.db import connection

    _clean(org_id)
    with connection.cursor() as cursor:
        cursor.execute(ARRANGE, {"org": org_id, "now": now, "due_millionths": round(share * 1_000_000)})
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE organisation_id = %s AND status IN "
                       "('new', 'open', 'pending', 'on_hold') AND sla_check_at <= %s", [org_id, now])
        due = int(cursor.fetchone()[0])
    _vacuum()
    return due


def time_checks(org_id: int, scenario: str, share: float, repeats: int, now: datetime) -> PassTime:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webcare.sla import checks

    seconds, raised, queries, due = [], 0, 0, 0
    for _ in range(repeats):
        due = arrange(org_id, share, now)
        connection.queries_log.clear()  # a full log (9,000 entries) would make the count below 0
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            raised = checks.run(now)
        seconds.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    median = statistics.median(seconds)
    return PassTime(scenario, due, raised, queries, seconds, median, max(seconds),
                    median * 1000 / due if due else None, median < TARGET_SECONDS)


def time_acknowledgements(org_id: int, owed: int, repeats: int, now: datetime) -> PassTime:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from webcare.sla import acknowledge

    seconds, sent, queries = [], 0, 0
    for _ in range(repeats):
        _clean(org_id)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE conversations_conversation SET acknowledged_at = %s::timestamptz - interval '1 day' "
                           "WHERE organisation_id = %s AND id IN (SELECT conversation_id FROM tickets_ticket WHERE "
                           "organisation_id = %s AND waiting_since < %s::timestamptz - interval '1 day')",
                           [now, org_id, org_id, now])
            cursor.execute(UNACKNOWLEDGE, {"org": org_id, "now": now, "owed": owed})
        _vacuum()
        connection.queries_log.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            sent = acknowledge.run(now)
        seconds.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    median = statistics.median(seconds)
    return PassTime(f"acknowledgement, {owed} owed", owed, sent, queries, seconds, median, max(seconds),
                    median * 1000 / owed if owed else None, median < TARGET_SECONDS)


def explain(org_id: int, now: datetime) -> dict[str, str]:
    """The plans of the two passes' reading queries (the claim, and the search for customers owed a reply)."""
    from django.db import connection

    from webcare.core.models import Organisation
    from webcare.sla import acknowledge
    from webcare.tickets.models import OPEN_TICKETS, Ticket

    claim = Ticket.objects.filter(OPEN_TICKETS, sla_check_at__lte=now).order_by("sla_check_at")[:500]
    owed = acknowledge.owed(Organisation.objects.get(pk=org_id), now)
    plans = {}
    for name, queryset in (("claim", claim), ("acknowledgement", owed)):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432",
                        help=f"the PostgreSQL server (the database is {DATABASE} on it)")
    parser.add_argument("--reset", action="store_true", help=f"drop and re-create {DATABASE}, then seed")
    parser.add_argument("--open-tickets", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--closed-tickets", type=int, default=400_000, help="default 400,000")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes per scenario (default 5)")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    console = Console(width=130)
    server = args.postgres_url.rstrip("/")
    if server.count("/") > 2:
        server = server.rsplit("/", 1)[0]
    if args.reset:
        _psql(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    if not _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        _psql(server, f"CREATE DATABASE {DATABASE}")
    data_dir = Path(tempfile.mkdtemp(prefix="webcare-sla-bench-"))
    os.environ.update(DATABASE_URL=f"{server}/{DATABASE}", WEBCARE_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="webcare.settings", WEBCARE_SMTP_HOST="")
    import django

    django.setup()
    from django.core.management import call_command

    from webcare.core.models import Organisation
    from webcare.tickets.models import Ticket

    call_command("migrate", verbosity=0, interactive=False)
    now = datetime.now(UTC).replace(microsecond=0)
    org = Organisation.objects.filter(slug=SLUG).first()
    seed_seconds = None
    if org is None:
        started = time.perf_counter()
        org_id = seed(args.open_tickets, args.closed_tickets, now)
        seed_seconds = time.perf_counter() - started
        console.print(f"seeded in {seed_seconds:.0f} s")
    else:
        org_id = org.pk
    tickets = Ticket.objects.filter(organisation_id=org_id)
    open_count = tickets.filter(status__in=["new", "open", "pending", "on_hold"]).count()
    console.print(f"machine: {machine()}; load average {_load()}; {open_count:,} open of {tickets.count():,} tickets")
    load_before = _load()
    from django.urls import reverse

    reverse("inbox:inbox")  # the URL map is loaded in a running server; the first reverse() imports it (~1 s)

    results = [time_checks(org_id, "nothing due", 0.0, args.repeats, now)]
    results.append(time_checks(org_id, "1 % due (typical)", 0.01, args.repeats, now))
    results.append(time_checks(org_id, "10 % due", 0.10, max(1, args.repeats // 2), now))
    results.append(time_checks(org_id, "100 % due (worst case)", 1.0, max(1, args.repeats // 2), now))
    results.append(time_acknowledgements(org_id, 0, args.repeats, now))
    results.append(time_acknowledgements(org_id, 100, args.repeats, now))
    arrange(org_id, 0.01, now)
    plans = explain(org_id, now)
    _clean(org_id)

    table = Table(title=f"one pass at {open_count:,} open tickets (PostgreSQL, in-process)")
    for column in ("scenario", "due", "raised/sent", "queries", "median s", "max s", "ms per due ticket",
                   f"< {TARGET_SECONDS:.0f} s"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(r.scenario, f"{r.due:,}", f"{r.raised:,}", str(r.queries), f"{r.median_s:.3f}",
                      f"{r.max_s:.3f}", f"{r.per_due_ms:.2f}" if r.per_due_ms else "—",
                      "yes" if r.meets_target else "NO")
    console.print(table)
    for name, plan in plans.items():
        console.print(f"[bold]{name}[/bold]\n{plan}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "measured": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "load_average_before": load_before, "load_average_after": _load(), "database": DATABASE,
        "open_tickets": open_count, "tickets": tickets.count(), "seed_seconds": seed_seconds,
        "target_seconds": TARGET_SECONDS, "passes": [asdict(r) for r in results], "plans": plans,
    }, indent=2) + "\n")
    console.print(f"written to {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
