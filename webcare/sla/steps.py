"""The ingestion step that starts, pauses and resumes the SLA clocks of each batch's tickets.

It runs after routing and assignment (the policy can depend on the team and priority they set) and before the live
update, inside the batch's transaction: a new ticket has its due times from the moment an inbox can show it. One
refresh for the whole batch (a fixed number of queries) and one set-based write (``update_rows``).
"""

from __future__ import annotations

from django.utils import timezone

from webcare.core.bulk import update_rows
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.sla.sync import SLA_FIELDS, refresh


class UpdateSlaClocks(Step):
    name = "sla"

    def run(self, batch: StoreResult) -> None:
        tickets = list(batch.touched_tickets.values())
        if not tickets:
            return
        refresh(tickets, timezone.now())
        update_rows(tickets, SLA_FIELDS)
