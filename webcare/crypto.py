"""Authenticated encryption of small secrets at rest (AES-256-GCM from ``cryptography``).

Why here and not a library field: channel credentials (and, in the privacy work, per-customer data keys) must be
unreadable in a database dump without the master key, and GCM also detects tampering. The master key comes from
``WEBCARE_MASTER_KEY`` (or ``_FILE``), or a key file made on first run in the data directory.

Rotation: a new master key goes in ``WEBCARE_MASTER_KEY`` and the old ones in ``WEBCARE_MASTER_KEY_PREVIOUS``.
Decryption tries the current key first, then the previous ones, so nothing stops working between changing the
environment and running ``webcare keys rotate``, which re-encrypts under the current key what the old ones made.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext was made with another key or was changed."""


def current_master() -> str:
    return str(settings.WEBCARE_MASTER_KEY)


def master_keys() -> list[str]:
    """The current master key, then the previous ones (rotation), without repeats."""
    previous = list(getattr(settings, "WEBCARE_MASTER_KEY_PREVIOUS", []) or [])
    return list(dict.fromkeys([current_master(), *previous]))


def fingerprint(master: str) -> str:
    """A short, non-secret name for a master key (16 hex digits): which key wrapped what, without revealing it."""
    return hashlib.sha256(b"webcare:fingerprint:" + master.encode("utf-8")).hexdigest()[:16]


def derive(purpose: str, master: str) -> bytes:
    """A 256-bit key for one purpose, derived from a master key so one leak does not open everything."""
    return hashlib.sha256(b"webcare:" + purpose.encode("utf-8") + b":" + master.encode("utf-8")).digest()


def _key(purpose: str) -> bytes:
    return derive(purpose, current_master())


def encrypt(plaintext: bytes, purpose: str, associated: bytes = b"") -> bytes:
    """Encrypt ``plaintext`` under the current master key; ``associated`` (e.g. the row's id) is authenticated but
    not stored."""
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(_key(purpose)).encrypt(nonce, plaintext, associated)


def decrypt(ciphertext: bytes, purpose: str, associated: bytes = b"", masters: list[str] | None = None) -> bytes:
    """Decrypt what :func:`encrypt` made, trying ``masters`` (default: the current key, then the previous ones), or
    raise :class:`DecryptionError`."""
    if len(ciphertext) < 1 + _NONCE_BYTES + 16 or ciphertext[:1] != _VERSION:
        raise DecryptionError("not a webcare ciphertext")
    nonce, body = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
    for master in master_keys() if masters is None else masters:
        try:
            return AESGCM(derive(purpose, master)).decrypt(nonce, body, associated)
        except InvalidTag:
            continue
    raise DecryptionError("wrong key or tampered data")


def encrypt_json(value: dict[str, Any], purpose: str, associated: bytes = b"") -> str:
    """Encrypt a JSON-serialisable dict into printable text (base64) for a text column."""
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.b64encode(encrypt(raw, purpose, associated)).decode("ascii")


def decrypt_json(token: str, purpose: str, associated: bytes = b"",
                 masters: list[str] | None = None) -> dict[str, Any]:
    """Decrypt what :func:`encrypt_json` made (``masters`` as in :func:`decrypt`)."""
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
    except ValueError as exc:
        raise DecryptionError("not base64") from exc
    value = json.loads(decrypt(raw, purpose, associated, masters))
    if not isinstance(value, dict):
        raise DecryptionError("not a JSON object")
    return value
