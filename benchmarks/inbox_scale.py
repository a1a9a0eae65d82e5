"""The agents' inbox at scale: 1 million conversations on PostgreSQL, server time of the main views, live updates.

Seeds (once) a PostgreSQL database with one organisation, 50 agents in 8 teams, 11 channels, ~400,000 customers with
their identities, 1,000,000 conversations with one ticket each (100,000 not solved or closed) and ~2.5 million
messages, including one conversation of 500 messages. The rows are made with set-based SQL (``INSERT … SELECT`` over
``generate_series``), not the ORM row by row: a few minutes on 2 cores. Then it measures, in-process with Django's test
client signed in as an agent who has assigned tickets and two teams, the server time of the full inbox page and the
list partial for the views *unassigned*, *mine*, *teams*, *open* and a channel; the counts partial (refreshed by every
open inbox on every live event); and the conversation pane of the 500-message ticket and of an ordinary one.
Last, it starts ``webcare serve`` on the same database, signs two agents in with Chromium, posts new messages through
the REST API and times how long after the message row was stored the new row appears in both browsers' lists.

    python benchmarks/inbox_scale.py             # seed if needed, measure, write benchmarks/results/inbox_scale.json
    python benchmarks/inbox_scale.py --reset     # drop and re-create the database first (re-seeds)
    python benchmarks/inbox_scale.py --requests 50 --no-live   # a quicker look
    python benchmarks/inbox_scale.py --help

The database is ``webcare_bench`` on the server of ``--postgres-url`` (migrated through Django). Targets (issue 3):
inbox list p95 ≤ 150 ms, conversation with 500 messages p95 ≤ 200 ms, live update ≤ 1 s after the message was stored.
Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, Target, machine, served

DATABASE = "webcare_bench"
PASSWORD = "correct horse battery"
RESULTS = ROOT / "benchmarks" / "results" / "inbox_scale.json"
TARGETS_MS = {"list": 150.0, "conversation": 200.0, "live": 1000.0}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

#: A channel with 3% of the open tickets: its list is the planner's hard case (see queues._planned_filter).
SMALL_CHANNEL = "partner-api"
#: URLs measured in-process (pages and lists of five views, a small channel's list, counts twice, two conversations).
CASES = 15

#: (slug, kind, name). The first is the API channel that ``POST /api/v1/inbound`` uses (the organisation's first
#: active API channel): it gets no seeded conversations, so the live test's new tickets are visible in its view.
CHANNELS = [
    ("api", "api", "API"),
    ("facebook", "facebook", "Fjordnett on Facebook"),
    ("facebook-business", "facebook", "Fjordnett Bedrift on Facebook"),
    ("instagram", "instagram", "Instagram"),
    ("x", "x", "X"),
    ("whatsapp", "whatsapp", "WhatsApp"),
    ("email", "email", "kundeservice@fjordnett.example"),
    ("email-billing", "email", "faktura@fjordnett.example"),
    ("webchat", "webchat", "Web chat"),
    ("reviews", "reviews", "Trustpilot"),
    ("partner-api", "api", "Partner API"),
]
TEAMS = ["Kundeservice", "Faktura", "Teknisk støtte", "Bedrift", "Salg og marked", "Flytting", "Sosiale medier",
         "Klager"]
LABELS = ["faktura", "nettverk", "mobil", "fiber", "tv", "flytting", "oppsigelse", "klage", "ros", "roaming", "esim",
          "bedrift"]
FIRST = ["Kari", "Ola", "Ingrid", "Lars", "Sunniva", "Anders", "Maja", "Jonas", "Emma", "Henrik", "Nora", "Magnus",
         "Sofie", "Erik", "Ida", "Mathias", "Astrid", "Jakob", "Linnea", "Oskar", "Freja", "Mikkel", "Saga", "Emil",
         "Thea", "Noah", "Elin", "Aksel", "Liv", "Sander"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Eriksen", "Lindqvist", "Virtanen", "de Vries", "Jansen",
        "Bakker", "Lund", "Dahl", "Moen", "Strand", "Solberg", "Holm", "Nyström", "Korhonen", "Visser", "Brekke"]
GREETINGS = ["Hei!", "Hallo,", "Hei der.", "God dag,", "Hej!", "Moi,", "Goedemiddag,", "Hei igjen."]
PROBLEMS = [
    "Fakturaen min for november er dobbelt så høy som vanlig, og jeg har ikke endret abonnementet.",
    "Mobilnettet har vært nede hele dagen her i Bergen sentrum.",
    "Fiberen faller ut flere ganger i timen etter at ruteren ble byttet.",
    "Jeg skal flytte til Trondheim neste måned og vil ta med meg bredbåndet.",
    "TV-pakken viser bare svart skjerm på halvparten av kanalene.",
    "Jeg fikk en regning for roaming i Sverige, men jeg var aldri der.",
    "eSIM-en til den nye telefonen min blir ikke aktivert.",
    "Jeg vil si opp abonnementet til min avdøde far. Hva trenger dere fra meg?",
    "Kundeservice lovet å ringe meg i går, men ingen har ringt.",
    "Takk for rask hjelp med ruteren forrige uke, alt virker nå!",
    "Bedriften vår trenger fem nye mobilabonnement fra første januar.",
    "Hvorfor står det at betalingen min ikke er registrert når pengene er trukket?",
]
DETAILS = ["Kan dere se på det?", "Kundenummeret mitt står i profilen.", "Det haster litt.",
           "Jeg har prøvd å starte alt på nytt.", "Svar gjerne her.", "På forhånd takk.",
           "Dette er tredje gang jeg tar kontakt.", "Ha en fin dag!"]
ANSWERS = [
    "Takk for at du tok kontakt, jeg ser på saken din nå.",
    "Jeg har sjekket kontoen din og rettet opp feilen på fakturaen.",
    "Vi har et kjent problem i området ditt og teknikerne jobber med det.",
    "Kan du sende meg kundenummeret ditt i en privat melding?",
    "Jeg har sendt en ny ruter til deg, den kommer i løpet av to dager.",
    "Flyttingen er registrert, og bredbåndet blir koblet opp på den nye adressen.",
]


@dataclass(frozen=True)
class Sizes:
    """How much to seed. The defaults are the issue's figures; the test seeds a few hundred rows."""

    conversations: int = 1_000_000
    open_tickets: int = 100_000
    customers: int = 400_000
    agents: int = 50
    teams: int = 8
    big_thread: int = 500


@dataclass(frozen=True)
class Seeded:
    """What a seed made: the counts it promises and the rows the measurements use."""

    organisation_id: int
    conversations: int
    tickets: int
    open_tickets: int
    unassigned_share: float
    messages: int
    customers: int
    identities: int
    agents: int
    teams: int
    labelled_tickets: int
    big_ticket_id: int
    big_ticket_messages: int
    ordinary_ticket_id: int
    agent_username: str
    seconds: float


Progress = Callable[[str, float], None]


def _no_progress(step: str, fraction: float) -> None:
    """The default progress callback: say nothing."""


# --- seeding -----------------------------------------------------------------------------------------------------

#: The platform of customer m's first identity, by m % 100 (and so the kind of channel the customer writes on).
KIND_OF = """CASE WHEN {m} %% 100 < 30 THEN 'facebook' WHEN {m} %% 100 < 45 THEN 'instagram'
    WHEN {m} %% 100 < 55 THEN 'x' WHEN {m} %% 100 < 70 THEN 'whatsapp' WHEN {m} %% 100 < 85 THEN 'email'
    WHEN {m} %% 100 < 93 THEN 'webchat' WHEN {m} %% 100 < 97 THEN 'reviews' ELSE 'api' END"""

#: One row per conversation n (1 = oldest): its ticket's status, how many messages, when it was last active, whose.
#: r counts from the newest; the open tickets are the newest two of every three (so 100,000 of the newest 150,000),
#: and time runs quadratically, so recent days are dense: 1M conversations span two years, the open ones ~16 days.
SEED_TABLE = """
CREATE TEMP TABLE bench_seed AS
WITH base AS (
    SELECT n, %(c)s - n AS r, abs(hashint8(n)) AS h FROM generate_series(1, %(c)s) AS n
), ranked AS (
    SELECT *, (r %% 3 < 2 AND 2 * (r / 3) + r %% 3 < %(o)s) AS is_open, 2 * (r / 3) + r %% 3 AS k FROM base
), marked AS (
    SELECT n, h, k, 1 + (n * 104729::bigint) %% %(k)s AS m,
        CASE WHEN n = %(c)s THEN 'open'
             WHEN is_open THEN CASE WHEN k %% 20 < 7 THEN 'new' WHEN k %% 20 < 14 THEN 'open'
                                    WHEN k %% 20 < 18 THEN 'pending' ELSE 'on_hold' END
             WHEN r::float8 / %(c)s < 0.2041 THEN 'solved' ELSE 'closed' END AS status,
        %(now)s::timestamptz - interval '720 days' * power(r::float8 / %(c)s, 2) - interval '1 minute' AS last_at
    FROM ranked
)
SELECT n, h, m, status, last_at,
    CASE WHEN n = %(c)s THEN %(big)s
         WHEN status = 'new' THEN 1 + (h / 8) %% 2
         WHEN status = 'open' THEN 3 + 2 * ((h / 8) %% 2)
         WHEN status IN ('pending', 'on_hold') THEN 2 + 2 * ((h / 8) %% 2)
         ELSE 1 + (h / 8) %% 4 END AS mc,
    CASE WHEN n = %(c)s THEN 1 WHEN h %% 10 < 3 THEN NULL ELSE 1 + (h / 10) %% %(a)s END AS agent,
    CASE WHEN (h / 1000) %% 5 = 0 THEN NULL ELSE 1 + (h / 5000) %% %(t)s END AS team,
    CASE WHEN (h / 100000) %% 100 < 3 THEN 1 WHEN (h / 100000) %% 100 < 18 THEN 2
         WHEN (h / 100000) %% 100 < 88 THEN 3 ELSE 4 END AS priority
FROM marked
"""

#: Message text from a few fixed sentences, picked by hash: cheap for 2.5M rows, and it reads like the real thing.
TEXT_FUNCTION = """
CREATE FUNCTION pg_temp.bench_text(n bigint, k int, inbound boolean, signer text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN inbound THEN
        (%(greetings)s::text[])[1 + abs(hashint8(n * 1000 + k)) %% {g}] || ' ' ||
        (%(problems)s::text[])[1 + abs(hashint8(n * 1000 + k + 7)) %% {p}] || ' ' ||
        (%(details)s::text[])[1 + abs(hashint8(n * 1000 + k + 13)) %% {d}]
    ELSE
        'Hei! ' || (%(answers)s::text[])[1 + abs(hashint8(n * 1000 + k)) %% {a}] || ' Mvh ' || signer
    END
$$
"""

CUSTOMERS = """
INSERT INTO customers_customer (id, organisation_id, name, customer_number, notes, merged_into_id, created_at,
                                updated_at)
SELECT %(base)s + m, %(org)s, (%(first)s::text[])[1 + m %% {f}] || ' ' || (%(last)s::text[])[1 + (m / {f}) %% {l}],
       CASE WHEN m %% 3 = 0 THEN (1000000 + m)::text ELSE '' END, '', NULL,
       %(now)s::timestamptz - interval '800 days' * (1 - m::float8 / %(k)s), %(now)s::timestamptz
FROM generate_series(1, %(k)s) AS m
"""

#: Every customer has one identity on the platform they write on; every fifth a second one (e-mail or WhatsApp).
IDENTITIES = """
INSERT INTO customers_identity (id, organisation_id, customer_id, platform, external_id, handle, display_name,
                                created_at)
SELECT %(base)s + m, %(org)s, %(cbase)s + m, p,
       CASE p WHEN 'email' THEN 'kunde' || m || '@example.no' WHEN 'whatsapp' THEN '+47' || (40000000 + m)
              ELSE 'u' || m END,
       CASE p WHEN 'email' THEN 'kunde' || m || '@example.no' WHEN 'whatsapp' THEN '+47' || (40000000 + m)
              ELSE '@' || lower((%(first)s::text[])[1 + m %% {f}]) || m END,
       c.name, c.created_at
FROM (SELECT m, {kind} AS p FROM generate_series(1, %(k)s) AS m) AS s
JOIN customers_customer AS c ON c.id = %(cbase)s + m
UNION ALL
SELECT %(base)s + %(k)s + m / 5, %(org)s, %(cbase)s + m, p2,
       CASE p2 WHEN 'email' THEN 'kunde' || m || '@example.no' ELSE '+47' || (40000000 + m) END,
       CASE p2 WHEN 'email' THEN 'kunde' || m || '@example.no' ELSE '+47' || (40000000 + m) END,
       c.name, c.created_at
FROM (SELECT m, CASE WHEN {kind} = 'email' THEN 'whatsapp' ELSE 'email' END AS p2
      FROM generate_series(5, %(k)s, 5) AS m) AS s
JOIN customers_customer AS c ON c.id = %(cbase)s + m
"""

CONVERSATIONS = """
INSERT INTO conversations_conversation (id, organisation_id, channel_id, external_id, kind, customer_id, subject,
                                        created_at, last_message_at)
SELECT %(base)s + s.n, %(org)s, ch.id, 'c' || s.n,
       CASE WHEN ch.kind = 'reviews' OR (ch.kind IN ('facebook', 'instagram', 'x') AND s.h %% 2 = 0)
            THEN 'public' ELSE 'private' END,
       %(cbase)s + s.m,
       CASE WHEN ch.kind = 'email' THEN left((%(problems)s::text[])[1 + abs(hashint8(s.n * 1000 + 7)) %% {p}], 60)
            ELSE '' END,
       s.last_at - interval '17 minutes' * (s.mc - 1), s.last_at
FROM bench_seed AS s
JOIN bench_channel AS ch ON ch.kind = {kind} AND ch.idx = s.n %% ch.cnt
WHERE s.n BETWEEN %(lo)s AND %(hi)s
"""

TICKETS = """
INSERT INTO tickets_ticket (id, organisation_id, conversation_id, customer_id, status, priority, assignee_id,
                            team_id, subject, created_at, updated_at, first_inbound_at, last_inbound_at,
                            first_response_at, last_response_at, waiting_since, solved_at, closed_at,
                            language, sentiment_label, intents, register, public_pii, routed_by,
                            sla_paused_seconds, sla_level)
SELECT %(base)s + s.n, %(org)s, c.id, c.customer_id, s.status, s.priority, (%(agents)s::int[])[s.agent],
       (%(teams)s::bigint[])[s.team],
       CASE WHEN c.subject <> '' THEN c.subject
            ELSE left(pg_temp.bench_text(s.n, 0, true, ''), 120) END,
       c.created_at, s.last_at, c.created_at,
       CASE WHEN s.status IN ('pending', 'on_hold') OR (s.status IN ('solved', 'closed') AND s.mc %% 2 = 0)
            THEN s.last_at - interval '17 minutes' ELSE s.last_at END,
       CASE WHEN s.mc > 1 AND s.status <> 'new' THEN c.created_at + interval '17 minutes' END,
       CASE WHEN s.mc > 1 AND s.status <> 'new'
            THEN s.last_at - CASE WHEN s.mc %% 2 = 0 AND s.status NOT IN ('open') THEN interval '0' ELSE
                 interval '17 minutes' END END,
       CASE WHEN s.status = 'new' THEN c.created_at WHEN s.status = 'open' THEN s.last_at END,
       CASE WHEN s.status IN ('solved', 'closed') THEN s.last_at + interval '5 minutes' END,
       CASE WHEN s.status = 'closed' THEN s.last_at + interval '4 days' END,
       'nb', (ARRAY['negative', 'neutral', 'positive'])[1 + s.n %% 3],
       CASE WHEN s.n %% 4 = 0 THEN '["question", "complaint"]' ELSE '["complaint"]' END::jsonb, 'informal',
       s.n %% 997 = 0, '', 0, 0
FROM bench_seed AS s
JOIN conversations_conversation AS c ON c.id = %(cbase)s + s.n
WHERE s.n BETWEEN %(lo)s AND %(hi)s
"""

#: Message k of conversation n: the customer writes first and every other time (a new ticket's messages are all the
#: customer's, and an open ticket ends with the customer's); the agent who answers signs with their first name.
MESSAGES = """
INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, ticket_id, external_id, direction,
                                   is_public, author_identity_id, author_agent_id, author_name, text, subject,
                                   attachments, in_reply_to, sent_at, received_at, delivery_status, delivery_error,
                                   event_id, triaged_at, language, pii, redacted_text, profane, profanity_terms,
                                   abuse_score, sentiment, sentiment_label, intents, register, signals, edits,
                                   hidden, automatic)
SELECT %(org)s, c.channel_id, c.id, %(tbase)s + s.n, CASE WHEN inbound THEN 'm' ELSE 'r' END || s.n || '-' || k,
       CASE WHEN inbound THEN 'inbound' ELSE 'outbound' END, c.kind = 'public',
       CASE WHEN inbound THEN %(ibase)s + s.m END, CASE WHEN NOT inbound THEN (%(agents)s::int[])[who] END,
       CASE WHEN inbound THEN cu.name ELSE (%(agent_names)s::text[])[who] END,
       pg_temp.bench_text(s.n, k, inbound, (%(agent_names)s::text[])[who]),
       CASE WHEN k = 0 THEN c.subject ELSE '' END, '[]'::jsonb, '',
       s.last_at - interval '17 minutes' * (s.mc - 1 - k), s.last_at - interval '17 minutes' * (s.mc - 1 - k),
       CASE WHEN inbound THEN 'received' ELSE 'sent' END, '', NULL,
       CASE WHEN inbound THEN s.last_at END, CASE WHEN inbound THEN 'nb' ELSE '' END, '[]'::jsonb,
       pg_temp.bench_text(s.n, k, inbound, (%(agent_names)s::text[])[who]), false,
       '[]'::jsonb, CASE WHEN inbound THEN 0.05 END, CASE WHEN inbound THEN -0.4 END,
       CASE WHEN inbound THEN 'negative' ELSE '' END,
       CASE WHEN inbound THEN '["complaint"]' ELSE '[]' END::jsonb, CASE WHEN inbound THEN 'informal' ELSE '' END,
       '[]'::jsonb, '[]'::jsonb, false, ''
FROM bench_seed AS s
JOIN conversations_conversation AS c ON c.id = %(cbase)s + s.n
JOIN customers_customer AS cu ON cu.id = c.customer_id
CROSS JOIN LATERAL (
    SELECT k, (k %% 2 = 0 OR s.status = 'new' OR (s.status = 'open' AND k = s.mc - 1)) AS inbound,
           coalesce(s.agent, 1 + (s.h / 3) %% %(a)s) AS who
    FROM generate_series(0, s.mc - 1) AS k
) AS msg
WHERE s.n BETWEEN %(lo)s AND %(hi)s
"""

TICKET_LABELS = """
INSERT INTO tickets_ticket_labels (ticket_id, label_id)
SELECT %(tbase)s + n, (%(labels)s::bigint[])[1 + (h / 7) %% {nl}] FROM bench_seed WHERE (h / 11) %% 4 = 0
UNION ALL
SELECT %(tbase)s + n, (%(labels)s::bigint[])[1 + ((h / 7) %% {nl} + 1 + (h / 17) %% ({nl} - 1)) %% {nl}]
FROM bench_seed WHERE (h / 11) %% 4 = 0 AND (h / 13) %% 10 = 0
"""

BIG_TABLES = ["customers_customer", "customers_identity", "conversations_conversation", "tickets_ticket",
              "conversations_message", "tickets_ticket_labels"]


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the big tables' indexes that back no constraint: dropped while seeding and built
    again afterwards, which is several times faster than updating twelve indexes row by row."""
    cursor.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
    """, [BIG_TABLES])
    return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def _base(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return int(cursor.fetchone()[0])


def _chunks(total: int, parts: int) -> Iterator[tuple[int, int]]:
    size = max(1, -(-total // parts))
    for lo in range(1, total + 1, size):
        yield lo, min(total, lo + size - 1)


def _people(org: Any, sizes: Sizes) -> tuple[list[Any], list[Any], list[Any]]:
    """Agents (Django users with one password hash, computed once), teams, labels and channels: small, via the ORM."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from webcare.core.models import Agent, Channel, Role, Team
    from webcare.tickets.models import Label

    password = make_password(PASSWORD)
    tag = org.slug
    users = get_user_model().objects.bulk_create([
        get_user_model()(username=f"{tag}-agent{i + 1:02d}", first_name=FIRST[i % len(FIRST)],
                         last_name=LAST[(i * 7) % len(LAST)], email=f"agent{i + 1}@{tag}.example", password=password)
        for i in range(sizes.agents)
    ])
    roles = [Role.ADMIN if i == sizes.agents - 1 else Role.SUPERVISOR if i % 10 == 9 else Role.AGENT
             for i in range(sizes.agents)]
    agents = Agent.objects.bulk_create([Agent(user=user, organisation=org, role=role, languages=["nb", "en"])
                                        for user, role in zip(users, roles, strict=True)])
    teams = Team.objects.bulk_create([
        Team(organisation=org, slug=f"team-{i + 1}", name=TEAMS[i % len(TEAMS)] + ("" if i < len(TEAMS) else f" {i}"))
        for i in range(sizes.teams)])
    # Each agent is in one team, every third agent (the measured one among them) in a second.
    offset = min(3, len(teams) - 1)
    memberships = [(teams[i % len(teams)], agent) for i, agent in enumerate(agents)]
    memberships += [(teams[(i + offset) % len(teams)], agent) for i, agent in enumerate(agents)
                    if i % 3 == 0 and offset]
    through = Team.members.through
    through.objects.bulk_create([through(team_id=team.pk, agent_id=agent.pk) for team, agent in memberships])
    labels = Label.objects.bulk_create([Label(organisation=org, name=name) for name in LABELS])
    for slug, kind, name in CHANNELS:
        Channel.objects.create(organisation=org, slug=slug, kind=kind, name=name)
    return users, teams, labels


def seed(sizes: Sizes | None = None, progress: Progress = _no_progress, slug: str = "bench") -> Seeded:
    """Seed one organisation (``slug``) with ``sizes`` rows through set-based SQL. PostgreSQL only.

    All in one transaction, so a failed seed leaves nothing behind (the test runs it inside its own transaction).
    Foreign-key triggers are off while seeding (``session_replication_role = replica``: the rows are made consistent
    by construction) and the secondary indexes are built after the rows are in.
    """
    from django.db import connection, transaction

    from webcare.core.models import Organisation

    sizes = sizes or Sizes()
    if connection.vendor != "postgresql":
        raise RuntimeError("the scale seed is PostgreSQL SQL (generate_series, hashint8)")
    if sizes.open_tickets * 3 // 2 > sizes.conversations or sizes.big_thread < 1:
        raise ValueError("need conversations ≥ 1.5 × open tickets and a big thread of at least one message")
    started = time.perf_counter()
    now = datetime.now(UTC)
    fmt = {"f": len(FIRST), "l": len(LAST), "g": len(GREETINGS), "p": len(PROBLEMS), "d": len(DETAILS),
           "a": len(ANSWERS), "nl": len(LABELS)}
    with transaction.atomic(), connection.cursor() as cursor:
        progress("organisation, agents, teams, channels", 0.0)
        with transaction.atomic():
            org = Organisation.objects.create(slug=slug, name="Fjordnett (scale benchmark)", languages=["nb", "en"])
            users, teams, labels = _people(org, sizes)
        bases = {table: _base(cursor, table) for table in
                 ("customers_customer", "customers_identity", "conversations_conversation", "tickets_ticket")}
        params: dict[str, Any] = {
            "org": org.pk, "now": now, "c": sizes.conversations, "o": sizes.open_tickets, "k": sizes.customers,
            "a": sizes.agents, "t": sizes.teams, "big": sizes.big_thread, "first": FIRST, "last": LAST,
            "greetings": GREETINGS, "problems": PROBLEMS, "details": DETAILS, "answers": ANSWERS,
            "agents": [user.pk for user in users], "agent_names": [user.first_name for user in users],
            "teams": [team.pk for team in teams], "labels": [label.pk for label in labels],
            "cbase": bases["customers_customer"], "ibase": bases["customers_identity"],
            "tbase": bases["tickets_ticket"],
        }
        dropped = _secondary_indexes(cursor)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        try:
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            cursor.execute("DROP TABLE IF EXISTS bench_seed, bench_channel")
            cursor.execute("DROP FUNCTION IF EXISTS pg_temp.bench_text")
            cursor.execute(TEXT_FUNCTION.format(**fmt), params)
            cursor.execute(SEED_TABLE, params)
            cursor.execute("CREATE UNIQUE INDEX ON bench_seed (n)")
            cursor.execute("""
                CREATE TEMP TABLE bench_channel AS
                SELECT id, kind, (row_number() OVER (PARTITION BY kind ORDER BY id) - 1)::int AS idx,
                       (count(*) OVER (PARTITION BY kind))::int AS cnt
                FROM core_channel WHERE organisation_id = %s AND slug <> 'api'
            """, [org.pk])
            cursor.execute("ANALYZE bench_seed")
            progress("customers", 0.02)
            cursor.execute(CUSTOMERS.format(**fmt), {**params, "base": bases["customers_customer"]})
            progress("identities", 0.06)
            cursor.execute(IDENTITIES.format(kind=KIND_OF.format(m="m"), **fmt),
                           {**params, "base": bases["customers_identity"]})
            parts = 10
            for i, (lo, hi) in enumerate(_chunks(sizes.conversations, parts)):
                progress("conversations", 0.10 + 0.08 * i / parts)
                cursor.execute(CONVERSATIONS.format(kind=KIND_OF.format(m="s.m"), **fmt),
                               {**params, "base": bases["conversations_conversation"], "lo": lo, "hi": hi})
            for i, (lo, hi) in enumerate(_chunks(sizes.conversations, parts)):
                progress("tickets", 0.18 + 0.10 * i / parts)
                cursor.execute(TICKETS, {**params, "base": bases["tickets_ticket"], "lo": lo, "hi": hi})
            parts = 20
            for i, (lo, hi) in enumerate(_chunks(sizes.conversations, parts)):
                progress("messages", 0.28 + 0.40 * i / parts)
                cursor.execute(MESSAGES, {**params, "lo": lo, "hi": hi})
            progress("labels and notes", 0.68)
            cursor.execute(TICKET_LABELS.format(**fmt), params)
            big_ticket = bases["tickets_ticket"] + sizes.conversations
            cursor.execute("""
                INSERT INTO tickets_note (ticket_id, author_id, text, created_at)
                SELECT %s, %s, 'Kunden har ringt inn også; se saken i CRM. (' || i || ')',
                       %s::timestamptz - interval '1 hour' * i
                FROM generate_series(1, 5) AS i
            """, [big_ticket, users[1 % len(users)].pk, now])
            for table in ("customers_customer", "customers_identity", "conversations_conversation", "tickets_ticket",
                          "conversations_message", "tickets_ticket_labels", "tickets_note"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        for i, (_, definition) in enumerate(dropped):
            progress("indexes", 0.70 + 0.28 * i / max(1, len(dropped)))
            cursor.execute(definition)
        progress("ANALYZE", 0.98)
        for table in BIG_TABLES:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("DROP TABLE IF EXISTS bench_seed, bench_channel")
        progress("done", 1.0)
    return _seeded(org, sizes, big_ticket, users[0].get_username(), time.perf_counter() - started)


def _seeded(org: Any, sizes: Sizes, big_ticket: int, username: str, seconds: float) -> Seeded:
    """Count what is in the database for ``org`` (not what was meant to be), so the test checks the real rows."""
    from webcare.conversations.models import Conversation, Message
    from webcare.core.models import Agent, Team
    from webcare.customers.models import Customer, Identity
    from webcare.tickets.models import Status, Ticket

    tickets = Ticket.objects.filter(organisation=org)
    open_tickets = tickets.exclude(status__in=[Status.SOLVED, Status.CLOSED])
    ordinary = open_tickets.filter(status=Status.OPEN, messages__isnull=False).exclude(pk=big_ticket).order_by("-id")
    return Seeded(
        organisation_id=org.pk,
        conversations=Conversation.objects.filter(organisation=org).count(),
        tickets=tickets.count(),
        open_tickets=open_tickets.count(),
        unassigned_share=open_tickets.filter(assignee__isnull=True).count() / max(1, open_tickets.count()),
        messages=Message.objects.filter(organisation=org).count(),
        customers=Customer.objects.filter(organisation=org).count(),
        identities=Identity.objects.filter(organisation=org).count(),
        agents=Agent.objects.filter(organisation=org, user__username__startswith=f"{org.slug}-agent").count(),
        teams=Team.objects.filter(organisation=org).count(),
        labelled_tickets=tickets.filter(labels__isnull=False).distinct().count(),
        big_ticket_id=big_ticket,
        big_ticket_messages=Message.objects.filter(ticket_id=big_ticket).count(),
        ordinary_ticket_id=ordinary.values_list("pk", flat=True).first() or 0,
        agent_username=username,
        seconds=seconds,
    )


def forget_live_test(slug: str = "bench") -> None:
    """Delete what an earlier live test added (its conversations on the ``api`` channel and their customers), so every
    run measures the seeded data set and the live test's new tickets start on the first page of the channel's view."""
    from webcare.conversations.models import Conversation
    from webcare.customers.models import Customer

    Conversation.objects.filter(organisation__slug=slug, channel__slug="api").delete()
    Customer.objects.filter(organisation__slug=slug, identities__platform="api",
                            identities__external_id__startswith="live-").delete()


def seeded_summary(slug: str = "bench") -> Seeded | None:
    """What an earlier run seeded under ``slug`` (None when nothing is): the big thread is the newest seeded
    conversation, which is never on the ``api`` channel that the live test writes to."""
    from webcare.conversations.models import Conversation
    from webcare.core.models import Organisation
    from webcare.tickets.models import Ticket

    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        return None
    big = Conversation.objects.filter(organisation=org).exclude(channel__slug="api").order_by("-id").first()
    ticket = Ticket.objects.filter(conversation=big).order_by("-id").first() if big else None
    return _seeded(org, Sizes(), ticket.pk if ticket else 0, f"{slug}-agent01", 0.0)


# --- measuring ---------------------------------------------------------------------------------------------------

@dataclass
class Timing:
    """Server time of one URL over many requests, and the CPU it took (this process and its database backend)."""

    name: str
    path: str
    rows: int | None
    queries: int
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    target_ms: float | None
    #: Mean CPU per request: the Django process, and the PostgreSQL backend serving its connection. Unlike the wall
    #: time, this does not grow when other jobs on the machine take the CPU away.
    app_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0

    @property
    def meets(self) -> bool | None:
        return None if self.target_ms is None else self.p95_ms <= self.target_ms


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Case:
    """One URL to time; ``before`` runs ahead of each request, untimed."""

    name: str
    path: str
    rows: int | None
    headers: dict[str, str]
    target_ms: float | None
    before: Callable[[], None] | None = None
    wall_ms: list[float] | None = None
    app_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0
    queries: int = 0


def _backend_cpu() -> tuple[int, float]:
    """The PostgreSQL backend serving Django's connection: its pid and CPU time so far (user + system, ms; the kernel
    counts in 10 ms ticks, fine for a mean over hundreds of requests)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, float("nan")
    return pid, (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _same_priority_for_the_database() -> None:
    """Give the PostgreSQL backend of this connection this process's scheduling priority, so that a run started with
    ``nice -n -10`` (to keep other jobs on a shared machine from taking the CPU mid-request) covers the database work
    of each request too. A no-op at the default priority."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0))


def _count_queries(client: Any, case: Case) -> None:
    from django.db import connection

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        case.queries += 1
        return execute(sql, params, many, context)

    if case.before:
        case.before()
    with connection.execute_wrapper(count):
        response = client.get(case.path, headers=case.headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {case.path} answered {response.status_code}")


def time_cases(client: Any, cases: list[Case], requests: int, warmup: int, tick: Callable[[], None]) -> None:
    """Time every case ``requests`` times, in rounds (one request per URL per round), so a burst of other work on
    the machine lands on all URLs alike instead of on whichever was being measured at the time."""
    for case in cases:
        for _ in range(warmup):
            if case.before:
                case.before()
            client.get(case.path, headers=case.headers)
        _count_queries(client, case)
        case.wall_ms = []
    db_samples = dict.fromkeys(range(len(cases)), 0)
    for _ in range(requests):
        for i, case in enumerate(cases):
            assert case.wall_ms is not None
            if case.before:
                case.before()
            pid, db_before = _backend_cpu()
            cpu_before = time.process_time()
            started = time.perf_counter()
            client.get(case.path, headers=case.headers)
            case.wall_ms.append((time.perf_counter() - started) * 1000)
            case.app_cpu_ms += (time.process_time() - cpu_before) * 1000 / requests
            pid_after, db_after = _backend_cpu()
            if pid_after == pid:  # (a connection closed after its maximum age has no "before")
                case.db_cpu_ms += db_after - db_before
                db_samples[i] += 1
            tick()
    for i, case in enumerate(cases):
        case.db_cpu_ms /= max(1, db_samples[i])


def measure_views(seeded: Seeded, requests: int, warmup: int, tick: Callable[[], None]) -> list[Timing]:
    """The inbox's main URLs, signed in as an agent with assigned tickets and two teams."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from webcare.core.models import Channel, Organisation
    from webcare.inbox import queues

    user = get_user_model().objects.get(username=seeded.agent_username)
    org = Organisation.objects.get(pk=seeded.organisation_id)
    client = Client()
    client.force_login(user)
    _same_priority_for_the_database()
    channel = Channel.objects.get(organisation=org, slug="facebook")
    counts = {view.key: view.count for view in queues.views(org, user)}
    keys = ["unassigned", "mine", "teams", "open", f"channel:{channel.slug}"]
    small = f"channel:{SMALL_CHANNEL}"
    htmx = {"HX-Request": "true"}
    list_ms, pane_ms = TARGETS_MS["list"], TARGETS_MS["conversation"]
    # "First after a change": the organisation-wide counts are computed again, as after every live event.
    forget = getattr(queues, "forget_shared_counts", None)  # (the code before this benchmark had no shared counts)
    ordinary = _message_count(seeded.ordinary_ticket_id)
    cases = [
        *(Case(f"inbox page · {key}", f"/inbox/?view={key}", counts[key], {}, list_ms) for key in keys),
        *(Case(f"list partial · {key}", f"/inbox/list/?view={key}", counts[key], htmx, list_ms)
          for key in [*keys, small]),
        Case("view counts partial", "/inbox/views/?view=unassigned", None, htmx, None),
        Case("view counts partial, first after a change", "/inbox/views/?view=unassigned", None, htmx, None,
             forget),
        Case(f"conversation · {seeded.big_ticket_messages} messages", f"/inbox/tickets/{seeded.big_ticket_id}/",
             seeded.big_ticket_messages, htmx, pane_ms),
        Case(f"conversation · {ordinary} messages", f"/inbox/tickets/{seeded.ordinary_ticket_id}/", ordinary, htmx,
             pane_ms),
    ]
    assert len(cases) == CASES
    time_cases(client, cases, requests, warmup, tick)
    return [Timing(case.name, case.path, case.rows, case.queries, len(case.wall_ms or []),
                   percentile(case.wall_ms or [], 50), percentile(case.wall_ms or [], 95), max(case.wall_ms or [0]),
                   case.target_ms, case.app_cpu_ms, case.db_cpu_ms)
            for case in cases]


def _message_count(ticket_id: int) -> int:
    from webcare.conversations.models import Message

    return Message.objects.filter(ticket_id=ticket_id).count()


#: Runs in each browser: the wall-clock time (ms) at which each ticket row and each value of the Unassigned count
#: first appeared, taken in a MutationObserver, i.e. when the swapped-in HTML reached the document.
OBSERVER_JS = """() => {
  window.benchSeen = {}; window.benchCounts = {};
  const stamp = () => performance.timeOrigin + performance.now();
  const scan = () => {
    const t = stamp();
    document.querySelectorAll('#list .row[data-ticket]').forEach((row) => {
      if (!(row.dataset.ticket in window.benchSeen)) window.benchSeen[row.dataset.ticket] = t;
    });
    const count = document.querySelector('#views .count[data-view="unassigned"]');
    if (count && !(count.textContent.trim() in window.benchCounts)) window.benchCounts[count.textContent.trim()] = t;
  };
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true, characterData: true});
  scan();
}"""


@dataclass
class LiveUpdate:
    """One message posted through the API and when each browser showed it (ms after the message row's time)."""

    ticket_id: int
    accepted_to_stored_ms: float
    row_ms: list[float]
    count_ms: list[float]
    from_accepted_ms: list[float]


def _sign_in(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base}/login/?next=/inbox/%3Fview%3Dchannel%3Aapi")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/inbox/**")
    page.goto(f"{base}/inbox/?view=channel:api")
    page.wait_for_function("window.webcareStream && window.webcareStream.readyState === 1", timeout=30_000)
    page.evaluate(OBSERVER_JS)
    return page


def _stored(external_id: str, timeout: float = 15.0) -> tuple[Any, Any]:
    """Wait for the worker to store the message; returns it and its raw event."""
    from webcare.conversations.models import Message

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.select_related("event").filter(external_id=external_id).first()
        if message is not None:
            return message, message.event
        time.sleep(0.02)
    raise RuntimeError(f"message {external_id} was not stored within {timeout:.0f} s")


def measure_live(env: dict[str, str], data_dir: Path, seeded: Seeded, updates: int,
                 tick: Callable[[], None]) -> list[LiveUpdate]:
    """``webcare serve`` on the benchmark database, two agents in Chromium looking at the API channel's view; each
    message posted through the REST API opens a new ticket (Unassigned) and must appear in both lists."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    from playwright.sync_api import sync_playwright

    from webcare.core.models import ApiToken, Organisation

    org = Organisation.objects.get(pk=seeded.organisation_id)
    _, token = ApiToken.issue(org, "inbox-scale benchmark")
    run = uuid.uuid4().hex[:8]
    rng = random.Random(3)
    results: list[LiveUpdate] = []
    with served(Target("PostgreSQL", env, data_dir)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages = [_sign_in(browser, base, f"{org.slug}-agent{i:02d}") for i in (1, 2)]
            unassigned = int(pages[0].locator('#views .count[data-view="unassigned"]').inner_text())
            host, port = base.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            for i in range(updates):
                time.sleep(rng.uniform(0.5, 1.5))  # not in step with the stream's or the worker's polling
                message_id = f"live-{run}-{i}"
                body = {"message_id": message_id, "conversation_id": message_id, "conversation_kind": "private",
                        "author": {"id": f"live-{run}-{i}", "name": "Live Kunde"},
                        "text": "Hei! Nettet er nede hos meg akkurat nå.",
                        "sent_at": datetime.now(UTC).isoformat()}
                conn.request("POST", "/api/v1/inbound", body=json.dumps(body),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 202:
                    raise RuntimeError(f"POST /api/v1/inbound answered {response.status}")
                message, event = _stored(message_id)
                stored_ms = message.received_at.timestamp() * 1000
                accepted_ms = event.received_at.timestamp() * 1000
                expected_count = str(unassigned + i + 1)
                rows, counts = [], []
                for page in pages:
                    page.wait_for_function(f"window.benchSeen['{message.ticket_id}'] !== undefined", timeout=20_000)
                    page.wait_for_function(f"window.benchCounts['{expected_count}'] !== undefined", timeout=20_000)
                    rows.append(page.evaluate(f"window.benchSeen['{message.ticket_id}']"))
                    counts.append(page.evaluate(f"window.benchCounts['{expected_count}']"))
                results.append(LiveUpdate(
                    ticket_id=message.ticket_id or 0, accepted_to_stored_ms=stored_ms - accepted_ms,
                    row_ms=[seen - stored_ms for seen in rows], count_ms=[seen - stored_ms for seen in counts],
                    from_accepted_ms=[seen - accepted_ms for seen in rows]))
                tick()
            conn.close()
        finally:
            browser.close()
    return results


# --- the command -------------------------------------------------------------------------------------------------

def _psql(server: str, sql: str) -> str:
    return subprocess.run(["psql", "-X", "-qAt", f"{server}/postgres", "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def _load() -> str:
    """The load average, and how much of the last minute runnable tasks waited for a CPU (Linux PSI): the benchmark
    shares 2 cores with whatever else runs, so every figure is printed with this next to it."""
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        return f"{load}; CPU pressure {dict(part.split('=') for part in some[1:])['avg60']}%"
    except (OSError, IndexError, KeyError):
        return load


def _live_summary(updates: list[LiveUpdate]) -> dict[str, Any]:
    rows = [ms for update in updates for ms in update.row_ms]
    counts = [ms for update in updates for ms in update.count_ms]
    accepted = [ms for update in updates for ms in update.from_accepted_ms]
    summary: dict[str, Any] = {"updates": len(updates), "browsers": 2, "samples": [asdict(u) for u in updates]}
    for name, values in (("row_after_stored", rows), ("count_after_stored", counts),
                         ("row_after_api_accepted", accepted),
                         ("worker_accepted_to_stored", [u.accepted_to_stored_ms for u in updates])):
        summary[name] = {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                         "max_ms": max(values) if values else float("nan")}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432",
                        help="the PostgreSQL server (the database is webcare_bench on it)")
    parser.add_argument("--reset", action="store_true", help="drop and re-create webcare_bench, then seed")
    parser.add_argument("--conversations", type=int, default=Sizes.conversations, help="default 1,000,000")
    parser.add_argument("--open-tickets", type=int, default=Sizes.open_tickets, help="default 100,000")
    parser.add_argument("--customers", type=int, default=Sizes.customers, help="default 400,000")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per URL first (default 20)")
    parser.add_argument("--live-updates", type=int, default=20, help="messages posted in the live test (default 20)")
    parser.add_argument("--no-live", action="store_true", help="skip the live test (no server, no browser)")
    parser.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after start-up before timing, as a server worker could (see the docs)")
    parser.add_argument("--json", type=Path, default=RESULTS,
                        help=f"results file (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console = Console(width=130)
    server = args.postgres_url.rstrip("/")
    if server.count("/") > 2:  # a database named in the URL: keep only the server
        server = server.rsplit("/", 1)[0]
    if args.reset:
        _psql(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    if not _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        _psql(server, f"CREATE DATABASE {DATABASE}")
    data_dir = Path(tempfile.mkdtemp(prefix="webcare-inbox-scale-"))
    env = dict(os.environ, DATABASE_URL=f"{server}/{DATABASE}", WEBCARE_DATA_DIR=str(data_dir))
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], WEBCARE_DATA_DIR=str(data_dir),
                      DJANGO_SETTINGS_MODULE="webcare.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    console.print(f"machine: {machine()}; load average {_load()}; nice {os.getpriority(os.PRIO_PROCESS, 0)}")

    progress_columns = (TextColumn("{task.description:<40}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                        TimeElapsedColumn())
    forget_live_test()
    seeded = seeded_summary()
    vacuum_seconds = None
    if seeded is None:
        sizes = Sizes(conversations=args.conversations, open_tickets=args.open_tickets, customers=args.customers)
        with Progress(*progress_columns, console=console) as progress:
            task = progress.add_task("seeding", total=1.0)
            seeded = seed(sizes, lambda step, done: progress.update(task, description=f"seeding: {step}",
                                                                    completed=done))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for name in BIG_TABLES:  # sets the visibility map, as autovacuum would on a running desk
                cursor.execute(f"VACUUM (ANALYZE) {name}")
        vacuum_seconds = time.perf_counter() - started
        console.print(f"seeded in {seeded.seconds:.0f} s, then VACUUM ANALYZE in {vacuum_seconds:.0f} s")
    summary = Table(title=f"data set in {DATABASE}")
    for column in ("conversations", "tickets", "not solved/closed", "unassigned share", "messages", "customers",
                   "identities", "agents", "teams", "labelled tickets"):
        summary.add_column(column, justify="right")
    summary.add_row(f"{seeded.conversations:,}", f"{seeded.tickets:,}", f"{seeded.open_tickets:,}",
                    f"{seeded.unassigned_share:.0%}", f"{seeded.messages:,}", f"{seeded.customers:,}",
                    f"{seeded.identities:,}", str(seeded.agents), str(seeded.teams), f"{seeded.labelled_tickets:,}")
    console.print(summary)
    if args.seed_only:
        return

    import webcare.wsgi  # noqa: F401 - start up as a server worker does (whatever webcare.wsgi sets up applies)

    if args.gc_freeze:
        # Objects alive after start-up (modules, URL patterns, templates) move out of the collector's sight, so a
        # full collection walks only what requests made: it took ~80 ms every ~17 requests without this.
        gc.collect()
        gc.freeze()
    load_before = _load()
    # No refresh thread here: it would take the interpreter lock in the middle of timed requests. The bar is redrawn
    # between requests instead.
    with Progress(*progress_columns, console=console, auto_refresh=False) as progress:
        task = progress.add_task("requests (in-process test client)", total=CASES * args.requests)

        def tick() -> None:
            progress.advance(task)
            progress.refresh()

        timings = measure_views(seeded, args.requests, args.warmup, tick)
    table = Table(title=f"server time, {args.requests} requests each after {args.warmup} warm-up"
                        f"{', gc.freeze()' if args.gc_freeze else ''} (load average before: {load_before})")
    for column in ("URL", "rows", "SQL queries", "p50 ms", "p95 ms", "max ms", "target p95", "CPU ms app + db"):
        table.add_column(column, justify="right" if column != "URL" else "left")
    for t in timings:
        mark = "" if t.meets is None else (" ✔" if t.meets else " ✘")
        table.add_row(t.name, "" if t.rows is None else f"{t.rows:,}", str(t.queries), f"{t.p50_ms:.1f}",
                      f"{t.p95_ms:.1f}", f"{t.max_ms:.1f}",
                      "" if t.target_ms is None else f"≤ {t.target_ms:.0f} ms{mark}",
                      f"{t.app_cpu_ms:.0f} + {t.db_cpu_ms:.0f}")
    console.print(table)

    live: dict[str, Any] | None = None
    if not args.no_live:
        with Progress(*progress_columns, console=console) as progress:
            task = progress.add_task("live updates (2 browsers)", total=args.live_updates)
            updates = measure_live(env, data_dir, seeded, args.live_updates, lambda: progress.advance(task))
        live = _live_summary(updates)
        lt = Table(title=f"live update: {live['updates']} new messages through the API, 2 browsers "
                         "(ms after Message.received_at)")
        for column in ("what", "p50 ms", "p95 ms", "max ms", "target"):
            lt.add_column(column, justify="right" if column != "what" else "left")
        for key, label, target in (("row_after_stored", "row appears in the list", "≤ 1,000 ms"),
                                   ("count_after_stored", "Unassigned count shows it", "≤ 1,000 ms"),
                                   ("row_after_api_accepted", "row appears, from the API's 202", ""),
                                   ("worker_accepted_to_stored", "API 202 → stored by the worker", "")):
            figures = live[key]
            lt.add_row(label, f"{figures['p50_ms']:.0f}", f"{figures['p95_ms']:.0f}", f"{figures['max_ms']:.0f}",
                       target)
        console.print(lt)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "measured": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "load_average_before": load_before, "load_average_after": _load(), "database": DATABASE,
        "nice": os.getpriority(os.PRIO_PROCESS, 0), "gc_freeze": args.gc_freeze,
        "seeded": asdict(seeded), "vacuum_seconds": vacuum_seconds, "requests": args.requests, "warmup": args.warmup,
        "views": [asdict(t) | {"meets_target": t.meets} for t in timings], "live": live,
    }, indent=2, ensure_ascii=False) + "\n")
    console.print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
