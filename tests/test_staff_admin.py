"""Admins add and manage agents and teams (``webcare.staff``): the actions' rules and the pages around them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import Personas, client_for, make_user
from webcare.core.models import Agent, Role, SignatureStyle, Team
from webcare.staff import actions
from webcare.tickets.actions import ActionError

User = get_user_model()


def agent_of(user: Any) -> Agent:
    return Agent.objects.get(user=user)


def add_nora(personas: Personas, **overrides: Any) -> tuple[Agent, str]:
    arguments: dict[str, Any] = {
        "username": "nora", "first_name": "Nora", "last_name": "Berg", "email": "nora@example.test",
        "role": Role.AGENT, "team_ids": [personas.team.pk], "languages": ["nb", "en"],
    }
    return actions.add_agent(personas.org, personas.admin, **(arguments | overrides))


def refused(field: str, call: Any, *args: Any, **kwargs: Any) -> str:
    """Run an action that must fail on ``field``; return its message."""
    with pytest.raises(ActionError) as info:
        call(*args, **kwargs)
    assert info.value.field == field, info.value
    return info.value.message


def signs_in(username: str, password: str) -> bool:
    response = Client().post("/login/", {"username": username, "password": password, "next": "/inbox/"})
    return response.status_code == 302 and response["Location"] == "/inbox/"


# Adding agents


def test_it_adds_an_agent_whose_generated_password_signs_in(personas: Personas) -> None:
    agent, password = add_nora(personas)
    assert len(password) == actions.GENERATED_PASSWORD_LENGTH
    assert set(password) <= set(actions.PASSWORD_ALPHABET)
    assert agent.organisation == personas.org
    assert agent.role == Role.AGENT
    assert agent.languages == ["nb", "en"]  # in the order of the organisation's languages
    assert list(agent.teams.all()) == [personas.team]
    user = agent.user
    assert (user.first_name, user.last_name, user.email) == ("Nora", "Berg", "nora@example.test")
    assert not user.is_staff and not user.is_superuser
    assert password not in user.password  # stored as a hash only
    assert signs_in("nora", password)
    assert client_for(user).get("/inbox/").status_code == 200


def test_it_makes_a_new_password_each_time(personas: Personas) -> None:
    _, first = add_nora(personas)
    _, second = add_nora(personas, username="nils")
    assert first != second


def test_it_adds_an_agent_with_the_password_the_admin_chose(personas: Personas) -> None:
    _, password = add_nora(personas, password="lighthouse keeper 42")
    assert password == "lighthouse keeper 42"
    assert signs_in("nora", "lighthouse keeper 42")


def test_it_refuses_a_weak_chosen_password_with_every_validator_message(personas: Personas) -> None:
    message = refused("password", add_nora, personas, password="nora")
    assert "too short" in message
    assert "too similar" in message
    assert not User.objects.filter(username="nora").exists()


@pytest.mark.parametrize("username", ["", "   ", "nora berg", "nora/berg", "x" * 151])
def test_it_refuses_a_username_django_would_not_take(personas: Personas, username: str) -> None:
    refused("username", add_nora, personas, username=username)
    assert User.objects.count() == 5


@pytest.mark.parametrize("username", ["kari", "KARI", "olga"])
def test_it_refuses_a_taken_username_also_of_another_organisations_account(personas: Personas,
                                                                           username: str) -> None:
    assert refused("username", add_nora, personas, username=username) == "that username is taken"
    assert not Agent.objects.filter(user__username="olga", organisation=personas.org).exists()


def test_it_does_not_attach_an_existing_account_that_is_no_agent_yet(personas: Personas) -> None:
    loner = User.objects.create_user("loner", password="correct horse battery")
    assert refused("username", add_nora, personas, username="loner") == "that username is taken"
    assert not Agent.objects.filter(user=loner).exists()


def test_it_needs_a_first_name_to_sign_replies_with(personas: Personas) -> None:
    assert "first name" in refused("first_name", add_nora, personas, first_name="  ")


def test_it_refuses_a_name_longer_than_django_stores(personas: Personas) -> None:
    refused("last_name", add_nora, personas, last_name="B" * 151)


@pytest.mark.parametrize("email", ["nora", "nora@", "@example.test", "nora@@example.test"])
def test_it_refuses_an_invalid_email_address(personas: Personas, email: str) -> None:
    refused("email", add_nora, personas, email=email)
    assert not User.objects.filter(username="nora").exists()


def test_it_allows_an_agent_without_email(personas: Personas) -> None:
    agent, _ = add_nora(personas, email="")
    assert agent.user.email == ""


@pytest.mark.parametrize("role", ["", "owner", "ADMIN"])
def test_it_refuses_a_role_that_does_not_exist(personas: Personas, role: str) -> None:
    assert "agent, supervisor, admin, analyst" in refused("role", add_nora, personas, role=role)


def test_it_refuses_another_organisations_team(personas: Personas) -> None:
    theirs = Team.objects.create(organisation=personas.other_org, slug="support", name="Support")
    message = refused("team_ids", add_nora, personas, team_ids=[personas.team.pk, theirs.pk])
    assert message == "choose teams of Fjordnett"
    assert not User.objects.filter(username="nora").exists()
    assert not theirs.members.exists()


@pytest.mark.parametrize("team_id", ["abc", "-1", "999999"])
def test_it_refuses_a_team_id_that_is_no_team(personas: Personas, team_id: str) -> None:
    refused("team_ids", add_nora, personas, team_ids=[team_id])


def test_it_refuses_a_language_the_desk_does_not_offer(personas: Personas) -> None:
    assert "choose from: nb, en" in refused("languages", add_nora, personas, languages=["nb", "de"])


def test_it_keeps_languages_once_each_in_the_organisations_order(personas: Personas) -> None:
    agent, _ = add_nora(personas, languages=["en", "nb", "en"])
    assert agent.languages == ["nb", "en"]


@pytest.mark.parametrize("who", ["supervisor", "agent", "analyst", "outsider"])
def test_it_lets_only_the_organisations_admins_add_agents_and_teams(personas: Personas, who: str) -> None:
    actor = getattr(personas, who)
    refused("actor", actions.add_agent, personas.org, actor, "nora", "Nora", "", "", Role.AGENT, [], [])
    refused("actor", actions.add_team, personas.org, actor, "Sales", SignatureStyle.FIRST_NAME, [])
    refused("actor", actions.change_agent, agent_of(personas.agent), actor, first_name="Karianne")
    refused("actor", actions.reset_password, agent_of(personas.agent), actor)
    refused("actor", actions.change_team, personas.team, actor, name="Renamed")
    assert not User.objects.filter(username="nora").exists()
    assert personas.team.name == Team.objects.get(pk=personas.team.pk).name == "Customer service"


def test_it_refuses_a_deactivated_admin(personas: Personas) -> None:
    User.objects.filter(pk=personas.admin.pk).update(is_active=False)
    personas.admin.refresh_from_db()
    refused("actor", add_nora, personas)


# Changing agents


def test_it_changes_an_agents_names_email_role_teams_languages_and_access(personas: Personas) -> None:
    sales = actions.add_team(personas.org, personas.admin, "Sales", SignatureStyle.INITIALS, [])
    kari = agent_of(personas.agent)
    actions.change_agent(kari, personas.admin, first_name="Karianne", last_name="Nordmann",
                         email="karianne@example.test", role=Role.SUPERVISOR, team_ids=[str(sales.pk)],
                         languages=["nb"], is_active=False)
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.first_name, kari.user.last_name, kari.user.email) == ("Karianne", "Nordmann",
                                                                            "karianne@example.test")
    assert kari.role == Role.SUPERVISOR
    assert list(kari.teams.all()) == [sales]
    assert kari.languages == ["nb"]
    assert not kari.user.is_active
    assert not signs_in("kari", "correct horse battery")


def test_it_leaves_what_was_not_given(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    actions.change_agent(kari, personas.admin, last_name="Nordmann")
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.first_name, kari.user.last_name, kari.role) == ("Kari", "Nordmann", Role.AGENT)
    assert list(kari.teams.all()) == [personas.team]


def test_it_changes_nothing_when_one_value_is_refused(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    refused("languages", actions.change_agent, kari, personas.admin, first_name="Karianne", role=Role.ADMIN,
            team_ids=[], languages=["xx"])
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.first_name, kari.role) == ("Kari", Role.AGENT)
    assert list(kari.teams.all()) == [personas.team]


def test_it_refuses_to_move_an_agent_into_another_organisations_team(personas: Personas) -> None:
    theirs = Team.objects.create(organisation=personas.other_org, slug="support", name="Support")
    refused("team_ids", actions.change_agent, agent_of(personas.agent), personas.admin, team_ids=[theirs.pk])
    assert not theirs.members.exists()


@pytest.mark.parametrize("change", [{"role": Role.SUPERVISOR}, {"is_active": False}])
def test_it_keeps_the_last_active_admin(personas: Personas, change: dict[str, Any]) -> None:
    ada = agent_of(personas.admin)
    message = refused(next(iter(change)), actions.change_agent, ada, personas.admin, **change)
    assert message == "Fjordnett needs at least one active admin"
    ada = Agent.objects.select_related("user").get(pk=ada.pk)
    assert ada.role == Role.ADMIN and ada.user.is_active


def test_it_does_not_count_a_deactivated_admin_as_the_one_left(personas: Personas) -> None:
    bjorn = make_user("bjorn", personas.org, Role.ADMIN)
    User.objects.filter(pk=bjorn.pk).update(is_active=False)
    message = refused("role", actions.change_agent, agent_of(personas.admin), personas.admin, role=Role.AGENT)
    assert message == "Fjordnett needs at least one active admin"


def test_it_does_not_let_an_admin_demote_or_deactivate_themselves(personas: Personas) -> None:
    make_user("bjorn", personas.org, Role.ADMIN)
    ada = agent_of(personas.admin)
    assert "your own role" in refused("role", actions.change_agent, ada, personas.admin, role=Role.AGENT)
    assert "your own account" in refused("is_active", actions.change_agent, ada, personas.admin, is_active=False)
    actions.change_agent(ada, personas.admin, first_name="Adaline", role=Role.ADMIN, is_active=True)
    assert User.objects.get(pk=personas.admin.pk).first_name == "Adaline"


def test_it_lets_an_admin_demote_another_admin_while_one_remains(personas: Personas) -> None:
    bjorn = agent_of(make_user("bjorn", personas.org, Role.ADMIN))
    actions.change_agent(bjorn, personas.admin, role=Role.AGENT)
    assert Agent.objects.get(pk=bjorn.pk).role == Role.AGENT


def test_it_does_not_touch_an_account_that_also_works_elsewhere(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    Agent.objects.create(user=personas.agent, organisation=personas.other_org, role=Role.AGENT)
    refused("password", actions.reset_password, kari, personas.admin)
    refused("is_active", actions.change_agent, kari, personas.admin, is_active=False)
    refused("first_name", actions.change_agent, kari, personas.admin, first_name="Hacked")
    actions.change_agent(kari, personas.admin, first_name="Kari", role=Role.SUPERVISOR)  # unchanged name: fine
    assert Agent.objects.get(pk=kari.pk).role == Role.SUPERVISOR
    assert signs_in("kari", "correct horse battery")


def test_it_does_not_reset_a_site_administrators_password(personas: Personas) -> None:
    root = make_user("root", personas.org, Role.AGENT)
    User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)
    refused("password", actions.reset_password, agent_of(root), personas.admin)
    assert signs_in("root", "correct horse battery")


def test_it_resets_a_password_to_a_new_generated_one_and_ends_the_old_sessions(personas: Personas) -> None:
    kari_browser = client_for(personas.agent)
    password = actions.reset_password(agent_of(personas.agent), personas.admin)
    assert kari_browser.get("/inbox/").status_code == 302  # signed out
    assert len(password) == actions.GENERATED_PASSWORD_LENGTH
    assert signs_in("kari", password)
    assert not signs_in("kari", "correct horse battery")


# Teams


def test_it_adds_a_team_with_a_slug_from_its_name(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    team = actions.add_team(personas.org, personas.admin, "  Sørvis & Salg ", SignatureStyle.INITIALS, [kari.pk])
    assert (team.name, team.slug, team.signature) == ("Sørvis & Salg", "sorvis-salg", SignatureStyle.INITIALS)
    assert list(team.members.all()) == [kari]


def test_it_numbers_a_slug_that_is_taken(personas: Personas) -> None:
    first = actions.add_team(personas.org, personas.admin, "Customer-service", SignatureStyle.FIRST_NAME, [])
    second = actions.add_team(personas.org, personas.admin, "Customer service!", SignatureStyle.FIRST_NAME, [])
    assert (first.slug, second.slug) == ("customer-service-2", "customer-service-3")
    other = Team.objects.create(organisation=personas.other_org, slug="sales", name="Sales")
    assert actions.add_team(personas.org, personas.admin, "Sales", SignatureStyle.FIRST_NAME, []).slug == other.slug


def test_it_gives_a_name_without_letters_a_slug_still(personas: Personas) -> None:
    assert actions.add_team(personas.org, personas.admin, "✨✨", SignatureStyle.FIRST_NAME, []).slug == "team"


@pytest.mark.parametrize("name", ["Customer service", "customer SERVICE "])
def test_it_refuses_a_team_name_the_organisation_has(personas: Personas, name: str) -> None:
    message = refused("name", actions.add_team, personas.org, personas.admin, name, SignatureStyle.FIRST_NAME, [])
    assert message == f"Fjordnett already has a team called “{name.strip()}”"
    assert Team.objects.filter(organisation=personas.org).count() == 1


def test_it_refuses_a_team_without_a_name_or_with_an_unknown_signature(personas: Personas) -> None:
    refused("name", actions.add_team, personas.org, personas.admin, " ", SignatureStyle.FIRST_NAME, [])
    refused("name", actions.add_team, personas.org, personas.admin, "x" * 201, SignatureStyle.FIRST_NAME, [])
    refused("signature", actions.add_team, personas.org, personas.admin, "Sales", "full_name", [])
    assert Team.objects.filter(organisation=personas.org).count() == 1


def test_it_refuses_members_from_another_organisation(personas: Personas) -> None:
    olga = agent_of(personas.outsider)
    refused("member_ids", actions.add_team, personas.org, personas.admin, "Sales", SignatureStyle.FIRST_NAME,
            [olga.pk])
    refused("member_ids", actions.change_team, personas.team, personas.admin, member_ids=[olga.pk])
    assert not Team.objects.filter(name="Sales").exists()
    assert olga not in personas.team.members.all()


def test_it_renames_a_team_and_keeps_its_slug(personas: Personas) -> None:
    ada = agent_of(personas.admin)
    actions.change_team(personas.team, personas.admin, name="Kundeservice", signature=SignatureStyle.INITIALS,
                        member_ids=[ada.pk])
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.name, team.slug, team.signature) == ("Kundeservice", "customer-service", SignatureStyle.INITIALS)
    assert list(team.members.all()) == [ada]


def test_it_refuses_to_rename_a_team_to_another_teams_name(personas: Personas) -> None:
    actions.add_team(personas.org, personas.admin, "Sales", SignatureStyle.FIRST_NAME, [])
    refused("name", actions.change_team, personas.team, personas.admin, name="sales")
    actions.change_team(personas.team, personas.admin, name="CUSTOMER service")  # its own name, other case: fine
    assert Team.objects.get(pk=personas.team.pk).name == "CUSTOMER service"


# The pages


def test_it_sends_a_visitor_to_sign_in(db: None) -> None:
    response = Client().get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["agent", "analyst"])
def test_it_answers_agents_and_analysts_with_403(personas: Personas, who: str) -> None:
    client = client_for(getattr(personas, who))
    kari = agent_of(personas.agent)
    for path in ("/staff/", "/staff/teams/", "/staff/agents/new/", f"/staff/agents/{kari.pk}/",
                 f"/staff/teams/{personas.team.pk}/", "/staff/teams/new/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/staff/agents/{kari.pk}/password/").status_code == 403


def test_it_lets_a_supervisor_read_the_lists_but_change_nothing(personas: Personas) -> None:
    client = client_for(personas.supervisor)
    kari = agent_of(personas.agent)
    page = client.get("/staff/").content.decode()
    assert "kari@example.test" in page
    assert "Add agent" not in page and f"/staff/agents/{kari.pk}/" not in page
    assert "Customer service" in client.get("/staff/teams/").content.decode()
    assert client.get("/staff/agents/new/").status_code == 403
    assert client.get(f"/staff/agents/{kari.pk}/").status_code == 403
    assert client.post("/staff/agents/new/", {"username": "nora", "first_name": "Nora", "role": "agent"}
                       ).status_code == 403
    assert client.post("/staff/teams/new/", {"name": "Sales", "signature": "initials"}).status_code == 403
    assert client.post(f"/staff/agents/{kari.pk}/password/").status_code == 403
    assert not User.objects.filter(username="nora").exists() and not Team.objects.filter(name="Sales").exists()


def test_it_answers_another_organisations_agent_or_team_with_404(personas: Personas) -> None:
    olga_client = client_for(personas.outsider)
    kari = agent_of(personas.agent)
    assert olga_client.get(f"/staff/agents/{kari.pk}/").status_code == 404
    assert olga_client.post(f"/staff/agents/{kari.pk}/", {"first_name": "Hacked", "role": "admin"}).status_code == 404
    assert olga_client.post(f"/staff/agents/{kari.pk}/password/").status_code == 404
    assert olga_client.get(f"/staff/teams/{personas.team.pk}/").status_code == 404
    assert olga_client.post(f"/staff/teams/{personas.team.pk}/", {"name": "Hacked"}).status_code == 404
    page = olga_client.get("/staff/").content.decode()
    assert "kari" not in page and "Olga" in page
    assert signs_in("kari", "correct horse battery")
    assert Team.objects.get(pk=personas.team.pk).name == "Customer service"


def test_it_lists_the_agents_with_their_details(personas: Personas) -> None:
    signs_in("kari", "correct horse battery")
    actions.change_agent(agent_of(personas.agent), personas.admin, languages=["nb", "en"])
    User.objects.filter(pk=personas.analyst.pk).update(is_active=False)
    page = client_for(personas.admin).get("/staff/").content.decode()
    kari_row = page[page.index(f'data-agent="{agent_of(personas.agent).pk}"'):]
    kari_row = kari_row[: kari_row.index("</tr>")]
    for text in ("Kari", "kari", "kari@example.test", "Agent", "Customer service", "Norsk bokmål, English", "yes",
                 "<time datetime="):
        assert text in kari_row, text
    anders_row = page[page.index(f'data-agent="{agent_of(personas.analyst).pk}"'):]
    anders_row = anders_row[: anders_row.index("</tr>")]
    assert "Analyst" in anders_row and "never" in anders_row and ">no<" in anders_row
    assert "olga" not in page


def test_it_adds_an_agent_from_the_form_and_shows_the_password_once(personas: Personas) -> None:
    response = client_for(personas.admin).post("/staff/agents/new/", {
        "username": "nora", "first_name": "Nora", "last_name": "Berg", "email": "nora@example.test",
        "role": "agent", "team_ids": [str(personas.team.pk)], "languages": ["nb"], "password": "",
    })
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    start = page.index('id="new-password"')
    password = page[page.index(">", start) + 1: page.index("</output>", start)]
    assert signs_in("nora", password)
    nora = Agent.objects.get(user__username="nora")
    assert list(nora.teams.all()) == [personas.team] and nora.languages == ["nb"]
    assert password not in client_for(personas.admin).get("/staff/").content.decode()


def test_it_adds_an_agent_with_a_chosen_password_and_goes_back_to_the_list(personas: Personas) -> None:
    client = client_for(personas.admin)
    response = client.post("/staff/agents/new/", {"username": "nora", "first_name": "Nora", "role": "agent",
                                                  "password": "lighthouse keeper 42"}, follow=True)
    assert response.redirect_chain == [("/staff/", 302)]
    assert "Nora was added" in response.content.decode()
    assert signs_in("nora", "lighthouse keeper 42")


def test_it_shows_the_error_next_to_the_field_and_keeps_what_was_typed(personas: Personas) -> None:
    response = client_for(personas.admin).post("/staff/agents/new/", {
        "username": "kari", "first_name": "Nora", "last_name": "Berg", "email": "nora@example.test",
        "role": "supervisor", "team_ids": [str(personas.team.pk)], "languages": ["en"],
    })
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-username">that username is taken</p>' in page
    assert 'aria-invalid="true"' in page[page.index('id="id_username"'):page.index('id="error-username"')]
    assert 'value="kari"' in page and 'value="Nora"' in page and 'value="nora@example.test"' in page
    assert 'value="supervisor" checked' in page
    assert f'value="{personas.team.pk}" checked' in page and 'value="en" checked' in page
    assert User.objects.filter(username__iexact="kari").count() == 1


def test_it_edits_an_agent_from_the_form(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    client = client_for(personas.admin)
    page = client.get(f"/staff/agents/{kari.pk}/").content.decode()
    assert 'value="Kari"' in page and 'name="is_active" id="id_is_active" checked' in page
    response = client.post(f"/staff/agents/{kari.pk}/", {"first_name": "Kari", "last_name": "Nordmann",
                                                        "email": "kari@example.test", "role": "supervisor",
                                                        "languages": ["nb"], "is_active": "on"})
    assert response.status_code == 302
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.last_name, kari.role, kari.languages, kari.user.is_active) == ("Nordmann", "supervisor",
                                                                                    ["nb"], True)
    assert not kari.teams.exists()  # no box ticked: no teams


def test_it_does_not_offer_an_admin_their_own_role_or_access(personas: Personas) -> None:
    ada = agent_of(personas.admin)
    client = client_for(personas.admin)
    page = client.get(f"/staff/agents/{ada.pk}/").content.decode()
    assert 'name="role"' not in page and 'name="is_active"' not in page
    response = client.post(f"/staff/agents/{ada.pk}/", {"first_name": "Adaline", "email": "ada@example.test"})
    assert response.status_code == 302
    ada = Agent.objects.select_related("user").get(pk=ada.pk)
    assert (ada.user.first_name, ada.role, ada.user.is_active) == ("Adaline", Role.ADMIN, True)


def test_it_shows_an_edit_error_next_to_the_field_and_saves_nothing(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    response = client_for(personas.admin).post(f"/staff/agents/{kari.pk}/", {
        "first_name": "Karianne", "email": "kari@", "role": "admin", "languages": ["fi"], "is_active": "on"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-email">enter a valid e-mail address</p>' in page
    assert 'value="Karianne"' in page and 'value="kari@"' in page and 'value="admin" checked' in page
    kari = Agent.objects.select_related("user").get(pk=kari.pk)
    assert (kari.user.first_name, kari.role, kari.languages) == ("Kari", Role.AGENT, [])


def test_it_resets_a_password_through_htmx_and_without(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    client = client_for(personas.admin)
    response = client.post(f"/staff/agents/{kari.pk}/password/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "<html" not in page and "Pass it on safely" in page
    start = page.index('id="new-password"')
    password = page[page.index(">", start) + 1: page.index("</output>", start)]
    assert signs_in("kari", password)
    full = client.post(f"/staff/agents/{kari.pk}/password/").content.decode()
    assert "<html" in full and "Back to the inbox" in full and 'id="new-password"' in full
    assert client.get(f"/staff/agents/{kari.pk}/password/").status_code == 405


def test_it_keeps_an_admin_signed_in_after_resetting_their_own_password(personas: Personas) -> None:
    ada = agent_of(personas.admin)
    client = client_for(personas.admin)
    assert client.post(f"/staff/agents/{ada.pk}/password/").status_code == 200
    assert client.get("/staff/").status_code == 200


def test_it_says_why_a_shared_accounts_password_is_not_reset(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    Agent.objects.create(user=personas.agent, organisation=personas.other_org, role=Role.AGENT)
    response = client_for(personas.admin).post(f"/staff/agents/{kari.pk}/password/", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "also used outside Fjordnett" in response.content.decode()


def test_it_adds_and_edits_teams_from_the_forms(personas: Personas) -> None:
    client = client_for(personas.admin)
    kari, ada = agent_of(personas.agent), agent_of(personas.admin)
    response = client.post("/staff/teams/new/", {"name": "Sales", "signature": "initials",
                                                "member_ids": [str(kari.pk)]}, follow=True)
    assert response.redirect_chain == [("/staff/teams/", 302)]
    sales = Team.objects.get(organisation=personas.org, name="Sales")
    assert (sales.slug, sales.signature, list(sales.members.all())) == ("sales", "initials", [kari])
    page = response.content.decode()
    row = page[page.index(f'data-team="{sales.pk}"'):]
    assert "Initials" in row[: row.index("</tr>")] and "Kari" in row[: row.index("</tr>")]
    response = client.post(f"/staff/teams/{sales.pk}/", {"name": "Sales and marketing", "signature": "first_name",
                                                         "member_ids": [str(ada.pk)]})
    assert response.status_code == 302
    sales.refresh_from_db()
    assert (sales.name, sales.slug, list(sales.members.all())) == ("Sales and marketing", "sales", [ada])


def test_it_shows_a_duplicate_team_name_next_to_the_name(personas: Personas) -> None:
    kari = agent_of(personas.agent)
    response = client_for(personas.admin).post("/staff/teams/new/", {
        "name": "customer service", "signature": "initials", "member_ids": [str(kari.pk)]})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-name">Fjordnett already has a team called “customer service”</p>' in page
    assert 'value="customer service"' in page and 'value="initials" checked' in page
    assert f'value="{kari.pk}" checked' in page


def test_it_links_the_team_admin_from_the_inbox_for_admins_and_supervisors(personas: Personas) -> None:
    for user, shown in ((personas.admin, True), (personas.supervisor, True), (personas.agent, False),
                        (personas.analyst, False)):
        assert ('href="/staff/"' in client_for(user).get("/inbox/").content.decode()) is shown, user
    assert 'href="/inbox/"' in client_for(personas.admin).get("/staff/").content.decode()
