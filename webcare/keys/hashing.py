"""Keyed hashes of identifiers: a way to recognise a value again without storing it.

Why keyed (HMAC with a key derived from the master key) and not a plain SHA-256: phone numbers and e-mail
addresses are few enough to hash them all; without the key, a stolen hash reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def identifier_hash(normalised: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised identifier (see webcare/gdpr for the normalisation)."""
    key = hashlib.sha256(b"webcare:identifier:" + settings.WEBCARE_MASTER_KEY.encode("utf-8")).digest()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
