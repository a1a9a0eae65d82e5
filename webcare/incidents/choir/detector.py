"""The choir detector: places each inbound message in a group of messages about the same thing, and says when a
group grows abnormally fast for its topic.

For each message, in time order (see docs/incidents.md, "How the choir is detected"):

1. **Analyse** — codes, names and content words (:mod:`~webcare.incidents.choir.terms`); the ones rare in the
   brand's background, or suddenly common (bursting), are *salient*, weighted by surprise (−ln share).
2. **Link** to messages in the window (3 hours) by three signals, the cheap ones first:
   a near-duplicate (MinHash Jaccard ≥ 0.5 over word shingles, LSH-banded); shared salient terms whose surprise adds
   up to two rare terms' worth (a code counts double: two customers quoting "E503" are about one fault); and — only
   with an embedder, only for messages with something to say — the multilingual sentence embedding, which joins
   "Spotify er nede" to "Spotify is down". Embeddings are centred on the brand's mean vector before comparing:
   raw e5 cosines sit between 0.8 and 0.9 for any two customer messages, centred ones spread from −0.2 to 1.
3. **Group** — the message joins the group it is closest to (its centroid, or direct links to members); lone
   messages it links to come along. Groups never split and keep their id as they grow; two groups whose centroids
   agree merge (the younger, quieter one folds into the other), and a group that alarmed gathers in the lone
   look-alikes of its first minutes.
4. **Judge** — a group is *abnormal* when, within the burst span (30 minutes), at least ``min_messages`` different
   customers wrote, at a rate ``rate_factor`` times its topic's baseline, and that many would happen by chance with
   probability below ``significance`` (Poisson). The baseline is the highest of: the group's salient terms' share
   of the brand's traffic over the last days; how often the group's topic came up in the window before the burst,
   scaled to the current traffic; and a floor. So a topic that always runs ("premium", "playlist") never alarms, a
   busy evening does not look like a storm, and a storm is judged against what came before it.

Pure: no database, no clock (time is the messages' own), deterministic (seeded MinHash, no randomness elsewhere).
"""

from __future__ import annotations

import math
import sys
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from webcare.incidents.choir.baseline import Background, poisson_tail
from webcare.incidents.choir.embed import load_mean_prior
from webcare.incidents.choir.minhash import MinHasher, similarity
from webcare.incidents.choir.normalise import strip_noise
from webcare.incidents.choir.terms import Analysis, analyse
from webcare.incidents.choir.types import ChoirConfig, Embedder, GroupView, Observation, Placement
from webcare.incidents.choir.window import NO_GROUP, TERM_SLOTS, Window

_SCALE = 127.0  # int8 quantisation of unit vectors
_MEAN_WEIGHT = 1.0 / 2000  # how fast the brand's mean embedding moves from the generic prior to its own
_BIG = 16  # groups of this many embedded messages keep their vector sum (1.5 KB) instead of recomputing it
_BURST_PRIOR = 0.05  # an alarmed group gathers lone messages of its burst at a centroid cosine this much lower
_REUSE_JACCARD = 0.8  # a near-copy of an embedded message borrows its vector instead of paying for the model
EVERYDAY_SHARE = 0.05  # a term in this share of the brand's messages or more names no topic


@dataclass(slots=True)
class _Group:
    """What the detector remembers of a group beyond its rows' group ids."""

    group_id: int
    first_at: float
    last_at: float
    norm2: float = 0.0  # |Σ member unit vectors|²: the centroid's length, so a cosine to it needs no centroid
    total: npt.NDArray[np.int32] | None = None  # Σ member vectors (int8 units), kept only for big groups
    alarmed: bool = False
    swept_size: int = 0  # the group's size when lone look-alikes were last gathered in (see _sweep)
    rate_per_hour: float = 0.0
    baseline_per_hour: float = 0.0


def _epoch(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("Observation.at must be an aware datetime")
    return at.timestamp()


def term_id(term: str) -> int:
    """A stable 32-bit id for a term (never 0, the empty slot)."""
    return zlib.crc32(term.encode("utf-8")) or 1


class ChoirDetector:
    """Groups similar inbound messages over a sliding window and says when a group grows abnormally fast.

    Feed observations in time order (one that is older than the last is placed at the last one's time). One
    detector per organisation: a brand's background is its own.
    """

    def __init__(self, config: ChoirConfig = ChoirConfig(), embedder: Embedder | None = None) -> None:  # noqa: B008
        self.config = config
        self.embedder = embedder
        self._hasher = MinHasher(config.minhash_permutations, config.seed)
        dimensions = embedder.dimensions if embedder is not None else 1
        self._window = Window(config.minhash_permutations, dimensions, config.max_window_messages)
        self._background = Background(config.background_half_life.total_seconds(), config.max_background_terms)
        self._groups: dict[int, _Group] = {}
        self._next_group = 1
        self._now = -math.inf
        self._languages: list[str] = [""]
        self._channels: list[str] = [""]
        self._surfaces: dict[int, str] = {}  # term id → how it was written, for the salient terms of grouped rows
        self._anonymous = 0  # customers without an id count as one customer each
        self._mean: npt.NDArray[np.float32] | None = None
        if embedder is not None:
            prior = load_mean_prior(embedder.dimensions)
            self._mean = prior if prior is not None else np.zeros(embedder.dimensions, dtype=np.float32)
        self.embedded_count = 0  # how many messages went through the embedder (for the benchmark)

    # ----------------------------------------------------------------------------------------------- public

    def observe(self, obs: Observation) -> Placement:
        """Place one message; see the module docstring for how."""
        at = max(_epoch(obs.at), self._now)
        self._expire(at, room=1)
        self._now = at
        analysis = analyse(obs.text, obs.language)
        ids = [term_id(term) for term in analysis.terms]
        window = self._window
        live = slice(window.start, window.end)
        salient, weights = self._salience(analysis, ids, live, at)
        ordered = salient + [i for i in ids if i not in set(salient)]
        signature = self._hasher.signature(analysis.tokens)
        jaccard = similarity(window.signature[live], signature, self.config.lsh_bands)
        term_weight = self._term_weights(live, salient, weights)
        cheap = (jaccard >= self.config.near_duplicate) | (term_weight >= self.config.term_link)
        vector = self._vector(obs.text, live, jaccard) if analysis.tokens else None
        cosines = self._cosines(live, vector)
        pair = cheap | (cosines >= self.config.embed_pair)
        group_id = self._choose(live, pair, cosines, vector, salient, weights)
        row = window.append(obs.message_id, self._customer(obs.customer_id), at, self._intern(self._languages,
                            obs.language), self._intern(self._channels, obs.channel), signature, ordered,
                            len(salient), vector)
        before = slice(window.start, row)  # the rows that were live before this one (append may have moved them)
        partners = np.flatnonzero(pair & (window.group[before] == NO_GROUP)) + window.start
        if group_id is None and len(partners) == 0:
            return Placement(group_id=None, group_size=1, abnormal=False, started=False)
        if group_id is None:
            group_id = self._new_group(float(window.at[partners].min()))
        self._join(group_id, [int(r) for r in partners] + [row], analysis, set(salient))
        if vector is not None:
            group_id = self._merge_similar(group_id)
        return self._judge(group_id, at)

    def group(self, group_id: int) -> GroupView | None:
        """The group as it stands now, or None once all its messages have left the window (or it merged)."""
        state = self._groups.get(group_id)
        if state is None:
            return None
        window = self._window
        rows = self._members(group_id)
        if len(rows) == 0:
            return None
        languages = dict.fromkeys(self._languages[i] for i in window.language[rows])
        channels = dict.fromkeys(self._channels[i] for i in window.channel[rows])
        return GroupView(
            group_id=group_id,
            message_ids=tuple(int(m) for m in window.message_id[rows]),
            first_at=datetime.fromtimestamp(float(window.at[rows].min()), tz=UTC),
            terms=self._title(rows),
            languages=tuple(lang for lang in languages if lang),
            channels=tuple(channel for channel in channels if channel),
            rate_per_hour=state.rate_per_hour,
            baseline_per_hour=state.baseline_per_hour,
        )

    def advance(self, now: datetime) -> None:
        """Expire the window up to ``now`` (call it when time passes without messages)."""
        at = _epoch(now)
        if at > self._now:
            self._expire(at)
            self._now = at

    def prime(self, observations: list[Observation]) -> None:
        """Teach the background what is normal from history (oldest first), without grouping or embedding:
        a freshly started detector then alarms at once instead of after ``warm_up``."""
        for obs in observations:
            analysis = analyse(obs.text, obs.language)
            self._background.add(_epoch(obs.at), {term_id(term) for term in analysis.terms})

    def memory_bytes(self) -> int:
        """Bytes the detector holds: the window's arrays, the groups, the title words and the term statistics."""
        return self.window_bytes() + self._background.memory_bytes()

    def window_bytes(self) -> int:
        """Bytes that grow with the window (everything but the bounded term statistics): the window's arrays at
        their allocated size, the group records with their vector sums, and the title words with their dict."""
        groups = sys.getsizeof(self._groups) + sum(
            sys.getsizeof(state) + (state.total.nbytes + 112 if state.total is not None else 0)
            for state in self._groups.values())
        surfaces = sys.getsizeof(self._surfaces) + sum(sys.getsizeof(text) + 32 for text in self._surfaces.values())
        return self._window.nbytes() + groups + surfaces

    def window_size(self) -> int:
        """Messages in the window now."""
        return len(self._window)

    # ------------------------------------------------------------------------------------------- analysis

    def _salience(self, analysis: Analysis, ids: list[int], live: slice,
                  at: float) -> tuple[list[int], dict[int, float]]:
        """The salient term ids of a message (most surprising first, at most TERM_SLOTS) and their weights.

        A term is salient when it is rare in the background (weight: its surprise, −ln share) or when it is
        *bursting* — carried by more customers within the burst span than its share of the traffic explains
        (weight: that of a term just rare enough). The second kind lets a storm about the brand's everyday words
        ("downloads", "update") bind as well as one about a new error code.
        """
        config = self.config
        window = self._window
        recent = live.start + int(np.searchsorted(window.at[live], at - config.burst_span.total_seconds(), "right"))
        recent_slots = window.terms[recent:live.stop]
        recent_customers = window.customer[recent:live.stop]
        span_hours = config.burst_span.total_seconds() / 3600
        traffic = max(self._background.rate_per_hour(at), len(recent_slots) / span_hours)
        rare = -math.log(config.salient_share)
        weights: dict[int, float] = {}
        for term, kind, tid in zip(analysis.terms, analysis.kinds, ids, strict=True):
            if len(term) < 3 and kind != "code":
                continue
            share = self._background.share(tid)
            factor = config.code_weight if kind == "code" else 1.0
            if share < config.salient_share:
                weights[tid] = -math.log(share) * factor
                continue
            carriers = len(np.unique(recent_customers[(recent_slots == tid).any(axis=1)]))
            if carriers >= 2 and poisson_tail(carriers + 1, share * traffic * span_hours) < config.burst_term:
                weights[tid] = rare * factor
        salient = sorted(weights, key=lambda t: (-weights[t], t))[:TERM_SLOTS]
        return salient, {t: weights[t] for t in salient}

    def _term_weights(self, live: slice, salient: list[int], weights: dict[int, float]) -> npt.NDArray[np.float64]:
        """Per window row, the summed weight of this message's salient terms that the row also carries."""
        window = self._window
        n = live.stop - live.start
        total = np.zeros(n, dtype=np.float64)
        slots = window.terms[live]
        for tid in salient:
            total += weights[tid] * (slots == tid).any(axis=1)
        return total

    def _vector(self, text: str, live: slice, jaccard: npt.NDArray[np.float32]) -> npt.NDArray[np.int8] | None:
        """The message's centred, quantised embedding: borrowed from a near-copy when there is one, else from the
        embedder — the one slow step (tens of milliseconds), which messages with no words left after normalisation
        ("@brand 🙏", a bare link) skip."""
        if self.embedder is None or self._mean is None:
            return None
        window = self._window
        copies = np.flatnonzero((jaccard >= _REUSE_JACCARD) & window.embedded[live])
        if len(copies):
            return window.vector[live][copies[-1]].copy()
        raw = self.embedder.embed([strip_noise(text)])[0].astype(np.float32)
        self.embedded_count += 1
        self._mean = (1 - _MEAN_WEIGHT) * self._mean + _MEAN_WEIGHT * raw
        centred = raw - self._mean
        norm = float(np.linalg.norm(centred))
        if norm < 1e-6:
            return None
        return np.clip(np.rint(centred / norm * _SCALE), -127, 127).astype(np.int8)

    def _cosines(self, live: slice, vector: npt.NDArray[np.int8] | None) -> npt.NDArray[np.float32]:
        """Cosine of the message to every window row (−1 for rows without a vector), in exact int32 arithmetic
        on the int8 rows (no float copy of the window)."""
        window = self._window
        n = live.stop - live.start
        if vector is None or n == 0:
            return np.full(n, -1.0, dtype=np.float32)
        dots = np.einsum("ij,j->i", window.vector[live], vector.astype(np.int32), dtype=np.int32)
        return np.where(window.embedded[live], dots / (_SCALE * _SCALE), -1.0).astype(np.float32)

    def _centroid_cosines(self, live: slice, cosines: npt.NDArray[np.float32]) -> dict[int, tuple[float, int]]:
        """Cosine of the message to each group's centroid, and the group's embedded member count."""
        window = self._window
        groups = window.group[live]
        embedded = window.embedded[live] & (groups != NO_GROUP)
        if not embedded.any():
            return {}
        ids, inverse = np.unique(groups[embedded], return_inverse=True)
        dots = np.bincount(inverse, weights=cosines[embedded].astype(np.float64))
        counts = np.bincount(inverse)
        out = {}
        for gid, dot, count in zip(ids.tolist(), dots.tolist(), counts.tolist(), strict=True):
            state = self._groups.get(gid)
            if state is not None and state.norm2 > 0:
                out[gid] = (dot / math.sqrt(state.norm2), count)
        return out

    def _group_terms(self, live: slice, salient: list[int], weights: dict[int, float]) -> dict[int, float]:
        """Per group, the summed weight of this message's salient terms that the group *shares* — carried by at
        least two of its messages and a third of them: a paraphrase that repeats one of a storm's words joins it,
        though it shares too little with any single message to link to it."""
        window = self._window
        groups = window.group[live]
        grouped = groups != NO_GROUP
        if not salient or not grouped.any():
            return {}
        ids, sizes = np.unique(groups[grouped], return_counts=True)
        size = dict(zip(ids.tolist(), sizes.tolist(), strict=True))
        slots = window.terms[live]
        out: dict[int, float] = {}
        for tid in salient:
            hit = grouped & (slots == tid).any(axis=1)
            if not hit.any():
                continue
            gids, counts = np.unique(groups[hit], return_counts=True)
            for gid, count in zip(gids.tolist(), counts.tolist(), strict=True):
                if count >= max(2, math.ceil(size[gid] / 3)):
                    out[gid] = out.get(gid, 0.0) + weights[tid]
        return out

    def _choose(self, live: slice, pair: npt.NDArray[np.bool_], cosines: npt.NDArray[np.float32],
                vector: npt.NDArray[np.int8] | None, salient: list[int], weights: dict[int, float]) -> int | None:
        """The group the message joins: the best of those it links to directly, whose shared terms it carries, or
        whose centroid it is close to."""
        config = self.config
        window = self._window
        groups = window.group[live]
        links: dict[int, int] = {}
        for gid in groups[pair & (groups != NO_GROUP)].tolist():
            links[gid] = links.get(gid, 0) + 1
        shared = self._group_terms(live, salient, weights)
        centroids = self._centroid_cosines(live, cosines) if vector is not None else {}
        best: tuple[float, int] | None = None
        for gid in set(links) | set(shared) | set(centroids):
            cosine, members = centroids.get(gid, (0.0, 0))
            close = members >= 2 and cosine >= config.embed_join
            by_terms = shared.get(gid, 0.0) >= config.term_link / 2
            if not links.get(gid) and not close and not by_terms:
                continue
            score = ((cosine if members else 0.0) + min(1.0, links.get(gid, 0) / 3)
                     + min(1.0, shared.get(gid, 0.0) / config.term_link))
            if best is None or (score, -gid) > (best[0], -best[1]):
                best = (score, gid)
        return None if best is None else best[1]

    def _new_group(self, first_at: float) -> int:
        gid = self._next_group
        self._next_group += 1
        self._groups[gid] = _Group(group_id=gid, first_at=first_at, last_at=first_at)
        return gid

    def _join(self, group_id: int, rows: list[int], analysis: Analysis | None = None,
              salient: set[int] | None = None) -> None:
        """Put rows into the group, keeping its centroid length; the new message's salient terms that the group
        shares keep how they were written, for the group's title."""
        window = self._window
        state = self._groups[group_id]
        for row in rows:
            if window.embedded[row]:
                vector = window.vector[row].astype(np.int32)
                total = self._group_total(group_id)
                dot = float(total @ vector) if total is not None else 0.0
                state.norm2 += (2 * dot + float(vector @ vector)) / (_SCALE * _SCALE)
                if state.total is not None:
                    state.total += vector
            window.group[row] = group_id
            state.first_at = min(state.first_at, float(window.at[row]))
            state.last_at = max(state.last_at, float(window.at[row]))
        if state.total is None:
            members = self._members(group_id)
            if int(window.embedded[members].sum()) >= _BIG:
                state.total = self._group_total(group_id)
        if analysis is not None and salient:
            # only terms the group already shares can make its title (which needs two carriers): keeping every
            # salient word of every grouped message would cost ~100 bytes a message
            slots = window.terms[self._members(group_id)]
            for term, surface in zip(analysis.terms, analysis.surfaces, strict=True):
                tid = term_id(term)
                if tid in salient and tid not in self._surfaces and int((slots == tid).any(axis=1).sum()) >= 2:
                    self._surfaces[tid] = surface

    def _group_total(self, group_id: int) -> npt.NDArray[np.int32] | None:
        """Σ of the group's member vectors (int8 units): kept for big groups, summed on demand for small ones."""
        state = self._groups[group_id]
        if state.total is not None:
            return state.total
        window = self._window
        rows = self._members(group_id)
        rows = rows[window.embedded[rows]]
        if not len(rows):
            return None
        return window.vector[rows].sum(axis=0, dtype=np.int32)

    def _members(self, group_id: int) -> npt.NDArray[np.intp]:
        window = self._window
        return np.flatnonzero(window.group[window.start:window.end] == group_id) + window.start

    def _merge_similar(self, group_id: int) -> int:
        """Fold into the message's group every group whose centroid agrees with its centroid (cosine ≥
        ``embed_merge``, both with two or more embedded messages): one storm that started as two groups — say, one
        per language, before anyone bridged them — becomes one. Returns the message's group afterwards.

        One pass: the cosine of the group's vector sum to every grouped row, summed per group, is each group's sum
        dotted with it; divided by the lengths kept per group, that is the centroids' cosine."""
        window = self._window
        total = self._group_total(group_id)
        if total is None:
            return group_id
        live = slice(window.start, window.end)
        groups = window.group[live]
        other = (groups != NO_GROUP) & (groups != group_id) & window.embedded[live]
        if not other.any():
            return group_id
        ids, inverse, counts = np.unique(groups[other], return_inverse=True, return_counts=True)
        dots = np.bincount(inverse, weights=np.einsum("ij,j->i", window.vector[live][other], total,
                                                      dtype=np.int64).astype(np.float64))
        length = float(np.linalg.norm(total.astype(np.float64)))
        own = int(window.embedded[self._members(group_id)].sum())
        if own < 2 or length == 0:
            return group_id
        for gid, dot, count in zip(ids.tolist(), dots.tolist(), counts.tolist(), strict=True):
            state = self._groups.get(gid)
            if state is None or count < 2 or state.norm2 <= 0 or group_id not in self._groups:
                continue
            agreement = dot / (length * math.sqrt(state.norm2) * _SCALE)
            if agreement < self.config.embed_merge:
                continue
            keep, fold_in = self._survivor(group_id, gid)
            if fold_in is None:
                continue
            self._fold(keep, fold_in)
            group_id = keep
        return group_id

    def _survivor(self, a: int, b: int) -> tuple[int, int | None]:
        """Which of two groups keeps its id: the alarmed one, else the larger, else the older. Two alarmed groups
        never merge (each already has its incident)."""
        ga, gb = self._groups[a], self._groups[b]
        if ga.alarmed and gb.alarmed:
            return a, None
        if ga.alarmed != gb.alarmed:
            return (a, b) if ga.alarmed else (b, a)
        size_a, size_b = len(self._members(a)), len(self._members(b))
        if size_a != size_b:
            return (a, b) if size_a > size_b else (b, a)
        return (a, b) if a < b else (b, a)

    def _fold(self, keep: int, fold_in: int) -> None:
        window = self._window
        rows = self._members(fold_in)
        window.group[rows] = keep
        state, gone = self._groups[keep], self._groups.pop(fold_in)
        state.first_at = min(state.first_at, gone.first_at)
        state.last_at = max(state.last_at, gone.last_at)
        self._refresh(keep)

    def _refresh(self, group_id: int) -> None:
        """Recompute a group's vector sum and centroid length from its members (after a merge or an expiry)."""
        state = self._groups[group_id]
        state.total = None
        total = self._group_total(group_id)
        if total is None:
            state.norm2 = 0.0
            return
        window = self._window
        members = self._members(group_id)
        if int(window.embedded[members].sum()) >= _BIG:
            state.total = total
        as_float = total.astype(np.float64)
        state.norm2 = float(as_float @ as_float) / (_SCALE * _SCALE)

    # ----------------------------------------------------------------------------------------------- judging

    def _judge(self, group_id: int, at: float) -> Placement:
        config = self.config
        window = self._window
        state = self._groups[group_id]
        previous_last = state.last_at
        rows = self._members(group_id)
        span = config.burst_span.total_seconds()
        recent = rows[window.at[rows] > at - span]
        voices = len(np.unique(window.customer[recent]))
        baseline = self._baseline_per_hour(group_id, rows, at)
        rate = voices / (span / 3600)
        state.rate_per_hour, state.baseline_per_hour = rate, baseline
        burst = (voices >= config.min_messages and rate >= config.rate_factor * baseline
                 and poisson_tail(voices, baseline * span / 3600) < config.significance
                 and self._background.seen_seconds(at) >= config.warm_up.total_seconds())
        started = burst and not state.alarmed
        if burst:
            state.alarmed = True
        if state.alarmed and len(rows) >= 1.5 * state.swept_size:
            self._sweep(group_id)
            rows = self._members(group_id)
        growing = state.alarmed and (burst or at - previous_last <= span)
        return Placement(group_id=group_id, group_size=len(rows), abnormal=bool(growing), started=bool(started))

    def _sweep(self, group_id: int) -> None:
        """Gather into an abnormal group the lone messages of the window that are close to its centroid.

        A storm's first messages arrive before there is a group to join, and a message only pulls in the lone
        messages it links to directly; once the group has alarmed (and each time it doubles) its centroid is a
        better judge of who belongs. Those messages' tickets then go to the incident too."""
        window = self._window
        state = self._groups[group_id]
        state.swept_size = max(1, len(self._members(group_id)))
        total = self._group_total(group_id)
        if total is None:
            return
        live = slice(window.start, window.end)
        around = window.at[live] >= state.first_at - self.config.burst_span.total_seconds()
        lone = np.flatnonzero((window.group[live] == NO_GROUP) & window.embedded[live] & around) + window.start
        if not len(lone):
            return
        norm = float(np.linalg.norm(total.astype(np.float64)))
        if norm == 0:
            return
        dots = np.einsum("ij,j->i", window.vector[lone], total, dtype=np.int64)
        close = lone[dots / (_SCALE * norm) >= self.config.embed_join - _BURST_PRIOR]
        if len(close):
            self._join(group_id, [int(r) for r in close])
            state.swept_size = len(self._members(group_id))

    def _baseline_per_hour(self, group_id: int, rows: npt.NDArray[np.intp], at: float) -> float:
        """The normal rate of the group's topic, per hour (see the module docstring)."""
        config = self.config
        window = self._window
        span = config.burst_span.total_seconds()
        live = slice(window.start, window.end)
        in_group = window.group[live] == group_id
        before = window.at[live] <= at - span
        covered = min(config.window.total_seconds(), self._background.seen_seconds(at) + span) - span
        # Traffic now (outside this group) against the brand's usual traffic: topics scale with the desk's hour
        others_now = int(((window.at[live] > at - span) & ~in_group).sum()) / (span / 3600)
        usual = self._background.rate_per_hour(at)
        others_before = int((before & ~in_group).sum()) / (covered / 3600) if covered > 0 else 0.0
        traffic = max(usual, others_now)
        # 1. the share of the group's defining salient terms in the background
        share = 0.0
        defining = self._defining_terms(rows)
        for tid, _ in defining:
            share = max(share, self._background.share(tid))
        by_terms = share * traffic if defining else 0.0
        # 2. how often the topic came up in the window before the burst, scaled to the traffic now
        local = 0.0
        if covered > 0:
            earlier = len(np.unique(window.customer[rows[window.at[rows] <= at - span]]))
            local = earlier / (covered / 3600)
            if others_before > 0:
                local *= max(1.0, others_now / others_before)
        floor = config.baseline_floor_per_day / 24
        return max(by_terms, local, floor)

    def _shared_terms(self, rows: npt.NDArray[np.intp], fraction: float) -> list[tuple[int, int, float]]:
        """(term id, messages carrying it, share in the background) for the terms at least ``fraction`` of the
        group's messages (and at least two) carry, leaving out the brand's everyday vocabulary (a share of 5 % or
        more: "spotify" at Spotify's desk names no topic); most telling first — count × surprise."""
        window = self._window
        slots = window.terms[rows]
        present = slots[slots != 0]
        if not len(present):
            return []
        # a term counts once per message even when two slots hold it (they never do; the guard is cheap)
        ids, counts = np.unique(present, return_counts=True)
        need = max(2, math.ceil(len(rows) * fraction))
        out = []
        for tid, count in zip(ids.tolist(), counts.tolist(), strict=True):
            if count >= need:
                share = self._background.share(tid)
                if share < EVERYDAY_SHARE:
                    out.append((tid, count, share))
        return sorted(out, key=lambda item: (-item[1] * -math.log(item[2]), item[0]))

    def _defining_terms(self, rows: npt.NDArray[np.intp]) -> list[tuple[int, int]]:
        """The terms a third of the group's messages share: what the group is about, for its baseline."""
        return [(tid, count) for tid, count, _ in self._shared_terms(rows, 1 / 3)]

    def _title(self, rows: npt.NDArray[np.intp]) -> tuple[str, ...]:
        out = [self._surfaces[tid] for tid, _, _ in self._shared_terms(rows, 0.0) if tid in self._surfaces]
        return tuple(out[:6])

    # ------------------------------------------------------------------------------------------------ window

    def _expire(self, now: float, room: int = 0) -> None:
        """Drop rows older than the window (and beyond the window's bound, keeping ``room`` free): they feed the
        background's term counts as they go, and their groups shrink or end."""
        window = self._window
        dropped = window.expire_before(now - self.config.window.total_seconds(),
                                       limit=self.config.max_window_messages - room)
        if dropped.stop == dropped.start:
            return
        touched: dict[int, list[int]] = {}
        for row in range(dropped.start, dropped.stop):
            self._background.add(float(window.at[row]), {int(t) for t in window.terms[row] if t})
            if window.group[row] != NO_GROUP:
                touched.setdefault(int(window.group[row]), []).append(row)
        for gid, rows in touched.items():
            state = self._groups.get(gid)
            if state is None:
                continue
            if len(self._members(gid)) == 0:
                del self._groups[gid]
            elif state.total is not None:
                embedded = [r for r in rows if window.embedded[r]]
                if embedded:
                    state.total = state.total - window.vector[embedded].sum(axis=0, dtype=np.int32)
                    as_float = state.total.astype(np.float64)
                    state.norm2 = float(as_float @ as_float) / (_SCALE * _SCALE)
            else:
                self._refresh(gid)
        before = window.capacity
        window.compact()
        if window.capacity != before:
            self._prune_surfaces()

    def _prune_surfaces(self) -> None:
        window = self._window
        live = slice(window.start, window.end)
        keep = set(np.unique(window.terms[live][window.group[live] != NO_GROUP]).tolist())
        self._surfaces = {t: s for t, s in self._surfaces.items() if t in keep}

    def _customer(self, customer_id: int | None) -> int:
        if customer_id is not None:
            return customer_id
        self._anonymous -= 1
        return self._anonymous

    @staticmethod
    def _intern(table: list[str], value: str) -> int:
        try:
            return table.index(value)
        except ValueError:
            if len(table) >= 255:
                return 0
            table.append(value)
            return len(table) - 1
