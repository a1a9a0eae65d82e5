"""The customer card in a real browser: edit the customer's name in place, merge another customer in and see their
conversation join the timeline — also in a colleague's open pane, live."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from webcare.customers.models import Customer, CustomerEdit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def open_live(page: Any, live_server: Any, ticket_id: int) -> None:
    page.goto(f"{live_server.url}/inbox/?ticket={ticket_id}")
    page.wait_for_function("window.webcareStream && window.webcareStream.readyState === 1")


def test_it_edits_the_customer_and_merges_another_into_it(browser: Any, live_server: Any,
                                                          personas: Personas) -> None:
    kari_ticket = ingest_ticket(personas, 1, conversation="c-kari", author="u-1",
                                text="Hei, fakturaen min er dobbelt denne måneden?")
    earlier = ingest_ticket(personas, 2, conversation="c-kari-old", author="u-1", text="Ruteren blinker rødt",
                            sent_at="2026-10-01T09:00:00+00:00")
    ola_ticket = ingest_ticket(personas, 3, conversation="c-ola", author="u-2", text="Bytte av abonnement",
                               sent_at="2026-11-01T09:00:00+00:00")
    assert ola_ticket.customer is not None
    Customer.objects.filter(pk=ola_ticket.customer_id).update(name="Ola N.", customer_number="20077")

    page = sign_in(browser, live_server, "kari", viewport={"width": 1440, "height": 900})
    colleague = sign_in(browser, live_server, "sunniva")
    open_live(page, live_server, kari_ticket.pk)
    open_live(colleague, live_server, kari_ticket.pk)
    card = page.locator("#customer-card")
    assert card.locator(f'.timeline-row[data-ticket="{earlier.pk}"]').count() == 1

    page.locator("#customer-edit").click()
    name = page.get_by_label("Name", exact=True)
    name.fill("Kari Nordmann-Berg")
    page.locator("#customer-save").click()
    page.locator("#customer-card .customer-name", has_text="Kari Nordmann-Berg").wait_for()
    assert "edited by Kari" in card.locator(".customer-edited").inner_text()
    assert Customer.objects.get(pk=kari_ticket.customer_id).name == "Kari Nordmann-Berg"
    assert CustomerEdit.objects.filter(customer_id=kari_ticket.customer_id, actor=personas.agent).count() == 1

    page.get_by_text("Merge with another customer…").click()
    page.get_by_label("Find the other customer by name, handle or customer number").fill("20077")
    page.locator(f'#customer-merge-results [data-customer="{ola_ticket.customer_id}"]').click()
    confirm = page.locator(".customer-merge-confirm")
    confirm.wait_for()
    assert "1 identity and 1 conversation of Ola N. move to Kari Nordmann-Berg." in confirm.inner_text()
    page.locator("#customer-merge-go").click()

    page.locator(f'#customer-card .timeline-row[data-ticket="{ola_ticket.pk}"]').wait_for()
    assert "Bytte av abonnement" in card.locator(".customer-timeline").inner_text()
    assert "moved to Kari Nordmann-Berg" in card.get_by_role("status").inner_text()
    screenshot(page, "inbox-customer-card")
    colleague.locator(f'#customer-card .timeline-row[data-ticket="{ola_ticket.pk}"]').wait_for()  # live

    page.locator(f'#customer-card .timeline-row[data-ticket="{ola_ticket.pk}"] a').click()
    page.locator(f'#ticket article[data-ticket="{ola_ticket.pk}"]').wait_for()
    assert Customer.objects.get(pk=ola_ticket.customer_id).merged_into_id == kari_ticket.customer_id
