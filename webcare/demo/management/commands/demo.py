"""``webcare demo``: load the Fjordnett demo data, then serve the desk (``--load-only`` to just load)."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from webcare.core.bootstrap import ensure_admin, ensure_migrated
from webcare.core.models import Organisation


class Command(BaseCommand):
    help = "Load the demo data (two weeks of a Nordic telecom's customer service), then serve the desk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--load-only", action="store_true", help="load the data and exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console

        from webcare.demo.loader import load_demo

        ensure_migrated(self.stdout)
        console = Console(file=cast(TextIO, self.stdout))
        with console.status("Loading the demo data…"):
            summary = load_demo()
        if summary.already_loaded:
            self.stdout.write(f"The demo organisation '{summary.organisation}' is already loaded; nothing changed.")
        else:
            statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.tickets_by_status.items()))
            self.stdout.write(self.style.SUCCESS(
                f"Demo loaded: {summary.conversations} conversations, {summary.messages} messages ({statuses})."))
            self.stdout.write(f"Demo agents ({', '.join(summary.agents)}) sign in with the password "
                              f"{summary.agent_password} (shown only now).")
        ensure_admin(self.stdout, Organisation.objects.get(slug=summary.organisation))
        if not options["load_only"]:
            call_command("serve", host=options["host"], port=options["port"])
