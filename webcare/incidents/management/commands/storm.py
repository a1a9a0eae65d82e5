"""``webcare storm``: inject a storm of complaints about one outage into a running desk (the demo's incident story).

    webcare storm --organisation fjordnett              # 40 messages over 3 minutes, as they would arrive
    webcare storm --organisation fjordnett --at-once    # all now, sent over the last 3 minutes

The messages go through the normal ingestion path (webcare/demo/storm.py): with ``webcare serve`` (or ``webcare
demo``) running in another terminal, the worker stores them, and the incident watcher of the automation loop opens
an incident within a minute or two — supervisors get a notification, the inbox shows the banner.
"""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webcare.core.models import Organisation


class Command(BaseCommand):
    help = "Inject a storm of messages about one outage (four languages, several channels) into an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", "--org", default="fjordnett", help="organisation slug (default: the "
                                                                                 "demo's, fjordnett)")
        parser.add_argument("--count", type=int, default=40, help="how many messages (default 40)")
        parser.add_argument("--minutes", type=float, default=3.0, help="over how many minutes (default 3)")
        parser.add_argument("--at-once", action="store_true",
                            help="deliver all now, with send times spread over the last --minutes")
        parser.add_argument("--seed", type=int, default=31, help="varies the wording, names and languages")

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from webcare.demo.storm import inject

        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']!r}; `webcare demo --load-only` makes "
                               "'fjordnett'")
        if options["count"] < 1 or options["minutes"] <= 0:
            raise CommandError("--count must be at least 1 and --minutes more than 0")
        console = Console(file=cast(TextIO, self.stdout))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Storm", total=options["count"])
            try:
                stored = inject(organisation, count=options["count"], minutes=options["minutes"],
                                paced=not options["at_once"], seed=options["seed"],
                                progress=lambda n, message: progress.update(
                                    task, completed=n + 1, description=f"Storm ({message.channel_kind})"))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Delivered {stored} messages to {organisation.name}. With `webcare serve` running, the incident appears "
            "at /incidents/ within a minute or two."))
