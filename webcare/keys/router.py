"""Database routing: the ``keys`` app lives in the ``keyring`` database, everything else in ``default``.

Why: see :mod:`webcare.keys.models` — keys must not travel in the main database's backups.
"""

from __future__ import annotations

from typing import Any

KEYRING = "keyring"
APP = "keys"


class KeyringRouter:
    """Send the keys app to the keyring database and keep every other app out of it."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return KEYRING if model._meta.app_label == APP else None  # type: ignore[attr-defined]

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return KEYRING if model._meta.app_label == APP else None  # type: ignore[attr-defined]

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        if db == KEYRING:
            return app_label == APP
        return app_label != APP
