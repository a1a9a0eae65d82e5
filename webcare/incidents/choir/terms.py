"""What a message is about: its codes, its names and its content words — the candidates for *salient* terms.

A term is salient when it is rare against the brand's background ("E503" or "Oslo" in a day of "premium" and
"playlist"); that judgement needs the background, so it is the detector's (:mod:`webcare.incidents.choir.baseline`).
This module gives each message's candidates, most telling first, with no state:

- **codes** — error codes, flight numbers, versions (see :mod:`webcare.incidents.choir.normalise`);
- **names** — capitalised words inside a sentence ("Oslo", "Bergen", "iPhone", "Chromecast"): places and products.
  They are not stemmed ("Oslo" must not become "osl");
- **content words** — the rest minus stop words, stemmed with the Snowball stemmer of the message's language
  (tantivy's, the same family the search index uses) so "innlogging"/"innloggingen" or "downloads"/"downloaded" meet.

Every term is folded (lower case, no diacritics), so the same word typed with or without "ø" or "ä" is one term.
Stop words are Snowball's lists plus the fillers of social-media support messages ("hi", "pls", "thanks", "hei",
"takk", …) in nb, nn, da, sv, fi, nl, de and en.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tantivy

from webcare.incidents.choir.normalise import WORD, blank_spans, codes, fold, strip_noise

#: Snowball language names for tantivy's stemmer and stop-word filters.
SNOWBALL = {"nb": "norwegian", "nn": "norwegian", "no": "norwegian", "da": "danish", "sv": "swedish",
            "fi": "finnish", "nl": "dutch", "de": "german", "en": "english"}

#: Fillers of support messages that Snowball's lists (written for prose) keep. Folded forms.
_FILLERS = {
    "en": "hi hey hello thanks thank thx ty pls plz please lol omg im ive id dont doesnt didnt cant cannot wont isnt "
          "arent wasnt havent hasnt ill youre thats theres whats hes shes its u ur r yes yeah yep no nope ok okay "
          "just get got gets getting still also really even anyone anybody someone else would could should "
          "can one two know like going go want need now today guys help via "
          # Snowball's English list (tantivy ships Lucene's short one)
          "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
          "herself it its itself they them their theirs themselves what which who whom this that these those am is "
          "are was were be been being have has had having do does did doing a an the and but if or because as until "
          "while of at by for with about against between into through during before after above below to from up "
          "in on over under again further then once here there when where why how all any both each "
          "few more most other some such nor not only own same so than too very s t will don should now",
    "nb": "hei hallo takk tusen pa fa far fikk faar kan kunne ma matte vil ville skal gjore gjor gjort bare ogsa "
          "na noen nok enda enna sa ja nei ok okei hjelp dere deres hva hvordan hvorfor fortsatt igjen",
    "nn": "hei hallo takk pa fa far fekk kan kunne ma matte vil ville skal gjere gjer gjort berre ogsa no nokon "
          "nok enno sa ja nei ok hjelp dykk kva korleis kvifor framleis igjen ikkje eg ho dei ein eit noko mykje "
          "fra vere vore",
    "da": "hej hallo tak fa far fik kan kunne ma matte vil ville skal gore gor gjort bare ogsa nu nogen endnu sa "
          "ja nej ok okay hjaelp jer jeres hvad hvordan hvorfor stadig igen",
    "sv": "hej hallo tack fa far fick kan kunde maste vill ville ska gora gor gjort bara ocksa nu nagon nagra "
          "annu sa ja nej ok okej hjalp ni er vad hur varfor fortfarande igen",
    "fi": "hei moi kiitos kiitti voi voin voisi pitaa pitaisi saa saan sain ei en et emme nyt viela myos kylla "
          "joo ok okei apua te teidan mita miten miksi taas edelleen",
    "nl": "hoi hallo hey bedankt dank alvast aub svp kan kon moet moest wil wilde zal doen doet gedaan alleen ook "
          "nu iemand nog ja nee ok oke hulp jullie wat hoe waarom weer steeds gewoon even",
    "de": "hallo hi danke bitte kann konnte muss musste will wollte soll machen macht gemacht nur auch jetzt jemand "
          "noch ja nein ok okay hilfe ihr euer was wie warum wieder immer mal",
}
FILLERS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _FILLERS.items()}
#: Without a known language, only the words every list agrees are noise in English (the commonest fallback).
ALL_FILLERS = frozenset().union(*FILLERS.values())

#: Sentence boundary before a token: the next capitalised word may just start a sentence.
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$|^\s*$")
MIN_LETTERS = 2
MAX_LETTERS = 30
MAX_TERMS = 24


@dataclass(frozen=True)
class Analysis:
    """One message, analysed: its terms (codes, names, words; most telling first, each once), the kind of each,
    its content tokens in order (for word shingles) and a readable surface form of each term (for titles)."""

    terms: tuple[str, ...]
    kinds: tuple[str, ...]  # "code", "name" or "word", one per term
    tokens: tuple[str, ...]  # codes, names and words in text order, repeated as written
    surfaces: tuple[str, ...]  # one per term: how it was written (lower case unless a code or a name)


@functools.lru_cache(maxsize=16)
def _analyzer(snowball: str) -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword(snowball)).filter(tantivy.Filter.stemmer(snowball)).build())


@functools.lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The folded stem of one lower-case word in ``language``; "" when it is a stop word or a filler."""
    snowball = SNOWBALL.get(language)
    fillers = FILLERS.get(language, ALL_FILLERS)
    folded = fold(word)
    if folded in fillers or (snowball is None and folded in ALL_FILLERS):
        return ""
    if snowball is None:
        return folded
    out = _analyzer(snowball).analyze(word)
    if not out:
        return ""
    if language == "nn" and fold(out[0]) in FILLERS["nn"]:
        return ""
    return fold(out[0])


def _is_name(word: str, text_before: str) -> bool:
    """A capitalised word inside a sentence ("in Oslo"), or one written in mixed case ("iPhone", "PlayStation")."""
    if len(word) < 3:
        return False
    mixed = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
    if mixed:
        return True
    if not (word[0].isupper() and word[1:].islower()):
        return False
    return not _SENTENCE_END.search(text_before)


def analyse(text: str, language: str) -> Analysis:
    """Codes, names and content words of one message (see the module docstring)."""
    language = (language or "").lower()
    clean = strip_noise(text)
    found = codes(clean)
    words_text = blank_spans(clean, [span for _, span in found])
    tokens: list[tuple[int, str, str, str]] = [(span[0], code, "code", code) for code, span in found]
    for m in WORD.finditer(words_text):
        word = m.group(0)
        if not MIN_LETTERS <= len(word) <= MAX_LETTERS:
            continue
        lower = word.lower()
        if _is_name(word, words_text[max(0, m.start() - 3):m.start()]) and fold(lower) not in ALL_FILLERS:
            key = fold(lower)
            if stem(lower, language):
                tokens.append((m.start(), key, "name", word))
            continue
        key = stem(lower, language)
        if key and len(key) >= MIN_LETTERS:
            tokens.append((m.start(), key, "word", lower))
    tokens.sort(key=lambda t: t[0])
    order = {"code": 0, "name": 1, "word": 2}
    first: dict[str, tuple[int, int, str, str]] = {}
    for position, (_, key, kind, surface) in enumerate(tokens):
        if key not in first or order[kind] < first[key][0]:
            first[key] = (order[kind], first[key][1] if key in first else position, kind, surface)
    ranked = sorted(first.items(), key=lambda item: (item[1][0], item[1][1]))[:MAX_TERMS]
    return Analysis(
        terms=tuple(key for key, _ in ranked),
        kinds=tuple(info[2] for _, info in ranked),
        tokens=tuple(key for _, key, _, _ in tokens),
        surfaces=tuple(info[3] for _, info in ranked),
    )


def salient_terms(text: str, language: str) -> tuple[str, ...]:
    """The terms a message is about, most telling first: codes ("E503", "DY612", "8.4.24"), then names ("oslo",
    "iphone"), then stemmed content words ("innlogg", "download"). Folded (lower case, no diacritics; codes upper).

    Without a background every candidate counts; the detector (and the topics view) weigh them by rarity.
    """
    return analyse(text, language).terms
