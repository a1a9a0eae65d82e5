"""Searching the inbox: a small query language parsed by pure functions, turned into one ORM condition.

Agents type what they know — a name, a word from the message, a ticket number — and narrow with ``key:value`` terms
that match the list's columns::

    faktura status:open label:billing channel:facebook assignee:me team:none priority:urgent #1234 "dobbelt trekk"
    nettet nede lang:nb sentiment:negative intent:complaint since:2026-11-20 until:2026-11-26

Free words go to the search engine (``webcare.search.engine.ticket_ids``): the same ranked, stemmed and
typo-tolerant matching as the search page (``/search/``), over the masked text of every message (``redacted_text``:
personal data replaced by placeholders; the original is encrypted at rest and never searched), customer names and
handles. The engine gives at most :data:`TICKET_LIMIT` tickets for the words, the best-matching first; the filters
narrow those in the database. A single word that is a customer number finds that customer's tickets too.

The search page speaks the same language (its filters are these ``key:value`` terms), so "Save as inbox view" stores
exactly what the page shows, and a saved search is text an agent can read and edit. The same text is what a saved
search stores, so ``assignee:me`` means whoever looks.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from webcare.access.scope import Scope
from webcare.conversations.models import Message
from webcare.search import engine
from webcare.search.types import SearchQueryError, Visibility
from webcare.tickets.models import Priority, Status, Ticket
from webcare.triage.intent import INTENTS
from webcare.triage.language import DEFAULT_LANGUAGES
from webcare.triage.sentiment import LABELS as SENTIMENTS

MAX_QUERY = 500
#: The most tickets the engine gives for the free words of one inbox search (the best-matching first); the filters
#: then narrow them. A word found in more tickets than this lists and counts only the best-matching ones: more words
#: or a filter bring the rest within reach (docs/inbox.md says so).
TICKET_LIMIT = 10_000

#: Keys about the ticket (its state now) and keys about its messages (one message must match all of these).
TICKET_KEYS = ("status", "assignee", "team", "channel", "label", "priority", "is")
MESSAGE_KEYS = ("lang", "sentiment", "intent", "since", "until")
KEYS = TICKET_KEYS + MESSAGE_KEYS
#: Keys given at most once (a range has one start and one end).
ONCE = ("since", "until")
PRIORITY_WORDS = {choice.name.lower(): int(choice.value) for choice in Priority}
IS_WORDS = ("unassigned", "mine", "open", "waiting")
#: Written out in this order by :func:`to_text`, so a query that went through the search page's filters reads the
#: same way every time.
_ORDER = ("channel", "lang", "sentiment", "intent", "status", "team", "assignee", "since", "until", "label",
          "priority", "is")
_PLAIN = re.compile(r"^[^\s\"'\\]+$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SearchError(ValueError):
    """A query that can't be understood; ``str()`` says which part and what would work."""


@dataclass(frozen=True)
class Search:
    """A parsed query: free words plus ``key:value`` filters (several values of one key: any of them)."""

    words: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    numbers: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.filters or self.numbers)


def _check_value(key: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise SearchError(f"{key}: needs a value, e.g. {key}:{_example(key)}")
    if key == "status" and value not in Status.values:
        raise SearchError(f"unknown status {value!r}; use one of {', '.join(Status.values)}")
    if key == "priority" and value not in PRIORITY_WORDS and value not in {str(p) for p in Priority.values}:
        raise SearchError(f"unknown priority {value!r}; use one of {', '.join(PRIORITY_WORDS)}")
    if key == "is" and value not in IS_WORDS:
        raise SearchError(f"unknown is:{value}; use one of {', '.join(IS_WORDS)}")
    if key == "lang" and value not in DEFAULT_LANGUAGES:
        raise SearchError(f"unknown language {value!r}; use one of {', '.join(DEFAULT_LANGUAGES)}")
    if key == "sentiment" and value not in SENTIMENTS:
        raise SearchError(f"unknown sentiment {value!r}; use one of {', '.join(SENTIMENTS)}")
    if key == "intent" and value not in INTENTS:
        raise SearchError(f"unknown intent {value!r}; use one of {', '.join(INTENTS)}")
    if key in ONCE:
        try:
            if not _DAY.match(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError as exc:
            raise SearchError(f"{key}: needs a date like {key}:{_example(key)}") from exc
    return value


def _example(key: str) -> str:
    return {"status": "open", "assignee": "me", "team": "billing", "channel": "facebook", "label": "outage",
            "priority": "urgent", "is": "unassigned", "lang": "nb", "sentiment": "negative", "intent": "complaint",
            "since": "2026-11-20", "until": "2026-11-26"}[key]


def parse(query: str) -> Search:
    """Split a query into words, ``key:value`` filters and ``#123`` ticket numbers; raise ``SearchError`` on a
    part that would silently match nothing (an unknown key, status, priority, language, sentiment or intent, a date
    that is no date), so a typo is shown, not hidden."""
    if len(query) > MAX_QUERY:
        raise SearchError(f"a search can be at most {MAX_QUERY} characters")
    try:
        parts = shlex.split(query)
    except ValueError as exc:
        raise SearchError("a quotation mark is not closed") from exc
    words: list[str] = []
    numbers: list[int] = []
    filters: dict[str, list[str]] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.lower() in KEYS:
            key = key.lower()
            value = _check_value(key, value.lower() if key != "label" else value)
            if key in ONCE and filters.get(key, [value]) != [value]:
                raise SearchError(f"{key}: can be given once")
            if value not in filters.setdefault(key, []):
                filters[key].append(value)
        elif sep and value and (close := difflib.get_close_matches(key.lower(), KEYS, n=1, cutoff=0.7)):
            # Likely a misspelt filter (``stauts:open``): say so rather than search for the word and find nothing.
            raise SearchError(f"unknown filter {key}: — did you mean {close[0]}:?")
        elif part.startswith("#") and part[1:].isdigit():
            numbers.append(int(part[1:]))
        else:
            words.append(part)
    if "since" in filters and "until" in filters and filters["until"][0] < filters["since"][0]:
        raise SearchError("until: is before since:")
    return Search(tuple(words), {key: tuple(values) for key, values in filters.items()}, tuple(numbers))


def quote(word: str) -> str:
    """A word or phrase as the query language writes it: bare when it can be, else in quotes."""
    if _PLAIN.match(word):
        return word
    if '"' not in word and "\\" not in word:
        return f'"{word}"'
    return shlex.quote(word)


def free_text(search: Search) -> str:
    """The free words as the search engine takes them: phrases in quotes (filters and ticket numbers left out)."""
    return " ".join(quote(word) for word in search.words)


def engine_text(search: Search) -> str:
    """What the engine is asked: the free words and the ticket numbers (``faktura #12``: the engine looks within
    ticket 12, so its limit of matches is never spent on other tickets)."""
    return " ".join([quote(word) for word in search.words] + [f"#{n}" for n in search.numbers])


def to_text(search: Search) -> str:
    """The query written out again (``parse(to_text(s)) == s``): words, ticket numbers, then the filters in a fixed
    order. The search page rewrites the box with it when a filter is clicked on or off."""
    parts = [quote(word) for word in search.words] + [f"#{n}" for n in search.numbers]
    for key in sorted(search.filters, key=_ORDER.index):
        parts += [f"{key}:{quote(value)}" for value in search.filters[key]]
    return " ".join(parts)


def with_filter(search: Search, key: str, value: str) -> Search:
    """``search`` narrowed by one more ``key:value`` (a value of a one-off key replaces the old one)."""
    filters = dict(search.filters)
    filters[key] = (value,) if key in ONCE else tuple(dict.fromkeys((*filters.get(key, ()), value)))
    return Search(search.words, filters, search.numbers)


def without_filter(search: Search, key: str, value: str | None = None) -> Search:
    """``search`` without ``key:value`` (without every value of ``key`` when ``value`` is None)."""
    filters = {}
    for k, values in search.filters.items():
        kept = tuple(v for v in values if value is not None and v != value) if k == key else values
        if kept:
            filters[k] = kept
    return Search(search.words, filters, search.numbers)


def visibility_for(scope: Scope | None) -> Visibility | None:
    """The searcher's need-to-know as the engine takes it: None for the whole organisation (supervisors, admins,
    analysts, and callers that pass no scope), an agent's user and teams otherwise."""
    if scope is None or scope.everything:
        return None
    return Visibility(user_id=scope.user_id, team_ids=tuple(sorted(scope.team_ids)))


def day_range(search: Search) -> tuple[datetime | None, datetime | None]:
    """``since:``/``until:`` as moments in the desk's time zone: from the start of ``since``'s day to the end of
    ``until``'s day (both days included, as people say "from the 20th until the 26th")."""
    tz = timezone.get_current_timezone()
    since = search.filters.get("since", ())
    until = search.filters.get("until", ())
    start = datetime.combine(date.fromisoformat(since[0]), time.min, tz) if since else None
    end = datetime.combine(date.fromisoformat(until[0]) + timedelta(days=1), time.min, tz) if until else None
    return start, end


def _any(conditions: list[Q]) -> Q:
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result


def _filter(key: str, value: str, user: Any) -> Q:
    """One ``key:value`` about the ticket as a condition on tickets."""
    if key == "status":
        return Q(status=value)
    if key == "priority":
        return Q(priority=PRIORITY_WORDS.get(value) or int(value))
    if key == "assignee":
        if value == "me":
            return Q(assignee=user)
        if value == "none":
            return Q(assignee__isnull=True)
        return Q(assignee__username__iexact=value) | Q(assignee__first_name__iexact=value)
    if key == "team":
        return Q(team__isnull=True) if value == "none" else Q(team__slug=value) | Q(team__name__iexact=value)
    if key == "channel":
        return Q(conversation__channel__slug=value) | Q(conversation__channel__kind=value)
    return {  # is:
        "unassigned": Q(assignee__isnull=True, status__in=[Status.NEW, Status.OPEN]),
        "mine": Q(assignee=user),
        "open": Q(status__in=[Status.NEW, Status.OPEN]),
        "waiting": Q(status=Status.PENDING),
    }[value]


def _message_condition(search: Search) -> Q | None:
    """The message keys as one ``EXISTS``: a message of the ticket in that language, with that tone and intent, sent
    in that range — all in the same message, as on the search page, where each result is a message. None if the
    query has none of them."""
    if not any(key in search.filters for key in MESSAGE_KEYS):
        return None
    messages = Message.objects.filter(ticket_id=OuterRef("pk"))
    if "lang" in search.filters:
        messages = messages.filter(language__in=search.filters["lang"])
    if "sentiment" in search.filters:
        messages = messages.filter(sentiment_label__in=search.filters["sentiment"])
    if "intent" in search.filters:
        # A JSON list of names from a fixed set: its text holds '"complaint"' exactly when the list does (the same
        # on SQLite and PostgreSQL, where a JSON containment lookup is not portable).
        messages = messages.filter(_any([Q(intents__icontains=f'"{intent}"') for intent in search.filters["intent"]]))
    start, end = day_range(search)
    if start is not None:
        messages = messages.filter(sent_at__gte=start)
    if end is not None:
        messages = messages.filter(sent_at__lt=end)
    return Q(Exists(messages))


def matching_ticket_ids(organisation_id: int, search: Search, visibility: Visibility | None) -> list[int]:
    """The tickets whose messages, customer names or handles match the free words, from the search engine (at most
    :data:`TICKET_LIMIT`, the best-matching first); ``SearchError`` if the engine can't run them."""
    try:
        return engine.ticket_ids(organisation_id, engine_text(search), visibility, limit=TICKET_LIMIT)
    except SearchQueryError as exc:
        raise SearchError(str(exc)) from exc


def condition(search: Search, user: Any, organisation_id: int, visibility: Visibility | None = None) -> Q:
    """The whole query as one condition: every word and every key must match; values of one key are alternatives.

    ``visibility`` is the searcher's need-to-know (None: the whole organisation); the engine applies it so that the
    :data:`TICKET_LIMIT` best matches are ones the searcher may see. Callers still bound the tickets to the scope in
    the database (``queues.in_list_order``), which is never behind the index."""
    result = Q()
    if search.numbers:
        result &= Q(pk__in=list(search.numbers))
    for key, values in search.filters.items():
        if key == "label":
            # Each label must be on the ticket (label:a label:b means both), checked without multiplying rows.
            for value in values:
                result &= Q(pk__in=_label_ticket_ids(value))
        elif key in TICKET_KEYS:
            result &= _any([_filter(key, value, user) for value in values])
    in_messages = _message_condition(search)
    if in_messages is not None:
        result &= in_messages
    if search.words:
        found = Q(pk__in=matching_ticket_ids(organisation_id, search, visibility))
        if len(search.words) == 1:
            found |= Q(customer__customer_number__iexact=search.words[0])
        result &= found
    return result


def _label_ticket_ids(name: str) -> Any:
    return Ticket.labels.through.objects.filter(label__name__iexact=name).values("ticket_id")
