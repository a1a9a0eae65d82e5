"""Append-only in the database itself: triggers that refuse UPDATE and DELETE (and TRUNCATE) of audit entries.

Why triggers and not only the ORM: a bug, an admin action, a raw query or an injected statement that can only run
ordinary SQL is refused by the database, whatever code path it came from. What they cannot stop: whoever may change
the schema — a PostgreSQL superuser or the table's owner, or anyone who can write the SQLite file — can drop or
disable them (``ALTER TABLE … DISABLE TRIGGER``, ``SET session_replication_role = replica``, ``DROP TRIGGER``) and
then change rows. The hash chain is what catches that afterwards (``webcare audit verify``); a rewrite that
recomputes every hash after the change is caught against an anchor (a hash noted outside the database).

The one way through is Django's ``flush`` (the test suite empties tables between transactional tests with it, and
``webcare flush`` is an operator's deliberate "erase everything"): :func:`lifted` drops the DELETE trigger (SQLite)
or the TRUNCATE trigger (PostgreSQL) and creates it again *in the same transaction* as the flush, so no other session
ever sees the table unguarded, and it needs the right to change the schema, which is exactly what a superuser has
anyway. UPDATE stays refused throughout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

TABLE: Final = "audit_auditentry"
MESSAGE: Final = "the audit log is append-only"

_PG_FUNCTION: Final = f"""
CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$"""
_PG_ROWS: Final = (f"CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()")
_PG_TRUNCATE: Final = (f"CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {TABLE} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()")
_SQLITE_UPDATE: Final = (f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE} "
                         f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END")
_SQLITE_DELETE: Final = (f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE} "
                         f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END")

#: vendor → (statements that install the guard, statements that remove it)
GUARD: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "postgresql": ((_PG_FUNCTION, _PG_ROWS, _PG_TRUNCATE),
                   (f"DROP TRIGGER IF EXISTS audit_entry_no_truncate ON {TABLE}",
                    f"DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON {TABLE}",
                    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()")),
    "sqlite": ((_SQLITE_UPDATE, _SQLITE_DELETE),
               ("DROP TRIGGER IF EXISTS audit_entry_no_delete", "DROP TRIGGER IF EXISTS audit_entry_no_update")),
}
#: vendor → (drop, create) of the one trigger that a flush must pass.
FLUSH_GATE: Final[dict[str, tuple[str, str]]] = {
    "postgresql": (f"DROP TRIGGER audit_entry_no_truncate ON {TABLE}", _PG_TRUNCATE),
    "sqlite": ("DROP TRIGGER audit_entry_no_delete", _SQLITE_DELETE),
}


def install(schema_editor: Any) -> None:
    """The migration's forward step (nothing on a database webcare does not support: no guard to add)."""
    for sql in GUARD.get(schema_editor.connection.vendor, ((), ()))[0]:
        schema_editor.execute(sql, params=None)  # None: the "%" in the PL/pgSQL body is no placeholder


def uninstall(schema_editor: Any) -> None:
    for sql in GUARD.get(schema_editor.connection.vendor, ((), ()))[1]:
        schema_editor.execute(sql, params=None)


_TRIGGER_EXISTS: Final[dict[str, str]] = {
    "postgresql": "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_entry_no_truncate' AND NOT tgisinternal",
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_entry_no_delete'",
}


def gate_present(connection: Any) -> bool:
    """Whether this database has the trigger a flush must pass (not the keyring database; not before migrating)."""
    sql = _TRIGGER_EXISTS.get(connection.vendor)
    if sql is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone() is not None


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Let a flush empty the table: use inside the flush's transaction (the trigger is back when it commits, and
    never gone if it rolls back)."""
    if not gate_present(connection):
        yield
        return
    drop, create = FLUSH_GATE[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(drop)
    yield
    with connection.cursor() as cursor:
        cursor.execute(create)
