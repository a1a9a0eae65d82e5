"""``/account/two-factor/``: turn two-step sign-in on (QR code, secret, first code, recovery codes) and off.

Every signed-in person may use it; admins must (the middleware sends them here first). Pages that show a secret or
recovery codes are never cached. Writes go through :mod:`webcare.security.two_factor`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from webcare.security import session, two_factor
from webcare.security.qr import qr_svg
from webcare.security.signin import safe_next
from webcare.security.totp import provisioning_uri

ISSUER = "webcare"


def _grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    context |= {"required": two_factor.required(request.user),
                "next": safe_next(request, request.POST.get("next") or request.GET.get("next"))}
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _enrolment(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    secret = two_factor.pending_secret(request.user)
    account = request.user.get_username()
    return _page(request, "security/enrol.html", status, error=error, secret=_grouped(secret),
                 qr=qr_svg(provisioning_uri(secret, account, ISSUER), _("QR code for your authenticator app")))


@login_required
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return _enrolment(request)
    return _page(request, "security/two_factor.html", device=device,
                 unused=two_factor.unused_recovery_codes(device))


@sensitive_post_parameters("code")
@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.confirm(request.user, request.POST.get("code", ""), request)
    except two_factor.TwoFactorError as exc:
        if two_factor.is_enabled(request.user):
            return redirect("security:two_factor")
        return _enrolment(request, str(exc), status=422)
    session.mark_verified(request.session)
    return _page(request, "security/recovery_codes.html", codes=codes, enrolled=True)


@sensitive_post_parameters("code")
@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.disable(request.user, request.POST.get("code", ""), request)
    except two_factor.TwoFactorError as exc:
        return _status_with_error(request, str(exc))
    session.forget_verified(request.session)
    session.end_other_sessions(request.user, request.session.session_key)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("security:two_factor")


@sensitive_post_parameters("code")
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.renew_recovery_codes(request.user, request.POST.get("code", ""))
    except two_factor.TwoFactorError as exc:
        return _status_with_error(request, str(exc))
    return _page(request, "security/recovery_codes.html", codes=codes, enrolled=False)


def _status_with_error(request: HttpRequest, error: str) -> HttpResponse:
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("security:two_factor")
    return _page(request, "security/two_factor.html", status=422, device=device, error=error,
                 unused=two_factor.unused_recovery_codes(device))
