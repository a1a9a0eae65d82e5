"""The FAQ matcher behind the web chat's "answers while you type": pure Python, no database.

Why this shape: a customer types a question in their own words and inflections ("fakturaen min", "laskussa",
"facturen"), often without the Nordic letters, while a brand writes an FAQ entry once. So both sides are normalised
the same way, then scored with BM25 over the entry's question and keywords:

1. **fold**: case-folded, diacritics removed (å→a, ä→a, ö→o, é→e; ø→o, æ→ae, ß→ss by table, as they do not decompose).
   Safe here because the matcher only compares words with each other; nothing is shown folded.
2. **words**: runs of letters and digits, minus a short stop list per language (nb, da, sv, fi, nl, en) — the
   "how do I / my / the" words that every question has and that would otherwise match everything.
3. **word matching** instead of exact terms: two words match when their light stems are equal (common suffixes of the
   six languages stripped: faktura/fakturaen/fakturaer → faktur), when they share a long prefix (lasku/laskussa,
   abonnement/abonnementet), or — weaker — when one ends with the other (a compound: mobilabonnement ⊃ abonnement,
   efaktura ⊃ faktura).
4. **BM25** (k1 1.2, b 0.75) over those fuzzy term frequencies; keywords count twice, as the brand chose them.

An entry is returned when its score reaches :data:`MIN_SCORE` (about one distinctive word matched) and at least
:data:`RELATIVE_CUTOFF` of the best entry's score, at most three, best first. The same entry written in several
languages (same ``slug``) is returned once: the language the customer wrote in wins, ties go to the page's language.
The search issue replaces this with a real index; the interface (:class:`FaqIndex.search`) is what it keeps.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

K1 = 1.2
B = 0.75
#: Weight of a keyword occurrence against a word of the question (the brand picked keywords on purpose).
KEYWORD_WEIGHT = 2.0
#: Lowest score worth showing: roughly one word that only a few entries have, matched exactly.
MIN_SCORE = 1.5
#: Entries scoring below this share of the best one are left out: a weak tail only distracts.
RELATIVE_CUTOFF = 0.45
#: Preference for the page's language when two translations of one entry score alike.
PAGE_LANGUAGE_BONUS = 1.05
LIMIT = 3

#: Letters that do not decompose into a base letter and a combining mark.
_FOLD_TABLE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
                             "ı": "i"})
_WORD = re.compile(r"\w+")

# Function words and question words that every FAQ question has. Kept short on purpose: a word missing here costs a
# little precision, a content word wrongly here makes a question unfindable.
STOPWORDS = frozenset("""
    a an and are am as at be been but by can could do does did for from had has have how i if in into is it its me my
    mine no not of on or our please so than that the their them then there these they this to too us was we were what
    when where which who why will with would you your yours hi hello hey thanks thank
    og i pa på er det den de du jeg meg min mitt mine deg din ditt dine han hun vi oss dere seg sin sitt sine en et ei
    som for med til av fra at har hadde kan kunne skal skulle vil ville blir ble vaere vært var ikke hvordan hva hvor
    hvorfor hvem hvilken hvilke hvis nar når om eller men sa så da her der denne dette disse hei hallo takk noe noen
    mye litt ogsa også bare enn etter over under ut inn opp ned fikk fa få gjor gjør gjore gjøre
    jag mig mitt min mina dig din ditt dina vi oss ni er sig sin han hon det den de dem och att som pa på ar är var
    vad hur varfor varför vem vilken nar när om eller men sa så da då har hade kan kunde ska skulle vill ville inte
    ett en ej hej tack nagot något
    ikke hvad hvorfor hvornår hvordan mig mit min mine dig din dit dine os jer sig sit sine og jeg hej tak noget
    minun minä mina sinä sina sinun hän me te he se ne ja on ei olen oli ovat kuinka miten mita mitä miksi kuka
    missa missä milloin jos tai mutta kun etta että voi voin voiko hei kiitos
    ik mij mijn jij je jou jouw u uw hij zij wij we ons onze jullie het de een en van in op te is zijn was waren
    heb hebben had kan kunnen wil willen niet hoe wat waar waarom wie wanneer als of maar dat die dit deze er
    hallo bedankt dank
""".split())

# Inflectional suffixes of nb/da/sv/nl/en/fi (folded), longest first; one is stripped when a stem of at least
# three letters remains. Crude on purpose: prefix matching below catches what this misses.
_SUFFIXES_BY_LANGUAGE = {
    "nb/da": "ene ane en et er ar erne ernes enes ets ens ende ande ere est este het heten heter ing ingen inger "
             "ingene sjon sjonen sjoner ast ig lig lige te de a e s aen aer aene aerne",
    "sv": "or orna arna erna na an ning ningen ningar ade at",
    "nl": "en ens tje tjes je jes heid heden ing ingen",
    "en": "ing ings ed es ies ly s",
    "fi": "ssa sta lla lta lle ksi n a na ta an in iin ihin illa issa ista ille",
}
_SUFFIXES = tuple(sorted({suffix for group in _SUFFIXES_BY_LANGUAGE.values() for suffix in group.split()},
                         key=len, reverse=True))
_MIN_STEM = 3
#: Two words sharing a prefix this long (and all of the shorter word but its last letter) match.
_MIN_PREFIX = 4
#: A compound matches its head (``mobilabonnement`` ⊃ ``abonnement``) when the head is at least this long.
_MIN_COMPOUND_PART = 5
EXACT, PREFIX, COMPOUND = 1.0, 0.85, 0.6


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form of ``text`` (``Fakturaen må ændres`` → ``fakturaen ma aendres``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_TABLE))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word without its longest known inflectional suffix, keeping at least three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The content words of ``text``, folded, stop words left out (digits kept: "4G", "5G" and prices matter)."""
    return [word for word in _WORD.findall(fold(text)) if word not in STOPWORDS and (len(word) > 1 or word.isdigit())]


def similarity(query_word: str, entry_word: str) -> float:
    """How well one query word matches one word of an entry: 1 for the same stem, less for a shared prefix or a
    compound part, 0 for none."""
    if query_word == entry_word or stem(query_word) == stem(entry_word):
        return EXACT
    shorter = min(len(query_word), len(entry_word))
    common = 0
    for a, b in zip(query_word, entry_word, strict=False):
        if a != b:
            break
        common += 1
    if common >= _MIN_PREFIX and common >= shorter - 1:
        return PREFIX
    if shorter >= _MIN_COMPOUND_PART and (entry_word.endswith(query_word) or query_word.endswith(entry_word)):
        return COMPOUND
    return 0.0


@dataclass(frozen=True)
class Entry:
    """One published FAQ article as the matcher needs it (built from ``knowledge.models.Article``)."""

    id: int
    slug: str
    language: str
    question: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


@dataclass
class _Doc:
    entry: Entry
    tf: dict[str, float] = field(default_factory=dict)
    length: float = 0.0


class FaqIndex:
    """The entries of one organisation, tokenised once; :meth:`search` per keystroke pause."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.docs: list[_Doc] = []
        for entry in entries:
            doc = _Doc(entry)
            for word in words(entry.question):
                doc.tf[word] = doc.tf.get(word, 0.0) + 1.0
            for word in words(" ".join(entry.keywords)):
                doc.tf[word] = doc.tf.get(word, 0.0) + KEYWORD_WEIGHT
            doc.length = sum(doc.tf.values())
            if doc.length:
                self.docs.append(doc)
        self.vocabulary = sorted({word for doc in self.docs for word in doc.tf})
        self.average_length = sum(doc.length for doc in self.docs) / len(self.docs) if self.docs else 0.0

    def __len__(self) -> int:
        return len(self.docs)

    def _expand(self, query_word: str) -> dict[str, float]:
        """The vocabulary words ``query_word`` matches, with how well."""
        found = {}
        for word in self.vocabulary:
            score = similarity(query_word, word)
            if score:
                found[word] = score
        return found

    def scores(self, query: str) -> list[tuple[_Doc, float]]:
        """BM25 of every entry that matches at least one query word (unordered)."""
        total = len(self.docs)
        if not total:
            return []
        result: dict[int, float] = {}
        for query_word in dict.fromkeys(words(query)):
            expansion = self._expand(query_word)
            if not expansion:
                continue
            frequencies = {}
            for index, doc in enumerate(self.docs):
                # The best-matching form per entry word, summed: "faktura" twice in an entry counts twice.
                tf = sum(doc.tf[word] * weight for word, weight in expansion.items() if word in doc.tf)
                if tf:
                    frequencies[index] = tf
            df = len(frequencies)
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            for index, tf in frequencies.items():
                norm = K1 * (1 - B + B * self.docs[index].length / self.average_length)
                result[index] = result.get(index, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        return [(self.docs[index], score) for index, score in result.items()]

    def search(self, query: str, language: str = "", limit: int = LIMIT, min_score: float = MIN_SCORE) -> list[Match]:
        """The best entries for ``query``: at most ``limit``, each scoring at least ``min_score`` and a fair share of
        the best, one per ``slug`` (the customer's language wins, then ``language``, the page's)."""
        ranked = sorted(
            ((doc.entry, score * (PAGE_LANGUAGE_BONUS if language and doc.entry.language == language else 1.0))
             for doc, score in self.scores(query)),
            key=lambda pair: (-pair[1], pair[0].id),
        )
        if not ranked or ranked[0][1] < min_score:
            return []
        floor = max(min_score, ranked[0][1] * RELATIVE_CUTOFF)
        matches: list[Match] = []
        seen: set[str] = set()
        for entry, score in ranked:
            if score < floor or len(matches) >= limit:
                break
            if entry.slug in seen:
                continue
            seen.add(entry.slug)
            matches.append(Match(entry, round(score, 3)))
        return matches


def search(entries: Sequence[Entry], query: str, language: str = "") -> list[Match]:
    """One-off search (tests, scripts); the web chat keeps a :class:`FaqIndex` per organisation."""
    return FaqIndex(entries).search(query, language)
