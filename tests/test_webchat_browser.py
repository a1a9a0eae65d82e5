"""The web chat widget in a real browser, embedded on the brand's own site — another origin than the desk.

The brand's page is served by a second local HTTP server (pytest-httpserver) and carries the one script tag, and a
stylesheet that would wreck any widget it could reach. The visitor opens the chat, types a question and sees a
suggested answer before sending; sends with Enter; an agent answers (worker, ``do_reply``, sender, run here), and the
answer appears in the widget by itself. axe checks the widget's WCAG A/AA rules inside its shadow root. The
screenshot "webchat-widget" goes to ``test-artifacts/`` (docs/img/webchat-widget.png is a copy).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser import screenshot
from tests.conftest import Personas
from tests.test_accessibility import violations
from webcare.channels.sender import send_due
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.knowledge.loader import DEMO_FILE, load_file
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BRAND_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fjordnett – Kundeservice</title>
<style>
  /* The brand's own styles, deliberately hostile: none of it may reach the widget. */
  * {{ font-family: Georgia, serif !important; letter-spacing: .04em; }}
  button {{ background: hotpink !important; border: 4px dashed lime !important; }}
  ol, ul {{ list-style: square; padding-left: 4em; }}
  p {{ color: #333; line-height: 2.2; }}
  body {{ margin: 0; background: #eef3f5; color: #12303a; text-align: center; }}
  header {{ background: #12303a; color: #fff; padding: 18px 40px; text-align: left; font-size: 22px; }}
  main {{ max-width: 720px; margin: 60px auto; padding: 0 24px; text-align: left; }}
  h1 {{ font-size: 40px; margin: 0 0 16px; }}
  .cards {{ display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 32px; }}
  .card {{ background: #fff; border-radius: 12px; padding: 18px 20px; box-shadow: 0 1px 3px rgb(0 0 0 / 10%); }}
</style>
</head>
<body>
<header>Fjordnett</header>
<main>
  <h1>Kundeservice</h1>
  <p>Her finner du svar på det meste om mobil, bredbånd og faktura. Finner du ikke svaret, chat med oss.</p>
  <div class="cards">
    <div class="card"><strong>Faktura</strong><p>Betaling, eFaktura og AvtaleGiro.</p></div>
    <div class="card"><strong>Mobil</strong><p>SIM, eSIM, PUK og bruk i utlandet.</p></div>
    <div class="card"><strong>Bredbånd</strong><p>Ruter, hastighet og flytting.</p></div>
    <div class="card"><strong>Driftsmeldinger</strong><p>Feil på nettet der du bor.</p></div>
  </div>
</main>
<script src="{script}" async></script>
</body>
</html>
"""
ACCENT_RGB = "rgb(15, 95, 99)"  # the default accent, #0f5f63


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    """Wait for something the browser does on its own (a fetch, a poll) to show up in the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def brand_site(httpserver: Any, live_server: Any, personas: Personas) -> tuple[str, Channel]:
    """The brand's page on its own origin, with the chat channel allowing exactly that origin."""
    load_file(personas.org, DEMO_FILE)
    site = httpserver.url_for("").rstrip("/")
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Fjordnett chat",
                                  settings={"allowed_origins": site, "title": "Fjordnett kundeservice"})
    script = f"{live_server.url}/chat/{chat.webhook_key}/widget.js"
    for lang, path in (("nb-NO", "/"), ("en", "/en/")):
        httpserver.expect_request(path).respond_with_data(BRAND_PAGE.format(lang=lang, script=script),
                                                          content_type="text/html; charset=utf-8")
    assert site != live_server.url  # another origin than the desk: every call is cross-origin
    return site, chat


def test_a_visitor_sees_a_suggested_answer_then_chats_with_an_agent(browser: Any, personas: Personas,
                                                                    brand_site: tuple[str, Channel]) -> None:
    site, chat = brand_site
    page = browser.new_page(viewport={"width": 1200, "height": 820})
    page.goto(f"{site}/")
    launcher = page.get_by_role("button", name="Chat med oss")
    launcher.wait_for()
    # The page's "button { background: hotpink !important }" does not reach into the shadow root.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == ACCENT_RGB
    launcher.click()
    dialog = page.get_by_role("dialog", name="Fjordnett kundeservice")
    dialog.wait_for()
    assert launcher.get_attribute("aria-expanded") == "true"
    message_box = page.get_by_label("Meldingen din")
    assert message_box.evaluate("e => e === e.getRootNode().activeElement")  # focus went to the message box

    page.get_by_label("Navnet ditt (valgfritt)").fill("Ola Nordmann")
    message_box.press_sequentially("Hvorfor er fakturaen min så høy?", delay=15)
    suggestion = page.get_by_text("Hvorfor er fakturaen min høyere enn vanlig?")
    suggestion.wait_for()
    page.get_by_role("status").filter(has_text="foreslått").wait_for()  # announced to screen readers
    suggestion.click()  # a <details>: the answer unfolds
    page.get_by_text("Den første fakturaen etter et bytte dekker ofte to perioder").wait_for()
    assert violations(page) == []

    message_box.press("Enter")
    mine = page.locator(".wc-mine .wc-text", has_text="Hvorfor er fakturaen min så høy?")
    mine.wait_for()
    assert message_box.input_value() == ""
    assert page.get_by_text("Hvorfor er fakturaen min høyere enn vanlig?").is_hidden()  # suggestions go on send
    event = wait_until(lambda: InboundEvent.objects.filter(channel=chat).first(), "the message to be stored")
    assert event.payload["author"]["name"] == "Ola Nordmann"
    assert event.payload["text"] == "Hvorfor er fakturaen min så høy?"

    drain()
    ticket = Ticket.objects.get(conversation__channel=chat)
    do_reply(ticket, personas.agent, "Hei Ola! Den første fakturaen etter et bytte dekker to perioder. "
                                     "Neste faktura blir som vanlig.")
    assert send_due().sent == 1

    reply = page.locator(".wc-theirs", has_text="Neste faktura blir som vanlig.")
    reply.wait_for(timeout=15000)  # the widget polls every two seconds while open
    assert reply.locator(".wc-author").inner_text() == "Kari"
    assert page.locator(".wc-mine .wc-text").count() == 1  # its own message, not repeated by the poll
    assert violations(page) == []

    # A follow-up question while the conversation is on screen: the picture for the docs.
    message_box.press_sequentially("Hvordan får jeg eFaktura i nettbanken?", delay=15)
    page.get_by_text("Hvordan får jeg eFaktura eller AvtaleGiro?").wait_for()
    screenshot(page, "webchat-widget")

    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert launcher.evaluate("e => e === e.getRootNode().activeElement")  # focus back on the launcher


def test_the_chat_survives_a_reload_and_counts_replies_that_came_while_closed_on_a_phone(
        browser: Any, personas: Personas, brand_site: tuple[str, Channel]) -> None:
    site, chat = brand_site
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone: the chat fills the screen
    page.goto(f"{site}/en/")  # an English page: the widget speaks English
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Your message").fill("Is there an outage where I live?")
    page.get_by_role("button", name="Send").click()
    wait_until(lambda: InboundEvent.objects.filter(channel=chat).exists(), "the message to be stored")
    drain()

    page.reload()
    # The token in localStorage brings the conversation back (read before the reply exists).
    page.locator(".wc-mine .wc-text", has_text="Is there an outage where I live?").wait_for(state="attached")
    do_reply(Ticket.objects.get(conversation__channel=chat), personas.agent, "Not that we know of – which area?")
    send_due()
    # Closed: the reply shows as a count on the launcher (polled every 15 s while closed).
    badge = page.get_by_role("button", name="Chat with us (1 new)")
    badge.wait_for(timeout=25000)
    badge.click()
    log = page.get_by_role("log", name="Messages")
    assert log.locator(".wc-mine .wc-text").all_inner_texts() == ["Is there an outage where I live?"]
    assert log.locator(".wc-theirs .wc-text").all_inner_texts() == ["Not that we know of – which area?"]
    assert page.get_by_role("button", name="Chat with us", exact=True).is_visible()  # seen: the count is gone
    assert page.get_by_label("Your name (optional)").is_hidden()  # the session goes on; no second introduction
    width = page.get_by_role("dialog").evaluate("d => d.getBoundingClientRect().width")
    assert width >= 390 - 2 * 12  # the whole width of the phone but the margins
    assert violations(page) == []
    screenshot(page, "webchat-widget-phone")


def test_the_widget_stays_away_from_a_site_that_is_not_allowed(browser: Any, brand_site: tuple[str, Channel]) -> None:
    site, chat = brand_site
    chat.settings = {"allowed_origins": "https://www.fjordnett.example"}
    chat.save()
    page = browser.new_page()
    with page.expect_console_message(lambda message: "webcare chat: not shown" in message.text) as warning:
        page.goto(f"{site}/")
    assert "Is this site in the chat channel's allowed origins?" in warning.value.text
    assert page.get_by_role("button", name="Chat med oss").count() == 0
