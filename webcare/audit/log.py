"""Writing the audit log: :func:`record`, the one writer of :class:`AuditEntry`.

Why one writer: the hash chain needs each entry to see the one before, so writers are serialised and every entry is
hashed the same way (:mod:`webcare.audit.chain`). On PostgreSQL a transaction-level advisory lock is taken before the
newest entry is read and held until the caller's transaction ends, so a second writer reads the first one's entry
only after it committed (READ COMMITTED, Django's default, reads anew on every statement); on SQLite, transactions
begin IMMEDIATE and already hold the database's one write lock. The cost: transactions that record an entry commit
one after another — so record in short transactions (a long erasure should record at its end, not its start).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from webcare.audit import chain
from webcare.audit.models import AuditEntry

GENESIS = chain.GENESIS
#: pg_advisory_xact_lock key for the chain (any constant, unique within webcare).
_CHAIN_LOCK = 0x61756469745F6C67
MAX_LABEL = 150
MAX_TARGET = 255
MAX_ACTION = 64


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields as canonical JSON (see :mod:`webcare.audit.chain`)."""
    return chain.entry_hash(prev_hash, fields)


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers (everything but the id and the hashes themselves)."""
    return chain.fields(entry.at, entry.organisation_id, entry.actor_id, entry.actor_label, entry.action,
                        entry.target, entry.detail, entry.ip)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address, behind a trusted proxy the forwarded one (webcare.security.client)."""
    if request is None:
        return ""
    from webcare.security.client import client_ip as forwarded_ip

    return forwarded_ip(request)


def cli_actor() -> str:
    """Who ran a command, as far as the machine knows: its operating-system account ("cli:root")."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _id(value: Any, name: str) -> int | None:
    """A model instance's pk or an id as an int (None stays None); anything else is a caller's mistake."""
    value = getattr(value, "pk", value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(f"{name}: give a model instance or an id, not {value!r}")
    return int(value)


def record(action: str, *, organisation: Any = None, actor: Any = None, actor_label: str = "", target: str = "",
           detail: dict[str, Any] | None = None, request: HttpRequest | None = None) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction (or its own).

    ``organisation`` and ``actor`` may be model instances or ids; ``actor_label`` defaults to the user's username.
    ``detail`` must hold no customer personal data (ids, counts, purposes) and be JSON: strings, numbers, booleans,
    lists and objects (``ValueError`` names the part that is not; nothing is written then).
    """
    if not action or len(action) > MAX_ACTION:
        raise ValueError(f"action: 1 to {MAX_ACTION} characters, not {action!r}")
    org_id = _id(organisation, "organisation")
    actor_id = _id(actor, "actor")
    label = actor_label or (getattr(actor, "get_username", lambda: "")() if actor is not None else "") or "system"
    clean_detail = chain.canonical_detail(detail or {})
    if not isinstance(clean_detail, dict):
        raise ValueError("detail: give a dict")
    label = chain.canonical_text(label[:MAX_LABEL], "actor_label")
    target = chain.canonical_text(target[:MAX_TARGET], "target")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(at=timezone.now(), organisation_id=org_id, actor_id=actor_id, actor_label=label,
                           action=action, target=target, detail=clean_detail, ip=client_ip(request),
                           prev_hash=last or GENESIS)
        entry.hash = entry_hash(entry.prev_hash, hashed_fields(entry))
        entry.save(force_insert=True)
    return entry
