"""Personal data posted in public: triage makes the ticket urgent, and "Hide and move to private" hides the comment
(where the platform can) and moves the customer to a private message in their language and register — checked
request by request against stub Graph and X APIs (pytest-httpserver), from the action, the inbox and the REST API.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer

from tests.conftest import ApiClient, Personas, client_for
from tests.test_inbox_outbound import (
    APP_SECRET,
    COMMENT_ID,
    GRAPH,
    PAGE_ID,
    TOKEN,
    comment_delivery,
    deliver,
    facebook_channel,
)
from webcare.channels.base import Capability
from webcare.channels.facebook import FacebookConnector
from webcare.channels.models import OutboundJob
from webcare.channels.notes import move_to_private_note
from webcare.channels.sender import send_due
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import ActionError, do_change_ticket
from webcare.tickets.models import Ticket
from webcare.tickets.protect import do_protect_public_pii, plan
from webcare.tickets.protect_wording import WORDING, first_name, private_message
from webcare.triage.priority import URGENT, priority_for, urgency_signals

HTMX = {"HX-Request": "true"}
PII_NB = "Hei! Fakturaen min er trukket to ganger. Ring meg på 412 34 567, så ordner vi det."
PROOF = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()


def facebook_pii_ticket(personas: Personas, httpserver: HTTPServer | None = None, text: str = PII_NB) -> Ticket:
    channel = facebook_channel(personas, httpserver)
    deliver(channel, comment_delivery(text))
    return Ticket.objects.get(conversation__channel=channel)


def public_message(channel: Channel, text: str, *, message_id: str, conversation: str, author: str,
                   name: str = "Kari Nordmann", kind: str = "public") -> Ticket:
    """A customer's message in webcare's own format through the real ingestion path (receive → worker → triage)."""
    receive(channel, {"message_id": message_id, "conversation_id": conversation, "conversation_kind": kind,
                      "author": {"id": author, "handle": f"@{author}", "name": name}, "text": text,
                      "sent_at": timezone.now().isoformat()}, external_id=message_id)
    drain()
    return Ticket.objects.get(conversation__channel=channel, conversation__external_id=conversation)


def send_all() -> int:
    """Run the sender until no job is left pending (it may stop early while a channel's rate-limit slot is ahead on
    a loaded machine); how many were sent."""
    sent = 0
    for _round in range(10):
        sent += send_due().sent
        if not OutboundJob.objects.filter(status="pending").exists():
            break
    return sent


def nothing_queued() -> bool:
    return not OutboundJob.objects.exists() and not Message.objects.filter(direction="outbound").exists()


# -- triage makes it urgent -----------------------------------------------------------------------------------------


def test_personal_data_in_public_is_urgent_whatever_else_the_message_is() -> None:
    signals = urgency_signals(text="Takk!", language="nb", public=True, has_pii=True, sentiment=0.8, profane=False,
                              abuse_score=0.0)
    assert signals == ["pii_public"]
    assert priority_for(signals, ["praise"]) == URGENT
    assert urgency_signals(text="Takk!", language="nb", public=False, has_pii=True, sentiment=0.8, profane=False,
                           abuse_score=0.0) == []


def test_a_public_comment_with_a_phone_number_makes_an_urgent_ticket_marked_public_pii(personas: Personas) -> None:
    ticket = facebook_pii_ticket(personas)
    message = Message.objects.get(ticket=ticket)
    assert "pii_public" in message.signals and message.pii
    assert (ticket.priority, ticket.public_pii) == (URGENT, True)
    # The same words in a private message are personal data, but not in public: no alarm.
    private = public_message(personas.channel, PII_NB, message_id="dm-1", conversation="dm-1", author="u-9",
                             kind="private")
    assert Message.objects.get(ticket=private).pii
    assert (private.public_pii, private.priority == URGENT) == (False, False)


# -- the wording ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "register", "name", "hidden", "expected"), [
    ("nb", "informal", "Kari Nordmann", True, "Hei Kari! Vi har skjult kommentaren din fordi den viste "
     "personopplysninger. La oss fortsette her, privat: hva kan vi hjelpe deg med?"),
    ("nb", "formal", "Kari Nordmann", False, "Hei Kari. Kommentaren Deres viser personopplysninger, og vi kan ikke "
     "skjule den der: vennligst slett den. La oss fortsette her, privat: hva kan vi hjelpe Dem med?"),
    ("da", "informal", "Mette", True, "Hej Mette! Vi har skjult din kommentar, fordi den viste personoplysninger. "
     "Lad os fortsætte her, privat: hvad kan vi hjælpe dig med?"),
    ("da", "formal", "", True, "Hej. Vi har skjult Deres kommentar, fordi den viste personoplysninger. Lad os "
     "fortsætte her, privat: hvad kan vi hjælpe Dem med?"),
    ("en", "informal", "@kari_n", False, "Hi, your comment shows personal information, and we can't hide it there: "
     "please delete it. Let's continue here, in private: how can we help?"),
    ("en", "", "John Smith", True, "Hi John, we've hidden your comment because it showed personal information. "
     "Let's continue here, in private: how can we help?"),
    ("pt", "formal", "Ana", True, "Hello Ana, we have hidden your comment because it contained personal information. "
     "Let us continue here, in private: how may we help you?"),
])
def test_the_private_message_is_in_the_customers_language_and_register(language: str, register: str, name: str,
                                                                       hidden: bool, expected: str) -> None:
    assert private_message(language, register, name, hidden=hidden) == expected


def test_every_language_has_both_registers_and_both_cases() -> None:
    for language in ("en", "nb", "nn", "da", "sv", "fi", "nl", "de"):
        for register in ("formal", "informal"):
            words = WORDING[(language, register)]
            assert "{name}" in words.greeting and "{name}" not in words.greeting_no_name
            assert private_message(language, register, "Kari") != private_message(language, register, "Kari",
                                                                                  hidden=False)
    assert (first_name("Kari Nordmann"), first_name("@kari"), first_name("user123"), first_name("")) == \
        ("Kari", "", "", "")


# -- per platform: the exact requests --------------------------------------------------------------------------------


def test_on_facebook_it_hides_the_comment_and_sends_the_private_reply_and_note(personas: Personas,
                                                                               httpserver: HTTPServer) -> None:
    ticket = facebook_pii_ticket(personas, httpserver)
    private = private_message("nb", "informal", "Kari")
    note = move_to_private_note("nb")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST", headers=auth,
                                      query_string={"appsecret_proof": PROOF},
                                      json={"is_hidden": True}).respond_with_json({"success": True})
    httpserver.expect_ordered_request(f"{GRAPH}/{PAGE_ID}/messages", method="POST", headers=auth,
                                      query_string={"appsecret_proof": PROOF},
                                      json={"recipient": {"comment_id": COMMENT_ID}, "message": {"text": private}},
                                      ).respond_with_json({"recipient_id": "PSID-1", "message_id": "m_private_1"})
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST", headers=auth,
                                      query_string={"appsecret_proof": PROOF},
                                      json={"message": note}).respond_with_json({"id": "c_note_1"})

    result = do_protect_public_pii(ticket, personas.agent)

    comment = Message.objects.get(ticket=ticket, direction="inbound")
    assert (result.hidden, result.cannot_hide, result.ask_customer_to_delete) == ([comment.pk], [], False)
    assert (result.language, result.register) == ("nb", "informal")
    assert send_all() == 3
    httpserver.check_assertions()
    comment.refresh_from_db()
    assert comment.hidden
    assert list(Message.objects.filter(ticket=ticket, direction="outbound").order_by("id")
                .values_list("is_public", "external_id", "text")) == [(False, "m_private_1", private),
                                                                      (True, "c_note_1", note)]


def test_on_instagram_it_hides_the_comment_and_sends_the_private_reply_and_note(personas: Personas,
                                                                                httpserver: HTTPServer) -> None:
    token, secret = "IG-token", "ig-secret"
    channel = Channel(organisation=personas.org, kind="instagram", slug="ig", name="Fjordnett",
                      settings={"instagram_account_id": "17841400000000001", "lookup_profiles": False,
                                "api_base_url": httpserver.url_for("").rstrip("/")})
    channel.set_credentials({"access_token": token, "app_secret": secret, "verify_token": "v"})
    channel.save()
    ticket = public_message(channel, "Hi, my order is wrong, e-mail me at kari.nordmann@example.com please",
                            message_id="17900000000000001", conversation="18000000000000001",
                            author="2543761895680101", name="Kari Nordmann")
    Message.objects.filter(ticket=ticket).update(language="da", register="formal")  # as triage would store it
    private = private_message("da", "formal", "Kari")
    note = move_to_private_note("da")
    proof = {"appsecret_proof": hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()}
    auth = {"Authorization": f"Bearer {token}"}
    httpserver.expect_ordered_request(f"{GRAPH}/17900000000000001", method="POST", headers=auth,
                                      query_string=proof, json={"hide": True}).respond_with_json({"success": True})
    httpserver.expect_ordered_request(f"{GRAPH}/me/messages", method="POST", headers=auth, query_string=proof,
                                      json={"recipient": {"comment_id": "17900000000000001"},
                                            "message": {"text": private}},
                                      ).respond_with_json({"recipient_id": "2543761895680101", "message_id": "ig_1"})
    httpserver.expect_ordered_request(f"{GRAPH}/17900000000000001/replies", method="POST", headers=auth,
                                      query_string=proof, json={"message": note}).respond_with_json({"id": "ig_c_1"})

    result = do_protect_public_pii(ticket, None)

    assert (result.language, result.register, len(result.hidden)) == ("da", "formal", 1)
    assert send_all() == 3
    httpserver.check_assertions()


def test_on_x_it_hides_the_reply_and_sends_a_direct_message_and_the_note(personas: Personas,
                                                                         httpserver: HTTPServer) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="Fjordnett on X",
                                     settings={"api_base_url": httpserver.url_for("").rstrip("/"),
                                               "user_id": "2244994945", "rate_per_second": 1000})
    channel.set_credentials({"consumer_secret": "s", "bearer_token": "user-context-token"})
    channel.save()
    ticket = public_message(channel, "@Fjordnett my bill is wrong, my email is john.smith@example.com",
                            message_id="1790000000000000001", conversation="1790000000000000000",
                            author="3001969357", name="John Smith")
    Message.objects.filter(ticket=ticket).update(language="en", register="informal")
    private = private_message("en", "informal", "John")
    auth = {"Authorization": "Bearer user-context-token"}
    httpserver.expect_ordered_request("/2/tweets/1790000000000000001/hidden", method="PUT", headers=auth,
                                      json={"hidden": True}).respond_with_json({"data": {"hidden": True}})
    httpserver.expect_ordered_request("/2/dm_conversations/with/3001969357/messages", method="POST", headers=auth,
                                      json={"text": private}).respond_with_json(
        {"data": {"dm_conversation_id": "c-1", "dm_event_id": "dm_1"}})
    httpserver.expect_ordered_request("/2/tweets", method="POST", headers=auth, json={
        "text": move_to_private_note("en"), "reply": {"in_reply_to_tweet_id": "1790000000000000001"}},
    ).respond_with_json({"data": {"id": "1790000000000000002", "text": "…"}})

    do_protect_public_pii(ticket, None)

    assert send_all() == 3
    httpserver.check_assertions()


# -- refusals --------------------------------------------------------------------------------------------------------


def test_it_refuses_a_ticket_without_personal_data_in_public(personas: Personas) -> None:
    ticket = facebook_pii_ticket(personas, text="Hei! Fakturaen min er trukket to ganger, kan dere se på det?")
    with pytest.raises(ActionError, match="no public message of this ticket shows personal data") as refused:
        do_protect_public_pii(ticket, personas.agent)
    assert refused.value.field == "ticket"
    assert nothing_queued()


def test_it_refuses_a_private_conversation_and_a_closed_ticket(personas: Personas) -> None:
    dm = public_message(personas.channel, PII_NB, message_id="dm-1", conversation="dm-1", author="u-1",
                        kind="private")
    with pytest.raises(ActionError, match="this conversation is private"):
        do_protect_public_pii(dm, personas.agent)
    ticket = facebook_pii_ticket(personas)
    do_change_ticket(ticket, personas.agent, status="closed")
    with pytest.raises(ActionError, match="this ticket is closed"):
        do_protect_public_pii(ticket, personas.agent)
    assert nothing_queued()


@pytest.mark.parametrize(("kind", "label"), [("reviews", "Reviews"), ("api", "API"), ("listening", "Listening")])
def test_it_refuses_where_the_platform_has_no_private_messages(personas: Personas, kind: str, label: str) -> None:
    channel = (personas.channel if kind == "api" else
               Channel.objects.create(organisation=personas.org, kind=kind, slug=kind, name=kind))
    ticket = public_message(channel, PII_NB, message_id="p-1", conversation="post-1", author="u-1")
    assert ticket.public_pii
    with pytest.raises(ActionError, match=f"{label}[^:]* has no private messages") as refused:
        do_protect_public_pii(ticket, personas.agent)
    assert "ask the customer to delete" in refused.value.message
    assert nothing_queued()


def test_it_hides_once_a_second_press_is_refused(personas: Personas) -> None:
    ticket = facebook_pii_ticket(personas)
    do_protect_public_pii(ticket, personas.agent)
    with pytest.raises(ActionError, match="already hidden"):
        do_protect_public_pii(ticket, personas.agent)
    assert OutboundJob.objects.count() == 3  # one hide, one private reply, one note


def test_where_the_platform_cannot_hide_the_private_message_asks_to_delete(personas: Personas,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FacebookConnector, "capabilities", FacebookConnector.capabilities - {Capability.HIDE})
    ticket = facebook_pii_ticket(personas)
    result = do_protect_public_pii(ticket, personas.agent)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    assert (result.hidden, result.cannot_hide, result.ask_customer_to_delete) == ([], [comment.pk], True)
    assert result.private_message.text == private_message("nb", "informal", "Kari", hidden=False)
    assert list(OutboundJob.objects.order_by("id").values_list("action", flat=True)) == ["private_reply", "reply"]


def test_a_failure_half_way_queues_nothing(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = facebook_pii_ticket(personas)
    from webcare.tickets import protect

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ActionError("public_note", "the public note needs text")

    monkeypatch.setattr(protect, "do_move_to_private", refuse)
    with pytest.raises(ActionError):
        do_protect_public_pii(ticket, personas.agent)
    assert nothing_queued()  # the hide queued before it was rolled back too


# -- the inbox and the API -------------------------------------------------------------------------------------------


def test_the_inbox_panel_shows_the_prepared_texts_and_the_button_does_it(personas: Personas) -> None:
    ticket = facebook_pii_ticket(personas)
    panel = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).content.decode()
    assert "Hide and move to private" in panel
    assert private_message("nb", "informal", "Kari") in panel and move_to_private_note("nb") in panel
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/protect/", {
        "private_text": private_message("nb", "informal", "Kari"), "public_note": move_to_private_note("nb")},
        headers=HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "ticket-changed"
    assert list(OutboundJob.objects.order_by("id").values_list("action", flat=True)) == [
        "hide", "private_reply", "reply"]
    signed = Message.objects.filter(ticket=ticket, direction="outbound").order_by("id").first()
    assert signed is not None and signed.text.endswith("\n– Kari")
    again = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).content.decode()
    assert "already hidden" in again


def test_the_inbox_refuses_analysts_and_other_organisations(personas: Personas) -> None:
    ticket = facebook_pii_ticket(personas)
    assert client_for(personas.analyst).post(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).status_code == 403
    assert client_for(personas.analyst).get(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).status_code == 403
    assert client_for(personas.outsider).post(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).status_code == 404
    assert client_for(personas.outsider).get(f"/inbox/tickets/{ticket.pk}/protect/", headers=HTMX).status_code == 404
    assert nothing_queued()


def test_the_api_does_it_and_says_what_was_queued(personas: Personas, api: ApiClient) -> None:
    ticket = facebook_pii_ticket(personas)
    response = api.post_json(f"/api/v1/tickets/{ticket.pk}/protect", {})
    assert response.status_code == 201, response.content
    body = response.json()
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    assert (body["hidden"], body["cannot_hide"], body["ask_customer_to_delete"]) == ([comment.pk], [], False)
    assert (body["language"], body["formality"]) == ("nb", "informal")
    assert body["private_message"]["text"] == private_message("nb", "informal", "Kari")
    assert (body["private_message"]["public"], body["public_note"]["public"]) == (False, True)
    refused = api.post_json(f"/api/v1/tickets/{ticket.pk}/protect", {})
    assert refused.status_code == 400
    assert "already hidden" in refused.json()["fields"]["ticket"]


def test_the_api_refuses_bad_input_and_other_organisations_tickets(personas: Personas, api: ApiClient) -> None:
    ticket = facebook_pii_ticket(personas)
    unknown = api.post_json(f"/api/v1/tickets/{ticket.pk}/protect", {"privat_text": "Hei"})
    assert unknown.status_code == 422 and "privat_text" in unknown.json()["fields"]
    empty = api.post_json(f"/api/v1/tickets/{ticket.pk}/protect", {"private_text": ""})
    assert empty.status_code == 422 and "private_text" in empty.json()["fields"]
    assert api.post_json("/api/v1/tickets/999999/protect", {}).status_code == 404
    assert nothing_queued()
    assert plan(ticket).hide  # still to do
