"""``webcare apitoken``: issue an API token for an organisation (printed once, stored hashed), or revoke one by its
prefix. Both are recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from webcare.audit import events as audit_events
from webcare.audit.log import cli_actor
from webcare.core.bootstrap import ensure_migrated, organisation_by_slug
from webcare.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for an organisation (printed once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--name", default="cli", help="what the token is for")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token whose listed prefix is this")
        parser.add_argument("--can-reveal", action="store_true",
                            help="let the token ask for personal data unmasked (?reveal=<purpose>; each such request "
                                 "is recorded as a reveal)")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated(self.stdout)
        org = organisation_by_slug(options["org"])
        if options["revoke"]:
            with transaction.atomic():
                token = ApiToken.objects.select_for_update().filter(organisation=org,
                                                                    prefix=options["revoke"]).first()
                if token is None or token.revoked_at is not None:
                    state = "no such token" if token is None else "that token is already revoked"
                    raise CommandError(f"--revoke: {state} in {org.slug}")
                token.revoked_at = timezone.now()
                token.save(update_fields=["revoked_at"])
                audit_events.token_revoked(token, actor_label=cli_actor())
            self.stdout.write(f"revoked {token.prefix}…")
            return
        with transaction.atomic():
            token, plain = ApiToken.issue(org, options["name"], can_reveal=options["can_reveal"])
            audit_events.token_created(token, actor_label=cli_actor())
        self.stdout.write(plain)
