"""The outbound queue: every reply and moderation action waits here until its channel's connector has carried it out.

A job is a row, so the queue survives restarts and any number of sender processes share it (claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL). Its ``idempotency_key`` is fixed when the job is made and goes to
the platform where the platform takes one; the status machine is what keeps a retry from posting twice:

    pending → sending → sent
                      → pending (retryable error: backoff, Retry-After) → … → failed (after WEBCARE_SEND_ATTEMPTS)
                      → failed (permanent error)
                      → uncertain (the platform stopped answering mid-send: a person checks, then retries)
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Channel, Organisation
from webcare.keys.fields import EncryptedJSONField


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNCERTAIN = "uncertain", "Maybe sent"


class OutboundJob(models.Model):
    """One request to a platform: a reply (``message`` is the outbound message) or an action on a message."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="outbound_jobs")
    #: reply / private_reply: the outbound message being sent; hide / delete / like …: the message acted on.
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="outbound_jobs")
    action = models.CharField(max_length=16)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The :class:`webcare.channels.base.OutboundRequest` fields, fixed when queued so a retry sends the same thing.
    #: Encrypted at rest with the message's customer's key (webcare/keys): it holds the reply's text and recipient.
    request = EncryptedJSONField(default=dict)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    #: While ``sending``: when a sender that has not reported back by then is presumed dead.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="outboundjob_due"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="outboundjob_leased"),
            models.Index(fields=["channel", "status"], name="outboundjob_channel_status"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk} ({self.status})"

    def encryption_source(self) -> models.Model:
        """The request is encrypted with the key of the message it sends or acts on."""
        return self.message
