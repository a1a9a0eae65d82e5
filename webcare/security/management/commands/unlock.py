"""``webcare unlock USERNAME``: lift a sign-in lock (and forget the failures); ``--two-factor`` also turns two-step
sign-in off for someone who lost their phone and their recovery codes (audited; an admin must enrol again)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from webcare.security import session, throttle, two_factor


class Command(BaseCommand):
    help = "Lift a sign-in lock of a username (and optionally of a client address); --two-factor resets 2FA."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--address", default="", help="also lift the lock of this client address")
        parser.add_argument("--two-factor", action="store_true",
                            help="also turn two-step sign-in off (lost phone); the person enrols again")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if options["two_factor"] and user is None:
            raise CommandError(f"No user named {username!r}: nothing to reset.")
        removed = throttle.unlock(username, options["address"])
        if removed:
            self.stdout.write(f"Unlocked: {username}" + (f" and {options['address']}" if options["address"] else "")
                              + " may sign in again.")
        else:
            self.stdout.write(f"{username} was not locked" + (" (nor that address)" if options["address"] else "")
                              + "; nothing to lift.")
        if options["two_factor"]:
            if two_factor.reset(user, actor_label="webcare unlock --two-factor"):
                ended = session.end_other_sessions(user, None)
                again = ("they must set it up again at their next sign-in." if two_factor.required(user)
                         else "they may set it up again on their account page.")
                self.stdout.write(f"Two-step sign-in of {username} is off ({ended} sessions ended); {again}")
            else:
                self.stdout.write(f"{username} had no two-step sign-in.")
