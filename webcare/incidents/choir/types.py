"""The choir detector's vocabulary: what goes in (an observation), what comes out (a placement, a group view), the
knobs (a config) and the one pluggable part (an embedder).

These types are the fixed interface between the pure detector and the incidents app around it: the app turns stored
messages into `Observation`s, feeds them in time order and acts on `Placement.started`; it never reaches inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Observation:
    """One inbound customer message, as the detector sees it.

    ``text`` is ``Message.redacted_text``: personal data is masked before it reaches the detector, so nothing the
    detector keeps (term statistics, group titles) can hold it.
    """

    message_id: int
    at: datetime  # aware, when it was sent
    text: str
    language: str  # ISO 639-1 or ""
    channel: str  # channel kind
    ticket_id: int | None = None
    customer_id: int | None = None


@dataclass(frozen=True)
class Placement:
    """Where one observation landed.

    ``started`` is True exactly once per group — on the observation that made it abnormal — so the caller opens one
    incident per group without keeping its own bookkeeping; later members of an abnormal group come back with
    ``abnormal=True, started=False`` and are linked to the open incident.
    """

    group_id: int | None  # None: the message joined no group (stays alone)
    group_size: int  # messages of the group inside the window
    abnormal: bool  # the group is (still) growing abnormally fast
    started: bool  # True exactly once per group: the observation that made it abnormal


@dataclass(frozen=True)
class GroupView:
    """A read-only picture of one group, for alerts and the incident page."""

    group_id: int
    message_ids: tuple[int, ...]  # in the window, oldest first
    first_at: datetime
    terms: tuple[str, ...]  # the salient terms the group shares, most telling first (a title for humans)
    languages: tuple[str, ...]
    channels: tuple[str, ...]
    rate_per_hour: float
    baseline_per_hour: float


@dataclass(frozen=True)
class ChoirConfig:
    """The detector's knobs. The defaults are chosen from first principles (see docs/incidents.md, "How the choir is
    detected") and checked on real background traffic, not fitted to it.
    """

    window: timedelta = timedelta(hours=3)  # how long a message can still gather others into its group
    burst_span: timedelta = timedelta(minutes=30)  # the span a group's current rate is counted over
    min_messages: int = 6  # different customers a group needs within the burst span to alarm ("a choir")
    rate_factor: float = 4.0  # ... at a rate at least this many times its topic's baseline
    significance: float = 1e-6  # ... and a Poisson tail probability below this under the baseline
    warm_up: timedelta = timedelta(hours=24)  # no alarm before the background covers this much traffic
    background_half_life: timedelta = timedelta(days=2)  # memory of the term statistics behind salience and baselines
    baseline_floor_per_day: float = 2.0  # no topic is assumed rarer than this (a brand-new term is not "never")
    salient_share: float = 0.01  # a term carried by fewer than this share of background messages is salient
    term_link: float = 9.0  # summed surprise (−ln share) of shared salient terms that links two messages: two terms
    #                         each in under 1 % of messages (2 × 4.6), or one code (counted double) in under 1 %
    burst_term: float = 1e-3  # a common term is salient while its carriers in the burst span are this improbable
    code_weight: float = 2.0  # a shared code (error code, flight number, version) counts this many times a word
    minhash_permutations: int = 64
    lsh_bands: int = 16  # 16 bands of 4 rows: pairs above a Jaccard of ~0.5 become candidates
    near_duplicate: float = 0.5  # estimated Jaccard of word shingles at which two messages are near-duplicates
    embed_pair: float = 0.6  # centred cosine at which two messages say the same thing (any languages)
    embed_join: float = 0.45  # centred cosine to a group's centroid at which a message joins the group
    embed_merge: float = 0.5  # centred cosine between two groups' centroids at which they merge
    max_window_messages: int = 200_000  # hard bound on the window, whatever the traffic
    max_background_terms: int = 50_000  # hard bound on the term statistics
    seed: int = 8  # MinHash permutations are drawn from this seed: same input, same groups

    def __post_init__(self) -> None:
        problems = []
        if self.window <= timedelta(0) or self.burst_span <= timedelta(0):
            problems.append("window and burst_span must be positive")
        if self.burst_span > self.window:
            problems.append("burst_span must not exceed window")
        if self.min_messages < 2:
            problems.append("min_messages must be at least 2")
        if self.minhash_permutations <= 0 or self.lsh_bands <= 0 or self.minhash_permutations % self.lsh_bands:
            problems.append("minhash_permutations must be a positive multiple of lsh_bands")
        if not 0 < self.significance < 1:
            problems.append("significance must be between 0 and 1")
        if not 0 < self.near_duplicate <= 1:
            problems.append("near_duplicate must be in (0, 1]")
        if not all(-1 <= value <= 1 for value in (self.embed_pair, self.embed_join, self.embed_merge)):
            problems.append("embed_pair, embed_join and embed_merge must be cosines in [-1, 1]")
        if not 0 < self.burst_term < 1:
            problems.append("burst_term must be between 0 and 1")
        if not 0 < self.salient_share < 1 or self.term_link <= 0 or self.code_weight <= 0:
            problems.append("salient_share must be in (0, 1); term_link and code_weight positive")
        if self.warm_up < timedelta(0) or self.background_half_life <= timedelta(0):
            problems.append("warm_up must not be negative and background_half_life must be positive")
        if self.rate_factor < 1:
            problems.append("rate_factor must be at least 1")
        if self.max_window_messages < 1 or self.max_background_terms < 1:
            problems.append("max_window_messages and max_background_terms must be positive")
        if problems:
            raise ValueError("invalid ChoirConfig: " + "; ".join(problems))


class Embedder(Protocol):
    """Turns texts into L2-normalised sentence vectors in one space shared by all languages.

    The detector only calls it for messages the cheap signals (near-duplicates, shared salient terms) cannot place,
    so a slow model (multilingual-e5-small, ~26 ms a sentence) stays affordable.
    """

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """An array of shape (len(texts), dimensions), each row of unit length."""
        ...
