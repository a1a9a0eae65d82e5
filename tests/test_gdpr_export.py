"""The export of everything about a person (GDPR art. 15 and 20): a ZIP of JSON files and the stored attachments,
streamed, audited, and refused with a clear error when it cannot be written."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ApiClient, Personas
from tests.gdpr_support import EMAIL, NAME, NUMBER, PDF, build_kari
from webcare.audit import actions as audit_actions
from webcare.audit.models import AuditEntry
from webcare.gdpr import export as exporting
from webcare.gdpr.find import choose, find
from webcare.gdpr.models import SubjectRequest
from webcare.gdpr.scope import collect


@pytest.fixture
def kari(personas: Personas, api: ApiClient, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_kari(personas, api, Path(settings.MEDIA_ROOT))


def run_export(tmp_path: Path, *args: str) -> tuple[zipfile.ZipFile, str]:
    out = io.StringIO()
    target = tmp_path / "kari.zip"
    call_command("gdpr", "export", *args, "--org", "fjord", "--out", str(target), stdout=out)
    return zipfile.ZipFile(target), out.getvalue()


def read_json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name).decode("utf-8"))


def test_it_exports_everything_about_the_person_as_json_and_files(personas: Personas, kari: Any,
                                                                   tmp_path: Path) -> None:
    archive, output = run_export(tmp_path, EMAIL)
    assert archive.testzip() is None
    names = archive.namelist()
    conversations = sorted(n for n in names if n.startswith("conversations/"))
    assert {"subject.json", "tickets.json", "README.txt"} <= set(names) and len(conversations) == 3
    assert "Wrote" in output and "3 conversations" in output

    subject = read_json(archive, "subject.json")
    assert (subject["format"], subject["version"]) == ("webcare.subject-export", 1)
    assert sorted(c["id"] for c in subject["customers"]) == sorted([kari.customer.pk, *kari.merged_away])
    surviving = next(c for c in subject["customers"] if c["id"] == kari.customer.pk)
    assert (surviving["name"], surviving["customer_number"], surviving["notes"]) == (
        NAME, NUMBER, "Ringer ofte om faktura")  # notes are encrypted at rest: exported decrypted
    assert sorted(i["platform"] for i in subject["identities"]) == ["api", "email", "webchat"]
    assert [(w["name"], w["email"]) for w in subject["web_chats"]] == [(NAME, EMAIL)]
    assert [(e["field"], e["new"]) for e in subject["edits"] if e["field"] == "customer_number"] == [
        ("customer_number", NUMBER)]
    assert [h["kind"] for h in subject["history"]] == ["merge", "merge"]

    threads = [read_json(archive, name) for name in conversations]
    assert sorted(t["channel"]["kind"] for t in threads) == ["api", "email", "webchat"]
    api_thread = next(t for t in threads if t["channel"]["kind"] == "api")
    first, reply = api_thread["messages"]
    assert first["text"].startswith("Hei! Fakturaen min er feil. Ring meg på 912 34 567")  # the original, decrypted
    assert (first["direction"], first["author"]["by"], first["author"]["handle"]) == ("inbound", "you",
                                                                                     "@kari_nordmann")
    assert first["sent_at"] == "2026-11-20T10:00:00+00:00" and first["delivery_status"] == "received"
    assert (reply["direction"], reply["author"], reply["text"]) == ("outbound", {"by": "us", "name": "Fjordnett"},
                                                                    "Hei Kari! Vi ser på fakturaen.")
    assert "på".encode() in archive.read(conversations[0]) + archive.read(conversations[1])  # UTF-8, not \\u00e5

    mail_thread = next(t for t in threads if t["channel"]["kind"] == "email")
    (attachment,) = mail_thread["messages"][0]["attachments"]
    assert attachment["name"] == "kvittering-kari.pdf" and attachment["file"] in names
    assert archive.read(attachment["file"]) == PDF  # decrypted: stored files are sealed at rest

    tickets = read_json(archive, "tickets.json")
    assert sorted(t["id"] for t in tickets) == kari.tickets
    noted = next(t for t in tickets if t["id"] == kari.tickets[0])
    assert [n["text"] for n in noted["notes"]] == [f"{NAME} ringte, lovet kreditnota"]
    assert {"status", "priority", "team", "labels", "created_at", "first_response_at", "solved_at"} <= set(noted)

    readme = archive.read("README.txt").decode("utf-8")
    assert "article 15" in readme and "article 20" in readme and "conversations/<id>.json" in readme
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    assert "Ola Hansen" not in everything  # nobody else's data


def test_it_audits_the_export_without_the_identifier(personas: Personas, kari: Any, tmp_path: Path) -> None:
    run_export(tmp_path, EMAIL)
    entry = AuditEntry.objects.get(action=audit_actions.EXPORT)
    identifier = find(personas.org, EMAIL).identifier
    assert entry.detail["identifier_hash"] == identifier.hash
    assert entry.detail["counts"]["attachments"] == 1 and entry.detail["counts"]["conversations"] == 3
    assert EMAIL not in json.dumps(entry.detail) and EMAIL not in entry.target
    request = SubjectRequest.objects.get()
    assert (request.kind, request.counts) == ("export", entry.detail["counts"])


def test_it_streams_the_zip_in_pieces(personas: Personas, kari: Any) -> None:
    match = choose(find(personas.org, EMAIL))
    export = exporting.prepare(personas.org, collect(personas.org.pk, match.customer_ids, "NO"))
    steps: list[str] = []
    chunks = list(exporting.iter_export(export, steps.append))
    assert len([c for c in chunks if c]) >= 5  # one per file at least: never the whole archive at once
    assert len(steps) == export.steps
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None and "subject.json" in archive.namelist()


def test_it_refuses_an_output_it_cannot_write_before_doing_anything(personas: Personas, kari: Any,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist") as error:
        call_command("gdpr", "export", EMAIL, "--org", "fjord", "--out", str(tmp_path / "missing" / "k.zip"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="is a directory"):
        call_command("gdpr", "export", EMAIL, "--org", "fjord", "--out", str(tmp_path))
    # A folder nobody may write to (as root, permissions do not stop the write, but a read-only /sys does).
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    target = Path("/sys/webcare-export.zip") if os.geteuid() == 0 else locked / "k.zip"
    try:
        with pytest.raises(CommandError, match=r"cannot write .*(ermission denied|ead-only)") as error:
            call_command("gdpr", "export", EMAIL, "--org", "fjord", "--out", str(target), stdout=io.StringIO())
        assert error.value.returncode == 2
    finally:
        locked.chmod(0o700)
    assert not target.exists() and not list(target.parent.glob(".*.partial"))
    assert not AuditEntry.objects.filter(action=audit_actions.EXPORT).exists()


def test_it_says_when_nobody_or_several_people_match(personas: Personas, kari: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no customer matches") as error:
        run_export(tmp_path, "nobody@example.no")
    assert error.value.returncode == 1
    with pytest.raises(CommandError, match="2 people match"):
        run_export(tmp_path, "+47 912 34 567")
    archive, _ = run_export(tmp_path, "+47 912 34 567", "--customer", str(kari.customer.pk))
    assert "subject.json" in archive.namelist()
    assert not (tmp_path / ".kari.zip.partial").exists()
