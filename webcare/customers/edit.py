"""Editing a customer's own fields (name, customer number, notes): the one writer for the API and the inbox card.

Why one place: the REST API's ``PATCH /customers/{id}`` and the card beside a conversation must accept the same
values, refuse the same ones with the same messages, and leave the same audit trail (one :class:`CustomerEdit` per
changed field). The customer row is locked and re-read, every value is checked before anything is written, and all of
it happens in one transaction, so a refused edit stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from webcare.customers.models import Customer, CustomerEdit
from webcare.ingest.schema import MAX_TEXT
from webcare.live import publish
from webcare.tickets.actions import ActionError

#: The fields a person may edit, in the order the card shows them.
EDITABLE: Final = ("name", "customer_number", "notes")


def _model_max(field: str) -> int:
    max_length = getattr(Customer._meta.get_field(field), "max_length", None)
    return int(max_length) if max_length is not None else MAX_TEXT


#: The longest value each field takes: the column's size (notes are text, capped like a message).
MAX_LENGTHS: Final = {field: _model_max(field) for field in EDITABLE}
#: How the messages name each field (the API's error also names it by its key).
WORDS: Final = {"name": "the name", "customer_number": "the customer number", "notes": "the notes"}


class CustomerEditError(ActionError):
    """Every field at fault at once, so a form can mark all of them; ``field``/``message`` are the first."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        field, message = next(iter(self.errors.items()))
        super().__init__(field, message)


def _normalise(value: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; store LF, and no surrounding blanks."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def clean_changes(changes: Mapping[str, Any]) -> dict[str, str]:
    """The requested values checked and normalised; :class:`CustomerEditError` names every field at fault."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            errors[field] = f"{field} cannot be edited; edit one of {', '.join(EDITABLE)}"
        elif not isinstance(value, str):
            errors[field] = f"{WORDS[field]} must be text"
        elif len(_normalise(value)) > MAX_LENGTHS[field]:
            errors[field] = f"{WORDS[field]} can have at most {MAX_LENGTHS[field]} characters"
        else:
            cleaned[field] = _normalise(value)
    if errors:
        raise CustomerEditError(errors)
    return cleaned


def do_edit_customer(customer: Customer, actor: Any, changes: Mapping[str, Any],
                     expected: Mapping[str, str] | None = None) -> list[CustomerEdit]:
    """Set some of a customer's name, customer number and notes; returns one :class:`CustomerEdit` per change.

    ``expected`` holds the values the person saw when they started editing: a field somebody else changed meanwhile
    is refused (naming the value it has now) instead of silently overwritten. Values equal to the stored ones change
    nothing and write nothing. A merged-away customer is refused: edit the one it went into. Open inboxes are told
    that the customer's tickets changed, as the list shows the customer's name.
    """
    cleaned = clean_changes(changes)
    seen = {field: _normalise(value) for field, value in (expected or {}).items()}
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.merged_into_id is not None:
            raise ActionError("customer", f"this customer was merged into customer {locked.merged_into_id}; "
                                          "edit that one")
        wanted = {field: value for field, value in cleaned.items() if getattr(locked, field) != value}
        conflicts = {
            field: f"somebody changed this while you were editing; it is now “{_short(getattr(locked, field))}”"
            for field in wanted if field in seen and seen[field] != getattr(locked, field)
        }
        if conflicts:
            raise CustomerEditError(conflicts)
        if not wanted:
            return []
        now = timezone.now()
        edits = [CustomerEdit(customer=locked, field=field, old=getattr(locked, field), new=value, actor=actor, at=now)
                 for field, value in wanted.items()]
        for field, value in wanted.items():
            setattr(locked, field, value)
        locked.updated_at = now
        locked.save(update_fields=[*wanted, "updated_at"])
        CustomerEdit.objects.bulk_create(edits)
        ticket_ids = locked.tickets.values_list("pk", flat=True)
        publish.tickets_changed(locked.organisation_id, ticket_ids, getattr(actor, "pk", None))
    for column in Customer._meta.concrete_fields:
        setattr(customer, column.attname, getattr(locked, column.attname))
    return edits
