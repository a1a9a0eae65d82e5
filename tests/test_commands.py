"""The command line as a newcomer uses it: help, first run of `webcare serve`, the API through the running server,
the embedded worker, and clear errors for a database that is not migrated."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, WEBCARE

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_env(tmp_path: Path) -> dict[str, str]:
    """A brand-new embedded install: an empty data directory and no DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WEBCARE_SQLITE_PATH")}
    env["WEBCARE_DATA_DIR"] = str(tmp_path / "data")
    return env


def webcare(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WEBCARE, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.parametrize("command", ["serve", "worker", "demo", "import", "migrate", "createadmin", "apitoken",
                                     "events"])
def test_it_explains_every_command_with_help(command: str, tmp_path: Path) -> None:
    result = webcare(fresh_env(tmp_path), command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: webcare {command}" in result.stdout


def test_it_lists_its_own_commands_when_called_bare(tmp_path: Path) -> None:
    result = webcare(fresh_env(tmp_path))
    assert result.returncode == 0
    for name in ("serve", "worker", "demo", "import", "migrate", "createadmin"):
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), name


def test_it_names_a_malformed_setting(tmp_path: Path) -> None:
    env = fresh_env(tmp_path) | {"WEBCARE_DEBUG": "ture"}
    result = webcare(env, "check")
    assert result.returncode == 2
    assert "WEBCARE_DEBUG must be 'true' or 'false', not 'ture'" in result.stderr


@pytest.mark.parametrize("command", ["apitoken", "createadmin"])
def test_it_names_an_unknown_organisation(command: str, tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    result = webcare(env, command, "--org", "no-such-brand")
    assert result.returncode == 1
    assert "No organisation with slug 'no-such-brand'" in result.stderr
    assert "wc_" not in result.stdout  # no token issued


def test_it_tells_a_postgres_worker_to_migrate_first(tmp_path: Path) -> None:
    """Many workers may start at once at scale, so a worker never migrates PostgreSQL on its own."""
    db = f"webcare_unmigrated_{os.getpid()}"
    server = "postgres://postgres@127.0.0.1:5432"
    create = subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {db}"],
                            capture_output=True, text=True, check=False)
    if create.returncode != 0:
        pytest.skip(f"no PostgreSQL server to create a scratch database on: {create.stderr.strip()}")
    try:
        result = webcare(fresh_env(tmp_path) | {"DATABASE_URL": f"{server}/{db}"}, "worker", "--once")
        assert result.returncode == 1
        assert "is not migrated" in result.stderr
        assert "Run `webcare migrate` once" in result.stderr
    finally:
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                       capture_output=True, check=False)


def read_until(proc: subprocess.Popen[str], pattern: str, timeout: float = 180) -> str:
    """Read the server's output until ``pattern`` appears (the URL line)."""
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen += line
        if re.search(pattern, seen):
            return seen
    raise AssertionError(f"{pattern!r} not printed; got:\n{seen}")


def request(method: str, url: str, token: str, body: dict[str, object] | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_it_serves_on_a_fresh_machine_with_a_printed_login_and_an_embedded_worker(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    port = free_port()
    proc = subprocess.Popen([WEBCARE, "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out = read_until(proc, rf"running at http://127\.0\.0\.1:{port}/")
        assert re.search(r"username: admin\s+password: \S{10,}", out)
        assert (tmp_path / "data" / "webcare.sqlite3").exists()
        assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0
        token = webcare(env, "apitoken", "--org", "default", "--name", "test").stdout.strip().splitlines()[-1]
        assert token.startswith("wc_")
        base = f"http://127.0.0.1:{port}/api/v1"
        status, body = request("POST", f"{base}/inbound", token, {
            "message_id": "live-1", "conversation_id": "dm-1", "conversation_kind": "private",
            "author": {"id": "42", "handle": "@sigrid", "name": "Sigrid"}, "text": "Hei! Når kommer fiberen?",
            "sent_at": "2026-11-20T08:00:00+01:00"})
        assert status == 202, body
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status, listing = request("GET", f"{base}/tickets", token)
            if listing.get("items"):
                break
            time.sleep(0.2)
        assert listing["items"][0]["subject"] == "Hei! Når kommer fiberen?"
        status, body = request("POST", f"{base}/inbound", token, {"message_id": "x", "text": "no author"})
        assert status == 422
        assert "author" in body["fields"]
    finally:
        proc.terminate()
        proc.wait(15)
    second = subprocess.Popen([WEBCARE, "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out = read_until(second, r"running at")
        assert "password:" not in out  # the login is printed once, on the first run only
    finally:
        second.terminate()
        second.wait(15)
