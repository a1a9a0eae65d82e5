"""Data keys: create, wrap, unwrap and cache them (envelope encryption).

Every customer has a data key of their own (32 random bytes) that encrypts their messages, notes, raw deliveries and
files. The key is stored only *wrapped* — AES-GCM under a key-encryption key (KEK) derived from the master key,
authenticated with the key's id — in the keyring database (:mod:`webcare.keys.models`). Why per customer: erasing a
person is then destroying one row (crypto-shredding), and every copy of their data — live, in a backup, on a replica
— becomes unreadable at once. Why wrapped: rotating the master key rewraps a few thousand small keys instead of
re-encrypting every message.

The hot path (a worker batch of 500 messages) asks for all its keys at once: :func:`keys_for_customers` reads the
customers' key ids in one query, the missing wrapped keys in one keyring query, and creates the keys of new customers
in one insert. Unwrapped keys are kept in a bounded per-process LRU with an expiry, so a key destroyed by an erasure
in another process stops working here within ``WEBCARE_KEY_CACHE_SECONDS``.

A key that is gone (erased) or cannot be unwrapped (wrong master key, tampered row) is reported as a
:class:`Missing` value — never an exception in a page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connections, transaction

from webcare import crypto
from webcare.keys.models import DataKey, KeyKind
from webcare.keys.router import KEYRING

logger = logging.getLogger("webcare.keys")

KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
#: Organisation id of install-wide keys (the hashing key).
INSTALL: Final = 0


@dataclass(frozen=True, slots=True, eq=False)
class Key:
    """One unwrapped data key. ``secret`` never leaves the process; ``aead`` is the ready AES-GCM cipher."""

    id: uuid.UUID
    organisation_id: int
    customer_id: int | None
    secret: bytes
    aead: AESGCM

    def __repr__(self) -> str:  # the secret must never reach a log or a traceback
        return f"Key({self.id}, organisation={self.organisation_id}, customer={self.customer_id})"


class MissingReason:
    ERASED: Final = "erased"
    UNREADABLE: Final = "unreadable"


@dataclass(frozen=True, slots=True)
class Missing:
    """A key that cannot be used: ``erased`` (its row is gone: crypto-shredded) or ``unreadable`` (no configured
    master key opens it, or the row was changed)."""

    id: uuid.UUID
    reason: str


class KeyringError(Exception):
    """The keyring cannot give a key that must exist (e.g. a just-created key does not unwrap)."""


# -- master keys ---------------------------------------------------------------------------------------------------
def _kek(master: str) -> bytes:
    return crypto.derive("keyring:kek", master)


def current_kek_id() -> str:
    return crypto.fingerprint(crypto.current_master())


def keks() -> dict[str, bytes]:
    """Fingerprint → key-encryption key, for the current and the previous master keys."""
    return {crypto.fingerprint(master): _kek(master) for master in crypto.master_keys()}


def _associated(key_id: uuid.UUID) -> bytes:
    return b"webcare:datakey:" + key_id.bytes


def wrap(secret: bytes, key_id: uuid.UUID, kek: bytes | None = None) -> bytes:
    """nonce + AES-GCM(KEK, secret), authenticated with the key's id (a wrapped key copied to another row fails)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek or _kek(crypto.current_master())).encrypt(nonce, secret, _associated(key_id))


def unwrap(wrapped: bytes | memoryview, key_id: uuid.UUID, kek_id: str) -> bytes | None:
    """The secret of a wrapped key, or None when no configured master key opens it."""
    data = bytes(wrapped)
    available = keks()
    # The master key it says first, then the others (a row whose kek_id was not updated still opens).
    order = [available[kek_id]] if kek_id in available else []
    order += [kek for fp, kek in available.items() if fp != kek_id]
    for kek in order:
        try:
            return AESGCM(kek).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _associated(key_id))
        except (InvalidTag, ValueError):
            continue
    return None


# -- the per-process cache -----------------------------------------------------------------------------------------
class _Cache:
    """A bounded LRU of unwrapped keys (and of ids known to be missing), each entry expiring after a while."""

    def __init__(self) -> None:
        self._entries: OrderedDict[uuid.UUID, tuple[float, Key | Missing]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id: uuid.UUID) -> Key | Missing | None:
        with self._lock:
            entry = self._entries.get(key_id)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key_id]
                return None
            self._entries.move_to_end(key_id)
            return entry[1]

    def put(self, value: Key | Missing) -> None:
        ttl = float(settings.WEBCARE_KEY_CACHE_SECONDS)
        if ttl <= 0:
            return
        if isinstance(value, Missing):
            ttl = min(ttl, 60.0)
        with self._lock:
            self._entries[value.id] = (time.monotonic() + ttl, value)
            self._entries.move_to_end(value.id)
            while len(self._entries) > settings.WEBCARE_KEY_CACHE_SIZE:
                self._entries.popitem(last=False)

    def drop(self, key_ids: Iterable[uuid.UUID]) -> None:
        with self._lock:
            for key_id in key_ids:
                self._entries.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = _Cache()
#: (organisation id, kind) → id of its organisation or hashing key (ids never change, so this needs no expiry).
_SHARED_KEYS: dict[tuple[int, str], uuid.UUID] = {}


def forget(key_ids: Iterable[uuid.UUID | str]) -> None:
    """Drop keys from this process's cache (after destroying them, or after rotation in tests)."""
    CACHE.drop(uuid.UUID(str(key_id)) for key_id in key_ids)


def forget_all() -> None:
    CACHE.clear()
    _SHARED_KEYS.clear()


def _make_key(row_id: uuid.UUID, organisation_id: int, customer_id: int | None, secret: bytes) -> Key:
    return Key(row_id, organisation_id, customer_id, secret, AESGCM(secret))


# -- reading keys --------------------------------------------------------------------------------------------------
def get_keys(key_ids: Iterable[uuid.UUID | str]) -> dict[uuid.UUID, Key | Missing]:
    """The keys with these ids: cached ones at once, the others in one keyring query."""
    wanted = {uuid.UUID(str(key_id)) for key_id in key_ids}
    found: dict[uuid.UUID, Key | Missing] = {}
    for key_id in wanted:
        if (cached := CACHE.get(key_id)) is not None:
            found[key_id] = cached
    todo = [key_id for key_id in wanted if key_id not in found]
    for start in range(0, len(todo), 500):
        chunk = todo[start : start + 500]
        rows = DataKey.objects.using(KEYRING).filter(pk__in=chunk).values_list(
            "pk", "organisation_id", "customer_id", "wrapped", "kek_id")
        for row_id, organisation_id, customer_id, wrapped, kek_id in rows:
            secret = unwrap(wrapped, row_id, kek_id)
            if secret is None:
                logger.warning("data key %s cannot be unwrapped with the configured master keys", row_id)
                found[row_id] = Missing(row_id, MissingReason.UNREADABLE)  # not cached: a fixed setting opens it
                continue
            key = _make_key(row_id, organisation_id, customer_id, secret)
            CACHE.put(key)
            found[row_id] = key
        for key_id in chunk:
            if key_id not in found:
                found[key_id] = Missing(key_id, MissingReason.ERASED)
                CACHE.put(found[key_id])
    return found


def get_key(key_id: uuid.UUID | str) -> Key | Missing:
    return get_keys([key_id])[uuid.UUID(str(key_id))]


# -- creating keys -------------------------------------------------------------------------------------------------
def _create(organisation_id: int, specs: list[tuple[int | None, str]]) -> list[Key]:
    """Create one key per (customer id, kind) in one insert on the keyring.

    The keyring is a database of its own, so the insert commits on its own (autocommit) whatever the caller's
    transaction on the main database does. A batch that rolls back afterwards leaves its new keys behind as
    orphans: harmless, since nothing was encrypted with them that survived, they name their customer (so that
    customer's erasure destroys them too), and the next batch makes fresh ones.
    """
    kek_id, kek = current_kek_id(), _kek(crypto.current_master())
    keys, rows = [], []
    for customer_id, kind in specs:
        row_id, secret = uuid.uuid4(), os.urandom(KEY_BYTES)
        rows.append(DataKey(id=row_id, organisation_id=organisation_id, customer_id=customer_id, kind=kind,
                            wrapped=wrap(secret, row_id, kek), kek_id=kek_id))
        keys.append(_make_key(row_id, organisation_id, customer_id, secret))
    DataKey.objects.using(KEYRING).bulk_create(rows, batch_size=500)
    for key in keys:
        CACHE.put(key)
    return keys


def keys_for_customers(organisation_id: int, customer_ids: Iterable[int]) -> dict[int, Key]:
    """The data key of each customer (of this organisation), creating the missing ones.

    One query for the customers' key ids, one keyring query for keys not cached, one keyring insert for new keys,
    and one UPDATE (executemany) that sets ``Customer.data_key`` in the caller's transaction on the main database.
    A customer whose key was destroyed (erased) and who writes again gets a new key. Customers that do not exist in
    this organisation are left out of the result.
    """
    from webcare.customers.models import Customer

    ids = sorted({int(cid) for cid in customer_ids if cid is not None})
    if not ids:
        return {}
    current: dict[int, uuid.UUID | None] = {}
    for start in range(0, len(ids), 500):
        current.update(Customer.objects.filter(organisation_id=organisation_id, pk__in=ids[start : start + 500])
                       .values_list("pk", "data_key"))
    known = get_keys(key_id for key_id in current.values() if key_id is not None)
    result: dict[int, Key] = {}
    missing: list[int] = []
    for customer_id, key_id in current.items():
        key = known.get(key_id) if key_id is not None else None
        if isinstance(key, Key):
            result[customer_id] = key
        else:
            if isinstance(key, Missing) and key.reason == MissingReason.UNREADABLE:
                # A key no configured master opens (wrong WEBCARE_MASTER_KEY?): never write new data under a new key
                # silently, the old data would look lost.
                raise KeyringError(f"the data key of customer {customer_id} cannot be unwrapped: is "
                                   "WEBCARE_MASTER_KEY (or WEBCARE_MASTER_KEY_PREVIOUS) the one that wrapped it?")
            missing.append(customer_id)
    if missing:
        created = _create(organisation_id, [(cid, KeyKind.CUSTOMER) for cid in missing])
        result.update(zip(missing, created, strict=True))
        _set_customer_keys([(key.id, cid) for cid, key in zip(missing, created, strict=True)])
    return result


def _set_customer_keys(pairs: list[tuple[uuid.UUID, int]]) -> None:
    from webcare.customers.models import Customer

    connection = connections[Customer.objects.db]
    quote = connection.ops.quote_name
    table, column = quote(Customer._meta.db_table), quote("data_key")
    uuid_field = Customer._meta.get_field("data_key")
    rows = [[uuid_field.get_db_prep_save(key_id, connection), cid] for key_id, cid in pairs]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", rows)  # noqa: S608  # nosec B608


def key_for_customer(organisation_id: int, customer_id: int | None) -> Key:
    """One customer's key (created when missing), or the organisation's key when there is no customer."""
    if customer_id is not None:
        found = keys_for_customers(organisation_id, [customer_id])
        if customer_id in found:
            return found[customer_id]
    return organisation_key(organisation_id)


def _shared_key(organisation_id: int, kind: str) -> Key:
    """The one key of ``kind`` (organisation or hashing) of an organisation, created on first use."""
    if (known := _SHARED_KEYS.get((organisation_id, kind))) is not None:
        key = get_key(known)
        if isinstance(key, Key):
            return key
    row = (DataKey.objects.using(KEYRING).filter(organisation_id=organisation_id, kind=kind)
           .values_list("pk", flat=True).first())
    if row is None:
        try:
            with transaction.atomic(using=KEYRING):
                created = _create(organisation_id, [(None, kind)])[0]
            row = created.id
        except IntegrityError:  # another process made it at the same moment: use theirs
            row = DataKey.objects.using(KEYRING).get(organisation_id=organisation_id, kind=kind).pk
    key = get_key(row)
    if not isinstance(key, Key):
        raise KeyringError(f"the {kind} key of organisation {organisation_id} is {key.reason}")
    _SHARED_KEYS[(organisation_id, kind)] = key.id
    return key


def organisation_key(organisation_id: int) -> Key:
    """The organisation's own key: for messages with no customer (and nothing personal of anyone in particular)."""
    return _shared_key(organisation_id, KeyKind.ORGANISATION)


def hashing_secret() -> bytes:
    """The install-wide secret of keyed identifier hashes (see :mod:`webcare.keys.hashing`)."""
    return hashlib.sha256(b"webcare:identifier-hash:" + _shared_key(INSTALL, KeyKind.HASHING).secret).digest()


def file_key(organisation_id: int) -> Key:
    """A new key for files stored before their owner is known; :func:`adopt` gives it to the customer later."""
    return _create(organisation_id, [(None, KeyKind.FILE)])[0]


def adopt(organisation_id: int, customer_id: int, key_ids: Iterable[uuid.UUID | str]) -> int:
    """Give ownerless file keys to ``customer_id`` (so their erasure destroys them). Returns how many changed."""
    ids = [uuid.UUID(str(key_id)) for key_id in key_ids]
    if not ids:
        return 0
    changed = (DataKey.objects.using(KEYRING)
               .filter(pk__in=ids, organisation_id=organisation_id, kind=KeyKind.FILE, customer_id__isnull=True)
               .update(customer_id=customer_id))
    forget(ids)  # cached copies carry the old owner
    return changed
