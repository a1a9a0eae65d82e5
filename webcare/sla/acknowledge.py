"""The acknowledgement guarantee: one holding reply per conversation to a customer still waiting after the window.

INTERFACE (skeleton) — implemented by the work on this area.
"""

from __future__ import annotations

from datetime import datetime


def run(now: datetime) -> int:
    """One pass of the automation loop; returns how many things it did."""
    return 0
