"""Token authentication: ``Authorization: Bearer wc_…`` names an :class:`ApiToken`, and so an organisation.

Why a hash lookup: only the token's SHA-256 is stored, so the lookup is by the hash of what was sent (an indexed,
unique column); comparing hashes leaks nothing useful through timing. ``last_used_at`` is written at most once a
minute per token, so a busy integration does not turn every read into a write (on SQLite, a write takes the
database's write lock).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from webcare.core.models import TOKEN_PREFIX, ApiToken, Organisation, hash_token

TOUCH_INTERVAL = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """Bearer-token authentication that says what is wrong instead of a bare "Unauthorized"."""

    def __call__(self, request: HttpRequest) -> ApiToken:
        header = request.headers.get("Authorization", "")
        if not header:
            raise AuthenticationError(401, "missing API token: send 'Authorization: Bearer wc_…'")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(401, "the Authorization header must be 'Bearer <token>'")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        if not token.startswith(TOKEN_PREFIX):
            raise AuthenticationError(401, "invalid API token")
        api_token = ApiToken.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
        if api_token is None:
            raise AuthenticationError(401, "invalid API token")
        if api_token.revoked_at is not None:
            raise AuthenticationError(401, "this API token was revoked")
        _touch(api_token)
        request_any = cast(Any, request)
        request_any.organisation = api_token.organisation
        request_any.api_token = api_token
        return api_token


def _touch(api_token: ApiToken) -> None:
    """Record use, at most once per :data:`TOUCH_INTERVAL`; the filter makes concurrent requests write once."""
    now = timezone.now()
    if api_token.last_used_at is not None and now - api_token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=api_token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    api_token.last_used_at = now


def organisation(request: HttpRequest) -> Organisation:
    """The organisation of the request's token (every view is scoped to it)."""
    return cast(Organisation, cast(Any, request).organisation)
