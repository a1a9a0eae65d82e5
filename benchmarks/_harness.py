"""Helpers shared by the benchmarks: fresh databases, webcare subprocesses, a served instance and peak memory.

Every benchmark runs webcare as the user would — `webcare …` subprocesses against a fresh SQLite data directory or a
fresh PostgreSQL database — so the figures include everything a real deployment pays for.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEBCARE = str(Path(sys.executable).with_name("webcare"))


def machine() -> str:
    """One line describing the machine, for docs/benchmarks.md."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB RAM, Python {platform.python_version()}"


@dataclass
class Target:
    """Where a benchmark run keeps its data: the environment for webcare subprocesses."""

    label: str
    env: dict[str, str]
    data_dir: Path

    def run(self, *args: str, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([WEBCARE, *args], env=self.env, cwd=ROOT, check=check,
                              capture_output=capture, text=True)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start ``webcare …``; its output goes to a log file in the data directory (a pipe nobody reads fills up
        and blocks the process mid-benchmark)."""
        log = open(self.data_dir / f"{args[0]}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115 - closed by the OS
        return subprocess.Popen([WEBCARE, *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                text=True)

    def django(self, code: str) -> str:
        """Run Python with Django set up against this target; returns its standard output."""
        prelude = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webcare.settings'); "
                   "django.setup()\n")
        result = subprocess.run([sys.executable, "-c", prelude + code], env=self.env, cwd=ROOT,
                                check=True, capture_output=True, text=True)
        return result.stdout


@contextmanager
def sqlite_target() -> Iterator[Target]:
    data_dir = Path(tempfile.mkdtemp(prefix="webcare-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["WEBCARE_DATA_DIR"] = str(data_dir)
    try:
        yield Target("SQLite (WAL)", env, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def postgres_target(base_url: str) -> Iterator[Target]:
    """A fresh database named webcare_bench_<pid> on the server of ``base_url`` (dropped afterwards)."""
    name = f"webcare_bench_{os.getpid()}"
    server = base_url.rsplit("/", 1)[0]
    admin_env = dict(os.environ)
    for db in (name, f"{name}_keyring"):  # `webcare migrate` makes the keyring database beside the main one
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True,
                       env=admin_env, capture_output=True)
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True,
                   env=admin_env, capture_output=True)
    data_dir = Path(tempfile.mkdtemp(prefix="webcare-bench-"))
    env = dict(os.environ)
    env["WEBCARE_DATA_DIR"] = str(data_dir)
    env["DATABASE_URL"] = f"{server}/{name}"
    try:
        yield Target("PostgreSQL", env, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        for db in (name, f"{name}_keyring"):
            subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                           check=False, env=admin_env, capture_output=True)


def count_rows(target: Target, sql: str) -> int:
    """Run a counting query straight against the target's database: cheap enough to poll without stealing the CPU
    that the workers being measured need (a Django start-up per poll would)."""
    url = target.env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(target.data_dir / "webcare.sqlite3", timeout=30) as conn:
            row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(target: Target, *extra: str) -> Iterator[str]:
    """``webcare serve`` on a free port; yields the base URL once /health answers."""
    port = free_port()
    proc = target.popen("serve", "--port", str(port), *extra)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    logs = sorted(target.data_dir.glob("serve-*.log"))
                    output = logs[-1].read_text()[-3000:] if logs else ""
                    raise RuntimeError("webcare serve did not start: " + output) from exc
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a running process, in MB; 0 when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0
