"""The FAQ index of each organisation, kept in memory between keystrokes, and the suggestions built on it.

Building an index costs a pass over the organisation's published articles; the web chat and the help page ask for
suggestions every time a customer pauses typing, so each process keeps the index per organisation and rebuilds it only
when the articles changed — seen from one cheap aggregate (count and newest ``updated_at`` of all the organisation's
articles; every save, publish and unpublish moves ``updated_at``, a delete lowers the count).

The matcher returns the translation that matched best (the language the customer wrote in); the help page and the
composer then show each suggested article **in the customer's language** when it exists (:func:`in_language`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from django.db.models import Count, Max

from webcare.knowledge.faq import Entry, FaqIndex, Match
from webcare.knowledge.models import Article
from webcare.knowledge.validation import ArticleValues

_lock = threading.Lock()
_cache: dict[int, tuple[tuple[int, datetime | None], FaqIndex]] = {}


def entry_for(article: Article) -> Entry:
    return Entry(article.pk, article.slug, article.language, article.question, article.answer,
                 tuple(str(k) for k in article.keywords or ()), article.section)


def entries_from_values(values: Iterable[ArticleValues]) -> list[Entry]:
    """Entries for articles not stored (the evaluation reads the demo files directly); ids count from 1."""
    return [Entry(i, v.slug, v.language, v.question, v.answer, v.keywords, v.section)
            for i, v in enumerate((v for v in values if v.published), start=1)]


def _fingerprint(organisation_id: int) -> tuple[int, datetime | None]:
    row = Article.objects.filter(organisation_id=organisation_id).aggregate(n=Count("id"), newest=Max("updated_at"))
    return row["n"], row["newest"]


def _build(organisation_id: int) -> FaqIndex:
    rows = Article.objects.filter(organisation_id=organisation_id, published=True).order_by("id")
    return FaqIndex(entry_for(a) for a in rows)


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
    """The published articles that answer ``query`` best (at most three, possibly none), each in the language that
    matched best (the web chat's behaviour: the customer reads what they wrote)."""
    return index_for(organisation_id).search(query, language)


def in_language(index: FaqIndex, matches: Iterable[Match], languages: Iterable[str]) -> list[Match]:
    """``matches`` with each entry swapped for its translation in the first of ``languages`` that has one (the
    customer's language, then the brand's first); an article without any of them stays as it matched."""
    wanted = [code for code in languages if code]
    found = []
    for match in matches:
        versions = index.translations.get(match.entry.slug, {})
        choice = next((versions[code] for code in wanted if code in versions), match.entry)
        found.append(replace(match, entry=choice))
    return found


def suggest_in_language(organisation_id: int, query: str, languages: list[str]) -> list[Match]:
    """:func:`suggest`, then each article in the first of ``languages`` it is written in (composer, help page)."""
    index = index_for(organisation_id)
    first = languages[0] if languages else ""
    return in_language(index, index.search(query, first), languages)
