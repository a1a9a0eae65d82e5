"""What is normal for a brand: its traffic rate and how often each term turns up, remembered with exponential decay.

The background answers two questions:

- **Is a term salient?** A term is salient when few messages carry it — its *share* (decayed document frequency
  over decayed message count) is small. "premium" and "playlist" at a music service's desk are everyday words, so
  they never bind messages into a choir; "E503", "Oslo" or "afgeschreven" are.
- **What rate is normal for a topic?** The share of a topic's terms times the brand's current traffic rate.

Messages reach the background when they *leave* the grouping window, not when they arrive: a storm in progress is
never part of its own baseline, so it cannot talk itself down. A restarted detector can be primed with history
(:meth:`Background.add` directly) so it knows what is normal at once.

Counts decay with a half-life (two days by default): yesterday's quiet topic is still known, last month's storm is
forgotten. Decay is lazy — every count is stored in units of a reference time and rescaled on read — so adding a
message costs one dictionary update per term. The table is bounded: past ``max_terms`` the least-seen terms go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_LN2 = math.log(2)
_RESCALE_AT = 2.0**60  # rescale stored counts before the lazy-decay weights overflow float precision


@dataclass
class Background:
    """Decayed message and term counts. Times are epoch seconds."""

    half_life_s: float
    max_terms: int
    counts: dict[int, float] = field(default_factory=dict)  # term id → decayed document frequency (scaled)
    total: float = 0.0  # decayed message count (scaled)
    reference: float | None = None  # epoch seconds the scaled counts are expressed at
    first_at: float | None = None  # the oldest message the background has seen
    last_at: float | None = None

    def _weight(self, at: float) -> float:
        assert self.reference is not None
        return 2.0 ** ((at - self.reference) / self.half_life_s)

    def add(self, at: float, term_ids: set[int] | frozenset[int]) -> None:
        """Count one message (with its distinct terms) seen at ``at``."""
        if self.reference is None:
            self.reference = at
            self.first_at = at
        weight = self._weight(at)
        if weight > _RESCALE_AT:
            self._rescale(at)
            weight = 1.0
        self.total += weight
        counts = self.counts
        for term in term_ids:
            counts[term] = counts.get(term, 0.0) + weight
        self.first_at = at if self.first_at is None else min(self.first_at, at)
        self.last_at = at if self.last_at is None else max(self.last_at, at)
        if len(counts) > self.max_terms:
            self._prune()

    def _rescale(self, at: float) -> None:
        factor = 1.0 / self._weight(at)
        self.counts = {term: count * factor for term, count in self.counts.items()}
        self.total *= factor
        self.reference = at

    def _prune(self) -> None:
        """Keep the most-seen 80 %: what is dropped is seen so rarely that, met again, it is simply rare."""
        keep = int(self.max_terms * 0.8)
        ranked = sorted(self.counts.items(), key=lambda item: item[1], reverse=True)[:keep]
        self.counts = dict(ranked)

    def messages(self) -> float:
        """Decayed message count, in units of 'messages now'."""
        if self.reference is None or self.last_at is None:
            return 0.0
        return self.total / self._weight(self.last_at)

    def share(self, term: int) -> float:
        """The share of background messages carrying ``term`` (0 when never seen), smoothed towards rare:
        (df + 0.5) / (N + 10), so a term seen once in a tiny background is not already 'common'."""
        if self.reference is None or self.last_at is None:
            return 0.5 / 10.0
        scale = self._weight(self.last_at)
        return (self.counts.get(term, 0.0) / scale + 0.5) / (self.total / scale + 10.0)

    def rate_per_hour(self, now: float) -> float:
        """The brand's recent traffic rate: the decayed count over the decayed length of the time it covers."""
        if self.first_at is None or self.last_at is None:
            return 0.0
        covered = max(now, self.last_at) - self.first_at
        if covered <= 0:
            return 0.0
        decayed_hours = self.half_life_s / _LN2 * (1.0 - 2.0 ** (-covered / self.half_life_s)) / 3600.0
        messages_now = self.messages() * 2.0 ** (-(max(now, self.last_at) - self.last_at) / self.half_life_s)
        return messages_now / decayed_hours

    def seen_seconds(self, now: float) -> float:
        """How long a stretch of traffic the background covers."""
        return 0.0 if self.first_at is None else max(0.0, now - self.first_at)

    def memory_bytes(self) -> int:
        """Approximate bytes held: a dict entry (~100 bytes with its int key and float value) per term."""
        return 100 * len(self.counts) + 200


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean): how surprising k arrivals are when ``mean`` are expected.

    Beyond the mean the tail is summed upwards from k in log space (its terms shrink at once, so a few dozen steps
    reach float precision however large k is); below it, one minus the head.
    """
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_mean = math.log(mean)
    if k > mean:
        log_term = -mean + k * log_mean - math.lgamma(k + 1)
        total = 0.0
        i = k
        while True:
            value = math.exp(log_term)
            total += value
            if value <= total * 1e-16 or i > k + 10_000:
                return min(1.0, total)
            i += 1
            log_term += log_mean - math.log(i)
    head = 0.0
    log_term = -mean
    for i in range(k):
        if i:
            log_term += log_mean - math.log(i)
        head += math.exp(log_term)
    return max(0.0, 1.0 - head)
