""""Hide and move to private" in the inbox: the panel on a ticket with personal data in public, and its action.

GET (htmx, loaded by the panel in the ticket pane) shows what the action will do — which comments are hidden, which
the platform cannot hide, the prepared private message and public note, ready to edit — or why it cannot be done.
POST does it through :func:`webcare.tickets.protect.do_protect_public_pii` (texts signed like any reply) and answers
with the refreshed ticket pane, like the inbox's other actions.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from webcare.access.scope import visible_ticket_or_404
from webcare.core.models import Role
from webcare.inbox.views import HtmxHttpRequest, _act, current_agent, works_tickets
from webcare.replies import compose
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket
from webcare.tickets.protect import do_protect_public_pii, plan


@require_http_methods(["GET", "POST"])
@login_required
@works_tickets
def protect(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    agent = current_agent(request)
    if agent.role == Role.ANALYST:  # the panel is an action: analysts, who see the inbox read-only, get neither
        raise PermissionDenied("Analysts see the inbox read-only.")
    if request.method != "POST":
        ticket = visible_ticket_or_404(agent, ticket_id)
        context: dict[str, object] = {"ticket": ticket, "protect_loaded": True}
        try:
            context["protect_plan"] = plan(ticket)
        except ActionError as exc:
            context["protect_refused"] = exc.message
        return render(request, "inbox/_protect.html", context)
    private_text = request.POST.get("private_text", "")
    public_note = request.POST.get("public_note", "")

    def act(ticket: Ticket) -> None:
        prepared = plan(ticket)
        private = compose.prepare_reply(ticket, agent, private_text.strip() or prepared.private_text)
        note = compose.prepare_reply(ticket, agent, public_note.strip() or prepared.public_note)
        do_protect_public_pii(ticket, request.user, private_text=private, public_note=note)

    return _act(request, ticket_id, act)
