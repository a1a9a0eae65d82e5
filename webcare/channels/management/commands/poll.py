"""``webcare poll``: ask polling channels (review sites, listening searches) for what is new."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from webcare.channels import polling
from webcare.core.bootstrap import ensure_migrated


class Command(BaseCommand):
    help = "Poll review sites and listening searches on their intervals and store what is new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="poll every due channel once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=connection.vendor == "sqlite")
        if options["once"]:
            tally = polling.poll_due()
            self.stdout.write(f"polled {tally.channels} channels: {tally.stored} new, {tally.duplicates} seen "
                              f"before, {tally.failed} failed")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("poller started; stop with Ctrl+C or SIGTERM")
        self.stdout.flush()
        polling.run_forever(stop)
