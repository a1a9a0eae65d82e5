"""The keyring database (webcare/keys): ``webcare migrate`` makes and migrates it beside the main database (creating
it on PostgreSQL, or saying which privilege is missing), commands that must not migrate say it is behind, worker
processes use it, and the per-process cache of keys is bounded."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from tests.conftest import Personas, inbound_payload
from tests.support import ROOT, WEBCARE, child_env, python_child
from webcare.conversations.models import Message
from webcare.customers.models import Customer
from webcare.ingest.receive import receive
from webcare.keys import keyring
from webcare.keys.models import DataKey
from webcare.keys.sealing import token_key_id

KEYRING_TABLES = {"keys_datakey", "keys_erasedsubject"}


def fresh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment with its own empty data directory (and the same database server)."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"WEBCARE_SQLITE_PATH", "WEBCARE_KEYRING_PATH", "WEBCARE_KEYRING_URL", "DATABASE_URL"}}
    env["WEBCARE_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def postgres_admin(sql: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)


def test_migrate_creates_and_migrates_both_sqlite_databases(tmp_path: Path) -> None:
    done = run([WEBCARE, "migrate"], fresh_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Database 'default'" in done.stdout and "Database 'keyring'" in done.stdout
    main, keys = sqlite_tables(tmp_path / "data" / "webcare.sqlite3"), sqlite_tables(tmp_path / "data" /
                                                                                     "keyring.sqlite3")
    assert "conversations_message" in main and not KEYRING_TABLES & main  # keys never in the main database
    assert keys >= KEYRING_TABLES and "conversations_message" not in keys


def test_commands_migrate_the_keyring_too_or_say_it_is_behind(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    assert run([WEBCARE, "migrate", "--database", "default"], env).returncode == 0
    assert not KEYRING_TABLES & sqlite_tables(tmp_path / "data" / "keyring.sqlite3")
    refused = run(python_child("""
        from webcare.core.bootstrap import ensure_migrated
        ensure_migrated(sys.stdout, migrate=False)
    """), env)
    assert refused.returncode != 0
    assert "keyring SQLite file" in refused.stderr and "is not migrated" in refused.stderr
    assert "Run `webcare migrate` once" in refused.stderr
    events = run([WEBCARE, "events"], env)  # an ordinary command migrates what is behind (embedded default)
    assert events.returncode == 0, events.stderr
    assert "Migrating the keyring SQLite file" in events.stdout
    assert sqlite_tables(tmp_path / "data" / "keyring.sqlite3") >= KEYRING_TABLES


@pytest.mark.django_db
def test_migrate_creates_the_keyring_database_on_postgresql(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite keyring is a file made on first use")
    name = f"webcare_h1_fresh_{uuid.uuid4().hex[:8]}"
    sd = connection.settings_dict
    url = f"postgres://{sd['USER']}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        done = run([WEBCARE, "migrate"], fresh_env(tmp_path, DATABASE_URL=url))
        assert done.returncode == 0, done.stderr
        assert "Created the keyring database." in done.stdout
        check = run(python_child("""
            from django.db import connections
            with connections["keyring"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM keys_datakey")
                print(connections["keyring"].settings_dict["NAME"], cursor.fetchone()[0])
        """), fresh_env(tmp_path, DATABASE_URL=url))
        assert check.stdout.split() == [f"{name}_keyring", "0"], check.stderr
    finally:
        for db in (f"{name}_keyring", name):
            postgres_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.mark.django_db
def test_migrate_names_the_database_and_the_privilege_when_it_cannot_create_the_keyring(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    suffix = uuid.uuid4().hex[:8]
    role, name = f"webcare_h1_nocreate_{suffix}", f"webcare_h1_nocreate_{suffix}"
    sd = connection.settings_dict
    url = f"postgres://{role}:pw@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}"
    postgres_admin(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'pw' NOCREATEDB")
    postgres_admin(f'CREATE DATABASE "{name}" OWNER "{role}"')
    try:
        failed = run([WEBCARE, "migrate"], fresh_env(tmp_path, DATABASE_URL=url))
        assert failed.returncode != 0
        assert f"The keyring database '{name}_keyring' does not exist" in failed.stderr
        assert "CREATEDB" in failed.stderr and "WEBCARE_KEYRING_URL" in failed.stderr
        assert "Traceback" not in failed.stderr
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres_admin(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_encrypts_with_keys_in_the_test_keyring(personas: Personas) -> None:
    receive(personas.channel, inbound_payload(1), external_id="m-1")
    env = child_env()
    assert env.get("WEBCARE_KEYRING_PATH") or env.get("WEBCARE_KEYRING_URL")
    done = run([WEBCARE, "worker", "--once"], env)
    assert done.returncode == 0, done.stderr
    assert "1 messages stored" in done.stdout
    message = Message.objects.select_related("conversation").get()
    customer = Customer.objects.get(pk=message.conversation.customer_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM conversations_message WHERE id = %s", [message.pk])
        assert token_key_id(cursor.fetchone()[0]) == customer.data_key
    # The key the other process made is in this test's keyring, and opens the message here.
    assert DataKey.objects.using("keyring").filter(pk=customer.data_key, customer_id=customer.pk).exists()
    keyring.forget_all()
    assert Message.objects.get().text == inbound_payload(1)["text"]
    assert connections["keyring"].settings_dict["NAME"] in (env.get("WEBCARE_KEYRING_PATH", ""),
                                                            env.get("WEBCARE_KEYRING_URL", "").rsplit("/", 1)[-1])


def test_the_key_cache_is_bounded_and_expires(settings: Any, db: Any) -> None:
    settings.WEBCARE_KEY_CACHE_SIZE = 3
    keyring.forget_all()
    keys = [keyring.file_key(1) for _ in range(5)]
    assert len(keyring.CACHE) == 3
    assert keyring.CACHE.get(keys[0].id) is None and keyring.CACHE.get(keys[-1].id) is keys[-1]
    fetched = keyring.get_key(keys[0].id)  # evicted, so read and unwrapped again: the same secret
    assert isinstance(fetched, keyring.Key) and fetched.secret == keys[0].secret
    settings.WEBCARE_KEY_CACHE_SECONDS = 0
    keyring.forget_all()
    keyring.get_key(keys[1].id)
    assert len(keyring.CACHE) == 0  # caching off: every read goes to the keyring
    missing = keyring.get_key(uuid.uuid4())
    assert isinstance(missing, keyring.Missing) and missing.reason == "erased"
    assert repr(keys[0]).startswith("Key(") and keys[0].secret.hex() not in repr(keys[0])
