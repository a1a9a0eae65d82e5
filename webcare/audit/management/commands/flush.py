"""Django's ``flush``, able to empty the append-only audit table (and nothing else changed).

Why override a built-in command: the audit table's triggers refuse DELETE and TRUNCATE (webcare/audit/guard.py),
and the test suite empties every table with ``flush`` after each transactional test. Django runs an app's command in
place of its own of the same name, so this is the one path through: it lifts the guard inside the flush's own
transaction, so the trigger is back (or was never gone) when it ends. Asking "are you sure?" happens first, outside
the transaction, so no lock is held while a person reads the question.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from webcare.audit.guard import lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        if options["interactive"]:
            confirm = input(f'You have requested a flush of the database.\nThis will IRREVERSIBLY DESTROY all data '
                            f'currently in the "{connection.settings_dict["NAME"]}" database, the audit log too,\n'
                            "and return each table to an empty state.\nAre you sure you want to do this?\n\n"
                            "    Type 'yes' to continue, or 'no' to cancel: ")
            if confirm != "yes":
                self.stdout.write("Flush cancelled.")
                return
        with transaction.atomic(using=database), lifted(connection):
            super().handle(**{**options, "interactive": False})
