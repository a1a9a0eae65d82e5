"""Ingestion steps: route each new ticket by the organisation's rules, then assign it within its team.

INTERFACE (skeleton) — implemented by the routing and assignment work.
"""

from __future__ import annotations

from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult


class RouteTickets(Step):
    name = "routing"

    def run(self, batch: StoreResult) -> None:
        return None


class AssignTickets(Step):
    name = "assignment"

    def run(self, batch: StoreResult) -> None:
        return None
