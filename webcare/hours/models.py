"""Opening hours (per organisation, team or channel), special days, and the automatic replies' texts.

Holidays come from the ``holidays`` package by country (and subdivision), so nobody types in Easter; special days
are what a brand adds itself (Christmas Eve closing at 13:00, a staff day).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Channel, Organisation, Team


class OpeningHours(models.Model):
    """A weekly schedule in one time zone. The most specific one applies: the channel's, else the team's, else the
    organisation's (team and channel both empty); with none at all, the desk counts as always open.

    ``weekly`` maps the weekday (``"0"`` Monday … ``"6"`` Sunday) to a list of ``["HH:MM", "HH:MM"]`` intervals,
    e.g. ``{"0": [["08:00", "16:00"]], …}``; a missing day is closed; ``"24:00"`` ends a day at midnight.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="opening_hours")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="opening_hours")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="opening_hours")
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="Europe/Oslo")
    weekly = models.JSONField(default=dict, blank=True)
    #: ISO 3166 country whose public holidays close the desk ("" for none), and optionally a subdivision.
    holiday_country = models.CharField(max_length=2, blank=True, default="")
    holiday_subdivision = models.CharField(max_length=8, blank=True, default="")
    #: Open around the clock (a 24/7 desk): weekly and holidays are ignored, special days still apply.
    always_open = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], condition=Q(team__isnull=True, channel__isnull=True),
                                    name="hours_one_default_per_org"),
            models.UniqueConstraint(fields=["team"], condition=Q(team__isnull=False), name="hours_one_per_team"),
            models.UniqueConstraint(fields=["channel"], condition=Q(channel__isnull=False),
                                    name="hours_one_per_channel"),
        ]
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name


class SpecialDay(models.Model):
    """A date with its own hours (or closed), overriding the week and the holiday calendar for that date."""

    hours = models.ForeignKey(OpeningHours, on_delete=models.CASCADE, related_name="special_days")
    date = models.DateField()
    name = models.CharField(max_length=200, blank=True)
    #: Intervals like the weekly ones; empty means closed all day.
    intervals = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hours", "date"], name="specialday_unique_date")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class AutoReplyKind(models.TextChoices):
    AWAY = "away", "Outside opening hours"
    ACK = "ack", "Acknowledgement (holding reply)"


class AutoReplyTemplate(models.Model):
    """The text of an automatic reply in one language and register, editable by admins.

    ``register`` is ``formal``, ``informal`` or blank (either). The text may use ``{back_at}`` (when we open again,
    in the customer's language), ``{brand}`` and ``{name}`` (the customer's first name, blank when unknown).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="auto_reply_templates")
    kind = models.CharField(max_length=8, choices=AutoReplyKind.choices)
    language = models.CharField(max_length=8)
    register = models.CharField(max_length=8, blank=True, default="")
    text = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "language", "register"],
                                               name="autoreply_unique")]
        ordering = ["kind", "language", "register"]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} {self.register}"
