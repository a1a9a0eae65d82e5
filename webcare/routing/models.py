"""Routing rules: ordered, editable conditions → actions, applied to each new ticket (webcare/routing/rules.py)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation


class RoutingRule(models.Model):
    """When every condition holds for a ticket's first message, the actions are applied.

    ``conditions``: a list of ``{"field": …, "op": …, "value": …}`` (fields: channel, language, intent, sentiment,
    keywords, priority, customer fields …; see rules.py). ``actions``: ``{"team": slug, "priority": 1–4,
    "labels": [...], "assign": "auto" | username, "auto_reply": text}``. Rules run in ``position`` order; a rule
    with ``stop`` ends the run for that ticket.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="routing_rules")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=dict, blank=True)
    stop = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "position", "id"]

    def __str__(self) -> str:
        return self.name
