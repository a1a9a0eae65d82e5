"""The audit log as JSON lines, for a data-protection officer or an auditor, checkable without webcare.

One entry per line, in chain order: ``id``, the hashed fields exactly as they were hashed (``at`` as the canonical
UTC string), ``prev_hash`` and ``hash``. Dropping ``id``, ``prev_hash`` and ``hash`` from a line leaves the object
whose canonical JSON was hashed, so ``verify_export.py`` (standard library only) can check the file anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO

from webcare.audit import chain
from webcare.audit.verify import BATCH, rows


def line(row: chain.Row) -> str:
    return json.dumps({"id": row.id, **row.hashed, "prev_hash": row.prev_hash, "hash": row.hash},
                      ensure_ascii=False, separators=(",", ":"))


def write(out: IO[str], organisation_id: int | None = None, progress: Callable[[int], None] | None = None,
          batch: int = BATCH) -> int:
    """Write the entries (only ``organisation_id``'s when given) to ``out``; returns how many lines were written."""
    written = 0
    for found in rows(batch):
        for row in found:
            if organisation_id is None or row.hashed["organisation_id"] == organisation_id:
                out.write(line(row) + "\n")
                written += 1
        if progress is not None:
            progress(len(found))
    return written
