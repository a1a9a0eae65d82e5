"""Rate-limit benchmark: what the public endpoints' limiter (webcare/security/ratelimit.py) adds to each request.

Runs on its own (``python benchmarks/bench_rate_limit.py [--requests N]``), prints a table and writes
benchmarks/results/rate_limit.json for docs/benchmarks.md.

- **one take**: ``TokenBuckets.take`` for one key that is always allowed, and for keys spread over 10,000 client
  addresses (a bucket per address, the dict grows to that size), in microseconds per call;
- **per webhook request**: what ``/hooks/<key>/`` does before anything else — the client address from the request
  (``X-Forwarded-For`` behind a proxy), its IPv6 /64 or IPv4 key, the address bucket, then the channel bucket — with
  the default limits, in microseconds per request (a request object from Django's ``RequestFactory``, built outside
  the timing).
Each figure is the fastest of five passes (the least disturbed by other processes on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
os.environ.setdefault("WEBCARE_DATA_DIR", tempfile.mkdtemp(prefix="webcare-bench-rate-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks._harness import ROOT, machine  # noqa: E402
from webcare.security import ratelimit  # noqa: E402

PASSES = 5


def fastest_us(run: Callable[[], None], calls: int) -> float:
    """Microseconds per call of the fastest of ``PASSES`` passes of ``run`` (which makes ``calls`` calls)."""
    best = float("inf")
    for _ in range(PASSES):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    n = parser.parse_args().requests
    console = Console()

    addresses = [f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in range(10_000)]

    def takes(buckets: ratelimit.TokenBuckets, keys: list[str]) -> Callable[[], None]:
        def run() -> None:
            for i in range(n):
                buckets.take(keys[i % len(keys)])
        return run

    one_key = fastest_us(takes(ratelimit.TokenBuckets("bench", rate=1e9, burst=10**9), ["192.0.2.1"]), n)
    many_keys = fastest_us(takes(ratelimit.TokenBuckets("bench", rate=1e9, burst=10**9), addresses), n)

    factory = RequestFactory()
    requests = [factory.post("/hooks/key/", REMOTE_ADDR=addresses[i % 10_000]) for i in range(10_000)]
    six = [factory.post("/hooks/key/", REMOTE_ADDR=f"2001:db8:{i % 10_000:x}::1") for i in range(10_000)]

    def webhook_checks(batch: list[Any]) -> Callable[[], None]:
        def run() -> None:
            for i in range(n):
                ratelimit.refuse_address("hooks.address", batch[i % 10_000])
                ratelimit.refuse("hooks.channel", "1")
        return run

    # Every request allowed, as in normal traffic (a refusal builds a 429 instead, which costs what any answer does).
    settings.WEBCARE_RATE_LIMITS = {**settings.WEBCARE_RATE_LIMITS, "hooks.address": (1e9, 10**9),
                                    "hooks.channel": (1e9, 10**9)}
    ratelimit.reset()
    per_request_v4 = fastest_us(webhook_checks(requests), n)
    ratelimit.reset()
    per_request_v6 = fastest_us(webhook_checks(six), n)

    results = {
        "machine": machine(), "calls_per_pass": n, "passes": PASSES,
        "take_one_key_us": round(one_key, 2), "take_10000_keys_us": round(many_keys, 2),
        "webhook_request_ipv4_us": round(per_request_v4, 2), "webhook_request_ipv6_us": round(per_request_v6, 2),
    }
    table = Table(title=f"Rate limiter ({results['machine']})")
    table.add_column("what")
    table.add_column("µs per call", justify="right")
    table.add_row("take(), one key", f"{one_key:.2f}")
    table.add_row("take(), 10,000 addresses", f"{many_keys:.2f}")
    table.add_row("webhook request: address + channel buckets (IPv4)", f"{per_request_v4:.2f}")
    table.add_row("webhook request: address + channel buckets (IPv6 /64)", f"{per_request_v6:.2f}")
    console.print(table)
    out = ROOT / "benchmarks" / "results" / "rate_limit.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
