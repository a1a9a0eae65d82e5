"""The sliding window: the messages that can still gather others into a group, as parallel numpy arrays.

One row per message, 720 bytes: the MinHash signature (64 × uint32 = 256 bytes), the sentence embedding quantised
to int8 (384 bytes), up to twelve term ids, salient ones first (48 bytes), and a few scalars. The term ids
are kept whole, not just the salient ones, because a row feeds the background's term counts when it *leaves* the
window (see :mod:`webcare.incidents.choir.baseline`). Rows are appended in time order and
dropped from the front when they expire; the arrays grow by 12 % when full and are compacted (copied without the
expired rows, trimmed to an 8 % slack) when a sixteenth has expired, so memory follows the window's size — within
about 1.2 × its rows, and bounded by ``max_rows`` whatever the traffic — instead of its peak.

Python objects per message would cost several times that (../shared/MEASURED.md: ~5 KB a message for a
pure-Python MinHash); arrays also let one numpy expression compare a new message with the whole window.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

TERM_SLOTS = 12
NO_GROUP = -1


class Window:
    """Parallel arrays of the window's rows; live rows are ``[start, end)``."""

    def __init__(self, permutations: int, dimensions: int, max_rows: int) -> None:
        self.permutations = permutations
        self.dimensions = dimensions
        self.max_rows = max_rows
        self.start = 0
        self.end = 0
        self._allocate(8)

    def _allocate(self, capacity: int) -> None:
        self.capacity = capacity
        self.message_id = np.zeros(capacity, dtype=np.int64)
        self.customer = np.zeros(capacity, dtype=np.int64)  # customer id; a unique negative number when unknown
        self.at = np.zeros(capacity, dtype=np.float64)  # epoch seconds
        self.group = np.full(capacity, NO_GROUP, dtype=np.int32)
        self.language = np.zeros(capacity, dtype=np.uint8)  # index into the detector's interned languages
        self.channel = np.zeros(capacity, dtype=np.uint8)  # index into the detector's interned channel kinds
        self.embedded = np.zeros(capacity, dtype=np.bool_)
        self.signature = np.zeros((capacity, self.permutations), dtype=np.uint32)
        self.terms = np.zeros((capacity, TERM_SLOTS), dtype=np.uint32)  # 0 = empty slot; salient ones first
        self.salient = np.zeros(capacity, dtype=np.uint8)  # how many of the first slots are salient
        self.vector = np.zeros((capacity, self.dimensions), dtype=np.int8)  # unit vector × 127

    def _arrays(self) -> list[npt.NDArray[np.generic]]:
        return [self.message_id, self.customer, self.at, self.group, self.language, self.channel, self.embedded,
                self.signature, self.terms, self.salient, self.vector]

    def __len__(self) -> int:
        return self.end - self.start

    def _resize(self, capacity: int) -> None:
        """Copy the live rows to the front of fresh arrays of ``capacity`` rows."""
        old = self._arrays()
        live = slice(self.start, self.end)
        n = len(self)
        self._allocate(capacity)
        for new, previous in zip(self._arrays(), old, strict=True):
            new[:n] = previous[live]
        self.start, self.end = 0, n

    def append(self, message_id: int, customer: int, at: float, language: int, channel: int,
               signature: npt.NDArray[np.uint32], terms: list[int], salient: int,
               vector: npt.NDArray[np.int8] | None) -> int:
        """Add a row; returns its index (valid until the next compaction: use :meth:`live` offsets)."""
        if self.end == self.capacity:
            n = len(self)
            if self.start > 0 and n <= self.capacity * 0.9:
                self._resize(max(8, int(n * 1.08) + 2))
            else:
                self._resize(max(8, int(self.capacity * 1.12) + 2))
        row = self.end
        self.message_id[row] = message_id
        self.customer[row] = customer
        self.at[row] = at
        self.group[row] = NO_GROUP
        self.language[row] = language
        self.channel[row] = channel
        self.signature[row] = signature
        self.terms[row] = 0
        self.terms[row, : min(len(terms), TERM_SLOTS)] = terms[:TERM_SLOTS]
        self.salient[row] = min(salient, TERM_SLOTS)
        self.embedded[row] = vector is not None
        if vector is not None:
            self.vector[row] = vector
        else:
            self.vector[row] = 0
        self.end += 1
        return row

    def expire_before(self, cutoff: float, limit: int) -> slice:
        """Drop rows older than ``cutoff``, and the oldest beyond ``limit`` rows; returns the slice of dropped rows,
        still readable until the next :meth:`append` or :meth:`compact`."""
        first = self.start
        new_start = self.start + int(np.searchsorted(self.at[self.start:self.end], cutoff, side="left"))
        new_start = max(new_start, self.end - max(0, limit))
        self.start = new_start
        return slice(first, new_start)

    def compact(self) -> None:
        """Release the space of expired rows once they are a sixteenth of the live ones, or the arrays a fifth larger
        than needed: capacity stays within ~1.2 × the live rows. Copying costs ~16 rows' bytes per message, far less
        than keeping them."""
        n = len(self)
        if self.start > max(4, n // 16) or self.capacity > int(n * 1.2) + 4:
            self._resize(max(8, int(n * 1.08) + 2))

    def nbytes(self) -> int:
        """Bytes allocated: the arrays at their capacity plus numpy's header per array."""
        return sum(array.nbytes + 112 for array in self._arrays())
