"""What the session remembers about two-step sign-in.

- ``VERIFIED``: set when this session passed the second factor (the code step, or confirming enrolment). Only the
  server writes sessions, so a client cannot set it; a session signed in any other way (Django's admin sign-in, a
  session older than the person's enrolment) lacks it and is sent back through the code step.
- ``PENDING``: between the two steps — the user whose password was right, the backend that said so, when, and where
  to go next. Nobody is signed in until the code step calls ``login()``.

Test clients signed in with ``Client.force_login`` skip the real sign-in; tests/conftest.py's ``client_for`` marks
their session verified with :func:`mark_verified`, just as the code step would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

VERIFIED = "webcare.security.verified"
PENDING = "webcare.security.pending"
#: How long the code step waits after a right password.
PENDING_MINUTES = 5


def mark_verified(session: Any) -> None:
    session[VERIFIED] = "otp"


def is_verified(session: Any) -> bool:
    return session.get(VERIFIED) == "otp"


def forget_verified(session: Any) -> None:
    session.pop(VERIFIED, None)


@dataclass(frozen=True)
class Pending:
    user_id: int
    backend: str
    since: datetime
    next_url: str

    def expired(self, now: datetime) -> bool:
        return now - self.since > timedelta(minutes=PENDING_MINUTES) or now < self.since


def set_pending(session: Any, user: Any, next_url: str) -> None:
    session[PENDING] = {"user": user.pk, "backend": user.backend, "since": timezone.now().isoformat(),
                        "next": next_url}


def pending(session: Any) -> Pending | None:
    raw = session.get(PENDING)
    if not isinstance(raw, dict):
        return None
    try:
        return Pending(int(raw["user"]), str(raw["backend"]), datetime.fromisoformat(raw["since"]),
                       str(raw.get("next") or ""))
    except (KeyError, TypeError, ValueError):
        return None


def clear_pending(session: Any) -> None:
    session.pop(PENDING, None)


def end_other_sessions(user: Any, keep_session_key: str | None) -> int:
    """Sign the person out everywhere else (after two-step sign-in was turned off: a session verified before must
    not keep an admin past the requirement). Reads every live session once — a rare action, a small table."""
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cached_db"):
        return 0
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep_session_key or ""):
        if str(store().decode(row.session_data).get(SESSION_KEY)) == str(user.pk):
            store(session_key=row.session_key).delete()
            ended += 1
    return ended
