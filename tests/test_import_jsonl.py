"""``webcare import --format jsonl``: webcare's own format, bad lines skipped whole, and the shared batch machinery.

``tests/fixtures/import_small.jsonl``, line by line: 1 inbound (creates organisation nordlys and channel facebook),
2 outbound reply by agent ``kari``, 3 broken JSON, 4 author without id, 5 unknown channel without channel_kind in an
unknown organisation, 6 blank, 7 no organisation (needs --org), 8 an unknown key, 9 first message of a new WhatsApp
channel, 10 a JSON array, 11 outbound reply in post-3.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from tests.support import call_import, summary_value
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel, Organisation
from webcare.customers.models import Customer, Identity
from webcare.importers import common
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult
from webcare.tickets.models import Status, Ticket, TicketEvent

FIXTURE = Path(__file__).parent / "fixtures" / "import_small.jsonl"
STORED = {"fb-1", "fb-2", "fb-5", "wa-1", "fb-7"}


def run_import(path: Path = FIXTURE, *args: str) -> tuple[str, str]:
    return call_import(path, "jsonl", *args)


@pytest.fixture
def kari(db: None) -> Any:
    return get_user_model().objects.create_user(username="kari", password="correct horse battery")


@pytest.fixture
def imported(kari: Any) -> tuple[str, str]:
    return run_import(FIXTURE, "--org", "nordlys", "--org-name", "Nordlys Energi")


def test_it_stores_good_lines_and_skips_bad_ones_with_line_numbers(imported: tuple[str, str]) -> None:
    out, err = imported
    assert set(Message.objects.values_list("external_id", flat=True)) == STORED
    assert err.splitlines() == [
        "line 3: invalid JSON (Expecting ',' delimiter at column 101)",
        "line 4: author.id: Field required",
        "line 5: unknown channel without channel_kind (ghost/sms)",
        "line 8: mood: Extra inputs are not permitted",
        "line 10: not a JSON object",
    ]
    assert summary_value(out, "rows read") == "10"
    assert summary_value(out, "messages stored") == "5"
    assert summary_value(out, "rows skipped") == "5"
    assert re.search(r"author\.id: Field required\s*│\s*1\s*│\s*line 4", out)


def test_it_stores_nothing_of_a_skipped_line(imported: tuple[str, str]) -> None:
    assert not Message.objects.filter(external_id__in=["fb-3", "fb-4", "fb-6", "sms-1"]).exists()
    assert not Organisation.objects.filter(slug="ghost").exists()
    assert not Conversation.objects.filter(external_id__in=["post-2", "t-1"]).exists()
    assert not Identity.objects.filter(external_id="+4790000000").exists()
    # fb-6 would have added to post-3: it has only the stored messages.
    assert set(Message.objects.filter(conversation__external_id="post-3").values_list("external_id", flat=True)) \
        == {"fb-5", "fb-7"}


def test_it_creates_the_organisation_and_channels_it_needs(imported: tuple[str, str]) -> None:
    out, _ = imported
    org = Organisation.objects.get(slug="nordlys")
    assert org.name == "Nordlys Energi"
    assert sorted(Channel.objects.filter(organisation=org).values_list("slug", "kind")) == [
        ("facebook", "facebook"), ("whatsapp", "whatsapp")]
    assert summary_value(out, "organisations created") == "1"
    assert summary_value(out, "channels created") == "2"
    whatsapp = Conversation.objects.get(external_id="4790000001")
    assert (whatsapp.channel.slug, whatsapp.kind) == ("whatsapp", "private")


def test_it_puts_lines_without_organisation_in_the_org_option(imported: tuple[str, str]) -> None:
    message = Message.objects.get(external_id="fb-5")
    assert message.organisation.slug == "nordlys"
    assert message.conversation.customer is not None
    assert message.conversation.customer.name == "Jane Doe"


def test_it_skips_lines_without_organisation_when_no_org_is_given(kari: Any) -> None:
    _, err = run_import(FIXTURE)
    assert "line 7: organisation: missing (give it in the line or with --org)" in err.splitlines()
    assert not Message.objects.filter(external_id="fb-5").exists()
    assert Organisation.objects.get(slug="nordlys").name == "nordlys"


def test_it_sets_the_agent_of_an_outbound_message_from_the_username(imported: tuple[str, str], kari: Any) -> None:
    reply = Message.objects.get(external_id="fb-2")
    assert reply.direction == "outbound"
    assert reply.author_agent == kari
    assert Message.objects.get(external_id="fb-7").author_agent is None
    ticket = Ticket.objects.get(conversation__external_id="post-1")
    assert ticket.status == Status.PENDING
    assert ticket.first_response_at == reply.sent_at


def test_it_ignores_the_ground_truth_labels(imported: tuple[str, str]) -> None:
    # customer_key / language are accepted (the lines were stored) and leave no trace on the customer.
    customer = Message.objects.get(external_id="fb-1").conversation.customer
    assert customer is not None
    assert customer.name == "Kari Nordmann"
    assert customer.customer_number == ""


def test_it_adds_nothing_on_a_second_import(imported: tuple[str, str]) -> None:
    models = (Organisation, Channel, Customer, Identity, Conversation, Message, Ticket, TicketEvent)
    before = {model.__name__: model.objects.count() for model in models}
    out, err = run_import(FIXTURE, "--org", "nordlys")
    assert {model.__name__: model.objects.count() for model in models} == before
    assert summary_value(out, "messages stored") == "0"
    assert summary_value(out, "duplicates (already there)") == "5"
    assert len(err.splitlines()) == 5


def test_it_refuses_a_missing_file_with_exit_code_2(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file") as excinfo:
        run_import(tmp_path / "nope.jsonl")
    assert excinfo.value.returncode == 2


def test_it_refuses_an_unknown_format(db: None) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", str(FIXTURE), "--format", "xml")


def test_it_tells_the_format_from_the_file_name(kari: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import", str(FIXTURE), "--org", "nordlys", stdout=out, stderr=io.StringIO())
    assert "webcare import (jsonl)" in out.getvalue()
    unknown = tmp_path / "messages.txt"
    unknown.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="give --format") as excinfo:
        call_command("import", str(unknown))
    assert excinfo.value.returncode == 2


def test_it_refuses_an_org_option_that_is_not_a_slug(db: None) -> None:
    with pytest.raises(CommandError, match="not a slug") as excinfo:
        run_import(FIXTURE, "--org", "Nordlys Energi")
    assert excinfo.value.returncode == 2


def _lines(count: int, start: int = 1) -> str:
    return "".join(json.dumps({
        "organisation": "nordlys", "channel": "api", "channel_kind": "api", "message_id": f"m-{n}",
        "conversation_id": f"c-{n % 3}", "conversation_kind": "private", "author": {"id": f"u-{n % 3}"},
        "text": f"message {n}", "sent_at": f"2026-03-02T10:{n:02d}:00+00:00",
    }) + "\n" for n in range(start, start + count))


def test_it_redoes_a_batch_that_lost_a_write_race(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "race.jsonl"
    path.write_text(_lines(5), encoding="utf-8")
    real_store = common.store
    calls = []

    def racing_store(items: list[Any], now: Any = None) -> StoreResult:
        calls.append(len(items))
        if len(calls) == 1:
            real_store(items, now)  # written, then rolled back with the batch's transaction
            raise IntegrityError("UNIQUE constraint failed: conversations_message.channel_id")
        return real_store(items, now)

    monkeypatch.setattr(common, "store", racing_store)
    out, err = run_import(path)
    assert calls == [5, 5]
    assert err == ""
    assert Message.objects.count() == 5
    assert summary_value(out, "batches redone (write races)") == "1"


class _FailOn(Step):
    """A pipeline step that fails the batch when it contains message ``m-3``, and records what it saw."""

    seen: list[str] = []

    def run(self, batch: StoreResult) -> None:
        ids = [message.external_id or "" for message in batch.messages]
        if "m-3" in ids:
            raise ValueError("cannot triage m-3")
        type(self).seen.extend(ids)


def test_it_runs_the_pipeline_steps_and_isolates_a_failing_message(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "steps.jsonl"
    path.write_text(_lines(6), encoding="utf-8")
    _FailOn.seen = []
    monkeypatch.setattr(common, "configured_steps", lambda: (_FailOn(),))
    out, err = run_import(path, "--batch-size", "4")
    # Batch 1 (m-1..m-4) fails as a whole, is redone message by message; m-3 alone fails and is skipped.
    assert err.splitlines() == ["line 3: not stored (ValueError: cannot triage m-3)"]
    assert sorted(str(ext) for ext in Message.objects.values_list("external_id", flat=True)) == [
        "m-1", "m-2", "m-4", "m-5", "m-6"]
    assert sorted(_FailOn.seen) == ["m-1", "m-2", "m-4", "m-5", "m-6"]
    assert summary_value(out, "messages stored") == "5"


def test_it_prints_one_line_when_quiet(kari: Any) -> None:
    out, _ = run_import(FIXTURE, "--org", "nordlys", "--quiet")
    assert out.strip().startswith("10 rows: 5 stored, 0 duplicates, 5 skipped in ")


def test_it_imports_from_the_command_line_into_a_fresh_database(tmp_path: Path) -> None:
    """No database yet: the import migrates it first. Exit code 0 with skipped lines, 2 for an unknown format."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "WEBCARE_SQLITE_PATH")}
    env["WEBCARE_DATA_DIR"] = str(tmp_path / "data")
    webcare = Path(sys.executable).with_name("webcare")
    command = [str(webcare)] if webcare.exists() else [sys.executable, "-m", "webcare"]
    done = subprocess.run([*command, "import", str(FIXTURE), "--org", "nordlys", "--quiet"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("10 rows: 5 stored")
    assert "line 4: author.id: Field required" in done.stderr
    with sqlite3.connect(tmp_path / "data" / "webcare.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM conversations_message").fetchone() == (5,)
        assert db.execute("SELECT name FROM core_organisation").fetchall() == [("nordlys",)]
    wrong = subprocess.run([*command, "import", str(FIXTURE), "--format", "xml"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert wrong.returncode == 2
    assert "invalid choice: 'xml'" in wrong.stderr
