"""The organisation's own themes for the topics view, and the row that says its themes were set up.

A theme is a name and what makes a message belong to it: keywords (whole words, ``faktura*`` a prefix — the same
rules as routing keywords), ticket labels and triage intents. A message belongs to every theme it matches.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation


class Theme(models.Model):
    """One theme an organisation defines ("Invoice / billing"); changed only through webcare/insights/actions.py."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    #: Keywords as typed (folded when matched): ["faktura*", "invoice*", "lasku*"].
    keywords = models.JSONField(default=list, blank=True)
    #: Ticket label names: a message whose ticket carries one belongs to the theme.
    labels = models.JSONField(default=list, blank=True)
    #: Triage intents (webcare/triage/intent.py): "sales_lead", "question" …
    intents = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="theme_name_unique")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ThemeSetup(models.Model):
    """One row per organisation once its default themes were made (so deleting every theme does not bring the
    defaults back), with a version that every theme change increases: the remembered week figures are keyed on it,
    so an edited theme is counted afresh at once."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"themes of {self.organisation_id} v{self.version}"


class DayDigest(models.Model):
    """One whole day's counts for the topics view (webcare/insights/topics.py ``Digest`` as JSON), kept so a day is
    read and counted once, not again in every process and after every restart.

    What it holds: per (theme or term, channel, language, sentiment) a number of messages, a few example message
    ids, and co-occurrence counts — no message text. Keyed on the themes version (a changed theme is counted
    afresh; the old rows are deleted with the change) and on whether salient terms were counted. Rows older than
    the weeks the view offers are deleted as new ones are written."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    #: The day's local midnight and the next one (stored in UTC).
    start = models.DateTimeField()
    end = models.DateTimeField()
    version = models.PositiveIntegerField()
    with_terms = models.BooleanField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "start", "version", "with_terms"],
                                               name="day_digest_unique")]

    def __str__(self) -> str:
        return f"topics of {self.organisation_id} on {self.start:%Y-%m-%d} v{self.version}"


class WarmLease(models.Model):
    """Which process warms an organisation's topics now (webcare/insights/warm.py).

    Why a lease: counting a day is seconds of CPU at a million messages; two ``webcare automate`` processes (or one
    and ``webcare serve``'s automation thread) warming the same organisation would count every day twice. The holder
    renews ``expires_at`` every pass; another process takes over once it has expired. Nothing else lives here: what
    was warmed is the :class:`DayDigest` rows themselves, so a takeover loses nothing."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+")
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"topics warm lease of {self.organisation_id}: {self.holder} until {self.expires_at:%H:%M:%S}"
