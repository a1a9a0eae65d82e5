"""Removing what a message says while keeping what it counts for: the shared core of retention and erasure.

Why blank instead of delete: a message row carries the anonymous statistics the desk is measured on — direction,
sent and received times, language, sentiment, intents, the automatic flag, delivery status — and the ticket's first
response, resolution and answered-everything figures are computed from those rows. Deleting the rows would rewrite
last year's service figures; blanking keeps the figures and removes the person's words.

Both functions are set-based (one ``UPDATE`` or ``SELECT`` per batch of :data:`BATCH` ids) and run in the caller's
transaction: retention gives each batch its own; an erasure runs them inside its one. Call
:func:`delete_attachment_files` *before* :func:`blank_message_bodies` on the same ids: it reads the attachment
metadata that blanking removes.

Encrypted fields (webcare/keys): ``text`` and ``edits`` may be encrypted at rest; blanking writes the empty value,
which needs no key, so it works for a customer whose key is already destroyed.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any, Final

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from webcare.channels import attachments as stored_files
from webcare.channels.models import JobStatus, OutboundJob
from webcare.conversations.models import Message
from webcare.tickets.models import Ticket

logger = logging.getLogger("webcare.retention")

#: Ids per statement: small enough for SQLite's variable limit and short lock times, large enough to be set-based.
BATCH: Final = 500

#: What a blanked message holds instead of its body. Everything the customer (or the agent) wrote, and everything
#: derived from it that could give it back (the redacted text still has every word that is not personal data, the
#: personal-data spans have offsets into the text, the profanity terms are words of it).
BLANK: Final[dict[str, Any]] = {
    "text": "", "redacted_text": "", "edits": [], "subject": "", "author_name": "", "attachments": [], "pii": [],
    "profanity_terms": [],
}
#: Kept: direction, is_public, sent_at, received_at, language, sentiment, sentiment_label, intents, register,
#: signals, profane, abuse_score, automatic, delivery_status, hidden, deleted_at, the links to conversation, ticket,
#: channel and author — the anonymous statistics and the thread's shape.
KEPT: Final = ("direction", "is_public", "sent_at", "received_at", "language", "sentiment", "sentiment_label",
               "intents", "register", "signals", "automatic", "delivery_status")

#: Jobs whose request (a copy of the reply's text and recipient) is no longer needed to send anything.
FINISHED_JOBS: Final = (JobStatus.SENT, JobStatus.FAILED, JobStatus.UNCERTAIN)

#: A stored file's URL inside a message's attachment metadata (see webcare/channels/attachments.py).
STORED_URL = re.compile(r"/attachments/(\d+)/([0-9a-f]{64})/")


def chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``size``, without repeats, in the order given."""
    batch: list[int] = []
    for pk in dict.fromkeys(ids):
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def not_blank() -> Q:
    """Messages that still hold a body: the rows retention has left to do (a blanked row holds none of these)."""
    return ~Q(text="") | ~Q(author_name="") | ~Q(subject="") | ~Q(attachments=[])


def blank_message_bodies(message_ids: Iterable[int]) -> int:
    """Blank the body of each message (see :data:`BLANK`); returns how many rows were changed.

    The finished outbound jobs of these messages lose their request too (it is a copy of the text and the
    recipient's handle); a job still pending or being sent keeps it, so nothing half-sent is broken.
    """
    changed = 0
    for batch in chunks(message_ids):
        changed += Message.objects.filter(pk__in=batch).update(**BLANK)
        OutboundJob.objects.filter(message_id__in=batch, status__in=FINISHED_JOBS).exclude(request={}).update(
            request={})
    return changed


def blank_ticket_subjects(ticket_ids: Iterable[int]) -> int:
    """Blank the subjects of tickets (usually the first line of the customer's first message)."""
    return sum(Ticket.objects.filter(pk__in=batch).exclude(subject="").update(subject="")
               for batch in chunks(ticket_ids))


def stored_digests(attachments: Any) -> set[tuple[int, str]]:
    """The (organisation id, SHA-256) of each file webcare stored that an attachment list points to."""
    found: set[tuple[int, str]] = set()
    if not isinstance(attachments, list):
        return found
    for item in attachments:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and (match := STORED_URL.match(url)):
            found.add((int(match[1]), match[2]))
    return found


def referenced_elsewhere(organisation_id: int, digests: set[str], leaving: set[int]) -> set[str]:
    """Which of ``digests`` (one organisation's files) a message not in ``leaving`` still points to.

    Content addressing means two messages can share one file (the same photo mailed twice): a file stays while any
    message that stays points to it. One query for the whole set: a scan of the organisation's messages that have
    attachments, matching the file's path in the metadata.
    """
    if not digests:
        return set()
    prefix = f"/attachments/{int(organisation_id)}/"
    matches = reduce(or_, (Q(attachments_text__contains=prefix + digest) for digest in digests))
    rows = (Message.objects.filter(organisation_id=organisation_id).exclude(attachments=[])
            .annotate(attachments_text=Cast("attachments", TextField())).filter(matches)
            .values_list("pk", "attachments"))
    kept: set[str] = set()
    for pk, attachments in rows:
        if pk not in leaving:
            kept |= {digest for org, digest in stored_digests(attachments) if org == organisation_id}
    return kept & digests


def delete_attachment_files(message_ids: Iterable[int]) -> int:
    """Delete the files webcare stored for these messages' attachments; returns how many files were removed.

    A file another message (not among ``message_ids``) still points to is kept. The files are removed when the
    caller's transaction commits (at once outside one), so a rolled-back erasure or retention batch never leaves a
    message pointing at a deleted file. The attachment metadata is left as it is: blank it next
    (:func:`blank_message_bodies`, or ``attachments=[]``).
    """
    leaving = set(message_ids)
    wanted: dict[int, set[str]] = defaultdict(set)
    for batch in chunks(leaving):
        for organisation_id, attachments in (Message.objects.filter(pk__in=batch).exclude(attachments=[])
                                             .values_list("organisation_id", "attachments")):
            for org, digest in stored_digests(attachments):
                if org == organisation_id:  # a URL naming another organisation's folder is never followed
                    wanted[org].add(digest)
    paths = []
    for org, digests in wanted.items():
        kept = referenced_elsewhere(org, digests, leaving)
        paths += [stored_files.path_for(org, digest) for digest in sorted(digests - kept)]
    return unlink_on_commit(paths)


def unlink_on_commit(paths: Iterable[Path]) -> int:
    """Delete the files that exist among ``paths`` once the current transaction commits (none if it rolls back, so a
    failed erasure or retention run leaves every file in place); returns how many will go."""
    existing = [path for path in paths if path.is_file()]

    def unlink() -> None:
        for path in existing:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return len(existing)
