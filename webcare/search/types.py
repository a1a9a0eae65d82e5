"""The values that cross the search interface: what is asked (``SearchQuery``) and what comes back (``SearchResult``).

Every backend (tantivy by default, PostgreSQL full-text as an option) takes and returns exactly these, so the web
page, the inbox, the REST API and ``webcare search`` never know which engine answered. Only masked text
(``Message.redacted_text``) is ever indexed or returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Order = Literal["relevance", "newest"]

#: The filters that have counts ("facets"), in the order a page shows them.
FACETS = ("channel", "language", "sentiment", "intent", "status", "team", "assignee", "date")


@dataclass(frozen=True)
class Visibility:
    """Who is searching, as the need-to-know rule sees it (webcare/access/scope.py): None on a query means the whole
    organisation (supervisors, admins, analysts, API tokens). An agent sees tickets of their teams, tickets assigned to
    them, and tickets with no team."""

    user_id: int
    team_ids: tuple[int, ...]


@dataclass(frozen=True)
class SearchQuery:
    """One search. ``text`` is what the person typed: words (stemmed per language, typo-tolerant, the last word a
    prefix while typing), ``"a phrase"``, ``#123`` ticket numbers, customer names and handles. Empty filter tuples mean
    "any"; several values of one filter mean "any of them". ``None`` in ``team_ids``/``assignee_ids`` means "no team" /
    "unassigned"."""

    organisation_id: int
    text: str = ""
    channels: tuple[str, ...] = ()  # channel kinds (facebook, x, email, …)
    languages: tuple[str, ...] = ()  # ISO 639-1 (nb, nn, da, sv, fi, nl, de, en)
    sentiments: tuple[str, ...] = ()  # negative, neutral, positive
    intents: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # the ticket's status now
    team_ids: tuple[int | None, ...] = ()
    assignee_ids: tuple[int | None, ...] = ()
    since: datetime | None = None  # message sent at or after
    until: datetime | None = None  # message sent before
    order: Order = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = True
    visibility: Visibility | None = None
    prefix: bool = False  # the last word is still being typed (search-as-you-type)


@dataclass(frozen=True)
class Hit:
    """One matching message."""

    message_id: int
    ticket_id: int | None
    conversation_id: int
    customer_id: int | None
    channel: str  # kind
    language: str
    sent_at: datetime
    score: float
    #: The masked text around the matched words; ``highlights`` are (start, end) character ranges within it.
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class FacetCount:
    #: The filter value to send back: a kind, a language, a status, an id as text, "none", a day "2026-11-26".
    value: str
    count: int  # matching messages with this value


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int  # matching messages (within the visibility)
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)  # keys from FACETS
    took_ms: float = 0.0


class SearchQueryError(ValueError):
    """A query that can't be run; ``str()`` names the part that is wrong and what would work."""
