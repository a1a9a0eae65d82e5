"""Search at scale: the tantivy index at 1 million and 10 million messages, measured through the REST API.

For each size it builds an index and times the queries agents make through the REST API (``GET /api/v1/search``
with an API token) on a PostgreSQL database — the scale deployment: by default with Django's test client in this
process (the whole URL, middleware, token and API stack; no server or HTTP in between), with ``--http`` as HTTP
requests to a real ``webcare serve`` (granian, two web processes, ``--no-worker`` so no indexer competes):

**The documents.** Short customer messages generated from word lists in eight languages (nb, nn, da, sv, fi, nl, de,
en; 8–20 words, Zipf-distributed so some words are common and most are rare), with a customer name, an order number
in a third of them and a product code in a fifth (a large vocabulary, as real text has), spread over a year, eleven
channels, eight teams, 50 agents, statuses, sentiments and intents.

The index is built straight from the generated documents (``backend.rebuild``): the pure indexing rate. With
``--from-database``, sizes up to 1M are first seeded into PostgreSQL (bulk inserts) and indexed with the real
rebuild (``indexer.rebuild``, which reads the database in batches): the "rebuild from the database" rate. The search
API reads only the index, so the query timings do not depend on how many rows the database holds.

    python benchmarks/search_scale.py                          # 1M and 10M, 200 requests per case
    python benchmarks/search_scale.py --sizes 1000000 --requests 100 --from-database --http
    python benchmarks/search_scale.py --postgres-url postgres://postgres@127.0.0.1:5432/webcare

Needs PostgreSQL (a database ``webcare_bench_<pid>`` is created and dropped) and ~3 GB of disk per 10M documents
(under the system's temporary directory; removed afterwards). Results: benchmarks/results/search_scale.json;
figures in docs/benchmarks.md ("Search at scale"). Targets (issue 8): p95 ≤ 50 ms at 1M, ≤ 150 ms at 10M.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import ROOT, Target, machine, postgres_target, served, sqlite_target

RESULTS = ROOT / "benchmarks" / "results" / "search_scale.json"
TARGETS_MS = {1_000_000: 50.0, 10_000_000: 150.0}
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

#: Customer-service words per language, most frequent first (Zipf weights follow the order).
WORDS: dict[str, list[str]] = {
    "nb": ("hei jeg har et problem med fakturaen min og nettet er nede igjen kan dere hjelpe meg ruteren blinker "
           "rødt mobilabonnementet ble for dyrt takk for svar venter fortsatt på pakken som ikke har kommet fram "
           "strømmen tv signalet forsvant flytting oppsigelse bestillingen kundeservice dekning roaming betaling "
           "trekk kortet fiberen kabelen montøren avtalen rabatten kampanjen ødelagt treg hastighet").split(),
    "nn": ("hei eg har eit problem med rekninga mi og nettet er nede att kan de hjelpe meg ruteren blinkar raudt "
           "abonnementet vart for dyrt takk for svar ventar framleis på pakken som ikkje har kome fram straumen "
           "signalet forsvann flytting oppseiing bestillinga dekninga betalinga kortet fiberen montøren avtalen "
           "rabatten øydelagd treg").split(),
    "da": ("hej jeg har et problem med regningen og nettet er nede igen kan I hjælpe mig routeren blinker rødt "
           "abonnementet blev for dyrt tak for svar venter stadig på pakken som ikke er kommet frem strømmen "
           "signalet forsvandt flytning opsigelse bestillingen kundeservice dækning betaling kortet fiberen "
           "montøren aftalen rabatten ødelagt langsom hastighed").split(),
    "sv": ("hej jag har ett problem med fakturan och nätet är nere igen kan ni hjälpa mig routern blinkar rött "
           "abonnemanget blev för dyrt tack för svar väntar fortfarande på paketet som inte har kommit fram "
           "strömmen signalen försvann flytt uppsägning beställningen kundtjänst täckning betalning kortet "
           "fibern montören avtalet rabatten trasig långsam hastighet").split(),
    "fi": ("hei minulla on ongelma laskun kanssa ja verkko on taas alhaalla voitteko auttaa reititin vilkkuu "
           "punaisena liittymä tuli liian kalliiksi kiitos vastauksesta odotan yhä pakettia joka ei ole tullut "
           "sähkö signaali katosi muutto irtisanominen tilaus asiakaspalvelu kuuluvuus maksu kortti kuitu "
           "asentaja sopimus alennus rikki hidas nopeus").split(),
    "nl": ("hallo ik heb een probleem met mijn factuur en het netwerk ligt er weer uit kunnen jullie helpen de "
           "router knippert rood het abonnement werd te duur bedankt voor het antwoord wacht nog steeds op het "
           "pakket dat niet is aangekomen stroom signaal verdwenen verhuizing opzegging bestelling klantenservice "
           "dekking betaling kaart glasvezel monteur contract korting kapot traag snelheid").split(),
    "de": ("hallo ich habe ein problem mit meiner rechnung und das netz ist wieder ausgefallen können sie mir "
           "helfen der router blinkt rot das abonnement wurde zu teuer danke für die antwort warte immer noch auf "
           "das paket das nicht angekommen ist strom signal verschwunden umzug kündigung bestellung kundendienst "
           "abdeckung zahlung karte glasfaser techniker vertrag rabatt kaputt langsam störung").split(),
    "en": ("hi i have a problem with my invoice and the network is down again can you help me the router is "
           "blinking red my subscription got too expensive thanks for the reply still waiting for the parcel "
           "that has not arrived power signal disappeared moving cancellation order customer service coverage "
           "payment card fibre technician contract discount broken slow speed outage").split(),
}
LANGUAGE_SHARE = {"nb": 40, "en": 15, "sv": 10, "da": 10, "de": 8, "fi": 7, "nl": 6, "nn": 4}
CHANNELS = ["facebook", "instagram", "x", "whatsapp", "telegram", "email", "webchat", "reviews", "listening", "api"]
STATUSES = (["new"] * 5 + ["open"] * 10 + ["pending"] * 5 + ["on_hold"] * 1 + ["solved"] * 30 + ["closed"] * 49)
SENTIMENTS = ["negative"] * 3 + ["neutral"] * 5 + ["positive"] * 2
INTENTS = ["question", "complaint", "praise", "sales_lead", "spam", "other"]
FIRST = ["Kari", "Ola", "Ingrid", "Lars", "Sunniva", "Anders", "Maja", "Jonas", "Emma", "Henrik", "Nora", "Magnus",
         "Sofie", "Erik", "Anna", "Lukas", "Mia", "Elias", "Aino", "Mikko", "Sanne", "Daan", "Lena", "Jonas"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersson", "Nielsen", "Virtanen", "de Vries",
        "Müller", "Schmidt", "Smith", "Berg", "Haugen", "Lie", "Dahl", "Korhonen", "Jansen", "Meyer", "Brown"]
TEAMS = 8
AGENTS = 50
MESSAGES_PER_TICKET = 4


class Generator:
    """Deterministic documents: the same seed gives the same corpus."""

    def __init__(self, seed: int = 8) -> None:
        self.random = random.Random(seed)
        self.languages = list(LANGUAGE_SHARE)
        self.language_weights = list(LANGUAGE_SHARE.values())
        self.cum: dict[str, list[float]] = {}
        for language, words in WORDS.items():
            total = 0.0
            cum = []
            for rank in range(len(words)):
                total += 1.0 / (rank + 1) ** 0.9
                cum.append(total)
            self.cum[language] = cum

    def text(self, language: str) -> str:
        r = self.random
        words = r.choices(WORDS[language], cum_weights=self.cum[language], k=r.randint(8, 20))
        if r.random() < 0.33:
            words.append(f"ordre {r.randint(1, 3_000_000)}")
        if r.random() < 0.2:
            words.append(f"{r.choice('ABCDEFGHKMNPRSTX')}{r.choice('ABCDEFGHKMNPRSTX')}{r.randint(100, 99_999)}")
        return " ".join(words).capitalize()

    def docs(self, count: int, organisation_id: int, team_ids: list[int], agent_ids: list[int],
             first_message_id: int = 1) -> Iterator[Any]:
        from webcare.search.backend import IndexDoc

        r = self.random
        ticket = conversation = 0
        language = "nb"
        for n in range(count):
            if n % MESSAGES_PER_TICKET == 0:
                ticket += 1
                conversation += 1
                language = r.choices(self.languages, weights=self.language_weights)[0]
                channel = r.choice(CHANNELS)
                status = r.choice(STATUSES)
                team = r.choice(team_ids) if r.random() < 0.8 else None
                assignee = r.choice(agent_ids) if r.random() < 0.5 else None
                name = f"{r.choice(FIRST)} {r.choice(LAST)}"
                names = (name, "@" + name.lower().replace(" ", "_") + str(r.randint(1, 999)))
                start = NOW - timedelta(seconds=r.randint(0, 365 * 86400))
            yield IndexDoc(
                message_id=first_message_id + n, organisation_id=organisation_id, ticket_id=ticket,
                conversation_id=conversation, customer_id=ticket, channel=channel, language=language,
                sentiment=r.choice(SENTIMENTS), intents=(r.choice(INTENTS),), status=status, team_id=team,
                assignee_id=assignee, sent_at=start + timedelta(minutes=n % MESSAGES_PER_TICKET * 7),
                text=self.text(language), names=names)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# -- set-up ---------------------------------------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "WEBCARE_DATA_DIR", "WEBCARE_SEARCH_DIR") if k in env})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    import django

    django.setup()


def world() -> tuple[Any, str, list[int], list[int]]:
    """The organisation, an API token, its teams and agents."""
    from django.contrib.auth import get_user_model

    from webcare.core.models import Agent, ApiToken, Channel, Organisation, Role, Team

    org = Organisation.objects.create(slug="bench", name="Bench", languages=list(LANGUAGE_SHARE))
    teams = [Team.objects.create(organisation=org, slug=f"team-{i}", name=f"Team {i}").pk for i in range(TEAMS)]
    users = []
    for i in range(AGENTS):
        user = get_user_model().objects.create_user(username=f"agent{i}", password=None)
        Agent.objects.create(user=user, organisation=org, role=Role.AGENT)
        users.append(user.pk)
    for kind in CHANNELS:
        Channel.objects.create(organisation=org, kind=kind, slug=kind, name=kind)
    _, token = ApiToken.issue(org, "bench")
    return org, token, teams, users


def seed_database(org: Any, count: int, teams: list[int], agents: list[int], say: Any) -> float:
    """``count`` messages as rows (customers, conversations, tickets, messages) through bulk inserts; seconds."""
    from webcare.conversations.models import Conversation, Message
    from webcare.core.models import Channel
    from webcare.customers.models import Customer
    from webcare.tickets.models import Ticket

    started = time.perf_counter()
    channels = {channel.kind: channel for channel in Channel.objects.filter(organisation=org)}
    generator = Generator(seed=1)
    batch = 20_000
    docs = generator.docs(count, org.pk, teams, agents)
    done = 0
    while done < count:
        chunk = [next(docs) for _ in range(min(batch, count - done))]
        tickets: dict[int, Any] = {}
        for doc in chunk:
            tickets.setdefault(doc.ticket_id, doc)
        customers = Customer.objects.bulk_create([Customer(organisation=org, name=doc.names[0])
                                                  for doc in tickets.values()], batch_size=5_000)
        conversations = Conversation.objects.bulk_create([
            Conversation(organisation=org, channel=channels[doc.channel], external_id=f"s{count}-c{doc.ticket_id}",
                         kind="private", customer=customer, created_at=doc.sent_at, last_message_at=doc.sent_at)
            for doc, customer in zip(tickets.values(), customers, strict=True)], batch_size=5_000)
        rows = Ticket.objects.bulk_create([
            Ticket(organisation=org, conversation=conv, customer=conv.customer, status=doc.status,
                   team_id=doc.team_id, assignee_id=doc.assignee_id, created_at=doc.sent_at, updated_at=doc.sent_at,
                   language=doc.language)
            for doc, conv in zip(tickets.values(), conversations, strict=True)], batch_size=5_000)
        by_ticket = {doc.ticket_id: (ticket, conv) for doc, ticket, conv in
                     zip(tickets.values(), rows, conversations, strict=True)}
        Message.objects.bulk_create([
            Message(organisation=org, channel=channels[doc.channel], conversation=by_ticket[doc.ticket_id][1],
                    ticket=by_ticket[doc.ticket_id][0], external_id=f"s{count}-m{doc.message_id}", direction="inbound",
                    is_public=False, text="", redacted_text=doc.text, sent_at=doc.sent_at, received_at=doc.sent_at,
                    language=doc.language, sentiment_label=doc.sentiment, intents=list(doc.intents),
                    triaged_at=doc.sent_at)
            for doc in chunk], batch_size=5_000)
        done += len(chunk)
        say(f"  seeded {done:,} / {count:,} messages")
    return time.perf_counter() - started


# -- measuring ------------------------------------------------------------------------------------------------------

COMMON = ["faktura", "nettet", "ruteren", "invoice", "network", "fakturan", "regningen", "rechnung", "factuur",
          "laskun", "problem", "hjelpe", "router", "abonnement", "pakken", "hjälpa"]
TYPOS = ["fakturs", "netett", "ruterne", "invoise", "netwrok", "fakturam", "regnigen", "rechnug", "factur",
         "laskin", "problme", "hjelep", "ruoter", "abonement", "pakkne", "hjälpq"]
PREFIXES = ["fak", "net", "rut", "inv", "abon", "pak", "rech", "fact", "lask", "hjel", "strø", "bet", "kund",
            "sign", "mont", "rab"]


def cases(rare_numbers: list[int]) -> dict[str, list[dict[str, Any]]]:
    no_facets = {"facets": "false"}
    return {
        "common": [{"q": w, **no_facets} for w in COMMON],
        "rare": [{"q": str(n), **no_facets} for n in rare_numbers],
        "typo": [{"q": w, **no_facets} for w in TYPOS],
        "prefix": [{"q": w, "prefix": "true", **no_facets} for w in PREFIXES],
        "newest": [{"q": w, "order": "newest", **no_facets} for w in COMMON],
        "filtered+facets": [{"q": w, "channel": "x,facebook,email", "language": "nb,sv,da", "status": "open,new"}
                            for w in COMMON],
    }


class Http:
    """Requests to a running ``webcare serve`` over one kept-alive connection."""

    def __init__(self, base: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


class InProcess:
    """Requests through Django's whole stack in this process (middleware, URL routing, ninja, token auth), without
    a server and HTTP."""

    def __init__(self, token: str) -> None:
        from django.test import Client

        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path)
        return response.status_code, response.content

    def close(self) -> None:
        pass


def measure(api: Http | InProcess, requests: int, warmup: int, rare_numbers: list[int]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, params_list in cases(rare_numbers).items():
        timings: list[float] = []
        server: list[float] = []
        totals: list[int] = []
        for i in range(warmup + requests):
            params = params_list[i % len(params_list)]
            started = time.perf_counter()
            status, body = api.get("/api/v1/search?" + urlencode({**params, "limit": 20}))
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise RuntimeError(f"{name}: {status} {body[:300]!r}")
            if i >= warmup:
                data = json.loads(body)
                timings.append(elapsed)
                server.append(float(data["took_ms"]))
                totals.append(int(data["total"]))
        found[name] = {"p50_ms": round(percentile(timings, 0.5), 1), "p95_ms": round(percentile(timings, 0.95), 1),
                       "engine_p50_ms": round(percentile(server, 0.5), 1),
                       "engine_p95_ms": round(percentile(server, 0.95), 1),
                       "median_total": int(percentile([float(t) for t in totals], 0.5)), "requests": requests}
        print(f"    {name:<16} p50 {found[name]['p50_ms']:>7} ms  p95 {found[name]['p95_ms']:>7} ms  "
              f"(engine p95 {found[name]['engine_p95_ms']} ms; median hits {found[name]['median_total']:,})",
              flush=True)
    api.close()
    return found


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated message counts")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--from-database", action="store_true",
                        help="for sizes up to 1M, seed the messages into PostgreSQL and build the index with the real "
                             "rebuild from the database (slow to seed: ~25 min for 1M on a busy 2-core machine)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite database instead of PostgreSQL")
    parser.add_argument("--http", action="store_true",
                        help="measure through a real `webcare serve` over HTTP (default: Django's test client, "
                             "in this process, through the same URL, middleware and API stack)")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="keep the indexes in this directory (index-<size> in it) and reuse one that is already "
                             "there instead of building it again: query experiments without a 17-minute rebuild. "
                             "Default: a temporary directory, removed at the end")
    parser.add_argument("--postgres-url", default=os.environ.get("WEBCARE_TEST_POSTGRES_URL",
                                                                  "postgres://postgres@127.0.0.1:5432/webcare"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {"machine": machine(), "database": "SQLite" if args.sqlite else "PostgreSQL",
                               "started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_before": os.getloadavg(), "sizes": {}}
    database = sqlite_target() if args.sqlite else postgres_target(args.postgres_url)
    with database as target:
        target.run("migrate")
        keep = args.index_dir is not None
        index_root = args.index_dir or Path(tempfile.mkdtemp(prefix="webcare-search-bench-"))
        index_root.mkdir(parents=True, exist_ok=True)
        try:
            run_sizes(target, index_root, sizes, args, results)
        finally:
            if not keep:
                shutil.rmtree(index_root, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out = RESULTS.with_name("search_scale_sqlite.json") if args.sqlite else RESULTS
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out}")


def run_sizes(target: Target, index_root: Path, sizes: list[int], args: Any, results: dict[str, Any]) -> None:
    setup_django(target.env)
    from django.conf import settings

    from webcare.search import engine

    org, token, teams, agents = world()
    # Order numbers that are in the corpus (the first documents of the same seed), each in a handful of messages.
    rare_numbers = [int(doc.text.split("rdre ")[1].split()[0])
                    for doc in Generator(seed=1).docs(400, org.pk, teams, agents) if "rdre " in doc.text][:16]
    for size in sizes:
        print(f"== {size:,} messages", flush=True)
        index_dir = index_root / f"index-{size}"
        settings.WEBCARE_SEARCH_DIR = str(index_dir)
        engine.reset()
        entry: dict[str, Any] = {}
        reused = reusable(index_dir, org.pk, args.index_dir is not None)
        if reused is not None:
            entry["indexing"] = reused
            print(f"  reusing the index in {index_dir} ({reused['documents']:,} documents)", flush=True)
        else:
            entry["indexing"] = build(index_dir, size, org, teams, agents, args.from_database)
        load = os.getloadavg()
        if args.http:
            env = dict(target.env, WEBCARE_SEARCH_DIR=str(index_dir))
            with served(Target(target.label, env, target.data_dir), "--no-worker") as base:
                entry["queries"] = measure(Http(base, token), args.requests, args.warmup, rare_numbers)
            entry["through"] = "HTTP to webcare serve (granian, 2 web processes)"
        else:
            entry["queries"] = measure(InProcess(token), args.requests, args.warmup, rare_numbers)
            entry["through"] = "Django test client in-process (GET /api/v1/search through the full stack)"
        entry["load_during"] = [load, os.getloadavg()]
        entry["target_p95_ms"] = TARGETS_MS.get(size)
        results["sizes"][str(size)] = entry
        if args.index_dir is None:
            shutil.rmtree(index_dir, ignore_errors=True)


def reusable(index_dir: Path, organisation_id: int, keep: bool) -> dict[str, Any] | None:
    """The indexing figures of a kept index in ``index_dir`` built for this organisation id, or None (build it).
    The fresh benchmark database gives the organisation, teams and agents the same ids every run; an index built
    for other ids would answer nothing, so it is refused rather than silently measured."""
    stamp = index_dir / "bench-indexing.json"
    if not keep or not stamp.exists():
        return None
    recorded = json.loads(stamp.read_text())
    if recorded.get("organisation_id") != organisation_id:
        raise SystemExit(f"{index_dir} was built for organisation {recorded.get('organisation_id')}, this run's is "
                         f"{organisation_id}: remove the directory to rebuild it")
    from webcare.search import engine

    # Opening the writer once lists the index's organisations if an older build did not (see tantivy_backend).
    engine.backend().write([])
    engine.reset()
    return dict(recorded["indexing"], reused=True)


def build(index_dir: Path, size: int, org: Any, teams: list[int], agents: list[int],
          from_database: bool) -> dict[str, Any]:
    """Index ``size`` messages into ``index_dir`` (from the database when asked); the indexing figures."""
    from django.db import connection

    from webcare.search import engine, indexer

    shutil.rmtree(index_dir, ignore_errors=True)
    if size <= 1_000_000 and from_database:
        seeded = round(seed_database(org, size, teams, agents, print), 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("  rebuilding the index from the database …", flush=True)
        started = time.perf_counter()
        written = indexer.rebuild()
        seconds = time.perf_counter() - started
        found: dict[str, Any] = {"source": "database (indexer.rebuild)", "documents": written, "seed_seconds": seeded}
    else:
        print("  indexing generated documents …", flush=True)
        backend = engine.backend()
        started = time.perf_counter()
        written = backend.rebuild(Generator(seed=1).docs(size, org.pk, teams, agents))
        seconds = time.perf_counter() - started
        found = {"source": "generated documents (backend.rebuild)", "documents": written}
    engine.reset()  # releases the writer: the merges finish and the web processes open the final index
    found |= {"seconds": round(seconds, 1), "docs_per_second": round(written / seconds),
              "index_bytes": dir_size(index_dir), "load_after": os.getloadavg()}
    print(f"  indexed {written:,} in {seconds:,.0f} s ({written / seconds:,.0f} docs/s), "
          f"{dir_size(index_dir) / 2**20:,.0f} MB on disk", flush=True)
    (index_dir / "bench-indexing.json").write_text(json.dumps({"organisation_id": org.pk, "indexing": found}))
    return found


if __name__ == "__main__":
    main()
