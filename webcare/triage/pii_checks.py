"""Validators for the identifiers :mod:`webcare.triage.pii` finds: checksums and formats, fast paths first.

The authoritative checks are python-stdnum's (``stdnum.no.fodselsnummer``, ``stdnum.dk.cpr``,
``stdnum.se.personnummer``, ``stdnum.fi.hetu``, ``stdnum.nl.bsn``, ``stdnum.de.idnr``, ``stdnum.iban``) and
phonenumbers' ``is_valid_number``. Each costs 4–40 µs, too much to run on every digit run of every message, so each
check here first does the cheap arithmetic (length, first digits, Luhn, a date) and calls the library only for
numbers that already look right. The phone check matches the national-number patterns of Google's metadata
(shipped with phonenumbers) before it parses, which keeps ordinary order numbers, prices and dates away from
``phonenumbers.parse`` (20–30 µs a call).
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from importlib import resources

import phonenumbers
from phonenumbers import PhoneMetadata
from stdnum import iban as std_iban
from stdnum.de import idnr as std_idnr
from stdnum.dk import cpr as std_cpr
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu as std_hetu
from stdnum.nl import bsn as std_bsn
from stdnum.no import fodselsnummer as std_fnr
from stdnum.se import personnummer as std_pnr


def luhn_ok(digits: str) -> bool:
    """Luhn mod-10 (cards, Swedish personnummer, IMEI)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _date_ok(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


# --- payment cards -------------------------------------------------------------------------------------------------

def card_brand(digits: str) -> str:
    """The card scheme whose number ranges and lengths fit ``digits`` (Luhn not checked), "" if none.

    Ranges: ISO/IEC 7812 issuer identification numbers as published by the schemes. Numbers starting 7, 8, 9 or 0
    are not payment cards (fuel, telecom, national use), which keeps most tracking and order numbers out.
    """
    n = len(digits)
    first = digits[0]
    if first == "4":
        return "visa" if n in (13, 16, 19) else ""
    two = int(digits[:2])
    if first == "5":
        if 51 <= two <= 55 and n == 16:
            return "mastercard"
        return "maestro" if 12 <= n <= 19 and two in (50, 56, 57, 58) else ""
    if first == "2":
        return "mastercard" if 2221 <= int(digits[:4]) <= 2720 and n == 16 else ""
    if first == "3":
        if two in (34, 37):
            return "amex" if n == 15 else ""
        if 3528 <= int(digits[:4]) <= 3589:
            return "jcb" if 16 <= n <= 19 else ""
        if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
            return "diners" if 14 <= n <= 19 else ""
        return ""
    if first == "6":
        if digits.startswith("6011") or two == 65 or 644 <= int(digits[:3]) <= 649:
            return "discover" if 16 <= n <= 19 else ""
        if two == 62:
            return "unionpay" if 16 <= n <= 19 else ""
        return "maestro" if 12 <= n <= 19 else ""
    if first == "1":
        return "uatp" if n == 15 else ""
    return ""


def card_kind(digits: str) -> str:
    """``card.<scheme>`` for a Luhn-valid number of a plausible scheme and length, else ""."""
    if not 13 <= len(digits) <= 19:
        return ""
    brand = card_brand(digits)
    if not brand or not luhn_ok(digits):
        return ""
    return f"card.{brand}"


# --- national identity numbers ---------------------------------------------------------------------------------

def no_fodselsnummer(digits: str) -> str:
    """``no.fodselsnummer`` / ``no.d-nummer`` for a valid Norwegian 11-digit birth or D-number, else "".

    Two mod-11 check digits and a date: about 0.03 % of random 11-digit numbers pass, so no context is needed.
    """
    if len(digits) != 11:
        return ""
    day = int(digits[:2])
    month = int(digits[2:4])
    if not (1 <= day <= 31 or 41 <= day <= 71) or not (1 <= month <= 12 or 41 <= month <= 52):
        return ""
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    if (sum(w * (ord(c) - 48) for w, c in zip(w1, digits, strict=False)) + ord(digits[9]) - 48) % 11:
        return ""
    if (sum(w * (ord(c) - 48) for w, c in zip(w2, digits, strict=False)) + ord(digits[10]) - 48) % 11:
        return ""
    if not std_fnr.is_valid(digits):
        return ""
    return "no.d-nummer" if day > 40 else "no.fodselsnummer"


def se_personnummer(digits: str, separator: str = "-") -> str:
    """``se.personnummer`` / ``se.samordningsnummer`` for a valid Swedish number of 10 or 12 digits, else "".

    ``separator`` is what stood before the last four digits ("-", "+" for people 100 or older, or "" when written
    without one). Samordningsnummer (coordination numbers) add 60 to the day, which stdnum's check does not know:
    the day is mapped back before the date check, and Luhn runs on the digits as written.
    """
    if len(digits) not in (10, 12):
        return ""
    if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
        return ""
    if not luhn_ok(digits[-10:]):
        return ""
    day = int(digits[-6:-4])
    kind = "se.personnummer"
    if day > 60:
        day -= 60
        kind = "se.samordningsnummer"
    dated = f"{digits[:-6]}{day:02d}"
    number = f"{dated}{'+' if separator == '+' else '-'}{digits[-4:]}"
    try:
        birth = std_pnr.get_birth_date(number)
    except ValidationError:
        return ""
    if birth > datetime.date.today():
        return ""
    return kind


def dk_cpr(digits: str) -> bool:
    """A Danish CPR number: a valid date and century digit (no checksum since 2007, so this alone is weak)."""
    if len(digits) != 10 or not _date_ok(2000, int(digits[2:4]), int(digits[:2])):  # 2000: a leap year
        return False
    return std_cpr.is_valid(digits)


_HETU = re.compile(r"(\d{6})([-+ABCDEFUVWXY])(\d{3})([0-9A-Y])")


def fi_hetu(text: str) -> bool:
    """A Finnish HETU (century sign and mod-31 check character; temporary 9xx individual numbers included)."""
    return std_hetu.is_valid(text.upper(), allow_temporary=True)


def nl_bsn(digits: str) -> bool:
    """A Dutch BSN (11-check; 8.4 % of random 9-digit numbers pass, so only with context)."""
    return len(digits) == 9 and digits != "000000000" and std_bsn.is_valid(digits)


def de_idnr(digits: str) -> bool:
    """A German Steuer-ID (11 digits, ISO 7064 check; only taken with context, it is a plain number otherwise)."""
    return len(digits) == 11 and digits[0] != "0" and std_idnr.is_valid(digits)


# --- IBAN ----------------------------------------------------------------------------------------------------------

@cache
def iban_lengths() -> dict[str, int]:
    """IBAN length per country code, from stdnum's registry file (so it follows stdnum's updates)."""
    lengths: dict[str, int] = {}
    text = resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        m = re.match(r'([A-Z]{2}) .*bban="([^"]+)"', line)
        if m:
            lengths[m.group(1)] = 4 + sum(int(n) for n in re.findall(r"(\d+)!", m.group(2)))
    return lengths


def iban_check(compact: str) -> int:
    """2: a valid IBAN including the country's own account check (e.g. Norway's mod-11); 1: valid mod-97, length
    and BBAN structure but the country check fails or is unknown to stdnum (stdnum's Belgian bank list is not
    complete, so a real IBAN can fail it); 0: not an IBAN."""
    if iban_lengths().get(compact[:2]) != len(compact):
        return 0
    moved = compact[4:] + compact[:4]
    if int("".join(str(int(c, 36)) for c in moved)) % 97 != 1:
        return 0
    if std_iban.is_valid(compact):
        return 2
    return 1 if std_iban.is_valid(compact, check_country=False) else 0


# --- phone numbers -------------------------------------------------------------------------------------------------

_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip", "pager",
          "uan", "voicemail")


@cache
def _region(region: str) -> tuple[re.Pattern[str], re.Pattern[str], str, int]:
    """(general pattern, pattern of the valid number types, trunk prefix, country code) of a region.

    Regions that share the country code count as one: Svalbard's 79 numbers are dialled like Norway's, Åland's
    like Finland's, Jersey's like Britain's.
    """
    main = PhoneMetadata.metadata_for_region(region)
    if main is None or main.country_code is None:  # pragma: no cover - only regions phonenumbers knows are asked for
        raise ValueError(region)
    general: list[str] = []
    patterns: list[str] = []
    for code in phonenumbers.region_codes_for_country_code(main.country_code):
        md = PhoneMetadata.metadata_for_region(code)
        if md is None or md.general_desc is None or not md.general_desc.national_number_pattern:
            continue
        general.append(md.general_desc.national_number_pattern)
        for name in _TYPES:
            desc = getattr(md, name)
            if desc is not None and desc.national_number_pattern:
                patterns.append(desc.national_number_pattern)
    return (re.compile("|".join(f"(?:{p})" for p in general)), re.compile("|".join(f"(?:{p})" for p in patterns)),
            main.national_prefix or "", main.country_code)


def _national_number(region: str, digits: str) -> str | None:
    """The national significant number of ``digits`` dialled in ``region``, None if it is not a valid one.

    Where the region has a trunk prefix ("0" in SE, FI, NL, DE, GB …), a nationally written number must carry it:
    phonenumbers would also accept "412345678" as Finnish, but nobody writes a Finnish number that way, and
    without the rule every 9- or 10-digit order number would be somebody's phone number.
    """
    general, types, trunk, _ = _region(region)
    number = digits
    if trunk and trunk != "1":
        if not digits.startswith(trunk):
            return None
        number = digits[len(trunk):]
    elif trunk == "1" and digits.startswith("1") and len(digits) == 11:  # North America: 1 (415) 555-0132
        number = digits[1:]
    if general.fullmatch(number) and types.fullmatch(number):
        return number
    return None


def phone_national_ok(region: str, digits: str, raw: str) -> bool:
    """``digits`` (written ``raw``) is a valid number of ``region`` dialled nationally.

    The metadata patterns reject almost everything cheaply; what passes is confirmed with phonenumbers itself.
    """
    if _national_number(region, digits) is None:
        return False
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and parsed.country_code == _region(region)[3]


def phone_international(raw: str, digits: str) -> str:
    """The region of a valid internationally written number (``+47 …``, ``0047 …``), "" if not valid."""
    if digits.startswith("00"):
        digits = digits[2:]
        raw = "+" + raw.lstrip("(").removeprefix("00")
    if not 7 <= len(digits) <= 15 or digits[0] == "0":
        return ""
    cc = next((int(digits[:k]) for k in (1, 2, 3) if int(digits[:k]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE),
              None)
    if cc is None:
        return ""
    try:
        parsed = phonenumbers.parse(raw if raw.lstrip("(").startswith("+") else "+" + digits, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.region_code_for_number(parsed) or "ZZ"
