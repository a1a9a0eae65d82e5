"""Live updates without a browser: the event stream, what publishes to it, presence, and the reply-collision guard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.conftest import Personas, client_for, ingest_ticket
from webcare.conversations.models import Message
from webcare.live import publish
from webcare.live.models import LiveEvent
from webcare.tickets.actions import do_change_ticket, do_reply


def read_stream(client: Client, after: int = 0) -> str:
    response = client.get(f"/inbox/events/?after={after}&max=0")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def test_it_publishes_one_event_per_ingested_batch_with_its_tickets(personas: Personas) -> None:
    first = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    events = list(LiveEvent.objects.filter(organisation=personas.org))
    assert len(events) == 1
    assert events[0].data["tickets"] == [first.pk]


def test_it_streams_an_agents_change_to_the_organisations_inboxes(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    mark = LiveEvent.objects.latest("id").pk
    do_change_ticket(ticket, personas.agent, assignee=personas.agent)
    body = read_stream(client_for(personas.supervisor), after=mark)
    assert "event: tickets" in body
    assert f'"tickets": [{ticket.pk}]' in body
    assert f'"actor": {personas.agent.pk}' in body
    assert read_stream(client_for(personas.outsider), after=0).strip() == "retry: 2000"


def test_it_resumes_after_the_last_event_id(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    last = LiveEvent.objects.latest("id").pk
    do_reply(ticket, personas.agent, "Hei! /Kari")
    client = client_for(personas.agent)
    response = client.get("/inbox/events/?max=0", headers={"Last-Event-ID": str(last)})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.count("event: tickets") == 1
    assert f"id: {last}\n" not in body


def test_it_shares_who_is_replying_and_refuses_unknown_states(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    kari = client_for(personas.agent)
    assert kari.post(f"/inbox/tickets/{ticket.pk}/presence/", {"state": "typing"}).status_code == 204
    event = LiveEvent.objects.filter(kind="presence").get()
    assert event.data == {"ticket": ticket.pk, "user": personas.agent.pk, "name": "Kari", "state": "typing"}
    response = kari.post(f"/inbox/tickets/{ticket.pk}/presence/", {"state": "dancing"})
    assert response.status_code == 400
    assert b"state must be one of" in response.content
    assert client_for(personas.outsider).post(f"/inbox/tickets/{ticket.pk}/presence/",
                                              {"state": "typing"}).status_code == 404
    assert LiveEvent.objects.filter(kind="presence").count() == 1


def test_typing_counts_as_touching_the_ticket_only_for_its_assignee(personas: Personas) -> None:
    """An assignee writing a long answer keeps the ticket (reclaiming looks at touched_at); a colleague who types in
    it does not touch it for them."""
    ticket = ingest_ticket(personas, 1)
    do_change_ticket(ticket, personas.supervisor, assignee=personas.agent)
    ticket.refresh_from_db()
    before = ticket.touched_at
    client_for(personas.supervisor).post(f"/inbox/tickets/{ticket.pk}/presence/", {"state": "typing"})
    ticket.refresh_from_db()
    assert ticket.touched_at == before
    client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/presence/", {"state": "viewing"})
    ticket.refresh_from_db()
    assert ticket.touched_at == before
    client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/presence/", {"state": "typing"})
    ticket.refresh_from_db()
    assert ticket.touched_at is not None and before is not None and ticket.touched_at > before


def test_it_warns_before_sending_when_someone_else_replied_meanwhile(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    seen = Message.objects.filter(ticket=ticket).latest("id").pk
    do_reply(ticket, personas.supervisor, "Hei! Vi ser på det. /Sunniva")
    kari = client_for(personas.agent)
    htmx = {"HX-Request": "true"}
    response = kari.post(f"/inbox/tickets/{ticket.pk}/reply/", {"text": "Hei fra Kari", "seen": seen}, headers=htmx)
    assert response.status_code == 409
    page = response.content.decode()
    assert "replied while you were writing" in page
    assert "Hei fra Kari" in page  # the draft is kept
    assert not Message.objects.filter(author_agent=personas.agent).exists()
    response = kari.post(f"/inbox/tickets/{ticket.pk}/reply/",
                         {"text": "Hei fra Kari", "seen": seen, "confirm": "1"}, headers=htmx)
    assert response.status_code == 200
    assert "Hei fra Kari" in [m.text for m in Message.objects.filter(author_agent=personas.agent)]


def test_it_sends_without_a_warning_when_nothing_new_arrived(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    do_reply(ticket, personas.agent, "Første svar. /Kari")
    seen = Message.objects.filter(ticket=ticket).latest("id").pk
    response = client_for(personas.agent).post(f"/inbox/tickets/{ticket.pk}/reply/",
                                               {"text": "Og en til", "seen": seen}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Message.objects.filter(author_agent=personas.agent).count() == 2


def test_it_prunes_old_events(personas: Personas) -> None:
    publish.tickets_changed(personas.org.pk, [1])
    LiveEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    publish.tickets_changed(personas.org.pk, [2])
    assert publish.prune() == 1
    assert LiveEvent.objects.get().data["tickets"] == [2]


def test_the_automation_loop_prunes_the_log(personas: Personas) -> None:
    """Every change writes a row: without a pass that prunes, the log would grow with everything the desk ever did."""
    from webcare.core import automation

    publish.tickets_changed(personas.org.pk, [1])
    LiveEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    publish.tickets_changed(personas.org.pk, [2])
    assert automation.run_once()["live.publish.prune"] == 1
    assert [event.data["tickets"] for event in LiveEvent.objects.all()] == [[2]]


def test_it_prunes_a_backlog_in_batches(personas: Personas, monkeypatch: Any) -> None:
    monkeypatch.setattr(publish, "PRUNE_BATCH", 3)
    for n in range(8):
        publish.tickets_changed(personas.org.pk, [n + 1])
    LiveEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert publish.prune() == 8
    assert not LiveEvent.objects.exists()
