"""What a person is known by, normalised: the pure core of finding, exporting and erasing them.

A data subject writes "my number is 912 34 567" or "I'm @kari on Instagram"; the desk stored "4791234567" as a
WhatsApp id, "+47 912 34 567" in a message and "kari" as a handle. Every comparison therefore goes through one
normal form per kind:

- e-mail: trimmed, lower-cased (the local part is case-sensitive only in theory; no provider treats it so);
- phone: E.164 ("+4791234567"), parsed with the organisation's country for numbers written without one;
- handle: without the leading "@", case-folded;
- anything else (a name, a customer number, a platform id): whitespace collapsed, case-folded.

No database here: these functions are what the unit tests pin down, and what :mod:`webcare.gdpr.find` and
:mod:`webcare.gdpr.erase` build their queries and comparisons from. The keyed hashes of the normal forms
(:func:`hashes_for`) are all the erasure ledger keeps of a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

EMAIL = "email"
PHONE = "phone"
TEXT = "text"
HANDLE = "handle"

_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:.]{2,}$")
#: What a written phone number may consist of: digits, a leading "+", spaces and the usual separators.
_PHONE_CHARS = re.compile(r"^\(?\+?[0-9 ().\-/]{6,32}$")
_SPACES = re.compile(r"\s+")
#: A contained-name search needs this many characters, or "a" would find every customer.
MIN_CONTAINED = 3
MAX_LENGTH = 255
#: Default phone region from an organisation's first language, when it has no holiday country set.
LANGUAGE_REGIONS = {"nb": "NO", "nn": "NO", "no": "NO", "da": "DK", "sv": "SE", "fi": "FI", "nl": "NL", "de": "DE"}


class IdentifierError(ValueError):
    """An identifier that cannot be searched for; ``code`` ("empty", "too_long") lets pages say it translated."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Identifier:
    """A searched-for value and its normal forms.

    ``kind`` is what it looks like (e-mail, phone or text). ``text`` (case-folded) is always searched as an exact
    platform id, handle and customer number: "4791234567" may be a WhatsApp id as well as a phone number.
    """

    raw: str
    kind: str
    #: The normal form of its kind: the address, the E.164 number, or the folded text.
    value: str
    #: Folded text without a leading "@" (for handles, ids and customer numbers).
    text: str
    #: Written forms of a phone number (E.164, without "+", national, grouped …); empty for other kinds.
    phone_forms: tuple[str, ...] = field(default=())

    @property
    def searches_names(self) -> bool:
        """Whether a contained-name search is meaningful (a phone number or address is never part of a name)."""
        return self.kind == TEXT and len(self.text) >= MIN_CONTAINED

    @property
    def pair(self) -> tuple[str, str]:
        """``(kind, normal form)`` as the ledger hashes it: text counts as a handle, as stored values do
        (:func:`classify`), so "@kari" typed and "kari" stored hash alike."""
        return (HANDLE, self.text) if self.kind == TEXT else (self.kind, self.value)

    @property
    def hash(self) -> str:
        """The keyed hash of this identifier's normal form (for the audit log and the erasure ledger)."""
        from webcare.keys.hashing import identifier_hash  # the keyring's secret: a database read, so not at import

        return identifier_hash("{}:{}".format(*self.pair))


def fold(value: str) -> str:
    """Collapse whitespace and fold case: how names, handles and ids are compared."""
    return _SPACES.sub(" ", value).strip().casefold()


def normalise_email(value: str) -> str | None:
    """The address in lower case, or None when ``value`` is not an e-mail address."""
    candidate = value.strip().strip("<>").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    return candidate.lower() if _EMAIL.match(candidate) else None


def normalise_handle(value: str) -> str:
    """A handle without its "@", folded: "@Kari" and "kari" are the same handle."""
    return fold(value).lstrip("@").strip()


def normalise_phone(value: str, region: str | None = None) -> str | None:
    """The E.164 form of a phone number, or None when ``value`` is not a valid one.

    Accepts "+47 912 34 567", "0047 91234567", "(+47) 91234567", and "91234567" when ``region`` is "NO". A number
    with "00" in front is international everywhere (the prefix of most of Europe), also without a region.
    """
    candidate = value.strip()
    if not _PHONE_CHARS.match(candidate):
        return None
    digits = re.sub(r"[^0-9+]", "", candidate.replace("(0)", ""))  # "+47 (0) 912…": the trunk 0 is not dialled
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+") and not region:
        return None
    try:
        number = phonenumbers.parse(digits, None if digits.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_forms(e164: str) -> tuple[str, ...]:
    """The ways a number is commonly written, for exact lookups and for scanning text: E.164, without "+", with
    "00", the international and national formats with and without their spaces."""
    number = phonenumbers.parse(e164, None)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    national_digits = re.sub(r"[^0-9]", "", national)
    forms = [e164, e164[1:], "00" + e164[1:], international, international.replace(" ", ""), national,
             national_digits, re.sub(r"[^0-9+ ]", "", international)]
    return tuple(dict.fromkeys(form for form in forms if len(re.sub(r"[^0-9]", "", form)) >= 6))


_GAP = r"[\s\-.()/]*"


def phone_pattern(e164: str) -> re.Pattern[str]:
    """A pattern for the number however it is grouped: "912 34 567", "91-23-45-67", "+47 (0) 912 34567", "0047…".

    Digits of the national number with any separators between them, optionally after the country code (with "+",
    "00" or nothing: WhatsApp's "4791234567") and a trunk "0", never inside a longer run of digits.
    """
    number = phonenumbers.parse(e164, None)
    national = str(number.national_number)
    country = str(number.country_code)
    prefix = rf"(?:\(?(?:\+|00)?{_GAP}{_GAP.join(country)}\)?{_GAP})?(?:\(?0\)?{_GAP})?"
    return re.compile(rf"(?<![0-9]){prefix}{_GAP.join(national)}(?![0-9])")


def parse_identifier(raw: str, region: str | None = None) -> Identifier:
    """What ``raw`` is and its normal forms; :class:`IdentifierError` naming the problem when it cannot be used."""
    value = (raw or "").strip()
    if not value:
        raise IdentifierError("the identifier is empty", "empty")
    if len(value) > MAX_LENGTH:
        raise IdentifierError(f"the identifier is longer than {MAX_LENGTH} characters", "too_long")
    email = normalise_email(value)
    if email:
        return Identifier(raw=value, kind=EMAIL, value=email, text=email)
    phone = normalise_phone(value, region)
    if phone:
        return Identifier(raw=value, kind=PHONE, value=phone, text=normalise_handle(value),
                          phone_forms=phone_forms(phone))
    return Identifier(raw=value, kind=TEXT, value=fold(value), text=normalise_handle(value))


def region_for(holiday_country: str, languages: Iterable[str]) -> str | None:
    """The phone region of an organisation: its holiday country, else its first language's country, else none."""
    if holiday_country:
        return holiday_country.upper()
    for code in languages:
        region = LANGUAGE_REGIONS.get(str(code).lower())
        if region:
            return region
    return None


def span_value(kind: str, span_type: str, span_kind: str, text: str, region: str | None) -> str | None:
    """The normal form of a personal-data span triage found (``Message.pii``): ``text`` is the span's text.

    Phone spans carry the region triage recognised them in (``phone.no``) or ``e164``; that region is used rather
    than the organisation's, so a Swedish number in a Swedish message is read as Swedish.
    """
    if span_type == "EMAIL" and kind == EMAIL:
        return normalise_email(text)
    if span_type == "PHONE" and kind == PHONE:
        span_region = span_kind.split(".", 1)[1].upper() if span_kind.startswith("phone.") else region
        return normalise_phone(text, span_region)
    return None


def values_hashes(kinds_values: Iterable[tuple[str, str]]) -> list[str]:
    """Keyed hashes of ``(kind, normalised value)`` pairs, sorted and without repeats (the ledger's form)."""
    from webcare.keys.hashing import identifier_hash

    return sorted({identifier_hash(f"{kind}:{value}") for kind, value in kinds_values if value})


def forms_of(kind: str, value: str) -> tuple[str, ...]:
    """Every written form worth searching text for: a phone's forms, else the value itself (and "@handle")."""
    if kind == PHONE:
        return phone_forms(value)
    if kind == HANDLE:
        return (value, "@" + value)
    return (value,)


def classify(value: str, region: str | None) -> list[tuple[str, str]]:
    """The ``(kind, normal form)`` pairs a stored value (an identity's id or handle, a chat's e-mail) stands for,
    so the ledger can recognise it again: an address, a phone number, and always the folded handle."""
    pairs: list[tuple[str, str]] = []
    email = normalise_email(value)
    if email:
        pairs.append((EMAIL, email))
    else:
        phone = normalise_phone(value, region)
        if phone:
            pairs.append((PHONE, phone))
    handle = normalise_handle(value)
    if handle:
        pairs.append((HANDLE, handle))
    return pairs
