"""Sign-in throttling: failed sign-ins are counted per username and per client address; too many lock both out.

Defaults (settings ``WEBCARE_SIGNIN_*``): 5 failures of one username, or 20 from one address (an office behind one
NAT mistypes more), within 15 minutes lock that username or address for 15 minutes. A wrong code at the second
step counts like a wrong password, and a lock stops the code step too. The answer while locked is the same whether
the username exists or not, and the password is not even checked then, so a lock tells nothing.

Why not django-axes: it records usernames, addresses and user agents in clear text (ours are keyed hashes), wants
its own authentication backend first in line and its own lockout response, and knows nothing of a second step; the
whole rule is the small pure function :func:`after_failure` plus a table with one row per counted key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from webcare.audit import actions
from webcare.audit.log import record
from webcare.security.client import address_key, client_ip
from webcare.security.models import SignInThrottle, ThrottleScope


@dataclass(frozen=True)
class Policy:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Count:
    failures: int
    window_start: datetime
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def after_failure(count: Count | None, now: datetime, policy: Policy) -> tuple[Count, bool]:
    """The count after one more failure, and whether this very failure starts a lock (pure).

    A window starts at the first failure; failures after it has passed start a new one, as does the first failure
    after a lock has ended. A failure while locked is counted but does not lengthen the lock.
    """
    if count is not None and count.locked(now):
        return Count(count.failures + 1, count.window_start, count.locked_until), False
    expired_lock = count is not None and count.locked_until is not None
    if count is None or expired_lock or now - count.window_start >= policy.window:
        count = Count(0, now)
    failures = count.failures + 1
    if failures >= policy.max_failures:
        return Count(failures, count.window_start, now + policy.lockout), True
    return Count(failures, count.window_start), False


def policy(scope: str) -> Policy:
    window = timedelta(minutes=settings.WEBCARE_SIGNIN_WINDOW_MINUTES)
    lockout = timedelta(minutes=settings.WEBCARE_SIGNIN_LOCKOUT_MINUTES)
    if scope == ThrottleScope.ADDRESS:
        return Policy(settings.WEBCARE_SIGNIN_MAX_FAILURES_PER_ADDRESS, window, lockout)
    return Policy(settings.WEBCARE_SIGNIN_MAX_FAILURES, window, lockout)


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def throttle_key(scope: str, value: str) -> str:
    """Keyed hash of a counted value: the table never holds a readable username or address."""
    key = hashlib.sha256(b"webcare:sign-in-throttle:" + settings.WEBCARE_MASTER_KEY.encode("utf-8")).digest()
    return hmac.new(key, f"{scope}\n{value}".encode(), hashlib.sha256).hexdigest()


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    keys = [(ThrottleScope.USERNAME.value, throttle_key(ThrottleScope.USERNAME, normalise_username(username)))]
    if address:
        keys.append((ThrottleScope.ADDRESS.value, throttle_key(ThrottleScope.ADDRESS, address_key(address))))
    return keys


def is_locked(username: str, request: HttpRequest, now: datetime | None = None) -> bool:
    """Whether sign-in is refused for this username or from this request's address."""
    now = now or timezone.now()
    keys = [key for _scope, key in _keys(username, client_ip(request))]
    return SignInThrottle.objects.filter(key__in=keys, locked_until__gt=now).exists()


def register_failure(username: str, request: HttpRequest, now: datetime | None = None) -> bool:
    """Count one failed sign-in (password or code) for the username and the address; True if now locked."""
    now = now or timezone.now()
    locked = False
    user = get_user_model().objects.filter(username=username).first() if username else None
    with transaction.atomic():
        for scope, key in _keys(username, client_ip(request)):
            row, _created = SignInThrottle.objects.get_or_create(
                key=key, defaults={"scope": scope, "window_start": now,
                                   "user": user if scope == ThrottleScope.USERNAME else None})
            row = SignInThrottle.objects.select_for_update().get(pk=row.pk)
            current = Count(row.failures, row.window_start, row.locked_until) if row.failures else None
            counted, just_locked = after_failure(current, now, policy(scope))
            row.failures, row.window_start, row.locked_until = (counted.failures, counted.window_start,
                                                                counted.locked_until)
            row.save(update_fields=["failures", "window_start", "locked_until"])
            locked = locked or counted.locked(now)
            if just_locked:
                _audit_lock(scope, counted, user if scope == ThrottleScope.USERNAME else None, request)
        _forget_expired(now)
    return locked


def _audit_lock(scope: str, counted: Count, user: Any, request: HttpRequest) -> None:
    from webcare.security.two_factor import audit

    minutes = settings.WEBCARE_SIGNIN_LOCKOUT_MINUTES
    detail = {"scope": scope, "failures": counted.failures, "minutes": minutes}
    if user is not None:
        audit(actions.LOCKED_OUT, user, request, detail)
    else:
        # An unknown username is not recorded: people type passwords into the username field.
        label = "unknown username" if scope == ThrottleScope.USERNAME else "one client address"
        record(actions.LOCKED_OUT, actor_label=label, target=scope, detail=detail, request=request)


def _forget_expired(now: datetime) -> None:
    """Rows whose window and lock are both over count for nothing: delete them (failures are rare, so cheap)."""
    longest = max(timedelta(minutes=settings.WEBCARE_SIGNIN_WINDOW_MINUTES),
                  timedelta(minutes=settings.WEBCARE_SIGNIN_LOCKOUT_MINUTES))
    (SignInThrottle.objects.filter(window_start__lt=now - longest)
     .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now)).delete())


def succeeded(username: str) -> None:
    """A complete sign-in forgets the username's failures (not the address's: one account of one's own must not
    reset the count of an address trying others)."""
    SignInThrottle.objects.filter(key=throttle_key(ThrottleScope.USERNAME, normalise_username(username))).delete()


def unlock(username: str = "", address: str = "") -> int:
    """Lift the lock (and forget the failures) of a username and/or an address; returns the rows removed."""
    keys = []
    if username:
        keys.append(throttle_key(ThrottleScope.USERNAME, normalise_username(username)))
    if address:
        keys.append(throttle_key(ThrottleScope.ADDRESS, address_key(address)))
    deleted, _kinds = SignInThrottle.objects.filter(key__in=keys).delete()
    return deleted


def locked_users(organisation_id: int, now: datetime | None = None) -> list[SignInThrottle]:
    """The organisation's people whose username is locked now (for the admins' page)."""
    now = now or timezone.now()
    return list(SignInThrottle.objects.filter(scope=ThrottleScope.USERNAME, locked_until__gt=now,
                                              user__agents__organisation_id=organisation_id)
                .select_related("user").order_by("user__username").distinct())
