"""The one small interface every search backend implements, and the document it indexes.

Why a Protocol with seven methods: the engine (validation, dispatch), the indexer (following the change log), the
erasure hook and the commands only ever call these, so a backend is one module — tantivy by default
(``tantivy_backend``), PostgreSQL full-text as the no-extra-component option (``postgres_backend``) — and the same
tests run against each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from webcare.search.types import SearchQuery, SearchResult


@dataclass(frozen=True)
class IndexDoc:
    """One message as the index sees it: its masked text only (``Message.redacted_text``, never ``Message.text``),
    its customer's name and handles, and the values the filters and facets need."""

    message_id: int
    organisation_id: int
    ticket_id: int
    conversation_id: int
    customer_id: int | None
    channel: str
    language: str
    sentiment: str
    intents: tuple[str, ...]
    status: str
    team_id: int | None
    assignee_id: int | None
    sent_at: datetime
    text: str
    #: The customer's name, and each identity's handle and shown name.
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exclusions:
    """Documents an erasure removed from the database whose removal from the index is still queued (tantivy, while
    another process holds the writer): searches leave them out until it is done."""

    message_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.message_ids or self.customer_ids)


NO_EXCLUSIONS: Final = Exclusions()


class Backend(Protocol):
    """What the engine, the indexer and the erasure hook need from an index."""

    #: "tantivy" or "postgres": names the indexer's cursor too.
    name: str

    def write(self, docs: Iterable[IndexDoc], *, replace_tickets: Iterable[int] = ()) -> int:
        """Remove the documents of ``replace_tickets`` and of the messages in ``docs``, add ``docs``, and make it
        visible (one commit). Returns how many documents were written."""
        ...

    def delete(self, *, ticket_ids: Iterable[int] = (), customer_ids: Iterable[int] = (),
               message_ids: Iterable[int] = ()) -> int:
        """Remove every document of these tickets, customers and messages (one commit). Returns how many went
        (an upper bound where the backend cannot tell before committing)."""
        ...

    def search(self, query: SearchQuery, exclusions: Exclusions = NO_EXCLUSIONS) -> SearchResult:
        """Run a validated query."""
        ...

    def ranked_tickets(self, query: SearchQuery, limit: int, exclusions: Exclusions = NO_EXCLUSIONS) -> list[int]:
        """Ticket ids of the matching documents, best (or newest) first, each once."""
        ...

    def count(self, organisation_id: int | None = None) -> int:
        """Documents in the index (of one organisation, or all)."""
        ...

    def empty(self) -> bool:
        """Whether the index holds no document at all (cheap: checked on every indexer pass)."""
        ...

    def clear(self) -> None:
        """Remove every document."""
        ...

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        """Replace the whole index with ``docs`` (a stream, possibly millions), visible at once when done: searches
        see the old index until then. Returns how many documents were written."""
        ...

    def size_bytes(self) -> int:
        """What the index takes on disk (or in the database)."""
        ...
