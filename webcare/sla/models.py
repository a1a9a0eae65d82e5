"""Service level policies, escalation chains and the alerts the SLA check has raised.

The clocks themselves live on the ticket (``Ticket.first_response_due`` …, indexed), written by
``webcare/sla/sync.py`` from the pure rules in ``webcare/sla/clocks.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from webcare.core.models import Agent, Organisation, Team


class SlaPolicy(models.Model):
    """Targets for the tickets that match its conditions; the first active policy in ``position`` order that
    matches a ticket applies. An empty condition list matches everything (so the last policy can be the default).

    Targets are minutes, blank for no target; counted in the ticket's opening hours when ``business_hours``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # -- conditions (all given ones must hold) -------------------------------------------------------------------
    channel_kinds = models.JSONField(default=list, blank=True)
    priorities = models.JSONField(default=list, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="sla_policies")
    intents = models.JSONField(default=list, blank=True)
    # -- targets --------------------------------------------------------------------------------------------------
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    business_hours = models.BooleanField(default=True)
    #: The assignee is warned when this share (%) of a target has passed.
    warn_percent = models.PositiveSmallIntegerField(default=75)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """One step up a team's escalation chain: ``after_minutes`` past a breach, ``agent`` is told. The team's
    supervisor is told at the breach itself (level 2); the steps are levels 3, 4 … in ``position`` order."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="escalation_steps")
    position = models.PositiveSmallIntegerField(default=0)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    after_minutes = models.PositiveIntegerField(default=60)

    class Meta:
        ordering = ["team_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.team} #{self.position}: {self.agent} after {self.after_minutes} min"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class SlaAlert(models.Model):
    """One warning or escalation raised for a ticket's target at one due time. Unique, so a level fires once even
    when two checkers run at the same moment (the second insert loses and sends nothing)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_alerts")
    target = models.CharField(max_length=16, choices=SlaTarget.choices)
    #: 1 warning to the assignee, 2 breach → the team's supervisor, 3+ the escalation chain's steps.
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "target", "due_at", "level"],
                                               name="slaalert_once_per_level")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} {self.target} level {self.level}"
