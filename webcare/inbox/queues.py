"""The inbox's views (queues): which tickets each one holds, in which order, and how many.

Pure query building, no I/O of its own: the page and the tests use the same definitions. Within a view tickets are
ordered by priority, then by how long the customer has waited (oldest first); follower count or reach never enters.

Built for a million tickets (docs/benchmarks.md, "Inbox at scale"): each view's page is a scan of a partial index on
the not-solved tickets in the list's own order (``tickets.Ticket.Meta.indexes``), which stops after a page, and each
count is an index-only scan. Every open inbox asks for the counts again on every live event, so the counts that are
the same for the whole organisation (everything but "mine" and "my teams") are computed once per change and shared by
the inboxes of the process — see :func:`organisation_counts`.

Need to know (webcare/access/scope.py): every function takes the viewer's :class:`~webcare.access.scope.Scope`, and
an agent's lists and counts hold only the tickets of their teams, their own and the shared queue's. ``scope=None``
means the whole organisation: the supervisor dashboard's figures and the benchmarks; the inbox's views always pass
the signed-in person's scope. Shared counts are kept per organisation *and* team scope (agents of the same teams
share them); what an agent holds outside their teams (assigned to them from another team) is added per person with
one small query on the assignee index.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webcare.access.scope import Scope, shared_condition, ticket_condition
from webcare.core.models import Channel, Organisation, Team
from webcare.live.models import LiveEvent, LiveKind
from webcare.tickets.models import Status, Ticket

ACTIVE = [Status.NEW, Status.OPEN]
OPEN_STATES = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
SOLVED_RECENTLY = timedelta(days=7)
#: The label routing gives spam (webcare/routing); the "spam" view lists it.
SPAM_LABEL = "spam"


@dataclass(frozen=True)
class View:
    key: str
    label: str
    count: int


def view_filter(key: str, user: Any) -> Q:
    """The condition of a view; an unknown key raises ``KeyError`` (the page answers 404)."""
    if key.startswith("channel:"):
        return Q(conversation__channel__slug=key.removeprefix("channel:"), status__in=OPEN_STATES)
    return {
        "unassigned": Q(assignee__isnull=True, status__in=ACTIVE),
        "mine": Q(assignee=user, status__in=OPEN_STATES),
        # A subquery, not a join through the members: a join repeats a ticket per matching membership, and the
        # DISTINCT that undoes it makes PostgreSQL sort every match before it can return the first page.
        "teams": Q(team__in=Team.objects.filter(members__user=user).values("pk"), status__in=OPEN_STATES),
        "open": Q(status__in=ACTIVE),
        "pending": Q(status=Status.PENDING),
        "solved": Q(status=Status.SOLVED, solved_at__gte=timezone.now() - SOLVED_RECENTLY),
        # Service levels (webcare/sla): the warning share of a running target has passed / a target is overdue.
        "at_risk": Q(status__in=OPEN_STATES, sla_warn_at__lte=timezone.now(), sla_due_at__gt=timezone.now()),
        "breached": Q(status__in=OPEN_STATES, sla_due_at__lte=timezone.now()),
        # What routing took for spam (labelled and set aside, webcare/routing): reviewed here, not in the queues.
        "spam": Q(labels__name=SPAM_LABEL) & ~Q(status=Status.CLOSED),
    }[key]


LABELS = {
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "teams": _("My teams"),
    "open": _("All open"),
    "pending": _("Waiting on customer"),
    "solved": _("Solved recently"),
    "at_risk": _("SLA at risk"),
    "breached": _("SLA breached"),
    "spam": _("Spam"),
}
#: Views whose count depends on who asks; the others are the same for everyone in the organisation.
PERSONAL = ("mine", "teams")


def _planned_filter(org: Organisation, key: str, user: Any) -> Q:
    """:func:`view_filter`, with a channel view's channel looked up first. Given the channel's id (not its slug
    through a join), PostgreSQL knows from its statistics how many conversations the channel has: a small channel's
    tickets are found through its conversations, a big one's by walking the open tickets in the list's order —
    otherwise a channel with few tickets walked all of them (340 ms at 100,000 open tickets)."""
    if not key.startswith("channel:"):
        return view_filter(key, user)
    channel_id = (Channel.objects.filter(organisation=org, slug=key.removeprefix("channel:"))
                  .values_list("pk", flat=True).first())
    return Q(conversation__channel_id=channel_id, status__in=OPEN_STATES)


def _scoped(org: Organisation, scope: Scope | None) -> Q:
    return ticket_condition(scope) if scope is not None else Q(organisation=org)


def in_list_order(org: Organisation, condition: Q, scope: Scope | None = None) -> QuerySet[Ticket]:
    """The organisation's tickets matching ``condition`` (and in ``scope``) with what a list row shows, most urgent
    and longest waiting first — the order the partial indexes are built in. Views and searches both list through
    this."""
    return (
        Ticket.objects.filter(condition, _scoped(org, scope), organisation=org)
        .select_related("conversation__channel", "customer", "assignee")
        .prefetch_related("labels")
        .order_by("priority", F("waiting_since").asc(nulls_last=True), "id")
    )


def tickets(org: Organisation, key: str, user: Any, scope: Scope | None = None) -> QuerySet[Ticket]:
    """The tickets of a view in ``scope``, most urgent and longest waiting first."""
    return in_list_order(org, _planned_filter(org, key, user), scope)


def count(org: Organisation, key: str, user: Any, scope: Scope | None = None) -> int:
    """How many tickets of ``scope`` a view holds (an index-only scan for each fixed view)."""
    return Ticket.objects.filter(_planned_filter(org, key, user), _scoped(org, scope), organisation=org).count()


@dataclass(frozen=True)
class SharedCounts:
    """The organisation-wide counts as of one state of the change log."""

    marker: tuple[Any, ...]
    computed_at: float
    views: dict[str, int]
    channels: dict[int, int]


#: How long shared counts are trusted without a new live event. Every change made through the ticket actions or
#: ingestion writes a live event, which replaces the counts at once; this only bounds how long a write that bypasses
#: them (a script, the Django admin) or the sliding "solved in the last 7 days" window can leave a count behind.
SHARED_SECONDS = 30.0
#: How far back the change-log marker counts events (see :func:`change_marker`).
MARKER_WINDOW = 1000
_shared: dict[tuple[Any, ...], SharedCounts] = {}
_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def change_marker(org: Organisation) -> tuple[Any, ...]:
    """Where the organisation's ticket changes stand: the newest "tickets" live event and how many of the events
    before it are visible. Every change to tickets writes such an event in its own transaction, so the marker moves
    when a change commits. The count catches a transaction that took a lower id but committed after a higher one
    (ids are handed out at insert, not at commit); it looks back only ``MARKER_WINDOW`` ids so it stays cheap."""
    events = LiveEvent.objects.filter(organisation=org, kind=LiveKind.TICKETS)
    newest = events.aggregate(m=Max("id"))["m"]
    recent = events.filter(id__gt=newest - MARKER_WINDOW).count() if newest is not None else 0
    return (org.pk, org.created_at, newest, recent)


def _lock(org_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(org_id, threading.Lock())


def _compute_shared(org: Organisation, marker: tuple[Any, ...], scope: Scope | None) -> SharedCounts:
    teams = shared_condition(scope) if scope is not None else Q()
    views = {key: Ticket.objects.filter(_planned_filter(org, key, None), teams, organisation=org).count()
             for key in LABELS if key not in PERSONAL}
    channels = dict(
        Ticket.objects.filter(teams, organisation=org, status__in=OPEN_STATES)
        .values_list("conversation__channel_id").annotate(n=Count("id")).order_by()
    )
    return SharedCounts(marker, time.monotonic(), views, channels)


def organisation_counts(org: Organisation, scope: Scope | None = None) -> SharedCounts:
    """The counts that are the same for every agent of ``org`` (unassigned, all open, pending, solved, per channel),
    computed once per change and shared by the process's requests.

    Why: every open inbox reloads the counts on every live event, so fifty agents would otherwise count the same
    hundred thousand tickets fifty times per change (the per-channel counts join every open ticket to its
    conversation). The marker is read *before* counting, so the counts stored under it include at least every change
    it stands for; one request counts while the others of the same organisation wait for its result.

    With an agent's ``scope``, the counts are of their teams' tickets and the shared queue's, shared by the agents of
    the same teams (see :func:`views` for what each agent holds beyond that)."""
    marker = change_marker(org)
    cache_key = (org.pk, *(scope.key if scope is not None and not scope.everything else ("all",)))
    counted_scope = scope if scope is not None and not scope.everything else None

    def usable(shared: SharedCounts | None) -> bool:
        return (shared is not None and shared.marker == marker
                and time.monotonic() - shared.computed_at < SHARED_SECONDS)

    shared = _shared.get(cache_key)
    if usable(shared):
        assert shared is not None
        return shared
    with _lock(org.pk):
        shared = _shared.get(cache_key)
        if usable(shared):
            assert shared is not None
            return shared
        shared = _compute_shared(org, marker, counted_scope)
        _shared[cache_key] = shared
        return shared


def forget_shared_counts() -> None:
    """Drop the shared counts, as a change would (the scale benchmark times the counts computed afresh)."""
    _shared.clear()


def _outside_teams(org: Organisation, scope: Scope, user: Any) -> tuple[dict[str, int], dict[int, int]]:
    """What an agent holds beyond their teams' shared counts: tickets of other teams assigned to them. One aggregate
    on the assignee index (and one more for the channels when there are any), usually over no rows at all."""
    extra = Ticket.objects.filter(~shared_condition(scope), organisation=org, assignee_id=scope.user_id)
    shared_keys = [key for key in LABELS if key not in PERSONAL]
    totals = extra.aggregate(total=Count("pk"), **{key: Count("pk", filter=view_filter(key, user), distinct=True)
                                                   for key in shared_keys})
    if not totals.pop("total"):
        return {}, {}
    channels = dict(extra.filter(status__in=OPEN_STATES).values_list("conversation__channel_id")
                    .annotate(n=Count("id")).order_by())
    return {key: int(value or 0) for key, value in totals.items()}, channels


def views(org: Organisation, user: Any, scope: Scope | None = None) -> list[View]:
    """Every view with its count: the personal ones counted now, the organisation's (or the agent's teams') from
    :func:`organisation_counts`, plus what the agent holds of other teams."""
    shared = organisation_counts(org, scope)
    counts = dict(shared.views)
    channel_counts = dict(shared.channels)
    if scope is not None and not scope.everything:
        extra_views, extra_channels = _outside_teams(org, scope, user)
        for key, value in extra_views.items():
            counts[key] += value
        for channel_id, value in extra_channels.items():
            channel_counts[channel_id] = channel_counts.get(channel_id, 0) + value
    counts |= {key: count(org, key, user, scope) for key in PERSONAL}
    result = [View(key, str(label), counts[key]) for key, label in LABELS.items()]
    for channel in Channel.objects.filter(organisation=org, is_active=True).order_by("kind", "name"):
        result.append(View(f"channel:{channel.slug}", channel.name, channel_counts.get(channel.pk, 0)))
    return result
