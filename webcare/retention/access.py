"""Who may open the retention pages: admins change the policies; supervisors and analysts read them (how long data
is kept is no secret inside the organisation, and analysts must know how far back their figures have texts);
agents and everybody else get 403. Objects of another organisation answer 404.
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

READERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ANALYST})
WRITERS = frozenset({Role.ADMIN})

View = Callable[..., HttpResponse]


def can_manage(agent: Agent) -> bool:
    return agent.role in WRITERS


def retention_page(view: View) -> Callable[..., HttpResponse]:
    """Sign-in required; readers may GET, only admins may POST; calls ``view(request, me, …)``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        me = current_agent(request)
        allowed = READERS if request.method in ("GET", "HEAD") else WRITERS
        if me.role not in allowed:
            raise PermissionDenied("Only admins change retention policies; supervisors and analysts may look.")
        return view(request, me, *args, **kwargs)

    return wrapper
