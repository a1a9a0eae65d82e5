"""Two middlewares: two-step sign-in enforced on every page, and the response headers Django has no setting for.

:class:`TwoFactorMiddleware`, after authentication and messages:
- Django's own admin sign-in page leads to webcare's (``/login/``), the one place with the second step;
- a session that has not passed the second step (``session.VERIFIED``) although its person has two-step sign-in —
  signed in elsewhere, or before enrolling — is signed out and sent to sign in again;
- an admin or superuser without two-step sign-in is sent to ``/account/two-factor/`` before any other page (sign-out,
  the sign-in pages, static files and the endpoints that do not use the session — API, webhooks, web chat — stay
  reachable).
A verified session costs no query; any other signed-in request one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from webcare.core.models import Agent, Role
from webcare.security import session
from webcare.security.models import TwoFactorDevice

#: Paths that never need the session's person (token or key authenticated, or public).
SESSIONLESS_PREFIXES = ("/api/", "/hooks/", "/chat/", "/help/", "/health")
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), browsing-topics=()")


def _two_factor_state(user_id: int) -> tuple[bool, bool]:
    """(has a confirmed device, is an admin of some organisation) in one query."""
    row = (get_user_model().objects.filter(pk=user_id)
           .annotate(has_device=Exists(TwoFactorDevice.objects.filter(user_id=OuterRef("pk"),
                                                                      confirmed_at__isnull=False)),
                     is_admin=Exists(Agent.objects.filter(user_id=OuterRef("pk"), role=Role.ADMIN)))
           .values_list("has_device", "is_admin").first())
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the way the request can follow it: htmx swaps would put a whole page into a pane."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == _admin_login():
            next_url = request.GET.get("next") or reverse("admin:index")
            return _redirect(request, f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}")
        user = request.user
        if (not user.is_authenticated or session.is_verified(request.session) or path.startswith(_exempt_static())
                or path.startswith(SESSIONLESS_PREFIXES)):
            return self.get_response(request)
        has_device, is_admin = _two_factor_state(user.pk)
        if has_device:
            logout(request)  # this session skipped the code step: sign in again, through both steps
            return _redirect(request, f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        if (is_admin or user.is_superuser) and not _enrolment_allowed(path):
            enrol = reverse("security:two_factor")
            return _redirect(request, f"{enrol}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


@cache
def _admin_login() -> str:
    return reverse("admin:login")


def _exempt_static() -> str:
    return "/" + str(settings.STATIC_URL).lstrip("/")


def _enrolment_allowed(path: str) -> bool:
    """What an admin without two-step sign-in may still open: enrolment, sign-in and sign-out."""
    return path.startswith(("/account/two-factor/", "/account/sign-in/")) or path in (
        str(settings.LOGIN_URL), reverse("logout"))


class SecurityHeadersMiddleware:
    """``Permissions-Policy``: the desk uses no camera, microphone, location, payment or USB, so no page (nor a script
    injected into one) may ask for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
