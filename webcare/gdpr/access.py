"""Who may handle data subject requests: supervisors and admins find and export; only admins erase.

Why supervisors may find and export: a person's request for their data usually reaches the desk through the people
who run it day to day, and answering it within the month GDPR allows should not wait for an admin; an export
discloses nothing to the supervisor that their role does not already show them in the inbox, and every export is
recorded (audit log and the request list) with who made it. Why only admins erase: an erasure cannot be undone and
reaches beyond the supervisor's teams (every channel, attachments, keys), so it needs the role that manages the
whole organisation. Agents and analysts get 403: agents work tickets, analysts see figures, neither handles requests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from webcare.core.models import Agent, Role
from webcare.inbox.views import current_agent

#: Roles that may find a person, see past requests and export.
HANDLERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
#: Roles that may erase.
ERASERS = frozenset({Role.ADMIN})


def can_erase(agent: Agent) -> bool:
    return agent.role in ERASERS


def privacy_page(*, erase: bool = False) -> Callable[[Callable[..., HttpResponseBase]],
                                                    Callable[..., HttpResponseBase]]:
    """Sign-in required; ``view(request, me, …)`` for handlers (admins only with ``erase``), else 403."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            me = current_agent(request)
            if me.role not in (ERASERS if erase else HANDLERS):
                raise PermissionDenied("Only admins erase; supervisors and admins find and export.")
            return view(request, me, *args, **kwargs)

        return wrapper

    return decorate
