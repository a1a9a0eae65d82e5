"""Pulling in a team's overflow team for a while, and ending it early: the only writers of ``Team.overflow_until``.

While ``overflow_until`` is in the future, automatic assignment (webcare/routing) also gives the team's tickets to
the members of its ``overflow_team``. A supervisor or an admin decides it — usually in a surge, from the dashboard —
and it is recorded on the open surge (who, when, which team) so the surge's story says what was done about it.
The members of the overflow team are told in the app (and by e-mail where one is set up), so nobody wonders why
another team's tickets arrive.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from webcare.core.models import Agent, Role, Team
from webcare.supervision.alerts import notify_agents
from webcare.supervision.models import Surge
from webcare.tickets.actions import ActionError

log = logging.getLogger("webcare.supervision")

#: Who may pull in an overflow team (analysts look at the dashboard; agents do not decide staffing).
DECIDERS: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: How long an overflow may be asked for at once, in minutes: long enough for a bad afternoon, short enough that a
#: forgotten one ends by itself the same day.
MIN_MINUTES: Final = 5
MAX_MINUTES: Final = 8 * 60


class OverflowRefused(ActionError):
    """A pull-in that cannot be carried out; ``field`` names the input at fault (as every action's error does)."""


def may_decide(actor: Any, organisation_id: int) -> bool:
    user_id = getattr(actor, "pk", None)
    return user_id is not None and Agent.objects.filter(user_id=user_id, organisation_id=organisation_id,
                                                        role__in=DECIDERS).exists()


def _check_actor(actor: Any, team: Team) -> None:
    if not may_decide(actor, team.organisation_id):
        raise PermissionDenied("Only supervisors and admins of the team's organisation pull in an overflow team.")


def parse_minutes(raw: Any) -> int:
    """Minutes from a form or a caller: a whole number within the bounds, or :class:`OverflowRefused` naming it."""
    try:
        minutes = int(str(raw).strip())
    except (TypeError, ValueError):
        raise OverflowRefused("minutes", _("minutes must be a whole number, not “%(raw)s”") % {
            "raw": str(raw)[:20]}) from None
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise OverflowRefused("minutes", _("minutes must be between %(low)d and %(high)d, not %(minutes)d") % {
            "low": MIN_MINUTES, "high": MAX_MINUTES, "minutes": minutes})
    return minutes


def do_pull_overflow(team: Team, actor: Any, minutes: Any) -> Team:
    """Let ``team``'s overflow team take its tickets for ``minutes`` from now (a pull-in already running is
    replaced, so "for another hour" works); recorded on the open surge. Returns the team as written."""
    _check_actor(actor, team)
    span = parse_minutes(minutes)
    with transaction.atomic():
        locked = Team.objects.select_for_update(of=("self",)).select_related("overflow_team").get(pk=team.pk)
        if locked.overflow_team is None:
            raise OverflowRefused("team", _("%(team)s has no overflow team; an admin chooses one in Team admin") % {
                "team": locked.name})
        now = timezone.now()
        locked.overflow_until = now + timedelta(minutes=span)
        locked.save(update_fields=["overflow_until"])
        Surge.objects.filter(organisation_id=locked.organisation_id, ended_at__isnull=True).update(
            overflow_team=locked.overflow_team, overflow_by=actor, overflow_at=now)
        _tell_helpers(locked, actor)
        # The helpers take the waiting tickets now, not at the next automation pass.
        from webcare.routing.pool import assign_pool

        assign_pool(locked.organisation_id, [locked.pk], now)
        log.info("%s pulled in %s for %s until %s", actor, locked.overflow_team.slug, locked.slug,
                 locked.overflow_until.isoformat())
    team.overflow_until = locked.overflow_until
    return locked


def do_end_overflow(team: Team, actor: Any) -> Team:
    """End a running pull-in now: the overflow team's members stop getting ``team``'s new tickets."""
    _check_actor(actor, team)
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        now = timezone.now()
        if locked.overflow_until is None or locked.overflow_until <= now:
            raise OverflowRefused("team", _("%(team)s has no overflow team helping now") % {"team": locked.name})
        locked.overflow_until = now
        locked.save(update_fields=["overflow_until"])
        log.info("%s ended the overflow for %s", actor, locked.slug)
    team.overflow_until = locked.overflow_until
    return locked


def _tell_helpers(team: Team, actor: Any) -> None:
    """Tell the overflow team's members (not the one who pulled them in), each in their own language."""
    assert team.overflow_team is not None and team.overflow_until is not None
    helpers = (Agent.objects.filter(teams=team.overflow_team, organisation_id=team.organisation_id,
                                    user__is_active=True).exclude(user_id=actor.pk)
               .select_related("user").order_by("user_id"))
    until = formats.time_format(timezone.localtime(team.overflow_until), "H:i")
    who = actor.get_full_name() or actor.get_username()
    helping = team.overflow_team.name

    def text() -> tuple[str, str]:
        return (_("You are helping %(team)s until %(until)s") % {"team": team.name, "until": until},
                _("%(who)s pulled in %(helpers)s: you also get %(team)s's new tickets until then.") % {
                    "who": who, "helpers": helping, "team": team.name})

    notify_agents(team.organisation_id, helpers, "overflow", text, reverse("inbox:inbox"))
