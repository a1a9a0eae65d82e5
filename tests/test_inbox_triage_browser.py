"""Triage in the inbox in a real browser (Playwright driving Debian's headless Chromium): the public-personal-data
ticket first with its red marker, the badges, strong language blurred and out of the accessibility tree until the
agent clicks, showing and hiding personal data, and axe's WCAG 2.1 AA rules on all of it.

The screenshot ``inbox-triage`` (test-artifacts/, copied to docs/img/ for docs/inbox.md) is taken here.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from tests.test_accessibility import violations
from tests.test_inbox_triage import PHONE_TEXT, triage, with_phone
from webcare.conversations.models import Message
from webcare.customers.models import Customer, Identity
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ANGRY = "Faen ta dere, tredje gang jeg skriver om denne dritten"


def a_morning(personas: Personas) -> dict[str, Ticket]:
    """An inbox with one of each: personal data in public, strong language, a sales lead, a formal question."""
    question = ingest_ticket(personas, 1, conversation="c-1", author="u-1", sent_at="2026-11-20T07:00:00+00:00",
                             text="Goddag, kan De opplyse om når fakturaen for november kommer?")
    triage(question, language="nb", sentiment_label="neutral", intents=["question"], register="formal")
    lead = ingest_ticket(personas, 2, conversation="c-2", author="u-2", sent_at="2026-11-20T08:00:00+00:00",
                         text="Hej! Vi är fem på kontoret och vill byta till er, vad kostar fiber?")
    triage(lead, language="sv", sentiment=0.5, sentiment_label="positive", intents=["sales_lead", "question"],
           register="informal")
    angry = ingest_ticket(personas, 3, conversation="c-3", author="u-3", sent_at="2026-11-20T09:00:00+00:00",
                          text=ANGRY)
    triage(angry, priority=2, language="nb", sentiment=-0.9, sentiment_label="negative", intents=["complaint"],
           register="informal", profane=True, profanity_terms=["faen", "dritt"], abuse_score=0.7,
           signals=["anger", "repeat_contact"])
    exposed, _ = with_phone(personas, 4, conversation="c-4", author="u-4", sent_at="2026-11-20T10:00:00+00:00")
    for ticket, name, handle in ((question, "Per Olsen", "@per.olsen"), (lead, "Lina Karlsson", "@lina_k"),
                                 (angry, "Jonas Berg", "@jonas88"), (exposed, "Sigrid Hansen", "@sigrid_h")):
        Customer.objects.filter(pk=ticket.customer_id).update(name=name)
        Identity.objects.filter(customer_id=ticket.customer_id).update(handle=handle, display_name=name)
        Message.objects.filter(ticket=ticket).update(author_name=name)
    return {"question": question, "lead": lead, "angry": angry, "exposed": exposed}


def test_it_puts_personal_data_in_public_first_and_shows_it_only_on_request(browser: Any, live_server: Any,
                                                                            personas: Personas) -> None:
    tickets = a_morning(personas)
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 720})
    first = page.locator("#list .row").first
    first.wait_for()
    assert first.get_attribute("data-ticket") == str(tickets["exposed"].pk)
    marker = first.locator(".pii-public")
    assert marker.is_visible() and marker.inner_text().strip().endswith("Personal data in public")
    assert marker.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    assert "412 34 567" not in page.locator("#list").inner_text()
    lead = page.locator(f'#list .row[data-ticket="{tickets["lead"].pk}"]')
    assert "Sales lead" in lead.inner_text() and "SV" in lead.inner_text()
    assert violations(page) == []

    first.locator("a").click()
    pane = page.locator(f'#ticket article[data-ticket="{tickets["exposed"].pk}"]')
    pane.wait_for()
    assert "Personal data in public" in pane.locator(".pii-alert").inner_text()
    message = pane.locator(".msg.inbound").first
    assert "phone number" in message.locator(".pii-chip").inner_text()
    assert "412 34 567" not in pane.inner_text()
    screenshot(page, "inbox-triage")
    assert violations(page) == []

    message.get_by_role("button", name="Show personal data").click()
    message.get_by_label("Call the customer back").check()  # a purpose first (webcare/access), then the original
    assert violations(page) == []
    message.get_by_role("button", name="Show personal data").click()
    message.get_by_text(PHONE_TEXT).wait_for()
    assert message.get_by_role("status").inner_text() == "Personal data shown."
    assert violations(page) == []
    message.get_by_role("button", name="Hide personal data").click()
    message.locator(".pii-chip").wait_for()
    assert "412 34 567" not in pane.inner_text()


def test_it_blurs_strong_language_until_the_agent_asks_to_read_it(browser: Any, live_server: Any,
                                                                  personas: Personas) -> None:
    angry = ingest_ticket(personas, 1, text=ANGRY)
    triage(angry, sentiment_label="negative", intents=["complaint"], profane=True, profanity_terms=["faen", "dritt"],
           signals=["anger"])
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/inbox/?ticket={angry.pk}")
    message = page.locator(".msg.inbound").first
    message.wait_for()
    text = message.locator(".text")
    button = message.get_by_role("button", name="Show message (contains strong language)")

    assert text.evaluate("e => getComputedStyle(e).filter") == "blur(6px)"
    assert "Faen" not in message.aria_snapshot()  # not in the accessibility tree: a screen reader doesn't say it
    assert button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Tab")  # nothing in the hidden text takes focus (it is inert)
    assert text.evaluate("e => e.contains(document.activeElement)") is False
    assert violations(page) == []
    screenshot(page, "inbox-triage-strong-language")

    subject = page.locator("#ticket h2 .blurred")  # the subject is the message's first line: blurred with it
    assert subject.evaluate("e => getComputedStyle(e).filter") == "blur(5px)"
    assert "Faen" not in page.locator("#ticket h2").aria_snapshot()

    button.focus()
    page.keyboard.press("Enter")  # the keyboard works, and the inbox's Enter shortcut does not take it
    assert text.evaluate("e => getComputedStyle(e).filter") == "none"
    assert subject.evaluate("e => getComputedStyle(e).filter") == "none"
    assert ANGRY in message.aria_snapshot()
    hide = message.get_by_role("button", name="Hide message")
    assert hide.get_attribute("aria-expanded") == "true"
    assert violations(page) == []
    hide.click()
    assert text.evaluate("e => getComputedStyle(e).filter") == "blur(6px)"
    assert text.get_attribute("aria-hidden") == "true"


def test_it_gives_an_analyst_no_way_to_the_personal_data(browser: Any, live_server: Any, personas: Personas) -> None:
    exposed, _ = with_phone(personas)
    page = sign_in(browser, live_server, "anders")
    page.goto(f"{live_server.url}/inbox/?ticket={exposed.pk}")
    page.locator(".msg.inbound .pii-chip").first.wait_for()
    assert page.get_by_role("button", name="Show personal data").count() == 0
    assert "412 34 567" not in page.content()
