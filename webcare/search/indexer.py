"""The indexer: keeps the search index in step with the database by following the change log the inbox streams.

Every change an inbox must see writes a ``live.LiveEvent`` row naming the tickets it touched, in the transaction of
the change (ticket actions, each ingested batch, message edits, customer edits, merges and splits, erasures). The
indexer keeps a cursor per backend (:class:`~webcare.search.models.SearchCursor`) and, on each pass, re-indexes the
messages of the tickets named since the cursor — the ticket's documents are replaced as a whole, so a re-delivered
event or a re-read range adds nothing twice. Why not a hook in every writer: the change log already exists, is
written in the same transactions, and survives a crash of the indexer; a backlog is simply read on the next pass.

Before anything else a pass applies the erasures queued by :mod:`webcare.search.hooks`. If the cursor fell behind
the oldest event still kept (the log is pruned after ``live.publish.KEEP``) the pass rebuilds the index from the
database instead (:func:`rebuild`), as it does for a new or emptied index.

Where it runs: a thread of ``webcare serve`` (:func:`start_in_process`, next to the ingestion worker), or one
``webcare searchindex follow`` process at scale. Only one process may write a tantivy index at a time: a second
follower waits for the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Max
from django.utils import timezone

from webcare.live.models import LiveEvent, LiveKind
from webcare.live.publish import KEEP
from webcare.search import documents, engine
from webcare.search.backend import Backend
from webcare.search.models import PendingErasure, SearchCursor

logger = logging.getLogger("webcare.search")

#: Change-log rows read per pass and tickets re-indexed per commit.
EVENTS_PER_PASS: Final = 1_000
TICKETS_PER_COMMIT: Final = 500
#: How long an id missing below the cursor is waited for (a transaction still committing) before it is taken as
#: rolled back.
HOLE_SECONDS: Final = 60
MAX_HOLES: Final = 10_000
IDLE_SECONDS: Final = 0.5


@dataclass
class SyncCounts:
    events: int = 0
    tickets: int = 0
    documents: int = 0
    erased: int = 0
    rebuilt: bool = False


def _cursor(backend: Backend) -> tuple[SearchCursor, bool]:
    return SearchCursor.objects.get_or_create(backend=backend.name)


def apply_erasures(backend: Backend | None = None) -> int:
    """Delete the documents of queued erasures from the index, then the queue rows; returns documents removed."""
    backend = backend or engine.backend()
    rows = list(PendingErasure.objects.order_by("pk"))
    if not rows:
        return 0
    gone = backend.delete(customer_ids={int(pk) for row in rows for pk in row.customer_ids},
                          message_ids={int(pk) for row in rows for pk in row.message_ids})
    PendingErasure.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return gone


def unread_from() -> int | None:
    """The lowest change-log id the configured backend's indexer has not read (its cursor's own event, so a pruned
    log stays detectable, or its oldest hole), or None before it has read anything — a first pass rebuilds anyway.
    One of ``WEBCARE_LIVE_READERS``: the log keeps these events until read (``live.publish.prune``)."""
    cursor = SearchCursor.objects.filter(backend=settings.WEBCARE_SEARCH_BACKEND).first()
    if cursor is None or cursor.last_event_id == 0:
        return None
    return min([cursor.last_event_id, *(int(pk) for pk in cursor.holes)])


def _pruned_past(cursor: SearchCursor) -> bool:
    """Whether events after the cursor may have been pruned unread: the cursor's own event is gone and the cursor
    has not moved for the whole time the log keeps events."""
    if cursor.last_event_id == 0:
        return False
    if LiveEvent.objects.filter(pk=cursor.last_event_id).exists():
        return False
    return timezone.now() - cursor.synced_at >= KEEP - timedelta(minutes=1)


def _events(cursor: SearchCursor) -> list[tuple[int, int, list[int]]]:
    """(id, organisation, ticket ids) of the ticket events after the cursor and in its holes, oldest first."""
    holes = [int(pk) for pk in cursor.holes]
    rows = LiveEvent.objects.filter(pk__gt=cursor.last_event_id).order_by("pk")
    found = list(rows.values_list("pk", "kind", "organisation_id", "data")[:EVENTS_PER_PASS])
    if holes:
        found += list(LiveEvent.objects.filter(pk__in=holes).values_list("pk", "kind", "organisation_id", "data"))
    # Presence rows name no tickets ("ticket", singular): read past them.
    return [(pk, org, [int(t) for t in (data or {}).get("tickets", []) if t] if kind == LiveKind.TICKETS else [])
            for pk, kind, org, data in sorted(found)]


def _advance(cursor: SearchCursor, seen: list[int]) -> None:
    """Move the cursor past ``seen`` ids; ids skipped on the way become holes, and old holes expire."""
    now = time.time()
    holes = {int(pk): float(at) for pk, at in cursor.holes.items()}
    for pk in seen:
        holes.pop(pk, None)
    new_ids = sorted(pk for pk in seen if pk > cursor.last_event_id)
    if new_ids:
        expected = cursor.last_event_id + 1
        present = set(new_ids)
        for pk in range(expected, new_ids[-1]):
            if pk not in present and len(holes) < MAX_HOLES:
                holes[pk] = now
        cursor.last_event_id = new_ids[-1]
    cursor.holes = {str(pk): at for pk, at in holes.items() if now - at < HOLE_SECONDS}
    cursor.synced_at = timezone.now()
    cursor.save(update_fields=["last_event_id", "holes", "synced_at"])


def reindex_tickets(ticket_ids: list[int], backend: Backend | None = None) -> int:
    """Replace the documents of these tickets with their messages as the database has them; returns documents."""
    backend = backend or engine.backend()
    written = 0
    ordered = sorted(set(ticket_ids))
    for start in range(0, len(ordered), TICKETS_PER_COMMIT):
        chunk = ordered[start:start + TICKETS_PER_COMMIT]
        written += backend.write(documents.for_tickets(chunk), replace_tickets=chunk)
    return written


def sync(backend: Backend | None = None, max_passes: int = 1_000) -> SyncCounts:
    """Catch up once: queued erasures, then every ticket named in the change log since the cursor (or a rebuild when
    the index is new or the cursor fell behind the log). Returns what it did. For tests, commands and the loop."""
    backend = backend or engine.backend()
    counts = SyncCounts()
    counts.erased = apply_erasures(backend)
    cursor, created = _cursor(backend)
    # A new cursor, a log pruned past the cursor, or an index found empty (a new directory, another schema
    # version) while the database has messages to find: build it from the database.
    if created or _pruned_past(cursor) or (backend.empty() and documents.any_indexable()):
        result = rebuild(backend)
        counts.rebuilt = True
        counts.documents = result
        return counts
    for _ in range(max_passes):
        events = _events(cursor)
        if not events:
            break
        tickets = sorted({pk for _, _, ids in events for pk in ids})
        counts.events += len(events)
        counts.tickets += len(tickets)
        counts.documents += reindex_tickets(tickets, backend)
        _advance(cursor, [pk for pk, _, _ in events])
        if len(events) < EVENTS_PER_PASS:
            break
    return counts


def lag(backend: Backend | None = None) -> tuple[int, float | None]:
    """(change-log events not yet indexed, seconds since the oldest of them was written) for ``status``."""
    backend = backend or engine.backend()
    cursor = SearchCursor.objects.filter(backend=backend.name).first()
    after = cursor.last_event_id if cursor else 0
    pending = LiveEvent.objects.filter(pk__gt=after, kind=LiveKind.TICKETS)
    oldest = pending.order_by("pk").values_list("created_at", flat=True).first()
    return pending.count(), (timezone.now() - oldest).total_seconds() if oldest else None


def rebuild(backend: Backend | None = None, progress: Callable[[int, int], None] | None = None,
            batch: int = documents.BATCH) -> int:
    """Rebuild the whole index from the database; returns documents written. The cursor is set to the newest
    change-log row first, so changes made during the rebuild are applied again afterwards (re-indexing is
    idempotent). ``progress(done, total)`` is called after each batch."""
    backend = backend or engine.backend()
    apply_erasures(backend)
    newest = LiveEvent.objects.aggregate(newest=Max("pk"))["newest"] or 0
    total = documents.total()
    done = 0

    def stream() -> Iterator[documents.IndexDoc]:
        nonlocal done
        for docs in documents.every(batch):
            yield from docs
            done += len(docs)
            if progress is not None:
                progress(done, total)

    written = backend.rebuild(stream())
    with transaction.atomic():
        cursor, _ = SearchCursor.objects.select_for_update().get_or_create(backend=backend.name)
        cursor.last_event_id = newest
        cursor.holes = {}
        cursor.synced_at = cursor.rebuilt_at = timezone.now()
        cursor.save()
    return written


def follow(stop: threading.Event, backend_name: str | None = None, idle: float = IDLE_SECONDS) -> None:
    """Sync until ``stop`` is set: a pass, then a short sleep when there was nothing to do. Keeps the tantivy
    writer between passes (this process is the index's writer); waits while another process holds it."""
    while not stop.is_set():
        try:
            backend = engine.backend(backend_name)
            store = getattr(backend, "store", None)
            if store is not None:
                store.keep_writer = True
            counts = sync(backend)
            busy = counts.events or counts.erased or counts.rebuilt
        except Exception as exc:
            from webcare.search.tantivy_backend import WriterBusy

            if isinstance(exc, WriterBusy):
                logger.info("search index: %s; waiting", exc)
            else:
                logger.exception("search indexer pass failed")
            busy = False
            stop.wait(5)
        finally:
            if not connection.in_atomic_block:  # (a test's transaction is not this loop's to close)
                close_old_connections()
        if not busy:
            stop.wait(idle)


def start_in_process(stop: threading.Event) -> threading.Thread:
    """The indexer as a daemon thread of ``webcare serve``."""
    from webcare.core.threads import start_daemon

    return start_daemon("webcare-search-indexer", follow, stop)
