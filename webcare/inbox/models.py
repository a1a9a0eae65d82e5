"""Saved searches: a query an agent named, shown as a view with a live count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from webcare.core.models import Organisation


class SavedSearch(models.Model):
    """A named inbox search (the query text, see ``webcare.inbox.search``); the owner's own, or shared with the
    whole organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="saved_searches")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "owner", "name"],
                                               name="saved_search_name_unique_per_owner")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
