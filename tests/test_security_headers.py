"""Response headers and cookies: the content security policy, framing, permissions, opener isolation, HSTS once
cookies are secure, session cookies; and in a real browser, that the desk's pages break none of the policy and the
web chat widget keeps working on a brand's site with a strict policy of its own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser import CSP_LISTENER, sign_in
from tests.conftest import Personas, client_for
from webcare.core.models import Channel

ROOT = Path(__file__).resolve().parents[1]
WEBCARE = str(ROOT / ".venv" / "bin" / "webcare")
PASSWORD = "correct horse battery"


def directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


def test_every_page_carries_a_strict_content_security_policy(personas: Personas) -> None:
    for response in (Client().get("/login/"), client_for(personas.agent).get("/inbox/"),
                     client_for(personas.admin).get("/staff/")):
        policy = directives(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert policy["form-action"] == "'self'" and policy["base-uri"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]


def test_the_other_security_headers_are_set(db: None) -> None:
    response = Client().get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert "Strict-Transport-Security" not in response  # not over plain http, and secure cookies are off here


def test_hsts_is_sent_over_https_when_cookies_are_secure(db: None, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(("secure", "expected"), [("true", "True True 31536000"), ("false", "False False 0")])
def test_secure_cookies_switch_on_hsts_and_csrf_cookie_security(tmp_path: Path, secure: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "WEBCARE_DATA_DIR": str(tmp_path), "WEBCARE_SECURE_COOKIES": secure}
    code = ("from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    result = subprocess.run([WEBCARE, "shell", "--no-imports", "-c", code], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_session_cookie_is_httponly_lax_and_lasts_a_working_day(personas: Personas) -> None:
    client = Client()
    client.get("/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/login/", {"username": "kari", "password": PASSWORD, "next": "/inbox/"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 3600
    assert client.session.get_expire_at_browser_close() is False


# -- in a real browser ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_listener_catches_a_violation(chromium: Any, live_server: Any) -> None:
    """The check every browser test runs can fail: an inline style added to a desk page is reported."""
    context = chromium.new_context()
    seen: list[str] = []
    context.expose_function("webcareCspViolation", lambda text: seen.append(str(text)))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    directive = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation", e => resolve(e.effectiveDirective), {once: true});
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
    })""")
    assert directive == "style-src-attr"
    assert page.locator("p", has_text="x").evaluate("p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    context.close()
    assert any(text.startswith("style-src-attr blocked inline") for text in seen), seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_desks_pages_break_no_policy(browser: Any, live_server: Any, personas: Personas) -> None:
    """The browser fixture fails the test on any violation; these are the pages not covered by other browser tests."""
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Chat")
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 800})  # with the code step
    for path in ("/inbox/", "/inbox/notifications/", "/account/two-factor/", "/account/locks/", "/staff/",
                 "/staff/channels/", "/supervisor/", f"/chat/{chat.webhook_key}/preview", "/api/v1/docs"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
    page.goto(f"{live_server.url}/chat/{chat.webhook_key}/preview")
    launcher = page.get_by_role("button", name="Chat with us")  # the widget on the desk's own page
    launcher.wait_for()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(15, 95, 99)"  # its styles adopted


BRAND_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Brand</title>
<link rel="stylesheet" href="/site.css"></head><body><h1>Brand</h1><script src="{script}" async></script></body></html>
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_chat_widget_works_on_a_brand_site_with_a_strict_policy(browser: Any, live_server: Any,
                                                                     httpserver: Any, personas: Personas) -> None:
    site = httpserver.url_for("").rstrip("/")
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Chat",
                                  settings={"allowed_origins": site, "title": "Brand chat"})
    policy = (f"default-src 'self'; script-src 'self' {live_server.url}; connect-src {live_server.url}; "
              "style-src 'self'; img-src 'self'")
    httpserver.expect_request("/").respond_with_data(
        BRAND_PAGE.format(script=f"{live_server.url}/chat/{chat.webhook_key}/widget.js"),
        content_type="text/html; charset=utf-8", headers={"Content-Security-Policy": policy})
    httpserver.expect_request("/site.css").respond_with_data("h1 { color: #123; }", content_type="text/css")
    page = browser.new_page()
    page.goto(f"{site}/")
    launcher = page.get_by_role("button", name="Chat with us")
    launcher.wait_for()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(15, 95, 99)"  # styled
    launcher.click()
    page.get_by_role("dialog", name="Brand chat").wait_for()
