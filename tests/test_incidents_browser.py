"""An incident in a real browser (Playwright driving Debian's headless Chromium): a supervisor opens it, reads what
customers write, previews the reply to everyone affected and sends it; axe's WCAG 2.1 AA rules on the page before
and after. The screenshot ``incident`` goes to ``test-artifacts/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.test_accessibility import violations
from webcare.conversations.models import Direction, Message
from webcare.core.models import Channel
from webcare.incidents import watch
from webcare.incidents.choir import GroupView
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CUSTOMERS = [
    ("x", "Ingrid Berg", "Nettet er nede i Bergen sentrum, ruteren blinker rødt med E431. Når er det fikset?", True,
     "nb"),
    ("x", "Magnus Dahl", "Fiberen er borte i hele Bergen? Ruteren min sier E431", True, "nb"),
    ("facebook", "Freja Holm", "Internettet er nede i Bergen, routeren viser fejlkode E431", True, "da"),
    ("email", "Erik Lund", "Hej! Internet ligger nere i Bergen, routern visar felkod E431. Vad händer?", False, "sv"),
    ("facebook", "Grace Moe", "No internet in Bergen, my router shows error E431. Any ETA?", True, "en"),
]


def an_outage(personas: Personas) -> Any:
    org = personas.org
    org.languages = ["nb", "da", "sv", "en"]
    org.save()
    channels = {kind: Channel.objects.create(organisation=org, kind=kind, slug=kind, name=name,
                                             settings={"simulate": True})
                for kind, name in (("x", "@fjordnett on X"), ("facebook", "Fjordnett on Facebook"),
                                   ("email", "kundeservice@fjordnett.example"))}
    now = timezone.now()
    for n, (kind, name, text, public, _) in enumerate(CUSTOMERS):
        receive(channels[kind], {
            "message_id": f"m{n}", "conversation_id": f"c{n}", "conversation_kind": "public" if public else "private",
            "author": {"id": f"u{n}", "handle": f"@u{n}", "name": name}, "text": text,
            "sent_at": (now - timedelta(minutes=14 - 3 * n)).isoformat()}, external_id=f"m{n}")
    drain()
    for n, (*_, language) in enumerate(CUSTOMERS):
        Ticket.objects.filter(conversation__external_id=f"c{n}").update(language=language, register="",
                                                                       team=personas.team)
    messages = tuple(Message.objects.filter(direction=Direction.INBOUND).order_by("sent_at")
                     .values_list("pk", flat=True))
    view = GroupView(1, messages, now - timedelta(minutes=14), ("E431", "Bergen", "ruter"), ("nb", "da", "sv", "en"),
                     ("x", "facebook", "email"), 21.4, 0.6)
    return watch.open_incident(org.pk, view, now)


def test_a_supervisor_answers_everyone_affected_from_the_incident(browser: Any, live_server: Any,
                                                                  personas: Personas) -> None:
    incident = an_outage(personas)
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/incidents/")
    assert violations(page) == []
    page.get_by_role("link", name=incident.title).click()
    page.get_by_role("heading", name="Reply to everyone affected").wait_for()
    assert page.locator(".example-channel").count() == 3
    assert violations(page) == []

    page.get_by_role("button", name="Preview").first.click()
    page.locator("#reply-summary").wait_for()
    assert "This goes to 5 customers" in page.locator("#reply-summary").inner_text()
    assert page.locator("#reply-sample-da-informal").inner_text().startswith("Hej Freja,")
    assert violations(page) == []
    screenshot(page, "incident", full_page=True)

    page.locator("#reply-send").click()
    page.locator("#reply-all-done").wait_for()
    assert page.locator("#reply-all-done").inner_text().startswith("Sent to 5 customers.")
    assert violations(page) == []
    sent = Message.objects.filter(direction=Direction.OUTBOUND).order_by("ticket_id")
    assert sent.count() == 5
    assert {m.text.splitlines()[-1] for m in sent} == {"– Sunniva"}
