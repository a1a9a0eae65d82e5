"""Helpers for tests that start real webcare processes against the test database."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from django.core.management import call_command
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[1]
WEBCARE = str(Path(sys.executable).with_name("webcare"))


def _postgres_url(settings_dict: dict[str, object]) -> str:
    sd = settings_dict
    return f"postgres://{sd['USER']}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{sd['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess that must use the same (test) databases as this test: the main one and the
    keyring (where the customers' data keys are)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "webcare.settings"
    keyring = connections["keyring"].settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env.pop("WEBCARE_KEYRING_URL", None)
        env["WEBCARE_SQLITE_PATH"] = str(connection.settings_dict["NAME"])
        env["WEBCARE_KEYRING_PATH"] = str(keyring["NAME"])
    else:
        env["DATABASE_URL"] = _postgres_url(connection.settings_dict)
        env["WEBCARE_KEYRING_URL"] = _postgres_url(keyring)
    env.update(extra)
    return env


PRELUDE = "import os, sys, django\ndjango.setup()\n"


def python_child(code: str) -> list[str]:
    """argv for a Python subprocess with Django set up."""
    return [sys.executable, "-c", PRELUDE + textwrap.dedent(code)]


def run_python(code: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(python_child(code), env=child_env(**extra), cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)


def call_import(path: Path, fmt: str, *args: str) -> tuple[str, str]:
    """Run ``webcare import`` in-process; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(path), "--format", fmt, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def summary_value(output: str, label: str) -> str:
    """One value of the import's summary table, by its row label."""
    match = re.search(rf"│ {re.escape(label)}\s*│\s*([^│]*?)\s*│", output)
    assert match, f"{label!r} not in summary:\n{output}"
    return match.group(1)
