"""Who may open the reveal pages: supervisors and admins review every reveal of their organisation, agents see
their own, analysts none; only admins change the list of purposes.

Why a decorator (as webcare/staff/access.py): every page starts with the same two questions — which organisation,
which role — and a view that forgot one would show one brand's reveals to another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.http import HttpResponse

from webcare.core.models import Agent, Role
from webcare.staff.access import role_page

#: Roles that see every reveal of their organisation.
REVIEWERS: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Roles that see the reveal list at all (agents: only their own reveals).
LIST_READERS: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
#: Roles that change the purposes.
PURPOSE_EDITORS: Final = frozenset({Role.ADMIN})

PageView = Callable[..., HttpResponse]


def reviews_all(agent: Agent) -> bool:
    return agent.role in REVIEWERS


def page(*, read: frozenset[str], write: frozenset[str]) -> Callable[[PageView], Callable[..., HttpResponse]]:
    """Sign-in required; call ``view(request, me, …)`` with the signed-in agent if their role may ``read`` (GET) or
    ``write`` (any other method), else 403."""
    return role_page(read=read, write=write, denied="This page is for supervisors and admins.")
