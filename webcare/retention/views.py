"""The retention page at ``/staff/retention/``: the policies (admins add, change and delete them), "What would go
now" (the dry run, loaded after the page so a large database never slows the page itself), and the last runs'
reports. Thin like the other staff pages: every write goes through :mod:`webcare.retention.actions`; a refused
write renders the form again (422) with the values entered and the message next to the field named.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from webcare.core.models import Agent, ChannelKind
from webcare.retention import actions
from webcare.retention.access import can_manage, retention_page
from webcare.retention.apply import PolicyReport, preview
from webcare.retention.labels import COUNTED_FROM, EFFECT, channel_label, data_kind_label
from webcare.retention.models import PER_CHANNEL, DataKind, RetentionPolicy, RetentionRun
from webcare.retention.plan import ORDER
from webcare.tickets.actions import ActionError

#: Runs shown with their reports.
RUNS_SHOWN = 10


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "retention", "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _admins_only(me: Agent) -> None:
    if not can_manage(me):
        raise PermissionDenied("Only admins change retention policies.")


def _rows(me: Agent) -> list[dict[str, Any]]:
    policies = list(RetentionPolicy.objects.filter(organisation=me.organisation))
    policies.sort(key=lambda p: (ORDER.index(DataKind(p.data_kind)), p.channel_kind != "", p.channel_kind))
    return [{"policy": p, "data_label": data_kind_label(p.data_kind), "channel_label": channel_label(p.channel_kind),
             "counted_from": COUNTED_FROM[DataKind(p.data_kind)], "effect": EFFECT[DataKind(p.data_kind)]}
            for p in policies]


def _reports(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A run's (or the dry run's) per-policy rows as the template shows them."""
    return [{**row, "data_label": data_kind_label(row["data_kind"]),
             "channel_label": channel_label(row["channel_kind"])}
            for row in rows]


@require_GET
@retention_page
def policy_list(request: HttpRequest, me: Agent) -> HttpResponse:
    actions.ensure_default_policies(me.organisation)
    runs = list(RetentionRun.objects.filter(organisation=me.organisation).select_related("started_by")
                .order_by("-started_at", "-id")[:RUNS_SHOWN])
    for run in runs:
        run.rows = _reports(run.report)  # type: ignore[attr-defined]
    return _page(request, me, "retention/policies.html", rows=_rows(me), runs=runs)


@require_GET
@retention_page
def dry_run(request: HttpRequest, me: Agent) -> HttpResponse:
    """What would go now (htmx: the panel alone; otherwise a page of its own, for browsers without JavaScript)."""
    reports: list[PolicyReport] = preview(me.organisation, timezone.now())
    context: dict[str, Any] = {"preview": _reports([r.as_json() for r in reports]), "counted_at": timezone.now()}
    if getattr(request, "htmx", False):
        return render(request, "retention/_preview.html", context)
    return _page(request, me, "retention/preview.html", **context)


# -- a policy's form ----------------------------------------------------------------------------------------------


def _values(request: HttpRequest) -> dict[str, str]:
    return {"data_kind": request.POST.get("data_kind", ""), "channel_kind": request.POST.get("channel_kind", ""),
            "days": request.POST.get("days", "")}


def _form(request: HttpRequest, me: Agent, values: dict[str, str], policy: RetentionPolicy | None = None,
          errors: dict[str, str] | None = None) -> HttpResponse:
    return _page(request, me, "retention/policy_form.html", status=422 if errors else 200, policy=policy,
                 values=values, errors=errors or {},
                 data_kinds=[(kind.value, kind.label, COUNTED_FROM[kind], kind in PER_CHANNEL) for kind in ORDER],
                 channel_kinds=ChannelKind.choices)


def _save(request: HttpRequest, me: Agent, policy: RetentionPolicy | None) -> HttpResponse:
    values = _values(request)
    given = actions.PolicyValues(data_kind=values["data_kind"], channel_kind=values["channel_kind"],
                                 days=values["days"])
    try:
        if policy is None:
            saved = actions.add_policy(me.organisation, request.user, given)
        else:
            saved = actions.change_policy(policy, request.user, given)
    except ActionError as exc:
        return _form(request, me, values, policy, errors={exc.field: exc.message})
    messages.success(request, _("Saved: %(kind)s on %(channel)s kept %(days)d days.") % {
        "kind": data_kind_label(saved.data_kind), "channel": channel_label(saved.channel_kind), "days": saved.days})
    return redirect("retention:policies")


@require_http_methods(["GET", "POST"])
@retention_page
def policy_new(request: HttpRequest, me: Agent) -> HttpResponse:
    _admins_only(me)
    if request.method != "POST":
        kind = request.GET.get("data_kind", DataKind.MESSAGE_BODIES)
        return _form(request, me, {"data_kind": kind, "channel_kind": "", "days": ""})
    return _save(request, me, None)


@require_http_methods(["GET", "POST"])
@retention_page
def policy_edit(request: HttpRequest, me: Agent, policy_id: int) -> HttpResponse:
    _admins_only(me)
    policy = get_object_or_404(RetentionPolicy.objects.select_related("organisation"), pk=policy_id,
                               organisation=me.organisation)
    if request.method != "POST":
        return _form(request, me, {"data_kind": policy.data_kind, "channel_kind": policy.channel_kind,
                                   "days": str(policy.days)}, policy)
    return _save(request, me, policy)


@require_POST
@retention_page
def policy_delete(request: HttpRequest, me: Agent, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(RetentionPolicy.objects.select_related("organisation"), pk=policy_id,
                               organisation=me.organisation)
    actions.delete_policy(policy, request.user)
    messages.success(request, _("Deleted the policy for %(kind)s on %(channel)s.") % {
        "kind": data_kind_label(policy.data_kind), "channel": channel_label(policy.channel_kind)})
    return redirect("retention:policies")
