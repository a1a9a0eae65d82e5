"""``webcare import PATH --format jsonl|twcs``: bulk-import a file of messages (docs/import.md).

Exit codes: 0 when every row was stored, already there, or skipped with a reason (skips go to stderr and the
summary); 2 when the command cannot start (no such file, unknown format, a file that is not of the format, bad
options); 1 when the database fails part-way — rerunning is safe because importing is idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from webcare.importers.common import (
    DEFAULT_BATCH_SIZE,
    ImportFileError,
    ImportStats,
    Reporter,
    ensure_migrated,
    first_response_figures,
    one_line_summary,
    render_summary,
)
from webcare.importers.jsonl import import_jsonl, is_slug
from webcare.importers.twcs import import_twcs

FORMATS = ("jsonl", "twcs")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "twcs"}
#: Page cache of the import's own SQLite connection, KiB.
SQLITE_CACHE_KIB = 16_384


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Bulk-import messages from a file: webcare's JSONL format or the twcs (Customer Support on Twitter) CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--format", dest="fmt", choices=FORMATS,
                            help="jsonl (webcare's format) or twcs; default: from the file name (.jsonl / .csv)")
        parser.add_argument("--org", help="jsonl: organisation slug for lines that do not name one")
        parser.add_argument("--org-name", help="jsonl: name of an organisation the import creates (default: its slug)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help=f"messages per transaction (default {DEFAULT_BATCH_SIZE})")
        parser.add_argument("--quiet", action="store_true",
                            help="no progress bar and a one-line summary (skipped rows are still listed on stderr)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]).expanduser()
        if not path.exists():
            raise _usage_error(f"{path}: no such file")
        if not path.is_file():
            raise _usage_error(f"{path}: not a file")
        fmt = options["fmt"] or _SUFFIXES.get(path.suffix.lower())
        if fmt not in FORMATS:
            raise _usage_error(f"cannot tell the format of {path.name}: give --format {' or '.join(FORMATS)}")
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise _usage_error("--batch-size must be at least 1")
        org, org_name = options["org"], options["org_name"]
        if fmt == "twcs" and (org or org_name):
            raise _usage_error("--org and --org-name apply to jsonl only: twcs makes one organisation per company")
        if org and not is_slug(org):
            raise _usage_error(f"--org {org!r} is not a slug (lower-case letters, digits and hyphens)")

        ensure_migrated()
        if connection.vendor == "sqlite":
            # The server's settings map up to 256 MB of the database file into the process and keep a 64 MB page
            # cache; for one long bulk write both only add resident memory (measured: the cache alone is ~40 MB of
            # the peak at a million rows) without making the import measurably faster. This connection only.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA mmap_size=0")
                cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

        stats = ImportStats(format=fmt)
        show_progress = not options["quiet"] and self.stderr.isatty()
        try:
            with Reporter(self.stderr, stats, show_progress) as reporter:
                if fmt == "jsonl":
                    import_jsonl(path, reporter=reporter, stats=stats, batch_size=batch_size,
                                 default_org=org, org_name=org_name)
                else:
                    import_twcs(path, reporter=reporter, stats=stats, batch_size=batch_size)
        except ImportFileError as exc:
            raise _usage_error(str(exc)) from exc
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            raise _usage_error(f"{path}: {exc.strerror or exc}") from exc
        first_response_figures(stats)
        self.stdout.write(one_line_summary(stats) if options["quiet"] else render_summary(stats))
