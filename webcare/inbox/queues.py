"""The inbox's views (queues): which tickets each one holds, in which order, and how many.

Pure query building, no I/O of its own: the page and the tests use the same definitions. Within a view tickets are
ordered by priority, then by how long the customer has waited (oldest first); follower count or reach never enters.

Built for a million tickets (docs/benchmarks.md, "Inbox at scale"): each view's page is a scan of a partial index on
the not-solved tickets in the list's own order (``tickets.Ticket.Meta.indexes``), which stops after a page, and each
count is an index-only scan. Every open inbox asks for the counts again on every live event, so the counts that are
the same for the whole organisation (everything but "mine" and "my teams") are computed once per change and shared by
the inboxes of the process — see :func:`organisation_counts`.
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


def in_list_order(org: Organisation, condition: Q) -> QuerySet[Ticket]:
    """The organisation's tickets matching ``condition`` with what a list row shows, most urgent and longest waiting
    first — the order the partial indexes are built in. Views and searches both list through this."""
    return (
        Ticket.objects.filter(condition, organisation=org)
        .select_related("conversation__channel", "customer", "assignee")
        .prefetch_related("labels")
        .order_by("priority", F("waiting_since").asc(nulls_last=True), "id")
    )


def tickets(org: Organisation, key: str, user: Any) -> QuerySet[Ticket]:
    """The tickets of a view, most urgent and longest waiting first."""
    return in_list_order(org, _planned_filter(org, key, user))


def count(org: Organisation, key: str, user: Any) -> int:
    """How many tickets a view holds (an index-only scan for each fixed view)."""
    return Ticket.objects.filter(_planned_filter(org, key, user), organisation=org).count()


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
_shared: dict[int, SharedCounts] = {}
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


def _compute_shared(org: Organisation, marker: tuple[Any, ...]) -> SharedCounts:
    views = {key: count(org, key, None) for key in LABELS if key not in PERSONAL}
    channels = dict(
        Ticket.objects.filter(organisation=org, status__in=OPEN_STATES)
        .values_list("conversation__channel_id").annotate(n=Count("id")).order_by()
    )
    return SharedCounts(marker, time.monotonic(), views, channels)


def organisation_counts(org: Organisation) -> SharedCounts:
    """The counts that are the same for every agent of ``org`` (unassigned, all open, pending, solved, per channel),
    computed once per change and shared by the process's requests.

    Why: every open inbox reloads the counts on every live event, so fifty agents would otherwise count the same
    hundred thousand tickets fifty times per change (the per-channel counts join every open ticket to its
    conversation). The marker is read *before* counting, so the counts stored under it include at least every change
    it stands for; one request counts while the others of the same organisation wait for its result."""
    marker = change_marker(org)

    def usable(shared: SharedCounts | None) -> bool:
        return (shared is not None and shared.marker == marker
                and time.monotonic() - shared.computed_at < SHARED_SECONDS)

    shared = _shared.get(org.pk)
    if usable(shared):
        assert shared is not None
        return shared
    with _lock(org.pk):
        shared = _shared.get(org.pk)
        if usable(shared):
            assert shared is not None
            return shared
        shared = _compute_shared(org, marker)
        _shared[org.pk] = shared
        return shared


def forget_shared_counts() -> None:
    """Drop the shared counts, as a change would (the scale benchmark times the counts computed afresh)."""
    _shared.clear()


def views(org: Organisation, user: Any) -> list[View]:
    """Every view with its count: the personal ones counted now, the organisation's from :func:`organisation_counts`."""
    shared = organisation_counts(org)
    counts = shared.views | {key: count(org, key, user) for key in PERSONAL}
    result = [View(key, str(label), counts[key]) for key, label in LABELS.items()]
    for channel in Channel.objects.filter(organisation=org, is_active=True).order_by("kind", "name"):
        result.append(View(f"channel:{channel.slug}", channel.name, shared.channels.get(channel.pk, 0)))
    return result
