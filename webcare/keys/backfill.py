"""``webcare keys encrypt-existing``: encrypt what was stored before encryption at rest existed.

Plaintext rows keep working (reading returns them as they are), so this can run while the desk is in use: one
committed batch at a time, oldest id first, each batch's keys fetched at once like the worker does. Rows written
meanwhile are encrypted already; a row changed by someone between the read and the write of a batch is locked
(PostgreSQL) or serialised (SQLite) by the batch's transaction. Safe to interrupt and run again.

What it covers: message texts and earlier texts (``Message.text``, ``edits``), customers' notes and the history of
their edits, and processed inbound events (sealed like the worker seals them now).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from webcare.conversations.models import Message
from webcare.core.bulk import update_rows
from webcare.customers.models import Customer, CustomerEdit
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.keys.fields import use_key
from webcare.keys.keyring import Key, keys_for_customers, organisation_key
from webcare.keys.sealing import PREFIX

BATCH = 500
Progress = Callable[[str, int], None]


def _raw(column: str) -> dict[str, Cast]:
    """The column read as its raw text (no decryption), to tell tokens from plaintext in SQL."""
    return {f"_raw_{column}": Cast(column, models.TextField())}


def _plain_text(column: str) -> Q:
    """A text column holding a value that is not a ``wce1:`` token (needs :func:`_raw`)."""
    raw = f"_raw_{column}"
    return ~Q(**{raw: ""}) & ~Q(**{f"{raw}__startswith": PREFIX})


def _plain_json(column: str) -> Q:
    """A JSON column holding content that is not sealed (sealed: a JSON string ``"wce1:…"``; needs :func:`_raw`)."""
    raw = f"_raw_{column}"
    return (Q(**{f"{raw}__isnull": False}) & ~Q(**{f"{raw}__in": ["", "[]", "{}", "null"]})
            & ~Q(**{f"{raw}__startswith": '"' + PREFIX}))


def _plain_messages() -> models.QuerySet[Message]:
    return Message.objects.annotate(**_raw("text"), **_raw("edits")).filter(_plain_text("text") | _plain_json("edits"))


def _plain_customers() -> models.QuerySet[Customer]:
    return Customer.objects.annotate(**_raw("notes")).filter(_plain_text("notes"))


def _plain_customer_edits() -> models.QuerySet[CustomerEdit]:
    return CustomerEdit.objects.annotate(**_raw("old"), **_raw("new")).filter(_plain_text("old") | _plain_text("new"))


def _done_events() -> models.QuerySet[InboundEvent]:
    return InboundEvent.objects.filter(status=EventStatus.DONE).annotate(**_raw("payload")).filter(
        _plain_json("payload"))


def plaintext_counts() -> dict[str, int]:
    """How many rows of each kind are still plaintext (what ``encrypt-existing`` would do)."""
    return {"messages": _plain_messages().count(), "customer notes": _plain_customers().count(),
            "customer edits": _plain_customer_edits().count(), "processed events": _done_events().count()}


@dataclass
class Backfill:
    counts: dict[str, int] = field(default_factory=dict)


def _keys(pairs: set[tuple[int, int | None]]) -> dict[tuple[int, int | None], Key]:
    wanted: dict[int, set[int]] = defaultdict(set)
    for organisation_id, customer_id in pairs:
        if customer_id is not None:
            wanted[organisation_id].add(customer_id)
    found = {org: keys_for_customers(org, ids) for org, ids in wanted.items()}
    return {(org, cid): (found.get(org, {}).get(cid) if cid is not None else None) or organisation_key(org)
            for org, cid in pairs}


def _batches(queryset: models.QuerySet, batch: int) -> models.QuerySet:  # type: ignore[type-arg]
    return queryset.order_by("pk")[:batch]


def _messages(progress: Progress | None, batch: int) -> int:
    done, after = 0, 0
    base = _plain_messages()
    while True:
        with transaction.atomic():
            rows = list(_batches(base.filter(pk__gt=after).select_related("conversation")
                                 .select_for_update(of=("self",)), batch))
            if not rows:
                return done
            keys = _keys({(m.organisation_id, m.conversation.customer_id) for m in rows})
            for message in rows:
                use_key(message, keys[(message.organisation_id, message.conversation.customer_id)])
            update_rows(rows, ["text", "edits"])
        after, done = rows[-1].pk, done + len(rows)
        if progress is not None:
            progress("messages", len(rows))


def _customers(progress: Progress | None, batch: int) -> int:
    done, after = 0, 0
    while True:
        with transaction.atomic():
            rows = list(_batches(_plain_customers().filter(pk__gt=after).select_for_update(), batch))
            if not rows:
                return done
            keys = _keys({(c.organisation_id, c.pk) for c in rows})
            for customer in rows:
                use_key(customer, keys[(customer.organisation_id, customer.pk)])
            update_rows(rows, ["notes"])
        after, done = rows[-1].pk, done + len(rows)
        if progress is not None:
            progress("customer notes", len(rows))


def _customer_edits(progress: Progress | None, batch: int) -> int:
    done, after = 0, 0
    base = _plain_customer_edits()
    while True:
        with transaction.atomic():
            rows = list(_batches(base.filter(pk__gt=after).select_related("customer")
                                 .select_for_update(of=("self",)), batch))
            if not rows:
                return done
            keys = _keys({(e.customer.organisation_id, e.customer_id) for e in rows})
            for edit in rows:
                use_key(edit, keys[(edit.customer.organisation_id, edit.customer_id)])
            update_rows(rows, ["old", "new"])
        after, done = rows[-1].pk, done + len(rows)
        if progress is not None:
            progress("customer edits", len(rows))


def _events(progress: Progress | None, batch: int) -> int:
    from webcare.ingest.worker import _seal

    done, after = 0, 0
    while True:
        with transaction.atomic():
            rows = list(_batches(_done_events().filter(pk__gt=after).select_for_update(), batch))
            if not rows:
                return done
            _seal(rows, {})
            update_rows(rows, ["payload", "raw"])
        after, done = rows[-1].pk, done + len(rows)
        if progress is not None:
            progress("processed events", len(rows))


def encrypt_existing(progress: Progress | None = None, batch: int = BATCH) -> Backfill:
    """Encrypt every plaintext row left from before encryption at rest; returns the counts per kind."""
    result = Backfill()
    result.counts["messages"] = _messages(progress, batch)
    result.counts["customer notes"] = _customers(progress, batch)
    result.counts["customer edits"] = _customer_edits(progress, batch)
    result.counts["processed events"] = _events(progress, batch)
    return result
