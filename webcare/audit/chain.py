"""The hash chain, as pure functions: how an entry is hashed and how a run of entries is checked.

The rule (docs/privacy.md spells it out for checking an export outside webcare)::

    hash = SHA-256( prev_hash + "\\n" + canonical JSON of the entry's fields ), as 64 lower-case hex digits

where the fields are ``action``, ``actor_id``, ``actor_label``, ``at`` (UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``),
``detail``, ``ip``, ``organisation_id`` and ``target``; canonical JSON is ``json.dumps(fields, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8, and the first entry's ``prev_hash`` is 64 zeros.
The id is not hashed: the order of the chain is the links, and ids may have gaps (a rolled-back transaction uses one
up on PostgreSQL).

Why no key (a plain SHA-256, not an HMAC): anybody — a data-protection officer, an auditor — can check an export
with nothing but the file. The price is that somebody who can write to the database can also recompute every hash
after a change; the chain catches that only against a hash noted outside the database (an *anchor*, see
:func:`check`), which is why ``webcare audit verify`` prints the last hash.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

GENESIS: Final = "0" * 64
#: The fields an entry's hash covers, in the order the database rows are read (``row_fields`` zips them).
HASHED: Final = ("at", "organisation_id", "actor_id", "actor_label", "action", "target", "detail", "ip")
#: What ``check`` reports: the entry's content no longer matches its hash (it was changed) …
CHANGED: Final = "changed"
#: … or its link does not point at the entry before it (one was removed, inserted or re-hashed before it, or two
#: were swapped).
LINK: Final = "link"


def canonical_at(at: datetime) -> str:
    """A timestamp as the hash sees it: UTC, microseconds always written, a ``Z`` (the same from every database)."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_detail(value: Any, where: str = "detail") -> Any:
    """``value`` as it will come back from the database's JSON column, so the hash of what was written is the hash of
    what is read.

    Keys become strings (JSON has no others); a float written in exponent form (1e+16 and up) comes back from
    PostgreSQL's jsonb as an integer, so it is made one here; NaN and infinities are no JSON at all, and NUL
    characters are refused by PostgreSQL: both raise ``ValueError`` naming where.
    """
    if isinstance(value, Mapping):
        return {str(key): canonical_detail(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_detail(item, f"{where}[{n}]") for n, item in enumerate(value)]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a JSON number")
        return int(value) if "e+" in repr(value) else value
    if isinstance(value, str):
        return canonical_text(value, where)
    raise ValueError(f"{where}: {type(value).__name__} is not JSON (give strings, numbers, lists and objects)")


def canonical_text(value: str, where: str) -> str:
    if "\x00" in value:
        raise ValueError(f"{where}: contains a NUL character")
    return value


def fields(at: datetime, organisation_id: int | None, actor_id: int | None, actor_label: str, action: str,
           target: str, detail: Any, ip: str) -> dict[str, Any]:
    """The hashed fields of one entry (``HASHED`` order), as :func:`entry_hash` takes them."""
    return {"at": canonical_at(at), "organisation_id": organisation_id, "actor_id": actor_id,
            "actor_label": actor_label, "action": action, "target": target, "detail": detail, "ip": ip}


def canonical_json(hashed: Mapping[str, Any]) -> str:
    return json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, hashed: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the previous entry's hash, a newline and the entry's canonical JSON."""
    return hashlib.sha256((prev_hash + "\n" + canonical_json(hashed)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Row:
    """One stored entry as the checker reads it (the id and the two hashes, and the hashed fields)."""

    id: int
    hashed: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def at(self) -> str:
        return str(self.hashed["at"])

    @property
    def action(self) -> str:
        return str(self.hashed["action"])


@dataclass(frozen=True)
class Break:
    """The first entry where the chain does not hold, and why (``CHANGED`` or ``LINK``)."""

    row: Row
    kind: str
    #: What the entry's ``hash`` (CHANGED) or ``prev_hash`` (LINK) should have been.
    expected: str

    def explain(self) -> str:
        if self.kind == CHANGED:
            return ("hash mismatch: the entry's fields no longer give its stored hash — it was changed after it was "
                    "written")
        if self.row.prev_hash == GENESIS:
            return ("prev_hash mismatch: the entry claims to be the first, but entries come before it — it was "
                    "inserted, or the chain was restarted")
        return ("prev_hash mismatch: the entry does not link to the entry before it — an entry before it was "
                "removed, inserted or changed and re-hashed, or entries were swapped")


@dataclass
class Walk:
    """The state of a check that goes batch by batch: feed rows in id order to :meth:`feed`."""

    last_hash: str = GENESIS
    count: int = 0
    broken: Break | None = None
    anchors_seen: frozenset[str] = frozenset()

    def feed(self, rows: Iterable[Row], anchors: frozenset[str] = frozenset()) -> bool:
        """Check ``rows``; False once a break is found (nothing after it is looked at)."""
        for row in rows:
            problem = check(self.last_hash, row)
            if problem is not None:
                self.broken = problem
                return False
            if row.hash in anchors:
                self.anchors_seen |= {row.hash}
            self.last_hash = row.hash
            self.count += 1
        return True


def check(expected_prev: str, row: Row) -> Break | None:
    """Whether ``row`` follows an entry whose hash was ``expected_prev``: its content first (a changed entry is named
    as changed even when its link is also wrong), then its link."""
    actual = entry_hash(row.prev_hash, row.hashed)
    if actual != row.hash:
        return Break(row, CHANGED, actual)
    if row.prev_hash != expected_prev:
        return Break(row, LINK, expected_prev)
    return None
