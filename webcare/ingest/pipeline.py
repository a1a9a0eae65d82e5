"""The processing pipeline of a batch: parse each raw event, store the messages, then run the extra steps.

Extra steps (triage, routing, SLA clocks in later work) are small classes listed in ``settings.WEBCARE_PIPELINE_STEPS``
and run in order on every stored batch, inside the batch's transaction, so a step that fails undoes the whole batch
and the events are retried. This module is the single place where per-message processing plugs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from pydantic import ValidationError

from webcare.ingest.models import EventFormat, InboundEvent
from webcare.ingest.schema import MessageIn, MessageUpdateIn
from webcare.ingest.store import ParsedItem, StoreResult, store
from webcare.ingest.updates import UpdateItem, apply_updates


class Step:
    """One processing step over a stored batch.

    Contract: ``run`` receives the :class:`StoreResult` of the batch (new messages in time order, the tickets they
    touched). It writes with bulk statements (a batch can hold thousands of messages), never sends anything to the
    outside world directly (queue it instead: the transaction may still roll back), and raises to fail the batch.
    """

    name: str = "step"

    def run(self, batch: StoreResult) -> None:
        raise NotImplementedError

    def warm_up(self) -> None:
        """Load what the step needs (models, word lists) before the worker's first batch, outside any transaction."""


class PayloadError(Exception):
    """An event's payload can never be processed as it is (not a retryable failure)."""


@dataclass
class BatchOutcome:
    stored: StoreResult
    parse_failures: dict[int, str] = field(default_factory=dict)
    #: Events that must be tried again later (an update whose message is not stored yet), with the reason.
    waiting: dict[int, str] = field(default_factory=dict)
    updated: int = 0


def format_validation_error(exc: ValidationError) -> str:
    """'field.sub: message; …' — short, names the field, and leaves the offending value out (it may be personal)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or "body"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def parse_event(event: InboundEvent) -> list[MessageIn | MessageUpdateIn]:
    """What one stored event says. Connectors normalise platform deliveries before they are stored
    (webcare/channels/inbound.py), so every event is a message or an update to one in webcare's own format."""
    model: type[MessageIn] | type[MessageUpdateIn]
    if event.format == EventFormat.NORMALIZED:
        model = MessageIn
    elif event.format == EventFormat.UPDATE:
        model = MessageUpdateIn
    else:
        raise PayloadError(f"unknown payload format {event.format!r}")
    try:
        return [model.model_validate(event.payload)]
    except ValidationError as exc:
        raise PayloadError(format_validation_error(exc)) from exc


@cache
def configured_steps() -> tuple[Step, ...]:
    return tuple(import_string(path)() for path in getattr(settings, "WEBCARE_PIPELINE_STEPS", []))


def process(events: Sequence[InboundEvent], now: datetime | None = None,
            steps: Sequence[Step] | None = None) -> BatchOutcome:
    """Parse, store and run the steps for ``events``; the caller holds the transaction."""
    items: list[ParsedItem] = []
    updates: list[UpdateItem] = []
    failures: dict[int, str] = {}
    for event in events:
        try:
            for parsed in parse_event(event):
                if isinstance(parsed, MessageUpdateIn):
                    updates.append(UpdateItem(event, parsed))
                else:
                    items.append(ParsedItem(event.channel, parsed, event))
        except PayloadError as exc:
            failures[event.pk] = str(exc)
    stored = store(items, now)
    for step in configured_steps() if steps is None else steps:
        step.run(stored)
    # After the messages of the same batch are stored, so an edit delivered right behind its message finds it.
    updated, waiting = apply_updates(updates, now or timezone.now()) if updates else ([], {})
    if updated:
        from webcare.live import publish

        for organisation_id in {m.organisation_id for m in updated}:
            tickets = [m.ticket_id for m in updated if m.organisation_id == organisation_id and m.ticket_id]
            if tickets:
                publish.tickets_changed(organisation_id, tickets, None)
    return BatchOutcome(stored=stored, parse_failures=failures, waiting=waiting, updated=len(updated))
