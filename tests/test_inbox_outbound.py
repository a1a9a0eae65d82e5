"""The inbox on the channels' outbound side, without a browser: where a reply goes (public by default, private on
demand), "Move to private", delivery states with Retry, moderation, edit and delete markers, and WhatsApp's templates
outside the 24-hour window.

Facebook comments arrive through the real webhook (signed, parsed by the Facebook connector, drained by the worker),
and everything webcare sends goes to a pytest-httpserver stub that checks the exact Graph API request.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_httpserver import HTTPServer

from tests.conftest import Personas, client_for
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.notes import move_to_private_note
from webcare.channels.sender import send_due
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "facebook"
PAGE_ID = "117172741761305"
POST_ID = "117172741761305_800100200300400"
COMMENT_ID = "800100200300400_900900900900901"
APP_SECRET = "app-secret-for-tests"
TOKEN = "page-token-for-tests"
HTMX = {"HX-Request": "true"}
GRAPH = "/v22.0"


# -- helpers (the browser and API tests use them too) ------------------------------------------------------------

def facebook_channel(personas: Personas, httpserver: HTTPServer | None = None, slug: str = "facebook") -> Channel:
    """A connected Facebook page whose Graph API is the stub server (or nowhere, when none is given)."""
    settings: dict[str, Any] = {"page_id": PAGE_ID}
    if httpserver is not None:
        settings["api_base_url"] = httpserver.url_for("").rstrip("/")
    channel = Channel(organisation=personas.org, kind="facebook", slug=slug, name="Fjordnett on Facebook",
                      settings=settings)
    channel.set_credentials({"page_access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "verify-me"})
    channel.save()
    return channel


def comment_delivery(text: str, comment_id: str = COMMENT_ID, verb: str = "add", author_id: str = "6543210987654321",
                     author_name: str = "Kari Nordmann") -> dict[str, Any]:
    """Meta's feed webhook for a comment on the page's post (tests/fixtures/channels/facebook/meta_feed_comment.json)
    with its text, ids and times set: written now, so no messaging window has run out."""
    body = copy.deepcopy(json.loads((FIXTURES / "meta_feed_comment.json").read_text()))
    now = int(time.time())
    body["entry"][0]["time"] = now
    value = body["entry"][0]["changes"][0]["value"]
    value.update({"message": text, "comment_id": comment_id, "verb": verb, "created_time": now - 1,
                  "from": {"id": author_id, "name": author_name}})
    return body


def deliver(channel: Channel, body: dict[str, Any]) -> None:
    """POST a signed delivery to the channel's webhook, as Meta does, and let the worker store it."""
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = Client().post(f"/hooks/{channel.webhook_key}/", data=raw, content_type="application/json",
                             headers={"X-Hub-Signature-256": signature})
    assert response.status_code == 200, response.content
    drain()


def facebook_ticket(personas: Personas, httpserver: HTTPServer | None = None,
                    text: str = "Hei! Fakturaen min for november er trukket to ganger. Kan dere se på det?") -> Ticket:
    channel = facebook_channel(personas, httpserver)
    deliver(channel, comment_delivery(text))
    return Ticket.objects.get(conversation__channel=channel)


def pane(user: Any, ticket: Ticket) -> str:
    return client_for(user).get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()


def graph_error(message: str, code: int = 2) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}}


# -- where the reply goes ------------------------------------------------------------------------------------------

def test_it_offers_a_public_reply_by_default_and_a_private_one_where_the_platform_can(personas: Personas) -> None:
    ticket = facebook_ticket(personas)
    page = pane(personas.agent, ticket)
    assert 'name="visibility" value="public" checked' in page
    assert 'name="visibility" value="private">' in page
    assert "Private message on Facebook to the author" in page
    assert "Move to private" in page
    # The prepared note, in the ticket's language, ready to edit.
    assert ticket.language == "nb"
    assert move_to_private_note("nb") in page


def test_it_offers_no_private_reply_or_moderation_where_the_channel_has_none(personas: Personas) -> None:
    receive(personas.channel, {"message_id": "p-1", "conversation_id": "post-1", "conversation_kind": "public",
                               "author": {"id": "u-1", "handle": "@u1", "name": "Ola"}, "text": "Hei, nettet er nede",
                               "sent_at": timezone.now().isoformat()}, external_id="p-1")
    drain()
    ticket = Ticket.objects.get(conversation__external_id="post-1")
    page = pane(personas.agent, ticket)
    assert 'name="visibility"' not in page
    assert "Move to private" not in page
    assert "/moderate/" not in page


def test_it_replies_publicly_under_the_comment_signed(personas: Personas, httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST",
                                      json={"message": "Hei Kari, vi ser på det nå.\n– Kari"},
                                      headers={"Authorization": f"Bearer {TOKEN}"},
                                      ).respond_with_json({"id": "800100200300400_777"})
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/",
                                               {"text": "Hei Kari, vi ser på det nå."}, headers=HTMX)
    assert response.status_code == 200
    assert "queued" in response.content.decode()
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    assert (reply.is_public, reply.delivery_status, reply.external_id) == (True, "sent", "800100200300400_777")
    assert "delivery-sent" in pane(personas.agent, ticket)


def test_it_sends_a_private_reply_to_the_commenter_when_the_agent_chooses_it(personas: Personas,
                                                                           httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(
        f"{GRAPH}/{PAGE_ID}/messages", method="POST",
        json={"recipient": {"comment_id": COMMENT_ID}, "message": {"text": "Send meg kundenummeret ditt her.\n– Kari"}},
    ).respond_with_json({"recipient_id": "PSID-1", "message_id": "m_private_1"})
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {
        "text": "Send meg kundenummeret ditt her.", "visibility": "private"}, headers=HTMX)
    assert response.status_code == 200
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    assert (reply.is_public, reply.external_id) == (False, "m_private_1")


# -- move to private -----------------------------------------------------------------------------------------------

def test_it_moves_the_customer_to_private_with_a_signed_note_in_one_action(personas: Personas,
                                                                            httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    note = move_to_private_note("nb")
    httpserver.expect_ordered_request(
        f"{GRAPH}/{PAGE_ID}/messages", method="POST",
        json={"recipient": {"comment_id": COMMENT_ID},
              "message": {"text": "Hei! Hva er kundenummeret ditt?\n– Kari"}},
    ).respond_with_json({"recipient_id": "PSID-1", "message_id": "m_private_1"})
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST",
                                      json={"message": f"{note}\n– Kari"}).respond_with_json({"id": "c_note_1"})
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/move-to-private/", {
        "private_text": "Hei! Hva er kundenummeret ditt?", "public_note": note}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    assert send_due().sent == 2
    httpserver.check_assertions()
    sent = list(Message.objects.filter(ticket=ticket, direction="outbound").order_by("id")
                .values_list("is_public", "external_id", "delivery_status"))
    assert sent == [(False, "m_private_1", "sent"), (True, "c_note_1", "sent")]


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"private_text": "  ", "public_note": "Vi har sendt deg en melding."}, "move-private-error",
     "Write the private message to send."),
    ({"private_text": "Hei!", "public_note": " "}, "move-note-error", "the public note needs text"),
    ({"private_text": "Hei {customer_first_name}!", "public_note": "Se innboksen."}, "move-private-error",
     "fill in {customer_first_name}"),
])
def test_it_refuses_an_incomplete_move_next_to_the_field_and_keeps_the_text(
    personas: Personas, data: dict[str, str], field_id: str, message: str
) -> None:
    ticket = facebook_ticket(personas)
    ticket.customer.identities.update(display_name="")
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/move-to-private/", data, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 422
    assert f'id="{field_id}" role="alert">{message}' in page.replace("&#x27;", "'")
    assert '<details class="move-private" id="move-private" open>' in page
    assert data["private_text"].strip() in page and data["public_note"].strip() in page
    assert not Message.objects.filter(direction="outbound").exists()
    assert not OutboundJob.objects.exists()


# -- delivery states and retry ---------------------------------------------------------------------------------

def test_it_shows_a_failed_send_with_the_platforms_words_and_retries_it(personas: Personas, httpserver: HTTPServer,
                                                                        settings: Any) -> None:
    settings.WEBCARE_SEND_ATTEMPTS = 1  # the first 500 is final, so the agent sees the failure at once
    ticket = facebook_ticket(personas, httpserver)
    path = f"{GRAPH}/{COMMENT_ID}/comments"
    body = {"message": "Vi ser på det.\n– Kari"}
    httpserver.expect_ordered_request(path, method="POST", json=body).respond_with_json(
        graph_error("An unexpected error has occurred. Please retry your request later."), status=500)
    httpserver.expect_ordered_request(path, method="POST", json=body).respond_with_json({"id": "c_reply_2"})
    agent = client_for(personas.agent)
    agent.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Vi ser på det."}, headers=HTMX)
    assert send_due().failed == 1
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    page = pane(personas.agent, ticket)
    assert "delivery-failed" in page and "Not sent to Facebook." in page
    assert "An unexpected error has occurred. Please retry your request later." in page
    assert f'id="retry-{reply.pk}"' in page

    response = agent.post(f"/inbox/tickets/{ticket.pk}/messages/{reply.pk}/retry/", headers=HTMX)
    assert response.status_code == 200
    assert "delivery-queued" in response.content.decode()
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.delivery_error, reply.external_id) == ("sent", "", "c_reply_2")
    assert f'id="retry-{reply.pk}"' not in pane(personas.agent, ticket)


def test_it_says_an_uncertain_send_may_be_posted_and_offers_retry(personas: Personas, httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    # Meta took the request but answered without the new comment's id: it may well be posted.
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST").respond_with_json({})
    client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Vi ser på det."}, headers=HTMX)
    assert send_due().uncertain == 1
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    page = pane(personas.agent, ticket)
    assert "maybe posted" in page
    assert "May have been posted — check on Facebook, and retry only if it is not there." in page
    assert f'id="retry-{reply.pk}"' in page


def test_it_refuses_to_retry_a_sent_message_next_to_it(personas: Personas, httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST").respond_with_json({"id": "c1"})
    agent = client_for(personas.agent)
    agent.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Vi ser på det."}, headers=HTMX)
    send_due()
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    response = agent.post(f"/inbox/tickets/{ticket.pk}/messages/{reply.pk}/retry/", headers=HTMX)
    assert response.status_code == 422
    assert "only a failed or uncertain message can be retried; this one is sent" in response.content.decode()
    assert OutboundJob.objects.get().status == JobStatus.SENT


# -- moderation ------------------------------------------------------------------------------------------------------

def test_it_hides_likes_and_unhides_a_comment_on_the_platform(personas: Personas, httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    url = f"/inbox/tickets/{ticket.pk}/messages/{comment.pk}/moderate/"
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST",
                                      json={"is_hidden": True}).respond_with_json({"success": True})
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/likes", method="POST").respond_with_json(
        {"success": True})
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST",
                                      json={"is_hidden": False}).respond_with_json({"success": True})
    agent = client_for(personas.agent)

    response = agent.post(url, {"action": "hide"}, headers=HTMX)
    assert "Hiding on Facebook…" in response.content.decode()
    agent.post(url, {"action": "like"}, headers=HTMX)
    assert send_due().sent == 2
    page = pane(personas.agent, ticket)
    assert "hidden on Facebook" in page and ">Unhide<" in page and ">liked<" in page and ">Like<" not in page

    agent.post(url, {"action": "unhide"}, headers=HTMX)
    assert send_due().sent == 1
    httpserver.check_assertions()
    comment.refresh_from_db()
    assert comment.hidden is False
    assert ">Hide<" in pane(personas.agent, ticket)


def test_it_asks_before_deleting_a_comment_and_marks_it_deleted_by_the_team(personas: Personas,
                                                                             httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    url = f"/inbox/tickets/{ticket.pk}/messages/{comment.pk}/moderate/"
    agent = client_for(personas.agent)
    response = agent.post(url, {"action": "delete"}, headers=HTMX)
    assert response.status_code == 200
    assert "Delete this comment on Facebook? It is gone for everyone there, and it cannot be undone." in (
        response.content.decode().replace("&#x27;", "'"))
    assert not OutboundJob.objects.exists()  # only asked

    # Without JavaScript the question comes on the full page.
    response = agent.post(url, {"action": "delete"})
    assert response.status_code == 302
    assert "Delete this comment on Facebook?" in agent.get(response["Location"]).content.decode()
    assert not OutboundJob.objects.exists()

    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="DELETE").respond_with_json({"success": True})
    agent.post(url, {"action": "delete", "confirm": "1"}, headers=HTMX)
    assert send_due().sent == 1
    httpserver.check_assertions()
    page = pane(personas.agent, ticket)
    assert "deleted on Facebook by your team" in page
    assert f'/messages/{comment.pk}/moderate/' not in page


def test_it_shows_why_a_moderation_failed_on_the_message(personas: Personas, httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST").respond_with_json(
        graph_error("(#200) The page does not have pages_manage_engagement", code=200), status=403)
    client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/messages/{comment.pk}/moderate/",
                                    {"action": "hide"}, headers=HTMX)
    assert send_due().failed == 1
    page = pane(personas.agent, ticket)
    assert "Could not hide it on Facebook:" in page and "pages_manage_engagement" in page
    assert ">Hide<" in page  # the agent can try again once the permission is there


def test_it_refuses_an_unknown_moderation_next_to_the_message(personas: Personas) -> None:
    ticket = facebook_ticket(personas)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/messages/{comment.pk}/moderate/",
                                               {"action": "ban"}, headers=HTMX)
    assert response.status_code == 422
    assert "Choose hide, unhide, delete or like." in response.content.decode()
    assert not OutboundJob.objects.exists()


def test_it_marks_edited_and_deleted_comments_and_masks_the_earlier_text(personas: Personas) -> None:
    channel = facebook_channel(personas)
    deliver(channel, comment_delivery("Hei! Ring meg på 912 34 567, fakturaen er feil."))
    deliver(channel, comment_delivery("Hei! Fakturaen er feil.", verb="edited"))
    ticket = Ticket.objects.get(conversation__channel=channel)
    page = pane(personas.agent, ticket)
    assert "show the earlier text" in page
    assert "912 34 567" not in page  # the earlier text went through the same masking
    assert 'class="pii-chip"' in page

    deliver(channel, comment_delivery("", verb="remove"))
    page = pane(personas.agent, ticket)
    assert "deleted by the customer" in page
    assert f'/messages/{Message.objects.get(direction="inbound").pk}/moderate/' not in page


def test_it_speaks_the_agents_language(personas: Personas, httpserver: HTTPServer, settings: Any) -> None:
    settings.WEBCARE_SEND_ATTEMPTS = 1
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST").respond_with_json(
        graph_error("Service temporarily unavailable"), status=503)
    agent = client_for(personas.agent)
    agent.post("/inbox/language/", {"language": "nb"})
    agent.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Vi ser på det."}, headers=HTMX)
    send_due()
    page = agent.get(f"/inbox/tickets/{ticket.pk}/", headers=HTMX).content.decode()
    for words in ("Offentlig svar i tråden", "Privat melding på Facebook til den som skrev", "Flytt til privat",
                  "Ikke sendt til Facebook.", "Prøv igjen", ">Skjul<", ">Slett…<"):
        assert words in page, words


# -- permissions and scope -------------------------------------------------------------------------------------

def test_it_lets_analysts_see_but_not_retry_moderate_or_move(personas: Personas, httpserver: HTTPServer,
                                                             settings: Any) -> None:
    settings.WEBCARE_SEND_ATTEMPTS = 1
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST").respond_with_json(
        graph_error("Service temporarily unavailable"), status=503)
    client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Vi ser på det."}, headers=HTMX)
    send_due()
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    page = pane(personas.analyst, ticket)
    assert "Service temporarily unavailable" in page  # they see what happened …
    assert "/retry/" not in page and "/moderate/" not in page and "Move to private" not in page  # … not the buttons
    analyst = client_for(personas.analyst)
    base = f"/inbox/tickets/{ticket.pk}"
    assert analyst.post(f"{base}/messages/{reply.pk}/retry/", headers=HTMX).status_code == 403
    assert analyst.post(f"{base}/messages/{comment.pk}/moderate/", {"action": "hide"}, headers=HTMX).status_code == 403
    assert analyst.post(f"{base}/move-to-private/", {"private_text": "x", "public_note": "y"},
                        headers=HTMX).status_code == 403
    assert OutboundJob.objects.get().status == JobStatus.FAILED
    assert OutboundJob.objects.count() == 1


def test_it_answers_404_for_another_organisations_or_another_tickets_message(personas: Personas) -> None:
    ticket = facebook_ticket(personas)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    outsider = client_for(personas.outsider)
    assert outsider.post(f"/inbox/tickets/{ticket.pk}/messages/{comment.pk}/moderate/", {"action": "hide"},
                         headers=HTMX).status_code == 404
    receive(personas.channel, {"message_id": "other-1", "conversation_id": "other", "conversation_kind": "private",
                               "author": {"id": "u-9"},
                               "text": "Hei", "sent_at": timezone.now().isoformat()}, external_id="other-1")
    drain()
    other = Ticket.objects.get(conversation__external_id="other")
    assert client_for(personas.agent).post(f"/inbox/tickets/{other.pk}/messages/{comment.pk}/moderate/",
                                           {"action": "hide"}, headers=HTMX).status_code == 404
    assert not OutboundJob.objects.exists()


# -- WhatsApp: the 24-hour window and approved templates ---------------------------------------------------------

TEMPLATES = [
    {"name": "case_update", "language": "nb",
     "body": "Hei {{1}}! Saken din {{2}} er oppdatert. Svar her for å fortsette."},
    {"name": "follow_up", "language": "nb", "body": "Hei! Vi har et svar til deg. Svar på denne meldingen."},
]


def whatsapp_ticket(personas: Personas, hours_ago: float, httpserver: HTTPServer | None = None,
                    templates: list[dict[str, str]] | None = None) -> Ticket:
    settings: dict[str, Any] = {"phone_number_id": "106540352242922", "templates": TEMPLATES
                                if templates is None else templates}
    if httpserver is not None:
        settings["api_base_url"] = httpserver.url_for("").rstrip("/")
    channel = Channel(organisation=personas.org, kind="whatsapp", slug="whatsapp", name="WhatsApp", settings=settings)
    channel.set_credentials({"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    sent_at = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
    receive(channel, {"message_id": "wamid.1", "conversation_id": "4791234567", "conversation_kind": "private",
                      "author": {
        "id": "4791234567", "handle": "+4791234567", "name": "Kari"}, "text": "Hei, når kommer teknikeren?",
        "sent_at": sent_at}, external_id="wamid.1")
    drain()
    return Ticket.objects.get(conversation__channel=channel)


def test_it_offers_free_text_inside_the_whatsapp_window_and_says_how_long(personas: Personas) -> None:
    page = pane(personas.agent, whatsapp_ticket(personas, hours_ago=2))
    assert 'id="reply-text"' in page
    assert "WhatsApp allows free replies for 21 h" in page
    assert 'name="template"' not in page
    assert 'name="visibility"' not in page and "Move to private" not in page  # a private thread


def test_it_offers_only_the_template_picker_outside_the_window(personas: Personas) -> None:
    page = pane(personas.agent, whatsapp_ticket(personas, hours_ago=30))
    assert 'id="window-note" role="note"' in page and "only an approved template" in page
    assert 'id="reply-text"' not in page
    assert '<option value="case_update:nb" data-body="Hei {{1}}! Saken din {{2}} er oppdatert.' in page
    assert 'id="template-values"' in page


def test_it_says_so_when_no_templates_are_set_up(personas: Personas) -> None:
    page = pane(personas.agent, whatsapp_ticket(personas, hours_ago=30, templates=[]))
    assert "No approved templates are set up for this channel" in page.replace("&#x27;", "'")
    assert 'id="send-reply"' not in page


def test_it_refuses_free_text_outside_the_window_next_to_the_template_picker(personas: Personas) -> None:
    ticket = whatsapp_ticket(personas, hours_ago=30)
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei!"}, headers=HTMX)
    assert response.status_code == 422
    assert 'id="template-error" role="alert">' in response.content.decode()
    assert not Message.objects.filter(direction="outbound").exists()


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"template": "nope:nb"}, "template-error", "Choose one of the channel&#x27;s approved templates."),
    ({"template": "case_update:nb", "template_values": "Kari"}, "template-values-error",
     "The template case_update needs 2 value(s), one per line; 1 given."),
])
def test_it_refuses_an_incomplete_template_next_to_the_field(personas: Personas, data: dict[str, str],
                                                              field_id: str, message: str) -> None:
    ticket = whatsapp_ticket(personas, hours_ago=30)
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", data, headers=HTMX)
    assert response.status_code == 422
    assert f'id="{field_id}" role="alert">{message}' in response.content.decode()
    assert not OutboundJob.objects.exists()


def test_it_sends_the_chosen_template_filled_in_and_shows_what_the_customer_reads(personas: Personas,
                                                                                  httpserver: HTTPServer) -> None:
    ticket = whatsapp_ticket(personas, hours_ago=30, httpserver=httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/106540352242922/messages", method="POST", json={
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "4791234567", "type": "template",
        "template": {"name": "case_update", "language": {"code": "nb"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Kari"}, {"type": "text", "text": "#4411"}]}]},
    }).respond_with_json({"messaging_product": "whatsapp", "contacts": [{"input": "4791234567", "wa_id": "4791234567"}],
                          "messages": [{"id": "wamid.reply1"}]})
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/", {
        "template": "case_update:nb", "template_values": "Kari\n#4411\n"}, headers=HTMX)
    assert response.status_code == 200
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply = Message.objects.get(ticket=ticket, direction="outbound")
    # The thread shows what the customer read: the approved text, filled in and not signed.
    assert reply.text == "Hei Kari! Saken din #4411 er oppdatert. Svar her for å fortsette."
    assert reply.external_id == "wamid.reply1"
