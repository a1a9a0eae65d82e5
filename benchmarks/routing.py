"""Routing benchmark: what the rules cost per new ticket, in the pure core and as the ingestion step.

Runs on its own (``python benchmarks/routing.py [--tickets N] [--batch N] [--postgres URL]``) and prints a table;
results go to benchmarks/results/routing.json for docs/benchmarks.md.

- **pure**: :func:`webcare.routing.rules.route` over N tickets' facts (the project's labelled messages in eight
  languages, triaged once beforehand) with the four default rules, and with 40 rules (the defaults plus 36 keyword,
  language, channel and intent rules of the size an organisation writes), in microseconds per ticket (the fastest of
  seven passes, building each ticket's facts included: the least disturbed by other processes on the machine).
- **step**: :class:`webcare.routing.route_step.RouteTickets` on stored and triaged batches of new tickets in a fresh
  database (SQLite, and PostgreSQL when ``--postgres`` is given), with the default rules and with the 40 rules: the
  step's own time per batch and per ticket (the fastest of the timed batches), and its number of SQL statements
  (counted on a first, untimed batch; the same for any batch size: it writes set-based). Most of the 40 rules do not
  stop, so there a ticket typically gets several labels and timeline rows: a heavy case.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

from rich.console import Console
from rich.table import Table

from benchmarks._harness import ROOT, machine, postgres_target, sqlite_target

#: 36 more rules, of the shape organisations write: a topic's words → a team and a label, a language → a team, a
#: channel's complaints → high priority. Every ticket runs through all of them unless one stops it.
EXTRA_RULES = [
    *({"name": f"Topic {i}", "stop": False,
       "conditions": [{"field": "keywords", "op": "contains",
                       "value": [f"{word}{i}" for word in ("faktura", "regning", "invoice", "router", "fiber",
                                                           "signal", "roaming", "esim", "bytte", "pris")]}],
       "actions": {"labels": [f"topic-{i}"]}} for i in range(24)),
    *({"name": f"Language {code}", "stop": False, "conditions": [{"field": "language", "op": "is", "value": code}],
       "actions": {"labels": [f"lang-{code}"]}} for code in ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")),
    *({"name": f"Channel {kind}", "stop": False,
       "conditions": [{"field": "channel", "op": "is", "value": kind}, {"field": "intent", "op": "is",
                                                                        "value": "complaint"}],
       "actions": {"priority": 2}} for kind in ("facebook", "x", "instagram", "email")),
]

STEP_CODE = r"""
import json, time
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from webcare.core.models import Channel, Organisation
from webcare.ingest.schema import MessageIn
from webcare.ingest.store import ParsedItem, store
from webcare.routing.defaults import ensure_default_rules
from webcare.routing.models import RoutingRule
from webcare.routing.route_step import RouteTickets
from webcare.triage.analyse import warm_up
from webcare.triage.paths import labelled_messages
from webcare.triage.steps import TriageMessages

EXTRA = json.loads(EXTRA_JSON)
texts = [text for _lang, text in labelled_messages()]
org = Organisation.objects.create(slug="bench", name="Bench", languages=["nb", "en", "sv", "da", "fi", "nl"])
channel = Channel.objects.create(organisation=org, kind="facebook", slug="fb", name="Facebook")
ensure_default_rules(org)
for position, spec in enumerate(EXTRA, start=RoutingRule.objects.filter(organisation=org).count()):
    RoutingRule.objects.create(organisation=org, position=position, **spec)
warm_up()
out = []
for run in range(RUNS):
    items = []
    for i in range(BATCH):
        n = run * BATCH + i
        payload = {"message_id": f"m-{n}", "conversation_id": f"c-{n}", "conversation_kind": "public",
                   "author": {"id": f"u-{n % 5000}", "name": "Kari"}, "text": texts[n % len(texts)][:280],
                   "sent_at": "2026-11-20T10:00:00+00:00"}
        items.append(ParsedItem(channel, MessageIn.model_validate(payload)))
    with transaction.atomic():
        batch = store(items)
        TriageMessages().run(batch)
        if run == 0:  # the first batch counts the statements (capturing them costs time: not timed)
            with CaptureQueriesContext(connection) as queries:
                RouteTickets().run(batch)
            seconds, statements = None, len(queries)
        else:
            start = time.perf_counter()
            RouteTickets().run(batch)
            seconds = time.perf_counter() - start
        routed = sum(1 for t in batch.new_tickets if t.routed_by)
    out.append({"seconds": seconds, "queries": statements, "tickets": len(batch.new_tickets), "routed": routed})
print(json.dumps(out))
"""


def facts_corpus(n: int) -> list:
    from webcare.routing.rules import Facts
    from webcare.triage.analyse import analyse
    from webcare.triage.paths import labelled_messages

    texts = [text[:280] for _lang, text in labelled_messages()]
    kinds = ["facebook", "x", "instagram", "email", "webchat"]
    out = []
    for i, text in enumerate(texts[: min(n, len(texts))]):
        result = analyse(text, public=i % 2 == 0)
        out.append(Facts(channel_kind=kinds[i % 5], channel_slug=f"ch-{i % 5}", language=result.language,
                         intents=result.intents, sentiment=result.sentiment_label, register=result.register,
                         text=result.redacted_text, priority=result.priority, profane=result.profane,
                         public=i % 2 == 0, public_pii=bool(result.pii) and i % 2 == 0))
    while len(out) < n:
        out.extend(out[: n - len(out)])
    return out


def pure(n: int) -> dict[str, float]:
    import django

    django.setup()
    from webcare.routing.defaults import DEFAULT_RULES
    from webcare.routing.rules import Facts, parse_rule, route

    defaults = [parse_rule(spec) for spec in DEFAULT_RULES]
    many = defaults[:2] + [parse_rule(spec) for spec in EXTRA_RULES] + defaults[2:]
    corpus = facts_corpus(n)
    result = {}
    for label, rules in (("4 default rules", defaults), ("40 rules", many)):
        timings = []
        for _ in range(7):
            fresh = [Facts(**{k: getattr(f, k) for k in f.__dataclass_fields__}) for f in corpus]  # no cached folds
            start = time.perf_counter()
            for facts in fresh:
                route(rules, facts)
            timings.append((time.perf_counter() - start) / len(fresh) * 1e6)
        result[label] = min(timings)  # the least disturbed of the runs: other processes share the cores
    return result


def step(target, batch: int, runs: int, extra: list) -> list[dict[str, float]]:
    target.run("migrate", "--noinput")
    code = STEP_CODE.replace("EXTRA_JSON", repr(json.dumps(extra))).replace("RUNS", str(runs)).replace(
        "BATCH", str(batch))
    return json.loads(target.django(code).strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5_000, help="tickets for the pure measurement")
    parser.add_argument("--batch", type=int, default=500, help="new tickets per batch for the step")
    parser.add_argument("--runs", type=int, default=6, help="batches: the first counts statements, the rest are timed")
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""), help="postgres://… to measure too")
    args = parser.parse_args()
    console = Console()
    console.print(machine())
    pure_us = pure(args.tickets)
    result: dict[str, object] = {"machine": machine(), "pure_us_per_ticket": pure_us}
    table = Table(title="Routing")
    table.add_column("what")
    table.add_column("per ticket", justify="right")
    table.add_column("per batch", justify="right")
    table.add_column("SQL statements", justify="right")
    for label, micros in pure_us.items():
        table.add_row(f"route(), {label}", f"{micros:.1f} µs", "", "")
    targets = [("SQLite", sqlite_target)]
    if args.postgres:
        targets.append(("PostgreSQL", lambda: postgres_target(args.postgres)))
    for label, make in targets:
        for rules, extra in (("4 default rules", []), ("40 rules", EXTRA_RULES)):
            with make() as target:
                runs = step(target, args.batch, args.runs, extra)
            seconds = min(r["seconds"] for r in runs if r["seconds"] is not None)
            tickets = runs[0]["tickets"]
            result[f"step_{label.lower()}_{len(extra) + 4}_rules"] = runs
            table.add_row(f"RouteTickets, {label}, {tickets} new tickets, {rules}",
                          f"{seconds / tickets * 1e6:.0f} µs", f"{seconds * 1e3:.0f} ms", f"{runs[0]['queries']}")
    console.print(table)
    results = ROOT / "benchmarks" / "results" / "routing.json"
    results.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
