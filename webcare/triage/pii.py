"""Personal data in a message, with character spans, and the redacted text.

What is found (``PiiSpan.type`` / ``kind``):

- ``EMAIL``;
- ``PHONE``: national formats of NO, DK, SE, FI, NL, DE (and their neighbours BE, AT, CH, GB, IE, US), and any
  number written internationally (``+47 …``, ``0046 …``), validated with phonenumbers' metadata (``kind``
  ``phone.no`` … or ``e164``);
- ``CARD``: Luhn-valid numbers of a real card scheme's prefix and length, with spaces or dashes (``card.visa`` …);
- ``IBAN``: mod-97 and the country's length and structure (``iban.no`` …);
- ``NATIONAL_ID``: Norwegian fødselsnummer and D-number, Danish CPR, Swedish personnummer and samordningsnummer,
  Finnish HETU, Dutch BSN, German Steuer-ID (``no.fodselsnummer``, ``dk.cpr``, ``se.personnummer``, …).

How: a cheap exit for texts with no digit and no ``@`` (most messages); then one regular expression collects
*digit runs* (digits joined by single spaces, dashes, dots, slashes, with an optional ``+`` or ``(0)``). Dates inside
a run are cut out, and every group-aligned piece of a run with a plausible length is checked against each identifier
(:mod:`webcare.triage.pii_checks`, python-stdnum and phonenumbers underneath). Each valid piece gets a
``confidence`` from the strength of its check, its written shape (``DDMMYY-XXXX`` is an identifier, ``912 34 567``
a phone), the message language (a bare 10-digit personnummer is likely only in Swedish) and the nearest context
word (:mod:`webcare.triage.pii_context`: "CPR" raises a Danish CPR, "ordrenummer" lowers anything weak). Pieces at
or above :data:`THRESHOLD` compete; the most confident wins each overlap (ties: the longer, then the more
specific type), so a fødselsnummer that is also dialable stays ``NATIONAL_ID`` and an IBAN stays ``IBAN``.

Why the strength matters: a Norwegian fødselsnummer has two check digits and a Finnish HETU a check character
(random numbers almost never pass: flagged without context); a Swedish personnummer has Luhn (flagged in its
``YYMMDD-XXXX`` shape or in Swedish text); a Danish CPR has only a date (3.7 % of random 10-digit numbers pass) and a
BSN an 11-check that 8.4 % of random 9-digit numbers pass: those need a context word (or, for CPR, the dash).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from webcare.triage import pii_checks as checks
from webcare.triage.pii_context import Context

#: A span is reported when its confidence is at least this.
THRESHOLD = 0.5
#: Pieces of digit runs checked per text at most. A message has a handful; only pathological input (100,000
#: characters of digits and dashes) reaches this, and then the rest of it is not searched for numbers, so that one
#: bad message cannot stall a batch.
PIECE_BUDGET = 5000

PLACEHOLDERS = {"EMAIL": "[EMAIL]", "PHONE": "[PHONE]", "CARD": "[CARD]", "IBAN": "[IBAN]",
                "NATIONAL_ID": "[NATIONAL_ID]"}
#: Tie-break when two candidates overlap with equal confidence and length: the more specific type wins.
_SPECIFICITY = {"IBAN": 5, "EMAIL": 4, "NATIONAL_ID": 3, "CARD": 2, "PHONE": 1}


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: ``text[start:end]``."""

    type: str  # "EMAIL" | "PHONE" | "CARD" | "IBAN" | "NATIONAL_ID"
    start: int
    end: int
    kind: str  # e.g. "no.fodselsnummer", "dk.cpr", "e164", "phone.se", "card.visa", "iban.no", "email"
    confidence: float


#: Seven digits close together: the least any number we look for has (a cheap test that skips most messages).
_DENSE = re.compile(r"[0-9](?:[^0-9]{0,3}[0-9]){6}")
_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w%+\-][\w.%+\-]*@(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9\-]+)"
    r"(?![\w\-])")
_IBAN = re.compile(r"(?<![0-9A-Za-z])(?:[A-Za-z]{2}|[A-Z]{2} )[0-9]{2}(?:[ \-.]?[0-9A-Za-z]){10,32}")
_HETU = re.compile(r"(?<![0-9A-Z])[0-9]{6}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y](?![0-9A-Za-z])")
_SP = "[ \u00a0\u202f]"
_SEP = rf"(?:{_SP}?[-–./+]{_SP}?|{_SP})"
_PAREN = rf"\([0-9]{{1,4}}\){_SP}?"
#: A digit run: digits joined by single separators, maybe "+47 " or "(0)" or "(030) " in it. What may stand right
#: before it is checked in code (a lookbehind here would stop the regex engine's fast scan for a first character).
_RUN = re.compile(
    rf"(?:\+{_SP}?|\(\+?[0-9]{{1,4}}\){_SP}?)?"
    rf"[0-9]+(?:{_SEP}(?:{_PAREN})?[0-9]+|{_PAREN}[0-9]+)*(?![0-9A-Za-z_])")
_NOT_BEFORE_RUN = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_@#/\\=?&+")
_DIGITS = re.compile(r"[0-9]+")
_LOCAL = frozenset("._%+-")

#: Phone regions tried per message language: (region, confidence if grouped, confidence if written without spaces).
_HOME = ("NO", "DK", "SE", "FI", "NL", "DE")
_PRIMARY = {"nb": ("NO",), "nn": ("NO",), "da": ("DK",), "sv": ("SE",), "fi": ("FI",), "nl": ("NL",), "de": ("DE",)}
_NEIGHBOURS = {"sv": ("FI",), "fi": ("SE",), "nl": ("BE",), "de": ("AT", "CH")}


@cache
def _phone_regions(language: str) -> tuple[tuple[str, float, float], ...]:
    primary = _PRIMARY.get(language, ())
    tiers: list[tuple[str, float, float]] = [(r, 0.8, 0.7) for r in primary]
    if not primary:  # English or unknown: all home regions are as likely (and for English, the UK's and Ireland's)
        tiers += [(r, 0.75, 0.65) for r in (("GB", "IE", *_HOME) if language == "en" else _HOME)]
    tiers += [(r, 0.7, 0.6) for r in _NEIGHBOURS.get(language, ())]
    tiers += [(r, 0.6, 0.5) for r in (*_HOME, "GB", "IE", "BE", "AT", "CH") if r not in {t[0] for t in tiers}]
    tiers.append(("US", 0.6 if language == "en" else 0.55, 0.35))  # "(415) 555-0132": only when written grouped
    return tuple(tiers)


@dataclass(frozen=True, slots=True)
class _Piece:
    """A group-aligned piece of a digit run."""

    start: int
    end: int
    digits: str
    shape: tuple[int, ...]  # digits per group
    seps: tuple[str, ...]  # what stood between the groups, spaces trimmed unless the separator is a space
    intl: bool  # written with + or 00 in front
    cut: float  # penalty for cutting it out of a longer run
    run: tuple[int, int]  # the whole run: context words are looked up around it, not inside it
    glued: bool  # letters right before it ("is199003052397"): fine for an identity number, not for a phone


class _Finder:
    """One ``find_pii`` call: the text, its language, its lazily built context, and the candidates."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language
        self._context: Context | None = None
        self.found: list[PiiSpan] = []
        self.budget = PIECE_BUDGET

    @property
    def context(self) -> Context:
        if self._context is None:
            self._context = Context(self.text)
        return self._context

    def add(self, type_: str, start: int, end: int, kind: str, confidence: float) -> None:
        if confidence >= THRESHOLD:
            self.found.append(PiiSpan(type_, start, end, kind, round(min(confidence, 0.99), 3)))

    # --- e-mail, IBAN, HETU: their own shapes --------------------------------------------------------------------

    def emails(self) -> None:
        # From each "@" back to where the local part begins, then one anchored match: much cheaper than scanning
        # the text, and tweets are full of "@mentions" that are not addresses.
        text = self.text
        at = text.find("@")
        while at >= 0:
            k = at - 1
            while k >= 0 and (text[k].isalnum() or text[k] in _LOCAL):
                k -= 1
            m = _EMAIL.match(text, k + 1) if k + 1 < at else None
            if m is not None and m.end() > at:
                self.add("EMAIL", m.start(), m.end(), "email", 0.99)
                at = text.find("@", m.end())
            else:
                at = text.find("@", at + 1)

    def ibans(self) -> None:
        text = self.text
        lengths = checks.iban_lengths()
        pos = 0
        while (m := _IBAN.search(text, pos)) is not None:
            pos = m.start() + 1
            country = m.group(0)[:2].upper()
            length = lengths.get(country)
            if length is None:
                continue
            chars: list[str] = []
            end = m.start()
            for i in range(m.start(), m.end()):
                if text[i] not in " -.":
                    chars.append(text[i].upper())
                    end = i + 1
                    if len(chars) == length:
                        break
            if len(chars) < length or (end < len(text) and text[end].isalnum()):
                continue
            letters = [c for c in text[m.start():end] if c.isalpha()]
            if not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
                continue  # "LV80 bANK …": a typo'd or made-up string, not how anyone writes their IBAN
            strength = checks.iban_check("".join(chars))
            if strength:
                self.add("IBAN", m.start(), end, f"iban.{country.lower()}", 0.99 if strength == 2 else 0.93)
                pos = end

    def hetus(self) -> None:
        for m in _HETU.finditer(self.text):
            if not checks.fi_hetu(m.group(0)):
                continue
            confidence = 0.97 + self._id_context(m.start(), m.end())
            self.add("NATIONAL_ID", m.start(), m.end(), "fi.hetu", confidence)

    # --- digit runs ------------------------------------------------------------------------------------------------

    def runs(self) -> None:
        text = self.text
        for m in _RUN.finditer(text):
            if self.budget <= 0:
                return
            start = m.start()
            if start and text[start - 1] in _NOT_BEFORE_RUN:  # part of a code, a mention, a path or a URL query
                continue
            glued = start > 0 and text[start - 1].isalpha()
            if start > 1 and text[start - 1] in "-_" and text[start - 2].isalnum():
                glued = True  # "PP-006-234-348-863", "NO-4711": part of a code
            elif glued:  # "is199003052397" is a typo, "1Z999AA10123456784" a code
                k = start - 1
                while k >= 0 and text[k].isalpha():
                    k -= 1
                if k >= 0 and text[k].isdigit():
                    continue
            groups = [(g.start(), g.end()) for g in _DIGITS.finditer(text, start, m.end())]
            total = sum(e - s for s, e in groups)
            if total < 7:
                continue
            plus = text[start] == "+" or text.startswith("(+", start)
            zeros = text.startswith("00", groups[0][0]) and (len(groups) > 1 or total >= 11)
            for segment, first in _segments(text, groups):
                self._pieces(segment, run_start=start if first else segment[0][0],
                             intl=(plus or zeros) and first, run=(start, m.end()), glued=glued and first)

    def _pieces(self, groups: list[tuple[int, int]], run_start: int, intl: bool, run: tuple[int, int],
                glued: bool) -> None:
        text = self.text
        lengths = [e - s for s, e in groups]
        total = sum(lengths)
        seps = [text[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1)]
        uniform = len(set(seps)) <= 1 and len(set(lengths[:-1])) <= 1
        if total > 19 and uniform:  # a long code written in blocks (tracking, serial): nothing in it is ours
            return
        count = len(groups)
        for i in range(count):
            n = 0
            for j in range(i, min(count, i + 7)):
                n += lengths[j]
                if n > 19:
                    break
                if n < 8 and not (intl and i == 0 and n >= 7):
                    continue
                self.budget -= 1
                if self.budget < 0:
                    return
                # Cutting a piece out of a longer run is a guess, the more so across a dash or dot ("91-415-555-0132"
                # is one thing) or out of a run written in equal blocks (a long code).
                tight = (i > 0 and not seps[i - 1].isspace()) or (j < count - 1 and not seps[j].isspace())
                cut = 0.0 if i == 0 and j == count - 1 else 0.35 if uniform else 0.3 if tight else 0.1
                piece = _Piece(
                    start=run_start if i == 0 else groups[i][0], end=groups[j][1],
                    digits="".join(text[s:e] for s, e in groups[i:j + 1]), shape=tuple(lengths[i:j + 1]),
                    seps=tuple(s.strip() or " " for s in seps[i:j]), intl=intl and i == 0, cut=cut, run=run,
                    glued=glued and i == 0)
                self._classify(piece)

    def _classify(self, p: _Piece) -> None:
        n = len(p.digits)
        if p.intl:
            self._phone(p)
            if self.text[p.start] != "0":
                return
        elif n <= 14:
            self._phone(p)
        if n == 9:
            self._bsn(p)
        elif n in (10, 12):
            self._ten_or_twelve(p)
        elif n == 11:
            self._eleven(p)
        if n >= 13:
            self._card(p)

    def _adjust(self, p: _Piece, weights: dict[str, float]) -> float:
        """The context adjustment for a piece: the nearest keyword's weight, and a currency next to it."""
        delta = _weight(self.context.nearest(*p.run), weights)
        if self.context.money_near(p.start, p.end):
            delta -= 0.5
        return delta - p.cut

    def _id_context(self, start: int, end: int) -> float:
        category = self.context.nearest(start, end)
        if category.startswith("id"):
            return 0.02
        return _weight(category, {"neg": -0.35, "topic": -0.1, "phone": -0.2, "card": -0.2})

    # --- phones --------------------------------------------------------------------------------------------------

    def _phone(self, p: _Piece) -> None:
        if p.glued and not (self.context.keyword_ends_at(p.start, "phone")
                            or self.context.keyword_ends_at(p.start - 1, "phone")):  # "tlf91234567", "tlf-9123…"
            return
        if _not_a_phone(p):
            return
        raw = self.text[p.start:p.end]
        grouped = len(p.shape) > 1
        if p.intl:
            region = checks.phone_international(raw, p.digits)
            if not region:
                return
            base = 0.92 if grouped else 0.88
            kind = "e164"
        else:
            if p.digits.startswith("00"):
                return
            found = next(((region, grouped_conf if grouped else plain_conf)
                          for region, grouped_conf, plain_conf in _phone_regions(self.language)
                          if (region != "US" or (grouped and p.shape[-1] == 4))
                          and checks.phone_national_ok(region, p.digits, raw)), None)
            if found is None:
                return
            kind = f"phone.{found[0].lower()}"
            base = found[1]
            if _thousands(p) or _range_like(p):
                base -= 0.35
            if p.shape == (6, 4) and p.seps == ("-",):  # DDMMYY-XXXX / YYMMDD-XXXX: an identity number's shape
                base -= 0.15
            if len(p.shape) == 1 and _compact_date(p.digits):
                base -= 0.3
        weights = {"phone": 0.25, "id": -0.3, "card": -0.3, "neg": -0.45, "topic": -0.3}
        if p.intl:
            weights = {"phone": 0.06, "id": -0.2, "card": -0.2, "neg": -0.35, "topic": -0.1}
        self.add("PHONE", p.start, p.end, kind, base + self._adjust(p, weights))

    # --- cards ---------------------------------------------------------------------------------------------------

    def _card(self, p: _Piece) -> None:
        kind = checks.card_kind(p.digits)
        if not kind:
            return
        shape = p.shape
        if len(shape) == 1:
            base = 0.75
        elif len(set(p.seps)) == 1 and p.seps[0] in (" ", "-") and (
                (shape[:3] == (4, 4, 4) and all(k == 4 for k in shape[3:-1])) or shape in ((4, 6, 5), (4, 6, 4))):
            base = 0.92
        else:
            base = 0.6
        weights = {"card": 0.15, "id": -0.2, "phone": -0.2, "neg": -0.5, "topic": -0.35}
        self.add("CARD", p.start, p.end, kind, base + self._adjust(p, weights))

    # --- national identity numbers -------------------------------------------------------------------------------

    def _id_weights(self, category: str, country: str) -> float:
        """How the nearest keyword moves an identity number of ``country``."""
        if category.startswith("id"):
            hint = category[3:]
            return 0.2 if hint == country else 0.12 if not hint else 0.05
        return _weight(category, {"neg": -0.45, "topic": -0.15, "phone": -0.3, "card": -0.3})

    def _id_adjust(self, p: _Piece, country: str) -> float:
        delta = self._id_weights(self.context.nearest(*p.run), country)
        if self.context.money_near(p.start, p.end):
            delta -= 0.5
        return delta - p.cut

    def _eleven(self, p: _Piece) -> None:
        kind = checks.no_fodselsnummer(p.digits)
        # Shapes people write it in; "1503.27.12345" (4.2.5) is a Norwegian bank account, whose mod-11 check is
        # the fødselsnummer's second check digit, so about one in 300 of them would pass.
        if kind and p.shape in ((11,), (6, 5), (2, 2, 2, 5), (2, 2, 2, 2, 3), (2, 2, 2, 3, 2), (6, 3, 2), (9, 2)):
            self.add("NATIONAL_ID", p.start, p.end, kind, 0.92 + self._id_adjust(p, "no"))
        if checks.de_idnr(p.digits):
            category = self.context.nearest(*p.run)
            if category == "id:de" or (category.startswith("id") and self.language == "de"):
                self.add("NATIONAL_ID", p.start, p.end, "de.idnr", 0.85 - p.cut)

    def _ten_or_twelve(self, p: _Piece) -> None:
        shape, digits = p.shape, p.digits
        sep = p.seps[0] if len(p.seps) == 1 else ""
        if len(digits) == 12:
            if shape not in ((12,), (8, 4)):
                return
            kind = checks.se_personnummer(digits, sep or "-")
            if kind:
                base = 0.9 if shape == (8, 4) and sep in "-+" else 0.75
                if self.language == "sv":
                    base += 0.1
                self.add("NATIONAL_ID", p.start, p.end, kind, base + self._id_adjust(p, "se"))
            return
        dashed = shape == (6, 4) and sep in ("-", "+")
        plain = shape in ((10,), (6, 4)) and not dashed
        if not (dashed or plain):
            return
        category = self.context.nearest(*p.run)
        kind = checks.se_personnummer(digits, sep if dashed else "-")
        if kind:
            if dashed:
                base = 0.9 if self.language == "sv" else 0.8
            else:
                base = 0.7 if self.language == "sv" else 0.35
                if category.startswith("id"):
                    base = max(base, 0.72)
            if digits[0] == "0" and not dashed:  # also the shape of a Swedish phone number
                base -= 0.05
            self.add("NATIONAL_ID", p.start, p.end, kind, base + self._id_adjust(p, "se"))
        if sep != "+" and checks.dk_cpr(digits):
            if dashed:
                base = 0.8 if self.language == "da" else 0.72
            else:
                base = 0.35 if self.language == "da" else 0.2
                if category == "id:dk" or (category.startswith("id") and self.language == "da"):
                    base = 0.72
                elif category.startswith("id") and self.language in ("", "en"):
                    base = 0.55
            self.add("NATIONAL_ID", p.start, p.end, "dk.cpr", base + self._id_adjust(p, "dk"))

    def _bsn(self, p: _Piece) -> None:
        if p.shape not in ((9,), (3, 3, 3), (4, 2, 3), (2, 3, 2, 2)) or not checks.nl_bsn(p.digits):
            return
        category = self.context.nearest(*p.run)
        if category == "id:nl":
            base = 0.92
        elif category.startswith("id") and self.language in ("nl", "", "en"):
            base = 0.75
        else:
            return
        if self.context.money_near(p.start, p.end):
            base -= 0.5
        self.add("NATIONAL_ID", p.start, p.end, "nl.bsn", base - p.cut)


def _weight(category: str, weights: dict[str, float]) -> float:
    """The weight of a context category; "neg~"/"topic~" (found after the number) count half."""
    if category.endswith("~"):
        return weights.get(category[:-1], 0.0) / 2
    return weights.get(category.split(":")[0], 0.0)


def _segments(text: str, groups: list[tuple[int, int]]) -> list[tuple[list[tuple[int, int]], bool]]:
    """The run's groups split around dates (``2024-03-15``, ``15.03.2024``, ``03/15/24``): (groups, is first)."""
    count = len(groups)
    if count < 3:
        return [(groups, True)]
    dated = [False] * count
    for k in range(count - 2):
        s1 = text[groups[k][1]:groups[k + 1][0]]
        s2 = text[groups[k + 1][1]:groups[k + 2][0]]
        if s1 != s2 or s1 not in ("-", ".", "/"):
            continue
        if (k > 0 and text[groups[k - 1][1]:groups[k][0]] == s1) or (
                k + 3 < count and text[groups[k + 2][1]:groups[k + 3][0]] == s1):
            continue  # "13-04-99-58441": the same separator goes on, so this is one number, not a date
        a, b, c = (int(text[s:e]) for s, e in groups[k:k + 3])
        la, lb, lc = (e - s for s, e in groups[k:k + 3])
        if la == 4 and lb <= 2 and lc <= 2:
            is_date = 1 <= b <= 12 and 1 <= c <= 31
        elif la <= 2 and lb <= 2 and lc in (2, 4):
            is_date = (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)
        else:
            is_date = False
        if is_date:
            dated[k] = dated[k + 1] = dated[k + 2] = True
    if not any(dated):
        return [(groups, True)]
    out: list[tuple[list[tuple[int, int]], bool]] = []
    current: list[tuple[int, int]] = []
    first = True
    for k in range(count):
        if dated[k]:
            if current:
                out.append((current, first))
            current = []
            first = False
        else:
            current.append(groups[k])
    if current:
        out.append((current, first))
    return out


def _not_a_phone(p: _Piece) -> bool:
    """Shapes of other things: versions and IP addresses (``8.4.20.535``, ``4.16.70.182``), year and time ranges
    (``2010-2012``, ``0900-1530``, ``09.00 - 15.00``), dates with mixed separators (``28/03-2014``, ``16/9 1742``),
    and mixes of dots and slashes (``38/10.68/10``)."""
    shape, seps = p.shape, p.seps
    tight = {c for sep in seps for c in sep if c in "-–./"}
    if len(tight) > 1 and not tight <= {"-", "–"}:
        return True
    groups = _split_digits(p)
    if "." in tight and (min(shape) == 1 or (len(shape) == 4 and 3 in shape and max(groups) <= 255)):
        return True
    if len(shape) == 2 and shape[0] == shape[1] == 4:
        a, b = groups
        if 1900 <= a <= 2099 and 1900 <= b <= 2099:  # "2023/2024", "2010 - 2012"
            return True
        if tight & {"-", "–", "/"} and ((1000 <= a <= 2099 and 1000 <= b <= 2099) or (
                a % 100 < 60 and b % 100 < 60 and a < 2400 and b < 2400)):  # "1600-1700", "0900-1530"
            return True
    if shape[-1] == 1 and seps[-1] in ("-", "/"):  # "2345678-1": a check digit (Finnish Y-tunnus, account)
        return True
    if len(shape) == 4 and shape == (2, 2, 2, 2) and seps[0] in (".", ":") and seps[2] == seps[0] and \
            seps[1] in ("-", "–"):
        return True
    if len(shape) == 3 and shape[2] == 4 and shape[0] <= 2 and shape[1] <= 2 and seps[0] in ("/", ".", "-"):
        d, m, y = groups
        if 1 <= d <= 31 and 1 <= m <= 12 and 1000 <= y <= 2099:
            return True
    return False


def _split_digits(p: _Piece) -> list[int]:
    out, k = [], 0
    for size in p.shape:
        out.append(int(p.digits[k:k + size]))
        k += size
    return out


def _range_like(p: _Piece) -> bool:
    """``4711-2023``: two equal blocks joined by a dash read like a range or a code more than a phone number."""
    return len(p.shape) == 2 and p.shape[0] == p.shape[1] and p.seps[0] in ("-", "–")


def _thousands(p: _Piece) -> bool:
    """``12 500 000`` / ``1.299.000``: an amount written with thousands separators."""
    shape = p.shape
    return (len(shape) >= 2 and shape[0] <= 3 and all(k == 3 for k in shape[1:]) and len(set(p.seps)) == 1
            and p.seps[0] in (" ", ".", "'") and p.digits[0] != "0")


def _compact_date(digits: str) -> bool:
    """``20240315`` or ``15032024``: a date written without separators."""
    if len(digits) != 8:
        return False
    y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31:
        return True
    d, m, y = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def find_pii(text: str, language: str = "") -> list[PiiSpan]:
    """Personal data in ``text``: sorted, non-overlapping spans with type, kind and confidence.

    ``language`` is the message language from ``detect_language`` ("" when unknown); it decides which national
    phone formats come first and how much a weak identifier needs its context word.
    """
    if not text:
        return []
    has_at = "@" in text
    dense = _DENSE.search(text) is not None
    if not (has_at or dense):
        return []
    finder = _Finder(text, language)
    if has_at:
        finder.emails()
    if dense:
        finder.runs()
        finder.ibans()
        finder.hetus()
    if not finder.found:
        return []
    return _resolve(finder.found)


def _resolve(candidates: list[PiiSpan]) -> list[PiiSpan]:
    """Greedy by confidence (then length, then specificity): each candidate that overlaps nothing chosen so far."""
    starts: list[int] = []  # chosen spans, sorted by start; they never overlap, so ends are sorted too
    chosen: list[PiiSpan] = []
    for span in sorted(candidates, key=lambda s: (-s.confidence, s.start - s.end, -_SPECIFICITY[s.type], s.start)):
        i = bisect.bisect_left(starts, span.start)
        if i < len(chosen) and chosen[i].start < span.end:
            continue
        if i > 0 and chosen[i - 1].end > span.start:
            continue
        starts.insert(i, span.start)
        chosen.insert(i, span)
    return chosen


def redact(text: str, spans: Sequence[PiiSpan]) -> str:
    """``text`` with each span replaced by its placeholder (``[EMAIL]``, ``[PHONE]``, ``[CARD]``, ``[IBAN]``,
    ``[NATIONAL_ID]``). Overlapping spans (not produced by :func:`find_pii`) are merged into the first one."""
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= pos:
            continue
        start = max(span.start, pos)
        if start == span.start:
            out.append(text[pos:start])
            out.append(PLACEHOLDERS.get(span.type, f"[{span.type}]"))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
