"""Accessibility of the main screens, checked by axe-core (the engine behind Lighthouse and the axe browser tools)
in the real browser: WCAG 2.1 A and AA rules, colour contrast measured on the rendered page, labelled controls.

axe-core comes inside the ``axe-playwright-python`` package (no download at run time).
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import contrast
from tests.browser import sign_in
from tests.conftest import Personas, ingest_ticket
from tests.search_support import tantivy_index  # noqa: F401 — a fixture
from webcare.search import indexer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def test_it_computes_wcag_contrast_like_the_standard() -> None:
    assert round(contrast.ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast.ratio("#777777", "#ffffff"), 2) == 4.48  # the classic just-fails grey


@pytest.mark.django_db(transaction=False)
def test_every_colour_pair_of_the_stylesheet_meets_wcag_aa() -> None:
    assert contrast.main() == 0


def violations(page: Any) -> list[str]:
    """axe's WCAG A/AA violations on the page as it is now, one readable line per failing element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']}: {node['target']} — {node.get('failureSummary', '')[:200]}")
    return lines


@pytest.fixture
def ticket(personas: Personas) -> Any:
    return ingest_ticket(personas, 1, text="Hei, fakturaen min er dobbelt denne måneden?")


def test_the_sign_in_page_passes_wcag_aa(browser: Any, live_server: Any, personas: Personas) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    assert violations(page) == []


def test_the_inbox_and_an_open_conversation_pass_wcag_aa(browser: Any, live_server: Any, personas: Personas,
                                                          ticket: Any) -> None:
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 720})
    page.locator(f'#list .row[data-ticket="{ticket.pk}"]').wait_for()
    assert violations(page) == []
    page.locator(f'#list .row[data-ticket="{ticket.pk}"] a').click()
    page.locator(f'#ticket article[data-ticket="{ticket.pk}"]').wait_for()
    assert violations(page) == []
    page.keyboard.press("?")
    page.locator("dialog#shortcuts").wait_for(state="visible")
    assert violations(page) == []


@pytest.mark.usefixtures("tantivy_index")
def test_the_search_results_pass_wcag_aa(browser: Any, live_server: Any, personas: Personas, ticket: Any) -> None:
    indexer.sync()
    page = sign_in(browser, live_server, "kari")
    page.goto(f"{live_server.url}/inbox/?view=search&q=faktura")
    page.locator(f'#list .row[data-ticket="{ticket.pk}"]').wait_for()
    assert violations(page) == []


def test_the_phone_layout_passes_wcag_aa(browser: Any, live_server: Any, personas: Personas, ticket: Any) -> None:
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    page.locator(f'#ticket article[data-ticket="{ticket.pk}"]').wait_for()
    assert violations(page) == []


@pytest.mark.parametrize("path", ["/staff/", "/staff/teams/", "/inbox/canned/", "/staff/hours/", "/staff/hours/new/",
                                  "/staff/hours/replies/", "/staff/hours/replies/new/", "/staff/agents/new/",
                                  "/staff/teams/new/", "/staff/routing/", "/staff/routing/new/", "/staff/routing/test/",
                                  "/supervisor/", "/inbox/notifications/", "/staff/sla/",
                                  "/staff/sla/new/"])
def test_the_admin_pages_pass_wcag_aa(browser: Any, live_server: Any, personas: Personas, path: str) -> None:
    page = sign_in(browser, live_server, "ada")
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    assert violations(page) == []
