"""The ingestion pipeline step that tells open inboxes about the tickets a batch touched."""

from __future__ import annotations

from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.live import publish


class PublishTicketChanges(Step):
    """One live event per batch and organisation (not per message), written in the batch's transaction."""

    name = "live"

    def run(self, batch: StoreResult) -> None:
        by_org: dict[int, list[int]] = {}
        for ticket in batch.touched_tickets.values():
            by_org.setdefault(ticket.organisation_id, []).append(ticket.pk)
        for organisation_id, ids in by_org.items():
            publish.tickets_changed(organisation_id, ids)
