"""What the supervisor dashboard and the surge check measure now: arrivals, the oldest wait, agents online and the
handling time. Set-based and index-driven: each figure is one small query, whatever the number of tickets.

Definitions (docs/supervision.md has them with examples):

- **Arrivals** are inbound messages (the customers' own; automatic messages are all outbound) by their ``sent_at``
  — the index ``message_org_feed`` (organisation, sent_at). The rate is the last 15 minutes scaled to an hour, so
  a surge shows within minutes; the last hour is shown beside it. A re-imported history has old ``sent_at`` and so
  never looks like a surge.
- **Oldest wait**: now minus the earliest ``waiting_since`` of the tickets still being worked on. Read as one
  ``ORDER BY waiting_since LIMIT 1`` per priority on the partial index ``ticket_open_queue`` (organisation,
  priority, waiting_since): four index probes, not a scan of the open tickets.
- **Agents online**: agents whose presence is online, in a role that takes tickets.
- **Handling time** (measured): the median time from a ticket's assignment to its first response over the last 7
  days, counting tickets answered within an hour of assignment. It is a proxy — it includes the minutes a ticket
  waited in its agent's own queue, so it errs long (the estimate then asks for more agents, not fewer). With fewer
  than :data:`MIN_HANDLING_SAMPLES` such tickets, ``Organisation.handling_minutes`` is used instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Trunc

from webcare.conversations.models import Direction, Message
from webcare.core.models import Agent, Organisation, Presence, Role
from webcare.supervision import percentiles
from webcare.supervision.remember import remembered
from webcare.tickets.models import OPEN_TICKETS, Priority, Ticket

#: The span the arrival rate is measured over, scaled to an hour.
RATE_SPAN: Final = timedelta(minutes=15)
HOUR: Final = timedelta(hours=1)
#: Handling time: the history looked at, the longest assignment-to-answer that still counts as handling, and how
#: many answered tickets make a measurement worth more than the organisation's setting.
HANDLING_HISTORY: Final = timedelta(days=7)
HANDLING_CAP: Final = timedelta(hours=1)
MIN_HANDLING_SAMPLES: Final = 20
#: Roles that take tickets (analysts look at figures and are never counted as capacity).
WORKING_ROLES: Final = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)

#: The windows the dashboard offers, by their URL value.
WINDOWS: Final = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_WINDOW: Final = "7d"


class WindowError(ValueError):
    """A window the dashboard does not offer; the message names the parameter and the choices."""


def parse_window(raw: str | None) -> str:
    """The window key for ``?window=``: missing means the default; anything unknown is refused by name."""
    if raw is None or raw == "":
        return DEFAULT_WINDOW
    if raw not in WINDOWS:
        raise WindowError(f"window: {raw[:40]!r} is not a window; use one of {', '.join(WINDOWS)}")
    return raw


def inbound(organisation_id: int) -> Q:
    return Q(organisation_id=organisation_id, direction=Direction.INBOUND)


def arrivals(organisation_id: int, now: datetime, span: timedelta) -> int:
    """Inbound messages sent in the ``span`` up to ``now``."""
    return Message.objects.filter(inbound(organisation_id), sent_at__gt=now - span, sent_at__lte=now).count()


def arrivals_per_hour(organisation_id: int, now: datetime) -> float:
    """The current arrival rate: the last :data:`RATE_SPAN`, scaled to an hour."""
    return arrivals(organisation_id, now, RATE_SPAN) * (HOUR / RATE_SPAN)


@dataclass(frozen=True)
class HourCount:
    start: datetime
    count: int


def arrivals_by_hour(organisation_id: int, now: datetime, hours: int = 24) -> list[HourCount]:
    """Inbound messages per clock hour for the last ``hours`` hours, the current (partial) hour last. One query:
    one range of the ``message_org_feed`` index, grouped by the hour. The hours are UTC hours, which are the local
    clock hours in every time zone a whole number of hours off UTC (all of the Nordic countries' and Dutch)."""
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    starts = [current - HOUR * back for back in range(hours - 1, -1, -1)]
    counts = dict(Message.objects.filter(inbound(organisation_id), sent_at__gte=starts[0], sent_at__lte=now)
                  .annotate(hour=Trunc("sent_at", "hour", tzinfo=UTC)).values_list("hour").annotate(n=Count("id"))
                  .order_by())
    return [HourCount(start, counts.get(start, 0)) for start in starts]


def oldest_waiting_since(organisation_id: int) -> datetime | None:
    """The earliest ``waiting_since`` of the organisation's tickets still being worked on, or None."""
    found = []
    for priority in Priority.values:
        first = (Ticket.objects.filter(OPEN_TICKETS, organisation_id=organisation_id, priority=priority,
                                       waiting_since__isnull=False)
                 .order_by("waiting_since").values_list("waiting_since", flat=True).first())
        if first is not None:
            found.append(first)
    return min(found, default=None)


def waiting(organisation_id: int) -> int:
    """How many of the organisation's customers wait for us now (tickets still worked on with a ``waiting_since``):
    the backlog a surge leaves, which the arrival rate alone does not show."""
    return Ticket.objects.filter(OPEN_TICKETS, organisation_id=organisation_id, waiting_since__isnull=False).count()


def agents_online(organisation_id: int) -> int:
    return Agent.objects.filter(organisation_id=organisation_id, presence=Presence.ONLINE, role__in=WORKING_ROLES,
                                user__is_active=True).count()


@dataclass(frozen=True)
class Handling:
    """The handling time the estimate uses, and where it came from."""

    minutes: float
    measured: bool
    samples: int


def handling(organisation: Organisation, now: datetime) -> Handling:
    """The measured handling time (see the module's docstring), or the organisation's setting with too little
    history."""
    answered = Ticket.objects.filter(
        Q(first_response_at__gt=F("assigned_at")), Q(first_response_at__lte=F("assigned_at") + HANDLING_CAP),
        organisation_id=organisation.pk, first_response_at__gt=now - HANDLING_HISTORY, first_response_at__lte=now,
        assigned_at__isnull=False)
    spread = percentiles.by_group(answered, Value(1), ExpressionWrapper(
        F("first_response_at") - F("assigned_at"), output_field=DurationField()), (percentiles.MEDIAN,)).get(1)
    if spread is None or spread.count < MIN_HANDLING_SAMPLES:
        return Handling(float(organisation.handling_minutes), False, spread.count if spread else 0)
    return Handling(max(spread.values[percentiles.MEDIAN] / 60.0, 0.5), True, spread.count)


def wait_seconds(waiting_since: datetime | None, now: datetime) -> float:
    """How long the longest-waiting customer has waited (0 when nobody waits)."""
    return 0.0 if waiting_since is None else max(0.0, (now - waiting_since).total_seconds())


@dataclass(frozen=True)
class Load:
    """What the surge check and the dashboard see now."""

    at: datetime
    arrivals_per_hour: float
    arrivals_last_hour: int
    oldest_waiting_since: datetime | None
    agents_online: int
    handling: Handling
    #: Customers waiting now (see :func:`waiting`).
    waiting: int = 0

    @property
    def oldest_wait_seconds(self) -> float:
        return wait_seconds(self.oldest_waiting_since, self.at)


def load(organisation: Organisation, now: datetime) -> Load:
    """Every "now" figure for one organisation: a handful of index-driven queries, and the measured handling time
    (remembered for a few minutes: it looks at a week)."""
    return Load(
        at=now, arrivals_per_hour=arrivals_per_hour(organisation.pk, now),
        arrivals_last_hour=arrivals(organisation.pk, now, HOUR),
        oldest_waiting_since=oldest_waiting_since(organisation.pk), agents_online=agents_online(organisation.pk),
        handling=remembered(f"handling:{organisation.pk}", lambda: handling(organisation, now)),
        waiting=waiting(organisation.pk),
    )
