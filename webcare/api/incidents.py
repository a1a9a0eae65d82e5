"""Incidents (webcare/incidents): the "choir" of similar complaints the watcher found, read-only.

The list pages with a cursor like every list; one incident adds its examples per channel (masked text: the API's
default, and the detector never sees anything else) and the updates the desk sent. Acting on an incident (reply to
everyone, post, resolve) is a person's decision and stays in the web pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import BaseModel, ConfigDict, Field

from webcare.api.auth import organisation
from webcare.api.errors import get_or_404
from webcare.api.pagination import Cursor, Key, Limit, Ordering, paginate
from webcare.api.schemas import ErrorOut
from webcare.incidents.alerts import examples
from webcare.incidents.models import Incident, IncidentUpdate

router = Router(tags=["incidents"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
NEWEST = Ordering("detected", (Key("detected_at", descending=True, kind="datetime"), Key("id", descending=True)))


class IncidentOut(BaseModel):
    id: int
    status: Literal["open", "resolved", "closed"]
    title: str
    terms: list[str]
    started_at: datetime
    detected_at: datetime
    resolved_at: datetime | None
    languages: list[str] = Field(description="ISO 639-1 codes of the linked messages, most frequent first.")
    channels: list[str] = Field(description="Channel kinds of the linked messages, most frequent first.")
    message_count: int
    ticket_count: int
    customer_count: int
    rate_per_hour: float = Field(description="The group's arrivals per hour when last seen.")
    baseline_per_hour: float = Field(description="The topic's usual arrivals per hour.")
    peak_rate_per_hour: float

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        return cls(id=incident.pk, status=cast(Any, incident.status), title=incident.title,
                   terms=list(incident.terms or []),
                   started_at=incident.started_at, detected_at=incident.detected_at,
                   resolved_at=incident.resolved_at, languages=list(incident.languages or []),
                   channels=list(incident.channels or []), message_count=incident.message_count,
                   ticket_count=incident.ticket_count, customer_count=incident.customer_count,
                   rate_per_hour=incident.rate_per_hour, baseline_per_hour=incident.baseline_per_hour,
                   peak_rate_per_hour=incident.peak_rate_per_hour)


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None


class UpdateOut(BaseModel):
    kind: Literal["reply_all", "post", "closing", "resolved", "closed", "renamed"]
    at: datetime
    actor: str | None = Field(description="Username of who did it.")
    sent: int = Field(description="Customers answered (replies) or channels posted on (posts).")
    skipped: dict[str, int] = Field(description="Tickets left out, by reason: closed, already, refused, outside.")


class IncidentDetailOut(IncidentOut):
    examples: dict[str, list[str]] = Field(description="Channel kind → the first messages' masked texts.")
    tickets: list[int] = Field(description="Ids of the linked tickets.")
    updates: list[UpdateOut]


class IncidentFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "resolved", "closed"] | None = None


@router.get("", response={200: IncidentPage, **ERRORS}, summary="List incidents, newest first")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters], cursor: Cursor = None,
                   limit: Limit = 50) -> IncidentPage:
    queryset = Incident.objects.filter(organisation=organisation(request))
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    rows, next_cursor = paginate(queryset, NEWEST, cursor, limit)
    return IncidentPage(items=[IncidentOut.of(incident) for incident in rows], next_cursor=next_cursor)


@router.get("/{incident_id}", response={200: IncidentDetailOut, **ERRORS},
            summary="One incident with examples per channel, its tickets and updates")
def get_incident(request: HttpRequest, incident_id: int) -> IncidentDetailOut:
    incident = get_or_404(Incident.objects.select_related("organisation"), organisation=organisation(request),
                          pk=incident_id)
    updates = [UpdateOut(kind=cast(Any, u.kind), at=u.at, actor=u.actor.get_username() if u.actor else None,
                         sent=u.sent, skipped=dict(u.skipped or {}))
               for u in IncidentUpdate.objects.filter(incident=incident).select_related("actor").order_by("at", "id")]
    tickets = list(incident.ticket_links.order_by("ticket_id").values_list("ticket_id", flat=True))
    base = IncidentOut.of(incident).model_dump()
    return IncidentDetailOut(**base, examples=examples(incident, per_channel=3), tickets=tickets, updates=updates)
