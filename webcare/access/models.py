"""Reveals of personal data, and the purposes people may give for them.

A :class:`Reveal` row says who saw which personal data (a message's original text, a customer's contact details)
when, from where, and why. It is written in the same transaction as the matching audit entry
(``privacy.reveal``) by :func:`webcare.access.reveal.do_reveal`, the only writer. Targets are plain ids, not foreign
keys: erasing a customer (webcare/gdpr) must neither delete nor be blocked by the record that somebody looked at
their data — and the row holds no personal data itself, only ids, the purpose and the person's own reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webcare.access.purposes import Purpose
from webcare.core.models import Organisation


class RevealPurpose(models.Model):
    """One purpose of an organisation's own list (once an admin edited it; until then the defaults apply)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reveal_purposes")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    needs_reason = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="reveal_purpose_key_unique")]
        ordering = ["organisation_id", "position", "id"]

    def __str__(self) -> str:
        return self.label

    def as_purpose(self) -> Purpose:
        return Purpose(self.key, self.label, self.needs_reason)


class RevealField(models.TextChoices):
    """What was revealed."""

    MESSAGE = "message", _("A message's original text")
    CONTACT = "contact", _("A customer's contact details")
    API_TICKET = "api_ticket", _("API: a ticket's messages")
    API_MESSAGES = "api_messages", _("API: messages")
    API_CUSTOMER = "api_customer", _("API: customers' contact details")
    API_EVENT = "api_event", _("API: an inbound event's payload")


class Reveal(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    #: The person (null for an API token, or after the user was deleted; ``actor_label`` still says who).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    api_token_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=16, choices=RevealField.choices)
    ticket_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    #: The purpose's key and its label as it read when chosen (a later rename does not rewrite history).
    purpose = models.CharField(max_length=40)
    purpose_label = models.CharField(max_length=120)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at", "-id"], name="reveal_org_recent"),
            models.Index(fields=["organisation", "actor", "-at"], name="reveal_org_actor"),
            models.Index(fields=["organisation", "purpose", "-at"], name="reveal_org_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} revealed {self.field} ({self.purpose})"

    @property
    def target(self) -> str:
        """What was revealed, as ids ("ticket:4 message:9"), for the audit entry and the review list."""
        parts = [f"{name}:{value}" for name, value in (("ticket", self.ticket_id), ("message", self.message_id),
                                                        ("customer", self.customer_id)) if value is not None]
        return " ".join(parts)
