"""The channel pages of ``/staff/``: every channel with its health, "Connect a channel", edit, check, (de)activate.

Thin like :mod:`webcare.staff.views`: every write goes through :mod:`webcare.staff.channel_actions`, a refused write
renders the form again (422) with what was typed — except secrets, which are never sent to a browser, not even
back to the admin who typed them — and the platform's own words when it refused the credentials. The forms are
generated from each connector's ``credential_fields``, so a new connector needs no template of its own.
Admins change; supervisors see the list (health included, so they know why a channel went quiet); others get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from webcare.channels.base import Capability, Connector, CredentialField, HealthReport, HealthStatus
from webcare.channels.polling import DEFAULT_INTERVAL, interval
from webcare.core.models import Agent, Channel
from webcare.staff import channel_actions as actions
from webcare.staff.access import can_manage, staff_page
from webcare.tickets.actions import ActionError

HEALTH_LABELS: dict[str, Promise] = {
    HealthStatus.OK: gettext_lazy("OK"),
    HealthStatus.TOKEN_EXPIRED: gettext_lazy("Token expired"),
    HealthStatus.RATE_LIMITED: gettext_lazy("Rate limited"),
    HealthStatus.FAILING: gettext_lazy("Failing"),
    HealthStatus.UNKNOWN: gettext_lazy("Unknown"),
}

CAPABILITY_LABELS: dict[str, Promise] = {
    Capability.PUBLIC_REPLY: gettext_lazy("public replies"),
    Capability.PRIVATE_REPLY: gettext_lazy("private replies to public comments"),
    Capability.HIDE: gettext_lazy("hiding comments"),
    Capability.DELETE: gettext_lazy("deleting comments"),
    Capability.LIKE: gettext_lazy("likes"),
    Capability.ATTACHMENTS: gettext_lazy("attachments"),
    Capability.POST: gettext_lazy("posts of the brand's own (during incidents)"),
}


def health_label(status: str) -> str:
    return str(HEALTH_LABELS.get(status, HEALTH_LABELS[HealthStatus.UNKNOWN]))


def every(period: timedelta) -> str:
    """"every 90 seconds", "every 5 minutes", "every 2 hours" — the largest whole unit."""
    seconds = int(period.total_seconds())
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("every hour", "every %(n)d hours", n) % {"n": n}
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("every minute", "every %(n)d minutes", n) % {"n": n}
    return ngettext("every second", "every %(n)d seconds", seconds) % {"n": seconds}


def webhook_url(request: HttpRequest, channel: Channel) -> str:
    return request.build_absolute_uri(reverse("channels:webhook", args=[channel.webhook_key]))


@dataclass
class Row:
    """One channel as the list and the edit page show it."""

    channel: Channel
    label: str
    demo: bool
    webhook_url: str = ""
    #: The web chat's one script tag for the brand's site.
    embed_code: str = ""
    polls_every: str = ""
    #: The connector's module does not load (or none exists for this kind): shown, nothing offered.
    missing: bool = False
    #: "checked 5 minutes ago" (the exact time is in the page too); "" when never checked.
    checked: str = ""


def _checked(channel: Channel) -> str:
    when = channel.health_checked_at
    if when is None:
        return ""
    if timezone.now() - when < timedelta(minutes=1):
        return _("checked just now")
    return _("checked %(ago)s ago") % {"ago": timesince(when)}


def _row(request: HttpRequest, channel: Channel) -> Row:
    cls = actions.safe_connector_class(channel.kind)
    demo = bool(channel.settings.get("simulate"))
    row = Row(channel=channel, label=_(cls.label) if cls else channel.get_kind_display(), demo=demo,
              missing=cls is None and channel.kind != "api", checked=_checked(channel))
    if cls is not None and channel.kind == "webchat":
        # No platform in between, so a demo chat works for real too: the brand's site loads the widget from webcare.
        script = request.build_absolute_uri(reverse("webchat:widget", args=[channel.webhook_key]))
        row.embed_code = f'<script src="{script}" async></script>'
    if cls is not None and not demo:
        if cls.webhook:
            row.webhook_url = webhook_url(request, channel)
        if cls.polling:
            row.polls_every = every(interval(channel))
    return row


def _page(request: HttpRequest, me: Agent, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"me": me, "section": "channels", "can_manage": can_manage(me)}
    return render(request, template, context, status=status)


def _channel(me: Agent, channel_id: int) -> Channel:
    return get_object_or_404(Channel.objects.select_related("organisation"), pk=channel_id,
                             organisation=me.organisation)


@staff_page(admins_only=False)
def channel_list(request: HttpRequest, me: Agent) -> HttpResponse:
    channels = Channel.objects.filter(organisation=me.organisation).order_by("-is_active", "name", "pk")
    return _page(request, me, "staff/channels.html", rows=[_row(request, channel) for channel in channels])


def _about(cls: type[Connector]) -> str:
    """How the channel receives and what agents can do on it, in one line for the platform list."""
    parts = []
    if cls.webhook:
        parts.append(_("the platform sends new messages to webcare"))
    if cls.polling:
        parts.append(_("webcare asks the platform for new items every so often"))
    if cls.capabilities:
        what = ", ".join(str(CAPABILITY_LABELS[c]) for c in Capability if c in cls.capabilities)
        parts.append(_("agents can use: %(what)s") % {"what": what})
    return " · ".join(parts)


@staff_page(admins_only=True)
def channel_kinds(request: HttpRequest, me: Agent) -> HttpResponse:
    """Step one of "Connect a channel": which platform."""
    kinds = [{"kind": cls.kind, "label": _(cls.label), "about": _about(cls)} for cls in actions.available_connectors()]
    return _page(request, me, "staff/channels_new.html", kinds=kinds)


@dataclass
class FormField:
    """One connector field as the form shows it. A secret's value is never put here."""

    field: CredentialField
    input_name: str
    label: str
    help: str
    value: str = ""
    is_set: bool = False
    error: str = ""


def _fields(cls: type[Connector], values: dict[str, Any], channel: Channel | None,
            errors: dict[str, str]) -> list[FormField]:
    stored = channel.get_credentials() if channel is not None else {}
    return [FormField(field=field, input_name=actions.form_field(field), label=_(field.label),
                      help=_(field.help) if field.help else "",
                      value="" if field.secret else values["fields"].get(field.name, ""),
                      is_set=bool(field.secret and stored.get(field.name)),
                      error=errors.get(actions.form_field(field), ""))
            for field in cls.credential_fields]


def _form(request: HttpRequest, me: Agent, cls: type[Connector], values: dict[str, Any],
          channel: Channel | None = None, error: ActionError | None = None) -> HttpResponse:
    refused = error if isinstance(error, actions.ConnectionRefused) else None
    errors = {error.field: error.message} if error is not None and refused is None else {}
    response = _page(
        request, me, "staff/channels_form.html", status=422 if error else 200,
        kind=cls.kind, label=_(cls.label), channel=channel, row=_row(request, channel) if channel else None,
        values=values, errors=errors, refused=refused,
        refused_label=health_label(refused.report.status) if refused else "",
        fields=_fields(cls, values, channel, errors), demo=bool(channel and channel.settings.get("simulate")),
        offers_poll_interval=actions.offers_poll_interval(cls), registers_webhook=cls.registers_webhook,
        poll_limits=(actions.MIN_POLL_SECONDS, actions.MAX_POLL_SECONDS),
    )
    add_never_cache_headers(response)  # the page is about credentials; keep it out of caches
    return response


def _posted(request: HttpRequest, cls: type[Connector]) -> dict[str, Any]:
    """What the admin typed: the channel's name, the interval, and the connector's fields by their own names."""
    fields = {field.name: request.POST.get(actions.form_field(field), "") for field in cls.credential_fields}
    return {"name": request.POST.get("name", ""), "poll_interval": request.POST.get("poll_interval", ""),
            "fields": fields}


def _connector_or_404(kind: str) -> type[Connector]:
    cls = actions.safe_connector_class(kind) if kind in actions.CONNECTORS else None
    if cls is None:
        raise Http404("no connector for this kind of channel")
    return cls


def _outcome(report: HealthReport | None) -> str:
    if report is None or not report.detail:
        return ""
    if report.status == HealthStatus.UNKNOWN:
        return _("The connection could not be checked: %(detail)s") % {"detail": report.detail}
    return _("The platform answered: %(detail)s") % {"detail": report.detail}


@staff_page(admins_only=True)
def channel_connect(request: HttpRequest, me: Agent, kind: str) -> HttpResponse:
    """Step two: the connector's form. Saved only when the platform takes the credentials."""
    cls = _connector_or_404(kind)
    if request.method != "POST":
        return _form(request, me, cls, {"name": "", "poll_interval": str(DEFAULT_INTERVAL), "fields": {}})
    values = _posted(request, cls)
    try:
        channel, report = actions.connect_channel(me.organisation, request.user, kind, values["name"],
                                                  values["fields"], poll_interval=values["poll_interval"])
    except ActionError as exc:
        return _form(request, me, cls, values, error=exc)
    text = _("Connected “%(name)s” (%(kind)s).") % {"name": channel.name, "kind": _(cls.label)}
    messages.success(request, " ".join(part for part in (text, _outcome(report)) if part))
    if cls.registers_webhook:
        _register(request, channel)
    elif cls.webhook:
        messages.info(request, _("Now give the platform this channel's webhook URL, shown in the list."))
    return redirect("staff:channels")


def _register(request: HttpRequest, channel: Channel) -> None:
    """Tell the platform the channel's webhook URL, and say how that went."""
    try:
        answer = actions.register_webhook(channel, request.user, webhook_url(request, channel))
    except ActionError as exc:
        messages.error(request, _("The platform did not take the webhook URL: %(detail)s") % {"detail": exc.message})
        return
    messages.success(request, _("Webhook registered: %(detail)s") % {"detail": answer})


@require_POST
@staff_page(admins_only=True)
def channel_register(request: HttpRequest, me: Agent, channel_id: int) -> HttpResponse:
    """"Register webhook": tell the platform (Telegram) to deliver to this channel's URL."""
    channel = _channel(me, channel_id)
    _register(request, channel)
    return _back(request, channel)


def _stored_values(channel: Channel, cls: type[Connector]) -> dict[str, Any]:
    fields = {field.name: str(channel.settings.get(field.name) or "") for field in cls.credential_fields
              if not field.secret}
    return {"name": channel.name, "poll_interval": str(int(interval(channel).total_seconds())), "fields": fields}


@staff_page(admins_only=True)
def channel_edit(request: HttpRequest, me: Agent, channel_id: int) -> HttpResponse:
    """Rename, change credentials (a secret left empty keeps its value), change the polling interval."""
    channel = _channel(me, channel_id)
    cls = actions.safe_connector_class(channel.kind)
    if cls is None:
        raise Http404("this channel's connector is not available")
    if request.method != "POST":
        return _form(request, me, cls, _stored_values(channel, cls), channel)
    values = _posted(request, cls)
    try:
        report = actions.change_channel(channel, request.user, name=values["name"], values=values["fields"],
                                        poll_interval=values["poll_interval"] or None)
    except ActionError as exc:
        return _form(request, me, cls, values, channel, error=exc)
    text = _("Saved “%(name)s”.") % {"name": values["name"].strip()}
    messages.success(request, " ".join(part for part in (text, _outcome(report)) if part))
    return redirect("staff:channels")


def _back(request: HttpRequest, channel: Channel) -> HttpResponse:
    """Back where the button was pressed: the channel's page or the list."""
    if request.POST.get("back") == "channel":
        return redirect("staff:channel", channel.pk)
    return redirect("staff:channels")


@require_POST
@staff_page(admins_only=True)
def channel_check(request: HttpRequest, me: Agent, channel_id: int) -> HttpResponse:
    """"Check connection": ask the platform now; the answer becomes the channel's health and a notice."""
    channel = _channel(me, channel_id)
    try:
        report = actions.check_channel(channel, request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _back(request, channel)
    text = _("“%(name)s”: %(status)s.") % {"name": channel.name, "status": health_label(report.status)}
    detail = report.detail if not channel.settings.get("simulate") else _("demo channel, connected to no platform")
    level = messages.success if report.status in actions.ACCEPTED else messages.error
    level(request, f"{text} {detail}".strip())
    return _back(request, channel)


@require_POST
@staff_page(admins_only=True)
def channel_active(request: HttpRequest, me: Agent, channel_id: int) -> HttpResponse:
    """Deactivate (``active=0``) or activate (``active=1``) a channel; activating checks the connection too."""
    channel = _channel(me, channel_id)
    active = request.POST.get("active") == "1"
    try:
        channel = actions.set_active(channel, request.user, active)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _back(request, channel)
    if not active:
        messages.success(request, _("Deactivated “%(name)s”: it receives nothing until it is activated again.")
                         % {"name": channel.name})
        return _back(request, channel)
    report = actions.check_channel(channel, request.user)
    text = _("Activated “%(name)s”.") % {"name": channel.name}
    status = _("Connection: %(status)s.") % {"status": health_label(report.status)}
    level = messages.success if report.status in actions.ACCEPTED else messages.error
    level(request, f"{text} {status} {report.detail if not channel.settings.get('simulate') else ''}".strip())
    return _back(request, channel)
