"""Who may open the staff pages: admins change, supervisors look, everybody else gets 403.

Why a decorator: every staff view starts with the same two questions (which organisation, which role), and a view
that forgot one would leak or allow too much. The actions check the admin role again on every write.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from webcare.core.models import Agent, Role
from webcare.inbox.views import current_agent

#: Roles that may read the agents and teams lists.
READERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
#: Roles that may add and change agents and teams.
WRITERS = frozenset({Role.ADMIN})

StaffView = Callable[..., HttpResponse]


def can_manage(agent: Agent) -> bool:
    return agent.role in WRITERS


def role_page(*, read: frozenset[str], write: frozenset[str],
              denied: str) -> Callable[[StaffView], Callable[..., HttpResponse]]:
    """Sign-in required; call ``view(request, me, …)`` with the signed-in agent if their role may ``read`` (GET, HEAD)
    or ``write`` (any other method), else 403 with ``denied``. The one role gate of the staff-like pages (staff,
    retention, reveals), so each area only names its roles."""
    def decorate(view: StaffView) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            me = current_agent(request)
            allowed = read if request.method in ("GET", "HEAD") else write
            if me.role not in allowed:
                raise PermissionDenied(denied)
            return view(request, me, *args, **kwargs)

        return wrapper

    return decorate


def staff_page(*, admins_only: bool) -> Callable[[StaffView], Callable[..., HttpResponse]]:
    """Sign-in required; call ``view(request, me, …)`` with the signed-in agent, or answer 403.

    ``admins_only=False`` lets supervisors in for reading; a POST always needs an admin.
    """
    return role_page(read=WRITERS if admins_only else READERS, write=WRITERS,
                     denied="Only admins change these settings; supervisors may look.")
