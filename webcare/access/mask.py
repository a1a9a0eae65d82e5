"""Masking personal data for display: ``k•••@example.no``, ``+47 9• •• •• 67``, ``•••42`` — pure functions.

Why partial masks rather than a blank: an agent must be able to tell "is this the address the customer just gave me?"
or "which of the two numbers?" without seeing the value; the first letter, the domain and the last two digits do that
and do not identify a person on their own. Names and public social handles are never masked (agents address people
by name, and a public handle is public); e-mail addresses and phone numbers are, wherever they are: in identities'
platform ids and handles, in a message's author name, in customer numbers and in free text (customers' notes,
messages — the latter already come masked by triage as ``redacted_text``).

Everything here is pure and cheap: a list page masks up to 500 handles.
"""

from __future__ import annotations

import re
from typing import Any, Final

import phonenumbers

from webcare.triage.pii import find_pii

BULLET: Final = "•"
#: Platforms whose platform id *is* contact data: an e-mail address, a phone number.
EMAIL_PLATFORMS: Final = frozenset({"email"})
PHONE_PLATFORMS: Final = frozenset({"whatsapp"})

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS: Final = re.compile(r"^\+?[0-9 ()\-.\u00a0]+$")
_DIGIT: Final = re.compile(r"[0-9]")


def looks_like_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def _digit_count(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def looks_like_phone(value: str, *, need_plus: bool = False) -> bool:
    """Seven to fifteen digits with only phone punctuation around them (E.164 allows at most 15). ``need_plus``
    asks for an explicit international ``+``: on platforms whose ids are long numbers (X, Telegram) a bare number
    is an account id, not something to call."""
    value = value.strip()
    if need_plus and not value.startswith("+"):
        return False
    return bool(_PHONE_CHARS.match(value)) and 7 <= _digit_count(value) <= 15


def mask_email(address: str) -> str:
    """``kari.nordmann@example.no`` → ``k•••@example.no``: the first character and the domain stay."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return mask_code(address)
    return f"{local[0]}{BULLET * 3}@{domain}"


def _mask_digits(text: str, keep_first: int, keep_last: int) -> str:
    """Every digit of ``text`` but the first ``keep_first`` and the last ``keep_last`` as a bullet; the rest (spaces,
    a leading +, dashes) stays, so the grouping is still recognisable."""
    positions = [m.start() for m in _DIGIT.finditer(text)]
    hidden = set(positions[keep_first: len(positions) - keep_last] if keep_last else positions[keep_first:])
    return "".join(BULLET if i in hidden else ch for i, ch in enumerate(text))


def mask_phone(number: str) -> str:
    """``+4791234567`` → ``+47 9• •• •• 67``: the country code, the first digit after it and the last two digits stay.

    Numbers phonenumbers can read are shown in their international grouping first (so a bare ``4791234567``, as
    WhatsApp sends ids, reads as a phone number); others keep their own punctuation.
    """
    raw = number.strip()
    # A bare number is read as international only when it is long enough to carry a country code (WhatsApp's ids);
    # "412 34 567" is a national number and keeps its own grouping.
    international = raw.startswith("+") or (raw.isdigit() and len(raw) >= 10)
    valid = False
    if international:
        try:
            parsed = phonenumbers.parse(raw if raw.startswith("+") else "+" + raw, None)
            valid = phonenumbers.is_possible_number(parsed)
        except phonenumbers.NumberParseException:
            valid = False
    if valid:
        formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        code = f"+{parsed.country_code}"
        national = formatted[len(code):]
        return code + _mask_digits(national, 1, 2)
    return _mask_digits(raw, 1, 2) if _digit_count(raw) > 4 else BULLET * max(len(raw), 2)


def mask_code(value: str) -> str:
    """A customer number, card, account or ID number: only the last two letters or digits stay (none of a short
    one); spaces and dashes stay, so "4111 1111 1111 1111" still reads as a card number."""
    value = value.strip()
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set(positions[-2:]) if len(positions) >= 4 else set()
    return "".join(ch if (i in keep or not ch.isalnum()) else BULLET for i, ch in enumerate(value))


def mask_contact(value: str, *, need_plus: bool = True) -> str:
    """A value that may be contact data (a handle, an author's name as a platform gave it): masked when it is an
    e-mail address or a phone number, unchanged otherwise (a name, ``@sigrid_h``)."""
    if not value:
        return value
    if looks_like_email(value):
        return mask_email(value)
    if looks_like_phone(value, need_plus=need_plus):
        return mask_phone(value)
    return value


def mask_identity_value(platform: str, value: str) -> str:
    """An identity's platform id or handle: always masked on platforms where it is an address or a number (e-mail,
    WhatsApp); elsewhere only when it looks like an e-mail address or an international phone number."""
    if not value:
        return value
    if platform in EMAIL_PLATFORMS:
        return mask_email(value) if "@" in value else mask_contact(value)
    if platform in PHONE_PLATFORMS:
        return mask_phone(value) if looks_like_phone(value) else mask_contact(value)
    return mask_contact(value)


_MASKERS: Final = {"EMAIL": mask_email, "PHONE": mask_phone}


def mask_text(text: str, language: str = "") -> str:
    """Free text (a customer's notes, a payload's strings) with the personal data triage's detector finds masked in
    place: e-mail addresses and phone numbers partly, card, account and ID numbers to their last two characters."""
    if not text:
        return text
    spans = find_pii(text, language)
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos:span.start])
        out.append(_MASKERS.get(span.type, mask_code)(text[span.start:span.end]))
        pos = span.end
    out.append(text[pos:])
    return mask_contact("".join(out), need_plus=False) if not spans else "".join(out)


def mask_json(value: Any) -> Any:
    """A JSON value with every string masked by :func:`mask_text` (an inbound event's payload): the structure stays,
    so an operator can still see why a delivery failed."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_json(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_json(item) for key, item in value.items()}
    return value
