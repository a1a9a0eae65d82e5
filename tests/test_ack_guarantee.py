"""The acknowledgement guarantee (``webcare.sla.acknowledge``): one automatic holding reply per conversation to a
customer still waiting after the organisation's window (24 hours by default, an hour for a brand that promises one),
in the customer's language; the ticket stays open and the customer still waits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from tests.conftest import Personas, inbound_payload, ingest_ticket
from webcare.conversations.models import Conversation, Direction, Message
from webcare.core.models import Channel
from webcare.hours.replies import auto_reply_text
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.live.models import LiveEvent
from webcare.sla import acknowledge
from webcare.tickets.actions import do_change_ticket, do_reply
from webcare.tickets.models import EventKind, Status, Ticket, TicketEvent

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticket_at(personas: Personas, n: int, at: datetime = T0, **payload: Any) -> Ticket:
    with time_machine.travel(at, tick=False):
        return ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}", sent_at=at.isoformat(), **payload)


def run_at(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return acknowledge.run(at)


def holding_replies(ticket: Ticket) -> list[Message]:
    return list(Message.objects.filter(conversation_id=ticket.conversation_id, direction=Direction.OUTBOUND,
                                       automatic="ack").order_by("id"))


def test_a_customer_waiting_24_hours_gets_one_holding_reply_in_their_language(personas: Personas) -> None:
    norwegian = ticket_at(personas, 1, text="Hei, fakturaen min er feil og jeg har ventet lenge")
    english = ticket_at(personas, 2, text="Hi, my invoice is wrong and nobody has answered me yet")
    assert (norwegian.language, english.language) == ("nb", "en")
    assert run_at(T0 + timedelta(hours=23, minutes=59)) == 0
    before = LiveEvent.objects.count()
    assert run_at(T0 + timedelta(hours=24)) == 2
    [event] = LiveEvent.objects.order_by("id")[before:]  # open inboxes refresh and show the holding replies
    assert sorted(event.data["tickets"]) == sorted([norwegian.pk, english.pk])
    for ticket in (norwegian, english):
        [reply] = holding_replies(ticket)
        expected = auto_reply_text(personas.org.pk, "ack", ticket.language, ticket.register, back_at=None,
                                   time_zone=personas.org.time_zone, customer_name="Kari Nordmann")
        assert reply.text == expected and reply.is_public is False
        assert "Kari" in reply.text and "Nordmann" not in reply.text  # the first name only
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW and ticket.waiting_since == T0  # not an answer: the customer still waits
        assert ticket.first_response_at is None
        assert Conversation.objects.get(pk=ticket.conversation_id).acknowledged_at == T0 + timedelta(hours=24)
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTO_REPLY, field="ack").count() == 1
    assert "vi har fått meldingen din" in holding_replies(norwegian)[0].text
    assert "we've got your message" in holding_replies(english)[0].text


def test_it_sends_once_per_conversation_ever(personas: Personas) -> None:
    ticket = ticket_at(personas, 1)
    run_at(T0 + timedelta(hours=24))
    assert run_at(T0 + timedelta(hours=30)) == 0
    with time_machine.travel(T0 + timedelta(hours=31), tick=False):
        do_reply(ticket, personas.agent, "Beklager ventetiden, her er svaret.")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):  # the customer writes again and waits again
        ingest_ticket(personas, 2, conversation="c-1", author="u-1", sent_at=(T0 + timedelta(days=3)).isoformat())
    assert run_at(T0 + timedelta(days=5)) == 0
    assert len(holding_replies(ticket)) == 1


def test_a_brand_that_promises_an_hour_answers_after_an_hour(personas: Personas) -> None:
    personas.org.ack_window_minutes = 60
    personas.org.save(update_fields=["ack_window_minutes"])
    ticket = ticket_at(personas, 1)
    assert run_at(T0 + timedelta(minutes=59)) == 0
    assert run_at(T0 + timedelta(minutes=60)) == 1
    assert len(holding_replies(ticket)) == 1
    other = ticket_at(personas, 1, at=T0 + timedelta(minutes=30))  # same ticket: one reply per conversation
    assert other.pk == ticket.pk
    assert run_at(T0 + timedelta(hours=2)) == 0


def test_no_holding_reply_to_history(personas: Personas) -> None:
    """An import of old conversations (or a desk switched on with a backlog) must not tell people who wrote long ago
    that we have not forgotten them: a reply more than a day late is not sent, and the ticket is not read again."""
    old = ticket_at(personas, 1, at=T0 - timedelta(days=400))
    late = ticket_at(personas, 2, at=T0 - timedelta(hours=47, minutes=59))  # due 23 h 59 min ago: still sent
    assert run_at(T0) == 1
    assert holding_replies(old) == [] and len(holding_replies(late)) == 1
    assert Conversation.objects.get(pk=old.conversation_id).acknowledged_at is None
    assert list(acknowledge.owed(personas.org, T0 + timedelta(days=1))) == []


def test_no_holding_reply_when_switched_off_pending_or_already_answered(personas: Personas) -> None:
    answered = ticket_at(personas, 1)
    pending = ticket_at(personas, 2)
    waiting = ticket_at(personas, 3)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        do_reply(answered, personas.agent, "Her er svaret.")
        do_change_ticket(pending, personas.agent, status=Status.PENDING)
    personas.org.ack_window_minutes = 0
    personas.org.save(update_fields=["ack_window_minutes"])
    assert run_at(T0 + timedelta(hours=36)) == 0
    personas.org.ack_window_minutes = 24 * 60
    personas.org.save(update_fields=["ack_window_minutes"])
    assert run_at(T0 + timedelta(hours=36)) == 1
    assert (len(holding_replies(answered)), len(holding_replies(pending)), len(holding_replies(waiting))) == (0, 0, 1)


def test_a_channel_that_cannot_post_is_marked_once_and_not_tried_every_pass(personas: Personas) -> None:
    """WhatsApp allows free text only within 24 hours of the customer's last message: a holding reply after a 24-hour
    wait can never go out there. It is recorded as not sent, and the conversation is not looked at again."""
    whatsapp = Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="wa", name="WhatsApp")
    payload = inbound_payload(1, conversation="wa-1", author="+4790000000", sent_at=T0.isoformat())
    with time_machine.travel(T0, tick=False):
        receive(whatsapp, payload, external_id=payload["message_id"])
        drain()
    ticket = Ticket.objects.get(conversation__channel=whatsapp)
    assert run_at(T0 + timedelta(hours=24, minutes=1)) == 0
    assert holding_replies(ticket) == []
    assert list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTO_REPLY).values_list("field", "new")) == [
        ("ack", acknowledge.NOT_SENT)]
    assert Conversation.objects.get(pk=ticket.conversation_id).acknowledged_at is not None
    assert run_at(T0 + timedelta(hours=25)) == 0
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTO_REPLY).count() == 1


def test_reviews_and_brand_mentions_get_no_holding_reply(personas: Personas) -> None:
    reviews = Channel.objects.create(organisation=personas.org, kind="reviews", slug="tp", name="Trustpilot")
    payload = inbound_payload(1, conversation="r-1", author="rev-1", sent_at=T0.isoformat(),
                              conversation_kind="public")
    with time_machine.travel(T0, tick=False):
        receive(reviews, payload, external_id=payload["message_id"])
        drain()
    assert run_at(T0 + timedelta(days=2)) == 0
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_automation_loops_at_once_send_one_reply_per_conversation(personas: Personas,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so two loops cannot interleave there")
    tickets = [ticket_at(personas, n) for n in range(1, 6)]
    barrier = threading.Barrier(2, timeout=30)
    original = acknowledge.waiting

    def waiting_then_meet(org: Any, now: datetime) -> list[Ticket]:
        found = original(org, now)
        barrier.wait()  # both loops found the same waiting customers before either answered
        return found

    monkeypatch.setattr(acknowledge, "waiting", waiting_then_meet)
    sent: list[int] = []
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            sent.append(acknowledge.run(T0 + timedelta(hours=25)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sent) == len(tickets)
    assert [len(holding_replies(t)) for t in tickets] == [1] * len(tickets)
