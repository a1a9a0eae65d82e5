"""Outbound HTTP for connectors: one place that turns a platform's answer into :class:`SendError` s the sender
understands (retry on 5xx and 429 honouring Retry-After, stop on 4xx, mark the channel's health).

:func:`download` fetches a customer's file from a platform (webcare/channels/media.py): streamed, stopped past a size
limit, and following redirects only to hosts its caller allows, so a platform link can never walk webcare to an
arbitrary address (SSRF).
"""

from __future__ import annotations

import email.message
import email.utils
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from django.conf import settings

from webcare.channels.base import FetchedMedia, HealthStatus, SendError

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


# -- downloads -------------------------------------------------------------------------------------------------------

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "the same server" means."""
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return url.scheme, url.host, port


def media_url_allowed(url: str | httpx.URL, hosts: Iterable[str], api_base_url: str = "") -> bool:
    """May webcare download from ``url``? Only over https from one of ``hosts`` or their subdomains (the platform's
    own media servers), or from the origin of the channel's explicitly configured ``api_base_url`` (a proxy in front
    of the platform, or a stub in tests): a server the channel already sends its credentials to. Never a URL with a
    user name or password in it."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    if not parsed.host or parsed.userinfo:
        return False
    if api_base_url:
        try:
            if origin(parsed) == origin(httpx.URL(api_base_url)):
                return True
        except httpx.InvalidURL:
            pass
    host = parsed.host.lower().rstrip(".")
    return parsed.scheme == "https" and any(host == base or host.endswith("." + base) for base in hosts)


def download_seconds() -> float:
    """How long one download may take: well inside the sender's lease on the job, so a slow file is given up (and
    retried later) before the lease runs out and another sender starts the same download."""
    return max(5.0, settings.WEBCARE_SEND_LEASE_SECONDS * 0.75)


def download(url: str, what: str, max_bytes: int, *, allowed: Callable[[str], bool],
             headers: Mapping[str, str] | None = None, auth: httpx.Auth | None = None) -> FetchedMedia:
    """GET one file, streamed; :class:`SendError` when it cannot be had.

    ``allowed`` is asked about the URL and every redirect target before anything is sent there. ``headers`` and
    ``auth`` (the platform's credentials) go only to the first URL's server, never to another one a redirect names.
    A file bigger than ``max_bytes`` — by its Content-Length, or by what has arrived when there is none — is refused
    without reading on (not retryable). 429, 5xx and network trouble are retryable; other 4xx (a link that expired,
    a file that is gone) are not. Neither says anything about the channel's health, and neither pauses the
    channel: a media server's trouble is not the account's, and must not hold back agents' replies. Error messages
    name the host, never the URL (a Telegram file URL holds the bot token).
    """
    current = httpx.URL(url)
    first = origin(current)
    deadline = time.monotonic() + download_seconds()
    base_headers = {"User-Agent": USER_AGENT}
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            if not allowed(str(current)):
                raise SendError(f"{what}: webcare does not download from {current.host or 'that address'!r}")
            trusted = origin(current) == first
            request_headers = {**base_headers, **(headers or {})} if trusted else base_headers
            try:
                with client.stream("GET", current, headers=request_headers,
                                   auth=auth if trusted and auth is not None else None) as response:
                    if response.status_code in REDIRECTS and response.headers.get("location"):
                        current = response.url.join(response.headers["location"])
                        continue
                    _raise_for_download(response, what)
                    return _read(response, what, max_bytes, deadline)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise SendError(f"{what}: cannot reach {current.host}: {exc}", retryable=True) from exc
            except httpx.TransportError as exc:
                raise SendError(f"{what}: the download from {current.host} broke off: {exc}", retryable=True) from exc
    raise SendError(f"{what}: more than {MAX_REDIRECTS} redirects")


def _raise_for_download(response: httpx.Response, what: str) -> None:
    code = response.status_code
    if code < 300:
        return
    head = b""
    for chunk in response.iter_bytes():  # an error page: its first words are enough
        head += chunk
        if len(head) >= 4096:
            break
    words = platform_error(httpx.Response(code, content=head[:4096], headers={
        "content-type": response.headers.get("content-type", "")}))
    detail = f"{what}: HTTP {code} from {response.url.host}: {words}".rstrip(": ")
    raise SendError(detail, retryable=code == 429 or code >= 500, status_code=code)


def too_big(what: str, max_bytes: int, size: int | None = None) -> SendError:
    """The (not retryable) error for a file bigger than ``max_bytes``; ``size`` when the platform said it."""
    how_big = f"{size} bytes" if size is not None else "bigger than that"
    return SendError(f"{what}: the file is {how_big}; webcare downloads at most {max_bytes} bytes "
                     f"(WEBCARE_MAX_ATTACHMENT_BYTES), so it stays on the platform")


def _read(response: httpx.Response, what: str, max_bytes: int, deadline: float) -> FetchedMedia:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big(what, max_bytes, int(length))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decoded: a compressed body is counted as it unpacks
        size += len(chunk)
        if size > max_bytes:
            raise too_big(what, max_bytes)
        if time.monotonic() > deadline:
            raise SendError(f"{what}: the download from {response.url.host} took longer than "
                            f"{int(download_seconds())} s", retryable=True)
        chunks.append(chunk)
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return FetchedMedia(data=b"".join(chunks), content_type=content_type or "application/octet-stream",
                        name=disposition_filename(response.headers.get("content-disposition", "")))


def disposition_filename(value: str) -> str:
    """The file name in a Content-Disposition header (RFC 6266, with RFC 2231's ``filename*``); "" when none."""
    if not value:
        return ""
    header = email.message.Message()
    header["content-disposition"] = value
    return header.get_filename() or ""
