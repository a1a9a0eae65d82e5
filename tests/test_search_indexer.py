"""The indexer keeps the search index in step with the database by following the change log (live.LiveEvent).

Real writers make the changes (ingestion, ticket actions, customer edits, message edits); the index only learns of
them through the log, so each test shows that a writer's change reaches search.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.conftest import inbound_payload, ingest_ticket
from tests.search_support import make_message
from webcare.customers.edit import do_edit_customer
from webcare.ingest.models import EventFormat
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.live import publish
from webcare.live.models import LiveEvent
from webcare.search import engine, indexer
from webcare.search.models import SearchCursor
from webcare.search.types import SearchQuery
from webcare.tickets.actions import do_change_ticket

#: The search fixtures (search_backend: each backend with a fresh index; tantivy_index).
pytest_plugins = ["tests.search_support"]


def find(org: Any, text: str = "", **kwargs: Any) -> Any:
    return engine.search(SearchQuery(organisation_id=org.pk, text=text, **kwargs))


def test_the_first_pass_builds_the_index_from_the_database(search_backend: str, personas: Any) -> None:
    ticket = ingest_ticket(personas, 1)
    counts = indexer.sync()
    assert counts.rebuilt and counts.documents == 1
    hit = find(personas.org, "fakturaen").hits[0]
    assert hit.ticket_id == ticket.pk
    assert indexer.sync().documents == 0  # nothing new since


def test_a_status_change_reaches_the_status_filter(search_backend: str, personas: Any) -> None:
    ticket = ingest_ticket(personas, 1)
    indexer.sync()
    assert find(personas.org, "faktura", statuses=("solved",)).total == 0
    do_change_ticket(ticket, personas.supervisor, status="solved")
    counts = indexer.sync()
    assert (counts.tickets, counts.documents) == (1, 1)
    assert find(personas.org, "faktura", statuses=("solved",)).total == 1
    assert find(personas.org, "faktura", statuses=("new", "open")).total == 0


def test_new_messages_and_a_redelivery_are_indexed_once(search_backend: str, personas: Any) -> None:
    ingest_ticket(personas, 1)
    indexer.sync()
    ingest_ticket(personas, 2)
    payload = inbound_payload(2)
    receive(personas.channel, payload, external_id="redelivered-2")  # the platform sends m-2 again
    drain()
    indexer.sync()
    indexer.reindex_tickets(list(personas.org.tickets.values_list("pk", flat=True)))  # and the same range again
    result = find(personas.org, "fakturaen")
    assert result.total == 2 and len({h.message_id for h in result.hits}) == 2


def test_an_edited_message_is_found_by_its_new_words_only(search_backend: str, personas: Any) -> None:
    ingest_ticket(personas, 1)
    indexer.sync()
    receive(personas.channel, {"message_id": "m-1", "change": "edited", "at": "2026-11-20T10:05:00+00:00",
                               "text": "Beklager, det gjaldt mobilabonnementet"},
            external_id="m-1:edit", fmt=EventFormat.UPDATE)
    drain()
    indexer.sync()
    assert find(personas.org, "mobilabonnementet").total == 1
    assert find(personas.org, "fakturaen").total == 0


def test_a_renamed_customer_is_found_by_the_new_name(search_backend: str, personas: Any) -> None:
    ticket = ingest_ticket(personas, 1)
    indexer.sync()
    do_edit_customer(ticket.customer, personas.agent, {"name": "Kari Fjellheim"})
    indexer.sync()
    assert find(personas.org, "Fjellheim").total == 1


def test_rebuilding_gives_the_same_index_as_following_the_changes(tantivy_index: str, personas: Any) -> None:
    org = personas.org
    indexer.sync()
    first = make_message(org, "Ruteren er død", language="nb", kind="x", sentiment="negative")
    indexer.sync()
    second = make_message(org, "Takk for hjelpen med ruteren", language="nb", intents=("praise",))
    do_change_ticket(first.ticket, personas.supervisor, status="pending", team=personas.team)
    indexer.sync()

    def snapshot() -> Any:
        result = find(org, "ruteren", limit=50)
        return ([(h.message_id, h.ticket_id, h.channel, h.snippet) for h in result.hits], result.total,
                result.facets)

    incremental = snapshot()
    assert {h[0] for h in incremental[0]} == {first.pk, second.pk}
    assert indexer.rebuild() == 2
    assert snapshot() == incremental


def test_a_change_log_pruned_past_the_cursor_triggers_a_rebuild(search_backend: str, personas: Any) -> None:
    indexer.sync()
    message = make_message(personas.org, "Strømbrudd på Voss", language="nb")
    cursor = SearchCursor.objects.get(backend=search_backend)
    SearchCursor.objects.filter(pk=cursor.pk).update(synced_at=timezone.now() - timedelta(hours=1))
    LiveEvent.objects.all().delete()  # the log was pruned while the indexer was stopped
    counts = indexer.sync()
    assert counts.rebuilt
    assert [h.message_id for h in find(personas.org, "strømbrudd").hits] == [message.pk]


def test_an_idle_cursor_whose_event_was_pruned_but_nothing_new_happened_does_not_rebuild(
        search_backend: str, personas: Any) -> None:
    make_message(personas.org, "Hei", language="nb")
    indexer.sync()
    LiveEvent.objects.all().delete()  # pruned after it was read, the indexer still in step
    assert not indexer.sync().rebuilt


def test_an_event_that_commits_late_below_the_cursor_is_still_read(search_backend: str, personas: Any) -> None:
    """On PostgreSQL an id is handed out at insert and seen at commit: 105 can be read before 104."""
    make_message(personas.org, "Hei", language="nb")
    indexer.sync()
    early = make_message(personas.org, "Først skrevet", language="nb")
    late_event = LiveEvent.objects.order_by("-pk").first()
    assert late_event is not None
    held = {"organisation_id": late_event.organisation_id, "kind": late_event.kind, "data": late_event.data}
    held_id = late_event.pk
    late_event.delete()  # not visible yet …
    make_message(personas.org, "Sist skrevet", language="nb")
    indexer.sync()
    cursor = SearchCursor.objects.get(backend=search_backend)
    assert str(held_id) in cursor.holes
    LiveEvent.objects.create(pk=held_id, **held)  # … now committed
    indexer.sync()
    assert [h.message_id for h in find(personas.org, "først").hits] == [early.pk]
    assert str(held_id) not in SearchCursor.objects.get(backend=search_backend).holes


def test_presence_events_are_read_past(search_backend: str, personas: Any) -> None:
    ticket = ingest_ticket(personas, 1)
    indexer.sync()
    publish.presence(personas.org.pk, ticket.pk, personas.agent, "typing")
    counts = indexer.sync()
    assert (counts.events, counts.tickets) == (1, 0)


def test_the_lag_counts_changes_not_yet_indexed(search_backend: str, personas: Any) -> None:
    indexer.sync()
    make_message(personas.org, "Hei", language="nb")
    waiting, seconds = indexer.lag()
    assert waiting == 1 and seconds is not None
    indexer.sync()
    assert indexer.lag() == (0, None)


class OnePass(threading.Event):
    """A stop signal that is set as soon as the loop waits: exactly one pass of :func:`indexer.follow`."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_the_follow_loop_indexes_and_keeps_the_writer_between_passes(tantivy_index: str, personas: Any) -> None:
    make_message(personas.org, "Fiberkabelen er kuttet", language="nb")
    indexer.follow(OnePass())
    assert find(personas.org, "fiberkabelen").total == 1
    store = engine.backend().store  # type: ignore[attr-defined]
    assert store.keep_writer and store._writer is not None


def test_pruning_keeps_the_events_the_indexer_has_not_read(search_backend: str, personas: Any) -> None:
    """The log is pruned every automation pass; an indexer that was stopped for a while must still find its changes
    there instead of rebuilding the whole index."""
    make_message(personas.org, "Hei", language="nb")
    indexer.sync()
    read = LiveEvent.objects.latest("pk").pk
    message = make_message(personas.org, "Strømbrudd på Voss", language="nb")
    unread = set(LiveEvent.objects.filter(pk__gt=read).values_list("pk", flat=True))
    assert unread
    LiveEvent.objects.update(created_at=timezone.now() - timedelta(hours=3))
    publish.prune()
    assert set(LiveEvent.objects.values_list("pk", flat=True)) == {read} | unread
    counts = indexer.sync()
    assert not counts.rebuilt
    assert [h.message_id for h in find(personas.org, "strømbrudd").hits] == [message.pk]
    assert publish.prune() == len(unread)  # all read now; the cursor's own event stays
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [max(unread)]


def test_events_unread_for_days_are_pruned_and_the_indexer_rebuilds(search_backend: str, personas: Any) -> None:
    indexer.sync()
    message = make_message(personas.org, "Strømbrudd på Voss", language="nb")
    LiveEvent.objects.update(created_at=timezone.now() - publish.KEEP_UNREAD - timedelta(hours=1))
    SearchCursor.objects.update(synced_at=timezone.now() - publish.KEEP_UNREAD - timedelta(hours=1))
    assert publish.prune() >= 1
    assert not LiveEvent.objects.exists()
    assert indexer.sync().rebuilt
    assert [h.message_id for h in find(personas.org, "strømbrudd").hits] == [message.pk]
