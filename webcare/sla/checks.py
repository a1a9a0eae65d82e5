"""SLA check: warn at the policy's share, escalate at the breach to the team's supervisor, then up the chain; once
per level.

A task of the automation loop (``run(now)``). It reads only the tickets whose next check is due, through the partial
index ``ticket_sla_check`` (open tickets with a check time), in chunks of :data:`CHUNK` claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of automation processes share the work without waiting for
each other; SQLite's IMMEDIATE transactions serialise them instead. Due times are not recomputed here — they only
change when the ticket does (``webcare.sla.sync``) — the check only climbs the ladder:

- level 1, the warning: to the assignee; an unassigned ticket's warning goes to its team's supervisor;
- level 2, the breach: to the team's supervisor;
- levels 3, 4 …: the team's escalation steps, in order, each ``after_minutes`` after the due time.

Where a ticket has no team, or its team no supervisor, the organisation's supervisors and admins are told instead.
Each level raised is an ``SlaAlert`` row, inserted with ``ON CONFLICT DO NOTHING``: only the checker whose insert
won writes the timeline row and the notifications, so a level fires once even if two checkers reach it together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import dateformat, formats, translation
from django.utils.translation import gettext as _

from webcare.core.bulk import insert_rows
from webcare.core.models import Agent, Organisation, Role, Team
from webcare.live import publish
from webcare.notify.models import Notification
from webcare.notify.send import notification_rows
from webcare.sla import clocks
from webcare.sla.models import EscalationStep, SlaAlert, SlaTarget
from webcare.tickets.models import OPEN_TICKETS, EventKind, Ticket, TicketEvent

#: Tickets claimed per transaction.
CHUNK: Final = 500
#: At most this many chunks per pass, so one pass ends even if something kept a ticket due.
MAX_CHUNKS: Final = 400
LEVEL_KINDS: Final = {clocks.WARNED: "sla_warning", clocks.BREACHED: "sla_breach"}
ESCALATION_KIND: Final = "sla_escalation"


@dataclass(frozen=True)
class Alert:
    """One level to raise for one ticket."""

    ticket: Ticket
    target: str
    level: int
    due_at: datetime


@dataclass
class Context:
    """What the recipients of a chunk's alerts are worked out from (a fixed number of queries per chunk)."""

    organisations: dict[int, Organisation]
    teams: dict[int, Team]
    steps: dict[int, list[EscalationStep]]
    #: Organisation id → its supervisors and admins (the fallback when a team or its supervisor is missing).
    staff: dict[int, list[Agent]]
    #: (organisation id, user id) → the agent row, for the recipient's interface language.
    agents: dict[tuple[int, int], Agent]


def tracked_target(ticket: Ticket) -> str:
    """The target whose due time ``sla_due_at`` is (the earliest running one)."""
    for target in clocks.TARGETS:
        if getattr(ticket, f"{target}_due") == ticket.sla_due_at:
            return str(target)
    return str(SlaTarget.FIRST_RESPONSE)


#: What the check reads of a claimed ticket (and of its assignee): the rest of the row is not needed.
CLAIMED_FIELDS: Final = ("id", "organisation_id", "team_id", "assignee_id", "subject", "status", "sla_due_at",
                         "sla_warn_at", "sla_check_at", "sla_level", "first_response_due", "next_response_due",
                         "resolution_due", "assignee__id", "assignee__is_active", "assignee__email",
                         "assignee__username", "assignee__first_name", "assignee__last_name")


def _claim(now: datetime) -> list[Ticket]:
    due = (Ticket.objects.filter(OPEN_TICKETS, sla_check_at__lte=now).select_related("assignee")
           .only(*CLAIMED_FIELDS).order_by("sla_check_at"))
    if connection.vendor == "postgresql":
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:CHUNK])


def _context(tickets: Sequence[Ticket]) -> Context:
    org_ids = {t.organisation_id for t in tickets}
    team_ids = {t.team_id for t in tickets if t.team_id is not None}
    teams = {team.pk: team for team in Team.objects.filter(pk__in=team_ids).select_related("supervisor__user")}
    steps: dict[int, list[EscalationStep]] = defaultdict(list)
    for step in (EscalationStep.objects.filter(team_id__in=team_ids).select_related("agent__user")
                 .order_by("team_id", "position", "id")):
        steps[step.team_id].append(step)
    staff: dict[int, list[Agent]] = defaultdict(list)
    agents: dict[tuple[int, int], Agent] = {}
    for agent in (Agent.objects.filter(organisation_id__in=org_ids).filter(role__in=[Role.SUPERVISOR, Role.ADMIN])
                  .select_related("user").order_by("pk")):
        staff[agent.organisation_id].append(agent)
        agents[(agent.organisation_id, agent.user_id)] = agent
    assignees = {t.assignee_id for t in tickets if t.assignee_id is not None}
    for agent in Agent.objects.filter(organisation_id__in=org_ids, user_id__in=assignees).select_related("user"):
        agents[(agent.organisation_id, agent.user_id)] = agent
    for team in teams.values():
        if team.supervisor is not None:
            agents[(team.organisation_id, team.supervisor.user_id)] = team.supervisor
    for chain in steps.values():
        for step in chain:
            agents[(step.agent.organisation_id, step.agent.user_id)] = step.agent
    organisations = {org.pk: org for org in Organisation.objects.filter(pk__in=org_ids)}
    return Context(organisations, teams, steps, staff, agents)


def _supervisors(ticket: Ticket, ctx: Context) -> list[Any]:
    team = ctx.teams.get(ticket.team_id) if ticket.team_id is not None else None
    if team is not None and team.supervisor is not None and team.supervisor.user.is_active:
        return [team.supervisor.user]
    return [agent.user for agent in ctx.staff.get(ticket.organisation_id, [])]


def recipients(alert: Alert, ctx: Context) -> tuple[list[Any], str]:
    """Who is told about ``alert`` (users), and the name the timeline shows for an escalation step ("" otherwise)."""
    ticket = alert.ticket
    if alert.level == clocks.WARNED:
        if ticket.assignee is not None and ticket.assignee.is_active:
            return [ticket.assignee], ""
        return _supervisors(ticket, ctx), ""
    if alert.level == clocks.BREACHED:
        return _supervisors(ticket, ctx), ""
    chain = ctx.steps.get(ticket.team_id, []) if ticket.team_id is not None else []
    index = alert.level - clocks.BREACHED - 1
    if index >= len(chain):  # the chain was shortened since the check time was set
        return [], ""
    user = chain[index].agent.user
    return [user], user.get_full_name() or user.get_username()


def _event_text(alert: Alert, name: str) -> str:
    if alert.level == clocks.WARNED:
        return "warning"
    if alert.level == clocks.BREACHED:
        return "breached"
    return f"escalated to {name}"


@lru_cache(maxsize=32)
def _wording(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """The target names and the title per level in ``language`` (looked up once per language, not per alert)."""
    with translation.override(language):
        targets = {SlaTarget.FIRST_RESPONSE.value: _("first response"),
                   SlaTarget.NEXT_RESPONSE.value: _("next response"), SlaTarget.RESOLUTION.value: _("resolution")}
        titles = {"warning": _("Ticket #%(id)s is at risk: %(target)s due %(when)s"),
                  "breach": _("Ticket #%(id)s breached its %(target)s target (due %(when)s)"),
                  "escalation": _("Escalated to you: ticket #%(id)s, %(target)s overdue since %(when)s")}
    return targets, titles


def _message(alert: Alert, org: Organisation, language: str) -> tuple[str, str]:
    """Title and body of the notification in ``language``, the due time in the organisation's time zone."""
    targets, titles = _wording(language)
    when = dateformat.format(alert.due_at.astimezone(_zone(org.time_zone)), _short_datetime(language))
    title = titles["warning" if alert.level == clocks.WARNED else "breach" if alert.level == clocks.BREACHED
                   else "escalation"]
    return title % {"id": alert.ticket.pk, "target": targets[alert.target], "when": when}, alert.ticket.subject


@lru_cache(maxsize=64)
def _short_datetime(language: str) -> str:
    """The language's short date-and-time format, looked up once: switching the active language for every alert cost
    a third of a busy pass (the format is numeric, so no month names need the language active)."""
    with translation.override(language):
        return str(formats.get_format("SHORT_DATETIME_FORMAT", lang=language))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _inbox_url() -> str:
    """The inbox's address, resolved once per process (the first ``reverse`` imports the whole URL map)."""
    return reverse("inbox:inbox")


def _notifications(alert: Alert, users: Iterable[Any], ctx: Context, now: datetime) -> list[Notification]:
    """The alert's notifications, each in its recipient's interface language."""
    ticket = alert.ticket
    org = ctx.organisations[ticket.organisation_id]
    by_language: dict[str, list[Any]] = defaultdict(list)
    for user in users:
        agent = ctx.agents.get((ticket.organisation_id, user.pk))
        by_language[(agent.ui_language if agent is not None else "") or settings.LANGUAGE_CODE].append(user)
    kind = LEVEL_KINDS.get(alert.level, ESCALATION_KIND)
    url = f"{_inbox_url()}?ticket={ticket.pk}"
    rows: list[Notification] = []
    for language, people in by_language.items():
        title, body = _message(alert, org, language)
        rows += notification_rows(ticket.organisation_id, people, kind, title, body=body, url=url,
                                  ticket_id=ticket.pk, now=now)
    return rows


def _insert_alerts(alerts: Sequence[Alert], now: datetime) -> set[tuple[int, int]]:
    """Insert the alerts; (ticket id, level) of those this checker inserted (the others existed already)."""
    if not alerts:
        return set()
    meta = SlaAlert._meta
    due_field, created_field = meta.get_field("due_at"), meta.get_field("created_at")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("ticket_id", "target", "level", "due_at", "created_at"))
    won: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(alerts), CHUNK):
            chunk = alerts[start : start + CHUNK]
            params: list[Any] = []
            for alert in chunk:
                params += [alert.ticket.pk, alert.target, alert.level,
                           due_field.get_db_prep_save(alert.due_at, connection),
                           created_field.get_db_prep_save(now, connection)]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} "  # noqa: S608  # nosec B608
                           f"ON CONFLICT DO NOTHING RETURNING {quote('ticket_id')}, {quote('level')}", params)
            won.update((int(ticket_id), int(level)) for ticket_id, level in cursor.fetchall())
    return won


def _write_levels(tickets: Sequence[Ticket]) -> None:
    """Write each ticket's new level and check time in one ``UPDATE … FROM (VALUES …)`` statement: the server does
    one statement's work for the chunk rather than one per ticket (``executemany``)."""
    if not tickets:
        return
    quote = connection.ops.quote_name
    field = Ticket._meta.get_field("sla_check_at")
    cast = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    rows = ", ".join([f"(%s, %s, {cast})"] * len(tickets))
    params: list[Any] = []
    for ticket in tickets:
        params += [ticket.pk, ticket.sla_level, field.get_db_prep_save(ticket.sla_check_at, connection)]
    table = quote(Ticket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v (id, level, check_at) AS (VALUES {rows}) "  # noqa: S608 - names quoted, values bound  # nosec B608
            f"UPDATE {table} SET {quote('sla_level')} = v.level, {quote('sla_check_at')} = v.check_at "
            f"FROM v WHERE {table}.{quote('id')} = v.id", params)


def process(tickets: Sequence[Ticket], now: datetime) -> int:
    """Raise what is due on ``tickets`` (claimed by the caller's transaction); returns the alerts raised."""
    ctx = _context(tickets)
    alerts: list[Alert] = []
    for ticket in tickets:
        chain = ctx.steps.get(ticket.team_id, []) if ticket.team_id is not None else []
        step = clocks.advance(ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_level,
                              [s.after_minutes for s in chain], now)
        if ticket.sla_due_at is not None:
            target = tracked_target(ticket)
            alerts += [Alert(ticket, target, level, ticket.sla_due_at) for level in step.levels]
        ticket.sla_level, ticket.sla_check_at = step.level, step.check_at
    won = _insert_alerts(alerts, now)
    events: list[TicketEvent] = []
    notifications: list[Notification] = []
    changed: dict[int, set[int]] = defaultdict(set)
    for alert in alerts:
        if (alert.ticket.pk, alert.level) not in won:
            continue
        users, name = recipients(alert, ctx)
        events.append(TicketEvent(ticket=alert.ticket, kind=EventKind.SLA, field=alert.target,
                                  old=alert.due_at.isoformat(), new=_event_text(alert, name)[:255], at=now))
        notifications += _notifications(alert, users, ctx, now)
        changed[alert.ticket.organisation_id].add(alert.ticket.pk)
    _write_levels(tickets)
    insert_rows(events)
    Notification.objects.bulk_create(notifications, batch_size=CHUNK)
    for organisation_id, ids in changed.items():
        publish.tickets_changed(organisation_id, ids, None)
    return len(events)


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many alerts it raised."""
    raised = 0
    for _chunk in range(MAX_CHUNKS):
        with transaction.atomic():
            tickets = _claim(now)
            if tickets:
                raised += process(tickets, now)
        if len(tickets) < CHUNK:
            break
    return raised
