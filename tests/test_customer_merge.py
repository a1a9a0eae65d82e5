"""Merging and splitting customers (``webcare.customers.merge``): what moves, what is recorded, what is refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests.conftest import Personas, inbound_payload
from webcare.conversations.models import Conversation
from webcare.core.models import Channel
from webcare.customers.merge import do_merge, do_split
from webcare.customers.models import Customer, CustomerHistory, Identity
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket, TicketEvent


def ingest(channel: Channel, *payloads: dict[str, Any]) -> None:
    for payload in payloads:
        receive(channel, payload, external_id=payload["message_id"])
    drain()


def customer_of(author: str, platform: str = "api") -> Customer:
    return Identity.objects.get(external_id=author, platform=platform).customer


@pytest.fixture
def two_customers(personas: Personas) -> tuple[Customer, Customer]:
    """Kari wrote in two threads as u-1; "K. Nordmann" (u-2) wrote in one."""
    other = inbound_payload(3, conversation="c-3", author="u-2")
    other["author"]["name"] = "K. Nordmann"
    ingest(personas.channel,
           inbound_payload(1, conversation="c-1", author="u-1"),
           inbound_payload(2, conversation="c-2", author="u-1"),
           other)
    return customer_of("u-1"), customer_of("u-2")


def test_it_moves_identities_conversations_and_tickets_and_records_the_merge(
        personas: Personas, two_customers: tuple[Customer, Customer]) -> None:
    target, source = two_customers
    source_identity = Identity.objects.get(customer=source)
    source_conversations = list(Conversation.objects.filter(customer=source).values_list("pk", flat=True))
    history = do_merge(target, source, personas.agent)

    assert Identity.objects.filter(customer=target).count() == 2
    assert Conversation.objects.filter(customer=target).count() == 3
    assert Ticket.objects.filter(customer=target).count() == 3
    assert not Identity.objects.filter(customer=source).exists()
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert (history.kind, history.customer_id, history.other_id, history.actor_id) == (
        "merge", target.pk, source.pk, personas.agent.pk)
    assert history.identity_ids == [source_identity.pk]
    assert history.conversation_ids == source_conversations
    moved_ticket = Ticket.objects.get(conversation_id=source_conversations[0])
    assert list(TicketEvent.objects.filter(ticket=moved_ticket, kind="customer_merged").values_list(
        "field", "old", "new")) == [("customer", str(source.pk), str(target.pk))]


def test_it_fills_the_targets_empty_name_and_number_from_the_source(personas: Personas) -> None:
    target = Customer.objects.create(organisation=personas.org, name="")
    source = Customer.objects.create(organisation=personas.org, name="Kari", customer_number="10042", notes="VIP")
    do_merge(target, source, None)
    target.refresh_from_db()
    assert (target.name, target.customer_number, target.notes) == ("Kari", "10042", "VIP")
    named = Customer.objects.create(organisation=personas.org, name="Kari Nordmann", customer_number="1")
    other = Customer.objects.create(organisation=personas.org, name="kari", customer_number="2")
    do_merge(named, other, None)
    named.refresh_from_db()
    assert (named.name, named.customer_number) == ("Kari Nordmann", "1")


def test_it_re_points_customers_merged_earlier_into_the_source(personas: Personas) -> None:
    first, middle, last = (Customer.objects.create(organisation=personas.org, name=n) for n in "abc")
    do_merge(middle, first, None)
    do_merge(last, middle, None)
    first.refresh_from_db()
    assert first.merged_into_id == last.pk


@pytest.mark.parametrize("case", ["itself", "other organisation", "merged source", "merged target"])
def test_it_refuses_merges_that_make_no_sense(personas: Personas, case: str) -> None:
    a = Customer.objects.create(organisation=personas.org, name="a")
    b = Customer.objects.create(organisation=personas.org, name="b")
    c = Customer.objects.create(organisation=personas.org, name="c")
    foreign = Customer.objects.create(organisation=personas.other_org, name="x")
    pairs = {"itself": (a, a), "other organisation": (a, foreign)}
    if case in ("merged source", "merged target"):
        do_merge(c, b, None)
        pairs = {"merged source": (a, b), "merged target": (b, a)}
    target, source = pairs[case]
    with pytest.raises(ActionError):
        do_merge(target, source, None)
    assert CustomerHistory.objects.count() == (1 if case.startswith("merged") else 0)


def test_it_splits_off_identities_with_the_conversations_they_started(
        personas: Personas, two_customers: tuple[Customer, Customer]) -> None:
    target, source = two_customers
    do_merge(target, source, None)
    wrong = Identity.objects.get(external_id="u-2")
    # u-1 later also wrote in u-2's thread: the thread still belongs with whoever started it.
    ingest(personas.channel, inbound_payload(4, conversation="c-3", author="u-1"))
    new, history = do_split(target, [wrong.pk], personas.supervisor)

    assert new.name == "K. Nordmann"
    assert new.organisation_id == personas.org.pk
    assert list(Identity.objects.filter(customer=new).values_list("pk", flat=True)) == [wrong.pk]
    c3 = Conversation.objects.get(external_id="c-3")
    assert c3.customer_id == new.pk
    assert Ticket.objects.get(conversation=c3).customer_id == new.pk
    assert Conversation.objects.filter(customer=target).count() == 2
    assert (history.kind, history.customer_id, history.other_id) == ("split", new.pk, target.pk)
    assert (history.identity_ids, history.conversation_ids, history.actor_id) == (
        [wrong.pk], [c3.pk], personas.supervisor.pk)


def test_it_refuses_splitting_off_all_none_or_someone_elses_identities(
        personas: Personas, two_customers: tuple[Customer, Customer]) -> None:
    first, second = two_customers
    own = Identity.objects.get(customer=first)
    with pytest.raises(ActionError, match="all of"):
        do_split(first, [own.pk], None)
    with pytest.raises(ActionError, match="at least one"):
        do_split(first, [], None)
    do_merge(first, second, None)
    with pytest.raises(ActionError, match="not identities of this customer: 999999"):
        do_split(first, [own.pk, 999999], None)
    with pytest.raises(ActionError, match="merged"):
        do_split(second, [own.pk], None)
    assert Customer.objects.count() == 2
    assert not CustomerHistory.objects.filter(kind="split").exists()


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_concurrent_merges_of_one_customer_win(personas: Personas) -> None:
    source = Customer.objects.create(organisation=personas.org, name="source")
    targets = [Customer.objects.create(organisation=personas.org, name=f"t{i}") for i in range(2)]
    Identity.objects.create(organisation=personas.org, customer=source, platform="api", external_id="u-9")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(target: Customer) -> None:
        try:
            barrier.wait()
            do_merge(target, Customer.objects.get(pk=source.pk), None)
            outcomes.append("merged")
        except ActionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["merged", "refused"]
    assert CustomerHistory.objects.count() == 1
    source.refresh_from_db()
    assert Identity.objects.get(external_id="u-9").customer_id == source.merged_into_id
