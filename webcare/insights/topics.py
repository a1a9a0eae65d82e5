"""What customers talk about, this week against last — the pure core of the topics view (no database, no Django).

Two kinds of topic:

- **defined**: the organisation's themes (webcare/insights/themes.py) — "Invoice / billing" counts every message
  whose text has one of its keywords, whose ticket has one of its labels or that triage gave one of its intents;
- **discovered**: salient terms (product names, error codes, places, content words; webcare.incidents.choir's
  ``salient_terms``, the same notion of "what a message is about" the choir detector uses) that are *unusually*
  frequent this week compared with the week before. A term is counted once per message and the same term in
  several languages is one topic ("esim" in Norwegian, Swedish and English messages alike).

Counting is split from comparing. :func:`count` turns a span's messages into a :class:`Digest` — one counter over
cells ``(kind, name, channel, language, sentiment)`` plus a few example ids and how often the span's most frequent
terms occur together — which is small, mergeable (:func:`merge`: a week is the sum of its days) and so can be
remembered. :func:`compare` then reads two digests under the chosen filters and returns the rows of the view.

Complaints are messages of negative sentiment, praise of positive, the rest (neutral, questions, unknown) neutral —
the triage sentiment (webcare/triage/sentiment.py), not the intent, so one message is never both. Spam is not
counted at all.

The significance guard: a change in per cent is given only from a base of :data:`MIN_BASE` messages ("1 → 3" is
not "+200 %"), and sorting "by growth" uses ``(this − last) / √(this + last)`` — about the number of standard
deviations the change is from "no change" if both counts were Poisson — so 212 against 148 (+4.4) ranks above
3 against 1 (+1.0).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from webcare.insights.themes import CompiledTheme, Words
from webcare.routing.rules import fold

SENTIMENTS: Final = ("negative", "neutral", "positive")
#: Kinds of cell: every message, a defined theme, a salient term.
ALL: Final = "all"
THEME: Final = "theme"
TERM: Final = "term"
#: A change in per cent is shown only from this many messages the week before.
MIN_BASE: Final = 10
#: A discovered topic needs this many messages this week …
MIN_DISCOVERED: Final = 5
#: … at least this significance score (see the module's docstring) …
MIN_SCORE: Final = 2.0
#: … and at least this many times last week's count (plus one, so a term new this week needs its minimum count).
MIN_RATIO: Final = 1.5
#: At most this many discovered topics are shown.
DISCOVERED_LIMIT: Final = 10
#: Co-occurrence is counted among this many of a span's most frequent terms.
PAIR_TERMS: Final = 150
#: A discovered term that occurs in at least this share of another shown term's messages (and vice versa for the
#: smaller one) is the same topic: it is named beside it ("bergen · nede") instead of shown twice.
SAME_TOPIC: Final = 0.6
#: A frequent term in at least this share of a discovered term's messages names it too.
COMPANION: Final = 0.5
EXAMPLES: Final = 3

_WORDS = re.compile(r"\w+")

Sentiment = Literal["negative", "neutral", "positive"]
#: (kind, name, channel id, language, sentiment): the unit of counting.
Cell = tuple[str, str, int, str, str]
TermsOf = Callable[[str, str], Iterable[str]]


@dataclass(frozen=True)
class Row:
    """One inbound message as the counting needs it: masked text only (``redacted_text``)."""

    id: int
    channel_id: int
    language: str
    sentiment: str
    intents: tuple[str, ...]
    text: str
    labels: frozenset[str] = frozenset()


@dataclass
class Digest:
    """A span's messages counted: cells → messages, the latest example ids per cell, and co-occurrence of the
    span's most frequent terms."""

    counts: Counter[Cell] = field(default_factory=Counter)
    examples: dict[Cell, tuple[int, ...]] = field(default_factory=dict)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (theme key, term) → messages of the theme that mention the term, for the span's most frequent terms.
    theme_terms: Counter[tuple[str, str]] = field(default_factory=Counter)


def sentiment_of(label: str) -> Sentiment:
    if label == "negative":
        return "negative"
    if label == "positive":
        return "positive"
    return "neutral"


def count(rows: Iterable[Row], themes: Sequence[CompiledTheme], terms_of: TermsOf | None, *,
          pair_terms: int = PAIR_TERMS) -> Digest:
    """Count ``rows`` (in the order they were sent) into a :class:`Digest`. ``terms_of(text, language)`` gives a
    message's salient terms; ``None`` counts defined themes only."""
    counts: Counter[Cell] = Counter()
    examples: dict[Cell, tuple[int, ...]] = {}
    bags: list[tuple[frozenset[str], tuple[str, ...]]] = []
    for row in rows:
        if "spam" in row.intents:
            continue
        channel, language, sentiment = row.channel_id, row.language, sentiment_of(row.sentiment)
        counts[(ALL, "", channel, language, sentiment)] += 1
        words = Words.of(row.text)
        matched = tuple(theme.key for theme in themes if theme.matches(words, row.labels, row.intents))
        for key in matched:
            cell = (THEME, key, channel, language, sentiment)
            counts[cell] += 1
            earlier = examples.get(cell)
            examples[cell] = (earlier[-1], row.id) if earlier else (row.id,)
        if terms_of is None or not row.text:
            continue
        terms = frozenset(terms_of(row.text, row.language))
        for term in terms:
            cell = (TERM, term, channel, language, sentiment)
            counts[cell] += 1
            examples[cell] = (row.id,)
        if len(terms) > 1 or (terms and matched):
            bags.append((terms, matched))
    return Digest(counts, examples, *_pairs(counts, bags, pair_terms))


def _pairs(counts: Counter[Cell], bags: list[tuple[frozenset[str], tuple[str, ...]]],
           limit: int) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """How many messages mention both of two terms, and how many of a theme's messages mention a term, for the
    ``limit`` most frequent terms (co-occurrence of all terms would grow with the square of the vocabulary)."""
    totals: Counter[str] = Counter()
    for (kind, name, *_rest), n in counts.items():
        if kind == TERM:
            totals[name] += n
    top = frozenset(term for term, _n in totals.most_common(limit))
    pairs: Counter[tuple[str, str]] = Counter()
    theme_terms: Counter[tuple[str, str]] = Counter()
    for bag, matched in bags:
        inside = sorted(bag & top)
        for i, first in enumerate(inside):
            for second in inside[i + 1:]:
                pairs[(first, second)] += 1
            for key in matched:
                theme_terms[(key, first)] += 1
    return pairs, theme_terms


def merge(digests: Iterable[Digest]) -> Digest:
    """The sum of several spans' digests (given oldest first, so the latest examples win)."""
    merged = Digest()
    for digest in digests:
        merged.counts.update(digest.counts)
        merged.pairs.update(digest.pairs)
        merged.theme_terms.update(digest.theme_terms)
        for cell, ids in digest.examples.items():
            earlier = merged.examples.get(cell, ())
            merged.examples[cell] = (*earlier, *ids)[-2:]
    return merged


# -- reading two digests ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which messages the view counts: one channel and/or one language (None: all)."""

    channel_id: int | None = None
    language: str | None = None

    def admits(self, channel_id: int, language: str) -> bool:
        return ((self.channel_id is None or channel_id == self.channel_id)
                and (self.language is None or language == self.language))


@dataclass(frozen=True)
class Figures:
    complaints: int = 0
    neutral: int = 0
    praise: int = 0

    @property
    def total(self) -> int:
        return self.complaints + self.neutral + self.praise


@dataclass(frozen=True)
class Change:
    """This week against last: the difference, the per cent (None below :data:`MIN_BASE`), the significance score
    and whether the topic is new (nothing last week)."""

    absolute: int
    percent: int | None
    score: float
    new: bool

    @classmethod
    def between(cls, this: int, last: int) -> Change:
        return cls(this - last, round((this - last) * 100 / last) if last >= MIN_BASE else None,
                   significance(this, last), last == 0 and this > 0)


def significance(this: int, last: int) -> float:
    """``(this − last) / √(this + last)``: the change in standard deviations of two Poisson counts (0 for none)."""
    return (this - last) / math.sqrt(this + last) if this + last else 0.0


@dataclass
class _Tally:
    sentiments: Counter[str] = field(default_factory=Counter)
    channels: Counter[int] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)

    def figures(self) -> Figures:
        return Figures(self.sentiments["negative"], self.sentiments["neutral"], self.sentiments["positive"])

    @property
    def total(self) -> int:
        return sum(self.sentiments.values())


def tally(digest: Digest, filters: Filters) -> dict[tuple[str, str], _Tally]:
    """One pass over a digest: per (kind, name) the messages by sentiment, channel and language, under ``filters``."""
    found: dict[tuple[str, str], _Tally] = {}
    for (kind, name, channel, language, sentiment), n in digest.counts.items():
        if not filters.admits(channel, language):
            continue
        entry = found.get((kind, name))
        if entry is None:
            entry = found[(kind, name)] = _Tally()
        entry.sentiments[sentiment] += n
        entry.channels[channel] += n
        entry.languages[language] += n
    return found


@dataclass(frozen=True)
class Topic:
    """One row of the view and of the CSV."""

    key: str
    name: str
    kind: Literal["defined", "discovered"]
    this: Figures
    last: Figures
    change: Change
    #: (channel id, messages) and (language, messages) this week, most first (at most three).
    channels: tuple[tuple[int, int], ...]
    languages: tuple[tuple[str, int], ...]
    #: Message ids of up to three examples this week (complaints first, different channels where there are).
    examples: tuple[int, ...]
    #: For a discovered topic: the terms named beside it (they mostly come together).
    companions: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """Every message this week and last (the context line), and the topics in the order asked for."""

    everything_this: Figures
    everything_last: Figures
    change: Change
    topics: tuple[Topic, ...]


SORTS: Final = ("volume", "growth", "complaints")


def _sort_key(sort: str) -> Callable[[Topic], tuple[float, ...] | tuple[float, float, str]]:
    if sort == "growth":
        return lambda t: (-t.change.score, -t.this.total, t.name.casefold())
    if sort == "complaints":
        return lambda t: (-t.this.complaints, -t.this.total, t.name.casefold())
    if sort == "volume":
        return lambda t: (-t.this.total, -t.this.complaints, t.name.casefold())
    raise ValueError(f"sort: one of {', '.join(SORTS)}, not {sort!r}")


def _examples(digest: Digest, kind: str, name: str, filters: Filters) -> tuple[int, ...]:
    """Up to :data:`EXAMPLES` example ids: complaints first, then praise, then the rest, newest first, one channel
    each before a second from the same channel."""
    order = {"negative": 0, "positive": 1, "neutral": 2}
    found = sorted(((order[cell[4]], -message_id, cell[2]) for cell, ids in digest.examples.items()
                    if cell[0] == kind and cell[1] == name and filters.admits(cell[2], cell[3])
                    for message_id in ids))
    chosen: list[int] = []
    channels: set[int] = set()
    for _rank, negative_id, channel in found:
        if channel not in channels and len(chosen) < EXAMPLES:
            chosen.append(-negative_id)
            channels.add(channel)
    for _rank, negative_id, _channel in found:
        if len(chosen) >= EXAMPLES:
            break
        if -negative_id not in chosen:
            chosen.append(-negative_id)
    return tuple(chosen)


def _topic(key: str, name: str, kind: Literal["defined", "discovered"], this: _Tally | None, last: _Tally | None,
           examples: tuple[int, ...], companions: tuple[str, ...] = ()) -> Topic:
    now, before = this or _Tally(), last or _Tally()
    return Topic(key, name, kind, now.figures(), before.figures(), Change.between(now.total, before.total),
                 tuple(now.channels.most_common(3)), tuple(now.languages.most_common(3)), examples, companions)


def discover(this: dict[tuple[str, str], _Tally], last: dict[tuple[str, str], _Tally], digest: Digest,
             themes: Sequence[CompiledTheme], limit: int = DISCOVERED_LIMIT) -> list[tuple[str, tuple[str, ...]]]:
    """The terms unusually frequent this week, most significant first, each with the terms named beside it.

    A term qualifies with at least :data:`MIN_DISCOVERED` messages, a significance of :data:`MIN_SCORE` and
    :data:`MIN_RATIO` times last week's count (+1); a term a defined theme's keywords already find is left to the
    theme, and so is a term that mostly comes in one theme's messages (the words of that theme's messages are no news:
    "feil" in the week invoices went wrong). A qualifying term that mostly comes with one already chosen joins it as
    a companion."""
    pairs = digest.pairs
    def total(table: dict[tuple[str, str], _Tally], term: str) -> int:
        entry = table.get((TERM, term))
        return entry.total if entry else 0

    def together(a: str, b: str) -> int:
        return pairs.get((a, b) if a < b else (b, a), 0)

    candidates = []
    for (kind, term), entry in this.items():
        if kind != TERM or entry.total < MIN_DISCOVERED:
            continue
        before = total(last, term)
        score = significance(entry.total, before)
        if score >= MIN_SCORE and entry.total >= MIN_RATIO * (before + 1):
            candidates.append((-score, -entry.total, term))
    candidates.sort()
    chosen: list[tuple[str, list[str]]] = []
    for _score, _total, term in candidates:
        n = total(this, term)
        if any(theme.covers_term(term) or digest.theme_terms.get((theme.key, term), 0) >= SAME_TOPIC * n
               for theme in themes):
            continue
        host = next((c for c in chosen if together(c[0], term) >= SAME_TOPIC * min(n, total(this, c[0]))), None)
        if host is not None:
            if len(host[1]) < 2 and term not in host[1]:
                host[1].append(term)
            continue
        if len(chosen) < limit:
            chosen.append((term, []))
    named = []
    for term, companions in chosen:
        n = total(this, term)
        others = []
        for (first, second), both in pairs.items():
            if term not in (first, second):
                continue
            other = second if first == term else first
            # Named beside it: in half of its messages, and not a word of every other message (the brand's name).
            if both >= COMPANION * n and both >= COMPANION / 2 * total(this, other) and other not in companions:
                others.append((-both, other))
        companions.extend(other for _both, other in sorted(others)[:max(0, 2 - len(companions))])
        named.append((term, tuple(companions)))
    return named


def compare(this: Digest, last: Digest, themes: Sequence[CompiledTheme], filters: Filters, sort: str) -> View:
    """The view's rows: every defined theme with a message in either week and the discovered topics, sorted."""
    key_of = _sort_key(sort)
    now, before = tally(this, filters), tally(last, filters)
    topics = []
    for theme in themes:
        cell = (THEME, theme.key)
        if cell in now or cell in before:
            topics.append(_topic(theme.key, theme.name, "defined", now.get(cell), before.get(cell),
                                 _examples(this, THEME, theme.key, filters)))
    for term, companions in discover(now, before, this, themes):
        name = " · ".join((term, *companions))
        topics.append(_topic(f"term:{term}", name, "discovered", now.get((TERM, term)), before.get((TERM, term)),
                             _examples(this, TERM, term, filters), companions))
    everything_this = (now.get((ALL, "")) or _Tally()).figures()
    everything_last = (before.get((ALL, "")) or _Tally()).figures()
    return View(everything_this, everything_last, Change.between(everything_this.total, everything_last.total),
                tuple(sorted(topics, key=key_of)))


def readable(term: str, texts: Iterable[str]) -> str:
    """A discovered term as people wrote it: terms are folded stems ("virh", "esim"), so the most common word of
    ``texts`` (the topic's examples) that folds to something starting with the term names it ("virhe", "eSIM",
    "Bergen"); the term itself when none does."""
    seen: Counter[str] = Counter()
    for text in texts:
        for position, match in enumerate(_WORDS.finditer(text)):
            word = match.group(0)
            if fold(word).startswith(term.casefold()):
                # As written when it is a name or a code ("Bergen" inside a sentence, "eSIM", "E503"); a capital
                # that only starts the message is not kept.
                kept = any(c.isupper() for c in word[1:]) or (word[:1].isupper() and position > 0)
                seen[word if kept else word.lower()] += 1
    if not seen:
        return term
    return min(seen, key=lambda word: (-seen[word], len(word), word))


def named(view: View, texts: Mapping[int, str]) -> View:
    """``view`` with each discovered topic named by :func:`readable` from its examples' texts (by message id)."""
    renamed = []
    for topic in view.topics:
        if topic.kind == "discovered":
            written = [texts[pk] for pk in topic.examples if pk in texts]
            parts = (topic.key.removeprefix("term:"), *topic.companions)
            topic = replace(topic, name=" · ".join(readable(part, written) for part in parts))
        renamed.append(topic)
    return replace(view, topics=tuple(renamed))


# -- storing a digest -------------------------------------------------------------------------------------------------


def to_json(digest: Digest) -> dict[str, list[list[object]]]:
    """A digest as JSON (lists: cells have tuple keys), for webcare/insights/models.py ``DayDigest``."""
    return {"cells": [[*cell, n] for cell, n in digest.counts.items()],
            "examples": [[*cell, list(ids)] for cell, ids in digest.examples.items()],
            "pairs": [[a, b, n] for (a, b), n in digest.pairs.items()],
            "theme_terms": [[key, term, n] for (key, term), n in digest.theme_terms.items()]}


def from_json(data: Mapping[str, Any]) -> Digest:
    """The digest :func:`to_json` stored."""
    return Digest(Counter({(kind, name, channel, language, sentiment): n
                           for kind, name, channel, language, sentiment, n in data["cells"]}),
                  {(kind, name, channel, language, sentiment): tuple(ids)
                   for kind, name, channel, language, sentiment, ids in data["examples"]},
                  Counter({(a, b): n for a, b, n in data["pairs"]}),
                  Counter({(key, term): n for key, term, n in data["theme_terms"]}))


def prune(digest: Digest, below: int = 2) -> Digest:
    """``digest`` without the terms mentioned in fewer than ``below`` of its messages (a span's long tail: typing
    errors, numbers, names). Such a term cannot be discovered (that takes :data:`MIN_DISCOVERED`), and as last
    week's baseline it counts as absent — which is what keeps a remembered week small."""
    totals: Counter[str] = Counter()
    for (kind, name, *_rest), n in digest.counts.items():
        if kind == TERM:
            totals[name] += n
    rare = {term for term, n in totals.items() if n < below}
    if not rare:
        return digest
    return Digest(Counter({cell: n for cell, n in digest.counts.items() if not (cell[0] == TERM and cell[1] in rare)}),
                  {cell: ids for cell, ids in digest.examples.items() if not (cell[0] == TERM and cell[1] in rare)},
                  digest.pairs, digest.theme_terms)
