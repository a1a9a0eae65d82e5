"""Import the public "Customer Support on Twitter" (twcs) CSV: rebuild threads, one organisation per company.

The file is a flat list of tweets where each reply names its parent (``in_response_to_tweet_id``); rows are not in
thread order, a reply can come before its parent, and the full file has ~3 million rows. Holding the rows (or even
just an id → parent map) in Python dicts would take gigabytes, so the import works in three passes over a temporary
on-disk SQLite database (stdlib ``sqlite3``, deleted at the end):

1. **load** — stream the CSV, validate each row (bad ones are skipped with their line number and reason) and insert
   it in chunks: tweet id, line, author, direction, UTC ISO time, text, parent id.
2. **thread** — resolve every tweet's root with one recursive query walking down from the roots (a tweet without a
   parent, or whose parent is not in the file — the public samples are excerpts), then each root's company: the
   author of the thread's earliest company tweet, else the first ``@mention`` in the root text that names a company
   seen anywhere in the file, else none (the thread is skipped: ``no company in thread``).
3. **store** — stream the rows ordered by (company, root, time) into batches for ``store()`` and the pipeline steps,
   one transaction per batch. The order matters: a conversation's messages must reach the ticket lifecycle in time
   order, and batches keep the order they are filled in.

Python memory is one CSV chunk, one batch and the set of company handles, whatever the file size; SQLite's page
cache for the temporary database is capped (``_CACHE_KIB``), its index builds spill to temporary files, and pass 3
reads in index order, so the texts of the file are never sorted.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from webcare.core.models import Channel, ChannelKind
from webcare.importers.common import (
    BatchWriter,
    ImportFileError,
    ImportStats,
    Reporter,
    channel_for,
    organisation_for,
)
from webcare.ingest.pipeline import format_validation_error
from webcare.ingest.schema import MessageIn
from webcare.ingest.store import ParsedItem

REQUIRED_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
CHANNEL_SLUG = "x"
CONVERSATION_PREFIX = "twcs-"
#: Rows per ``executemany`` while loading, and per ``fetchmany`` while reading back.
_CHUNK = 5_000
#: Page cache of the temporary database, KiB (SQLite's own memory; the rest of the work spills to disk): larger while
#: building indexes and walking threads, small while pass 3 reads the rows back in index order.
_CACHE_KIB = 32_768
_READ_CACHE_KIB = 8_192
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
#: No length cap: X's 15-character limit is newer than some brand handles.
_MENTION = re.compile(r"@([A-Za-z0-9_]+)")
_NOT_SLUG = re.compile(r"[^a-z0-9-]")


class RowError(Exception):
    """A row that cannot be loaded; the message is the skip reason (``detail`` is printed alongside)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def parse_created_at(value: str) -> str:
    """Twitter's ``Tue Oct 31 22:10:47 +0000 2017`` (or ISO 8601 with an offset) as a UTC ISO string.

    Hand-parsed rather than ``strptime``: it is several times faster on millions of rows and does not depend on the
    process locale for the day and month names. The result sorts as text in time order, which pass 3 relies on.
    """
    parts = value.split()
    if len(parts) == 6:
        _, month, day, clock, offset, year = parts
        hour, minute, second = clock.split(":")
        moment = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC)
        if offset != "+0000":
            if len(offset) != 5 or offset[0] not in "+-":
                raise ValueError("bad offset")
            shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
            moment = moment - shift if offset[0] == "+" else moment + shift
        return moment.isoformat(timespec="seconds")
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse_id(value: str, column: str) -> int:
    """A tweet id as an integer; '3.0' (a float-typed export) is read as 3."""
    text = value.strip().removesuffix(".0")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise RowError("malformed row", f"{column} is not a tweet id")
    return int(text)


def org_slug(handle: str) -> str:
    """The organisation slug of a company handle: lower case, anything outside [a-z0-9-] turned into '-'."""
    slug = _NOT_SLUG.sub("-", handle.lower()).strip("-")[:63].rstrip("-")
    return slug or "company"


class _Loader:
    """Pass 1: CSV rows into the temporary table ``t``, plus the set of company handles (outbound authors)."""

    def __init__(self, db: sqlite3.Connection, reporter: Reporter, stats: ImportStats) -> None:
        self.db = db
        self.reporter = reporter
        self.stats = stats
        self.companies: dict[str, str] = {}  # lower-cased handle → handle as written
        self._chunk: list[tuple[int, int, str, int, str, str, int | None]] = []

    def load(self, path: Path) -> None:
        size = path.stat().st_size
        with path.open("rb") as binary, self.reporter.phase("reading", total=size or None) as phase:
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader)
            except (StopIteration, csv.Error) as exc:
                raise ImportFileError(f"{path}: empty or not a CSV file") from exc
            columns = {name.strip(): index for index, name in enumerate(header)}
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise ImportFileError(f"{path}: not a twcs file (missing columns: {', '.join(missing)})")
            index = tuple(columns[name] for name in REQUIRED_COLUMNS)
            width = len(header)
            self.db.execute("BEGIN")
            while True:
                line = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    self.stats.rows_read += 1
                    self.reporter.skip(line, "malformed row", str(exc))
                    continue
                if not row:
                    continue
                self.stats.rows_read += 1
                try:
                    self._chunk.append(self._row(row, line, width, index))
                except RowError as exc:
                    self.reporter.skip(line, exc.reason, exc.detail)
                if len(self._chunk) >= _CHUNK:
                    self._insert()
                    phase.update(completed=binary.tell(), rows=self.stats.rows_read)
            self._insert()
            self.db.execute("COMMIT")

    def _row(self, row: list[str], line: int, width: int,
             index: tuple[int, ...]) -> tuple[int, int, str, int, str, str, int | None]:
        if len(row) != width:
            raise RowError("malformed row", f"{len(row)} fields, expected {width}")
        tweet_at, author_at, inbound_at, created_at, text_at, parent_at = index
        tweet_id = _parse_id(row[tweet_at], "tweet_id")
        author = row[author_at].strip()
        if not author:
            raise RowError("malformed row", "author_id is empty")
        inbound = row[inbound_at].strip().lower()
        if inbound not in ("true", "false"):
            raise RowError("malformed row", "inbound is not True/False")
        try:
            created = parse_created_at(row[created_at])
        except (ValueError, KeyError) as exc:
            raise RowError("bad date") from exc
        text = row[text_at]
        if not text.strip():
            raise RowError("empty text")
        parent = _parse_id(row[parent_at], "in_response_to_tweet_id") if row[parent_at].strip() else None
        if inbound == "false":
            self.companies.setdefault(author.lower(), author)
        return tweet_id, line, author, inbound == "true", created, text, parent

    def _insert(self) -> None:
        if not self._chunk:
            return
        chunk, self._chunk = self._chunk, []
        cursor = self.db.executemany("INSERT OR IGNORE INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
        if cursor.rowcount == len(chunk):
            return
        # Some tweet ids were already loaded: find which lines lost (rare, so row by row is fine).
        for tweet_id, line, *_ in chunk:
            (first,) = self.db.execute("SELECT line FROM t WHERE tweet_id = ?", (tweet_id,)).fetchone()
            if first != line:
                self.reporter.skip(line, "duplicate tweet_id", f"first on line {first}")


_SCHEMA = """
CREATE TABLE t (
    tweet_id INTEGER PRIMARY KEY, line INTEGER NOT NULL, author_id TEXT NOT NULL, inbound INTEGER NOT NULL,
    created_at TEXT NOT NULL, text TEXT NOT NULL, parent_id INTEGER
);
"""

#: Pass 2. ``m`` maps every tweet reachable from a root to that root (a tweet in a reply cycle is reachable from
#: none and stays out); ``r`` holds each root's company.
_THREADS = """
CREATE INDEX t_parent ON t(parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE m (tweet_id INTEGER PRIMARY KEY, root INTEGER NOT NULL, created_at TEXT NOT NULL);
INSERT INTO m (tweet_id, root, created_at)
WITH RECURSIVE walk(id, root) AS (
    SELECT tweet_id, tweet_id FROM t
    WHERE parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM t AS p WHERE p.tweet_id = t.parent_id)
    UNION ALL
    SELECT c.tweet_id, walk.root FROM walk JOIN t AS c ON c.parent_id = walk.id
)
SELECT walk.id, walk.root, t.created_at FROM walk JOIN t ON t.tweet_id = walk.id;
CREATE INDEX m_root ON m(root, created_at, tweet_id);
CREATE TABLE r (root INTEGER PRIMARY KEY, company TEXT);
INSERT INTO r (root, company)
SELECT root, author_id FROM (
    SELECT m.root AS root, t.author_id AS author_id, min(m.created_at)
    FROM m JOIN t ON t.tweet_id = m.tweet_id WHERE t.inbound = 0 GROUP BY m.root
);
INSERT OR IGNORE INTO r (root, company) SELECT tweet_id, NULL FROM m WHERE tweet_id = root;
CREATE TABLE mention (root INTEGER PRIMARY KEY, company TEXT NOT NULL);
"""

_MENTIONS_DONE = """
UPDATE r SET company = (SELECT company FROM mention WHERE mention.root = r.root)
WHERE company IS NULL AND root IN (SELECT root FROM mention);
CREATE INDEX r_company ON r(company, root) WHERE company IS NOT NULL;
"""

#: Pass 3. CROSS JOIN fixes SQLite's join order (r by its (company, root) index, then m by (root, created_at)), so the
#: rows come out already in order and SQLite never sorts the texts of the whole file.
_ROWS_TO_STORE = """
SELECT r.company, r.root, t.tweet_id, t.line, t.author_id, t.inbound, t.created_at, t.text, t.parent_id
FROM r INDEXED BY r_company CROSS JOIN m CROSS JOIN t
WHERE r.company IS NOT NULL AND m.root = r.root AND t.tweet_id = m.tweet_id
ORDER BY r.company, r.root, m.created_at, m.tweet_id
"""


def _resolve_threads(db: sqlite3.Connection, companies: dict[str, str], reporter: Reporter) -> None:
    """Pass 2: roots and companies, and the skips it finds (reply cycles, threads without a company)."""
    with reporter.phase("threading", total=None):
        db.executescript(_THREADS)
        db.execute("BEGIN")
        rows = db.execute("SELECT r.root, t.text FROM r JOIN t ON t.tweet_id = r.root WHERE r.company IS NULL")
        while chunk := rows.fetchmany(_CHUNK):
            found = []
            for root, text in chunk:
                for match in _MENTION.finditer(text):
                    company = companies.get(match.group(1).lower())
                    if company is not None:
                        found.append((root, company))
                        break
            db.executemany("INSERT INTO mention VALUES (?, ?)", found)
        db.execute("COMMIT")
        db.executescript(_MENTIONS_DONE)
        for (line,) in _stream(db, "SELECT line FROM t WHERE NOT EXISTS "
                                   "(SELECT 1 FROM m WHERE m.tweet_id = t.tweet_id) ORDER BY line"):
            reporter.skip(line, "reply cycle")
        for (line,) in _stream(db, "SELECT t.line FROM r JOIN m ON m.root = r.root JOIN t ON t.tweet_id = m.tweet_id "
                                   "WHERE r.company IS NULL ORDER BY t.line"):
            reporter.skip(line, "no company in thread")


def _stream(db: sqlite3.Connection, sql: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    cursor = db.execute(sql)
    while chunk := cursor.fetchmany(_CHUNK):
        yield from chunk


def _channels(db: sqlite3.Connection, stats: ImportStats) -> dict[str, Channel]:
    """One organisation per company handle (found or created) with its X channel ``x``."""
    channels: dict[str, Channel] = {}
    for (company,) in db.execute("SELECT DISTINCT company FROM r WHERE company IS NOT NULL"):
        org = organisation_for(org_slug(company), company, stats)
        channel = channel_for(org, CHANNEL_SLUG, ChannelKind.X, f"@{company}", stats)
        if channel.kind != ChannelKind.X:
            raise ImportFileError(f"organisation {org.slug!r} already has a channel {CHANNEL_SLUG!r} of kind "
                                  f"{channel.kind!r}, not {ChannelKind.X.value!r}")
        channels[company] = channel
    return channels


def _store_threads(db: sqlite3.Connection, reporter: Reporter, stats: ImportStats, batch_size: int) -> None:
    """Pass 3: rows in (company, root, time) order into batches."""
    db.execute(f"PRAGMA cache_size=-{_READ_CACHE_KIB}")
    channels = _channels(db, stats)
    (total,) = db.execute("SELECT count(*) FROM r JOIN m ON m.root = r.root WHERE r.company IS NOT NULL").fetchone()
    done = 0
    with reporter.phase("storing", total=total or None) as phase:
        writer = BatchWriter(stats, reporter, batch_size,
                             on_flush=lambda: phase.update(completed=done, rows=done, force=True))
        for company, root, tweet_id, line, author, inbound, created_at, text, parent in _stream(db, _ROWS_TO_STORE):
            done += 1
            # Handles are case-insensitive on X: "AppleSupport" and "applesupport" are the same account.
            outbound = not inbound and author.lower() == company.lower()
            try:
                message = MessageIn.model_validate({
                    "message_id": str(tweet_id),
                    "conversation_id": f"{CONVERSATION_PREFIX}{root}",
                    "conversation_kind": "public",
                    "direction": "outbound" if outbound else "inbound",
                    "author": {"id": author, "handle": f"@{author}", "name": author if outbound else ""},
                    "text": text,
                    "sent_at": datetime.fromisoformat(created_at),
                    "in_reply_to": str(parent) if parent is not None else "",
                })
            except ValidationError as exc:
                reporter.skip(line, format_validation_error(exc))
                continue
            writer.add(line, ParsedItem(channels[company], message))
        writer.flush()


def import_twcs(path: Path, *, reporter: Reporter, stats: ImportStats, batch_size: int) -> ImportStats:
    """Import a twcs CSV file (see the module docstring for the three passes)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="webcare-twcs-") as workdir:
        db = sqlite3.connect(Path(workdir) / "threads.sqlite3", isolation_level=None)
        try:
            # Scratch data: no journal, no fsync; a crash just loses the temporary file.
            db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; "
                             f"PRAGMA cache_size=-{_CACHE_KIB}; PRAGMA mmap_size=0;")
            db.executescript(_SCHEMA)
            loader = _Loader(db, reporter, stats)
            loader.load(path)
            _resolve_threads(db, loader.companies, reporter)
            _store_threads(db, reporter, stats, batch_size)
        finally:
            db.close()
    stats.seconds = time.monotonic() - started
    return stats
