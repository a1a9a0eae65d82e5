"""Text normalisation for the choir: what two messages about the same thing have in common once the noise is gone.

Social-media text varies in ways that say nothing about the subject: case, diacritics typed or not ("får"/"far",
"Tromsø"/"Tromso"), links, @mentions of the brand, masked personal data (``[PHONE]``), emoji. Those go; what stays
are words and *codes*. Numbers are kept only where they identify something — an error code (``E-503``, ``404``), a
flight (``SK1234``, ``DY 612``), a version (``8.4.24``) — and dropped where they count or price something ("2 songs",
"€9,99", "10:30"), because two customers hit by the same fault quote the same code but rarely the same quantity.
"""

from __future__ import annotations

import re
import unicodedata

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION = re.compile(r"(?<![\w@])@\w+")
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*\]")  # webcare.triage.pii masks: [EMAIL], [PHONE], [CARD], …
APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")

#: Letters that Unicode does not decompose but people type plainly: "ø" is written "o", "æ" "ae", "ß" "ss".
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ð": "d", "þ": "th",
                       "ı": "i"})

#: An airline's two-character designator and a flight number, in the original case ("SK1234", "DY 612", "D8 2910").
FLIGHT = re.compile(r"(?<![\w-])((?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z]))[ ]?([0-9]{2,4})(?![\w-])")
#: Letters then digits, with an optional separator: "E-503", "ERR_404", "auth74", "E503".
LETTER_CODE = re.compile(r"(?<![\w-])([A-Za-z]{1,5})[-_]?([0-9]{2,6})(?![\w-])")
#: Digits then letters: "503E", "4040X" (at least three digits, so "2x", "10am" and "3rd" are not codes).
DIGIT_CODE = re.compile(r"(?<![\w-])([0-9]{3,6})([A-Za-z]{1,3})(?![\w-])")
#: Versions and dotted codes with at least two dots: "8.4.24", "1.2.0.112" (one dot is a price or a decimal).
VERSION = re.compile(r"(?<![\w.])([0-9]{1,4}(?:\.[0-9]{1,4}){2,3})(?![\w.])")
#: A bare number of three to six digits: "404", "503". Longer runs are ids or phone numbers (personal, and never
#: shared by two customers); years are dates, not codes.
NUMBER = re.compile(r"(?<![\w.,:/-])([0-9]{3,6})(?![\w.,:/-]?[0-9])")
YEAR = re.compile(r"^(?:19|20)[0-9]{2}$")
#: Suffixes that make letter+digit tokens quantities rather than codes ("10am", "20min", "64gb", "3rd").
UNIT_SUFFIXES = frozenset({"am", "pm", "st", "nd", "rd", "th", "h", "hr", "hrs", "min", "mins", "s", "sec", "x", "k",
                           "kr", "gb", "mb", "kb", "tb", "p", "fps", "ms", "g", "mm", "cm", "km", "kg", "eur", "usd"})
#: Letter prefixes that make letter+digit tokens quantities or times rather than codes.
UNIT_PREFIXES = frozenset({"x", "v", "nr", "no", "kl"})

WORD = re.compile(r"[^\W\d_]+(?:[0-9]+[^\W\d_]*)*", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics: "Tromsø" → "tromso", "Päivitys" → "paivitys", "Straße" → "strasse"."""
    lowered = text.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_noise(text: str) -> str:
    """The text without links, @mentions, masked personal data and in-word apostrophes ("don't" → "dont");
    hashtags keep their word ("#SpotifyDown" → "SpotifyDown")."""
    text = URL.sub(" ", text)
    text = MENTION.sub(" ", text)
    text = PLACEHOLDER.sub(" ", text)
    text = APOSTROPHE.sub("", text)
    return text.replace("#", " ")


def codes(text: str) -> list[tuple[str, tuple[int, int]]]:
    """The codes in ``text`` (already stripped of noise, original case), canonical form and span, in order.

    Canonical forms drop separators and use upper case, so "E-503", "e503" and "E 503" meet; a letter code also
    yields its number ("E-503" → "E503" and "503"), so it meets a customer who wrote "error 503".
    """
    found: list[tuple[int, str, tuple[int, int]]] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= s or span[0] >= e for s, e in taken)

    for m in VERSION.finditer(text):
        found.append((m.start(), m.group(1), m.span()))
        taken.append(m.span())
    for m in FLIGHT.finditer(text):
        if free(m.span()) and not YEAR.match(m.group(2)):
            found.append((m.start(), (m.group(1) + m.group(2)).upper(), m.span()))
            taken.append(m.span())
    for m in LETTER_CODE.finditer(text):
        prefix, digits = m.group(1), m.group(2)
        if not free(m.span()) or prefix.lower() in UNIT_PREFIXES or YEAR.match(digits):
            continue
        found.append((m.start(), (prefix + digits).upper(), m.span()))
        if len(digits) >= 3:
            found.append((m.start(), digits, m.span()))
        taken.append(m.span())
    for m in DIGIT_CODE.finditer(text):
        if free(m.span()) and m.group(2).lower() not in UNIT_SUFFIXES:
            found.append((m.start(), (m.group(1) + m.group(2)).upper(), m.span()))
            taken.append(m.span())
    for m in NUMBER.finditer(text):
        if free(m.span()) and not YEAR.match(m.group(1)):
            found.append((m.start(), m.group(1), m.span()))
            taken.append(m.span())
    found.sort(key=lambda item: item[0])
    return [(code, span) for _, code, span in found]


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans replaced by spaces (so the words around a code are still seen as words)."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
