"""Searching the inbox: a small query language parsed by pure functions, turned into one ORM condition.

Agents type what they know — a name, a word from the message, a ticket number — and narrow with ``key:value`` terms
that match the list's columns::

    faktura status:open label:billing channel:facebook assignee:me team:none priority:urgent #1234 "dobbelt trekk"

Free words must all occur (case-insensitively) in the subject, a message's masked text (``redacted_text``: personal
data replaced by placeholders; the original is encrypted at rest and never searched), the customer's name or customer
number, or one of the customer's handles. The same text is what a saved search stores,
so a saved search is exactly what the agent typed and can be read back. Ranked full-text search over millions of
messages is the search issue's work (tantivy); this covers the inbox's filters and a plain contains-match.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from webcare.conversations.models import Message
from webcare.customers.models import Identity
from webcare.tickets.models import Priority, Status, Ticket

MAX_QUERY = 500

KEYS = ("status", "assignee", "team", "channel", "label", "priority", "is")
PRIORITY_WORDS = {choice.name.lower(): int(choice.value) for choice in Priority}
IS_WORDS = ("unassigned", "mine", "open", "waiting")


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
    return value


def _example(key: str) -> str:
    return {"status": "open", "assignee": "me", "team": "billing", "channel": "facebook", "label": "outage",
            "priority": "urgent", "is": "unassigned"}[key]


def parse(query: str) -> Search:
    """Split a query into words, ``key:value`` filters and ``#123`` ticket numbers; raise ``SearchError`` on a
    part that would silently match nothing (an unknown key, status or priority), so a typo is shown, not hidden."""
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
            filters.setdefault(key, []).append(_check_value(key, value.lower() if key != "label" else value))
        elif sep and value and (close := difflib.get_close_matches(key.lower(), KEYS, n=1, cutoff=0.7)):
            # Likely a misspelt filter (``stauts:open``): say so rather than search for the word and find nothing.
            raise SearchError(f"unknown filter {key}: — did you mean {close[0]}:?")
        elif part.startswith("#") and part[1:].isdigit():
            numbers.append(int(part[1:]))
        else:
            words.append(part)
    return Search(tuple(words), {key: tuple(values) for key, values in filters.items()}, tuple(numbers))


def _any(conditions: list[Q]) -> Q:
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result


def _filter(key: str, value: str, user: Any) -> Q:
    """One ``key:value`` as a condition on tickets."""
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


def _word(word: str) -> Q:
    """A free word: in the subject, the customer's name or number, a handle, or any message of the conversation.

    A message is searched in its masked text only (``redacted_text``, always filled): its original is encrypted at
    rest, and a phone number or national ID a customer posted can't be found by searching for it.

    Subqueries (``EXISTS``) rather than joins, so a customer with many handles or a long thread yields the ticket
    once and the list needs no DISTINCT.
    """
    in_messages = Message.objects.filter(redacted_text__icontains=word, conversation_id=OuterRef("conversation_id"))
    in_handles = Identity.objects.filter(customer_id=OuterRef("customer_id"), handle__icontains=word)
    return (Q(subject__icontains=word) | Q(customer__name__icontains=word)
            | Q(customer__customer_number__iexact=word) | Exists(in_handles) | Exists(in_messages))


def condition(search: Search, user: Any) -> Q:
    """The whole query as one condition: every word and every key must match; values of one key are alternatives."""
    result = Q()
    if search.numbers:
        result &= Q(pk__in=list(search.numbers))
    for key, values in search.filters.items():
        if key == "label":
            # Each label must be on the ticket (label:a label:b means both), checked without multiplying rows.
            for value in values:
                result &= Q(pk__in=_label_ticket_ids(value))
        else:
            result &= _any([_filter(key, value, user) for value in values])
    for word in search.words:
        result &= _word(word)
    return result


def _label_ticket_ids(name: str) -> Any:
    return Ticket.labels.through.objects.filter(label__name__iexact=name).values("ticket_id")
