"""The sender: carries out queued outbound jobs through their channel's connector.

Why a table and a loop instead of sending in the request: the platform may be down, slow or rate-limiting, and an
agent's reply must survive all of that and a restart. Rules, in the order they apply:

- **Claim** one due job at a time, together with its channel's rate-limit slot (``Channel.send_after``). On
  PostgreSQL both rows are taken with ``FOR UPDATE SKIP LOCKED``, so any number of senders on any number of machines
  share the queue and never send two jobs of one channel faster than its limit. The job is marked ``sending`` with a
  lease *before* the platform is called, and that is committed.
- **Success**: the job and its message are ``sent`` with the platform's id.
- **Retryable** failure (5xx, 429, network down before the request left): back to ``pending`` after exponential
  backoff — never sooner than the platform's Retry-After, which also pauses the whole channel — until
  ``WEBCARE_SEND_ATTEMPTS``; then ``failed``.
- **Permanent** failure (4xx, refused credentials): ``failed`` at once, with the platform's words on the message and a
  Retry button in the inbox.
- **Ambiguous** (the platform stopped answering after the request left, or a sender died mid-send and its lease ran
  out): ``uncertain``. The sender never repeats such a request by itself — unless the connector's sends are
  idempotent — because the reply may already be public: an agent checks and presses Retry. That is how a retry never
  double-posts.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from webcare.channels.base import SENDS_MESSAGE, Action, HealthStatus, OutboundRequest, SendError, SendResult
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.registry import connector_class, connector_for
from webcare.conversations.models import DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.core.threads import start_daemon

logger = logging.getLogger("webcare.sender")

#: Set after a commit that queued a job, so an in-process sender sends at once instead of at its next poll.
WAKE = threading.Event()
MAX_BACKOFF = timedelta(hours=1)
UNCERTAIN_NOTE = ("the platform stopped answering while this was being sent, so it may have been posted; check on the "
                  "platform, and press Retry only if it is not there")


@dataclass
class SendTally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.uncertain


#: Jobs webcare does for itself (downloads, profile lookups): after people's replies, repeatable, no rate slot.
BACKGROUND = (Action.FETCH_MEDIA, Action.FETCH_PROFILE)
TALLY_NAMES = {JobStatus.SENT: "sent", JobStatus.PENDING: "retrying", JobStatus.FAILED: "failed",
               JobStatus.UNCERTAIN: "uncertain"}


def backoff(attempts: int) -> timedelta:
    """Delay before try ``attempts + 1``: base, 2×base, 4×base … capped at an hour."""
    base = settings.WEBCARE_SEND_RETRY_BASE_SECONDS
    return min(timedelta(seconds=base * (2 ** max(attempts - 1, 0))), MAX_BACKOFF)


def rate_interval(channel: Channel) -> timedelta:
    """The gap between two sends on a channel: its connector's documented rate, or ``settings["rate_per_second"]``."""
    cls = connector_class(channel.kind)
    rate = float(channel.settings.get("rate_per_second") or (cls.rate_per_second if cls else 5.0))
    return timedelta(seconds=1 / rate) if rate > 0 else timedelta(0)


# -- building requests -------------------------------------------------------------------------------------------

def build_request(job: OutboundJob) -> OutboundRequest:
    """The request exactly as it was fixed when the job was queued, so every try sends the same thing."""
    data = dict(job.request)
    return OutboundRequest(
        action=Action(job.action), idempotency_key=str(job.idempotency_key), text=data.get("text", ""),
        conversation_id=data.get("conversation_id", ""), conversation_public=bool(data.get("conversation_public")),
        target_id=data.get("target_id", ""), recipient=data.get("recipient", {}), subject=data.get("subject", ""),
        references=tuple(data.get("references", ())), attachments=tuple(data.get("attachments", ())),
        template=data.get("template"), agent_name=data.get("agent_name", ""),
    )


# -- claiming ----------------------------------------------------------------------------------------------------

def _lock_channel(channel_id: int, now: datetime) -> Channel | None:
    queryset = Channel.objects.filter(pk=channel_id, send_after__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return queryset.first()


def expire_leases(now: datetime) -> int:
    """Jobs whose sender died mid-send: ``uncertain`` (or ``pending`` again where sends are idempotent)."""
    expired = 0
    with transaction.atomic():
        queryset = OutboundJob.objects.filter(status=JobStatus.SENDING, lease_until__lt=now).select_related("channel")
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        for job in queryset[:100]:
            if _repeatable(job):
                job.status, job.next_attempt_at = JobStatus.PENDING, now
            else:
                job.status = JobStatus.UNCERTAIN
                job.last_error = "the sender stopped while sending; " + UNCERTAIN_NOTE
                _message_status(job, DeliveryStatus.UNCERTAIN, job.last_error)
            job.lease_until = None
            job.save(update_fields=["status", "next_attempt_at", "last_error", "lease_until"])
            expired += 1
    return expired


def claim(now: datetime | None = None) -> OutboundJob | None:
    """Take the oldest due job whose channel may send now; None when there is none."""
    now = now or timezone.now()
    with transaction.atomic():
        # People's replies and actions go before attachment downloads on the same channel.
        queryset = (OutboundJob.objects.filter(status=JobStatus.PENDING, next_attempt_at__lte=now,
                                               channel__send_after__lte=now, channel__is_active=True)
                    .annotate(background=Case(When(action__in=BACKGROUND, then=Value(1)), default=Value(0)))
                    .order_by("background", "next_attempt_at", "id"))
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        for job in queryset[:20]:
            channel = _lock_channel(job.channel_id, now)
            if channel is None:  # another sender is using this channel's slot right now
                continue
            if job.action not in BACKGROUND:  # fetching for webcare itself is not posting: no slot used
                channel.send_after = now + rate_interval(channel)
                channel.save(update_fields=["send_after"])
            job.channel = channel
            job.status = JobStatus.SENDING
            job.attempts += 1
            job.lease_until = now + timedelta(seconds=settings.WEBCARE_SEND_LEASE_SECONDS)
            job.save(update_fields=["status", "attempts", "lease_until"])
            return job
    return None


# -- recording results -------------------------------------------------------------------------------------------

def _message_status(job: OutboundJob, status: str, error: str = "") -> None:
    if job.action in SENDS_MESSAGE:
        Message.objects.filter(pk=job.message_id).update(delivery_status=status, delivery_error=error[:4000])


def _publish(job: OutboundJob) -> None:
    from webcare.live import publish

    ticket_id = Message.objects.filter(pk=job.message_id).values_list("ticket_id", flat=True).first()
    if ticket_id:
        publish.tickets_changed(job.organisation_id, [ticket_id], None)


def _set_health(channel: Channel, status: HealthStatus, detail: str, now: datetime) -> None:
    if channel.health_status != status or channel.health_detail != detail[:500]:
        Channel.objects.filter(pk=channel.pk).update(health_status=status, health_detail=detail[:500],
                                                     health_checked_at=now)


def record_success(job: OutboundJob, result: SendResult, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        job.status, job.lease_until, job.sent_at = JobStatus.SENT, None, result.sent_at or now
        job.external_id, job.last_error = result.external_id[:255], ""
        job.save(update_fields=["status", "lease_until", "sent_at", "external_id", "last_error"])
        message = Message.objects.select_for_update().get(pk=job.message_id)
        fields = []
        if job.action in SENDS_MESSAGE:  # a reply, or a post of the brand's own: the message now has its platform id
            if result.external_id:
                # The platform may have echoed our own message back before we got here (Messenger echoes, X DMs);
                # the echo was stored as a brand message without an agent: ours replaces it.
                same = Message.objects.filter(channel_id=message.channel_id, external_id=result.external_id,
                                              direction=Direction.OUTBOUND).exclude(pk=message.pk)
                same.filter(outbound_jobs__isnull=True).delete()
                # An earlier reply of ours with the same id was replaced on the platform (a review has one reply):
                # it keeps its row and text, without the id now worn by this one.
                same.update(external_id=None)
                message.external_id = result.external_id[:255]
                fields.append("external_id")
            if message.delivery_status in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN):
                message.delivery_status = DeliveryStatus.SENT
                fields.append("delivery_status")
            message.delivery_error = ""
            fields.append("delivery_error")
        elif job.action in (Action.HIDE, Action.UNHIDE):
            message.hidden = job.action == Action.HIDE
            fields.append("hidden")
        elif job.action == Action.DELETE:
            message.deleted_at = now
            fields.append("deleted_at")
        if fields:
            message.save(update_fields=fields)
        _set_health(job.channel, HealthStatus.OK, "", now)
        _publish(job)


def record_failure(job: OutboundJob, error: SendError, now: datetime | None = None) -> str:
    """Record a failed try; returns what became of the job (pending, failed or uncertain)."""
    now = now or timezone.now()
    with transaction.atomic():
        detail = str(error)[:4000]
        job.last_error, job.lease_until = detail, None
        if error.retry_after:
            # A platform's "slow down" is about the account, not this one request: pause the whole channel.
            Channel.objects.filter(pk=job.channel_id).update(send_after=now + timedelta(seconds=error.retry_after))
        if error.health is not None:
            _set_health(job.channel, error.health, detail, now)
        if error.ambiguous and not _repeatable(job):
            job.status = JobStatus.UNCERTAIN
            _message_status(job, DeliveryStatus.UNCERTAIN, f"{detail} — {UNCERTAIN_NOTE}")
        elif (error.retryable or error.ambiguous) and job.attempts < settings.WEBCARE_SEND_ATTEMPTS:
            job.status = JobStatus.PENDING
            wait = max(backoff(job.attempts), timedelta(seconds=error.retry_after or 0))
            job.next_attempt_at = now + wait
            _message_status(job, DeliveryStatus.QUEUED,
                            f"try {job.attempts} failed, next try in {int(wait.total_seconds())} s: {detail}")
        else:
            job.status = JobStatus.FAILED
            _message_status(job, DeliveryStatus.FAILED, detail)
        job.save(update_fields=["status", "last_error", "lease_until", "next_attempt_at"])
        _publish(job)
    logger.info("job %s (%s on %s) try %s: %s → %s", job.pk, job.action, job.channel.slug, job.attempts,
                type(error).__name__, job.status)
    return job.status


def send_job(job: OutboundJob) -> str:
    """Send one claimed job; returns its new status."""
    if job.action in BACKGROUND:
        return _fetch(job)
    if job.channel.settings.get("simulate"):
        # A demo channel connected to no platform: the reply is recorded as sent and posted nowhere.
        record_success(job, SendResult(external_id=f"simulated:{job.idempotency_key}"))
        return JobStatus.SENT
    connector = connector_for(job.channel)
    if connector is None:
        error = SendError(f"channel kind {job.channel.kind!r} has no connector to send with")
        return record_failure(job, error)
    try:
        result = connector.send(build_request(job))
    except SendError as exc:
        return record_failure(job, exc)
    except Exception as exc:  # a connector bug: fail visibly rather than crash the sender or retry blindly
        logger.exception("connector %s crashed sending job %s", job.channel.kind, job.pk)
        return record_failure(job, SendError(f"{type(exc).__name__}: {exc}"))
    record_success(job, result)
    return JobStatus.SENT


def _fetch(job: OutboundJob) -> str:
    """Fetch something from the platform for webcare itself: a customer's attachment into webcare's storage
    (webcare/channels/media.py) or a customer's name (webcare/channels/profiles.py)."""
    from webcare.channels import media, profiles

    connector = connector_for(job.channel)
    if connector is None:
        return record_failure(job, SendError(f"channel kind {job.channel.kind!r} has no connector to fetch with"))
    try:
        if job.action == Action.FETCH_MEDIA:
            media.fetch_and_store(job, connector)
        else:
            profiles.fetch_and_store(job, connector)
    except Exception as exc:
        if not isinstance(exc, SendError):
            logger.exception("%s for job %s failed", job.action, job.pk)
            exc = SendError(f"{type(exc).__name__}: {exc}")
        status = record_failure(job, exc)
        if status == JobStatus.FAILED and job.action == Action.FETCH_MEDIA:
            media.note_failure(job, job.last_error)  # for good: the attachment says why, not "being downloaded"
        return status
    record_success(job, SendResult())
    return JobStatus.SENT


def _repeatable(job: OutboundJob) -> bool:
    """May this job be carried out again after an interruption without harm? Downloads always; sends only where the
    connector's sends are idempotent."""
    cls = connector_class(job.channel.kind)
    return job.action in BACKGROUND or (cls is not None and cls.idempotent_sends)


def _next_slot(now: datetime) -> datetime | None:
    """When the earliest rate-limited channel with a due job may send again."""
    return (Channel.objects.filter(outbound_jobs__status=JobStatus.PENDING, outbound_jobs__next_attempt_at__lte=now,
                                   send_after__gt=now)
            .order_by("send_after").values_list("send_after", flat=True).first())


def send_due(max_jobs: int | None = None, max_wait: float = 5.0) -> SendTally:
    """Send every job that is due now, one by one; waits (up to ``max_wait`` s at a time) for a channel's rate-limit
    slot when that is all that holds a due job back. Returns what happened."""
    tally = SendTally()
    expire_leases(timezone.now())
    while max_jobs is None or tally.total < max_jobs:
        job = claim()
        if job is None:
            now = timezone.now()
            slot = _next_slot(now)
            if slot is None:
                # The slot that held the claim back may have come in between (a slow claim on a busy machine): then
                # no channel with a due job is still waiting, and a claim at this same moment finds the job.
                job = claim(now)
                if job is None:
                    break
            elif (slot - now).total_seconds() > max_wait:
                break
            else:
                time.sleep(max((slot - now).total_seconds(), 0.01))
                continue
        name = TALLY_NAMES[JobStatus(send_job(job))]
        setattr(tally, name, getattr(tally, name) + 1)
    return tally


def run_forever(stop: threading.Event, idle_seconds: float = 0.5) -> SendTally:
    """Send until ``stop`` is set; sleeps when idle and wakes at once when a job is queued in this process."""
    total = SendTally()
    while not stop.is_set():
        try:
            close_old_connections()
            tally = send_due(max_wait=idle_seconds)
        except Exception:
            logger.exception("sender loop error; going on")
            tally = SendTally()
        for name in ("sent", "retrying", "failed", "uncertain"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        if tally.total == 0:
            WAKE.wait(idle_seconds)
            WAKE.clear()
    return total


def start_in_process(stop: threading.Event) -> threading.Thread:
    return start_daemon("webcare-sender", run_forever, stop)
