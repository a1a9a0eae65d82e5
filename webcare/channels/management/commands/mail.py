"""``webcare mail``: receive e-mail — one IMAP loop per active e-mail channel, and the SMTP receiver.

Runs beside ``webcare serve`` (which turns the stored mail into tickets and sends the replies). New e-mail channels are
picked up within a minute; a channel switched off stops its loop by itself.
"""

from __future__ import annotations

import signal
import threading
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rich.console import Console
from rich.table import Table

from webcare.channels.base import ConnectorError
from webcare.channels.email import EmailConnector
from webcare.channels.email_imap import POLL_SECONDS, ImapLoop, imap_channels, run_mailboxes
from webcare.channels.email_smtpd import make_receiver
from webcare.core.bootstrap import ensure_migrated
from webcare.core.models import Channel


class Command(BaseCommand):
    help = "Receive e-mail: IMAP (IDLE or polling) for every active e-mail channel, and an SMTP receiver."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--smtp-host", default="127.0.0.1", help="address the SMTP receiver listens on")
        parser.add_argument("--smtp-port", type=int, default=2525, help="port of the SMTP receiver (default 2525)")
        parser.add_argument("--no-smtp", action="store_true", help="do not run the SMTP receiver")
        parser.add_argument("--no-imap", action="store_true", help="do not read mailboxes by IMAP")
        parser.add_argument("--once", action="store_true",
                            help="fetch every mailbox once, print what was stored, and exit (no SMTP receiver)")
        parser.add_argument("--poll-seconds", type=float, default=POLL_SECONDS,
                            help="poll interval for servers without IDLE (default 60)")

    def _console(self) -> Console:
        return Console(file=cast(TextIO, self.stdout), width=140)

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=connection.vendor == "sqlite")
        if options["once"]:
            self._once(options)
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        receiver = None
        if not options["no_smtp"]:
            receiver = make_receiver(options["smtp_host"], options["smtp_port"])
            try:
                receiver.start()
            except Exception as exc:
                raise CommandError(f"the SMTP receiver cannot listen on {options['smtp_host']}:"
                                   f"{options['smtp_port']}: {exc}") from exc
        self._table(imap_channels() if not options["no_imap"] else [], receiver is not None, options)
        try:
            if options["no_imap"]:
                stop.wait()
            else:
                run_mailboxes(stop, options["poll_seconds"])
        finally:
            stop.set()
            if receiver is not None:
                receiver.stop()
            self.stdout.write("mail stopped")

    def _table(self, channels: list[Channel], smtp: bool, options: dict[str, Any]) -> None:
        table = Table(title="webcare mail")
        for column in ("channel", "address", "receives by"):
            table.add_column(column)
        for channel in channels:
            try:
                server = EmailConnector(channel).imap_server()
                where = f"IMAP {server.where} ({server.tls.value})" if server else "-"
            except ConnectorError as exc:
                where = f"[red]{exc}[/red]"
            table.add_row(channel.slug, str(channel.settings.get("address") or ""), where)
        if smtp:
            addresses = ", ".join(str(c.settings.get("address") or "")
                                  for c in Channel.objects.filter(kind="email", is_active=True)) or "(no channels yet)"
            table.add_row("SMTP receiver", addresses, f"SMTP {options['smtp_host']}:{options['smtp_port']}")
        console = self._console()
        console.print(table)
        console.print("stop with Ctrl+C or SIGTERM")

    def _once(self, options: dict[str, Any]) -> None:
        table = Table(title="webcare mail --once")
        for column in ("channel", "fetched", "stored", "already stored", "passed over", "error"):
            table.add_column(column)
        failures = 0
        for channel in imap_channels():
            try:
                result = ImapLoop(channel.pk, poll_seconds=options["poll_seconds"]).run_once()
            except Exception as exc:  # report every channel, then fail at the end
                failures += 1
                table.add_row(channel.slug, "", "", "", "", str(exc)[:80])
                continue
            table.add_row(channel.slug, str(result.fetched), str(result.stored), str(result.duplicates),
                          str(result.skipped), "")
        self._console().print(table)
        if failures:
            raise CommandError(f"{failures} mailbox(es) could not be read")
