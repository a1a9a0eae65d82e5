"""The alert when an incident opens: a notification to the organisation's supervisors and admins, in each person's
interface language, with what it is about, since when, how fast it grows against its usual rate, and examples from
each channel.

Why examples per channel: the point of the choir is that it sings on several channels at once; a supervisor who
sees "X: …", "Facebook: …", "E-mail: …" side by side knows at once it is one problem and not three. The examples are
the masked text (``Message.redacted_text``): a notification is stored and e-mailed, and personal data stays out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from webcare.core.models import ChannelKind
from webcare.incidents.models import Incident, IncidentMessage
from webcare.supervision.alerts import notify_agents
from webcare.supervision.surge import recipients

#: Examples per channel in the alert, and how long each may be.
EXAMPLES_PER_CHANNEL: Final = 2
EXAMPLE_CHARS: Final = 140


def examples(incident: Incident, per_channel: int = EXAMPLES_PER_CHANNEL) -> dict[str, list[str]]:
    """Channel kind → the first messages' masked texts (shortened), channels in the incident's order."""
    found: dict[str, list[str]] = {kind: [] for kind in incident.channels}
    rows = (IncidentMessage.objects.filter(incident=incident).order_by("at", "id")
            .values_list("channel_kind", "message__redacted_text"))
    for kind, text in rows.iterator():
        bucket = found.setdefault(kind, [])
        if len(bucket) < per_channel and (text or "").strip():
            bucket.append(shorten(text))
        if all(len(b) >= per_channel for b in found.values()):
            break
    return {kind: texts for kind, texts in found.items() if texts}


def shorten(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word where it can be."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut) + "…"


def local_time(incident: Incident, at: datetime) -> datetime:
    """``at`` on the organisation's wall clock (alerts are read there, not in the server's zone)."""
    try:
        return at.astimezone(ZoneInfo(incident.organisation.time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.localtime(at)


def channel_label(kind: str) -> str:
    return str(ChannelKind(kind).label) if kind in ChannelKind.values else kind


def _rate(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def opened_text(incident: Incident, found: dict[str, list[str]]) -> tuple[str, str]:
    """(title, body) of the alert in the active language."""
    title = ngettext("Incident: %(title)s (%(count)d message)", "Incident: %(title)s (%(count)d messages)",
                     incident.message_count) % {"title": incident.title, "count": incident.message_count}
    since = local_time(incident, incident.started_at).strftime("%H:%M")
    lines = [
        ngettext("%(count)d similar message since %(since)s, from %(customers)d customers.",
                 "%(count)d similar messages since %(since)s, from %(customers)d customers.",
                 incident.message_count) % {"count": incident.message_count, "since": since,
                                            "customers": incident.customer_count},
        _("Now %(rate)s per hour; usually %(baseline)s per hour.") % {
            "rate": _rate(incident.rate_per_hour), "baseline": _rate(incident.baseline_per_hour)},
    ]
    if incident.languages:
        lines.append(_("Languages: %(languages)s.") % {"languages": ", ".join(incident.languages)})
    if found:
        lines.append(_("Examples:"))
        lines += [f"{channel_label(kind)}: “{text}”" for kind, texts in found.items() for text in texts]
    return title, "\n".join(lines)


def alert_opened(incident: Incident) -> int:
    """Notify the organisation's supervisors and admins (once: called in the transaction that opens the incident);
    returns how many notifications were written."""
    found = examples(incident)
    people: Iterable = recipients(incident.organisation)
    return notify_agents(incident.organisation_id, people, "incident", lambda: opened_text(incident, found),
                         reverse("incidents:detail", args=[incident.pk]))
