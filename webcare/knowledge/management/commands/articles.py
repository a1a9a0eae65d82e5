"""``webcare articles``: load FAQ articles for the web chat's suggested answers from a JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webcare.core.bootstrap import ensure_migrated
from webcare.core.models import Organisation
from webcare.knowledge.loader import DEMO_FILE, LoadError, load_file


class Command(BaseCommand):
    help = ("Load FAQ articles (JSON: {\"articles\": [{slug, language, question, answer, keywords, published}]}) "
            "into an organisation's knowledge base. Re-loading a file updates changed articles and adds nothing twice.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="the JSON file")
        parser.add_argument("--demo", action="store_true", help="load the Fjordnett demo articles (nb and en)")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        path: Path | None = DEMO_FILE if options["demo"] else options["path"]
        if path is None:
            raise CommandError("give the JSON file to load, or --demo")
        if options["demo"] and options["path"]:
            raise CommandError("give either a file or --demo, not both")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with the slug {options['organisation']!r}")
        try:
            loaded = load_file(organisation, path)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{organisation.slug}: {loaded.created} articles added, {loaded.updated} updated, "
                          f"{loaded.unchanged} unchanged")
