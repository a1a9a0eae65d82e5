"""The ingestion step that answers customers who write while the desk is closed ("we are back at …").

INTERFACE (skeleton) — implemented by the opening-hours work.
"""

from __future__ import annotations

from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult


class SendAwayReplies(Step):
    name = "away"

    def run(self, batch: StoreResult) -> None:
        return None
