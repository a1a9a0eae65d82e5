"""Erasure removes a person's documents from the search index (the hook in settings.WEBCARE_ERASURE_HOOKS).

On tantivy the deletion is queued in the erasure's transaction and every search leaves the queued ids out until the
indexer (or, after the commit, the erasing process itself) has deleted them; on PostgreSQL the rows go in the
erasure's transaction.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.conftest import ApiClient, Personas
from tests.gdpr_support import EMAIL, HANDLE, NAME, build_kari
from tests.search_support import make_message
from webcare.retention.redact import blank_message_bodies
from webcare.search import engine, hooks, indexer
from webcare.search.models import PendingErasure
from webcare.search.types import SearchQuery

#: The search fixtures (search_backend: each backend with a fresh index; tantivy_index).
pytest_plugins = ["tests.search_support"]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def total(org: Any, text: str) -> int:
    return engine.search(SearchQuery(organisation_id=org.pk, text=text)).total


def test_after_gdpr_erase_nothing_of_the_person_is_found(search_backend: str, personas: Personas, api: ApiClient,
                                                         media: Path) -> None:
    kari = build_kari(personas, api, media)
    indexer.sync()
    assert total(personas.org, "kvitteringen") == 1  # her e-mail
    assert total(personas.org, "venter fortsatt") == 1  # her chat
    assert total(personas.org, "fakturaen min er feil") >= 1  # her API message
    before_ola = total(personas.org, "ruteren")  # Ola's own message stays findable

    call_command("gdpr", "erase", EMAIL, "--org", "fjord", "--yes", stdout=io.StringIO())

    for text in ("kvitteringen", "venter fortsatt", "fakturaen min er feil"):
        assert total(personas.org, text) == 0, text
    assert not set(engine.ticket_ids(personas.org.pk, "fakturaen", None)) & set(kari.tickets)
    assert total(personas.org, "ruteren") == before_ola
    indexer.sync()  # the indexer applies the queued deletion (tantivy) and re-reads the blanked tickets
    assert not PendingErasure.objects.exists()
    for text in ("kvitteringen", "venter fortsatt", "fakturaen min er feil"):
        assert total(personas.org, text) == 0, text
    assert total(personas.org, "ruteren") == before_ola


def test_mentions_of_the_person_in_other_tickets_are_gone_after_the_next_pass(
        search_backend: str, personas: Personas, api: ApiClient, media: Path) -> None:
    """Ola's message names her handle and an agent's reply to Ola names her: the erasure scrubs those words from
    Ola's ticket and tells the change log, so the indexer re-reads it."""
    build_kari(personas, api, media)
    indexer.sync()
    assert total(personas.org, f"@{HANDLE}") >= 2 and total(personas.org, NAME) >= 3
    call_command("gdpr", "erase", EMAIL, "--org", "fjord", "--yes", stdout=io.StringIO())
    indexer.sync()
    for text in (NAME, "Nordmann", f"@{HANDLE}", HANDLE):
        assert total(personas.org, text) == 0, text
    assert total(personas.org, "ruteren") == 1


def test_the_hook_removes_the_documents_of_customers_and_messages(search_backend: str, personas: Personas) -> None:
    kari = make_message(personas.org, "Min ruter er ødelagt", language="nb", name="Kari Nordmann")
    extra = make_message(personas.org, "Fortsatt ødelagt", language="nb", customer=kari.ticket.customer)
    ola = make_message(personas.org, "Min ruter virker", language="nb", name="Ola Hansen")
    indexer.sync()
    blank_message_bodies([kari.pk, extra.pk])  # as the erasure does before it calls the hooks
    counts = hooks.erase(personas.org.pk, [kari.ticket.customer_id], [kari.pk, extra.pk])
    assert counts["search_index_documents"] == 2
    assert {h.message_id for h in engine.search(SearchQuery(organisation_id=personas.org.pk, text="ruter")).hits} \
        == {ola.pk}
    indexer.sync()
    store = getattr(engine.backend(), "store", None)
    if store is not None:  # tantivy: really gone from the index, not only filtered
        assert engine.backend().count() == 1 and not PendingErasure.objects.exists()
    assert engine.backend().count(personas.org.pk) == 1


def test_an_erasure_queued_while_another_process_writes_waits_for_the_indexer(tantivy_index: str,
                                                                              personas: Personas) -> None:
    message = make_message(personas.org, "Hemmelig adresse", language="nb")
    indexer.sync()
    blank_message_bodies([message.pk])
    hooks.erase(personas.org.pk, [], [message.pk])
    # Right after the commit the hook tries to delete at once; another writer holds the lock here.
    from webcare.search.tantivy_backend import WriterBusy

    def busy(*args: Any, **kwargs: Any) -> int:
        raise WriterBusy("held by the indexer")

    original = engine.backend().delete
    engine.backend().delete = busy  # type: ignore[method-assign]
    try:
        hooks._apply_now()
    finally:
        engine.backend().delete = original  # type: ignore[method-assign]
    assert PendingErasure.objects.count() == 1
    assert total(personas.org, "hemmelig") == 0  # left out of results meanwhile
    assert indexer.sync().erased == 1
    assert engine.backend().count() == 0 and not PendingErasure.objects.exists()
