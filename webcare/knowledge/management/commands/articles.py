"""``webcare articles``: load FAQ articles from files into an organisation's knowledge base, or export them.

Files are Markdown with front matter (one or more articles per file; a directory is read recursively) or JSON; see
``webcare/knowledge/loader.py`` and docs/knowledge.md. Loading is all or nothing and re-loading changes only what
changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webcare.core.bootstrap import ensure_migrated
from webcare.core.models import Organisation
from webcare.knowledge.loader import DEMO_DIR, LoadError, export_articles, load_file


class Command(BaseCommand):
    help = ("Load FAQ articles into an organisation's knowledge base from Markdown files with front matter (a file or "
            "a directory) or JSON, or write them out with --export DIR. Re-loading updates changed articles and adds "
            "nothing twice.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="a .md or .json file, or a directory of .md files")
        parser.add_argument("--demo", action="store_true",
                            help="load the Fjordnett demo articles (32 articles in nb, nn, da, sv, fi, nl, de, en)")
        parser.add_argument("--export", type=Path, metavar="DIR",
                            help="write every article to DIR/<language>/<slug>.md instead of loading")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with the slug {options['organisation']!r}")
        if options["export"] is not None:
            if options["demo"] or options["path"]:
                raise CommandError("--export writes files; give no file to load and no --demo with it")
            count = export_articles(organisation, options["export"])
            self.stdout.write(f"{organisation.slug}: {count} articles written to {options['export']}")
            return
        path: Path | None = DEMO_DIR if options["demo"] else options["path"]
        if path is None:
            raise CommandError("give the file or directory to load, --demo, or --export DIR")
        if options["demo"] and options["path"]:
            raise CommandError("give either a file or --demo, not both")
        try:
            loaded = load_file(organisation, path)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{organisation.slug}: {loaded.created} articles added, {loaded.updated} updated, "
                          f"{loaded.unchanged} unchanged")
