"""``webcare audit verify`` proves the chain intact or names the first broken entry; the triggers refuse UPDATE and
DELETE; ``list`` and ``export`` (checked by the standalone ``verify_export.py``, standard library only).

Tampering is done the way an intruder with database rights would: the triggers bypassed (on PostgreSQL as a
superuser, ``session_replication_role = replica``; on SQLite by dropping them, as anyone who can write the file can),
then raw SQL. Each case checks that the first broken entry named is the right one and why.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.conftest import Personas
from tests.support import ROOT, WEBCARE, child_env
from webcare.audit import chain, guard, verify
from webcare.audit.log import record
from webcare.audit.models import AuditEntry

STANDALONE = ROOT / "webcare" / "audit" / "verify_export.py"
COLUMNS = ("at", "organisation_id", "actor_id", "actor_label", "action", "target", "detail", "ip", "prev_hash",
           "hash")


def make_chain(n: int = 6) -> list[AuditEntry]:
    return [record(f"test.event{i}", organisation=1 + i % 2, actor_label=f"agent{i}", target=f"ticket:{i}",
                   detail={"n": i}) for i in range(1, n + 1)]


@contextmanager
def guard_bypassed() -> Iterator[Any]:
    """A cursor with the triggers out of the way, for one transaction (what a superuser can do)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for sql in guard.GUARD["sqlite"][1]:
                cursor.execute(sql)
        yield cursor
        if connection.vendor == "sqlite":
            for sql in guard.GUARD["sqlite"][0]:
                cursor.execute(sql)


def run_verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def first_broken(*args: str) -> tuple[int, str, str]:
    """(id of the first broken entry, its kind, the command's output); the command must exit 1."""
    code, output = run_verify(*args)
    assert code == 1, output
    result = verify.verify()
    assert result.broken is not None
    return result.broken.row.id, result.broken.kind, output


def values_of(entry_id: int) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_auditentry WHERE id = %s", [entry_id])
        return list(cursor.fetchone())


def set_values(cursor: Any, entry_id: int, values: list[Any]) -> None:
    assignments = ", ".join(f"{column} = %s" for column in COLUMNS)
    cursor.execute(f"UPDATE audit_auditentry SET {assignments} WHERE id = %s", [*values, entry_id])


# An intact chain


def test_it_says_intact_with_the_count_and_the_last_hash(db: None) -> None:
    assert run_verify() == (0, "intact: 0 entries, last hash " + "0" * 64 + "\n")
    made = make_chain(7)
    code, output = run_verify("--batch", "3")  # three batches: links checked across batch borders
    assert (code, output) == (0, f"intact: 7 entries, last hash {made[-1].hash}\n")
    assert run_verify("--anchor", made[2].hash, "--anchor", made[-1].hash.upper())[0] == 0


def test_it_refuses_a_malformed_anchor_or_batch(db: None) -> None:
    with pytest.raises(CommandError, match="--anchor: a hash is 64 hexadecimal digits, not 'abc'"):
        call_command("audit", "verify", "--anchor", "abc")
    with pytest.raises(CommandError, match="--batch: give a whole number of at least 1"):
        call_command("audit", "verify", "--batch", "0")


# Tampering, each naming the right first broken entry


def test_it_names_an_entry_whose_field_was_changed(db: None) -> None:
    made = make_chain()
    with guard_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditentry SET target = %s WHERE id = %s", ["ticket:999", made[3].pk])
    entry_id, kind, output = first_broken()
    assert (entry_id, kind) == (made[3].pk, chain.CHANGED)
    assert f"broken at entry {made[3].pk} (" in output and "test.event4, ticket:999" in output
    assert "hash mismatch" in output and "changed after it was written" in output
    assert "3 entries before it are intact" in output


def test_it_names_the_entry_after_one_that_was_changed_and_re_hashed(db: None) -> None:
    made = make_chain()
    changed = AuditEntry.objects.get(pk=made[2].pk)
    changed.detail = {"n": 99}
    new_hash = chain.entry_hash(changed.prev_hash, chain.fields(changed.at, changed.organisation_id,
                                                                changed.actor_id, changed.actor_label,
                                                                changed.action, changed.target, changed.detail,
                                                                changed.ip))
    with guard_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = %s, hash = %s WHERE id = %s",
                       [json.dumps({"n": 99}), new_hash, made[2].pk])
    entry_id, kind, output = first_broken()
    assert (entry_id, kind) == (made[3].pk, chain.LINK)
    assert "prev_hash mismatch" in output and f"previous hash {new_hash}" in output


def test_it_names_the_entry_after_a_removed_one(db: None) -> None:
    made = make_chain()
    with guard_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [made[2].pk])
    entry_id, kind, output = first_broken()
    assert (entry_id, kind) == (made[3].pk, chain.LINK)
    assert f"broken at entry {made[3].pk} (" in output and "an entry before it was removed" in output


def test_it_names_the_new_first_entry_when_the_first_was_removed(db: None) -> None:
    made = make_chain()
    with guard_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [made[0].pk])
    assert first_broken()[:2] == (made[1].pk, chain.LINK)


def test_it_names_the_entry_after_an_inserted_one_even_when_the_insert_is_correctly_hashed(db: None) -> None:
    made = make_chain()
    after = made[2]
    forged_fields = chain.fields(after.at, 1, None, "intruder", "test.forged", "ticket:7", {}, "")
    forged_hash = chain.entry_hash(after.hash, forged_fields)
    with guard_bypassed() as cursor:
        for entry in reversed(made[3:]):  # make room after the third entry
            cursor.execute("UPDATE audit_auditentry SET id = id + 1 WHERE id = %s", [entry.pk])
        cursor.execute("INSERT INTO audit_auditentry (id, at, organisation_id, actor_id, actor_label, action, target, "
                       "detail, ip, prev_hash, hash) VALUES (%s, %s, 1, NULL, 'intruder', 'test.forged', "
                       "'ticket:7', '{}', '', %s, %s)", [after.pk + 1, after.at, after.hash, forged_hash])
    entry_id, kind, output = first_broken()
    assert (entry_id, kind) == (made[3].pk + 1, chain.LINK)  # the entry that followed the third one
    assert "test.event4" in output and f"previous hash {forged_hash}" in output


def test_it_names_the_first_of_two_swapped_entries(db: None) -> None:
    made = make_chain()
    first, second = values_of(made[1].pk), values_of(made[2].pk)
    with guard_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditentry SET hash = 'swapping' WHERE id = %s", [made[1].pk])
        set_values(cursor, made[2].pk, first)
        set_values(cursor, made[1].pk, second)
    assert AuditEntry.objects.get(pk=made[1].pk).action == "test.event3"
    entry_id, kind, output = first_broken()
    assert (entry_id, kind) == (made[1].pk, chain.LINK)
    assert f"broken at entry {made[1].pk} (" in output and "test.event3" in output


def test_it_catches_a_removed_tail_or_a_full_rewrite_only_against_an_anchor(db: None) -> None:
    made = make_chain()
    noted = made[-1].hash
    with guard_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [made[4].pk])
    assert run_verify()[0] == 0  # what is left holds together …
    code, output = run_verify("--anchor", noted)
    assert code == 1 and f"anchor not found: {noted}" in output  # … but the noted hash is gone

    # Rewriting every entry and recomputing every hash from the start also holds together: only the anchor tells.
    previous = chain.GENESIS
    with guard_bypassed() as cursor:
        for entry in AuditEntry.objects.order_by("id"):
            fields = chain.fields(entry.at, entry.organisation_id, entry.actor_id, "someone else", entry.action,
                                  entry.target, entry.detail, entry.ip)
            new_hash = chain.entry_hash(previous, fields)
            cursor.execute("UPDATE audit_auditentry SET actor_label = %s, prev_hash = %s, hash = %s WHERE id = %s",
                           ["someone else", previous, new_hash, entry.pk])
            previous = new_hash
    assert run_verify()[0] == 0
    assert run_verify("--anchor", made[1].hash)[0] == 1


@pytest.mark.django_db(transaction=True)
def test_it_exits_1_from_the_command_line_when_broken_and_0_when_intact(personas: Personas) -> None:
    made = make_chain(3)
    intact = subprocess.run([WEBCARE, "audit", "verify"], env=child_env(), capture_output=True, text=True,
                            timeout=120, check=False)
    assert (intact.returncode, intact.stdout.strip()) == (0, f"intact: 3 entries, last hash {made[-1].hash}")
    with guard_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'test.other' WHERE id = %s", [made[1].pk])
    broken = subprocess.run([WEBCARE, "audit", "verify"], env=child_env(), capture_output=True, text=True,
                            timeout=120, check=False)
    assert broken.returncode == 1
    assert broken.stdout.startswith(f"broken at entry {made[1].pk} (")
    assert "the audit chain is broken" in broken.stderr


# The triggers


def refused(sql: str, params: list[Any]) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(info.value)


def test_the_database_refuses_to_update_or_delete_an_entry(db: None) -> None:
    made = make_chain(3)
    entry = made[1]
    assert "append-only" in refused("UPDATE audit_auditentry SET target = 'x' WHERE id = %s", [entry.pk])
    assert "append-only" in refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert "append-only" in refused("DELETE FROM audit_auditentry", [])
    if connection.vendor == "postgresql":
        assert "TRUNCATE refused" in refused("TRUNCATE audit_auditentry", [])
    for change in (lambda: AuditEntry.objects.filter(pk=entry.pk).update(target="x"),
                   lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
                   lambda: AuditEntry(**{f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.fields}
                                      | {"target": "x"}).save()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert [e.target for e in AuditEntry.objects.order_by("id")] == ["ticket:1", "ticket:2", "ticket:3"]
    assert run_verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_the_triggers_are_back_afterwards(db: None) -> None:
    make_chain(3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    entry = record("test.after_flush")
    assert entry.prev_hash == chain.GENESIS
    assert "append-only" in refused("DELETE FROM audit_auditentry", [])
    assert "append-only" in refused("UPDATE audit_auditentry SET target = 'x'", [])
    if connection.vendor == "postgresql":
        assert "TRUNCATE refused" in refused("TRUNCATE audit_auditentry", [])
    assert AuditEntry.objects.count() == 1


# list and export


def test_it_lists_entries_newest_first_with_filters(personas: Personas) -> None:
    record("auth.sign_in", organisation=personas.org, actor=personas.admin, target="user:1")
    record("privacy.reveal", organisation=personas.org, actor=personas.agent, target="ticket:42",
           detail={"purpose": "refund"})
    record("privacy.reveal", organisation=personas.other_org, actor=personas.outsider, target="ticket:43")

    def listing(*args: str) -> str:
        out = io.StringIO()
        call_command("audit", "list", *args, stdout=out)
        return out.getvalue()

    everything = listing()
    assert everything.index("ticket:43") < everything.index("ticket:42") < everything.index("user:1")
    reveals = listing("--action", "privacy.reveal", "--org", "fjord")
    assert "ticket:42" in reveals and "refund" in reveals and "ticket:43" not in reveals and "user:1" not in reveals
    assert "user:1" in listing("--actor", "ADA") and "ticket:42" not in listing("--actor", "ada")
    assert "ticket:42" in listing("--target", "ticket:") and "user:1" not in listing("--target", "ticket:")
    assert "No" not in listing("--since", "2000-01-01") and "ticket:42" in listing("--since", "2000-01-01")
    assert "ticket:42" not in listing("--until", "2000-01-01")
    with pytest.raises(CommandError, match="--since: give a date as YYYY-MM-DD, not '1 May'"):
        listing("--since", "1 May")


def standalone(*args: str) -> subprocess.CompletedProcess[str]:
    """The DPO's check: Python's standard library only (-I: isolated, webcare not importable)."""
    return subprocess.run([sys.executable, "-I", str(STANDALONE), *args], capture_output=True, text=True,
                          timeout=60, check=False, cwd="/")


def test_an_export_checks_out_without_webcare_and_catches_an_edited_line(personas: Personas, tmp_path: Path) -> None:
    made = [record("test.event", organisation=personas.org if i % 2 else personas.other_org, actor_label="ø",
                   detail={"n": i, "x": 0.5}) for i in range(5)]
    out = tmp_path / "audit.jsonl"
    text = io.StringIO()
    call_command("audit", "export", "--out", str(out), stdout=text, stderr=io.StringIO())
    assert text.getvalue().strip() == f"5 entries written to {out}"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert not out.with_name("audit.jsonl.partial").exists()
    checked = standalone(str(out), "--anchor", made[2].hash)
    assert (checked.returncode, checked.stdout.strip()) == (0, f"intact: 5 entries, last hash {made[-1].hash}")
    assert AuditEntry.objects.order_by("-id").first().action == "audit.exported"  # the export itself is recorded

    lines = out.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[1]) | {"actor_label": "someone"}
    out.write_text("\n".join([lines[0], json.dumps(edited), *lines[2:]]) + "\n", encoding="utf-8")
    tampered = standalone(str(out))
    assert tampered.returncode == 1
    assert tampered.stdout.startswith(f"broken at line 2 (id {made[1].pk},") and "hash mismatch" in tampered.stdout

    mine = tmp_path / "fjord.jsonl"
    call_command("audit", "export", "--out", str(mine), "--org", "fjord", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert len(mine.read_text().splitlines()) == 2
    assert standalone(str(mine), "--partial").returncode == 0
    assert standalone(str(mine)).returncode == 1  # the other organisation's entries between them are missing


def test_it_refuses_an_export_into_a_missing_folder(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"--out: the folder .* does not exist"):
        call_command("audit", "export", "--out", str(tmp_path / "nowhere" / "a.jsonl"))
    assert not AuditEntry.objects.exists()
