"""The watcher (a task of the automation loop): feeds new inbound customer messages to the choir detector and turns
a group that grows abnormally fast into an :class:`~webcare.incidents.models.Incident`.

Rules, in the order they apply on each pass, per organisation:

- **Lease**: the detector's window lives in this process's memory, so one process per organisation detects. The
  :class:`~webcare.incidents.models.ChoirLease` row is renewed by its holder every pass and taken over by another
  process once it has expired (``LEASE``); the takeover bumps its ``generation``.
- **Rebuild**: a process without a valid detector for the lease's generation (first pass, restart, takeover, or an
  error in an earlier pass) builds one: it primes the background statistics with the last days of messages (where
  the detector offers ``prime``), then replays the window's messages up to the cursor without alarming — a group
  whose messages are already linked to an incident is mapped to it, so nobody is alerted twice.
- **Feed**: the messages after the cursor (id order, up to ``CHUNK`` a transaction), inbound and from customers only
  (no automatic or outbound messages, no spam), in time order. History older than the window (an import) moves the
  cursor without being fed.
- **Open** an incident when a placement says ``started``: the incident, its message and ticket links, the label
  ``incident-<id>`` with a timeline row on each ticket, a notification to the organisation's supervisors and admins
  with examples from each channel (webcare/incidents/alerts.py), and the live update that refreshes open inboxes —
  all in the transaction that moves the cursor. A message belongs to at most one incident (unique index), so even
  two watchers racing cannot open the same one twice.
- **Link** later messages of the group to the open incident (and their tickets, unless a ticket is in another open
  incident), refreshing its counts and rate.

An exception drops this process's detector (it is rebuilt next pass from the database), so memory and database never
disagree.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from webcare.conversations.models import Direction, Message
from webcare.core import leases
from webcare.core.models import Organisation
from webcare.incidents.choir import ChoirConfig, ChoirDetector, GroupView, Observation, Placement
from webcare.incidents.models import (
    ChoirLease,
    Incident,
    IncidentMessage,
    IncidentStatus,
    IncidentTicket,
    label_for,
)
from webcare.live import publish
from webcare.routing.rules import SPAM_LABEL
from webcare.tickets.models import EventKind, Label, Ticket, TicketEvent

log = logging.getLogger("webcare.incidents")

#: How long a lease lasts without renewal (several automation passes: WEBCARE_AUTOMATION_SECONDS is 15 by default).
LEASE: Final = timedelta(seconds=90)
#: Messages read per transaction, and at most per organisation and pass (a backlog is worked off over several passes).
CHUNK: Final = 1000
MAX_PER_PASS: Final = 20_000
#: History the detector's background statistics are primed with after a (re)start, at most this many messages.
PRIME_SPAN: Final = timedelta(days=2)
PRIME_LIMIT: Final = 50_000
#: This process, as the lease names it.
HOLDER: Final = leases.HOLDER
#: A group mapped to no incident on purpose: its incident has ended (later messages are not linked to it).
ENDED: Final = 0
#: A group found abnormal only while replaying, never an incident: opened when its next new message arrives.
PENDING: Final = -1


class Detector(Protocol):
    """What the watcher needs of a detector (webcare.incidents.choir.ChoirDetector, or a stand-in in tests)."""

    def observe(self, obs: Observation) -> Placement: ...

    def group(self, group_id: int) -> GroupView | None: ...

    def advance(self, now: datetime) -> None: ...

    def memory_bytes(self) -> int: ...


DetectorFactory = Callable[[int], Detector]


def default_detector(organisation_id: int) -> Detector:
    """The production detector: cross-language joining with multilingual-e5-small unless
    ``WEBCARE_CHOIR_EMBEDDINGS`` is off (then near-duplicates and shared salient terms only)."""
    embedder = None
    if getattr(settings, "WEBCARE_CHOIR_EMBEDDINGS", True):
        from webcare.incidents.choir import e5_embedder

        embedder = e5_embedder()
    return ChoirDetector(ChoirConfig(), embedder=embedder)


@dataclass
class _State:
    """One organisation's detector in this process, valid for one lease generation."""

    generation: int
    detector: Detector
    #: detector group id → incident id (or :data:`ENDED`, :data:`PENDING`).
    incidents: dict[int, int] = field(default_factory=dict)


_STATES: dict[int, _State] = {}


def forget(organisation_id: int | None = None) -> None:
    """Drop this process's detector(s): rebuilt from the database on the next pass (tests: a restart)."""
    if organisation_id is None:
        _STATES.clear()
    else:
        _STATES.pop(organisation_id, None)


def memory_bytes() -> int:
    """What this process's detectors hold."""
    return sum(state.detector.memory_bytes() for state in _STATES.values())


def window_of(detector: Detector) -> timedelta:
    config = getattr(detector, "config", None)
    return getattr(config, "window", None) or ChoirConfig().window


# -- the pass -----------------------------------------------------------------------------------------------------

def run(now: datetime, *, detector_factory: DetectorFactory | None = None) -> int:
    """One pass over every organisation; returns how many messages were fed to detectors (replays not counted)."""
    factory = detector_factory or default_detector
    fed, failed = 0, 0
    for organisation_id in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        try:
            fed += watch(organisation_id, now, factory)
        except Exception:  # one organisation's failure must not stop the others' watch
            log.exception("choir watch of organisation %s failed; its detector is rebuilt next pass", organisation_id)
            failed += 1
    if failed and not fed:
        raise RuntimeError(f"the choir watch failed for {failed} organisation(s)")
    return fed


def watch(organisation_id: int, now: datetime, factory: DetectorFactory) -> int:
    """One organisation's pass, if this process holds (or may take) its lease."""
    lease = claim(organisation_id, now)
    if lease is None:
        _STATES.pop(organisation_id, None)  # another process watches: our window would go stale
        return 0
    try:
        state = _STATES.get(organisation_id)
        if state is None or state.generation != lease.generation:
            state = rebuild(organisation_id, lease, now, factory)
            _STATES[organisation_id] = state
        fed = _feed(organisation_id, state, lease, now)
        state.detector.advance(now)
        _prune(state)
        return fed
    except Exception:
        _STATES.pop(organisation_id, None)
        raise


def claim(organisation_id: int, now: datetime) -> ChoirLease | None:
    """Renew this process's lease, take an expired one over (a new generation), or make the first; None while another
    process holds it."""
    if not leases.claim(ChoirLease, organisation_id, now, LEASE, HOLDER,
                        takeover={"generation": F("generation") + 1},
                        first=lambda: {"cursor": _starting_cursor(organisation_id, now)}):
        return None
    return ChoirLease.objects.get(organisation_id=organisation_id)


def _starting_cursor(organisation_id: int, now: datetime) -> int:
    """Where a new organisation's watch starts: after its messages from before the window (no history is fed as if
    it arrived now)."""
    last = (Message.objects.filter(organisation_id=organisation_id, sent_at__lt=now - ChoirConfig().window)
            .order_by("-sent_at", "-id").values_list("pk", flat=True).first())
    return last or 0


# -- which messages ---------------------------------------------------------------------------------------------------

def _customer_messages(organisation_id: int) -> Any:
    return (Message.objects.filter(organisation_id=organisation_id, direction=Direction.INBOUND, automatic="")
            .select_related("conversation__channel", "ticket"))


def _observations(messages: Iterable[Message]) -> list[Observation]:
    """The messages the detector is fed, in time order: spam (triage's intent, or routing's label) left out."""
    rows = list(messages)
    spam_tickets = set(Ticket.labels.through.objects.filter(
        ticket_id__in={m.ticket_id for m in rows if m.ticket_id}, label__name=SPAM_LABEL).values_list(
        "ticket_id", flat=True))
    kept = [m for m in rows if "spam" not in (m.intents or []) and m.ticket_id not in spam_tickets]
    kept.sort(key=lambda m: (m.sent_at, m.pk))
    return [Observation(message_id=m.pk, at=m.sent_at, text=m.redacted_text, language=m.language or "",
                        channel=m.conversation.channel.kind, ticket_id=m.ticket_id,
                        customer_id=m.ticket.customer_id if m.ticket is not None else m.conversation.customer_id)
            for m in kept]


# -- rebuilding after a start or a takeover ---------------------------------------------------------------------------

def rebuild(organisation_id: int, lease: ChoirLease, now: datetime, factory: DetectorFactory) -> _State:
    """A detector for this lease generation: background primed, the window replayed up to the cursor, and each
    replayed group that already has an incident mapped to it (none is opened or alerted here)."""
    detector = factory(organisation_id)
    window = window_of(detector)
    state = _State(lease.generation, detector)
    prime = getattr(detector, "prime", None)
    if callable(prime):
        history = (_customer_messages(organisation_id)
                   .filter(sent_at__gte=now - PRIME_SPAN, sent_at__lt=now - window)
                   .order_by("-sent_at", "-id")[:PRIME_LIMIT])
        prime(list(reversed(_observations(history))))
    replayed = _customer_messages(organisation_id).filter(sent_at__gte=now - window, pk__lte=lease.cursor)
    observations = _observations(replayed)
    linked = dict(IncidentMessage.objects.filter(message_id__in=[o.message_id for o in observations])
                  .values_list("message_id", "incident_id"))
    open_ids = set(Incident.objects.filter(pk__in=set(linked.values()), status=IncidentStatus.OPEN)
                   .values_list("pk", flat=True))
    for obs in observations:
        placement = detector.observe(obs)
        group = placement.group_id
        if group is None:
            continue
        incident = linked.get(obs.message_id)
        if incident is not None and state.incidents.get(group, PENDING) <= 0:
            state.incidents[group] = incident if incident in open_ids else ENDED
        elif placement.started and group not in state.incidents:
            # Abnormal only in the replay and never an incident: opened when the group's next new message comes.
            state.incidents[group] = PENDING
    log.info("choir watcher for organisation %s rebuilt (generation %s): %d messages replayed, %d groups known",
             organisation_id, lease.generation, len(observations), len(state.incidents))
    return state


def _prune(state: _State) -> None:
    """Forget groups that have left the window: the map stays as small as the detector."""
    for group in [g for g in state.incidents if state.detector.group(g) is None]:
        del state.incidents[group]


# -- feeding new messages ---------------------------------------------------------------------------------------------

def _feed(organisation_id: int, state: _State, lease: ChoirLease, now: datetime) -> int:
    fed = 0
    cursor = lease.cursor
    window = window_of(state.detector)
    for _ in range(MAX_PER_PASS // CHUNK):  # a backlog (an import) is worked off over several passes
        rows = list(_customer_messages(organisation_id).filter(pk__gt=cursor).order_by("pk")[:CHUNK])
        if not rows:
            break
        newest = rows[-1].pk
        fresh = [m for m in rows if m.sent_at >= now - window]
        observations = _observations(fresh)
        # The detector's work (and its embeddings, tens of milliseconds a message) happens before the transaction:
        # on SQLite a write transaction holds the database's one write lock, which the worker and sender need too.
        work = _place(state, observations)
        with transaction.atomic():
            _apply(organisation_id, state, work, now)
            moved = ChoirLease.objects.filter(organisation_id=organisation_id, holder=HOLDER,
                                              generation=state.generation).update(cursor=newest, updated_at=now)
            if not moved:
                # Taken over mid-pass (this process stalled past its lease): the new holder does this work.
                transaction.set_rollback(True)
                raise LeaseLost(organisation_id)
        cursor = newest
        fed += len(observations)
    return fed


class LeaseLost(RuntimeError):
    """Another process took the organisation's lease over while this one was working."""


@dataclass
class _Work:
    """What one chunk's placements ask for: groups to settle (group → whether an incident may be opened for it) and
    messages to link to open incidents (incident → observations)."""

    settle: dict[int, bool] = field(default_factory=dict)
    link: dict[int, list[int]] = field(default_factory=dict)


def _place(state: _State, observations: list[Observation]) -> _Work:
    """Feed the detector (memory only) and note what its placements ask for."""
    work = _Work()
    for obs in observations:
        placement = state.detector.observe(obs)
        group = placement.group_id
        if group is None:
            continue
        incident = state.incidents.get(group)
        if incident is not None and incident > 0:
            work.link.setdefault(incident, []).append(obs.message_id)
        elif incident == PENDING or (incident is None and (placement.started or placement.abnormal)):
            # Settled below, once the chunk is placed (its later messages are then in the group's view). An abnormal
            # group that did not just start and is not known here is one that merged with an incident's group.
            work.settle[group] = work.settle.get(group, False) or placement.started or incident == PENDING
            state.incidents[group] = ENDED
    return work


def _apply(organisation_id: int, state: _State, work: _Work, now: datetime) -> None:
    """Write what the placements ask for (in the caller's transaction): links, and incidents opened."""
    if work.link:
        _link_later(organisation_id, state, work.link, now)
    for group, may_open in work.settle.items():
        view = state.detector.group(group)
        if view is None:
            continue
        existing = (IncidentMessage.objects
                    .filter(message_id__in=view.message_ids, incident__status=IncidentStatus.OPEN)
                    .values_list("incident_id", flat=True).first())
        if existing is not None:
            state.incidents[group] = existing
            _link_later(organisation_id, state, {existing: list(view.message_ids)}, now)
        elif may_open:
            opened = open_incident(organisation_id, view, now)
            if opened is not None:
                state.incidents[group] = opened.pk


# -- opening and linking ----------------------------------------------------------------------------------------------

def title_from(terms: Iterable[str]) -> str:
    """A title for people from the group's shared terms: the four most telling, as they are."""
    picked = [term for term in terms if term.strip()][:4]
    return " · ".join(picked)[:200] or "Many similar messages"


def open_incident(organisation_id: int, view: GroupView, now: datetime) -> Incident | None:
    """Open one incident for a group (in the caller's transaction): links, labels, timeline rows, the alert, the live
    update. None when its messages are linked already (another watcher was first)."""
    from webcare.incidents.alerts import alert_opened

    message_ids = list(view.message_ids)
    if IncidentMessage.objects.filter(message_id__in=message_ids).exists():
        return None
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organisation_id=organisation_id, title=title_from(view.terms), terms=list(view.terms)[:20],
                started_at=view.first_at, detected_at=now, rate_per_hour=view.rate_per_hour,
                baseline_per_hour=view.baseline_per_hour, peak_rate_per_hour=view.rate_per_hour, updated_at=now)
            tickets = _link(incident, message_ids, now)
    except IntegrityError:
        return None  # another watcher linked these messages a moment ago (and alerted): nothing of ours is kept
    refresh_counts(incident)
    log.info("incident %s opened for organisation %s: %r, %d messages", incident.pk, organisation_id, incident.title,
             incident.message_count)
    alert_opened(incident)
    publish.tickets_changed(organisation_id, tickets, None)
    return incident


def _link_later(organisation_id: int, state: _State, links: dict[int, list[int]], now: datetime) -> None:
    """Link messages (incident → message ids) to open incidents, refreshing their counts and rates."""
    open_ids = set(Incident.objects.filter(pk__in=list(links), status=IncidentStatus.OPEN).values_list("pk", flat=True))
    touched: list[int] = []
    for incident_id, ids in links.items():
        if incident_id not in open_ids:
            for group, mapped in list(state.incidents.items()):
                if mapped == incident_id:
                    state.incidents[group] = ENDED  # resolved meanwhile: later messages are not linked to it
            continue
        incident = Incident.objects.get(pk=incident_id)
        done = set(IncidentMessage.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
        touched += _link(incident, [pk for pk in ids if pk not in done], now)
        mapped_group = next((g for g, mapped in state.incidents.items() if mapped == incident_id), None)
        view = state.detector.group(mapped_group) if mapped_group is not None else None
        if view is not None:
            incident.rate_per_hour, incident.baseline_per_hour = view.rate_per_hour, view.baseline_per_hour
            incident.peak_rate_per_hour = max(incident.peak_rate_per_hour, view.rate_per_hour)
        incident.updated_at = now
        incident.save(update_fields=["rate_per_hour", "baseline_per_hour", "peak_rate_per_hour", "updated_at"])
        refresh_counts(incident)
    if touched:
        publish.tickets_changed(organisation_id, touched, None)


def _link(incident: Incident, message_ids: list[int], now: datetime) -> list[int]:
    """Link messages (and their tickets, where not in another open incident) to ``incident``; label each newly
    linked ticket and write its timeline row. Returns the tickets newly linked."""
    if not message_ids:
        return []
    rows = {m.pk: m for m in Message.objects.filter(pk__in=message_ids).select_related("conversation__channel")}
    IncidentMessage.objects.bulk_create([
        IncidentMessage(incident=incident, message_id=pk, ticket_id=rows[pk].ticket_id, at=rows[pk].sent_at,
                        channel_kind=rows[pk].conversation.channel.kind, language=rows[pk].language or "")
        for pk in message_ids if pk in rows])
    ticket_ids = sorted({ticket for pk in message_ids if pk in rows and (ticket := rows[pk].ticket_id) is not None})
    taken = set(IncidentTicket.objects.filter(ticket_id__in=ticket_ids, open=True).values_list("ticket_id", flat=True))
    new = [pk for pk in ticket_ids if pk not in taken]
    if not new:
        return []
    IncidentTicket.objects.bulk_create([IncidentTicket(incident=incident, ticket_id=pk, linked_at=now) for pk in new])
    label, _ = Label.objects.get_or_create(organisation_id=incident.organisation_id, name=label_for(incident.pk))
    through = Ticket.labels.through
    through.objects.bulk_create([through(ticket_id=pk, label_id=label.pk) for pk in new], ignore_conflicts=True)
    TicketEvent.objects.bulk_create([
        TicketEvent(ticket_id=pk, kind=EventKind.LABEL_ADDED, field="labels", new=label.name, at=now) for pk in new])
    Ticket.objects.filter(pk__in=new).update(updated_at=now)
    return new


def refresh_counts(incident: Incident) -> None:
    """The incident's counts, languages and channels from its links (most frequent first)."""
    links = IncidentMessage.objects.filter(incident=incident)
    languages = Counter(dict(links.exclude(language="").values_list("language").annotate(n=Count("id"))
                             .values_list("language", "n")))
    channels = Counter(dict(links.values_list("channel_kind").annotate(n=Count("id"))
                            .values_list("channel_kind", "n")))
    tickets = Ticket.objects.filter(incident_links__incident=incident)
    Incident.objects.filter(pk=incident.pk).update(
        message_count=links.count(), ticket_count=tickets.count(),
        customer_count=tickets.filter(~Q(customer_id=None)).values("customer_id").distinct().count(),
        languages=[code for code, _ in languages.most_common()], channels=[kind for kind, _ in channels.most_common()])
    incident.refresh_from_db()
