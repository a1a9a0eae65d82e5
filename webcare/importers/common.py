"""What every bulk importer shares: batching, one transaction per batch, progress, skipped rows and the summary.

Why here and not in each importer: the rules that make an import safe are the same for every format — a batch is
stored in one transaction through the same ``store()`` + pipeline steps as live messages (so imported tickets look
like live ones), a unique-constraint race with a concurrent writer redoes the batch, a batch that fails for any other
reason is redone message by message so one bad message cannot sink its neighbours, and every row that is not stored
is reported with its line number and reason. Memory stays flat because nothing here keeps more than one batch, the
skip counters and an array of new ticket ids.
"""

from __future__ import annotations

import io
import logging
import math
import statistics
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, IntegrityError, InterfaceError, OperationalError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from webcare.core.models import Channel, Organisation
from webcare.ingest.pipeline import configured_steps
from webcare.ingest.store import ParsedItem, StoreResult, store
from webcare.tickets.models import Ticket

logger = logging.getLogger("webcare.importers")

DEFAULT_BATCH_SIZE = 1000
#: A batch that loses a unique-constraint race is redone this often before its messages are tried one by one.
CONFLICT_RETRIES = 5
#: How many line numbers the summary shows per skip reason (the rest are counted; every one is printed to stderr).
SHOWN_LINES = 5
#: Ticket ids are read back in chunks this size for the first-response figures (well under every backend's limit).
_ID_CHUNK = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not this format, unreadable header): the command exits with 2."""


class Writer(Protocol):
    """Django's ``OutputWrapper`` or any text stream: what the reporter writes skipped lines to."""

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None: ...


@dataclass
class SkipGroup:
    """One skip reason: how many rows, and the first few line numbers."""

    count: int = 0
    lines: list[int] = field(default_factory=list)


@dataclass
class ImportStats:
    """The running totals of one import; ``rows_read == stored + duplicates + skipped_total`` at the end."""

    format: str
    rows_read: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: dict[str, SkipGroup] = field(default_factory=dict)
    organisations_created: int = 0
    channels_created: int = 0
    batches: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    #: Ids of the tickets this import opened (an int64 array: 8 bytes each, not a list of Python ints).
    new_ticket_ids: array[int] = field(default_factory=lambda: array("q"))
    tickets_answered: int = 0
    first_response_median: float | None = None
    first_response_p90: float | None = None

    @property
    def skipped_total(self) -> int:
        return sum(group.count for group in self.skipped.values())

    def add_skip(self, line: int, reason: str) -> None:
        group = self.skipped.setdefault(reason, SkipGroup())
        group.count += 1
        if len(group.lines) < SHOWN_LINES:
            group.lines.append(line)


class _RowsPerSecond(ProgressColumn):
    """Rows per second from the task's ``rows`` field (the bar itself may count bytes)."""

    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0.0
        rate = rows / elapsed if elapsed > 0 else 0.0
        return Text(f"{rows:,} rows  {rate:,.0f} rows/s", style="progress.data.speed")


class Phase:
    """A handle on one progress task; a no-op when progress is off."""

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task
        self._last = 0.0

    def update(self, *, completed: float | None = None, rows: int | None = None, force: bool = False) -> None:
        """Move the bar; cheap to call per row because it only redraws a few times a second."""
        if self._progress is None or self._task is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        fields: dict[str, Any] = {} if rows is None else {"rows": rows}
        self._progress.update(self._task, completed=completed, **fields)


class Reporter:
    """Progress bars (rows/s) on stderr when it is a terminal, and one stderr line per skipped row.

    Skipped rows are always printed, even with ``--quiet``: quiet hides the chatter, never the data that was left out.
    """

    def __init__(self, stderr: Writer, stats: ImportStats, show_progress: bool) -> None:
        self.stderr = stderr
        self.stats = stats
        self._progress: Progress | None = None
        if show_progress:
            # Rich needs the raw stream: Django's OutputWrapper appends a newline to every write, which breaks the
            # in-place redraw of the bar.
            stream = getattr(stderr, "_out", stderr)
            self._progress = Progress(
                TextColumn("[progress.description]{task.description}"), BarColumn(), TaskProgressColumn(),
                _RowsPerSecond(), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(file=stream),  # type: ignore[arg-type]
            )

    def __enter__(self) -> Reporter:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def phase(self, description: str, total: float | None) -> Iterator[Phase]:
        """A progress task for one pass over the data (``total`` None: an indeterminate bar)."""
        if self._progress is None:
            yield Phase(None, None)
            return
        task = self._progress.add_task(description, total=total, rows=0)
        try:
            yield Phase(self._progress, task)
        finally:
            if total is not None:
                self._progress.update(task, completed=total)
            self._progress.stop_task(task)

    def skip(self, line: int, reason: str, detail: str = "") -> None:
        """Count a skipped row under ``reason`` and print ``line N: reason (detail)`` to stderr."""
        self.stats.add_skip(line, reason)
        message = f"line {line}: {reason}" + (f" ({detail})" if detail else "")
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stderr.write(message)


@dataclass(frozen=True)
class Pending:
    """A parsed message waiting for its batch, with the line it came from (for skip reports)."""

    line: int
    item: ParsedItem


def _store_and_run_steps(items: list[ParsedItem]) -> StoreResult:
    """Exactly what ``pipeline.process`` does after parsing, so imported messages get the same processing."""
    with transaction.atomic():
        result = store(items)
        for step in configured_steps():
            step.run(result)
    return result


class BatchWriter:
    """Collects parsed messages and stores them ``batch_size`` at a time, one transaction per batch.

    Order is kept: batches are stored in the order messages were added, which the twcs importer relies on so that a
    conversation's messages reach the ticket lifecycle in time order even when they straddle two batches.
    """

    def __init__(self, stats: ImportStats, reporter: Reporter, batch_size: int = DEFAULT_BATCH_SIZE,
                 on_flush: Callable[[], None] | None = None) -> None:
        self.stats = stats
        self.reporter = reporter
        self.batch_size = batch_size
        self.on_flush = on_flush
        self._pending: list[Pending] = []

    def add(self, line: int, item: ParsedItem) -> None:
        self._pending.append(Pending(line, item))
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        self.stats.batches += 1
        try:
            result = self._with_retries([pending.item for pending in batch])
        except (OperationalError, InterfaceError):
            # The database is gone or locked for too long: not the data's fault, so stop; a rerun resumes (idempotent).
            raise
        except Exception as exc:
            logger.warning("batch of %d failed (%s); storing its messages one by one", len(batch), type(exc).__name__)
            self._one_by_one(batch)
        else:
            self._account(result)
        if self.on_flush is not None:
            self.on_flush()

    def _with_retries(self, items: list[ParsedItem]) -> StoreResult:
        for attempt in range(CONFLICT_RETRIES):
            try:
                return _store_and_run_steps(items)
            except IntegrityError:
                # A concurrent writer (the worker, another import) committed some of these first: redo the batch,
                # which then finds its rows. Nothing of the failed attempt was kept (the transaction rolled back).
                self.stats.conflicts += 1
                if attempt == CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _one_by_one(self, batch: list[Pending]) -> None:
        for pending in batch:
            try:
                result = self._with_retries([pending.item])
            except (OperationalError, InterfaceError):
                raise
            except Exception as exc:
                self.reporter.skip(pending.line, "not stored", f"{type(exc).__name__}: {str(exc)[:200]}")
            else:
                self._account(result)

    def _account(self, result: StoreResult) -> None:
        self.stats.stored += len(result.messages)
        self.stats.duplicates += result.duplicates
        self.stats.new_ticket_ids.extend(ticket.pk for ticket in result.new_tickets)


def ensure_migrated(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create or update the tables when needed, quietly; True when migrations ran.

    Why: a newcomer's first command may well be an import, into a database that does not exist yet.
    """
    if using != DEFAULT_DB_ALIAS:
        executor = MigrationExecutor(connections[using])
        if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return False
        call_command("migrate", database=using, interactive=False, verbosity=0)
        return True
    from webcare.core.bootstrap import pending_migrations

    if not any(pending_migrations().values()):
        return False
    call_command("migrate", interactive=False, verbosity=0)  # the main database and the keyring
    return True


def organisation_for(slug: str, name: str, stats: ImportStats) -> Organisation:
    """The organisation with ``slug``, created (named ``name``) when missing; race-safe via get_or_create."""
    org, created = Organisation.objects.get_or_create(slug=slug, defaults={"name": name[:200] or slug})
    stats.organisations_created += created
    return org


def channel_for(org: Organisation, slug: str, kind: str, name: str, stats: ImportStats) -> Channel:
    """The channel ``slug`` of ``org``, created with ``kind`` when missing."""
    channel, created = Channel.objects.get_or_create(organisation=org, slug=slug,
                                                     defaults={"kind": kind, "name": name[:200] or slug})
    stats.channels_created += created
    return channel


def first_response_figures(stats: ImportStats) -> None:
    """Median and 90th percentile of the first-response time of the tickets this import opened.

    Read back at the end (not taken from each batch) because a thread's first reply may arrive in a later batch than
    the message that opened its ticket.
    """
    durations = array("d")
    ids = stats.new_ticket_ids
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = list(ids[start : start + _ID_CHUNK])
        for first_inbound, first_response in Ticket.objects.filter(
            pk__in=chunk, first_response_at__isnull=False, first_inbound_at__isnull=False
        ).values_list("first_inbound_at", "first_response_at"):
            # Same rule as Ticket.first_response_seconds, without building a model instance per row.
            if first_inbound is not None and first_response is not None and first_response >= first_inbound:
                durations.append((first_response - first_inbound).total_seconds())
    stats.tickets_answered = len(durations)
    if not durations:
        return
    ordered = sorted(durations)
    stats.first_response_median = statistics.median(ordered)
    stats.first_response_p90 = ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]


def human_duration(seconds: float | None) -> str:
    """'45 s', '12 min 5 s', '3 h 20 min', '2 d 4 h' — the two largest units are enough to read a response time."""
    if seconds is None:
        return "—"
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def render_summary(stats: ImportStats) -> str:
    """The final table as plain text (no colour codes), so it reads the same in a terminal, a log or a test."""
    table = Table(title=f"webcare import ({stats.format})", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_column("", overflow="fold")
    rate = stats.stored / stats.seconds if stats.seconds > 0 else 0.0
    row_rate = stats.rows_read / stats.seconds if stats.seconds > 0 else 0.0
    table.add_row("rows read", f"{stats.rows_read:,}", "")
    table.add_row("messages stored", f"{stats.stored:,}", "")
    table.add_row("duplicates (already there)", f"{stats.duplicates:,}", "")
    table.add_row("rows skipped", f"{stats.skipped_total:,}", "reasons below; every line is on stderr")
    for reason, group in sorted(stats.skipped.items(), key=lambda kv: (-kv[1].count, kv[0])):
        lines = ", ".join(str(line) for line in group.lines) + (", …" if group.count > len(group.lines) else "")
        table.add_row(f"  {reason}", f"{group.count:,}", ("line " if group.count == 1 else "lines ") + lines)
    table.add_row("organisations created", f"{stats.organisations_created:,}", "")
    table.add_row("channels created", f"{stats.channels_created:,}", "")
    table.add_row("time", f"{stats.seconds:,.1f} s", f"{row_rate:,.0f} rows/s")
    table.add_row("messages per second", f"{rate:,.0f}", "")
    if stats.format == "twcs" or stats.tickets_answered:
        note = f"{stats.tickets_answered:,} of {len(stats.new_ticket_ids):,} new tickets answered"
        table.add_row("first response, median", human_duration(stats.first_response_median), note)
        table.add_row("first response, 90th pct", human_duration(stats.first_response_p90), "")
    if stats.conflicts:
        table.add_row("batches redone (write races)", f"{stats.conflicts:,}", "")
    buffer = io.StringIO()
    Console(file=buffer, width=110, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue().rstrip("\n")


def one_line_summary(stats: ImportStats) -> str:
    """The ``--quiet`` summary."""
    return (f"{stats.rows_read:,} rows: {stats.stored:,} stored, {stats.duplicates:,} duplicates, "
            f"{stats.skipped_total:,} skipped in {stats.seconds:.1f} s")
