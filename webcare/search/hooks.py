"""The erasure hook (``settings.WEBCARE_ERASURE_HOOKS``): a person's documents leave the search index with them.

Called by :mod:`webcare.gdpr.erase` inside the erasure's transaction, after their rows are blanked. PostgreSQL
backend: the documents are deleted in that same transaction. tantivy backend: the index is not in the database and
one process at a time may write it (the indexer holds that lock), so the hook queues the deletion as a
:class:`~webcare.search.models.PendingErasure` row in the erasure's transaction — as durable as the erasure, and rolled
back with it — and from that commit on every search leaves those messages and customers out. The indexer deletes
them before anything else on its next pass; right after the commit this process also tries to do it at once, which
succeeds whenever no other process holds the writer.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from webcare.search import engine, indexer
from webcare.search.models import PendingErasure

logger = logging.getLogger("webcare.search")


def erase(organisation_id: int, customer_ids: list[int], message_ids: list[int]) -> dict[str, int]:
    """Remove the documents of these customers and messages from the index; returns
    ``{"search_index_documents": n}`` (documents removed, or queued for removal)."""
    customers = sorted({int(pk) for pk in customer_ids})
    messages = sorted({int(pk) for pk in message_ids})
    if not customers and not messages:
        return {"search_index_documents": 0}
    if getattr(settings, "WEBCARE_SEARCH_BACKEND", "tantivy") == "postgres":
        gone = engine.backend().delete(customer_ids=customers, message_ids=messages)
        return {"search_index_documents": gone}
    PendingErasure.objects.create(organisation_id=organisation_id, customer_ids=customers, message_ids=messages)
    transaction.on_commit(_apply_now)
    return {"search_index_documents": len(messages)}


def _apply_now() -> None:
    """Apply queued erasures if this process can take the index's writer; else the indexer does on its next pass."""
    from webcare.search.tantivy_backend import WriterBusy

    try:
        indexer.apply_erasures()
    except WriterBusy:
        logger.info("search index busy; the indexer applies the erasure on its next pass")
    except Exception:  # the erasure has committed; the queued row keeps the deletion
        logger.exception("could not apply the erasure to the search index now; the indexer will")
