"""Triage benchmark: messages per second on one core, time per detector, and memory over a long `webcare triage` run.

Runs on its own (``python benchmarks/triage.py [--messages N] [--lines N]``), pinned to one CPU core, and prints a
table; results go to benchmarks/results/triage.json for docs/benchmarks.md.

- **in process**: ``analyse()`` over N messages of at most 280 characters (the project's labelled sets in eight
  languages, plus the real customer tweets of ../shared/data/twcs when present), after a warm-up that loads every
  model; then each detector alone over the same texts, so a regression points at its detector.
- **command**: ``webcare triage`` reading N JSON lines from a pipe (parsing and writing JSON included), with its
  resident memory sampled every second: it must stay flat however many lines go through.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

from rich.console import Console
from rich.table import Table

from benchmarks._harness import ROOT, WEBCARE, machine
from webcare.triage.paths import LABELLED_DIR, labelled_messages, read_jsonl

MAX_CHARS = 280


def corpus() -> list[str]:
    """Realistic short messages: our labelled sets (8 languages) and, when present, real twcs customer tweets."""
    texts: list[str] = []
    for path in sorted(LABELLED_DIR.glob("*.jsonl")):
        texts += [row["text"][:MAX_CHARS] for row in read_jsonl(path)
                  if isinstance(row.get("text"), str) and row["text"].strip()]
    twcs = ROOT.parent / "shared" / "data" / "twcs" / "sample.csv"
    if twcs.exists():
        with twcs.open(encoding="utf-8") as fh:
            texts += [row["text"][:MAX_CHARS] for row in csv.DictReader(fh) if row["inbound"].lower() == "true"]
    if not texts:
        raise SystemExit("no texts found (webcare/triage/labelled/*.jsonl)")
    return texts


def long_corpus() -> list[str]:
    """Messages of 240–280 characters: texts of one language from the labelled sets joined until long enough."""
    by_language: dict[str, list[str]] = {}
    for language, text in labelled_messages():
        by_language.setdefault(language, []).append(text.replace("\n", " "))
    out = []
    for texts in by_language.values():
        current = ""
        for text in texts:
            current = f"{current} {text}".strip()
            if len(current) >= 240:
                out.append(current[:MAX_CHARS])
                current = ""
    return out


def cycle(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


def timed(function: Callable[[str], object], texts: list[str]) -> float:
    """Seconds to run ``function`` over ``texts``."""
    started = time.perf_counter()
    for text in texts:
        function(text)
    return time.perf_counter() - started


def in_process(n: int) -> dict[str, object]:
    import django

    django.setup()
    from webcare.triage import analyse, intent, language, pii, profanity, register, sentiment

    long_texts = cycle(long_corpus(), n // 2)
    texts = cycle(corpus(), n)
    for text in texts[:500]:  # warm-up: load every model
        analyse.analyse(text, public=True)
    runs = [timed(lambda t: analyse.analyse(t, public=True), texts) for _ in range(3)]
    best = min(runs)
    long_best = min(timed(lambda t: analyse.analyse(t, public=True), long_texts) for _ in range(3))
    lang = [language.detect_language(t) for t in texts]
    redacted = [pii.redact(t, pii.find_pii(t, lg)) for t, lg in zip(texts, lang, strict=True)]
    pairs = list(zip(redacted, lang, strict=True))

    def per(function: Callable[[str, str], object], inputs: list[tuple[str, str]]) -> float:
        started = time.perf_counter()
        for text, lg in inputs:
            function(text, lg)
        return (time.perf_counter() - started) / len(inputs) * 1e6

    raw_pairs = list(zip(texts, lang, strict=True))
    detectors = {
        "language": per(lambda t, _lg: language.detect_language(t), raw_pairs),
        "pii": per(pii.find_pii, raw_pairs),
        "profanity + abuse": per(profanity.check_profanity, pairs),
        "sentiment": per(sentiment.sentiment, pairs),
        "intent": per(lambda t, lg: intent.detect_intents(t, lg, 0.0), pairs),
        "register": per(register.detect_register, pairs),
    }
    return {
        "messages": n,
        "distinct_texts": len(set(texts)),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1),
        "seconds_best_of_3": round(best, 3),
        "messages_per_second": round(n / best),
        "runs_messages_per_second": [round(n / r) for r in runs],
        "microseconds_per_detector": {k: round(v, 1) for k, v in detectors.items()},
        "long_messages": len(long_texts),
        "long_mean_chars": round(statistics.fmean(len(t) for t in long_texts), 1),
        "long_messages_per_second": round(len(long_texts) / long_best),
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def lines(n: int, texts: list[str]) -> Iterator[bytes]:
    channels = ("x", "facebook_comment", "email", "whatsapp", "instagram_comment", "webchat")
    for i in range(n):
        yield (json.dumps({"id": i, "text": texts[i % len(texts)], "channel": channels[i % len(channels)]},
                          ensure_ascii=False) + "\n").encode()


def command(n: int) -> dict[str, object]:
    """``webcare triage`` over ``n`` lines, pinned to one core, sampling its memory every second."""
    texts = corpus()
    process = subprocess.Popen(["taskset", "-c", "0", WEBCARE, "triage"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdin is not None and process.stdout is not None
    samples: list[tuple[float, int, int]] = []  # (seconds, lines written, RSS kB)
    written = 0
    done = threading.Event()

    def feed() -> None:
        assert process.stdin is not None
        for chunk in lines(n, texts):
            process.stdin.write(chunk)
        process.stdin.close()

    def sample() -> None:
        start = time.perf_counter()
        while not done.wait(1.0):
            try:
                samples.append((round(time.perf_counter() - start, 1), written, rss_kb(process.pid)))
            except OSError:
                return

    started = time.perf_counter()
    feeder = threading.Thread(target=feed, daemon=True)
    sampler = threading.Thread(target=sample, daemon=True)
    feeder.start()
    sampler.start()
    errors = 0
    for out in process.stdout:
        written += 1
        if b'"error"' in out[:40]:
            errors += 1
    seconds = time.perf_counter() - started
    done.set()
    process.wait()
    steady = [s for s in samples if s[1] >= n * 0.05]  # after start-up and the first 5 % of lines
    return {
        "lines": n,
        "errors": errors,
        "seconds": round(seconds, 1),
        "lines_per_second_incl_startup": round(n / seconds),
        "rss_mb_first_steady": round(steady[0][2] / 1024, 1) if steady else None,
        "rss_mb_last": round(steady[-1][2] / 1024, 1) if steady else None,
        "rss_mb_max": round(max(s[2] for s in samples) / 1024, 1) if samples else None,
        "rss_samples": [(t, w, round(kb / 1024, 1)) for t, w, kb in samples[:: max(1, len(samples) // 40)]],
    }


def memory_chart(samples: list[tuple[float, int, float]], total: int, path: Path) -> None:
    """A small SVG line chart of resident memory (MB) against lines processed, for docs/benchmarks.md."""
    width, height, left, bottom = 640, 240, 56, 36
    lines_max = max(w for _, w, _ in samples) or 1
    top_mb = max(200.0, max(mb for _, _, mb in samples) * 1.2)

    def x(written: int) -> float:
        return left + (width - left - 16) * written / lines_max

    def y(mb: float) -> float:
        return height - bottom - (height - bottom - 16) * mb / top_mb

    points = " ".join(f"{x(w):.1f},{y(mb):.1f}" for _, w, mb in samples)
    grid = "".join(f'<line x1="{left}" x2="{width - 16}" y1="{y(mb):.1f}" y2="{y(mb):.1f}" stroke="#dde1e6"/>'
                   f'<text x="{left - 6}" y="{y(mb) + 4:.1f}" text-anchor="end">{mb:.0f}</text>'
                   for mb in (0, top_mb / 2, top_mb))
    ticks = "".join(f'<text x="{x(int(lines_max * f)):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                    f"{lines_max * f / 1000:,.0f}k</text>" for f in (0, 0.25, 0.5, 0.75, 1))
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="12" fill="#1b1f24"><title>webcare triage: resident memory while reading {total:,} lines'
        f"</title>{grid}{ticks}"
        f'<polyline points="{points}" fill="none" stroke="#0b5cad" stroke-width="2"/>'
        f'<text x="{left}" y="12">resident memory, MB</text>'
        f'<text x="{width - 16}" y="{height - 4}" text-anchor="end">lines triaged</text></svg>\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="messages for the in-process run")
    parser.add_argument("--lines", type=int, default=100_000, help="lines for the webcare triage run (0: skip)")
    parser.add_argument("--chart-only", action="store_true", help="redraw the memory chart from the last results")
    args = parser.parse_args()
    results = ROOT / "benchmarks" / "results" / "triage.json"
    chart = ROOT / "docs" / "img" / "triage-memory.svg"
    if args.chart_only:
        last = json.loads(results.read_text())["command"]
        memory_chart(last["rss_samples"], last["lines"], chart)
        return
    os.sched_setaffinity(0, {0})
    console = Console()
    result: dict[str, object] = {"measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
                                 "load_average_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    console.print("[bold]in process[/] …")
    result["in_process"] = in_process(args.messages)
    if args.lines:
        console.print(f"[bold]webcare triage[/] over {args.lines:,} lines …")
        result["command"] = command(args.lines)
    result["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = Table(title="Triage on one core")
    table.add_column("measure")
    table.add_column("value", justify="right")
    ip = result["in_process"]
    assert isinstance(ip, dict)
    table.add_row(f"analyse(), messages/s (best of 3; mean {ip['mean_chars']} chars)",
                  f"{ip['messages_per_second']:,}")
    table.add_row(f"analyse(), messages/s, {ip['long_mean_chars']}-char messages",
                  f"{ip['long_messages_per_second']:,}")
    for name, micro in ip["microseconds_per_detector"].items():
        table.add_row(f"  {name}, µs/message", f"{micro}")
    if args.lines:
        cmd = result["command"]
        assert isinstance(cmd, dict)
        table.add_row("webcare triage, lines/s (incl. start-up)", f"{cmd['lines_per_second_incl_startup']:,}")
        table.add_row("  RSS first steady → last → max, MB",
                      f"{cmd['rss_mb_first_steady']} → {cmd['rss_mb_last']} → {cmd['rss_mb_max']}")
    console.print(table)
    results.write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"wrote {results.relative_to(ROOT)}")
    if args.lines:
        memory_chart(result["command"]["rss_samples"], args.lines, chart)  # type: ignore[index]
        console.print(f"wrote {chart.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
