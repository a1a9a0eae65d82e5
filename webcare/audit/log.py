"""Writing the audit log: :func:`record`, the one writer of :class:`AuditEntry`.

Why one writer: the hash chain needs each entry to see the one before, so writers are serialised (an advisory lock
on PostgreSQL; SQLite's IMMEDIATE transactions already are) and every entry is hashed the same way.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from webcare.audit.models import AuditEntry

GENESIS = "0" * 64
#: pg_advisory_xact_lock key for the chain (any constant, unique within webcare).
_CHAIN_LOCK = 0x61756469745F6C67


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields as canonical JSON."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers (everything but the hashes themselves)."""
    return {
        "at": entry.at.isoformat(), "organisation_id": entry.organisation_id, "actor_id": entry.actor_id,
        "actor_label": entry.actor_label, "action": entry.action, "target": entry.target,
        "detail": entry.detail, "ip": entry.ip,
    }


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def record(action: str, *, organisation: Any = None, actor: Any = None, actor_label: str = "", target: str = "",
           detail: dict[str, Any] | None = None, request: HttpRequest | None = None) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction (or its own).

    ``organisation`` and ``actor`` may be model instances or ids; ``actor_label`` defaults to the user's username.
    ``detail`` must hold no customer personal data.
    """
    org_id = getattr(organisation, "pk", organisation)
    actor_id = getattr(actor, "pk", actor)
    label = actor_label or (getattr(actor, "get_username", lambda: "")() if actor is not None else "") or "system"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(at=timezone.now(), organisation_id=org_id, actor_id=actor_id, actor_label=label[:150],
                           action=action, target=target[:255], detail=detail or {}, ip=client_ip(request),
                           prev_hash=last or GENESIS)
        entry.hash = entry_hash(entry.prev_hash, hashed_fields(entry))
        entry.save(force_insert=True)
    return entry
