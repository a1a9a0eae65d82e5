"""Masking by default (webcare/access/mask.py): e-mail addresses, phone numbers, customer numbers and personal data
in notes are partly hidden in every inbox view and API response; names and public handles stay."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient, Personas, client_for, ingest_ticket
from webcare.access import mask
from webcare.conversations.models import Message
from webcare.customers.models import Customer, Identity
from webcare.ingest.models import InboundEvent
from webcare.tickets.models import Ticket

HTMX = {"HX-Request": "true"}


# -- the pure functions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "masked"), [
    ("kari.nordmann@example.no", "k•••@example.no"),
    ("k@example.no", "k•••@example.no"),
    ("not-an-address", "•••-••-•••••ss"),
])
def test_it_masks_an_address_to_its_first_letter_and_domain(value: str, masked: str) -> None:
    assert mask.mask_email(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("+4791234567", "+47 9• •• •• 67"),
    ("4791234567", "+47 9• •• •• 67"),  # WhatsApp's ids: the country code without the +
    ("+46701234567", "+46 7• ••• •• 67"),
    ("412 34 567", "4•• •• •67"),  # a national number keeps its own grouping
    ("1234", "••••"),
])
def test_it_masks_a_phone_number_but_its_country_first_and_last_digits(value: str, masked: str) -> None:
    assert mask.mask_phone(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("10042", "•••42"), ("42", "••"), ("", ""), ("AB-1234", "••-••34"), ("4111 1111 1111 1111", "•••• •••• •••• ••11"),
])
def test_it_masks_a_code_to_its_last_two_characters(value: str, masked: str) -> None:
    assert mask.mask_code(value) == masked


@pytest.mark.parametrize(("platform", "value", "masked"), [
    ("email", "kari@example.no", "k•••@example.no"),
    ("whatsapp", "4791234567", "+47 9• •• •• 67"),
    ("x", "12345678901", "12345678901"),  # an X account id is not a phone number
    ("x", "@sigrid_h", "@sigrid_h"),  # a public handle stays
    ("telegram", "+4791234567", "+47 9• •• •• 67"),
    ("facebook", "kari@example.no", "k•••@example.no"),
])
def test_it_masks_identity_values_that_are_contact_data(platform: str, value: str, masked: str) -> None:
    assert mask.mask_identity_value(platform, value) == masked


def test_it_masks_personal_data_in_free_text_and_keeps_the_rest() -> None:
    notes = "Ring 412 34 567 eller skriv til kari@example.no. Har to abonnement."
    assert mask.mask_text(notes, "nb") == "Ring 4•• •• •67 eller skriv til k•••@example.no. Har to abonnement."
    assert mask.mask_text("Foretrekker e-post.") == "Foretrekker e-post."
    assert mask.mask_json({"author": {"id": "4791234567", "name": "Kari"}, "n": 0, "list": ["kari@example.no"]}) == {
        "author": {"id": "+47 9• •• •• 67", "name": "Kari"}, "n": 0, "list": ["k•••@example.no"]}


# -- the inbox -------------------------------------------------------------------------------------------------------

def a_customer_with_contact_data(personas: Personas) -> Ticket:
    ticket = ingest_ticket(personas, 1)
    customer = ticket.customer
    assert customer is not None
    customer.customer_number = "10042"
    customer.notes = "Ring 412 34 567 etter kl. 16. Hyggelig kunde."
    customer.save()  # (notes are encrypted at rest: set and saved, never updated in SQL)
    Identity.objects.create(organisation=personas.org, customer=customer, platform="whatsapp",
                            external_id="4791234567", handle="4791234567", display_name="Kari")
    Identity.objects.create(organisation=personas.org, customer=customer, platform="email",
                            external_id="kari.nordmann@example.no", display_name="kari.nordmann@example.no")
    return ticket


ORIGINALS = ("10042", "412 34 567", "4791234567", "kari.nordmann@example.no")


def test_the_customer_card_masks_contact_data_for_everyone_by_default(personas: Personas) -> None:
    ticket = a_customer_with_contact_data(personas)
    for user in (personas.agent, personas.supervisor, personas.admin, personas.analyst):
        card = client_for(user).get(f"/inbox/tickets/{ticket.pk}/customer/", headers=HTMX).content.decode()
        for original in ORIGINALS:
            assert original not in card, (user.username, original)
        for shown in ("•••42", "4•• •• •67", "+47 9• •• •• 67", "k•••@example.no", "Kari Nordmann",
                      "Hyggelig kunde."):
            assert shown in card, (user.username, shown)


def test_the_list_masks_a_handle_that_is_a_phone_number(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, author="4791234567")
    Identity.objects.filter(customer=ticket.customer).update(handle="+4791234567")
    Message.objects.filter(ticket=ticket).update(author_identity=None)  # the list falls back to the identity
    Customer.objects.filter(pk=ticket.customer_id).update(name="")
    html = client_for(personas.agent).get("/inbox/list/?view=unassigned").content.decode()
    assert "+47 9• •• •• 67" in html and "91234567" not in html


def test_the_merge_search_masks_the_others_contact_data(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    twin = Customer.objects.create(organisation=personas.org, name="Kari N.", customer_number="10042")
    Identity.objects.create(organisation=personas.org, customer=twin, platform="email", external_id="kari@example.no")
    html = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/customer/merge/search/?q=Kari N",
                                          headers=HTMX).content.decode()
    assert "Kari N." in html and "•••42" in html and "k•••@example.no" in html
    assert "10042" not in html and "kari@example.no" not in html


def test_an_author_name_that_is_an_address_is_masked_in_the_thread(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    Message.objects.filter(ticket=ticket).update(author_name="kari.nordmann@example.no")
    pane = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    assert "k•••@example.no" in pane and "kari.nordmann@example.no" not in pane


# -- the API ---------------------------------------------------------------------------------------------------------

PHONE_TEXT = "Hei, ring meg på 412 34 567 i dag"


def test_the_api_masks_message_text_and_contact_data_by_default(personas: Personas, api: ApiClient) -> None:
    ticket = a_customer_with_contact_data(personas)
    message = Message.objects.get(ticket=ticket)
    message.text = PHONE_TEXT
    message.redacted_text = "Hei, ring meg på [PHONE] i dag"
    message.save()
    detail = api.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert detail["messages"][0]["text"] == "Hei, ring meg på [PHONE] i dag"
    feed = api.get("/api/v1/messages").json()["items"]
    thread = api.get(f"/api/v1/conversations/{ticket.conversation_id}/messages").json()["items"]
    assert feed[0]["text"] == thread[0]["text"] == "Hei, ring meg på [PHONE] i dag"
    customer = api.get(f"/api/v1/customers/{ticket.customer_id}").json()
    listed = api.get("/api/v1/customers", {"q": "Kari"}).json()["items"][0]
    for body in (customer, listed):
        assert body["name"] == "Kari Nordmann" and body["customer_number"] == "•••42"
        values = {(i["platform"], i["external_id"], i["handle"]) for i in body["identities"]}
        assert ("whatsapp", "+47 9• •• •• 67", "+47 9• •• •• 67") in values
        assert ("email", "k•••@example.no", "") in values
        assert ("api", "u-1", "@u-1") in values  # a platform id that is not contact data stays
    assert customer["notes"] == "Ring 4•• •• •67 etter kl. 16. Hyggelig kunde."
    everything = str(detail) + str(feed) + str(customer) + str(listed)
    for original in (*ORIGINALS, PHONE_TEXT):
        assert original not in everything, original


def test_the_api_masks_an_inbound_events_payload(personas: Personas, api: ApiClient) -> None:
    ingest_ticket(personas, 1, text="Min e-post er kari@example.no")
    event = InboundEvent.objects.get()
    body = api.get(f"/api/v1/events/{event.pk}").json()
    assert "kari@example.no" not in str(body["payload"]) and "k•••@example.no" in body["payload"]["text"]
    assert body["payload"]["conversation_id"] == "c-1"  # the structure stays readable
