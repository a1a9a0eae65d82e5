"""``webcare apitoken``: issue an API token for an organisation; the token is printed once and stored hashed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from webcare.core.bootstrap import ensure_migrated, organisation_by_slug
from webcare.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for an organisation (printed once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        org = organisation_by_slug(options["org"])
        _, plain = ApiToken.issue(org, options["name"])
        self.stdout.write(plain)
