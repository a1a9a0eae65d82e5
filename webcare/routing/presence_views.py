"""The agent's own presence switch in the inbox header (online, away, offline): ``POST /inbox/presence/``.

Thin: the write is :func:`webcare.routing.presence.do_set_presence`. An htmx request gets the switch back (with a
short confirmation that screen readers announce); a plain form post goes back to the inbox.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from webcare.core.models import Presence
from webcare.inbox.views import current_agent
from webcare.routing.presence import do_set_presence
from webcare.tickets.actions import ActionError

CONFIRMATIONS = {
    Presence.ONLINE: _("You are online: new tickets can be assigned to you."),
    Presence.AWAY: _("You are away: no new tickets are assigned to you; you keep yours."),
    Presence.OFFLINE: _("You are offline: no new tickets are assigned to you; you keep yours."),
}


@login_required
@require_POST
def set_presence(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    htmx = request.headers.get("HX-Request") == "true"
    try:
        assigned = do_set_presence(agent, request.POST.get("presence", ""))
    except ActionError as exc:
        if not htmx:
            return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
        return render(request, "routing/_presence.html", {"agent": agent, "presence_error": exc.message},
                      status=422)
    if not htmx:
        return redirect("inbox:inbox")
    message = str(CONFIRMATIONS[Presence(agent.presence)])
    if assigned:
        message += " " + ngettext("%(n)d waiting ticket was assigned.", "%(n)d waiting tickets were assigned.",
                                  len(assigned)) % {"n": len(assigned)}
    return render(request, "routing/_presence.html", {"agent": agent, "presence_message": message})
