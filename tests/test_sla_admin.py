"""The service-level pages at ``/staff/sla/`` and their writers (``webcare.sla.actions``): policies in order, a
team's supervisor and escalation chain, the acknowledgement window; errors that name the field and store nothing;
admins write, supervisors read, everybody else is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import Personas, client_for
from webcare.core.models import Agent, Organisation, Team
from webcare.sla import actions
from webcare.sla.models import EscalationStep, SlaPolicy
from webcare.tickets.actions import ActionError

LIST = "/staff/sla/"


def form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Chat", "is_active": "on", "channel_kinds": ["webchat", "facebook"], "priorities": ["1", "2"],
        "intents": ["complaint"], "first_response_minutes": "15", "first_response_minutes_unit": "minutes",
        "next_response_minutes": "1.5", "next_response_minutes_unit": "hours", "resolution_minutes": "",
        "resolution_minutes_unit": "hours", "business_hours": "calendar", "warn_percent": "80",
    }
    values.update(overrides)
    return values


def policy(personas: Personas, name: str, position: int) -> SlaPolicy:
    return SlaPolicy.objects.create(organisation=personas.org, name=name, position=position,
                                    first_response_minutes=60)


def refused(field: str, call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ActionError) as info:
        call(*args, **kwargs)
    assert info.value.field == field, info.value
    return info.value.message


# --- who may do what ------------------------------------------------------------------------------------------------


def test_supervisors_read_admins_write_and_the_rest_are_refused(personas: Personas) -> None:
    standard = policy(personas, "Standard", 0)
    page = client_for(personas.supervisor).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Standard" in html and reverse("sla:policy", args=[standard.pk]) not in html
    assert "only admins change service levels" in html
    assert client_for(personas.supervisor).post(reverse("sla:policy_new"), form()).status_code == 403
    assert client_for(personas.supervisor).post(reverse("sla:ack"), {"ack_window_minutes": "5"}).status_code == 403
    assert client_for(personas.agent).get(LIST).status_code == 403
    assert client_for(personas.analyst).get(LIST).status_code == 403
    assert client_for(personas.outsider).get(reverse("sla:policy", args=[standard.pk])).status_code == 404
    admin_page = client_for(personas.admin).get(LIST).content.decode()
    assert reverse("sla:policy", args=[standard.pk]) in admin_page
    assert SlaPolicy.objects.count() == 1 and personas.org.ack_window_minutes == 24 * 60


def test_the_actions_refuse_anyone_but_an_admin_of_the_organisation(personas: Personas) -> None:
    values = actions.PolicyValues(name="X", first_response_minutes=10)
    refused("actor", actions.add_policy, personas.org, personas.supervisor, values)
    refused("actor", actions.add_policy, personas.org, personas.outsider, values)
    refused("actor", actions.set_ack_window, personas.org, personas.supervisor, 60)
    assert not SlaPolicy.objects.exists()


# --- policies -------------------------------------------------------------------------------------------------------


def test_an_admin_adds_a_policy_last_in_the_order(personas: Personas) -> None:
    policy(personas, "Standard", 0)
    blank = client_for(personas.admin).get(reverse("sla:policy_new"))
    assert blank.status_code == 200 and 'name="first_response_minutes" value="1"' in blank.content.decode()
    response = client_for(personas.admin).post(reverse("sla:policy_new"), form(team_ids=[str(personas.team.pk)]))
    assert response.status_code == 302 and response["Location"] == LIST
    chat = SlaPolicy.objects.get(name="Chat")
    assert (chat.position, chat.channel_kinds, chat.priorities, chat.intents) == (1, ["webchat", "facebook"], [1, 2],
                                                                                  ["complaint"])
    assert (chat.first_response_minutes, chat.next_response_minutes, chat.resolution_minutes) == (15, 90, None)
    assert (chat.business_hours, chat.warn_percent, chat.is_active) == (False, 80, True)
    assert list(chat.teams.all()) == [personas.team]
    page = client_for(personas.admin).get(LIST).content.decode()
    assert page.index("Standard") < page.index("Chat") and "1 h 30 min" in page and "15 min" in page


def test_the_form_shows_a_stored_policy_and_saves_changes(personas: Personas) -> None:
    chat = policy(personas, "Chat", 0)
    chat.resolution_minutes = 48 * 60
    chat.save()
    page = client_for(personas.admin).get(reverse("sla:policy", args=[chat.pk])).content.decode()
    assert 'name="resolution_minutes" value="48"' in page
    response = client_for(personas.admin).post(reverse("sla:policy", args=[chat.pk]),
                                               form(name="Chat (off)", is_active=""))
    assert response.status_code == 302
    chat.refresh_from_db()
    assert (chat.name, chat.is_active, chat.first_response_minutes) == ("Chat (off)", False, 15)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": "  "}, "name", "needs a name"),
    ({"first_response_minutes": "abc"}, "first_response_minutes", "is not a number"),
    ({"first_response_minutes": "0"}, "first_response_minutes", "at least one minute"),
    ({"next_response_minutes": "0.01"}, "next_response_minutes", "whole minutes"),
    ({"first_response_minutes": "", "next_response_minutes": ""}, "first_response_minutes", "at least one target"),
    ({"warn_percent": "0"}, "warn_percent", "from 1 to 100"),
    ({"warn_percent": "lots"}, "warn_percent", "from 1 to 100"),
    ({"channel_kinds": ["fax"]}, "channel_kinds", "“fax” is not a channel kind"),
    ({"intents": ["rant"]}, "intents", "“rant” is not an intent"),
    ({"priorities": ["9"]}, "priorities", "“9” is not a priority"),
])
def test_a_refused_policy_names_the_field_and_stores_nothing(personas: Personas, changes: dict[str, Any],
                                                             field: str, words: str) -> None:
    response = client_for(personas.admin).post(reverse("sla:policy_new"), form(**changes))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="error-{field}"' in html and words in html
    assert "Nothing was saved" in html
    assert not SlaPolicy.objects.exists()


def test_a_team_of_another_organisation_is_refused(personas: Personas) -> None:
    theirs = Team.objects.create(organisation=personas.other_org, slug="theirs", name="Theirs")
    response = client_for(personas.admin).post(reverse("sla:policy_new"), form(team_ids=[str(theirs.pk)]))
    assert response.status_code == 422 and 'id="error-team_ids"' in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_policies_move_up_and_down(personas: Personas) -> None:
    first, second, third = policy(personas, "A", 0), policy(personas, "B", 5), policy(personas, "C", 9)
    admin = client_for(personas.admin)
    assert admin.post(reverse("sla:policy_move", args=[third.pk]), {"direction": "up"}).status_code == 302
    assert list(SlaPolicy.objects.order_by("position").values_list("name", flat=True)) == ["A", "C", "B"]
    admin.post(reverse("sla:policy_move", args=[first.pk]), {"direction": "down"})
    assert list(SlaPolicy.objects.order_by("position").values_list("name", flat=True)) == ["C", "A", "B"]
    admin.post(reverse("sla:policy_move", args=[second.pk]), {"direction": "down"})  # already last: stays
    assert list(SlaPolicy.objects.order_by("position").values_list("name", "position")) == [
        ("C", 0), ("A", 1), ("B", 2)]
    refused("direction", actions.move_policy, first, personas.admin, "sideways")
    assert admin.get(reverse("sla:policy_move", args=[first.pk])).status_code == 405


def test_an_admin_deletes_a_policy(personas: Personas) -> None:
    gone = policy(personas, "Old", 0)
    assert client_for(personas.admin).post(reverse("sla:policy_delete", args=[gone.pk])).status_code == 302
    assert not SlaPolicy.objects.exists()


# --- escalation -----------------------------------------------------------------------------------------------------


def agent_pk(user: Any) -> str:
    return str(Agent.objects.get(user=user).pk)


def test_an_admin_sets_a_teams_supervisor_and_chain(personas: Personas) -> None:
    url = reverse("sla:team", args=[personas.team.pk])
    response = client_for(personas.admin).post(url, {
        "supervisor": agent_pk(personas.supervisor),
        "step_agent": [agent_pk(personas.admin), "", agent_pk(personas.agent)],
        "step_after": ["30", "", "120"],
    })
    assert response.status_code == 302
    team = Team.objects.get(pk=personas.team.pk)
    assert team.supervisor is not None and team.supervisor.user == personas.supervisor
    assert [(s.agent.user.username, s.after_minutes, s.position) for s in team.escalation_steps.all()] == [
        ("ada", 30, 0), ("kari", 120, 1)]
    page = client_for(personas.supervisor).get(LIST).content.decode()
    assert "Ada, 30 min after the breach" in page and "Kari, 2 h after the breach" in page
    form_page = client_for(personas.admin).get(url).content.decode()
    assert 'value="120"' in form_page


@pytest.mark.parametrize(("post", "field", "words"), [
    ({"step_agent": ["A", "K"], "step_after": ["60", "30"]}, "steps.2", "step 2: each step comes later"),
    ({"step_agent": ["A"], "step_after": [""]}, "steps.1", "step 1: give the minutes"),
    ({"step_agent": ["A"], "step_after": ["soon"]}, "steps.1", "step 1: “soon” is not a number"),
    ({"step_agent": ["N"], "step_after": ["30"]}, "steps.1", "step 1: an analyst sees figures"),
    ({"supervisor": "999999"}, "supervisor", "choose an agent of this organisation"),
])
def test_a_refused_chain_names_the_step_and_keeps_the_old_one(personas: Personas, post: dict[str, Any], field: str,
                                                              words: str) -> None:
    old = EscalationStep.objects.create(team=personas.team, agent=Agent.objects.get(user=personas.admin),
                                        after_minutes=45)
    people = {"A": agent_pk(personas.admin), "K": agent_pk(personas.agent), "N": agent_pk(personas.analyst)}
    data = {"supervisor": post.get("supervisor", ""),
            "step_agent": [people[key] for key in post.get("step_agent", [])], "step_after": post.get("step_after", [])}
    response = client_for(personas.admin).post(reverse("sla:team", args=[personas.team.pk]), data)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert list(EscalationStep.objects.all()) == [old]
    assert Team.objects.get(pk=personas.team.pk).supervisor is None
    if field == "supervisor":
        assert 'id="error-supervisor"' in response.content.decode()


def test_a_step_from_another_organisation_is_refused_by_the_action(personas: Personas) -> None:
    theirs = Agent.objects.get(user=personas.outsider)
    message = refused("steps.1", actions.set_escalation, personas.team, personas.admin, None,
                      [actions.StepValues(theirs.pk, 30)])
    assert "agent of this organisation" in message
    assert not EscalationStep.objects.exists()


# --- the acknowledgement window -----------------------------------------------------------------------------------


def test_an_admin_sets_the_acknowledgement_window(personas: Personas) -> None:
    admin = client_for(personas.admin)
    assert admin.post(reverse("sla:ack"), {"ack_window_minutes": "60"}).status_code == 302
    assert Organisation.objects.get(pk=personas.org.pk).ack_window_minutes == 60
    response = admin.post(reverse("sla:ack"), {"ack_window_minutes": "-5"})
    assert response.status_code == 422 and 'id="error-ack_window_minutes"' in response.content.decode()
    response = admin.post(reverse("sla:ack"), {"ack_window_minutes": "twenty"})
    assert response.status_code == 422 and "is not a number" in response.content.decode()
    assert Organisation.objects.get(pk=personas.org.pk).ack_window_minutes == 60
    assert admin.post(reverse("sla:ack"), {"ack_window_minutes": "0"}).status_code == 302
    assert Organisation.objects.get(pk=personas.org.pk).ack_window_minutes == 0
