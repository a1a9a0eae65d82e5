"""The customer card beside a conversation: editing name, customer number and notes (with their history), the
identities on every channel, the earlier conversations' timeline, and the hint about a duplicate customer number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import ApiClient, Personas, client_for, ingest_ticket
from webcare.access.models import Reveal
from webcare.conversations.models import Conversation
from webcare.core.models import Channel
from webcare.customers.edit import CustomerEditError, do_edit_customer
from webcare.customers.models import Customer, CustomerEdit, Identity
from webcare.inbox import customer_card
from webcare.live.models import LiveEvent
from webcare.tickets.models import Status, Ticket

HTMX = {"HX-Request": "true"}


def edit_url(ticket: Ticket) -> str:
    return f"/inbox/tickets/{ticket.pk}/customer/edit/"


def form(customer: Customer, **changes: str) -> dict[str, str]:
    """What the card's form posts: every field, and the values the agent started from."""
    data = {f"seen_{field}": getattr(customer, field) for field in ("name", "customer_number", "notes")}
    data |= {field: getattr(customer, field) for field in ("name", "customer_number", "notes")}
    return data | changes


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    return ingest_ticket(personas, 1, conversation="c-1", author="u-1")


def test_it_shows_the_customer_with_identities_on_every_channel(personas: Personas, ticket: Ticket) -> None:
    assert ticket.customer is not None
    Identity.objects.create(organisation=personas.org, customer=ticket.customer, platform="x", external_id="991",
                            handle="@kari_n", display_name="Kari N.")
    Identity.objects.create(organisation=personas.org, customer=ticket.customer, platform="email",
                            external_id="kari@example.test")
    page = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    card = page[page.index('id="customer-card"'):]
    assert "Kari Nordmann" in card
    # Names and public handles as they are; an e-mail address masked until revealed with a purpose (webcare/access).
    for text in ("@u-1", "@kari_n", "Kari N.", "k•••@example.test", ">X<", ">E-mail<"):
        assert text in card, text
    assert "kari@example.test" not in card
    revealed = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/customer/reveal/",
                                               {"purpose": "call_back"}, headers=HTMX).content.decode()
    assert "kari@example.test" in revealed


def test_it_saves_name_number_and_notes_and_records_who_changed_what(personas: Personas, ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    changes = form(customer, name="Kari Nordmann-Berg", customer_number=" 10042 ",
                   notes="Foretrekker e-post.\r\nHar to abonnement.")
    response = client_for(personas.agent).post(edit_url(ticket), changes, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    html = response.content.decode()
    assert "Kari Nordmann-Berg" in html and "•••42" in html and "Saved." in html
    assert "10042" not in html  # the saved card is masked again (webcare/access)
    assert "edited by Kari" in html
    customer.refresh_from_db()
    assert (customer.name, customer.customer_number, customer.notes) == (
        "Kari Nordmann-Berg", "10042", "Foretrekker e-post.\nHar to abonnement.")
    edits = {e.field: (e.old, e.new, e.actor_id) for e in CustomerEdit.objects.filter(customer=customer)}
    assert edits == {
        "name": ("Kari Nordmann", "Kari Nordmann-Berg", personas.agent.pk),
        "customer_number": ("", "10042", personas.agent.pk),
        "notes": ("", "Foretrekker e-post.\nHar to abonnement.", personas.agent.pk),
    }
    event = LiveEvent.objects.order_by("-id").first()
    assert event is not None and event.data == {"tickets": [ticket.pk], "actor": personas.agent.pk}


def test_it_opens_the_form_with_the_stored_values_and_model_max_lengths(personas: Personas, ticket: Ticket) -> None:
    html = client_for(personas.agent).get(edit_url(ticket), headers=HTMX).content.decode()
    assert 'name="name" value="Kari Nordmann" maxlength="200"' in html
    assert 'maxlength="64"' in html
    assert 'name="seen_name" value="Kari Nordmann"' in html


def test_it_writes_nothing_when_nothing_changed(personas: Personas, ticket: Ticket) -> None:
    assert ticket.customer is not None
    response = client_for(personas.agent).post(edit_url(ticket), form(ticket.customer), headers=HTMX)
    assert response.status_code == 200
    assert not CustomerEdit.objects.exists()


def test_it_refuses_values_that_are_too_long_naming_each_field_and_stores_nothing(personas: Personas,
                                                                                  ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    response = client_for(personas.agent).post(edit_url(ticket), form(
        customer, name="K" * 201, customer_number="1" * 65, notes="Fine notes"), headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="customer-name-error-{ticket.pk}">the name can have at most 200 characters' in html
    assert f'id="customer-number-error-{ticket.pk}">the customer number can have at most 64 characters' in html
    assert "Fine notes" in html  # what the agent typed is kept in the form
    customer.refresh_from_db()
    assert (customer.name, customer.customer_number, customer.notes) == ("Kari Nordmann", "", "")
    assert not CustomerEdit.objects.exists()


def test_it_refuses_to_overwrite_a_colleagues_change_made_meanwhile(personas: Personas, ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    seen = form(customer)
    do_edit_customer(customer, personas.supervisor, {"notes": "Ringer helst etter 16."})
    # The form carries the purpose of the reveal that opened it: showing the colleague's new notes is a reveal too.
    response = client_for(personas.agent).post(edit_url(ticket), seen | {"notes": "Mine", "purpose": "call_back"},
                                               headers=HTMX)
    assert response.status_code == 422
    assert "somebody changed this while you were editing; it is now “Ringer helst etter 16.”" in (
        response.content.decode())
    assert Reveal.objects.filter(customer_id=customer.pk, purpose="call_back").count() == 1
    customer.refresh_from_db()
    assert customer.notes == "Ringer helst etter 16."


def test_it_changes_only_the_fields_the_agent_changed(personas: Personas, ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    seen = form(customer)
    do_edit_customer(customer, personas.supervisor, {"notes": "Ringer helst etter 16."})
    response = client_for(personas.agent).post(edit_url(ticket), seen | {"name": "Kari B."}, headers=HTMX)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("Kari B.", "Ringer helst etter 16.")


def test_it_refuses_fields_that_are_not_editable_and_values_that_are_not_text(ticket: Ticket) -> None:
    assert ticket.customer is not None
    with pytest.raises(CustomerEditError) as refused:
        do_edit_customer(ticket.customer, None, {"name": 42, "organisation_id": 2, "notes": "ok"})
    assert refused.value.errors == {
        "name": "the name must be text",
        "organisation_id": "organisation_id cannot be edited; edit one of name, customer_number, notes",
    }
    ticket.customer.refresh_from_db()
    assert (ticket.customer.name, ticket.customer.notes) == ("Kari Nordmann", "")
    assert not CustomerEdit.objects.exists()


def test_it_edits_through_the_api_with_the_same_rules_and_trail(api: ApiClient, ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    response = api.patch_json(f"/api/v1/customers/{customer.pk}", {"customer_number": "  777 "})
    assert response.status_code == 200
    assert response.json()["customer_number"] == "•••"  # masked in the answer (webcare/access); stored as given
    edit = CustomerEdit.objects.get()
    assert (edit.field, edit.old, edit.new, edit.actor_id) == ("customer_number", "", "777", None)


def test_it_shows_who_edited_last_and_when(personas: Personas, ticket: Ticket) -> None:
    assert ticket.customer is not None
    do_edit_customer(ticket.customer, personas.supervisor, {"name": "Kari N."})
    CustomerEdit.objects.update(at=timezone.now() - timedelta(hours=2))
    html = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/customer/", headers=HTMX).content.decode()
    assert "edited by Sunniva, 2\xa0hours ago" in html


def test_it_hides_another_organisations_customer(personas: Personas, ticket: Ticket) -> None:
    outsider = client_for(personas.outsider)
    assert outsider.get(f"/inbox/tickets/{ticket.pk}/customer/", headers=HTMX).status_code == 404
    assert outsider.get(edit_url(ticket), headers=HTMX).status_code == 404
    assert outsider.post(edit_url(ticket), {"name": "Mine now"}, headers=HTMX).status_code == 404
    assert outsider.get(f"/inbox/tickets/{ticket.pk}/customer/timeline/?t=1&id=1", headers=HTMX).status_code == 404
    assert ticket.customer is not None
    ticket.customer.refresh_from_db()
    assert ticket.customer.name == "Kari Nordmann"


def test_it_lists_earlier_conversations_newest_first_with_channel_date_status_and_subject(
        personas: Personas) -> None:
    email = Channel.objects.create(organisation=personas.org, kind="email", slug="mail", name="Support mail")
    oldest = ingest_ticket(personas, 1, conversation="c-old", text="Ruteren blinker rødt",
                           sent_at="2026-10-01T09:00:00+00:00")
    newer = ingest_ticket(personas, 2, conversation="c-new", text="Fakturaen er feil",
                          sent_at="2026-11-02T09:00:00+00:00")
    current = ingest_ticket(personas, 3, conversation="c-now", text="Hei igjen",
                            sent_at="2026-11-20T09:00:00+00:00")
    Conversation.objects.filter(pk=newer.conversation_id).update(channel=email)
    Ticket.objects.filter(pk=oldest.pk).update(status=Status.CLOSED)
    html = client_for(personas.agent).get(f"/inbox/tickets/{current.pk}/", headers=HTMX).content.decode()
    timeline = html[html.index('class="customer-timeline"'):]
    assert f'data-ticket="{current.pk}"' not in timeline  # the open conversation is not "earlier"
    assert timeline.index(f'data-ticket="{newer.pk}"') < timeline.index(f'data-ticket="{oldest.pk}"')
    assert "E-mail" in timeline and "2 Nov 2026" in timeline and "Fakturaen er feil" in timeline
    assert "Closed" in timeline and "Ruteren blinker rødt" in timeline
    assert f'hx-get="/inbox/tickets/{oldest.pk}/" hx-target="#ticket"' in timeline


def test_it_shows_20_conversations_and_pages_the_rest_in_a_constant_number_of_queries(
        personas: Personas, ticket: Ticket, django_assert_num_queries: Any) -> None:
    customer = ticket.customer
    assert customer is not None
    start = timezone.now() - timedelta(days=1)
    conversations = Conversation.objects.bulk_create([
        Conversation(organisation=personas.org, channel=personas.channel, external_id=f"old-{n}", kind="private",
                     customer=customer, subject=f"Sak {n}", last_message_at=start - timedelta(minutes=n // 2))
        for n in range(2000)  # pairs share a time, so the page boundary falls inside a tie
    ])
    Ticket.objects.bulk_create([Ticket(organisation=personas.org, conversation=c, customer=customer,
                                       status=Status.CLOSED, subject=c.subject) for c in conversations])
    with django_assert_num_queries(2):
        first = customer_card.timeline(customer, ticket.conversation_id)
    # Newest first; within a pair sharing a time, the later row (higher id) first.
    assert [row.subject for row in first.rows] == [f"Sak {n ^ 1}" for n in range(20)]
    seen = [row.conversation.pk for row in first.rows]
    response = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/customer/timeline/?{first.more}",
                                              headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="timeline-row"') == 20 and "Show more" in html
    page, walked = first, list(seen)
    while page.more:
        t, pk = (part.split("=")[1] for part in page.more.split("&"))
        page = customer_card.timeline(customer, ticket.conversation_id, customer_card.parse_cursor(t, pk))
        walked += [row.conversation.pk for row in page.rows]
    assert len(walked) == len(set(walked)) == 2000  # every conversation once, the open one never


def test_it_shows_show_more_only_when_there_is_more(personas: Personas, ticket: Ticket) -> None:
    html = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    assert "Show more" not in html and "No other conversations." in html


@pytest.mark.parametrize("query", ["t=abc&id=1", "t=1", "t=99999999999999999999999&id=1"])
def test_it_refuses_a_tampered_timeline_position(personas: Personas, ticket: Ticket, query: str) -> None:
    response = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/customer/timeline/?{query}",
                                              headers=HTMX)
    assert response.status_code == 400


def test_it_says_when_another_customer_has_the_same_customer_number(personas: Personas, ticket: Ticket) -> None:
    customer = ticket.customer
    assert customer is not None
    twin = Customer.objects.create(organisation=personas.org, name="K. Nordmann", customer_number="10042")
    Customer.objects.create(organisation=personas.other_org, name="Elsewhere", customer_number="10042")
    gone = Customer.objects.create(organisation=personas.org, name="Gone", customer_number="10042", merged_into=twin)
    response = client_for(personas.agent).post(edit_url(ticket), form(customer, customer_number="10042"),
                                               headers=HTMX)
    html = response.content.decode()
    assert "Customer number •••42 is also on another customer" in html
    assert "K. Nordmann" in html and "Elsewhere" not in html and gone.name not in html
    assert f"/inbox/tickets/{ticket.pk}/customer/merge/{twin.pk}/" in html
