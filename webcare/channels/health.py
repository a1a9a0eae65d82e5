"""A channel's health as admins see it: written by the sender and pollers as they go, and by "Check connection"."""

from __future__ import annotations

from django.utils import timezone

from webcare.channels.base import HealthReport, HealthStatus
from webcare.channels.registry import connector_for
from webcare.core.models import Channel


def record(channel: Channel, report: HealthReport) -> None:
    channel.health_status, channel.health_detail = report.status, report.detail[:500]
    channel.health_checked_at = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(health_status=channel.health_status,
                                                 health_detail=channel.health_detail,
                                                 health_checked_at=channel.health_checked_at)


def check(channel: Channel) -> HealthReport:
    """Try the channel's credentials against its platform now, and keep the answer."""
    if channel.settings.get("simulate"):
        report = HealthReport(HealthStatus.OK, "demo channel: connected to no platform, replies are not posted")
    elif (connector := connector_for(channel)) is None:
        report = HealthReport(HealthStatus.OK, "nothing to connect: messages come and go through the REST API")
    else:
        try:
            report = connector.check()
        except Exception as exc:  # check() should not raise; if it does, the admin still gets an answer
            report = HealthReport(HealthStatus.FAILING, f"{type(exc).__name__}: {exc}")
    record(channel, report)
    return report
