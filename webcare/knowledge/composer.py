"""Suggested articles for the conversation open in the composer (pure parts and the one query).

What the matcher is asked: the customer's latest turn — the inbound messages since the brand's last reply by a person
(automatic replies do not end a turn), at most :data:`TURN_MESSAGES` of them and :data:`MAX_CHARS` characters, newest
last — as **redacted** text (``Message.redacted_text``): personal data never reaches the matcher. The articles come
back in the customer's language (the ticket's, from triage), else the brand's first language, and each carries the
public help-page link an agent pastes into the reply, so the customer reads the whole answer in their language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings

from webcare.conversations.models import Message
from webcare.knowledge import render
from webcare.knowledge.help_views import help_url
from webcare.knowledge.index import suggest_in_language
from webcare.knowledge.validation import LANGUAGE_NAMES
from webcare.tickets.models import Ticket

TURN_MESSAGES = 3
MAX_CHARS = 1500
SNIPPET_CHARS = 600


@dataclass(frozen=True)
class Suggestion:
    slug: str
    question: str
    language: str
    language_name: str
    section: str
    url: str
    snippet: str


def customer_turn(messages: Iterable[tuple[str, str, str]]) -> str:
    """The customer's latest turn from ``(direction, automatic, redacted_text)`` rows, newest first (pure)."""
    turn: list[str] = []
    for direction, automatic, text in messages:
        if direction == "outbound":
            if automatic:
                continue
            if turn:
                break
            continue
        if text.strip():
            turn.append(text.strip())
        if len(turn) >= TURN_MESSAGES:
            break
    return "\n\n".join(reversed(turn))[-MAX_CHARS:]


def public_link(path: str) -> str:
    """``path`` on the desk as customers reach it (``WEBCARE_BASE_URL``, as in notification e-mails)."""
    return urljoin(str(settings.WEBCARE_BASE_URL).rstrip("/") + "/", path.lstrip("/"))


def suggestions_for(ticket: Ticket) -> tuple[str, list[Suggestion]]:
    """(the customer's language, up to three suggested articles) for ``ticket``."""
    rows = (Message.objects.filter(ticket=ticket).order_by("-sent_at", "-id")
            .values_list("direction", "automatic", "redacted_text")[:20])
    query = customer_turn(rows)
    organisation = ticket.organisation
    language = ticket.language or ""
    languages = [code for code in [language, *(organisation.languages or [])] if code]
    if not query:
        return language, []
    found = suggest_in_language(organisation.pk, query, languages)
    result = []
    for match in found:
        entry = match.entry
        link = public_link(help_url(organisation.slug, entry.slug, entry.language))
        result.append(Suggestion(entry.slug, entry.question, entry.language,
                                 LANGUAGE_NAMES.get(entry.language, entry.language), entry.section, link,
                                 f"{render.snippet(entry.answer, SNIPPET_CHARS)}\n\n{link}"))
    return language, result
