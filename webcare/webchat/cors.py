"""Cross-origin rules of the chat endpoints: only the brand's own sites, and never cookies.

The widget runs on the brand's site (``https://www.fjordnett.no``) and calls webcare on another origin
(``https://desk.example``), so every call is a CORS request. The browser sends ``Origin``; webcare answers with
``Access-Control-Allow-Origin`` only when that origin is in the channel's ``allowed_origins``, and refuses any other
origin — or a request without one — with 403 naming the origin, before the view runs. No credentials mode: the chat
token travels in the ``Authorization`` header, so no cookie of webcare's is ever sent from the brand's site.

This keeps other sites from embedding a brand's chat (and spending its agents' time); it is not an authentication
of the visitor — a script outside a browser can send any ``Origin``. The token and the per-session send limit are
what bound such a script.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from webcare.channels.webchat import normalise_origin, parse_origins
from webcare.core.models import Channel

ALLOW_HEADERS = "Authorization, Content-Type"
ALLOW_METHODS = "GET, POST, OPTIONS"
#: How long a browser may reuse a preflight answer (seconds).
MAX_AGE = "600"


class OriginRefused(Exception):
    """The request's origin may not use this channel; the message says which origin and why."""


def checked_origin(request: HttpRequest, channel: Channel) -> str:
    """The request's normalised origin if the channel allows it; :class:`OriginRefused` otherwise."""
    sent = request.headers.get("Origin", "")
    if not sent and request.headers.get("Sec-Fetch-Site") == "same-origin":
        # Browsers leave Origin out of same-origin GETs: this is the desk's own preview page (/chat/<key>/preview).
        return desk_origin(request)
    if not sent or sent == "null":
        raise OriginRefused("no Origin header: the chat answers only pages on the brand's sites")
    origin = normalise_origin(sent)
    if origin == desk_origin(request):
        return origin  # the desk's own preview page (/chat/<key>/preview): no other site can be this origin
    allowed = parse_origins(channel.settings.get("allowed_origins"))
    if not allowed:
        raise OriginRefused(f"origin {origin} is not allowed: this chat channel has no allowed origins yet "
                            "(an admin adds the brand's site addresses to the channel)")
    if origin not in allowed:
        raise OriginRefused(f"origin {origin} is not allowed for this chat; allowed: {', '.join(allowed)}")
    return origin


def desk_origin(request: HttpRequest) -> str:
    """webcare's own origin as this request reached it."""
    return normalise_origin(request.build_absolute_uri("/").rstrip("/"))


def refused(exc: OriginRefused) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=403)


def allow(response: HttpResponse, origin: str) -> HttpResponse:
    """Let ``origin`` read ``response`` (the widget reads error bodies too, so 4xx answers get the headers)."""
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Expose-Headers"] = "Retry-After"
    response["Vary"] = "Origin" if "Vary" not in response else f"{response['Vary']}, Origin"
    return response


def preflight(origin: str) -> HttpResponse:
    """The answer to the browser's ``OPTIONS`` before a POST or a request with the ``Authorization`` header."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response["Access-Control-Max-Age"] = MAX_AGE
    return allow(response, origin)
