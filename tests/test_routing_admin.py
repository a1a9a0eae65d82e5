"""The routing pages: the list, the rule form (create, edit, bad input), moving, switching and deleting rules, the
test mode, and who may do what (admins change, supervisors look and test, agents and analysts are refused)."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from django.db import connection

from tests.conftest import Personas, client_for
from webcare.conversations.models import Message
from webcare.routing import actions
from webcare.routing.models import RoutingRule
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def add(personas: Personas, name: str, conditions: list[dict[str, Any]] | None = None, **action: Any) -> RoutingRule:
    return actions.do_save_rule(personas.org, personas.admin, {"name": name, "conditions": conditions or [],
                                                               "actions": action or {"labels": [name.lower()]}})


def names(personas: Personas) -> list[str]:
    return list(RoutingRule.objects.filter(organisation=personas.org).order_by("position").values_list("name",
                                                                                                      flat=True))


def positions(personas: Personas) -> list[int]:
    return list(RoutingRule.objects.filter(organisation=personas.org).order_by("position")
                .values_list("position", flat=True))


def form(**fields: Any) -> dict[str, Any]:
    """A posted rule form: ``rows`` counts the condition rows; unchecked boxes are simply absent."""
    data = {"name": "Invoices", "rows": "0", "team": "", "priority": "", "labels": "", "assign": "",
            "auto_reply": "", "stop": "on", "is_active": "on"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


# -- the list and who sees it ------------------------------------------------------------------------------------------


def test_it_lists_the_rules_in_order_in_words(personas: Personas) -> None:
    add(personas, "Spam", [{"field": "intent", "op": "is", "value": "spam"}], spam=True)
    add(personas, "Invoices", [{"field": "keywords", "op": "contains", "value": ["faktura", "regning"]}],
        team="customer-service", priority=2)
    page = client_for(personas.admin).get("/staff/routing/").content.decode()
    assert page.index("Spam") < page.index("Invoices")
    assert "Words in the message contains any of: faktura, regning" in page
    assert "Team: Customer service" in page and "Priority: 2 high" in page
    assert 'aria-current="page"' in page and "Move “Invoices” up" in page


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("supervisor", 200), ("agent", 403), ("analyst", 403)])
def test_only_admins_and_supervisors_see_the_rules(personas: Personas, who: str, status: int) -> None:
    add(personas, "Spam", spam=True)
    response = client_for(getattr(personas, who)).get("/staff/routing/")
    assert response.status_code == status
    if who == "supervisor":
        page = response.content.decode()
        assert "Spam" in page and "only admins add and change rules" in page and "Move “Spam” up" not in page


def test_signed_out_people_are_sent_to_sign_in(personas: Personas, client: Any) -> None:
    assert client.get("/staff/routing/")["Location"].startswith("/login/")
    assert client.get("/staff/routing/test/")["Location"].startswith("/login/")


def test_supervisors_cannot_change_rules(personas: Personas) -> None:
    rule = add(personas, "Spam", spam=True)
    supervisor = client_for(personas.supervisor)
    assert supervisor.get("/staff/routing/new/").status_code == 403
    assert supervisor.post("/staff/routing/new/", form()).status_code == 403
    assert supervisor.post(f"/staff/routing/{rule.pk}/move/", {"direction": "down"}).status_code == 403
    assert supervisor.post(f"/staff/routing/{rule.pk}/active/", {"active": "0"}).status_code == 403
    assert supervisor.post(f"/staff/routing/{rule.pk}/delete/").status_code == 403
    assert RoutingRule.objects.get(pk=rule.pk).is_active
    with pytest.raises(ActionError, match="only an admin"):
        actions.do_save_rule(personas.org, personas.supervisor, {"name": "x", "actions": {"labels": ["x"]}})


def test_an_admin_of_another_organisation_cannot_reach_these_rules(personas: Personas) -> None:
    rule = add(personas, "Ours", labels=["x"])
    outsider = client_for(personas.outsider)
    assert "Ours" not in outsider.get("/staff/routing/").content.decode()
    assert outsider.get(f"/staff/routing/{rule.pk}/").status_code == 404
    assert outsider.post(f"/staff/routing/{rule.pk}/move/", {"direction": "up"}).status_code == 404
    assert outsider.post(f"/staff/routing/{rule.pk}/delete/").status_code == 404
    with pytest.raises(ActionError, match="only an admin"):
        actions.do_delete_rule(rule, personas.outsider)
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


# -- creating and editing ----------------------------------------------------------------------------------------------


def test_an_admin_creates_a_rule_with_the_form(personas: Personas) -> None:
    add(personas, "First", labels=["first"])
    response = client_for(personas.admin).post("/staff/routing/new/", form(
        rows="3",
        **{"c0-field": "keywords", "c0-op": "contains", "c0-value": "faktura*, regning",
           "c1-field": "intent", "c1-op": "in"},
        **{"c2-field": "", "c2-op": "", "c2-value": ""},  # a blank row is ignored
        team="customer-service", priority="2", labels="billing, nb", assign="kari",
        auto_reply="Takk! Vi svarer snart.",
    ) | {"c1-value": ["question", "complaint"]})
    assert response.status_code == 302
    rule = RoutingRule.objects.get(organisation=personas.org, name="Invoices")
    assert response["Location"].endswith(f"/staff/routing/#rule-{rule.pk}")
    assert rule.position == 1 and rule.stop and rule.is_active
    assert rule.conditions == [{"field": "keywords", "op": "contains", "value": ["faktura*", "regning"]},
                               {"field": "intent", "op": "in", "value": ["question", "complaint"]}]
    assert rule.actions == {"team": "customer-service", "priority": 2, "labels": ["billing", "nb"], "assign": "kari",
                            "auto_reply": "Takk! Vi svarer snart."}


def test_an_admin_edits_a_rule(personas: Personas) -> None:
    rule = add(personas, "Invoices", [{"field": "intent", "op": "is", "value": "question"}], team="customer-service")
    admin = client_for(personas.admin)
    page = admin.get(f"/staff/routing/{rule.pk}/").content.decode()
    assert 'value="Invoices"' in page and '<option value="question" selected>' in page
    response = admin.post(f"/staff/routing/{rule.pk}/", form(
        name="Invoices (nb)", rows="2",
        **{"c0-field": "intent", "c0-op": "is", "c0-value": "question",
           "c1-field": "language", "c1-op": "is", "c1-value": "nb"},
        spam=None, stop=None, priority="1"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Invoices (nb)" and not rule.stop
    assert rule.conditions[1] == {"field": "language", "op": "is", "value": "nb"}
    assert rule.actions == {"priority": 1}


def test_add_and_remove_rebuild_the_form_without_saving(personas: Personas) -> None:
    admin = client_for(personas.admin)
    two = {"c0-field": "intent", "c0-op": "is", "c0-value": "question",
           "c1-field": "language", "c1-op": "is", "c1-value": "nb"}
    page = admin.post("/staff/routing/new/", form(rows="2", add="1", **two))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="rows" value="3"' in html and 'id="c2-field"' in html and "Condition 3" in html
    html = admin.post("/staff/routing/new/", form(rows="2", remove="0", **two)).content.decode()
    assert 'name="rows" value="1"' in html and '<option value="language" selected>' in html
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize(("fields", "where", "message"), [
    ({"name": "  "}, "error-name", "a rule needs a name"),
    ({"team": "nope"}, "error-actions_team", "there is no team “nope”"),
    ({"priority": "9"}, "error-actions_priority", "a priority is 1 (urgent)"),
    ({"assign": "anders"}, "error-actions_assign", "“anders” is not an active agent"),
    ({"labels": "x" * 65}, "error-actions_labels", "a label can have at most 64 characters"),
    ({"rows": "1", "c0-field": "intent", "c0-op": "gt", "c0-value": "question"}, "condition-0-errors",
     "“gt” does not work with intent"),
    ({"rows": "1", "c0-field": "keywords", "c0-op": "contains", "c0-value": " , "}, "condition-0-errors",
     "give at least one value"),
    ({"rows": "1", "c0-field": "customer.followers", "c0-op": "gt", "c0-value": "10000"}, "condition-0-errors",
     "never depends on follower counts or reach"),
    ({"team": "", "labels": ""}, "error-actions", "a rule needs at least one action"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_stored(personas: Personas, fields: dict[str, Any],
                                                                    where: str, message: str) -> None:
    existing = add(personas, "Existing", [{"field": "intent", "op": "is", "value": "praise"}], labels=["x"])
    admin = client_for(personas.admin)
    response = admin.post("/staff/routing/new/", form(labels="billing") | fields)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html
    section = html[html.index(f'id="{where}"'):]
    assert message in section[:600]
    assert names(personas) == ["Existing"]
    response = admin.post(f"/staff/routing/{existing.pk}/", form(name="Existing", labels="billing") | fields)
    assert response.status_code == 422
    unchanged = RoutingRule.objects.get(pk=existing.pk)
    assert unchanged.conditions == existing.conditions and unchanged.actions == {"labels": ["x"]}


def test_two_rules_cannot_share_a_name(personas: Personas) -> None:
    add(personas, "Invoices", labels=["x"])
    response = client_for(personas.admin).post("/staff/routing/new/", form(name="invoices", labels="y"))
    assert response.status_code == 422
    assert "another rule is called “invoices”" in response.content.decode()
    assert RoutingRule.objects.count() == 1


def test_the_condition_row_follows_the_chosen_field(personas: Personas) -> None:
    admin = client_for(personas.admin)
    row = admin.get("/staff/routing/condition/", {"index": "2", "c2-field": "intent", "c2-op": "contains"},
                    headers={"HX-Request": "true", "HX-Trigger-Name": "c2-field"}).content.decode()
    assert 'id="condition-2"' in row and '<option value="is" selected>' in row
    assert 'name="c2-value"' in row and '<option value="sales_lead">Sales lead</option>' in row
    assert 'id="c2-field" name="c2-field"' in row and "autofocus" in row[row.index('id="c2-field"'):][:400]
    row = admin.get("/staff/routing/condition/", {"index": "0", "c0-field": "intent", "c0-op": "in"},
                    headers={"HX-Request": "true", "HX-Trigger-Name": "c0-op"}).content.decode()
    assert 'type="checkbox" name="c0-value" value="complaint"' in row
    row = admin.get("/staff/routing/condition/", {"index": "0", "c0-field": "keywords"}).content.decode()
    assert 'id="c0-value" name="c0-value"' in row and "end a word with *" in row


# -- order, on/off, delete ---------------------------------------------------------------------------------------------


def test_an_admin_moves_rules_up_and_down(personas: Personas) -> None:
    a, b, c = (add(personas, name) for name in ("A", "B", "C"))
    admin = client_for(personas.admin)
    response = admin.post(f"/staff/routing/{c.pk}/move/", {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#rule-{c.pk}")
    assert names(personas) == ["A", "C", "B"]
    partial = admin.post(f"/staff/routing/{a.pk}/move/", {"direction": "down"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    html = partial.content.decode()
    assert html.startswith('<div id="rules-region">') and "<html" not in html
    assert names(personas) == ["C", "A", "B"]
    focused = html[html.index(f'id="move-down-{a.pk}"'):][:200]
    assert "autofocus" in focused  # the keyboard stays on the button just used
    admin.post(f"/staff/routing/{c.pk}/move/", {"direction": "up"})  # already first: nothing changes
    assert names(personas) == ["C", "A", "B"] and positions(personas) == [0, 1, 2]
    assert actions.do_move_rule(b, personas.admin, "down") == 2
    with pytest.raises(ActionError, match="up or down"):
        actions.do_move_rule(b, personas.admin, "sideways")


def test_the_focus_moves_to_the_other_button_at_the_top(personas: Personas) -> None:
    add(personas, "A")
    b = add(personas, "B")
    html = client_for(personas.admin).post(f"/staff/routing/{b.pk}/move/", {"direction": "up"},
                                           headers={"HX-Request": "true"}).content.decode()
    assert "autofocus" in html[html.index(f'id="move-down-{b.pk}"'):][:200]
    assert "disabled" in html[html.index(f'id="move-up-{b.pk}"'):][:80]


def test_an_admin_switches_a_rule_off_and_on(personas: Personas) -> None:
    rule = add(personas, "A")
    admin = client_for(personas.admin)
    admin.post(f"/staff/routing/{rule.pk}/active/", {"active": "0"})
    assert not RoutingRule.objects.get(pk=rule.pk).is_active
    assert "Turn on “A”" in admin.get("/staff/routing/").content.decode()
    admin.post(f"/staff/routing/{rule.pk}/active/", {"active": "1"})
    assert RoutingRule.objects.get(pk=rule.pk).is_active


def test_an_admin_deletes_a_rule_after_confirming(personas: Personas) -> None:
    a, b, c = (add(personas, name) for name in ("A", "B", "C"))
    admin = client_for(personas.admin)
    page = admin.get(f"/staff/routing/{b.pk}/delete/")
    assert page.status_code == 200 and "Delete “B”?" in page.content.decode()
    assert RoutingRule.objects.filter(pk=b.pk).exists()
    response = admin.post(f"/staff/routing/{b.pk}/delete/")
    assert response.status_code == 302
    assert names(personas) == ["A", "C"] and positions(personas) == [0, 1]
    with pytest.raises(ActionError, match="deleted"):
        actions.do_set_rule_active(b, personas.admin, False)
    assert a.pk and c.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_positions_dense_and_unique(personas: Personas) -> None:
    rules = [add(personas, f"R{i}") for i in range(6)]
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def mover(seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(15):
                actions.do_move_rule(rng.choice(rules), personas.admin, rng.choice(["up", "down"]))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=mover, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert positions(personas) == list(range(6))
    assert sorted(names(personas)) == [f"R{i}" for i in range(6)]


# -- the test mode -----------------------------------------------------------------------------------------------------


def sample(**fields: Any) -> dict[str, str]:
    return {"text": "Hei, jeg vil gjerne bytte til dere. Hva koster fiber?", "channel": "api", "public": "private",
            "language": ""} | fields


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_the_test_mode_shows_the_rule_that_hits_and_why(personas: Personas, who: str) -> None:
    add(personas, "Spam", [{"field": "intent", "op": "is", "value": "spam"}], spam=True)
    add(personas, "Leads", [{"field": "intent", "op": "is", "value": "sales_lead"},
                            {"field": "channel", "op": "is", "value": "api"}], team="customer-service",
        priority=2, labels=["lead"])
    add(personas, "Everything", [], labels=["all"])
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    response = client_for(getattr(personas, who)).post("/staff/routing/test/", sample())
    assert response.status_code == 200
    html = response.content.decode()
    assert "The rule “Leads” takes it." in html
    outcome = html[html.index('id="outcome"'):]
    assert "Customer service" in outcome and "2 high" in outcome and "lead" in outcome
    why = html[html.index('id="why"'):]
    assert "does not hold:</span>" in why[:why.index("Leads")]  # the spam rule, and why not
    leads = why[why.index("Leads"):why.index("Everything")]
    assert leads.count("holds:</span>") == 2 and "(the message: Question, Sales lead)" in leads
    assert "not tried: a rule above stopped the check" in why[why.index("Everything"):]
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)  # nothing stored


def test_the_test_mode_says_when_no_rule_matches(personas: Personas) -> None:
    add(personas, "Spam", [{"field": "intent", "op": "is", "value": "spam"}], spam=True)
    off = add(personas, "Off", [], team="customer-service")
    actions.do_set_rule_active(off, personas.admin, False)
    html = client_for(personas.admin).post("/staff/routing/test/", sample(text="Tusen takk for god hjelp!"))
    assert "No rule matches" in html.content.decode()
    assert "Off" not in html.content.decode()[html.content.decode().index('id="why"'):]


def test_the_test_mode_keeps_personal_data_in_public_urgent(personas: Personas) -> None:
    add(personas, "Calm", [{"field": "public", "op": "is", "value": True}], priority=4)
    html = client_for(personas.admin).post("/staff/routing/test/", sample(
        text="Ring meg på 912 34 567, internett virker ikke", public="public", language="nb")).content.decode()
    assert "kept urgent: personal data in public" in html and "1 item found and masked" in html
    assert "912 34 567" in html[:html.index('id="result-heading"')]  # only in the form, never in the results
    assert "912 34 567" not in html[html.index('id="result-heading"'):]


@pytest.mark.parametrize(("fields", "where", "message"), [
    ({"text": "  "}, "error-text", "paste or type a message"),
    ({"channel": "nope"}, "error-channel", "choose one of the channels"),
    ({"public": "maybe"}, "error-public", "choose public or private"),
    ({"language": "xx"}, "error-language", "choose one of the languages"),
])
def test_the_test_mode_names_bad_input(personas: Personas, fields: dict[str, str], where: str, message: str) -> None:
    response = client_for(personas.admin).post("/staff/routing/test/", sample(**fields))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html[html.index(f'id="{where}"'):][:200]


def test_agents_cannot_use_the_test_mode(personas: Personas) -> None:
    assert client_for(personas.agent).post("/staff/routing/test/", sample()).status_code == 403
    assert client_for(personas.analyst).get("/staff/routing/test/").status_code == 403


# -- in the agent's language ---------------------------------------------------------------------------------------

HEADINGS = {"nb": ("Rutingsregler", "Legg til regel", "Test reglene"),
            "da": ("Routingregler", "Tilføj regel", "Test reglerne"),
            "sv": ("Routningsregler", "Lägg till regel", "Testa reglerna"),
            "fi": ("Reitityssäännöt", "Lisää sääntö", "Testaa säännöt"),
            "nl": ("Routeringsregels", "Regel toevoegen", "Regels testen")}


@pytest.mark.parametrize("code", list(HEADINGS))
def test_the_pages_speak_the_agent_s_language(personas: Personas, code: str) -> None:
    add(personas, "Spam", [{"field": "intent", "op": "is", "value": "spam"}], spam=True)
    admin = client_for(personas.admin)
    admin.post("/inbox/language/", {"language": code})
    page = admin.get("/staff/routing/").content.decode()
    assert all(text in page for text in HEADINGS[code])
    assert "Every new ticket is checked" not in page
    refused = admin.post("/staff/routing/new/", form(name="", labels="x")).content.decode()
    assert "a rule needs a name" not in refused  # the errors too


def test_every_message_of_the_routing_catalogues_is_translated() -> None:
    """No empty or fuzzy entry in the .po files, and each .mo says the same (a stale .mo would show English)."""
    import gettext
    import re
    from pathlib import Path

    import webcare.routing

    locale = Path(webcare.routing.__file__).parent / "locale"
    for code in HEADINGS:
        po = locale / code / "LC_MESSAGES" / "django.po"
        text = po.read_text(encoding="utf-8")
        assert "#, fuzzy" not in text
        assert re.findall(r'\nmsgstr(?:\[\d\])? ""\n(?!")', text) == [], code
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        assert compiled.gettext("Routing rules") == HEADINGS[code][0]
        assert compiled.gettext("a rule needs a name") != "a rule needs a name"
