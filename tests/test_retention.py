"""Retention: policies (validation, defaults), the plan (which cut-off covers what), applying it (bodies blanked with
the ticket statistics intact, attachments deleted but a shared file kept, raw deliveries, notifications and live
updates deleted), once a day however many automation loops run, the dry run that changes nothing, and the command.

Tickets arrive through the real ingestion path (receive → worker → triage), are answered and closed through the
ticket actions, and are then aged by moving their end time back: what retention reads is exactly what the desk
writes.
"""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import Personas, ingest_ticket
from tests.support import WEBCARE, child_env
from webcare.audit import actions as audited
from webcare.audit.models import AuditEntry
from webcare.channels.attachments import path_for, store_attachment
from webcare.channels.models import OutboundJob
from webcare.conversations.models import Message
from webcare.core.models import Channel, Organisation
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.live.models import LiveEvent
from webcare.notify.models import Notification
from webcare.retention import apply, redact
from webcare.retention.actions import (
    PolicyValues,
    add_policy,
    change_policy,
    delete_policy,
    ensure_default_policies,
)
from webcare.retention.models import (
    DataKind,
    RetentionPolicy,
    RetentionRun,
    RetentionSetup,
    RunStatus,
    RunTrigger,
)
from webcare.retention.plan import DEFAULT_DAYS, cutoffs
from webcare.tickets.actions import ActionError, do_add_note, do_change_ticket, do_reply
from webcare.tickets.models import Note, Status, Ticket

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def policy(org: Organisation, kind: str, days: int, channel_kind: str = "") -> RetentionPolicy:
    return RetentionPolicy.objects.create(organisation=org, data_kind=kind, channel_kind=channel_kind, days=days)


def ended_ticket(personas: Personas, n: int, days_ago: float, *, text: str = "", status: str = Status.CLOSED,
                 attachments: list[dict[str, Any]] | None = None, channel: Channel | None = None) -> Ticket:
    """A customer's message, the brand's reply, a note, the ticket solved or closed ``days_ago`` before NOW."""
    home = personas.channel
    personas.channel = channel or home
    try:
        ticket = ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}",
                               text=text or f"Hei, ring meg på 412 34 567 om faktura {n}",
                               attachments=attachments or [])
    finally:
        personas.channel = home
    do_reply(ticket, personas.agent, f"Hei! Vi har rettet fakturaen ({n}).")
    do_add_note(ticket, personas.agent, f"Kunden ringte om faktura {n}")
    do_change_ticket(ticket, personas.agent, status=status)
    ended = NOW - timedelta(days=days_ago)
    Ticket.objects.filter(pk=ticket.pk).update(solved_at=ended, closed_at=ended if status == Status.CLOSED else None)
    ticket.refresh_from_db()
    return ticket


def texts(ticket: Ticket) -> list[str]:
    return list(Message.objects.filter(ticket=ticket).order_by("id").values_list("text", flat=True))


def stored(org: Organisation, name: str, data: bytes) -> dict[str, Any]:
    return store_attachment(org.pk, name, "image/jpeg", data)


# -- the plan ---------------------------------------------------------------------------------------------------


def test_a_channel_kinds_own_policy_wins_over_the_organisation_wide_one(personas: Personas) -> None:
    wide = policy(personas.org, DataKind.MESSAGE_BODIES, 730)
    mail = policy(personas.org, DataKind.MESSAGE_BODIES, 1825, "email")
    chat = policy(personas.org, DataKind.MESSAGE_BODIES, 90, "webchat")
    raw = policy(personas.org, DataKind.RAW_EVENTS, 30)
    plan = cutoffs(RetentionPolicy.objects.filter(organisation=personas.org), NOW)
    assert [(c.policy_id, c.channel_kind, c.except_kinds, c.before) for c in plan] == [
        (wide.pk, "", ("email", "webchat"), NOW - timedelta(days=730)),
        (mail.pk, "email", (), NOW - timedelta(days=1825)),
        (chat.pk, "webchat", (), NOW - timedelta(days=90)),
        (raw.pk, "", (), NOW - timedelta(days=30)),
    ]


# -- policies -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "field", "words"), [
    (PolicyValues(DataKind.MESSAGE_BODIES, "", 0), "days", "at least 1 day"),
    (PolicyValues(DataKind.MESSAGE_BODIES, "", "-3"), "days", "whole number"),
    (PolicyValues(DataKind.MESSAGE_BODIES, "", "ninety"), "days", "whole number"),
    (PolicyValues(DataKind.MESSAGE_BODIES, "", 3651), "days", "at most 3650 days"),
    (PolicyValues("everything", "", 30), "data_kind", "from the list"),
    (PolicyValues(DataKind.MESSAGE_BODIES, "myspace", 30), "channel_kind", "from the list"),
    (PolicyValues(DataKind.NOTIFICATIONS, "email", 30), "channel_kind", "belong to no channel"),
    (PolicyValues(DataKind.RAW_EVENTS, "", 10), "channel_kind", "already a policy for Raw deliveries on every"),
])
def test_it_refuses_a_bad_policy_naming_the_field_and_stores_nothing(personas: Personas, values: PolicyValues,
                                                                    field: str, words: str) -> None:
    policy(personas.org, DataKind.RAW_EVENTS, 30)
    with pytest.raises(ActionError) as refused:
        add_policy(personas.org, personas.admin, values)
    assert refused.value.field == field
    assert words in refused.value.message
    assert RetentionPolicy.objects.filter(organisation=personas.org).count() == 1
    assert not AuditEntry.objects.filter(action=audited.RETENTION_POLICY).exists()


def test_only_an_admin_of_the_organisation_changes_policies(personas: Personas) -> None:
    for user in (personas.supervisor, personas.agent, personas.analyst, personas.outsider, None):
        with pytest.raises(ActionError) as refused:
            add_policy(personas.org, user, PolicyValues(DataKind.MESSAGE_BODIES, "", 180))
        assert refused.value.field == "actor"
    assert not RetentionPolicy.objects.exists()


def test_adding_changing_and_deleting_a_policy_is_audited(personas: Personas) -> None:
    added = add_policy(personas.org, personas.admin, PolicyValues(DataKind.MESSAGE_BODIES, "email", "180"))
    assert (added.data_kind, added.channel_kind, added.days) == ("bodies", "email", 180)
    change_policy(added, personas.admin, PolicyValues(DataKind.MESSAGE_BODIES, "email", 90))
    with pytest.raises(ActionError):  # the same kind twice on the same channel
        add_policy(personas.org, personas.admin, PolicyValues(DataKind.MESSAGE_BODIES, "email", 30))
    delete_policy(added, personas.admin)
    assert not RetentionPolicy.objects.exists()
    entries = AuditEntry.objects.filter(action=audited.RETENTION_POLICY).order_by("id")
    assert [(e.actor_id, e.organisation_id, e.target, e.detail) for e in entries] == [
        (personas.admin.pk, personas.org.pk, f"retention_policy:{added.pk}",
         {"change": "added", "data_kind": "bodies", "channel_kind": "email", "days": 180}),
        (personas.admin.pk, personas.org.pk, f"retention_policy:{added.pk}",
         {"change": "changed", "data_kind": "bodies", "channel_kind": "email", "days": 90, "old_days": 180}),
        (personas.admin.pk, personas.org.pk, f"retention_policy:{added.pk}",
         {"change": "deleted", "data_kind": "bodies", "channel_kind": "email", "days": 90}),
    ]


def test_a_new_organisation_gets_the_defaults_once(personas: Personas) -> None:
    assert ensure_default_policies(personas.org) == len(DEFAULT_DAYS)
    assert dict(RetentionPolicy.objects.filter(organisation=personas.org).values_list("data_kind", "days")) == \
        DEFAULT_DAYS
    RetentionPolicy.objects.get(organisation=personas.org, data_kind=DataKind.NOTIFICATIONS).delete()
    assert ensure_default_policies(personas.org) == 0  # a deleted default stays deleted
    assert RetentionPolicy.objects.filter(organisation=personas.org).count() == len(DEFAULT_DAYS) - 1
    assert not RetentionPolicy.objects.filter(organisation=personas.other_org).exists()


# -- applying -----------------------------------------------------------------------------------------------------


def test_bodies_are_blanked_after_the_days_and_the_ticket_statistics_stay(personas: Personas) -> None:
    policy(personas.org, DataKind.MESSAGE_BODIES, 180)
    old = ended_ticket(personas, 1, days_ago=200)
    recent = ended_ticket(personas, 2, days_ago=100)
    still_open = ingest_ticket(personas, 3, conversation="c-3", author="u-3")
    Message.objects.filter(ticket=still_open).update(sent_at=NOW - timedelta(days=400))
    before = Message.objects.filter(ticket=old).order_by("id").values(*redact.KEPT)
    stats = Ticket.objects.filter(pk=old.pk).values("status", "priority", "first_inbound_at", "first_response_at",
                                                    "solved_at", "closed_at", "language", "intents")[0]
    inbound = Message.objects.get(ticket=old, direction="inbound")
    assert inbound.pii and inbound.author_name and inbound.sentiment is not None

    reports = apply.apply_policies(personas.org, NOW)

    assert [(r.data_kind, r.count) for r in reports] == [("bodies", 2)]
    assert texts(old) == ["", ""]
    blanked = Message.objects.get(pk=inbound.pk)
    assert (blanked.redacted_text, blanked.author_name, blanked.pii, blanked.edits, blanked.attachments) == \
        ("", "", [], [], [])
    assert list(Message.objects.filter(ticket=old).order_by("id").values(*redact.KEPT)) == list(before)
    assert Ticket.objects.filter(pk=old.pk).values(*stats)[0] == stats
    assert Ticket.objects.get(pk=old.pk).subject == ""
    assert list(Note.objects.filter(ticket=old).values_list("text", flat=True)) == [""]
    # Recently ended and still-open tickets keep every word.
    assert all(texts(recent)) and all(texts(still_open))
    assert Note.objects.get(ticket=recent).text


def applied(at: datetime, org: Organisation, capture: Any) -> list[int]:
    """Apply the policies and run what waits for the commit (the file deletions), as a real batch would."""
    with capture(execute=True):
        return [r.count for r in apply.apply_policies(org, at)]


def test_attachments_are_deleted_but_a_file_a_kept_message_shares_stays(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    policy(personas.org, DataKind.ATTACHMENTS, 90)
    shared = stored(personas.org, "router.jpg", b"the same photo")
    alone = stored(personas.org, "invoice.jpg", b"only in the old ticket")
    old = ended_ticket(personas, 1, days_ago=120, attachments=[shared, alone])
    recent = ended_ticket(personas, 2, days_ago=10, attachments=[shared])
    shared_path = path_for(personas.org.pk, shared["url"].split("/")[3])
    alone_path = path_for(personas.org.pk, alone["url"].split("/")[3])
    assert shared_path.is_file() and alone_path.is_file()

    assert applied(NOW, personas.org, django_capture_on_commit_callbacks) == [1]

    assert not alone_path.exists()
    assert shared_path.is_file()  # the recent ticket's message still shows it
    assert Message.objects.get(ticket=old, direction="inbound").attachments == []
    assert Message.objects.get(ticket=old, direction="inbound").text  # only the files went, not the text
    assert Message.objects.get(ticket=recent, direction="inbound").attachments == [shared]
    # When the recent one ages too, the shared file goes.
    assert applied(NOW + timedelta(days=90), personas.org, django_capture_on_commit_callbacks) == [1]
    assert not shared_path.exists()


def test_blanking_bodies_deletes_their_files_too(personas: Personas,
                                                django_capture_on_commit_callbacks: Any) -> None:
    policy(personas.org, DataKind.MESSAGE_BODIES, 30)
    photo = stored(personas.org, "passport.jpg", b"a passport")
    ended_ticket(personas, 1, days_ago=40, attachments=[photo])
    assert applied(NOW, personas.org, django_capture_on_commit_callbacks) == [2]
    assert not path_for(personas.org.pk, photo["url"].split("/")[3]).exists()


def test_a_channel_kinds_policy_keeps_its_messages_longer(personas: Personas) -> None:
    policy(personas.org, DataKind.MESSAGE_BODIES, 30)
    policy(personas.org, DataKind.MESSAGE_BODIES, 365, "api")
    api_ticket = ended_ticket(personas, 1, days_ago=60)
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Chat")
    chat_ticket = ended_ticket(personas, 2, days_ago=60, channel=chat)
    apply.apply_policies(personas.org, NOW)
    assert all(texts(api_ticket))
    assert texts(chat_ticket)[0] == ""


def test_raw_deliveries_notifications_and_live_updates_go_after_their_days(personas: Personas) -> None:
    for kind, days in ((DataKind.RAW_EVENTS, 30), (DataKind.NOTIFICATIONS, 90), (DataKind.LIVE_EVENTS, 1)):
        policy(personas.org, kind, days)
    ticket = ingest_ticket(personas, 1)
    ingest_ticket(personas, 2, conversation="c-2")
    old_event, new_event = InboundEvent.objects.order_by("id")
    InboundEvent.objects.filter(pk=old_event.pk).update(received_at=NOW - timedelta(days=40),
                                                        processed_at=NOW - timedelta(days=40))
    pending = InboundEvent.objects.create(organisation=personas.org, channel=personas.channel, source="api",
                                          payload={}, received_at=NOW - timedelta(days=99))
    for days in (100, 10):
        Notification.objects.create(organisation=personas.org, recipient=personas.agent, kind="sla_warning",
                                    title=f"Ticket {ticket.pk}", created_at=NOW - timedelta(days=days))
    Notification.objects.create(organisation=personas.other_org, recipient=personas.outsider, kind="sla_warning",
                                title="Elsewhere", created_at=NOW - timedelta(days=100))
    LiveEvent.objects.all().delete()
    LiveEvent.objects.create(organisation=personas.org, kind="tickets", created_at=NOW - timedelta(days=2))
    fresh = LiveEvent.objects.create(organisation=personas.org, kind="tickets", created_at=NOW)

    reports = apply.apply_policies(personas.org, NOW)

    assert [(r.data_kind, r.count) for r in reports] == [("raw_events", 1), ("notifications", 1), ("live_events", 1)]
    assert set(InboundEvent.objects.values_list("pk", flat=True)) == {new_event.pk, pending.pk}
    assert Message.objects.filter(ticket=ticket).exists()  # the message outlives its raw delivery
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["Elsewhere", f"Ticket {ticket.pk}"]
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_a_dead_letter_goes_after_the_days_with_its_stored_original_mail(
        personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    policy(personas.org, DataKind.RAW_EVENTS, 30)
    eml = store_attachment(personas.org.pk, "original.eml", "message/rfc822", b"From: kari@example.test\r\n\r\nHei")
    dead = InboundEvent.objects.create(organisation=personas.org, channel=personas.channel, source="email",
                                       payload={}, raw={"eml": eml}, status=EventStatus.DEAD,
                                       received_at=NOW - timedelta(days=31))
    file = path_for(personas.org.pk, eml["url"].split("/")[3])
    assert file.is_file()
    assert applied(NOW, personas.org, django_capture_on_commit_callbacks) == [1]
    assert not InboundEvent.objects.filter(pk=dead.pk).exists()
    assert not file.exists()


def test_blank_message_bodies_is_set_based_and_returns_the_rows_changed(personas: Personas,
                                                                        django_assert_max_num_queries: Any) -> None:
    tickets = [ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}") for n in range(1, 4)]
    ids = list(Message.objects.filter(ticket__in=tickets).values_list("pk", flat=True))
    sent = OutboundJob.objects.create(organisation=personas.org, channel=personas.channel, message_id=ids[0],
                                      action="reply", status="sent", request={"text": "Hei Kari", "recipient": {}})
    waiting = OutboundJob.objects.create(organisation=personas.org, channel=personas.channel, message_id=ids[1],
                                         action="reply", request={"text": "Hei Ola"})
    with django_assert_max_num_queries(2):  # one UPDATE of the messages, one of their finished jobs
        assert redact.blank_message_bodies(ids) == 3
    assert set(Message.objects.values_list("text", flat=True)) == {""}
    assert "" not in set(Message.objects.values_list("language", flat=True))
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.request, waiting.request) == ({}, {"text": "Hei Ola"})  # a job still to send keeps its request


# -- once a day ---------------------------------------------------------------------------------------------------


def test_the_daily_run_applies_once_records_its_report_and_audits_it(personas: Personas) -> None:
    old = ended_ticket(personas, 1, days_ago=800)
    assert apply.run(NOW) == 2  # the defaults: bodies after 730 days
    assert apply.run(NOW + timedelta(hours=3)) == 0
    assert texts(old) == ["", ""]
    runs = RetentionRun.objects.filter(organisation=personas.org)
    assert [(r.trigger, r.status, r.removed) for r in runs] == [(RunTrigger.DAILY, RunStatus.DONE, 2)]
    report = {row["data_kind"]: row for row in runs[0].report}
    assert report["bodies"]["count"] == 2
    assert report["bodies"]["oldest"] == (NOW - timedelta(days=800)).isoformat()
    entry = AuditEntry.objects.get(action=audited.RETENTION, organisation_id=personas.org.pk)
    assert (entry.actor_label, entry.target) == ("system", f"retention_run:{runs[0].pk}")
    assert entry.detail["removed"] == 2 and entry.detail["counts"]["bodies:*"] == 2
    # The other organisation ran too (its own defaults, nothing to remove), and the next day runs again.
    assert RetentionRun.objects.filter(organisation=personas.other_org).count() == 1
    apply.run(NOW + timedelta(days=1))
    assert RetentionRun.objects.filter(organisation=personas.org).count() == 2


def test_a_run_whose_process_died_is_taken_over_after_the_lease(personas: Personas) -> None:
    day = apply.local_day(personas.org, NOW)
    for org in (personas.org, personas.other_org):
        RetentionRun.objects.create(organisation=org, day=day, started_at=NOW - timedelta(hours=1),
                                    heartbeat_at=NOW - apply.LEASE + timedelta(minutes=5))
    assert apply.claim_daily(personas.org, day, NOW) is None  # still within its lease
    taken = apply.claim_daily(personas.org, day, NOW + timedelta(minutes=10))
    assert taken is not None and taken.heartbeat_at == NOW + timedelta(minutes=10)
    assert apply.claim_daily(personas.org, day, NOW + timedelta(minutes=11)) is None  # taken once


@pytest.mark.django_db(transaction=True)
def test_two_automation_loops_at_once_apply_each_organisation_once(personas: Personas) -> None:
    ended_ticket(personas, 1, days_ago=800)
    barrier = threading.Barrier(2, timeout=30)
    results: list[int] = []
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            barrier.wait()
            results.append(apply.run(NOW))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == [0, 2]
    assert RetentionRun.objects.filter(organisation=personas.org, trigger=RunTrigger.DAILY).count() == 1
    assert AuditEntry.objects.filter(action=audited.RETENTION, organisation_id=personas.org.pk).count() == 1
    assert RetentionPolicy.objects.filter(organisation=personas.org).count() == len(DEFAULT_DAYS)


# -- the dry run and the command ----------------------------------------------------------------------------------


def test_the_dry_run_counts_what_would_go_and_changes_nothing(personas: Personas) -> None:
    policy(personas.org, DataKind.MESSAGE_BODIES, 180)
    policy(personas.org, DataKind.RAW_EVENTS, 30)
    ended_ticket(personas, 1, days_ago=300)
    ended_ticket(personas, 2, days_ago=200)
    ended_ticket(personas, 3, days_ago=10)
    snapshot = list(Message.objects.order_by("id").values_list("text", "author_name", "attachments"))
    events = InboundEvent.objects.count()

    reports = apply.preview(personas.org, NOW)

    assert [(r.data_kind, r.count, r.oldest) for r in reports] == [
        ("bodies", 4, (NOW - timedelta(days=300)).isoformat()), ("raw_events", 0, None)]
    assert list(Message.objects.order_by("id").values_list("text", "author_name", "attachments")) == snapshot
    assert InboundEvent.objects.count() == events
    assert not RetentionRun.objects.exists() and not AuditEntry.objects.filter(action=audited.RETENTION).exists()
    # What the dry run said is what a run removes.
    assert [r.count for r in apply.apply_policies(personas.org, NOW)] == [4, 0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_command_shows_the_dry_run_then_applies(personas: Personas) -> None:
    policy(personas.org, DataKind.MESSAGE_BODIES, 180)
    old = ended_ticket(personas, 1, days_ago=300)
    RetentionPolicy.objects.create(organisation=personas.org, data_kind=DataKind.RAW_EVENTS, days=30)
    RetentionSetup.objects.create(organisation=personas.org)  # keep the test's own policies only
    env = child_env()
    dry = subprocess.run([WEBCARE, "retention", "--dry-run", "--org", "fjord"], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert dry.returncode == 0, dry.stderr
    assert "what would go now — nothing was changed" in dry.stdout
    assert "Message texts" in dry.stdout and "180 days" in dry.stdout
    assert all(texts(old))
    done = subprocess.run([WEBCARE, "retention", "--org", "fjord"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "items removed" in done.stdout
    assert texts(old) == ["", ""]
    run = RetentionRun.objects.get(organisation=personas.org)
    assert (run.trigger, run.removed) == (RunTrigger.MANUAL, 2)
    assert AuditEntry.objects.get(action=audited.RETENTION).actor_label == "webcare retention"
    unknown = subprocess.run([WEBCARE, "retention", "--dry-run", "--org", "nope"], env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    assert unknown.returncode == 1 and "No organisation with slug 'nope'" in unknown.stderr
