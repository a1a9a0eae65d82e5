"""Replies through a real channel in a real browser: an agent answers a Facebook comment publicly, moves the customer
to a private message with the prepared note, sees that the public reply failed (Meta answered 500) with Meta's own
words and a Retry button, and retries it successfully; then hides the comment. The Graph API is a stub that checks
every request.

The screenshot ``inbox-delivery`` (test-artifacts/, copied to docs/img/ for docs/inbox.md) is taken here.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.test_accessibility import violations
from tests.test_inbox_outbound import COMMENT_ID, GRAPH, PAGE_ID, facebook_ticket, graph_error
from webcare.channels.notes import move_to_private_note
from webcare.channels.sender import send_due
from webcare.conversations.models import Message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PUBLIC = "Hei Kari! Beklager det doble trekket, vi ordner det."
PRIVATE = "Hei igjen! Kan du sende meg kundenummeret ditt her, så krediterer jeg det ene trekket?"
META_500 = "An unexpected error has occurred. Please retry your request later."


def test_it_answers_moves_to_private_and_retries_a_failed_reply(browser: Any, live_server: Any, personas: Personas,
                                                                httpserver: HTTPServer, settings: Any) -> None:
    settings.WEBCARE_SEND_ATTEMPTS = 1  # Meta's 500 is final at once, so the agent sees it
    ticket = facebook_ticket(personas, httpserver,
                             text="Hei! Fakturaen min for november er trukket to ganger. Kan dere se på det?")
    note = move_to_private_note("nb")
    comments, messages = f"{GRAPH}/{COMMENT_ID}/comments", f"{GRAPH}/{PAGE_ID}/messages"
    httpserver.expect_ordered_request(comments, method="POST", json={"message": f"{PUBLIC}\n– Kari"}
                                      ).respond_with_json(graph_error(META_500), status=500)
    httpserver.expect_ordered_request(messages, method="POST", json={
        "recipient": {"comment_id": COMMENT_ID}, "message": {"text": f"{PRIVATE}\n– Kari"}},
    ).respond_with_json({"recipient_id": "PSID-1", "message_id": "m_private_1"})
    httpserver.expect_ordered_request(comments, method="POST", json={"message": f"{note}\n– Kari"}
                                      ).respond_with_json({"id": "c_note_1"})
    httpserver.expect_ordered_request(comments, method="POST", json={"message": f"{PUBLIC}\n– Kari"}
                                      ).respond_with_json({"id": "c_reply_1"})
    httpserver.expect_ordered_request(f"{GRAPH}/{COMMENT_ID}", method="POST", json={"is_hidden": True}
                                      ).respond_with_json({"success": True})

    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    page.wait_for_function("window.webcareStream && window.webcareStream.readyState === 1")

    # A public comment gets a public reply by default.
    assert page.get_by_label("Public reply in the thread").is_checked()
    page.locator("#reply-text").fill(PUBLIC)
    page.locator("#send-reply").click()
    page.locator(".msg.outbound .delivery-queued").wait_for()

    # One action moves the customer to a private message, with the prepared note in their language.
    page.get_by_text("Move to private").click()
    assert page.get_by_label("Public note in the thread").input_value() == note
    page.get_by_label("Private message", exact=True).fill(PRIVATE)
    page.locator("#send-move-private").click()
    page.locator(".msg.outbound.private", has_text="kundenummeret").wait_for()

    # The sender runs: Meta refuses the public reply with a 500, takes the private message and the note.
    tally = send_due()
    assert (tally.failed, tally.sent) == (1, 2)
    reply = Message.objects.get(ticket=ticket, direction="outbound", redacted_text__startswith=PUBLIC)
    failed = page.locator(f"#msg-{reply.pk}")
    # The live updates bring each outcome, no reload.
    page.locator(".msg.outbound.private .delivery-sent").wait_for()
    page.locator(".msg.outbound.public", has_text=note).locator(".delivery-sent").wait_for()
    failed.locator(".delivery-problem").wait_for()
    assert META_500 in failed.locator(".platform-words").inner_text()
    assert failed.locator(".delivery-failed").inner_text() == "not delivered"
    # The picture: the list on "Waiting on customer", the thread from the customer's comment (with the moderation
    # buttons) down to the failed reply, the private message and the note.
    page.goto(f"{live_server.url}/inbox/?view=pending&ticket={ticket.pk}")
    comment = Message.objects.get(ticket=ticket, direction="inbound")
    page.locator(f"#msg-{comment.pk}").evaluate("element => element.scrollIntoView({block: 'start'})")
    screenshot(page, "inbox-delivery")
    failed = page.locator(f"#msg-{reply.pk}")
    assert violations(page) == []

    # Retry: queued again, and this time Meta takes it.
    page.locator(f"#retry-{reply.pk}").click()
    failed.locator(".delivery-queued").wait_for()
    assert send_due().sent == 1
    failed.locator(".delivery-sent").wait_for()
    assert failed.locator(".delivery-problem").count() == 0
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", "c_reply_1")

    # Moderation from the buttons under the comment: Delete… asks first (Cancel keeps it), Hide hides it on Facebook.
    comment_item = page.locator(f"#msg-{comment.pk}")
    comment_item.get_by_role("button", name="Delete…").click()
    comment_item.locator(".confirm-delete").wait_for()
    comment_item.get_by_role("button", name="Cancel").click()
    comment_item.locator(".confirm-delete").wait_for(state="detached")
    comment_item.get_by_role("button", name="Hide", exact=True).click()
    comment_item.get_by_text("Hiding on Facebook…").wait_for()
    assert send_due().sent == 1
    comment_item.locator(".marker-hidden").wait_for()
    assert comment_item.get_by_role("button", name="Unhide").is_visible()
    httpserver.check_assertions()
