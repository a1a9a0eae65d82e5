"""The automation loop: the periodic work no message triggers (SLA checks and escalations, the acknowledgement
guarantee, reclaiming untouched tickets, surge checks, notification e-mails).

Runs as a thread of ``webcare serve`` and as ``webcare automate`` (any number of processes: each task claims its
work with ``SKIP LOCKED`` or unique rows, so two loops never do a thing twice). The tasks are
``settings.WEBCARE_AUTOMATION_TASKS``, each ``task(now) -> int``; one failing task is logged and the others still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("webcare.automation")

Task = Callable[[datetime], int]


@cache
def tasks() -> tuple[tuple[str, Task], ...]:
    return tuple((path.removeprefix("webcare.").removesuffix(".run"), import_string(path))
                 for path in settings.WEBCARE_AUTOMATION_TASKS)


def run_once(now: datetime | None = None) -> dict[str, int]:
    """One pass of every task; returns what each did (−1 for a task that failed)."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, task in tasks():
        try:
            done[name] = task(now)
        except Exception:
            log.exception("automation task %s failed", name)
            done[name] = -1
    return done


def run_forever(stop: threading.Event, interval: float | None = None) -> None:
    interval = settings.WEBCARE_AUTOMATION_SECONDS if interval is None else interval
    while not stop.is_set():
        close_old_connections()
        run_once()
        stop.wait(interval)


def start_in_process(stop: threading.Event) -> threading.Thread:
    from webcare.core.threads import start_daemon

    return start_daemon("webcare-automation", run_forever, stop)
