"""Canned responses: an organisation's reusable reply texts, which an agent picks, edits and sends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation, Team

MAX_TITLE = 120
MAX_BODY = 5000


class CannedResponse(models.Model):
    """A reply text with variables (see :mod:`webcare.replies.variables`), for one language or any.

    ``team`` None means the whole organisation may use it; otherwise the team's members, and anyone working a ticket
    of that team. A deleted team leaves its responses to the whole organisation (SET_NULL) rather than losing them.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="canned_responses")
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(max_length=MAX_BODY)
    #: ISO 639-1 code (one of ``settings.LANGUAGES``); blank: any language.
    language = models.CharField(max_length=8, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="canned_responses")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "language", "title"], name="canned_title_unique"),
        ]
        ordering = ["title", "language"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})" if self.language else self.title

    @property
    def first_line(self) -> str:
        """The body's first non-empty line, for lists."""
        return next((line.strip() for line in self.body.splitlines() if line.strip()), "")
