"""Sentiment of a customer message: a score in [-1, 1] and a label (negative, neutral, positive).

Two scorers, combined per language (the choice was measured; see docs/quality.md and models/sentiment.md):

* A **lexicon with rules** for all eight languages (``lexicons/sentiment/``): customer-service words with a valence,
  negation within the clause ("ikke fornøyd", "fungerer ikke", "ei toimi"), boosters ("veldig", "todella"), a
  contrast rule ("takk, men …": what follows *men* counts more), courtesy words that count little in a question
  ("Kan dere hjelpe meg? Takk!" is neutral), emoji, "!!!", CAPS and stretched words ("elendiiiig"). Why: there is no
  labelled customer-service data for most of the languages, and review or subtitle models do not transfer well to
  short complaints and thanks — the lexicon is what generalises, and it is explainable to an agent.
* A **linear model** (``models/sentiment_<lang>.npz``, :mod:`webcare.triage.linear`) where labelled data exists
  (Norwegian: NoReC review sentences, also used for nynorsk; Finnish: XED subtitles), and a **stacker** — a tiny
  three-class logistic regression over the model's log-odds, the lexicon score and "is it a plain question" — fitted on
  held-out model outputs plus the hand-written development set (``training/sentiment.py``). It learns how far to
  trust a review or subtitle model on a short customer message instead of a hand-set blend weight.

The lexicon also reads the intent detector's complaint phrases (situations: "same problem", "tried everything",
"why can't I") as mildly negative, so a message the intent detector calls a complaint is rarely scored neutral.

Score: P(positive) − P(negative) of the stacker where there is a model; elsewhere the lexicon's summed valence
squashed into (−1, 1), labelled with thresholds chosen on the development set. Models and lexicons load lazily,
once per process; a message costs ~20 µs (lexicon only) to ~60 µs (with a model).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from webcare.triage.linear import LinearModel
from webcare.triage.paths import LEXICONS_DIR, MODELS_DIR

LABELS = ("negative", "neutral", "positive")
#: Languages with a trained model (file ``models/sentiment_<name>.npz``); nynorsk is read by the Norwegian model.
MODEL_LANGUAGES = {"nb": "nb", "nn": "nb", "fi": "fi"}
LANGUAGES = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")
SENTIMENT_LEXICON_DIR = LEXICONS_DIR / "sentiment"

#: Which lexicon files a language reads, first match wins. Bokmål and nynorsk share most words; Danish borrows the
#: Norwegian list for the words it spells the same way (never the reverse: Danish "ringe" is "poor", Norwegian "to
#: call"). The universal file (emoji, English loanwords) always comes last.
CHAINS: dict[str, tuple[str, ...]] = {"nb": ("nb", "nn"), "nn": ("nn", "nb"), "da": ("da", "nb"), "sv": ("sv",),
                                      "fi": ("fi",), "nl": ("nl",), "de": ("de",), "en": ("en",)}
#: Languages whose negation may follow the verb ("fungerer ikke", "werkt niet", "funktioniert nicht"), and the
#: negators that can do so ("uten"/"without" never looks back).
POST_NEGATION = frozenset({"nb", "nn", "da", "sv", "nl", "de", ""})
POST_NEGATORS = frozenset({"ikke", "ikkje", "inte", "ej", "niet", "nicht", "aldri", "aldrig", "nooit", "nie"})
#: Negators too ambiguous to use when the language is unknown ("en" is Finnish "not" but Danish/Swedish "a").
UNKNOWN_LANGUAGE_SKIPPED_NEGATORS = frozenset({"en", "et", "ei", "ette", "lite", "null", "nul", "noll", "no"})

#: Sentiment words that open a letter as a salutation when a comma follows soon ("Beste klantenservice,").
GREETINGS = frozenset({"beste", "bästa", "kære", "liebe", "lieber", "liebes"})
#: Lexicon-only label thresholds (score ≤ −NEG → negative, ≥ POS → positive); chosen on the development set
#: ``labelled/sentiment_dev.jsonl``, never on the test set ``labelled/sentiment.jsonl``.
LEXICON_THRESHOLDS = (0.25, 0.25)
#: Squashing of the summed valence into (−1, 1): score = s / sqrt(s² + ALPHA). A single clear word (±2) gives ±0.71.
ALPHA = 4.0
#: Longest text read: the first part of a long e-mail decides its tone, and triage must stay fast.
MAX_CHARS = 2_000

NEGATION_WINDOW = 3  # a negator reaches this many tokens ahead ("ikke helt fornøyd")
POST_NEGATION_WINDOW = 3  # … or back, in V2 languages ("fungerer fortsatt ikke")
BOOSTER_WINDOW = 2
POLITE_IN_QUESTION = 0.3  # "takk" in a question or in a complaint is courtesy, not praise
MILD, MILD_IN_QUESTION = 1.5, 0.5  # mild words weigh half in a question
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
CAPS_FACTOR = 1.3
STRETCH_FACTOR = 1.2
EXCLAMATION_STEP, EXCLAMATION_MAX = 0.3, 3

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+|#(?=\w)")  # drop @handles whole; keep the word of a #hashtag (#fail)
_TOKEN = re.compile(
    r"(?<![\w:])(?:>:\(|[:;=][-'^]?[)(\]\[dDpP/|*](?![\w/])|<3|xD\b)"  # emoticons
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words
    r"|\d+"
    r"|[!?]+|[.,;:]|\n"  # punctuation runs and line breaks: clause boundaries
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u2764]",  # emoji
    re.UNICODE,
)
_PUNCT = frozenset("!?.,;:\n")
#: Three letters in a row that are neither a–z nor Latin-1 lower case (ß–ÿ): a cheap "is anything shouted?" test
#: before checking each word for CAPS.
_SHOUT = re.compile(r"[^\W\d_a-zß-ÿ]{3}")
_STRETCH = re.compile(r"(\w)\1{2,}")
_SECTION = re.compile(r"^\[(\w+)\]$")
_COLUMNS = re.compile(r"\t+| {2,}")


@dataclass(frozen=True)
class Entry:
    """A sentiment word: its valence, its valence under negation (None: flip and damp), courtesy or not."""

    valence: float
    negated: float | None = None
    polite: bool = False

    def under_negation(self) -> float:
        if self.negated is not None:
            return self.negated
        # "not good" is clearly negative; "not bad" only mildly positive.
        return -0.75 * self.valence if self.valence > 0 else -0.4 * self.valence


@dataclass
class Lexicon:
    """The merged word lists one language reads. Phrases are keyed by their first word, longest first."""

    terms: dict[str, Entry] = field(default_factory=dict)
    stems: dict[str, Entry] = field(default_factory=dict)
    negators: set[str] = field(default_factory=set)
    boosters: dict[str, float] = field(default_factory=dict)
    contrast: set[str] = field(default_factory=set)
    #: Words that open a subordinate clause ("hvordan", "that", "dass"): negation does not reach across them.
    scope: set[str] = field(default_factory=set)
    #: first word → [(words, last word is a stem, kind, payload)]; kind is "term" | "negator" | "booster" | "contrast"
    phrases: dict[str, list[tuple[tuple[str, ...], bool, str, object]]] = field(default_factory=dict)
    stem_lengths: tuple[int, ...] = ()
    memo: dict[str, tuple[int, object, bool]] = field(default_factory=dict)
    #: Compound prefixes that boost the word they are glued to ("kjempe-": kjempeirritert, "jätte-": jättebesviken).
    compound: dict[str, float] = field(default_factory=dict)
    #: first word → (exact second words, second-word prefixes of two-word "x y*" phrases): a cheap test that rules
    #: out every phrase of a first word before :func:`_match_phrase` compares them one by one (built by
    #: :func:`index_phrases`; words like "ikke" or "not" start many phrases but rarely one that matches).
    phrase_next: dict[str, tuple[frozenset[str], tuple[str, ...]]] = field(default_factory=dict)
    #: raw token → (lower-case word, kind, CAPS if shouting, its role, starts a phrase, does anything): everything
    #: the scorer asks about a token in one lookup (:func:`_token_info`). Why one: between the other detectors' work
    #: the big tables are rarely in the CPU cache, and three lookups per token (memo, phrases, role) cost three misses.
    token_info: dict[str, tuple[str, str, bool, tuple[int, object, bool], bool, bool]] = field(default_factory=dict)


# -- loading ------------------------------------------------------------------------------------------------------
def _parse_file(path: Path) -> Iterable[tuple[str, str, object]]:
    """(kind, term, payload) for each line of a lexicon file (format: lexicons/sentiment/SOURCE.md)."""
    section = "terms"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if heading := _SECTION.match(line):
            section = heading.group(1)
            continue
        cols = _COLUMNS.split(line)
        term = " ".join(cols[0].lower().split())
        if section == "terms":
            negated: float | None = None
            polite = False
            for extra in cols[2:]:
                if extra.startswith("neg="):
                    negated = float(extra[4:])
                elif extra == "polite":
                    polite = True
            yield "term", term, Entry(float(cols[1]), negated, polite)
        elif section == "boosters":
            yield "booster", term, float(cols[1])
        elif section in ("negators", "contrast", "scope"):
            yield section.rstrip("s"), term, None


def _add(lex: Lexicon, kind: str, term: str, payload: object) -> None:
    """Add one entry unless an earlier file already defined the same term and kind (first file wins)."""
    words = tuple(term.split())
    if len(words) > 1:
        stem_last = words[-1].endswith("*")
        if stem_last:
            words = (*words[:-1], words[-1][:-1])
        bucket = lex.phrases.setdefault(words[0], [])
        if not any(w == words and k == kind for w, _, k, _ in bucket):
            bucket.append((words, stem_last, kind, payload))
            bucket.sort(key=lambda item: -len(item[0]))
        return
    word = words[0]
    if kind == "term":
        assert isinstance(payload, Entry)
        if word.endswith("*"):
            lex.stems.setdefault(word[:-1], payload)
        else:
            lex.terms.setdefault(word, payload)
    elif kind == "booster":
        assert isinstance(payload, float)
        if word.endswith("-"):
            lex.compound.setdefault(word[:-1], payload)
        else:
            lex.boosters.setdefault(word, payload)
    elif kind == "negator":
        lex.negators.add(word)
    elif kind == "scope":
        lex.scope.add(word)
    else:
        lex.contrast.add(word)


def build_lexicon(files: Sequence[Path], *, skip_negators: Iterable[str] = (),
                  drop_conflicts: bool = False) -> Lexicon:
    """Merge lexicon files (earlier files win). ``drop_conflicts`` removes words whose files disagree in sign —
    used when the language is unknown, where "ringe" (Danish "poor") or "rolig" cannot be trusted either way."""
    lex = Lexicon()
    signs: dict[tuple[str, str], set[int]] = {}
    for path in files:
        for kind, term, payload in _parse_file(path):
            if kind == "term":
                assert isinstance(payload, Entry)
                signs.setdefault((kind, term), set()).add((payload.valence > 0) - (payload.valence < 0))
            _add(lex, kind, term, payload)
    if drop_conflicts:
        for (_, term), found in signs.items():
            if 1 in found and -1 in found:
                lex.terms.pop(term, None)
                lex.stems.pop(term.rstrip("*"), None)
                words = tuple(term.rstrip("*").split())
                if len(words) > 1 and words[0] in lex.phrases:
                    lex.phrases[words[0]] = [p for p in lex.phrases[words[0]] if p[0] != words]
    lex.negators -= set(skip_negators)
    lex.stem_lengths = tuple(sorted({len(s) for s in lex.stems}, reverse=True))
    return lex


@functools.cache
def lexicon_for(language: str) -> Lexicon:
    """The merged lexicon for ``language`` ("" or an unsupported code: all languages, ambiguous words removed)."""
    if language in CHAINS:
        names: tuple[str, ...] = CHAINS[language]
        lex = build_lexicon([SENTIMENT_LEXICON_DIR / f"{n}.txt" for n in (*names, "universal")])
    else:
        names = ("en", "nb", "sv", "da", "de", "nl", "fi", "nn")
        lex = build_lexicon([SENTIMENT_LEXICON_DIR / f"{n}.txt" for n in (*names, "universal")],
                            skip_negators=UNKNOWN_LANGUAGE_SKIPPED_NEGATORS, drop_conflicts=True)
    _add_complaint_cues(lex, (language, *INTENT_ALSO.get(language, ())) if language in CHAINS else names)
    index_phrases(lex)
    return lex


def index_phrases(lex: Lexicon) -> None:
    """Fill ``lex.phrase_next`` from ``lex.phrases`` (call again after changing the phrases)."""
    lex.phrase_next = {}
    lex.token_info.clear()  # it remembers which words start a phrase
    for first, bucket in lex.phrases.items():
        exact = frozenset(words[1] for words, stem_last, _, _ in bucket if not (stem_last and len(words) == 2))
        prefixes = tuple(words[1] for words, stem_last, _, _ in bucket if stem_last and len(words) == 2)
        lex.phrase_next[first] = (exact, prefixes)


#: Intent cue files a language reads besides its own (as in intent.py: nynorsk writers mix in bokmål).
INTENT_ALSO = {"nn": ("nb",)}
#: Valence given to a complaint phrase of the intent cue lists that the sentiment lexicon does not know.
COMPLAINT_CUE_VALENCE = -1.5
_CUE_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*\*?$")


def _add_complaint_cues(lex: Lexicon, languages: Sequence[str]) -> None:
    """Read the intent detector's complaint phrases (``lexicons/intent/<lang>.txt``, section ``[complaint]``) as
    mildly negative terms, unless the sentiment lexicon already defines them.

    Why: real complaints often name a situation, not a feeling ("still being charged", "no reply after 3 days",
    "virker fortsatt ikke"). Both detectors should agree that such a message is negative; one list of situations,
    kept with the intent cues, avoids two lists drifting apart. Words the sentiment lexicon lists (with their own
    valence, negation or courtesy) win. Phrases with punctuation or emoji are skipped (the tokenisers differ)."""
    seen: set[str] = set()
    for name in languages:
        path = LEXICONS_DIR / "intent" / f"{name}.txt"
        if not path.exists():
            continue
        section = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip().lower()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if section != "complaint" or line in seen:
                continue
            seen.add(line)
            words = line.split()
            if not all(_CUE_WORD.match(w) for w in words) or any(w.endswith("*") for w in words[:-1]):
                continue
            first = words[0].rstrip("*")
            if any(w.rstrip("*") in lex.negators for w in words) or first in lex.boosters or first in lex.contrast:
                continue  # "not working", "virker ikke": the lexicon's negation rules already read these
            if len(words) == 1:
                known = first in lex.terms or (words[0].endswith("*") and first in lex.stems)
            else:
                known = any(w == tuple(x.rstrip("*") for x in words) for w, *_ in lex.phrases.get(first, ()))
            if not known:
                _add(lex, "term", line, Entry(COMPLAINT_CUE_VALENCE))


# -- the lexicon scorer -----------------------------------------------------------------------------------------
@dataclass(slots=True)  # slots: a few are made per message, and attribute reads in the rule loops get cheaper
class _Hit:
    start: int
    end: int  # exclusive
    clause: int
    entry: Entry
    emphasis: float = 1.0
    negated: bool = False
    boost: float = 1.0
    negatable: bool = True  # emoji are not: "kom aldri 😡" is not a positive face


def _raw_tokens(text: str) -> tuple[list[str], int]:
    """The tokens as written (URLs, @handles and the # of hashtags dropped), and 1 if anything is shouted."""
    text = text[:MAX_CHARS]
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text or "#" in text:
        text = _MENTION.sub("", text)
    return _TOKEN.findall(text), int(_SHOUT.search(text) is not None)


#: raw token → :func:`_token_kind`. Why: the same few thousand tokens recur in real traffic, and a lookup is cheaper
#: than lower-casing and classifying each one again (bounded: cleared when full, so memory stays flat).
_TOKEN_MEMO: dict[str, tuple[tuple[str, str, bool], tuple[str, str, bool]]] = {}
TOKEN_MEMO_LIMIT = 65_536


def _token_kind(tok: str) -> tuple[tuple[str, str, bool], tuple[str, str, bool]]:
    """(lower-case token, kind, written in CAPS) of a raw token in a message without and with shouting. Kinds: "w"
    word, "e" emoji or emoticon, "p" punctuation run or line break (a clause boundary), "n" number."""
    first = tok[0]
    if first.isalpha():
        if tok == "xD":
            quiet = loud = ("xd", "e", False)
        else:
            low = tok.lower()
            quiet = (low, "w", False)
            loud = (low, "w", len(tok) >= 3 and tok.isupper())
    elif first in _PUNCT and (len(tok) == 1 or first in "!?"):
        quiet = loud = (tok, "p", False)
    elif first.isdigit():
        quiet = loud = (tok, "n", False)
    else:
        quiet = loud = (tok.lower(), "e", False)
    if len(_TOKEN_MEMO) >= TOKEN_MEMO_LIMIT:
        _TOKEN_MEMO.clear()
    _TOKEN_MEMO[tok] = (quiet, loud)
    return quiet, loud


# What a word does, worked out once per word and lexicon (the memo keeps triage fast on real traffic, where the
# same few thousand words recur): (role, payload, stretched).
_NONE, _SCOPE, _NEGATOR, _CONTRAST, _BOOSTER, _TERM = range(6)
_Role = tuple[int, object, bool]
MEMO_LIMIT = 200_000
LONGEST_WORD = 40  # longer "words" (hashes, keyboard mashing) carry no sentiment; skip the stem search


def _classify(lex: Lexicon, word: str) -> _Role:
    role = lex.memo.get(word)
    if role is not None:
        return role
    if len(lex.memo) >= MEMO_LIMIT:
        lex.memo.clear()
    if len(word) > LONGEST_WORD:
        role = (_NONE, None, False)
    elif word in lex.scope and word not in lex.terms:
        role = (_SCOPE, None, False)
    elif word in lex.negators:
        role = (_NEGATOR, None, False)
    elif word in lex.contrast:
        role = (_CONTRAST, None, False)
    elif word in lex.boosters:
        role = (_BOOSTER, (lex.boosters[word], _lookup(lex, word)), False)
    else:
        entry = _lookup(lex, word)
        stretched = _STRETCH.search(word) is not None
        if entry is None and stretched:
            for variant in _unstretch(word):
                entry = _lookup(lex, variant)
                if entry is not None:
                    break
        role = (_TERM, entry, stretched) if entry is not None else (_NONE, None, False)
    lex.memo[word] = role
    return role


_NO_ROLE: _Role = (_NONE, None, False)


def _token_info(lex: Lexicon, tok: str) -> tuple[str, str, bool, _Role, bool, bool]:
    """What :func:`lexicon_valence` needs to know about a raw token, worked out once per lexicon (memo bounded):
    (lower-case word, kind, CAPS if shouting, role, starts a phrase, does anything: a clause boundary, a role or a
    phrase start)."""
    quiet, loud = _TOKEN_MEMO.get(tok) or _token_kind(tok)
    word, kind, _ = quiet
    role = _classify(lex, word) if kind in ("w", "e") else _NO_ROLE
    starts = word in lex.phrases
    acts = kind == "p" or (kind != "n" and (starts or role[0] != _NONE))
    info = (word, kind, loud[2], role, starts, acts)
    if len(lex.token_info) >= TOKEN_MEMO_LIMIT:
        lex.token_info.clear()
    lex.token_info[tok] = info
    return info


def _lookup(lex: Lexicon, word: str) -> Entry | None:
    """The entry of a word: exact form, then a boosting compound prefix + a known word, then the longest stem."""
    entry = lex.terms.get(word)
    if entry is not None:
        return entry
    n = len(word)
    for prefix, factor in lex.compound.items():
        if n > len(prefix) + 2 and word.startswith(prefix):
            inner = _lookup_plain(lex, word[len(prefix):])
            if inner is not None and inner.valence:
                return Entry(inner.valence * factor, None, False)
    return _lookup_plain(lex, word)


def _lookup_plain(lex: Lexicon, word: str) -> Entry | None:
    entry = lex.terms.get(word)
    if entry is not None:
        return entry
    n = len(word)
    for size in lex.stem_lengths:
        if size <= n:
            entry = lex.stems.get(word[:size])
            if entry is not None:
                return entry
    return None


def _unstretch(word: str) -> list[str]:
    """Spellings to try for a stretched word: "elendiiiig" → "elendig", "elendiig"; "takkkk" → "tak", "takk"."""
    return [_STRETCH.sub(r"\1", word), _STRETCH.sub(r"\1\1", word)]


def _match_phrase(lex: Lexicon, words: list[str], i: int) -> tuple[int, str, object] | None:
    """The longest phrase starting at token i: (length, kind, payload)."""
    nexts = lex.phrase_next.get(words[i])
    if nexts is not None:  # every phrase has two words or more: the second one must fit
        if i + 1 >= len(words):
            return None
        second = words[i + 1]
        if second not in nexts[0] and not (nexts[1] and second.startswith(nexts[1])):
            return None
    for phrase, stem_last, kind, payload in lex.phrases.get(words[i], ()):
        n = len(phrase)
        if i + n > len(words):
            continue
        if all(words[i + k] == phrase[k] for k in range(1, n - 1)) and (
                words[i + n - 1].startswith(phrase[-1]) if stem_last else words[i + n - 1] == phrase[-1]):
            return n, kind, payload
    return None


def lexicon_valence(text: str, language: str = "") -> float:
    """The summed, rule-adjusted valence of ``text`` (unbounded; 0 when nothing sentiment-bearing was found)."""
    lex = lexicon_for(language if language in CHAINS else "")
    raw, shouting = _raw_tokens(text)
    if not raw:
        return 0.0
    get = lex.token_info.get
    toks = [get(tok) or _token_info(lex, tok) for tok in raw]
    words = [t[0] for t in toks]
    hits: list[_Hit] = []
    negators: list[tuple[int, int]] = []  # (position, clause)
    boosters: list[tuple[int, float, Entry | None]] = []  # (position, factor, the word's own entry if it has one)
    contrast_at = -1  # token position of the last contrast word
    clause = 0
    exclamations = 0
    question = emphatic = False
    # Only tokens that do something are visited (punctuation, words with a role, phrase starts; most words have
    # none); ``after`` is the first position not yet consumed, since a phrase consumes all of its tokens.
    after = 0
    for i in [k for k, t in enumerate(toks) if t[5]]:
        if i < after:
            continue
        after = i + 1
        word, kind, capsable, role_of_word, starts_phrase, _ = toks[i]
        if kind == "p":
            clause += 1
            exclamations += word.count("!")
            if "?" in word:
                question = True
                emphatic = emphatic or len(word) > 1  # "??", "?!": an exasperated question, not a plain one
                exclamations += len(word) > 1
            continue
        caps = shouting and capsable
        phrase = _match_phrase(lex, words, i) if starts_phrase else None
        if phrase is not None:
            size, phrase_kind, payload = phrase
            if phrase_kind == "term":
                assert isinstance(payload, Entry)
                hits.append(_Hit(i, i + size, clause, payload, CAPS_FACTOR if caps else 1.0))
                if words[i + size - 1] in lex.negators:  # "immer noch nicht (angekommen)": still a negator
                    negators.append((i + size - 1, clause))
            elif phrase_kind == "negator":
                negators.append((i + size - 1, clause))
            elif phrase_kind == "booster":
                assert isinstance(payload, float)
                boosters.append((i + size - 1, payload, None))
            else:
                clause += 1
                contrast_at = i
            after = i + size
            continue
        role, payload, stretched = role_of_word
        if role == _TERM:
            if not (i == 0 and word in GREETINGS and "," in words[1:4]):  # "Beste klantenservice," greets
                assert isinstance(payload, Entry)
                emphasis = (CAPS_FACTOR if caps else 1.0) * (STRETCH_FACTOR if stretched else 1.0)
                hits.append(_Hit(i, i + 1, clause, payload, emphasis, negatable=kind == "w"))
        elif role == _NEGATOR:
            negators.append((i, clause))
        elif role == _SCOPE:
            clause += 1
        elif role == _CONTRAST:
            clause += 1
            contrast_at = i
        elif role == _BOOSTER:
            assert isinstance(payload, tuple)
            boosters.append((i, float(payload[0]), payload[1]))

    # Boosters scale the next sentiment word; a booster that is also a sentiment word ("super", "jævlig", "damn")
    # counts as that word when nothing follows it.
    for pos, factor, own in boosters:
        target = next((h for h in hits if pos < h.start <= pos + BOOSTER_WINDOW), None)
        if target is not None:
            target.boost *= factor
        elif own is not None:
            hits.append(_Hit(pos, pos + 1, _clause_of(hits, pos, clause), own))
    if boosters:
        hits.sort(key=lambda h: h.start)
    # Each negator turns the nearest following word in its clause, else (V2 languages) the word just before it.
    post = language in POST_NEGATION or language not in CHAINS
    for pos, neg_clause in negators:
        looks_back = post and words[pos] in POST_NEGATORS
        target = next((h for h in hits if not h.negated and h.negatable and h.clause == neg_clause
                       and pos < h.start <= pos + NEGATION_WINDOW), None)
        if target is None and looks_back:
            target = next((h for h in reversed(hits) if not h.negated and h.negatable and h.clause == neg_clause
                           and pos - POST_NEGATION_WINDOW <= h.start and h.end <= pos), None)
        if target is not None:
            target.negated = True

    contrasted = hits and hits[0].start < contrast_at < hits[-1].start
    total = polite = 0.0
    request = any(h.entry.polite and not h.entry.valence for h in hits)  # "please", "vennligst", "bitte"
    for h in hits:
        value = (h.entry.under_negation() if h.negated else h.entry.valence) * h.boost * h.emphasis
        if contrasted:
            value *= CONTRAST_BEFORE if h.start < contrast_at else CONTRAST_AFTER
        if question and not emphatic and not h.negated and not h.entry.polite and abs(h.entry.valence) <= MILD:
            value *= MILD_IN_QUESTION  # "Hvordan sier jeg opp?" asks; it does not complain
        if h.entry.polite and not h.negated:
            polite += value
        else:
            total += value
    if total and exclamations:  # "!!!" intensifies what is felt, not the "Hei!" or the "Takk!"
        total += math.copysign(EXCLAMATION_STEP * min(exclamations, EXCLAMATION_MAX), total)
    if polite:
        # Courtesy counts fully only in a message that neither asks, requests ("please") nor complains.
        total += polite * (POLITE_IN_QUESTION if question or request or total <= -1.0 else 1.0)
    return total


def _clause_of(hits: list[_Hit], pos: int, default: int) -> int:
    before = [h.clause for h in hits if h.start < pos]
    return before[-1] if before else default


def squash(valence: float) -> float:
    """Map an unbounded valence to (−1, 1), VADER-style."""
    return valence / math.sqrt(valence * valence + ALPHA) if valence else 0.0


def lexicon_score(text: str, language: str = "") -> float:
    """The lexicon scorer alone: a score in (−1, 1)."""
    return squash(lexicon_valence(text, language))


# -- models and the combination ---------------------------------------------------------------------------------
@functools.cache
def model_for(language: str) -> LinearModel | None:
    """The trained model for ``language`` (nynorsk uses the Norwegian one), or None where there is none."""
    name = MODEL_LANGUAGES.get(language)
    if name is None:
        return None
    path = MODELS_DIR / f"sentiment_{name}.npz"
    return LinearModel.load(path) if path.exists() else None


_HAS_CONTENT = re.compile(r"[^\W\d_]|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u2764]|[:;=<]")
_EMPHATIC_QUESTION = re.compile(r"\?[?!]|!\?")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
_PLAIN_WORD = re.compile(r"[^\W\d_]{5,}")


def model_text(text: str, prefix_chars: int) -> str:
    """The text a model reads: the message plus the first ``prefix_chars`` letters of each longer word.

    Why: Finnish and the Scandinavian languages inflect and compound ("huonoa", "huonosti"; "skuffende"); a word
    prefix is a crude stemmer that gives most of what character n-grams give (NoReC dev 0.569 vs 0.567, fi_xed
    0.769 vs 0.771 in the training experiments) at a third of the cost."""
    if not prefix_chars:
        return text
    stems = [w[:prefix_chars] for w in _PLAIN_WORD.findall(text)]
    return text + " " + " ".join(stems) if stems else text


def model_proba(model: LinearModel, text: str) -> dict[str, float]:
    """A model's probabilities for ``text``, read through the same :func:`model_text` it was trained on."""
    prefix = model.meta.get("prefix_chars", 0)
    return model.proba_dict(model_text(text, prefix if isinstance(prefix, int) else 0))


def stacker_features(text: str, language: str, probs: dict[str, float]) -> list[float]:
    """What the stacker reads: the model's log-odds of negative and positive (against neutral, or against each
    other for a two-class model), the lexicon score split by sign, and whether the message asks a question."""
    neg = math.log(max(probs.get("negative", 0.0), 1e-6))
    pos = math.log(max(probs.get("positive", 0.0), 1e-6))
    ref = math.log(max(probs["neutral"], 1e-6)) if "neutral" in probs else (neg + pos) / 2
    lex = lexicon_score(text, language)
    return [neg - ref, pos - ref, max(lex, 0.0), max(-lex, 0.0), 1.0 if is_plain_question(text) else 0.0]


def is_plain_question(text: str) -> bool:
    """Asks something without exasperation: a "?" but no "??", "?!" or "!?" ("Hvorfor svarer dere aldri??")."""
    return "?" in text and _EMPHATIC_QUESTION.search(text) is None


@dataclass(frozen=True)
class Stacker:
    """The learned combination (fitted by ``training/sentiment.py``, stored in the model's meta)."""

    labels: tuple[str, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]

    def proba(self, feats: Sequence[float]) -> dict[str, float]:
        z = [b + sum(w * f for w, f in zip(row, feats, strict=True))
             for row, b in zip(self.coef, self.intercept, strict=True)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return {label: v / total for label, v in zip(self.labels, e, strict=True)}


@functools.cache
def stacker_for(language: str) -> Stacker | None:
    model = model_for(language)
    raw = model.meta.get("stacker") if model is not None else None
    if not isinstance(raw, dict):
        return None
    return Stacker(tuple(raw["labels"]), tuple(tuple(r) for r in raw["coef"]), tuple(raw["intercept"]))


def _label(score: float, thresholds: tuple[float, float]) -> str:
    neg, pos = thresholds
    if score <= -neg:
        return "negative"
    if score >= pos:
        return "positive"
    return "neutral"


def sentiment(text: str, language: str = "") -> tuple[float, str]:
    """Score in [-1, 1] and a label ("negative" | "neutral" | "positive") for one (redacted) message."""
    head = text[:MAX_CHARS]
    if "[" in head:
        head = _PLACEHOLDER.sub(" ", head)  # "[EMAIL]", "[PHONE]" from redaction say nothing about mood
    if not _HAS_CONTENT.search(head):
        return 0.0, "neutral"  # empty, numbers or punctuation only: nothing to judge
    model = model_for(language)
    stacker = stacker_for(language)
    if model is None or stacker is None:
        lex = lexicon_score(head, language)
        return lex, _label(lex, LEXICON_THRESHOLDS)
    probs = stacker.proba(stacker_features(head, language, model_proba(model, head)))
    score = max(-1.0, min(1.0, probs["positive"] - probs["negative"]))
    return score, max(LABELS, key=probs.__getitem__)
