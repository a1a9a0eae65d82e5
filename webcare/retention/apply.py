"""Applying the retention policies (being written: issue 7)."""

from __future__ import annotations

from datetime import datetime


def run(now: datetime) -> int:
    """The automation task: apply the retention policies once a day."""
    return 0
