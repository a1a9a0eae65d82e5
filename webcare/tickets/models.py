"""Tickets, the unit of work, with labels, internal notes, links and a timeline of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.conversations.models import Conversation
from webcare.core.models import Organisation, Team
from webcare.customers.models import Customer


class Status(models.TextChoices):
    """new → open → pending (waiting on the customer) → on hold → solved → closed.

    A new inbound message reopens a pending, on-hold or solved ticket; a closed ticket stays closed and the message
    starts a follow-up ticket linked to it.
    """

    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (waiting on customer)"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class Priority(models.IntegerChoices):
    """1 is most urgent. Never derived from follower count or reach."""

    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"
    LOW = 4, "Low"


class Label(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="label_unique_per_org")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: Tickets still being worked on (not solved or closed): the condition of the inbox's partial indexes.
OPEN_TICKETS = Q(status__in=["new", "open", "pending", "on_hold"])


class Ticket(models.Model):
    """Work to be done for one conversation: owned, prioritised, and ended as solved or closed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tickets")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="tickets")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_tickets")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    labels = models.ManyToManyField(Label, blank=True, related_name="tickets")
    subject = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_response_at = models.DateTimeField(null=True, blank=True)
    #: Since when the customer has been waiting for us (oldest unanswered inbound message); null when nobody waits.
    #: The inbox sorts on this, oldest first, within priority.
    waiting_since = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # -- triage of the newest inbound message (webcare/triage), for the list rows and routing ---------------------
    language = models.CharField(max_length=8, blank=True)
    sentiment_label = models.CharField(max_length=8, blank=True)
    intents = models.JSONField(default=list, blank=True)
    register = models.CharField(max_length=8, blank=True)
    #: A customer posted personal data in public on this ticket: red marker, urgent, until an agent clears it.
    public_pii = models.BooleanField(default=False)
    # -- routing and assignment (webcare/routing) --------------------------------------------------------------------
    #: The routing rule that set the ticket's team, priority or labels (its name when it ran), for "why is it here?".
    routed_by = models.CharField(max_length=200, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    #: When a person last did something on the ticket (reply, note, change); an assigned ticket untouched for the
    #: team's reclaim time goes back to the pool.
    touched_at = models.DateTimeField(null=True, blank=True)
    #: An agent said none of the customer's messages so far needs a reply (thanks, spam, a closed matter): they count
    #: as handled in the answered-everything measure.
    no_reply_needed_at = models.DateTimeField(null=True, blank=True)
    # -- service level clocks (webcare/sla): due times are stored so checks and views are index scans ---------------
    sla_policy = models.ForeignKey("sla.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="tickets")
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    #: The earliest of the running targets' due times (null when no clock runs: answered, paused or no policy).
    sla_due_at = models.DateTimeField(null=True, blank=True)
    #: When the assignee is warned ("at risk" from then on): the policy's share of the earliest running target.
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    #: The next moment the SLA check must look at this ticket (a warning, a breach or an escalation is due).
    sla_check_at = models.DateTimeField(null=True, blank=True)
    #: The clocks stop while the ticket waits on the customer (pending): since when, and the clock time paused so far
    #: (business seconds when the policy counts business hours).
    sla_paused_since = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    #: The highest escalation level reached for the current due time (0 none, 1 warned, 2 breached → supervisor,
    #: 3+ up the chain).
    sla_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            # At most one ticket that is not closed per conversation: two workers racing to open a ticket for the
            # same thread cannot both win.
            models.UniqueConstraint(fields=["conversation"], condition=~Q(status="closed"),
                                    name="ticket_one_active_per_conversation"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "priority", "waiting_since"], name="ticket_queue"),
            models.Index(fields=["organisation", "priority", "waiting_since", "id"], name="ticket_waiting"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="ticket_recent"),
            # The inbox (webcare/inbox/queues.py) at a million tickets: partial indexes over the tickets still being
            # worked on (a tenth or less of the table), in the lists' order (priority, waiting since, id), so a page
            # is an index scan that stops after 100 rows; and the counts are index-only scans. Measured in
            # docs/benchmarks.md ("Inbox at scale").
            models.Index(fields=["organisation", "priority", "waiting_since", "id"], condition=OPEN_TICKETS,
                         name="ticket_open_queue"),
            models.Index(fields=["organisation", "priority", "waiting_since", "id"],
                         condition=Q(assignee__isnull=True, status__in=["new", "open"]),
                         name="ticket_unassigned_queue"),
            models.Index(fields=["assignee", "priority", "waiting_since", "id"], condition=OPEN_TICKETS,
                         name="ticket_assignee_queue"),
            models.Index(fields=["organisation", "status", "assignee"], condition=OPEN_TICKETS,
                         name="ticket_open_counts"),
            models.Index(fields=["team", "organisation"], condition=OPEN_TICKETS, name="ticket_open_team"),
            models.Index(fields=["organisation", "solved_at"], condition=Q(status="solved"), name="ticket_solved_at"),
            # The SLA check's pass reads only the tickets whose next check is due; the views read due times in order.
            models.Index(fields=["sla_check_at"], condition=OPEN_TICKETS & Q(sla_check_at__isnull=False),
                         name="ticket_sla_check"),
            models.Index(fields=["organisation", "sla_due_at"], condition=OPEN_TICKETS & Q(sla_due_at__isnull=False),
                         name="ticket_sla_due"),
            # The dashboard's response times over a window (webcare/supervision/response_times.py) and the
            # answered-everything measure's "no reply needed" check.
            models.Index(fields=["organisation", "first_response_at"], condition=Q(first_response_at__isnull=False),
                         name="ticket_first_response"),
            models.Index(fields=["organisation", "solved_at"], condition=Q(solved_at__isnull=False),
                         name="ticket_resolved"),
            models.Index(fields=["id", "no_reply_needed_at"], condition=Q(no_reply_needed_at__isnull=False),
                         name="ticket_no_reply"),
            # Reclaiming: assigned, still to be answered, untouched since …
            models.Index(fields=["touched_at"], condition=Q(assignee__isnull=False, status__in=["new", "open"]),
                         name="ticket_reclaim"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject[:40]}"

    @property
    def first_response_seconds(self) -> float | None:
        """How long the customer waited for the first answer, when both ends are known."""
        if self.first_inbound_at and self.first_response_at and self.first_response_at >= self.first_inbound_at:
            return (self.first_response_at - self.first_inbound_at).total_seconds()
        return None


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    REOPENED = "reopened", "Reopened by a new message"
    STATUS = "status", "Status changed"
    ASSIGNEE = "assignee", "Assignee changed"
    TEAM = "team", "Team changed"
    PRIORITY = "priority", "Priority changed"
    LABEL_ADDED = "label_added", "Label added"
    LABEL_REMOVED = "label_removed", "Label removed"
    REPLY = "reply", "Reply sent"
    NOTE = "note", "Internal note"
    LINKED = "linked", "Linked"
    CUSTOMER_MERGED = "customer_merged", "Customer merged"
    AUTO_REPLY = "auto_reply", "Automatic reply sent"
    ROUTED = "routed", "Routed by a rule"
    SLA = "sla", "Service level warning or escalation"
    NO_REPLY = "no_reply", "Marked as needing no reply"


class TicketEvent(models.Model):
    """One change to a ticket (field, old, new, who, when): the ticket's timeline and audit trail."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    field = models.CharField(max_length=32, blank=True)
    old = models.CharField(max_length=255, blank=True)
    new = models.CharField(max_length=255, blank=True)
    #: Null when the system did it (ingestion, automation).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.old}→{self.new}"


class Note(models.Model):
    """An internal note: never sent to the customer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class LinkKind(models.TextChoices):
    RELATED = "related", "Related"
    FOLLOW_UP = "follow_up", "Follow-up of"
    DUPLICATE = "duplicate", "Duplicate of"


class TicketLink(models.Model):
    """A directed link between two tickets of one organisation."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticketlink_unique"),
            models.CheckConstraint(condition=~Q(from_ticket=models.F("to_ticket")), name="ticketlink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} {self.kind} {self.to_ticket_id}"
