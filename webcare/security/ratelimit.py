"""Rate limits on the public endpoints (webhooks, web chat): token buckets per client address and per channel.

Each limit is ``(rate, burst)`` in ``settings.WEBCARE_RATE_LIMITS``: a bucket holds up to ``burst`` tokens, refills
at ``rate`` a second, and a request takes one. An empty bucket answers **429** with ``Retry-After`` (the seconds until
a token is back), so a platform retries later: an event is never dropped silently, only delayed. The defaults sit far
above any real platform's normal traffic — a Meta burst of hundreds of deliveries a second fits in the burst — and
stop one source from taking the whole desk.

Where the buckets live: in the process's memory (a dict and a lock; no Redis). With several web processes
(``webcare serve`` starts two on two cores, or more machines) each has its own buckets, so the effective limit is the
limit times the number of processes, and a client whose requests are spread over them is counted in each
separately. That is what a per-process limiter can do; the limits are generous so that this does not matter.
Memory stays bounded: buckets that have refilled completely are dropped once there are more than ``MAX_KEYS``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from webcare.security.client import address_key, client_ip

logger = logging.getLogger("webcare.security")

#: Buckets kept per limit before full ones are dropped.
MAX_KEYS = 50_000


#: A bucket that keeps refusing is logged at most this often (a token comes back every 1/rate seconds, and each
#: one would otherwise end and restart the refusal: a line per millisecond under a flood).
WARN_EVERY_SECONDS = 60.0


@dataclass
class Bucket:
    tokens: float
    updated: float
    warned_at: float = float("-inf")


def refill(tokens: float, elapsed: float, rate: float, burst: float) -> float:
    """Tokens after ``elapsed`` seconds (pure)."""
    return min(burst, tokens + max(0.0, elapsed) * rate)


def wait_for_token(tokens: float, rate: float) -> float:
    """Seconds until a bucket holding ``tokens`` (< 1) has one whole token again (pure)."""
    return (1.0 - tokens) / rate


class TokenBuckets:
    """The buckets of one limit, keyed by client address or channel; safe to share between threads."""

    def __init__(self, name: str, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate limit {name}: rate must be > 0 and burst ≥ 1, not {rate}, {burst}")
        self.name, self.rate, self.burst = name, float(rate), float(burst)
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_KEYS:
                    self._prune(now)
                bucket = self._buckets[key] = Bucket(self.burst, now)
            bucket.tokens = refill(bucket.tokens, now - bucket.updated, self.rate, self.burst)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            if now - bucket.warned_at >= WARN_EVERY_SECONDS:
                bucket.warned_at = now
                # A client address is personal data: the log names channels only.
                who = key if self.name.endswith(".channel") else "one client address"
                logger.warning("rate limit %s reached for %s (%g a second, burst %g): answering 429", self.name, who,
                               self.rate, self.burst)
            return wait_for_token(bucket.tokens, self.rate)

    def _prune(self, now: float) -> None:
        """Drop the buckets that are full by now (a new one starts full anyway); if none is, the oldest half."""
        full = [key for key, b in self._buckets.items()
                if refill(b.tokens, now - b.updated, self.rate, self.burst) >= self.burst]
        if not full:
            by_age = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            full = by_age[: len(by_age) // 2]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


_registry: dict[str, TokenBuckets] = {}
_registry_lock = threading.Lock()


def limiter(name: str) -> TokenBuckets:
    """The buckets of the limit ``name`` as configured now (a changed setting starts fresh buckets)."""
    rate, burst = settings.WEBCARE_RATE_LIMITS[name]
    found = _registry.get(name)
    if found is not None and (found.rate, found.burst) == (float(rate), float(burst)):
        return found
    with _registry_lock:
        found = _registry.get(name)
        if found is None or (found.rate, found.burst) != (float(rate), float(burst)):
            found = _registry[name] = TokenBuckets(name, rate, burst)
        return found


def reset() -> None:
    """Forget every bucket (tests; an operator's restart does the same)."""
    with _registry_lock:
        _registry.clear()


def too_many(wait: float) -> JsonResponse:
    """The 429 answer: JSON like every other error of these endpoints, with whole seconds in ``Retry-After``."""
    seconds = max(1, math.ceil(wait))
    response = JsonResponse({"error": f"too many requests; try again in {seconds} s"}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def refuse(name: str, key: str) -> JsonResponse | None:
    """A 429 answer if ``key`` is over the limit ``name``, else None (and a token is taken)."""
    wait = limiter(name).take(key)
    return too_many(wait) if wait > 0 else None


def refuse_address(name: str, request: HttpRequest) -> JsonResponse | None:
    """:func:`refuse` keyed by the request's client address (IPv6 by /64)."""
    return refuse(name, address_key(client_ip(request)))
