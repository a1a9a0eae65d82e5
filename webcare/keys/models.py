"""The keyring: every data-encryption key, wrapped by the master key, and the ledger of erased people.

Why a database of its own (the ``keyring`` alias, routed by :mod:`webcare.keys.router`): crypto-shredding only
works if a backup of the main database does not also hold the key. Destroying a customer's :class:`DataKey` row
here makes every copy of their encrypted messages — live, in a backup, on a replica — unreadable, and the
:class:`ErasedSubject` ledger lets ``webcare gdpr reapply`` clean a restored backup of what was not encrypted.
Rows here never point at the main database with foreign keys (another database), only with plain ids.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class KeyKind(models.TextChoices):
    """What a data key is for.

    ``customer``: one customer's messages, notes and files. ``organisation``: one per organisation, for messages with
    no customer. ``file``: made for files stored before their owner is known (an e-mail's attachments are stored when
    the mail is read, before the worker creates its customer); the worker sets ``customer_id`` once it knows, so the
    customer's erasure destroys it too. ``hashing``: the one install-wide key of keyed identifier hashes
    (:mod:`webcare.keys.hashing`), kept here so that rotating the master key does not change the hashes.
    """

    CUSTOMER = "customer", "Customer"
    ORGANISATION = "organisation", "Organisation"
    FILE = "file", "File (owner set later)"
    HASHING = "hashing", "Identifier hashing"


class DataKey(models.Model):
    """One 256-bit data key, wrapped (AES-GCM) by a master key. Deleting the row is crypto-shredding."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation_id = models.BigIntegerField()
    #: The customer whose data it encrypts; null for an organisation's own key (messages with no customer).
    customer_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=KeyKind.choices, default=KeyKind.CUSTOMER)
    #: nonce + AES-GCM(master key, data key), authenticated with this row's id.
    wrapped = models.BinaryField()
    #: Which master key wrapped it (a short fingerprint), so rotation knows what is left to rewrap.
    kek_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "customer_id"], name="datakey_customer"),
            models.Index(fields=["kek_id"], name="datakey_kek"),
        ]
        constraints = [
            # One organisation key per organisation and one hashing key per install, also with two processes
            # creating it at the same moment.
            models.UniqueConstraint(fields=["organisation_id", "kind"],
                                    condition=models.Q(kind__in=["organisation", "hashing"]),
                                    name="datakey_one_shared_key"),
        ]

    def __str__(self) -> str:
        return f"data key {self.id} (customer {self.customer_id})"


class ErasedSubject(models.Model):
    """A person erased under GDPR art. 17: what a restored backup must be cleaned of again.

    Holds no personal data: identifiers only as keyed hashes (HMAC-SHA256 from the master key), customer ids of the
    main database, and the ids of the data keys destroyed.
    """

    organisation_id = models.BigIntegerField()
    customer_ids = models.JSONField(default=list)
    identifier_hashes = models.JSONField(default=list)
    key_ids = models.JSONField(default=list)
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "erased_at"], name="erased_org_at")]

    def __str__(self) -> str:
        return f"erasure of customers {self.customer_ids} at {self.erased_at:%Y-%m-%d}"
