"""Cursor (keyset) pagination: every page is one indexed range read, however deep.

Why not OFFSET: ``OFFSET 500000`` makes the database read and throw away half a million rows, and rows inserted or
moved between two requests shift every later page (items are skipped or repeated). A keyset cursor instead carries
the sort key of the last row returned, and the next page is "the rows after that key" — which an index on the sort
key answers directly, and which stays correct while rows are added.

The cursor is opaque to clients: URL-safe base64 of ``[ordering name, key values…, id]``. The ordering's name is in
it, so a cursor of one ordering given to another is rejected rather than misread. Every ordering ends with the
primary key, which makes the key unique and the order total.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from ninja import Query

from webcare.api.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

#: The ``limit`` query parameter, shared by every list endpoint.
Limit = Annotated[int, Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
#: The ``cursor`` query parameter: ``next_cursor`` of the previous page.
Cursor = Annotated[str | None, Query(None, max_length=1000, description="next_cursor of the previous page.")]


@dataclass(frozen=True)
class Key:
    """One column of a sort key. Nullable columns sort their NULLs last, in both directions."""

    field: str
    descending: bool = False
    nullable: bool = False
    kind: Literal["int", "datetime", "str"] = "int"

    def order_by(self) -> OrderBy:
        """NULLS LAST only where NULLs can occur: on a NOT NULL column the plain direction matches its index
        (PostgreSQL's ``DESC`` index is ``NULLS FIRST``, so ``DESC NULLS LAST`` would force a sort)."""
        expression = F(self.field)
        nulls_last = True if self.nullable else None
        return expression.desc(nulls_last=nulls_last) if self.descending else expression.asc(nulls_last=nulls_last)

    def after(self, value: Any) -> Q | None:
        """Rows strictly after ``value`` on this column (None: no row is after a NULL, as NULLs come last)."""
        if value is None:
            return None
        lookup = "lt" if self.descending else "gt"
        condition = Q(**{f"{self.field}__{lookup}": value})
        if self.nullable:
            condition |= Q(**{f"{self.field}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})

    def bound(self, value: Any) -> Q | None:
        """The same-or-after range on this column alone, as a plain comparison an index can seek to."""
        if value is None or self.nullable:
            return None
        lookup = "lte" if self.descending else "gte"
        return Q(**{f"{self.field}__{lookup}": value})

    def encode(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    def decode(self, raw: Any) -> Any:
        if raw is None:
            if self.nullable:
                return None
            raise ValueError("unexpected null")
        if self.kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError("not an integer")
            return raw
        if not isinstance(raw, str):
            raise ValueError("not a string")
        if self.kind == "datetime":
            value = datetime.fromisoformat(raw)
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            return value
        return raw


@dataclass(frozen=True)
class Ordering:
    """A named sort order over a unique key (the last key must be the primary key)."""

    name: str
    keys: tuple[Key, ...]

    def order_by(self) -> list[OrderBy]:
        return [key.order_by() for key in self.keys]

    def values_of(self, row: Model) -> list[Any]:
        return [getattr(row, key.field) for key in self.keys]

    def after(self, values: Sequence[Any]) -> Q:
        """Rows after the row with sort key ``values``: (k1 after) or (k1 equal and k2 after) or …

        The first column's plain range is added on top (redundant, but it is what lets PostgreSQL seek the index to
        the cursor instead of scanning from the start and filtering).
        """
        alternatives = Q()
        equal_so_far = Q()
        for key, value in zip(self.keys, values, strict=True):
            after = key.after(value)
            if after is not None:
                alternatives |= equal_so_far & after
            equal_so_far &= key.equal(value)
        bound = self.keys[0].bound(values[0])
        return alternatives & bound if bound is not None else alternatives

    def encode(self, row: Model) -> str:
        values = [key.encode(value) for key, value in zip(self.keys, self.values_of(row), strict=True)]
        raw = json.dumps([self.name, *values], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> list[Any]:
        """The key values in ``cursor``; a cursor that is not one of ours is a 400 naming ``cursor``."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            if not isinstance(data, list) or len(data) != len(self.keys) + 1:
                raise ValueError("wrong shape")
            if data[0] != self.name:
                raise ValueError("cursor of another ordering")
            return [key.decode(value) for key, value in zip(self.keys, data[1:], strict=True)]
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ApiError(400, "invalid cursor", {"cursor": "not a cursor of this list and order; start without one"
                                                   " or use next_cursor of the previous page"}) from exc


def paginate[M: Model](queryset: QuerySet[M], ordering: Ordering, cursor: str | None,
                       limit: int) -> tuple[list[M], str | None]:
    """One page of ``queryset`` in ``ordering`` after ``cursor``, and the cursor of the next page (None at the end).

    Reads ``limit + 1`` rows: the extra row only tells whether a next page exists.
    """
    if cursor:
        queryset = queryset.filter(ordering.after(ordering.decode(cursor)))
    rows = list(queryset.order_by(*ordering.order_by())[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, ordering.encode(rows[-1])
