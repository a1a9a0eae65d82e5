"""``webcare audit``: prove the audit chain intact, list entries, export them for a data-protection officer.

    webcare audit verify [--anchor HASH ...]
    webcare audit list [--action A] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--actor NAME] [--org SLUG]
                       [--target T] [--limit N]
    webcare audit export --out FILE.jsonl [--org SLUG]

``verify`` exits 0 with "intact: N entries, last hash …" — note that hash somewhere outside the database (it is an
anchor: ``--anchor`` proves later that nothing up to it was removed or rewritten) — or exits 1 naming the first
broken entry and what is wrong with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from webcare.audit import actions, chain, export, query, verify
from webcare.audit.log import cli_actor, record
from webcare.audit.models import AuditEntry
from webcare.core.bootstrap import ensure_migrated, organisation_by_slug


class Command(BaseCommand):
    help = "The audit log: verify the hash chain, list entries, export them as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="what", required=True, metavar="verify|list|export")
        check = commands.add_parser("verify", help="check every entry's hash and link; print the last hash")
        check.add_argument("--anchor", action="append", default=[], metavar="HASH",
                           help="a hash noted earlier that must still be in the chain (repeatable)")
        check.add_argument("--batch", type=int, default=verify.BATCH, help=f"entries per query (default "
                                                                             f"{verify.BATCH})")
        listing = commands.add_parser("list", help="entries as a table, newest first")
        listing.add_argument("--action", default="", help="e.g. auth.sign_in, privacy.reveal")
        listing.add_argument("--since", default="", help="from this day (YYYY-MM-DD)")
        listing.add_argument("--until", default="", help="up to and including this day (YYYY-MM-DD)")
        listing.add_argument("--actor", default="", help="a username (or user id)")
        listing.add_argument("--target", default="", help='e.g. "agent:3", or "agent:" for every agent')
        listing.add_argument("--org", default="", help="organisation slug")
        listing.add_argument("--limit", type=int, default=50)
        out = commands.add_parser("export", help="every entry as JSON lines (checkable with verify_export.py)")
        out.add_argument("--out", required=True, help="the file to write (FILE.jsonl)")
        out.add_argument("--org", default="", help="only this organisation's entries (links then not checkable)")

    def _console(self, err: bool = False) -> Console:
        return Console(file=cast(TextIO, self.stderr if err else self.stdout), width=160)

    def _progress(self, total: int, what: str) -> Progress:
        return Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=self._console(err=True), transient=True, disable=total == 0)

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        {"verify": self._verify, "list": self._list, "export": self._export}[options["what"]](options)

    def _verify(self, options: dict[str, Any]) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch: give a whole number of at least 1")
        for anchor in options["anchor"]:
            if len(anchor.strip()) != 64 or any(c not in "0123456789abcdef" for c in anchor.strip().lower()):
                raise CommandError(f"--anchor: a hash is 64 hexadecimal digits, not {anchor!r}")
        total = AuditEntry.objects.count()
        with self._progress(total, "verifying") as progress:
            task = progress.add_task("verify", total=total)
            result = verify.verify(options["anchor"], options["batch"], lambda n: progress.advance(task, n))
        if result.broken is not None:
            self._report_break(result.broken, result.count)
            raise CommandError("the audit chain is broken", returncode=1)
        if result.missing_anchors:
            self.stdout.write(f"anchor not found: {', '.join(sorted(result.missing_anchors))}\n"
                              f"the chain holds together ({result.count} entries) but an entry noted earlier is gone:"
                              " entries were removed from the end, or the chain was rewritten from before it")
            raise CommandError("an anchor is missing", returncode=1)
        self.stdout.write(f"intact: {result.count} entries, last hash {result.last_hash}")

    def _report_break(self, broken: chain.Break, intact: int) -> None:
        row = broken.row
        self.stdout.write(f"broken at entry {row.id} ({row.at}, {row.action}, {row.hashed['target'] or '-'}):")
        self.stdout.write(f"  {broken.explain()}")
        if broken.kind == chain.CHANGED:
            self.stdout.write(f"  stored hash   {row.hash}\n  recomputed    {broken.expected}")
        else:
            self.stdout.write(f"  prev_hash     {row.prev_hash}\n  previous hash {broken.expected}")
        self.stdout.write(f"{intact} entries before it are intact")

    def _list(self, options: dict[str, Any]) -> None:
        try:
            since = query.parse_day(options["since"], "--since")
            until = query.parse_day(options["until"], "--until")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["limit"] < 1:
            raise CommandError("--limit: give a whole number of at least 1")
        org = organisation_by_slug(options["org"]) if options["org"] else None
        filters = query.Filters(action=options["action"], actor=options["actor"], target=options["target"],
                                since=since, until=until, organisation_id=org.pk if org else None)
        zone = timezone.get_default_timezone()
        found, _ = query.page(query.apply(AuditEntry.objects.all(), filters, zone), None, options["limit"])
        table = Table(title=f"audit log ({len(found)} newest{' matching' if filters != query.Filters() else ''})")
        for column in ("id", "at", "org", "actor", "action", "target", "detail"):
            table.add_column(column, overflow="fold")
        for entry in found:
            table.add_row(str(entry.pk), f"{timezone.localtime(entry.at, zone):%Y-%m-%d %H:%M:%S}",
                          str(entry.organisation_id or "-"), entry.actor_label, entry.action, entry.target or "-",
                          json.dumps(entry.detail, ensure_ascii=False) if entry.detail else "")
        self._console().print(table)

    def _export(self, options: dict[str, Any]) -> None:
        org = organisation_by_slug(options["org"]) if options["org"] else None
        path = Path(options["out"])
        if not path.parent.is_dir():
            raise CommandError(f"--out: the folder {path.parent} does not exist")
        partial = path.with_name(path.name + ".partial")
        total = AuditEntry.objects.count()
        # Written beside the target and renamed at the end: an interrupted export leaves no half file under the name.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out, self._progress(total, "exporting") as progress:
                task = progress.add_task("export", total=total)
                written = export.write(out, org.pk if org else None, lambda n: progress.advance(task, n))
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        with transaction.atomic():
            record(actions.AUDIT_EXPORTED, organisation=org, actor_label=cli_actor(), target="audit-log",
                   detail={"entries": written, "organisation": org.slug if org else "all"})
        self.stdout.write(f"{written} entries written to {path}")
