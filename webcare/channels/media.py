"""Customers' attachments, downloaded from the platforms into webcare's own storage.

Why: what a connector can put in a message when a delivery arrives is only a reference — ``whatsapp-media:<id>``,
``telegram-file:<file_id>`` — or a platform link that expires (Meta's signed CDN URLs, a story within a day) or needs
the channel's credentials (X's direct-message media). An agent must still be able to open the photo of the broken
router next week, so every such attachment is downloaded once and stored like an e-mail attachment
(:func:`webcare.channels.attachments.store_attachment`: content-addressed, encrypted with the customer's data key,
served only to the organisation's agents).

How, in two halves that never meet in one transaction:

- :class:`QueueMediaDownloads`, an ingestion pipeline step, queues one ``fetch_media`` :class:`OutboundJob` per
  attachment of the batch's new inbound messages that the channel's connector ``fetches``. It runs inside the
  batch's transaction and calls nobody: a download there would hold the batch (and its locks) for seconds, and would
  be lost with a rolled-back batch anyway.
- The sender claims those jobs after people's replies on the same channel and calls :func:`fetch_and_store`, so
  downloads get the queue's retries, backoff, leases and rate limits for free.

The message's attachment then says where the file is now (``url``: ``/attachments/<org>/<sha256>/<name>``) and where it
came from (``source``). An attachment that cannot be downloaded (too big, gone, a host webcare does not fetch from)
stays as it came.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webcare.channels.attachments import store_attachment
from webcare.channels.base import Action, Connector, FetchedMedia, SendError
from webcare.channels.models import OutboundJob
from webcare.channels.registry import connector_for
from webcare.channels.sender import WAKE
from webcare.conversations.models import Direction, Message
from webcare.core.models import Channel
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.keys.fields import key_of

logger = logging.getLogger("webcare.channels")

#: Types that say nothing about a file: the type the message gave (or one guessed from its name) is better.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


def media_request(job: OutboundJob) -> tuple[int, str]:
    """The (index, original url) a ``fetch_media`` job names; a non-retryable :class:`SendError` naming the field
    when the stored request is not one."""
    index, url = job.request.get("index"), job.request.get("url")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise SendError(f"fetch_media job {job.pk}: request.index must be a whole number ≥ 0, not {index!r}")
    if not isinstance(url, str) or not url:
        raise SendError(f"fetch_media job {job.pk}: request.url is missing")
    return index, url


def content_type_for(fetched: FetchedMedia, original: dict[str, Any], name: str) -> str:
    """The most specific type known: the server's, else the one the message gave (``image/*`` is not a type), else
    one guessed from the file name."""
    for candidate in (fetched.content_type, str(original.get("content_type") or "")):
        value = candidate.split(";", 1)[0].strip().lower()
        if value not in GENERIC_TYPES and "*" not in value and "/" in value:
            return value
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def with_extension(name: str, content_type: str) -> str:
    """``name`` with the extension its type has when it has none ("Instagram story" → "Instagram story.jpg"): the
    file is served by its name's type, and an agent's computer opens it by its extension."""
    if "." in name.rsplit("/", 1)[-1] or content_type in GENERIC_TYPES:
        return name
    extension = mimetypes.guess_extension(content_type) or ""
    return f"{name}{extension}" if name else ""


def fetch_and_store(job: OutboundJob, connector: Connector) -> None:
    """Download the attachment a ``fetch_media`` job names and point the message at the stored copy.

    The download happens before any row is locked. The message row is then locked and attachment ``index`` is
    replaced only if its ``url`` is still the one queued, so an edit that changed the attachments meanwhile is never
    overwritten with the wrong file. A try that finds the work already done (an earlier try stored it, then its
    sender died before recording success) does nothing. :class:`SendError` when the platform did not give the file
    (retryable or not, as the connector said) or the attachment is no longer there.
    """
    index, url = media_request(job)
    if _already_stored(job.message_id, index, url):
        return
    limit = settings.WEBCARE_MAX_ATTACHMENT_BYTES
    fetched = connector.fetch_media(url, limit)
    if len(fetched.data) > limit:  # a connector that ignored the limit: still never stored
        raise SendError(f"the file is {len(fetched.data)} bytes; webcare stores at most {limit} bytes "
                        "(WEBCARE_MAX_ATTACHMENT_BYTES)")
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=job.message_id).first()
        if message is None:
            raise SendError(f"message {job.message_id} is gone; the attachment was not stored")
        attachments = list(message.attachments or [])
        current = attachments[index] if index < len(attachments) else None
        if not isinstance(current, dict) or current.get("url") != url:
            if _stored_from(current, url):
                return  # a concurrent try got there first
            raise SendError(f"attachment {index} of message {message.pk} is no longer the one queued for download; "
                            "left as it is")
        name = fetched.name or str(current.get("name") or "")
        content_type = content_type_for(fetched, current, name)
        # Sealed with the key of the message's customer (its conversation's), like the message's text.
        stored = store_attachment(message.organisation_id, with_extension(name, content_type), content_type,
                                  fetched.data, key=key_of(message))
        attachments[index] = {**stored, "source": url}
        message.attachments = attachments
        message.save(update_fields=["attachments"])


def note_failure(job: OutboundJob, detail: str) -> bool:
    """Write why a download finally failed on the attachment (``fetch_error``), so the conversation can say "could
    not be downloaded" instead of "being downloaded" for ever. For the sender to call once a ``fetch_media`` job is
    ``failed``; True when the attachment was marked (it is still the one the job names)."""
    try:
        index, url = media_request(job)
    except SendError:
        return False
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=job.message_id).first()
        attachments = list(message.attachments or []) if message is not None else []
        current = attachments[index] if index < len(attachments) else None
        if message is None or not isinstance(current, dict) or current.get("url") != url:
            return False
        attachments[index] = {**current, "fetch_error": detail[:500]}
        message.attachments = attachments
        message.save(update_fields=["attachments"])
    return True


def _stored_from(attachment: Any, url: str) -> bool:
    return isinstance(attachment, dict) and attachment.get("source") == url and attachment.get("url") != url


def _already_stored(message_id: int, index: int, url: str) -> bool:
    """Whether an earlier try stored this attachment (its sender died before recording success): then there is
    nothing to download again."""
    attachments = Message.objects.filter(pk=message_id).values_list("attachments", flat=True).first() or []
    return index < len(attachments) and _stored_from(attachments[index], url)


class QueueMediaDownloads(Step):
    """Queue a download of every attachment of the batch's new inbound messages that the channel's connector can
    fetch. Set-based: one query for the channels, one insert for the jobs. Demo (``simulate``) channels are
    connected to no platform, so nothing is queued for them; the brand's own messages (echoes) are not the
    customer's files, and are skipped too."""

    name = "media"

    def run(self, batch: StoreResult) -> None:
        inbound = [m for m in batch.messages if m.direction == Direction.INBOUND and m.attachments]
        if not inbound:
            return
        channels = Channel.objects.in_bulk({m.channel_id for m in inbound})
        connectors = {pk: connector for pk, channel in channels.items()
                      if not channel.settings.get("simulate") and (connector := connector_for(channel)) is not None}
        now = timezone.now()
        jobs = [
            OutboundJob(organisation_id=message.organisation_id, channel_id=message.channel_id, message=message,
                        action=Action.FETCH_MEDIA, request={"index": index, "url": attachment["url"]},
                        next_attempt_at=now, created_at=now)
            for message in inbound if message.channel_id in connectors
            for index, attachment in enumerate(message.attachments)
            if _fetches(connectors[message.channel_id], attachment)
        ]
        if jobs:
            OutboundJob.objects.bulk_create(jobs, batch_size=500)
            transaction.on_commit(WAKE.set)  # an in-process sender starts at once


def _fetches(connector: Connector, attachment: Any) -> bool:
    """Whether the connector downloads this attachment. A connector bug here must not fail the batch (that would hold
    up the customer's messages): it is logged, and the attachment stays as it came."""
    url = attachment.get("url") if isinstance(attachment, dict) else None
    if not isinstance(url, str) or not url:
        return False
    try:
        return connector.fetches(url)
    except Exception:
        logger.exception("%s connector failed to say whether it fetches an attachment; not downloaded",
                         connector.kind)
        return False
