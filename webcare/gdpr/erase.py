"""Erasure under GDPR art. 17: a person removed from everywhere webcare keeps them, with a report of what went.

What stays: the statistics. Tickets remain as anonymous shells (status, times, channel, team, priority, SLA figures,
labels, timeline) and messages keep their non-personal metadata (direction, times, language, sentiment, intents,
delivery status) with every text blanked, so dashboards and service-level figures do not change after an erasure.

What goes, in one transaction on the main database (:func:`apply`):

- the customer rows (merged-away ones too) with their identities, edits and merge history;
- every text of their messages (body, redacted body, earlier versions, subject, author name, attachment list, error);
- the stored attachment files no other message refers to (after the commit: files are not transactional);
- their inbound events (the raw deliveries) and the payloads of their outbound jobs (pending ones are cancelled);
- internal notes on their tickets, notifications about those tickets, the live events naming them, their web chat
  sessions, saved searches and admin-log entries that hold their identifiers; the free-text reasons staff gave
  when revealing their data (the reveal records themselves stay: who looked, when, why);
- mentions in other people's rows — their address or number in someone else's message, their handle or full name
  in a reply, a note or a subject — are replaced by "[…]" as whole words (the rest of those rows stays);
- the search index and anything else registered in ``settings.WEBCARE_ERASURE_HOOKS``.

The rows to erase are worked out twice: once for the preview (:func:`prepare`, the counts an admin confirms) and
again inside the transaction with the customer rows locked, so a message that arrived in between goes too.

Crypto-shredding comes last in the transaction, while the customer rows still name their keys: their data keys are
destroyed in the keyring (:func:`webcare.keys.shred.destroy_customer_keys`), so every copy of their encrypted
messages and files — in a replica or a backup — can no longer be read. The keyring is another database, so that
delete commits on its own: a failure after it leaves their data unreadable, never readable again.

An :class:`~webcare.keys.models.ErasedSubject` row (customer ids, keyed hashes of identifiers, key ids) lets
``webcare gdpr reapply`` erase them again from a restored backup. It is written *before* the main transaction and
removed again only if the transaction fails before any key was destroyed: a crash leaves a person to erase again,
never an erasure a restore would forget.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from webcare.access.models import Reveal
from webcare.audit import actions as audit_actions
from webcare.audit.log import record
from webcare.channels.attachments import DIGEST, path_for
from webcare.channels.models import JobStatus, OutboundJob
from webcare.conversations.models import Conversation, Message
from webcare.customers.models import Customer, CustomerEdit, CustomerHistory, Identity
from webcare.gdpr.find import PLACEHOLDERS, groups, messages_holding, organisation_region
from webcare.gdpr.identifiers import EMAIL, PHONE, Identifier
from webcare.gdpr.models import RequestKind, SubjectRequest
from webcare.gdpr.scope import Scope, collect
from webcare.inbox.models import SavedSearch
from webcare.ingest.models import EventFormat, EventStatus, InboundEvent
from webcare.keys.fields import key_of, seal_json
from webcare.keys.models import ErasedSubject
from webcare.keys.shred import destroy_customer_keys
from webcare.live.models import LiveEvent
from webcare.live.publish import tickets_changed
from webcare.notify.models import Notification
from webcare.retention.redact import (
    blank_message_bodies,
    delete_attachment_files,
    referenced_elsewhere,
    stored_digests,
    unlink_on_commit,
)
from webcare.tickets.models import Note, Ticket
from webcare.triage.pii import find_pii, redact
from webcare.webchat.models import ChatSession

logger = logging.getLogger("webcare.gdpr")

#: What replaces a mention of an erased person in someone else's text.
ERASED = "[…]"
_ATTACHMENT = re.compile(r"/attachments/(\d+)/([0-9a-f]{64})(?:/|\b)")
#: The order the report lists its counts in (hooks add their own keys after these).
REPORT_KINDS = (
    "customers", "identities", "customer_edits", "customer_history", "chat_sessions", "conversations",
    "messages", "tickets", "notes", "inbound_events", "outbound_jobs", "attachment_files", "notifications",
    "live_events", "saved_searches", "admin_log_entries", "mentions", "reveals", "data_keys",
)


class NothingToErase(LookupError):
    """No customer of the organisation matches: nothing was, or is left to be, erased."""


@dataclass
class Plan:
    """Ids of every row an erasure touches, worked out before anything changes (the preview shows its counts)."""

    scope: Scope
    #: Keyed hashes of identifiers to recognise in other people's messages too (the ledger's, on reapply).
    hashes: frozenset[str] = frozenset()
    event_ids: list[int] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)
    note_ids: list[int] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)
    live_event_ids: list[int] = field(default_factory=list)
    saved_search_ids: list[int] = field(default_factory=list)
    log_entry_ids: list[int] = field(default_factory=list)
    #: Other people's messages holding their address or number in a personal-data span: {id: [span indexes]}.
    mention_spans: dict[int, list[int]] = field(default_factory=dict)
    #: Other people's rows whose plain text names them.
    mention_message_ids: list[int] = field(default_factory=list)
    mention_note_ids: list[int] = field(default_factory=list)
    mention_ticket_ids: list[int] = field(default_factory=list)
    mention_conversation_ids: list[int] = field(default_factory=list)
    mention_event_ids: list[int] = field(default_factory=list)
    #: Records of who revealed their personal data (kept: accountability), whose free-text reason may name them.
    reveal_ids: list[int] = field(default_factory=list)
    #: Stored files (digests) only the deliveries erased or scrubbed refer to: an e-mail's ``.eml`` source.
    event_digests: set[str] = field(default_factory=set)
    #: Messages decrypted to look for their address or number in other people's messages.
    messages_scanned: int = 0

    def counts(self) -> dict[str, int]:
        """How many rows of each kind the erasure removes or blanks (the preview; the report counts again)."""
        s = self.scope
        return {
            "customers": len(s.customer_ids),
            "identities": len(s.identity_ids),
            "customer_edits": CustomerEdit.objects.filter(customer_id__in=s.customer_ids).count(),
            "customer_history": CustomerHistory.objects.filter(
                Q(customer_id__in=s.customer_ids) | Q(other_id__in=s.customer_ids)).count(),
            "chat_sessions": len(s.chat_session_ids),
            "conversations": len(s.conversation_ids),
            "messages": len(s.message_ids),
            "tickets": len(s.ticket_ids),
            "notes": len(self.note_ids),
            "inbound_events": len(self.event_ids),
            "outbound_jobs": len(self.job_ids),
            "attachment_files": len(self.attachment_digests()) + len(self.event_digests),
            "notifications": len(self.notification_ids),
            "live_events": len(self.live_event_ids),
            "saved_searches": len(self.saved_search_ids),
            "admin_log_entries": len(self.log_entry_ids),
            "mentions": len(self.mention_rows()),
            "reveals": len(self.reveal_ids),
        }

    def mention_rows(self) -> set[tuple[str, int]]:
        return ({("message", pk) for pk in [*self.mention_spans, *self.mention_message_ids]}
                | {("note", pk) for pk in self.mention_note_ids} | {("ticket", pk) for pk in self.mention_ticket_ids}
                | {("conversation", pk) for pk in self.mention_conversation_ids}
                | {("event", pk) for pk in self.mention_event_ids})

    def attachment_digests(self) -> set[str]:
        """Files their messages' attachments point to that no other message does (the preview's count)."""
        org = self.scope.organisation_id
        digests: set[str] = set()
        for attachments in Message.objects.filter(pk__in=self.scope.message_ids).exclude(attachments=[]) \
                .values_list("attachments", flat=True):
            digests |= {digest for owner, digest in stored_digests(attachments) if owner == org}
        digests -= referenced_elsewhere(org, digests, set(self.scope.message_ids))
        return {digest for digest in digests if path_for(org, digest).is_file()}


def digests_in(value: Any, organisation_id: int) -> set[str]:
    """Digests of the organisation's stored attachments a JSON value refers to (a message's attachment list, a raw
    delivery's stored ``.eml``)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return {m.group(2) for m in _ATTACHMENT.finditer(text)
            if int(m.group(1)) == organisation_id and DIGEST.match(m.group(2))}


def _any_icontains(fields: Iterable[str], needles: list[str]) -> Q:
    condition = Q(pk__in=[])
    for name in fields:
        for needle in needles:
            condition |= Q(**{f"{name}__icontains": needle})
    return condition


def plan(scope: Scope, region: str | None, hashes: Iterable[str] = ()) -> Plan:
    """Work out what erasing ``scope`` touches, without changing anything. ``hashes``: keyed hashes of identifiers
    to recognise in other people's messages as well (the ledger's, on reapply)."""
    org = scope.organisation_id
    result = Plan(scope=scope, hashes=frozenset(hashes))
    messages = Message.objects.filter(pk__in=scope.message_ids)
    own_event_ids = set(messages.exclude(event_id=None).values_list("event_id", flat=True))
    external_ids = [x for x in messages.exclude(external_id=None).values_list("external_id", flat=True)]
    author_ids = list(Identity.objects.filter(pk__in=scope.identity_ids).values_list("external_id", flat=True))
    events = InboundEvent.objects.filter(organisation_id=org)
    if author_ids:
        own_event_ids |= set(events.filter(payload__author__id__in=author_ids).values_list("pk", flat=True))
    if external_ids:
        own_event_ids |= set(events.filter(format=EventFormat.UPDATE, payload__message_id__in=external_ids)
                             .values_list("pk", flat=True))
    result.event_ids = sorted(own_event_ids)
    result.job_ids = sorted(OutboundJob.objects.filter(message_id__in=scope.message_ids).values_list("pk", flat=True))
    result.note_ids = sorted(Note.objects.filter(ticket_id__in=scope.ticket_ids).values_list("pk", flat=True))

    # Their addresses and numbers in other people's messages (found in the personal-data spans: decrypted). A value
    # recognised only by its hash (reapply) is learnt here, so the plain-text searches below look for it too.
    own = set(scope.message_ids)
    for kind, values in ((EMAIL, scope.values.emails), (PHONE, scope.values.phones)):
        scanned, found, matched = messages_holding(org, kind, set(values), region, result.hashes)
        result.messages_scanned += scanned
        values |= matched
        for pk, indexes in found.items():
            if pk not in own:
                result.mention_spans.setdefault(pk, []).extend(indexes)
    needles = scope.values.needles()
    patterns = scope.values.patterns()

    def naming(rows: Any, *fields: str) -> set[int]:
        """Rows whose ``fields`` name them: found in SQL by substring, confirmed here as whole words."""
        if not needles:
            return set()
        candidates = rows.filter(_any_icontains(fields, needles)).values_list("pk", *fields)
        return {pk for pk, *texts in candidates if any(_names(text, patterns) for text in texts)}

    result.notification_ids = sorted(
        set(Notification.objects.filter(organisation_id=org, ticket_id__in=scope.ticket_ids)
            .values_list("pk", flat=True))
        | naming(Notification.objects.filter(organisation_id=org), "title", "body", "url"))
    wanted_tickets = set(scope.ticket_ids)
    result.live_event_ids = sorted(
        pk for pk, data in LiveEvent.objects.filter(organisation_id=org).values_list("pk", "data")
        if _live_mentions(data, wanted_tickets, patterns))
    result.saved_search_ids = sorted(naming(SavedSearch.objects.filter(organisation_id=org), "query", "name"))
    result.log_entry_ids = _log_entries(scope, naming)
    reveals = Reveal.objects.filter(organisation_id=org).exclude(reason="")
    result.reveal_ids = sorted(
        set(reveals.filter(Q(customer_id__in=scope.customer_ids) | Q(message_id__in=scope.message_ids)
                           | Q(ticket_id__in=scope.ticket_ids)).values_list("pk", flat=True))
        | naming(reveals, "reason"))

    others = Message.objects.filter(organisation_id=org).exclude(pk__in=scope.message_ids)
    result.mention_message_ids = sorted(naming(others, "redacted_text", "author_name", "subject")
                                        - set(result.mention_spans))
    result.mention_note_ids = sorted(naming(Note.objects.filter(ticket__organisation_id=org)
                                            .exclude(pk__in=result.note_ids), "text"))
    result.mention_ticket_ids = sorted(naming(Ticket.objects.filter(organisation_id=org)
                                              .exclude(pk__in=scope.ticket_ids), "subject"))
    result.mention_conversation_ids = sorted(naming(Conversation.objects.filter(organisation_id=org)
                                                    .exclude(pk__in=scope.conversation_ids), "subject"))
    mention_messages = [*result.mention_spans, *result.mention_message_ids]
    mention_events = set(Message.objects.filter(pk__in=mention_messages).exclude(event_id=None)
                         .values_list("event_id", flat=True))
    mention_events |= naming(events.exclude(pk__in=result.event_ids), "payload", "raw")
    result.mention_event_ids = sorted(mention_events - set(result.event_ids))

    # Stored files of the deliveries: an e-mail's source (``raw.eml``) holds the address and cannot be scrubbed, so
    # it goes — for their deliveries and for deliveries that mention them — unless a message that stays has it too.
    leaving = [*result.event_ids, *result.mention_event_ids]
    for raw in InboundEvent.objects.filter(pk__in=leaving).values_list("raw", flat=True):
        result.event_digests |= digests_in(raw, org)
    for payload in InboundEvent.objects.filter(pk__in=result.event_ids).values_list("payload", flat=True):
        result.event_digests |= digests_in(payload, org)
    for attachments in messages.exclude(attachments=[]).values_list("attachments", flat=True):
        result.event_digests -= digests_in(attachments, org)  # their messages' files: delete_attachment_files' job
    result.event_digests = {
        digest for digest in result.event_digests
        if not Message.objects.filter(organisation_id=org, attachments__icontains=digest)
        .exclude(pk__in=scope.message_ids).exists()
        and path_for(org, digest).is_file()}
    return result


def _names(value: Any, patterns: list[re.Pattern[str]]) -> bool:
    """Whether ``value`` (text, or JSON of any shape) holds one of their values as a whole word."""
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return any(pattern.search(text) for pattern in patterns)


def _live_mentions(data: Any, tickets: set[int], patterns: list[re.Pattern[str]]) -> bool:
    if not isinstance(data, dict):
        return False
    named = {data.get("ticket")} | set(data.get("tickets") or [])
    return bool(named & tickets) or _names(data, patterns)


def _log_entries(scope: Scope, naming: Callable[..., set[int]]) -> list[int]:
    """Django admin log entries about their rows (``object_repr`` is the customer's name) or naming them."""
    objects = Q(pk__in=[])
    for model, ids in ((Customer, scope.customer_ids), (Identity, scope.identity_ids),
                       (Conversation, scope.conversation_ids), (Message, scope.message_ids),
                       (Ticket, scope.ticket_ids), (ChatSession, scope.chat_session_ids)):
        if ids:
            objects |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids])
    return sorted(set(LogEntry.objects.filter(objects).values_list("pk", flat=True))
                  | naming(LogEntry.objects.all(), "object_repr", "change_message"))


# --- applying --------------------------------------------------------------------------------------------------


def scrub(text: str, patterns: list[re.Pattern[str]]) -> str:
    """``text`` with everything ``patterns`` match (:meth:`Values.patterns`) replaced by ``[…]``."""
    for pattern in patterns:
        text = pattern.sub(ERASED, text)
    return text


def _scrub_json(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if isinstance(value, str):
        return scrub(value, patterns)
    if isinstance(value, list):
        return [_scrub_json(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, patterns) for key, item in value.items()}
    return value


def _scrub_message(message: Message, span_indexes: list[int], patterns: list[re.Pattern[str]]) -> None:
    """Someone else's message that mentions them: their spans replaced by placeholders, names by ``[…]``; personal
    data found again in what is left, so the message's masking stays right."""
    text = message.text or ""
    spans = [message.pii[i] for i in sorted(set(span_indexes)) if i < len(message.pii or [])]
    for span in sorted(spans, key=lambda s: -int(s["start"])):
        text = text[: int(span["start"])] + PLACEHOLDERS.get(
            "email" if span.get("type") == "EMAIL" else "phone", ERASED) + text[int(span["end"]):]
    text = scrub(text, patterns)
    found = find_pii(text, message.language)
    message.text = text
    message.pii = [{"type": s.type, "start": s.start, "end": s.end, "kind": s.kind} for s in found]
    message.redacted_text = redact(text, found) if found else text
    message.edits = _scrub_json(list(message.edits or []), patterns)
    message.author_name = scrub(message.author_name, patterns)
    message.subject = scrub(message.subject, patterns)
    message.save(update_fields=["text", "pii", "redacted_text", "edits", "author_name", "subject"])


@dataclass
class Report:
    counts: dict[str, int]
    customer_ids: list[int]
    identifier_hashes: list[str]
    key_ids: list[str]
    request: SubjectRequest


def apply(erasure: Plan, *, identifier_hash: str = "", actor: Any = None, actor_label: str = "",
          kind: str = RequestKind.ERASE, request: Any = None, ledger: ErasedSubject | None = None) -> Report:
    """Erase everything ``erasure`` names (see the module docstring for the order and the transactions).

    ``ledger``: the erasure ledger row to extend (``webcare gdpr reapply``); a new one is written otherwise.
    """
    scope = erasure.scope
    if scope.empty:
        raise NothingToErase("nothing to erase")
    org = scope.organisation_id
    hashes = sorted(set(scope.values.hashes()) | ({identifier_hash} if identifier_hash else set()))
    label = actor_label or (actor.get_username() if actor is not None else "system")
    created = ledger is None
    if ledger is None:
        ledger = ErasedSubject.objects.create(organisation_id=org, customer_ids=scope.customer_ids,
                                              identifier_hashes=hashes, key_ids=[])
    key_ids: list[str] | None = None
    try:
        with transaction.atomic():
            erasure = _again(erasure)
            scope = erasure.scope
            if scope.empty:  # erased by someone else meanwhile
                raise NothingToErase("nothing to erase")
            hashes = sorted(set(hashes) | set(scope.values.hashes()))
            counts = _apply_rows(erasure)
            counts |= _run_hooks(org, scope.customer_ids, scope.message_ids)
            # Crypto-shredding while the customer rows still say which keys are theirs. It commits on its own (the
            # keyring is another database): if anything after it fails, their data stays unreadable and the ledger
            # row stays too, so running the erasure (or reapply) again finishes it.
            key_ids = destroy_keys(org, scope.customer_ids)
            counts["customers"] = _delete_customers(scope)
            counts["data_keys"] = len(key_ids)
            detail = {"counts": counts, "identifier_hashes": hashes, "customers": scope.customer_ids,
                      "reapply": kind == RequestKind.REAPPLY}
            record(audit_actions.ERASE, organisation=org, actor=actor, actor_label=label,
                   target=f"customer:{scope.customer_ids[0]}", detail=detail, request=request)
            subject_request = SubjectRequest.objects.create(
                organisation_id=org, kind=kind, identifier_hash=identifier_hash, customer_ids=scope.customer_ids,
                counts=counts, actor=actor if getattr(actor, "pk", None) else None, actor_label=label[:150])
    except BaseException:
        if created and key_ids is None:
            ErasedSubject.objects.filter(pk=ledger.pk).delete()
        raise
    ledger.customer_ids = sorted(set(ledger.customer_ids) | set(scope.customer_ids))
    ledger.identifier_hashes = sorted(set(ledger.identifier_hashes) | set(hashes))
    ledger.key_ids = sorted(set(ledger.key_ids) | set(key_ids))
    ledger.save(update_fields=["customer_ids", "identifier_hashes", "key_ids"])
    logger.info("erased %s customer rows of organisation %s", len(scope.customer_ids), org)
    return Report(counts=counts, customer_ids=scope.customer_ids, identifier_hashes=hashes, key_ids=key_ids,
                  request=subject_request)


def _again(erasure: Plan) -> Plan:
    """The plan worked out again inside the erasure's transaction, with the customer rows locked: what arrived since
    the preview (a message a minute ago, while the admin read the counts) is erased too. The values the first plan
    knew (the identifier typed, values learnt from hashes) are kept."""
    first = erasure.scope
    list(Customer.objects.select_for_update().filter(pk__in=first.customer_ids).values_list("pk", flat=True))
    scope = collect(first.organisation_id, first.customer_ids, first.region)
    for name in ("emails", "phones", "handles", "names", "numbers", "external_ids"):
        getattr(scope.values, name).update(getattr(first.values, name))
    return plan(scope, first.region, erasure.hashes)


def destroy_keys(organisation_id: int, customer_ids: list[int]) -> list[str]:
    """Crypto-shredding, by the keyring's own function (webcare/keys): the ids of the keys destroyed."""
    return destroy_customer_keys(organisation_id, customer_ids)


def _delete_files_on_commit(organisation_id: int, digests: set[str]) -> int:
    """The raw deliveries' stored files (an e-mail's ``.eml``) that nothing staying refers to; deleted when the
    transaction commits, like :func:`delete_attachment_files` does for message attachments."""
    return unlink_on_commit(path_for(organisation_id, digest) for digest in sorted(digests))


def _seal_like(event: InboundEvent, message: Message | None) -> None:
    """A processed delivery's payload is sealed with its customer's key (webcare/keys): seal the scrubbed one again
    with the key of the message it became, so scrubbing never leaves it in plain text."""
    if event.status != EventStatus.DONE or message is None:
        return
    key = key_of(message)
    for name in ("payload", "raw"):
        value = getattr(event, name)
        if value is not None and not isinstance(value, str):
            setattr(event, name, seal_json(key, value, InboundEvent._meta.get_field(name).label))  # type: ignore[union-attr]


def _apply_rows(erasure: Plan) -> dict[str, int]:
    scope = erasure.scope
    org = scope.organisation_id
    patterns = scope.values.patterns()
    counts: dict[str, int] = {}

    # Other people's rows that mention them first (their own rows are blanked below in any case).
    spans = erasure.mention_spans
    scrubbed: dict[int, Message] = {}
    for message in Message.objects.filter(pk__in=[*spans, *erasure.mention_message_ids]):
        _scrub_message(message, spans.get(message.pk, []), patterns)
        if message.event_id is not None:
            scrubbed[message.event_id] = message
    for note in Note.objects.filter(pk__in=erasure.mention_note_ids):
        note.text = scrub(note.text, patterns)
        note.save(update_fields=["text"])
    for ticket in Ticket.objects.filter(pk__in=erasure.mention_ticket_ids):
        ticket.subject = scrub(ticket.subject, patterns)
        ticket.save(update_fields=["subject"])
    for conversation in Conversation.objects.filter(pk__in=erasure.mention_conversation_ids):
        conversation.subject = scrub(conversation.subject, patterns)
        conversation.save(update_fields=["subject"])
    for event in InboundEvent.objects.filter(pk__in=erasure.mention_event_ids):
        became = scrubbed.get(event.pk)
        payload = _scrub_json(event.payload, patterns)
        if became is not None and isinstance(payload, dict) and "text" in payload:
            payload["text"] = became.text  # the spans triage found, however they were written
        event.payload = payload
        event.raw = None  # a platform's own item (an e-mail's source) cannot be scrubbed reliably: it goes
        event.last_error = scrub(event.last_error, patterns)
        _seal_like(event, became)
        event.save(update_fields=["payload", "raw", "last_error"])
    counts["mentions"] = len(erasure.mention_rows())
    # Who saw their data stays on record (the purpose, when, by whom); the reason typed then loses what names them.
    for reveal in Reveal.objects.filter(pk__in=erasure.reveal_ids):
        reveal.reason = scrub(reveal.reason, patterns)
        reveal.save(update_fields=["reason"])
    counts["reveals"] = len(erasure.reveal_ids)

    # Their own rows: files first (they are found through the attachment lists that blanking removes).
    counts["attachment_files"] = delete_attachment_files(scope.message_ids) + _delete_files_on_commit(
        org, erasure.event_digests)
    jobs = OutboundJob.objects.filter(pk__in=erasure.job_ids)
    jobs.filter(status__in=[JobStatus.PENDING, JobStatus.SENDING]).update(
        status=JobStatus.FAILED, lease_until=None, last_error="cancelled: the customer was erased")
    counts["messages"] = blank_message_bodies(scope.message_ids)
    Message.objects.filter(pk__in=scope.message_ids).update(delivery_error="", in_reply_to="", author_identity=None)
    counts["outbound_jobs"] = jobs.update(request={}, external_id="")
    jobs.exclude(last_error__startswith="cancelled").update(last_error="")
    counts["inbound_events"] = InboundEvent.objects.filter(pk__in=erasure.event_ids).delete()[0]
    counts["notes"] = Note.objects.filter(pk__in=erasure.note_ids).delete()[0]
    counts["notifications"] = Notification.objects.filter(pk__in=erasure.notification_ids).delete()[0]
    counts["live_events"] = LiveEvent.objects.filter(pk__in=erasure.live_event_ids).delete()[0]
    counts["saved_searches"] = SavedSearch.objects.filter(pk__in=erasure.saved_search_ids).delete()[0]
    counts["admin_log_entries"] = LogEntry.objects.filter(pk__in=erasure.log_entry_ids).delete()[0]
    counts["chat_sessions"] = ChatSession.objects.filter(pk__in=scope.chat_session_ids).delete()[0]
    counts["tickets"] = Ticket.objects.filter(pk__in=scope.ticket_ids).update(subject="", customer=None)
    for pk in scope.conversation_ids:
        # The platform's thread id can be the person's number (WhatsApp) or address (e-mail threads).
        Conversation.objects.filter(pk=pk).update(external_id=f"erased-{pk}", subject="", customer=None)
    counts["conversations"] = len(scope.conversation_ids)
    counts["customer_edits"] = CustomerEdit.objects.filter(customer_id__in=scope.customer_ids).delete()[0]
    counts["customer_history"] = CustomerHistory.objects.filter(
        Q(customer_id__in=scope.customer_ids) | Q(other_id__in=scope.customer_ids)).delete()[0]
    counts["identities"] = Identity.objects.filter(pk__in=scope.identity_ids).delete()[0]
    # Tickets whose other messages named the person change too: the search index re-reads them from the change log.
    mentioned = Message.objects.filter(pk__in=[*erasure.mention_spans, *erasure.mention_message_ids]).exclude(
        ticket=None).values_list("ticket_id", flat=True)
    tickets_changed(org, {*scope.ticket_ids, *erasure.mention_ticket_ids, *mentioned})
    return {kind: counts.get(kind, 0) for kind in REPORT_KINDS if kind not in ("customers", "data_keys")}


def _delete_customers(scope: Scope) -> int:
    """The customer rows go last: crypto-shredding reads which keys are theirs from them."""
    Customer.objects.filter(pk__in=scope.customer_ids).update(merged_into=None)
    Customer.objects.filter(pk__in=scope.customer_ids).delete()
    return len(scope.customer_ids)


def _run_hooks(organisation_id: int, customer_ids: list[int], message_ids: list[int]) -> dict[str, int]:
    """``settings.WEBCARE_ERASURE_HOOKS``: each ``hook(organisation_id, customer_ids, message_ids)`` returns counts
    (e.g. {"search_index_documents": 12}); a failing hook rolls the erasure back, so it can be run again."""
    counts: dict[str, int] = {}
    for dotted in getattr(settings, "WEBCARE_ERASURE_HOOKS", []):
        hook: Callable[[int, list[int], list[int]], dict[str, int]] = import_string(dotted)
        for key, value in (hook(organisation_id, list(customer_ids), list(message_ids)) or {}).items():
            counts[str(key)] = counts.get(str(key), 0) + int(value)
    return counts


def prepare(organisation: Any, customer_ids: Iterable[int], identifier: Identifier | None = None,
            hashes: Iterable[str] = ()) -> Plan:
    """The plan for erasing the people behind ``customer_ids`` (merges followed, both ways)."""
    region = organisation_region(organisation)
    ids = [pk for group in groups(organisation.pk, customer_ids) for pk in group.customer_ids]
    return plan(collect(organisation.pk, ids, region, identifier), region, hashes)


def erase(organisation: Any, customer_ids: Iterable[int], *, identifier: Identifier | None = None, actor: Any = None,
          actor_label: str = "", request: Any = None) -> Report:
    """Erase the people behind ``customer_ids``; :class:`NothingToErase` when none of them exists (any more)."""
    erasure = prepare(organisation, customer_ids, identifier)
    return apply(erasure, identifier_hash=identifier.hash if identifier else "", actor=actor,
                 actor_label=actor_label, request=request)
