"""The export of everything about a person (GDPR art. 15, access, and art. 20, portability) as one ZIP file.

Layout (stable names; documented to the person in ``README.txt``):

- ``subject.json`` — the customer rows (merged-away ones too), identities, edits, merge history, web chats;
- ``conversations/<id>.json`` — each conversation with its messages: original text (decrypted), direction, times,
  channel, delivery status, earlier versions, attachments;
- ``tickets.json`` — their tickets: status, priority, times, labels, team, and the internal notes about them;
- ``attachments/<message id>-<n>-<name>`` — the stored files, decrypted;
- ``README.txt`` — what each file is.

Streamed: :func:`iter_export` yields the ZIP in pieces as it is written (a conversation at a time, a file in 1 MiB
chunks), so a customer with years of e-mail never sits in memory whole and the download starts at once. The ZIP is
written without seeking (data descriptors), which every unzip tool reads.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from webcare.audit import actions as audit_actions
from webcare.audit.log import record
from webcare.channels.attachments import AttachmentError, load_attachment, safe_name
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Organisation
from webcare.customers.models import Customer, CustomerEdit, CustomerHistory, Identity
from webcare.gdpr.models import RequestKind, SubjectRequest
from webcare.gdpr.scope import Scope
from webcare.tickets.models import Note, Ticket
from webcare.webchat.models import ChatSession

FORMAT = "webcare.subject-export"
VERSION = 1
CHUNK = 1 << 20

README = """Personal data held by {organisation} about you
{underline}

Exported {exported_at} by webcare, under the EU General Data Protection Regulation: article 15 (right of access)
and article 20 (right to data portability). Every file is UTF-8; the .json files are machine-readable with stable
field names, and times are ISO 8601 in UTC.

subject.json
    Who you are to us: your customer record(s) — "customers" (several when records were merged into one),
    "identities" (your accounts, numbers and addresses per channel), "edits" (changes our staff made to your
    record), "history" (merges and splits of records) and "web_chats" (the name and address you gave in a chat).

conversations/<id>.json
    One file per conversation: the channel, and every message in both directions with its original text, when it
    was sent and received, whether it was public, its delivery status, earlier versions if you edited it, and its
    attachments (the file name in attachments/).

tickets.json
    Our case handling of your conversations: status, priority, team, labels, times (opened, first answered,
    solved, closed) and the internal notes our staff wrote about them.

attachments/
    The files you (or we) sent, as stored: <message id>-<number>-<file name>.

Counts: {counts}
"""


@dataclass
class Export:
    """What one export covers, counted before it is written (the audit entry and the progress bar use it)."""

    organisation: Organisation
    scope: Scope
    attachments: list[tuple[int, int, dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {"customers": len(self.scope.customer_ids), "identities": len(self.scope.identity_ids),
                "conversations": len(self._conversation_ids()), "messages": len(self.scope.message_ids),
                "tickets": len(self.scope.ticket_ids), "attachments": len(self.attachments)}

    def _conversation_ids(self) -> list[int]:
        return sorted(set(Message.objects.filter(pk__in=self.scope.message_ids)
                          .values_list("conversation_id", flat=True)) | set(self.scope.conversation_ids))

    @property
    def steps(self) -> int:
        """Units of progress: subject, each conversation, tickets, each attachment, the README."""
        return 3 + len(self._conversation_ids()) + len(self.attachments)


def prepare(organisation: Organisation, scope: Scope) -> Export:
    attachments: list[tuple[int, int, dict[str, Any]]] = []
    rows = Message.objects.filter(pk__in=scope.message_ids).exclude(attachments=[]).order_by("pk")
    for pk, items in rows.values_list("pk", "attachments"):
        for index, item in enumerate(items or []):
            if isinstance(item, dict) and str(item.get("url", "")).startswith("/attachments/"):
                attachments.append((pk, index, item))
    return Export(organisation=organisation, scope=scope, attachments=attachments)


def record_export(export: Export, *, identifier_hash: str = "", actor: Any = None, actor_label: str = "",
                  request: Any = None) -> SubjectRequest:
    """The audit entry and the request row (counts, the identifier's keyed hash; never the identifier)."""
    from django.db import transaction

    counts = export.counts()
    label = actor_label or (actor.get_username() if actor is not None else "system")
    with transaction.atomic():
        record(audit_actions.EXPORT, organisation=export.organisation, actor=actor, actor_label=label,
               target=f"customer:{export.scope.customer_ids[0]}",
               detail={"counts": counts, "identifier_hash": identifier_hash, "customers": export.scope.customer_ids},
               request=request)
        return SubjectRequest.objects.create(
            organisation=export.organisation, kind=RequestKind.EXPORT, identifier_hash=identifier_hash,
            customer_ids=export.scope.customer_ids, counts=counts,
            actor=actor if getattr(actor, "pk", None) else None, actor_label=label[:150])


class _Sink(io.RawIOBase):
    """A write-only, non-seekable stream that hands out what was written since the last :meth:`take`."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def attachment_name(message_id: int, index: int, item: dict[str, Any]) -> str:
    return f"attachments/{message_id}-{index + 1}-{safe_name(str(item.get('name') or ''))}"


def iter_export(export: Export, step: Callable[[str], None] | None = None) -> Iterator[bytes]:
    """The ZIP, in pieces; ``step(what)`` is called after each unit of :attr:`Export.steps`."""
    advance = step or (lambda what: None)
    sink = _Sink()
    now = timezone.now()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        archive.writestr("subject.json", _json(subject(export, now)))
        advance("subject.json")
        yield sink.take()
        for conversation_id in export._conversation_ids():
            archive.writestr(f"conversations/{conversation_id}.json", _json(conversation(export, conversation_id)))
            advance("conversation")
            yield sink.take()
        archive.writestr("tickets.json", _json(tickets(export)))
        advance("tickets.json")
        yield sink.take()
        for message_id, index, item in export.attachments:
            try:
                data = load_attachment(export.organisation.pk, str(item.get("url", "")))
            except AttachmentError:
                data = None  # gone (retention, or never downloaded): the message's entry says so
            if data is not None:
                with archive.open(attachment_name(message_id, index, item), mode="w") as handle:
                    for start in range(0, len(data), CHUNK):
                        handle.write(data[start : start + CHUNK])
                        yield sink.take()
            advance("attachment")
        archive.writestr("README.txt", readme(export, now))
        advance("README.txt")
    yield sink.take()


def readme(export: Export, now: datetime) -> str:
    title = f"Personal data held by {export.organisation.name} about you"
    counts = ", ".join(f"{kind} {count}" for kind, count in export.counts().items())
    return README.format(organisation=export.organisation.name, underline="=" * len(title),
                         exported_at=_time(now), counts=counts)


def subject(export: Export, now: datetime) -> dict[str, Any]:
    ids = export.scope.customer_ids
    customers = [{
        "id": c.pk, "name": c.name, "customer_number": c.customer_number, "notes": str(c.notes or ""),
        "merged_into": c.merged_into_id, "created_at": _time(c.created_at), "updated_at": _time(c.updated_at),
    } for c in Customer.objects.filter(pk__in=ids).order_by("pk")]
    identities = [{
        "id": i.pk, "customer_id": i.customer_id, "platform": i.platform, "external_id": i.external_id,
        "handle": i.handle, "display_name": i.display_name, "created_at": _time(i.created_at),
    } for i in Identity.objects.filter(pk__in=export.scope.identity_ids).order_by("pk")]
    edits = [{"customer_id": e.customer_id, "field": e.field, "old": str(e.old or ""), "new": str(e.new or ""),
              "at": _time(e.at)} for e in CustomerEdit.objects.filter(customer_id__in=ids).order_by("at", "pk")]
    history = [{"kind": h.kind, "into_customer_id": h.customer_id, "from_customer_id": h.other_id,
                "identity_ids": h.identity_ids, "conversation_ids": h.conversation_ids, "at": _time(h.at)}
               for h in CustomerHistory.objects.filter(customer_id__in=ids).order_by("at", "pk")]
    chats = [{"id": s.pk, "channel": s.channel.name, "name": s.name, "email": s.email, "language": s.language,
              "site": s.origin, "started_at": _time(s.created_at), "last_seen_at": _time(s.last_seen_at)}
             for s in ChatSession.objects.filter(pk__in=export.scope.chat_session_ids).select_related("channel")]
    return {"format": FORMAT, "version": VERSION, "exported_at": _time(now),
            "organisation": {"slug": export.organisation.slug, "name": export.organisation.name},
            "customers": customers, "identities": identities, "edits": edits, "history": history,
            "web_chats": chats, "counts": export.counts()}


def conversation(export: Export, conversation_id: int) -> dict[str, Any]:
    thread = Conversation.objects.select_related("channel").get(pk=conversation_id)
    messages = (Message.objects.filter(pk__in=export.scope.message_ids, conversation_id=conversation_id)
                .select_related("author_identity").order_by("sent_at", "pk"))
    return {
        "id": thread.pk, "channel": {"kind": thread.channel.kind, "name": thread.channel.name},
        "kind": thread.kind, "subject": thread.subject, "started_at": _time(thread.created_at),
        "last_message_at": _time(thread.last_message_at),
        "messages": [_message(export, m) for m in messages],
    }


def _message(export: Export, m: Message) -> dict[str, Any]:
    identity = m.author_identity
    author: dict[str, Any] = (
        {"by": "you", "name": m.author_name, "platform": identity.platform if identity else "",
         "handle": identity.handle if identity else ""}
        if m.direction == "inbound" else {"by": "us", "name": export.organisation.name})
    attachments = []
    for index, item in enumerate(m.attachments or []):
        if not isinstance(item, dict):
            continue
        stored = str(item.get("url", "")).startswith("/attachments/")
        attachments.append({"name": item.get("name", ""), "content_type": item.get("content_type", ""),
                            "size": item.get("size"),
                            "file": attachment_name(m.pk, index, item) if stored else None,
                            "link": None if stored else item.get("url", "")})
    return {
        "id": m.pk, "direction": m.direction, "public": m.is_public, "author": author, "text": str(m.text or ""),
        "subject": m.subject, "sent_at": _time(m.sent_at), "received_at": _time(m.received_at),
        "delivery_status": m.delivery_status, "edited_at": _time(m.edited_at),
        "earlier_versions": [{"at": e.get("at"), "text": e.get("text", "")} for e in (m.edits or [])
                             if isinstance(e, dict)],
        "deleted_on_platform_at": _time(m.deleted_at), "hidden": m.hidden, "language": m.language,
        "ticket_id": m.ticket_id, "attachments": attachments,
    }


def tickets(export: Export) -> list[dict[str, Any]]:
    rows = (Ticket.objects.filter(pk__in=export.scope.ticket_ids).select_related("team")
            .prefetch_related("labels").order_by("pk"))
    notes: dict[int, list[dict[str, Any]]] = {}
    for note in Note.objects.filter(ticket_id__in=export.scope.ticket_ids).order_by("created_at", "pk"):
        notes.setdefault(note.ticket_id, []).append({"text": str(note.text), "created_at": _time(note.created_at)})
    return [{
        "id": t.pk, "conversation_id": t.conversation_id, "subject": t.subject, "status": t.status,
        "priority": t.get_priority_display(), "team": t.team.name if t.team else None,
        "labels": [label.name for label in t.labels.all()], "created_at": _time(t.created_at),
        "first_response_at": _time(t.first_response_at), "solved_at": _time(t.solved_at),
        "closed_at": _time(t.closed_at), "notes": notes.get(t.pk, []),
    } for t in rows]


def write_export(export: Export, path: Any, step: Callable[[str], None] | None = None) -> int:
    """Write the ZIP to ``path`` (a new file next to it, renamed into place when complete); returns its size."""
    from pathlib import Path

    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    size = 0
    try:
        with partial.open("wb") as handle:
            for chunk in iter_export(export, step):
                handle.write(chunk)
                size += len(chunk)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return size
