"""``webcare searchindex``: the search index's upkeep.

- ``rebuild``: build the index again from the database (a progress bar on stderr). This is all it takes to recover
  a lost or damaged index, or to move to another backend: the database is the source of truth. Searches see the old
  index until the new one is complete.
- ``status``: the backend, documents, size on disk, and how far behind the change log the index is.
- ``follow``: keep the index up to date until stopped (Ctrl+C) — at scale, one such process instead of the thread
  of ``webcare serve`` (run that with ``--no-worker``). Only one process may write a tantivy index at a time; a
  second one waits.
"""

from __future__ import annotations

import signal
import threading
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from webcare.core.bootstrap import ensure_migrated
from webcare.search import engine, indexer
from webcare.search.models import SearchCursor


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


class Command(BaseCommand):
    help = "Rebuild the search index from the database, show its status, or keep it up to date (follow)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("rebuild", help="build the index again from the database")
        actions.add_parser("status", help="documents, size on disk, lag behind the change log")
        actions.add_parser("follow", help="keep the index up to date until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        from webcare.search.engine import BackendUnavailable
        from webcare.search.tantivy_backend import WriterBusy

        ensure_migrated(self.stdout, migrate=False)
        try:
            backend = engine.backend()
            getattr(self, f"_{options['action']}")(backend)
        except (BackendUnavailable, WriterBusy) as exc:
            raise CommandError(str(exc)) from exc

    def _rebuild(self, backend: Any) -> None:
        console = Console(stderr=True)
        with Progress(TextColumn("indexing messages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=console, transient=False) as progress:
            task = progress.add_task("index", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            written = indexer.rebuild(backend, progress=advance)
        self.stdout.write(f"indexed {written:,} messages ({backend.name}, {human_bytes(backend.size_bytes())})")

    def _status(self, backend: Any) -> None:
        from django.conf import settings

        cursor = SearchCursor.objects.filter(backend=backend.name).first()
        waiting, seconds = indexer.lag(backend)
        table = Table(title="search index", show_header=False)
        table.add_column("what")
        table.add_column("value")
        table.add_row("backend", backend.name + (f" ({settings.WEBCARE_SEARCH_DIR})" if backend.name == "tantivy"
                                                 else " (PostgreSQL full-text)"))
        table.add_row("documents", f"{backend.count():,}")
        table.add_row("size", human_bytes(backend.size_bytes()))
        table.add_row("change-log position", str(cursor.last_event_id) if cursor else "never indexed")
        table.add_row("last rebuilt", cursor.rebuilt_at.isoformat(timespec="seconds")
                      if cursor and cursor.rebuilt_at else "—")
        table.add_row("lag", f"{waiting:,} changes waiting" + (f", oldest {seconds:,.0f} s ago" if seconds else ""))
        Console(file=cast(TextIO, self.stdout), width=120).print(table)

    def _follow(self, backend: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"following the change log into the {backend.name} index; stop with Ctrl+C")
        self.stdout.flush()
        try:
            indexer.follow(stop, backend.name)
        except KeyboardInterrupt:
            stop.set()
