"""Making the keyring database exist: a second SQLite file appears by itself, a PostgreSQL database must be created.

Why here and not left to the administrator: ``webcare migrate`` is the one set-up step people and scripts run, and
it must leave a working install — so it creates the keyring database when the server allows, and otherwise says
exactly which database is missing and which privilege would let webcare create it.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError, OperationalError, connections

from webcare.keys.router import KEYRING


def keyring_exists() -> bool:
    """Whether the keyring database can be connected to (a missing SQLite file is made on connect)."""
    db = connections[KEYRING]
    try:
        db.ensure_connection()
    except OperationalError as exc:
        db.close()
        if "does not exist" in str(exc):
            return False
        raise
    return True


def ensure_keyring_database() -> bool:
    """Create the keyring database on PostgreSQL when it does not exist; True when it was created.

    Raises :class:`CommandError` naming the database and the privilege needed when it cannot be created.
    """
    db = connections[KEYRING]
    if db.vendor != "postgresql" or keyring_exists():
        return False
    name = str(db.settings_dict["NAME"])
    user = db.settings_dict.get("USER") or "the connecting role"
    try:
        with db._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {db.ops.quote_name(name)}")
    except DatabaseError as exc:
        raise CommandError(
            f"The keyring database {name!r} does not exist and {user!r} cannot create it ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0]}). Create it once as a role with the CREATEDB privilege "
            f"(CREATE DATABASE \"{name}\" OWNER \"{user}\";), or grant {user!r} CREATEDB, or point "
            "WEBCARE_KEYRING_URL at an existing database; then run `webcare migrate` again."
        ) from exc
    finally:
        db.close()
    return True
