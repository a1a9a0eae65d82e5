"""Whether an agent takes new work now: online, away or offline.

Presence only decides who *gets new* tickets. Going away or offline unassigns nothing by itself: the agent keeps what
they hold, and a ticket they leave untouched goes back to the pool after the team's reclaim time
(:mod:`webcare.routing.reclaim`). Coming online offers the agent's teams' waiting tickets at once (the same pool pass
the automation loop runs), so nobody waits for the next pass to get work.

Signing out sets the agent offline in every organisation they work for (the ``user_logged_out`` receiver below; the
routing app imports this module in its ``ready()``). A session that simply expires, or a browser closed without
signing out, does not: webcare has no record of when an inbox was last open (the live stream's keep-alives are not
stored), so such an agent stays "online" until they sign out or somebody changes it — and the reclaim time is what
keeps tickets from waiting on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.core.models import Agent, Presence
from webcare.routing.pool import assign_pool
from webcare.tickets.actions import ASSIGNABLE_ROLES, ActionError


def overflowing_to(agent: Agent, now: datetime) -> set[int]:
    """The teams whose tickets the agent may take now: their own teams, and the teams that overflow into them."""
    own = set(agent.teams.values_list("pk", flat=True))
    helped = agent.organisation.teams.filter(overflow_team_id__in=own, overflow_until__gt=now)
    return own | set(helped.values_list("pk", flat=True))


def do_set_presence(agent: Agent, presence: str, now: datetime | None = None) -> list[int]:
    """Set the agent's presence (and ``presence_at``). Coming online assigns them (and their colleagues) the teams'
    waiting tickets in fairness order, as far as their places allow; returns the ids of the tickets assigned.

    Raises :class:`ActionError` (field ``presence``) for an unknown state, and for an analyst, who is never
    assigned tickets; nothing is written then.
    """
    if presence not in Presence.values:
        raise ActionError("presence", _("choose one of: %(states)s") % {"states": ", ".join(Presence.values)})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Agent.objects.select_for_update().select_related("organisation").get(pk=agent.pk)
        if locked.role not in ASSIGNABLE_ROLES:
            raise ActionError("presence", _("an analyst is not assigned tickets, so has no presence to set"))
        changed = locked.presence != presence
        locked.presence = presence
        locked.presence_at = now if changed else locked.presence_at
        locked.save(update_fields=["presence", "presence_at"])
        assigned = []
        if presence == Presence.ONLINE:
            assigned = assign_pool(locked.organisation_id, overflowing_to(locked, now), now)
    agent.presence, agent.presence_at = locked.presence, locked.presence_at
    return assigned


@receiver(user_logged_out, dispatch_uid="webcare.routing.presence.offline_on_sign_out")
def offline_on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Signing out stops new work: the agent goes offline in every organisation (what they hold stays theirs)."""
    if user is None or not getattr(user, "pk", None):
        return
    now = timezone.now()
    Agent.objects.filter(user_id=user.pk).exclude(presence=Presence.OFFLINE).update(presence=Presence.OFFLINE,
                                                                                    presence_at=now)
