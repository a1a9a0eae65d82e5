"""The search page in a real browser: results while typing a misspelt Norwegian word, a filter clicked with the
keyboard, the back button, opening the hit in the inbox; WCAG 2.1 AA (axe) and no content-security violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.search_support import NOW, make_message, tantivy_index  # noqa: F401 — a fixture, through index()
from tests.test_accessibility import violations
from webcare.conversations.models import Message
from webcare.search import indexer
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def index(request: pytest.FixtureRequest) -> str:
    """A fresh tantivy index of the test's own (``tantivy_index``, tests/search_support.py): its directory."""
    return str(request.getfixturevalue("tantivy_index"))


def ticket_of(message: Message) -> Ticket:
    """The ticket a message made (make_message always makes one)."""
    assert message.ticket is not None
    return message.ticket


def test_an_agent_finds_a_misspelt_inflected_word_while_typing_and_opens_the_ticket(
        browser: Any, live_server: Any, personas: Personas, index: str) -> None:
    org = personas.org
    first = ticket_of(make_message(org, "Fakturaen er trukket to ganger denne måneden", kind="facebook",
                                   sentiment="negative", intents=("complaint",), name="Sigrid Hansen",
                                   handle="@sigrid_h", sent_at=NOW - timedelta(hours=3)))
    second = ticket_of(make_message(org, "Hvor finner jeg faktura for november?", kind="facebook",
                                    intents=("question",), name="Ola Berg", handle="@olab"))
    tweet = ticket_of(make_message(org, "My faktura never arrived, 3rd time asking", kind="x", language="en",
                                   name="Jane Doe", handle="@jdoe"))
    make_message(org, "Nettet er nede i Bergen", kind="facebook")
    indexer.sync()

    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/search/")
    assert violations(page) == []  # the help shown for an empty box

    # Typed letter by letter, never submitted: "fakturaan" is "fakturaen" (the invoice) with a typo.
    page.get_by_label("Messages, customers and tickets").press_sequentially("fakturaan", delay=40)
    page.locator(f'#results .hit[data-ticket="{tweet.pk}"]').wait_for()
    page.wait_for_function("document.querySelector('#result-count').textContent.trim() === '3 results'")
    assert page.locator("#results .hit").count() == 3
    assert "q=fakturaan" in page.url  # the address is the search: shareable
    assert page.locator(f'.hit[data-ticket="{first.pk}"] mark').first.inner_text() == "Fakturaen"
    assert violations(page) == []
    screenshot(page, "search")

    # A filter, with the keyboard: the box and the address follow, focus stays on the filter.
    page.locator('#results a[data-focus="facet-channel-facebook"]').focus()
    page.keyboard.press("Enter")
    page.locator(f'#results .hit[data-ticket="{tweet.pk}"]').wait_for(state="detached")
    assert page.locator("#results .hit").count() == 2
    assert page.locator("#search").input_value() == "fakturaan channel:facebook"
    assert "channel%3Afacebook" in page.url
    assert page.evaluate("document.activeElement.dataset.focus") == "facet-channel-facebook"
    assert page.locator("#result-count").inner_text() == "2 results"
    assert page.locator(".remove-filter", has_text="Channel: Facebook").is_visible()

    # Back: the search before the filter, results and box alike.
    page.go_back()
    page.locator(f'#results .hit[data-ticket="{tweet.pk}"]').wait_for()
    assert page.locator("#search").input_value() == "fakturaan"

    # Open the hit: the inbox with the ticket beside the same search.
    page.locator(f'#results .hit[data-ticket="{second.pk}"] a.ticket-link').click()
    page.locator(f'#ticket article[data-ticket="{second.pk}"]').wait_for()
    assert page.locator(f'#list .row[data-ticket="{first.pk}"]').count() == 1
