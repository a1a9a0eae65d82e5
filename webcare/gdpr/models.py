"""Data subject requests handled: what was done, for whom (as a keyed hash), by whom, when, and how much.

Why a table beside the audit log: the privacy page lists past requests with their reports (the counts of what an
erasure removed), which the audit log's generic ``detail`` is not shaped for. Like the audit log it holds no
personal data — the identifier only as :func:`webcare.keys.hashing.identifier_hash`, customers as ids — so it
survives the erasure it records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation


class RequestKind(models.TextChoices):
    EXPORT = "export", "Export (art. 15 and 20)"
    ERASE = "erase", "Erasure (art. 17)"
    REAPPLY = "reapply", "Erasure applied again after a restore"


class SubjectRequest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=RequestKind.choices)
    #: Keyed hash of the identifier searched for (normal form); "" when there was none (reapply).
    identifier_hash = models.CharField(max_length=64, blank=True)
    #: The customer ids it covered (the surviving customer first); they no longer exist after an erasure.
    customer_ids = models.JSONField(default=list)
    #: What was exported or removed, per kind of row: {"messages": 12, "attachment_files": 2, …}.
    counts = models.JSONField(default=dict)
    #: Null for the command line or when the person was deleted; ``actor_label`` still says who.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"], name="subjectrequest_org_recent")]

    def __str__(self) -> str:
        return f"{self.kind} of customers {self.customer_ids} at {self.at:%Y-%m-%d %H:%M}"
