"""The inbox in a real browser (Playwright driving Debian's headless Chromium): sign in, see an unassigned ticket,
assign it to yourself, reply, see the reply in the thread; the keyboard; the phone layout.

Screenshots of the main screens are written to ``test-artifacts/`` on every run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from webcare.conversations.models import Message
from webcare.tickets.actions import do_add_note
from webcare.tickets.models import Status, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_it_lets_an_agent_take_and_answer_an_unassigned_ticket(browser: Any, live_server: Any,
                                                               personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Hei, fakturaen min er dobbelt denne måneden?")
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 720})
    row = page.locator(f'#list .row[data-ticket="{ticket.pk}"]')
    row.wait_for()
    assert "fakturaen min er dobbelt" in row.inner_text()
    screenshot(page, "inbox-list")

    row.locator("a").click()
    pane = page.locator(f'#ticket article[data-ticket="{ticket.pk}"]')
    pane.wait_for()
    assert "nobody" in pane.locator(".assignee-name").inner_text()
    page.locator("#assign-me").click()
    page.wait_for_function("document.querySelector('.assignee-name').innerText.includes('Kari')")

    page.locator("#reply-text").fill("Hei! Jeg har rettet fakturaen. Mvh Kari")
    page.locator("#send-reply").click()
    page.locator(".msg.outbound", has_text="Jeg har rettet fakturaen").wait_for()
    screenshot(page, "inbox-conversation")

    ticket.refresh_from_db()
    assert ticket.assignee == personas.agent
    assert ticket.status == Status.PENDING
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    assert reply.author_agent == personas.agent
    assert reply.text == "Hei! Jeg har rettet fakturaen. Mvh Kari"


def test_it_refuses_an_empty_reply_and_says_why(browser: Any, live_server: Any, personas: Personas) -> None:
    ticket = ingest_ticket(personas, 2)
    page = sign_in(browser, live_server, "kari")
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    page.locator("#send-reply").click()
    page.get_by_role("alert").wait_for()
    assert "a reply needs text" in page.get_by_role("alert").inner_text()
    assert not Message.objects.filter(ticket=ticket, direction="outbound").exists()


def test_it_moves_and_opens_with_the_keyboard(browser: Any, live_server: Any, personas: Personas) -> None:
    first = ingest_ticket(personas, 3, conversation="c-a", author="u-a", sent_at="2026-11-20T08:00:00+00:00")
    second = ingest_ticket(personas, 4, conversation="c-b", author="u-b", sent_at="2026-11-20T09:00:00+00:00")
    page = sign_in(browser, live_server, "kari")
    page.locator("#list .row").first.wait_for()
    order = [int(x) for x in page.locator("#list .row").evaluate_all("rows => rows.map(r => r.dataset.ticket)")]
    assert order[:2] == [first.pk, second.pk]  # oldest waiting first
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.locator(f'#ticket article[data-ticket="{second.pk}"]').wait_for()
    page.keyboard.press("a")
    page.wait_for_function("document.querySelector('.assignee-name').innerText.includes('Kari')")
    second.refresh_from_db()
    assert second.assignee == personas.agent
    page.keyboard.press("e")  # solve
    page.wait_for_function("document.querySelector('#ticket .status').innerText.includes('Solved')")
    second.refresh_from_db()
    assert second.status == Status.SOLVED

    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    dialog.wait_for(state="visible")
    assert "solve" in dialog.inner_text()
    screenshot(page, "inbox-shortcuts")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"


def test_it_stacks_the_panes_on_a_phone(browser: Any, live_server: Any, personas: Personas) -> None:
    ingest_ticket(personas, 5)
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 390, "height": 844})
    views = page.locator("nav.views").bounding_box()
    tickets = page.locator("#list").bounding_box()
    assert views is not None and tickets is not None
    assert tickets["y"] >= views["y"] + views["height"] - 1  # the list is below the views, not beside them
    assert tickets["width"] > 350
    screenshot(page, "inbox-phone", full_page=True)


def open_live(page: Any, live_server: Any, ticket: Ticket) -> None:
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    page.wait_for_function("window.webcareStream && window.webcareStream.readyState === 1")


def test_it_shows_a_second_agent_the_changes_live(browser: Any, live_server: Any, personas: Personas) -> None:
    ticket = ingest_ticket(personas, 6, text="Mobildata virker ikke i Bergen")
    kari = sign_in(browser, live_server, "kari")
    sunniva = sign_in(browser, live_server, "sunniva", viewport={"width": 1280, "height": 720})
    open_live(kari, live_server, ticket)
    open_live(sunniva, live_server, ticket)
    assert sunniva.locator(f'#list .row[data-ticket="{ticket.pk}"]').count() == 1

    kari.locator("#reply-text").press_sequentially("Hei", delay=20)
    sunniva.get_by_text("Kari is replying").wait_for()

    kari.locator("#assign-me").click()
    sunniva.wait_for_function("document.querySelector('.assignee-name').innerText.includes('Kari')")
    sunniva.locator(f'#list .row[data-ticket="{ticket.pk}"]').wait_for(state="detached")  # left "Unassigned"
    sunniva.wait_for_function("document.querySelector('.count[data-view=\"unassigned\"]').innerText.trim() === '0'")

    kari.locator("#reply-text").fill("Hei! Vi jobber med saken. Mvh Kari")
    kari.locator("#send-reply").click()
    sunniva.locator(".msg.outbound", has_text="Vi jobber med saken").wait_for()
    screenshot(sunniva, "inbox-live-second-agent")


def test_it_warns_before_sending_over_a_colleagues_new_reply(browser: Any, live_server: Any,
                                                              personas: Personas) -> None:
    ticket = ingest_ticket(personas, 7)
    kari = sign_in(browser, live_server, "kari")
    sunniva = sign_in(browser, live_server, "sunniva")
    open_live(kari, live_server, ticket)
    open_live(sunniva, live_server, ticket)
    sunniva.locator("#reply-text").fill("Hei! Dette skal være fikset nå. /Sunniva")
    kari.locator("#reply-text").fill("Hei! Vi har sendt en tekniker. Mvh Kari")
    kari.locator("#send-reply").click()
    kari.locator(".msg.outbound", has_text="sendt en tekniker").wait_for()

    sunniva.locator("#send-reply").click()
    warning = sunniva.locator(".collision")
    warning.wait_for()
    assert "replied while you were writing" in warning.inner_text()
    assert sunniva.locator("#reply-text").input_value() == "Hei! Dette skal være fikset nå. /Sunniva"
    assert not Message.objects.filter(ticket=ticket, author_agent=personas.supervisor).exists()
    # A colleague's next change arrives live while the warning is up: it must not replace the kept draft.
    do_add_note(ticket, personas.agent, "Tekniker bestilt til i morgen")
    sunniva.wait_for_timeout(2000)  # the stream polls every 0.4 s
    assert sunniva.locator(".collision").is_visible()
    assert sunniva.locator("#reply-text").input_value() == "Hei! Dette skal være fikset nå. /Sunniva"
    sunniva.get_by_role("button", name="Send anyway").click()
    sunniva.locator(".msg.outbound", has_text="fikset nå").wait_for()
    assert Message.objects.filter(ticket=ticket, author_agent=personas.supervisor).count() == 1


def test_it_solves_ticked_tickets_in_one_action(browser: Any, live_server: Any, personas: Personas) -> None:
    one = ingest_ticket(personas, 8, conversation="c-8", author="u-8")
    two = ingest_ticket(personas, 9, conversation="c-9", author="u-9")
    page = sign_in(browser, live_server, "kari")
    page.get_by_label(f"Select ticket #{one.pk}").check()
    page.get_by_label(f"Select ticket #{two.pk}").check()
    page.locator("#bulk-action").select_option("solve")
    page.locator("#bulk-apply").click()
    page.locator(f'#list .row[data-ticket="{one.pk}"]').wait_for(state="detached")
    page.locator(f'#list .row[data-ticket="{two.pk}"]').wait_for(state="detached")
    assert set(Ticket.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {Status.SOLVED}
