"""Warming the topics view (a task of the automation loop): the whole days a supervisor's page will sum are counted
and stored before anybody opens it, a little at a time.

Why: a week's figures are the sum of its days (webcare/insights/figures.py), and counting a day is CPU-bound (the
salient terms of every message) — at a million messages the first look at a week counted for tens of seconds
(docs/benchmarks.md, "Topics view"). Days end at local midnight and do not change much after, so they can be
counted in the background.

Which days, per organisation and themes version, most needed first:

1. the whole days of this week so far and of last week up to the same weekday — what the default page sums;
2. the rest of last week and the week before it — what the week picker's "last week" sums.

A day counts as done when its :class:`~webcare.insights.models.DayDigest` for the current themes version is younger
than :data:`REFRESH_AFTER` — less than the hour after which the page would count it again itself
(``figures.DAY_SECONDS``), so while this task runs a page never finds a day stale — or final (counted a week after
the day ended: never counted again). A changed theme deletes the stored days and raises the version, so the next
passes count the days afresh for the new themes.

What "remembered" means across processes: the **stored rows** are what every process shares — the web processes
of ``webcare serve`` (granian), the automation thread, any ``webcare automate``. The in-process memory (Django's
cache, local to each process by default) is not: this task runs in the automation loop's process, so what it only
remembered would warm no web process's page. It therefore stores whole days and nothing else; the running day's
hours are counted (and remembered for an hour) by the process that shows the page — at most a day's part of each
week at once, a few seconds at a million messages.

Rules of a pass:

- **Lease**: one process warms an organisation (:class:`~webcare.insights.models.WarmLease`), renewed every pass,
  taken over once expired (:data:`LEASE`); two processes never count the same days twice at once. Without the lease
  nothing goes wrong either — a day is stored with ``update_or_create`` on a unique row, so a race leaves one row
  with a whole count, never a doubled one — it only costs the CPU twice.
- **Bounded**: per organisation and pass, days are counted until :data:`MAX_MESSAGES` messages were counted (at
  least one day; days without messages cost a query), so the loop's other tasks (SLA checks, escalations) wait at
  most one day's counting — at a million messages (5,500 a day) one day a pass, seconds on a busy machine
  (docs/benchmarks.md, "Topics view"). A backlog (a fresh install that imported a million messages) is worked off
  over several passes: minutes, while nobody needs to look.
- One organisation's failure is logged and does not stop the others'.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from webcare.core import leases
from webcare.core.models import Organisation
from webcare.insights import figures
from webcare.insights.figures import FINAL_AFTER, TermsOf, ThemeSet
from webcare.insights.models import WarmLease
from webcare.insights.weeks import Span, Week, comparison

log = logging.getLogger("webcare.insights")

#: How long a lease lasts without renewal (several automation passes: WEBCARE_AUTOMATION_SECONDS is 15 by default).
LEASE: Final = timedelta(seconds=90)
#: Messages counted at most per organisation and pass (a day more than this is still counted whole).
MAX_MESSAGES: Final = 2_000
#: A stored day is counted again this long after its last count, before the page would count it itself.
REFRESH_AFTER: Final = timedelta(seconds=figures.DAY_SECONDS) - timedelta(minutes=15)
#: This process, as the lease names it.
HOLDER: Final = leases.HOLDER


def run(now: datetime) -> int:
    """One pass over every organisation; returns how many days were counted and stored."""
    stored, failed = 0, 0
    for organisation in Organisation.objects.order_by("pk"):
        try:
            stored += warm(organisation, now)
        except Exception:  # one organisation's failure must not stop the others' warming
            log.exception("warming the topics of organisation %s failed", organisation.pk)
            failed += 1
    if failed and not stored:
        raise RuntimeError(f"warming the topics failed for {failed} organisation(s)")
    return stored


def warm(organisation: Organisation, now: datetime, *, holder: str = HOLDER) -> int:
    """One organisation's pass, if ``holder`` (this process) holds or may take its lease: count and store the days
    due, most needed first, until :data:`MAX_MESSAGES` messages were counted; returns the days stored."""
    if not claim(organisation.pk, now, holder):
        return 0
    themes = figures.theme_set(organisation)  # the defaults are made here on a fresh install, not at the first look
    terms_of = figures.terms_function()
    due = due_days(organisation.pk, wanted_days(organisation, now), themes, terms_of, now)
    if not due:
        return 0
    return figures.count_days(organisation.pk, due, themes, terms_of, MAX_MESSAGES, now)


def wanted_days(organisation: Organisation, now: datetime) -> list[Span]:
    """The whole local days the view will ask for at ``now``, most needed first (see the module's docstring)."""
    zone = figures.zone_of(organisation)
    rounded = figures.rounded_now(now)
    current = Week.of(rounded.astimezone(zone).date())
    found: dict[datetime, Span] = {}
    for week in (current, current.shift(-1)):
        for day in figures.whole_days(comparison(week, rounded, zone), zone):
            found.setdefault(day.start, day)
    return list(found.values())


def is_done(computed_at: datetime, day: Span, now: datetime) -> bool:
    """A stored day this task leaves alone: counted within :data:`REFRESH_AFTER`, or final."""
    return now - computed_at < REFRESH_AFTER or computed_at - day.end >= FINAL_AFTER


def due_days(organisation_id: int, days: list[Span], themes: ThemeSet, terms_of: TermsOf | None,
             now: datetime) -> list[Span]:
    """Those of ``days`` not stored, or stored and due again, in the order given."""
    done = figures.fresh_days(organisation_id, days, themes, terms_of, now, fresh=is_done)
    return [day for day in days if day.start not in done]


def claim(organisation_id: int, now: datetime, holder: str = HOLDER) -> bool:
    """Renew this process's lease, take an expired one over, or make the first; False while another process holds
    it (webcare/core/leases.py)."""
    return leases.claim(WarmLease, organisation_id, now, LEASE, holder)
