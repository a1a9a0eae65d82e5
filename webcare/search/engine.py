"""One search over every channel: validate a query, hand it to the configured backend, time it.

``search(query)`` answers the search page, the REST API and ``webcare search``; ``ticket_ids(…)`` answers the inbox
(the tickets whose messages, customer or ticket number match, best first). Which backend answers is
``settings.WEBCARE_SEARCH_BACKEND``: ``tantivy`` (default; an index in ``WEBCARE_SEARCH_DIR``, fed by
:mod:`webcare.search.indexer`) or ``postgres`` (PostgreSQL full-text; refused on SQLite). See docs/search.md.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from typing import Final

from django.conf import settings
from django.db import connection

from webcare.search import analysis
from webcare.search.backend import Backend, Exclusions
from webcare.search.types import SearchQuery, SearchQueryError, SearchResult, Visibility

MAX_LIMIT: Final = 200
#: Deep pages cost the engine as much as the hits before them; nobody reads past this in a result list.
MAX_OFFSET: Final = 10_000
MAX_VALUES: Final = 50
SENTIMENTS: Final = ("negative", "neutral", "positive")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
BACKENDS: Final = ("tantivy", "postgres")


class BackendUnavailable(RuntimeError):
    """The configured backend can't run here (PostgreSQL full-text on SQLite, an unknown name)."""


_lock = threading.Lock()
_cached: tuple[tuple[str, str], Backend] | None = None


def backend(name: str | None = None) -> Backend:
    """The configured backend (one per process, reopened when the settings change, as they do between tests)."""
    global _cached
    chosen = name or str(getattr(settings, "WEBCARE_SEARCH_BACKEND", "tantivy"))
    key = (chosen, str(settings.WEBCARE_SEARCH_DIR) if chosen == "tantivy" else connection.settings_dict["NAME"])
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        found: Backend
        if chosen == "tantivy":
            from webcare.search.tantivy_backend import TantivyBackend

            found = TantivyBackend(settings.WEBCARE_SEARCH_DIR)
        elif chosen == "postgres":
            if connection.vendor != "postgresql":
                raise BackendUnavailable(
                    "WEBCARE_SEARCH_BACKEND=postgres needs PostgreSQL (DATABASE_URL=postgres://…); this database is "
                    f"{connection.vendor}. Use the default, tantivy, on SQLite.")
            from webcare.search.postgres_backend import PostgresBackend

            found = PostgresBackend()
        else:
            raise BackendUnavailable(f"unknown WEBCARE_SEARCH_BACKEND {chosen!r}; use one of {', '.join(BACKENDS)}")
        _cached = (key, found)
        return found


def reset() -> None:
    """Forget the open backend (tests that switch backends or directories; a closed writer lock)."""
    global _cached
    with _lock:
        _cached = None
    from webcare.search.tantivy_backend import close_all

    close_all()


def validate(query: SearchQuery) -> SearchQuery:
    """``query`` if it can run, else :class:`SearchQueryError` naming the part that is wrong and what would work."""
    from webcare.core.models import ChannelKind
    from webcare.tickets.models import Status
    from webcare.triage.intent import INTENTS

    if not isinstance(query.organisation_id, int) or query.organisation_id <= 0:
        raise SearchQueryError("organisation: a positive id is needed")
    if not 1 <= query.limit <= MAX_LIMIT:
        raise SearchQueryError(f"limit: {query.limit} is out of range; use 1 to {MAX_LIMIT}")
    if not 0 <= query.offset <= MAX_OFFSET:
        raise SearchQueryError(f"offset: {query.offset} is out of range; use 0 to {MAX_OFFSET}")
    if query.order not in ("relevance", "newest"):
        raise SearchQueryError(f"order: {query.order!r} is unknown; use relevance or newest")
    checks: tuple[tuple[str, tuple[object, ...], tuple[str, ...] | None], ...] = (
        ("channel", query.channels, tuple(ChannelKind.values)),
        ("sentiment", query.sentiments, SENTIMENTS),
        ("intent", query.intents, INTENTS),
        ("status", query.statuses, tuple(Status.values)),
        ("language", query.languages, None),
    )
    for name, values, allowed in checks:
        if len(values) > MAX_VALUES:
            raise SearchQueryError(f"{name}: at most {MAX_VALUES} values")
        for value in values:
            if allowed is not None and value not in allowed:
                raise SearchQueryError(f"{name}: {value!r} is unknown; use {', '.join(allowed)}")
            if allowed is None and not (isinstance(value, str) and _LANGUAGE.fullmatch(value)):
                raise SearchQueryError(f"{name}: {value!r} is not a language code; use e.g. nb, en, de")
    for name, ids in (("team", query.team_ids), ("assignee", query.assignee_ids)):
        if len(ids) > MAX_VALUES:
            raise SearchQueryError(f"{name}: at most {MAX_VALUES} values")
        if any(pk is not None and (not isinstance(pk, int) or pk <= 0) for pk in ids):
            raise SearchQueryError(f"{name}: ids are positive numbers (or none)")
    for name, moment in (("since", query.since), ("until", query.until)):
        if moment is not None and moment.tzinfo is None:
            raise SearchQueryError(f"{name}: give a time zone (e.g. 2026-11-20T00:00:00+01:00)")
    if query.since and query.until and query.since >= query.until:
        raise SearchQueryError("until: must be after since")
    try:
        analysis.parse(query.text, prefix=query.prefix)
    except analysis.QueryTextError as exc:
        raise SearchQueryError(f"q: {exc}") from exc
    return query


def exclusions(organisation_id: int) -> Exclusions:
    """Erased documents whose deletion from the index is still queued (see :mod:`webcare.search.hooks`)."""
    from webcare.search.models import PendingErasure

    messages: set[int] = set()
    customers: set[int] = set()
    for message_ids, customer_ids in PendingErasure.objects.filter(organisation_id=organisation_id).values_list(
            "message_ids", "customer_ids"):
        messages.update(int(pk) for pk in message_ids)
        customers.update(int(pk) for pk in customer_ids)
    return Exclusions(frozenset(messages), frozenset(customers))


def search(query: SearchQuery) -> SearchResult:
    """Run ``query`` on the configured backend: hits (masked text only), the total and the facet counts, all within
    the searcher's need-to-know. Raises :class:`SearchQueryError` for a query that can't run."""
    started = time.perf_counter()
    validate(query)
    result = backend().search(query, exclusions(query.organisation_id))
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


def ticket_ids(organisation_id: int, text: str, visibility: Visibility | None, limit: int = 10_000) -> list[int]:
    """The tickets whose messages, customer (name, handles) or number (``#123``) match ``text``, best first, at
    most ``limit``, within ``visibility`` (None: the whole organisation). Empty text matches nothing."""
    if limit < 1:
        raise SearchQueryError(f"limit: {limit} is out of range; use 1 or more")
    query = validate(SearchQuery(organisation_id=organisation_id, text=text, visibility=visibility, facets=False))
    if analysis.parse(text).empty:
        return []
    return backend().ranked_tickets(replace(query, limit=MAX_LIMIT), limit, exclusions(organisation_id))
