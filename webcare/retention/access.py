"""Who may open the retention pages: admins change the policies; supervisors and analysts read them (how long data
is kept is no secret inside the organisation, and analysts must know how far back their figures have texts);
agents and everybody else get 403. Objects of another organisation answer 404.
"""

from __future__ import annotations

from webcare.core.models import Agent, Role
from webcare.staff.access import role_page

READERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ANALYST})
WRITERS = frozenset({Role.ADMIN})


def can_manage(agent: Agent) -> bool:
    return agent.role in WRITERS


#: Sign-in required; readers may GET, only admins may POST; calls ``view(request, me, …)``.
retention_page = role_page(read=READERS, write=WRITERS,
                           denied="Only admins change retention policies; supervisors and analysts may look.")
