"""Revealing personal data with a purpose (webcare/access/reveal.py): a purpose from the organisation's list is
required ("other" and legal requests with a written reason), each reveal is a ``Reveal`` row and an audit entry in
one transaction, analysts never reveal (403), another team's ticket is 404, and the API reveals only for tokens
allowed to, per request, recorded."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from tests.conftest import ApiClient, Personas, client_for, ingest_ticket
from webcare.access.models import Reveal, RevealField, RevealPurpose
from webcare.audit.actions import REVEAL
from webcare.audit.models import AuditEntry
from webcare.conversations.models import Message
from webcare.core.models import ApiToken, Team
from webcare.tickets.models import Ticket

HTMX = {"HX-Request": "true"}
PHONE_TEXT = "Hei, ring meg på 412 34 567 i dag, fakturaen er feil"
MASKED = "Hei, ring meg på [PHONE] i dag, fakturaen er feil"


def with_phone(personas: Personas, n: int = 1, **overrides: Any) -> tuple[Ticket, Message]:
    ticket = ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}", **overrides)
    message = Message.objects.get(ticket=ticket, direction="inbound")
    message.text = PHONE_TEXT
    message.redacted_text = MASKED
    message.pii = [{"type": "PHONE", "start": 17, "end": 27, "kind": "phone.no"}]
    message.save()
    return ticket, message


def url(ticket: Ticket, message: Message) -> str:
    return f"/inbox/tickets/{ticket.pk}/messages/{message.pk}/personal-data/"


def reveal_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=REVEAL).order_by("id"))


# -- a message's original text ------------------------------------------------------------------------------------

def test_it_asks_for_a_purpose_before_showing_anything(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    html = client_for(personas.agent).get(url(ticket, message), headers=HTMX).content.decode()
    assert "412 34 567" not in html
    for purpose in ("Verify identity for a refund", "Look up the customer&#x27;s order or account",
                    "Call the customer back", "Legal or police request", "Other"):
        assert purpose in html, purpose
    assert not Reveal.objects.exists() and not reveal_entries()


@pytest.mark.parametrize(("data", "field", "words"), [
    ({}, "purpose", "Choose why you need to see the personal data."),
    ({"purpose": "curiosity"}, "purpose", "Choose one of the purposes in the list."),
    ({"purpose": "other"}, "reason", "Write the reason for this purpose."),
    ({"purpose": "legal_request", "reason": "   "}, "reason", "Write the reason for this purpose."),
    ({"purpose": "call_back", "reason": "x" * 501}, "reason", "at most 500 characters"),
])
def test_it_refuses_a_reveal_without_a_proper_purpose_and_records_nothing(personas: Personas, data: dict[str, str],
                                                                          field: str, words: str) -> None:
    ticket, message = with_phone(personas)
    response = client_for(personas.agent).post(url(ticket, message), data, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert words in html and f'id="reveal-m{message.pk}-{field}-error"' in html
    assert "412 34 567" not in html
    assert not Reveal.objects.exists() and not reveal_entries()


def test_it_shows_the_original_once_and_records_who_what_why_when_and_where(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    response = client_for(personas.agent).post(
        url(ticket, message), {"purpose": "other", "reason": "Kunden ba meg lese opp nummeret"}, headers=HTMX,
        REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert PHONE_TEXT in response.content.decode() and "no-store" in response["Cache-Control"]
    reveal = Reveal.objects.get()
    assert (reveal.actor_id, reveal.actor_label, reveal.field, reveal.ticket_id, reveal.message_id,
            reveal.customer_id, reveal.purpose, reveal.purpose_label, reveal.reason, reveal.ip) == (
        personas.agent.pk, "kari", RevealField.MESSAGE, ticket.pk, message.pk, ticket.customer_id, "other",
        "Other", "Kunden ba meg lese opp nummeret", "10.1.2.3")
    [entry] = reveal_entries()
    assert (entry.organisation_id, entry.actor_id, entry.target, entry.ip) == (
        personas.org.pk, personas.agent.pk, f"ticket:{ticket.pk} message:{message.pk} customer:{ticket.customer_id}",
        "10.1.2.3")
    assert entry.detail == {"field": "message", "purpose": "other", "reveal": reveal.pk, "reason_given": True}
    assert "Kunden" not in str(entry.detail)  # the free-text reason stays out of the audit log
    # The reveal lasts this response: the conversation renders masked again, and hiding needs no purpose.
    pane = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    assert "412 34 567" not in pane
    hidden = client_for(personas.agent).get(url(ticket, message), {"hide": "1"}, headers=HTMX).content.decode()
    assert "412 34 567" not in hidden and Reveal.objects.count() == 1


def test_the_reveal_and_its_audit_entry_are_one_transaction(personas: Personas, monkeypatch: Any) -> None:
    ticket, message = with_phone(personas)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("webcare.access.reveal.log.record", broken)
    client = client_for(personas.agent)
    client.raise_request_exception = False
    response = client.post(url(ticket, message), {"purpose": "call_back"}, headers=HTMX)
    assert response.status_code == 500 and "412 34 567" not in response.content.decode()
    assert not Reveal.objects.exists()


def test_analysts_never_reveal(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    client = client_for(personas.analyst)
    assert client.get(url(ticket, message), headers=HTMX).status_code == 403
    assert client.post(url(ticket, message), {"purpose": "call_back"}, headers=HTMX).status_code == 403
    assert client.get(f"/inbox/tickets/{ticket.pk}/customer/reveal/", headers=HTMX).status_code == 403
    assert client.post(f"/inbox/tickets/{ticket.pk}/customer/reveal/", {"purpose": "call_back"},
                       headers=HTMX).status_code == 403
    assert not Reveal.objects.exists() and not reveal_entries()


def test_another_teams_ticket_and_another_organisation_are_404(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    Ticket.objects.filter(pk=ticket.pk).update(team=sales)
    assert client_for(personas.agent).post(url(ticket, message), {"purpose": "call_back"},
                                           headers=HTMX).status_code == 404
    assert client_for(personas.outsider).post(url(ticket, message), {"purpose": "call_back"},
                                              headers=HTMX).status_code == 404
    assert client_for(personas.supervisor).post(url(ticket, message), {"purpose": "call_back"},
                                                headers=HTMX).status_code == 200
    assert list(Reveal.objects.values_list("actor_label", flat=True)) == ["sunniva"]


def test_it_accepts_the_organisations_own_purposes_only(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    RevealPurpose.objects.create(organisation=personas.org, key="warranty", label="Check a warranty claim",
                                 position=0)
    RevealPurpose.objects.create(organisation=personas.org, key="call_back", label="Call back", active=False,
                                 position=1)
    client = client_for(personas.agent)
    assert "Check a warranty claim" in client.get(url(ticket, message), headers=HTMX).content.decode()
    assert client.post(url(ticket, message), {"purpose": "call_back"}, headers=HTMX).status_code == 422
    assert client.post(url(ticket, message), {"purpose": "warranty"}, headers=HTMX).status_code == 200
    assert Reveal.objects.get().purpose_label == "Check a warranty claim"


# -- a customer's contact details ---------------------------------------------------------------------------------

def test_the_contact_details_are_revealed_with_a_purpose_and_recorded(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    customer = ticket.customer
    assert customer is not None
    customer.customer_number = "10042"
    customer.save()
    client = client_for(personas.agent)
    card = client.get(f"/inbox/tickets/{ticket.pk}/customer/", headers=HTMX).content.decode()
    assert "Show contact details" in card and "10042" not in card
    asked = client.get(f"/inbox/tickets/{ticket.pk}/customer/reveal/", headers=HTMX).content.decode()
    assert 'name="purpose"' in asked and "10042" not in asked
    refused = client.post(f"/inbox/tickets/{ticket.pk}/customer/reveal/", {}, headers=HTMX)
    assert refused.status_code == 422 and "10042" not in refused.content.decode()
    shown = client.post(f"/inbox/tickets/{ticket.pk}/customer/reveal/", {"purpose": "order_lookup"}, headers=HTMX)
    assert shown.status_code == 200 and "10042" in shown.content.decode()
    assert "Contact details shown." in shown.content.decode()
    reveal = Reveal.objects.get()
    assert (reveal.field, reveal.customer_id, reveal.ticket_id, reveal.message_id) == (
        RevealField.CONTACT, customer.pk, ticket.pk, None)
    assert reveal_entries()[0].detail["purpose"] == "order_lookup"


def test_editing_a_customer_with_contact_details_asks_for_the_purpose_first(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    customer = ticket.customer
    assert customer is not None
    customer.notes = "Ring 412 34 567"
    customer.save()
    client = client_for(personas.agent)
    asked = client.get(f"/inbox/tickets/{ticket.pk}/customer/edit/", headers=HTMX).content.decode()
    assert 'name="purpose"' in asked and "412 34 567" not in asked and 'name="seen_notes"' not in asked
    form = client.post(f"/inbox/tickets/{ticket.pk}/customer/reveal/", {"purpose": "call_back", "next": "edit"},
                       headers=HTMX).content.decode()
    assert 'name="seen_notes" value="Ring 412 34 567"' in form and 'name="purpose" value="call_back"' in form
    assert Reveal.objects.count() == 1
    # A forged save without the purpose cannot get the stored values back through a refusal.
    forged = client.post(f"/inbox/tickets/{ticket.pk}/customer/edit/", {
        "name": "K" * 300, "seen_name": "Kari Nordmann", "notes": "x", "seen_notes": "y"}, headers=HTMX)
    assert forged.status_code == 422 and "412 34 567" not in forged.content.decode()
    assert client_for(personas.analyst).get(f"/inbox/tickets/{ticket.pk}/customer/edit/",
                                            headers=HTMX).status_code == 403


# -- the API -------------------------------------------------------------------------------------------------------

@pytest.fixture
def revealing_api(personas: Personas) -> ApiClient:
    _, plain = ApiToken.issue(personas.org, "crm-sync", can_reveal=True)
    return ApiClient(plain)


def test_a_token_without_the_permission_gets_403_and_nothing_is_recorded(personas: Personas,
                                                                        api: ApiClient) -> None:
    ticket, _ = with_phone(personas)
    response = api.get(f"/api/v1/tickets/{ticket.pk}", {"reveal": "order_lookup"})
    assert response.status_code == 403
    assert response.json()["fields"] == {"reveal": "not allowed for this token"}
    assert not Reveal.objects.exists() and not reveal_entries()


def test_a_revealing_token_gets_originals_per_request_recorded(personas: Personas,
                                                              revealing_api: ApiClient) -> None:
    ticket, _ = with_phone(personas)
    masked = revealing_api.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert masked["messages"][0]["text"] == MASKED and not Reveal.objects.exists()
    shown = revealing_api.get(f"/api/v1/tickets/{ticket.pk}", {"reveal": "order_lookup"}).json()
    assert shown["messages"][0]["text"] == PHONE_TEXT
    feed = revealing_api.get("/api/v1/messages", {"reveal": "legal_request", "reveal_reason": "Politiet, sak 12"})
    assert feed.json()["items"][0]["text"] == PHONE_TEXT
    token = ApiToken.objects.get(name="crm-sync")
    rows = list(Reveal.objects.order_by("id").values_list("field", "ticket_id", "purpose", "reason", "api_token_id",
                                                          "actor_id"))
    assert rows == [(RevealField.API_TICKET, ticket.pk, "order_lookup", "", token.pk, None),
                    (RevealField.API_MESSAGES, None, "legal_request", "Politiet, sak 12", token.pk, None)]
    entries = reveal_entries()
    assert [e.actor_label for e in entries] == [f"api-token {token.prefix}…"] * 2
    assert entries[1].detail["count"] == 1 and "Politiet" not in str(entries[1].detail)


@pytest.mark.parametrize(("params", "field"), [
    ({"reveal": "curiosity"}, "reveal"),
    ({"reveal": "legal_request"}, "reveal_reason"),
    ({"reveal_reason": "why not"}, "reveal"),
])
def test_a_bad_api_reveal_names_the_parameter_and_records_nothing(personas: Personas, revealing_api: ApiClient,
                                                                  params: dict[str, str], field: str) -> None:
    ticket, _ = with_phone(personas)
    response = revealing_api.get(f"/api/v1/tickets/{ticket.pk}", params)
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not Reveal.objects.exists() and not reveal_entries()


def test_an_api_reveal_of_something_missing_is_404_and_records_nothing(personas: Personas,
                                                                     revealing_api: ApiClient) -> None:
    assert revealing_api.get("/api/v1/tickets/999999", {"reveal": "order_lookup"}).status_code == 404
    assert revealing_api.get("/api/v1/customers/999999", {"reveal": "order_lookup"}).status_code == 404
    assert not Reveal.objects.exists()


def test_the_api_reveals_customers_and_event_payloads_too(personas: Personas, revealing_api: ApiClient) -> None:
    ticket = ingest_ticket(personas, 1, text="Min e-post er kari@example.no")
    customer = ticket.customer
    assert customer is not None
    customer.customer_number = "10042"
    customer.save()
    body = revealing_api.get(f"/api/v1/customers/{customer.pk}", {"reveal": "order_lookup"}).json()
    assert body["customer_number"] == "10042"
    event = revealing_api.get("/api/v1/events").json()["items"][0]
    payload = revealing_api.get(f"/api/v1/events/{event['id']}", {"reveal": "order_lookup"}).json()["payload"]
    assert payload["text"] == "Min e-post er kari@example.no"
    assert list(Reveal.objects.order_by("id").values_list("field", "customer_id")) == [
        (RevealField.API_CUSTOMER, customer.pk), (RevealField.API_EVENT, None)]


def test_the_apitoken_command_issues_a_revealing_token_only_when_asked(personas: Personas) -> None:
    call_command("apitoken", "--org", "fjord", "--name", "plain", stdout=io.StringIO())
    call_command("apitoken", "--org", "fjord", "--name", "legal", "--can-reveal", stdout=io.StringIO())
    assert dict(ApiToken.objects.values_list("name", "can_reveal")) == {"plain": False, "legal": True}


def test_the_purpose_form_speaks_the_agents_language(personas: Personas) -> None:
    ticket, message = with_phone(personas)
    client = client_for(personas.agent)
    client.post("/inbox/language/", {"language": "nb"})
    html = client.get(url(ticket, message), headers=HTMX).content.decode()
    for words in ("Hvorfor trenger du å se personopplysningene?", "Ringe kunden tilbake", "Annet", "Begrunnelse"):
        assert words in html, words
    refused = client.post(url(ticket, message), {"purpose": "other"}, headers=HTMX).content.decode()
    assert "Skriv begrunnelsen for dette formålet." in refused
