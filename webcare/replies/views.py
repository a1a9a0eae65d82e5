"""Canned responses in the inbox: the management pages (supervisors and admins) and the endpoint the composer calls
to get one rendered for a ticket. Thin views: the rules are in ``actions``, ``compose`` and ``variables``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from webcare.access.scope import visible_ticket_or_404
from webcare.core.models import Agent, Team
from webcare.inbox.views import current_agent
from webcare.replies import actions, compose, variables
from webcare.replies.models import CannedResponse
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket


def _manager(request: HttpRequest) -> Agent:
    agent = current_agent(request)
    if not actions.can_manage(agent):
        raise PermissionDenied("Only supervisors and admins can change canned responses.")
    return agent


def _input(request: HttpRequest) -> actions.CannedInput:
    return actions.CannedInput(title=request.POST.get("title", ""), body=request.POST.get("body", ""),
                               language=request.POST.get("language", ""), team=request.POST.get("team", ""))


def _form(request: HttpRequest, agent: Agent, response: CannedResponse | None, values: dict[str, Any],
          error: ActionError | None = None) -> HttpResponse:
    context = {
        "agent": agent, "response": response, "values": values,
        "languages": settings.LANGUAGES,
        "teams": Team.objects.filter(organisation=agent.organisation).order_by("name"),
        "variables": [variables.placeholder(name) for name in variables.KNOWN],
        "error_field": error.field if error else "", "error": error.message if error else "",
    }
    return render(request, "replies/form.html", context, status=422 if error else 200)


@login_required
@require_GET
def canned_list(request: HttpRequest) -> HttpResponse:
    """Every canned response of the organisation, active ones first; agents see the list, managers can change it."""
    agent = current_agent(request)
    responses = list(CannedResponse.objects.filter(organisation=agent.organisation).select_related("team")
                     .order_by("-is_active", "title", "language"))
    names = dict(settings.LANGUAGES)
    rows = [(response, names.get(response.language, response.language)) for response in responses]
    return render(request, "replies/list.html", {"agent": agent, "rows": rows,
                                                 "can_manage": actions.can_manage(agent)})


@login_required
def canned_new(request: HttpRequest) -> HttpResponse:
    agent = _manager(request)
    if request.method != "POST":
        return _form(request, agent, None, {"title": "", "body": "", "language": "", "team": ""})
    data = _input(request)
    try:
        actions.do_create_canned(agent, data)
    except ActionError as exc:
        return _form(request, agent, None, asdict(data), exc)
    return redirect("replies:list")


@login_required
def canned_edit(request: HttpRequest, canned_id: int) -> HttpResponse:
    agent = _manager(request)
    response = get_object_or_404(CannedResponse.objects.select_related("team"), pk=canned_id,
                                 organisation=agent.organisation)
    if request.method != "POST":
        values = {"title": response.title, "body": response.body, "language": response.language,
                  "team": response.team.slug if response.team else "", "is_active": response.is_active}
        return _form(request, agent, response, values)
    data = _input(request)
    is_active = bool(request.POST.get("is_active"))
    try:
        actions.do_update_canned(agent, response, data, is_active=is_active)
    except ActionError as exc:
        return _form(request, agent, response, asdict(data) | {"is_active": is_active}, exc)
    return redirect("replies:list")


@login_required
@require_POST
def canned_deactivate(request: HttpRequest, canned_id: int) -> HttpResponse:
    agent = _manager(request)
    response = get_object_or_404(CannedResponse, pk=canned_id, organisation=agent.organisation)
    actions.do_deactivate_canned(agent, response)
    return redirect("replies:list")


@login_required
@require_GET
def canned_for_ticket(request: HttpRequest, ticket_id: int, canned_id: int) -> JsonResponse:
    """A canned response rendered for this ticket: ``{"text": …, "unfilled": [variable names without a value]}``.

    Only responses usable on the ticket are found (another organisation's, another team's or an inactive one: 404).
    """
    agent = current_agent(request)
    ticket = visible_ticket_or_404(agent, ticket_id, Ticket.objects.select_related("customer"))
    response = get_object_or_404(compose.usable_responses(ticket, agent), pk=canned_id)
    text = compose.render_for(ticket, agent, response)
    return JsonResponse({"text": text, "unfilled": variables.unfilled(text)})
