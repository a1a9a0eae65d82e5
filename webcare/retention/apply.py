"""Applying the retention policies: the daily automation task, ``webcare retention`` and the page's dry run.

How (docs/privacy.md, "Retention"):

- **Once a day per organisation**, on the first automation pass of the organisation's local day: the pass inserts
  the day's :class:`RetentionRun` row, unique per (organisation, day), so of several ``webcare automate`` processes
  exactly one wins and the others move on. A run whose process died (no heartbeat for :data:`LEASE`) is taken over
  by one conditional UPDATE, which again only one process can win.
- **In batches**, each its own transaction: a batch of at most :data:`BATCH` due rows is read (keyset on the id)
  and removed or blanked, and the run's heartbeat moves. A run that stops half-way has removed whole batches only,
  and the next run finds the rest (the queries in :mod:`webcare.retention.due` skip what is done).
- **Recorded**: the run keeps its report (per policy: the count and the oldest item's date) and one audit entry
  ``privacy.retention`` with the counts is written in the transaction that finishes the run.

The dry run (:func:`preview`) asks the same queries and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from webcare.audit import actions as audited
from webcare.audit.log import record
from webcare.channels import attachments as stored_files
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Organisation
from webcare.ingest.models import InboundEvent
from webcare.live import publish
from webcare.retention import due as due_rows
from webcare.retention.actions import ensure_default_policies
from webcare.retention.models import DataKind, RetentionPolicy, RetentionRun, RunStatus, RunTrigger
from webcare.retention.plan import Cutoff, cutoffs
from webcare.retention.redact import (
    STORED_URL,
    blank_message_bodies,
    blank_ticket_subjects,
    delete_attachment_files,
    not_blank,
    referenced_elsewhere,
)
from webcare.tickets.models import Note

logger = logging.getLogger("webcare.retention")

#: Rows per batch (and per transaction).
BATCH: Final = 500
#: A running daily run without a heartbeat for this long is presumed dead and taken over.
LEASE: Final = timedelta(minutes=30)


@dataclass
class PolicyReport:
    """What one policy removed (or, in a dry run, would remove). Counts and dates only: no personal data."""

    policy: int
    data_kind: str
    channel_kind: str
    days: int
    cutoff: str
    count: int = 0
    oldest: str | None = None

    @classmethod
    def start(cls, cutoff: Cutoff) -> PolicyReport:
        return cls(policy=cutoff.policy_id, data_kind=cutoff.data_kind, channel_kind=cutoff.channel_kind,
                   days=cutoff.days, cutoff=cutoff.before.isoformat())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


#: Told before each policy (its cut-off and how many rows are due) and after each batch (how many were done).
Progress = Callable[[Cutoff, int | None, int], None]


def local_day(org: Organisation, now: datetime) -> date:
    """The organisation's calendar date at ``now`` (its day starts at its own midnight)."""
    try:
        zone = ZoneInfo(org.time_zone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def policy_cutoffs(org: Organisation, now: datetime) -> list[Cutoff]:
    return cutoffs(RetentionPolicy.objects.filter(organisation=org), now)


# -- the dry run ------------------------------------------------------------------------------------------------


def preview(org: Organisation, now: datetime | None = None) -> list[PolicyReport]:
    """Per policy, how many items would go now and when the oldest one's days began. Writes nothing."""
    now = now or timezone.now()
    reports = []
    for cutoff in policy_cutoffs(org, now):
        rows = due_rows.due(org, cutoff)
        report = PolicyReport.start(cutoff)
        report.count = rows.count()
        if report.count:
            found = due_rows.oldest(rows, cutoff)
            report.oldest = found.isoformat() if found else None
        reports.append(report)
    return reports


# -- removal, one batch at a time -------------------------------------------------------------------------------


def _remove_bodies(org: Organisation, ids: list[int]) -> int:
    rows = list(Message.objects.filter(pk__in=ids).values_list("conversation_id", "ticket_id"))
    delete_attachment_files(ids)
    changed = blank_message_bodies(ids)
    tickets = {ticket for _, ticket in rows if ticket}
    blank_ticket_subjects(tickets)
    publish.tickets_changed(org.pk, tickets)  # the search index re-reads them (blanked text leaves the index)
    Note.objects.filter(ticket_id__in=tickets).exclude(text="").update(text="")
    # A conversation's subject (an e-mail's) goes with its last message body.
    still = Message.objects.filter(not_blank(), conversation=OuterRef("pk"))
    (Conversation.objects.filter(pk__in={conversation for conversation, _ in rows}, organisation=org)
     .exclude(subject="").exclude(Exists(still)).update(subject=""))
    return changed


def _remove_attachments(ids: list[int]) -> int:
    delete_attachment_files(ids)
    return Message.objects.filter(pk__in=ids).update(attachments=[])


def _eml_digests(org: Organisation, ids: list[int]) -> set[str]:
    """The stored original e-mails (``raw.eml``) of these deliveries. Read in Python, not with a JSON lookup: a
    processed delivery's ``raw`` may be sealed under its customer's key (webcare/keys), which decrypts on reading."""
    found: set[str] = set()
    for raw in InboundEvent.objects.filter(pk__in=ids, raw__isnull=False).values_list("raw", flat=True):
        eml = raw.get("eml") if isinstance(raw, dict) else None
        url = eml.get("url") if isinstance(eml, dict) else None
        if isinstance(url, str) and (match := STORED_URL.match(url)) and int(match[1]) == org.pk:
            found.add(match[2])
    return found


def _remove_raw_events(org: Organisation, ids: list[int]) -> int:
    """Delete the deliveries and their stored original e-mails (one file per delivery: its bytes' digest, so a
    retried delivery is one event), unless a message shows the same file as an attachment."""
    digests = _eml_digests(org, ids)
    # Deleting a delivery sets its messages' ``event`` to null (counted apart by delete(): only the events here).
    deleted = InboundEvent.objects.filter(pk__in=ids).delete()[1].get(InboundEvent._meta.label, 0)
    for digest in digests - referenced_elsewhere(org.pk, digests, set()):
        path = stored_files.path_for(org.pk, digest)
        transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))  # type: ignore[misc]
    return deleted


def remove_batch(org: Organisation, cutoff: Cutoff, ids: list[int]) -> int:
    """Remove or blank these due rows (ids of :func:`due_rows.due`); the caller holds the transaction."""
    kind = cutoff.data_kind
    if kind == DataKind.MESSAGE_BODIES:
        return _remove_bodies(org, ids)
    if kind == DataKind.ATTACHMENTS:
        return _remove_attachments(ids)
    if kind == DataKind.RAW_EVENTS:
        return _remove_raw_events(org, ids)
    model = due_rows.due(org, cutoff).model
    return model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)


def apply_cutoff(org: Organisation, cutoff: Cutoff, run: RetentionRun | None = None,
                 progress: Progress | None = None) -> PolicyReport:
    """Everything one policy makes due now, batch by batch (each batch its own transaction)."""
    report = PolicyReport.start(cutoff)
    rows = due_rows.due(org, cutoff)
    first = due_rows.oldest(rows, cutoff)
    report.oldest = first.isoformat() if first else None
    if progress is not None:
        progress(cutoff, rows.count() if first else 0, 0)
    if first is None:
        return report
    last = 0
    while True:
        with transaction.atomic():
            ids = list(due_rows.due(org, cutoff).filter(pk__gt=last).order_by("pk")
                       .values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            report.count += remove_batch(org, cutoff, ids)
            if run is not None:
                RetentionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        last = ids[-1]
        if progress is not None:
            progress(cutoff, None, len(ids))
    return report


def apply_policies(org: Organisation, now: datetime, run: RetentionRun | None = None,
                   progress: Progress | None = None) -> list[PolicyReport]:
    return [apply_cutoff(org, cutoff, run, progress) for cutoff in policy_cutoffs(org, now)]


# -- runs -------------------------------------------------------------------------------------------------------


def claim_daily(org: Organisation, day: date, now: datetime) -> RetentionRun | None:
    """The day's run for this process, or None when another process has it (or it is done)."""
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(organisation=org, day=day, trigger=RunTrigger.DAILY, started_at=now,
                                               heartbeat_at=now)
    except IntegrityError:
        pass
    stale = RetentionRun.objects.filter(organisation=org, day=day, trigger=RunTrigger.DAILY, status=RunStatus.RUNNING,
                                        heartbeat_at__lt=now - LEASE)
    taken = stale.update(heartbeat_at=now)
    if taken != 1:
        return None
    logger.warning("retention: taking over organisation %s's run of %s (no heartbeat for %s)", org.pk, day, LEASE)
    return RetentionRun.objects.get(organisation=org, day=day, trigger=RunTrigger.DAILY)


def execute(run: RetentionRun, now: datetime, actor: Any = None, progress: Progress | None = None,
            label: str = "system") -> RetentionRun:
    """Apply the organisation's policies under ``run``, then record its report and the audit entry (by ``actor``,
    else ``label``: "system" for the daily run, the command line's name for ``webcare retention``)."""
    org = run.organisation
    try:
        reports = apply_policies(org, now, run, progress)
    except Exception as exc:
        RetentionRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                      error=type(exc).__name__)
        raise
    removed = sum(report.count for report in reports)
    with transaction.atomic():
        run.status, run.finished_at, run.removed = RunStatus.DONE, timezone.now(), removed
        run.report = [report.as_json() for report in reports]
        run.heartbeat_at = run.finished_at
        run.save(update_fields=["status", "finished_at", "removed", "report", "heartbeat_at"])
        record(audited.RETENTION, organisation=org, actor=actor, actor_label="" if actor else label,
               target=f"retention_run:{run.pk}",
               detail={"trigger": run.trigger, "removed": removed,
                       "counts": {f"{r.data_kind}:{r.channel_kind or '*'}": r.count for r in reports}})
    return run


def run_now(org: Organisation, actor: Any = None, now: datetime | None = None, progress: Progress | None = None,
            label: str = "system") -> RetentionRun:
    """Apply the policies now, by hand (``webcare retention``): recorded as a manual run, whatever the day's run."""
    now = now or timezone.now()
    ensure_default_policies(org)
    run = RetentionRun.objects.create(organisation=org, day=local_day(org, now), trigger=RunTrigger.MANUAL,
                                      started_by=actor if getattr(actor, "pk", None) else None, started_at=now,
                                      heartbeat_at=now)
    return execute(run, now, actor, progress, label)


def run(now: datetime) -> int:
    """The automation task: each organisation's policies, once per its local day. Returns the items removed."""
    removed = 0
    organisations = list(Organisation.objects.all())
    days = {org.pk: local_day(org, now) for org in organisations}
    done = set(RetentionRun.objects.filter(trigger=RunTrigger.DAILY, day__in=set(days.values()))
               .exclude(status=RunStatus.RUNNING).values_list("organisation_id", "day"))
    for org in organisations:
        day = days[org.pk]
        if (org.pk, day) in done:
            continue
        ensure_default_policies(org)
        claimed = claim_daily(org, day, now)
        if claimed is None:
            continue
        claimed.organisation = org
        removed += execute(claimed, now).removed
    return removed
