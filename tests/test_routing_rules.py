"""Routing rules: the pure core (each condition field and operator, the order, validation, the safety rules), then
through real ingestion (a message routed with its timeline rows, the default rules, spam, personal data in public)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone, translation

from tests.conftest import Personas, inbound_payload, ingest_ticket
from webcare.conversations.models import Direction, Message
from webcare.core.models import Team
from webcare.customers.models import Customer
from webcare.inbox.queues import view_filter
from webcare.routing import actions
from webcare.routing.defaults import DEFAULT_RULES, ensure_default_rules
from webcare.routing.models import RoutingRule
from webcare.routing.rules import Context, Facts, Rule, RuleError, fold, parse_rule, route
from webcare.tickets.models import EventKind, Status, Ticket


@pytest.fixture(autouse=True)
def in_english() -> Any:
    """The messages are asserted in English, whatever language an earlier test's request left active."""
    with translation.override("en"):
        yield


# -- the pure core ---------------------------------------------------------------------------------------------------


def rule(name: str = "r", conditions: list[dict[str, Any]] | None = None, stop: bool = True,
         **action: Any) -> Rule:
    return parse_rule({"name": name, "conditions": conditions or [], "actions": action or {"labels": [name]},
                       "stop": stop})


def when(field: str, op: str, value: Any) -> list[dict[str, Any]]:
    return [{"field": field, "op": op, "value": value}]


def holds(field: str, op: str, value: Any, facts: Facts) -> bool:
    return bool(route([rule(conditions=when(field, op, value))], facts).matched)


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("is", "facebook", True), ("is", "fb-page", True), ("is", "email", False), ("is_not", "facebook", False),
    ("is_not", "email", True), ("in", ["email", "fb-page"], True), ("not_in", ["email", "x"], True),
    ("not_in", ["facebook"], False),
])
def test_it_matches_the_channel_by_kind_or_slug(op: str, value: Any, expected: bool) -> None:
    assert holds("channel", op, value, Facts(channel_kind="facebook", channel_slug="fb-page")) is expected


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("is", "nb", True), ("is", "sv", False), ("is_not", "sv", True), ("in", ["da", "nb"], True),
    ("not_in", ["nb"], False),
])
def test_it_matches_the_language(op: str, value: Any, expected: bool) -> None:
    assert holds("language", op, value, Facts(language="nb")) is expected


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("is", "complaint", True), ("is", "question", True), ("is", "praise", False), ("is_not", "complaint", False),
    ("is_not", "praise", True), ("in", ["praise", "question"], True), ("in", ["spam", "praise"], False),
    ("not_in", ["spam", "praise"], True), ("not_in", ["question"], False),
])
def test_it_matches_any_of_the_ticket_s_intents(op: str, value: Any, expected: bool) -> None:
    assert holds("intent", op, value, Facts(intents=("question", "complaint"))) is expected


@pytest.mark.parametrize(("field", "op", "value", "expected"), [
    ("sentiment", "is", "negative", True), ("sentiment", "is_not", "negative", False),
    ("sentiment", "in", ["positive", "neutral"], False), ("register", "is", "formal", True),
    ("register", "not_in", ["informal", "unknown"], True),
])
def test_it_matches_sentiment_and_register(field: str, op: str, value: Any, expected: bool) -> None:
    assert holds(field, op, value, Facts(sentiment="negative", register="formal")) is expected


@pytest.mark.parametrize(("keywords", "text", "expected"), [
    (["bredbånd"], "Hvorfor er BREDBAND så tregt?", True),  # case and accents do not matter, either way
    (["bredband"], "Mitt bredbånd er nede", True),
    (["café"], "The CAFE wifi", True),
    (["fakt"], "Fakturaen er feil", False),  # whole words only
    (["faktur*"], "Fakturaen er feil", True),  # … unless the keyword ends in *
    (["follow back"], "pls FOLLOW   back!!", True),  # a phrase, whatever the spacing
    (["wi-fi"], "my wi fi is down", True),
    (["refund", "money back"], "I want my money back now", True),
    (["refund"], "refunded already", False),
    (["søknad"], "Soknad sendt", True),  # ø typed as o
])
def test_it_finds_keywords_as_whole_words_ignoring_case_and_accents(keywords: list[str], text: str,
                                                                     expected: bool) -> None:
    assert holds("keywords", "contains", keywords, Facts(text=text)) is expected
    assert holds("keywords", "not_contains", keywords, Facts(text=text)) is not expected


def test_it_reports_which_keyword_was_found() -> None:
    decision = route([rule(conditions=when("keywords", "contains", ["faktura", "regning"]))],
                     Facts(text="Regningen? Nei, REGNING!"), explain=True)
    check = decision.explanation[0].checks[0]
    assert check.holds and check.found == "regning"


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("is", 2, True), ("is", "3", False), ("is_not", 1, True), ("in", [1, 2], True), ("not_in", ["1", "2"], False),
    ("gt", 1, True), ("gt", 2, False), ("lt", 3, True), ("lt", 2, False),
])
def test_it_compares_the_priority(op: str, value: Any, expected: bool) -> None:
    assert holds("priority", op, value, Facts(priority=2)) is expected


@pytest.mark.parametrize(("field", "value", "facts", "expected"), [
    ("profane", True, Facts(profane=True), True), ("profane", "no", Facts(profane=True), False),
    ("public", "yes", Facts(public=True), True), ("public", False, Facts(public=True), False),
    ("customer.known", True, Facts(customer_number="K-1"), True),
    ("customer.known", True, Facts(customer_number="  "), False),
])
def test_it_checks_yes_no_facts(field: str, value: Any, facts: Facts, expected: bool) -> None:
    assert holds(field, "is", value, facts) is expected


@pytest.mark.parametrize(("field", "op", "value", "expected"), [
    ("customer.name", "is", "kari nordmann", True), ("customer.name", "is", "Kari", False),
    ("customer.name", "contains", ["nordmann"], True), ("customer.name", "not_in", ["Ola Nordmann"], True),
    ("customer.number", "is", "K-100", True), ("customer.number", "in", ["K-1", "K-2"], False),
    ("customer.number", "is_not", "K-100", False),
    ("customer.notes", "contains", ["vip"], True), ("customer.notes", "contains", ["bedrift"], False),
])
def test_it_matches_customer_fields(field: str, op: str, value: Any, expected: bool) -> None:
    facts = Facts(customer_name="Kåri Nordmann", customer_number="K-100", customer_notes="VIP since 2019")
    assert holds(field, op, value, facts) is expected


def test_every_condition_of_a_rule_must_hold() -> None:
    both = [*when("intent", "is", "complaint"), *when("language", "is", "nb")]
    assert route([rule(conditions=both)], Facts(intents=("complaint",), language="nb")).matched
    assert not route([rule(conditions=both)], Facts(intents=("complaint",), language="sv")).matched
    assert route([rule(conditions=[])], Facts()).matched  # no conditions: every ticket


def test_the_first_matching_rule_wins_team_priority_and_assignee() -> None:
    rules = [
        rule("sales", when("intent", "is", "sales_lead"), team="sales", priority=2, assign="nora"),
        rule("service", when("intent", "in", ["question", "sales_lead"]), team="service", priority=4, assign="kari"),
    ]
    decision = route(rules, Facts(intents=("question", "sales_lead")))
    assert [r.name for r in decision.matched] == ["sales"]  # stops after the first (stop is the default)
    assert (decision.team, decision.priority, decision.assign, decision.routed_by) == ("sales", 2, "nora", "sales")
    assert route(list(reversed(rules)), Facts(intents=("question", "sales_lead"))).team == "service"


def test_a_rule_without_stop_lets_later_rules_add_labels_but_not_override() -> None:
    rules = [
        rule("vip", when("customer.known", "is", True), stop=False, labels=["vip"], priority=2),
        rule("billing", when("keywords", "contains", ["faktura"]), stop=False, labels=["billing"], team="billing",
             priority=4),
        rule("all", [], team="service", labels=["seen"]),
        rule("never", [], labels=["never"]),
    ]
    decision = route(rules, Facts(customer_number="K-1", text="fakturaen er feil? faktura!"))
    assert [r.name for r in decision.matched] == ["vip", "billing", "all"]
    assert decision.labels == ("vip", "billing", "seen")
    assert (decision.team, decision.priority) == ("billing", 2)
    assert decision.routed_by == "vip"


def test_inactive_rules_are_skipped() -> None:
    off = parse_rule({"name": "off", "conditions": [], "actions": {"team": "x"}, "is_active": False})
    assert route([off, rule("on", [], team="y")], Facts()).team == "y"


def test_spam_is_labelled_and_solved_and_never_assigned_or_answered() -> None:
    rules = [rule("spam", when("intent", "is", "spam"), stop=False, spam=True, team="service"),
             rule("later", [], assign="kari", auto_reply="Thanks!", labels=["x"])]
    decision = route(rules, Facts(intents=("spam",)))
    assert decision.spam and decision.solve
    assert decision.labels == ("x", "spam")
    assert decision.assign is None and decision.auto_reply is None


def test_personal_data_in_public_stays_as_urgent_as_triage_made_it() -> None:
    calm = [rule("calm", [], priority=4)]
    decision = route(calm, Facts(priority=1, public_pii=True))
    assert decision.priority == 1 and decision.priority_kept
    assert route(calm, Facts(priority=1)).priority == 4  # without personal data in public a rule may lower it
    assert route([rule("up", [], priority=1)], Facts(priority=3, public_pii=True)).priority == 1
    spam = route([rule("spam", [], spam=True)], Facts(priority=1, public_pii=True))
    assert spam.spam and not spam.solve  # a person must hide the personal data first


def test_the_explanation_shows_each_condition_and_the_rules_a_stop_skipped() -> None:
    rules = [rule("a", [*when("language", "is", "sv"), *when("intent", "is", "question")]),
             rule("b", when("intent", "is", "question")), rule("c", [])]
    decision = route(rules, Facts(language="nb", intents=("question",)), explain=True)
    a, b, c = decision.explanation
    assert not a.matched and [check.holds for check in a.checks] == [False, True]
    assert a.checks[0].actual == "nb"
    assert b.matched and not c.matched and c.skipped


# -- validation ------------------------------------------------------------------------------------------------------


def errors_of(data: dict[str, Any], context: Context | None = None) -> dict[str, str]:
    with pytest.raises(RuleError) as caught:
        parse_rule(data, context)
    return dict(caught.value.errors)


def test_it_names_the_field_of_every_problem() -> None:
    errors = errors_of({"name": " ", "conditions": [
        {"field": "intent", "op": "is", "value": "question"},
        {"field": "intent", "op": "gt", "value": "question"},
        {"field": "mood", "op": "is", "value": "x"},
        {"field": "intent", "op": "is", "value": "shopping"},
        {"field": "priority", "op": "is", "value": 7},
        {"field": "keywords", "op": "contains"},
        {"field": "language", "op": "is", "value": ["nb", "sv"]},
    ], "actions": {"priority": 0, "labels": ["x" * 65]}})
    assert errors["name"] == "a rule needs a name"
    assert errors["conditions[1].op"].startswith("“gt” does not work with intent")
    assert errors["conditions[2].field"].startswith("unknown field “mood”")
    assert errors["conditions[3].value"].startswith("“shopping” is not one of: question, complaint")
    assert errors["conditions[4].value"].startswith("a priority is 1 (urgent)")
    assert errors["conditions[5].value"] == "give at least one value"
    assert errors["conditions[6].value"].startswith("give exactly one value")
    assert errors["actions.priority"].startswith("a priority is 1")
    assert errors["actions.labels"] == "a label can have at most 64 characters"
    assert "conditions[0].value" not in errors


def test_it_refuses_a_rule_without_actions_and_unknown_keys() -> None:
    assert errors_of({"name": "x", "actions": {}})["actions"].startswith("a rule needs at least one action")
    assert "actions.colour" in errors_of({"name": "x", "actions": {"colour": "red"}})
    assert errors_of({"name": "x", "actions": {"spam": True, "assign": "kari"}})["actions"].startswith(
        "spam is never assigned")


@pytest.mark.parametrize("field", ["customer.followers", "followers", "customer.reach", "customer.follower_count",
                                   "customer.verified"])
def test_it_refuses_conditions_on_followers_or_reach(field: str) -> None:
    message = errors_of({"name": "vip", "conditions": when(field, "gt", 10_000), "actions": {"priority": 1}})[
        "conditions[0].field"]
    assert "never depends on follower counts or reach" in message


def test_it_checks_names_against_the_organisation() -> None:
    context = Context(teams=frozenset({"sales"}), assignees=frozenset({"kari"}), channels=frozenset({"fb-page"}))
    errors = errors_of({"name": "x", "conditions": when("channel", "is", "fb-pgae"),
                        "actions": {"team": "sails", "assign": "olga"}}, context)
    assert errors["conditions[0].value"].startswith("no channel kind or channel called “fb-pgae”")
    assert errors["actions.team"] == "there is no team “sails”"
    assert errors["actions.assign"].startswith("“olga” is not an active agent")
    ok = parse_rule({"name": "x", "conditions": when("channel", "in", "facebook, fb-page"),
                     "actions": {"team": "sales", "assign": "auto"}}, context)
    assert ok.conditions[0].value == ("facebook", "fb-page")


def test_the_default_rules_are_valid() -> None:
    assert [parse_rule(spec).name for spec in DEFAULT_RULES] == [
        "Spam", "Spam words", "Sales leads to sales", "Questions and complaints to customer service"]


def test_fold_spells_out_letters_without_accents() -> None:
    assert fold("Ærlig BLÅBÆR-søknad é") == "aerlig blabaer-soknad e"


# -- through real ingestion ------------------------------------------------------------------------------------------


def save(personas: Personas, name: str, conditions: list[dict[str, Any]], **action: Any) -> RoutingRule:
    return actions.do_save_rule(personas.org, personas.admin, {"name": name, "conditions": conditions,
                                                               "actions": action, "stop": True})


def timeline(ticket: Ticket) -> list[tuple[str, str, str, str]]:
    return list(ticket.events.values_list("kind", "field", "old", "new"))


@pytest.mark.django_db
def test_an_ingested_message_is_routed_with_its_timeline_rows(personas: Personas) -> None:
    billing = Team.objects.create(organisation=personas.org, slug="billing", name="Billing")
    save(personas, "Invoices", when("keywords", "contains", ["faktura*"]), team="billing", priority=2,
         labels=["invoice", "nb"])
    ticket = ingest_ticket(personas, 1, text="Hei, fakturaen min er feil igjen!")
    assert ticket.team == billing and ticket.priority == 2 and ticket.routed_by == "Invoices"
    assert sorted(ticket.labels.values_list("name", flat=True)) == ["invoice", "nb"]
    rows = timeline(ticket)
    assert rows[0][0] == EventKind.CREATED
    assert (EventKind.ROUTED, "rule", "", "Invoices") in rows
    assert (EventKind.TEAM, "team", "", "billing") in rows
    assert (EventKind.PRIORITY, "priority", "3", "2") in rows
    assert {(EventKind.LABEL_ADDED, "labels", "", "invoice"), (EventKind.LABEL_ADDED, "labels", "", "nb")} <= set(rows)
    assert ticket.assignee_id is None and ticket.status == Status.NEW


@pytest.mark.django_db
def test_several_matching_rules_write_one_routed_row_and_all_their_labels(personas: Personas) -> None:
    actions.do_save_rule(personas.org, personas.admin, {"name": "Norwegian", "stop": False,
                                                        "conditions": when("language", "is", "nb"),
                                                        "actions": {"labels": ["norsk"], "priority": 2}})
    save(personas, "Complaints", when("intent", "is", "complaint"), team="customer-service", priority=4,
         labels=["complaint"])
    ticket = ingest_ticket(personas, 1, text="Fakturaen min er feil igjen, dette er helt uakseptabelt!")
    assert ticket.routed_by == "Norwegian" and ticket.team == personas.team and ticket.priority == 2
    assert list(ticket.events.filter(kind=EventKind.ROUTED).values_list("new", flat=True)) == ["Norwegian"]
    added = ticket.events.filter(kind=EventKind.LABEL_ADDED).values_list("new", flat=True)
    assert sorted(added) == ["complaint", "norsk"]


@pytest.mark.django_db
def test_a_ticket_no_rule_matches_keeps_no_team(personas: Personas) -> None:
    save(personas, "Invoices", when("keywords", "contains", ["faktura"]), team="customer-service")
    ticket = ingest_ticket(personas, 1, text="Takk for god hjelp!")
    assert ticket.team_id is None and ticket.routed_by == ""
    assert not ticket.events.filter(kind=EventKind.ROUTED).exists()


@pytest.mark.django_db
def test_keywords_read_the_masked_text_so_personal_data_never_matches(personas: Personas) -> None:
    save(personas, "Phone", when("keywords", "contains", ["912"]), labels=["phone"])
    ticket = ingest_ticket(personas, 1, text="Ring meg på 912 34 567, nettet er nede")
    assert ticket.routed_by == ""


@pytest.mark.django_db
def test_a_rule_assigns_a_named_agent_and_answers_automatically(personas: Personas) -> None:
    save(personas, "Kari's", when("intent", "is", "complaint"), assign="kari",
         auto_reply="Takk, vi ser på det innen en time.")
    sent = timezone.now() - timedelta(minutes=1)
    ticket = ingest_ticket(personas, 1, text="Nettet er nede igjen, helt uakseptabelt!", sent_at=sent.isoformat())
    assert ticket.assignee == personas.agent and ticket.assigned_at is not None
    assert (EventKind.ASSIGNEE, "assignee", "", "kari") in timeline(ticket)
    reply = Message.objects.get(ticket=ticket, direction=Direction.OUTBOUND)
    assert reply.automatic == "rule" and reply.text == "Takk, vi ser på det innen en time."
    assert ticket.events.filter(kind=EventKind.AUTO_REPLY, field="rule").exists()
    ticket.refresh_from_db()
    assert ticket.waiting_since is not None  # an automatic reply is not an answer


@pytest.mark.django_db
def test_old_imported_messages_get_no_automatic_reply(personas: Personas) -> None:
    save(personas, "Ack", [], auto_reply="We got it.")
    ticket = ingest_ticket(personas, 1, sent_at=(timezone.now() - timedelta(days=30)).isoformat())
    assert ticket.routed_by == "Ack"
    assert not Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND).exists()


@pytest.mark.django_db
def test_a_deactivated_named_agent_is_not_assigned(personas: Personas) -> None:
    save(personas, "Kari's", [], assign="kari")
    personas.agent.is_active = False
    personas.agent.save()
    ticket = ingest_ticket(personas, 1)
    assert ticket.routed_by == "Kari's" and ticket.assignee_id is None


@pytest.mark.django_db
def test_channel_and_customer_conditions_through_ingestion(personas: Personas) -> None:
    save(personas, "Known customers", [*when("customer.number", "is", "K-77"), *when("channel", "is", "api")],
         labels=["known"])
    first = ingest_ticket(personas, 1, conversation="c-1", author="u-9")
    assert first.routed_by == ""
    Customer.objects.filter(pk=first.customer_id).update(customer_number="K-77")
    second = ingest_ticket(personas, 2, conversation="c-2", author="u-9")
    assert second.routed_by == "Known customers"
    assert list(second.labels.values_list("name", flat=True)) == ["known"]


def route_batch(personas: Personas, n: int, prefix: str) -> int:
    """Store and triage ``n`` new conversations in one batch, route them, and return the routing step's queries."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from webcare.ingest.receive import receive
    from webcare.ingest.schema import MessageIn
    from webcare.ingest.store import ParsedItem, store
    from webcare.routing.route_step import RouteTickets
    from webcare.triage.steps import TriageMessages

    items = []
    for i in range(n):
        payload = inbound_payload(i, conversation=f"{prefix}-{i}", author=f"{prefix}-u{i}",
                                  text="Nettet er nede igjen!" if i % 2 else "Takk for hjelpen!")
        payload["message_id"] = f"{prefix}-m{i}"
        event, _ = receive(personas.channel, payload, external_id=payload["message_id"])
        items.append(ParsedItem(personas.channel, MessageIn.model_validate(event.payload), event))
    with transaction.atomic():
        batch = store(items)
        TriageMessages().run(batch)
        with CaptureQueriesContext(connection) as queries:
            RouteTickets().run(batch)
    return len(queries)


@pytest.mark.django_db
def test_one_batch_routes_many_tickets_set_based(personas: Personas) -> None:
    save(personas, "Complaints", when("intent", "is", "complaint"), team="customer-service", labels=["c"])
    few = route_batch(personas, 4, "few")
    many = route_batch(personas, 40, "many")
    assert many == few  # the same statements whatever the batch size
    routed = Ticket.objects.filter(organisation=personas.org, routed_by="Complaints")
    assert routed.count() == 22
    assert all(t.team_id == personas.team.pk for t in routed)
    assert Ticket.labels.through.objects.filter(ticket__in=routed).count() == 22


@pytest.mark.django_db
def test_the_default_rules_are_made_once(personas: Personas) -> None:
    assert ensure_default_rules(personas.org) == 4
    assert ensure_default_rules(personas.org) == 0
    assert RoutingRule.objects.filter(organisation=personas.org).count() == 4
    assert list(RoutingRule.objects.filter(organisation=personas.org).values_list("position", flat=True)) == [
        0, 1, 2, 3]
    sales = Team.objects.get(organisation=personas.org, slug="sales-marketing")
    assert sales.name == "Sales & marketing"
    assert Team.objects.filter(organisation=personas.org, slug="customer-service").count() == 1  # kept, not copied


@pytest.mark.django_db
def test_an_organisation_with_rules_gets_no_defaults(personas: Personas) -> None:
    save(personas, "Mine", [], labels=["x"])
    assert ensure_default_rules(personas.org) == 0
    assert not Team.objects.filter(organisation=personas.org, slug="sales-marketing").exists()


@pytest.mark.django_db
def test_the_default_rules_route_leads_complaints_and_spam(personas: Personas) -> None:
    ensure_default_rules(personas.org)
    lead = ingest_ticket(personas, 1, conversation="lead", text="Hei, jeg vil gjerne bytte til dere. Hva koster fiber?")
    assert lead.team.slug == "sales-marketing" and lead.routed_by == "Sales leads to sales"
    complaint = ingest_ticket(personas, 2, conversation="complaint",
                              text="Fakturaen min er feil igjen, dette er helt uakseptabelt!")
    assert complaint.team == personas.team
    assert complaint.routed_by == "Questions and complaints to customer service"

    spam = ingest_ticket(personas, 3, conversation="spam", text="Earn $500 a day from home, check my bio!")
    assert spam.status == Status.SOLVED and spam.no_reply_needed_at is not None and spam.waiting_since is None
    assert spam.assignee_id is None and spam.routed_by == "Spam"
    assert {EventKind.NO_REPLY, EventKind.STATUS} <= set(spam.events.values_list("kind", flat=True))
    in_view = Ticket.objects.filter(organisation=personas.org).filter(view_filter("spam", personas.admin))
    assert list(in_view) == [spam]
    words = ingest_ticket(personas, 4, conversation="words", text="VIAGRA cheap")
    assert words.routed_by == "Spam words" and words.status == Status.SOLVED


@pytest.mark.django_db
def test_personal_data_in_public_stays_urgent_through_ingestion(personas: Personas) -> None:
    save(personas, "Calm", [], priority=4)
    ticket = ingest_ticket(personas, 1, conversation_kind="public",
                           text="Ring meg på 912 34 567, internett virker ikke")
    assert ticket.public_pii and ticket.priority == 1 and ticket.routed_by == "Calm"
    calm = ingest_ticket(personas, 2, conversation="c-2", text="Internett virker ikke")
    assert calm.priority == 4


@pytest.mark.django_db
def test_a_rule_for_a_deleted_team_still_routes_the_rest(personas: Personas) -> None:
    team = Team.objects.create(organisation=personas.org, slug="gone", name="Gone")
    save(personas, "To gone", [], team="gone", labels=["x"])
    team.delete()
    ticket = ingest_ticket(personas, 1)
    assert ticket.team_id is None and ticket.routed_by == "To gone"
    assert list(ticket.labels.values_list("name", flat=True)) == ["x"]


@pytest.mark.django_db
def test_a_stored_rule_that_no_longer_checks_out_is_skipped(personas: Personas) -> None:
    RoutingRule.objects.create(organisation=personas.org, name="Broken", position=0,
                               conditions=when("intent", "is", "retired-intent"), actions={"labels": ["b"]})
    save(personas, "Fine", [], labels=["fine"])
    ticket = ingest_ticket(personas, 1)
    assert ticket.routed_by == "Fine"


@pytest.mark.django_db
def test_other_organisations_rules_do_not_apply(personas: Personas) -> None:
    actions.do_save_rule(personas.other_org, personas.outsider,
                         {"name": "Theirs", "conditions": [], "actions": {"labels": ["theirs"]}})
    ticket = ingest_ticket(personas, 1)
    assert ticket.routed_by == "" and not ticket.labels.exists()


@pytest.mark.django_db
def test_a_frozen_clock_routes_the_same(personas: Personas) -> None:
    save(personas, "Ack", [], auto_reply="Hei!")
    with time_machine.travel("2026-11-20T10:05:00+00:00", tick=False):
        ticket = ingest_ticket(personas, 1)  # sent 10:01 that day: recent, so answered
    assert Message.objects.filter(ticket=ticket, automatic="rule").count() == 1
    assert ticket.events.get(kind=EventKind.ROUTED).at.isoformat().startswith("2026-11-20T10:05")
