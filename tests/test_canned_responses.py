"""Canned responses: the variables and how they are filled in, managing responses (bad input, permissions,
organisations kept apart), the management pages, and the endpoint the composer inserts from."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from webcare.core.models import Agent, Role, Team
from webcare.customers.models import Customer, Identity
from webcare.replies import variables
from webcare.replies.actions import CannedInput, do_create_canned, do_deactivate_canned, do_update_canned
from webcare.replies.models import CannedResponse
from webcare.tickets.actions import ActionError

HTMX = {"HX-Request": "true"}


def agent_of(user: Any) -> Agent:
    return Agent.objects.select_related("organisation", "user").get(user=user)


def canned(personas: Personas, title: str = "Invoice question", body: str = "Hi {customer_first_name}!",
           language: str = "", team: str = "") -> CannedResponse:
    return do_create_canned(agent_of(personas.supervisor), CannedInput(title, body, language, team))


# The variables (pure functions).

def test_it_finds_unknown_variables_once_in_order() -> None:
    body = "Hi {customer_name}, I'm {agent_first_name}. {ticket_no} {customer_name} {:"
    assert variables.check(body) == ["customer_name", "ticket_no"]
    assert variables.check("Hi {customer_first_name}, case {ticket_number}. {agent_first_name}") == []


def test_it_renders_known_variables_and_leaves_others_alone() -> None:
    values = {"customer_first_name": "Ola", "agent_first_name": "Kari", "ticket_number": "42"}
    text = variables.render("Hei {customer_first_name}! Sak {ticket_number}. Mvh {agent_first_name} {other}", values)
    assert text == "Hei Ola! Sak 42. Mvh Kari {other}"


def test_it_keeps_a_variable_without_a_value_so_the_agent_sees_it() -> None:
    text = variables.render("Hei {customer_first_name}!", {"customer_first_name": " ", "ticket_number": "1"})
    assert text == "Hei {customer_first_name}!"
    assert variables.unfilled(text) == ["customer_first_name"]
    assert variables.unfilled("Hei Ola, {unknown} {ticket_number} {ticket_number}") == ["ticket_number"]


@pytest.mark.parametrize(("name", "display_names", "expected"), [
    ("Ola Nordmann", ["Someone Else"], "Ola"),
    ("", ["", "Lise-Marie Berg"], "Lise-Marie"),
    ("", ["🌸 Åse B."], "Åse"),
    ("@@@", ["  "], ""),
    ("", [], ""),
])
def test_it_takes_the_customers_first_name_from_the_name_else_a_display_name(
        name: str, display_names: list[str], expected: str) -> None:
    assert variables.customer_first_name(name, display_names) == expected


def test_it_takes_the_agents_first_name_else_the_username() -> None:
    assert variables.agent_first_name("Kari", "kari") == "Kari"
    assert variables.agent_first_name(" ", "kn42") == "kn42"


# Managing responses.

def test_it_lets_supervisors_and_admins_create_update_and_deactivate(personas: Personas) -> None:
    response = canned(personas, language="nb", team="customer-service")
    assert response.created_by == personas.supervisor
    assert (response.language, response.team, response.is_active) == ("nb", personas.team, True)
    admin = agent_of(personas.admin)
    do_update_canned(admin, response, CannedInput("Faktura", "Hei {customer_first_name}, sak {ticket_number}", "nb"))
    response.refresh_from_db()
    assert (response.title, response.team) == ("Faktura", None)
    do_deactivate_canned(admin, response)
    response.refresh_from_db()
    assert not response.is_active
    do_update_canned(admin, response, CannedInput("Faktura", "Hei!", "nb"), is_active=True)
    response.refresh_from_db()
    assert response.is_active


@pytest.mark.parametrize("role_user", ["agent", "analyst"])
def test_it_refuses_agents_and_analysts_as_writers(personas: Personas, role_user: str) -> None:
    writer = agent_of(getattr(personas, role_user))
    with pytest.raises(ActionError) as error:
        do_create_canned(writer, CannedInput("Hello", "Hi!"))
    assert error.value.field == "role"
    response = canned(personas)
    with pytest.raises(ActionError):
        do_deactivate_canned(writer, response)
    assert CannedResponse.objects.get().is_active


@pytest.mark.parametrize(("data", "field", "message"), [
    (CannedInput("  ", "Hi"), "title", "needs a title"),
    (CannedInput("x" * 121, "Hi"), "title", "at most 120 characters"),
    (CannedInput("Hello", " \n "), "body", "needs a text"),
    (CannedInput("Hello", "x" * 5001), "body", "at most 5000 characters"),
    (CannedInput("Hello", "Hi {customer_name}!"), "body",
     "unknown variable {customer_name}; use {customer_first_name}, {agent_first_name} or {ticket_number}"),
    (CannedInput("Hello", "Hi", language="de"), "language", "unknown language 'de'"),
    (CannedInput("Hello", "Hi", team="no-such-team"), "team", "choose one of your organisation's teams"),
])
def test_it_refuses_bad_input_naming_the_field_and_stores_nothing(
        personas: Personas, data: CannedInput, field: str, message: str) -> None:
    with pytest.raises(ActionError) as error:
        do_create_canned(agent_of(personas.supervisor), data)
    assert error.value.field == field
    assert message in error.value.message
    assert not CannedResponse.objects.exists()


def test_it_refuses_a_duplicate_title_in_the_same_language_only(personas: Personas) -> None:
    canned(personas, "Outage", language="nb")
    with pytest.raises(ActionError) as error:
        canned(personas, "outage ", language="nb")
    assert error.value.field == "title"
    assert "already exists" in error.value.message
    canned(personas, "Outage", language="en")
    canned(personas, "Outage")  # any language
    assert CannedResponse.objects.count() == 3


def test_it_refuses_renaming_onto_another_title_and_keeps_the_old_values(personas: Personas) -> None:
    canned(personas, "Outage")
    other = canned(personas, "Invoice", body="Hi!")
    with pytest.raises(ActionError):
        do_update_canned(agent_of(personas.supervisor), other, CannedInput("Outage", "Changed"))
    other.refresh_from_db()
    assert (other.title, other.body) == ("Invoice", "Hi!")


def test_it_keeps_organisations_apart(personas: Personas) -> None:
    Team.objects.create(organisation=personas.other_org, slug="their-team", name="Theirs")
    with pytest.raises(ActionError) as error:
        canned(personas, team="their-team")
    assert error.value.field == "team"
    response = canned(personas)
    outsider = agent_of(personas.outsider)
    with pytest.raises(ActionError):
        do_update_canned(outsider, response, CannedInput("Mine now", "Hi"))
    with pytest.raises(ActionError):
        do_deactivate_canned(outsider, response)
    response.refresh_from_db()
    assert (response.title, response.is_active) == ("Invoice question", True)


# The management pages.

def test_it_lists_responses_and_offers_changes_only_to_managers(personas: Personas) -> None:
    canned(personas, "Outage apology", body="Hi {customer_first_name}!\nSecond line", language="en")
    page = client_for(personas.supervisor).get("/inbox/canned/").content.decode()
    assert "Outage apology" in page and "English" in page and "Hi {customer_first_name}!" in page
    assert "Second line" not in page
    assert "Add a canned response" in page
    agent_page = client_for(personas.agent).get("/inbox/canned/").content.decode()
    assert "Outage apology" in agent_page
    assert "Add a canned response" not in agent_page and "Deactivate" not in agent_page


def test_it_links_the_page_from_the_inbox_for_managers_only(personas: Personas) -> None:
    assert 'href="/inbox/canned/"' in client_for(personas.supervisor).get("/inbox/").content.decode()
    assert 'href="/inbox/canned/"' in client_for(personas.admin).get("/inbox/").content.decode()
    assert 'href="/inbox/canned/"' not in client_for(personas.agent).get("/inbox/").content.decode()


def test_it_gives_agents_403_on_the_write_pages(personas: Personas) -> None:
    response = canned(personas)
    kari = client_for(personas.agent)
    assert kari.get("/inbox/canned/new/").status_code == 403
    assert kari.post("/inbox/canned/new/", {"title": "Mine", "body": "Hi"}).status_code == 403
    assert kari.get(f"/inbox/canned/{response.pk}/").status_code == 403
    assert kari.post(f"/inbox/canned/{response.pk}/deactivate/").status_code == 403
    assert CannedResponse.objects.get().is_active
    assert CannedResponse.objects.count() == 1


def test_it_adds_edits_and_deactivates_through_the_pages(personas: Personas) -> None:
    sunniva = client_for(personas.supervisor)
    response = sunniva.post("/inbox/canned/new/", {"title": "Takk", "body": "Takk, {customer_first_name}!",
                                                   "language": "nb", "team": "customer-service"})
    assert response.status_code == 302
    created = CannedResponse.objects.get()
    assert (created.title, created.language, created.team) == ("Takk", "nb", personas.team)
    assert sunniva.get(f"/inbox/canned/{created.pk}/").status_code == 200
    response = sunniva.post(f"/inbox/canned/{created.pk}/", {"title": "Takk for skryt", "body": "Tusen takk!",
                                                             "language": "nb", "team": "", "is_active": "1"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.title, created.body, created.team) == ("Takk for skryt", "Tusen takk!", None)
    assert sunniva.post(f"/inbox/canned/{created.pk}/deactivate/").status_code == 302
    created.refresh_from_db()
    assert not created.is_active


def test_it_shows_the_error_next_to_the_field_and_keeps_what_was_typed(personas: Personas) -> None:
    response = client_for(personas.supervisor).post("/inbox/canned/new/", {
        "title": "Velkommen", "body": "Hei {kunde}, velkommen!", "language": "nb", "team": "customer-service"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="body-error"' in page and "unknown variable {kunde}" in page
    assert 'value="Velkommen"' in page and "Hei {kunde}, velkommen!</textarea>" in page
    assert '<option value="nb" selected>' in page and '<option value="customer-service" selected>' in page
    assert not CannedResponse.objects.exists()


def test_it_answers_404_for_another_organisations_response(personas: Personas) -> None:
    response = canned(personas)
    olga = client_for(personas.outsider)
    assert olga.get(f"/inbox/canned/{response.pk}/").status_code == 404
    assert olga.post(f"/inbox/canned/{response.pk}/deactivate/").status_code == 404
    assert "Invoice question" not in olga.get("/inbox/canned/").content.decode()
    assert CannedResponse.objects.get().is_active


# The endpoint the composer inserts from, and the picker.

def test_it_renders_a_response_for_the_ticket(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    Customer.objects.filter(pk=ticket.customer_id).update(name="Ola Nordmann")
    response = canned(personas, body="Hei {customer_first_name}! Saken din er {ticket_number}. Mvh {agent_first_name}")
    answer = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/canned/{response.pk}/")
    assert answer.status_code == 200
    assert answer.json() == {"text": f"Hei Ola! Saken din er {ticket.pk}. Mvh Kari", "unfilled": []}


def test_it_leaves_the_customers_name_to_fill_in_when_nobody_knows_it(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    Customer.objects.filter(pk=ticket.customer_id).update(name="")
    Identity.objects.filter(customer_id=ticket.customer_id).update(display_name="")
    response = canned(personas, body="Hei {customer_first_name}!")
    answer = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/canned/{response.pk}/").json()
    assert answer == {"text": "Hei {customer_first_name}!", "unfilled": ["customer_first_name"]}


def test_it_offers_only_responses_usable_on_the_ticket(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    mine = canned(personas, "Team reply", team="customer-service")
    everyone = canned(personas, "Everyone's reply")
    theirs = canned(personas, "Sales reply", team="sales")
    gone = canned(personas, "Old reply")
    do_deactivate_canned(agent_of(personas.supervisor), gone)
    kari = client_for(personas.agent)
    pane = kari.get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    assert '<label for="canned-response">Canned response</label>' in pane
    assert "Team reply" in pane and "Everyone&#x27;s reply" in pane
    assert "Sales reply" not in pane and "Old reply" not in pane
    assert pane.index("Everyone&#x27;s reply") < pane.index("Team reply")  # by title
    for response, status in ((mine, 200), (everyone, 200), (theirs, 404), (gone, 404)):
        assert kari.get(f"/inbox/tickets/{ticket.pk}/canned/{response.pk}/").status_code == status
    # The ticket's own team makes its responses usable to anyone working it (here: Kari, its assignee; without
    # that, another team's ticket is out of her sight altogether — docs/privacy.md, need to know).
    ticket.team, ticket.assignee = sales, personas.agent
    ticket.save()
    assert kari.get(f"/inbox/tickets/{ticket.pk}/canned/{theirs.pk}/").status_code == 200


def test_it_lets_analysts_use_responses_but_keeps_organisations_apart(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    response = canned(personas)
    assert client_for(personas.analyst).get(f"/inbox/tickets/{ticket.pk}/canned/{response.pk}/").status_code == 200
    olga = client_for(personas.outsider)
    assert olga.get(f"/inbox/tickets/{ticket.pk}/canned/{response.pk}/").status_code == 404
    other_org_user = make_user("olav", personas.other_org, Role.AGENT)
    theirs = do_create_canned(agent_of(personas.outsider), CannedInput("Theirs", "Hi"))
    assert client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/canned/{theirs.pk}/").status_code == 404
    assert client_for(other_org_user).get(f"/inbox/tickets/{ticket.pk}/canned/{theirs.pk}/").status_code == 404


def test_it_gives_the_demo_valid_canned_responses_once(personas: Personas) -> None:
    from types import SimpleNamespace

    from webcare.demo.loader import _make_canned_responses
    from webcare.demo.scenario import CANNED_RESPONSES

    Team.objects.create(organisation=personas.org, slug="social", name="Social media")
    scenario: Any = SimpleNamespace(canned_responses=CANNED_RESPONSES)
    _make_canned_responses(scenario, personas.org)
    _make_canned_responses(scenario, personas.org)
    assert CannedResponse.objects.filter(organisation=personas.org).count() == len(CANNED_RESPONSES) >= 5
    assert {r.language for r in CannedResponse.objects.all()} == {"nb", "en"}
    assert CannedResponse.objects.filter(team__slug="social").count() == 2
