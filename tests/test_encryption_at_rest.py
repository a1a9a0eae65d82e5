"""Encryption at rest (webcare/keys): message originals, earlier texts, customer notes, processed raw deliveries and
stored files are ciphertext under the customer's data key; every writer path encrypts; a plaintext write that
bypasses encryption fails loudly; a destroyed or wrong key reads as a clear notice, never a crash."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from tests.conftest import Personas, client_for, inbound_payload, ingest_ticket
from tests.search_support import tantivy_index  # noqa: F401 — a fixture
from tests.support import call_import
from webcare.channels import attachments
from webcare.channels.email_parse import parse_email
from webcare.channels.inbound import store_items
from webcare.channels.models import OutboundJob
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.customers.edit import do_edit_customer
from webcare.customers.models import Customer, CustomerEdit
from webcare.inbox import search
from webcare.ingest.models import EventStatus, InboundEvent
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.keys import keyring
from webcare.keys.fields import PlaintextWriteError
from webcare.keys.models import DataKey, KeyKind
from webcare.keys.sealing import PREFIX, Unreadable, token_key_id
from webcare.keys.shred import destroy_customer_keys
from webcare.search import indexer
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

SECRET_PHONE = "912 34 567"
SECRET_MAIL = "sesam.hemmelig@eksempel.no"
PII_TEXT = f"Hei, ring meg på {SECRET_PHONE} eller skriv til {SECRET_MAIL} om fakturaen"


def stored(table: str, column: str, pk: Any) -> str:
    """The column's value as the database holds it (no decryption), as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


def key_of_token(value: str) -> str:
    json_string = value.startswith('"')
    key_id = token_key_id(json.loads(value) if json_string else value)
    assert key_id is not None, f"not a token: {value[:30]!r}"
    return str(key_id)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def fresh_key_cache() -> Any:
    keyring.forget_all()
    yield
    keyring.forget_all()


def everything_stored_in_the_main_database(tmp_path: Path) -> bytes:
    """Every byte the main database holds, live rows only: a compacted copy of the SQLite file, or every row of every
    PostgreSQL table as JSON."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return copy.read_bytes()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" AS t')
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks).encode("utf-8")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_readable_copy_of_a_customers_personal_data_in_the_main_database(personas: Personas,
                                                                                     tmp_path: Path) -> None:
    payload = inbound_payload(1, text=PII_TEXT)
    receive(personas.channel, payload, external_id="m-1", raw={"platform_body": PII_TEXT})
    drain()
    message = Message.objects.get()
    ticket = message.ticket
    assert message.text == PII_TEXT  # read back transparently
    assert "[EMAIL]" in message.redacted_text and SECRET_MAIL not in message.redacted_text
    do_edit_customer(ticket.customer, personas.agent, {"notes": f"Ringer helst fra {SECRET_PHONE}"})
    do_reply(ticket, personas.agent, f"Vi ringer deg på {SECRET_PHONE} i morgen")
    assert stored("conversations_message", "text", message.pk).startswith(PREFIX)
    assert InboundEvent.objects.get().status == EventStatus.DONE

    data = everything_stored_in_the_main_database(tmp_path)
    assert b"Kari Nordmann" in data and b"[EMAIL]" in data  # the search sees real content …
    for secret in (SECRET_MAIL, SECRET_PHONE, "sesam.hemmelig"):
        assert secret.encode("utf-8") not in data, secret  # … but not the personal data anywhere


def test_it_encrypts_an_ingested_message_and_its_event_with_the_customers_own_key(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text=PII_TEXT)
    message = Message.objects.get(ticket=ticket)
    customer = Customer.objects.get(pk=ticket.customer_id)
    assert customer.data_key is not None
    assert DataKey.objects.get(pk=customer.data_key).customer_id == customer.pk
    assert key_of_token(stored("conversations_message", "text", message.pk)) == str(customer.data_key)
    event = InboundEvent.objects.get()
    assert key_of_token(stored("ingest_inboundevent", "payload", event.pk)) == str(customer.data_key)
    assert event.payload["text"] == PII_TEXT  # still readable for the events list and retries
    # A second customer gets a key of their own.
    other = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    assert Customer.objects.get(pk=other.customer_id).data_key not in (None, customer.data_key)


def test_it_encrypts_a_reply_with_the_conversations_customers_key_and_masks_it(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    reply = do_reply(ticket, personas.agent, f"Hei! Vi ringer deg på {SECRET_PHONE}.")
    assert key_of_token(stored("conversations_message", "text", reply.pk)) == str(ticket.customer.data_key)
    reply.refresh_from_db()
    assert reply.text == f"Hei! Vi ringer deg på {SECRET_PHONE}."
    assert reply.redacted_text == "Hei! Vi ringer deg på [PHONE]."


def test_it_encrypts_imported_messages(personas: Personas, tmp_path: Path) -> None:
    lines = [
        {"organisation": "fjord", "channel": "api", **inbound_payload(7, text="Importert melding om fakturaen")},
        {"organisation": "fjord", "channel": "api", **inbound_payload(8, text="Svar fra oss", direction="outbound")},
    ]
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    call_import(path, "jsonl")
    messages = {m.external_id: m for m in Message.objects.select_related("conversation")}
    assert {m.text for m in messages.values()} == {"Importert melding om fakturaen", "Svar fra oss"}
    customer = messages["m-7"].conversation.customer
    assert customer is not None and customer.data_key is not None
    for message in messages.values():
        assert key_of_token(stored("conversations_message", "text", message.pk)) == str(customer.data_key)
    assert messages["m-8"].redacted_text == "Svar fra oss"  # the brand's words, masked when stored


def test_it_encrypts_an_edited_text_and_the_earlier_versions(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Første versjon")
    receive(personas.channel, {"message_id": "m-1", "change": "edited", "at": "2026-11-20T10:05:00+00:00",
                               "text": f"Andre versjon, ring {SECRET_PHONE}"}, external_id="edit-1", fmt="update")
    drain()
    message = Message.objects.get(ticket=ticket)
    assert message.text == f"Andre versjon, ring {SECRET_PHONE}" and message.redacted_text.endswith("[PHONE]")
    assert [edit["text"] for edit in message.edits] == ["Første versjon"]
    key = str(ticket.customer.data_key)
    assert key_of_token(stored("conversations_message", "text", message.pk)) == key
    raw_edits = stored("conversations_message", "edits", message.pk)
    assert key_of_token(raw_edits) == key and "Første" not in raw_edits


def test_it_encrypts_customer_notes_and_the_history_of_their_edits(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    customer = ticket.customer
    do_edit_customer(customer, personas.agent, {"notes": "Foretrekker e-post"})
    do_edit_customer(customer, personas.agent, {"notes": "Foretrekker telefon"})
    assert Customer.objects.get(pk=customer.pk).notes == "Foretrekker telefon"
    assert key_of_token(stored("customers_customer", "notes", customer.pk)) == str(customer.data_key)
    last = CustomerEdit.objects.filter(customer=customer).latest("id")
    assert (last.old, last.new) == ("Foretrekker e-post", "Foretrekker telefon")
    for column in ("old", "new"):
        assert key_of_token(stored("customers_customeredit", column, last.pk)) == str(customer.data_key)
    # A customer created with notes gets them encrypted under its own new key.
    created = Customer.objects.create(organisation=personas.org, name="Ny", notes="Ny kunde, VIP")
    created.refresh_from_db()
    assert created.notes == "Ny kunde, VIP" and created.data_key is not None
    assert key_of_token(stored("customers_customer", "notes", created.pk)) == str(created.data_key)


def test_it_stores_attachments_encrypted_and_serves_them_decrypted_until_erased(personas: Personas,
                                                                                media: Path) -> None:
    ticket = ingest_ticket(personas, 1)
    customer_key = keyring.keys_for_customers(personas.org.pk, [ticket.customer_id])[ticket.customer_id]
    data = b"%PDF-1.4 kontrakt for Kari Nordmann"
    meta = attachments.store_attachment(personas.org.pk, "kontrakt.pdf", "application/pdf", data, key=customer_key)
    on_disk = attachments.path_for(personas.org.pk, meta["url"].split("/")[3]).read_bytes()
    assert b"Kari Nordmann" not in on_disk and b"%PDF" not in on_disk and on_disk.startswith(b"WCF1")
    assert attachments.load_attachment(personas.org.pk, meta["url"]) == data
    agent = client_for(personas.agent)
    response = agent.get(meta["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Disposition"] == 'attachment; filename="kontrakt.pdf"'
    assert Client().get(meta["url"]).status_code == 302  # signed out: to the sign-in page
    assert client_for(personas.outsider).get(meta["url"]).status_code == 404
    # The same file for the same customer is stored once; another customer's copy is another file.
    assert attachments.store_attachment(personas.org.pk, "kopi.pdf", "application/pdf", data,
                                        key=customer_key)["url"].split("/")[3] == meta["url"].split("/")[3]
    destroy_customer_keys(personas.org.pk, [ticket.customer_id])
    gone = agent.get(meta["url"])
    assert gone.status_code == 410 and "erased" in gone.content.decode()
    with pytest.raises(attachments.AttachmentError, match="was erased"):
        attachments.load_attachment(personas.org.pk, meta["url"])


def test_an_emails_files_get_a_key_of_their_own_that_becomes_the_new_customers(personas: Personas,
                                                                             media: Path) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind="email", slug="mail", name="Mail",
                                     settings={"address": "kundeservice@fjordnett.test"})
    raw = (b"From: Ola <ola@kunde.test>\r\nTo: kundeservice@fjordnett.test\r\nSubject: Faktura\r\n"
           b"Message-ID: <vedlegg@kunde.test>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
           b"Se vedlegg.\r\n--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
           b"filename=faktura.pdf\r\n\r\n%PDF-1.4 faktura\r\n--XX--\r\n")
    items = parse_email(raw, channel)
    pending = {str(k) for k in DataKey.objects.filter(kind=KeyKind.FILE, customer_id__isnull=True)
               .values_list("pk", flat=True)}
    assert len(pending) == 1  # one key for the mail's files: the sender is not a customer yet
    store_items(channel, items)
    drain()
    message = Message.objects.get(channel=channel)
    customer = message.conversation.customer
    assert DataKey.objects.get(pk=pending.pop()).customer_id == customer.pk  # adopted by the new customer
    url = message.attachments[0]["url"]
    assert attachments.load_attachment(personas.org.pk, url).startswith(b"%PDF-1.4 faktura")
    destroyed = destroy_customer_keys(personas.org.pk, [customer.pk])
    assert len(destroyed) == 2  # the customer's key and the file key
    with pytest.raises(attachments.AttachmentError, match="was erased"):
        attachments.load_attachment(personas.org.pk, url)


def test_a_plaintext_write_that_bypasses_encryption_fails_loudly(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Original")
    message = Message.objects.get(ticket=ticket)
    before = stored("conversations_message", "text", message.pk)
    # (Each in a savepoint, as a request's transaction would be: the error rolls back what it was part of.)
    with pytest.raises(PlaintextWriteError, match=r"conversations\.message\.text is encrypted at rest"), \
            transaction.atomic():
        Message.objects.filter(pk=message.pk).update(text="Overskrevet i klartekst")
    with pytest.raises(PlaintextWriteError, match=r"customers\.customer\.notes"), transaction.atomic():
        Customer.objects.filter(pk=ticket.customer_id).update(notes="klartekst")
    with pytest.raises(PlaintextWriteError), transaction.atomic():
        message.text = "Via bulk_update"
        Message.objects.bulk_update([message], ["text"])
    with pytest.raises(PlaintextWriteError, match="edits"), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(edits=[{"at": "x", "text": "klartekst"}])
    with pytest.raises(FieldError, match="search redacted_text"):
        list(Message.objects.filter(text__icontains="Original"))
    assert stored("conversations_message", "text", message.pk) == before  # nothing half-stored
    # Clearing is allowed (never a leak): erasure and retention do it.
    Message.objects.filter(pk=message.pk).update(text="", edits=[])
    assert stored("conversations_message", "text", message.pk) == ""


def test_a_tampered_value_a_wrong_master_key_and_a_destroyed_key_read_as_clear_notices(personas: Personas,
                                                                                      settings: Any) -> None:
    master = settings.WEBCARE_MASTER_KEY
    ticket = ingest_ticket(personas, 1, text="Hemmelig")
    message = Message.objects.get(ticket=ticket)
    token = stored("conversations_message", "text", message.pk)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conversations_message SET text = %s WHERE id = %s", [tampered, message.pk])
    read = Message.objects.get(pk=message.pk).text
    assert isinstance(read, Unreadable) and read.reason == "unreadable" and str(read) == "[cannot be decrypted]"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conversations_message SET text = %s WHERE id = %s", [token, message.pk])
    # A wrong master key: the data key does not unwrap.
    settings.WEBCARE_MASTER_KEY = "not-the-master-key-that-wrapped-it"
    keyring.forget_all()
    read = Message.objects.get(pk=message.pk).text
    assert isinstance(read, Unreadable) and read.reason == "unreadable"
    with pytest.raises(keyring.KeyringError, match="cannot be unwrapped"):
        keyring.keys_for_customers(personas.org.pk, [ticket.customer_id])  # no new data under a new key silently
    settings.WEBCARE_MASTER_KEY = master
    keyring.forget_all()
    assert Message.objects.get(pk=message.pk).text == "Hemmelig"
    # A destroyed key: "[erased]"; saving the row keeps the ciphertext instead of destroying it.
    destroy_customer_keys(personas.org.pk, [ticket.customer_id])
    erased = Message.objects.get(pk=message.pk)
    assert isinstance(erased.text, Unreadable) and erased.text.reason == "erased" and erased.text == "[erased]"
    erased.hidden = True
    erased.save()
    assert stored("conversations_message", "text", message.pk) == token


def test_the_inbox_and_the_api_show_an_erased_customers_messages_as_erased(personas: Personas, api: Any) -> None:
    ticket = ingest_ticket(personas, 1, text="Noe helt vanlig")
    destroy_customer_keys(personas.org.pk, [ticket.customer_id])
    page = client_for(personas.agent).get(f"/inbox/tickets/{ticket.pk}/", headers={"HX-Request": "true"})
    assert page.status_code == 200 and "[erased]" in page.content.decode()
    response = api.get(f"/api/v1/tickets/{ticket.pk}")  # the original is erased; no error for the reader
    assert response.status_code == 200 and len(response.json()["messages"]) == 1


def test_processed_events_are_sealed_and_still_readable_while_dead_letters_stay_plain(personas: Personas) -> None:
    receive(personas.channel, inbound_payload(1), external_id="m-1", raw={"body": "platform's own"})
    receive(personas.channel, {"message_id": "m-1", "conversation_id": "x"}, external_id="broken")
    drain()
    done = InboundEvent.objects.get(external_id="m-1")
    dead = InboundEvent.objects.get(external_id="broken")
    assert (done.status, dead.status) == (EventStatus.DONE, EventStatus.DEAD)
    assert stored("ingest_inboundevent", "payload", done.pk).startswith('"' + PREFIX)
    assert stored("ingest_inboundevent", "raw", done.pk).startswith('"' + PREFIX)
    assert done.payload["message_id"] == "m-1" and done.raw == {"body": "platform's own"}
    assert json.loads(stored("ingest_inboundevent", "payload", dead.pk))["message_id"] == "m-1"  # an admin reads it
    out = StringIO()
    call_command("events", "--status", "done", stdout=out)
    assert str(done.pk) in out.getvalue()


def test_legacy_plaintext_is_read_as_it_is_and_encrypt_existing_encrypts_it(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text="Ny melding")
    message = Message.objects.get(ticket=ticket)
    event = InboundEvent.objects.get()
    legacy_payload = json.dumps(inbound_payload(1))
    with connection.cursor() as cursor:  # as rows stored before encryption at rest look
        cursor.execute("UPDATE conversations_message SET text = %s, edits = %s WHERE id = %s",
                       ["Gammel melding", json.dumps([{"at": "2026-01-01T00:00:00+00:00", "text": "eldre"}]),
                        message.pk])
        cursor.execute("UPDATE customers_customer SET notes = %s WHERE id = %s", ["Gamle notater", ticket.customer_id])
        cursor.execute("UPDATE ingest_inboundevent SET payload = %s WHERE id = %s", [legacy_payload, event.pk])
    message.refresh_from_db()
    assert (message.text, message.edits[0]["text"]) == ("Gammel melding", "eldre")
    out = StringIO()
    call_command("keys", "status", stdout=out)
    assert "plaintext left from before encryption: 1 messages, 1 customer notes, 0 customer edits, " \
           "1 processed events" in out.getvalue()
    call_command("keys", "encrypt-existing", stdout=out)
    assert "encrypted: 1 messages, 1 customer notes, 0 customer edits, 1 processed events" in out.getvalue()
    key = str(Customer.objects.get(pk=ticket.customer_id).data_key)
    for table, column, pk in (("conversations_message", "text", message.pk),
                              ("conversations_message", "edits", message.pk),
                              ("customers_customer", "notes", ticket.customer_id),
                              ("ingest_inboundevent", "payload", event.pk)):
        assert key_of_token(stored(table, column, pk)) == key, (table, column)
    message.refresh_from_db()
    assert (message.text, message.edits[0]["text"]) == ("Gammel melding", "eldre")
    assert Customer.objects.get(pk=ticket.customer_id).notes == "Gamle notater"
    out = StringIO()
    call_command("keys", "encrypt-existing", stdout=out)
    assert "encrypted: 0 messages, 0 customer notes, 0 customer edits, 0 processed events" in out.getvalue()


@pytest.mark.usefixtures("tantivy_index")
def test_search_finds_the_masked_text_never_the_personal_data(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1, text=PII_TEXT)
    indexer.sync()

    def found(query: str) -> bool:
        condition = search.condition(search.parse(query), personas.agent, personas.org.pk)
        return Ticket.objects.filter(condition, pk=ticket.pk).exists()

    assert found("fakturaen") and found("skriv")
    assert not found("sesam.hemmelig") and not found("912")
    listed = client_for(personas.agent).get("/inbox/list/", {"view": "search", "q": "fakturaen"}).content.decode()
    assert f'data-ticket="{ticket.pk}"' in listed


def test_messages_without_a_customer_use_the_organisations_key(personas: Personas) -> None:
    receive(personas.channel, inbound_payload(1, direction="outbound", conversation="brand-post",
                                              author="brand"), external_id="m-1")
    drain()
    message = Message.objects.get()
    assert message.conversation.customer_id is None
    org_key = DataKey.objects.get(organisation_id=personas.org.pk, kind=KeyKind.ORGANISATION)
    assert key_of_token(stored("conversations_message", "text", message.pk)) == str(org_key.pk)
    assert keyring.organisation_key(personas.org.pk).id == org_key.pk == uuid.UUID(str(org_key.pk))


def test_an_outbound_jobs_request_is_encrypted_with_its_messages_key(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    reply = do_reply(ticket, personas.agent, f"Vi ringer {SECRET_PHONE}")
    job = OutboundJob.objects.create(organisation=personas.org, channel=personas.channel, message=reply,
                                     action="reply", request={"text": reply.text, "recipient": {"handle": "@u-1"}})
    raw = stored("channels_outboundjob", "request", job.pk)
    assert key_of_token(raw) == str(ticket.customer.data_key) and SECRET_PHONE not in raw
    assert OutboundJob.objects.get(pk=job.pk).request["text"] == f"Vi ringer {SECRET_PHONE}"
    destroy_customer_keys(personas.org.pk, [ticket.customer_id])
    assert OutboundJob.objects.get(pk=job.pk).request == {"unreadable": "erased"}
