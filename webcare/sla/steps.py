"""The ingestion step that starts, pauses and resumes the SLA clocks of each batch's tickets."""

from __future__ import annotations

from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult


class UpdateSlaClocks(Step):
    name = "sla"

    def run(self, batch: StoreResult) -> None:
        """INTERFACE (skeleton): the SLA work implements it (refresh + one set-based write of SLA_FIELDS)."""
        return None
