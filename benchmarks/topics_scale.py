"""The topics view (/supervisor/topics/) at 100,000 and 1,000,000 messages on PostgreSQL: server time of the page.

Seeds (once) a PostgreSQL database ``webcare_bench_topics`` with two organisations — ``topics-100k`` with 100,000
inbound messages and ``topics-1m`` with 1,000,000 — spread evenly over the last 26 weeks (about 3,800 and 38,000 a
week), on four channels, in six languages, from ~60 message templates about invoices, prices, outages, the app,
eSIM, deliveries and praise with a varying product or place word; triaged (language, sentiment, intents, masked
text); one ticket per five messages, some labelled. This week a small storm is added (2 % of the week's messages
about error E503 and eSIM in Bergen), so there is something to discover. Set-based SQL (``INSERT … SELECT`` over
``generate_series``): a minute or two.

Then, in-process with Django's test client signed in as a supervisor, it times for each organisation:

- **the warm-up task** (webcare/insights/warm.py): its passes from nothing stored until nothing is due (this week's
  and last week's days and the week before's), each pass timed (the longest is what the automation loop's other
  tasks may wait);
- **first look after the warm-up**: whole days stored by the task, nothing remembered in the process (also what a
  restart costs): the stored days are read, the running day's part of both spans counted;
- **first look before any warm-up** (a fresh install that imported everything): the page, which answers at once
  with its progress, and the page plus its htmx steps until the counts show (what the supervisor waits in all);
- **refresh**: the page when what lasts five minutes has expired (what the first supervisor in each five minutes
  pays: the running hour of today and of last week's same day are counted again; whole days and whole hours come
  from memory);
- **remembered**: the page within the five minutes (and with a filter, and the CSV); the CSV with nothing stored
  (a download: it counts while it answers);
- **a whole past week** (the week picker): before any warm-up, and after it;
- **late in the day**: as if it were 23:00 yesterday, days stored by the task, nothing remembered — the page counts
  the running day's 23 finished hours of both weeks itself (the task stores whole days only);
- the parts of a cold page: reading the rows from the database only, and the counting per message.

    python benchmarks/topics_scale.py               # seed if needed, measure, write the JSON
    python benchmarks/topics_scale.py --reset       # drop and seed again
    python benchmarks/topics_scale.py --repeat 3    # a quicker look
    python benchmarks/topics_scale.py --seed-only   # seed if needed, measure nothing

Results: benchmarks/results/topics_scale.json; figures in docs/benchmarks.md ("Topics view").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress

from benchmarks._harness import ROOT, machine
from benchmarks.dashboard_scale import constant_column_defaults
from benchmarks.inbox_scale import _load, _psql

DATABASE = "webcare_bench_topics"
RESULTS = ROOT / "benchmarks" / "results" / "topics_scale.json"
SIZES = {"topics-100k": 100_000, "topics-1m": 1_000_000}
WEEKS = 26
SUPERVISOR = "bench-topics-supervisor"
console = Console()

#: (language, sentiment, intents, masked text). A product or place word is appended to each.
TEMPLATES: list[tuple[str, str, str, str]] = [
    ("nb", "negative", "complaint", "Fakturaen er feil igjen, dere har trukket meg to ganger"),
    ("nb", "negative", "question,complaint", "Hvorfor er fakturaen så høy denne måneden?"),
    ("nb", "neutral", "question", "Når kommer neste faktura?"),
    ("nb", "negative", "complaint", "Nettet er nede igjen, ingen dekning hjemme"),
    ("nb", "negative", "complaint", "Appen virker ikke, får ikke logget inn"),
    ("nb", "neutral", "question", "Hvordan aktiverer jeg eSIM på ny telefon?"),
    ("nb", "negative", "complaint", "Prisen økte igjen uten varsel, dette er for dyrt"),
    ("nb", "positive", "praise", "Tusen takk for rask hjelp i dag, dere er gode"),
    ("nb", "neutral", "question", "Kan jeg flytte abonnementet til ny adresse?"),
    ("nb", "negative", "complaint", "Har ventet i kø i 40 minutter på kundeservice"),
    ("nb", "neutral", "sales_lead", "Vurderer å bytte til dere, hva koster familiepakken?"),
    ("nb", "negative", "complaint", "Ruteren starter på nytt hele tiden"),
    ("nb", "positive", "praise", "Endelig stabilt nett etter oppgraderingen, fornøyd"),
    ("nb", "neutral", "question", "Hvor finner jeg PUK-koden min?"),
    ("sv", "negative", "complaint", "Fakturan är fel igen, ni har dragit pengar två gånger"),
    ("sv", "negative", "complaint", "Nätet ligger nere, ingen täckning alls"),
    ("sv", "neutral", "question", "Hur aktiverar jag eSIM i min nya telefon?"),
    ("sv", "positive", "praise", "Tack för snabb hjälp, mycket nöjd"),
    ("sv", "negative", "complaint", "Appen fungerar inte, kan inte logga in"),
    ("sv", "neutral", "question", "När kommer min beställning?"),
    ("sv", "negative", "complaint", "Priset höjdes utan förvarning"),
    ("da", "negative", "complaint", "Fakturaen er forkert igen"),
    ("da", "negative", "complaint", "Internettet er nede igen i aften"),
    ("da", "neutral", "question", "Hvordan opsiger jeg mit abonnement?"),
    ("da", "positive", "praise", "Tak for den hurtige hjælp"),
    ("da", "neutral", "question", "Hvornår kommer min pakke?"),
    ("fi", "negative", "complaint", "Laskussa on virhe, veloititte kahdesti"),
    ("fi", "negative", "complaint", "Netti ei toimi taaskaan"),
    ("fi", "neutral", "question", "Miten aktivoin eSIMin uuteen puhelimeen?"),
    ("fi", "positive", "praise", "Kiitos nopeasta avusta"),
    ("fi", "neutral", "question", "Milloin tilaukseni toimitetaan?"),
    ("en", "negative", "complaint", "My invoice is wrong again, you charged me twice"),
    ("en", "negative", "complaint", "Internet is down again, no signal at home"),
    ("en", "neutral", "question", "How do I activate eSIM on my new phone?"),
    ("en", "positive", "praise", "Thanks for the quick help, great service"),
    ("en", "negative", "complaint", "The app is not working, cannot log in"),
    ("en", "negative", "complaint", "Why did the price go up again?"),
    ("en", "neutral", "sales_lead", "Thinking of switching to you, what does the family plan cost?"),
    ("en", "neutral", "question", "Where is my order?"),
    ("nl", "negative", "complaint", "Mijn factuur klopt weer niet"),
    ("nl", "negative", "complaint", "Internet werkt niet, storing al de hele dag"),
    ("nl", "neutral", "question", "Hoe activeer ik eSIM op mijn nieuwe telefoon?"),
    ("nl", "positive", "praise", "Bedankt voor de snelle hulp"),
    ("nl", "neutral", "question", "Wanneer wordt mijn bestelling geleverd?"),
]
WORDS = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø", "Göteborg", "Malmö", "Aarhus", "Tampere", "Utrecht",
         "iPhone", "Galaxy", "Pixel", "Chromecast", "router", "fiber", "5G", "Premium", "Familie", "Mobil 10 GB",
         "ruter", "modem", "TV-boks", "Netflix", "roaming", "Spania", "Sverige", "Danmark", "Tyskland", "hytta"]
STORM = [("nb", "negative", "complaint", "Feilkode E503 når jeg aktiverer eSIM i Bergen"),
         ("sv", "negative", "complaint", "Felkod E503 när jag aktiverar eSIM i Bergen"),
         ("en", "negative", "complaint", "Error E503 activating eSIM in Bergen")]
#: The JSON list columns of a message without a database default (attachments, pii, profanity_terms, signals, edits).
EMPTY = ", ".join(["'[]'::jsonb"] * 5)
CHANNELS = [("x", "x", "X"), ("facebook", "facebook", "Facebook"), ("email", "email", "E-mail"),
            ("webchat", "webchat", "Web chat")]


def _values(rows: list[tuple[str, str, str, str]]) -> str:
    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return ", ".join(f"({i}, {q(lang)}, {q(sentiment)}, {q(intents)}, {q(text)})"
                     for i, (lang, sentiment, intents, text) in enumerate(rows))


def seed(slug: str, messages: int) -> int:
    """One organisation with ``messages`` inbound messages over the last :data:`WEEKS` weeks (plus this week's storm);
    returns its id."""
    from django.db import connection

    from webcare.core.models import Channel, Organisation

    org = Organisation.objects.create(slug=slug, name=slug, languages=["nb", "sv", "da", "fi", "en", "nl"])
    channels = [Channel.objects.create(organisation=org, kind=kind, slug=s, name=name).pk for s, kind, name in CHANNELS]
    conversations = messages // 5
    words = "ARRAY[" + ", ".join("'" + w + "'" for w in WORDS) + "]"
    chans = "ARRAY[" + ", ".join(str(c) for c in channels) + "]"
    with constant_column_defaults(), connection.cursor() as cursor, Progress(console=console) as progress:
        task = progress.add_task(f"seeding {slug}", total=5)
        cursor.execute(f"""
            INSERT INTO conversations_conversation (organisation_id, channel_id, external_id, kind, subject,
                                                    created_at, last_message_at)
            SELECT {org.pk}, ({chans})[1 + g % {len(channels)}], '{slug}-c' || g, 'private', '', now(), now()
            FROM generate_series(1, {conversations}) g""")
        progress.advance(task)
        cursor.execute(f"""
            INSERT INTO tickets_ticket (organisation_id, conversation_id, status, priority, created_at, updated_at,
                                        intents)
            SELECT {org.pk}, c.id, 'solved', 3, now(), now(), '[]'::jsonb FROM conversations_conversation c
            WHERE c.organisation_id = {org.pk}""")
        progress.advance(task)
        cursor.execute(f"""
            WITH t(i, lang, sentiment, intents, body) AS (VALUES {_values(TEMPLATES)}),
                 conv AS (SELECT c.id, c.channel_id, t.id AS ticket_id,
                                 row_number() OVER (ORDER BY c.id) - 1 AS n
                          FROM conversations_conversation c JOIN tickets_ticket t ON t.conversation_id = c.id
                          WHERE c.organisation_id = {org.pk}),
                 g AS (SELECT g, now() - random() * interval '{WEEKS * 7} days' AS at
                       FROM generate_series(1, {messages}) g)
            INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, ticket_id, external_id,
                direction, is_public, author_name, text, sent_at, received_at, language, redacted_text,
                sentiment_label, intents, triaged_at, attachments, pii, profanity_terms, signals, edits)
            SELECT {org.pk}, conv.channel_id, conv.id, conv.ticket_id, '{slug}-m' || g.g, 'inbound', false, 'Kunde',
                   '', g.at, g.at, t.lang, t.body || ' ' || ({words})[1 + (g.g * 7) % {len(WORDS)}] || ' ' || g.g % 97,
                   t.sentiment, to_jsonb(string_to_array(t.intents, ',')), g.at, {EMPTY}
            FROM g JOIN t ON t.i = g.g % {len(TEMPLATES)} JOIN conv ON conv.n = g.g % {conversations}""")
        progress.advance(task)
        storm = max(messages // WEEKS // 50, 30)
        cursor.execute(f"""
            WITH t(i, lang, sentiment, intents, body) AS (VALUES {_values(STORM)}),
                 conv AS (SELECT c.id, c.channel_id, t.id AS ticket_id, row_number() OVER (ORDER BY c.id) - 1 AS n
                          FROM conversations_conversation c JOIN tickets_ticket t ON t.conversation_id = c.id
                          WHERE c.organisation_id = {org.pk})
            INSERT INTO conversations_message (organisation_id, channel_id, conversation_id, ticket_id, external_id,
                direction, is_public, author_name, text, sent_at, received_at, language, redacted_text,
                sentiment_label, intents, triaged_at, attachments, pii, profanity_terms, signals, edits)
            SELECT {org.pk}, conv.channel_id, conv.id, conv.ticket_id, '{slug}-s' || g, 'inbound', false, 'Kunde', '',
                   now() - random() * (now() - date_trunc('week', now())), now(), t.lang, t.body, t.sentiment,
                   to_jsonb(string_to_array(t.intents, ',')), now(), {EMPTY}
            FROM generate_series(1, {storm}) g JOIN t ON t.i = g % {len(STORM)} JOIN conv ON conv.n = g""")
        progress.advance(task)
        for name, share in (("billing", 7), ("outage-bergen", 23)):
            cursor.execute(f"INSERT INTO tickets_label (organisation_id, name) VALUES ({org.pk}, '{name}') "
                           "RETURNING id")
            label = cursor.fetchone()[0]
            cursor.execute(f"""INSERT INTO tickets_ticket_labels (ticket_id, label_id)
                               SELECT id, {label} FROM tickets_ticket WHERE organisation_id = {org.pk}
                               AND id % {share} = 0""")
        progress.advance(task)
    return int(org.pk)


def timed(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1), "max_ms": round(samples[-1], 1), "n": repeat}


def _supervisor(org_id: int) -> Any:
    from django.contrib.auth import get_user_model

    from webcare.core.models import Agent, Role

    user, _made = get_user_model().objects.get_or_create(username=f"{SUPERVISOR}-{org_id}")
    Agent.objects.get_or_create(user=user, organisation_id=org_id, defaults={"role": Role.SUPERVISOR})
    return user


def _forget_running(org: Any) -> None:
    """Forget what expires every five minutes: the running rest of both spans, the spans' digests and the view."""
    from django.core.cache import cache
    from django.utils import timezone

    from webcare.insights import figures
    from webcare.insights.topics import Filters
    from webcare.insights.views import zone_of
    from webcare.insights.weeks import RUNNING, Week, comparison, pieces

    zone = zone_of(org)
    now = figures.rounded_now(timezone.now())
    span = comparison(Week.of(now.astimezone(zone).date()), now, zone)
    themes = figures.theme_set(org)
    keys = [figures.view_key(org.pk, span, themes, True, Filters(), "volume")]
    for part in (span.this, span.last):
        keys.append(figures._key(org.pk, themes, True, part, "span"))
        keys += [figures._key(org.pk, themes, True, piece, kind) for piece, kind in pieces(part, zone)
                 if kind == RUNNING]
    for key in keys:
        cache.delete("webcare:supervision:" + key)


def measure(org: Any, repeat: int) -> dict[str, Any]:
    from datetime import timedelta

    import time_machine
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from webcare.insights import figures, topics, warm
    from webcare.insights.models import DayDigest, WarmLease
    from webcare.insights.views import zone_of
    from webcare.insights.weeks import Week, comparison

    client = Client()
    client.force_login(_supervisor(org.pk))
    zone = zone_of(org)
    now = figures.rounded_now(timezone.now())
    this_week = Week.of(now.astimezone(zone).date())
    span = comparison(this_week, now, zone)
    past = comparison(this_week.shift(-1), now, zone)
    themes = figures.theme_set(org)
    terms_of = figures.terms_function()

    def page(path: str = "/supervisor/topics/", forget: str = "") -> str:
        if forget in ("all", "stored"):
            cache.clear()
        if forget == "stored":
            DayDigest.objects.filter(organisation=org).delete()
        elif forget == "running":
            _forget_running(org)
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.content.decode()

    def stepped(path: str = "/supervisor/topics/") -> int:
        """A cold look as the browser makes it: the page (progress), then its htmx steps until the counts show;
        returns the steps."""
        html = page(path, forget="stored")
        steps = 0
        while (found := re.search(r'id="topic-counts"[^>]* hx-get="([^"]+)"', html)) is not None:
            html = page(unescape(found.group(1)))
            steps += 1
        assert 'id="everything"' in html
        return steps

    def warmed() -> int:
        """The warm-up task's passes over this organisation from nothing stored until nothing is due; returns the
        passes (each timed into ``passes``)."""
        cache.clear()
        DayDigest.objects.filter(organisation=org).delete()
        WarmLease.objects.filter(organisation=org).delete()
        count = 0
        while True:
            started = time.perf_counter()
            done = warm.warm(org, timezone.now())
            passes.append((time.perf_counter() - started) * 1000)
            if not done:
                return count
            count += 1

    late = (now.astimezone(zone).replace(hour=23, minute=0, second=0, microsecond=0) - timedelta(days=1))

    def late_look() -> None:
        """Late in the day: as if it were 23:00 yesterday (local), days stored by the warm-up task then, nothing
        remembered: the page counts the day's 23 finished hours and last week's same stretch itself."""
        with time_machine.travel(late, tick=False):
            if not DayDigest.objects.filter(organisation=org, computed_at=late).exists():
                while warm.warm(org, late):
                    pass
            page(forget="all")

    def scanned(which: Any) -> int:
        return sum(1 for _ in figures.rows(org.pk, which, themes.labels))

    messages = {"this span": scanned(span.this), "last span": scanned(span.last),
                "past week": scanned(past.this), "week before": scanned(past.last)}
    page()  # warm up: imports, templates, the stemmer's caches
    results: dict[str, Any] = {"messages_read": messages}
    passes: list[float] = []
    steps: list[int] = []
    cold = max(2, repeat // 3)
    cases: dict[str, tuple[Callable[[], Any], int]] = {
        "warm-up task: every due day stored, all passes (nothing stored before)": (warmed, cold),
        "GET this week so far, first look after the warm-up task ran (days stored, nothing remembered)": (
            lambda: page(forget="all"), repeat),
        "GET this week so far, first look before any warm-up: the page (progress)": (
            lambda: page(forget="stored"), cold),
        "GET this week so far, first look before any warm-up: page + steps until the counts show": (
            lambda: steps.append(stepped()), cold),
        "GET this week so far, refresh (running day expired)": (lambda: page(forget="running"), repeat),
        "GET this week so far, remembered": (page, repeat),
        "GET … ?language=sv&sort=growth, remembered": (lambda: page("/supervisor/topics/?language=sv&sort=growth"),
                                                      repeat),
        "GET … ?format=csv, remembered": (lambda: page("/supervisor/topics/?format=csv"), repeat),
        "GET … ?format=csv, nothing stored (counted while it answers)": (
            lambda: page("/supervisor/topics/?format=csv", forget="stored"), 1),
        f"GET ?week={past.week.label} (a whole past week), first look before any warm-up: page + steps": (
            lambda: steps.append(stepped(f"/supervisor/topics/?week={past.week.label}")), cold),
        f"GET ?week={past.week.label} (a whole past week), after the warm-up (days stored)": (
            lambda: page(f"/supervisor/topics/?week={past.week.label}", forget="all"), repeat),
        "GET this week so far at 23:00 yesterday, first look after the warm-up (today's 23 hours counted)": (
            lambda: late_look(), repeat),
        "read the rows of this span only (no counting)": (lambda: scanned(span.this), cold),
        "count this span (read + themes + salient terms)": (
            lambda: topics.count(figures.rows(org.pk, span.this, themes.labels), themes.themes, terms_of), cold),
    }
    for name, (call, n) in cases.items():
        results[name] = timed(call, n)
        console.print(f"  {name:<58} p50 {results[name]['p50_ms']:>9.1f} ms   max {results[name]['max_ms']:>9.1f} ms")
    per_message = results["count this span (read + themes + salient terms)"]["p50_ms"] / max(messages["this span"], 1)
    results["count per message (µs)"] = round(per_message * 1000, 1)
    results["warm-up task: days and messages it stores"] = {
        "days": len(warm.wanted_days(org, timezone.now())),
        "messages": figures.messages_in(org.pk, warm.wanted_days(org, timezone.now()))}
    results["warm-up task: passes per warm-up"] = round(len(passes) / cold) - 1
    results["warm-up task: longest pass (ms)"] = round(max(passes), 1)
    results["cold look: htmx steps until the counts show"] = steps
    return results


def plan(org_id: int) -> list[str]:
    """PostgreSQL's plan for reading a week of one organisation's inbound messages."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from webcare.insights import figures
    from webcare.insights.weeks import Span

    now = timezone.now()
    queryset = figures._messages(org_id, Span(now - timedelta(days=7), now)).order_by("sent_at", "id").values_list(
        "id", "channel_id", "language", "sentiment_label", "intents", "redacted_text", "ticket_id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reset", action="store_true", help="drop the database and seed again")
    parser.add_argument("--repeat", type=int, default=6, help="timed calls per case (cold ones: a third)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--seed-only", action="store_true", help="seed if needed, measure nothing")
    args = parser.parse_args()

    server = args.postgres_url.rstrip("/")
    if args.reset:
        for name in (args.database, f"{args.database}_keyring"):
            _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if not _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'"):
        _psql(server, f"CREATE DATABASE {args.database}")
    os.environ.update(DATABASE_URL=f"{server}/{args.database}",
                      WEBCARE_DATA_DIR=tempfile.mkdtemp(prefix="webcare-topics-scale-"),
                      DJANGO_SETTINGS_MODULE="webcare.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from webcare.conversations.models import Message
    from webcare.core.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)
    console.print(f"machine: {machine()}; load average {_load()}")
    for slug, size in SIZES.items():
        if not Organisation.objects.filter(slug=slug).exists():
            seed(slug, size)
            with connection.cursor() as cursor:
                for table in ("conversations_message", "tickets_ticket", "conversations_conversation"):
                    cursor.execute(f"VACUUM (ANALYZE) {table}")

    if args.seed_only:
        return
    import webcare.wsgi  # noqa: F401 - start up as a server worker does

    report: dict[str, Any] = {"machine": machine(), "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "load_before": _load(), "repeat": args.repeat, "organisations": {}}
    for slug in SIZES:
        org = Organisation.objects.get(slug=slug)
        total = Message.objects.filter(organisation=org).count()
        console.print(f"[bold]{slug}[/bold]: {total:,} messages")
        report["organisations"][slug] = {"messages": total, **measure(org, args.repeat), "plan": plan(org.pk)}
    report["load_after"] = _load()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    console.print(f"written: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
