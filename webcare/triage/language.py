"""Language identification: ISO 639-1, with Norwegian told apart as bokmål (``nb``) and nynorsk (``nn``).

lingua (lingua-language-detector) is built for short text and is the judge whenever a message is short or
ambiguous, but on this kind of machine it costs 150–500 µs per message for eight languages (its cost grows with the
number of languages and the text length), over the 200 µs budget. And its bokmål and nynorsk models were trained on
web text in which the two are mixed, so nb/nn (and nb/da) are its weak spot. Hence three steps:

1. **Word screen.** A word-level naive-Bayes model over the eight default languages (a
   :class:`~webcare.triage.linear.LinearModel` whose weights are per-word log-likelihoods, trained by
   :mod:`webcare.triage.training.language`) scores the cleaned text in a few microseconds. When one language leads
   the next by :data:`SCREEN_MARGIN` (a likelihood ratio of ~3,000), that is the answer: a message with "ikkje",
   "kva" and "berre" needs no second opinion. This settles about 80 % of sentences.
2. **lingua on the candidates.** Otherwise lingua decides among the languages within :data:`CANDIDATE_RANGE` of the
   leader (at most :data:`MAX_CANDIDATES`; all allowed languages when the words say little, e.g. an unknown single
   word), with one cached detector per candidate set (lingua shares its models between detectors).
3. **nb/nn/da/sv.** When lingua's answer is one of these and another is a candidate, the answer is the best
   ``LINGUA_WEIGHT · log P_lingua(l) + Σ_words log P(word | l)``: lingua's character n-grams and the model's whole
   words are complementary ("hva" is bokmål, "hvad" Danish), and the sum beats either alone in cross-validation.

The organisation's ``languages`` restrict every step: only those are ever answered. A language the word model does not
know (lingua knows 75) switches the screen off for that call: lingua then decides among all allowed languages (step 3
still applies).

Text is cleaned first (URLs, e-mail addresses, @mentions, #hashtags, ``[PLACEHOLDER]`` s and digits say nothing about
the language but fool n-gram models) and cut to :data:`MAX_CHARS`, so a 100,000-character e-mail costs the same as a
long tweet. Text with no letters left (emoji, numbers, a bare link), or written mostly in a script none of the allowed
languages uses, gets ``""``: no language is better than a guess.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from webcare.triage.linear import LinearModel
from webcare.triage.paths import MODELS_DIR

if TYPE_CHECKING:
    from lingua import LanguageDetector

DEFAULT_LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv", "fi", "nl", "de", "en")
#: The closely related languages whose final decision combines lingua with the word model.
SCANDINAVIAN: tuple[str, ...] = ("nb", "nn", "da", "sv")
#: Characters of cleaned text that are looked at, cut at a word boundary. A few hundred letters are as conclusive as
#: a page, and every step's cost grows with length.
MAX_CHARS = 400
MODEL_PATH = MODELS_DIR / "language.npz"
#: Defaults for the decision constants; the trained model's meta may override them (chosen by cross-validation).
SCREEN_MARGIN = 8.0  # nats between the word model's first and second language to answer without lingua
CANDIDATE_RANGE = 6.0  # languages within this many nats of the leader go to lingua …
MAX_CANDIDATES = 3  # … unless there are more than this many: then the words say little, and all allowed languages go
LINGUA_WEIGHT = 2.0  # weight of lingua's log-confidence against the words' log-likelihoods among nb/nn/da/sv
_CONF_FLOOR = 1e-4  # lingua gives exactly 0 to languages its script rules exclude; keep the log finite

_NOISE = re.compile(
    r"https?://\S+|www\.\S+"  # links
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|[@#][\w.]+"  # @mentions and #hashtags (brand names, English tags)
    r"|\[[A-Z_]+\]",  # redaction placeholders such as [EMAIL]
    re.IGNORECASE,
)
_NOISE_HINT = re.compile(r"[@#\[/]|www\.", re.IGNORECASE)
_DIGITS_AND_SPACE = re.compile(r"[\d\s]+")
#: Letters outside the Latin script, and Latin letters (basic, Latin-1, Extended-A/B, Extended Additional).
_NON_LATIN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
#: Languages lingua knows that are not written in the Latin script.
NON_LATIN_LANGUAGES = frozenset("ar be bg bn el fa gu he hi hy ja ka kk ko mk mn mr pa ru sr ta te th uk ur zh".split())
#: Words as :func:`webcare.triage.linear.tokens` finds them (letters, with an inner apostrophe).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def clean_text(text: str) -> str:
    """The part of ``text`` that carries language: no links, addresses, handles, tags, placeholders or digits.

    The input is cut before any regular expression runs, so the cost is bounded whatever the length; the costly
    pattern only runs when a character it needs is present.
    """
    text = text[: MAX_CHARS * 4]
    if _NOISE_HINT.search(text):
        text = _NOISE.sub(" ", text)
    text = _DIGITS_AND_SPACE.sub(" ", text).strip()
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return text


def words(cleaned: str) -> set[str]:
    """The distinct lower-cased words of cleaned text, as word-model features ("w" + word)."""
    return {"w" + w for w in _WORD.findall(cleaned.lower())}


def normalise_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """Lower-case ISO 639-1 codes lingua knows, de-duplicated in the caller's order; "no" means both nb and nn."""
    if isinstance(languages, tuple):
        return _normalise_tuple(languages)  # every message of an organisation passes the same tuple
    return _normalise(languages)


@functools.lru_cache(maxsize=256)
def _normalise_tuple(languages: tuple[str, ...]) -> tuple[str, ...]:
    return _normalise(languages)


def _normalise(languages: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in languages:
        code = code.strip().lower()
        for c in ("nb", "nn") if code == "no" else (code,):
            if c not in out and _lingua_knows(c):
                out.append(c)
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _lingua_knows(code: str) -> bool:
    from lingua import IsoCode639_1

    try:
        IsoCode639_1.from_str(code)
    except ValueError:
        return False  # a language lingua has no model for cannot be detected, so it is never answered
    return True


@functools.lru_cache(maxsize=512)
def _lingua(languages: tuple[str, ...]) -> LanguageDetector:
    """One lingua detector per language set. Building one is cheap: the n-gram models are loaded lazily, once per
    process, and shared between detectors."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in languages]
    return LanguageDetectorBuilder.from_languages(*langs).build()


@functools.cache
def word_model() -> LinearModel | None:
    """The shipped word model, or None when it has not been trained (lingua alone then decides)."""
    return LinearModel.load(MODEL_PATH) if MODEL_PATH.exists() else None


def lingua_confidences(cleaned: str, languages: tuple[str, ...]) -> dict[str, float]:
    """lingua's confidence per language for cleaned text (all zero when it has no idea)."""
    return {cv.language.iso_code_639_1.name.lower(): cv.value
            for cv in _lingua(languages).compute_language_confidence_values(cleaned)}


def word_scores(model: LinearModel, cleaned: str) -> dict[str, float]:
    """Summed per-language log-likelihoods of the distinct known words of cleaned text (0 everywhere if none).

    Unlike :meth:`LinearModel.decision` this does not divide by the square root of the number of features: a
    naive-Bayes score has to grow with the evidence to be comparable with a margin and with lingua's log-confidence.
    """
    found = map(model.vocab.get, words(cleaned))  # one lookup per word (the vocabulary is big, rarely in cache)
    rows = [row for row in found if row is not None]
    scores = model.weights[rows].sum(axis=0, dtype=np.float64) + model.bias if rows else model.bias
    return {label: float(s) for label, s in zip(model.labels, scores, strict=True)}


def _param(model: LinearModel, name: str, default: float) -> float:
    value = model.meta.get(name, default)
    return float(value) if isinstance(value, int | float) else default


def detect(cleaned: str, allowed: tuple[str, ...], model: LinearModel | None) -> str:
    """The decision for cleaned text with at least one letter, among ``allowed`` (normalised, non-empty)."""
    if len(allowed) == 1:
        return allowed[0] if lingua_confidences(cleaned, allowed).get(allowed[0], 0.0) > 0 else ""
    candidates = allowed
    scores: dict[str, float] = {}
    if model is not None and all(lang in model.labels for lang in allowed):
        every = word_scores(model, cleaned)
        scores = {lang: every[lang] for lang in allowed}
        ranked = sorted(allowed, key=scores.__getitem__, reverse=True)
        best = scores[ranked[0]]
        if best - scores[ranked[1]] >= _param(model, "screen_margin", SCREEN_MARGIN):
            return ranked[0]
        near = tuple(lang for lang in allowed if scores[lang] >= best - _param(model, "candidate_range",
                                                                                 CANDIDATE_RANGE))
        if len(near) == 1:
            return near[0]
        if len(near) <= _param(model, "max_candidates", MAX_CANDIDATES):
            candidates = near
    confidences = lingua_confidences(cleaned, candidates)
    top = max(confidences, key=confidences.__getitem__) if confidences else ""
    if not top or confidences[top] <= 0.0:
        return ""
    nordic = [lang for lang in candidates if lang in SCANDINAVIAN]
    if model is None or top not in SCANDINAVIAN or len(nordic) < 2 or not all(n in model.labels for n in nordic):
        return top
    if not scores:
        scores = word_scores(model, cleaned)
    total = sum(confidences.get(n, 0.0) for n in nordic) or 1.0
    weight = _param(model, "lingua_weight", LINGUA_WEIGHT)
    combined = {n: weight * math.log(max(confidences.get(n, 0.0) / total, _CONF_FLOOR)) + scores[n] for n in nordic}
    return max(combined, key=combined.__getitem__)


def _foreign_script(cleaned: str, allowed: tuple[str, ...]) -> bool:
    """Whether most letters are in a script none of the allowed languages uses (Japanese for a Nordic brand):
    lingua would otherwise name whichever allowed language a stray Latin brand name resembles."""
    if not _NON_LATIN_LETTER.search(cleaned) or any(lang in NON_LATIN_LANGUAGES for lang in allowed):
        return False
    return len(_NON_LATIN_LETTER.findall(cleaned)) > len(_LATIN_LETTER.findall(cleaned))


def detect_language(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES, *,
                    model: LinearModel | bool | None = True) -> str:
    """The ISO 639-1 code of ``text`` among ``languages`` ("nb"/"nn" for Norwegian), or "" if there is no telling.

    Only languages in ``languages`` are ever answered (an organisation restricts detection to the languages it
    serves; "no" stands for both nb and nn; codes lingua does not know are ignored). ``model`` is for evaluation:
    ``True`` uses the shipped word model, ``False``/``None`` lingua alone, a :class:`LinearModel` that one.
    """
    allowed = normalise_languages(languages)
    cleaned = clean_text(text)
    if not allowed or not any(ch.isalpha() for ch in cleaned) or _foreign_script(cleaned, allowed):
        return ""
    chosen: LinearModel | None = None
    if model is True:
        chosen = word_model()
    elif isinstance(model, LinearModel):
        chosen = model
    return detect(cleaned, allowed, chosen)
