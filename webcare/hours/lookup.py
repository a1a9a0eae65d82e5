"""Which opening hours apply to a ticket, a team or a channel (the channel's, else the team's, else the
organisation's, else always open), as calendars.

A whole batch costs three queries whatever its size: the tickets' channels (skipped when the conversations are loaded
already), the opening hours of the organisations involved, and their special days. The rows are read every time, so
an edit is seen by the next batch; what is cached per process is the calendar built from identical rows (its
holiday and per-day caches), keyed by the rows' content, so there is nothing to invalidate.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q

from webcare.hours.calendar import AlwaysOpen, BusinessCalendar
from webcare.hours.schedule import ScheduleError, schedule_from_config

if TYPE_CHECKING:
    from webcare.hours.models import OpeningHours
    from webcare.tickets.models import Ticket

log = logging.getLogger(__name__)

#: (time zone, weekly JSON, country, subdivision, always open, ((date, name, intervals JSON), …)) as hashable text.
_Key = tuple[str, str, str, str, bool, tuple[tuple[str, str, str], ...]]


def _key(hours: OpeningHours, special_days: Iterable[tuple[object, str, object]]) -> _Key:
    import json

    specials = tuple(sorted((str(day), name, json.dumps(intervals)) for day, name, intervals in special_days))
    return (hours.time_zone, json.dumps(hours.weekly, sort_keys=True), hours.holiday_country,
            hours.holiday_subdivision, hours.always_open, specials)


@lru_cache(maxsize=1024)
def _calendar_from_key(key: _Key) -> BusinessCalendar:
    import json
    from datetime import date

    time_zone, weekly, country, subdivision, always_open, specials = key
    schedule = schedule_from_config(
        time_zone=time_zone, weekly=json.loads(weekly), holiday_country=country, holiday_subdivision=subdivision,
        always_open=always_open,
        special_days=[(date.fromisoformat(day), name, json.loads(intervals)) for day, name, intervals in specials])
    if not schedule.configured:
        # No weekly hours and not always open: hours nobody has set up yet, so the desk is not closed by them.
        return AlwaysOpen()
    return BusinessCalendar(schedule)


def calendar_of(hours: OpeningHours,
                special_days: Iterable[tuple[object, str, object]] | None = None) -> BusinessCalendar:
    """The calendar of one row (``special_days``: (date, name, intervals); read from the row when None). Rows the
    actions did not write (bad JSON put in by hand) count as always open, logged, rather than failing a batch."""
    if special_days is None:
        special_days = hours.special_days.values_list("date", "name", "intervals")
    try:
        return _calendar_from_key(_key(hours, special_days))
    except ScheduleError as exc:
        log.warning("opening hours %s (%s) cannot be used, counting as always open: %s", hours.pk, hours.name, exc)
        return AlwaysOpen()


def _load(organisation_ids: set[int], team_ids: set[int], channel_ids: set[int]) -> list[OpeningHours]:
    from webcare.hours.models import OpeningHours, SpecialDay

    if not organisation_ids:
        return []
    condition = Q(team__isnull=True, channel__isnull=True)
    if team_ids:
        condition |= Q(team_id__in=team_ids)
    if channel_ids:
        condition |= Q(channel_id__in=channel_ids)
    rows = list(OpeningHours.objects.filter(condition, organisation_id__in=organisation_ids))
    specials: dict[int, list[tuple[object, str, object]]] = defaultdict(list)
    if rows:
        found = SpecialDay.objects.filter(hours_id__in=[row.pk for row in rows])
        for hours_id, day, name, intervals in found.values_list("hours_id", "date", "name", "intervals"):
            specials[hours_id].append((day, name, intervals))
    for row in rows:
        row._special_rows = specials[row.pk]  # type: ignore[attr-defined]
    return rows


class _Resolver:
    """The most specific row for (organisation, team, channel) among rows loaded once."""

    def __init__(self, rows: Sequence[OpeningHours]) -> None:
        self.by_channel = {row.channel_id: row for row in rows if row.channel_id}
        self.by_team = {row.team_id: row for row in rows if row.team_id and not row.channel_id}
        self.default = {row.organisation_id: row for row in rows if not row.team_id and not row.channel_id}
        self.calendars: dict[int, BusinessCalendar] = {}

    def calendar(self, organisation_id: int, team_id: int | None, channel_id: int | None) -> BusinessCalendar:
        row = (self.by_channel.get(channel_id) if channel_id else None) \
            or (self.by_team.get(team_id) if team_id else None) or self.default.get(organisation_id)
        if row is None:
            return AlwaysOpen()
        if row.pk not in self.calendars:
            self.calendars[row.pk] = calendar_of(row, row._special_rows)  # type: ignore[attr-defined]
        return self.calendars[row.pk]


def _channel_ids(tickets: Sequence[Ticket]) -> dict[int, int]:
    """Ticket id → channel id, from the loaded conversations where there are, else one query."""
    from webcare.conversations.models import Conversation

    found: dict[int, int] = {}
    missing: dict[int, list[int]] = defaultdict(list)
    for ticket in tickets:
        conversation = ticket._state.fields_cache.get("conversation")
        if conversation is not None:
            found[ticket.pk] = conversation.channel_id
        else:
            missing[ticket.conversation_id].append(ticket.pk)
    if missing:
        rows = Conversation.objects.filter(pk__in=list(missing)).values_list("id", "channel_id")
        for conversation_id, channel_id in rows:
            for ticket_id in missing[conversation_id]:
                found[ticket_id] = channel_id
    return found


def calendars_for_tickets(tickets: Sequence[Ticket]) -> dict[int, BusinessCalendar]:
    """Ticket id → its calendar, in a fixed number of queries (called on whole ingestion batches and SLA passes)."""
    if not tickets:
        return {}
    channels = _channel_ids(tickets)
    rows = _load({ticket.organisation_id for ticket in tickets}, {t.team_id for t in tickets if t.team_id},
                 set(channels.values()))
    resolver = _Resolver(rows)
    return {ticket.pk: resolver.calendar(ticket.organisation_id, ticket.team_id, channels.get(ticket.pk))
            for ticket in tickets}


def calendar_for(organisation_id: int, team_id: int | None = None, channel_id: int | None = None) -> BusinessCalendar:
    """The calendar for one organisation, team or channel (two queries)."""
    rows = _load({organisation_id}, {team_id} if team_id else set(), {channel_id} if channel_id else set())
    return _Resolver(rows).calendar(organisation_id, team_id, channel_id)
