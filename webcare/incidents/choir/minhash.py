"""MinHash signatures over word shingles: near-duplicate detection in 256 bytes a message.

Two messages' estimated Jaccard similarity is the share of signature positions where they agree. 64 permutations
give a standard error of at most 1/(2·√64) = 0.06, enough to tell a retweet-like copy (≥ 0.5) from a message that
merely shares a word or two. The signature is a numpy ``uint32`` row: 256 bytes, against ~5 KB for a pure-Python
MinHash object (../shared/MEASURED.md, "Near-duplicates").

Candidate lookup uses LSH banding: the 64 positions are cut into bands of equal rows, and two messages are candidates
when one whole band agrees. With 16 bands of 4 rows the chance of becoming candidates is 1-(1-J⁴)¹⁶: 0.65 at
J = 0.4, 0.96 at J = 0.5, ≥ 0.999 at J = 0.7 — every near-duplicate is looked at, most unrelated pairs are not.

Permutations are drawn from a fixed seed and shingles are hashed with CRC-32 (not Python's salted ``hash()``), so the
same text gives the same signature in every process: same input, same groups.
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import numpy.typing as npt

_PRIME = np.uint64((1 << 61) - 1)  # Mersenne prime; a·x + b stays below 2⁶⁴ for 32-bit a, b and x
_MASK = np.uint64(0xFFFFFFFF)
EMPTY = np.uint32(0xFFFFFFFF)

Signature = npt.NDArray[np.uint32]


def shingles(tokens: tuple[str, ...]) -> list[str]:
    """Word unigrams and bigrams: short messages share few bigrams, so unigrams carry the vocabulary and bigrams the
    phrasing ("spotify down" and "down spotify" differ, but not much)."""
    grams = list(dict.fromkeys(tokens))
    grams += [f"{a} {b}" for a, b in itertools.pairwise(tokens) if a != b]
    return grams


class MinHasher:
    """Makes 64-position (by default) MinHash signatures with seeded universal hashing."""

    def __init__(self, permutations: int = 64, seed: int = 8) -> None:
        rng = np.random.default_rng(seed)
        self.permutations = permutations
        self._a = rng.integers(1, 1 << 32, size=permutations, dtype=np.uint64)
        self._b = rng.integers(0, 1 << 32, size=permutations, dtype=np.uint64)

    def signature(self, tokens: tuple[str, ...]) -> Signature:
        """The signature of a message's content tokens; all positions ``EMPTY`` when it has none."""
        grams = shingles(tokens)
        if not grams:
            return np.full(self.permutations, EMPTY, dtype=np.uint32)
        hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams))
        mixed = (hashes[:, None] * self._a[None, :] + self._b[None, :]) % _PRIME
        return (mixed & _MASK).min(axis=0).astype(np.uint32)


def similarity(signatures: npt.NDArray[np.uint32], query: Signature, bands: int) -> npt.NDArray[np.float32]:
    """Estimated Jaccard similarity of ``query`` to each row of ``signatures``; 0 for rows that share no LSH band
    with it (not candidates) and for empty signatures."""
    if len(signatures) == 0:
        return np.zeros(0, dtype=np.float32)
    equal = signatures == query[None, :]
    rows = signatures.shape[1] // bands
    candidate = equal.reshape(len(signatures), bands, rows).all(axis=2).any(axis=1)
    estimate = equal.mean(axis=1, dtype=np.float32)
    if query[0] == EMPTY and (query == EMPTY).all():
        return np.zeros(len(signatures), dtype=np.float32)
    return np.where(candidate, estimate, np.float32(0)).astype(np.float32)
