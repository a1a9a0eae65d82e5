"""Search over every channel: ``GET /api/v1/search`` — the same engine as the search page and ``webcare search``.

An API token sees its whole organisation (like a supervisor). Hits carry masked text only: a snippet around the
matched words with the highlighted ranges, never the original message. Unlike the lists, the hits page with
``offset`` (ranked results have no stable key to resume from; the engine caps ``offset`` at 10,000).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import BaseModel, ConfigDict, Field, field_validator

from webcare.api.auth import organisation
from webcare.api.errors import ApiError
from webcare.api.schemas import ErrorOut
from webcare.core.models import Organisation, Team
from webcare.search import engine
from webcare.search.types import FACETS, SearchQuery, SearchQueryError

router = Router(tags=["search"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

LIST_HELP = "Repeat the parameter or separate values with commas; any of them matches."


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class SearchParams(BaseModel):
    """What to search for and how to narrow it; all given filters must match."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(default="", max_length=500, description=(
        'Words (stemmed per language, typo-tolerant), "a phrase", #123 for a ticket number, a customer\'s name or '
        "handle. Empty: every message, newest first."))
    prefix: bool = Field(default=False, description="The last word is still being typed: match it as a prefix.")
    channel: list[str] = Field(default_factory=list, description=f"Channel kinds (x, facebook, email …). {LIST_HELP}")
    language: list[str] = Field(default_factory=list, description=f"Language codes (nb, nn, da, sv, fi, nl, de, en). "
                                                                  f"{LIST_HELP}")
    sentiment: list[str] = Field(default_factory=list, description=f"negative, neutral, positive. {LIST_HELP}")
    intent: list[str] = Field(default_factory=list, description=f"question, complaint, praise, sales_lead, spam, "
                                                                f"other. {LIST_HELP}")
    status: list[str] = Field(default_factory=list, description=f"The ticket's status now. {LIST_HELP}")
    team: list[str] = Field(default_factory=list, description=f"Team slugs or ids, `none` for no team. {LIST_HELP}")
    assignee: list[str] = Field(default_factory=list,
                                description=f"Usernames or user ids, `none` for unassigned. {LIST_HELP}")
    since: datetime | None = Field(default=None, description="Messages sent at or after (ISO 8601; a date alone is "
                                                              "its midnight UTC, a time without a zone is UTC).")
    until: datetime | None = Field(default=None, description="Messages sent before (same forms as since).")
    order: Literal["relevance", "newest"] = "relevance"
    limit: int = Field(default=20, ge=1, le=engine.MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=engine.MAX_OFFSET)
    facets: bool = Field(default=True, description="Count the hits per filter value.")

    @field_validator("since", "until", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        """A date alone ("2026-11-20") is that day's midnight."""
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.combine(date.fromisoformat(value), time.min)
            except ValueError:
                return value
        return value

    @field_validator("channel", "language", "sentiment", "intent", "status", "team", "assignee", mode="after")
    @classmethod
    def _lists(cls, values: list[str]) -> list[str]:
        return _split(values)


class HitOut(BaseModel):
    message_id: int
    ticket_id: int | None
    conversation_id: int
    customer_id: int | None
    channel: str
    language: str
    sent_at: datetime
    score: float = Field(description="Relevance (0 when ordered by time).")
    snippet: str = Field(description="Masked text around the matched words.")
    highlights: list[tuple[int, int]] = Field(description="[start, end) character ranges of matches in the snippet.")


class FacetOut(BaseModel):
    value: str = Field(description="The filter value to send back (an id for team and assignee, `none` for none; "
                                   "a day YYYY-MM-DD for the last 30 days, a month YYYY-MM before).")
    count: int
    label: str = Field(default="", description="A team's slug or an assignee's username.")


class SearchOut(BaseModel):
    hits: list[HitOut]
    total: int = Field(description="Matching messages.")
    facets: dict[str, list[FacetOut]] = Field(description=f"Per filter ({', '.join(FACETS)}): values and counts.")
    took_ms: float


def _moment(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _teams(org: Organisation, values: list[str]) -> tuple[int | None, ...]:
    found: list[int | None] = []
    for value in values:
        if value == "none":
            found.append(None)
            continue
        team = Team.objects.filter(organisation=org, **({"pk": int(value)} if value.isdigit() else {"slug": value}))
        pk = team.values_list("pk", flat=True).first()
        if pk is None:
            raise ApiError(400, "unknown team", {"team": f"no team {value!r} in this organisation"})
        found.append(pk)
    return tuple(found)


def _assignees(org: Organisation, values: list[str]) -> tuple[int | None, ...]:
    found: list[int | None] = []
    users = get_user_model().objects.filter(agents__organisation=org)
    for value in values:
        if value == "none":
            found.append(None)
            continue
        pk = users.filter(**({"pk": int(value)} if value.isdigit() else {"username": value})).values_list(
            "pk", flat=True).first()
        if pk is None:
            raise ApiError(400, "unknown assignee", {"assignee": f"no agent {value!r} in this organisation"})
        found.append(pk)
    return tuple(found)


def _labels(org: Organisation, facets: dict[str, list[FacetOut]]) -> None:
    teams = dict(Team.objects.filter(organisation=org).values_list("pk", "slug"))
    people = dict(get_user_model().objects.filter(agents__organisation=org).values_list("pk", "username"))
    for facet, names in (("team", teams), ("assignee", people)):
        for item in facets.get(facet, []):
            if item.value.isdigit():
                item.label = str(names.get(int(item.value), ""))


@router.get("/search", response={200: SearchOut, **ERRORS}, summary="Search messages across every channel")
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    """Ranked (BM25) or newest-first hits over the organisation's messages, with the total and, per filter, the count
    of each value (a filter that is set is left out of its own counts, so the other values stay visible)."""
    org = organisation(request)
    query = SearchQuery(
        organisation_id=org.pk, text=params.q, prefix=params.prefix, channels=tuple(params.channel),
        languages=tuple(params.language), sentiments=tuple(params.sentiment), intents=tuple(params.intent),
        statuses=tuple(params.status), team_ids=_teams(org, params.team), assignee_ids=_assignees(org, params.assignee),
        since=_moment(params.since), until=_moment(params.until), order=params.order, limit=params.limit,
        offset=params.offset, facets=params.facets)
    try:
        result = engine.search(query)
    except SearchQueryError as exc:
        part, _, message = str(exc).partition(": ")
        field = {"channels": "channel", "organisation": "q"}.get(part, part)
        raise ApiError(400, str(exc), {field: message or str(exc)}) from exc
    facets = {name: [FacetOut(value=f.value, count=f.count) for f in values] for name, values in result.facets.items()}
    _labels(org, facets)
    return SearchOut(
        hits=[HitOut(message_id=h.message_id, ticket_id=h.ticket_id, conversation_id=h.conversation_id,
                     customer_id=h.customer_id, channel=h.channel, language=h.language, sent_at=h.sent_at,
                     score=h.score, snippet=h.snippet, highlights=list(h.highlights)) for h in result.hits],
        total=result.total, facets=facets, took_ms=round(result.took_ms, 2))
