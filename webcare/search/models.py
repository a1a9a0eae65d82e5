"""The search index's state in the database: the indexer's place in the change log, erasures still to apply to the
index, and (for the PostgreSQL backend) the documents themselves."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchCursor(models.Model):
    """How far the indexer of one backend has followed the change log (``live.LiveEvent``).

    ``holes``: ids below ``last_event_id`` not seen yet. On PostgreSQL ids are handed out when a row is inserted and
    become visible when its transaction commits, so event 105 can be read while 104 is still being written; the hole
    is looked at again on each pass until it appears or is older than a minute (its transaction rolled back).
    """

    backend = models.CharField(max_length=16, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    holes = models.JSONField(default=dict, blank=True)  # {"104": first-seen epoch seconds}
    synced_at = models.DateTimeField(default=timezone.now)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.backend} at {self.last_event_id}"


class PendingErasure(models.Model):
    """Documents an erasure removed, still to be deleted from the tantivy index.

    Why a row and not a direct delete: tantivy lets one process write an index at a time, and the running indexer
    (``webcare serve``'s thread or ``webcare searchindex follow``) holds that lock. The erasure writes this row in
    its own transaction — so it is as durable as the erasure — and the indexer deletes the documents before anything
    else on its next pass; until then every search leaves these ids out.
    """

    organisation_id = models.BigIntegerField()
    message_ids = models.JSONField(default=list)
    customer_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"erasure of {len(self.message_ids)} messages"


class SearchDocument(models.Model):
    """One message in the PostgreSQL backend (``WEBCARE_SEARCH_BACKEND=postgres``): the masked text, the customer's
    names, the filter values and — in a column added by the migration on PostgreSQL only — a ``tsvector`` built with
    the message language's text-search configuration, with a GIN index. Plain ids, not foreign keys: the index is
    derived data, rebuilt from the database, and must never hold up a delete."""

    message_id = models.BigIntegerField(primary_key=True)
    organisation_id = models.BigIntegerField()
    ticket_id = models.BigIntegerField()
    conversation_id = models.BigIntegerField()
    customer_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    intents = models.JSONField(default=list)
    status = models.CharField(max_length=8)
    team_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    sent_at = models.DateTimeField()
    text = models.TextField()
    names = models.TextField(blank=True)
    #: Lowercase text and names without diacritics: what typo-tolerant matching compares with (trigram index).
    folded = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "sent_at"], name="searchdoc_org_sent"),
            models.Index(fields=["ticket_id"], name="searchdoc_ticket"),
            models.Index(fields=["customer_id"], name="searchdoc_customer"),
        ]

    def __str__(self) -> str:
        return f"message {self.message_id}"
