"""``webcare search QUERY``: the same search as the search page and the API, from the command line.

    webcare search 'faktura "ikke kommet"' --channel x,facebook --lang nb --status open --newest --limit 50 --json

``--json`` prints one JSON line per hit (ticket_id, message_id, channel, language, sent_at, score, snippet — masked
text only), for scripts; otherwise a table with the total. The index is brought up to date first when this process
can take its writer (nothing else is indexing); while ``webcare serve`` or ``webcare searchindex follow`` runs,
that indexer keeps it up to date.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from webcare.core.bootstrap import ensure_migrated
from webcare.core.models import Organisation
from webcare.search import engine, indexer
from webcare.search.types import SearchQuery, SearchQueryError

USAGE = 2


def split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def organisation(slug: str | None) -> Organisation:
    """The organisation named, or the only one there is."""
    if slug:
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:20])
            raise CommandError(f"no organisation with slug {slug!r} (known: {known or 'none yet'})",
                               returncode=USAGE)
        return found
    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:21])
    if len(slugs) == 1:
        return Organisation.objects.get(slug=slugs[0])
    if not slugs:
        raise CommandError("there is no organisation yet", returncode=USAGE)
    raise CommandError(f"there are several organisations: give --organisation ({', '.join(slugs[:20])})",
                       returncode=USAGE)


def highlighted(snippet: str, ranges: tuple[tuple[int, int], ...]) -> str:
    """The snippet as rich markup with the matched words in bold (the text itself escaped)."""
    parts, last = [], 0
    for start, end in ranges:
        parts += [escape(snippet[last:start]), f"[bold]{escape(snippet[start:end])}[/bold]"]
        last = end
    return "".join(parts) + escape(snippet[last:])


class Command(BaseCommand):
    help = "Search every channel's messages (masked text): words, \"phrases\", #ticket numbers, customer names."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="", help="what to look for (empty: the newest messages)")
        parser.add_argument("--organisation", "--org", dest="organisation", metavar="SLUG",
                            help="organisation slug (needed when there is more than one)")
        parser.add_argument("--channel", action="append", metavar="KIND", help="channel kind(s): x,facebook,email …")
        parser.add_argument("--lang", action="append", metavar="CODE", help="language(s): nb,en …")
        parser.add_argument("--status", action="append", metavar="STATUS", help="ticket status(es): new,open …")
        parser.add_argument("--newest", action="store_true", help="newest first instead of best match first")
        parser.add_argument("--limit", type=int, default=20, help=f"hits to show (1–{engine.MAX_LIMIT}; default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON line per hit")
        parser.add_argument("--no-sync", action="store_true", help="do not bring the index up to date first")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout, migrate=False)
        org = organisation(options["organisation"])
        query = SearchQuery(organisation_id=org.pk, text=options["query"], channels=split(options["channel"]),
                            languages=split(options["lang"]), statuses=split(options["status"]),
                            order="newest" if options["newest"] else "relevance", limit=options["limit"],
                            facets=False)
        try:
            engine.validate(query)
        except SearchQueryError as exc:
            raise CommandError(str(exc).replace("q: ", "query: ", 1), returncode=USAGE) from exc
        if not options["no_sync"]:
            self._sync()
        result = engine.search(query)
        if options["json"]:
            for hit in result.hits:
                self.stdout.write(json.dumps({
                    "ticket_id": hit.ticket_id, "message_id": hit.message_id, "channel": hit.channel,
                    "language": hit.language, "sent_at": hit.sent_at.isoformat(), "score": round(hit.score, 4),
                    "snippet": hit.snippet}, ensure_ascii=False))
            return
        console = Console(file=cast(TextIO, self.stdout), width=140)
        table = Table(title=f"{result.total:,} messages match ({result.took_ms:.1f} ms)"
                      + (f"; showing {len(result.hits)}" if result.total > len(result.hits) else ""))
        for column in ("ticket", "message", "channel", "lang", "sent", "snippet"):
            table.add_column(column, justify="right" if column in ("ticket", "message") else "left",
                             overflow="fold")
        for hit in result.hits:
            table.add_row(f"#{hit.ticket_id}", str(hit.message_id), hit.channel, hit.language or "—",
                          hit.sent_at.strftime("%Y-%m-%d %H:%M"), highlighted(hit.snippet, hit.highlights))
        console.print(table)

    def _sync(self) -> None:
        from webcare.search.tantivy_backend import WriterBusy

        with contextlib.suppress(WriterBusy):  # another process is indexing: it keeps the index up to date
            indexer.sync()
