"""webcare's own SMTP receiver (aiosmtpd): mail for a support address is stored before the sending server is told 250.

For brands whose mail provider can forward or route a copy (an MX record, a transport rule, a Postfix relay) instead
of webcare reading a mailbox by IMAP. The SMTP conversation carries the same guarantees as a webhook:

- ``RCPT TO`` must be the address of an active e-mail channel (or that address with a ``+tag``): anything else gets
  **550**, so webcare is never an open relay and a typo bounces at once;
- ``DATA`` is read (``email_parse.py``), stored as raw inbound events in one transaction for every channel addressed,
  and only then answered **250**; a store failure (database down, disk full) answers **451**, so the sending server
  keeps the mail and tries again later — its Message-ID makes the retry a duplicate if the first attempt did commit;
- mail the message format cannot take (validation) is refused with **550** naming the field; automatic mail is
  accepted and dropped (logged), as in ``email_parse.py``.

The receiver does no authentication and no TLS: put it on 127.0.0.1 behind the MTA that receives the brand's mail
(the default), or on a private network, never straight on the internet.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from webcare.channels.base import Malformed
from webcare.channels.email_parse import parse_email, stored_thread_lookup
from webcare.channels.inbound import store_items
from webcare.core.models import Channel
from webcare.ingest.models import EventSource

logger = logging.getLogger("webcare.channels")

#: The largest mail taken (bytes); bigger mail is refused with 552 by aiosmtpd, before it is read.
DATA_SIZE_LIMIT = 32 * 1024 * 1024


def _canonical(address: str) -> tuple[str, str]:
    """(address, address without +tag), lower-cased: ``Kundeservice+faktura@X.no`` → both forms."""
    address = address.strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    base = f"{local.split('+', 1)[0]}@{domain}" if at and "+" in local else address
    return address, base


def channels_for(address: str) -> list[Channel]:
    """The active e-mail channels that receive mail for ``address`` (normally one)."""
    exact, base = _canonical(address)
    found = []
    for channel in Channel.objects.filter(kind="email", is_active=True).select_related("organisation"):
        own = str(channel.settings.get("address") or "").strip().lower()
        if own and own in (exact, base):
            found.append(channel)
    return found


def deliver(raw: bytes, recipients: list[str], mail_from: str, peer: str = "") -> int:
    """Store one mail for every channel it is addressed to, all in one transaction; returns the items stored.
    :class:`Malformed` when a channel's item is refused by validation."""
    try:
        channels: dict[int, Channel] = {}
        for address in recipients:
            for channel in channels_for(address):
                channels.setdefault(channel.pk, channel)
        created = 0
        with transaction.atomic():
            for channel in channels.values():
                items = parse_email(raw, channel, lookup=stored_thread_lookup(channel), envelope_from=mail_from,
                                    context={"smtp": {"mail_from": mail_from, "rcpt_to": recipients, "peer": peer}})
                created += store_items(channel, items, source=EventSource.EMAIL).created
        return created
    finally:
        # The receiver's worker thread must not keep a connection open between mails (mail is not frequent enough
        # to be worth it, and a held connection outlives a database restart or blocks dropping a test database).
        connection.close()


def _has_channel(address: str) -> bool:
    try:
        return bool(channels_for(address))
    finally:
        connection.close()


class ReceiverHandler:
    """aiosmtpd handler. The database work runs in a worker thread (Django's ORM is synchronous)."""

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if not await sync_to_async(_has_channel)(address):
            logger.info("SMTP receiver refused RCPT TO %s from %s: no active e-mail channel has that address",
                        address, session.peer)
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or (envelope.content if isinstance(envelope.content, bytes) else b"")
        peer = f"{session.peer[0]}:{session.peer[1]}" if isinstance(session.peer, tuple) else str(session.peer)
        try:
            created = await sync_to_async(deliver)(raw, list(envelope.rcpt_tos), envelope.mail_from or "", peer)
        except Malformed as exc:
            # The sender's address is a customer's: the log names the sending server instead.
            logger.warning("SMTP receiver refused mail from server %s: %s (not stored)", peer, exc)
            return f"550 5.6.0 message refused: {str(exc)[:200]}"
        except Exception:
            logger.exception("SMTP receiver could not store mail from server %s; the sender will retry", peer)
            return "451 4.3.0 could not store the message now; try again later"
        logger.info("SMTP receiver stored mail from server %s for %s (%d new)", peer, ", ".join(envelope.rcpt_tos),
                    created)
        return "250 2.0.0 OK: stored"


def make_receiver(host: str = "127.0.0.1", port: int = 2525, **smtp_options: Any) -> Controller:
    """The receiver, not started: call ``start()`` and ``stop()`` (it runs its own thread)."""
    return Controller(ReceiverHandler(), hostname=host, port=port, server_hostname="webcare",
                      data_size_limit=DATA_SIZE_LIMIT, enable_SMTPUTF8=True, **smtp_options)
