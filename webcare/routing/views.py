"""The routing pages (``/staff/routing/``): the rules in order, the rule form, and the test mode.

Thin on purpose: every write goes through :mod:`webcare.routing.actions`; the form's rows and words come from
:mod:`webcare.routing.rule_form`; deciding is the pure :func:`webcare.routing.rules.route`. A refused rule renders the
form again (422) with what was entered and each message next to the field it names; nothing is stored.

The test mode runs the real triage (:func:`webcare.triage.analyse.analyse`, as the ingestion step does) and the
organisation's real active rules on a pasted message and shows what would happen and why, storing nothing. Admins
and supervisors may use it (a supervisor's POST here changes nothing, so it is allowed, unlike on the other pages).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from webcare.core.models import Agent, Channel, Team
from webcare.inbox.templatetags.triage import language_name
from webcare.inbox.views import current_agent
from webcare.routing import actions, rule_form
from webcare.routing.models import RoutingRule
from webcare.routing.route_step import stored_rule
from webcare.routing.rules import MAX_CONDITIONS, Decision, Facts, Rule, route
from webcare.staff.access import READERS, can_manage, staff_page
from webcare.tickets.actions import ASSIGNABLE_ROLES, ActionError
from webcare.triage.analyse import analyse
from webcare.triage.language import DEFAULT_LANGUAGES
from webcare.triage.steps import organisation_languages

#: Longest sample the test mode triages (the ingestion limit is far higher; a pasted sample is one message).
MAX_SAMPLE = 5_000


def _readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Admins and supervisors, for reading and for POSTs that store nothing (the test mode)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        me = current_agent(request)
        if me.role not in READERS:
            raise PermissionDenied("Only admins and supervisors see the routing rules.")
        return view(request, me, *args, **kwargs)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "routing", "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _names(me: Agent) -> tuple[dict[str, str], dict[str, str]]:
    """Team names by slug and people's names by username, to describe actions in words."""
    teams = dict(Team.objects.filter(organisation=me.organisation).values_list("slug", "name"))
    people = {
        agent.user.username: agent.user.get_full_name() or agent.user.username
        for agent in Agent.objects.filter(organisation=me.organisation).select_related("user")
    }
    return teams, people


def _all_options(me: Agent) -> dict[str, str]:
    """Every value's name (channels, intents, languages …) to describe conditions in words."""
    options: dict[str, str] = {}
    for name in rule_form.FIELD_LABELS:
        options.update(rule_form.value_options(me.organisation, name))
    return options


def _focus(kind: str, first: bool, last: bool) -> str:
    """The button to give the focus back to after a change: the one used, or — when it is now disabled at the top
    or the bottom of the list — the other move button, else the on/off button."""
    if kind == "move-up" and first:
        kind = "move-down"
    if kind == "move-down" and last:
        kind = "move-up" if not first else "active"
    return kind


def _described(me: Agent, rows: list[RoutingRule], focus: tuple[str, int] | None = None) -> list[dict[str, Any]]:
    teams, people = _names(me)
    options = _all_options(me)
    out = []
    for index, row in enumerate(rows):
        first, last = index == 0, index == len(rows) - 1
        out.append({
            "rule": row, "number": index + 1, "first": first, "last": last,
            "focus": _focus(focus[0], first, last) if focus and focus[1] == row.pk else "",
            "conditions": [rule_form.describe_condition(c, options) for c in row.conditions],
            "actions": rule_form.describe_actions(row.actions, teams, people),
        })
    return out


def _rules(me: Agent) -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(organisation=me.organisation).order_by("position", "id"))


# The list


@staff_page(admins_only=False)
def rule_list(request: HttpRequest, me: Agent) -> HttpResponse:
    return _page(request, me, "routing/rules.html", rules=_described(me, _rules(me)))


def _table(request: HttpRequest, me: Agent, focus: tuple[str, int] | None = None, status: int = 200,
           error: str = "") -> HttpResponse:
    """The rules table alone (htmx swaps it after a move), with the focus kept on the button that was used."""
    return _page(request, me, "routing/_rules_table.html", status=status, rules=_described(me, _rules(me), focus),
                 error=error)


def _after_change(request: HttpRequest, me: Agent, rule_id: int, focus: str) -> HttpResponse:
    if _is_htmx(request):
        return _table(request, me, focus=(focus, rule_id))
    return redirect(reverse("routing:rules") + f"#rule-{rule_id}")


def _refused(request: HttpRequest, me: Agent, exc: ActionError) -> HttpResponse:
    if _is_htmx(request):
        return _table(request, me, status=422, error=exc.message)
    messages.error(request, exc.message)
    return redirect("routing:rules")


@require_POST
@staff_page(admins_only=True)
def rule_move(request: HttpRequest, me: Agent, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id, organisation=me.organisation)
    direction = request.POST.get("direction", "")
    try:
        actions.do_move_rule(rule, request.user, direction)
    except ActionError as exc:
        return _refused(request, me, exc)
    return _after_change(request, me, rule.pk, f"move-{direction}")


@require_POST
@staff_page(admins_only=True)
def rule_active(request: HttpRequest, me: Agent, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id, organisation=me.organisation)
    try:
        actions.do_set_rule_active(rule, request.user, request.POST.get("active") == "1")
    except ActionError as exc:
        return _refused(request, me, exc)
    return _after_change(request, me, rule.pk, "active")


@staff_page(admins_only=True)
def rule_delete(request: HttpRequest, me: Agent, rule_id: int) -> HttpResponse:
    """GET asks "delete this rule?"; POST deletes it."""
    rule = get_object_or_404(RoutingRule, pk=rule_id, organisation=me.organisation)
    if request.method != "POST":
        return _page(request, me, "routing/rule_delete.html", rule=rule)
    try:
        actions.do_delete_rule(rule, request.user)
    except ActionError as exc:
        return _refused(request, me, exc)
    messages.success(request, _("Deleted the rule “%(name)s”.") % {"name": rule.name})
    return redirect("routing:rules")


# The form


def _assignees(me: Agent) -> list[tuple[str, str]]:
    agents = (Agent.objects.filter(organisation=me.organisation, role__in=ASSIGNABLE_ROLES, user__is_active=True)
              .select_related("user").order_by("user__first_name", "user__username"))
    return [(a.user.username, a.user.get_full_name() or a.user.username) for a in agents]


def _form(request: HttpRequest, me: Agent, values: dict[str, Any], rows: list[rule_form.Row],
          rule: RoutingRule | None = None, errors: dict[str, str] | None = None,
          all_errors: list[tuple[str, str]] | None = None) -> HttpResponse:
    return _page(
        request, me, "routing/rule_form.html", status=422 if errors or all_errors else 200,
        rule=rule, values=values, rows=rows, errors=errors or {}, all_errors=all_errors or [],
        fields=rule_form.field_choices(), can_add=len(rows) < MAX_CONDITIONS,
        teams=Team.objects.filter(organisation=me.organisation).order_by("name"),
        priorities=[(str(p), str(label)) for p, label in rule_form.PRIORITY_LABELS.items()],
        assignees=_assignees(me),
    )


def _values(rule: RoutingRule) -> dict[str, Any]:
    data = rule.actions or {}
    return {"name": rule.name, "team": data.get("team", ""), "priority": str(data.get("priority", "")),
            "labels": ", ".join(data.get("labels", [])), "assign": data.get("assign", ""),
            "auto_reply": data.get("auto_reply", ""), "spam": bool(data.get("spam")), "stop": rule.stop,
            "is_active": rule.is_active}


def _posted_values(data: dict[str, Any]) -> dict[str, Any]:
    """The posted rule as the form shows it again."""
    return {"name": data["name"], **data["actions"], "stop": data["stop"], "is_active": data["is_active"]}


def _keys(errors: dict[str, str]) -> dict[str, str]:
    """Error keys a template can read (``actions.team`` → ``actions_team``)."""
    return {key.replace(".", "_"): message for key, message in errors.items()}


def _summary(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The errors with the field's name as the form shows it ("Condition 2, comparison") instead of its path."""
    return [(rule_form.field_name(where), message) for where, message in errors]


def _save(request: HttpRequest, me: Agent, rule: RoutingRule | None) -> HttpResponse:
    """Check and save the posted rule, or — for "add a condition", "remove" and "update" — show the form again."""
    data, rows = rule_form.posted_rule(me.organisation, request.POST)
    values = _posted_values(data)
    if any(key in request.POST for key in ("add", "remove", "refresh")):
        return _form(request, me, values, rows, rule)
    try:
        saved = actions.do_save_rule(me.organisation, request.user, data, rule)
    except actions.RuleRefused as exc:
        errors = rule_form.place_errors(exc.errors, rows)
        return _form(request, me, values, rows, rule, _keys(errors), _summary(exc.errors))
    except ActionError as exc:
        return _form(request, me, values, rows, rule, _keys({exc.field: exc.message}),
                     _summary([(exc.field, exc.message)]))
    messages.success(request, _("Saved the rule “%(name)s”.") % {"name": saved.name})
    return redirect(reverse("routing:rules") + f"#rule-{saved.pk}")


@staff_page(admins_only=True)
def rule_new(request: HttpRequest, me: Agent) -> HttpResponse:
    if request.method != "POST":
        values = {"stop": True, "is_active": True}
        return _form(request, me, values, [rule_form.Row(index=0)])
    return _save(request, me, None)


@staff_page(admins_only=True)
def rule_edit(request: HttpRequest, me: Agent, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id, organisation=me.organisation)
    if request.method != "POST":
        rows = rule_form.rows_from_conditions(me.organisation, rule.conditions)
        return _form(request, me, _values(rule), rows or [rule_form.Row(index=0)], rule)
    return _save(request, me, rule)


@staff_page(admins_only=True)
def condition_row(request: HttpRequest, me: Agent) -> HttpResponse:
    """One condition row again after its field or comparison changed (htmx): the comparisons and values that fit."""
    query: QueryDict = request.GET
    index_text = query.get("index", "0")
    index = int(index_text) if index_text.isdigit() and int(index_text) < MAX_CONDITIONS + 5 else 0
    name, op, values = rule_form.posted_row(query, index)
    row = rule_form.make_row(me.organisation, index, name, op, values, fit_op=True)
    trigger = request.headers.get("HX-Trigger-Name", "")
    row.focus = "op" if trigger.endswith("-op") else "field"  # the select the person was using: keep them there
    return _page(request, me, "routing/_condition.html", row=row, fields=rule_form.field_choices())


# The test mode


def _sample_facts(triage: Any, channel: Channel | None, public: bool) -> Facts:
    return Facts(
        channel_kind=channel.kind if channel else "", channel_slug=channel.slug if channel else "",
        language=triage.language, intents=tuple(triage.intents), sentiment=triage.sentiment_label,
        register=triage.register, text=triage.redacted_text, priority=triage.priority, profane=triage.profane,
        public=public, public_pii=bool(triage.pii) and public,
    )


def _active_rules(me: Agent) -> list[Rule]:
    rows = RoutingRule.objects.filter(organisation=me.organisation, is_active=True).order_by("position", "id")
    return [rule for row in rows if (rule := stored_rule(row)) is not None]


def _explain(me: Agent, decision: Decision) -> list[dict[str, Any]]:
    """Each rule tried, with each condition's result in words and what the message had."""
    options = _all_options(me)
    out = []
    for number, trace in enumerate(decision.explanation, start=1):
        checks = []
        for check in trace.checks:
            actual = check.actual
            if isinstance(actual, tuple):
                actual = [v for v in actual if v]
            shown = rule_form.value_words(options, rule_form.as_strings(actual)) if actual not in ("", []) else ""
            if check.condition.field == "keywords":
                shown = (_("found “%(word)s”") % {"word": check.found}) if check.found else _("none of the words")
            checks.append({"text": rule_form.describe_condition(check.condition, options), "holds": check.holds,
                           "actual": shown})
        out.append({"number": number, "rule": trace.rule, "matched": trace.matched, "skipped": trace.skipped,
                    "checks": checks})
    return out


@_readers
def test_mode(request: HttpRequest, me: Agent) -> HttpResponse:
    """Paste a message: see which rule would take it, why, and what it would do — nothing is stored."""
    channels = list(Channel.objects.filter(organisation=me.organisation).order_by("name"))
    org_languages = organisation_languages({me.organisation.pk})[me.organisation.pk]
    languages = [(code, language_name(code)) for code in dict.fromkeys([*org_languages, *DEFAULT_LANGUAGES])]
    context: dict[str, Any] = {"channels": channels, "languages": languages, "values": {"public": "private"},
                               "errors": {}}
    if request.method != "POST":
        return _page(request, me, "routing/test.html", **context)
    post = request.POST
    values = {"text": post.get("text", ""), "channel": post.get("channel", ""), "public": post.get("public", ""),
              "language": post.get("language", "")}
    context["values"] = values
    errors = {}
    text = values["text"].strip()
    if not text:
        errors["text"] = _("paste or type a message to test")
    elif len(text) > MAX_SAMPLE:
        errors["text"] = _("at most %(n)d characters") % {"n": MAX_SAMPLE}
    channel = next((c for c in channels if c.slug == values["channel"]), None)
    if values["channel"] and channel is None:
        errors["channel"] = _("choose one of the channels")
    if values["language"] and values["language"] not in dict(languages):
        errors["language"] = _("choose one of the languages")
    if values["public"] not in ("public", "private"):
        errors["public"] = _("choose public or private")
    if errors:
        context["errors"] = errors
        return _page(request, me, "routing/test.html", status=422, **context)
    public = values["public"] == "public"
    triage = analyse(text, public=public, languages=(values["language"],) if values["language"] else org_languages)
    decision = route(_active_rules(me), _sample_facts(triage, channel, public), explain=True)
    teams, people = _names(me)
    context |= {
        "triage": triage, "decision": decision, "explanation": _explain(me, decision),
        "triage_language": language_name(triage.language) if triage.language else "",
        "triage_intents": rule_form.value_words(_all_options(me), list(triage.intents)),
        "triage_sentiment": rule_form.SENTIMENT_LABELS.get(triage.sentiment_label, triage.sentiment_label),
        "triage_priority": rule_form.PRIORITY_LABELS.get(triage.priority, ""),
        "result_team": teams.get(decision.team or "", decision.team or ""),
        "result_priority": rule_form.PRIORITY_LABELS.get(decision.priority or 0, ""),
        "result_assign": (_("automatically, within the team") if decision.assign == "auto"
                          else people.get(decision.assign or "", decision.assign or "")),
    }
    return _page(request, me, "routing/test.html", **context)
