"""The live-event log: what changed, for whom, in commit order.

Why a table and not an in-memory bus: the web processes, the embedded worker and `webcare worker` processes on other
machines all change tickets; a row written in the same transaction as the change becomes visible exactly when the
change commits (never before, never lost), on SQLite and PostgreSQL alike, and each open stream reads the rows after
the last id it sent. Rows older than a few minutes are pruned.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation


class LiveKind(models.TextChoices):
    TICKETS = "tickets", "Tickets changed"
    PRESENCE = "presence", "Someone is viewing or replying"


class LiveEvent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=LiveKind.choices)
    #: {"tickets": [ids], "actor": user id or null} or {"ticket": id, "user": id, "name": "Kari", "state": "typing"}
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "id"], name="liveevent_org_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.data}"
