"""Notifications to people (SLA warnings, escalations, surge alerts): shown in the app, and sent by e-mail.

Written in the transaction of whatever raised them; the e-mail leaves later from the automation loop
(webcare/notify/email.py), so a rolled-back change never mails anybody and a mail server outage loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Organisation


class EmailStatus(models.TextChoices):
    NONE = "none", "Not e-mailed"
    PENDING = "pending", "To be e-mailed"
    SENT = "sent", "E-mailed"
    FAILED = "failed", "E-mail failed"


class Notification(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    #: What raised it: sla_warning, sla_breach, sla_escalation, surge …
    kind = models.CharField(max_length=32)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="notifications")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    #: Where the notification leads in the app (a ticket, the supervisor dashboard).
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)
    email_next_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
            models.Index(fields=["email_next_at"], condition=Q(email_status="pending"), name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return self.title
