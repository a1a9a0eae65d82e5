"""Saved searches: save, delete and list them as views with counts; and the tickets a search finds.

A saved search stores the query text, so it means tomorrow what it meant when saved (``assignee:me`` is whoever looks)
and an agent can read and edit it. Saved from the inbox's search box or from the search page ("Save as inbox view"):
both speak the same query language (webcare/inbox/search.py), and free words go through the same search engine.
Shared searches are visible to the whole organisation; only their owner or an admin deletes them.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from webcare.access.scope import Scope
from webcare.core.models import Agent, Organisation, Role
from webcare.inbox import queues, search
from webcare.inbox.models import SavedSearch
from webcare.inbox.queues import OPEN_STATES, View
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket

MAX_SAVED = 30  # shown in the left pane; more would bury the fixed views


def visible(org: Organisation, user: Any) -> QuerySet[SavedSearch]:
    """The agent's own saved searches and the organisation's shared ones."""
    return SavedSearch.objects.filter(organisation=org).filter(owner=user) | SavedSearch.objects.filter(
        organisation=org, shared=True)


def tickets(org: Organisation, query: str, user: Any, scope: Scope | None = None) -> QuerySet[Ticket]:
    """The tickets a query finds within ``scope`` (the searcher's; None: the whole organisation), in the inbox's
    order (priority, then longest waiting); ``SearchError`` if the query can't be understood. A shared search finds,
    for each agent, only what that agent may see."""
    condition = search.condition(search.parse(query), user, org.pk, search.visibility_for(scope))
    return queues.in_list_order(org, condition, scope)


def views(org: Organisation, user: Any, scope: Scope | None = None) -> list[View]:
    """Saved searches as views; the count is the open work among the matches (new, open, pending, on hold), like
    the fixed views, while the list itself shows every match."""
    result = []
    for saved in visible(org, user).order_by("name", "id")[:MAX_SAVED]:
        try:
            count = tickets(org, saved.query, user, scope).filter(status__in=OPEN_STATES).count()
        except search.SearchError:
            count = 0
        result.append(View(f"saved:{saved.pk}", saved.name, count))
    return result


def get(org: Organisation, user: Any, saved_id: int) -> SavedSearch | None:
    return visible(org, user).filter(pk=saved_id).first()


def do_save(org: Organisation, user: Any, name: str, query: str, shared: bool = False) -> SavedSearch:
    """Save a query under a name; the query must parse, and a name is used once per agent."""
    name, query = name.strip(), query.strip()
    if not name:
        raise ActionError("name", "give the search a name")
    if len(name) > 80:
        raise ActionError("name", "a name can have at most 80 characters")
    if not query:
        raise ActionError("q", "type a search first")
    try:
        search.parse(query)
    except search.SearchError as exc:
        raise ActionError("q", str(exc)) from exc
    if visible(org, user).filter(owner=user).count() >= MAX_SAVED:
        raise ActionError("name", f"you can keep at most {MAX_SAVED} saved searches; delete one first")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(organisation=org, owner=user, name=name, query=query, shared=shared)
    except IntegrityError as exc:
        raise ActionError("name", f"you already have a saved search called {name!r}") from exc


def do_delete(saved: SavedSearch, user: Any) -> None:
    """Delete a saved search: its owner may, and an admin may delete a shared one."""
    is_admin = Agent.objects.filter(user=user, organisation_id=saved.organisation_id, role=Role.ADMIN).exists()
    if saved.owner_id != user.pk and not (saved.shared and is_admin):
        raise ActionError("search", "only the owner or an admin can delete this saved search")
    saved.delete()
