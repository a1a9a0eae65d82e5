"""Need to know: which tickets a person may see. The one rule every inbox view, count, search and action uses.

- **Agents** see the tickets of their teams, the tickets assigned to them, and the tickets with no team (the shared
  queue: a desk without teams, or a ticket routing has not placed yet, must still reach somebody). While a team has
  pulled in an overflow team (``Team.overflow_until``, webcare/supervision), the overflow team's members see the
  swamped team's tickets too — they are being given them.
- **Supervisors and admins** see all of their organisation's tickets; they review and manage.
- **Analysts** see all of their organisation's tickets **read-only and masked** (they never reveal personal data);
  their job is the figures on the supervisor dashboard.

Anything outside the scope is a 404, exactly like a ticket that does not exist: an agent cannot even learn that
another team's ticket #N exists. The rule itself is pure (:func:`ticket_condition`); :func:`scope_for` reads the
agent's teams once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from webcare.core.models import Agent, Role, Team
from webcare.tickets.models import Ticket

#: Roles that see every ticket of their organisation.
WHOLE_ORGANISATION: Final = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.ANALYST})
#: Roles that may reveal personal data (with a purpose). Analysts never do.
REVEALERS: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """What one person may see: their organisation, and either everything in it or the tickets of some teams."""

    organisation_id: int
    user_id: int
    role: str
    everything: bool
    #: The agent's teams and the teams they currently take overflow for (empty when ``everything``).
    team_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> tuple[Any, ...]:
        """What the team part of the scope depends on: people with the same key see the same shared queues (the
        inbox's shared counts are cached per key)."""
        return ("all",) if self.everything else ("teams", *sorted(self.team_ids))

    @property
    def may_reveal(self) -> bool:
        return self.role in REVEALERS

    @property
    def read_only(self) -> bool:
        return self.role == Role.ANALYST


def ticket_condition(scope: Scope, prefix: str = "") -> Q:
    """The tickets ``scope`` may see, as a condition on ``Ticket`` (or on a relation to it through ``prefix``, e.g.
    ``"ticket__"``). Always bound to the organisation."""
    org = Q(**{f"{prefix}organisation_id": scope.organisation_id})
    if scope.everything:
        return org
    return org & (shared_condition(scope, prefix) | Q(**{f"{prefix}assignee_id": scope.user_id}))


def shared_condition(scope: Scope, prefix: str = "") -> Q:
    """The team part of :func:`ticket_condition` (without "assigned to me" and the organisation): the same for
    everybody with the same :attr:`Scope.key`."""
    if scope.everything:
        return Q()
    return Q(**{f"{prefix}team__isnull": True}) | Q(**{f"{prefix}team_id__in": sorted(scope.team_ids)})


def scope_for(agent: Agent, now: datetime | None = None) -> Scope:
    """The scope of ``agent``, cached on the instance (views call this several times per request)."""
    cached: Scope | None = getattr(agent, "_access_scope", None)
    if cached is not None:
        return cached
    if agent.role in WHOLE_ORGANISATION:
        scope = Scope(agent.organisation_id, agent.user_id, agent.role, everything=True)
    else:
        own = set(Team.objects.filter(organisation_id=agent.organisation_id, members=agent)
                  .values_list("pk", flat=True))
        helping = set(Team.objects.filter(organisation_id=agent.organisation_id, overflow_team_id__in=own,
                                          overflow_until__gt=now or timezone.now()).values_list("pk", flat=True))
        scope = Scope(agent.organisation_id, agent.user_id, agent.role, everything=False,
                      team_ids=frozenset(own | helping))
    agent._access_scope = scope  # type: ignore[attr-defined]
    return scope


def visible_tickets(agent: Agent, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets ``agent`` may see (``queryset`` narrowed, or all tickets)."""
    base = queryset if queryset is not None else Ticket.objects.all()
    return base.filter(ticket_condition(scope_for(agent)))


def visible_ticket_or_404(agent: Agent, ticket_id: int, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    """One ticket the agent may see; 404 for a missing one, another organisation's and another team's alike."""
    ticket = visible_tickets(agent, queryset).filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


def may_see(agent: Agent, ticket: Ticket) -> bool:
    """Whether a ticket already loaded is in the agent's scope (pure, no query once the scope is known)."""
    scope = scope_for(agent)
    if ticket.organisation_id != scope.organisation_id:
        return False
    if scope.everything:
        return True
    return ticket.team_id is None or ticket.team_id in scope.team_ids or ticket.assignee_id == scope.user_id
