"""A canned response in a real browser: pick it, it lands in the reply with the customer's first name, the agent
edits it and sends it, and the thread shows the edited text signed with the agent's name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from webcare.conversations.models import Message
from webcare.core.models import Agent
from webcare.customers.models import Customer
from webcare.replies.actions import CannedInput, do_create_canned

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_it_inserts_a_canned_response_the_agent_edits_and_sends_signed(browser: Any, live_server: Any,
                                                                        personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Hei, fakturaen min er dobbelt denne måneden?")
    Customer.objects.filter(pk=ticket.customer_id).update(name="Ola Nordmann")
    supervisor = Agent.objects.select_related("organisation", "user").get(user=personas.supervisor)
    response = do_create_canned(supervisor, CannedInput(
        "Spørsmål om faktura", "Hei {customer_first_name}! Takk for at du sier fra. Saksnummeret ditt er "
        "{ticket_number}.", "nb"))
    do_create_canned(supervisor, CannedInput("Takk for skryt", "Tusen takk, {customer_first_name}!", "nb"))

    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    assert page.locator("#reply-signature").inner_text() == "Signed: – Kari"
    page.get_by_label("Canned response").select_option(str(response.pk))
    page.get_by_role("button", name="Insert").click()
    reply = page.locator("#reply-text")
    page.wait_for_function("document.getElementById('reply-text').value.length > 0")
    expected = f"Hei Ola! Takk for at du sier fra. Saksnummeret ditt er {ticket.pk}."
    assert reply.input_value() == expected
    assert page.evaluate("document.activeElement.id") == "reply-text"  # the agent goes on writing

    page.keyboard.type(" Jeg har kreditert det ene trekket.")
    edited = expected + " Jeg har kreditert det ene trekket."
    assert reply.input_value() == edited
    screenshot(page, "inbox-composer-canned")

    page.locator("#send-reply").click()
    sent = page.locator(".msg.outbound", has_text="kreditert det ene trekket")
    sent.wait_for()
    assert sent.locator(".text").inner_text() == edited + "\n– Kari"
    assert Message.objects.get(ticket=ticket, direction="outbound").text == edited + "\n– Kari"
