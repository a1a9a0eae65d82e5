"""The REST API on the channels' outbound side: retrying a failed reply, moderating a comment, and replying with an
approved WhatsApp template — each checked against a stub of the platform that expects the exact request."""

from __future__ import annotations

from typing import Any

from pytest_httpserver import HTTPServer

from tests.conftest import ApiClient, Personas, ingest_ticket
from tests.test_inbox_outbound import COMMENT_ID, GRAPH, facebook_ticket, graph_error, whatsapp_ticket
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.sender import send_due
from webcare.conversations.models import Message
from webcare.core.models import ApiToken


def _failed_reply(personas: Personas, api: ApiClient, httpserver: HTTPServer, settings: Any) -> Message:
    """A public reply to a Facebook comment that the Graph API refused with a 500 (the only try allowed)."""
    settings.WEBCARE_SEND_ATTEMPTS = 1
    ticket = facebook_ticket(personas, httpserver)
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST",
                                      json={"message": "Vi ser på det."}).respond_with_json(
        graph_error("An unexpected error has occurred. Please retry your request later."), status=500)
    response = api.post_json(f"/api/v1/tickets/{ticket.pk}/replies", {"text": "Vi ser på det."})
    assert response.status_code == 201
    assert response.json()["delivery_status"] == "queued"
    assert send_due().failed == 1
    return Message.objects.get(pk=response.json()["id"])


def test_it_retries_a_failed_reply_and_it_is_sent(personas: Personas, api: ApiClient, httpserver: HTTPServer,
                                                   settings: Any) -> None:
    reply = _failed_reply(personas, api, httpserver, settings)
    detail = api.get(f"/api/v1/tickets/{reply.ticket_id}").json()
    failed = next(m for m in detail["messages"] if m["id"] == reply.pk)
    assert failed["delivery_status"] == "failed"
    assert "An unexpected error has occurred" in failed["delivery_error"]

    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}/comments", method="POST",
                                      json={"message": "Vi ser på det."}).respond_with_json({"id": "c_2"})
    response = api.post(f"/api/v1/messages/{reply.pk}/retry")
    assert response.status_code == 202
    body = response.json()
    assert (body["action"], body["status"], body["message"]["delivery_status"]) == ("reply", "pending", "queued")
    assert send_due().sent == 1
    httpserver.check_assertions()
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", "c_2")


def test_it_refuses_to_retry_what_was_sent_or_never_sent(personas: Personas, api: ApiClient) -> None:
    ticket = ingest_ticket(personas, 1)
    inbound = Message.objects.get(ticket=ticket)
    response = api.post(f"/api/v1/messages/{inbound.pk}/retry")
    assert response.status_code == 400
    assert response.json()["fields"] == {"message": "only the brand's replies are sent, so only they can be retried"}
    # A reply on the api channel is sent at once: nothing was queued, so nothing can be retried.
    reply = api.post_json(f"/api/v1/tickets/{ticket.pk}/replies", {"text": "Hei!"}).json()
    response = api.post(f"/api/v1/messages/{reply['id']}/retry")
    assert response.status_code == 400
    assert response.json()["fields"] == {"message": "this message was never queued for sending"}
    assert not OutboundJob.objects.exists()


def test_it_hides_a_comment_and_the_message_says_so(personas: Personas, api: ApiClient,
                                                    httpserver: HTTPServer) -> None:
    ticket = facebook_ticket(personas, httpserver)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST",
                                      json={"is_hidden": True}).respond_with_json({"success": True})
    response = api.post_json(f"/api/v1/messages/{comment.pk}/moderate", {"action": "hide"})
    assert response.status_code == 202
    assert (response.json()["action"], response.json()["message"]["hidden"]) == ("hide", False)
    assert send_due().sent == 1
    httpserver.check_assertions()
    messages = api.get(f"/api/v1/conversations/{ticket.conversation_id}/messages").json()["items"]
    assert [m["hidden"] for m in messages if m["id"] == comment.pk] == [True]


def test_it_refuses_moderation_the_platform_or_the_message_cannot_take(personas: Personas, api: ApiClient) -> None:
    ticket = ingest_ticket(personas, 1)
    message = Message.objects.get(ticket=ticket)
    response = api.post_json(f"/api/v1/messages/{message.pk}/moderate", {"action": "ban"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["action"]
    response = api.post_json(f"/api/v1/messages/{message.pk}/moderate", {"action": "hide"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"action": "only public messages can be hidden"}
    response = api.post_json(f"/api/v1/messages/{message.pk}/moderate", {"action": "like"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"channel": "this channel has no connector"}
    assert not OutboundJob.objects.exists()


def test_it_hides_another_organisations_messages(personas: Personas, api: ApiClient) -> None:
    ticket = facebook_ticket(personas)
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    _, plain = ApiToken.issue(personas.other_org, "theirs")
    other = ApiClient(plain)
    assert other.post(f"/api/v1/messages/{comment.pk}/retry").status_code == 404
    assert other.post_json(f"/api/v1/messages/{comment.pk}/moderate", {"action": "hide"}).status_code == 404
    assert not OutboundJob.objects.exists()


def test_it_replies_with_an_approved_template_outside_the_whatsapp_window(personas: Personas, api: ApiClient,
                                                                         httpserver: HTTPServer) -> None:
    ticket = whatsapp_ticket(personas, hours_ago=30, httpserver=httpserver)
    response = api.post_json(f"/api/v1/tickets/{ticket.pk}/replies", {"text": "Hei!"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["template"]
    assert not Message.objects.filter(direction="outbound").exists()

    httpserver.expect_ordered_request(f"{GRAPH}/106540352242922/messages", method="POST", json={
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "4791234567", "type": "template",
        "template": {"name": "follow_up", "language": {"code": "nb"}},
    }).respond_with_json({"messages": [{"id": "wamid.api1"}]})
    response = api.post_json(f"/api/v1/tickets/{ticket.pk}/replies", {
        "text": "Hei! Vi har et svar til deg. Svar på denne meldingen.",
        "template": {"name": "follow_up", "language": "nb"}})
    assert response.status_code == 201
    assert send_due().sent == 1
    httpserver.check_assertions()
    assert OutboundJob.objects.get().request["template"] == {"name": "follow_up", "language": "nb", "parameters": []}
    assert OutboundJob.objects.get().status == JobStatus.SENT


def test_it_names_a_template_field_that_is_wrong(personas: Personas, api: ApiClient) -> None:
    ticket = whatsapp_ticket(personas, hours_ago=30)
    response = api.post_json(f"/api/v1/tickets/{ticket.pk}/replies", {"text": "Hei!", "template": {"name": "x"}})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["template.language"]
    assert not Message.objects.filter(direction="outbound").exists()
