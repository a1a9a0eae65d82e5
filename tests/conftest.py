"""Shared fixtures: an organisation with an API channel, and personas for permission checks.

Personas (after healthchecks): ``admin``, ``supervisor``, ``agent``, ``analyst`` of the organisation ``fjord``, and an
``outsider`` who is an admin of another organisation. ``api`` is a Django test client that sends a valid API token of
``fjord``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from webcare.core.models import Agent, ApiToken, Channel, Organisation, Role, Team

# The browser fixtures (chromium, browser) for every test module.
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Production hashing (PBKDF2, ~0.3 s a password) would cost seconds per test for the five personas."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Personas:
    org: Organisation
    other_org: Organisation
    channel: Channel
    team: Team
    admin: Any
    supervisor: Any
    agent: Any
    analyst: Any
    outsider: Any


def make_user(username: str, org: Organisation, role: str, first_name: str = "") -> Any:
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", first_name=first_name or username.title(),
        email=f"{username}@example.test",
    )
    Agent.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def personas(db: None) -> Personas:
    org = Organisation.objects.create(slug="fjord", name="Fjordnett", languages=["nb", "en"])
    other = Organisation.objects.create(slug="other", name="Other brand")
    channel = Channel.objects.create(organisation=org, kind="api", slug="api", name="API")
    team = Team.objects.create(organisation=org, slug="customer-service", name="Customer service")
    people = Personas(
        org=org, other_org=other, channel=channel, team=team,
        admin=make_user("ada", org, Role.ADMIN, "Ada"),
        supervisor=make_user("sunniva", org, Role.SUPERVISOR, "Sunniva"),
        agent=make_user("kari", org, Role.AGENT, "Kari"),
        analyst=make_user("anders", org, Role.ANALYST, "Anders"),
        outsider=make_user("olga", other, Role.ADMIN, "Olga"),
    )
    team.members.add(Agent.objects.get(user=people.agent), Agent.objects.get(user=people.supervisor))
    return people


@pytest.fixture
def org(personas: Personas) -> Organisation:
    return personas.org


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return personas.channel


class ApiClient(Client):
    """A test client that sends ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, token: str) -> None:
        super().__init__(headers={"Authorization": f"Bearer {token}"})

    def post_json(self, path: str, data: Any) -> Any:
        return self.post(path, data=data, content_type="application/json")

    def patch_json(self, path: str, data: Any) -> Any:
        return self.patch(path, data=data, content_type="application/json")


@pytest.fixture
def api(personas: Personas) -> ApiClient:
    _, plain = ApiToken.issue(personas.org, "tests")
    return ApiClient(plain)


def inbound_payload(n: int = 1, conversation: str = "c-1", author: str = "u-1", **overrides: Any) -> dict[str, Any]:
    """A valid message in webcare's own format, varied by ``n``."""
    payload: dict[str, Any] = {
        "message_id": f"m-{n}",
        "conversation_id": conversation,
        "conversation_kind": "private",
        "author": {"id": author, "handle": f"@{author}", "name": "Kari Nordmann"},
        "text": f"Hei, fakturaen min er feil ({n})",
        "sent_at": f"2026-11-20T10:{n % 60:02d}:00+00:00",
    }
    payload.update(overrides)
    return payload


def ingest_ticket(personas: Personas, n: int, **overrides: Any) -> Any:
    """Deliver one message through the real ingestion path and return the ticket it opened or touched."""
    from webcare.ingest.receive import receive
    from webcare.ingest.worker import drain
    from webcare.tickets.models import Ticket

    payload = inbound_payload(n, **overrides)
    receive(personas.channel, payload, external_id=payload["message_id"])
    drain()
    return Ticket.objects.get(conversation__external_id=payload["conversation_id"])


def client_for(user: Any) -> Client:
    """A test client signed in as ``user``, its session marked as past the second sign-in step (as the code step
    does; admins must otherwise enrol first — tests/test_two_factor.py tests that)."""
    client = Client()
    client.force_login(user)
    mark_second_step_passed(client)
    return client


def mark_second_step_passed(client: Client) -> None:
    from webcare.security.session import mark_verified

    session = client.session
    mark_verified(session)
    session.save()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Each test starts with full rate-limit buckets (they live in the process, webcare/security/ratelimit.py)."""
    from webcare.security.ratelimit import reset

    reset()


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server", "django_db_setup"}


def uses_database(item: pytest.Item) -> bool:
    """Whether a test touches a database: pytest-django refuses database access to a test that neither carries the
    ``django_db`` mark nor asks (directly or through its fixtures) for one of the database fixtures."""
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Let every database test use the keyring database too (webcare/keys): encrypting a message reads its key.

    pytest-django allows only ``default`` unless a test's ``django_db`` mark names more; rather than mark 2,000
    tests, the closest mark of each database test gets ``databases="__all__"`` with its other arguments kept.

    With ``WEBCARE_TEST_DATABASE_ONLY=1`` (scripts/test.sh sets it for its PostgreSQL run, beside the full SQLite run)
    only the tests that touch a database are kept: the pure ones (triage, clocks, routing, the detectors, model
    training) cannot behave differently on another database, and running them twice cost CI minutes it does not have.
    """
    for item in items:
        if not uses_database(item):
            continue
        mark = item.get_closest_marker("django_db")
        kwargs = dict(mark.kwargs) if mark is not None else {}
        args = mark.args if mark is not None else ()
        if kwargs.get("databases") is None:
            kwargs["databases"] = "__all__"
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)
    if os.environ.get("WEBCARE_TEST_DATABASE_ONLY") == "1":
        pure = [item for item in items if not uses_database(item)]
        if pure:
            config.hook.pytest_deselected(items=pure)
            items[:] = [item for item in items if uses_database(item)]
