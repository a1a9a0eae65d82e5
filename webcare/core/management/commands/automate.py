"""``webcare automate``: the automation loop (SLA checks, escalations, acknowledgements, reclaiming, surges, e-mail)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from webcare.core import automation
from webcare.core.bootstrap import ensure_migrated


class Command(BaseCommand):
    help = "Run the automation loop: SLA warnings and escalations, holding replies, reclaiming, surge alerts, e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every task once, print what each did, exit")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=connection.vendor == "sqlite")
        if options["once"]:
            for name, done in automation.run_once().items():
                self.stdout.write(f"{name}: {'failed (see the log)' if done < 0 else done}")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"automation started ({connection.vendor}); stop with Ctrl+C or SIGTERM")
        self.stdout.flush()
        automation.run_forever(stop)
