"""``webcare createadmin``: create an admin account, or reset its password, and print the login once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from webcare.core.bootstrap import (
    create_or_reset_admin,
    ensure_default_organisation,
    ensure_migrated,
    organisation_by_slug,
)


class Command(BaseCommand):
    help = "Create an admin account (or reset its password) and print the login once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument("--org", help="organisation slug the admin belongs to (default: the first one)")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        org = organisation_by_slug(options["org"]) if options["org"] else ensure_default_organisation()
        password = create_or_reset_admin(options["username"], options["email"], org)
        self.stdout.write(f"username: {options['username']}\npassword: {password}\n(organisation: {org.slug})\n"
                          "At the first sign-in, set up two-step sign-in with an authenticator app (admins must).")
