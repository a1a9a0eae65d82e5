"""The organisation's themes as the counting needs them, and what makes a theme valid — pure, no database.

Why keywords work like routing keywords (``webcare.routing.rules``): a supervisor who has written "faktura*" in a
routing rule should not have to learn a second notation here. Keywords are whole words, folded (case and accents:
"Bredbånd" finds "bredband"); a trailing ``*`` makes a prefix, which is how one keyword catches a language's
inflections ("faktura*" finds "fakturaen", "fakturaer"; "lasku*" finds "laskussa"); several words are a phrase. A
theme lists keywords in every language its customers write, so one theme counts "faktura", "invoice", "lasku" and
"factuur" together. Labels and intents add the messages whose ticket carries the label, or that triage gave the
intent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext as _

from webcare.routing.rules import keyword_needle, words_line

#: Intents a theme may name (webcare/triage/intent.py). Spam is never counted in the topics view, so it is not one.
INTENT_CHOICES: Final = ("question", "complaint", "praise", "sales_lead", "other")
MAX_NAME: Final = 80
MAX_KEYWORD: Final = 60
MAX_KEYWORDS: Final = 60
#: A term this long or longer may be a keyword's stem ("invoic" of "invoice*") …
MIN_STEM: Final = 4
#: … when the keyword's word is at most this many letters longer.
STEM_ROOM: Final = 3
_SPLIT = re.compile(r"[,;\n\r]+")
_HAS_WORD = re.compile(r"\w")


class ThemeInvalid(ValueError):
    """A theme that cannot be saved: ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ThemeSpec:
    """A theme's definition: what an edit form sends once checked, and what the counting compiles."""

    name: str
    keywords: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()


def split_keywords(raw: str) -> tuple[str, ...]:
    """Keywords as typed in one box (commas, semicolons or new lines between them), trimmed, without repeats."""
    seen: dict[str, str] = {}
    for part in _SPLIT.split(raw or ""):
        keyword = " ".join(part.split())
        if keyword:
            seen.setdefault(keyword_needle(keyword) or keyword, keyword)
    return tuple(seen.values())


def check_theme(name: str, keywords: Sequence[str], labels: Sequence[str], intents: Sequence[str], *,
                known_labels: Iterable[str], taken_names: Iterable[str]) -> ThemeSpec:
    """The theme, checked: a name of its own, keywords that have words, labels the organisation has, intents triage
    gives, and at least one of the three. :class:`ThemeInvalid` names the first field at fault."""
    name = " ".join((name or "").split())
    if not name:
        raise ThemeInvalid("name", _("give the theme a name"))
    if len(name) > MAX_NAME:
        raise ThemeInvalid("name", _("a name has at most %(max)d characters") % {"max": MAX_NAME})
    if name.casefold() in {taken.casefold() for taken in taken_names}:
        raise ThemeInvalid("name", _("there is already a theme called “%(name)s”") % {"name": name})
    if len(keywords) > MAX_KEYWORDS:
        raise ThemeInvalid("keywords", _("at most %(max)d keywords, not %(count)d")
                           % {"max": MAX_KEYWORDS, "count": len(keywords)})
    for keyword in keywords:
        if len(keyword) > MAX_KEYWORD:
            raise ThemeInvalid("keywords", _("“%(keyword)s…” is longer than %(max)d characters")
                               % {"keyword": keyword[:20], "max": MAX_KEYWORD})
        if not _HAS_WORD.search(keyword) or keyword.strip() == "*":
            raise ThemeInvalid("keywords", _("“%(keyword)s” has no word to look for") % {"keyword": keyword})
    known = set(known_labels)
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise ThemeInvalid("labels", _("no label is called “%(label)s”") % {"label": unknown[0]})
    wrong = [intent for intent in intents if intent not in INTENT_CHOICES]
    if wrong:
        raise ThemeInvalid("intents", _("“%(intent)s” is not an intent; use one of %(choices)s")
                           % {"intent": wrong[0], "choices": ", ".join(INTENT_CHOICES)})
    if not (keywords or labels or intents):
        raise ThemeInvalid("keywords", _("give at least one keyword, label or intent"))
    return ThemeSpec(name, tuple(keywords), tuple(dict.fromkeys(labels)), tuple(dict.fromkeys(intents)))


@dataclass(frozen=True)
class Words:
    """A message's text as keywords are matched against it: its folded words line and the set of its words."""

    line: str
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Words:
        line = words_line(text)
        return cls(line, frozenset(line.split()))


@dataclass(frozen=True)
class CompiledTheme:
    """A theme ready to test thousands of messages: single whole words as one set test, phrases and prefixes as
    substring tests on the words line (as routing does) — all of them in one pass of one compiled alternation of
    the literal needles (a theme has dozens of prefixes in eight languages: testing them one by one in Python was
    most of the theme matching's time)."""

    key: str
    name: str
    single: frozenset[str]
    others: tuple[str, ...]
    labels: frozenset[str]
    intents: frozenset[str]
    #: ``others`` as one regular expression of escaped literals (None when there are none).
    pattern: re.Pattern[str] | None = None

    @classmethod
    def of(cls, key: str, spec: ThemeSpec) -> CompiledTheme:
        needles = [needle for needle in (keyword_needle(k) for k in spec.keywords) if needle]
        single = frozenset(n.strip() for n in needles if n.endswith(" ") and n.count(" ") == 2)
        others = tuple(n for n in needles if not (n.endswith(" ") and n.count(" ") == 2))
        pattern = re.compile("|".join(re.escape(needle) for needle in others)) if others else None
        return cls(key, spec.name, single, others, frozenset(spec.labels), frozenset(spec.intents), pattern)

    def matches_words(self, text: Words) -> bool:
        """A single keyword among the words, or a phrase or prefix needle anywhere in the words line."""
        if not self.single.isdisjoint(text.words):
            return True
        return self.pattern is not None and self.pattern.search(text.line) is not None

    def matches(self, text: Words, labels: frozenset[str], intents: Iterable[str]) -> bool:
        """Whether a message belongs to the theme: a keyword in its text, a label on its ticket or an intent."""
        if self.labels and not self.labels.isdisjoint(labels):
            return True
        if self.intents and not self.intents.isdisjoint(intents):
            return True
        return self.matches_words(text)

    def covers_term(self, term: str) -> bool:
        """Whether one of the theme's keywords already counts ``term``: a discovered term a theme counts
        ("faktur", the stem of "fakturaen", under "Invoice / billing" with "faktura*") is not shown a second time.
        Terms are stems, so a keyword word that starts with the term (and is at most :data:`STEM_ROOM` letters
        longer) covers it too."""
        if term in self.single:
            return True
        for needle in self.others:
            prefix = needle.strip()
            if needle.endswith(" ") or " " in prefix:
                continue  # a phrase
            if term.startswith(prefix) or (len(term) >= MIN_STEM and prefix.startswith(term)):
                return True
        return len(term) >= MIN_STEM and any(word.startswith(term) and len(word) - len(term) <= STEM_ROOM
                                             for word in self.single)
