"""``webcare sender``: send queued replies and moderation actions through their channels (any number, any machine)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from webcare.channels import sender
from webcare.core.bootstrap import ensure_migrated


class Command(BaseCommand):
    help = "Run an outbound sender: claim queued jobs and carry them out on the platforms, with retries and limits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=connection.vendor == "sqlite")
        if options["once"]:
            tally = sender.send_due(max_wait=0)
        else:
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            self.stdout.write(f"sender started ({connection.vendor}); stop with Ctrl+C or SIGTERM")
            self.stdout.flush()
            tally = sender.run_forever(stop)
        self.stdout.write(f"sent {tally.sent}, retrying {tally.retrying}, failed {tally.failed}, "
                          f"uncertain {tally.uncertain}")
