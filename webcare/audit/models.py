"""The audit log: append-only and hash-chained.

Each entry carries the hash of the one before it, so changing, removing or inserting an entry anywhere breaks the
chain from that point, and ``webcare audit verify`` names the first broken entry. Entries hold no personal data of
customers (targets are ids; identifiers only as keyed hashes), so the log never has to be erased.
Plain ids, not foreign keys: deleting an organisation or a user must not delete or rewrite its history.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    #: The user who acted (null: the system, an API token, or an unknown user at a failed sign-in).
    actor_id = models.BigIntegerField(null=True, blank=True)
    #: Who, readable after the user is gone: "kari", "api-token wc_ab12…", "system".
    actor_label = models.CharField(max_length=150, blank=True)
    #: What happened, e.g. "auth.sign_in", "privacy.reveal" (webcare/audit/actions.py lists them).
    action = models.CharField(max_length=64)
    #: What it happened to, e.g. "ticket:42", "customer:7", "agent:3", "channel:2".
    target = models.CharField(max_length=255, blank=True)
    #: Details (purpose, counts, old and new role …) — never a customer's personal data.
    detail = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "-at"], name="audit_org_recent"),
            models.Index(fields=["organisation_id", "action", "-at"], name="audit_org_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target}"
