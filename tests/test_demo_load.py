"""The demo loads through the real ingestion path and looks like a working desk."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from webcare.conversations.models import Conversation, Message
from webcare.customers.models import Customer, CustomerHistory, Identity
from webcare.demo.loader import load_demo
from webcare.demo.scenario import build_scenario
from webcare.tickets.models import Status, Ticket

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo(db: None) -> None:
    load_demo(NOW)


@pytest.mark.usefixtures("demo")
def test_it_loads_every_conversation_and_message_of_the_scenario() -> None:
    scenario = build_scenario(NOW)
    conversations = {(m["channel"], m["conversation_id"]) for m in scenario.messages}
    assert Conversation.objects.count() == len(conversations) >= 300
    assert Message.objects.count() == len(scenario.messages)
    kinds = Counter(Conversation.objects.values_list("channel__kind", flat=True))
    assert len(kinds) >= 6
    assert Message.objects.filter(direction="outbound", author_agent__isnull=True).count() == 0


@pytest.mark.usefixtures("demo")
def test_it_gives_each_ticket_the_scenario_state() -> None:
    scenario = build_scenario(NOW)
    wanted = Counter(t["status"] for t in scenario.tickets)
    got = Counter(Ticket.objects.values_list("status", flat=True))
    assert got == wanted
    new = Ticket.objects.filter(status=Status.NEW)
    assert new.exists()
    assert all(t.waiting_since is not None for t in new)
    assert Ticket.objects.filter(labels__name="personal-data", priority=1).exists()


@pytest.mark.usefixtures("demo")
def test_it_links_one_person_across_channels() -> None:
    merged = Customer.objects.filter(merged_into__isnull=False)
    assert merged.count() >= 3
    assert CustomerHistory.objects.filter(kind="merge").count() == merged.count()
    survivor = merged.first().merged_into
    platforms = set(Identity.objects.filter(customer=survivor).values_list("platform", flat=True))
    assert len(platforms) >= 2


def test_it_loads_once(db: None) -> None:
    first = load_demo(NOW)
    second = load_demo(NOW)
    assert not first.already_loaded
    assert second.already_loaded
    assert Message.objects.count() == len(build_scenario(NOW).messages)


@pytest.mark.usefixtures("demo")
def test_it_shares_saved_searches_that_find_the_outage() -> None:
    from django.contrib.auth import get_user_model

    from webcare.inbox import saved_searches
    from webcare.inbox.models import SavedSearch

    outage = SavedSearch.objects.get(name="Outage Bergen")
    assert outage.shared
    kari = get_user_model().objects.get(username="kari")
    names = {s.name for s in saved_searches.visible(outage.organisation, kari)}
    assert {"Outage Bergen", "Urgent, nobody on it", "Billing on social"} <= names
    assert saved_searches.tickets(outage.organisation, outage.query, kari).count() == Ticket.objects.filter(
        labels__name="outage-bergen").count() > 0


@pytest.mark.usefixtures("demo")
def test_it_loads_the_faq_the_web_chat_suggests_from_and_marks_its_channels_as_demo() -> None:
    from webcare.core.models import Channel
    from webcare.knowledge.models import Article

    assert Article.objects.filter(organisation__slug="fjordnett", language="nb").count() >= 10
    assert all(channel.settings.get("simulate") for channel in Channel.objects.exclude(kind="api"))
