"""The inbox's views (queues): which tickets each one holds, in which order, and how many.

Pure query building, no I/O of its own: the page and the tests use the same definitions. Within a view tickets are
ordered by priority, then by how long the customer has waited (oldest first); follower count or reach never enters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webcare.core.models import Channel, Organisation
from webcare.tickets.models import Status, Ticket

ACTIVE = [Status.NEW, Status.OPEN]
OPEN_STATES = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
SOLVED_RECENTLY = timedelta(days=7)


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
        "teams": Q(team__members__user=user, status__in=OPEN_STATES),
        "open": Q(status__in=ACTIVE),
        "pending": Q(status=Status.PENDING),
        "solved": Q(status=Status.SOLVED, solved_at__gte=timezone.now() - SOLVED_RECENTLY),
    }[key]


LABELS = {
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "teams": _("My teams"),
    "open": _("All open"),
    "pending": _("Waiting on customer"),
    "solved": _("Solved recently"),
}


def tickets(org: Organisation, key: str, user: Any) -> QuerySet[Ticket]:
    """The tickets of a view, most urgent and longest waiting first."""
    return (
        Ticket.objects.filter(view_filter(key, user), organisation=org)
        .select_related("conversation__channel", "customer", "assignee")
        .prefetch_related("labels")
        .order_by("priority", F("waiting_since").asc(nulls_last=True), "id")
        .distinct()
    )


def views(org: Organisation, user: Any) -> list[View]:
    """Every view with its count, in one query for the fixed views and one for the channels."""
    counts = Ticket.objects.filter(organisation=org).aggregate(**{
        key: Count("id", filter=view_filter(key, user), distinct=True) for key in LABELS
    })
    result = [View(key, str(label), counts[key]) for key, label in LABELS.items()]
    per_channel = dict(
        Ticket.objects.filter(organisation=org, status__in=OPEN_STATES)
        .values_list("conversation__channel__slug").annotate(n=Count("id"))
    )
    for channel in Channel.objects.filter(organisation=org, is_active=True).order_by("kind", "name"):
        result.append(View(f"channel:{channel.slug}", channel.name, per_channel.get(channel.slug, 0)))
    return result
