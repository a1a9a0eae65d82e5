"""``webcare events``: see the inbound events that failed, and send dead letters back to the worker."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from webcare.core.bootstrap import ensure_migrated
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.retry import retry_dead


class Command(BaseCommand):
    help = "List inbound events by status (default: dead letters) or retry dead letters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", choices=[s.value for s in EventStatus], default=EventStatus.DEAD)
        parser.add_argument("--retry", nargs="*", type=int, metavar="ID",
                            help="send these dead events (all dead events when no id is given) back to the worker")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        if options["retry"] is not None:
            ids = options["retry"] or None
            if ids:
                not_dead = set(ids) - set(
                    InboundEvent.objects.filter(pk__in=ids, status=EventStatus.DEAD).values_list("pk", flat=True)
                )
                if not_dead:
                    raise CommandError(f"Not dead-lettered (or unknown): {sorted(not_dead)}")
            count = retry_dead(ids)
            self.stdout.write(f"{count} events sent back to the worker")
            return
        rows = InboundEvent.objects.filter(status=options["status"]).select_related("channel").order_by("-id")
        table = Table(title=f"inbound events: {options['status']} ({rows.count()})")
        for column in ("id", "channel", "source", "received", "attempts", "error"):
            table.add_column(column)
        for event in rows[: options["limit"]]:
            table.add_row(str(event.pk), event.channel.slug, event.source, f"{event.received_at:%Y-%m-%d %H:%M}",
                          str(event.attempts), event.last_error[:80])
        Console(file=cast(TextIO, self.stdout), width=140).print(table)
