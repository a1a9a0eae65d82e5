"""Live parts of the inbox: the server-sent event stream, presence ("Kari is replying") and the views partial.

The stream polls the live-event table (``webcare/live``) every ``POLL_SECONDS`` for rows after the last id it sent:
one indexed range read per open inbox, which reaches every process that changes tickets, with no broker to run.

Need to know: an agent whose scope is their teams (webcare/access/scope.py) gets only the ids of tickets they may see
in "tickets" events (the event itself still comes, so a ticket that just left their scope disappears from their
list), and no presence event about another team's ticket. One query per batch of events, only for such agents.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from webcare.access.scope import scope_for, visible_ticket_or_404, visible_tickets
from webcare.core.models import Agent
from webcare.inbox.views import DEFAULT_VIEW, current_agent, nav_views
from webcare.live import publish
from webcare.live.models import LiveEvent
from webcare.tickets.models import Ticket

POLL_SECONDS = 0.4
HEARTBEAT_SECONDS = 5.0  # also how soon a closed browser tab frees its server thread
#: A stream ends after this long and the browser reconnects (EventSource does so by itself, with Last-Event-ID).
MAX_STREAM_SECONDS = 300.0
PRESENCE_STATES = frozenset({"viewing", "typing", "left"})
#: How often an open stream says the agent is still there (Agent.seen_at).
SEEN_EVERY_SECONDS = 60.0


def scoped_events(rows: list[dict[str, Any]], visible: set[int]) -> list[dict[str, Any]]:
    """The events an agent may receive, given the ids among them they may see (pure): "tickets" events keep only
    visible ids; presence on an invisible ticket is dropped; anything else passes."""
    out = []
    for row in rows:
        data = row["data"]
        if row["kind"] == "tickets":
            row = {**row, "data": {**data, "tickets": [pk for pk in data.get("tickets", []) if pk in visible]}}
        elif row["kind"] == "presence" and data.get("ticket") not in visible:
            continue
        out.append(row)
    return out


def _ticket_ids(rows: list[dict[str, Any]]) -> set[int]:
    ids: set[int] = set()
    for row in rows:
        ids.update(row["data"].get("tickets", []))
        if row["data"].get("ticket") is not None:
            ids.add(row["data"]["ticket"])
    return ids


@login_required
def events(request: HttpRequest) -> StreamingHttpResponse:
    """``text/event-stream`` of the organisation's live events after ``Last-Event-ID`` (or ``?after=``)."""
    agent = current_agent(request)
    organisation_id = agent.organisation_id
    restricted = not scope_for(agent).everything
    raw_after = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    if raw_after.isdigit():
        after = int(raw_after)
    else:
        after = LiveEvent.objects.filter(organisation_id=organisation_id).aggregate(m=Max("id"))["m"] or 0
    try:
        limit = min(float(request.GET.get("max", MAX_STREAM_SECONDS)), MAX_STREAM_SECONDS)
    except ValueError:
        limit = MAX_STREAM_SECONDS

    def stream() -> Iterator[str]:
        last = after
        started = last_beat = time.monotonic()
        last_seen = -SEEN_EVERY_SECONDS
        try:
            yield "retry: 2000\n\n"
            while True:
                if time.monotonic() - last_seen >= SEEN_EVERY_SECONDS:
                    # The agent is here: an "online" agent whose inbox is gone is set away by the reclaim pass.
                    last_seen = time.monotonic()
                    Agent.objects.filter(pk=agent.pk).update(seen_at=timezone.now())
                rows: list[dict[str, Any]] = [dict(row) for row in (
                    LiveEvent.objects.filter(organisation_id=organisation_id, id__gt=last)
                    .order_by("id").values("id", "kind", "data")[:200])]
                if rows:
                    last = rows[-1]["id"]
                shown = rows
                if restricted and rows:
                    ids = _ticket_ids(rows)
                    visible = (set(visible_tickets(agent).filter(pk__in=ids).values_list("pk", flat=True))
                               if ids else set())
                    shown = scoped_events(rows, visible)
                for row in shown:
                    yield f"id: {row['id']}\nevent: {row['kind']}\ndata: {json.dumps(row['data'])}\n\n"
                now = time.monotonic()
                if now - started >= limit:
                    return
                if not rows:
                    if now - last_beat >= HEARTBEAT_SECONDS:
                        last_beat = now
                        yield ": keep-alive\n\n"
                    time.sleep(POLL_SECONDS)
        finally:
            if not connection.in_atomic_block:  # (inside a test's transaction the connection is not ours to close)
                connection.close()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@require_POST
def presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Tell the others who look at this ticket that the agent views it, types in it, or left it."""
    agent = current_agent(request)
    ticket = visible_ticket_or_404(agent, ticket_id)  # who may, before what they sent: no hint about other tickets
    state = request.POST.get("state", "")
    if state not in PRESENCE_STATES:
        return HttpResponseBadRequest(f"state must be one of {', '.join(sorted(PRESENCE_STATES))}")
    publish.presence(agent.organisation_id, ticket.pk, request.user, state)
    if state == "typing":
        # Writing a reply is work on the ticket: it must not go back to the pool (webcare/routing/reclaim.py) while
        # its assignee is typing a long answer.
        Ticket.objects.filter(pk=ticket.pk, assignee_id=agent.user_id).update(touched_at=timezone.now())
    return HttpResponse(status=204)


@login_required
def views_nav(request: HttpRequest) -> HttpResponse:
    """The left pane with fresh counts (refreshed when tickets change)."""
    agent = current_agent(request)
    return render(request, "inbox/_views.html", {
        "views": nav_views(agent, request.user), "view_key": request.GET.get("view", DEFAULT_VIEW)})
