"""SLA check: warn assignees at the policy's share, escalate at breach to the team's supervisor, then up the chain;
once per level.

INTERFACE (skeleton) — implemented by the work on this area.
"""

from __future__ import annotations

from datetime import datetime


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many things it did."""
    return 0
