"""Surge check (a task of the automation loop): arrival rate and oldest wait against the organisation's thresholds;
supervisors and admins are alerted once per surge, with an Erlang C staffing estimate, and told when it is over.

The rules (pure: :func:`next_step`):

- A surge **starts** when a figure reaches its threshold (``Organisation.surge_arrivals_per_hour``: inbound messages
  per hour over the last 15 minutes; ``surge_oldest_wait_minutes``; 0 turns a threshold off) and none is open.
- While open, every pass writes what it sees (rate, oldest wait, handling time, the estimate, the peak rate).
- It **ends** with hysteresis: only after every figure has stayed under :data:`CALM_SHARE` (80 %) of its threshold
  for :data:`CALM_FOR` (15 minutes), so a rate hovering at the threshold does not start and end a surge every pass.
  The surge's ``updated_at`` is the last pass that still saw a figure at or above 80 % — the start of the calm is
  the pass after it.

Several automation processes may run this at once: the open surge is read ``FOR UPDATE``, and a new one is inserted
in a savepoint under the unique constraint "one open surge per organisation", so only the process whose insert wins
alerts anybody, and only the process whose conditional update ends the surge says it is over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from webcare.core.models import Agent, Organisation, Role
from webcare.supervision import erlang, metrics
from webcare.supervision.alerts import notify_agents
from webcare.supervision.models import Surge

log = logging.getLogger("webcare.supervision")

#: Hysteresis: a surge ends once every figure has been under this share of its threshold for this long.
CALM_SHARE: Final = 0.8
CALM_FOR: Final = timedelta(minutes=15)
#: Who is alerted: the organisation's supervisors and admins.
ALERTED_ROLES: Final = (Role.SUPERVISOR, Role.ADMIN)
#: The estimate cannot promise every customer within a time (that needs infinite agents): a target of 100 % is
#: planned as this share.
MAX_TARGET_SHARE: Final = 0.99


@dataclass(frozen=True)
class Thresholds:
    """An organisation's surge thresholds; 0 turns one off."""

    arrivals_per_hour: int
    oldest_wait_minutes: int

    @classmethod
    def of(cls, organisation: Organisation) -> Thresholds:
        return cls(organisation.surge_arrivals_per_hour, organisation.surge_oldest_wait_minutes)

    def reached(self, arrivals_per_hour: float, oldest_wait_seconds: float, share: float = 1.0) -> bool:
        """Whether a figure that is switched on is at or above ``share`` of its threshold."""
        return bool(
            (self.arrivals_per_hour and arrivals_per_hour >= share * self.arrivals_per_hour)
            or (self.oldest_wait_minutes and oldest_wait_seconds >= share * self.oldest_wait_minutes * 60))


class Step(StrEnum):
    NOTHING = "nothing"
    START = "start"
    #: Still open and at least one figure at or above 80 % (the calm has not begun).
    HOT = "hot"
    #: Still open, every figure under 80 %, but not for :data:`CALM_FOR` yet.
    CALMING = "calming"
    END = "end"


def next_step(thresholds: Thresholds, arrivals_per_hour: float, oldest_wait_seconds: float,
              last_hot: datetime | None, now: datetime) -> Step:
    """What the check does for one organisation. ``last_hot`` is the open surge's last pass at or above 80 % (None
    when no surge is open)."""
    if last_hot is None:
        return Step.START if thresholds.reached(arrivals_per_hour, oldest_wait_seconds) else Step.NOTHING
    if thresholds.reached(arrivals_per_hour, oldest_wait_seconds, CALM_SHARE):
        return Step.HOT
    return Step.END if now - last_hot >= CALM_FOR else Step.CALMING


def staffing(organisation: Organisation, load: metrics.Load) -> erlang.Estimate:
    """The Erlang C estimate for the organisation's service level at the current rate and handling time."""
    share = min(max(organisation.service_level_percent, 1) / 100, MAX_TARGET_SHARE)
    return erlang.estimate(load.arrivals_per_hour, load.handling.minutes, share, organisation.service_level_minutes)


def _figures(surge: Surge, load: metrics.Load, estimate: erlang.Estimate) -> None:
    surge.arrivals_per_hour = load.arrivals_per_hour
    surge.oldest_wait_seconds = load.oldest_wait_seconds
    surge.handling_minutes = load.handling.minutes
    surge.agents_needed = max(estimate.agents, backlog(surge.organisation, load))
    surge.agents_online = load.agents_online
    surge.peak_arrivals_per_hour = max(surge.peak_arrivals_per_hour, load.arrivals_per_hour)


def run(now: datetime) -> int:
    """One pass over the organisations that have a threshold switched on or a surge open; returns how many surges
    it started, updated or ended."""
    open_surge = Surge.objects.filter(organisation=OuterRef("pk"), ended_at__isnull=True)
    organisations = Organisation.objects.filter(
        Q(surge_arrivals_per_hour__gt=0) | Q(surge_oldest_wait_minutes__gt=0) | Exists(open_surge)).order_by("pk")
    return sum(check(organisation, now) for organisation in organisations)


def check(organisation: Organisation, now: datetime) -> int:
    """Measure one organisation and start, update or end its surge (1), or do nothing (0).

    The two threshold figures are read first, outside any transaction: on a quiet day (no surge open, nothing
    reached) a pass is three index probes and takes no lock. Only then is the full load (agents online, the
    measured handling time) read and the surge row locked."""
    thresholds = Thresholds.of(organisation)
    rate = metrics.arrivals_per_hour(organisation.pk, now)
    waiting_since = metrics.oldest_waiting_since(organisation.pk)
    wait = metrics.wait_seconds(waiting_since, now)
    is_open = Surge.objects.filter(organisation=organisation, ended_at__isnull=True).exists()
    if not is_open and not thresholds.reached(rate, wait):
        return 0
    load = metrics.load(organisation, now)
    with transaction.atomic():
        surge = Surge.objects.select_for_update().filter(organisation=organisation, ended_at__isnull=True).first()
        step = next_step(thresholds, load.arrivals_per_hour, load.oldest_wait_seconds,
                         surge.updated_at if surge else None, now)
        if step == Step.NOTHING:
            return 0
        estimate = staffing(organisation, load)
        if step == Step.START:
            return _start(organisation, load, estimate, now)
        assert surge is not None
        _figures(surge, load, estimate)
        if step == Step.HOT:
            surge.updated_at = now
        if step != Step.END:
            surge.save(update_fields=["arrivals_per_hour", "oldest_wait_seconds", "handling_minutes", "agents_needed",
                                      "agents_online", "peak_arrivals_per_hour", "updated_at"])
            return 1
        return _end(organisation, surge, load, now)


def _start(organisation: Organisation, load: metrics.Load, estimate: erlang.Estimate, now: datetime) -> int:
    surge = Surge(organisation=organisation, started_at=now, updated_at=now)
    _figures(surge, load, estimate)
    try:
        with transaction.atomic():
            surge.save()
    except IntegrityError:
        return 0  # another checker opened it a moment ago, and alerted
    log.info("surge started for %s: %.0f/h, oldest wait %.0f s, %d agents needed, %d online", organisation.slug,
             load.arrivals_per_hour, load.oldest_wait_seconds, surge.agents_needed, load.agents_online)
    _alert(organisation, "surge", lambda: _started_text(organisation, load, estimate))
    return 1


def _end(organisation: Organisation, surge: Surge, load: metrics.Load, now: datetime) -> int:
    ended = Surge.objects.filter(pk=surge.pk, ended_at__isnull=True).update(
        ended_at=now, arrivals_per_hour=surge.arrivals_per_hour, oldest_wait_seconds=surge.oldest_wait_seconds,
        handling_minutes=surge.handling_minutes, agents_needed=surge.agents_needed, agents_online=surge.agents_online,
        peak_arrivals_per_hour=surge.peak_arrivals_per_hour)
    if not ended:
        return 0
    log.info("surge over for %s", organisation.slug)
    _alert(organisation, "surge_over", lambda: _over_text(surge, load, now))
    return 1


def recipients(organisation: Organisation) -> list[Agent]:
    """The organisation's supervisors and admins (active users), who hear about surges."""
    return list(Agent.objects.filter(organisation=organisation, role__in=ALERTED_ROLES, user__is_active=True)
                .select_related("user").order_by("user_id"))


def _alert(organisation: Organisation, kind: str, text: Callable[[], tuple[str, str]]) -> None:
    notify_agents(organisation.pk, recipients(organisation), kind, text, reverse("supervision:dashboard"))


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def _started_text(organisation: Organisation, load: metrics.Load, estimate: erlang.Estimate) -> tuple[str, str]:
    title = _("Surge: %(needed)d agents needed, %(online)d online") % {
        "needed": max(estimate.agents, backlog(organisation, load)), "online": load.agents_online}
    body = "\n".join(_lines(organisation, load, estimate))
    return title, body


def backlog(organisation: Organisation, load: metrics.Load) -> int:
    """Agents needed to work off the customers waiting now within the service-level time (erlang.backlog_agents)."""
    return erlang.backlog_agents(load.waiting, load.arrivals_per_hour, load.handling.minutes,
                                 organisation.service_level_minutes)


def backlog_sentence(organisation: Organisation, load: metrics.Load) -> str:
    """"W customers are waiting: answering them within T min takes about K agents" ("" when nobody waits)."""
    if load.waiting <= 0:
        return ""
    return ngettext(
        "%(waiting)d customer is waiting: answering them within %(minutes)d min takes about %(needed)d agents.",
        "%(waiting)d customers are waiting: answering them within %(minutes)d min takes about %(needed)d agents.",
        load.waiting) % {"waiting": load.waiting, "minutes": organisation.service_level_minutes,
                         "needed": backlog(organisation, load)}


def _lines(organisation: Organisation, load: metrics.Load, estimate: erlang.Estimate) -> Iterable[str]:
    yield staffing_sentence(estimate, load.agents_online)
    if load.waiting:
        yield backlog_sentence(organisation, load)
    yield _("Oldest wait: %(minutes)d min. Arrivals in the last hour: %(count)d.") % {
        "minutes": _minutes(load.oldest_wait_seconds), "count": load.arrivals_last_hour}
    yield _("Thresholds: %(rate)s arrivals per hour, %(wait)s min oldest wait.") % {
        "rate": organisation.surge_arrivals_per_hour or _("off"),
        "wait": organisation.surge_oldest_wait_minutes or _("off")}


def staffing_sentence(estimate: erlang.Estimate, online: int) -> str:
    """"N agents needed to answer X % within T min at the current rate (λ/h, AHT m min); M online"."""
    return _("%(needed)d agents needed to answer %(share)s %% within %(minutes)s min at the current rate "
             "(%(rate)s/h, handling time %(handling)s min); %(online)d online.") % {
        "needed": estimate.agents, "share": f"{estimate.target_share * 100:g}",
        "minutes": f"{estimate.target_minutes:g}", "rate": f"{estimate.arrivals_per_hour:.0f}",
        "handling": f"{estimate.handling_minutes:.1f}", "online": online}


def _over_text(surge: Surge, load: metrics.Load, now: datetime) -> tuple[str, str]:
    title = _("Surge over")
    body = _("Arrivals and the oldest wait have been under %(share)d %% of their thresholds for %(calm)d minutes: "
             "now %(rate).0f per hour, oldest wait %(wait)d min. The surge lasted %(lasted)d min, peaking at "
             "%(peak).0f arrivals per hour.") % {
        "share": round(CALM_SHARE * 100), "calm": _minutes(CALM_FOR.total_seconds()), "rate": load.arrivals_per_hour,
        "wait": _minutes(load.oldest_wait_seconds), "lasted": _minutes((now - surge.started_at).total_seconds()),
        "peak": surge.peak_arrivals_per_hour}
    return title, body
