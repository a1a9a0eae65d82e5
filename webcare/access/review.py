"""The reveal review: which reveals a page lists, filtered by person, purpose and dates, and the counts beside them.

Filters come from the query string and are checked here (pure :func:`parse_filters`), so a bad value is a clear
message naming the filter, never a server error. The list is keyset-paginated on the ``reveal_org_recent`` index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from webcare.access.models import Reveal
from webcare.core.models import Organisation

PAGE: Final = 100


class FilterError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    actor_id: int | None = None
    purpose: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None

    def query(self) -> str:
        """The filters as a query string (without the cursor), for the "older" link."""
        parts = []
        if self.actor_id is not None:
            parts.append(f"agent={self.actor_id}")
        if self.purpose:
            parts.append(f"purpose={self.purpose}")
        if self.since is not None:
            parts.append(f"since={self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until={self.until.isoformat()}")
        return "&".join(parts)


def _whole(params: Mapping[str, str], name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise FilterError(name, _("%(name)s must be a whole number, not “%(raw)s”.") % {"name": name, "raw": raw[:20]})
    return int(raw)


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(name, _("%(name)s must be a date like 2026-11-30, not “%(raw)s”.") % {
            "name": name, "raw": raw[:20]}) from None


def parse_filters(params: Mapping[str, str], purpose_keys: set[str]) -> Filters:
    """The filters of the review page from its query string (pure); :class:`FilterError` names a bad one."""
    purpose = (params.get("purpose") or "").strip()
    if purpose and purpose not in purpose_keys:
        raise FilterError("purpose", _("There is no purpose “%(raw)s”.") % {"raw": purpose[:40]})
    filters = Filters(actor_id=_whole(params, "agent"), purpose=purpose, since=_day(params, "since"),
                      until=_day(params, "until"), before=_whole(params, "before"))
    if filters.since and filters.until and filters.since > filters.until:
        raise FilterError("until", _("The end date is before the start date."))
    return filters


def _zone(organisation: Organisation) -> ZoneInfo:
    try:
        return ZoneInfo(organisation.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def matching(organisation: Organisation, filters: Filters, only_actor: int | None = None) -> QuerySet[Reveal]:
    """The organisation's reveals matching the filters (without the cursor); ``only_actor`` limits them to one
    person's own (an agent's view of the page). Dates are whole days in the organisation's time zone."""
    queryset = Reveal.objects.filter(organisation=organisation)
    if only_actor is not None:
        queryset = queryset.filter(actor_id=only_actor)
    if filters.actor_id is not None:
        queryset = queryset.filter(actor_id=filters.actor_id)
    if filters.purpose:
        queryset = queryset.filter(purpose=filters.purpose)
    zone = _zone(organisation)
    if filters.since is not None:
        queryset = queryset.filter(at__gte=datetime.combine(filters.since, time.min, zone))
    if filters.until is not None:
        queryset = queryset.filter(at__lt=datetime.combine(filters.until + timedelta(days=1), time.min, zone))
    return queryset


def page(queryset: QuerySet[Reveal], filters: Filters) -> tuple[list[Reveal], int | None]:
    """One page, newest first (ids grow with time), and the cursor of the next (older) page or None."""
    if filters.before is not None:
        queryset = queryset.filter(Q(id__lt=filters.before))
    rows = list(queryset.order_by("-id")[: PAGE + 1])
    more = rows[PAGE - 1].pk if len(rows) > PAGE else None
    return rows[:PAGE], more


def per_actor(queryset: QuerySet[Reveal]) -> list[tuple[str, int]]:
    """How many reveals each person (or API token) made, most first."""
    rows = queryset.values("actor_label").annotate(n=Count("id")).order_by("-n", "actor_label")
    return [(row["actor_label"], row["n"]) for row in rows[:30]]


def per_purpose(queryset: QuerySet[Reveal], labels: Mapping[str, str]) -> list[tuple[str, int]]:
    """How many reveals each purpose had, most first, named as the organisation names them now."""
    rows = queryset.values("purpose", "purpose_label").annotate(n=Count("id")).order_by("-n", "purpose")
    merged: dict[str, int] = {}
    for row in rows:
        label = labels.get(row["purpose"], row["purpose_label"])
        merged[label] = merged.get(label, 0) + row["n"]
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))
