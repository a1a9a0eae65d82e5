"""Master-key rotation (``webcare keys rotate``, ``webcare keys status``): every data key and every channel's
credentials move to the new master key, the data itself is untouched and still reads, the old key alone no longer
opens anything, an interrupted rotation resumes, and the rotation is in the audit log."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import Personas, ingest_ticket
from webcare import crypto
from webcare.audit import actions
from webcare.audit.models import AuditEntry
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.customers.models import Customer
from webcare.keys import keyring, rotation
from webcare.keys.hashing import identifier_hash
from webcare.keys.models import DataKey, KeyKind
from webcare.keys.sealing import Unreadable

OLD = "old-master-key-0123456789abcdefghijklmnop"
NEW = "new-master-key-zyxwvutsrqponmlkjihgfedcba"


@pytest.fixture
def masters(settings: Any) -> Any:
    """Start under OLD; the test switches keys by changing settings (and the process's key cache)."""

    def use(current: str, *previous: str) -> None:
        settings.WEBCARE_MASTER_KEY = current
        settings.WEBCARE_MASTER_KEY_PREVIOUS = list(previous)
        keyring.forget_all()

    use(OLD)
    yield use
    keyring.forget_all()


@pytest.fixture
def data(personas: Personas, masters: Any) -> dict[str, Any]:
    ticket = ingest_ticket(personas, 1, text="Skrevet før rotasjonen")
    channel = Channel.objects.create(organisation=personas.org, kind="telegram", slug="tg", name="Telegram")
    channel.set_credentials({"bot_token": "123:secret-token"})
    channel.save()
    return {"personas": personas, "message": Message.objects.get(ticket=ticket), "customer": ticket.customer,
            "channel": channel, "hash": identifier_hash("email:kari@example.test"),
            "org_key": keyring.organisation_key(personas.org.pk)}


def rotate() -> str:
    out = StringIO()
    call_command("keys", "rotate", stdout=out, stderr=StringIO())
    return out.getvalue()


def status(*args: str) -> str:
    out = StringIO()
    call_command("keys", "status", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_rewraps_every_key_and_credential_and_everything_still_reads(data: dict[str, Any], masters: Any) -> None:
    masters(NEW, OLD)
    # Between changing the environment and rotating, everything still opens (the previous key is tried).
    assert Message.objects.get(pk=data["message"].pk).text == "Skrevet før rotasjonen"
    assert "previous (rotate)" in status()
    keys = DataKey.objects.count()
    assert keys >= 3  # the customer's, the organisation's and the hashing key
    wrapped_before = dict(DataKey.objects.values_list("pk", "wrapped"))
    stored_before = Message.objects.filter(pk=data["message"].pk).values_list("text", flat=True)
    out = rotate()
    assert f"master key {crypto.fingerprint(NEW)}: {keys} data keys rewrapped, 1 channels' credentials" in out
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {crypto.fingerprint(NEW)}
    assert all(bytes(wrapped) != bytes(wrapped_before[pk]) for pk, wrapped in DataKey.objects.values_list("pk",
                                                                                                          "wrapped"))
    # The data itself was not re-encrypted: that is the point of envelope encryption.
    assert list(Message.objects.filter(pk=data["message"].pk).values_list("text", flat=True)) == list(stored_before)
    entry = AuditEntry.objects.get(action=actions.KEYS_ROTATED)
    assert entry.detail["keys_rewrapped"] == keys and entry.detail["fingerprint"] == crypto.fingerprint(NEW)

    masters(NEW)  # the old key removed: everything opens with the new one alone
    assert Message.objects.get(pk=data["message"].pk).text == "Skrevet før rotasjonen"
    assert Channel.objects.get(pk=data["channel"].pk).get_credentials() == {"bot_token": "123:secret-token"}
    assert identifier_hash("email:kari@example.test") == data["hash"]  # the erasure ledger still recognises people
    assert keyring.organisation_key(data["message"].organisation_id).id == data["org_key"].id
    assert "previous" not in status() and "unreadable keys: 0" in status("--verify")

    masters(OLD)  # the old master key alone no longer opens the rewrapped keys
    text = Message.objects.get(pk=data["message"].pk).text
    assert isinstance(text, Unreadable) and text.reason == "unreadable"
    with pytest.raises(crypto.DecryptionError):
        Channel.objects.get(pk=data["channel"].pk).get_credentials()


def test_an_interrupted_rotation_resumes_where_it_stopped(data: dict[str, Any], masters: Any,
                                                          monkeypatch: Any) -> None:
    for n in range(10, 14):  # more keys than one batch
        ingest_ticket(data["personas"], n, conversation=f"c-{n}", author=f"u-{n}")
    masters(NEW, OLD)
    total = DataKey.objects.count()

    def crash(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rewrap_keys(rotation.RotationReport(crypto.fingerprint(NEW)), crash, batch=2)
    assert DataKey.objects.filter(kek_id=crypto.fingerprint(NEW)).count() == 2  # the first batch committed
    assert rotation.keys_to_rewrap() == total - 2
    out = rotate()
    assert f"{total - 2} data keys rewrapped" in out
    assert rotation.keys_to_rewrap() == 0
    assert "0 data keys rewrapped, 0 channels' credentials" in rotate()  # nothing left: a second run is a no-op
    masters(NEW)
    assert all(m.text and not isinstance(m.text, Unreadable) for m in Message.objects.all())


def test_keys_no_master_key_opens_are_reported_not_lost(data: dict[str, Any], masters: Any) -> None:
    stray_id = uuid.uuid4()
    kek = keyring._kek("a-master-key-nobody-has-any-more")
    DataKey.objects.create(id=stray_id, organisation_id=data["customer"].organisation_id, customer_id=None,
                           kind=KeyKind.FILE, wrapped=keyring.wrap(b"x" * 32, stray_id, kek),
                           kek_id=crypto.fingerprint("a-master-key-nobody-has-any-more"))
    shown = status()
    assert "unknown master key: unreadable" in shown and "unreadable keys: 1" in shown
    masters(NEW, OLD)
    with pytest.raises(CommandError, match="1 data keys and 0 channels could not be opened") as failure:
        rotate()
    assert failure.value.returncode == 1
    assert DataKey.objects.get(pk=stray_id).kek_id == crypto.fingerprint("a-master-key-nobody-has-any-more")
    assert DataKey.objects.exclude(pk=stray_id).exclude(kek_id=crypto.fingerprint(NEW)).count() == 0
    assert Customer.objects.get(pk=data["customer"].pk).data_key is not None
