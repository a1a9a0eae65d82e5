"""``/account/locks/``: an organisation's admins see who is locked out of signing in and lift a lock.

The same as ``webcare unlock USERNAME`` from the command line. Only people of the admin's own organisation are
listed or can be unlocked (anyone else: 404); locks of unknown usernames and of addresses have no person to show
and end by themselves (or by the command with ``--address``).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webcare.audit.actions import UNLOCKED
from webcare.core.models import Agent
from webcare.security import throttle
from webcare.security.two_factor import audit
from webcare.staff.access import staff_page


@staff_page(admins_only=True)
def lock_list(request: HttpRequest, me: Agent) -> HttpResponse:
    return render(request, "security/locks.html", {"me": me, "section": "locks",
                                                   "locks": throttle.locked_users(me.organisation_id)})


@require_POST
@staff_page(admins_only=True)
def unlock(request: HttpRequest, me: Agent, user_id: int) -> HttpResponse:
    agent = Agent.objects.select_related("user").filter(organisation_id=me.organisation_id, user_id=user_id).first()
    if agent is None:
        raise Http404("no such person in this organisation")
    username = agent.user.get_username()
    with transaction.atomic():
        if throttle.unlock(username):
            audit(UNLOCKED, agent.user, request, {"scope": "username"}, actor=request.user)
    messages.success(request, _("%(name)s may sign in again.") % {"name": agent.user.get_full_name() or username})
    return redirect("security:locks")
