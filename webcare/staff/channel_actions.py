"""The only writers of channels on behalf of a person (an organisation's admins, from ``/staff/channels/``).

Why the credentials are tried before anything is stored: a channel whose token the platform refuses would sit in the
list receiving nothing, and an admin who mistyped a token should learn it on the spot, in the platform's own words,
not hours later from a customer. So :func:`connect_channel` and :func:`change_channel` build the channel in memory,
let :func:`webcare.channels.health.check` try it (one cheap authenticated call), and save only when the platform took
the credentials. A refusal raises :class:`ConnectionRefused` and leaves the database exactly as it was — no inactive
half-channel to clean up, no stored secret that never worked. The price is that the admin types the secret fields
again (they are never sent back to the browser); the form says so.

The network call happens outside any transaction (it may take seconds); the save afterwards locks the organisation
row and checks again that the actor is one of its admins, like :mod:`webcare.staff.actions`.

Which fields a channel needs comes from its connector's ``credential_fields``: ``secret`` ones are encrypted with
``Channel.set_credentials``, the others go to ``Channel.settings`` (where the connector reads them too). Keys of
``settings`` that no field names (``api_base_url``, ``simulate`` …) are kept as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webcare.audit import events as audit_events
from webcare.channels import health
from webcare.channels.base import Connector, ConnectorError, CredentialField, HealthReport, HealthStatus, SendError
from webcare.channels.registry import CONNECTORS, connector_class, connector_for
from webcare.core.models import Channel, Organisation
from webcare.staff.actions import free_slug, is_admin, slug_for
from webcare.tickets.actions import ActionError

logger = logging.getLogger("webcare.staff")

MAX_CHANNEL_NAME: Final = 200  # Channel.name
#: Long enough for any platform token or key we know (Graph page tokens run to a few hundred characters).
MAX_VALUE: Final = 4096
#: The polling interval an admin may choose, in seconds: not hammering a platform, not waiting longer than a day.
MIN_POLL_SECONDS: Final = 30
MAX_POLL_SECONDS: Final = 86_400
POLL_SETTING: Final = "poll_interval_seconds"
#: Healths that mean "the channel works as far as we can tell": OK, or a connector that cannot check at all.
ACCEPTED: Final = frozenset({HealthStatus.OK, HealthStatus.UNKNOWN})


class ConnectionRefused(ActionError):
    """The platform did not take the credentials (or could not be asked): nothing was saved.

    ``report`` is the connector's own answer; its ``detail`` is shown to the admin word for word.
    """

    def __init__(self, report: HealthReport) -> None:
        super().__init__("connection", report.detail or str(report.status))
        self.report = report


def available_connectors() -> list[type[Connector]]:
    """The connectors an admin can choose from, in the registry's order; one that fails to import is left out
    (and logged) so a broken connector cannot take the whole page down."""
    classes = []
    for kind in CONNECTORS:
        cls = safe_connector_class(kind)
        if cls is not None:
            classes.append(cls)
    return classes


def safe_connector_class(kind: str) -> type[Connector] | None:
    """``connector_class(kind)``, or None when there is none or its module does not load."""
    try:
        return connector_class(kind)
    except ImportError:
        logger.exception("connector for %r does not load", kind)
        return None


def _require_admin(org: Organisation, actor: Any) -> None:
    if not is_admin(actor, org):
        message = _("only an admin of %(org)s can connect and change its channels")
        raise ActionError("actor", message % {"org": org.name})


def _lock_as_admin(org: Organisation, actor: Any) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _require_admin(locked, actor)
    return locked


def _connector(kind: str) -> type[Connector]:
    cls = safe_connector_class(kind) if kind in CONNECTORS else None
    if cls is None:
        kinds = ", ".join(c.kind for c in available_connectors())
        raise ActionError("kind", _("choose one of: %(kinds)s") % {"kinds": kinds})
    return cls


def _name(org: Organisation, value: str, channel: Channel | None = None) -> str:
    name = (value or "").strip()
    if not name:
        raise ActionError("name", _("a channel needs a name: agents see it on every conversation"))
    if len(name) > MAX_CHANNEL_NAME:
        raise ActionError("name", _("at most %(n)d characters") % {"n": MAX_CHANNEL_NAME})
    others = Channel.objects.filter(organisation=org, name__iexact=name)
    if channel is not None:
        others = others.exclude(pk=channel.pk)
    if others.exists():
        raise ActionError("name", _("%(org)s already has a channel called “%(name)s”") % {"org": org.name,
                                                                                        "name": name})
    return name


def _unique_slug(org: Organisation, name: str, kind: str) -> str:
    """A slug from the name (the kind when the name has no letters to make one of), "-2", "-3" … when taken.

    It never changes afterwards: the credentials' encryption is bound to it (``Channel._credentials_aad``).
    """
    base = slug_for(name)
    if base == "team" and "team" not in name.lower():  # slug_for's own fallback, meant for teams
        base = kind
    return free_slug(base, set(Channel.objects.filter(organisation=org).values_list("slug", flat=True)))


def form_field(field: CredentialField) -> str:
    """The form's input name for a connector field (prefixed, so a field called "name" cannot clash)."""
    return f"field_{field.name}"


def _clean(field: CredentialField, value: str | None) -> str:
    text = value or ""
    # Tokens and keys never begin or end with blanks, but copying them often adds some; a password may.
    text = text.strip("\r\n") if "password" in field.name else text.strip()
    if len(text) > MAX_VALUE:
        raise ActionError(form_field(field), _("at most %(n)d characters") % {"n": MAX_VALUE})
    return text


def _needed(field: CredentialField) -> ActionError:
    return ActionError(form_field(field), _("%(field)s is needed") % {"field": _(field.label)})


def _split(cls: type[Connector], values: Mapping[str, str], stored_credentials: Mapping[str, Any],
           stored_settings: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The new credentials and settings from the form's values (keyed by the connector's field names).

    A secret left empty keeps its stored value (it is never shown, so the form cannot hold it); with none stored a
    required one is refused. Other settings keys are carried over untouched.
    """
    credentials = dict(stored_credentials)
    settings = dict(stored_settings)
    for field in cls.credential_fields:
        value = _clean(field, values.get(field.name))
        if field.secret:
            if value:
                credentials[field.name] = value
            elif field.required and not credentials.get(field.name):
                raise _needed(field)
        else:
            if field.required and not value:
                raise _needed(field)
            if value:
                settings[field.name] = value
            else:
                settings.pop(field.name, None)
    return credentials, settings


def offers_poll_interval(cls: type[Connector]) -> bool:
    """Whether the form offers the polling interval (the connector polls and does not ask for it itself)."""
    return cls.polling and all(field.name != POLL_SETTING for field in cls.credential_fields)


def _poll_interval(value: str | int | None) -> int:
    text = str(value if value is not None else "").strip()
    message = _("a whole number of seconds from %(low)d to %(high)d") % {"low": MIN_POLL_SECONDS,
                                                                          "high": MAX_POLL_SECONDS}
    if not text.isdigit() or not MIN_POLL_SECONDS <= int(text) <= MAX_POLL_SECONDS:
        raise ActionError("poll_interval", message)
    return int(text)


def _try(channel: Channel) -> HealthReport:
    """Ask the platform with an unsaved copy of the channel; :class:`ConnectionRefused` unless it worked."""
    report = health.check(channel)
    if report.status not in ACCEPTED:
        raise ConnectionRefused(report)
    return report


def connect_channel(org: Organisation, actor: Any, kind: str, name: str, values: Mapping[str, str],
                    poll_interval: str | int | None = None) -> tuple[Channel, HealthReport]:
    """Connect a new channel of ``kind``: validate, try the credentials on the platform, save only if they work.

    ``values`` maps the connector's field names to what the admin typed. Returns the saved, active channel and the
    platform's answer (e.g. the bot's or page's name). Raises :class:`ActionError` naming the field at fault, or
    :class:`ConnectionRefused` with the platform's words; in both cases nothing is stored.
    """
    _require_admin(org, actor)
    cls = _connector(kind)
    name = _name(org, name)
    credentials, settings = _split(cls, values, {}, {})
    if offers_poll_interval(cls):
        settings[POLL_SETTING] = _poll_interval(poll_interval)
    channel = Channel(organisation=org, kind=kind, name=name, slug=_unique_slug(org, name, kind), settings=settings)
    channel.set_credentials(credentials)
    report = _try(channel)
    with transaction.atomic():
        org = _lock_as_admin(org, actor)
        channel.name = _name(org, name)  # another admin may have taken the name while the platform answered
        slug = _unique_slug(org, name, kind)
        if slug != channel.slug:
            channel.slug = slug
            channel.set_credentials(credentials)  # bound to the slug: encrypt again for the final one
        channel.poll_next_at = timezone.now()
        channel.save()
        shown = [field.name for field in cls.credential_fields if not field.secret and settings.get(field.name)]
        audit_events.channel_credentials(channel, actor, "connected", [*credentials, *shown])
    return channel, report


def change_channel(channel: Channel, actor: Any, *, name: str | None = None, values: Mapping[str, str] | None = None,
                   poll_interval: str | int | None = None) -> HealthReport | None:
    """Rename a channel or change its credentials and settings (None leaves them as they are).

    Changed credentials are tried on the platform first, like a new connection: refused, nothing is saved (the old
    ones keep working). Returns the platform's answer when they were tried, else None. Demo channels keep no
    credentials: only their name changes.
    """
    org = channel.organisation
    _require_admin(org, actor)
    channel = Channel.objects.select_related("organisation").get(pk=channel.pk, organisation=org)
    new_name = _name(org, name, channel) if name is not None else channel.name
    cls = safe_connector_class(channel.kind)
    stored = channel.get_credentials()
    credentials, settings = stored, dict(channel.settings)
    if cls is not None and values is not None and not channel.settings.get("simulate"):
        credentials, settings = _split(cls, values, stored, channel.settings)
    if cls is not None and poll_interval is not None and offers_poll_interval(cls):
        settings[POLL_SETTING] = _poll_interval(poll_interval)
    report = None
    shown = [field.name for field in (cls.credential_fields if cls else ()) if not field.secret]
    if credentials != stored or any(settings.get(key) != channel.settings.get(key) for key in shown):
        trial = Channel(organisation=org, kind=channel.kind, name=new_name, slug=channel.slug, settings=settings)
        trial.set_credentials(credentials)
        report = _try(trial)
    with transaction.atomic():
        _lock_as_admin(org, actor)
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        locked.name, locked.settings = new_name, settings
        fields = ["name", "settings"]
        if report is not None:
            locked.set_credentials(credentials)
            locked.health_status, locked.health_detail = report.status, report.detail[:500]
            locked.health_checked_at = timezone.now()
            fields += ["credentials_encrypted", "health_status", "health_detail", "health_checked_at"]
        locked.save(update_fields=fields)
        if report is not None:
            audit_events.channel_credentials(locked, actor, "changed", audit_events.changed_keys(stored, credentials)
                                             + audit_events.changed_keys(channel.settings, settings, shown))
    return report


def set_active(channel: Channel, actor: Any, active: bool) -> Channel:
    """Deactivate a channel (its webhook answers 404, pollers skip it) or activate it again.

    Activating does not need working credentials — the list shows the health, and "Check connection" asks anew.
    A polling channel that comes back is due at once rather than at the time it was last due.
    """
    with transaction.atomic():
        _lock_as_admin(channel.organisation, actor)
        locked = Channel.objects.select_for_update().get(pk=channel.pk, organisation_id=channel.organisation_id)
        locked.is_active = bool(active)
        fields = ["is_active"]
        if active:
            locked.poll_next_at = timezone.now()
            fields.append("poll_next_at")
        locked.save(update_fields=fields)
    return locked


def check_channel(channel: Channel, actor: Any) -> HealthReport:
    """"Check connection": try the stored credentials now and keep the answer as the channel's health."""
    _require_admin(channel.organisation, actor)
    return health.check(channel)


def register_webhook(channel: Channel, actor: Any, url: str) -> str:
    """Tell the platform to deliver to ``url`` (where the connector can); returns the platform's answer.
    :class:`ActionError` on "webhook" with the platform's words when it refused."""
    _require_admin(channel.organisation, actor)
    connector = connector_for(channel)
    if connector is None or not connector.registers_webhook:
        raise ActionError("webhook", "this platform's webhook is registered on the platform's side")
    try:
        return connector.register_webhook(url)
    except (SendError, ConnectorError) as exc:
        raise ActionError("webhook", str(exc)) from exc
