"""The staff pages: the agents and teams of the signed-in admin's organisation, and the forms that change them.

Thin on purpose: every write goes through :mod:`webcare.staff.actions`; a refused write renders the same form again
(422) with the entered values and the message next to the field the action named. A generated password is never
stored or put in a redirect: it is rendered once, in the answer to the request that made it, and not cached.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from webcare.core.models import Agent, AssignmentMode, ChannelKind, Organisation, Role, SignatureStyle, Team
from webcare.inbox.templatetags.triage import language_name as triage_language_name
from webcare.staff import actions, labels
from webcare.staff.access import can_manage, staff_page
from webcare.tickets.actions import ActionError

#: How a team's new tickets get an owner, as the team form explains it (webcare/routing/assignment.py).
ASSIGNMENT_LABELS: dict[str, tuple[Any, Any]] = {
    AssignmentMode.MANUAL: (gettext_lazy("Manual"), gettext_lazy("agents take tickets from the pool themselves")),
    AssignmentMode.ROUND_ROBIN: (gettext_lazy("Round-robin"),
                                 gettext_lazy("each new ticket goes to the next online member in turn")),
    AssignmentMode.LEAST_LOADED: (gettext_lazy("Least loaded"),
                                  gettext_lazy("each new ticket goes to the online member holding the fewest")),
}


def _agents(me: Agent) -> Any:
    return (Agent.objects.filter(organisation=me.organisation).select_related("user")
            .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
            .order_by("user__first_name", "user__last_name", "user__username"))


def _teams(me: Agent) -> Any:
    members = Agent.objects.select_related("user").order_by("user__first_name", "user__username")
    return (Team.objects.filter(organisation=me.organisation)
            .prefetch_related(Prefetch("members", queryset=members)).order_by("name"))


def _language_choices(org: Organisation, held: list[str]) -> list[tuple[str, str]]:
    """The organisation's languages (and any the agent already has) with their names: the interface's own name where
    webcare has one ("Norsk bokmål"), else the language's name (nynorsk, German)."""
    interface = dict(settings.LANGUAGES)
    return [(code, interface.get(code) or triage_language_name(code))
            for code in actions.offered_languages(org, held)]


#: Channel kinds as the agent form names them (the model's labels are the API's plain English).
CHANNEL_KIND_LABELS: dict[str, Any] = {
    ChannelKind.FACEBOOK: "Facebook", ChannelKind.INSTAGRAM: "Instagram", ChannelKind.X: "X",
    ChannelKind.WHATSAPP: "WhatsApp", ChannelKind.TELEGRAM: "Telegram", ChannelKind.EMAIL: gettext_lazy("E-mail"),
    ChannelKind.WEBCHAT: gettext_lazy("Web chat"), ChannelKind.REVIEWS: gettext_lazy("Reviews"),
    ChannelKind.LISTENING: gettext_lazy("Listening (brand mentions)"), ChannelKind.API: "API",
}


def _channel_choices() -> list[tuple[str, str]]:
    return [(kind, str(CHANNEL_KIND_LABELS.get(kind, label))) for kind, label in ChannelKind.choices]


def _ids(values: list[str]) -> list[int]:
    """The ticked ids, to tick the same boxes again when a form comes back with an error."""
    return [int(value) for value in values if value.isdigit()]


def _page(request: HttpRequest, me: Agent, template: str, section: str, status: int = 200,
          **context: Any) -> HttpResponse:
    context |= {"me": me, "section": section, "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _password_page(request: HttpRequest, me: Agent, agent: Agent, password: str, created: bool) -> HttpResponse:
    """The one time a generated password is shown; never cached by the browser or a proxy."""
    template = "staff/_password.html" if request.headers.get("HX-Request") == "true" else "staff/password.html"
    response = _page(request, me, template, "agents", agent=agent, password=password, created=created)
    add_never_cache_headers(response)
    return response


# Agents


@staff_page(admins_only=False)
def agent_list(request: HttpRequest, me: Agent) -> HttpResponse:
    names = dict(_channel_choices())
    rows = [(agent, ", ".join(names.get(kind, kind) for kind in agent.channel_kinds)) for agent in _agents(me)]
    return _page(request, me, "staff/agents.html", "agents", agents=rows)


def _agent_form(request: HttpRequest, me: Agent, values: dict[str, Any], agent: Agent | None = None,
                errors: dict[str, str] | None = None) -> HttpResponse:
    return _page(
        request, me, "staff/agent_form.html", "agents", status=422 if errors else 200,
        agent=agent, values=values, errors=errors or {},
        editing_self=agent is not None and agent.user_id == request.user.pk,
        roles=[(role, labels.ROLE_LABELS[role], labels.ROLE_HINTS[role]) for role in Role.values],
        teams=Team.objects.filter(organisation=me.organisation).order_by("name"),
        languages=_language_choices(me.organisation, agent.languages if agent is not None else []),
        channel_kinds=_channel_choices(), max_capacity=actions.MAX_CAPACITY,
    )


def _posted_agent(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "username": post.get("username", ""), "first_name": post.get("first_name", ""),
        "last_name": post.get("last_name", ""), "email": post.get("email", ""), "role": post.get("role", ""),
        "team_ids": post.getlist("team_ids"), "languages": post.getlist("languages"),
        # Absent (an older form, a script): left as it is, or the default for a new agent; "" is refused.
        "capacity": post.get("capacity"), "channel_kinds": post.getlist("channel_kinds"),
    }


@staff_page(admins_only=True)
def agent_new(request: HttpRequest, me: Agent) -> HttpResponse:
    """Add an agent; with no password given one is generated and shown on the answer page, once."""
    if request.method != "POST":
        return _agent_form(request, me, {"role": Role.AGENT, "team_ids": [], "languages": [], "channel_kinds": [],
                                         "capacity": Agent._meta.get_field("capacity").get_default()})
    values = _posted_agent(request)
    try:
        agent, password = actions.add_agent(me.organisation, request.user,
                                            password=request.POST.get("password") or None, **values)
    except ActionError as exc:
        values["team_ids"] = _ids(values["team_ids"])
        return _agent_form(request, me, values, errors={exc.field: exc.message})
    if request.POST.get("password"):
        messages.success(request, _("%(name)s was added and can sign in with the password you chose.")
                         % {"name": agent.user.get_full_name() or agent.user.username})
        return redirect("staff:agents")
    return _password_page(request, me, agent, password, created=True)


def _agent_values(agent: Agent) -> dict[str, Any]:
    user = agent.user
    return {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "role": agent.role, "team_ids": [team.pk for team in agent.teams.all()],
            "languages": agent.languages, "is_active": user.is_active, "capacity": agent.capacity,
            "channel_kinds": agent.channel_kinds}


@staff_page(admins_only=True)
def agent_edit(request: HttpRequest, me: Agent, agent_id: int) -> HttpResponse:
    """Change an agent. Your own role and access are not offered: another admin changes those."""
    agent = get_object_or_404(Agent.objects.select_related("user", "organisation"), pk=agent_id,
                              organisation=me.organisation)
    if request.method != "POST":
        return _agent_form(request, me, _agent_values(agent), agent)
    values = _posted_agent(request)
    values["username"] = agent.user.username
    values["is_active"] = request.POST.get("is_active") == "on"
    editing_self = agent.user_id == request.user.pk
    try:
        actions.change_agent(
            agent, request.user, first_name=values["first_name"], last_name=values["last_name"],
            email=values["email"], team_ids=values["team_ids"], languages=values["languages"],
            role=None if editing_self else values["role"], is_active=None if editing_self else values["is_active"],
            capacity=values["capacity"], channel_kinds=values["channel_kinds"],
        )
    except ActionError as exc:
        values["team_ids"] = _ids(values["team_ids"])
        return _agent_form(request, me, values, agent, errors={exc.field: exc.message})
    agent.user.refresh_from_db()
    messages.success(request, _("Saved %(name)s.") % {"name": agent.user.get_full_name() or agent.user.username})
    return redirect("staff:agents")


@require_POST
@staff_page(admins_only=True)
def agent_password(request: HttpRequest, me: Agent, agent_id: int) -> HttpResponse:
    """A new generated password for the agent, shown once (htmx swaps it into the edit page)."""
    agent = get_object_or_404(Agent.objects.select_related("user", "organisation"), pk=agent_id,
                              organisation=me.organisation)
    try:
        password = actions.reset_password(agent, request.user)
    except ActionError as exc:
        if request.headers.get("HX-Request") == "true":
            return _page(request, me, "staff/_password.html", "agents", status=422, agent=agent,
                         error=exc.message)
        return _agent_form(request, me, _agent_values(agent), agent, errors={exc.field: exc.message})
    if agent.user_id == request.user.pk:
        agent.user.refresh_from_db()
        update_session_auth_hash(request, agent.user)  # keep this session; the admin's others end
    return _password_page(request, me, agent, password, created=False)


# Teams


@staff_page(admins_only=False)
def team_list(request: HttpRequest, me: Agent) -> HttpResponse:
    return _page(request, me, "staff/teams.html", "teams", teams=_teams(me).select_related("overflow_team"),
                 modes=[(mode, *ASSIGNMENT_LABELS[mode]) for mode in AssignmentMode.values])


def _team_form(request: HttpRequest, me: Agent, values: dict[str, Any], team: Team | None = None,
               errors: dict[str, str] | None = None) -> HttpResponse:
    return _page(
        request, me, "staff/team_form.html", "teams", status=422 if errors else 200,
        team=team, values=values, errors=errors or {},
        signatures=[(style, labels.SIGNATURE_LABELS[style], labels.SIGNATURE_HINTS[style])
                    for style in SignatureStyle.values],
        agents=_agents(me),
        modes=[(mode, *ASSIGNMENT_LABELS[mode]) for mode in AssignmentMode.values],
        other_teams=Team.objects.filter(organisation=me.organisation).exclude(pk=team.pk if team else 0)
        .order_by("name"),
        max_reclaim=actions.MAX_RECLAIM_MINUTES,
    )


def _posted_team(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    values = {"name": post.get("name", ""), "signature": post.get("signature", ""),
              "member_ids": post.getlist("member_ids")}
    # The assignment settings as posted; a field that is absent (an older form, a script) is left as it is.
    return values | {name: post[name] for name in ("assignment", "reclaim_minutes", "overflow_team") if name in post}


def _overflow_id(value: Any) -> int | None:
    """The chosen overflow team's id, to select it again when the form comes back with an error."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@staff_page(admins_only=True)
def team_new(request: HttpRequest, me: Agent) -> HttpResponse:
    if request.method != "POST":
        return _team_form(request, me, {"signature": SignatureStyle.FIRST_NAME, "member_ids": [],
                                        "assignment": AssignmentMode.MANUAL, "reclaim_minutes": 0})
    values = _posted_team(request)
    try:
        team = actions.add_team(me.organisation, request.user, **values)
    except ActionError as exc:
        values["member_ids"] = _ids(values["member_ids"])
        values["overflow_team"] = _overflow_id(values.get("overflow_team"))
        return _team_form(request, me, values, errors={exc.field: exc.message})
    messages.success(request, _("Added the team %(name)s.") % {"name": team.name})
    return redirect("staff:teams")


@staff_page(admins_only=True)
def team_edit(request: HttpRequest, me: Agent, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("organisation"), pk=team_id, organisation=me.organisation)
    values: dict[str, Any]
    if request.method != "POST":
        values = {"name": team.name, "signature": team.signature,
                  "member_ids": list(team.members.values_list("pk", flat=True)), "assignment": team.assignment,
                  "reclaim_minutes": team.reclaim_minutes, "overflow_team": team.overflow_team_id}
        return _team_form(request, me, values, team)
    values = _posted_team(request)
    try:
        actions.change_team(team, request.user, **values)
    except ActionError as exc:
        values["member_ids"] = _ids(values["member_ids"])
        values["overflow_team"] = _overflow_id(values.get("overflow_team"))
        return _team_form(request, me, values, team, errors={exc.field: exc.message})
    messages.success(request, _("Saved the team %(name)s.") % {"name": values["name"].strip()})
    return redirect("staff:teams")
