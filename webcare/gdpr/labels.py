"""What the match reasons and report counts are called, for the privacy pages and the command (translated)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from webcare.gdpr.find import Reason

REASONS: dict[str, Any] = {
    "identity.external_id": _("platform id"),
    "identity.handle": _("handle"),
    "identity.display_name": _("display name"),
    "customer.number": _("customer number"),
    "customer.name": _("customer name"),
    "webchat.email": _("e-mail given in a web chat"),
    "webchat.name": _("name given in a web chat"),
    "message.pii": _("personal data in messages"),
}

COUNTS: dict[str, Any] = {
    "customers": _("customer records (merged ones too)"),
    "identities": _("identities (handles, numbers, addresses)"),
    "customer_edits": _("edits of the customer record"),
    "customer_history": _("merges and splits"),
    "chat_sessions": _("web chat sessions"),
    "conversations": _("conversations anonymised"),
    "messages": _("messages blanked (statistics kept)"),
    "tickets": _("tickets anonymised (statistics kept)"),
    "notes": _("internal notes on their tickets"),
    "inbound_events": _("raw deliveries"),
    "outbound_jobs": _("outbound jobs' payloads"),
    "attachment_files": _("stored files"),
    "notifications": _("notifications"),
    "live_events": _("live inbox events"),
    "saved_searches": _("saved searches naming them"),
    "admin_log_entries": _("admin log entries"),
    "mentions": _("mentions in other people's rows scrubbed"),
    "reveals": _("reasons given for revealing their data, scrubbed"),
    "data_keys": _("encryption keys destroyed"),
    "attachments": _("attachments"),
}


def reason_text(reason: Reason) -> str:
    """"handle (instagram)", "personal data in messages (3 messages)"."""
    text = str(REASONS.get(reason.field, reason.field))
    if reason.platform:
        text = f"{text} ({reason.platform})"
    if reason.field == "message.pii":
        many = ngettext("%(n)d message", "%(n)d messages", reason.count) % {"n": reason.count}
        text = f"{text} ({many})"
    return text


IDENTIFIER_ERRORS: dict[str, Any] = {
    "empty": _("Type an identifier: an e-mail address, a phone number, a handle, a platform id, a customer number "
               "or a name."),
    "too_long": _("That is longer than any identifier (255 characters at most)."),
}


def identifier_error(code: str, fallback: str) -> str:
    return str(IDENTIFIER_ERRORS.get(code, fallback))


def count_label(kind: str) -> str:
    return str(COUNTS.get(kind, kind.replace("_", " ")))
