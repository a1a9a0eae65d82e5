"""Triage stored inbound messages that were never triaged (stored before triage existed, or by an old version)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from rich.progress import Progress

from webcare.conversations.models import Direction, Message
from webcare.ingest.store import StoreResult
from webcare.live import publish
from webcare.tickets.models import Ticket
from webcare.triage.steps import TriageMessages

BATCH = 1_000


def untriaged() -> QuerySet[Message]:
    return Message.objects.filter(direction=Direction.INBOUND, triaged_at__isnull=True)


def triage_stored(progress: bool = False, batch_size: int = BATCH) -> int:
    """Triage every untriaged inbound message, oldest id first, one transaction per batch. Returns the count."""
    total = untriaged().count()
    done = 0
    last_id = 0
    step = TriageMessages()
    with Progress(disable=not progress, transient=False) as bar:
        task = bar.add_task("triaging stored messages", total=total)
        while True:
            with transaction.atomic():
                batch = list(untriaged().filter(pk__gt=last_id).order_by("pk")[:batch_size])
                if not batch:
                    break
                # Fresh, locked ticket rows (id order, like the worker): an agent's change made meanwhile is kept.
                ticket_ids = sorted({m.ticket_id for m in batch if m.ticket_id})
                locked = {t.pk: t for t in Ticket.objects.filter(pk__in=ticket_ids).order_by("pk")
                          .select_for_update()}
                for message in batch:
                    message.ticket = locked.get(message.ticket_id or 0)
                batch.sort(key=lambda m: (m.sent_at, m.pk))  # each ticket ends with its newest message's triage
                step.run(StoreResult(messages=batch))
                # Masked text and language changed: the search index re-reads these tickets from the change log.
                for org_id in {m.organisation_id for m in batch}:
                    publish.tickets_changed(org_id, {m.ticket_id for m in batch
                                                     if m.organisation_id == org_id and m.ticket_id})
            last_id = max(m.pk for m in batch)
            done += len(batch)
            bar.update(task, advance=len(batch))
    return done
