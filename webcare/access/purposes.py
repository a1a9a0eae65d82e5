"""The purposes a person can give for revealing personal data: built-in defaults, or the organisation's own list.

Why a list and not free text: a purpose from a list can be counted and reviewed ("why do agents of team B reveal
phone numbers twice as often?"), and a data-protection officer can check each one against the record of processing.
"Other" stays possible, but only with a written reason.

Built-in purposes are translated (their label is ours); an organisation that edits the list gets its own rows
(:class:`~webcare.access.models.RevealPurpose`), with the labels its admin typed. Nothing is written until an admin
changes something, so reading the list never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext_lazy as _

from webcare.core.models import Organisation

#: The key of the catch-all purpose, which always needs a written reason.
OTHER: Final = "other"
MAX_REASON: Final = 500


@dataclass(frozen=True)
class Purpose:
    key: str
    label: str
    needs_reason: bool


#: The defaults, in order: (key, label, needs a written reason).
DEFAULTS: Final = (
    ("refund_identity", _("Verify identity for a refund"), False),
    ("order_lookup", _("Look up the customer's order or account"), False),
    ("call_back", _("Call the customer back"), False),
    ("legal_request", _("Legal or police request"), True),
    (OTHER, _("Other"), True),
)


class PurposeError(ValueError):
    """A purpose or reason that cannot be accepted; ``field`` is ``purpose`` or ``reason``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def default_purposes() -> list[Purpose]:
    return [Purpose(key, str(label), needs) for key, label, needs in DEFAULTS]


def purposes_for(organisation: Organisation | int, *, active_only: bool = True) -> list[Purpose]:
    """The organisation's purposes in order: its own list once an admin edited it, else the defaults."""
    from webcare.access.models import RevealPurpose

    org_id = organisation.pk if isinstance(organisation, Organisation) else int(organisation)
    rows = RevealPurpose.objects.filter(organisation_id=org_id).order_by("position", "id")
    if not rows.exists():
        return default_purposes()
    if active_only:
        rows = rows.filter(active=True)
    return [row.as_purpose() for row in rows]


def choose(purposes: list[Purpose], key: str, reason: str) -> tuple[Purpose, str]:
    """The purpose named ``key`` with its reason (trimmed), or :class:`PurposeError` naming what is wrong. Pure."""
    key = (key or "").strip()
    reason = (reason or "").strip()
    if not key:
        raise PurposeError("purpose", str(_("Choose why you need to see the personal data.")))
    chosen = next((p for p in purposes if p.key == key), None)
    if chosen is None:
        raise PurposeError("purpose", str(_("Choose one of the purposes in the list.")))
    if chosen.needs_reason and not reason:
        raise PurposeError("reason", str(_("Write the reason for this purpose.")))
    if len(reason) > MAX_REASON:
        raise PurposeError("reason", str(_("Write the reason in at most %(max)d characters.") % {"max": MAX_REASON}))
    return chosen, reason
