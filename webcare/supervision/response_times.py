"""First-response and resolution times, median and 90th percentile, per channel and per team, over a window.

- **First response**: tickets whose first response (a person's reply; automatic replies never set it) was sent in
  the window; the time from the customer's first message (``first_inbound_at``) to it.
- **Resolution**: tickets solved in the window (solved or since closed, by ``solved_at``); the time from the
  customer's first message to the solve.

Calendar time, not business hours (the service-level clocks in webcare/sla count business time against targets;
this is what customers lived through). Tickets not answered yet are not in the first-response figures — the
answered-everything measure (webcare/supervision/answered.py) is what counts those.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import DurationField, ExpressionWrapper, F, QuerySet
from django.utils.translation import gettext as _

from webcare.core.models import Channel, Team
from webcare.supervision.percentiles import Spread, by_groupings
from webcare.tickets.models import Status, Ticket

FIRST_RESPONSE = ExpressionWrapper(F("first_response_at") - F("first_inbound_at"), output_field=DurationField())
RESOLUTION = ExpressionWrapper(F("solved_at") - F("first_inbound_at"), output_field=DurationField())


def first_responses(organisation_id: int, since: datetime, until: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(organisation_id=organisation_id, first_response_at__gte=since,
                                 first_response_at__lt=until, first_inbound_at__isnull=False)


def resolutions(organisation_id: int, since: datetime, until: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(organisation_id=organisation_id, solved_at__gte=since, solved_at__lt=until,
                                 status__in=[Status.SOLVED, Status.CLOSED], first_inbound_at__isnull=False)


@dataclass(frozen=True)
class Row:
    """One channel's or team's figures (seconds; None where nothing was answered or solved in the window)."""

    key: int | None
    name: str
    first_response: Spread | None
    resolution: Spread | None


@dataclass(frozen=True)
class ResponseTimes:
    channels: list[Row]
    teams: list[Row]


def _rows(names: dict[Hashable, str], first: dict[Hashable, Spread], resolved: dict[Hashable, Spread]) -> list[Row]:
    """A row for every group that has figures, in the order of ``names`` (groups unknown to it last)."""
    keys = [key for key in names if key in first or key in resolved]
    keys += sorted((key for key in {*first, *resolved} if key not in names), key=str)
    return [Row(key if isinstance(key, int) else None, names.get(key, str(key)), first.get(key), resolved.get(key))
            for key in keys]


def measure(organisation_id: int, since: datetime, until: datetime) -> ResponseTimes:
    """Two queries (one per measure, both groupings from one read of the tickets), each returning a few rows per
    group."""
    groupings = {"channel": F("conversation__channel_id"), "team": F("team_id")}
    answered = by_groupings(first_responses(organisation_id, since, until), groupings, FIRST_RESPONSE)
    solved = by_groupings(resolutions(organisation_id, since, until), groupings, RESOLUTION)
    channel_names: dict[Hashable, str] = dict(
        Channel.objects.filter(organisation_id=organisation_id).order_by("kind", "name").values_list("pk", "name"))
    team_names: dict[Hashable, str] = dict(
        Team.objects.filter(organisation_id=organisation_id).order_by("name").values_list("pk", "name"))
    team_names[None] = _("No team")
    return ResponseTimes(
        channels=_rows(channel_names, answered["channel"], solved["channel"]),
        teams=_rows(team_names, answered["team"], solved["team"]),
    )
