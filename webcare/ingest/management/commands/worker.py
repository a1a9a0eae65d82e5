"""``webcare worker``: an ingestion worker process, for scaling out on PostgreSQL (any number, any machine)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from webcare.core.bootstrap import ensure_migrated
from webcare.ingest import worker


class Command(BaseCommand):
    help = "Run an ingestion worker: claim pending inbound events in batches and turn them into tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="process what is due, then exit")
        parser.add_argument("--batch-size", type=int, default=None, help="events per transaction (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Many workers may start at once at scale; only the embedded default migrates on its own.
        ensure_migrated(self.stdout, migrate=connection.vendor == "sqlite")
        if options["once"]:
            tally = worker.drain(options["batch_size"])
        else:
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            self.stdout.write(f"worker started ({connection.vendor}); stop with Ctrl+C or SIGTERM")
            self.stdout.flush()
            tally = worker.run_forever(stop, options["batch_size"])
        self.stdout.write(
            f"processed {tally.events} events in {tally.batches} batches: {tally.messages} messages stored, "
            f"{tally.duplicates} duplicates, {tally.failed} failures ({tally.dead} dead-lettered)"
        )
