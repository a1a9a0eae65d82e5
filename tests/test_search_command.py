"""``webcare search`` and ``webcare searchindex``: the search and its upkeep from the command line."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.search_support import make_message
from webcare.search import indexer

#: The search fixtures (search_backend: each backend with a fresh index; tantivy_index).
pytest_plugins = ["tests.search_support"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def search(*args: str) -> str:
    return run("search", *args, "--organisation", "fjord")


def test_json_lines_give_ticket_message_channel_language_and_the_masked_snippet(tantivy_index: str,
                                                                                personas: Any) -> None:
    nb = make_message(personas.org, "Ring meg på [PHONE], fakturaen er feil", language="nb", kind="x",
                      original="Ring meg på 912 34 567, fakturaen er feil")
    en = make_message(personas.org, "The invoice is wrong", language="en", kind="email")
    lines = search("faktura", "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["ticket_id"], r["message_id"], r["channel"], r["language"]) for r in rows] == [
        (nb.ticket_id, nb.pk, "x", "nb")]
    assert rows[0]["snippet"] == "Ring meg på [PHONE], fakturaen er feil"
    filtered = run("search", "invoice", "--channel", "email,x", "--lang", "en", "--json", "--org", "fjord")
    assert [json.loads(line)["message_id"] for line in filtered.splitlines()] == [en.pk]
    assert search("invoice", "--lang", "nb", "--json") == ""
    with pytest.raises(CommandError, match=r"several organisations: give --organisation \(fjord, other\)"):
        run("search", "invoice")


def test_newest_first_status_and_limit(tantivy_index: str, personas: Any) -> None:
    from datetime import timedelta

    from tests.search_support import NOW

    old = make_message(personas.org, "Strømmen gikk", language="nb", status="solved", sent_at=NOW - timedelta(days=1))
    new = make_message(personas.org, "Strømmen gikk igjen", language="nb", status="open", sent_at=NOW)
    newest = [json.loads(line)["message_id"] for line in search("strømmen", "--newest", "--json").splitlines()]
    assert newest == [new.pk, old.pk]
    assert len(search("strømmen", "--limit", "1", "--json").splitlines()) == 1
    solved = search("strømmen", "--status", "solved", "--json").splitlines()
    assert [json.loads(line)["message_id"] for line in solved] == [old.pk]


def test_the_table_shows_the_total_and_the_hits(tantivy_index: str, personas: Any) -> None:
    message = make_message(personas.org, "Fiberen er kuttet ved Voss", language="nb")
    out = search("fiberen")
    assert "1 messages match" in out and f"#{message.ticket_id}" in out and "kuttet ved Voss" in out


@pytest.mark.parametrize(("args", "message"), [
    (("search", "#abc", "--org", "fjord"), "query: #abc is not a ticket number"),
    (("search", "x", "--channel", "myspace", "--org", "fjord"), "channel: 'myspace' is unknown"),
    (("search", "x", "--limit", "0", "--org", "fjord"), "limit: 0 is out of range"),
    (("search", "x", "--organisation", "nope"), "no organisation with slug 'nope'"),
])
def test_bad_arguments_are_refused_naming_what_is_wrong(tantivy_index: str, personas: Any, args: tuple[str, ...],
                                                        message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_rebuild_and_status(tantivy_index: str, personas: Any) -> None:
    make_message(personas.org, "Hei", language="nb")
    make_message(personas.org, "Hallo", language="nb")
    assert "indexed 2 messages (tantivy" in run("searchindex", "rebuild")
    status = run("searchindex", "status")
    assert "documents" in status and "2" in status and "tantivy" in status
    assert "0 changes waiting" in status
    make_message(personas.org, "Igjen", language="nb")
    assert "1 changes waiting" in run("searchindex", "status")
    indexer.sync()
    assert "0 changes waiting" in run("searchindex", "status")


def test_the_postgres_backend_is_refused_on_sqlite(settings: Any, db: None) -> None:
    from django.db import connection

    from webcare.search import engine

    if connection.vendor == "postgresql":
        pytest.skip("this database is PostgreSQL")
    settings.WEBCARE_SEARCH_BACKEND = "postgres"
    engine.reset()
    try:
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            run("searchindex", "status")
    finally:
        engine.reset()


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                    reason="serve runs the embedded default (SQLite) in a fresh data directory whatever the suite's "
                           "database; the SQLite run of the suite covers it")
def test_webcare_serve_indexes_what_arrives_and_finds_it_through_the_api(tmp_path: Any) -> None:
    """The indexer thread of `webcare serve`: a message posted to the running server becomes searchable."""
    import subprocess
    import time

    from tests.support import ROOT, WEBCARE
    from tests.test_commands import free_port, fresh_env, read_until, request

    env = fresh_env(tmp_path)
    port = free_port()
    proc = subprocess.Popen([WEBCARE, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        read_until(proc, rf"running at http://127\.0\.0\.1:{port}/", timeout=240)
        token = subprocess.run([WEBCARE, "apitoken", "--org", "default", "--name", "t"], env=env, cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        base = f"http://127.0.0.1:{port}/api/v1"
        status, body = request("POST", f"{base}/inbound", token, {
            "message_id": "s-1", "conversation_id": "dm-1", "conversation_kind": "private",
            "author": {"id": "42", "handle": "@sigrid", "name": "Sigrid Fjell"},
            "text": "Fiberkabelen ble gravd over i natt", "sent_at": "2026-11-20T08:00:00+01:00"})
        assert status == 202, body
        deadline = time.monotonic() + 30
        found: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status, found = request("GET", f"{base}/search?q=fiberkabel&prefix=true", token)
            if status == 200 and found["total"]:
                break
            time.sleep(0.3)
        assert found["total"] == 1 and "Fiberkabelen" in found["hits"][0]["snippet"]
        status, by_name = request("GET", f"{base}/search?q=Sigrid", token)
        assert by_name["total"] == 1
    finally:
        proc.terminate()
        proc.wait(15)
