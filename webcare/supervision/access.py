"""Who may open the supervisor dashboard: supervisors, admins and analysts look; supervisors and admins act.

Why a decorator (as webcare/staff/access.py): every dashboard view starts with the same two questions — which
organisation, which role — and a view that forgot one would show one brand's figures to another or let an analyst
decide staffing. The overflow actions check the role again themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from webcare.core.models import Agent, Role
from webcare.inbox.views import current_agent

#: Roles that may look at the dashboard.
LOOKERS: Final = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.ANALYST})
#: Roles that may act from it (pull in an overflow team).
ACTORS: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})

DashboardView = Callable[..., HttpResponse]


def can_act(agent: Agent) -> bool:
    return agent.role in ACTORS


def dashboard_page(view: DashboardView) -> Callable[..., HttpResponse]:
    """Sign-in required; call ``view(request, me, …)`` with the signed-in agent, or answer 403 (agents always;
    analysts for anything but reading)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        me = current_agent(request)
        allowed = LOOKERS if request.method in ("GET", "HEAD") else ACTORS
        if me.role not in allowed:
            raise PermissionDenied("Supervisors, admins and analysts see the dashboard; supervisors and admins act.")
        return view(request, me, *args, **kwargs)

    return wrapper
