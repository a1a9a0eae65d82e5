"""Helpers shared by the search tests: a fresh index per test (tantivy in a temporary directory, or PostgreSQL's
full-text tables), and messages written straight into the database with the triage values a test needs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.db import connection

from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.live import publish
from webcare.search import engine
from webcare.tickets.models import Ticket

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_serial = count(1)


@pytest.fixture(params=["tantivy", "postgres"])
def search_backend(request: Any, settings: Any, tmp_path: Any, db: None) -> Iterator[str]:
    """Each backend with an empty index of its own; PostgreSQL's only where the database is PostgreSQL."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs PostgreSQL")
    settings.WEBCARE_SEARCH_BACKEND = request.param
    settings.WEBCARE_SEARCH_DIR = str(tmp_path / "index")
    engine.reset()
    yield request.param
    engine.reset()


@pytest.fixture
def tantivy_index(settings: Any, tmp_path: Any, db: None) -> Iterator[str]:
    settings.WEBCARE_SEARCH_BACKEND = "tantivy"
    settings.WEBCARE_SEARCH_DIR = str(tmp_path / "index")
    engine.reset()
    yield settings.WEBCARE_SEARCH_DIR
    engine.reset()


def channel_of(org: Any, kind: str) -> Channel:
    channel, _ = Channel.objects.get_or_create(organisation=org, slug=f"search-{kind}",
                                               defaults={"kind": kind, "name": kind})
    return channel


def make_message(org: Any, text: str, *, language: str = "nb", kind: str = "api", status: str = "open",
                 team: Any = None, assignee: Any = None, sentiment: str = "", intents: tuple[str, ...] = (),
                 sent_at: datetime | None = None, customer: Customer | None = None, name: str = "Kari Nordmann",
                 handle: str = "@kari", ticket: Ticket | None = None, original: str | None = None) -> Message:
    """One inbound message on its own ticket (or on ``ticket``), as triage would have left it; the ticket change is
    published in the change log as the real writers do. ``original``: the unmasked text (``Message.text``)."""
    n = next(_serial)
    channel = channel_of(org, kind)
    if ticket is None:
        if customer is None:
            customer = Customer.objects.create(organisation=org, name=name)
            Identity.objects.create(organisation=org, customer=customer, platform=kind, external_id=f"u{n}",
                                    handle=handle, display_name=name)
        conversation = Conversation.objects.create(organisation=org, channel=channel, external_id=f"c{n}",
                                                   kind="private", customer=customer)
        ticket = Ticket.objects.create(organisation=org, conversation=conversation, customer=customer, status=status,
                                       team=team, assignee=assignee)
    message = Message.objects.create(
        organisation=org, channel=ticket.conversation.channel, conversation=ticket.conversation, ticket=ticket,
        external_id=f"m{n}", direction="inbound", is_public=False, text=original if original is not None else text,
        redacted_text=text, sent_at=sent_at or NOW - timedelta(minutes=n), language=language,
        sentiment_label=sentiment, intents=list(intents))
    publish.tickets_changed(org.pk, [ticket.pk])
    return message
