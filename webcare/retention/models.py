"""Retention policies (how long each kind of data is kept) and the record of each time they were applied.

Why a policy per (channel kind, data kind): a brand may keep e-mail longer than Instagram comments, and the raw
deliveries far shorter than the messages made from them. ``channel_kind`` "" is the organisation's rule for every
channel without a rule of its own (see webcare/retention/plan.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webcare.core.models import ChannelKind, Organisation


class DataKind(models.TextChoices):
    """What a policy removes, and from when its days count (docs/privacy.md)."""

    #: Message texts (and subjects, author names, edits, attachment metadata, personal-data spans): blanked N days
    #: after the ticket was solved or closed, or after the message when it has no ticket.
    MESSAGE_BODIES = "bodies", _("Message texts")
    #: The files customers and agents attached: deleted N days after the ticket ended (as above).
    ATTACHMENTS = "attachments", _("Attachments")
    #: Raw deliveries (``InboundEvent``: the platform's payload as it came): deleted N days after processed.
    RAW_EVENTS = "raw_events", _("Raw deliveries")
    #: In-app notifications: deleted N days after they were raised.
    NOTIFICATIONS = "notifications", _("Notifications")
    #: The live-update log the inboxes stream: deleted N days after written.
    LIVE_EVENTS = "live_events", _("Live updates")


#: Kinds whose rows belong to a channel; the others are organisation-wide, so their policy has no channel kind.
PER_CHANNEL = frozenset({DataKind.MESSAGE_BODIES, DataKind.ATTACHMENTS, DataKind.RAW_EVENTS})


class RetentionPolicy(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="retention_policies")
    #: "" = every channel kind that has no policy of its own for this data kind.
    channel_kind = models.CharField(max_length=16, choices=ChannelKind.choices, blank=True, default="")
    data_kind = models.CharField(max_length=16, choices=DataKind.choices)
    days = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "channel_kind", "data_kind"],
                                    name="retentionpolicy_unique"),
            models.CheckConstraint(condition=Q(days__gte=1), name="retentionpolicy_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.data_kind} {self.channel_kind or '*'} {self.days}d"


class RetentionSetup(models.Model):
    """That an organisation has been given the default policies (once: an admin who deletes one keeps it deleted)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    defaults_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation_id} since {self.defaults_at:%Y-%m-%d}"


class RunTrigger(models.TextChoices):
    DAILY = "daily", _("Daily (automatic)")
    MANUAL = "manual", _("Started by hand")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RetentionRun(models.Model):
    """One application of an organisation's policies, and its report.

    The daily run is unique per (organisation, day): several automation processes race to insert it and only one
    wins, so the work is done once a day however many loops run. ``heartbeat_at`` moves after every batch; a run
    whose process died is taken over after :data:`webcare.retention.apply.LEASE`.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="retention_runs")
    #: The organisation's local date the run is for.
    day = models.DateField()
    trigger = models.CharField(max_length=8, choices=RunTrigger.choices, default=RunTrigger.DAILY)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Items removed, all policies together.
    removed = models.PositiveIntegerField(default=0)
    #: Per policy: {"policy", "data_kind", "channel_kind", "days", "cutoff", "count", "oldest"} (counts, dates, ids:
    #: never personal data).
    report = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], condition=Q(trigger="daily"),
                                    name="retentionrun_daily_once"),
        ]
        indexes = [models.Index(fields=["organisation", "-started_at"], name="retentionrun_recent")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.trigger} {self.status}"
