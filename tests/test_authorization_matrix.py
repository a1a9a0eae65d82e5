"""The authorization matrix: every route of the URL configuration × every role → the outcome its rule expects.

Routes come from ``django.urls.get_resolver()`` walked recursively (the ninja API's operations are routes there too,
named after their operation ids, and are checked against the OpenAPI schema), so a new page or endpoint without a
line in tests/authorization_rules.py fails here, naming it. Each role's request runs in a savepoint that is rolled
back, so what one role's POST changes never decides another role's answer. Unsafe methods are sent with a valid CSRF
token (and an empty body): the question is who gets past the permission checks, not whether the input is good.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from tests.authorization_rules import NAMESPACE_RULES, PARAMS, ROLES, RULES, Rule
from tests.conftest import Personas, ingest_ticket, make_user, mark_second_step_passed
from webcare.api.api import api as ninja_api
from webcare.channels.attachments import store_attachment
from webcare.conversations.models import Message
from webcare.core.models import Agent, ApiToken, Channel, Role, Team
from webcare.customers.models import Customer, Identity
from webcare.gdpr.models import SubjectRequest
from webcare.hours.models import AutoReplyTemplate, OpeningHours, SpecialDay
from webcare.inbox.models import SavedSearch
from webcare.incidents.models import Incident
from webcare.ingest.models import InboundEvent
from webcare.knowledge.models import Article
from webcare.notify.models import Notification
from webcare.replies.models import CannedResponse
from webcare.retention.models import RetentionPolicy
from webcare.routing.models import RoutingRule
from webcare.sla.models import SlaPolicy
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

CSRF = get_random_string(32)


@dataclass(frozen=True)
class Route:
    key: str  # what the rules call it: "namespace:name", or "path:<pattern>" for an unnamed one
    namespace: str
    name: str | None
    pattern: str
    params: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                entry.namespace or namespace)
            yield from _walk(entry, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            full = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            names = tuple(entry.pattern.regex.groupindex)
            yield Route(full or f"path:{pattern}", namespace, full, pattern, names)


def routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        seen.setdefault(route.key, route)  # ninja names one route per operation; a path may repeat per method
    return list(seen.values())


def rule_for(route: Route) -> Rule | None:
    return RULES.get(route.key) or NAMESPACE_RULES.get(route.namespace.split(":")[0] if route.namespace else "")


# -- the world: one object of each kind ------------------------------------------------------------------------------

def build_world(personas: Personas) -> dict[str, Any]:
    """Fjordnett with kari's team and another team (per), one ticket of kari's team with a customer, messages in and
    out, and one of everything a URL can name; tokens of both organisations."""
    org = personas.org
    sales = Team.objects.create(organisation=org, slug="sales", name="Sales")
    per = make_user("per", org, Role.AGENT, "Per")
    sales.members.add(Agent.objects.get(user=per))
    ticket = ingest_ticket(personas, 1, text="Hei, ring meg på 412 34 567")
    Ticket.objects.filter(pk=ticket.pk).update(team=personas.team)
    inbound = Message.objects.get(ticket=ticket, direction="inbound")
    inbound.redacted_text = "Hei, ring meg på [PHONE]"
    inbound.save()
    outbound = do_reply(Ticket.objects.get(pk=ticket.pk), personas.agent, "Vi ringer.")
    Message.objects.filter(pk=outbound.pk).update(delivery_status="failed")
    other_customer = Customer.objects.create(organisation=org, name="Ola")
    other_ticket = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    webchat = Channel.objects.create(organisation=org, kind="webchat", slug="chat", name="Chat")
    hours = OpeningHours.objects.create(organisation=org, name="Default")
    special = SpecialDay.objects.create(hours=hours, date=timezone.localdate())
    attachment = store_attachment(org.pk, "note.txt", "text/plain", b"hello")
    _, token = ApiToken.issue(org, "matrix")
    _, other_token = ApiToken.issue(personas.other_org, "matrix")
    return {
        "personas": personas, "per": per, "token": token, "other_token": other_token,
        "article": Article.objects.create(organisation=org, slug="puk", language="nb", question="PUK?",
                                          answer="Min side.").pk,
        "incident": Incident.objects.create(organisation=org, title="Brudd i Bergen", started_at=timezone.now()).pk,
        "ticket": ticket.pk, "inbound_message": inbound.pk, "outbound_message": outbound.pk,
        "customer": ticket.customer_id, "other_customer": other_customer.pk, "conversation": ticket.conversation_id,
        "channel": personas.channel.pk, "channel_kind": "telegram", "webchat_key": webchat.webhook_key,
        "event": InboundEvent.objects.filter(organisation=org).values_list("pk", flat=True).first(),
        "saved_search": SavedSearch.objects.create(organisation=org, owner=personas.agent, name="Mine",
                                                   query="status:open").pk,
        "notification": Notification.objects.create(organisation=org, recipient=personas.agent, kind="sla_warning",
                                                    title="SLA", ticket=ticket).pk,
        "canned": CannedResponse.objects.create(organisation=org, title="Hei", body="Hei {customer_first_name}").pk,
        "hours": hours.pk, "special_day": special.pk,
        "reply_template": AutoReplyTemplate.objects.create(organisation=org, kind="away", language="nb",
                                                           text="Vi er tilbake {back_at}.").pk,
        "policy": SlaPolicy.objects.create(organisation=org, name="Standard").pk,
        "team": personas.team.pk, "routing_rule": RoutingRule.objects.create(organisation=org, name="Spam").pk,
        "other_agent_row": Agent.objects.get(user=per).pk, "organisation": org.pk,
        "attachment_digest": attachment["url"].split("/")[3], "attachment_name": attachment["url"].split("/")[4],
        "purpose_key": "call_back", "admin_app_label": "auth", "admin_object_id": "1",
        "other_ticket": other_ticket.pk, "identity": Identity.objects.filter(customer_id=ticket.customer_id).first().pk,
        "webchat_channel": webchat.pk, "per_user": per.pk, "nowhere": "nowhere",
        "retention_policy": RetentionPolicy.objects.create(organisation=org, data_kind="bodies", days=180).pk,
        "subject_request": SubjectRequest.objects.create(organisation=org, kind="export").pk,
    }


def with_clients(world: dict[str, Any]) -> dict[str, Any]:
    """One client per role, signed in once (each request then runs in a savepoint that is rolled back, so a
    sign-out or a deleted session does not outlive the request)."""
    world["clients"] = {role: client_as(role, world) for role in ROLES}
    for client in world["clients"].values():
        client.raise_request_exception = False
    return world


def url_for(route: Route, rule: Rule, world: dict[str, Any]) -> str:
    kwargs = {}
    for param in route.params:
        source = rule.params.get(param) or PARAMS.get(param)
        assert source is not None and source in world, (
            f"{route.key}: no world object for the URL parameter {param!r}; add one to PARAMS in "
            f"tests/authorization_rules.py (and to build_world) or name one in the rule's params")
        kwargs[param] = str(world[source])
    if route.name:
        path = reverse(route.name, kwargs=kwargs)
    else:
        path = "/" + re.sub(r"\^|\$|\(\?P<\w+>[^)]*\)", "", route.pattern).replace("<", "").replace(">", "")
        path = path.rstrip(".*") or "/"
    return f"{path}?{rule.query}" if rule.query else path


# -- the requests ----------------------------------------------------------------------------------------------------

def client_as(role: str, world: dict[str, Any]) -> Client:
    personas: Personas = world["personas"]
    headers = {"HX-Request": "true", "X-CSRFToken": CSRF}
    if role in ("token", "other_token"):
        headers["Authorization"] = f"Bearer {world[role]}"
    client = Client(enforce_csrf_checks=True, headers=headers)
    client.cookies["csrftoken"] = CSRF
    users = {"agent": personas.agent, "other_agent": world["per"], "supervisor": personas.supervisor,
             "admin": personas.admin, "analyst": personas.analyst, "outsider": personas.outsider}
    if role in users:
        client.force_login(users[role])
        mark_second_step_passed(client)  # admins have two-step sign-in: the session has passed it
    return client


def outcome(response: Any) -> str:
    status = response.status_code
    if response.get("HX-Redirect"):  # a redirect told to htmx (the pages' own requests carry HX-Request)
        return "L" if "/login/" in response["HX-Redirect"] else "O"
    if status in (301, 302, 303, 307, 308):
        return "L" if "/login/" in response.get("Location", "") else "O"
    if status >= 500:
        return "E"
    return {401: "1", 403: "3", 404: "4", 405: "5"}.get(status, "O")


def observe(route: Route, rule: Rule, method: str, world: dict[str, Any]) -> tuple[str, ...]:
    url = url_for(route, rule, world)
    seen = []
    for role in ROLES:
        with transaction.atomic():
            client = world["clients"][role]
            body = request_body(route, rule, world)
            kwargs: dict[str, Any] = {"content_type": "application/json"} if isinstance(body, str) else {}
            response = getattr(client, method.lower())(url, body, **kwargs) if method != "GET" else client.get(url)
            seen.append(outcome(response))
            transaction.set_rollback(True)
    return tuple(seen)


def request_body(route: Route, rule: Rule, world: dict[str, Any]) -> str | dict[str, str]:
    """The rule's body with its ``{object}`` placeholders filled in: JSON for the API, a form otherwise."""
    values = {name: value.format(**world) for name, value in rule.body.items()}
    if route.key.startswith("api:"):
        return json.dumps({name: _json_value(value) for name, value in values.items()})
    return values


def _json_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def matches(expected: tuple[str, ...], seen: tuple[str, ...]) -> bool:
    return all(s != "E" if e == "*" else s == e for e, s in zip(expected, seen, strict=True))


def describe(seen: tuple[str, ...]) -> str:
    return " ".join(seen)


ALL_ROUTES = routes()
#: Routes with a rule of their own are one test each; the routes of a namespace ruled as a whole (the Django admin)
#: are checked together in one test, with one world.
OWN = [route for route in ALL_ROUTES if route.key in RULES or not rule_for(route)]
GROUPED: dict[str, list[Route]] = {}
for _route in ALL_ROUTES:
    if _route not in OWN:
        GROUPED.setdefault(_route.namespace.split(":")[0], []).append(_route)


def check(route: Route, world: dict[str, Any]) -> list[str]:
    """What is wrong with one route (empty: nothing)."""
    rule = rule_for(route)
    if rule is None:
        observed = {method: describe(observe(route, Rule({}), method, world)) for method in ("GET", "POST")}
        return [f"no authorization rule for the route {route.key!r} ({route.pattern}): add a line to "
                f"tests/authorization_rules.py. Observed now (roles: {' · '.join(ROLES)}; check before "
                f"copying): GET {observed['GET']!r}, POST {observed['POST']!r}"]
    failures = []
    for method, expected in rule.expect.items():
        seen = observe(route, rule, method, world)
        if not matches(expected, seen):
            failures.append(f"{route.key}: {method} {url_for(route, rule, world)}: expected {describe(expected)!r}, "
                            f"got {describe(seen)!r} (roles: {' · '.join(ROLES)})")
    return failures


@pytest.mark.parametrize("route", OWN, ids=[route.key for route in OWN])
def test_every_route_answers_each_role_as_its_rule_says(personas: Personas, route: Route) -> None:
    failures = check(route, with_clients(build_world(personas)))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("namespace", sorted(GROUPED))
def test_every_route_of_a_namespace_ruled_as_a_whole_answers_as_its_rule_says(personas: Personas,
                                                                            namespace: str) -> None:
    world = with_clients(build_world(personas))
    failures = [failure for route in GROUPED[namespace] for failure in check(route, world)]
    assert not failures, "\n".join(failures)


def test_every_api_operation_is_a_route_with_a_rule_for_its_method() -> None:
    schema = ninja_api.get_openapi_schema()
    operations = {(op["operationId"], method.upper())
                  for path in schema["paths"].values() for method, op in path.items()}
    assert operations, "the OpenAPI schema lists no operations"
    names = {route.key for route in ALL_ROUTES}
    problems = []
    for operation_id, method in sorted(operations):
        key = f"api:{operation_id}"
        if key not in names:
            problems.append(f"{key} is in the schema but not a route")
        rule = RULES.get(key)
        if rule is None or method not in rule.expect:
            problems.append(f"{key}: no rule for {method}")
    documented = {f"api:{operation_id}" for operation_id, _ in operations}
    stale = [key for key in RULES if key.startswith("api:") and key not in documented and key not in names]
    problems += [f"{key}: a rule for an operation that does not exist" for key in stale]
    assert not problems, problems


def test_no_rule_names_a_route_that_does_not_exist() -> None:
    names = {route.key for route in ALL_ROUTES}
    assert sorted(set(RULES) - names) == []
