"""The backup guarantee: a backup of the main database taken before an erasure cannot reveal the person.

A real backup, taken the way an operator takes one — the SQLite online-backup API to a file, or ``pg_dump`` restored
with ``psql`` into a new PostgreSQL database — while Kari is still there. After the erasure the backup's copies of her
messages are ciphertext whose keys are gone from the keyring, and ``webcare gdpr reapply`` (a real subprocess, run
on the restored copy with the live keyring) leaves no value of hers in any table or stored file of it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from tests.conftest import ApiClient, Personas
from tests.gdpr_support import EMAIL, build_kari
from tests.support import PRELUDE, ROOT, WEBCARE, child_env
from webcare.channels.attachments import _opened
from webcare.conversations.models import Message
from webcare.gdpr.erase import erase
from webcare.gdpr.find import choose, find
from webcare.keys.keyring import Missing
from webcare.keys.sealing import Unreadable, open_text

LABEL = "conversations.message.text"


@pytest.fixture(autouse=True)
def fresh_keyring_cache() -> None:
    """Keys cached by earlier tests in this process may be gone with their rolled-back rows; the child processes
    here read the keyring itself, so this process must too."""
    from webcare.keys import keyring

    keyring.forget_all()


@dataclass
class Restored:
    """A restored copy of the main database: how to read it directly, and the environment that points webcare at
    it (with the live keyring)."""

    env: dict[str, str]
    rows: Any  # (sql, params) -> list of tuples


def _pg_url(name: str) -> str:
    sd = connection.settings_dict
    return f"postgres://{sd['USER']}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}"


@pytest.fixture
def backup(tmp_path: Path) -> Iterator[Any]:
    """``take()`` backs the main database up now and returns the :class:`Restored` copy."""
    made: list[str] = []
    child_dir = tmp_path / "restored-data"
    child_dir.mkdir()
    base = {"WEBCARE_DATA_DIR": str(child_dir), "WEBCARE_MASTER_KEY": settings.WEBCARE_MASTER_KEY}

    def take() -> Restored:
        if connection.vendor == "sqlite":
            path = tmp_path / "backup.sqlite3"
            source = sqlite3.connect(connection.settings_dict["NAME"])
            target = sqlite3.connect(path)
            with target:
                source.backup(target)
            source.close()
            target.close()

            def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
                db = sqlite3.connect(path)
                try:
                    return db.execute(sql.replace("%s", "?"), params).fetchall()
                finally:
                    db.close()

            env = child_env(WEBCARE_SQLITE_PATH=str(path),
                            WEBCARE_KEYRING_PATH=str(connections["keyring"].settings_dict["NAME"]), **base)
            return Restored(env=env, rows=rows)
        import psycopg

        name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
        dump = tmp_path / "backup.sql"
        sd = connection.settings_dict
        host, port, user = sd["HOST"] or "127.0.0.1", str(sd["PORT"] or 5432), sd["USER"]
        subprocess.run(["pg_dump", "-h", host, "-p", port, "-U", user, "--no-owner", "-f", str(dump), sd["NAME"]],
                       check=True, capture_output=True, timeout=120)
        subprocess.run(["createdb", "-h", host, "-p", port, "-U", user, name], check=True, capture_output=True,
                       timeout=60)
        made.append(name)
        subprocess.run(["psql", "-h", host, "-p", port, "-U", user, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump),
                        name], check=True, capture_output=True, timeout=120)

        def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
            with psycopg.connect(_pg_url(name)) as db:
                return db.execute(sql, params).fetchall()  # type: ignore[arg-type]

        env = child_env(DATABASE_URL=_pg_url(name),
                        WEBCARE_KEYRING_URL=_pg_url(connections["keyring"].settings_dict["NAME"]), **base)
        return Restored(env=env, rows=rows)

    yield take
    for name in made:
        sd = connection.settings_dict
        subprocess.run(["dropdb", "-h", sd["HOST"] or "127.0.0.1", "-p", str(sd["PORT"] or 5432), "-U", sd["USER"],
                        "--if-exists", name], check=False, capture_output=True, timeout=60)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WEBCARE, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


SCAN = """
import json
from tests.gdpr_support import KARI, traces_in_databases, traces_in_files
print("TRACES " + json.dumps(traces_in_databases(KARI) + traces_in_files(KARI)))
"""


def traces(env: dict[str, str]) -> list[str]:
    import sys

    done = subprocess.run([sys.executable, "-c", PRELUDE + SCAN], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("TRACES "))
    return list(json.loads(line[len("TRACES "):]))


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_before_the_erasure_cannot_reveal_the_person(personas: Personas, api: ApiClient,
                                                                    settings: Any, tmp_path: Path,
                                                                    backup: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    kari = build_kari(personas, api, Path(settings.MEDIA_ROOT))
    mine = sorted(Message.objects.filter(ticket_id__in=kari.tickets).values_list("pk", flat=True))
    restored = backup()
    # The stored files are backed up with the database (the same moment).
    files = Path(restored.env["WEBCARE_DATA_DIR"]) / "media"
    shutil.copytree(settings.MEDIA_ROOT, files)
    assert traces(restored.env), "the restored copy holds her data before the erasure: the scan can fail"

    match = choose(find(personas.org, EMAIL))
    erase(personas.org, match.customer_ids, identifier=find(personas.org, EMAIL).identifier)

    # 1. The backup's copies of her messages cannot be decrypted with the keyring as it is now.
    stored = restored.rows("SELECT text FROM conversations_message WHERE id = ANY(%s)"
                           if connection.vendor == "postgresql" else
                           f"SELECT text FROM conversations_message WHERE id IN ({','.join('?' * len(mine))})",
                           [mine] if connection.vendor == "postgresql" else mine)
    texts = [row[0] for row in stored if row[0]]
    assert len(texts) == len(mine) and all(text.startswith("wce1:") for text in texts)
    opened = [open_text(text, LABEL) for text in texts]
    assert all(isinstance(value, Unreadable) and value.reason == "erased" for value in opened), opened
    sealed = [path for path in (files / "attachments" / str(personas.org.pk)).iterdir()]
    assert sealed and all(isinstance(_opened(personas.org.pk, path.name, path), Missing) for path in sealed)

    # 2. Restored, then cleaned by `webcare gdpr reapply`: nothing of her is left in any table or file.
    done = run(restored.env, "gdpr", "reapply")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "1 erasures in the ledger; 1 people were found in this database and erased again" in done.stdout
    assert traces(restored.env) == [], done.stdout + done.stderr[-3000:]
    # The figures are still there in the restored copy: her tickets as anonymous shells.
    assert len(restored.rows("SELECT id FROM tickets_ticket WHERE customer_id IS NULL", [])) == len(kari.tickets)

    # 3. Idempotent: a second run finds nobody.
    again = run(restored.env, "gdpr", "reapply")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "0 people were found" in again.stdout and "1 already gone" in again.stdout


@pytest.mark.django_db(transaction=True)
def test_reapply_finds_a_person_again_by_the_hashes_of_their_identifiers(personas: Personas, api: ApiClient,
                                                                       settings: Any, tmp_path: Path) -> None:
    """After a restore, the person writes again before reapply runs: a new customer row, found by the ledger's
    keyed hashes (the ledger holds no address in clear)."""
    from webcare.gdpr.reapply import reapply
    from webcare.keys.models import ErasedSubject

    settings.MEDIA_ROOT = tmp_path / "media"
    kari = build_kari(personas, api, Path(settings.MEDIA_ROOT))
    erase(personas.org, [kari.customer.pk], identifier=find(personas.org, EMAIL).identifier)
    assert EMAIL not in json.dumps(list(ErasedSubject.objects.values_list("identifier_hashes", flat=True)))
    api.post_json("/api/v1/inbound", {"message_id": "api-kari-again", "conversation_id": "api-thread-kari-2",
                                      "conversation_kind": "private", "text": "Hallo igjen",
                                      "author": {"id": "kari-api-7", "handle": "@kari_nordmann", "name": "K"},
                                      "sent_at": "2026-12-01T10:00:00+00:00"})
    from webcare.ingest.worker import drain

    drain()
    assert find(personas.org, "@kari_nordmann").matches
    report = reapply()
    assert len(report.erased) == 1 and report.totals()["customers"] == 1
    assert find(personas.org, "@kari_nordmann").matches == []
    assert os.environ.get("WEBCARE_DATA_DIR")  # the test ran with its own data directory
