"""The inbound-event table: every item from outside is stored here, raw, before it is acknowledged."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Channel, Organisation
from webcare.keys.fields import SealableJSONField


class EventSource(models.TextChoices):
    API = "api", "REST API"
    WEBHOOK = "webhook", "Platform webhook"
    POLL = "poll", "Polling connector"
    EMAIL = "email", "E-mail"
    IMPORT = "import", "Bulk import"


class EventFormat(models.TextChoices):
    """How to read the payload. ``normalized`` is webcare's own message format (docs/ingestion.md)."""

    NORMALIZED = "normalized", "webcare message"
    UPDATE = "update", "change to a message (edit, delete, delivery status)"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    DONE = "done", "Processed"
    DEAD = "dead", "Failed too often (dead letter)"


class InboundEvent(models.Model):
    """A raw delivery, kept as it came. The worker turns pending ones into customers, messages and tickets."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=EventSource.choices)
    format = models.CharField(max_length=16, choices=EventFormat.choices, default=EventFormat.NORMALIZED)
    #: The platform's id for the delivery; a second delivery with the same id is acknowledged and not stored again.
    external_id = models.CharField(max_length=255, null=True, blank=True)
    #: Plain JSON while pending; once processed, sealed (encrypted) with the data key of the customer whose message
    #: it became (webcare/ingest/worker.py), so erasing them leaves nothing readable here either. Reading decrypts.
    payload = SealableJSONField()
    #: The platform's own item as it came (a connector's delivery), kept beside the normalised ``payload``; sealed
    #: with it.
    raw = SealableJSONField(null=True, blank=True)
    #: Hash of (channel, conversation): on PostgreSQL a worker claims an event only while it holds an advisory lock
    #: on this key, so two workers never process the same conversation at once (no lock waits, messages in order).
    routing_key = models.BigIntegerField(default=0)
    #: Hash of (organisation, platform, author id), locked the same way: two workers creating the same new customer
    #: at once would otherwise make one wait for the other's whole batch and then redo its own. 0 when unknown.
    author_key = models.BigIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=EventStatus.choices, default=EventStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], condition=Q(external_id__isnull=False),
                                    name="inboundevent_unique_delivery"),
        ]
        indexes = [
            # Only pending rows are in this index, so claiming stays fast however many done rows pile up.
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="inboundevent_pending"),
            models.Index(fields=["status", "-received_at"], name="inboundevent_status"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.external_id or self.pk} ({self.status})"
