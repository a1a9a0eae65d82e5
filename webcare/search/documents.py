"""Reading the documents to index from the database: the messages of some tickets, or of everything.

Only ``Message.redacted_text`` is read — the masked text triage wrote — never ``Message.text`` (encrypted at rest and
never searched), so the index cannot hold a phone number or an address a customer typed. A message with no masked
text (blanked by retention or erasure) has nothing to find and is left out; so is a message that belongs to no
ticket (the brand's own posts), because search leads to tickets.

Two queries per batch of messages (the messages with their ticket's state, then the names and handles of their
customers), whatever the batch size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Final

from django.db.models import QuerySet

from webcare.conversations.models import Message
from webcare.customers.models import Customer, Identity
from webcare.search.backend import IndexDoc

#: Messages read per query when rebuilding (ids in order, so memory stays flat at any size).
BATCH: Final = 5_000

FIELDS: Final = (
    "id", "organisation_id", "ticket_id", "conversation_id", "channel__kind", "language", "sentiment_label",
    "intents", "sent_at", "redacted_text", "ticket__status", "ticket__team_id", "ticket__assignee_id",
    "ticket__customer_id", "conversation__customer_id",
)


def _names(customer_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Each customer's name and their identities' handles and shown names."""
    ids = sorted(set(customer_ids))
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return {}
    for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "name"):
        if name:
            found[pk].append(name)
    for pk, handle, shown in Identity.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "handle", "display_name"):
        found[pk] += [value for value in (handle, shown) if value]
    return {pk: tuple(dict.fromkeys(values)) for pk, values in found.items()}


def _docs(rows: list[dict[str, Any]]) -> list[IndexDoc]:
    customers = {row["ticket__customer_id"] or row["conversation__customer_id"] for row in rows}
    names = _names(int(pk) for pk in customers if pk)
    docs = []
    for row in rows:
        customer = row["ticket__customer_id"] or row["conversation__customer_id"]
        intents = row["intents"] if isinstance(row["intents"], list) else []
        docs.append(IndexDoc(
            message_id=int(row["id"]),
            organisation_id=int(row["organisation_id"]),
            ticket_id=int(row["ticket_id"]),
            conversation_id=int(row["conversation_id"]),
            customer_id=int(customer) if customer else None,
            channel=str(row["channel__kind"] or ""),
            language=str(row["language"] or ""),
            sentiment=str(row["sentiment_label"] or ""),
            intents=tuple(str(i) for i in intents),
            status=str(row["ticket__status"] or ""),
            team_id=row["ticket__team_id"],
            assignee_id=row["ticket__assignee_id"],
            sent_at=row["sent_at"],
            text=str(row["redacted_text"]),
            names=names.get(int(customer), ()) if customer else (),
        ))
    return docs


def _indexable() -> QuerySet[Message]:
    return Message.objects.filter(ticket__isnull=False).exclude(redacted_text="")


def for_tickets(ticket_ids: Iterable[int]) -> list[IndexDoc]:
    """The documents of these tickets' messages, as the database has them now."""
    ids = sorted(set(ticket_ids))
    docs: list[IndexDoc] = []
    for start in range(0, len(ids), 500):
        rows = list(_indexable().filter(ticket_id__in=ids[start:start + 500])
                    .order_by("id").values(*FIELDS))
        docs += _docs(rows)
    return docs


def every(batch: int = BATCH) -> Iterator[list[IndexDoc]]:
    """Every indexable message in the database, in batches of ``batch`` in id order (for a rebuild)."""
    last = 0
    while True:
        rows = list(_indexable().filter(id__gt=last).order_by("id").values(*FIELDS)[:batch])
        if not rows:
            return
        last = int(rows[-1]["id"])
        yield _docs(rows)


def any_indexable() -> bool:
    return bool(_indexable().exists())


def total() -> int:
    """How many messages a rebuild will index (for its progress bar)."""
    return int(_indexable().count())
