"""Erasure (GDPR art. 17): no trace of the person in any table, file or log line afterwards; the statistics stay;
crypto-shredding, the ledger, the report, the hooks, and the command."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ApiClient, Personas
from tests.gdpr_support import EMAIL, KARI, NAME, build_kari, traces_in_databases, traces_in_files, traces_in_logs
from webcare.audit import actions as audit_actions
from webcare.audit.models import AuditEntry
from webcare.channels.models import JobStatus, OutboundJob
from webcare.conversations.models import Message
from webcare.customers.models import Customer
from webcare.gdpr.erase import NothingToErase, erase, prepare
from webcare.gdpr.find import choose, find
from webcare.gdpr.models import SubjectRequest
from webcare.keys.hashing import identifier_hash
from webcare.keys.models import DataKey, ErasedSubject
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

HOOK_CALLS: list[tuple[int, list[int], list[int]]] = []


def index_hook(organisation_id: int, customer_ids: list[int], message_ids: list[int]) -> dict[str, int]:
    """A search index's erasure hook, as a later issue will register one."""
    HOOK_CALLS.append((organisation_id, customer_ids, message_ids))
    return {"search_index_documents": len(message_ids)}


def failing_hook(organisation_id: int, customer_ids: list[int], message_ids: list[int]) -> dict[str, int]:
    raise RuntimeError("the search index is down")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def statistics(org: Any) -> dict[str, Any]:
    tickets = Ticket.objects.filter(organisation=org)
    messages = Message.objects.filter(organisation=org)
    return {
        "tickets": tickets.count(),
        "by_status": sorted(tickets.values_list("status", "priority", "conversation__channel__kind", "team_id")),
        "first_responses": sorted(str(t) for t in tickets.values_list("first_response_at", flat=True)),
        "messages": sorted(messages.values_list("direction", "sent_at", "language", "sentiment_label")),
    }


def test_it_leaves_no_trace_of_the_person_in_any_table_file_or_log(
        personas: Personas, api: ApiClient, media: Path, logs: pytest.LogCaptureFixture,
        django_capture_on_commit_callbacks: Any) -> None:
    build_kari(personas, api, media)
    # Everything is where production puts it before the erasure (the scan would find it: it can fail).
    before = traces_in_databases(KARI)
    assert any("customers_customer.name" in hit for hit in before)
    assert any("conversations_message.text" in hit for hit in before)
    assert any("webchat_chatsession.email" in hit for hit in before)
    assert traces_in_files(KARI), "the stored e-mail and PDF hold her address"
    figures = statistics(personas.org)

    match = choose(find(personas.org, EMAIL))
    with django_capture_on_commit_callbacks(execute=True):
        report = erase(personas.org, match.customer_ids, identifier=find(personas.org, EMAIL).identifier,
                       actor=personas.admin)

    assert traces_in_databases(KARI) == []
    assert traces_in_files(KARI) == []
    assert traces_in_logs(logs.records, KARI) == []
    assert statistics(personas.org) == figures
    counts = report.counts
    assert counts["customers"] == 3 and counts["identities"] == 3 and counts["chat_sessions"] == 1
    assert counts["tickets"] == 3 and counts["notes"] == 1 and counts["attachment_files"] == 2  # the PDF, the .eml
    assert counts["mentions"] >= 2  # Ola's message, and the reply to Ola that names her
    assert counts["data_keys"] >= 1
    # Other people's data stays: Ola's message is there, only Kari is cut out of it.
    ola = Message.objects.get(external_id="api-ola-1")
    assert ola.text.startswith("Hei, min kone [") and "ruteren" in ola.text
    assert Customer.objects.filter(name="Ola Hansen").exists()


def test_it_crypto_shreds_and_writes_the_ledger_and_the_audit_log(personas: Personas, api: ApiClient,
                                                                  media: Path) -> None:
    kari = build_kari(personas, api, media)
    ids = [kari.customer.pk, *kari.merged_away]
    assert DataKey.objects.filter(customer_id__in=ids).exists()
    result = find(personas.org, EMAIL)
    report = erase(personas.org, choose(result).customer_ids, identifier=result.identifier, actor=personas.admin)
    assert not DataKey.objects.filter(customer_id__in=ids).exists()
    ledger = ErasedSubject.objects.get()
    assert sorted(ledger.customer_ids) == sorted(ids)
    assert identifier_hash("email:" + EMAIL) in ledger.identifier_hashes
    assert sorted(ledger.key_ids) == sorted(report.key_ids) and ledger.key_ids
    entry = AuditEntry.objects.get(action=audit_actions.ERASE)
    assert entry.detail["counts"]["customers"] == 3 and entry.actor_id == personas.admin.pk
    assert result.identifier.hash in entry.detail["identifier_hashes"]
    request = SubjectRequest.objects.get()
    assert (request.kind, request.identifier_hash, request.counts) == ("erase", result.identifier.hash,
                                                                       report.counts)
    # Her messages' rows are still there for the statistics, and blank.
    assert set(Message.objects.filter(ticket_id__in=kari.tickets).values_list("text", flat=True)) == {""}


def test_a_second_erasure_says_there_is_nothing_to_erase(personas: Personas, api: ApiClient, media: Path) -> None:
    kari = build_kari(personas, api, media)
    erase(personas.org, [kari.customer.pk])
    assert find(personas.org, EMAIL).matches == []
    with pytest.raises(NothingToErase):
        erase(personas.org, [kari.customer.pk])
    out = io.StringIO()
    call_command("gdpr", "erase", EMAIL, "--org", "fjord", "--yes", stdout=out)
    assert "Nothing to erase" in out.getvalue()
    assert ErasedSubject.objects.count() == 1


def test_it_cancels_a_reply_still_waiting_to_be_sent(personas: Personas, api: ApiClient, media: Path) -> None:
    kari = build_kari(personas, api, media)
    email_ticket = Ticket.objects.get(customer=kari.customer, conversation__channel=kari.email_channel)
    do_reply(email_ticket, personas.agent, "Takk, Kari Nordmann, vi har fått kvitteringen.")
    job = OutboundJob.objects.get(message__ticket=email_ticket, action="reply")
    assert job.status == JobStatus.PENDING and job.request
    erase(personas.org, [kari.customer.pk])
    job.refresh_from_db()
    assert (job.status, job.request) == (JobStatus.FAILED, {})


def test_the_preview_counts_what_the_erasure_then_removes(personas: Personas, api: ApiClient, media: Path,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    kari = build_kari(personas, api, media)
    preview = prepare(personas.org, [kari.customer.pk]).counts()
    with django_capture_on_commit_callbacks(execute=True):
        report = erase(personas.org, [kari.merged_away[0]])  # any of her rows stands for all of them
    assert {k: v for k, v in report.counts.items() if k not in ("data_keys", "search_index_documents")} == preview


def test_it_calls_the_erasure_hooks_and_reports_their_counts(personas: Personas, api: ApiClient, media: Path,
                                                            settings: Any) -> None:
    kari = build_kari(personas, api, media)
    settings.WEBCARE_ERASURE_HOOKS = ["tests.test_gdpr_erase.index_hook"]
    HOOK_CALLS.clear()
    messages = sorted(Message.objects.filter(ticket_id__in=kari.tickets).values_list("pk", flat=True))
    report = erase(personas.org, [kari.customer.pk])
    assert len(HOOK_CALLS) == 1
    organisation_id, customers, message_ids = HOOK_CALLS[0]
    assert organisation_id == personas.org.pk and sorted(customers) == sorted([kari.customer.pk, *kari.merged_away])
    assert set(messages) <= set(message_ids)
    assert report.counts["search_index_documents"] == len(message_ids)


def test_a_failing_hook_rolls_the_erasure_back(personas: Personas, api: ApiClient, media: Path,
                                              settings: Any) -> None:
    kari = build_kari(personas, api, media)
    settings.WEBCARE_ERASURE_HOOKS = ["tests.test_gdpr_erase.failing_hook"]
    with pytest.raises(RuntimeError, match="search index is down"):
        erase(personas.org, [kari.customer.pk])
    assert Customer.objects.filter(pk=kari.customer.pk, name=NAME).exists()
    assert not ErasedSubject.objects.exists() and not SubjectRequest.objects.exists()
    assert DataKey.objects.filter(customer_id=kari.customer.pk).exists()
    assert choose(find(personas.org, EMAIL)).customer.pk == kari.customer.pk


def test_the_command_shows_what_would_go_and_asks(personas: Personas, api: ApiClient, media: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    kari = build_kari(personas, api, media)
    with pytest.raises(CommandError, match="confirm with --yes"):
        call_command("gdpr", "erase", EMAIL, "--org", "fjord", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = io.StringIO()
    with pytest.raises(CommandError, match="not erased"):
        call_command("gdpr", "erase", EMAIL, "--org", "fjord", stdout=out)
    assert "customer records" in out.getvalue() and Customer.objects.filter(pk=kari.customer.pk).exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "erase")
    out = io.StringIO()
    call_command("gdpr", "erase", EMAIL, "--org", "fjord", stdout=out)
    assert "Erased" in out.getvalue() and "encryption keys destroyed" in out.getvalue()
    assert not Customer.objects.filter(pk=kari.customer.pk).exists()


def test_the_command_refuses_an_ambiguous_identifier_unless_a_customer_is_chosen(
        personas: Personas, api: ApiClient, media: Path) -> None:
    kari = build_kari(personas, api, media)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 people match") as error:
        call_command("gdpr", "erase", "912 34 567", "--org", "fjord", "--yes", stdout=out)
    assert str(kari.customer.pk) in str(error.value) and "912" not in str(error.value)
    assert "Ola Hansen" in out.getvalue() and NAME in out.getvalue()  # the table lists them for the operator
    call_command("gdpr", "erase", "912 34 567", "--org", "fjord", "--yes", "--customer", str(kari.customer.pk),
                 stdout=io.StringIO())
    assert not Customer.objects.filter(pk=kari.customer.pk).exists()
    assert Customer.objects.filter(name="Ola Hansen").exists()


def test_what_arrives_after_the_preview_is_erased_too(personas: Personas, api: ApiClient, media: Path) -> None:
    """The admin reads the counts; meanwhile Kari writes again: the erasure works out its rows again when it runs."""
    from webcare.gdpr.erase import apply
    from webcare.ingest.worker import drain

    kari = build_kari(personas, api, media)
    preview = prepare(personas.org, [kari.customer.pk])
    api.post_json("/api/v1/inbound", {"message_id": "api-kari-late", "conversation_id": "api-thread-kari-late",
                                      "conversation_kind": "private", "text": "Kari Nordmann her igjen",
                                      "author": {"id": "kari-api-7", "handle": "@kari_nordmann", "name": NAME},
                                      "sent_at": "2026-11-21T10:00:00+00:00"})
    drain()
    report = apply(preview)
    assert report.counts["tickets"] == 4 and report.counts["messages"] == preview.counts()["messages"] + 1
    assert traces_in_databases(KARI) == []


def test_it_scrubs_whole_words_only() -> None:
    """A pure check of the scrubbing patterns: "@user7" is cut out, "@user70" and "user7x" are somebody else."""
    from webcare.gdpr.erase import scrub
    from webcare.gdpr.scope import Values

    values = Values(handles={"user7"}, names={"Kunde 7"}, emails={"kunde7@example.no"}, phones={"+4791234567"})
    patterns = values.patterns()
    assert scrub("Hei @user7 og @user70, kunde7@example.no / kunde70@example.no", patterns) == (
        "Hei […] og @user70, […] / kunde70@example.no")
    assert scrub("Kunde 7 ringte Kunde 70 på 912 34 567 og 91234568", patterns) == (
        "[…] ringte Kunde 70 på […] og 91234568")
