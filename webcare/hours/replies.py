"""The automatic replies' texts: the organisation's template for (kind, language, register), else webcare's built-in
default in that language, filled in ("we are back Monday at 08:00").

INTERFACE (skeleton) — the opening-hours work implements it; the acknowledgement guarantee (webcare/sla) uses it too.
"""

from __future__ import annotations

from datetime import datetime


def auto_reply_text(organisation_id: int, kind: str, language: str, register: str, *, back_at: datetime | None,
                    time_zone: str, customer_name: str = "", brand: str = "") -> str:
    """The text to send: ``kind`` is ``away`` or ``ack`` (webcare.hours.models.AutoReplyKind); ``language`` the
    customer's (falls back to the organisation's first language, then English); ``register`` formal/informal/"";
    ``back_at`` when the desk opens again (shown in ``time_zone``, in the customer's language), None when open."""
    raise NotImplementedError
