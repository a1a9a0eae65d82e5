"""Profanity and abuse: is a message profane (which lexicon terms), and how abusive is it (0..1)?

Why a lexicon for profanity: swear words are a short, closed list per language, and the inbox uses the answer to blur
a message — that decision must be explainable ("blurred because of: faen"), and the terms must be found however they
are spelled. So the words live in ``lexicons/profanity/<lang>.txt`` (format and sources in SOURCE.md there), and this
module matches them on whole, normalised tokens:

* whole tokens, never substrings ("Scunthorpe", "class", "assist" are clean); compounds only where a lexicon entry
  says the form heads (``prefix``) or ends (``suffix``) a compound ("drittselskap", "Scheißladen", "kutbedrijf",
  "Vollidiot"), with innocent compounds listed as exceptions ("kankeronderzoek");
* words that are innocent in another language ("fan", "dick", "skit", "kut" as a prefix, "fick") only count when the
  message language is the one where they swear (``lang``), unless a phrase removes all doubt ("fy fan");
* spelling games are undone before matching: letters stretched (fuuuuck, faaaen), doubled vowels (fuuck), l33t
  (sh1t, a$$hole, f4g), letters spaced or dotted out (f.u.c.k, f u c k), masked letters (f*ck, f**k, a**hole,
  sch***e, matched against lexicon words of the same shape), and æ/ä, ø/ö, ß spelled ae, oe, ss or plain.

Abuse is broader than profanity (insults and hate without a swear word, and swearing aimed at someone). The score is
the larger of a lexicon score (insults count, more when aimed at the reader: "du er en idiot", "you idiots") and a
small linear model trained on Danish and German offensive-language data (``training/abuse.py``); the model only
speaks for the languages it learnt (``MODEL_LANGUAGES``, and damped for Danish's neighbours ``MODEL_NEIGHBOURS``).

Cost: a message is split on whitespace; each distinct token is normalised once per process and each distinct word's
lexicon candidates are computed once (bounded caches), so a message of known words costs a dictionary lookup per
token and a few set operations — about 10 µs for a tweet, 30–40 µs for 280 characters with the model (one core).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from webcare.triage.linear import LinearModel
from webcare.triage.paths import LEXICONS_DIR, MODELS_DIR

LEXICON_DIR = LEXICONS_DIR / "profanity"
ABUSE_MODEL_PATH = MODELS_DIR / "abuse.npz"

#: Which message languages each lexicon file speaks for (Norwegian covers both written standards).
FILE_LANGUAGES: dict[str, tuple[str, ...]] = {
    "en": ("en",), "no": ("nb", "nn"), "da": ("da",), "sv": ("sv",), "fi": ("fi",), "nl": ("nl",), "de": ("de",),
}
#: The lexicon files read for a message language: its own and English (sworn in everywhere).
FILE_LANGUAGES_OF: dict[str, tuple[str, ...]] = {
    language: (source, "en") for source, languages in FILE_LANGUAGES.items() for language in languages}
#: Kinds of lexicon entry. ``profane``, ``mild`` and ``slur`` make a message profane; ``insult`` and ``weak`` only
#: raise the abuse score (an insult without a swear word is abuse, not profanity: see SOURCE.md).
PROFANE_KINDS = frozenset({"profane", "mild", "slur"})
KINDS = ("profane", "mild", "slur", "insult", "weak")
#: Lexicon abuse score of a hit, not aimed at anyone / aimed at the reader (a second-person pronoun just before it,
#: or a phrase flagged ``you`` such as "fuck you", "faen ta deg", "halt die Fresse").
SCORE_UNDIRECTED = {"profane": 0.6, "mild": 0.45, "slur": 0.9, "insult": 0.65, "weak": 0.35}
SCORE_DIRECTED = {"profane": 0.85, "mild": 0.6, "slur": 0.95, "insult": 0.9, "weak": 0.6}
SCORE_YOU_PHRASE = 0.95
#: Languages whose offensive-language data the abuse model was trained on; elsewhere its vocabulary barely fires
#: and its probability is noise around the prior, so the score there is the lexicon's alone.
MODEL_LANGUAGES = frozenset({"da", "de"})
#: Languages close enough to Danish that the model's probability counts, damped by this factor.
MODEL_NEIGHBOURS = {"nb": 0.8, "nn": 0.7, "sv": 0.6}

#: Second-person pronouns per language: an insult right after one is aimed at the reader.
PRONOUNS: dict[str, frozenset[str]] = {
    "en": frozenset({"you", "your", "youre", "ya", "u", "ur", "yall", "yourselves", "yourself"}),
    "nb": frozenset({"du", "deg", "dere", "din", "ditt", "dine", "dokker", "dykk"}),
    "nn": frozenset({"du", "deg", "de", "dykk", "dykkar", "din", "ditt", "dine", "dokker"}),
    "da": frozenset({"du", "dig", "jer", "jeres", "din", "dit", "dine"}),
    "sv": frozenset({"du", "dig", "ni", "er", "era", "ert", "din", "ditt", "dina"}),
    "fi": frozenset({"sä", "sinä", "te", "sinun", "teidän", "olet", "olette", "sun", "sua", "sinua", "teitä"}),
    "nl": frozenset({"je", "jij", "jullie", "jou", "jouw", "u", "uw"}),
    "de": frozenset({"du", "dich", "dir", "ihr", "euch", "euer", "eure", "sie"}),
}
#: Pronouns safe when the language is unknown (none of them is a common word elsewhere).
PRONOUNS_ANY = frozenset({"you", "youre", "yall", "du", "deg", "dig", "dere", "jer", "jullie", "jij", "dich", "euch",
                          "sinä", "olet", "olette"})

_WORD = re.compile(r"[^\W\d_]+")
#: Single letters separated consistently inside one token: "f.u.c.k", "s-h-i-t", "f*u*c*k".
_SPACED_TOKEN = re.compile(r"[^\W\d_](?:([.\-_*+/])[^\W\d_])(?:\1[^\W\d_])+")
_RUN3 = re.compile(r"([^\W\d_])\1\1+")
_DOUBLE = re.compile(r"(.)\1+")
#: Characters stripped from the ends of a whitespace-separated token (not * $ @: they may be part of a word).
_EDGE = ".,;:!?\"'()[]{}<>«»“”‘’…/\\#"
_MASK_CHARS = frozenset("*#%_?-")
#: Hyphens standing for letters: pieces of at most three letters around one hyphen ("sh-t", "f-ck"), or a run of two
#: or more hyphens ("f--k", "a--hole"). "e-post", "t-shirt" and "x-ray" are words.
_HYPHEN_MASK = re.compile(r"[^\W\d_]{1,3}-[^\W\d_]{1,3}|[^\W\d_]+-{2,}[^\W\d_]*")
_LEET_CHARS = frozenset("0134578@$€!|+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "€": "e", "!": "i", "|": "i", "+": "t"})
_VOWELS = "aeiouyæøåäöü"
_FOLD = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e", "è": "e"})
_TRANSLIT = {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_CROSS = str.maketrans({"æ": "ä", "ä": "æ", "ø": "ö", "ö": "ø"})
#: Inputs longer than this are read in their first part only (e-mails can be 100,000 characters).
MAX_CHARS = 5_000
#: Tokens remembered per process with their lexicon candidates (cleared when full: memory stays flat).
CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Profanity:
    """The verdict on one message: profane (→ blur it), the canonical lexicon terms found, and an abuse score."""

    profane: bool
    terms: tuple[str, ...]
    abuse_score: float  # 0..1; ≥ 0.5 reads as offensive


CLEAN = Profanity(profane=False, terms=(), abuse_score=0.0)


@dataclass(frozen=True)
class Entry:
    """One lexicon line: a canonical term, its kind and where it applies."""

    term: str
    kind: str
    langs: frozenset[str]  # empty: active in every language
    you: bool = False  # a phrase aimed at the reader
    name: bool = False  # also a given name: not when capitalised next to another capitalised word ("Dick Smith")
    before: frozenset[str] = frozenset()  # not when the previous token is one of these ("ett fan av")
    after: frozenset[str] = frozenset()  # not when the next token is one of these ("fan club")
    remainders: tuple[str, ...] = ()  # compound parts that make a prefix match innocent ("kanker|onderzoek")
    source: str = ""  # lexicon file

    @property
    def profane(self) -> bool:
        return self.kind in PROFANE_KINDS


def parse_line(line: str, source: str) -> list[tuple[str, Entry, bool, bool]]:
    """One lexicon line → (form, entry, as_prefix, as_suffix) for its canonical term and every listed form.

    Format (SOURCE.md): ``canonical ; flags ; form, form*, *form, <veto-before …, >veto-after …, -innocent-rest …``.
    """
    line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
    if not line:
        return []
    parts = [p.strip() for p in line.split(";")]
    canonical = parts[0].lower()
    name_only = canonical.startswith("[") and canonical.endswith("]")  # "[fan]": the name of phrases, not a form
    canonical = canonical.strip("[]")
    flags = set(parts[1].split()) if len(parts) > 1 else set()
    items = [i.strip().lower() for i in parts[2].split(",")] if len(parts) > 2 and parts[2] else []
    kind = next((k for k in KINDS if k in flags), "profane")
    unknown = flags - set(KINDS) - {"seed", "lang", "prefix", "suffix", "you", "name"}
    if unknown:
        raise ValueError(f"{source}: unknown flag(s) {sorted(unknown)} in {line!r}")
    before: set[str] = set()
    after: set[str] = set()
    rest: list[str] = []
    forms = [] if name_only else [canonical]
    for item in items:
        if item.startswith("<"):
            before.update(item[1:].split())
        elif item.startswith(">"):
            after.update(item[1:].split())
        elif item.startswith("-"):
            rest.extend(w.lstrip("-") for w in item.split())
        elif item:
            forms.append(item)
    langs = frozenset(FILE_LANGUAGES.get(source, (source,))) if "lang" in flags else frozenset()
    entry = Entry(term=canonical.strip("*"), kind=kind, langs=langs, you="you" in flags, name="name" in flags,
                  before=frozenset(before), after=frozenset(after), remainders=tuple(rest), source=source)
    out = []
    for form in forms:
        as_prefix = "prefix" in flags or form.endswith("*")
        as_suffix = "suffix" in flags or form.startswith("*")
        out.append((form.strip("*"), entry, as_prefix, as_suffix))
    return out


def spelling_variants(form: str) -> set[str]:
    """The ways customers spell a lexicon form: ae/oe/aa/ss for æ ø å ä ö ü ß, Nordic æ↔ä ø↔ö, and plain letters
    (the last only for longer words: "røv" without its ø is "rov", an innocent word)."""
    out = {form, form.translate(_CROSS), "".join(_TRANSLIT.get(c, c) for c in form)}
    if len(form) >= 5:
        out.add(form.translate(_FOLD).replace("ß", "ss"))
    return out


def stretched_variants(word: str) -> set[str]:
    """``word`` with one of its vowels doubled (fuuck, shiit, faaen): a lazy stretch that squeezing cannot tell from
    real double letters, so the variants are listed instead."""
    out = set()
    for i, ch in enumerate(word):
        if ch in _VOWELS and (i + 1 >= len(word) or word[i + 1] != ch) and (i == 0 or word[i - 1] != ch):
            out.add(word[: i + 1] + ch + word[i + 1 :])
    return out


def squeeze(word: str) -> str:
    """Every run of a repeated character down to one ("fuuuckkk" → "fuck", "vittu" → "vitu")."""
    return _DOUBLE.sub(r"\1", word)


#: Real words that a stretched variant of a lexicon word would otherwise catch (Finnish "kuusi" is six).
#: Checked against the UD and Leipzig sentences of all eight languages (webcare/triage/lexicons/profanity/SOURCE.md).
INNOCENT_STRETCHES = frozenset({"kuusi", "kuusta", "kuuset", "kuusen", "kustaa", "shiite", "shiites", "poop", "saatan",
                                "sleet", "boob"})
#: Real words that a plain-letter spelling of a lexicon word would otherwise catch ("møkka" without ø is mocha).
INNOCENT_VARIANTS = frozenset({"mokka", "raven", "rov", "hard", "sas", "javel"})


class Lexicon:
    """All lexicon files, indexed for matching: exact forms, compound heads and tails, phrases, squeezed and masked.

    Matching works on a stream of words. Each whitespace-separated token of a message is normalised once (l33t,
    dotted letters, masks) and each word's lexicon candidates are computed once; both are cached per process, so a
    message of known words costs a dictionary lookup per token. Language gates and context vetoes depend on the
    message and are applied per hit (:meth:`usable`).
    """

    def __init__(self, lines: Iterable[tuple[str, str]]) -> None:
        self.exact: dict[str, list[Entry]] = {}
        self.prefix: dict[str, list[Entry]] = {}
        self.suffix: dict[str, list[Entry]] = {}
        #: phrases by their anchor (the longest word, usually the rare one: "hell" in "what the hell"), with the
        #: anchor's offset in the phrase
        self.phrases: dict[str, list[tuple[tuple[str, ...], int, Entry]]] = {}
        self.squeezed: dict[str, list[Entry]] = {}
        self.masked: dict[int, list[tuple[str, Entry]]] = {}
        self.entries: list[Entry] = []
        stretched: list[tuple[str, Entry]] = []
        for source, line in lines:
            parsed = parse_line(line, source)
            if parsed:
                self.entries.append(parsed[0][1])
            for form, entry, as_prefix, as_suffix in parsed:
                for variant in spelling_variants(form) - (INNOCENT_VARIANTS - {form}):
                    self._index(variant, entry, as_prefix, as_suffix)
                    if entry.profane and " " not in variant and len(variant) <= 9:
                        stretched.extend((s, entry) for s in stretched_variants(variant) - INNOCENT_STRETCHES)
        genuine = frozenset(self.exact)
        for word, entry in stretched:  # "fuuck", "vittuu": never over a real lexicon form
            if word not in genuine:
                self._add(self.exact, word, entry)
        self.prefix_heads = frozenset(p[:3] for p in self.prefix)
        self.prefix_lengths = sorted({len(p) for p in self.prefix}, reverse=True)
        self.suffix_tails = frozenset(s[-3:] for s in self.suffix)
        self.suffix_lengths = sorted({len(s) for s in self.suffix}, reverse=True)
        self.phrase_keys = frozenset(self.phrases)
        self._words: dict[str, tuple[Entry, ...]] = {}  # word → candidates (empty for the many clean words)
        self._flagged: set[str] = set()  # the words among them that have candidates
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._unmasked: dict[tuple[str, str], tuple[str, Entry] | None] = {}

    def _index(self, variant: str, entry: Entry, as_prefix: bool, as_suffix: bool) -> None:
        words = tuple(variant.split())
        if len(words) > 1:
            offset = max(range(len(words)), key=lambda k: (len(words[k]), k))
            self.phrases.setdefault(words[offset], []).append((words, offset, entry))
            return
        if not words:
            return
        word = words[0]
        self._add(self.exact, word, entry)
        if as_prefix:
            self._add(self.prefix, word, entry)
        if as_suffix:
            self._add(self.suffix, word, entry)
        self._add(self.squeezed, squeeze(word), entry)
        if entry.profane:
            bucket = self.masked.setdefault(len(word), [])
            if (word, entry) not in bucket:
                bucket.append((word, entry))

    @staticmethod
    def _add(index: dict[str, list[Entry]], key: str, entry: Entry) -> None:
        bucket = index.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
            bucket.sort(key=lambda e: bool(e.langs))  # an entry active everywhere before a gated duplicate

    # -- words -----------------------------------------------------------------------------------------------
    def candidates(self, word: str) -> tuple[Entry, ...]:
        """Entries ``word`` may stand for, best first, before language and context are considered (cached)."""
        found = self._words.get(word)
        if found is None:
            found = self._candidates(word)
            if len(self._words) >= CACHE_SIZE:
                self._words.clear()
                self._flagged.clear()
            self._words[word] = found
            if found:
                self._flagged.add(word)
        return found

    def _candidates(self, word: str, squeezing: bool = True) -> tuple[Entry, ...]:
        out: list[Entry] = list(self.exact.get(word, ()))
        n = len(word)
        if n >= 6 and word[:3] in self.prefix_heads:
            for length in self.prefix_lengths:
                if length <= n - 3:
                    rest = word[length:]
                    out.extend(e for e in self.prefix.get(word[:length], ())
                               if not any(rest.startswith(r) for r in e.remainders))
        if n >= 7 and word[-3:] in self.suffix_tails:
            for length in self.suffix_lengths:
                if length <= n - 3:
                    out.extend(self.suffix.get(word[-length:], ()))
        if squeezing and _RUN3.search(word):
            # stretched ("fuuuuck", "vittttu", "drittttselskap"): runs of 3+ letters become one, or two, letters
            out.extend(self._candidates(_RUN3.sub(r"\1", word), squeezing=False))
            out.extend(self._candidates(_RUN3.sub(r"\1\1", word), squeezing=False))
            out.extend(self.squeezed.get(squeeze(word), ()))
        return tuple(dict.fromkeys(out))

    def tokens(self, raw: str) -> tuple[str, ...]:
        """The words one whitespace-separated token (lowercased) stands for, spelling games undone (cached).

        A masked token ("f*ck") is returned as it is: what it stands for depends on the language (:meth:`unmask`).
        """
        found = self._tokens.get(raw)
        if found is None:
            found = self._normalise(raw)
            if len(self._tokens) >= CACHE_SIZE:
                self._tokens.clear()
            self._tokens[raw] = found
        return found

    def _normalise(self, raw: str) -> tuple[str, ...]:
        tok = raw.strip(_EDGE)
        if tok.isalpha():
            return (tok,)
        if not tok or "://" in tok or tok.startswith("www."):
            return ()
        if tok[0] == "@" and tok[1:3] not in ("ss", "$$", "s$", "$s"):
            return ()  # a mention
        plain = tuple(_WORD.findall(tok))
        if _SPACED_TOKEN.fullmatch(tok):  # "f.u.c.k", "s-h-i-t"
            return ("".join(c for c in tok if c.isalpha()),)
        if any(c in _LEET_CHARS for c in tok) and any(c.isalpha() for c in tok):
            for mapped in (tok.translate(_LEET), tok.replace("1", "l").replace("|", "l").translate(_LEET)):
                words = tuple(_WORD.findall(mapped))
                if any(self.candidates(w) for w in words) or (
                        any(c in _MASK_CHARS for c in mapped) and tok[0].isalpha()):
                    return words if not any(c in _MASK_CHARS for c in mapped) else (mapped.strip("-_"),)
        if any(c in _MASK_CHARS for c in tok) and tok[0].isalpha() and not all(
                c.isalpha() or c == "-" for c in tok):
            return (tok.strip("-_"),)  # masked: resolved per message
        if "-" in tok and len(plain) > 1 and tok[0].isalpha() and _HYPHEN_MASK.fullmatch(tok):
            return (tok, *plain)  # "sh-t", "f--k", "a--hole": maybe a mask, else the words
        return plain

    def unmask(self, tok: str, language: str) -> tuple[str, Entry] | None:
        """A word with masked letters ("f*ck", "a**hole", "sch***e") → the lexicon word of the same shape, preferring
        the message's own language, then English; with the language unknown, any (in lexicon order). Cached."""
        key = (tok, language)
        if key not in self._unmasked:
            if len(self._unmasked) >= CACHE_SIZE:
                self._unmasked.clear()
            self._unmasked[key] = self._unmask(tok, language)
        return self._unmasked[key]

    def _unmask(self, tok: str, language: str) -> tuple[str, Entry] | None:
        letters = sum(1 for c in tok if c.isalpha())
        if not tok or not tok[0].isalpha() or letters == len(tok) or ("-" in tok and letters < 3):
            return None  # "*Item" is a bullet, "e-mail" a word; a masked word starts with its letter
        pattern = re.compile("".join("." if c in _MASK_CHARS else re.escape(c) for c in tok))
        best: tuple[str, Entry] | None = None
        best_rank = 9
        own = FILE_LANGUAGES_OF.get(language, ())
        for word, entry in self.masked.get(len(tok), ()):
            if entry.langs and language not in entry.langs:
                continue
            if language and entry.source not in own:
                continue  # a masked word is read in the message's language (or English) only: "pa*k*t" is no "paskat"
            if pattern.fullmatch(word):
                rank = 0 if language and language in FILE_LANGUAGES.get(entry.source, ()) else (
                    1 if entry.source == "en" else 2)
                if rank < best_rank:
                    best, best_rank = (word, entry), rank
        return best

    # -- messages --------------------------------------------------------------------------------------------
    def words(self, low: str, language: str) -> list[str]:
        """The word stream of a lowercased message: tokens normalised, masks resolved, spaced letters joined."""
        stream: list[str] = []
        get = self._tokens.get
        for raw in low.split():
            found = get(raw)
            stream += self.tokens(raw) if found is None else found
        if not stream:
            return stream
        if not "".join(stream).isalpha():  # a masked word is left
            resolved: list[str] = []
            for w in stream:
                if w.isalpha():
                    resolved.append(w)
                    continue
                unmasked = self.unmask(w, language)
                # unresolved: keep the longer pieces ("pa*k*t" must not leave a "k" or "kk" behind)
                resolved.extend((unmasked[0],) if unmasked else [p for p in _WORD.findall(w) if len(p) > 2])
            stream = resolved
        if min(map(len, stream)) == 1:
            singles = [i for i, w in enumerate(stream) if len(w) == 1]
            if len(singles) >= 3:
                stream = _join_single_letters(stream, singles, self)
        return stream

    @staticmethod
    def usable(entry: Entry, language: str, words: Sequence[str], i: int, j: int, text: str) -> bool:
        """Whether ``entry`` matched at words i..j-1 counts here (language gate and context vetoes)."""
        if entry.langs and language not in entry.langs:
            return False
        if entry.before and i > 0 and words[i - 1] in entry.before:
            return False
        if entry.after and j < len(words) and words[j] in entry.after:
            return False
        return not (entry.name and _looks_like_name(text, words[i]))

    def scan(self, words: Sequence[str], language: str, text: str) -> list[tuple[Entry, int]]:
        """Every (entry, word index) of the stream."""
        hits: list[tuple[Entry, int]] = []
        usable = self.usable
        unseen = set(words).difference(self._words)
        for word in unseen:
            self.candidates(word)
        if not self._flagged.isdisjoint(words):  # most messages are clean: no loop at all
            cache = self._words
            for i, word in enumerate(words):
                found = cache.get(word) or self.candidates(word)
                for entry in found:
                    if usable(entry, language, words, i, i + 1, text):
                        hits.append((entry, i))
                        break
        anchors = self.phrase_keys.intersection(words)
        if anchors:
            for k, word in enumerate(words):
                if word not in anchors:
                    continue
                phrases = self.phrases[word]
                if language and len(phrases) > 1:  # the message's own language first ("fy fan" is sv and no)
                    phrases = sorted(phrases, key=lambda p: language not in FILE_LANGUAGES.get(p[2].source, ()))
                matched: set[tuple[str, ...]] = set()  # one entry per phrase (several files list "fuck you")
                for phrase, offset, entry in phrases:
                    i = k - offset
                    j = i + len(phrase)
                    if i >= 0 and phrase not in matched and tuple(words[i:j]) == phrase and usable(
                            entry, language, words, i, j, text):
                        matched.add(phrase)
                        hits.append((entry, i))
        return hits


def _join_single_letters(stream: list[str], singles: list[int], lex: Lexicon) -> list[str]:
    """Runs of three or more one-letter words ("f u c k") joined into one word when that word is in the lexicon
    (also without a leading "a"/"i": "a f u c k i n g joke")."""
    runs: list[tuple[int, int]] = []
    start = prev = singles[0]
    for i in [*singles[1:], -2]:
        if i != prev + 1:
            if prev - start >= 2:
                runs.append((start, prev + 1))
            start = i
        prev = i
    out = list(stream)
    for start, end in reversed(runs):
        joined = "".join(stream[start:end])
        for offset, word in enumerate((joined, joined[1:])):
            if lex.candidates(word):
                out[start + offset : end] = [word]
                break
    return out


def _looks_like_name(text: str, token: str) -> bool:
    """Whether ``token`` appears in ``text`` capitalised next to another capitalised word ("Dick Smith", "Moby
    Dick", "Philip K. Dick")."""
    cap = token[:1].upper() + token[1:]
    return re.search(rf"(?:\b[A-Z][\w.]*\s+{re.escape(cap)}\b|\b{re.escape(cap)}\s+[A-Z])", text) is not None


def read_lexicon_lines(folder: Path = LEXICON_DIR) -> list[tuple[str, str]]:
    """(source, line) for every lexicon file, English first (its words are used in every language)."""
    files = sorted(folder.glob("*.txt"), key=lambda p: (p.stem != "en", p.stem))
    return [(path.stem, line) for path in files for line in path.read_text(encoding="utf-8").splitlines()]


@functools.cache
def lexicon() -> Lexicon:
    """The shipped lexicon, built once per process."""
    return Lexicon(read_lexicon_lines())


# -- abuse model ----------------------------------------------------------------------------------------------------
#: Words longer than this also give the model their first letters: German and Nordic compounds and inflections
#: ("Vollidioten", "idioterne") share a stem with words the training data had.
STEM = 4


def model_words(words: Sequence[str], kinds: Iterable[str] = ()) -> list[str]:
    """What the abuse model reads: the message's normalised words, their stems, and a marker for each kind of
    lexicon hit (profanity, insult), so the model learns how much the lexicon's verdict counts."""
    out = list(words)
    out.extend(w[:STEM] for w in words if len(w) > STEM)
    kinds = set(kinds)
    if kinds & PROFANE_KINDS:
        out.append("zzprofane")
    if "insult" in kinds:
        out.append("zzinsult")
    return out


def model_text(words: Sequence[str]) -> str:
    """:func:`model_words` as one text for training: ``linear.features`` of it gives exactly the features
    :meth:`AbuseModel.probability` computes from the list (the words are lowercase letters only)."""
    return " ".join(words)


@dataclass(frozen=True)
class AbuseModel:
    """The trained offensive/not model reduced to what inference needs: one weight per word, per bigram, a bias.

    Why not :meth:`LinearModel.proba`: the detector already has the message's words, and numpy's per-call overhead
    is several microseconds; word and bigram features (no character n-grams) keep the budget of 40 µs.
    """

    unigrams: dict[str, float]
    bigrams: dict[tuple[str, str], float]
    bias: float
    #: Per language, the logit of the decision threshold chosen in cross-validation on the training split
    #: (``training/abuse.py``): subtracted so that each language's threshold reads as 0.5.
    offsets: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_linear(cls, model: LinearModel) -> AbuseModel:
        if model.config.char_max or not model.config.lowercase:
            raise ValueError("the abuse model must use word and bigram features only, lowercased")
        off = model.labels.index("OFF")
        diff = model.weights[:, off] - model.weights[:, 1 - off]
        unigrams = {f[1:]: float(diff[row]) for f, row in model.vocab.items() if f[0] == "w"}
        bigrams: dict[tuple[str, str], float] = {}
        for feature, row in model.vocab.items():
            if feature[0] == "b" and feature.count(" ") == 1:
                first, second = feature[1:].split(" ")
                bigrams[(first, second)] = float(diff[row])
        thresholds = model.meta.get("thresholds", {})
        offsets = {lang: math.log(t / (1 - t)) for lang, t in thresholds.items()} if isinstance(thresholds, dict) \
            else {}
        return cls(unigrams=unigrams, bigrams=bigrams, bias=float(model.bias[off] - model.bias[1 - off]),
                   offsets=offsets)

    def probability(self, words: Sequence[str], language: str = "") -> float:
        """P(offensive) of a word stream, as :meth:`LinearModel.proba` gives it for :func:`model_text`; with a
        ``language``, rescaled so that the language's decision threshold is 0.5 (Danish's for nb, nn and sv)."""
        # set operations and map() keep the loop in C: a message costs a few microseconds
        singles = self.unigrams.keys() & set(words)
        pairs = self.bigrams.keys() & set(itertools.pairwise(words))
        n = len(singles) + len(pairs)
        total = sum(map(self.unigrams.__getitem__, singles)) + sum(map(self.bigrams.__getitem__, pairs))
        z = self.bias + (total / math.sqrt(n) if n else 0.0)
        if language:
            z -= self.offsets.get(language, self.offsets.get("da", 0.0) if language in MODEL_NEIGHBOURS else 0.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@functools.cache
def abuse_model() -> AbuseModel | None:
    """The shipped abuse model, loaded once; None when the artefact is missing (then the lexicon decides alone)."""
    if not ABUSE_MODEL_PATH.exists():
        return None
    return AbuseModel.from_linear(LinearModel.load(ABUSE_MODEL_PATH))


def model_score(words: Sequence[str], language: str) -> float:
    """The abuse model's probability where it knows the language (damped for Danish's neighbours), else 0."""
    weight = 1.0 if language in MODEL_LANGUAGES else MODEL_NEIGHBOURS.get(language, 0.0)
    if not weight or not words:
        return 0.0
    model = abuse_model()
    return weight * model.probability(words, language) if model else 0.0


# -- the detector ---------------------------------------------------------------------------------------------------
@functools.cache
def _pronouns(language: str) -> frozenset[str]:
    return PRONOUNS.get(language, PRONOUNS_ANY) | PRONOUNS["en"] if language else PRONOUNS_ANY


def _directed(words: Sequence[str], i: int, language: str) -> bool:
    """Whether the word at ``words[i]`` is aimed at the reader: a second-person pronoun among the three words before
    it ("du er en idiot", "you fucking idiots", "ihr seid Idioten")."""
    pronouns = _pronouns(language)
    return any(w in pronouns for w in words[max(0, i - 3) : i])


def prepare(text: str, language: str = "") -> list[str]:
    """The normalised word stream of a message (what both the lexicon and the abuse model read)."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    low = text.lower()
    if not low.isascii() and not unicodedata.is_normalized("NFC", low):
        low = unicodedata.normalize("NFC", low)
    return lexicon().words(low, language)


def find_terms(text: str, language: str = "") -> tuple[list[tuple[Entry, bool]], list[str]]:
    """(entry, aimed at the reader?) for every lexicon hit, and the message's word stream."""
    words = prepare(text, language)
    hits = lexicon().scan(words, language, text[:MAX_CHARS])
    return [(e, e.you or _directed(words, i, language)) for e, i in hits], words


def lexicon_score(found: Sequence[tuple[Entry, bool]]) -> float:
    """The abuse score the lexicon hits alone give: the strongest hit, a little more for a string of them."""
    score = 0.0
    for entry, directed in found:
        if entry.you:
            hit = SCORE_YOU_PHRASE if entry.kind != "weak" else SCORE_DIRECTED["weak"]
        else:
            hit = (SCORE_DIRECTED if directed else SCORE_UNDIRECTED)[entry.kind]
        score = max(score, hit)
    if sum(1 for e, _ in found if e.kind in ("profane", "slur", "insult")) >= 3:
        score = min(1.0, score + 0.1)
    return score


def check_profanity(text: str, language: str = "") -> Profanity:
    """Profanity and abuse of one (redacted) message. ``language`` is ``detect_language``'s answer ("" if unknown)."""
    if not text or text.isspace():
        return CLEAN
    found, words = find_terms(text, language)
    terms = tuple(dict.fromkeys(e.term for e, _ in found))
    profane = any(e.profane for e, _ in found)
    abuse = lexicon_score(found)
    if language in MODEL_LANGUAGES or language in MODEL_NEIGHBOURS:
        abuse = max(abuse, model_score(model_words(words, (e.kind for e, _ in found)), language))
    return Profanity(profane=profane, terms=terms, abuse_score=round(min(1.0, max(0.0, abuse)), 4))
