"""The embedded loops (ingestion worker, sender, poller) as daemon threads of ``webcare serve``."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def start_daemon(name: str, loop: Callable[[threading.Event], object], stop: threading.Event) -> threading.Thread:
    """Run ``loop(stop)`` in a daemon thread that closes its own database connection when the loop ends (Django
    keeps one connection per thread, which nobody else would close)."""

    def target() -> None:
        try:
            loop(stop)
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
