"""Pollers: for platforms that do not push (review sites, listening searches), ask every so often for what is new.

Each polling channel keeps its cursor in ``Channel.poll_state``. The items a poll returns and the new cursor are
stored in one transaction, so a crash between the two can only make the next poll fetch the same items again — which
the inbound events' unique ids turn into duplicates, not double messages. A failing poll backs off (doubling up to
an hour) and shows on the channel's health.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections, transaction
from django.utils import timezone

from webcare.channels import health
from webcare.channels.base import ConnectorError, HealthReport, HealthStatus, SendError
from webcare.channels.inbound import store_items
from webcare.channels.registry import CONNECTORS, connector_class, connector_for
from webcare.core.models import Channel
from webcare.core.threads import start_daemon
from webcare.ingest.models import EventSource

logger = logging.getLogger("webcare.poller")
DEFAULT_INTERVAL = 60
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class PollTally:
    channels: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0


def polling_kinds() -> list[str]:
    """The channel kinds whose connectors poll (a connector that cannot be imported is left out, and logged)."""
    return [kind for kind in CONNECTORS if (cls := connector_class(kind)) is not None and cls.polling]


def interval(channel: Channel) -> timedelta:
    return timedelta(seconds=int(channel.settings.get("poll_interval_seconds") or DEFAULT_INTERVAL))


def poll_channel(channel: Channel, now: datetime | None = None) -> PollTally:
    """Poll one channel once and store what is new."""
    now = now or timezone.now()
    tally = PollTally(channels=1)
    connector = connector_for(channel)
    assert connector is not None
    try:
        items, state = connector.poll(dict(channel.poll_state))
        with transaction.atomic():
            stored = store_items(channel, items, source=EventSource.POLL)
            channel.poll_state = state
            channel.poll_next_at = now + interval(channel)
            channel.save(update_fields=["poll_state", "poll_next_at"])
        tally.stored, tally.duplicates = stored.created, stored.duplicates
        if channel.health_status != HealthStatus.OK:
            health.record(channel, HealthReport(HealthStatus.OK, ""))
    except (ConnectorError, SendError) as exc:
        tally.failed = 1
        failures = int(channel.poll_state.get("_failures", 0)) + 1 if isinstance(channel.poll_state, dict) else 1
        wait = min(interval(channel) * (2 ** (failures - 1)), MAX_BACKOFF)
        if isinstance(exc, SendError) and exc.retry_after:
            wait = max(wait, timedelta(seconds=exc.retry_after))
        Channel.objects.filter(pk=channel.pk).update(poll_next_at=now + wait,
                                                     poll_state={**channel.poll_state, "_failures": failures})
        status = exc.health if isinstance(exc, SendError) and exc.health else HealthStatus.FAILING
        health.record(channel, HealthReport(status, f"polling failed: {exc}"))
        logger.warning("poll of %s failed (%s); next in %s", channel.slug, exc, wait)
    return tally


def poll_due(now: datetime | None = None) -> PollTally:
    """Poll every active polling channel that is due."""
    now = now or timezone.now()
    total = PollTally()
    due = Channel.objects.filter(kind__in=polling_kinds(), is_active=True, poll_next_at__lte=now).order_by("pk")
    for channel in due:
        if channel.settings.get("simulate"):
            continue
        tally = poll_channel(channel, now)
        total.channels += 1
        total.stored += tally.stored
        total.duplicates += tally.duplicates
        total.failed += tally.failed
    return total


def run_forever(stop: threading.Event, idle_seconds: float = 5.0) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            poll_due()
        except Exception:
            logger.exception("poller loop error; going on")
        stop.wait(idle_seconds)


def start_in_process(stop: threading.Event) -> threading.Thread:
    return start_daemon("webcare-poller", run_forever, stop)
