"""The dashboard's heavier figures, computed at most once per few minutes per organisation (Django's cache).

Why: the window figures (the answered-everything measure and the response-time percentiles) read up to 30 days of
messages and tickets — seconds at a million conversations (docs/benchmarks.md, "Supervisor dashboard") — and they
describe messages at least a day old and tickets already answered, which a few minutes change very little. So each
(organisation, window) is computed once per :data:`WINDOW_SECONDS` and the page says as of when. The measured
handling time (7 days of first responses) is remembered the same way for the "now" figures, which are polled every
30 seconds by every open dashboard. The arrival rate, the oldest wait and the queue counts are never remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.core.cache import cache

#: How long window figures and the measured handling time are reused.
WINDOW_SECONDS: Final = 300


def remembered[T](key: str, compute: Callable[[], T], seconds: int = WINDOW_SECONDS) -> T:
    """``compute()``'s value, reused for ``seconds`` under ``key`` (per cache: per process with the default
    local-memory cache)."""
    full = f"webcare:supervision:{key}"
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, seconds)
    return found  # type: ignore[no-any-return]
