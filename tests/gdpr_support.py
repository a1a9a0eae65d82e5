"""A data subject for the gdpr tests, built the way production builds one: through the REST API, an e-mail, and the
web chat widget, each stored by the real ingestion worker; then merged, edited, noted and answered by staff.

Kari Nordmann writes to Fjordnett from three channels: an API delivery (handle ``@kari_nordmann``), an e-mail from
``kari.nordmann@example.no`` with a PDF attached, and a web chat where she gives her name and address. Her number
(+47 912 34 567) is in her API message. Ola, another customer, mentions Kari's number and handle in his message;
an agent's reply to Ola names her. Everything that identifies Kari is in :data:`KARI`, in every written form the
scan looks for.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, router

from tests.conftest import ApiClient, Personas
from tests.test_channel_email import make_channel
from tests.test_webchat import SITE, Visitor
from webcare.channels.email_parse import parse_email
from webcare.channels.inbound import store_items
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.ingest.models import EventSource
from webcare.ingest.worker import drain
from webcare.tickets.models import Ticket

EMAIL = "kari.nordmann@example.no"
PHONE_FORMS = ("+4791234567", "4791234567", "+47 912 34 567", "912 34 567", "91234567")
HANDLE = "kari_nordmann"
NAME = "Kari Nordmann"
NUMBER = "K-204178"
PDF = b"%PDF-1.4 receipt for Kari Nordmann, kari.nordmann@example.no\n%%EOF"
#: Every value that must be gone after the erasure, as it is searched for (case-insensitively).
KARI = (EMAIL, *PHONE_FORMS, "@" + HANDLE, HANDLE, NAME, NUMBER)


@dataclass
class Kari:
    customer: Customer
    merged_away: list[int]
    tickets: list[int]
    other_ticket: int
    chat: Channel
    email_channel: Channel


def deliver(api: ApiClient, **payload: Any) -> None:
    response = api.post_json("/api/v1/inbound", payload)
    assert response.status_code == 202, response.content


def build_kari(personas: Personas, api: ApiClient, media: Path) -> Kari:
    """Kari's data in every place production keeps it (see the module docstring)."""
    deliver(api, message_id="api-kari-1", conversation_id="api-thread-kari", conversation_kind="private",
            author={"id": "kari-api-7", "handle": "@" + HANDLE, "name": NAME},
            text="Hei! Fakturaen min er feil. Ring meg på 912 34 567 eller skriv til " + EMAIL,
            sent_at="2026-11-20T10:00:00+00:00")
    deliver(api, message_id="api-ola-1", conversation_id="api-thread-ola", conversation_kind="private",
            author={"id": "ola-api-8", "handle": "@ola", "name": "Ola Hansen"},
            text="Hei, min kone @kari_nordmann har nummer +47 912 34 567, kan dere ringe henne om ruteren?",
            sent_at="2026-11-20T10:05:00+00:00")
    drain()

    email_channel = make_channel(personas)
    message = EmailMessage()
    message["From"] = f"{NAME} <{EMAIL}>"
    message["To"] = "kundeservice@fjordnett.test"
    message["Subject"] = "Kvittering fra Kari Nordmann"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.no>"
    message["Date"] = "Fri, 20 Nov 2026 11:00:00 +0000"
    message.set_content("Her er kvitteringen min.\n\nHilsen Kari Nordmann")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="kvittering-kari.pdf")
    store_items(email_channel, parse_email(message.as_bytes(), email_channel), source=EventSource.EMAIL)

    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Fjordnett chat",
                                  settings={"allowed_origins": SITE})
    visitor = Visitor(chat)
    assert visitor.start(name=NAME, email=EMAIL).status_code == 201
    assert visitor.send("Hei, jeg venter fortsatt på svar om fakturaen").status_code == 202
    drain()

    api_customer = Identity.objects.get(external_id="kari-api-7").customer
    others = list(Customer.objects.filter(identities__platform__in=["email", "webchat"]).distinct())
    assert len(others) == 2, others
    for other in others:
        response = api.post_json(f"/api/v1/customers/{api_customer.pk}/merge", {"other": other.pk})
        assert response.status_code == 200, response.content
    response = api.patch_json(f"/api/v1/customers/{api_customer.pk}", {"customer_number": NUMBER,
                                                                        "notes": "Ringer ofte om faktura"})
    assert response.status_code == 200, response.content

    tickets = sorted(Ticket.objects.filter(customer=api_customer).values_list("pk", flat=True))
    assert len(tickets) == 3, tickets
    note = api.post_json(f"/api/v1/tickets/{tickets[0]}/notes", {"text": f"{NAME} ringte, lovet kreditnota"})
    assert note.status_code == 201, note.content
    reply = api.post_json(f"/api/v1/tickets/{tickets[0]}/replies", {"text": "Hei Kari! Vi ser på fakturaen."})
    assert reply.status_code == 201, reply.content
    ola_ticket = Ticket.objects.get(conversation__external_id="api-thread-ola")
    reply = api.post_json(f"/api/v1/tickets/{ola_ticket.pk}/replies",
                          {"text": f"Hei Ola, vi ringer {NAME} i dag."})
    assert reply.status_code == 201, reply.content
    api_customer.refresh_from_db()
    return Kari(customer=api_customer, merged_away=sorted(o.pk for o in others), tickets=tickets,
                other_ticket=ola_ticket.pk, chat=chat, email_channel=email_channel)


# --- the generic scan -------------------------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.EmailField, models.SlugField,
               models.URLField, models.UUIDField)


def traces_in_databases(values: tuple[str, ...]) -> list[str]:
    """Every (table, column) where one of ``values`` is stored, on both databases.

    Read through the ORM, so encrypted columns are decrypted where their key still exists: a value left in someone
    else's encrypted message is found too (a destroyed key reads as "[erased]").
    """
    wanted = [v.casefold() for v in values]
    hits = []
    for model in apps.get_models(include_auto_created=True):
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not names:
            continue
        alias = router.db_for_read(model) or "default"
        for row in model._default_manager.using(alias).values_list(*names):
            for name, cell in zip(names, row, strict=True):
                text = cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False, default=str)
                folded = text.casefold()
                hits += [f"{alias}:{model._meta.db_table}.{name} holds {value!r}" for value in wanted
                         if value in folded]
    return hits


def traces_in_files(values: tuple[str, ...]) -> list[str]:
    """Every stored file holding one of ``values``: read decrypted where its key still exists (files are sealed at
    rest, webcare/keys), as stored otherwise."""
    from webcare.channels.attachments import DIGEST, _opened
    from webcare.keys.keyring import Missing

    root = Path(settings.MEDIA_ROOT)
    hits = []
    for path in root.rglob("*") if root.exists() else []:
        if not path.is_file():
            continue
        data: Any = path.read_bytes()
        if DIGEST.match(path.name) and path.parent.name.isdigit():
            opened = _opened(int(path.parent.name), path.name, path)
            data = data if isinstance(opened, Missing) else opened
        folded = data.decode("utf-8", "replace").casefold()
        hits += [f"{path} holds {value!r}" for value in values if value.casefold() in folded]
    return hits


def traces_in_logs(records: list[logging.LogRecord], values: tuple[str, ...]) -> list[str]:
    hits = []
    for record in records:
        folded = record.getMessage().casefold()
        hits += [f"log {record.name}: holds {value!r}" for value in values if value.casefold() in folded]
    return hits
