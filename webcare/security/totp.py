"""Time-based one-time passwords (RFC 6238, via pyotp) and recovery codes — pure functions, no database.

Why the step is returned, not a yes/no: a code stays valid for its 30-second step (and, for clock drift, one step
either side); refusing a replay means remembering the step of the last accepted code and taking only later ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from django.conf import settings

#: Steps either side of now that are still accepted (phone clocks drift; 1 step = 30 s).
DRIFT_STEPS = 1
DIGITS = 6
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
#: Letters and digits that cannot be mistaken for each other when read off paper (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: 12 characters of 31: about 59 bits — far beyond guessing within the sign-in throttle.
RECOVERY_LENGTH = 12


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def clean_code(raw: str) -> str:
    """What the person typed, without spaces and dashes (apps show ``123 456``), lower case."""
    return "".join(raw.split()).replace("-", "").lower()


def current_step(at: datetime) -> int:
    """The 30-second step ``at`` falls in (``at`` must be aware; Django's ``timezone.now()`` is)."""
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime, after_step: int = 0) -> int | None:
    """The step whose code is ``code`` (now, or ``DRIFT_STEPS`` either side) and later than ``after_step``; else None.

    Every candidate is compared in constant time, and all of them are compared, so the answer's timing does not
    tell which step matched.
    """
    code = clean_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = current_step(at)
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and step > after_step and found is None:
            found = step
    return found


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh recovery codes, written ``abcd-efgh-jkmn`` for reading off paper."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """HMAC-SHA256 of a cleaned recovery code, keyed from the master key: a dump of the table is useless alone.

    A fast keyed hash is enough (unlike a password hash): the codes are random with ~59 bits, not chosen by people.
    """
    key = hashlib.sha256(b"webcare:two-factor-recovery:" + settings.WEBCARE_MASTER_KEY.encode("utf-8")).digest()
    return hmac.new(key, clean_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    cleaned = clean_code(code)
    return len(cleaned) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in cleaned)
