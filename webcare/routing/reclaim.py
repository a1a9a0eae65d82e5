"""Assigned tickets nobody touched within the team's reclaim time go back to the pool (and are assigned again).

INTERFACE (skeleton) — implemented by the work on this area.
"""

from __future__ import annotations

from datetime import datetime


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many things it did."""
    return 0
