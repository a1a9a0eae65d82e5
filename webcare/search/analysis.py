"""The pure core of search: how text becomes words, how a typed query is read, and how a snippet is cut.

No database and no index here, so every rule is a plain function with a plain test, and both backends (tantivy and
PostgreSQL) read a query and cut snippets the same way.

- **Words** are runs of letters and digits (``[^\\W_]+``), the same split as tantivy's ``simple`` tokenizer, so a
  word highlighted in a snippet is exactly a word the index holds.
- **Folding** lowercases and strips diacritics the way tantivy's ``AsciiFoldingFilter`` does (``å`` → ``a``, ``ø`` →
  ``o``, ``æ`` → ``ae``, ``ß`` → ``ss``): people type "pa" for "på" on a foreign keyboard, and Norwegian, Danish,
  Swedish, Finnish and German all have letters that are easy to leave out.
- **Typo tolerance**: a word of four letters or more may be one edit away (two from eight letters on), as in most
  search engines: shorter words have too many neighbours ("bil" → "bli", "bol", "vil").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

#: The languages with their own stemmed field, and the Snowball stemmer each uses (nynorsk shares Norwegian's).
STEMMERS: Final[dict[str, str]] = {
    "nb": "norwegian", "nn": "norwegian", "da": "danish", "sv": "swedish", "fi": "finnish", "nl": "dutch",
    "de": "german", "en": "english",
}
#: PostgreSQL's text-search configuration per language; anything else is indexed with ``simple`` (no stemming).
PG_CONFIGS: Final[dict[str, str]] = {
    "nb": "norwegian", "nn": "norwegian", "da": "danish", "sv": "swedish", "fi": "finnish", "nl": "dutch",
    "de": "german", "en": "english",
}
#: Words longer than this are not fuzzy-matched with distance 2 … (see :func:`fuzzy_distance`).
FUZZY_ONE_FROM: Final = 4
FUZZY_TWO_FROM: Final = 8
#: A prefix shorter than this would expand to too many words to be useful (or fast): it is matched as a word.
MIN_PREFIX: Final = 2
#: Limits that keep one query cheap; a longer one is refused with its reason.
MAX_QUERY_CHARS: Final = 500
MAX_TERMS: Final = 16
SNIPPET_CHARS: Final = 200

WORD: Final = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|#(?P<ticket>[^\s"]*)|(?P<word>[^\W_]+)')

#: Letters that Unicode decomposition leaves alone, folded as tantivy's ASCII folding filter does.
_SPECIAL = str.maketrans({
    "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss", "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d", "ł": "l",
    "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
})


def fold(text: str) -> str:
    """Lowercase without diacritics: ``"Ødelagt på Rückseite"`` → ``"odelagt pa ruckseite"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


@lru_cache(maxsize=65_536)
def fold_word(word: str) -> str:
    """:func:`fold` for one word, remembered: snippets fold the same few thousand words over and over."""
    return fold(word)


def words(text: str) -> list[str]:
    """The words of ``text`` as typed (not folded)."""
    return WORD.findall(text)


def fuzzy_distance(word: str) -> int:
    """How many edits a typed word may be away from a word in a message: 0, 1 from four letters, 2 from eight; 0
    for anything with a digit (an order number one digit off is another order)."""
    if any(char.isdigit() for char in word):
        return 0
    if len(word) >= FUZZY_TWO_FROM:
        return 2
    if len(word) >= FUZZY_ONE_FROM:
        return 1
    return 0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions cost one, as in tantivy's fuzzy queries), or
    ``limit + 1`` as soon as it is certain to be over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class QueryTextError(ValueError):
    """What the person typed cannot be searched; the message names the part."""


@dataclass(frozen=True)
class Term:
    """One typed word: as typed (for stemming, which needs the diacritics), folded, and whether it is a prefix."""

    typed: str
    folded: str
    prefix: bool = False

    @property
    def distance(self) -> int:
        return 0 if self.prefix else fuzzy_distance(self.folded)


@dataclass(frozen=True)
class ParsedQuery:
    """A typed query: words (all must match), phrases (each must match as consecutive words), ticket numbers (any
    of them)."""

    terms: tuple[Term, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # folded words of each phrase
    tickets: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.tickets)


def parse(text: str, prefix: bool = False) -> ParsedQuery:
    """Read what was typed: ``faktura "ikke kommet" #123``. With ``prefix`` the last word (if the text does not end
    in a space or a quote) is still being typed and matches as a prefix.

    Raises :class:`QueryTextError` for a query too long to run or a ``#`` that is not a ticket number.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTextError(f"the search text is {len(text)} characters; at most {MAX_QUERY_CHARS}")
    terms: list[Term] = []
    phrases: list[tuple[str, ...]] = []
    tickets: list[int] = []
    last_is_word = False
    for match in _TOKEN.finditer(text):
        last_is_word = False
        if match["phrase"] is not None:
            folded = tuple(fold(w) for w in words(match["phrase"]))
            if len(folded) == 1:
                terms.append(Term(match["phrase"].strip(), folded[0]))
            elif folded:
                phrases.append(folded)
        elif match["ticket"] is not None:
            number = match["ticket"].rstrip(".,;:!?)")
            if not number:  # a lone "#" (or "C#"): nothing to look up
                continue
            if not number.isdigit() or len(number) > 18:
                raise QueryTextError(f"#{number} is not a ticket number: write # and the digits, e.g. #123")
            tickets.append(int(number))
        else:
            typed = match["word"]
            terms.append(Term(typed, fold(typed)))
            last_is_word = match.end() == len(text)
    if prefix and last_is_word and terms and len(terms[-1].folded) >= MIN_PREFIX:
        terms[-1] = Term(terms[-1].typed, terms[-1].folded, prefix=True)
    if len(terms) + len(phrases) + len(tickets) > MAX_TERMS:
        raise QueryTextError(f"the search has {len(terms) + len(phrases) + len(tickets)} words, phrases and "
                             f"ticket numbers; at most {MAX_TERMS}")
    return ParsedQuery(tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(tickets)))


# -- snippets ---------------------------------------------------------------------------------------------------


@dataclass
class Matcher:
    """Decides which words of a message to highlight for a parsed query: the same rules the index matched with
    (folded equality, typo distance, prefix, stems), applied word by word to the masked text."""

    query: ParsedQuery
    #: language → the stems of the query's words in that language (computed by the backend's analyzers)
    stems: dict[str, set[str]] = field(default_factory=dict)
    stemmer: Callable[[str, str], str] | None = None

    def __post_init__(self) -> None:
        self._terms = [(t.folded, t.prefix, t.distance) for t in self.query.terms]
        self._exact = {t.folded for t in self.query.terms}

    def matches(self, word: str, language: str, folded: str = "") -> bool:
        folded = folded or fold_word(word)
        if folded in self._exact:
            return True
        for term, prefix, distance in self._terms:
            if prefix and folded.startswith(term):
                return True
            if distance and abs(len(folded) - len(term)) <= distance and edit_distance(folded, term,
                                                                                      distance) <= distance:
                return True
        if self.stemmer is not None and self.stems.get(language):
            return self.stemmer(word, language) in self.stems[language]
        return False


def highlight(text: str, language: str, matcher: Matcher) -> list[tuple[int, int]]:
    """Character ranges of the words in ``text`` the query matched, phrases included (each of their words)."""
    spans: list[tuple[int, int]] = []
    tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    folded = [fold_word(t[2]) for t in tokens]
    marked = [False] * len(tokens)
    for phrase in matcher.query.phrases:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tuple(folded[i:i + size]) == phrase:
                for k in range(i, i + size):
                    marked[k] = True
    for i, (start, end, word) in enumerate(tokens):
        if marked[i] or matcher.matches(word, language, folded[i]):
            spans.append((start, end))
    return spans


def snippet(text: str, spans: Iterable[tuple[int, int]], size: int = SNIPPET_CHARS) -> tuple[str, tuple[
        tuple[int, int], ...]]:
    """At most ``size`` characters of ``text`` around the first highlighted word (cut at word boundaries, "…" where
    cut), and the highlight ranges shifted into it."""
    ranges = sorted(spans)
    text = text.strip() if not ranges else text
    if len(text) <= size:
        return text, tuple(ranges)
    first = ranges[0][0] if ranges else 0
    start = max(0, first - size // 4)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start + size // 2, end)
        end = space if space != -1 else end
    lead = "…" if start else ""
    body = text[start:end]
    shifted = tuple((a - start + len(lead), b - start + len(lead)) for a, b in ranges if a >= start and b <= end)
    return lead + body + ("…" if end < len(text) else ""), shifted
