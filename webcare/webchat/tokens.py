"""Who is chatting: the session behind a request's chat token, and the per-session send limit.

A bad or missing token is a 401 naming what is wrong, so the widget can start afresh; a session unused for
:data:`SESSION_DAYS` days is over (its conversation stays in the inbox). The send limit is a fixed window counted
in the session row with conditional UPDATEs, so it holds across any number of server processes without a cache.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.http import HttpRequest

from webcare.core.models import Channel, hash_token
from webcare.webchat.models import ChatSession

SESSION_DAYS = 30
#: At most this many messages per session in :data:`SEND_WINDOW` — far above anyone typing, far below a flood.
SEND_LIMIT = 20
SEND_WINDOW = timedelta(seconds=60)
#: ``last_seen_at`` is written at most this often (a poll every two seconds must not be a write every two seconds).
SEEN_EVERY = timedelta(seconds=60)


class BadToken(Exception):
    """No usable chat token; the message says why (shown to developers, the widget just starts afresh)."""


def session_for(request: HttpRequest, channel: Channel, now: datetime) -> ChatSession:
    """The session whose token the request carries as ``Authorization: Bearer <token>``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise BadToken("no chat token: start a chat first (POST session) and send Authorization: Bearer <token>")
    if scheme.lower() != "bearer" or not token.strip():
        raise BadToken("the Authorization header must be 'Bearer <chat token>'")
    session = ChatSession.objects.filter(token_hash=hash_token(token.strip()), channel=channel).first()
    if session is None:
        raise BadToken("the chat token is not valid for this chat")
    if session.last_seen_at < now - timedelta(days=SESSION_DAYS):
        raise BadToken(f"the chat session ended after {SESSION_DAYS} days without use; start a new one")
    if session.last_seen_at < now - SEEN_EVERY:
        ChatSession.objects.filter(pk=session.pk).update(last_seen_at=now)
        session.last_seen_at = now
    return session


def take_send_slot(session: ChatSession, now: datetime) -> float | None:
    """Count one send; None when allowed, else the seconds until the window opens again."""
    rows = ChatSession.objects.filter(pk=session.pk)
    window_open = now - SEND_WINDOW
    if rows.filter(window_started_at__gt=window_open, sends_in_window__lt=SEND_LIMIT).update(
            sends_in_window=F("sends_in_window") + 1, last_seen_at=now):
        return None
    if rows.filter(window_started_at__lte=window_open).update(window_started_at=now, sends_in_window=1,
                                                                last_seen_at=now):
        return None
    started = rows.values_list("window_started_at", flat=True).first() or now
    return max(1.0, (started + SEND_WINDOW - now).total_seconds())
