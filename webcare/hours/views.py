"""The opening-hours staff pages (``/staff/hours/``): the organisation's opening hours with their week and the next
days a holiday closes, the form that sets them, special days, and the automatic replies' texts with a preview.

Thin on purpose: every write goes through :mod:`webcare.hours.actions`; a refused write renders the same form again
(422) with the entered values and the message next to the field the action named. Admins change, supervisors look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from webcare.core.models import Agent, Channel, Team
from webcare.hours import actions
from webcare.hours.calendar import AlwaysOpen
from webcare.hours.lookup import calendar_for, calendar_of
from webcare.hours.models import AutoReplyKind, AutoReplyTemplate, OpeningHours
from webcare.hours.replies import PLACEHOLDERS, ReplyTexts, fill, render_auto_reply
from webcare.hours.schedule import WEEKDAYS, format_intervals, parse_intervals_json
from webcare.hours.wording import DEFAULT_TEXTS, LANGUAGES, REGISTERS, format_back_at
from webcare.staff.access import can_manage, staff_page
from webcare.tickets.actions import ActionError

#: The holiday calendars offered first (the countries webcare's customers are in), then every other one the
#: ``holidays`` package has.
COMMON_COUNTRIES = (("NO", gettext_lazy("Norway")), ("DK", gettext_lazy("Denmark")), ("SE", gettext_lazy("Sweden")),
                    ("FI", gettext_lazy("Finland")), ("IS", gettext_lazy("Iceland")),
                    ("NL", gettext_lazy("Netherlands")), ("BE", gettext_lazy("Belgium")),
                    ("DE", gettext_lazy("Germany")), ("AT", gettext_lazy("Austria")),
                    ("CH", gettext_lazy("Switzerland")), ("GB", gettext_lazy("United Kingdom")),
                    ("IE", gettext_lazy("Ireland")), ("FR", gettext_lazy("France")), ("ES", gettext_lazy("Spain")),
                    ("IT", gettext_lazy("Italy")), ("PL", gettext_lazy("Poland")), ("EE", gettext_lazy("Estonia")),
                    ("US", gettext_lazy("United States")))
COMMON_ZONES = ("Europe/Oslo", "Europe/Copenhagen", "Europe/Stockholm", "Europe/Helsinki", "Europe/Amsterdam",
                "Europe/Brussels", "Europe/Berlin", "Europe/London", "Europe/Dublin", "Atlantic/Reykjavik", "UTC",
                "America/New_York")
LANGUAGE_NAMES = {"en": "English", "nb": "Norsk bokmål", "nn": "Norsk nynorsk", "da": "Dansk", "sv": "Svenska",
                  "fi": "Suomi", "nl": "Nederlands", "de": "Deutsch"}
REGISTER_LABELS = {"": gettext_lazy("either"), "formal": gettext_lazy("formal"),
                   "informal": gettext_lazy("informal")}
KIND_LABELS = {AutoReplyKind.AWAY: gettext_lazy("Outside opening hours"),
               AutoReplyKind.ACK: gettext_lazy("Holding reply")}


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "hours", "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _other_countries() -> list[str]:
    from holidays import list_supported_countries

    common = {code for code, _name in COMMON_COUNTRIES}
    return sorted(code for code in list_supported_countries() if len(code) == 2 and code not in common)


# The list


@dataclass
class HoursRow:
    """One opening-hours row as the list shows it."""

    hours: OpeningHours
    scope: str
    week: list[tuple[str, str]]
    closures: list[tuple[date, str]]
    special_days: list[tuple[date, str, str]]
    open_now: bool


def _scope_label(hours: OpeningHours) -> str:
    if hours.channel_id:
        return _("Channel: %(name)s") % {"name": hours.channel.name}  # type: ignore[union-attr]
    if hours.team_id:
        return _("Team: %(name)s") % {"name": hours.team.name}  # type: ignore[union-attr]
    return _("Whole organisation (default)")


def _hours_row(hours: OpeningHours, now: datetime) -> HoursRow:
    calendar = calendar_of(hours, [(s.date, s.name, s.intervals) for s in hours.special_days.all()])
    week = []
    for day in range(7):
        if hours.always_open:
            text = _("open")
        else:
            try:
                intervals = parse_intervals_json(hours.weekly.get(str(day), []), "weekly", WEEKDAYS[day])
            except ValueError:
                intervals = ()
            text = format_intervals(intervals) or _("closed")
        week.append((str(WEEKDAYS[day]), text))
    today = _today(hours, now)
    specials = [(s.date, s.name, _describe_special(s.intervals)) for s in hours.special_days.all() if s.date >= today]
    return HoursRow(hours, _scope_label(hours), week, calendar.closures(today, 5), specials[:10],
                    calendar.is_open(now))


def _today(hours: OpeningHours, now: datetime) -> date:
    try:
        return now.astimezone(ZoneInfo(hours.time_zone)).date()
    except (ValueError, ZoneInfoNotFoundError):
        return now.date()


def _describe_special(intervals: Any) -> str:
    try:
        parsed = parse_intervals_json(intervals, "intervals", "")
    except ValueError:
        parsed = ()
    return format_intervals(parsed) or _("closed")


def _ordered_hours(me: Agent) -> list[OpeningHours]:
    rows = list(OpeningHours.objects.filter(organisation=me.organisation).select_related("team", "channel")
                .prefetch_related("special_days"))
    return sorted(rows, key=lambda h: (bool(h.channel_id), bool(h.team_id), h.name.lower()))


@staff_page(admins_only=False)
def hours_list(request: HttpRequest, me: Agent) -> HttpResponse:
    now = timezone.now()
    rows = [_hours_row(hours, now) for hours in _ordered_hours(me)]
    return _page(request, me, "hours/list.html", rows=rows, weekdays=[str(day) for day in WEEKDAYS])


# The form


def _form(request: HttpRequest, me: Agent, values: dict[str, Any], hours: OpeningHours | None = None,
          errors: dict[str, str] | None = None, special_values: dict[str, Any] | None = None,
          special_errors: dict[str, str] | None = None) -> HttpResponse:
    failed = bool(errors) or bool(special_errors)
    return _page(
        request, me, "hours/form.html", status=422 if failed else 200, hours=hours, values=values,
        errors=errors or {}, special_values=special_values or {}, special_errors=special_errors or {},
        days=[(f"weekly_{day}", str(WEEKDAYS[day]), values.get(f"weekly_{day}", ""),
               (errors or {}).get(f"weekly_{day}", "")) for day in range(7)],
        teams=[(f"team:{pk}", name) for pk, name in
               Team.objects.filter(organisation=me.organisation).order_by("name").values_list("pk", "name")],
        channels=[(f"channel:{pk}", name) for pk, name in
                  Channel.objects.filter(organisation=me.organisation).order_by("name").values_list("pk", "name")],
        common_countries=COMMON_COUNTRIES, other_countries=_other_countries(), zones=COMMON_ZONES,
        special_days=[(s, _describe_special(s.intervals)) for s in hours.special_days.all()] if hours else [],
    )


def _posted(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    values: dict[str, Any] = {key: post.get(key, "") for key in ("name", "time_zone", "scope", "holiday_country",
                                                                  "holiday_subdivision")}
    values["always_open"] = post.get("always_open") == "on"
    values.update({f"weekly_{day}": post.get(f"weekly_{day}", "") for day in range(7)})
    return values


def _save(request: HttpRequest, me: Agent, values: dict[str, Any], hours: OpeningHours | None) -> OpeningHours:
    return actions.do_save_hours(
        me.organisation, request.user, hours=hours, name=values["name"], time_zone=values["time_zone"],
        scope=values["scope"], weekly={day: values[f"weekly_{day}"] for day in range(7)},
        holiday_country=values["holiday_country"], holiday_subdivision=values["holiday_subdivision"],
        always_open=values["always_open"])


def _values_of(hours: OpeningHours) -> dict[str, Any]:
    scope = f"channel:{hours.channel_id}" if hours.channel_id else f"team:{hours.team_id}" if hours.team_id else \
        "default"
    values: dict[str, Any] = {"name": hours.name, "time_zone": hours.time_zone, "scope": scope,
                              "holiday_country": hours.holiday_country,
                              "holiday_subdivision": hours.holiday_subdivision, "always_open": hours.always_open}
    for day in range(7):
        try:
            intervals = parse_intervals_json(hours.weekly.get(str(day), []), f"weekly_{day}", WEEKDAYS[day])
        except ValueError:
            intervals = ()
        values[f"weekly_{day}"] = format_intervals(intervals)
    return values


@staff_page(admins_only=True)
def hours_new(request: HttpRequest, me: Agent) -> HttpResponse:
    if request.method != "POST":
        has_default = OpeningHours.objects.filter(organisation=me.organisation, team=None, channel=None).exists()
        weekdays = {f"weekly_{day}": "08:00-16:00" for day in range(5)}
        return _form(request, me, {"name": "" if has_default else _("Opening hours"), "time_zone": "Europe/Oslo",
                                   "scope": "" if has_default else "default", "holiday_country": "NO",
                                   **weekdays})
    values = _posted(request)
    try:
        hours = _save(request, me, values, None)
    except ActionError as exc:
        return _form(request, me, values, errors={exc.field: exc.message})
    messages.success(request, _("Added the opening hours %(name)s.") % {"name": hours.name})
    return redirect("hours:edit", hours.pk)


def _own_hours(me: Agent, hours_id: int) -> OpeningHours:
    return get_object_or_404(OpeningHours.objects.select_related("organisation", "team", "channel"), pk=hours_id,
                             organisation=me.organisation)


@staff_page(admins_only=True)
def hours_edit(request: HttpRequest, me: Agent, hours_id: int) -> HttpResponse:
    hours = _own_hours(me, hours_id)
    if request.method != "POST":
        return _form(request, me, _values_of(hours), hours)
    values = _posted(request)
    try:
        _save(request, me, values, hours)
    except ActionError as exc:
        return _form(request, me, values, hours, errors={exc.field: exc.message})
    messages.success(request, _("Saved the opening hours %(name)s.") % {"name": hours.name})
    return redirect("hours:list")


@require_POST
@staff_page(admins_only=True)
def hours_delete(request: HttpRequest, me: Agent, hours_id: int) -> HttpResponse:
    hours = _own_hours(me, hours_id)
    try:
        actions.do_delete_hours(hours, request.user)
    except ActionError as exc:
        return _form(request, me, _values_of(hours), hours, errors={exc.field: exc.message})
    messages.success(request, _("Removed the opening hours %(name)s.") % {"name": hours.name})
    return redirect("hours:list")


@require_POST
@staff_page(admins_only=True)
def special_add(request: HttpRequest, me: Agent, hours_id: int) -> HttpResponse:
    hours = _own_hours(me, hours_id)
    post = request.POST
    day, name, intervals = post.get("date", ""), post.get("special_name", ""), post.get("intervals", "")
    closed = post.get("closed") == "on"
    special_values: dict[str, Any] = {"date": day, "name": name, "intervals": intervals, "closed": closed}
    try:
        special = actions.do_save_special_day(hours, request.user, day=day, name=name, intervals=intervals,
                                              closed=closed)
    except ActionError as exc:
        return _form(request, me, _values_of(hours), hours, special_values=special_values,
                     special_errors={exc.field: exc.message})
    messages.success(request, _("Saved the special day %(date)s.") % {"date": special.date.isoformat()})
    return redirect("hours:edit", hours.pk)


@require_POST
@staff_page(admins_only=True)
def special_delete(request: HttpRequest, me: Agent, hours_id: int, special_id: int) -> HttpResponse:
    hours = _own_hours(me, hours_id)
    special = get_object_or_404(hours.special_days.all(), pk=special_id)
    actions.do_delete_special_day(special, request.user)
    messages.success(request, _("Removed the special day %(date)s.") % {"date": special.date.isoformat()})
    return redirect("hours:edit", hours.pk)


# Automatic replies


def _sample_back_at(me: Agent, now: datetime) -> tuple[datetime, str]:
    """When a customer writing at the next closing time would be told we are back, for the previews."""
    calendar = calendar_for(me.organisation_id)
    if isinstance(calendar, AlwaysOpen):
        tomorrow = (now + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
        return tomorrow, "UTC"
    closes = now if not calendar.is_open(now) else calendar.next_close(now) or now
    return calendar.next_open(closes) or now, calendar.schedule.time_zone


@dataclass
class DefaultText:
    kind: str
    language: str
    register: str
    text: str
    preview: str
    overridden: bool


@staff_page(admins_only=False)
def replies_list(request: HttpRequest, me: Agent) -> HttpResponse:
    now = timezone.now()
    back_at, zone = _sample_back_at(me, now)
    texts = ReplyTexts.load(me.organisation_id)
    templates = list(AutoReplyTemplate.objects.filter(organisation=me.organisation))
    previews = {t.pk: render_auto_reply({(t.kind, t.language, t.register): t.text}, [], t.kind, t.language,
                                        t.register, back_at=back_at, now=now, time_zone=zone, customer_name="Kari",
                                        brand=texts.brand) for t in templates}
    defaults = []
    for kind, by_language in DEFAULT_TEXTS.items():
        for language in LANGUAGES:
            for register in REGISTERS:
                text = by_language[language][register]
                overridden = (kind, language, register) in texts.templates or (kind, language, "") in \
                    texts.templates
                preview = fill(text, {"back_at": format_back_at(back_at, now, zone, language), "name": "Kari",
                                      "brand": texts.brand})
                defaults.append(DefaultText(kind, language, register, text, preview, overridden))
    return _page(request, me, "hours/replies.html", templates=templates, previews=previews, defaults=defaults,
                 kind_labels=KIND_LABELS, language_names=LANGUAGE_NAMES, register_labels=REGISTER_LABELS,
                 back_at=format_back_at(back_at, now, zone, "en"))


def _reply_form(request: HttpRequest, me: Agent, values: dict[str, str], template: AutoReplyTemplate | None = None,
                errors: dict[str, str] | None = None, preview: str = "") -> HttpResponse:
    default = ""
    if values.get("kind") in DEFAULT_TEXTS:
        by_language = DEFAULT_TEXTS[values["kind"]].get(values.get("language", ""), {})
        default = by_language.get(values.get("register") or "informal", "")
    return _page(request, me, "hours/reply_form.html", status=422 if errors else 200, reply=template,
                 values=values, errors=errors or {}, preview=preview, default_text=default,
                 kinds=list(KIND_LABELS.items()), registers=list(REGISTER_LABELS.items()),
                 languages=list(LANGUAGE_NAMES.items()),
                 placeholders=["{" + name + "}" for name in PLACEHOLDERS])


def _posted_reply(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in ("kind", "language", "register", "text")}


def _preview(me: Agent, values: dict[str, str]) -> str:
    """The entered text filled in as a customer would read it; raises ActionError for an unknown placeholder."""
    text = actions.check_template_text(values["text"])
    now = timezone.now()
    back_at, zone = _sample_back_at(me, now)
    return fill(text, {"back_at": format_back_at(back_at, now, zone, values["language"] or "en"), "name": "Kari",
                       "brand": me.organisation.name})


def _reply_post(request: HttpRequest, me: Agent, template: AutoReplyTemplate | None) -> HttpResponse:
    values = _posted_reply(request)
    try:
        if "preview" in request.POST:
            return _reply_form(request, me, values, template, preview=_preview(me, values))
        saved = actions.do_save_template(me.organisation, request.user, template=template, kind=values["kind"],
                                         language=values["language"], register=values["register"],
                                         text=values["text"])
    except ActionError as exc:
        return _reply_form(request, me, values, template, errors={exc.field: exc.message})
    messages.success(request, _("Saved the automatic reply (%(language)s).") % {"language": saved.language})
    return redirect("hours:replies")


@staff_page(admins_only=True)
def reply_new(request: HttpRequest, me: Agent) -> HttpResponse:
    if request.method != "POST":
        kind = request.GET.get("kind", AutoReplyKind.AWAY)
        language = request.GET.get("language", (me.organisation.languages or ["en"])[0])
        register = request.GET.get("register", "")
        by_language = DEFAULT_TEXTS.get(kind, {}).get(language, {})
        text = by_language.get(register or "informal", "")
        return _reply_form(request, me, {"kind": kind, "language": language, "register": register, "text": text})
    return _reply_post(request, me, None)


@staff_page(admins_only=True)
def reply_edit(request: HttpRequest, me: Agent, template_id: int) -> HttpResponse:
    template = get_object_or_404(AutoReplyTemplate, pk=template_id, organisation=me.organisation)
    if request.method != "POST":
        return _reply_form(request, me, {"kind": template.kind, "language": template.language,
                                         "register": template.register, "text": template.text}, template)
    return _reply_post(request, me, template)


@require_POST
@staff_page(admins_only=True)
def reply_delete(request: HttpRequest, me: Agent, template_id: int) -> HttpResponse:
    template = get_object_or_404(AutoReplyTemplate, pk=template_id, organisation=me.organisation)
    actions.do_delete_template(template, request.user)
    messages.success(request, _("Removed the automatic reply; the built-in text applies again."))
    return redirect("hours:replies")
