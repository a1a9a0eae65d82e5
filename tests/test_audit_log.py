"""The audit log is written by the real code paths, hash-chained, and one chain under concurrent writers.

Every recorded kind of event is produced the way it happens in use: signing in through the sign-in form, changing
a role through the staff actions (and the staff page), changing channel credentials (staff actions, with Telegram
as a pytest-httpserver stub, and the Django admin), making and revoking API tokens (the command and the admin),
changing site privileges. Each test checks the entry's fields and that no secret or typed password is in it.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.conftest import Personas, client_for
from tests.support import child_env, python_child
from tests.test_channel_admin import BOT, expect_get_me, telegram_channel, telegram_values
from webcare.audit import actions, chain, verify
from webcare.audit.log import GENESIS, record
from webcare.audit.models import AuditEntry
from webcare.channels.telegram import TelegramConnector
from webcare.core.models import Agent, ApiToken, Channel, Role
from webcare.staff import actions as staff
from webcare.staff import channel_actions
from webcare.tickets.actions import ActionError

PASSWORD = "correct horse battery"


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def only(action: str) -> AuditEntry:
    found = entries(action)
    assert len(found) == 1, [(e.action, e.target, e.detail) for e in found]
    return found[0]


def as_text(entry: AuditEntry) -> str:
    return json.dumps([entry.actor_label, entry.target, entry.detail, entry.action])


@pytest.fixture
def platform(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(TelegramConnector, "default_api_base", httpserver.url_for("").rstrip("/"))
    return httpserver


# The chain


def test_it_links_each_entry_to_the_one_before_by_the_documented_rule(db: None) -> None:
    first = record("test.one", organisation=7, actor_label="kari", target="ticket:1", detail={"n": 1, "ø": "æ"})
    second = record("test.two", detail={"purpose": "verify identity", "ids": [3, 1]})
    assert first.prev_hash == GENESIS == "0" * 64
    assert second.prev_hash == first.hash
    stored = AuditEntry.objects.get(pk=first.pk)
    # The rule as docs/privacy.md states it, computed here without webcare's chain module.
    body = {"action": "test.one", "actor_id": None, "actor_label": "kari",
            "at": stored.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "detail": {"n": 1, "ø": "æ"}, "ip": "",
            "organisation_id": 7, "target": "ticket:1"}
    text = GENESIS + "\n" + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stored.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert str(stored.at.tzinfo) == "UTC"
    result = verify.verify()
    assert (result.intact, result.count, result.last_hash) == (True, 2, second.hash)


def test_it_hashes_details_as_the_database_gives_them_back(db: None) -> None:
    entry = record("test.numbers", detail={"big": 1e20, "small": 0.25, 3: "int key", "nested": [{"x": None}]})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.detail == {"big": 10**20, "small": 0.25, "3": "int key", "nested": [{"x": None}]}
    assert chain.entry_hash(stored.prev_hash, chain.fields(stored.at, stored.organisation_id, stored.actor_id,
                                                           stored.actor_label, stored.action, stored.target,
                                                           stored.detail, stored.ip)) == stored.hash


@pytest.mark.parametrize(("detail", "message"), [
    ({"x": float("nan")}, "detail.x: nan is not a JSON number"),
    ({"when": object()}, "detail.when: object is not JSON"),
    ({"list": [1, "a\x00b"]}, "detail.list[1]: contains a NUL character"),
])
def test_it_refuses_a_detail_that_is_not_json_and_writes_nothing(db: None, detail: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        record("test.bad", detail=detail)
    with pytest.raises(ValueError, match="organisation: give a model instance or an id"):
        record("test.bad", organisation="fjord")
    assert not AuditEntry.objects.exists()


def test_it_records_in_the_callers_transaction_so_a_rollback_leaves_no_entry(db: None) -> None:
    record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back")
        raise RuntimeError("the change failed")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.kept"]
    assert record("test.after").prev_hash == only("test.kept").hash


# Signing in and out (Django's signals, whatever the sign-in view)


def test_it_records_a_sign_in_through_the_sign_in_form(personas: Personas) -> None:
    client = Client()
    response = client.post("/login/", {"username": "kari", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    entry = only(actions.SIGN_IN)
    assert (entry.organisation_id, entry.actor_id, entry.actor_label, entry.target, entry.ip) == (
        personas.org.pk, personas.agent.pk, "kari", f"user:{personas.agent.pk}", "192.0.2.7")

    client.post("/logout/")
    out = only(actions.SIGN_OUT)
    assert (out.organisation_id, out.actor_id, out.prev_hash) == (personas.org.pk, personas.agent.pk, entry.hash)


def test_it_records_a_failed_sign_in_with_the_accounts_name_but_never_a_typed_unknown_name(
        personas: Personas) -> None:
    client = Client()
    client.post("/login/", {"username": "kari", "password": "wrong password"})
    client.post("/login/", {"username": "Tr0ub4dor&3", "password": "x"})  # a password typed as the username
    client.post("/login/", {"username": "Tr0ub4dor&3", "password": "y"})
    known, unknown, again = entries(actions.SIGN_IN_FAILED)
    assert (known.organisation_id, known.actor_id, known.actor_label, known.target) == (
        personas.org.pk, None, "kari", f"user:{personas.agent.pk}")
    assert (unknown.organisation_id, unknown.actor_label, unknown.detail["account"]) == (None, "unknown", "unknown")
    assert len(unknown.detail["username_hash"]) == 16
    assert again.detail == unknown.detail  # the same name can be counted …
    assert "Tr0ub4dor" not in as_text(unknown) and "tr0ub4dor" not in as_text(unknown).lower()  # … never read
    assert "wrong password" not in as_text(known)
    assert not entries(actions.SIGN_IN)


def test_it_records_a_sign_in_in_each_organisation_the_account_works_for(personas: Personas) -> None:
    Agent.objects.create(user=personas.agent, organisation=personas.other_org, role=Role.AGENT)
    client_for(personas.agent)
    assert sorted(e.organisation_id for e in entries(actions.SIGN_IN)) == sorted([personas.org.pk,
                                                                                  personas.other_org.pk])


# Roles, agents and teams (webcare/staff/actions.py, the only writer)


def test_it_records_a_role_change_through_the_staff_page(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    response = client_for(personas.admin).post(f"/staff/agents/{kari.pk}/", {
        "first_name": "Kari", "last_name": "", "email": "kari@example.test", "role": "supervisor",
        "team_ids": [str(personas.team.pk)], "is_active": "on"})
    assert response.status_code == 302
    entry = only(actions.ROLE_CHANGED)
    assert (entry.organisation_id, entry.actor_id, entry.actor_label, entry.target) == (
        personas.org.pk, personas.admin.pk, "ada", f"agent:{kari.pk}")
    assert entry.detail == {"user_id": personas.agent.pk, "from": "agent", "to": "supervisor"}
    assert not entries(actions.TEAM_CHANGED)  # the same team as before: no membership change


def test_it_records_agents_added_deactivated_changed_and_their_teams(personas: Personas) -> None:
    admin = personas.admin
    agent, password = staff.add_agent(personas.org, admin, "nora", "Nora", "Berg", "nora@example.test", "agent",
                                      [personas.team.pk], ["nb"])
    created = only(actions.AGENT_CREATED)
    assert (created.target, created.detail) == (f"agent:{agent.pk}", {"user_id": agent.user_id, "role": "agent",
                                                                     "team_ids": [personas.team.pk]})
    other = staff.add_team(personas.org, admin, "Billing", "first_name", [])
    staff.change_agent(agent, admin, email="nora.berg@example.test", is_active=False, team_ids=[other.pk])
    assert only(actions.AGENT_DEACTIVATED).detail == {"user_id": agent.user_id}
    assert only(actions.AGENT_CHANGED).detail == {"user_id": agent.user_id, "fields": ["email"]}
    joined = entries(actions.TEAM_CHANGED)[-1]
    assert (joined.target, joined.detail) == (f"agent:{agent.pk}", {"joined": [other.pk], "left": [personas.team.pk]})
    staff.change_agent(agent, admin, is_active=True)
    assert only(actions.AGENT_REACTIVATED).target == f"agent:{agent.pk}"

    kari = Agent.objects.get(user=personas.agent)
    staff.change_team(other, admin, member_ids=[kari.pk, agent.pk])
    members = entries(actions.TEAM_CHANGED)[-1]
    assert (members.target, members.detail) == (f"team:{other.pk}", {"added": [kari.pk], "removed": []})

    new_password = staff.reset_password(agent, admin)
    reset = only(actions.PASSWORD_RESET)
    assert reset.detail == {"user_id": agent.user_id}
    everything = " ".join(as_text(e) for e in AuditEntry.objects.all())
    assert password not in everything and new_password not in everything
    assert "nora.berg@example.test" not in everything  # field names, never values
    assert verify.verify().intact


def test_it_records_nothing_when_the_staff_action_is_refused(personas: Personas) -> None:
    kari = Agent.objects.get(user=personas.agent)
    with pytest.raises(ActionError):
        staff.change_agent(kari, personas.supervisor, role="admin")  # not an admin
    with pytest.raises(ActionError):
        staff.change_agent(Agent.objects.get(user=personas.admin), personas.admin, role="agent")  # own role
    assert not AuditEntry.objects.exclude(action=actions.SIGN_IN).exists()


def test_it_records_an_agent_deleted_and_an_account_deleted(personas: Personas) -> None:
    analyst = Agent.objects.get(user=personas.analyst)
    user_id = personas.analyst.pk
    personas.analyst.delete()
    account = only(actions.ACCOUNT_DELETED)
    assert (account.organisation_id, account.target) == (personas.org.pk, f"user:{user_id}")
    agent = only(actions.AGENT_DELETED)
    assert (agent.target, agent.detail) == (f"agent:{analyst.pk}", {"user_id": user_id, "role": "analyst"})


# Site privileges (the Django admin, createadmin, a shell: whoever changes them)


def test_it_records_site_privileges_whoever_changes_them(personas: Personas) -> None:
    kari = personas.agent
    kari.is_staff = True
    kari.save()
    granted = only(actions.PRIVILEGES_CHANGED)
    assert (granted.organisation_id, granted.target, granted.detail) == (
        personas.org.pk, f"user:{kari.pk}", {"is_staff": [False, True]})
    kari.save(update_fields=["last_login"])  # no privilege in the update: nothing recorded
    group = Group.objects.create(name="helpdesk")
    kari.groups.add(group)
    added = entries(actions.PRIVILEGES_CHANGED)[-1]
    assert added.detail == {"relation": "User_groups", "change": "add", "ids": [group.pk]}
    group.user_set.remove(kari)
    removed = entries(actions.PRIVILEGES_CHANGED)[-1]
    assert (removed.target, removed.detail) == (f"user:{kari.pk}", {"relation": "User_groups", "change": "remove",
                                                                     "group_id": group.pk})
    root = get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    made = entries(actions.PRIVILEGES_CHANGED)[-1]
    assert (made.organisation_id, made.target, made.detail) == (
        None, f"user:{root.pk}", {"is_staff": [False, True], "is_superuser": [False, True]})


def test_it_records_who_changed_an_account_in_the_django_admin(personas: Personas) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    kari = personas.agent
    response = client_for(root).post(f"/admin/auth/user/{kari.pk}/change/", {
        "username": "kari", "first_name": "Kari", "last_name": "", "email": kari.email, "is_active": "on",
        "is_staff": "on", "is_superuser": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "10:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    flags = entries(actions.PRIVILEGES_CHANGED)[-1]
    assert flags.detail == {"is_staff": [False, True], "is_superuser": [False, True]}
    who = only(actions.ADMIN_ACCOUNT_CHANGED)
    assert (who.actor_id, who.actor_label, who.target, who.organisation_id) == (
        root.pk, "root", f"user:{kari.pk}", personas.org.pk)
    assert who.detail["change"] == "changed"
    assert {"Staff status", "Superuser status"} <= set(who.detail["fields"])


# Channel credentials (staff channel actions and the Django admin)


def test_it_records_channel_credentials_connected_and_changed_without_their_values(personas: Personas,
                                                                                   platform: Any) -> None:
    expect_get_me(platform, "123456789:AAE-right-token", BOT)
    channel, _ = channel_actions.connect_channel(personas.org, personas.admin, "telegram", "Bot",
                                                 telegram_values())
    connected = only(actions.CHANNEL_CREDENTIALS)
    assert (connected.target, connected.actor_label, connected.detail) == (
        f"channel:{channel.pk}", "ada", {"change": "connected", "kind": "telegram",
                                         "fields": ["bot_token", "secret_token"]})
    expect_get_me(platform, "123456789:AAE-new-token", BOT)
    channel_actions.change_channel(channel, personas.admin, values={"bot_token": "123456789:AAE-new-token",
                                                                    "secret_token": ""})
    changed = entries(actions.CHANNEL_CREDENTIALS)[-1]
    assert changed.detail == {"change": "changed", "kind": "telegram", "fields": ["bot_token"]}
    channel_actions.change_channel(channel, personas.admin, name="Renamed bot")  # no credential: nothing
    assert len(entries(actions.CHANNEL_CREDENTIALS)) == 2
    everything = " ".join(as_text(e) for e in AuditEntry.objects.all())
    assert "AAE-" not in everything and telegram_values()["secret_token"] not in everything


def test_it_records_credentials_changed_in_the_django_admin(personas: Personas, platform: Any) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    channel = telegram_channel(personas, platform)
    response = client_for(root).post(f"/admin/core/channel/{channel.pk}/change/", {
        "organisation": str(personas.org.pk), "kind": "telegram", "slug": channel.slug, "name": channel.name,
        "settings": json.dumps(channel.settings), "is_active": "on", "new_credentials": '{"bot_token": "9:ZZ"}'})
    assert response.status_code == 302
    assert Channel.objects.get(pk=channel.pk).get_credentials() == {"bot_token": "9:ZZ"}
    entry = only(actions.CHANNEL_CREDENTIALS)
    assert (entry.actor_label, entry.target, entry.detail) == (
        "root", f"channel:{channel.pk}", {"change": "changed", "kind": "telegram", "fields": ["bot_token"]})
    assert "9:ZZ" not in as_text(entry)


# API tokens (the command and the Django admin)


def test_it_records_api_tokens_made_and_revoked_by_the_command(personas: Personas,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    call_command("apitoken", "--org", "fjord", "--name", "crm sync")  # a token that may not reveal
    plain = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="crm sync")
    made = only(actions.API_TOKEN_CREATED)
    assert (made.organisation_id, made.target, made.detail) == (
        personas.org.pk, f"api_token:{token.pk}", {"prefix": token.prefix, "name": "crm sync", "can_reveal": False})
    assert made.actor_label.startswith("cli")
    assert plain.startswith("wc_") and plain not in as_text(made) and plain[len(token.prefix):] not in as_text(made)

    call_command("apitoken", "--org", "fjord", "--revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = only(actions.API_TOKEN_REVOKED)
    assert (revoked.target, revoked.detail) == (f"api_token:{token.pk}", {"prefix": token.prefix, "how": "revoked"})
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already revoked"):
        call_command("apitoken", "--org", "fjord", "--revoke", token.prefix)
    assert len(entries(actions.API_TOKEN_REVOKED)) == 1
    call_command("apitoken", "--org", "fjord", "--name", "reveals", "--can-reveal")
    assert entries(actions.API_TOKEN_CREATED)[-1].detail["can_reveal"] is True  # a permission: recorded


def test_it_records_api_tokens_made_revoked_and_deleted_in_the_django_admin(personas: Personas) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    admin = client_for(root)
    assert admin.post("/admin/core/apitoken/add/", {"organisation": str(personas.org.pk),
                                                    "name": "zapier"}).status_code == 302
    token = ApiToken.objects.get(name="zapier")
    assert (only(actions.API_TOKEN_CREATED).actor_label, only(actions.API_TOKEN_CREATED).target) == (
        "root", f"api_token:{token.pk}")
    assert admin.post(f"/admin/core/apitoken/{token.pk}/change/", {
        "organisation": str(personas.org.pk), "name": "zapier", "revoked_at_0": "2026-11-01",
        "revoked_at_1": "12:00:00"}).status_code == 302
    assert only(actions.API_TOKEN_REVOKED).detail == {"prefix": token.prefix, "how": "revoked"}
    assert admin.post(f"/admin/core/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 302
    deleted = entries(actions.API_TOKEN_REVOKED)[-1]
    assert (deleted.detail, deleted.actor_label) == ({"prefix": token.prefix, "how": "deleted"}, "root")


# One chain with concurrent writers


WRITER = """
import time
from pathlib import Path
from webcare.audit.log import record
Path(os.environ["READY"]).touch()
while not Path(os.environ["GO"]).exists():
    time.sleep(0.01)
for n in range(int(os.environ["N"])):
    record("test.concurrent", actor_label=os.environ["WHO"], detail={"n": n})
"""


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_unbroken_chain_when_two_processes_record_at_once(tmp_path: Path) -> None:
    import subprocess

    per_writer = 60
    go = tmp_path / "go"
    writers = []
    for who in ("one", "two"):
        env = child_env(READY=str(tmp_path / who), GO=str(go), N=str(per_writer), WHO=who)
        writers.append(subprocess.Popen(python_child(WRITER), env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 60
    while not all((tmp_path / who).exists() for who in ("one", "two")):
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.05)
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    result = verify.verify()
    assert (result.intact, result.count) == (True, 2 * per_writer), result.broken
    by_writer = list(AuditEntry.objects.order_by("id").values_list("actor_label", flat=True))
    assert sorted(by_writer) == ["one"] * per_writer + ["two"] * per_writer
    assert len(set(AuditEntry.objects.values_list("prev_hash", flat=True))) == 2 * per_writer  # no fork
