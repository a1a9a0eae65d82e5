"""The service-level pages at ``/staff/sla/``: the policies in order (move up and down), a policy's form, each team's
supervisor and escalation chain, and the acknowledgement window.

Thin like the other staff pages: reading a form, every write through :mod:`webcare.sla.actions`; a refused write
renders the form again (422) with the values entered and the message next to the field the action named. Admins
change, supervisors look (``webcare.staff.access``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webcare.core.models import Agent, ChannelKind, Team
from webcare.sla import actions
from webcare.sla.labels import INTENT_LABELS, PRIORITY_LABELS, minutes_text
from webcare.sla.models import EscalationStep, SlaPolicy
from webcare.staff.access import can_manage, staff_page
from webcare.tickets.actions import ActionError
from webcare.triage.intent import INTENTS

UNITS = ("minutes", "hours")
TARGET_FIELDS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
#: Empty step rows offered below the chain on the team form.
SPARE_STEPS = 3


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "sla", "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _teams(me: Agent) -> Any:
    steps = EscalationStep.objects.select_related("agent__user").order_by("position", "id")
    return (Team.objects.filter(organisation=me.organisation).select_related("supervisor__user")
            .prefetch_related(Prefetch("escalation_steps", queryset=steps)).order_by("name"))


@staff_page(admins_only=False)
def policy_list(request: HttpRequest, me: Agent) -> HttpResponse:
    policies = (SlaPolicy.objects.filter(organisation=me.organisation).prefetch_related("teams")
                .order_by("position", "id"))
    return _page(request, me, "sla/policies.html", policies=list(policies), teams=_teams(me),
                 ack_window=request.POST.get("ack_window_minutes", me.organisation.ack_window_minutes),
                 intent_labels=INTENT_LABELS, priority_labels=PRIORITY_LABELS)


# -- a policy ----------------------------------------------------------------------------------------------------


def _split(minutes: int | None) -> tuple[str, str]:
    """A stored target as the form shows it: whole hours in hours, else minutes."""
    if minutes is None:
        return "", "hours"
    if minutes % 60 == 0:
        return str(minutes // 60), "hours"
    return str(minutes), "minutes"


def _minutes(field: str, value: str, unit: str) -> int | None:
    """A target typed in the form (``"1.5"`` hours, ``"90"`` minutes) in whole minutes; empty: no target."""
    value = value.strip().replace(",", ".")
    if not value:
        return None
    if unit not in UNITS:
        raise ActionError(field, _("choose minutes or hours"))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ActionError(field, _("“%(value)s” is not a number") % {"value": value}) from None
    if not number.is_finite():
        raise ActionError(field, _("“%(value)s” is not a number") % {"value": value})
    minutes = number * 60 if unit == "hours" else number
    if minutes != minutes.to_integral_value():
        raise ActionError(field, _("give whole minutes"))
    return int(minutes)


def _whole(field: str, value: str, message: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ActionError(field, message) from None


def _form_values(request: HttpRequest) -> dict[str, Any]:
    """The form as posted, to show again after an error."""
    post = request.POST
    values: dict[str, Any] = {
        "name": post.get("name", ""), "is_active": post.get("is_active") == "on",
        "channel_kinds": post.getlist("channel_kinds"), "priorities": post.getlist("priorities"),
        "team_ids": post.getlist("team_ids"), "intents": post.getlist("intents"),
        "business_hours": post.get("business_hours", "business") == "business",
        "warn_percent": post.get("warn_percent", ""),
    }
    for name in TARGET_FIELDS:
        values[name] = post.get(name, "")
        values[f"{name}_unit"] = post.get(f"{name}_unit", "hours")
    return values


def _stored_values(policy: SlaPolicy) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": policy.name, "is_active": policy.is_active, "channel_kinds": list(policy.channel_kinds),
        "priorities": [str(p) for p in policy.priorities],
        "team_ids": [str(t.pk) for t in policy.teams.all()] if policy.pk else [],
        "intents": list(policy.intents), "business_hours": policy.business_hours,
        "warn_percent": str(policy.warn_percent),
    }
    for name in TARGET_FIELDS:
        values[name], values[f"{name}_unit"] = _split(getattr(policy, name))
    return values


def _parse(values: dict[str, Any]) -> actions.PolicyValues:
    """The action's input from the posted form; raises :class:`ActionError` for what is not even a number."""
    targets = {name: _minutes(name, values[name], values[f"{name}_unit"]) for name in TARGET_FIELDS}
    return actions.PolicyValues(
        name=values["name"], is_active=values["is_active"], channel_kinds=values["channel_kinds"],
        priorities=[_whole("priorities", p, _("choose priorities from the list")) for p in values["priorities"]],
        team_ids=[_whole("team_ids", t, _("choose teams from the list")) for t in values["team_ids"]],
        intents=values["intents"], business_hours=values["business_hours"],
        warn_percent=_whole("warn_percent", values["warn_percent"] or "",
                            _("the warning share is a whole number from 1 to 100 (100: no warning)")),
        **targets,
    )


def _policy_form(request: HttpRequest, me: Agent, values: dict[str, Any], policy: SlaPolicy | None = None,
                 errors: dict[str, str] | None = None) -> HttpResponse:
    return _page(
        request, me, "sla/policy_form.html", status=422 if errors else 200, policy=policy, values=values,
        errors=errors or {}, channel_kinds=ChannelKind.choices, priorities=list(PRIORITY_LABELS.items()),
        intents=[(name, INTENT_LABELS[name]) for name in INTENTS],
        teams=Team.objects.filter(organisation=me.organisation).order_by("name"),
        targets=[{"name": name, "label": label, "hint": hint, "value": values[name], "unit": values[f"{name}_unit"],
                  "error": (errors or {}).get(name, "")} for name, label, hint in (
            ("first_response_minutes", _("First response"),
             _("From the customer's first message to the first answer.")),
            ("next_response_minutes", _("Next response"),
             _("From each later message the customer waits on to the next answer.")),
            ("resolution_minutes", _("Resolution"), _("From the first message until the ticket is solved.")))],
    )


def _save_policy(request: HttpRequest, me: Agent, policy: SlaPolicy | None) -> HttpResponse:
    values = _form_values(request)
    try:
        parsed = _parse(values)
        if policy is None:
            saved = actions.add_policy(me.organisation, request.user, parsed)
        else:
            saved = actions.change_policy(policy, request.user, parsed)
    except ActionError as exc:
        return _policy_form(request, me, values, policy, errors={exc.field: exc.message})
    messages.success(request, _("Saved the policy %(name)s.") % {"name": saved.name})
    return redirect("sla:policies")


@staff_page(admins_only=True)
def policy_new(request: HttpRequest, me: Agent) -> HttpResponse:
    if request.method != "POST":
        return _policy_form(request, me, _stored_values(SlaPolicy(
            first_response_minutes=60, next_response_minutes=240, resolution_minutes=24 * 60)))
    return _save_policy(request, me, None)


@staff_page(admins_only=True)
def policy_edit(request: HttpRequest, me: Agent, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy.objects.select_related("organisation"), pk=policy_id,
                               organisation=me.organisation)
    if request.method != "POST":
        return _policy_form(request, me, _stored_values(policy), policy)
    return _save_policy(request, me, policy)


@require_POST
@staff_page(admins_only=True)
def policy_move(request: HttpRequest, me: Agent, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy.objects.select_related("organisation"), pk=policy_id,
                               organisation=me.organisation)
    try:
        actions.move_policy(policy, request.user, request.POST.get("direction", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("sla:policies")


@require_POST
@staff_page(admins_only=True)
def policy_delete(request: HttpRequest, me: Agent, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy.objects.select_related("organisation"), pk=policy_id,
                               organisation=me.organisation)
    actions.delete_policy(policy, request.user)
    messages.success(request, _("Deleted the policy %(name)s.") % {"name": policy.name})
    return redirect("sla:policies")


# -- the acknowledgement window -------------------------------------------------------------------------------------


@require_POST
@staff_page(admins_only=True)
def ack_window(request: HttpRequest, me: Agent) -> HttpResponse:
    raw = request.POST.get("ack_window_minutes", "")
    try:
        minutes = _minutes("ack_window_minutes", raw, request.POST.get("ack_window_unit", "minutes"))
        actions.set_ack_window(me.organisation, request.user, 0 if minutes is None else minutes)
    except ActionError as exc:
        policies = (SlaPolicy.objects.filter(organisation=me.organisation).prefetch_related("teams")
                    .order_by("position", "id"))
        return _page(request, me, "sla/policies.html", status=422, policies=list(policies), teams=_teams(me),
                     ack_window=raw, errors={exc.field: exc.message}, intent_labels=INTENT_LABELS,
                     priority_labels=PRIORITY_LABELS)
    messages.success(request, _("Saved: holding replies after %(wait)s.") % {"wait": minutes_text(minutes or 0)}
                     if minutes else _("Saved: no automatic holding replies."))
    return redirect("sla:policies")


# -- a team's supervisor and escalation chain ------------------------------------------------------------------


def _team_form(request: HttpRequest, me: Agent, team: Team, values: dict[str, Any],
               errors: dict[str, str] | None = None) -> HttpResponse:
    agents = (Agent.objects.filter(organisation=me.organisation, role__in=actions.ESCALATION_ROLES,
                                   user__is_active=True)
              .select_related("user").order_by("user__first_name", "user__username"))
    return _page(request, me, "sla/team_form.html", status=422 if errors else 200, team=team, values=values,
                 errors=errors or {}, agents=agents)


def _spare() -> list[dict[str, str]]:
    return [{"agent": "", "after": ""} for _row in range(SPARE_STEPS)]


def _posted_steps(request: HttpRequest) -> tuple[list[dict[str, str]], list[actions.StepValues]]:
    """The step rows as posted (to show again) and the steps they make; a row without an agent is left out."""
    rows = [{"agent": agent, "after": after} for agent, after in
            zip(request.POST.getlist("step_agent"), request.POST.getlist("step_after"), strict=False)]
    steps = []
    for number, row in enumerate((r for r in rows if r["agent"]), start=1):
        field = f"steps.{number}"
        agent_id = _whole(field, row["agent"], _("step %(n)d: ") % {"n": number}
                          + _("choose an agent of this organisation"))
        try:
            after = _minutes(field, row["after"], "minutes")
        except ActionError as exc:
            raise ActionError(field, _("step %(n)d: ") % {"n": number} + exc.message) from None
        if after is None:
            raise ActionError(field, _("step %(n)d: give the minutes after the breach (at least 1)") % {"n": number})
        steps.append(actions.StepValues(agent_id, after))
    return rows, steps


@staff_page(admins_only=True)
def team_escalation(request: HttpRequest, me: Agent, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("organisation"), pk=team_id, organisation=me.organisation)
    if request.method != "POST":
        stored = [{"agent": str(step.agent_id), "after": str(step.after_minutes)}
                  for step in team.escalation_steps.order_by("position", "id")]
        values = {"supervisor": str(team.supervisor_id or ""), "steps": stored + _spare()}
        return _team_form(request, me, team, values)
    supervisor = request.POST.get("supervisor", "")
    rows: list[dict[str, str]] = []
    try:
        rows, steps = _posted_steps(request)
        supervisor_id = _whole("supervisor", supervisor, _("choose an agent of this organisation")) \
            if supervisor else None
        actions.set_escalation(team, request.user, supervisor_id, steps)
    except ActionError as exc:
        values = {"supervisor": supervisor, "steps": rows + _spare()}
        return _team_form(request, me, team, values, errors={exc.field: exc.message})
    messages.success(request, _("Saved the escalation of %(team)s.") % {"team": team.name})
    return redirect("sla:policies")
