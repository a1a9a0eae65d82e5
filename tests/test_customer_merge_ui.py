"""Merging customers from the customer card: search, the confirmation that says what moves, the merge itself, the
refusals, and the live event that refreshes other agents' panes."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.customers.merge import do_merge
from webcare.customers.models import Customer, CustomerHistory, Identity
from webcare.live.models import LiveEvent
from webcare.tickets.models import Ticket

HTMX = {"HX-Request": "true"}


@pytest.fixture
def kari(personas: Personas) -> Ticket:
    """The open ticket: Kari Nordmann (u-1)."""
    return ingest_ticket(personas, 1, conversation="c-kari", author="u-1")


@pytest.fixture
def ola(personas: Personas) -> Customer:
    """Ola N. (u-2, also on X) with two conversations."""
    first = ingest_ticket(personas, 2, conversation="c-ola-1", author="u-2")
    ingest_ticket(personas, 3, conversation="c-ola-2", author="u-2")
    customer = first.customer
    assert customer is not None
    Customer.objects.filter(pk=customer.pk).update(name="Ola N.", customer_number="20077")
    Identity.objects.create(organisation=personas.org, customer=customer, platform="x", external_id="77",
                            handle="@ola_n")
    customer.refresh_from_db()
    return customer


@pytest.fixture
def agent(personas: Personas) -> Client:
    return client_for(personas.agent)


def search(client: Client, ticket: Ticket, query: str) -> str:
    response = client.get(f"/inbox/tickets/{ticket.pk}/customer/merge/search/", {"q": query}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", ["ola", "@OLA_N", "20077", "u-2"])
def test_it_finds_customers_by_name_handle_number_or_platform_id(agent: Client, kari: Ticket, ola: Customer,
                                                                  query: str) -> None:
    html = search(agent, kari, query)
    assert f'data-customer="{ola.pk}"' in html
    assert "Ola N." in html and "@ola_n" in html


def test_it_never_offers_this_customer_a_merged_one_or_another_organisations(
        personas: Personas, agent: Client, kari: Ticket, ola: Customer) -> None:
    merged = Customer.objects.create(organisation=personas.org, name="Ola gammel")
    do_merge(ola, merged, None)
    Customer.objects.create(organisation=personas.other_org, name="Ola elsewhere")
    assert "No other customer matches “gammel”." in search(agent, kari, "gammel")
    assert "No other customer matches “elsewhere”." in search(agent, kari, "elsewhere")
    assert "No other customer matches “u-1”." in search(agent, kari, "u-1")  # the open ticket's own customer


def test_it_offers_at_most_ten_customers(personas: Personas, agent: Client, kari: Ticket) -> None:
    Customer.objects.bulk_create([Customer(organisation=personas.org, name=f"Nordmann {n}") for n in range(15)])
    assert search(agent, kari, "nordmann").count("data-customer=") == 10


def test_it_says_what_will_move_before_merging(agent: Client, kari: Ticket, ola: Customer) -> None:
    response = agent.get(f"/inbox/tickets/{kari.pk}/customer/merge/{ola.pk}/", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 identities and 2 conversations of Ola N. move to Kari Nordmann." in html
    assert f'name="other" value="{ola.pk}"' in html
    assert not CustomerHistory.objects.exists()


def test_it_merges_the_other_customer_into_the_open_tickets_customer(personas: Personas, agent: Client,
                                                                      kari: Ticket, ola: Customer) -> None:
    ola_tickets = set(Ticket.objects.filter(customer=ola).values_list("pk", flat=True))
    response = agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": ola.pk}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    html = response.content.decode()
    assert "2 identities and 2 conversations of Ola N. moved to Kari Nordmann." in html
    timeline = html[html.index('class="customer-timeline"'):]
    assert all(f'data-ticket="{pk}"' in timeline for pk in ola_tickets)  # Ola's conversations in Kari's timeline
    assert "@ola_n" in html
    ola.refresh_from_db()
    assert ola.merged_into_id == kari.customer_id
    history = CustomerHistory.objects.get()
    assert (history.customer_id, history.other_id, history.actor_id) == (kari.customer_id, ola.pk, personas.agent.pk)
    customer = Customer.objects.get(pk=kari.customer_id)
    assert customer.customer_number == "20077"  # the empty number was filled from Ola's


def test_it_publishes_the_merge_for_both_customers_tickets(personas: Personas, agent: Client, kari: Ticket,
                                                          ola: Customer) -> None:
    ola_tickets = list(Ticket.objects.filter(customer=ola).values_list("pk", flat=True))
    before = LiveEvent.objects.count()
    agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": ola.pk}, headers=HTMX)
    events = list(LiveEvent.objects.order_by("id")[before:])
    assert [(e.kind, e.data) for e in events] == [
        ("tickets", {"tickets": sorted([kari.pk, *ola_tickets]), "actor": personas.agent.pk})]


def test_it_refuses_to_merge_a_customer_with_itself(agent: Client, kari: Ticket) -> None:
    confirm = agent.get(f"/inbox/tickets/{kari.pk}/customer/merge/{kari.customer_id}/", headers=HTMX)
    assert confirm.status_code == 422
    assert "a customer cannot be merged into itself" in confirm.content.decode()
    response = agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": kari.customer_id}, headers=HTMX)
    assert response.status_code == 422
    assert "a customer cannot be merged into itself" in response.content.decode()
    assert "HX-Trigger" not in response
    assert not CustomerHistory.objects.exists()


def test_it_refuses_an_already_merged_customer(agent: Client, kari: Ticket, ola: Customer,
                                               personas: Personas) -> None:
    third = ingest_ticket(personas, 4, conversation="c-3", author="u-3")
    assert third.customer is not None
    do_merge(third.customer, ola, None)
    confirm = agent.get(f"/inbox/tickets/{kari.pk}/customer/merge/{ola.pk}/", headers=HTMX)
    assert confirm.status_code == 422
    assert f"customer {ola.pk} was already merged into customer {third.customer_id}" in confirm.content.decode()
    response = agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": ola.pk}, headers=HTMX)
    assert response.status_code == 422
    assert "was already merged" in response.content.decode()
    assert CustomerHistory.objects.count() == 1


@pytest.mark.parametrize("other", ["", "abc", "999999"])
def test_it_refuses_a_missing_customer(agent: Client, kari: Ticket, other: str) -> None:
    response = agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": other}, headers=HTMX)
    assert response.status_code == 422
    assert "There is no such customer in your organisation." in response.content.decode()


def test_it_keeps_other_organisations_out_of_merges(personas: Personas, agent: Client, kari: Ticket,
                                                    ola: Customer) -> None:
    theirs = Customer.objects.create(organisation=personas.other_org, name="Theirs")
    assert agent.get(f"/inbox/tickets/{kari.pk}/customer/merge/{theirs.pk}/", headers=HTMX).status_code == 404
    response = agent.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": theirs.pk}, headers=HTMX)
    assert response.status_code == 422
    assert "There is no such customer in your organisation." in response.content.decode()
    outsider = client_for(personas.outsider)
    assert outsider.get(f"/inbox/tickets/{kari.pk}/customer/merge/search/?q=ola", headers=HTMX).status_code == 404
    assert outsider.get(f"/inbox/tickets/{kari.pk}/customer/merge/{ola.pk}/", headers=HTMX).status_code == 404
    assert outsider.post(f"/inbox/tickets/{kari.pk}/customer/merge/", {"other": ola.pk},
                         headers=HTMX).status_code == 404
    theirs.refresh_from_db()
    ola.refresh_from_db()
    assert theirs.merged_into_id is None and ola.merged_into_id is None
    assert not CustomerHistory.objects.exists()


def test_it_offers_to_merge_a_customer_with_the_same_number_from_the_card(
        personas: Personas, agent: Client, kari: Ticket, ola: Customer) -> None:
    assert kari.customer is not None
    Customer.objects.filter(pk=kari.customer.pk).update(customer_number="20077")
    html = agent.get(f"/inbox/tickets/{kari.pk}/", headers=HTMX).content.decode()
    assert f'hx-get="/inbox/tickets/{kari.pk}/customer/merge/{ola.pk}/"' in html
    assert "Merge Ola N. into this customer…" in html
