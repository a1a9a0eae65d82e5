"""The stored forms of encrypted values: text tokens for database columns, a header for files.

Text: ``wce1:<key id, 32 hex digits>:<base64(nonce + AES-GCM ciphertext)>``. The key id is in the value itself, so
reading a column needs no join and no lookup of whose it is; the prefix tells ciphertext from plaintext left from
before encryption (read as it is). The ciphertext is authenticated with the column's label and the key id, so a
value copied into another column, or given another key id, does not decrypt.

Files: ``WCF1`` + key id (16 bytes) + nonce + ciphertext, authenticated with the file's organisation and name.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import uuid
from typing import Final

from cryptography.exceptions import InvalidTag
from django.utils.translation import gettext

from webcare.keys.keyring import Key, Missing, MissingReason, get_key

PREFIX: Final = "wce1:"
TOKEN: Final = re.compile(r"^wce1:(?P<key>[0-9a-f]{32}):(?P<body>[A-Za-z0-9+/]+={0,2})$")
FILE_MAGIC: Final = b"WCF1"
_HEX: Final = re.compile(r"[0-9a-f]{32}")
_NONCE: Final = 12
_FILE_HEADER: Final = len(FILE_MAGIC) + 16


class Token(str):
    """A value already in its stored (encrypted) form: written as it is, never encrypted again."""

    __slots__ = ()


class Unreadable(str):
    """What reading an encrypted value gives when its key is gone (``erased``) or does not open it (``unreadable``).

    It reads as a short notice ("[erased]"), so pages show it instead of failing, and keeps the stored token: saving
    a row that holds one writes the ciphertext back unchanged instead of destroying it.
    """

    reason: str
    stored: str

    def __new__(cls, reason: str, stored: str) -> Unreadable:
        shown = gettext("[erased]") if reason == MissingReason.ERASED else gettext("[cannot be decrypted]")
        value = super().__new__(cls, shown)
        value.reason = reason
        value.stored = stored
        return value

    def __reduce__(self) -> tuple[type[Unreadable], tuple[str, str]]:  # copy and pickle keep reason and token
        return (Unreadable, (self.reason, self.stored))


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX) and TOKEN.match(value) is not None


def token_key_id(value: str) -> uuid.UUID | None:
    match = TOKEN.match(value) if value.startswith(PREFIX) else None
    return uuid.UUID(match["key"]) if match else None


def _associated(label: str, key_id: uuid.UUID) -> bytes:
    return b"webcare:" + label.encode("utf-8") + b":" + key_id.bytes


def seal_text(key: Key, plaintext: str, label: str) -> Token:
    """Encrypt ``plaintext`` for the column ``label`` (e.g. ``conversations.message.text``)."""
    nonce = os.urandom(_NONCE)
    body = key.aead.encrypt(nonce, plaintext.encode("utf-8"), _associated(label, key.id))
    return Token(f"{PREFIX}{key.id.hex}:{base64.b64encode(nonce + body).decode('ascii')}")


def open_text(stored: str, label: str, key: Key | Missing | None = None) -> str:
    """The plaintext of a stored value: a token decrypted, anything else (legacy plaintext) as it is, or an
    :class:`Unreadable` when the key is gone or the value was changed. ``key`` skips the lookup when known."""
    if not stored.startswith(PREFIX):
        return stored
    # Parsed by position (the regular expression costs more than the decryption on a long text).
    head, body = stored[len(PREFIX) : len(PREFIX) + 32], stored[len(PREFIX) + 33 :]
    if stored[len(PREFIX) + 32 : len(PREFIX) + 33] != ":" or not _HEX.fullmatch(head):
        return stored
    try:
        raw = base64.b64decode(body, validate=True)
    except (ValueError, binascii.Error):
        return stored  # not a token after all: text that happens to start like one
    key_id = uuid.UUID(head)
    if key is None or key.id != key_id:
        key = get_key(key_id)
    if isinstance(key, Missing):
        return Unreadable(key.reason, stored)
    try:
        return key.aead.decrypt(raw[:_NONCE], raw[_NONCE:], _associated(label, key_id)).decode("utf-8")
    except (InvalidTag, ValueError):
        return Unreadable(MissingReason.UNREADABLE, stored)


# -- files ---------------------------------------------------------------------------------------------------------
def seal_bytes(key: Key, data: bytes, label: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return FILE_MAGIC + key.id.bytes + nonce + key.aead.encrypt(nonce, data, _associated(label, key.id))


def file_key_id(head: bytes) -> uuid.UUID | None:
    """The key id in a sealed file's first bytes, or None for a plain (legacy) file."""
    if len(head) >= _FILE_HEADER and head[: len(FILE_MAGIC)] == FILE_MAGIC:
        return uuid.UUID(bytes=head[len(FILE_MAGIC) : _FILE_HEADER])
    return None


def open_bytes(data: bytes, label: str) -> bytes | Missing:
    """A sealed file's bytes (a plain legacy file as it is), or :class:`Missing` when it cannot be opened."""
    key_id = file_key_id(data)
    if key_id is None:
        return data
    key = get_key(key_id)
    if isinstance(key, Missing):
        return key
    body = data[_FILE_HEADER:]
    try:
        return key.aead.decrypt(body[:_NONCE], body[_NONCE:], _associated(label, key_id))
    except (InvalidTag, ValueError):
        return Missing(key_id, MissingReason.UNREADABLE)
