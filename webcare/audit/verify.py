"""Checking the stored chain: read the entries in id order, batch by batch, and hand them to :mod:`chain`.

Why batches by id (``WHERE id > last ORDER BY id LIMIT n``) and not one cursor: each batch is one short index-range
query, so memory stays flat at any size and no long-running read holds back a busy PostgreSQL's vacuum.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from webcare.audit import chain
from webcare.audit.models import AuditEntry

BATCH = 5000
_COLUMNS = ("id", *chain.HASHED, "prev_hash", "hash")


@dataclass(frozen=True)
class Result:
    """What a check found: how many entries held, the last good hash, the first break and any anchor not found."""

    count: int
    last_hash: str
    broken: chain.Break | None
    missing_anchors: frozenset[str]

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.missing_anchors


def rows(batch: int = BATCH, after: int = 0) -> Iterator[list[chain.Row]]:
    """The stored entries in id order, ``batch`` at a time.

    Read with a plain cursor, not the ORM: Django's per-value converters were a third of the time of a check, and
    the check needs the values as stored anyway (the JSON column's text on SQLite, a UTC timestamp).
    """
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = f"SELECT {', '.join(_COLUMNS)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608 - constants  # nosec B608
    last_id = after
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last_id, batch])
            values = cursor.fetchall()
        if not values:
            return
        yield [_row(value) for value in values]
        last_id = values[-1][0]


def _row(value: tuple) -> chain.Row:  # type: ignore[type-arg]
    entry_id, at, org_id, actor_id, label, action, target, detail, ip, prev_hash, entry_hash = value
    if isinstance(at, str):  # SQLite keeps a naive UTC timestamp (as text, or parsed by the driver)
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if isinstance(detail, str | bytes):
        detail = json.loads(detail)
    return chain.Row(entry_id, chain.fields(at, org_id, actor_id, label, action, target, detail, ip), prev_hash,
                     entry_hash)


def walk(batches: Iterable[list[chain.Row]], anchors: Iterable[str] = (),
         progress: Callable[[int], None] | None = None) -> Result:
    """Check ``batches`` in order; ``anchors`` are hashes noted earlier that must still be in the chain.

    An anchor that is not found means entries were removed from the end, or the chain was rewritten from before it
    (every hash after a change recomputed): both leave a chain that holds together but lost what was noted.
    """
    wanted = frozenset(anchor.strip().lower() for anchor in anchors if anchor.strip())
    state = chain.Walk()
    for batch in batches:
        going = state.feed(batch, wanted)
        if progress is not None:
            progress(len(batch))
        if not going:
            break
    missing = frozenset() if state.broken is not None else wanted - state.anchors_seen
    return Result(state.count, state.last_hash, state.broken, missing)


def verify(anchors: Iterable[str] = (), batch: int = BATCH,
           progress: Callable[[int], None] | None = None) -> Result:
    """Check the whole stored chain (see :func:`walk`)."""
    return walk(rows(batch), anchors, progress)
