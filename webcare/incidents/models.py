"""Incidents: a "choir" of similar complaints found by the detector (webcare/incidents/choir), with the tickets and
messages it links, what the desk sent about it, and the watcher's lease and cursor.

Why rows for the links instead of a label alone: the incident page, the reply to everyone affected and the closing
update need to know exactly which tickets belong to the incident and which of them already got which update, also
after agents edit labels. The label ``incident-<id>`` on each linked ticket is only the marker agents see in the
inbox and can search for (``label:incident-12``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Channel, Organisation


class IncidentStatus(models.TextChoices):
    """open → resolved (it was real and is over) or closed (dismissed: not an incident after all)."""

    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Incident(models.Model):
    """One group of similar inbound messages that grew abnormally fast."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incidents")
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    #: From the group's shared terms when detected; people may change it (``title_edited``).
    title = models.CharField(max_length=200)
    title_edited = models.BooleanField(default=False)
    #: The salient terms the group shares, most telling first (masked text only: the detector sees nothing else).
    terms = models.JSONField(default=list, blank=True)
    #: The first message of the group, when the detector said it is abnormal, when it ended.
    started_at = models.DateTimeField()
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    #: Languages (ISO 639-1) and channel kinds of the linked messages, most frequent first.
    languages = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    ticket_count = models.PositiveIntegerField(default=0)
    customer_count = models.PositiveIntegerField(default=0)
    #: The group's arrival rate when last seen by the watcher, its topic's usual rate, and the highest rate seen.
    rate_per_hour = models.FloatField(default=0.0)
    baseline_per_hour = models.FloatField(default=0.0)
    peak_rate_per_hour = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-detected_at", "-id"], name="incident_org_recent"),
            models.Index(fields=["organisation", "status"], condition=Q(status="open"), name="incident_open"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    @property
    def label_name(self) -> str:
        """The label its tickets carry in the inbox."""
        return label_for(self.pk)


def label_for(incident_id: int) -> str:
    return f"incident-{incident_id}"


class IncidentTicket(models.Model):
    """A ticket linked to an incident. ``open`` mirrors the incident's status, so the database itself keeps a ticket
    in at most one open incident (a partial unique index cannot look at another table)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="incident_links")
    open = models.BooleanField(default=True)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incidentticket_unique"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(open=True), name="incidentticket_one_open"),
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} ↔ ticket {self.ticket_id}"


class IncidentMessage(models.Model):
    """An inbound message of the incident's group. A message belongs to at most one incident: the unique index is
    what makes two watchers racing (a lease taken over mid-pass) unable to open the same incident twice."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="message_links")
    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="incident_link")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: Copied from the message, so the page's chart and examples need no join: when it was sent, where, in which
    #: language.
    at = models.DateTimeField()
    channel_kind = models.CharField(max_length=16)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        indexes = [models.Index(fields=["incident", "at"], name="incidentmessage_incident_at")]

    def __str__(self) -> str:
        return f"incident {self.incident_id} ∋ message {self.message_id}"


class UpdateKind(models.TextChoices):
    """What the desk did about an incident (the incident's timeline)."""

    REPLY_ALL = "reply_all", "Reply to everyone affected"
    POST = "post", "Public post"
    CLOSING = "closing", "Closing update"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Dismissed"
    RENAMED = "renamed", "Title changed"


class IncidentUpdate(models.Model):
    """One action on an incident: who, when, what was sent (one text per language and register, or per channel) and
    to how many; skipped tickets are counted by reason."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=12, choices=UpdateKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    #: The form's one-time token: a second submission of the same form (a double click) finds this row and sends
    #: nothing again.
    token = models.UUIDField(null=True, blank=True, unique=True)
    #: {"nb-informal": "Hei {customer_first_name} …"} for replies; {"<channel id>": "…"} for posts; {"old", "new"}
    #: for a title change. The brand's own words (no customer's data: names are filled in per message).
    texts = models.JSONField(default=dict, blank=True)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True)  #: reason → how many tickets

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on incident {self.incident_id}"


class IncidentDelivery(models.Model):
    """What one update sent where: a reply on one ticket, or a post on one channel (its outbound message)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deliveries")
    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=12, choices=UpdateKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("conversations.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        constraints = [
            # A ticket gets the reply to everyone, and the closing update, once per incident.
            models.UniqueConstraint(fields=["incident", "kind", "ticket"], condition=Q(ticket__isnull=False),
                                    name="incidentdelivery_once_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → ticket {self.ticket_id or '-'} / channel {self.channel_id or '-'}"


class ChoirLease(models.Model):
    """Which process watches an organisation's messages now, and how far it got.

    Why a lease: the detector's window lives in one process's memory; two ``webcare automate`` processes detecting
    the same organisation would each see half the choir (or both all of it, and alarm twice). The holder renews
    ``expires_at`` every pass; another process takes over once it has expired, and ``generation`` changes then, so a
    holder that lost the lease and got it back later knows its window is stale and rebuilds it from the database.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="choir_lease")
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    generation = models.PositiveIntegerField(default=1)
    #: The id of the last message the detector was fed (messages are fed in id order).
    cursor = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"choir lease of {self.organisation_id}: {self.holder} until {self.expires_at:%H:%M:%S}"
