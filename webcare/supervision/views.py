"""The supervisor dashboard (/supervisor/): the answered-everything measure, response times per channel and team,
the queue now, arrivals, the surge with its staffing estimate, and pulling in an overflow team.

Reads only; the one write (the overflow team) goes through webcare/supervision/overflow.py. The "now" figures are a
partial that htmx refreshes every 30 seconds; the window's figures (heavier: percentiles over up to 30 days) are
computed when the page loads or the window changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from webcare.access.mask import mask_contact
from webcare.core.models import Agent, Organisation, Team
from webcare.inbox import queues
from webcare.supervision import answered, charts, metrics, response_times, surge
from webcare.supervision.access import can_act, dashboard_page
from webcare.supervision.models import Surge
from webcare.supervision.overflow import OverflowRefused, do_end_overflow, do_pull_overflow
from webcare.supervision.remember import remembered

WINDOW_LABELS = {"24h": gettext_lazy("Last 24 hours"), "7d": gettext_lazy("Last 7 days"),
                 "30d": gettext_lazy("Last 30 days")}
#: The inbox views whose counts the dashboard shows (their definitions: webcare/inbox/queues.py).
QUEUE_VIEWS = ("open", "at_risk", "breached")


def now_context(organisation: Organisation, now: datetime) -> dict[str, Any]:
    """The figures of this moment: queue counts, load, arrivals by hour, the open surge and the staffing estimate."""
    counts = queues.organisation_counts(organisation).views
    load = metrics.load(organisation, now)
    hours = metrics.arrivals_by_hour(organisation.pk, now)
    estimate = surge.staffing(organisation, load)
    return {
        "queue": [(key, queues.LABELS[key], counts[key]) for key in QUEUE_VIEWS],
        "load": load, "hours": hours, "spark": charts.sparkline([h.count for h in hours]),
        "arrivals_24h": sum(h.count for h in hours),
        "estimate": estimate, "staffing_sentence": surge.staffing_sentence(estimate, load.agents_online),
        "backlog_sentence": surge.backlog_sentence(organisation, load),
        "surge": (Surge.objects.filter(organisation=organisation, ended_at__isnull=True)
                  .select_related("overflow_team", "overflow_by").first()),
        "last_surge": Surge.objects.filter(organisation=organisation, ended_at__isnull=False).first(),
        "thresholds": surge.Thresholds.of(organisation), "organisation": organisation, "now": now,
    }


def _chart(rows: list[response_times.Row], measure: str) -> charts.BarChart | None:
    picked = [(row.name, spread.median, spread.p90) for row in rows if (spread := getattr(row, measure)) is not None]
    return charts.bar_chart(picked) if picked else None


def _window_figures(organisation: Organisation, now: datetime, window: str) -> dict[str, Any]:
    span = metrics.WINDOWS[window]
    measured = answered.measure(organisation.pk, now, span)
    for message in measured.oldest:
        # The excerpt is the masked text; a sender "name" that is an address or a number is masked too: analysts
        # look at this page, and nobody reveals anything here (webcare/access).
        message.author_name = mask_contact(message.author_name, need_plus=False)
    return {"answered": measured,
            "times": response_times.measure(organisation.pk, now - span, now), "computed_at": now}


def window_context(organisation: Organisation, now: datetime, window: str) -> dict[str, Any]:
    """The window's figures: the answered-everything measure and the response-time percentiles (remembered for a
    few minutes, see webcare/supervision/remember.py)."""
    figures = remembered(f"window:{organisation.pk}:{window}", lambda: _window_figures(organisation, now, window))
    times = figures["times"]
    return {
        **figures,
        "charts": [
            ("channel-first", _("First response per channel"), _chart(times.channels, "first_response")),
            ("channel-resolution", _("Resolution per channel"), _chart(times.channels, "resolution")),
            ("team-first", _("First response per team"), _chart(times.teams, "first_response")),
            ("team-resolution", _("Resolution per team"), _chart(times.teams, "resolution")),
        ],
    }


def overflow_context(me: Agent, now: datetime, **extra: Any) -> dict[str, Any]:
    teams = list(Team.objects.filter(organisation=me.organisation).select_related("overflow_team").order_by("name"))
    return {
        "can_act": can_act(me), "now": now,
        "overflow_teams": [team for team in teams if team.overflow_team_id is not None],
        "helping": [team for team in teams if team.overflow_until is not None and team.overflow_until > now],
        "minute_choices": (30, 60, 120, 240), **extra,
    }


def _base(me: Agent, window: str) -> dict[str, Any]:
    return {"me": me, "window": window, "windows": list(WINDOW_LABELS.items()), "window_label": WINDOW_LABELS[window]}


@require_GET
@dashboard_page
def dashboard(request: HttpRequest, me: Agent) -> HttpResponse:
    try:
        window = metrics.parse_window(request.GET.get("window"))
    except metrics.WindowError as exc:
        return render(request, "supervision/bad_request.html", {"me": me, "error": str(exc),
                                                                 "can_act": can_act(me)}, status=400)
    now = timezone.now()
    context = _base(me, window) | now_context(me.organisation, now) | window_context(me.organisation, now, window)
    context |= overflow_context(me, now)
    return render(request, "supervision/dashboard.html", context)


@require_GET
@dashboard_page
def now_numbers(request: HttpRequest, me: Agent) -> HttpResponse:
    """The partial htmx polls: this moment's figures only."""
    return render(request, "supervision/_now.html", {"me": me, **now_context(me.organisation, timezone.now())})


def _overflow_answer(request: HttpRequest, me: Agent, *, error: str = "", field: str = "", done: str = "",
                     values: dict[str, str] | None = None) -> HttpResponse:
    status = 422 if error else 200
    if getattr(request, "htmx", False):
        context = overflow_context(me, timezone.now(), error=error, error_field=field, done=done, values=values or {})
        return render(request, "supervision/_overflow.html", {"me": me, **context}, status=status)
    if error:
        now = timezone.now()
        window = metrics.DEFAULT_WINDOW
        context = _base(me, window) | now_context(me.organisation, now) | window_context(me.organisation, now, window)
        context |= overflow_context(me, now, error=error, error_field=field, values=values or {})
        return render(request, "supervision/dashboard.html", context, status=status)
    messages.success(request, done)
    return redirect("supervision:dashboard")


def _team(me: Agent, raw: str) -> Team:
    team = (Team.objects.filter(organisation=me.organisation, pk=int(raw)).select_related("overflow_team").first()
            if raw.isdigit() else None)
    if team is None:
        raise OverflowRefused("team", _("choose one of your organisation's teams"))
    return team


@require_POST
@dashboard_page
def pull_overflow(request: HttpRequest, me: Agent) -> HttpResponse:
    values = {"team": request.POST.get("team", ""), "minutes": request.POST.get("minutes", "")}
    try:
        team = _team(me, values["team"])
        do_pull_overflow(team, request.user, values["minutes"])
    except OverflowRefused as exc:
        return _overflow_answer(request, me, error=exc.message, field=exc.field, values=values)
    assert team.overflow_team is not None and team.overflow_until is not None
    done = _("%(helpers)s now also take %(team)s's tickets, until %(until)s.") % {
        "helpers": team.overflow_team.name, "team": team.name,
        "until": timezone.localtime(team.overflow_until).strftime("%H:%M")}
    return _overflow_answer(request, me, done=done)


@require_POST
@dashboard_page
def end_overflow(request: HttpRequest, me: Agent) -> HttpResponse:
    try:
        team = _team(me, request.POST.get("team", ""))
        do_end_overflow(team, request.user)
    except OverflowRefused as exc:
        return _overflow_answer(request, me, error=exc.message, field=exc.field)
    return _overflow_answer(request, me, done=_("%(team)s is on its own again.") % {"team": team.name})
