"""The inbox scale benchmark's seed (benchmarks/inbox_scale.py) at a tiny size: it makes the rows it promises, they
hang together, and the inbox serves them — so the benchmark can't rot between the runs that use a million rows.

PostgreSQL only: the seed is set-based PostgreSQL SQL (generate_series, hashint8), like the benchmark it serves.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F

from benchmarks.inbox_scale import Seeded, Sizes, seed
from tests.conftest import client_for
from webcare.conversations.models import Conversation, Message
from webcare.customers.models import Customer, Identity
from webcare.tickets.models import Status, Ticket

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

SIZES = Sizes(conversations=600, open_tickets=200, customers=240, agents=6, teams=3, big_thread=40)


@pytest.fixture
def seeded() -> Seeded:
    if connection.vendor != "postgresql":
        pytest.skip("the scale seed is PostgreSQL SQL (generate_series, hashint8); the benchmark runs on PostgreSQL")
    return seed(SIZES)


def test_it_seeds_the_rows_it_promises(seeded: Seeded) -> None:
    assert (seeded.conversations, seeded.tickets, seeded.open_tickets) == (600, 600, 200)
    assert (seeded.customers, seeded.identities) == (240, 240 + 240 // 5)
    assert (seeded.agents, seeded.teams) == (6, 3)
    assert seeded.big_ticket_messages == 40
    assert 600 + 40 <= seeded.messages <= 600 * 4 + 40
    assert 0.15 < seeded.unassigned_share < 0.45
    assert 0 < seeded.labelled_tickets < 600
    statuses = set(Ticket.objects.filter(organisation_id=seeded.organisation_id).values_list("status", flat=True))
    assert statuses == set(Status.values)


def test_it_makes_rows_that_hang_together(seeded: Seeded) -> None:
    """Foreign keys are not checked while seeding (for speed), so check what they would have."""
    org = seeded.organisation_id
    tickets = Ticket.objects.filter(organisation_id=org)
    assert not tickets.exclude(customer_id__in=Customer.objects.values("pk")).exists()
    assert not tickets.exclude(conversation__customer_id=F("customer_id")).exists()
    messages = Message.objects.filter(organisation_id=org)
    assert not messages.exclude(ticket__conversation_id=F("conversation_id")).exists()
    assert not messages.exclude(channel_id=F("conversation__channel_id")).exists()
    inbound = messages.filter(direction="inbound")
    assert not inbound.exclude(author_identity__customer_id=F("conversation__customer_id")).exists()
    assert not messages.filter(direction="outbound", author_agent__isnull=True).exists()
    assert Identity.objects.filter(organisation_id=org).values("customer").distinct().count() == 240
    # Waiting since: set exactly for the tickets whose customer waits (new and open).
    assert not tickets.filter(status__in=[Status.NEW, Status.OPEN], waiting_since__isnull=True).exists()
    assert not tickets.exclude(status__in=[Status.NEW, Status.OPEN]).filter(waiting_since__isnull=False).exists()
    # Nothing lands on the API channel that the live test writes to.
    assert not Conversation.objects.filter(organisation_id=org, channel__slug="api").exists()


def test_it_leaves_the_indexes_and_id_sequences_ready_for_new_rows(seeded: Seeded) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'")
        indexes = {name for (name,) in cursor.fetchall()}
    assert {"ticket_open_queue", "ticket_unassigned_queue", "ticket_one_active_per_conversation"} <= indexes
    newest = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0]
    extra = Customer.objects.create(organisation_id=seeded.organisation_id, name="After the seed")
    assert extra.pk > Customer.objects.exclude(pk=extra.pk).order_by("-pk").values_list("pk", flat=True)[0]
    assert newest == seeded.big_ticket_id


def test_it_serves_the_inbox_on_the_seeded_rows(seeded: Seeded) -> None:
    agent = get_user_model().objects.get(username=seeded.agent_username)
    client = client_for(agent)
    mine = client.get("/inbox/list/?view=mine").content.decode()
    assigned = Ticket.objects.filter(assignee=agent).exclude(status__in=[Status.SOLVED, Status.CLOSED])
    assert assigned.exists()
    assert all(f'data-ticket="{pk}"' in mine for pk in assigned.values_list("pk", flat=True))
    pane = client.get(f"/inbox/tickets/{seeded.big_ticket_id}/", headers={"HX-Request": "true"})
    assert pane.status_code == 200
    html = pane.content.decode()
    assert html.count('class="msg inbound') + html.count('class="msg outbound') == 40
