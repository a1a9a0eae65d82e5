"""The FAQ index of each organisation, kept in memory between keystrokes.

Building an index costs a pass over the organisation's published articles; the web chat asks for suggestions every
time a customer pauses typing, so each process keeps the index per organisation and rebuilds it only when the
articles changed — seen from one cheap aggregate (count and newest ``updated_at`` of all the organisation's articles;
every save, publish and unpublish moves ``updated_at``, a delete lowers the count).
"""

from __future__ import annotations

import threading
from datetime import datetime

from django.db.models import Count, Max

from webcare.knowledge.faq import Entry, FaqIndex, Match
from webcare.knowledge.models import Article

_lock = threading.Lock()
_cache: dict[int, tuple[tuple[int, datetime | None], FaqIndex]] = {}


def _fingerprint(organisation_id: int) -> tuple[int, datetime | None]:
    row = Article.objects.filter(organisation_id=organisation_id).aggregate(n=Count("id"), newest=Max("updated_at"))
    return row["n"], row["newest"]


def _build(organisation_id: int) -> FaqIndex:
    rows = Article.objects.filter(organisation_id=organisation_id, published=True).order_by("id")
    return FaqIndex(
        Entry(a.pk, a.slug, a.language, a.question, a.answer, tuple(str(k) for k in a.keywords or ()))
        for a in rows
    )


def index_for(organisation_id: int) -> FaqIndex:
    """The organisation's current index (rebuilt when its articles changed)."""
    fingerprint = _fingerprint(organisation_id)
    with _lock:
        cached = _cache.get(organisation_id)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    index = _build(organisation_id)
    with _lock:
        _cache[organisation_id] = (fingerprint, index)
    return index


def suggest(organisation_id: int, query: str, language: str = "") -> list[Match]:
    """The published articles that answer ``query`` best (at most three, possibly none)."""
    return index_for(organisation_id).search(query, language)
