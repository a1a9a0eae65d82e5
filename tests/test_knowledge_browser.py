"""The knowledge base in a real browser: a customer types on the public help page and sees answers while typing; an
agent presses Alt+K in the composer and the suggested article's link lands in the reply at the cursor (Alt+Shift+K:
its text). axe checks both screens; any content-security-policy violation fails the test (tests/browser.py). The
screenshots "help-page" and "composer-suggestions" go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from tests.test_accessibility import violations
from webcare.knowledge.loader import DEMO_DIR, load_file
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_customer_sees_answers_while_typing_on_the_help_page(browser: Any, live_server: Any,
                                                               personas: Personas) -> None:
    load_file(personas.org, DEMO_DIR)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="nb-NO",
                            extra_http_headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    page.goto(f"{live_server.url}/help/fjord/")
    assert page.locator("html").get_attribute("lang") == "nb"
    page.get_by_role("heading", name="Faktura og betaling").wait_for()
    box = page.get_by_label("Søk i hjelpesidene")
    box.press_sequentially("mista mobilen på bussen", delay=30)  # no button pressed: the answers come while typing
    result = page.locator("#help-results").get_by_role("link", name="Jeg har mistet telefonen – hvordan sperrer jeg "
                                                                     "SIM-kortet?")
    result.wait_for()
    # The last pause's search is in the address: a link to it shows the same answers.
    page.wait_for_function("decodeURIComponent(location.search).includes('mista mobilen på bussen')")
    result.wait_for()
    assert violations(page) == []
    screenshot(page, "help-page", full_page=False)
    result.click()
    page.get_by_role("heading", level=1, name="Jeg har mistet telefonen – hvordan sperrer jeg SIM-kortet?").wait_for()
    assert page.locator(".answer strong", has_text="Min side → Sperr SIM").count() == 1
    assert violations(page) == []


def test_an_agent_pastes_the_suggested_articles_link_with_one_key(browser: Any, live_server: Any,
                                                                  personas: Personas) -> None:
    load_file(personas.org, DEMO_DIR)
    ticket = ingest_ticket(personas, 1, text="Hei! Jeg har tastet feil PIN tre ganger, hvor finner jeg PUK-koden?")
    Ticket.objects.filter(pk=ticket.pk).update(team=personas.team)
    page = sign_in(browser, live_server, "kari", viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    first = page.locator("#kb-suggest-list .kb-item").first
    first.wait_for()
    assert first.locator(".kb-title").inner_text() == "Hvor finner jeg PUK-koden?"
    reply = page.locator("#reply-text")
    reply.click()
    page.keyboard.type("Hei! Her står det:")
    page.keyboard.press("Alt+K")
    link = f"/help/fjord/puk/?lang={ticket.language or 'nb'}"
    page.wait_for_function(f"document.getElementById('reply-text').value.includes({link!r})")
    value = reply.input_value()
    assert value.startswith("Hei! Her står det: http") and value.endswith(link)  # at the cursor, a space before it
    assert page.evaluate("document.activeElement.id") == "reply-text"  # the agent goes on writing

    page.keyboard.press("Enter")
    page.keyboard.press("Alt+Shift+K")
    page.wait_for_function("document.getElementById('reply-text').value.includes('PUK-koden står på plastkortet')")
    assert page.get_by_text("Alt", exact=True).first.is_visible()  # the keys are shown beside the suggestions
    assert violations(page) == []
    screenshot(page, "composer-suggestions")
