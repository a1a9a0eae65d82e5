"""Customers and their identities: one person, many handles across channels.

Merging and splitting move identities (and the conversations they started) between customers; every move is written
to :class:`CustomerHistory` so it can be shown, audited and undone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from webcare.core.models import ChannelKind, Organisation
from webcare.keys.fields import EncryptedTextField


class Customer(models.Model):
    """A person (or company) who contacts the brand, on any number of channels."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200, blank=True)
    customer_number = models.CharField(max_length=64, blank=True)
    #: Encrypted at rest with this customer's data key (webcare/keys).
    notes = EncryptedTextField(blank=True)
    #: The id of this customer's data key in the keyring (webcare/keys): what their messages are encrypted with.
    #: Destroying that key is crypto-shredding. Null until the first thing is encrypted for them.
    data_key = models.UUIDField(null=True, blank=True)
    #: Set when this customer was merged into another; the row stays so old links and the history still resolve.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "name"], name="customer_org_name"),
            # The card's "another customer has this number" hint looks customers up by number on every open.
            models.Index(fields=["organisation", "customer_number"], name="customer_org_number"),
        ]

    def __str__(self) -> str:
        return self.name or f"Customer {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new customer with notes is inserted first and given its notes after, as their key needs its id."""
        if self.pk is not None or not self.notes:
            super().save(*args, **kwargs)
            return
        notes, self.notes = self.notes, ""
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            self.notes = notes
            super().save(update_fields=["notes"], using=kwargs.get("using"))

    def encryption_owner(self) -> tuple[int, int | None]:
        """The notes are encrypted with this customer's own key, which needs the customer's id."""
        if self.pk is None:
            raise ValueError("a new customer's notes can be written once the customer is saved (its data key "
                             "belongs to its id); use save(), which does that")
        return self.organisation_id, self.pk


class Identity(models.Model):
    """One handle of a customer on one platform (an X account, a phone number on WhatsApp, an e-mail address)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="identities")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    platform = models.CharField(max_length=16, choices=ChannelKind.choices)
    #: The platform's stable id for the person (user id, phone number, address); unique per platform and brand.
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "platform", "external_id"], name="identity_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "handle"], name="identity_handle")]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle or self.external_id}"


class HistoryKind(models.TextChoices):
    MERGE = "merge", "Merged"
    SPLIT = "split", "Split"


class CustomerHistory(models.Model):
    """A merge or split: which identities and conversations moved from which customer to which."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=HistoryKind.choices)
    #: The customer that received the identities.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="history")
    #: The customer they came from.
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    identity_ids = models.JSONField(default=list)
    conversation_ids = models.JSONField(default=list)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "customer history"

    def __str__(self) -> str:
        return f"{self.kind} {self.other_id} → {self.customer_id}"


class CustomerEdit(models.Model):
    """One change of one of a customer's own fields (name, customer number, notes): who, when, old and new value.

    Why a row per field: the card says "edited by Kari, 2 hours ago", and anyone can see what a customer was called
    before — the same audit trail tickets have in ``TicketEvent``. Written only by
    :func:`webcare.customers.edit.do_edit_customer`.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="edits")
    field = models.CharField(max_length=32)
    #: The values, encrypted at rest with the customer's data key like the notes they may hold.
    old = EncryptedTextField(blank=True)
    new = EncryptedTextField(blank=True)
    #: Null when the change came through the API (a token, not a person) or the person was deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["customer", "-at", "-id"], name="customeredit_recent")]

    def __str__(self) -> str:
        return f"{self.field} of customer {self.customer_id}"

    def encryption_owner(self) -> tuple[int, int | None]:
        return self.customer.organisation_id, self.customer_id
