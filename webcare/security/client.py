"""Who is asking: the client's address, as throttling and rate limits count it.

Behind a TLS-ending proxy (``WEBCARE_BEHIND_PROXY=true``) every request comes from the proxy, so the client is the
last address the proxy appended to ``X-Forwarded-For`` (one trusted hop; anything to its left the client could have
written itself). IPv6 clients are counted by their /64 network: one home or host gets a whole /64, and counting
single addresses would let it take 2^64 fresh tries.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string ("" if unknown)."""
    if getattr(settings, "WEBCARE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def address_key(address: str) -> str:
    """What is counted for an address: itself for IPv4, its /64 network for IPv6, the raw text if unparseable."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return f"{ipaddress.IPv6Address(parsed.packed[:8] + bytes(8))}/64"
    return str(parsed)
