"""Each agent's own interface language.

The choice is kept on the agent record (so it follows the person to any device: it is copied into the session when
they sign in), in the session (so it follows the agent's sign-in, not the browser's ``Accept-Language``) and in
Django's language cookie (so pages without a signed-in user, such as the sign-in page, follow it too, and the choice
survives signing out). ``LocaleMiddleware`` already honours the cookie; ``AgentLanguageMiddleware`` runs after
``AuthenticationMiddleware`` and lets the session choice win for a signed-in agent, e.g. on a second device that has
no cookie yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from webcare.core.models import Agent

#: Session key of the chosen language code.
SESSION_KEY = "webcare_language"
#: Where to go after choosing when the form names no safe ``next`` and there is no usable referer.
DEFAULT_NEXT = "/inbox/"


def supported_codes() -> list[str]:
    """The codes an agent may choose: exactly ``settings.LANGUAGES``, nothing Django merely has a catalogue for."""
    return [code for code, _name in settings.LANGUAGES]


def stored_language(request: HttpRequest) -> str | None:
    """The session's choice if it is still offered (a language removed from settings is ignored, not an error)."""
    session = getattr(request, "session", None)
    code = session.get(SESSION_KEY) if session is not None else None
    return code if isinstance(code, str) and code in supported_codes() else None


def _safe_next(request: HttpRequest) -> str:
    """Back to the page the picker was on; only same-site targets, so the form cannot be used as an open redirect."""
    for candidate in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return DEFAULT_NEXT


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Store the POSTed ``language`` for this agent (session and cookie) and answer in it.

    Open to visitors too: the choice made on the sign-in page is kept in the session through ``login()`` (which
    keeps an anonymous session's data) and in the cookie. An unknown code is refused with 400 and changes nothing.
    """
    code = request.POST.get("language", "")
    if code not in supported_codes():
        return HttpResponseBadRequest(
            gettext("Unknown language “%(code)s”. Choose one of: %(choices)s.")
            % {"code": code[:20], "choices": ", ".join(supported_codes())},
            content_type="text/plain; charset=utf-8",
        )
    request.session[SESSION_KEY] = code
    if request.user.is_authenticated:
        Agent.objects.filter(user=request.user).update(ui_language=code)
    translation.activate(code)
    request.LANGUAGE_CODE = code
    response: HttpResponse
    if request.headers.get("HX-Request") == "true":
        # htmx posts expect a partial, not a redirect: reload the page so everything is re-rendered in the language.
        response = HttpResponse(status=204, headers={"HX-Refresh": "true"})
    else:
        response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def restore_on_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: bring the language the agent chose on another device into this session, unless they just
    chose one on the sign-in page (that newer choice is stored on the record instead)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    fresh = stored_language(request)
    if fresh is not None:
        Agent.objects.filter(user=user).update(ui_language=fresh)
        return
    code = Agent.objects.filter(user=user).exclude(ui_language="").values_list("ui_language", flat=True).first()
    if code in supported_codes():
        session[SESSION_KEY] = code


class AgentLanguageMiddleware:
    """Activate the signed-in agent's stored language for the request.

    Must come after ``AuthenticationMiddleware`` (it needs ``request.user``) and after ``LocaleMiddleware``, whose
    choice from cookie or ``Accept-Language`` it overrides; ``LocaleMiddleware`` then labels the response
    (``Content-Language``) with the language that was really used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = stored_language(request)
            if code is not None:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
