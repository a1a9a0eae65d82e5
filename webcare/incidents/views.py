"""The incident pages (/incidents/): the list, one incident (what, since when, rate against its usual rate, examples
per channel and language, the linked tickets in the viewer's scope) and its actions, and the inbox banner.

Reads here; every write goes through webcare/incidents/actions.py. The actions are htmx forms that swap their own
section; each also works as a plain form post (the whole page comes back). The reply to everyone and the resolve
are two steps — the preview (who gets what, how many are skipped and why, one text as a customer will read it) and
the send — and the preview's one-time token makes a double click send once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from webcare.access.scope import visible_tickets
from webcare.core.models import Agent, Channel, Role
from webcare.incidents import actions, charts, wording
from webcare.incidents.access import incident_page, may_lead, may_reply
from webcare.incidents.alerts import channel_label, local_time
from webcare.incidents.models import (
    Incident,
    IncidentDelivery,
    IncidentMessage,
    IncidentStatus,
    IncidentUpdate,
    UpdateKind,
)
from webcare.tickets.models import Ticket

#: Examples shown per channel and language, and linked tickets listed.
EXAMPLES_PER_GROUP: Final = 3
TICKETS_SHOWN: Final = 200
SKIP_LABELS: dict[str, Any] = {
    actions.CLOSED: gettext_lazy("closed tickets"),
    actions.ALREADY: gettext_lazy("already had this update"),
    actions.REFUSED: gettext_lazy("the platform refuses a reply now"),
    actions.OUTSIDE: gettext_lazy("tickets of other teams (not yours to answer)"),
}
#: What became of a post (webcare/channels: queued → sent, or failed with the platform's words, or maybe sent).
DELIVERY_LABELS: dict[str, Any] = {"queued": gettext_lazy("queued"), "sent": gettext_lazy("posted"),
                                   "delivered": gettext_lazy("posted"), "read": gettext_lazy("posted"),
                                   "failed": gettext_lazy("failed"), "uncertain": gettext_lazy("maybe posted")}
REGISTER_LABELS = {"formal": gettext_lazy("formal"), "informal": gettext_lazy("informal")}
STATUS_LABELS: dict[str, Any] = {IncidentStatus.OPEN: gettext_lazy("Open"),
                                 IncidentStatus.RESOLVED: gettext_lazy("Resolved"),
                                 IncidentStatus.CLOSED: gettext_lazy("Dismissed")}
UPDATE_LABELS: dict[str, Any] = {UpdateKind.REPLY_ALL: gettext_lazy("Reply to everyone affected"),
                 UpdateKind.POST: gettext_lazy("Public post"), UpdateKind.CLOSING: gettext_lazy("Closing update"),
                 UpdateKind.RESOLVED: gettext_lazy("Resolved"), UpdateKind.CLOSED: gettext_lazy("Dismissed"),
                 UpdateKind.RENAMED: gettext_lazy("Title changed")}


def _incidents(me: Agent) -> QuerySet[Incident]:
    return Incident.objects.filter(organisation_id=me.organisation_id)


def _incident_or_404(me: Agent, incident_id: int) -> Incident:
    incident = _incidents(me).select_related("organisation", "resolved_by").filter(pk=incident_id).first()
    if incident is None:
        raise Http404("no such incident")
    return incident


# -- the list and the banner ---------------------------------------------------------------------------------------

@require_GET
@incident_page
def incident_list(request: HttpRequest, me: Agent) -> HttpResponse:
    rows = list(_incidents(me).order_by("status", "-detected_at", "-id")[:200])
    rows.sort(key=lambda i: (not i.is_open, -i.detected_at.timestamp()))
    return render(request, "incidents/list.html", {"me": me, "incidents": rows, "status_labels": STATUS_LABELS,
                                                   "channel_names": _channel_names(rows), "section": "list"})


def _channel_names(rows: list[Incident]) -> dict[str, str]:
    return {kind: channel_label(kind) for incident in rows for kind in incident.channels}


def open_incidents(organisation_id: int) -> list[Incident]:
    """The open incidents the inbox banner names (newest first, a few at most)."""
    return list(Incident.objects.filter(organisation_id=organisation_id, status=IncidentStatus.OPEN)
                .order_by("-detected_at", "-id")[:3])


@require_GET
@incident_page
def banner(request: HttpRequest, me: Agent) -> HttpResponse:
    """The banner's own refresh (the inbox's live stream asks for it when tickets change)."""
    return render(request, "incidents/_banner_inner.html", {"incidents": open_incidents(me.organisation_id)})


# -- one incident ----------------------------------------------------------------------------------------------------

def _chart(incident: Incident, now: datetime) -> dict[str, Any]:
    times = [local_time(incident, at) for at in
             IncidentMessage.objects.filter(incident=incident).values_list("at", flat=True)]
    start = local_time(incident, incident.started_at)
    end = local_time(incident, incident.resolved_at or max([now, *times]))
    bucket, rows = charts.buckets(times, start, end)
    chart = charts.column_chart(rows, bucket, incident.baseline_per_hour)
    return {"chart": chart, "chart_rows": [(column.start, column.count) for column in chart.columns]}


def _examples(incident: Incident) -> list[dict[str, Any]]:
    """Masked examples grouped by channel, then language, in the order they came."""
    found: dict[tuple[str, str], list[str]] = {}
    rows = (IncidentMessage.objects.filter(incident=incident).order_by("at", "id")
            .values_list("channel_kind", "language", "message__redacted_text"))
    for kind, language, text in rows.iterator():
        bucket = found.setdefault((kind, language), [])
        if len(bucket) < EXAMPLES_PER_GROUP and (text or "").strip():
            bucket.append(text)
    groups: dict[str, dict[str, Any]] = {}
    for (kind, language), texts in found.items():
        group = groups.setdefault(kind, {"kind": kind, "label": channel_label(kind), "languages": []})
        group["languages"].append({"code": language, "texts": texts})
    return list(groups.values())


def _tickets(me: Agent, incident: Incident) -> tuple[list[Ticket], int]:
    linked = Ticket.objects.filter(incident_links__incident=incident)
    visible = visible_tickets(me, linked).select_related("customer", "conversation__channel", "assignee")
    return list(visible.order_by("-pk")[:TICKETS_SHOWN]), visible.count()


def _groups(plan: actions.Plan, texts: dict[str, str]) -> list[dict[str, Any]]:
    """The text boxes: one per language and register the update goes to."""
    out = []
    for key, count in plan.groups.items():
        parsed = wording.parse_group_key(key)
        if parsed is None:
            continue
        language, register = parsed
        out.append({"key": key, "language": language, "register": REGISTER_LABELS[register], "count": count,
                    "text": texts.get(key, "")})
    return out


def _skipped(skipped: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(SKIP_LABELS.get(reason, reason)), count) for reason, count in skipped.items() if count]


def _section(me: Agent, incident: Incident, kind: str, texts: dict[str, str] | None = None,
             **extra: Any) -> dict[str, Any]:
    """The state of the reply-to-everyone or the closing-update section."""
    plan = actions.plan_updates(incident, me, kind)
    chosen = dict(actions.default_texts(plan))
    chosen.update({key: value for key, value in (texts or {}).items() if key in plan.groups})
    return {"plan": plan, "groups": _groups(plan, chosen), "skipped": _skipped(plan.skipped),
            "sending": len(plan.sending), **extra}


def _post_section(me: Agent, incident: Incident, texts: dict[str, str] | None = None,
                  **extra: Any) -> dict[str, Any]:
    from webcare.channels.registry import connector_for

    language = wording.language_for("", incident.organisation.languages or [])
    rows = []
    for channel in actions.postable_channels(incident):
        connector = connector_for(channel)
        rows.append({"channel": channel, "limit": connector.post_limit if connector else 0,
                     "text": (texts or {}).get(str(channel.pk), wording.default_post(language))})
    return {"channels": rows, "token": actions.new_token(), "picked": set(), **extra}


def _updates(incident: Incident) -> list[dict[str, Any]]:
    rows = IncidentUpdate.objects.filter(incident=incident).select_related("actor").order_by("at", "id")
    posts: dict[int, list[IncidentDelivery]] = {}
    for delivery in (IncidentDelivery.objects.filter(incident=incident, kind=UpdateKind.POST)
                     .select_related("channel", "message").order_by("pk")):
        posts.setdefault(delivery.update_id, []).append(delivery)
    return [{"update": u, "label": UPDATE_LABELS.get(u.kind, u.kind), "skipped": _skipped(u.skipped or {}),
             "posts": posts.get(u.pk, []),
             "who": (u.actor.get_full_name() or u.actor.get_username()) if u.actor else _("webcare")} for u in rows]


def detail_context(me: Agent, incident: Incident, **sections: dict[str, Any]) -> dict[str, Any]:
    """Everything the incident page shows; ``sections`` carry an action's state (an error, a preview, a result)."""
    now = timezone.now()
    tickets, visible_count = _tickets(me, incident)
    context: dict[str, Any] = {
        "me": me, "incident": incident, "status_label": STATUS_LABELS[IncidentStatus(incident.status)],
        "started": local_time(incident, incident.started_at), "detected": local_time(incident, incident.detected_at),
        "resolved": local_time(incident, incident.resolved_at) if incident.resolved_at else None,
        "examples": _examples(incident), "tickets": tickets, "visible_count": visible_count,
        "hidden_count": max(incident.ticket_count - visible_count, 0), "names_shown": me.role != Role.ANALYST,
        "updates": _updates(incident), "delivery_labels": DELIVERY_LABELS,
        "may_reply": may_reply(me) and incident.is_open,
        "may_lead": may_lead(me), "channel_names": _channel_names([incident]), **_chart(incident, now),
        "language_counts": languages_of(incident),
    }
    if context["may_reply"]:
        context["reply"] = sections.get("reply") or _section(me, incident, UpdateKind.REPLY_ALL)
    if may_lead(me):
        context["post"] = sections.get("post") or _post_section(me, incident)
        if incident.is_open:
            context["resolve"] = sections.get("resolve") or _section(me, incident, UpdateKind.CLOSING, solve=True,
                                                                     send_closing=True)
    return context


@require_GET
@incident_page
def detail(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    return render(request, "incidents/detail.html", detail_context(me, incident))


def _answer(request: HttpRequest, me: Agent, incident: Incident, name: str, template: str, state: dict[str, Any],
            status: int = 200) -> HttpResponse:
    """An action's section alone (htmx), or the whole page with that section in its new state."""
    if getattr(request, "htmx", False):
        return render(request, template, {"me": me, "incident": incident, name: state,
                                          "may_lead": may_lead(me)}, status=status)
    return render(request, "incidents/detail.html", detail_context(me, incident, **{name: state}), status=status)


def _texts(request: HttpRequest, prefix: str) -> dict[str, str]:
    return {key.removeprefix(prefix): str(request.POST.get(key, "")) for key in request.POST if key.startswith(prefix)}


def _error_state(exc: actions.IncidentError) -> dict[str, Any]:
    return {"error": exc.message, "error_field": exc.field.removeprefix("texts.")}


def _preview(me: Agent, incident: Incident, state: dict[str, Any]) -> dict[str, Any]:
    """Who gets what: the sample is one customer's text exactly as it will be sent (their name, the signature)."""
    plan: actions.Plan = state["plan"]
    first: dict[str, actions.Target] = {}
    for target in plan.sending:
        first.setdefault(target.key, target)
    for group in state["groups"]:
        picked = first.get(group["key"])
        group["sample"] = actions.render_for(picked, me, group["text"]) if picked and group["text"].strip() else ""
    return {**state, "preview": True, "token": actions.new_token()}


@require_POST
@incident_page
def reply_all(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    if not may_reply(me):
        raise PermissionDenied("Agents, supervisors and admins reply to everyone affected.")
    texts = _texts(request, "text_")
    step = request.POST.get("step", "preview")
    template = "incidents/_reply_all.html"
    if not incident.is_open:
        return _answer(request, me, incident, "reply", template,
                       {"error": _("The incident is over: nothing more goes to everyone."), "groups": []}, 422)
    state = _section(me, incident, UpdateKind.REPLY_ALL, texts)
    if step == "edit":
        return _answer(request, me, incident, "reply", template, state)
    try:
        if step == "send":
            update = actions.do_reply_all(incident, me, texts, token=request.POST.get("token") or None)
            done = ngettext("Sent to %(count)d customer.", "Sent to %(count)d customers.", update.sent) % {
                "count": update.sent}
            fresh = _section(me, incident, UpdateKind.REPLY_ALL, done=done, done_skipped=_skipped(update.skipped))
            return _answer(request, me, incident, "reply", template, fresh)
        actions.check_texts(state["plan"], texts)
    except actions.IncidentError as exc:
        return _answer(request, me, incident, "reply", template, {**state, **_error_state(exc)}, 422)
    return _answer(request, me, incident, "reply", template, _preview(me, incident, state))


@require_POST
@incident_page
def resolve(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    if not may_lead(me):
        raise PermissionDenied("Supervisors and admins resolve incidents.")
    texts = _texts(request, "text_")
    step = request.POST.get("step", "preview")
    send_closing = request.POST.get("send_closing") == "on"
    solve = request.POST.get("solve") == "on"
    template = "incidents/_resolve.html"
    if not incident.is_open:
        return _answer(request, me, incident, "resolve", template,
                       {"error": _("The incident is already over."), "groups": []}, 422)
    state = _section(me, incident, UpdateKind.CLOSING, texts, solve=solve, send_closing=send_closing)
    if step == "edit":
        return _answer(request, me, incident, "resolve", template, state)
    try:
        if step == "send":
            actions.do_resolve(incident, me, closing=texts if send_closing else None, solve=solve,
                               token=request.POST.get("token") or None)
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("incidents:detail", args=[incident.pk])
                return response
            return redirect("incidents:detail", incident_id=incident.pk)
        if send_closing:
            actions.check_texts(state["plan"], texts)
    except actions.IncidentError as exc:
        return _answer(request, me, incident, "resolve", template, {**state, **_error_state(exc)}, 422)
    return _answer(request, me, incident, "resolve", template, _preview(me, incident, state))


@require_POST
@incident_page
def post(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    if not may_lead(me):
        raise PermissionDenied("Supervisors and admins publish posts.")
    texts = _texts(request, "post_")
    chosen = {int(pk): text for pk, text in texts.items() if pk.isdigit() and request.POST.get(f"on_{pk}") == "on"}
    template = "incidents/_post.html"
    try:
        update = actions.do_publish_post(incident, me, chosen, token=request.POST.get("token") or None)
    except actions.IncidentError as exc:
        return _answer(request, me, incident, "post", template,
                       _post_section(me, incident, texts, **_error_state(exc), picked=set(map(str, chosen))), 422)
    names = ", ".join(Channel.objects.filter(pk__in=[int(k) for k in update.texts]).order_by("name")
                      .values_list("name", flat=True))
    done = _("Queued for %(channels)s.") % {"channels": names}
    return _answer(request, me, incident, "post", template, _post_section(me, incident, done=done))


@require_POST
@incident_page
def dismiss(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    if not may_lead(me):
        raise PermissionDenied("Supervisors and admins dismiss incidents.")
    try:
        actions.do_dismiss(incident, me)
    except actions.IncidentError as exc:
        return render(request, "incidents/detail.html", detail_context(me, incident) | {"page_error": exc.message},
                      status=422)
    return redirect("incidents:detail", incident_id=incident.pk)


@require_POST
@incident_page
def rename(request: HttpRequest, me: Agent, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(me, incident_id)
    if not may_lead(me):
        raise PermissionDenied("Supervisors and admins rename incidents.")
    try:
        actions.do_rename(incident, me, request.POST.get("title", ""))
    except actions.IncidentError as exc:
        return render(request, "incidents/detail.html", detail_context(me, incident) | {
            "title_error": exc.message, "title_value": request.POST.get("title", "")}, status=422)
    return redirect("incidents:detail", incident_id=incident.pk)


def languages_of(incident: Incident) -> list[tuple[str, int]]:
    """Languages of the linked messages with counts, most first (for the figures)."""
    counts = Counter(IncidentMessage.objects.filter(incident=incident).values_list("language", flat=True))
    return counts.most_common()
