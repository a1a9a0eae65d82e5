"""Crypto-shredding: destroy customers' data keys, so every copy of what they encrypted becomes unreadable.

Called by the erasure (webcare/gdpr) inside its own flow; this module only destroys keys. Every key that names the
customer goes — their current one (``Customer.data_key``), keys left by a rolled-back batch, and file keys adopted
for their e-mail attachments — so nothing encrypted for them can be opened again: not the live rows, not a backup of
the main database restored later (the keyring is a database of its own, backed up separately with a short
retention: docs/privacy.md).

The keyring delete commits on its own (the keyring is another database): destroying a key cannot be rolled back by
a failure later in the erasure, which is the safe direction for an erasure.
"""

from __future__ import annotations

from collections.abc import Iterable

from webcare.keys import keyring
from webcare.keys.models import DataKey
from webcare.keys.router import KEYRING


def destroy_customer_keys(organisation_id: int, customer_ids: Iterable[int]) -> list[str]:
    """Delete every data key of these customers (of this organisation) and drop them from this process's cache.

    Returns the ids of the keys destroyed (as strings, for the erasure ledger). Other processes stop using their
    cached copies within ``WEBCARE_KEY_CACHE_SECONDS``.
    """
    from webcare.customers.models import Customer

    ids = sorted({int(cid) for cid in customer_ids})
    if not ids:
        return []
    destroyed: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = DataKey.objects.using(KEYRING).filter(organisation_id=organisation_id, customer_id__in=chunk)
        key_ids = set(rows.values_list("pk", flat=True))
        # The keys the customer rows point at, too (whatever customer they were made for).
        key_ids |= {key_id for key_id in Customer.objects.filter(organisation_id=organisation_id, pk__in=chunk)
                    .values_list("data_key", flat=True) if key_id is not None}
        if key_ids:
            DataKey.objects.using(KEYRING).filter(pk__in=key_ids).delete()
            keyring.forget(key_ids)
            destroyed += [str(key_id) for key_id in key_ids]
    return sorted(destroyed)
