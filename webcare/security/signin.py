"""Signing in: the password at ``/login/``, then — for people with two-step sign-in — the code.

Django's signals keep their meaning (the audit log records sign-ins from them): ``user_login_failed`` for a wrong
password (sent by ``authenticate``) and for a wrong code (sent here); ``user_logged_in`` only when ``login()`` runs,
which is after the second step. Throttling (throttle.py) is checked before the password and before the code.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from webcare.security import session, throttle, two_factor


def locked_message() -> str:
    minutes = settings.WEBCARE_SIGNIN_LOCKOUT_MINUTES
    return ngettext("Too many failed sign-ins. Try again in %(minutes)d minute.",
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.", minutes) % {"minutes": minutes}


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after signing in: a page of this site only (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


def _login_page(request: HttpRequest, form: AuthenticationForm, next_url: str, error: str = "",
                status: int = 200) -> HttpResponse:
    return render(request, "inbox/login.html", {"form": form, "next": next_url, "error": error}, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: username and password."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method != "POST":
        return _login_page(request, AuthenticationForm(request), next_url)
    username = request.POST.get("username", "")
    form = AuthenticationForm(request, data=request.POST)
    if throttle.is_locked(username, request):
        # Not even checked: a lock must not be a way to test passwords, nor say whether the user exists.
        return _login_page(request, AuthenticationForm(request, initial={"username": username}), next_url,
                           locked_message(), status=429)
    if form.is_valid():
        user = form.get_user()
        if two_factor.is_enabled(user):
            request.session.cycle_key()
            session.set_pending(request.session, user, next_url)
            return redirect("security:sign_in_code")
        auth_login(request, user)
        throttle.succeeded(username)
        return redirect(next_url)
    if username.strip() and throttle.register_failure(username, request):
        return _login_page(request, form, next_url, locked_message(), status=429)
    return _login_page(request, form, next_url)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app, or a recovery code."""
    pending = session.pending(request.session)
    user = None
    if pending is not None and not pending.expired(timezone.now()):
        user = get_user_model().objects.filter(pk=pending.user_id, is_active=True).first()
    if pending is None or user is None:
        session.clear_pending(request.session)
        messages.info(request, _("Sign in again: the code step waits %(minutes)d minutes.")
                      % {"minutes": session.PENDING_MINUTES})
        return redirect("login")
    if request.method != "POST":
        return render(request, "security/sign_in_code.html", {"error": ""})
    username = user.get_username()
    if throttle.is_locked(username, request):
        session.clear_pending(request.session)
        return _login_page(request, AuthenticationForm(request), pending.next_url, locked_message(), status=429)
    method = two_factor.verify(user, request.POST.get("code", ""))
    if method is None:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if throttle.register_failure(username, request):
            session.clear_pending(request.session)
            return _login_page(request, AuthenticationForm(request), pending.next_url, locked_message(),
                               status=429)
        return render(request, "security/sign_in_code.html",
                      {"error": _("That code is not right, or it was used already. Type the code the app shows "
                                  "now.")}, status=422)
    session.clear_pending(request.session)
    auth_login(request, user, backend=pending.backend)
    session.mark_verified(request.session)
    throttle.succeeded(username)
    if method == "recovery":
        device = two_factor.confirmed_device(user)
        left = two_factor.unused_recovery_codes(device) if device is not None else 0
        messages.warning(request, ngettext(
            "You signed in with a recovery code. %(count)d is left: make new ones on your account page.",
            "You signed in with a recovery code. %(count)d are left: make new ones on your account page.",
            left) % {"count": left})
    return redirect(pending.next_url or settings.LOGIN_REDIRECT_URL)
