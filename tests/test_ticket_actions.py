"""The ticket actions (``webcare.tickets.actions``): what each changes, what it refuses, and the timeline it writes."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import Personas, inbound_payload, make_user
from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.models import Channel, Role, Team
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.tickets.actions import ActionError, do_add_note, do_change_ticket, do_link, do_reply
from webcare.tickets.models import EventKind, Label, Note, Status, Ticket, TicketEvent, TicketLink


def ingest(channel: Channel, *payloads: dict[str, Any]) -> None:
    """Deliver messages the way the API does (stored raw, then processed by the worker)."""
    for payload in payloads:
        receive(channel, payload, external_id=payload["message_id"])
    drain()


def make_ticket(channel: Channel, conversation: str = "c-1", n: int = 1, **overrides: Any) -> Ticket:
    ingest(channel, inbound_payload(n, conversation=conversation, **overrides))
    return Ticket.objects.get(conversation__channel=channel, conversation__external_id=conversation,
                              status__in=[s for s in Status.values if s != Status.CLOSED])


def events_of(ticket: Ticket, *kinds: str) -> list[tuple[str, str, str, str]]:
    rows = TicketEvent.objects.filter(ticket=ticket).exclude(kind=EventKind.CREATED)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return [(e.kind, e.field, e.old, e.new) for e in rows.order_by("at", "id")]


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    return make_ticket(personas.channel)


# --- do_change_ticket ---------------------------------------------------------------------------------------------


def test_it_changes_several_fields_in_one_call_with_one_event_each(personas: Personas, ticket: Ticket) -> None:
    events = do_change_ticket(ticket, personas.supervisor, status="open", assignee=personas.agent, team=personas.team,
                              priority=1)
    assert len(events) == 4
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.team_id, ticket.priority) == (
        "open", personas.agent.pk, personas.team.pk, 1)
    assert events_of(ticket) == [
        ("status", "status", "new", "open"),
        ("assignee", "assignee", "", "kari"),
        ("team", "team", "", "customer-service"),
        ("priority", "priority", "3", "1"),
    ]
    assert set(TicketEvent.objects.filter(ticket=ticket).exclude(kind="created").values_list("actor", flat=True)) == {
        personas.supervisor.pk}


def test_it_updates_the_callers_instance_and_updated_at(personas: Personas, ticket: Ticket) -> None:
    before = ticket.updated_at
    do_change_ticket(ticket, None, priority=2)
    assert ticket.priority == 2
    assert ticket.updated_at > before


def test_it_writes_label_added_and_removed_rows_and_creates_missing_labels(personas: Personas,
                                                                           ticket: Ticket) -> None:
    do_change_ticket(ticket, None, labels=["billing", "vip"])
    assert set(Label.objects.filter(organisation=personas.org).values_list("name", flat=True)) == {"billing", "vip"}
    do_change_ticket(ticket, None, labels=["vip", "  churn  ", "vip"])
    assert sorted(ticket.labels.values_list("name", flat=True)) == ["churn", "vip"]
    assert events_of(ticket) == [
        ("label_added", "labels", "", "billing"),
        ("label_added", "labels", "", "vip"),
        ("label_removed", "labels", "billing", ""),
        ("label_added", "labels", "", "churn"),
    ]


def test_it_reuses_the_organisations_label_and_never_another_organisations(personas: Personas,
                                                                           ticket: Ticket) -> None:
    mine = Label.objects.create(organisation=personas.org, name="billing")
    Label.objects.create(organisation=personas.other_org, name="vip")
    do_change_ticket(ticket, None, labels=["billing", "vip"])
    labels = {label.name: label for label in ticket.labels.all()}
    assert labels["billing"].pk == mine.pk
    assert labels["vip"].organisation_id == personas.org.pk


def test_it_writes_nothing_when_every_value_is_already_set(personas: Personas, ticket: Ticket) -> None:
    updated = ticket.updated_at
    assert do_change_ticket(ticket, None, status="new", priority=3, assignee=None, team=None, labels=[]) == []
    ticket.refresh_from_db()
    assert ticket.updated_at == updated
    assert events_of(ticket) == []


def test_it_unassigns_and_clears_the_team_with_none(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, assignee=personas.agent, team=personas.team)
    do_change_ticket(ticket, None, assignee=None, team=None)
    ticket.refresh_from_db()
    assert ticket.assignee_id is None and ticket.team_id is None
    assert events_of(ticket)[-2:] == [("assignee", "assignee", "kari", ""), ("team", "team", "customer-service", "")]


def test_it_sets_solved_at_when_solved_and_clears_it_when_reopened(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, status="solved")
    assert ticket.solved_at is not None
    do_change_ticket(ticket, None, status="open")
    assert ticket.solved_at is None
    do_change_ticket(ticket, None, status="closed")
    assert ticket.closed_at is not None and ticket.solved_at is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "archived"}, "status", "unknown status"),
        ({"status": "new"}, "status", "cannot go from open to new"),
        ({"priority": 7}, "priority", "unknown priority"),
        ({"labels": [""]}, "labels", "cannot be empty"),
        ({"labels": ["x" * 65]}, "labels", "at most 64"),
        ({"labels": "billing"}, "labels", "list of label names"),
    ],
)
def test_it_refuses_invalid_values_naming_the_field(personas: Personas, ticket: Ticket, changes: dict[str, Any],
                                                    field: str, message: str) -> None:
    do_change_ticket(ticket, None, status="open")
    with pytest.raises(ActionError) as caught:
        do_change_ticket(ticket, None, **changes)
    assert caught.value.field == field
    assert message in caught.value.message


def test_it_refuses_an_assignee_who_is_not_an_agent_of_the_organisation(personas: Personas, ticket: Ticket) -> None:
    with pytest.raises(ActionError) as caught:
        do_change_ticket(ticket, None, assignee=personas.outsider)
    assert caught.value.field == "assignee"


def test_it_refuses_an_analyst_or_a_deactivated_agent_as_assignee(personas: Personas, ticket: Ticket) -> None:
    with pytest.raises(ActionError, match="analyst"):
        do_change_ticket(ticket, None, assignee=personas.analyst)
    gone = make_user("gone", personas.org, Role.AGENT)
    gone.is_active = False
    gone.save()
    with pytest.raises(ActionError, match="deactivated"):
        do_change_ticket(ticket, None, assignee=gone)


def test_it_refuses_a_team_of_another_organisation(personas: Personas, ticket: Ticket) -> None:
    foreign = Team.objects.create(organisation=personas.other_org, slug="sales", name="Sales")
    with pytest.raises(ActionError) as caught:
        do_change_ticket(ticket, None, team=foreign)
    assert caught.value.field == "team"


def test_it_changes_nothing_when_one_requested_change_is_invalid(personas: Personas, ticket: Ticket) -> None:
    foreign = Team.objects.create(organisation=personas.other_org, slug="sales", name="Sales")
    with pytest.raises(ActionError):
        do_change_ticket(ticket, None, status="open", priority=1, labels=["a"], team=foreign)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.team_id) == ("new", 3, None)
    assert not ticket.labels.exists()
    assert events_of(ticket) == []
    assert not Label.objects.exists()


def test_it_refuses_to_change_a_closed_ticket(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, status="closed")
    with pytest.raises(ActionError, match="closed"):
        do_change_ticket(ticket, None, labels=["late"])
    with pytest.raises(ActionError, match="from closed to open"):
        do_change_ticket(ticket, None, status="open")
    # Repeating what is already true is not a change, so a retried request does not fail.
    assert do_change_ticket(ticket, None, status="closed") == []


# --- do_reply -----------------------------------------------------------------------------------------------------


def test_it_replies_with_a_sent_message_on_an_api_channel_and_the_ticket_then_waits_on_the_customer(
        personas: Personas, ticket: Ticket) -> None:
    message = do_reply(ticket, personas.agent, "  Vi ser på det!  ")
    assert (message.direction, message.delivery_status, message.external_id) == ("outbound", "sent", None)
    assert message.text == "Vi ser på det!"
    assert message.is_public is False
    assert message.author_agent_id == personas.agent.pk
    assert message.author_name == "Kari"
    assert message.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert ticket.waiting_since is None
    assert ticket.first_response_at == message.sent_at == ticket.last_response_at
    assert events_of(ticket) == [("reply", "message", "", str(message.pk)), ("status", "status", "new", "pending")]
    assert Conversation.objects.get(pk=ticket.conversation_id).last_message_at == message.sent_at


def test_it_queues_a_reply_on_a_platform_channel(personas: Personas) -> None:
    x = Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="@fjordnett")
    ticket = make_ticket(x, conversation="tweet-1", conversation_kind="public")
    message = do_reply(ticket, None, "Hei!")
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert message.is_public is True  # a public thread's reply defaults to public
    assert message.author_name == "@fjordnett"
    assert do_reply(ticket, None, "Send oss en DM", public=False).is_public is False


def test_it_refuses_a_public_reply_on_a_private_conversation(personas: Personas, ticket: Ticket) -> None:
    with pytest.raises(ActionError) as caught:
        do_reply(ticket, None, "Hei", public=True)
    assert caught.value.field == "public"
    assert not Message.objects.filter(direction="outbound").exists()


def test_it_moves_a_solved_ticket_back_to_pending_when_replying(personas: Personas, ticket: Ticket) -> None:
    """Decided behaviour: a reply on a solved ticket is allowed and, like any reply, leaves the ticket waiting on the
    customer (pending), so the answer the reply invites is expected; the agent can keep it solved explicitly."""
    do_change_ticket(ticket, None, status="solved")
    do_reply(ticket, None, "Glemte å si: fakturaen er kreditert.")
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert ticket.solved_at is None
    assert events_of(ticket, "status")[-1] == ("status", "status", "solved", "pending")


def test_it_keeps_a_solved_ticket_solved_when_the_reply_says_so(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, status="solved")
    solved_at = ticket.solved_at
    do_reply(ticket, None, "Takk for praten!", next_status="solved")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved_at) == ("solved", solved_at)


def test_it_keeps_the_status_when_next_status_is_none(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, status="on_hold")
    do_reply(ticket, None, "Vi venter på leverandøren.", next_status=None)
    ticket.refresh_from_db()
    assert ticket.status == "on_hold"


def test_it_refuses_to_reply_on_a_closed_ticket_or_with_an_invalid_status(personas: Personas, ticket: Ticket) -> None:
    with pytest.raises(ActionError) as caught:
        do_reply(ticket, None, "Hei", next_status="archived")
    assert caught.value.field == "status"
    do_change_ticket(ticket, None, status="closed")
    with pytest.raises(ActionError) as caught:
        do_reply(ticket, None, "Hei")
    assert caught.value.field == "ticket"
    assert not Message.objects.filter(direction="outbound").exists()


def test_it_refuses_an_empty_reply(personas: Personas, ticket: Ticket) -> None:
    with pytest.raises(ActionError) as caught:
        do_reply(ticket, None, "   \n")
    assert caught.value.field == "text"


def test_a_reply_is_answered_by_the_next_inbound_message(personas: Personas, ticket: Ticket) -> None:
    do_reply(ticket, None, "Hva er kundenummeret ditt?")
    ingest(personas.channel, inbound_payload(2, sent_at=timezone.now().isoformat()))
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.waiting_since is not None


# --- notes and links ----------------------------------------------------------------------------------------------


def test_it_adds_a_note_with_a_timeline_row_even_on_a_closed_ticket(personas: Personas, ticket: Ticket) -> None:
    do_change_ticket(ticket, None, status="closed")
    note = do_add_note(ticket, personas.agent, "Kunden ringte også.")
    assert Note.objects.get().text == "Kunden ringte også."
    assert events_of(ticket, "note") == [("note", "note", "", str(note.pk))]
    with pytest.raises(ActionError):
        do_add_note(ticket, None, " ")


def test_it_links_two_tickets_of_one_organisation(personas: Personas, ticket: Ticket) -> None:
    other = make_ticket(personas.channel, conversation="c-2", n=2)
    link = do_link(ticket, other, "duplicate", personas.agent)
    assert (link.from_ticket_id, link.to_ticket_id, link.kind) == (ticket.pk, other.pk, "duplicate")
    assert events_of(ticket, "linked") == [("linked", "duplicate", "", str(other.pk))]


def test_it_refuses_bad_links(personas: Personas, ticket: Ticket) -> None:
    other = make_ticket(personas.channel, conversation="c-2", n=2)
    foreign_channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    foreign = make_ticket(foreign_channel, conversation="c-9", n=9)
    with pytest.raises(ActionError, match="another organisation"):
        do_link(ticket, foreign, "related", None)
    with pytest.raises(ActionError, match="itself"):
        do_link(ticket, ticket, "related", None)
    with pytest.raises(ActionError) as caught:
        do_link(ticket, other, "sibling", None)
    assert caught.value.field == "kind"
    do_link(ticket, other, "related", None)
    with pytest.raises(ActionError, match="already linked"):
        do_link(ticket, other, "duplicate", None)
    assert TicketLink.objects.count() == 1


# --- concurrency --------------------------------------------------------------------------------------------------


def run_together(count: int, work: Any) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads started at once; returns what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_it_serialises_concurrent_changes_so_the_timeline_is_a_chain(personas: Personas) -> None:
    ticket = make_ticket(personas.channel)
    priorities = [1, 2, 4, 1, 2, 4]

    def work(i: int) -> None:
        do_change_ticket(Ticket.objects.get(pk=ticket.pk), None, priority=priorities[i], labels=[f"l{i}"])

    assert run_together(len(priorities), work) == []
    rows = list(TicketEvent.objects.filter(ticket=ticket, kind="priority").order_by("id"))
    # Each change saw the previous one: no two rows claim the same "old" value that was already overwritten.
    assert all(earlier.new == later.old for earlier, later in itertools.pairwise(rows))
    ticket.refresh_from_db()
    assert str(ticket.priority) == rows[-1].new
    assert ticket.labels.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_writes_one_reply_per_call_when_replies_race(personas: Personas) -> None:
    ticket = make_ticket(personas.channel)
    assert run_together(4, lambda i: do_reply(Ticket.objects.get(pk=ticket.pk), None, f"svar {i}")) == []
    assert Message.objects.filter(direction="outbound").count() == 4
    statuses = list(TicketEvent.objects.filter(ticket=ticket, kind="status").values_list("old", "new"))
    assert statuses == [("new", "pending")]
