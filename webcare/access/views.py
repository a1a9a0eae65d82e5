"""The reveal review (``/privacy/reveals/``) and the purposes list (``/privacy/reveals/purposes/``).

Supervisors and admins see every reveal of their organisation, with counts per person and per purpose; an agent sees
their own reveals (what they revealed, and why — the same record a supervisor sees); analysts never see this page.
Only admins change the purposes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from webcare.access import charts, review
from webcare.access.models import RevealPurpose
from webcare.access.permissions import LIST_READERS, PURPOSE_EDITORS, REVIEWERS, page, reviews_all
from webcare.access.purpose_actions import do_add_purpose, do_change_purpose
from webcare.access.purposes import default_purposes, purposes_for
from webcare.core.models import Agent
from webcare.tickets.actions import ActionError


@page(read=LIST_READERS, write=frozenset())
def reveal_list(request: HttpRequest, me: Agent) -> HttpResponse:
    """The reveals, newest first, filtered by ``agent`` (a user id), ``purpose``, ``since`` and ``until`` (dates)."""
    every = purposes_for(me.organisation_id, active_only=False)
    labels = {p.key: p.label for p in every}
    context: dict[str, Any] = {"me": me, "section": "reveals", "purposes": every, "reviewer": reviews_all(me),
                               "params": request.GET,
                               "layout": "staff/layout.html" if reviews_all(me) else "access/agent_layout.html"}
    try:
        filters = review.parse_filters(request.GET, set(labels))
    except review.FilterError as exc:
        return render(request, "access/reveals.html", context | {"filter_error": exc.message,
                                                                  "filter_error_at": exc.field}, status=400)
    matching = review.matching(me.organisation, filters, only_actor=None if reviews_all(me) else me.user_id)
    rows, older = review.page(matching, filters)
    by_actor = review.per_actor(matching)
    by_purpose = review.per_purpose(matching, labels)
    people = (get_user_model().objects.filter(agents__organisation=me.organisation).order_by("username")
              if reviews_all(me) else [])
    context |= {
        "rows": rows, "older": older, "filters": filters, "query": filters.query(), "people": people,
        "labels": labels, "by_actor": by_actor, "by_purpose": by_purpose, "total": matching.count(),
        "actor_chart": charts.count_chart(by_actor) if by_actor else None,
        "purpose_chart": charts.count_chart(by_purpose) if by_purpose else None,
    }
    return render(request, "access/reveals.html", context)


def _purposes_context(me: Agent, **extra: Any) -> dict[str, Any]:
    rows = list(RevealPurpose.objects.filter(organisation_id=me.organisation_id).order_by("position", "id"))
    if not rows:  # the defaults, as the admin will edit them
        rows = [RevealPurpose(key=p.key, label=p.label, needs_reason=p.needs_reason, active=True)
                for p in default_purposes()]
    return {"me": me, "section": "reveals", "rows": rows, "can_edit": me.role in PURPOSE_EDITORS, **extra}


@page(read=REVIEWERS, write=PURPOSE_EDITORS)
def purpose_list(request: HttpRequest, me: Agent) -> HttpResponse:
    """GET: the purposes people choose from. POST (admins): add one (``label``, ``needs_reason``)."""
    if request.method == "POST":
        try:
            do_add_purpose(me, request.POST.get("label", ""), request.POST.get("needs_reason") == "on")
        except ActionError as exc:
            return render(request, "access/purposes.html", _purposes_context(
                me, add_error=exc.message, add_label=request.POST.get("label", "")), status=422)
        return redirect("access:purposes")
    return render(request, "access/purposes.html", _purposes_context(me))


@page(read=frozenset(), write=PURPOSE_EDITORS)
def purpose_change(request: HttpRequest, me: Agent, key: str) -> HttpResponse:
    """POST (admins): rename a purpose, whether it needs a reason, on or off."""
    try:
        do_change_purpose(me, key, request.POST.get("label", ""), request.POST.get("needs_reason") == "on",
                          request.POST.get("active") == "on")
    except ActionError as exc:
        status = 404 if exc.field == "key" else 422
        return render(request, "access/purposes.html", _purposes_context(
            me, row_error=exc.message, error_key=key), status=status)
    return redirect("access:purposes")
