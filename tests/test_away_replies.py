"""Away replies (webcare/hours/steps.py) through the real ingestion path: a message is received as the platform
delivers it, the worker stores and triages it, and the step answers "we are closed, back Monday at 08:00" in the
customer's language and register, once per conversation and closed period.

The organisation's hours: Monday to Friday 08:00-16:00, Europe/Oslo, Norwegian public holidays.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import Personas, inbound_payload
from tests.support import call_import
from webcare.conversations.models import Conversation, Direction, Message
from webcare.core.models import Channel
from webcare.hours.models import AutoReplyTemplate, OpeningHours
from webcare.hours.steps import SendAwayReplies
from webcare.hours.wording import DEFAULT_TEXTS
from webcare.ingest.receive import receive
from webcare.ingest.store import StoreResult
from webcare.ingest.worker import drain
from webcare.tickets.models import EventKind, Ticket, TicketEvent

OSLO = ZoneInfo("Europe/Oslo")
FRIDAY_EVENING = datetime(2026, 11, 20, 20, 0, tzinfo=OSLO)
MONDAY_EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=OSLO)

#: A customer's message per (language, register), as the triage hears it; and how each language says "Monday at 08:00".
MESSAGES = {
    ("nb", "informal"): "Hei! Kan du hjelpe meg med fakturaen min? Jeg har ikke fått den ennå.",
    ("nb", "formal"): "God kveld. Kan De vennligst sende meg fakturaen på nytt? Jeg har ikke mottatt den.",
    ("nn", "informal"): "Hei! Kan du hjelpe meg med rekninga mi? Eg har ikkje fått ho enno.",
    ("nn", "formal"): "God kveld. Kan Dykk vere so snill å sende meg rekninga på nytt? Eg har ikkje fått ho enno.",
    ("da", "informal"): "Hej! Kan du hjælpe mig med min regning? Jeg har ikke modtaget den endnu.",
    ("da", "formal"): "Godaften. Kan De venligst sende mig regningen igen? Jeg har ikke modtaget den endnu.",
    ("sv", "informal"): "Hej! Kan du hjälpa mig med min faktura? Jag har inte fått den ännu.",
    ("sv", "formal"): "God kväll. Kan ni vänligen skicka fakturan igen? Jag har inte fått den ännu.",
    ("fi", "informal"): "Hei! Voisitko auttaa minua laskun kanssa? En ole vielä saanut sitä.",
    ("fi", "formal"): "Hyvää iltaa. Voisitteko lähettää laskun uudelleen? En ole vielä saanut sitä.",
    ("nl", "informal"): "Hoi! Kun jij me helpen met mijn factuur? Ik heb hem nog niet ontvangen.",
    ("nl", "formal"): "Goedenavond. Kunt u mij de factuur opnieuw sturen? Ik heb hem nog niet ontvangen.",
    ("de", "informal"): "Hallo! Kannst du mir mit meiner Rechnung helfen? Ich habe sie noch nicht bekommen.",
    ("de", "formal"): "Guten Abend. Können Sie mir bitte die Rechnung noch einmal schicken? Ich habe sie noch nicht "
                      "erhalten.",
    ("en", "unknown"): "Hello! Could you help me with my invoice? I have not received it yet.",
}
MONDAY_AT_EIGHT = {"en": "Monday at 08:00", "nb": "mandag kl. 08:00", "nn": "måndag kl. 08:00",
                   "da": "på mandag kl. 08.00", "sv": "på måndag kl. 08.00", "fi": "maanantaina klo 8.00",
                   "nl": "maandag om 08.00 uur", "de": "am Montag um 08:00 Uhr"}


@pytest.fixture
def hours(personas: Personas) -> OpeningHours:
    personas.org.languages = []  # the triage hears all eight languages
    personas.org.save()
    return OpeningHours.objects.create(
        organisation=personas.org, name="Office", time_zone="Europe/Oslo", holiday_country="NO",
        weekly={str(day): [["08:00", "16:00"]] for day in range(5)})


def deliver(channel: Channel, n: int, at: datetime, *, conversation: str = "c-1", text: str = "",
            sent_at: datetime | None = None, **overrides: Any) -> Ticket:
    """Receive one message at ``at`` (the frozen clock) and run the worker, as a platform delivery would."""
    with time_machine.travel(at, tick=False):
        payload = inbound_payload(n, conversation=conversation, sent_at=(sent_at or at).isoformat(),
                                  **({"text": text} if text else {}), **overrides)
        receive(channel, payload, external_id=f"{channel.pk}-{payload['message_id']}")
        drain()
    return Ticket.objects.get(conversation__channel=channel, conversation__external_id=conversation)


def away_replies(ticket: Ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND, automatic="away")
                .order_by("sent_at", "pk"))


@pytest.mark.parametrize(("language", "register"), list(MESSAGES))
def test_it_answers_in_the_customers_language_and_register(personas: Personas, hours: OpeningHours, language: str,
                                                         register: str) -> None:
    ticket = deliver(personas.channel, 1, FRIDAY_EVENING, text=MESSAGES[language, register])
    message = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)
    assert (message.language, message.register) == (language, register)

    [reply] = away_replies(ticket)
    built_in = DEFAULT_TEXTS["away"][language]["formal" if register == "formal" else "informal"]
    expected = built_in.replace("{back_at}", MONDAY_AT_EIGHT[language]).replace("{name}", "Kari")
    assert reply.text == expected
    assert reply.is_public is False and reply.author_agent_id is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.AUTO_REPLY, field="away").count() == 1


def test_english_has_a_formal_reply_when_the_message_is_formal(personas: Personas, hours: OpeningHours) -> None:
    """English has no T/V distinction the triage can hear, so its register is set here and the step run directly."""
    ticket = deliver(personas.channel, 1, datetime(2026, 11, 23, 10, 0, tzinfo=OSLO),  # open: no reply yet
                     text=MESSAGES["en", "unknown"])
    message = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)
    message.register, message.sent_at, message.received_at = "formal", FRIDAY_EVENING, FRIDAY_EVENING
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        SendAwayReplies().run(StoreResult(messages=[message], touched_tickets={ticket.pk: ticket}))
    [reply] = away_replies(ticket)
    assert reply.text.startswith("Hello Kari, thank you for your message.")
    assert "opens again Monday at 08:00" in reply.text


def test_it_answers_once_per_closed_period(personas: Personas, hours: OpeningHours) -> None:
    ticket = deliver(personas.channel, 1, FRIDAY_EVENING)
    assert len(away_replies(ticket)) == 1
    deliver(personas.channel, 2, FRIDAY_EVENING + timedelta(hours=3))  # the same night: none
    deliver(personas.channel, 3, datetime(2026, 11, 22, 11, 0, tzinfo=OSLO))  # Sunday: still the same closed period
    assert len(away_replies(ticket)) == 1

    deliver(personas.channel, 4, MONDAY_EVENING)  # open on Monday in between: the next night gets one again
    deliver(personas.channel, 5, MONDAY_EVENING + timedelta(hours=1))
    replies = away_replies(ticket)
    assert len(replies) == 2
    assert "i morgen kl. 08:00" in replies[1].text
    conversation = Conversation.objects.get(pk=ticket.conversation_id)
    assert conversation.away_replied_at == MONDAY_EVENING


def test_each_conversation_gets_its_own_reply(personas: Personas, hours: OpeningHours) -> None:
    first = deliver(personas.channel, 1, FRIDAY_EVENING, conversation="c-1")
    second = deliver(personas.channel, 2, FRIDAY_EVENING + timedelta(minutes=5), conversation="c-2", author="u-2")
    assert len(away_replies(first)) == 1 and len(away_replies(second)) == 1


def test_the_ticket_still_waits_for_a_person(personas: Personas, hours: OpeningHours) -> None:
    ticket = deliver(personas.channel, 1, FRIDAY_EVENING)
    assert away_replies(ticket)
    ticket.refresh_from_db()
    assert ticket.waiting_since == FRIDAY_EVENING
    assert ticket.first_response_at is None
    assert ticket.status == "new"


def test_no_reply_while_open(personas: Personas, hours: OpeningHours) -> None:
    ticket = deliver(personas.channel, 1, datetime(2026, 11, 23, 10, 0, tzinfo=OSLO))
    assert away_replies(ticket) == []
    assert Conversation.objects.get(pk=ticket.conversation_id).away_replied_at is None


def test_one_automatic_message_is_enough_and_spam_gets_none(personas: Personas, hours: OpeningHours) -> None:
    """A routing rule's auto-reply already answered the customer this time; spam that routing set aside is not told
    when we open."""
    from webcare.routing.models import RoutingRule

    RoutingRule.objects.create(organisation=personas.org, name="Cable", position=0, actions={"auto_reply": "Takk!"},
                               conditions=[{"field": "keywords", "op": "contains", "value": ["kabel"]}])
    RoutingRule.objects.create(organisation=personas.org, name="Spam", position=1, actions={"spam": True},
                               conditions=[{"field": "keywords", "op": "contains", "value": ["casino"]}])
    ruled = deliver(personas.channel, 1, FRIDAY_EVENING, conversation="c-1", text="Hei, kabel er røket hos meg, hjelp")
    assert away_replies(ruled) == []
    assert Message.objects.filter(ticket=ruled, automatic="rule").count() == 1
    spam = deliver(personas.channel, 2, FRIDAY_EVENING, conversation="c-2", text="Best casino bonus here")
    assert spam.status == "solved" and away_replies(spam) == []
    plain = deliver(personas.channel, 3, FRIDAY_EVENING, conversation="c-3", text="Hei, når åpner dere?")
    assert len(away_replies(plain)) == 1


def test_on_a_public_holiday_it_says_when_the_desk_opens_after_it(personas: Personas, hours: OpeningHours) -> None:
    christmas = datetime(2026, 12, 25, 11, 0, tzinfo=OSLO)  # a Friday, closed for Christmas Day
    [reply] = away_replies(deliver(personas.channel, 1, christmas))
    assert "mandag kl. 08:00" in reply.text  # 26 December and the weekend closed too: Monday 28 December


def test_no_reply_on_reviews_or_listening_channels(personas: Personas, hours: OpeningHours) -> None:
    for kind in ("reviews", "listening"):
        channel = Channel.objects.create(organisation=personas.org, kind=kind, slug=kind, name=kind.title())
        ticket = deliver(channel, 1, FRIDAY_EVENING, conversation_kind="public")
        assert away_replies(ticket) == []


def test_no_reply_where_a_channel_turned_them_off(personas: Personas, hours: OpeningHours) -> None:
    personas.channel.settings = {"away_replies": False}
    personas.channel.save()
    assert away_replies(deliver(personas.channel, 1, FRIDAY_EVENING)) == []


def test_no_reply_to_history(personas: Personas, hours: OpeningHours) -> None:
    """A message sent long before it arrives (a backfill, an outage) is not answered."""
    ticket = deliver(personas.channel, 1, FRIDAY_EVENING, sent_at=FRIDAY_EVENING - timedelta(hours=2))
    assert away_replies(ticket) == []


def test_no_reply_to_an_import(personas: Personas, hours: OpeningHours, tmp_path: Path) -> None:
    lines = [{"organisation": "fjord", "channel": "api", "message_id": f"old-{n}", "conversation_id": f"old-{n}",
              "conversation_kind": "private", "author": {"id": f"u-{n}", "name": "Kari Nordmann"},
              "text": "Hei, fakturaen min er feil", "sent_at": f"2026-11-0{n}T20:00:00+01:00"} for n in (2, 3)]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        call_import(path, "jsonl")
    assert Message.objects.filter(direction=Direction.INBOUND, external_id__startswith="old-").count() == 2
    assert not Message.objects.filter(automatic="away").exists()


def test_no_reply_without_opening_hours_set_up(personas: Personas, hours: OpeningHours) -> None:
    hours.weekly = {}
    hours.save()
    assert away_replies(deliver(personas.channel, 1, FRIDAY_EVENING)) == []


def test_a_channels_own_hours_win_over_the_organisations(personas: Personas, hours: OpeningHours) -> None:
    OpeningHours.objects.create(organisation=personas.org, channel=personas.channel, name="Evening chat",
                                time_zone="Europe/Oslo", weekly={str(day): [["16:00", "22:00"]] for day in range(7)})
    assert away_replies(deliver(personas.channel, 1, FRIDAY_EVENING)) == []  # the channel is open until 22:00
    [reply] = away_replies(deliver(personas.channel, 2, FRIDAY_EVENING + timedelta(hours=3), conversation="c-2"))
    assert "i morgen kl. 16:00" in reply.text


def test_the_organisations_own_text_is_used_with_brand_and_name(personas: Personas, hours: OpeningHours) -> None:
    AutoReplyTemplate.objects.create(organisation=personas.org, kind="away", language="nb", register="",
                                     text="Hei {name}! {brand} er tilbake {back_at}.")
    ticket = deliver(personas.channel, 1, FRIDAY_EVENING, text=MESSAGES["nb", "informal"])
    [reply] = away_replies(ticket)
    assert reply.text == "Hei Kari! Fjordnett er tilbake mandag kl. 08:00."
