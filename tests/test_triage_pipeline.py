"""Triage in the ingestion worker (webcare/triage/steps.py): every inbound message analysed before an agent sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from tests.conftest import inbound_payload, ingest_ticket
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.inbox.queues import in_list_order
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_change_ticket
from webcare.tickets.models import EventKind, Priority, Ticket, TicketEvent
from webcare.triage.backfill import triage_stored

PHONE_TEXT = "Hei, ring meg på 412 34 567 eller send til kari.nordmann@example.no, fakturaen er feil"


def test_it_masks_personal_data_posted_in_public_and_makes_the_ticket_urgent(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, conversation_kind="public", text=PHONE_TEXT)
    message = Message.objects.get(ticket=ticket)
    assert message.triaged_at is not None
    assert {span["type"] for span in message.pii} == {"PHONE", "EMAIL"}
    assert "412 34 567" not in message.redacted_text and "[PHONE]" in message.redacted_text
    assert "[EMAIL]" in message.redacted_text
    assert message.safe_text == message.redacted_text
    assert "pii_public" in message.signals
    assert ticket.priority == Priority.URGENT
    assert ticket.public_pii
    assert "412 34 567" not in ticket.subject and "[PHONE]" in ticket.subject  # the subject is cut from masked text


def test_it_masks_but_does_not_alarm_for_personal_data_in_a_private_message(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, conversation_kind="private", text=PHONE_TEXT)
    message = Message.objects.get(ticket=ticket)
    assert "[PHONE]" in message.safe_text
    assert "pii_public" not in message.signals
    assert ticket.priority != Priority.URGENT
    assert not ticket.public_pii


def test_it_stores_every_detector_result_on_the_message_and_the_ticket(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, text="Hei! Internettet mitt har vært nede i tre dager. Hva skjer?")
    message = Message.objects.get(ticket=ticket)
    assert message.language == "nb"
    assert message.pii == [] and message.redacted_text == message.text and message.safe_text == message.text
    assert message.sentiment is not None and -1 <= message.sentiment <= 1
    assert message.sentiment_label in ("negative", "neutral", "positive")
    assert message.intents and set(message.intents) <= {"question", "complaint", "praise", "sales_lead", "spam",
                                                         "other"}
    assert message.register in ("formal", "informal", "unknown")
    assert message.abuse_score is not None and 0 <= message.abuse_score <= 1
    assert (ticket.language, ticket.sentiment_label, ticket.intents, ticket.register) == (
        message.language, message.sentiment_label, message.intents, message.register)


def test_it_leaves_outbound_messages_alone(personas: Any) -> None:
    ingest_ticket(personas, 1)
    ticket = ingest_ticket(personas, 2, direction="outbound", text="Ring oss på 412 34 567", author="brand")
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    assert reply.triaged_at is None and reply.pii == []


def test_it_detects_only_the_organisations_languages(personas: Any) -> None:
    personas.org.languages = ["nb", "en"]
    personas.org.save()
    ticket = ingest_ticket(personas, 1, text="Jeg har ikke modtaget min pakke endnu, hvad sker der?")  # Danish
    assert Message.objects.get(ticket=ticket).language in ("nb", "en")
    personas.org.languages = ["da", "en"]
    personas.org.save()
    ticket = ingest_ticket(personas, 2, conversation="c-2",
                           text="Jeg har ikke modtaget min pakke endnu, hvad sker der?")
    assert Message.objects.get(ticket=ticket).language == "da"


@pytest.mark.parametrize("first_followers", [10, 1_000_000])
def test_it_gives_the_same_priority_and_place_whatever_the_follower_count(personas: Any,
                                                                          first_followers: int) -> None:
    """Same service for everyone: reach never changes priority or order; arrival does."""
    second_followers = 1_000_000 if first_followers == 10 else 10
    text = "Hvorfor er fakturaen min dobbelt så høy denne måneden?"
    tickets = []
    for n, followers in ((1, first_followers), (2, second_followers)):
        payload = inbound_payload(n, conversation=f"c-{n}", author=f"u-{n}", text=text,
                                  sent_at=f"2026-11-20T10:00:0{n}+00:00")
        payload["author"]["followers"] = followers
        receive(personas.channel, payload, external_id=payload["message_id"])
        drain()
        tickets.append(Ticket.objects.get(conversation__external_id=f"c-{n}"))
    first, second = tickets
    assert first.priority == second.priority
    queue = list(in_list_order(personas.org, Q(pk__in=[first.pk, second.pk])).values_list("pk", flat=True))
    assert queue == [first.pk, second.pk]  # the one who wrote first is served first, whoever has more followers


QUESTION = "Hvorfor er fakturaen min dobbelt så høy denne måneden?"


def _customer_on_two_channels(personas: Any) -> Channel:
    """Kari writes as u-1 on the API channel and as kari-x on a new X channel (returned): one customer."""
    customer = Customer.objects.create(organisation=personas.org, name="Kari Nordmann")
    Identity.objects.create(organisation=personas.org, customer=customer, platform="api", external_id="u-1")
    Identity.objects.create(organisation=personas.org, customer=customer, platform="x", external_id="kari-x")
    return Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="X")


def _deliver(channel: Channel, n: int, **overrides: Any) -> Ticket:
    payload = inbound_payload(n, **overrides)
    receive(channel, payload, external_id=payload["message_id"])
    drain()
    return Ticket.objects.get(conversation__channel=channel, conversation__external_id=payload["conversation_id"])


def test_it_raises_priority_when_the_customer_writes_again_on_another_channel_within_a_week(personas: Any) -> None:
    x = _customer_on_two_channels(personas)
    _deliver(personas.channel, 1, text=QUESTION, sent_at="2026-11-18T10:00:00+00:00")
    again = _deliver(x, 2, conversation="x-1", author="kari-x", text=QUESTION, sent_at="2026-11-20T10:00:00+00:00")
    message = Message.objects.get(ticket=again)
    assert "repeat_contact" in message.signals
    assert again.priority == Priority.HIGH


def test_it_does_not_count_the_same_channel_or_an_old_contact_as_a_repeat(personas: Any) -> None:
    x = _customer_on_two_channels(personas)
    _deliver(personas.channel, 1, text=QUESTION, sent_at="2026-11-01T10:00:00+00:00")
    _deliver(personas.channel, 2, conversation="c-2", text=QUESTION, sent_at="2026-11-10T09:00:00+00:00")
    late = _deliver(x, 3, conversation="x-1", author="kari-x", text=QUESTION, sent_at="2026-11-20T10:00:00+00:00")
    same = Message.objects.get(external_id="m-2")
    assert "repeat_contact" not in same.signals  # same channel as 9 days before
    assert "repeat_contact" not in Message.objects.get(ticket=late).signals  # the other channel was 10 days ago


def test_it_only_ever_raises_priority_after_an_agent_lowered_it(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, conversation_kind="public", text=PHONE_TEXT)
    assert ticket.priority == Priority.URGENT
    do_change_ticket(ticket, personas.agent, priority=Priority.NORMAL)
    calm = ingest_ticket(personas, 2, conversation_kind="public", text="Takk for svar, jeg venter på fakturaen.")
    assert calm.priority == Priority.NORMAL  # a calm message does not undo the agent's decision
    angry = ingest_ticket(personas, 3, conversation_kind="public",
                          text="DETTE ER HELT UAKSEPTABELT!!! Nå går jeg til VG og sier opp abonnementet.")
    assert angry.priority < Priority.NORMAL
    raised = TicketEvent.objects.filter(ticket=angry, kind=EventKind.PRIORITY, actor=None).last()
    assert raised is not None and raised.old == str(Priority.NORMAL) and raised.new == str(angry.priority)


def test_it_triages_stored_messages_that_were_never_triaged(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, conversation_kind="public", text=PHONE_TEXT)
    Message.objects.update(triaged_at=None, pii=[], redacted_text="", language="", signals=[])
    Ticket.objects.update(priority=Priority.NORMAL, public_pii=False)
    assert triage_stored() == 1
    message = Message.objects.get(ticket=ticket)
    ticket.refresh_from_db()
    assert message.triaged_at is not None and "[PHONE]" in message.redacted_text
    assert ticket.priority == Priority.URGENT and ticket.public_pii
    assert triage_stored() == 0  # nothing left


def test_it_masks_personal_data_in_an_email_subject(personas: Any) -> None:
    ticket = ingest_ticket(personas, 1, subject="Faktura - fødselsnummer 15076500565",
                           text="Se vedlagt, hva er dette?")
    assert "15076500565" not in ticket.subject and "[NATIONAL_ID]" in ticket.subject
