"""Outbound HTTP for connectors: one place that turns a platform's answer into :class:`SendError` s the sender
understands (retry on 5xx and 429 honouring Retry-After, stop on 4xx, mark the channel's health)."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

import httpx

from webcare.channels.base import HealthStatus, SendError

#: Connect quickly, but give a platform time to answer: a read timeout is ambiguous (the post may have happened).
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
USER_AGENT = "webcare/1 (+https://github.com/webcare)"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def platform_error(response: httpx.Response) -> str:
    """The platform's own words for an error, shortened (Graph/X/Telegram all put them somewhere in the JSON)."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)[:300]
        if isinstance(error, str):
            message = body.get("message")
            return (f"{error}: {message}" if isinstance(message, str) and message else error)[:300]
        for key in ("description", "detail", "title", "message"):
            if body.get(key):
                return str(body[key])[:300]
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            return str(first.get("message") if isinstance(first, dict) else first)[:300]
    return response.text[:300]


def raise_for_platform(response: httpx.Response, what: str) -> None:
    """Raise the :class:`SendError` a non-2xx answer means; return for 2xx."""
    code = response.status_code
    if code < 300:
        return
    detail = f"{what}: HTTP {code}: {platform_error(response)}"
    if code == 429:
        raise SendError(detail, retryable=True, retry_after=retry_after_seconds(response.headers.get("retry-after")),
                        health=HealthStatus.RATE_LIMITED, status_code=code)
    if code >= 500:
        raise SendError(detail, retryable=True, retry_after=retry_after_seconds(response.headers.get("retry-after")),
                        health=HealthStatus.FAILING, status_code=code)
    if code in (401, 403):
        raise SendError(detail, health=HealthStatus.TOKEN_EXPIRED, status_code=code)
    raise SendError(detail, status_code=code)


def call(method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
    """One request to a platform; :class:`SendError` for anything but a 2xx answer.

    A connection that could not be made is retryable (nothing was sent); a timeout or broken connection after the
    request left is ``ambiguous``: the platform may have carried it out.
    """
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    try:
        response = httpx.request(method, url, headers=headers, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise SendError(f"{what}: cannot reach {httpx.URL(url).host}: {exc}", retryable=True,
                        health=HealthStatus.FAILING) from exc
    except httpx.TransportError as exc:
        raise SendError(f"{what}: no answer from {httpx.URL(url).host}: {exc}", retryable=True, ambiguous=True,
                        health=HealthStatus.FAILING) from exc
    raise_for_platform(response, what)
    return response
