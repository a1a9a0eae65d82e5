"""``webcare migrate``: Django's migrate, for both of webcare's databases.

Without ``--database`` it migrates the main database and then the keyring (creating the keyring database on
PostgreSQL when it does not exist), so the one command people and scripts run leaves a complete install. With
``--database`` it is Django's command as it is (the test runner uses that, one database at a time).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS

from webcare.keys.provision import ensure_keyring_database
from webcare.keys.router import KEYRING


class Command(DjangoMigrate):
    help = "Create or update the tables of the main database and of the keyring (or only of --database)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def get_check_kwargs(self, options: dict[str, Any]) -> Any:
        # Before the keyring database may exist: check the main one (or the one asked for).
        return super().get_check_kwargs({**options, "database": options.get("database") or DEFAULT_DB_ALIAS})

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("database"):
            if options["database"] == KEYRING:
                ensure_keyring_database()
            super().handle(*args, **options)
            return
        for alias in (DEFAULT_DB_ALIAS, KEYRING):
            if alias == KEYRING and ensure_keyring_database() and options["verbosity"] >= 1:
                self.stdout.write("Created the keyring database.")
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Database {alias!r}:"))
            super().handle(*args, **{**options, "database": alias})
