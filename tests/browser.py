"""Playwright for Python driving Debian's headless Chromium: the fixtures every browser test uses.

``chromium`` (one browser process per test module) and ``browser`` (pages closed after each test) reach every test
module through conftest's ``pytest_plugins``; test modules import ``sign_in`` and ``screenshot`` from here.
Screenshots go to ``test-artifacts/``.

Every page opened through ``browser`` reports content-security-policy violations back to the test (a
``securitypolicyviolation`` listener installed before any page script runs), and the test fails if there was any:
an inline script or ``style=`` attribute that the policy blocks is a broken page in production.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (scripts/test.sh installs it)")
        pytest.skip("Debian's chromium is not installed: run scripts/test.sh, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """The browser for one test; every page it opened is closed at the end, so no open event stream or late request
    from one test reaches the server while the database is being reset for the next."""
    contexts: list[Any] = []
    violations: list[str] = []

    class Opener:
        def new_page(self, **options: Any) -> Any:
            context = chromium.new_context(**options)
            contexts.append(context)
            context.expose_function("webcareCspViolation", lambda text: violations.append(str(text)))
            context.add_init_script(CSP_LISTENER)
            page = context.new_page()
            page.wait_for_function = _polling_wait_for_function(page)
            return page

    yield Opener()
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("content security policy violations:\n" + "\n".join(sorted(set(violations))))


def _polling_wait_for_function(page: Any) -> Any:
    """``page.wait_for_function`` that works under the desk's policy.

    Playwright's own evaluates the expression with ``eval`` inside the page, which ``script-src 'self'`` forbids (as
    it should: no page script may eval). ``page.evaluate`` goes through the DevTools protocol, which the policy does
    not govern, so this polls with it until the expression is truthy (an expression that throws counts as not yet,
    and its last error is raised at the timeout)."""

    def wait_for_function(expression: str, arg: Any = None, *, timeout: float | None = None,
                          polling: Any = None) -> Any:
        from playwright.sync_api import Error, TimeoutError

        deadline = time.monotonic() + (30_000 if timeout is None else timeout) / 1000
        while True:
            error: Exception | None = None
            try:
                value = page.evaluate(expression, arg)
            except Error as exc:
                value, error = None, exc
            if value:
                return value
            if time.monotonic() > deadline:
                raise error or TimeoutError(f"wait_for_function timed out: {expression}")
            page.wait_for_timeout(50)

    return wait_for_function


#: Runs in every frame before the page's own scripts; the event bubbles out of shadow roots too (composed).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  var t = e.target && e.target.tagName ? e.target : null;
  var where = t ? " at <" + t.tagName.toLowerCase() + (t.id ? "#" + t.id : "") +
    (t.className && t.className.baseVal === undefined ? "." + String(t.className).split(" ").join(".") : "") + ">" : "";
  window.webcareCspViolation(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " on " +
    e.documentURI + where + " (" + (e.sourceFile || "") + ":" + e.lineNumber + ") " + (e.sample || ""));
}, true);
"""


def sign_in(browser: Any, live_server: Any, username: str, **context: Any) -> Any:
    """Sign in through the real form. Admins must have two-step sign-in, so they get a fresh authenticator (a new
    secret, made here) and type its current code at the second step, as a person with the app would."""
    secret = _authenticator_for(username)
    page = browser.new_page(**context)
    page.goto(f"{live_server.url}/inbox/")
    assert "/login/" in page.url  # not signed in: sent to the sign-in page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    if secret is not None:
        import pyotp

        page.wait_for_url("**/account/sign-in/code/")
        page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    return page


def _authenticator_for(username: str) -> str | None:
    """A new confirmed two-step device for a person who must have one (its secret), else None."""
    from django.contrib.auth import get_user_model

    from webcare.security import totp, two_factor
    from webcare.security.models import TwoFactorDevice

    user = get_user_model().objects.get(username=username)
    if not two_factor.required(user):
        return None
    secret = totp.new_secret()
    TwoFactorDevice.objects.update_or_create(user=user, defaults={
        "secret_encrypted": two_factor.encrypted_secret(user.pk, secret), "confirmed_at": timezone.now(),
        "last_step": 0})
    return secret


def screenshot(page: Any, name: str, *, full_page: bool = False) -> None:
    """Keep a picture of a main screen from the test run (README and docs/ use current ones)."""
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret makes Playwright write a style attribute on every input, which htmx later
    # copies while settling a swap — a policy violation that is the harness's, not the page's.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, caret="initial")
