"""Surges: when arrivals or the oldest wait cross the organisation's thresholds, with the staffing estimate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Organisation, Team


class Surge(models.Model):
    """One surge, from the check that saw it start until the check that saw it end. At most one open per
    organisation, so supervisors are alerted once per surge, not once per check."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="surges")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    #: What the check saw when it last looked: arrivals per hour, oldest wait, the Erlang C estimate.
    arrivals_per_hour = models.FloatField(default=0)
    oldest_wait_seconds = models.FloatField(default=0)
    handling_minutes = models.FloatField(default=0)
    agents_needed = models.PositiveIntegerField(default=0)
    agents_online = models.PositiveIntegerField(default=0)
    peak_arrivals_per_hour = models.FloatField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    #: The overflow team a supervisor pulled in, who and when.
    overflow_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    overflow_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    overflow_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=Q(ended_at__isnull=True),
                                               name="surge_one_open_per_org")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"surge {self.organisation_id} from {self.started_at:%Y-%m-%d %H:%M}"
