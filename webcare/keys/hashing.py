"""Keyed hashes of identifiers: a way to recognise a value again without storing it.

Why keyed (HMAC) and not a plain SHA-256: phone numbers and e-mail addresses are few enough to hash them all;
without the key, a stolen hash reveals nothing. The key is an install-wide data key in the keyring (wrapped by the
master key like every other), not the master key itself: rotating the master key must not change the hashes, or the
ledger of erased people would no longer recognise them.
"""

from __future__ import annotations

import hashlib
import hmac

from webcare.keys.keyring import hashing_secret


def identifier_hash(normalised: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised identifier (see webcare/gdpr for the normalisation)."""
    return hmac.new(hashing_secret(), normalised.encode("utf-8"), hashlib.sha256).hexdigest()
