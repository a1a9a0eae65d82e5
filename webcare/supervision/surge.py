"""Surge check: arrival rate and oldest wait against the thresholds; alert supervisors
with an Erlang C staffing estimate.

INTERFACE (skeleton) — implemented by the work on this area.
"""

from __future__ import annotations

from datetime import datetime


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many things it did."""
    return 0
