"""One IMAP loop per e-mail channel: fetch what is new, store it, then wait for the next mail (IDLE) or poll.

Nothing lost, nothing twice:

- The cursor (``Channel.poll_state``: folder, UIDVALIDITY, the highest UID stored) moves in the same transaction that
  stores the mail, so it never passes a mail that was not stored; a crash in between stores the mail again next time,
  and its Message-ID (the event id) makes that a duplicate, not a second message.
- The mailbox is opened read-only (EXAMINE) and bodies are fetched with BODY.PEEK: webcare never marks, moves or
  deletes mail, so people can keep using the mailbox as before.
- When the server's UIDVALIDITY changes (the mailbox was rebuilt or restored) the old UIDs mean nothing: the loop
  re-reads the mail since a day before its last successful sync and lets the Message-IDs drop what it already has.
  A new channel starts with the last ``backfill_days`` days (3).
- A mail that cannot be read at all (a bug in the parser, not bad mail — bad mail is read as best it can) is logged
  and passed over, so one mail never blocks the mailbox; it stays in the mailbox untouched.

Waiting: IDLE when the server's CAPABILITY lists it (renewed every 9 minutes — RFC 2177 allows 29, but NAT and
firewalls drop quieter connections), otherwise a poll every minute. Lost connections reconnect with exponential
backoff (1 s doubling to 5 minutes); a refused login waits the full 5 minutes each time and says so in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from webcare.channels import health
from webcare.channels.base import ConnectorError, HealthReport, HealthStatus, InboundItem, ItemKind, Malformed
from webcare.channels.email import EmailConnector, Server, close_imap, open_imap
from webcare.channels.email_parse import ThreadLookup, parse_email, stored_thread_lookup
from webcare.channels.inbound import store_items
from webcare.core.models import Channel
from webcare.ingest.models import EventSource

logger = logging.getLogger("webcare.channels")

BATCH = 25
#: Bigger mail is left in the mailbox and logged (webcare's SMTP receiver takes 32 MB; providers allow 25–150 MB).
MAX_BYTES = 50 * 1024 * 1024
IDLE_SECONDS = 9 * 60
POLL_SECONDS = 60.0
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
BACKFILL_DAYS = 3


@dataclass
class CycleResult:
    """What one fetch found: mails fetched, items stored, already-stored duplicates, mails passed over."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC)


def _batch_lookup(stored: ThreadLookup, batch: list[InboundItem]) -> ThreadLookup:
    """Thread lookup that also knows the mails read earlier in the same batch (not stored yet): a first mail and its
    follow-up fetched together must land in one conversation."""

    def lookup(ids: Sequence[str]) -> str | None:
        known = {item.event_id: item.conversation_id for item in batch if item.kind == ItemKind.MESSAGE}
        for candidate in ids:
            if candidate in known:
                return known[candidate]
        return stored(ids)

    return lookup


class ImapLoop:
    """The loop for one channel. ``run_once()`` is one connect–fetch–store cycle (tests, ``webcare mail --once``);
    ``run()`` loops until ``stop`` is set."""

    def __init__(self, channel_id: int, stop: threading.Event | None = None, *, poll_seconds: float = POLL_SECONDS,
                 idle_seconds: float = IDLE_SECONDS, backfill_days: int = BACKFILL_DAYS) -> None:
        self.channel_id = channel_id
        self.stop = stop or threading.Event()
        self.poll_seconds = poll_seconds
        self.idle_seconds = idle_seconds
        self.backfill_days = backfill_days

    # -- one cycle ------------------------------------------------------------------------------------------------
    def _load(self) -> tuple[Channel, EmailConnector] | None:
        channel = Channel.objects.select_related("organisation").filter(pk=self.channel_id, kind="email",
                                                                          is_active=True).first()
        return (channel, EmailConnector(channel)) if channel is not None else None

    def _uids_to_fetch(self, client: IMAPClient, channel: Channel, folder: str, uidvalidity: int) -> list[int]:
        state = channel.poll_state or {}
        if state.get("folder") == folder and state.get("uidvalidity") == uidvalidity and "last_uid" in state:
            last = int(state["last_uid"])
            return sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
        synced = state.get("synced_at")
        if synced:
            since = datetime.fromisoformat(synced) - timedelta(days=1)
            logger.warning("channel %s: IMAP folder %s changed UIDVALIDITY (or folder); re-reading mail since %s, "
                           "mail already stored is recognised by its Message-ID", channel.slug, folder, since.date())
        else:
            since = datetime.now(UTC) - timedelta(days=self.backfill_days)
            logger.info("channel %s: first sync of IMAP folder %s, reading mail since %s", channel.slug, folder,
                        since.date())
        return sorted(client.search(["SINCE", since.date()]))

    def _parse(self, channel: Channel, folder: str, uidvalidity: int, uid: int, data: dict[bytes, Any],
               result: CycleResult, lookup: ThreadLookup) -> list[InboundItem]:
        body = data.get(b"BODY[]")
        if not isinstance(body, bytes):
            result.skipped += 1
            result.notes.append(f"uid {uid}: no body returned (expunged meanwhile?)")
            return []
        result.fetched += 1
        try:
            return parse_email(body, channel, lookup=lookup,
                               received_at=_aware(data.get(b"INTERNALDATE")),
                               context={"imap": {"folder": folder, "uid": uid, "uidvalidity": uidvalidity}})
        except Exception:  # one unreadable mail must not block the mailbox
            logger.exception("channel %s: IMAP uid %s in %s could not be read and was passed over (it stays in "
                             "the mailbox)", channel.slug, uid, folder)
            result.skipped += 1
            return []

    @staticmethod
    def _store(channel: Channel, items: list[InboundItem], result: CycleResult) -> None:
        try:
            stored = store_items(channel, items, source=EventSource.EMAIL)
        except Malformed:
            # One bad item must not hold back the others: store them one by one, and log the bad one.
            for item in items:
                try:
                    one = store_items(channel, [item], source=EventSource.EMAIL)
                except Malformed as exc:
                    logger.error("channel %s: mail %s not stored: %s", channel.slug, item.event_id, exc)
                    result.skipped += 1
                else:
                    result.stored += one.created
                    result.duplicates += one.duplicates
            return
        result.stored += stored.created
        result.duplicates += stored.duplicates

    def cycle(self, client: IMAPClient, channel: Channel, connector: EmailConnector) -> CycleResult:
        """Fetch the mail after the cursor, store it and move the cursor, batch by batch."""
        result = CycleResult()
        folder = connector.imap_folder
        selected = client.select_folder(folder, readonly=True)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        uids = self._uids_to_fetch(client, channel, folder, uidvalidity)
        for start in range(0, len(uids), BATCH):
            if self.stop.is_set():
                break
            batch = uids[start:start + BATCH]
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            wanted = [uid for uid in batch if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) <= MAX_BYTES]
            for uid in sorted(set(batch) - set(wanted)):
                logger.warning("channel %s: IMAP uid %s is larger than %d MB and was left in the mailbox",
                               channel.slug, uid, MAX_BYTES // 2**20)
                result.skipped += 1
            fetched = client.fetch(wanted, ["BODY.PEEK[]", "INTERNALDATE"]) if wanted else {}
            items: list[InboundItem] = []
            lookup = _batch_lookup(stored_thread_lookup(channel), items)
            for uid in wanted:
                items += self._parse(channel, folder, uidvalidity, uid, fetched.get(uid, {}), result, lookup)
            state = {"folder": folder, "uidvalidity": uidvalidity, "last_uid": max(batch),
                     "synced_at": datetime.now(UTC).isoformat()}
            with transaction.atomic():
                self._store(channel, items, result)
                Channel.objects.filter(pk=channel.pk).update(poll_state=state)
            channel.poll_state = state
        if not uids:  # nothing new: still remember the folder and UIDVALIDITY, so a change is noticed later
            state = dict(channel.poll_state or {})
            if state.get("uidvalidity") != uidvalidity or state.get("folder") != folder or "last_uid" not in state:
                last = int(selected.get(b"UIDNEXT", 1)) - 1
                state = {"folder": folder, "uidvalidity": uidvalidity, "last_uid": max(last, 0),
                         "synced_at": datetime.now(UTC).isoformat()}
                Channel.objects.filter(pk=channel.pk).update(poll_state=state)
                channel.poll_state = state
        if result.fetched or result.skipped:
            logger.info("channel %s: %d mails fetched, %d stored, %d already stored, %d passed over", channel.slug,
                        result.fetched, result.stored, result.duplicates, result.skipped)
        return result

    def run_once(self) -> CycleResult:
        """Connect, fetch and store once, disconnect."""
        loaded = self._load()
        if loaded is None:
            raise ConnectorError(f"channel {self.channel_id} is not an active e-mail channel")
        channel, connector = loaded
        server = connector.imap_server()
        if server is None:
            raise ConnectorError(f"channel {channel.slug!r} has no IMAP server")
        client = open_imap(server)
        try:
            return self.cycle(client, channel, connector)
        finally:
            close_imap(client)

    # -- waiting and the loop -------------------------------------------------------------------------------------
    def wait_for_mail(self, client: IMAPClient, last_uid: int | None = None) -> str:
        """Wait until the server announces new mail ("mail", IDLE), the IDLE period ends ("renew"), the poll interval
        passed ("poll", servers without IDLE), the connection woke without news ("woken") or ``stop`` ("stopped").

        Mail that arrived after the last fetch but before IDLE began is not announced by every server (dovecot
        tells only at its next check, up to 30 s later; others at the next IDLE), so a NOOP (which makes the server
        show the session new mail) and one UID search come first.
        """
        if last_uid is not None:
            client.noop()
            if any(uid > last_uid for uid in client.search(["UID", f"{last_uid + 1}:*"])):
                return "mail"
        if b"IDLE" not in client.capabilities():
            if self.stop.wait(self.poll_seconds):
                return "stopped"
            client.noop()
            return "poll"
        client.idle()
        reason = "stopped"
        try:
            deadline = time.monotonic() + self.idle_seconds
            while not self.stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    reason = "renew"
                    break
                wait = min(1.0, remaining)  # short, so a stop is noticed within a second
                began = time.monotonic()
                responses = client.idle_check(timeout=wait)
                if any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    reason = "mail"
                    break
                if not responses and time.monotonic() - began < wait / 2:
                    reason = "woken"  # readable without a response: the server closed; idle_done() will tell
                    break
        finally:
            client.idle_done()
        return reason

    def run(self) -> None:
        """Loop until ``stop``: connect, fetch, wait; reconnect with backoff after any failure."""
        backoff = BACKOFF_FIRST
        try:
            while not self.stop.is_set():
                close_old_connections()
                client: IMAPClient | None = None
                slug = str(self.channel_id)
                channel: Channel | None = None
                try:
                    loaded = self._load()
                    if loaded is None:
                        logger.info("channel %s is no longer an active e-mail channel; its IMAP loop stops", slug)
                        return
                    channel, connector = loaded
                    slug = channel.slug
                    server = connector.imap_server()
                    if server is None:
                        logger.info("channel %s has no IMAP server; its IMAP loop stops", slug)
                        return
                    client = open_imap(server)
                    mode = "IDLE" if b"IDLE" in client.capabilities() else f"polling every {self.poll_seconds:g} s"
                    logger.info("channel %s: connected to IMAP %s as %s (%s)", slug, server.where, server.user, mode)
                    if channel.health_status != HealthStatus.OK and channel.health_detail.startswith("IMAP"):
                        health.record(channel, HealthReport(HealthStatus.OK, f"IMAP {server.host} ({mode})"))
                    backoff = BACKOFF_FIRST
                    self._serve(client, channel, connector, server)
                except LoginError as exc:
                    backoff = BACKOFF_MAX
                    logger.error("channel %s: the IMAP server refused the login (%s); trying again in %d s", slug,
                                 exc, backoff)
                    if channel is not None:  # the admins see it on the channel, as for a refused token
                        health.record(channel, HealthReport(HealthStatus.TOKEN_EXPIRED,
                                                            f"IMAP refused the login: {exc}"))
                except (OSError, IMAPClientError, DatabaseError, ConnectorError) as exc:
                    logger.warning("channel %s: IMAP loop interrupted (%s); reconnecting in %g s", slug, exc, backoff)
                except Exception:
                    logger.exception("channel %s: IMAP loop failed; reconnecting in %g s", slug, backoff)
                finally:
                    if client is not None:
                        close_imap(client)
                if self.stop.wait(backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            connection.close()

    def _serve(self, client: IMAPClient, channel: Channel, connector: EmailConnector, server: Server) -> None:
        """Cycle and wait on one connection until stopped, or until the channel's settings change (then reconnect)."""
        while not self.stop.is_set():
            self.cycle(client, channel, connector)
            last_uid = channel.poll_state.get("last_uid")
            self.wait_for_mail(client, int(last_uid) if last_uid is not None else None)
            loaded = self._load()
            if loaded is None or loaded[1].imap_server() != server:
                return
            channel, connector = loaded



RESCAN_SECONDS = 60.0


def imap_channels() -> list[Channel]:
    """Active e-mail channels that have an IMAP server set."""
    return [c for c in Channel.objects.filter(kind="email", is_active=True).order_by("pk")
            if str(c.settings.get("imap_host") or "").strip()]


def run_mailboxes(stop: threading.Event, poll_seconds: float = POLL_SECONDS,
                  rescan_seconds: float = RESCAN_SECONDS) -> None:
    """Keep one IMAP loop running per active e-mail channel until ``stop``: a channel connected later is picked up
    within ``rescan_seconds``, a loop that died is started again, a channel switched off stops its own loop.
    Used by ``webcare mail`` and, on the embedded default, as a thread of ``webcare serve``."""
    loops: dict[int, threading.Thread] = {}
    try:
        while not stop.is_set():
            try:
                close_old_connections()
                for channel in imap_channels():
                    thread = loops.get(channel.pk)
                    if thread is not None and thread.is_alive():
                        continue
                    loop = ImapLoop(channel.pk, stop, poll_seconds=poll_seconds)
                    thread = threading.Thread(target=loop.run, name=f"imap-{channel.slug}", daemon=True)
                    thread.start()
                    loops[channel.pk] = thread
            except DatabaseError:
                logger.exception("cannot read the e-mail channels; trying again")
            stop.wait(rescan_seconds)
    finally:
        for thread in loops.values():
            thread.join(timeout=15)
