"""The automation pass of assignment: reclaim tickets nobody touched, then hand out the pool.

1. **Reclaim.** A ticket assigned to somebody who has not acted on it (reply, note, change) for the team's
   ``reclaim_minutes`` goes back to the team's pool: still new or open, and nobody touched it since it was assigned
   (``touched_at``, or ``assigned_at`` when nobody ever did) nor since the customer last wrote (``waiting_since`` — a
   customer answering after a week does not cost the agent who knows the case their ticket). The timeline gets two
   rows: the assignee change (old name → "") and the reason (``field="reclaimed"``). In a team that assigns by itself
   the ticket is offered again at once, to a colleague: not to the agent it was taken from in the same pass (if they
   are the only one who can take it, they get it back on the next pass).
2. **The pool.** Unassigned new and open tickets of round-robin and least-loaded teams go to online agents with free
   places, in fairness order (priority, then the longest wait). This is what moves tickets when an agent comes
   online, finishes work (load drops below capacity), or a supervisor opens an overflow team.

Index-driven and bounded: reclaim reads ``ticket_reclaim`` (assigned, new or open, by ``touched_at``) per team with a
reclaim time, at most :data:`RECLAIM_LIMIT` tickets a team a pass; the pool reads the head of
``ticket_unassigned_queue`` per team, at most as many tickets as the team has free places (plus a little). Tickets
and agents are claimed ``SKIP LOCKED`` on PostgreSQL, so any number of automation loops and workers run side by side
without doing a thing twice or waiting for each other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from webcare.core.bulk import insert_rows, update_rows
from webcare.core.models import Agent, Presence, Team
from webcare.live import publish
from webcare.routing.assignment import AUTO_MODES
from webcare.routing.pool import ACTIVE, assign_pool, lock_skipping
from webcare.tickets.models import EventKind, Ticket, TicketEvent

#: Most tickets reclaimed from one team in one pass (the next pass, seconds later, takes the rest).
RECLAIM_LIMIT: Final = 200


def reason_text(minutes: int) -> str:
    """The timeline's reason for a reclaim (stored data, like the other timeline values, so not translated)."""
    return f"untouched for {minutes} min: back to the team's pool"


def reclaim_team(team_id: int, minutes: int, now: datetime) -> dict[int, int]:
    """Take the team's untouched tickets back into its pool; returns ticket id → the agent it was taken from.
    The caller holds the transaction."""
    cutoff = now - timedelta(minutes=minutes)
    queryset = (Ticket.objects.filter(team_id=team_id, assignee__isnull=False, status__in=ACTIVE,
                                      assigned_at__lt=cutoff)
                .filter(Q(touched_at__lt=cutoff) | Q(touched_at__isnull=True))
                .filter(Q(waiting_since__isnull=True) | Q(waiting_since__lt=cutoff))
                .order_by("touched_at", "id"))
    rows = list(lock_skipping(queryset).values("pk", "organisation_id", "assignee_id", "assignee__username")
                [:RECLAIM_LIMIT])
    if not rows:
        return {}
    tickets, events = [], []
    reason = reason_text(minutes)
    for row in rows:
        tickets.append(Ticket(pk=row["pk"], assignee_id=None, assigned_at=None, updated_at=now))
        events.append(TicketEvent(ticket_id=row["pk"], kind=EventKind.ASSIGNEE, field="assignee",
                                  old=row["assignee__username"][:255], new="", actor=None, at=now))
        events.append(TicketEvent(ticket_id=row["pk"], kind=EventKind.ASSIGNEE, field="reclaimed",
                                  old=row["assignee__username"][:255], new=reason, actor=None, at=now))
    update_rows(tickets, ["assignee", "assigned_at", "updated_at"])
    insert_rows(events)
    publish.tickets_changed(rows[0]["organisation_id"], [row["pk"] for row in rows], None)
    agent_of = dict(Agent.objects.filter(organisation_id=rows[0]["organisation_id"],
                                         user_id__in={row["assignee_id"] for row in rows})
                    .values_list("user_id", "pk"))
    return {row["pk"]: agent_of[row["assignee_id"]] for row in rows if row["assignee_id"] in agent_of}


def set_away_where_gone(now: datetime) -> int:
    """Agents "online" whose inbox has not been open for ``WEBCARE_PRESENCE_STALE_MINUTES`` are set away, before the
    pools are handed out: a closed laptop must not keep collecting tickets. Agents never seen by an inbox stream
    (``seen_at`` null: API users, scripts) are left as they set themselves."""
    stale = now - timedelta(minutes=settings.WEBCARE_PRESENCE_STALE_MINUTES)
    return Agent.objects.filter(presence=Presence.ONLINE, seen_at__lt=stale).update(presence=Presence.AWAY,
                                                                                   presence_at=now)


def run(now: datetime) -> int:
    """One pass of the automation loop: reclaim, then assign the pools, one transaction per organisation. Returns
    how many tickets were reclaimed plus how many were assigned."""
    set_away_where_gone(now)
    teams: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for team_id, organisation_id, minutes in (Team.objects.filter(Q(reclaim_minutes__gt=0)
                                                                  | Q(assignment__in=AUTO_MODES))
                                              .values_list("pk", "organisation_id", "reclaim_minutes")
                                              .order_by("organisation_id", "pk")):
        teams[organisation_id].append((team_id, minutes))
    done = 0
    for organisation_id, team_minutes in teams.items():
        with transaction.atomic():
            taken_from: dict[int, int] = {}
            for team_id, minutes in team_minutes:
                if minutes:
                    taken_from |= reclaim_team(team_id, minutes, now)
            assigned = assign_pool(organisation_id, [team_id for team_id, _ in team_minutes], now,
                                   not_agent=taken_from)
        done += len(taken_from) + len(assigned)
    return done
