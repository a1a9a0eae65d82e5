"""Master-key rotation and the keyring's state.

Rotation (``webcare keys rotate``): the new master key goes in ``WEBCARE_MASTER_KEY``, the old ones in
``WEBCARE_MASTER_KEY_PREVIOUS``. Every data key still wrapped by an old master key is unwrapped and wrapped again by
the new one, in batches that each commit on their own, so an interrupted rotation resumes where it stopped (the rows
left are exactly those whose ``kek_id`` is not the new key's fingerprint). The channels' credentials are encrypted
again under the new key. The data itself — messages, notes, files — is not touched: that is the point of envelope
encryption, and why a rotation of a large install takes seconds, not hours.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections, transaction

from webcare import crypto
from webcare.audit import actions
from webcare.audit.log import record
from webcare.keys import keyring
from webcare.keys.models import DataKey
from webcare.keys.router import KEYRING

BATCH = 500
Progress = Callable[[int], None]


@dataclass
class RotationReport:
    """What a rotation did; ``unreadable`` are keys (ids) and channels (slugs) no configured master key opens."""

    new_fingerprint: str
    rewrapped: int = 0
    channels: int = 0
    unreadable_keys: list[str] = field(default_factory=list)
    unreadable_channels: list[str] = field(default_factory=list)


def keys_to_rewrap() -> int:
    return DataKey.objects.using(KEYRING).exclude(kek_id=keyring.current_kek_id()).count()


def rewrap_keys(report: RotationReport, progress: Progress | None = None, batch: int = BATCH) -> None:
    """Rewrap every data key not wrapped by the current master key, one committed batch at a time."""
    current, new_kek = keyring.current_kek_id(), keyring.keks()[keyring.current_kek_id()]
    db = connections[KEYRING]
    table = db.ops.quote_name(DataKey._meta.db_table)
    after = None
    while True:
        rows = DataKey.objects.using(KEYRING).exclude(kek_id=current).order_by("pk")
        if after is not None:
            rows = rows.filter(pk__gt=after)
        chunk = list(rows.values_list("pk", "wrapped", "kek_id")[:batch])
        if not chunk:
            return
        after = chunk[-1][0]
        updates = []
        for key_id, wrapped, kek_id in chunk:
            secret = keyring.unwrap(wrapped, key_id, kek_id)
            if secret is None:
                report.unreadable_keys.append(str(key_id))
                continue
            field_ = DataKey._meta.get_field("wrapped")
            updates.append([field_.get_db_prep_save(keyring.wrap(secret, key_id, new_kek), db), current,
                            DataKey._meta.pk.get_db_prep_save(key_id, db), kek_id])  # type: ignore[union-attr]
        with transaction.atomic(using=KEYRING), db.cursor() as cursor:
            # Only rows still as read: a concurrent rotation's work is not done twice.
            cursor.executemany(f"UPDATE {table} SET wrapped = %s, kek_id = %s "  # noqa: S608  # nosec B608
                               "WHERE id = %s AND kek_id = %s", updates)
        report.rewrapped += len(updates)
        if progress is not None:
            progress(len(chunk))


def reencrypt_channels(report: RotationReport) -> None:
    """Encrypt every channel's credentials again under the current master key (those not already)."""
    from webcare.core.models import Channel

    current = [crypto.current_master()]
    for channel in Channel.objects.exclude(credentials_encrypted="").order_by("pk"):
        aad = channel._credentials_aad()
        try:
            crypto.decrypt_json(channel.credentials_encrypted, "channel-credentials", aad, masters=current)
            continue  # already under the current key
        except crypto.DecryptionError:
            pass
        try:
            values = crypto.decrypt_json(channel.credentials_encrypted, "channel-credentials", aad)
        except crypto.DecryptionError:
            report.unreadable_channels.append(f"{channel.organisation_id}/{channel.slug}")
            continue
        channel.set_credentials(values)
        channel.save(update_fields=["credentials_encrypted"])
        report.channels += 1


def rotate(progress: Progress | None = None, actor_label: str = "cli") -> RotationReport:
    """Rewrap every data key and re-encrypt channel credentials under the current master key; audit it."""
    report = RotationReport(new_fingerprint=keyring.current_kek_id())
    rewrap_keys(report, progress)
    with transaction.atomic():
        reencrypt_channels(report)
        record(actions.KEYS_ROTATED, actor_label=actor_label, target=f"master:{report.new_fingerprint}",
               detail={"fingerprint": report.new_fingerprint, "keys_rewrapped": report.rewrapped,
                       "channels": report.channels, "unreadable_keys": len(report.unreadable_keys),
                       "unreadable_channels": len(report.unreadable_channels)})
    keyring.forget_all()
    return report


@dataclass
class Status:
    """How many keys each master key wraps, by kind; which fingerprints no configured key matches."""

    current: str
    previous: list[str]
    by_fingerprint: dict[str, Counter[str]]
    unreadable: int = 0
    checked: int = 0
    unreadable_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.by_fingerprint.values())

    def label(self, fingerprint: str) -> str:
        if fingerprint == self.current:
            return "current"
        if fingerprint in self.previous:
            return "previous (rotate)"
        return "unknown master key: unreadable"


def status(verify: bool = False, progress: Progress | None = None) -> Status:
    """Keys per master fingerprint and kind; unreadable: keys of unknown masters, plus (``verify``) any that do not
    unwrap with the key their fingerprint names."""
    known = keyring.keks()
    current = keyring.current_kek_id()
    result = Status(current=current, previous=[fp for fp in known if fp != current], by_fingerprint={})
    rows = DataKey.objects.using(KEYRING).values_list("kek_id", "kind").order_by()
    for kek_id, kind in rows.iterator(chunk_size=2000):
        result.by_fingerprint.setdefault(kek_id, Counter())[kind] += 1
    result.unreadable = sum(sum(kinds.values()) for fp, kinds in result.by_fingerprint.items() if fp not in known)
    if verify:
        after = None
        while True:
            chunk = DataKey.objects.using(KEYRING).filter(kek_id__in=list(known)).order_by("pk")
            if after is not None:
                chunk = chunk.filter(pk__gt=after)
            batch = list(chunk.values_list("pk", "wrapped", "kek_id")[:BATCH])
            if not batch:
                break
            after = batch[-1][0]
            for key_id, wrapped, kek_id in batch:
                if keyring.unwrap(wrapped, key_id, kek_id) is None:
                    result.unreadable += 1
                    result.unreadable_ids.append(str(key_id))
            result.checked += len(batch)
            if progress is not None:
                progress(len(batch))
    return result
