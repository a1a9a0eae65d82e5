"""Leases: one process at a time does an organisation's share of an automation task (the choir watcher, the topics
warm-up), taken over when its holder stops renewing.

A lease model has ``organisation`` (unique), ``holder``, ``expires_at`` and ``updated_at``. Each step of
:func:`claim` is one conditional statement only one process can win, so it works the same on SQLite and PostgreSQL
and with any number of ``webcare automate`` processes.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import IntegrityError, models, transaction

#: This process, as a lease names it.
HOLDER: Final = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(model: type[models.Model], organisation_id: int, now: datetime, duration: timedelta, holder: str, *,
          takeover: Mapping[str, Any] | None = None,
          first: Callable[[], Mapping[str, Any]] | None = None) -> bool:
    """Renew ``holder``'s lease, take an expired one over (also setting ``takeover``), or make the first (with the
    fields ``first()`` gives); False while another process holds it."""
    until = now + duration
    leases = model._default_manager.filter(organisation_id=organisation_id)
    if leases.filter(holder=holder).update(expires_at=until, updated_at=now):
        return True
    if leases.filter(expires_at__lt=now).update(holder=holder, expires_at=until, updated_at=now, **(takeover or {})):
        return True
    if leases.exists():
        return False
    try:
        with transaction.atomic():
            model._default_manager.create(organisation_id=organisation_id, holder=holder, expires_at=until,
                                          updated_at=now, **(first() if first else {}))
    except IntegrityError:
        return False  # another process made it a moment ago
    return True
