"""The topics view (/supervisor/topics/) with its CSV export, and the themes page (/supervisor/topics/themes/).

Who: the supervisor dashboard's rule (webcare/supervision/access.py) — supervisors, admins and analysts look (and
export: figures and masked examples only), supervisors and admins change themes, agents get the same 403 as on the
dashboard. Reads go through webcare/insights/figures.py; the only writes are webcare/insights/actions.py and the
audit entry of an export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from webcare.audit.actions import TOPICS_EXPORTED
from webcare.audit.log import record
from webcare.core.models import Agent, Organisation
from webcare.insights import export, figures
from webcare.insights.actions import do_delete_theme, do_save_theme
from webcare.insights.charts import topic_chart
from webcare.insights.figures import zone_of
from webcare.insights.models import Theme
from webcare.insights.themes import INTENT_CHOICES, ThemeInvalid
from webcare.insights.topics import SORTS, Filters, Topic, named
from webcare.insights.weeks import Comparison, Week, WeekError, comparison, recent_weeks
from webcare.supervision.access import can_act, dashboard_page
from webcare.tickets.models import Label

_LANGUAGE = re.compile(r"[a-z]{2,3}")


class BadParameter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Asked:
    """The view's parameters, checked."""

    comparison: Comparison
    filters: Filters
    sort: str
    format: str
    delimiter: str
    current_week: Week


def _asked(request: HttpRequest, org: Organisation, zone: ZoneInfo) -> Asked:
    now = figures.rounded_now(timezone.now())
    current = Week.of(now.astimezone(zone).date())
    raw_week = request.GET.get("week", "").strip()
    try:
        span = comparison(Week.parse(raw_week) if raw_week else current, now, zone)
    except WeekError as exc:
        raise BadParameter("week", str(exc)) from exc
    raw_channel = request.GET.get("channel", "").strip()
    channel_id = None
    if raw_channel:
        if not raw_channel.isdigit() or int(raw_channel) not in figures.channel_names(org.pk):
            raise BadParameter("channel", _("channel: choose one of your organisation's channels"))
        channel_id = int(raw_channel)
    language = request.GET.get("language", "").strip()
    if language and not _LANGUAGE.fullmatch(language):
        raise BadParameter("language", _("language: a language code such as nb or en, not “%(raw)s”")
                           % {"raw": language[:20]})
    sort = request.GET.get("sort", "").strip() or "volume"
    if sort not in SORTS:
        raise BadParameter("sort", _("sort: one of %(choices)s, not “%(raw)s”")
                           % {"choices": ", ".join(SORTS), "raw": sort[:20]})
    output = request.GET.get("format", "").strip() or "html"
    if output not in ("html", "csv"):
        raise BadParameter("format", _("format: html or csv, not “%(raw)s”") % {"raw": output[:20]})
    separator = request.GET.get("sep", "").strip() or "comma"
    if separator not in export.DELIMITERS:
        raise BadParameter("sep", _("sep: comma or semicolon, not “%(raw)s”") % {"raw": separator[:20]})
    return Asked(span, Filters(channel_id, language or None), sort, output, export.DELIMITERS[separator], current)


def _bad(request: HttpRequest, me: Agent, error: BadParameter) -> HttpResponse:
    return render(request, "insights/bad_request.html", {"me": me, "error": error.message, "field": error.field,
                                                         "can_act": can_act(me)}, status=400)


def _query(asked: Asked, **changes: Any) -> str:
    """The page's query string with ``changes`` (for the sort links and the CSV links, which keep the filters)."""
    values = {"week": asked.comparison.week.label, "channel": asked.filters.channel_id or "",
              "language": asked.filters.language or "", "sort": asked.sort} | changes
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


#: A page counts the uncounted whole days of its weeks while it answers when they hold at most this many messages
#: (about a second of counting); with more it answers at once with its progress, and the counting is done in steps.
COUNT_NOW: Final = 3_000
#: Messages counted per step (one htmx request of ``part=counts``, at least one day).
STEP: Final = 5_000


@require_GET
@dashboard_page
def topics(request: HttpRequest, me: Agent) -> HttpResponse:
    """The page, its CSV (``format=csv``: counted while it answers, it is a download) and the counts alone
    (``part=counts``: one step of counting days nobody counted yet, then the counts or the progress again)."""
    org = me.organisation
    zone = zone_of(org)
    try:
        asked = _asked(request, org, zone)
        part = _part(request)
    except BadParameter as exc:
        return _bad(request, me, exc)
    themes = figures.theme_set(org)
    terms_of = figures.terms_function()
    context: dict[str, Any] = {
        "me": me, "can_act": can_act(me), "section": "topics", "asked": asked, "span": asked.comparison,
        "zone": str(zone), "discovering": terms_of is not None, "as_of": figures.rounded_now(timezone.now()),
        "sorts_label": _sort_labels()[asked.sort],
    }
    progress = _progress(org, asked, zone, themes, terms_of, step=bool(part)) if asked.format != "csv" else None
    if progress is not None:
        context |= {"counting": progress, "counts_query": _query(asked, part="counts")}
        if part:
            return render(request, "insights/_counting.html", context)
        return render(request, "insights/topics.html", context | _page_context(asked, org, zone, frozenset()))
    view, seen = figures.view(org.pk, asked.comparison, zone, themes, terms_of, asked.filters, asked.sort)
    found = figures.examples(org.pk, {pk for topic in view.topics for pk in topic.examples})
    view = named(view, {pk: example.text for pk, example in found.items()})
    channels = figures.channel_names(org.pk)
    if asked.format == "csv":
        return _csv(request, me, asked, view, channels, zone)
    context |= {
        "view": view, "rows": [_row(topic, channels, found) for topic in view.topics],
        "chart": topic_chart([(topic.name, topic.this, topic.last) for topic in view.topics]) if view.topics else None,
    }
    if part:
        return render(request, "insights/_counts.html", context)
    return render(request, "insights/topics.html", context | _page_context(asked, org, zone, seen))


def _progress(org: Organisation, asked: Asked, zone: ZoneInfo, themes: figures.ThemeSet,
              terms_of: figures.TermsOf | None, *, step: bool) -> dict[str, int] | None:
    """None when the page can show its figures now: the view is remembered, or the whole days nobody counted yet
    hold at most :data:`COUNT_NOW` messages. Else how far the counting is (days in all, days done) — after counting
    up to :data:`STEP` more messages' days when ``step``."""
    comparison = asked.comparison
    if figures.is_remembered(figures.view_key(org.pk, comparison, themes, terms_of is not None, asked.filters,
                                              asked.sort)):
        return None
    uncounted = figures.uncounted_days(org.pk, comparison, zone, themes, terms_of)
    if uncounted and step:
        figures.count_days(org.pk, uncounted, themes, terms_of, STEP, keep=True)
        uncounted = figures.uncounted_days(org.pk, comparison, zone, themes, terms_of)
    if not uncounted or figures.messages_in(org.pk, uncounted) <= COUNT_NOW:
        return None
    total = len(figures.whole_days(comparison, zone))
    return {"total": total, "done": total - len(uncounted)}


def _part(request: HttpRequest) -> str:
    part = request.GET.get("part", "").strip()
    if part not in ("", "counts"):
        raise BadParameter("part", _("part: counts or nothing, not “%(raw)s”") % {"raw": part[:20]})
    return part


def _page_context(asked: Asked, org: Organisation, zone: ZoneInfo, seen: frozenset[str]) -> dict[str, Any]:
    """What the whole page shows around the counts: the filters' choices and the download links."""
    channels = figures.channel_names(org.pk)
    return {
        "weeks": recent_weeks(timezone.now(), zone), "channels": sorted(channels.items(), key=lambda c: c[1]),
        "languages": sorted(seen | set(org.languages or ()) | {asked.filters.language or ""} - {""}),
        "sorts": list(_sort_labels().items()),
        "csv_query": _query(asked, format="csv"), "csv_semicolon_query": _query(asked, format="csv", sep="semicolon"),
    }


def _sort_labels() -> dict[str, str]:
    return {"volume": _("by volume"), "growth": _("by growth"), "complaints": _("by complaints")}


def _row(topic: Topic, channels: dict[int, str], found: dict[int, figures.Example]) -> dict[str, Any]:
    return {"topic": topic, "channels": [(channels.get(pk, "?"), n) for pk, n in topic.channels],
            "examples": [found[pk] for pk in topic.examples if pk in found]}


def _csv(request: HttpRequest, me: Agent, asked: Asked, view: Any, channels: dict[int, str],
         zone: ZoneInfo) -> HttpResponse:
    text = export.csv_text(asked.comparison, view, channels, zone, asked.delimiter)
    with transaction.atomic():
        record(TOPICS_EXPORTED, organisation=me.organisation, actor=request.user,
               target=f"topics:{asked.comparison.week}",
               detail={"week": asked.comparison.week.label, "so_far": asked.comparison.so_far,
                       "channel": asked.filters.channel_id, "language": asked.filters.language,
                       "rows": len(view.topics)}, request=request)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(asked.comparison)}"'
    return response


# -- themes -----------------------------------------------------------------------------------------------------------


def _intent_labels() -> dict[str, str]:
    return {"question": _("Question"), "complaint": _("Complaint"), "praise": _("Praise"),
            "sales_lead": _("Sales lead"), "other": _("Other")}


def _themes_page(request: HttpRequest, me: Agent, *, status: int = 200, errors: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None, editing: Theme | None = None) -> HttpResponse:
    org = me.organisation
    themes = list(Theme.objects.filter(organisation=org).order_by("name", "id"))
    intent_labels = _intent_labels()
    if values is None:
        values = ({"theme": str(editing.pk), "name": editing.name, "keywords": ", ".join(editing.keywords),
                   "labels": list(editing.labels), "intents": list(editing.intents)} if editing is not None
                  else {"theme": "", "name": "", "keywords": "", "labels": [], "intents": []})
    return render(request, "insights/themes.html", {
        "me": me, "can_act": can_act(me), "section": "themes", "themes": themes, "errors": errors or {},
        "values": values,
        "editing": editing, "intent_choices": [(key, intent_labels[key]) for key in INTENT_CHOICES],
        "intent_labels": intent_labels,
        "label_choices": list(Label.objects.filter(organisation=org).order_by("name").values_list("name", flat=True)),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@dashboard_page
def themes(request: HttpRequest, me: Agent) -> HttpResponse:
    """GET: the themes and the form (``?theme=<id>`` fills it with one to change); POST: save the form."""
    org = me.organisation
    figures.theme_set(org)  # the defaults, on a first visit
    if request.method != "POST":
        raw = request.GET.get("theme", "")
        editing = Theme.objects.filter(organisation=org, pk=int(raw)).first() if raw.isdigit() else None
        return _themes_page(request, me, editing=editing)
    posted = request.POST
    theme_id, name, keywords = posted.get("theme", ""), posted.get("name", ""), posted.get("keywords", "")
    values: dict[str, Any] = {"theme": theme_id, "name": name, "keywords": keywords,
                              "labels": posted.getlist("labels"), "intents": posted.getlist("intents")}
    try:
        theme = do_save_theme(org, request.user, theme_id=theme_id, name=name, keywords=keywords,
                              labels=values["labels"], intents=values["intents"])
    except ThemeInvalid as exc:
        editing = Theme.objects.filter(organisation=org, pk=int(theme_id)).first() if theme_id.isdigit() else None
        return _themes_page(request, me, status=422, errors={exc.field: exc.message}, values=values, editing=editing)
    messages.success(request, _("Saved the theme “%(name)s”.") % {"name": theme.name})
    return redirect("insights:themes")


@require_POST
@dashboard_page
def theme_delete(request: HttpRequest, me: Agent) -> HttpResponse:
    try:
        name = do_delete_theme(me.organisation, request.user, request.POST.get("theme", ""))
    except ThemeInvalid as exc:
        return _themes_page(request, me, status=422, errors={exc.field: exc.message})
    messages.success(request, _("Deleted the theme “%(name)s”.") % {"name": name})
    return redirect("insights:themes")
