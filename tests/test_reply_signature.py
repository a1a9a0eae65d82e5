"""The signature under replies from the inbox: first name or initials per team, added once on sending; a reply with
an unfilled variable is refused with the draft kept; the collision warning keeps the draft unsigned."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.conversations.models import Message
from webcare.core.models import Agent, SignatureStyle, Team
from webcare.replies.signature import initials, sign, signature, signature_for, team_for_signature
from webcare.tickets.actions import do_reply

HTMX = {"HX-Request": "true"}


def user(first: str, last: str = "", username: str = "someone") -> Any:
    return SimpleNamespace(first_name=first, last_name=last, get_username=lambda: username)


@pytest.mark.parametrize(("name", "expected"), [
    ("Kari Nordmann", "KN"),
    ("Kari", "K"),
    ("Anne-Lise Berg", "ALB"),
    ("Øystein Ås", "ØÅ"),
    ("sanne de vries", "SDV"),
    ("  ", ""),
])
def test_it_makes_initials_from_every_part_of_a_name(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_it_signs_with_the_first_name_or_the_initials() -> None:
    kari = user("Kari", "Nordmann", "kari")
    assert signature(kari, SignatureStyle.FIRST_NAME) == "Kari"
    assert signature(kari, SignatureStyle.INITIALS) == "KN"
    assert signature(user("Øystein", "Ås"), SignatureStyle.INITIALS) == "ØÅ"


def test_it_signs_with_the_username_when_no_name_is_set() -> None:
    nameless = user("", "", "kn42")
    assert signature(nameless, SignatureStyle.FIRST_NAME) == "kn42"
    assert signature(nameless, SignatureStyle.INITIALS) == "kn42"


def test_it_appends_the_signature_with_an_en_dash() -> None:
    assert sign("Hei! Det er fikset nå.  \n", "Kari") == "Hei! Det er fikset nå.\n– Kari"


@pytest.mark.parametrize("text", ["Hei!\n– Kari", "Hei! Mvh Kari", "Hei! /kari", "Hei!\n– Kari  "])
def test_it_does_not_sign_a_text_that_already_ends_with_the_signature(text: str) -> None:
    assert sign(text, "Kari") == text.rstrip()


def test_it_signs_a_text_that_only_ends_with_the_same_letters() -> None:
    assert sign("Takk til Ekari", "Kari") == "Takk til Ekari\n– Kari"
    assert sign("", "Kari") == ""
    assert sign("Hei", " ") == "Hei"


def test_it_chooses_the_tickets_team_else_the_agents_first_team_else_none(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    kari = Agent.objects.get(user=personas.agent)
    alpha = Team.objects.create(organisation=personas.org, slug="alpha", name="Alpha")
    alpha.members.add(kari)
    assert team_for_signature(ticket, kari) == alpha  # no ticket team: first of hers by name
    ticket.team = personas.team
    assert team_for_signature(ticket, kari) == personas.team  # she is in the ticket's team
    ticket.team = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    assert team_for_signature(ticket, kari) == alpha  # not in the ticket's team
    assert team_for_signature(ticket, Agent.objects.get(user=personas.analyst)) is None
    assert signature_for(ticket, Agent.objects.get(user=personas.analyst)) == "Anders"


def test_it_signs_an_inbox_reply_once(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    kari = client_for(personas.agent)
    pane = kari.get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    assert "Signed: – Kari" in pane
    assert kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei! Fakturaen er rettet."},
                     headers=HTMX).status_code == 200
    assert kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Og en ting til.\n– Kari"},
                     headers=HTMX).status_code == 200
    texts = list(Message.objects.filter(ticket=ticket, direction="outbound").order_by("id")
                 .values_list("text", flat=True))
    assert texts == ["Hei! Fakturaen er rettet.\n– Kari", "Og en ting til.\n– Kari"]


def test_it_signs_with_initials_when_the_team_says_so(personas: Personas) -> None:
    personas.agent.last_name = "Nordmann"
    personas.agent.save()
    Team.objects.filter(pk=personas.team.pk).update(signature=SignatureStyle.INITIALS)
    ticket = ingest_ticket(personas, 1)
    kari = client_for(personas.agent)
    assert "Signed: – KN" in kari.get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei!"}, headers=HTMX)
    assert Message.objects.get(ticket=ticket, direction="outbound").text == "Hei!\n– KN"


def test_it_does_not_sign_replies_made_through_the_api(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    do_reply(ticket, personas.agent, "Hei fra en integrasjon")
    assert Message.objects.get(ticket=ticket, direction="outbound").text == "Hei fra en integrasjon"


def test_it_refuses_a_reply_with_an_unfilled_variable_and_keeps_the_draft(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    draft = "Hei {customer_first_name}! Saken er løst."
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": draft}, headers=HTMX)
    assert response.status_code == 422
    page = response.content.decode()
    assert "fill in {customer_first_name} before sending" in page
    assert f">{draft}</textarea>" in page
    assert not Message.objects.filter(ticket=ticket, direction="outbound").exists()


def test_it_keeps_the_collision_draft_unsigned_and_signs_once_when_sent_anyway(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    seen = Message.objects.filter(ticket=ticket).latest("id").pk
    do_reply(ticket, personas.supervisor, "Hei! Vi ser på det. /Sunniva")
    kari = client_for(personas.agent)
    response = kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei, teknikeren kommer i dag.",
                                                                "seen": seen}, headers=HTMX)
    assert response.status_code == 409
    page = response.content.decode()
    assert ">Hei, teknikeren kommer i dag.</textarea>" in page
    assert "Send anyway" in page
    response = kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei, teknikeren kommer i dag.",
                                                                "seen": seen, "confirm": "1"}, headers=HTMX)
    assert response.status_code == 200
    sent = Message.objects.get(ticket=ticket, author_agent=personas.agent)
    assert sent.text == "Hei, teknikeren kommer i dag.\n– Kari"
    assert sent.text.count("– Kari") == 1
