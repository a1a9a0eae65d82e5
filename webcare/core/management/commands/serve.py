"""``webcare serve``: the web server with the embedded ingestion worker — the zero-set-up way to run the desk."""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from webcare.core.bootstrap import database_label, ensure_admin, ensure_default_organisation, ensure_migrated


class Command(BaseCommand):
    help = "Run the web server (UI, API, webhooks) with an in-process ingestion worker, and print its URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the embedded worker, sender, poller, mailbox readers, search indexer "
                                 "and automation loop (run `webcare worker`, `webcare sender`, `webcare poll`, "
                                 "`webcare mail`, `webcare searchindex follow` and `webcare automate` instead)")
        parser.add_argument("--threads", type=int, default=16, help="request threads per web process (default 16)")
        parser.add_argument("--processes", type=int, default=min(os.cpu_count() or 1, 2),
                            help="web processes (default: 2 where there are 2 cores or more). One process serves "
                                 "one core's worth of requests (Python's lock): measured, 200 signed webhooks a "
                                 "second on 2 cores kept pace with 2 and fell behind with 1 (docs/benchmarks.md)")

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        from webcare.channels import polling, sender
        from webcare.channels.email_imap import run_mailboxes
        from webcare.core import automation
        from webcare.core.threads import start_daemon
        from webcare.ingest.worker import start_in_process
        from webcare.search import engine as search_engine
        from webcare.search import indexer as search_indexer

        ensure_migrated(self.stdout)
        ensure_default_organisation()
        ensure_admin(self.stdout)
        try:
            search_engine.backend()  # a misconfigured search backend stops here, not in every search
        except search_engine.BackendUnavailable as exc:
            raise CommandError(str(exc)) from exc
        stop = threading.Event()
        if not options["no_worker"]:
            start_in_process(stop)
            # The search indexer follows the change log into the index (webcare/search/indexer.py); it is this
            # process that holds the tantivy index's write lock, the web processes only read.
            search_indexer.start_in_process(stop)
            sender.start_in_process(stop)
            polling.start_in_process(stop)
            automation.start_in_process(stop)
            # Mailboxes by IMAP IDLE too, so an e-mail channel works with nothing else running; the SMTP receiver
            # needs a port of its own and runs with `webcare mail`.
            start_daemon("webcare-mail", run_mailboxes, stop)
        host, port = options["host"], options["port"]
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104  # nosec B104
        self.stdout.write(self.style.SUCCESS(f"webcare is running at http://{shown}:{port}/"))
        self.stdout.write(f"  admin: http://{shown}:{port}/admin/   API docs: http://{shown}:{port}/api/v1/docs")
        self.stdout.write(f"  data: {database_label()}; worker: {'off' if options['no_worker'] else 'embedded'}")
        self.stdout.write("  stop with Ctrl+C")
        self.stdout.flush()
        # granian serves Django's WSGI application from Rust threads: measured 2x the request rate of Django under
        # ASGI (uvicorn or granian's ASGI) on the same 2 cores, where every sync view hops threads (docs/benchmarks.md).
        # The web processes must be spawned, not forked: forking this process while the embedded worker thread
        # holds a lock (an import, logging, the database) left the child hung on ~2 of 5 starts in tests.
        multiprocessing.set_start_method("spawn", force=True)
        connections.close_all()
        server = Granian("webcare.wsgi:application", address=host, port=port, interface=Interfaces.WSGI,
                         workers=options["processes"], blocking_threads=options["threads"], log_enabled=False,
                         workers_kill_timeout=10)
        try:
            server.serve()
        finally:
            stop.set()
