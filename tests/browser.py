"""Playwright for Python driving Debian's headless Chromium: the fixtures every browser test uses.

``chromium`` (one browser process per test module) and ``browser`` (pages closed after each test) reach every test
module through conftest's ``pytest_plugins``; test modules import ``sign_in`` and ``screenshot`` from here.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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

    class Opener:
        def new_page(self, **options: Any) -> Any:
            context = chromium.new_context(**options)
            contexts.append(context)
            return context.new_page()

    yield Opener()
    for context in contexts:
        context.close()


def sign_in(browser: Any, live_server: Any, username: str, **context: Any) -> Any:
    page = browser.new_page(**context)
    page.goto(f"{live_server.url}/inbox/")
    assert "/login/" in page.url  # not signed in: sent to the sign-in page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    return page


def screenshot(page: Any, name: str, *, full_page: bool = False) -> None:
    """Keep a picture of a main screen from the test run (README and docs/ use current ones)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
