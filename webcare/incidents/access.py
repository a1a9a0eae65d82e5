"""Who may see and do what with incidents.

- **Look** (the list, an incident's page, the inbox banner): agents, supervisors, admins, and analysts — analysts see
  the figures and masked text only, and no actions. Linked tickets are listed within each person's scope
  (webcare/access/scope.py): an agent sees their teams' tickets, as everywhere.
- **Reply to everyone affected**: agents (the linked tickets in their scope only), supervisors and admins (all).
- **Publish a public post, resolve (with the closing update), dismiss, rename**: supervisors and admins. A post speaks
  for the brand to everybody, and resolving answers every linked ticket and frees them: decisions for the people who
  run the desk, not for one agent working a queue.

The pages check these with :func:`incident_page`; the ``do_*`` writers check them again (:func:`require`), so the API
or a shell cannot go around them.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy

from webcare.core.models import Agent, Role
from webcare.staff.access import role_page
from webcare.tickets.actions import ActionError

LOOKERS: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.ANALYST})
REPLIERS: Final = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
LEADERS: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})

#: The pages' gate: everybody but analysts may send a form; each view (and writer) narrows it further.
incident_page = role_page(read=LOOKERS, write=REPLIERS,
                          denied="Agents, supervisors and admins act on incidents; analysts only look.")

WHY = {
    "reply": gettext_lazy("agents, supervisors and admins reply to everyone affected"),
    "lead": gettext_lazy("only supervisors and admins publish posts, resolve, dismiss or rename incidents"),
}


def may_reply(agent: Agent) -> bool:
    return agent.role in REPLIERS


def may_lead(agent: Agent) -> bool:
    return agent.role in LEADERS


def require(agent: Agent, roles: frozenset[str], what: str) -> None:
    """Refuse (``ActionError`` on ``actor``) unless the agent's role is one of ``roles``."""
    if agent.role not in roles:
        raise ActionError("actor", str(WHY[what]))
