"""Suggested help articles in the composer: asked from the customer's latest turn (redacted text only), shown in the
customer's language with the public link and snippet the composer inserts, and only for tickets the agent may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from webcare.conversations.models import Message
from webcare.core.models import Agent, Role, Team
from webcare.knowledge.composer import customer_turn
from webcare.knowledge.loader import DEMO_DIR, load_file
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket


def test_the_customers_turn_is_what_they_wrote_since_the_last_reply_by_a_person() -> None:
    newest_first = [
        ("inbound", "", "og PUK-koden?"),
        ("outbound", "ack", "Takk, vi svarer snart."),  # an automatic reply does not end the turn
        ("inbound", "", "Hei, telefonen er låst"),
        ("outbound", "", "Hei! Hva gjelder det?"),
        ("inbound", "", "Et eldre spørsmål"),
    ]
    assert customer_turn(newest_first) == "Hei, telefonen er låst\n\nog PUK-koden?"
    assert customer_turn([("outbound", "", "Svar"), ("inbound", "", "Spørsmål")]) == "Spørsmål"
    many = [("inbound", "", f"melding {n}") for n in range(5)]
    assert customer_turn(many) == "melding 2\n\nmelding 1\n\nmelding 0"  # the last three, oldest first
    assert customer_turn([]) == ""


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    load_file(personas.org, DEMO_DIR)
    ticket = ingest_ticket(personas, 1, text="Hvordan aktiverer jeg eSIM på klokka?")
    Ticket.objects.filter(pk=ticket.pk).update(team=personas.team, language="da")
    # What the matcher may read is the masked text; the original (encrypted) says something else on purpose.
    Message.objects.filter(ticket=ticket).update(redacted_text="Hei, ring meg på [PHONE]. Hvor finner jeg PUK-koden?")
    return Ticket.objects.get(pk=ticket.pk)


def url(ticket: Ticket) -> str:
    return f"/inbox/tickets/{ticket.pk}/articles/"


@pytest.mark.django_db
def test_it_suggests_articles_for_the_redacted_turn_in_the_customers_language(personas: Personas, ticket: Ticket,
                                                                             settings: Any) -> None:
    settings.WEBCARE_BASE_URL = "https://desk.fjordnett.example"
    response = client_for(personas.agent).get(url(ticket), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    items = body.count('class="kb-item"')
    assert 1 <= items <= 3
    assert "Hvor finder jeg min PUK-kode?" in body  # Danish: the ticket's language, though the text was Norwegian
    assert "/help/fjord/esim/" not in body  # the encrypted original (about eSIM) was never read
    assert 'data-kb-link="https://desk.fjordnett.example/help/fjord/puk/?lang=da"' in body
    assert 'data-kb-snippet="PUK-koden står på plastikkortet' in body
    assert 'aria-keyshortcuts="Alt+K"' in body and 'aria-keyshortcuts="Alt+Shift+K"' in body


@pytest.mark.django_db
def test_nothing_to_suggest_says_so(personas: Personas, ticket: Ticket) -> None:
    Message.objects.filter(ticket=ticket).update(redacted_text="Jeg liker å gå tur i skogen med hunden min")
    body = client_for(personas.agent).get(url(ticket)).content.decode()
    assert 'class="kb-item"' not in body and "No help article matches this conversation (Dansk)." in body


@pytest.mark.django_db
def test_the_customers_turn_ends_at_the_agents_reply(personas: Personas, ticket: Ticket) -> None:
    Message.objects.filter(ticket=ticket).update(redacted_text="Hva koster det å bruke mobilen i USA på ferie?")
    do_reply(ticket, personas.agent, "Hei! Se Reisepakke i appen.")
    follow_up = ingest_ticket(personas, 2, text="Takk, og hvordan sperrer jeg SIM-kortet? Telefonen er stjålet.",
                              sent_at=(timezone.now() + timedelta(minutes=1)).isoformat())
    assert follow_up.pk == ticket.pk
    body = client_for(personas.agent).get(url(ticket)).content.decode()
    assert "/help/fjord/lost-phone/?lang=nb" in body  # the new message is Norwegian: triage set the language
    assert "/help/fjord/roaming/" not in body  # the earlier question was answered already


@pytest.mark.django_db
def test_only_people_who_may_work_the_ticket_get_suggestions(personas: Personas, ticket: Ticket) -> None:
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    per = make_user("per", personas.org, Role.AGENT, "Per")
    sales.members.add(Agent.objects.get(user=per))
    assert client_for(per).get(url(ticket)).status_code == 404  # another team's ticket: as if it did not exist
    assert client_for(personas.outsider).get(url(ticket)).status_code == 404
    assert client_for(personas.analyst).get(url(ticket)).status_code == 403  # analysts do not reply
    assert client_for(personas.supervisor).get(url(ticket)).status_code == 200
    assert client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk + 999}/articles/").status_code == 404
    anonymous = client_for(personas.agent)
    anonymous.logout()
    assert "/login/" in anonymous.get(url(ticket))["Location"]


@pytest.mark.django_db
def test_the_composer_loads_the_suggestions_beside_the_reply_box(personas: Personas, ticket: Ticket) -> None:
    body = client_for(personas.agent).get(f"/inbox/?ticket={ticket.pk}").content.decode()
    assert f'hx-get="/inbox/tickets/{ticket.pk}/articles/"' in body
    assert "<kbd>Alt</kbd>+<kbd>K</kbd>" in body
