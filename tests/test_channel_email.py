"""E-mail: real mail in (Chatwoot's .eml files, IMAP from a real dovecot, webcare's own SMTP receiver), replies out
through a real SMTP server into the customer's real mailbox, and the customer's answer threading back.

The servers are real and local (tests/mailserver.py): dovecot for IMAP (with IDLE) and LMTP delivery, aiosmtpd as the
brand's outgoing SMTP server. Fixture mails are Chatwoot's (MIT, tests/fixtures/channels/email).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

from tests import mailserver
from tests.conftest import Personas, client_for
from tests.mailserver import Dovecot, Receiver, SmtpRelay, new_address
from webcare.channels import attachments, email_smtpd
from webcare.channels.base import Action, HealthStatus, InboundItem, ItemKind, OutboundRequest, SendError
from webcare.channels.email import EmailConnector, reply_subject
from webcare.channels.email_imap import ImapLoop, run_mailboxes
from webcare.channels.email_parse import parse_email, read_mail, stored_thread_lookup, visible_reply
from webcare.channels.inbound import store_items
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.registry import connector_for
from webcare.channels.sender import send_due
from webcare.conversations.models import DeliveryStatus, Direction, Message
from webcare.core.models import Channel
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Status, Ticket

FIXTURES = Path(__file__).parent / "fixtures" / "channels" / "email"
# The real servers (fixtures): dovecot, the brand's SMTP relay, webcare's SMTP receiver.
dovecot = mailserver.dovecot
smtp_relay = mailserver.smtp_relay
smtp_receiver = mailserver.smtp_receiver
# The test SMTP relay takes AUTH without TLS on purpose (127.0.0.1); aiosmtpd warns about it on every connection.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def crlf(raw: bytes) -> bytes:
    """The fixture files end lines with LF; on the wire SMTP ends them with CRLF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Attachments of each test in their own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def make_channel(personas: Personas, address: str = "kundeservice@fjordnett.test", **settings: Any) -> Channel:
    credentials = {key: settings.pop(key) for key in ("imap_password", "smtp_password") if key in settings}
    channel = Channel.objects.create(organisation=personas.org, kind="email", slug=f"mail-{uuid.uuid4().hex[:6]}",
                                     name="Fjordnett kundeservice", settings={"address": address, **settings})
    channel.set_credentials(credentials)
    channel.save()
    return channel


def wait_until(condition: Callable[[], bool], stop: threading.Event, seconds: float = 90) -> None:
    """Poll ``condition`` every 0.1 s until it holds or ``seconds`` pass (the caller asserts what it then finds).
    Generous: a loop thread logging in to IMAP on a loaded 2-core machine has been seen to need over 30 s."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        stop.wait(0.1)


def mail(sender: str, to: str, subject: str, body: str, *, name: str = "Ola Nordmann", message_id: str = "",
         in_reply_to: str = "", references: str = "", headers: dict[str, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2])
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    return message.as_bytes()


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


# -- reading Chatwoot's mails ------------------------------------------------------------------------------------------
#: file → (Message-ID, author address, subject, sent_at ISO or None when the mail has no date, start of visible text)
CHATWOOT = {
    "references.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDBF@chatwoot.com>", "sony@chatwoot.com",
                       "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00", "References Email"),
    "in_reply_to.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDBF@chatwoot.com>", "sony@chatwoot.com",
                        "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00",
                        "Let's talk about these images:"),
    "mail_with_references.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDBF@chatwoot.com>", "sony@chatwoot.com",
                                 "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00",
                                 "Email with references header"),
    "multiple_in_reply_to.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>", "Sony@chatwoot.com",
                                 "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00",
                                 "Let's talk about these images"),
    "reply.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>", "sony@chatwoot.com",
                  "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00",
                  "Let's talk about these images:"),
    "only_html.eml": ("<6215d71711c38_10bc61914022323@tejaswinis-MacBook-Pro.local.mail>", "tejaswini@ex.com",
                      "test html only mail", "2022-02-23T12:11:27+05:30", "This is html only mail"),
    "support_1.eml": ("<20220211051551.0ac6490aa10da09b@chatwoot.com>", "sony@chatwoot.com",
                      "Get Paid to post an article", "2022-02-11T05:15:51+00:00", "Hi,\n\nWe are providing you"),
    "mail_with_inline_images.eml": ("<CAFkiBVzURp=z2g5nAevAtdQvFfxkLrpvTeDFcwFaGQhdo_-Mkg@mail.gmail.com>",
                                    "sony@chatwoot.com", "New inline image test email conversation",
                                    "2023-05-31T15:27:36+05:30", "HTML content and inline images"),
    "cid_inline_images_without_disposition.eml": ("<test-message-id@example.com>", "sender@example.com",
                                                  "Test inline image without Content-Disposition",
                                                  "2025-07-14T19:23:29-03:00",
                                                  "This is a plain text version of the message."),
    "attachments_without_filename.eml": ("<6215d536e0484_10bc6191402183@tejaswinis-MacBook-Pro.local.mail>",
                                         "test@gmail.com", "multiple attachments", "2023-05-04T10:35:52+05:30",
                                         "Hi people!"),
    "mail_with_no_subject.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>", "sony@chatwoot.com", "",
                                 "2020-04-20T04:20:20-04:00", "Let's talk about these images:"),
    "mail_with_no_date.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>", "testemail@gmail.com",
                              "test text only mail", None, "text only mail"),
    "mail_with_invalid_to.eml": ("<1234560e0123c05b4bbf83c828b1688a93c7@com>", "mark@planetmars.com",
                                 "stranded in mars", "2024-01-01T06:31:44+08:00",
                                 "hey v, can i get some help over here?"),
    "mail_with_invalid_to_2.eml": ("<1234560e0123c05b4bbf83c828b1688a93c7@com>", "mark@planetmars.com",
                                   "stranded in mars", "2024-01-01T06:31:44+08:00",
                                   "hey v, can i get some help over here?"),
    "welcome_html.eml": ("<CA+SD1Kyr7pCMgB=Z-fJ_a4v=MyisAZsgZSMr9Ji4zhFmF+mcgA@mail.gmail.com>", "Sony@chatwoot.com",
                         "Fwd: How good are you in English? How did you improve your English?",
                         "2021-12-21T11:29:20+05:00", "I'm learning English as a first language"),
    "forwarder_email.eml": ("<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>", "sony@chatwoot.com",
                            "Discussion: Let's debate these attachments", "2020-04-20T04:20:20-04:00",
                            "Let's talk about these images:"),
    "mail_with_quote.eml": ("<CAFkiBVwJjO_k_e-LpiKi7MAQAKbHX5nkEPcf0y1R=bjcEHogMg@mail.gmail.com>",
                            "sony@chatwoot.com", "Re: Checking mail forwarding to cw inbox",
                            "2021-08-19T14:14:31+05:30", "Yes, I am providing you step how to reproduce this issue"),
    "only_text.eml": ("<6215e5ca3e3b2_10bc6197e4224d1@tejaswinis-MacBook-Pro.local.mail>", "text@example.com",
                      "test text only mail", "2022-02-23T13:14:10+05:30", "text only mail"),
    "attachments_without_text.eml": ("<7DDDD-F45F@icloud.com>", "hello@icloud.com", "Hello there",
                                     "2024-10-31T18:19:46-07:00", "Hello there"),
    "email_with_inline_pdf.eml": ("<827-314S13-SSS2310@example.com>", "user@icloud.com", "Sample PDF",
                                  "2025-02-27T18:17:31-08:00", "Here is an example mail with inline PDF"),
    "multiple_attachments.eml": ("<6215d536e0484_10bc6191402183@tejaswinis-MacBook-Pro.local.mail>",
                                 "test@gmail.com", "multiple attachments", "2023-05-04T10:35:52+05:30",
                                 "Attaching 30 files:"),
    "reply_cc.eml": ("<CAFkiBVw2B=CPf=8=VqBQqssFp7XfGm4u6LpByHuMXWsPZCxPYQ@mail.gmail.com>", "sony@chatwoot.com",
                     "Discussion: Let's debate these attachments", "2022-03-31T19:25:32+05:30",
                     "Hello,\n\nFind the related inbox."),
}


@pytest.mark.parametrize("name", sorted(CHATWOOT))
def test_it_reads_each_chatwoot_mail_into_a_valid_message(personas: Personas, name: str) -> None:
    message_id, author, subject, sent_at, text = CHATWOOT[name]
    fetched_at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    channel = make_channel(personas)
    item = only(parse_email(eml(name), channel, received_at=fetched_at))
    payload = item.payload
    assert item.event_id == payload["message_id"] == message_id
    assert payload["author"] == {"id": author.lower(), "handle": author, "name": payload["author"]["name"]}
    assert payload["subject"] == subject
    assert payload["sent_at"] == (sent_at or fetched_at.isoformat())
    assert payload["text"].startswith(text)
    assert payload["conversation_kind"] == "private" and payload["direction"] == "inbound"
    assert item.conversation_id == payload["conversation_id"]
    store_items(channel, [item])  # validates the payload against webcare's message format, or raises
    assert InboundEvent.objects.filter(channel=channel, external_id=message_id).count() == 1


def test_it_threads_by_references_then_in_reply_to_then_its_own_id(personas: Personas) -> None:
    channel = make_channel(personas)
    first_of_references = "<4e6e35f5a38b4_479f13bb90078178@small-app-01.mail>"
    # References wins over In-Reply-To (multiple_in_reply_to answers …171 but its thread root is …178).
    for name in ("references.eml", "in_reply_to.eml", "multiple_in_reply_to.eml", "reply.eml"):
        item = only(parse_email(eml(name), channel))
        author = item.payload["author"]["id"]
        assert item.conversation_id == f"{first_of_references} {author}", name
    # "<a>, <a>" in In-Reply-To is one id, the first.
    reply = only(parse_email(eml("reply.eml"), channel)).payload
    assert reply["in_reply_to"] == first_of_references
    # No References: In-Reply-To is the root.
    no_references = mail("ola@kunde.test", "k@fjordnett.test", "Hei", "Hei", in_reply_to="<root@kunde.test>")
    assert only(parse_email(no_references, channel)).conversation_id == "<root@kunde.test> ola@kunde.test"
    # Neither: the mail starts its own thread.
    alone = only(parse_email(eml("only_text.eml"), channel))
    assert alone.conversation_id == alone.payload["message_id"]


def test_it_threads_into_the_conversation_of_a_stored_message(personas: Personas) -> None:
    """A mail answering something webcare already has joins that conversation, whatever its References say."""
    channel = make_channel(personas)
    first = mail("ola@kunde.test", "kundeservice@fjordnett.test", "Faktura", "Fakturaen er feil.",
                 message_id="<first@kunde.test>", references="<newsletter-2026-03@fjordnett.test>")
    store_items(channel, parse_email(first, channel, lookup=stored_thread_lookup(channel)))
    conversation = InboundEvent.objects.get(external_id="<first@kunde.test>").payload["conversation_id"]
    assert conversation == "<newsletter-2026-03@fjordnett.test> ola@kunde.test"
    # Not yet turned into a message by the worker: the raw event is found.
    follow_up = mail("ola@kunde.test", "kundeservice@fjordnett.test", "Re: Faktura", "Glemte vedlegget.",
                     in_reply_to="<first@kunde.test>", references="<first@kunde.test>")
    assert only(parse_email(follow_up, channel, lookup=stored_thread_lookup(channel))).conversation_id == conversation
    drain()
    # As a stored message, also when a colleague in copy answers (another author, same thread).
    colleague = mail("per@kunde.test", "kundeservice@fjordnett.test", "Re: Faktura", "Jeg har samme problem.",
                     name="Per", in_reply_to="<first@kunde.test>", references="<first@kunde.test>")
    assert only(parse_email(colleague, channel, lookup=stored_thread_lookup(channel))).conversation_id == conversation
    # Someone else answering the same newsletter is not put into Ola's conversation.
    stranger = mail("eva@annen.test", "kundeservice@fjordnett.test", "Re: Nyhetsbrev", "Avmeld meg.",
                    references="<newsletter-2026-03@fjordnett.test>")
    assert only(parse_email(stranger, channel, lookup=stored_thread_lookup(channel))).conversation_id == \
        "<newsletter-2026-03@fjordnett.test> eva@annen.test"


def test_it_decodes_mail_that_is_not_utf8(personas: Personas) -> None:
    channel = make_channel(personas)
    arabic = read_mail(eml("non_utf_encoded_mail.eml"))  # base64 body, encoded-word name and subject
    assert arabic.author_name == "متجر سوق نت"
    assert arabic.subject == "أهلين عميلنا الكريم"
    assert arabic.text.startswith("أنظروا، أنا أحتاجها")
    # A Norwegian mail in Windows-1252 that says ISO-8859-1, with raw 8-bit bytes in its headers too.
    raw = ("From: =?iso-8859-1?q?Kj=E6re_=D8ystein?= <oystein@kunde.test>\r\nTo: kundeservice@fjordnett.test\r\n"
           "Subject: Faktura på 1 499 kr – feil beløp\r\nMessage-ID: <latin@kunde.test>\r\n"
           "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nHei, jeg ble trukket 1 499 € for mye. Blåbærsyltetøy!\r\n")
    item = only(parse_email(raw.encode("cp1252"), channel))
    assert item.payload["author"]["name"] == "Kjære Øystein"
    assert item.payload["subject"] == "Faktura på 1 499 kr – feil beløp"
    assert item.payload["text"] == "Hei, jeg ble trukket 1 499 € for mye. Blåbærsyltetøy!"


def test_it_turns_html_only_mail_into_text_and_strips_its_quote(personas: Personas) -> None:
    channel = make_channel(personas)
    html = ('<html><head><style>p {color: red}</style></head><body><div dir="ltr">Hei,<br>ruteren virker ikke '
            'etter oppdateringen.<ul><li>lyset blinker</li><li>ingen WiFi</li></ul></div><div class="gmail_quote">'
            '<div>man. 2. mars 2026 kl. 10:15 skrev Fjordnett &lt;kundeservice@fjordnett.test&gt;:</div>'
            '<blockquote><p>Hei Ola, prøv å starte den på nytt.</p></blockquote></div></body></html>')
    raw = (f"From: Ola <ola@kunde.test>\r\nTo: kundeservice@fjordnett.test\r\nSubject: Re: Ruter\r\n"
           f"Message-ID: <html@kunde.test>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n").encode()
    item = only(parse_email(raw, channel))
    assert item.payload["text"] == "Hei,\nruteren virker ikke etter oppdateringen.\n• lyset blinker\n• ingen WiFi"
    assert "> Hei Ola, prøv å starte den på nytt." in item.raw["text"]
    assert "color: red" not in item.raw["text"]


def test_it_stores_inline_images_and_attachments_without_a_name(personas: Personas, media: Path) -> None:
    channel = make_channel(personas)
    inline = only(parse_email(eml("cid_inline_images_without_disposition.eml"), channel)).payload["attachments"]
    assert [(a["name"], a["content_type"]) for a in inline] == [("image-1.jpg", "image/jpeg")]
    path = media / "attachments" / str(personas.org.pk) / inline[0]["url"].split("/")[3]
    assert path.stat().st_size > inline[0]["size"] > 0  # encrypted: the key id, nonce and tag come on top
    nameless = only(parse_email(eml("attachments_without_filename.eml"), channel)).payload["attachments"]
    assert [a["name"] for a in nameless] == ["image-1.png", "image-2.png"]
    pdf = only(parse_email(eml("email_with_inline_pdf.eml"), channel)).payload["attachments"]
    # Stored encrypted (webcare/keys): the file on disk is not the PDF; reading it through webcare gives it back.
    on_disk = (media / "attachments" / str(personas.org.pk) / pdf[0]["url"].split("/")[3]).read_bytes()
    stored = attachments.load_attachment(personas.org.pk, pdf[0]["url"])
    assert not on_disk.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() not in pdf[0]["url"]
    assert pdf[0]["name"] == "dummy.pdf" and stored.startswith(b"%PDF") and len(stored) == pdf[0]["size"]
    assert pdf[0]["url"].startswith(f"/attachments/{personas.org.pk}/") and pdf[0]["url"].endswith("/dummy.pdf")
    images = only(parse_email(eml("mail_with_inline_images.eml"), channel)).payload["attachments"]
    assert [a["url"].rsplit("/", 1)[1] for a in images] == ["poster%20%288%29.jpg", "poster%20%287%29.jpg",
                                                            "poster%20%281%29.jpg"]


def test_it_strips_quoted_history_and_signature_but_keeps_the_whole_original(personas: Personas,
                                                                             media: Path) -> None:
    channel = make_channel(personas)
    item = only(parse_email(eml("mail_with_quote.eml"), channel))
    assert item.payload["text"] == "Yes, I am providing you step how to reproduce this issue"
    assert "> Any update on this?" in item.raw["text"]
    assert "Software developer" in item.raw["text"]
    assert ["References", "<CAFkiBVxGoURoqdkY-O_25F-8b41kb-GWBc6hh4Djd5ynwOikXA@mail.gmail.com> "
            "<0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com>"] in \
        [list(pair) for pair in item.raw["headers"]]
    digest = item.raw["eml"]["url"].split("/")[3]
    assert (media / "attachments" / str(personas.org.pk) / digest).read_bytes() != eml("mail_with_quote.eml")
    assert attachments.load_attachment(personas.org.pk, item.raw["eml"]["url"]) == eml("mail_with_quote.eml")


def test_it_keeps_the_whole_text_of_a_forwarded_mail(personas: Personas) -> None:
    channel = make_channel(personas)
    forwarded = only(parse_email(eml("welcome_html.eml"), channel)).payload["text"]
    assert "Top Stories For You" in forwarded and "Read More" in forwarded
    body = ("Kan dere se på denne?\n\n---------- Videresendt melding ---------\nFra: Fjordnett <faktura@fjordnett.test>"
            "\nDato: man. 2. mars 2026 kl. 08:00\nEmne: Faktura\nTil: <ola@kunde.test>\n\nDin faktura på 1 499 kr.")
    assert visible_reply(body, "VS: Faktura") == body


NORDIC_REPLIES = {
    "nb, Gmail": ("Hei,\n\nTakk for svaret. Ruteren blinker fortsatt rødt.\n\nMed vennlig hilsen\nKari Nordmann\n\n"
                  "man. 2. mars 2026 kl. 10:15 skrev Fjordnett kundeservice <\nkundeservice@fjordnett.test>:\n\n"
                  "> Hei Kari,\n> prøv å starte ruteren på nytt.\n",
                  "Hei,\n\nTakk for svaret. Ruteren blinker fortsatt rødt."),
    "nb, Outlook": ("Hei igjen!\nDet virker ikke.\n\nMvh Ola\n\nFra: Fjordnett <kundeservice@fjordnett.test>\n"
                    "Sendt: mandag 2. mars 2026 10:15\nTil: Ola <ola@kunde.test>\nEmne: SV: Ruter\n\nHei Ola …",
                    "Hei igjen!\nDet virker ikke."),
    "nb, iPhone": ("Takk, nå fungerer det!\n\nSendt fra min iPhone\n\n> 2. mar. 2026 kl. 10:15 skrev Fjordnett "
                   "<kundeservice@fjordnett.test>:\n>\n> Hei", "Takk, nå fungerer det!"),
    "nn": ("Hei,\nfakturaen er framleis feil.\n\nVenleg helsing\nSigrid\n\nmåndag 2. mars 2026 skreiv Fjordnett "
           "<kundeservice@fjordnett.test>:\n> Hei Sigrid", "Hei,\nfakturaen er framleis feil."),
    "da": ("Hej\nTak for hjælpen, men fakturaen er stadig forkert.\n\nMed venlig hilsen\nJens\n\nDen man. 2. mar. "
           "2026 kl. 10.15 skrev Kundeservice <ks@fjordnett.test>:\n> hej",
           "Hej\nTak for hjælpen, men fakturaen er stadig forkert."),
    "sv": ("Hej!\nJag har fortfarande problem.\n\nVänliga hälsningar\nAnna\n\nDen 2 mars 2026 10:15 skrev Kundtjänst "
           "<kt@fjordnett.test>:\n> Hej Anna", "Hej!\nJag har fortfarande problem."),
    "fi": ("Hei,\nlasku on edelleen väärin.\n\nYstävällisin terveisin\nMatti\n\nma 2. maalisk. 2026 klo 10.15 "
           "Asiakaspalvelu (<ap@fjordnett.test>) kirjoitti:\n> Hei Matti", "Hei,\nlasku on edelleen väärin."),
    "fi, Outlook": ("Ei toimi vieläkään.\n\nLähettäjä: Asiakaspalvelu <ap@fjordnett.test>\nLähetetty: maanantai 2. "
                    "maaliskuuta 2026 10.15\nVastaanottaja: Matti\nAihe: Reititin\n\nHei Matti",
                    "Ei toimi vieläkään."),
    "nl": ("Hallo,\nMijn factuur klopt nog steeds niet.\n\nMet vriendelijke groet,\nJan\n\nOp ma 2 mrt 2026 om 10:15 "
           "schreef Klantenservice <ks@fjordnett.test>:\n> Hallo Jan", "Hallo,\nMijn factuur klopt nog steeds niet."),
    "en": ("Still broken.\n\nKind regards,\nJohn\n\nOn Mon, 2 Mar 2026 at 10:15, Support <s@fjordnett.test> wrote:\n"
           "> Hi John", "Still broken."),
    "a thank-you is not a sign-off": (
        "Hei\nRuteren er grei.\nTakk for at dere svarte så raskt, men nå starter ikke TV-boksen.\nTak, Tack, Kiitos",
        "Hei\nRuteren er grei.\nTakk for at dere svarte så raskt, men nå starter ikke TV-boksen.\nTak, Tack, Kiitos"),
    "a list is not a signature": ("Dette er feil:\n- fakturaen\n- ruteren\n\nHilsen Per",
                                  "Dette er feil:\n- fakturaen\n- ruteren"),
    "all quote: shown whole": ("> bare sitat\n> ingenting nytt", "> bare sitat\n> ingenting nytt"),
}


@pytest.mark.parametrize("case", sorted(NORDIC_REPLIES))
def test_it_shows_only_the_new_reply_in_nordic_dutch_and_english_mail(case: str) -> None:
    text, visible = NORDIC_REPLIES[case]
    assert visible_reply(text) == visible


def test_it_skips_auto_replies_and_logs_them(personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    channel = make_channel(personas)
    caplog.set_level(logging.INFO, logger="webcare.channels")
    for name, reason in (("auto_reply.eml", "X-Autoreply header"),
                         ("auto_reply_with_auto_submitted.eml", "Auto-Submitted: auto-generated"),
                         ("non_utf_encoded_mail.eml", "Auto-Submitted: auto-replied")):
        assert parse_email(eml(name), channel) == []
        assert reason in caplog.text
    holiday = mail("ola@kunde.test", "kundeservice@fjordnett.test", "Fravær", "Jeg er på ferie til 10. mars.",
                   headers={"Precedence": "auto_reply"})
    assert parse_email(holiday, channel) == []
    assert not InboundEvent.objects.filter(channel=channel).exists()


def test_it_marks_a_bounced_reply_failed_and_skips_other_bounces(personas: Personas,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    channel = make_channel(personas)
    caplog.set_level(logging.INFO, logger="webcare.channels")
    assert parse_email(eml("bounced_with_no_from.eml"), channel, lookup=stored_thread_lookup(channel)) == []
    assert parse_email(eml("bounced_gmail.eml"), channel, lookup=stored_thread_lookup(channel)) == []
    assert "webcare did not send" in caplog.text
    # Now the bounced mail is a reply webcare sent.
    original = "<conversation/93775311-9416-4428-964b-862001f8a8b2/messages/27855337@gmail.com>"
    customer = mail("alex.jones@fictionalcorp.com", "kundeservice@fjordnett.test", "Hei", "Hei")
    store_items(channel, parse_email(customer, channel))
    drain()
    inbound = Message.objects.get(channel=channel)
    reply = Message.objects.create(organisation=personas.org, channel=channel, conversation=inbound.conversation,
                                   external_id=original, direction=Direction.OUTBOUND, is_public=False, text="Svar",
                                   sent_at=inbound.sent_at, delivery_status=DeliveryStatus.SENT)
    update = only(parse_email(eml("bounced_gmail.eml"), channel, lookup=stored_thread_lookup(channel)))
    assert update.kind == ItemKind.UPDATE and update.payload["message_id"] == original
    store_items(channel, [update])
    drain()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "550 5.1.1 The email account that you tried to reach does not exist" in reply.delivery_error


def test_it_takes_reply_to_as_the_author_and_own_address_as_outbound(personas: Personas) -> None:
    channel = make_channel(personas)
    form = mail("noreply@fjordnett.test", "kundeservice@fjordnett.test", "Kontaktskjema", "Ring meg.",
                name="Nettsiden", headers={"Reply-To": "Ola Nordmann <Ola@Kunde.test>"})
    author = only(parse_email(form, channel)).payload["author"]
    assert author == {"id": "ola@kunde.test", "handle": "Ola@Kunde.test", "name": "Ola Nordmann"}
    colleague = mail("kundeservice@fjordnett.test", "ola@kunde.test", "Re: Ruter", "Vi ringer deg i dag.",
                     name="Kari i Fjordnett")
    assert only(parse_email(colleague, channel)).payload["direction"] == "outbound"


def test_it_makes_a_stable_id_for_mail_without_one(personas: Personas) -> None:
    channel = make_channel(personas)
    raw = b"From: ola@kunde.test\r\nTo: kundeservice@fjordnett.test\r\nSubject: Hei\r\n\r\nUten Message-ID.\r\n"
    first = only(parse_email(raw, channel)).payload["message_id"]
    assert first == only(parse_email(raw, channel)).payload["message_id"]
    assert first != only(parse_email(raw.replace(b"Hei", b"Hallo"), channel)).payload["message_id"]


def test_it_reads_broken_mail_without_crashing_and_stores_nothing_it_cannot_answer(
        personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    channel = make_channel(personas)
    caplog.set_level(logging.INFO, logger="webcare.channels")
    assert parse_email(b"\x00\xff\xfe not a mail at all\n\n\x00", channel) == []
    assert "no sender address to answer" in caplog.text
    broken = (b"From: \xd8la <ola@kunde.test>\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
              b"Content-Type: text/plain; charset=bogus-42\n\nHei, bl\xe5b\xe6r\n--zz\n"
              b"Content-Type: application/pdf; name*=UTF-8''%E2%28faktura.pdf\nContent-Transfer-Encoding: base64\n\n"
              b"!!!not base64\n")
    item = only(parse_email(broken, channel))
    assert item.payload["author"] == {"id": "ola@kunde.test", "handle": "ola@kunde.test", "name": "Øla"}
    assert item.payload["text"] == "Hei, blåbær"
    assert [a["content_type"] for a in item.payload["attachments"]] == ["application/pdf"]
    store_items(channel, [item])


def test_it_turns_stored_mail_into_a_ticket(personas: Personas) -> None:
    channel = make_channel(personas)
    store_items(channel, parse_email(eml("email_with_inline_pdf.eml"), channel))
    drain()
    ticket = Ticket.objects.get(conversation__channel=channel)
    message = Message.objects.get(ticket=ticket)
    assert message.text == "Here is an example mail with inline PDF"
    assert message.subject == "Sample PDF"
    assert [a["name"] for a in message.attachments] == ["dummy.pdf"]


# -- attachments -------------------------------------------------------------------------------------------------------
def test_it_serves_attachments_only_to_agents_of_the_organisation(personas: Personas) -> None:
    stored = attachments.store_attachment(personas.org.pk, "../../etc/<script>.html", "text/html",
                                          b"<script>x</script>")
    assert stored["name"] == "<script>.html"
    response = client_for(personas.agent).get(stored["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>x</script>"  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"  # never text/html from webcare's origin
    assert client_for(personas.outsider).get(stored["url"]).status_code == 404
    assert Client().get(stored["url"]).status_code == 302  # to the sign-in page
    digest = stored["url"].split("/")[3]
    assert client_for(personas.agent).get(f"/attachments/{personas.org.pk}/{digest[:-1]}x/a.txt").status_code == 404
    with pytest.raises(attachments.AttachmentError):
        attachments.load_attachment(personas.other_org.pk, stored["url"])


# -- IMAP --------------------------------------------------------------------------------------------------------------
@pytest.fixture
def mailbox(personas: Personas, dovecot: Dovecot) -> tuple[Channel, str]:
    address = new_address("kundeservice", "fjordnett.test")
    channel = make_channel(personas, **dovecot.channel_settings(address, 25),
                           imap_password=dovecot.password)
    return channel, address


def test_it_stores_a_mail_appended_to_the_mailbox_once(mailbox: tuple[Channel, str], dovecot: Dovecot) -> None:
    channel, address = mailbox
    dovecot.append(address, eml("mail_with_quote.eml"))
    first = ImapLoop(channel.pk).run_once()
    assert (first.fetched, first.stored) == (1, 1)
    assert ImapLoop(channel.pk).run_once().fetched == 0  # the cursor moved: nothing fetched again
    dovecot.append(address, eml("only_text.eml"))
    third = ImapLoop(channel.pk).run_once()
    assert (third.fetched, third.stored) == (1, 1)
    assert InboundEvent.objects.filter(channel=channel).count() == 2
    channel.refresh_from_db()
    assert channel.poll_state["last_uid"] == 2 and channel.poll_state["folder"] == "INBOX"


def test_it_threads_a_first_mail_and_its_follow_up_fetched_together(mailbox: tuple[Channel, str],
                                                                    dovecot: Dovecot) -> None:
    channel, address = mailbox
    dovecot.append(address, mail("ola@kunde.test", address, "Faktura", "Fakturaen er feil.",
                                 message_id="<first@kunde.test>"))
    dovecot.append(address, mail("ola@kunde.test", address, "Re: Faktura", "Her er vedlegget.",
                                 in_reply_to="<first@kunde.test>", references="<first@kunde.test>"))
    assert ImapLoop(channel.pk).run_once().stored == 2
    threads = {event.payload["conversation_id"] for event in InboundEvent.objects.filter(channel=channel)}
    assert threads == {"<first@kunde.test>"}


def test_it_resyncs_after_uidvalidity_changes_without_storing_twice(mailbox: tuple[Channel, str],
                                                                     dovecot: Dovecot) -> None:
    channel, address = mailbox
    dovecot.append(address, eml("only_text.eml"))
    dovecot.append(address, eml("reply_cc.eml"))
    assert ImapLoop(channel.pk).run_once().stored == 2
    channel.refresh_from_db()
    Channel.objects.filter(pk=channel.pk).update(poll_state={**channel.poll_state, "uidvalidity": 1})
    again = ImapLoop(channel.pk).run_once()
    assert (again.fetched, again.stored, again.duplicates) == (2, 0, 2)
    assert InboundEvent.objects.filter(channel=channel).count() == 2


def test_it_wakes_from_idle_when_mail_arrives(mailbox: tuple[Channel, str], dovecot: Dovecot) -> None:
    channel, address = mailbox
    loop = ImapLoop(channel.pk, idle_seconds=120)
    connector = EmailConnector(channel)
    server = connector.imap_server()
    assert server is not None
    from webcare.channels.email import close_imap, open_imap

    client = open_imap(server)
    try:
        assert b"IDLE" in client.capabilities()
        loop.cycle(client, channel, connector)
        last_uid = channel.poll_state["last_uid"]
        # Mail that came after the fetch but before IDLE began is found at once …
        dovecot.append(address, eml("only_text.eml"))
        assert loop.wait_for_mail(client, last_uid) == "mail"
        assert loop.cycle(client, channel, connector).stored == 1
        # … and mail that comes during IDLE is announced by the server.
        arrives = threading.Timer(0.5, dovecot.append, (address, eml("reply_cc.eml")))
        arrives.start()
        assert loop.wait_for_mail(client, channel.poll_state["last_uid"]) == "mail"
        arrives.join()
        assert loop.cycle(client, channel, connector).stored == 1
    finally:
        close_imap(client)


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_imap_loop_until_stopped(personas: Personas, dovecot: Dovecot) -> None:
    address = new_address("kundeservice", "fjordnett.test")
    channel = make_channel(personas, **dovecot.channel_settings(address, 25),
                           imap_password=dovecot.password)
    stop = threading.Event()
    thread = threading.Thread(target=ImapLoop(channel.pk, stop, idle_seconds=60).run)
    thread.start()
    try:
        dovecot.append(address, eml("only_text.eml"))
        wait_until(lambda: InboundEvent.objects.filter(channel=channel).exists(), stop)
        assert InboundEvent.objects.filter(channel=channel).count() == 1
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_the_mailbox_runner_picks_up_a_channel_connected_while_it_runs(personas: Personas, dovecot: Dovecot) -> None:
    """What `webcare serve` and `webcare mail` run: one IMAP loop per active e-mail channel, new ones found on the
    next rescan, and everything stopped with the runner."""
    stop = threading.Event()
    runner = threading.Thread(target=run_mailboxes, args=(stop,), kwargs={"rescan_seconds": 0.2})
    runner.start()
    try:
        address = new_address("kundeservice", "fjordnett.test")
        channel = make_channel(personas, **dovecot.channel_settings(address, 25), imap_password=dovecot.password)
        dovecot.append(address, eml("only_text.eml"))
        wait_until(lambda: InboundEvent.objects.filter(channel=channel).exists(), stop)
        assert InboundEvent.objects.filter(channel=channel).count() == 1
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert not [t for t in threading.enumerate() if t.name.startswith("imap-")]


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_refused_imap_login_on_the_channel(personas: Personas, dovecot: Dovecot) -> None:
    address = new_address("kundeservice", "fjordnett.test")
    channel = make_channel(personas, **dovecot.channel_settings(address, 25), imap_password="wrong")
    stop = threading.Event()
    thread = threading.Thread(target=ImapLoop(channel.pk, stop).run)
    thread.start()
    try:
        wait_until(lambda: Channel.objects.get(pk=channel.pk).health_status != "unknown", stop)
        channel.refresh_from_db()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert channel.health_status == HealthStatus.TOKEN_EXPIRED
    assert channel.health_detail.startswith("IMAP refused the login")


# -- the SMTP receiver -------------------------------------------------------------------------------------------------
@pytest.fixture
def receiver_channel(transactional_db: None, personas: Personas) -> Channel:
    return make_channel(personas, new_address("kundeservice", "fjordnett.test"))


@pytest.mark.django_db(transaction=True)
def test_it_stores_mail_received_by_smtp_before_answering_250(receiver_channel: Channel,
                                                             smtp_receiver: Receiver) -> None:
    address = receiver_channel.settings["address"]
    with smtplib.SMTP("127.0.0.1", smtp_receiver.port) as smtp:
        refused = smtp.sendmail("ola@kunde.test", [address.upper()], crlf(eml("mail_with_quote.eml")))
    assert refused == {}
    # sendmail returned, so the 250 came: the event must already be committed.
    event = InboundEvent.objects.get(channel=receiver_channel)
    assert event.source == "email"
    assert event.payload["text"] == "Yes, I am providing you step how to reproduce this issue"
    assert event.raw["smtp"]["mail_from"] == "ola@kunde.test"
    tagged = address.replace("@", "+faktura@")
    with smtplib.SMTP("127.0.0.1", smtp_receiver.port) as smtp:
        assert smtp.sendmail("ola@kunde.test", [tagged], crlf(eml("only_text.eml"))) == {}
    assert InboundEvent.objects.filter(channel=receiver_channel).count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_refuses_mail_for_unknown_addresses_with_550(receiver_channel: Channel, smtp_receiver: Receiver) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_receiver.port) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as err:
        smtp.sendmail("ola@kunde.test", ["nobody@fjordnett.test"], crlf(eml("only_text.eml")))
    assert err.value.recipients["nobody@fjordnett.test"][0] == 550
    assert not InboundEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_answers_451_when_the_mail_cannot_be_stored(receiver_channel: Channel, smtp_receiver: Receiver,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("disk full")

    monkeypatch.setattr(email_smtpd, "store_items", broken)
    with smtplib.SMTP("127.0.0.1", smtp_receiver.port) as smtp, pytest.raises(smtplib.SMTPDataError) as err:
        smtp.sendmail("ola@kunde.test", [receiver_channel.settings["address"]], crlf(eml("only_text.eml")))
    assert err.value.smtp_code == 451
    assert not InboundEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_mail_webcare_cannot_take_with_550_naming_the_field(
        receiver_channel: Channel, smtp_receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    def without_author(raw: bytes, channel: Channel, **kwargs: Any) -> list[InboundItem]:
        item = only(parse_email(raw, channel, **kwargs))
        return [replace(item, payload={**item.payload, "author": {"id": ""}})]

    monkeypatch.setattr(email_smtpd, "parse_email", without_author)
    with smtplib.SMTP("127.0.0.1", smtp_receiver.port) as smtp, pytest.raises(smtplib.SMTPDataError) as err:
        smtp.sendmail("ola@kunde.test", [receiver_channel.settings["address"]], crlf(eml("only_text.eml")))
    assert err.value.smtp_code == 550 and b"author.id" in err.value.smtp_error
    assert not InboundEvent.objects.exists()


# -- outbound ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def brand(personas: Personas, dovecot: Dovecot, smtp_relay: SmtpRelay) -> Iterator[tuple[Channel, str]]:
    address = new_address("kundeservice", "fjordnett.test")
    channel = make_channel(personas, **dovecot.channel_settings(address, smtp_relay.port),
                           smtp_user=smtp_relay.user, imap_password=dovecot.password,
                           smtp_password=smtp_relay.password)
    yield channel, address


def reply_request(key: str, customer: str, **overrides: Any) -> OutboundRequest:
    fields: dict[str, Any] = {
        "action": Action.REPLY, "idempotency_key": key, "text": "Hei Ola,\n\nvi har sendt en ny ruter.",
        "target_id": "<m2@kunde.test>", "references": ("<m1@kunde.test>", "<reply-1@fjordnett.test>"),
        "recipient": {"id": customer.lower(), "handle": customer, "name": "Ola Nordmann"},
        "subject": "Ruteren blinker rødt", "agent_name": "Kari"}
    fields.update(overrides)
    return OutboundRequest(**fields)


def test_it_sends_a_reply_with_threading_headers(brand: tuple[Channel, str], smtp_relay: SmtpRelay,
                                                 dovecot: Dovecot) -> None:
    channel, address = brand
    customer = new_address("ola", "kunde.test")
    key = str(uuid.uuid4())
    invoice = attachments.store_attachment(channel.organisation_id, "faktura 1499.pdf", "application/pdf",
                                           b"%PDF-1.4 faktura")
    result = connector_for(channel).send(reply_request(key, customer, attachments=(invoice,)))  # type: ignore[union-attr]
    domain = address.rpartition("@")[2]
    assert result.external_id == f"<{key}@{domain}>"
    sent = only(smtp_relay.received)
    assert (sent.mail_from, sent.rcpt_tos) == (address, [customer])
    message = sent.message
    assert message["Message-ID"] == f"<{key}@{domain}>"
    assert message["In-Reply-To"] == "<m2@kunde.test>"
    assert message["References"] == "<m1@kunde.test> <reply-1@fjordnett.test> <m2@kunde.test>"
    assert message["Subject"] == "Re: Ruteren blinker rødt"
    assert message["From"].addresses[0].display_name == "Kari via Fjordnett kundeservice"
    assert message["From"].addresses[0].addr_spec == address
    assert message["To"].addresses[0].addr_spec == customer
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").strip() == "Hei Ola,\n\nvi har sendt en ny ruter."
    attached = only(list(message.iter_attachments()))
    assert (attached.get_filename(), attached.get_content_type()) == ("faktura 1499.pdf", "application/pdf")
    assert attached.get_content() == b"%PDF-1.4 faktura"
    assert only(dovecot.messages(customer))["Message-ID"] == f"<{key}@{domain}>"


def test_it_classes_smtp_failures(brand: tuple[Channel, str], smtp_relay: SmtpRelay) -> None:
    channel, _ = brand
    customer = new_address("ola", "kunde.test")
    smtp_relay.refuse.add(customer)
    with pytest.raises(SendError) as refused:
        EmailConnector(channel).send(reply_request(str(uuid.uuid4()), customer))
    assert not refused.value.retryable and refused.value.status_code == 550
    assert f"refused the recipient {customer}" in str(refused.value)
    with pytest.raises(SendError) as not_an_address:
        EmailConnector(channel).send(reply_request(str(uuid.uuid4()), "ola at kunde"))
    assert "is not an e-mail address" in str(not_an_address.value)
    with pytest.raises(SendError) as no_hide:
        EmailConnector(channel).send(reply_request(str(uuid.uuid4()), customer, action=Action.HIDE))
    assert "only replies" in str(no_hide.value)
    channel.set_credentials({"smtp_password": "wrong"})
    with pytest.raises(SendError) as login:
        EmailConnector(channel).send(reply_request(str(uuid.uuid4()), customer))
    assert login.value.health == HealthStatus.TOKEN_EXPIRED and "refused the login" in str(login.value)
    channel.settings["smtp_port"] = "1"
    with pytest.raises(SendError) as down:
        EmailConnector(channel).send(reply_request(str(uuid.uuid4()), customer))
    assert down.value.retryable and not down.value.ambiguous and "cannot reach" in str(down.value)
    assert smtp_relay.received == []


def test_it_keeps_reply_prefixes_and_names_a_subjectless_thread() -> None:
    assert reply_subject("SV: Faktura") == "SV: Faktura"
    assert reply_subject("Re:  Faktura\n") == "Re: Faktura"
    assert reply_subject("Faktura") == "Re: Faktura"
    assert reply_subject("", "Fjordnett kundeservice") == "Re: Fjordnett kundeservice"


def test_it_checks_imap_and_smtp_logins(brand: tuple[Channel, str], smtp_relay: SmtpRelay) -> None:
    channel, address = brand
    report = EmailConnector(channel).check()
    assert report.status == HealthStatus.OK and "IMAP 127.0.0.1 (IDLE)" in report.detail
    channel.set_credentials({"imap_password": "wrong", "smtp_password": smtp_relay.password})
    report = EmailConnector(channel).check()
    assert report.status == HealthStatus.TOKEN_EXPIRED
    assert report.detail.startswith(f"IMAP 127.0.0.1:{channel.settings['imap_port']} refused the login for {address}")
    assert "SMTP" not in report.detail
    channel.set_credentials({"imap_password": "wrong", "smtp_password": "wrong too"})
    report = EmailConnector(channel).check()
    assert "IMAP" in report.detail and f"SMTP 127.0.0.1:{smtp_relay.port} refused the login" in report.detail
    channel.settings["smtp_port"] = "1"
    channel.settings["imap_tls"] = "tls1.3"
    report = EmailConnector(channel).check()
    assert report.status == HealthStatus.FAILING
    assert "IMAP TLS mode 'tls1.3' is not one of ssl, starttls, none" in report.detail
    assert "cannot reach SMTP 127.0.0.1:1" in report.detail


def test_a_reply_reaches_the_customer_and_their_answer_threads_back(personas: Personas, brand: tuple[Channel, str],
                                                                    smtp_relay: SmtpRelay, dovecot: Dovecot) -> None:
    channel, address = brand
    customer = new_address("ola", "kunde.test")
    first = mail(customer, address, "Ruteren blinker rødt",
                 "Hei!\n\nRuteren min blinker rødt siden i går.\n\nMed vennlig hilsen\nOla",
                 message_id="<m1@kunde.test>")
    dovecot.append(address, first)
    assert ImapLoop(channel.pk).run_once().stored == 1
    drain()
    ticket = Ticket.objects.get(conversation__channel=channel)
    assert Message.objects.get(ticket=ticket).text == "Hei!\n\nRuteren min blinker rødt siden i går."

    do_reply(ticket, personas.agent, "Hei Ola,\n\nvi sender deg en ny ruter i dag.")
    assert send_due().sent == 1
    job = OutboundJob.objects.get(channel=channel)
    domain = address.rpartition("@")[2]
    assert job.status == JobStatus.SENT and job.external_id == f"<{job.idempotency_key}@{domain}>"
    reply = only(smtp_relay.received).message
    assert reply["Message-ID"] == job.external_id
    assert reply["In-Reply-To"] == "<m1@kunde.test>" and reply["References"] == "<m1@kunde.test>"
    assert reply["Subject"] == "Re: Ruteren blinker rødt"
    assert reply["From"].addresses[0].display_name == "Kari via Fjordnett kundeservice"
    assert reply["To"].addresses[0].addr_spec == customer
    assert Message.objects.get(direction=Direction.OUTBOUND).external_id == job.external_id

    received = only(dovecot.messages(customer))  # the customer's mail client sees it …
    assert received["Message-ID"] == job.external_id
    answer = mail(customer, address, f"SV: {received['Subject'].removeprefix('Re: ')}",
                  "Takk, men jeg er ikke hjemme før fredag.\n\nOla\n\nman. 2. mars 2026 kl. 10:15 skrev "
                  f"Kari via Fjordnett kundeservice <{address}>:\n> Hei Ola,\n> vi sender deg en ny ruter i dag.",
                  in_reply_to=received["Message-ID"],
                  references=f"{received['References']} {received['Message-ID']}")
    dovecot.append(address, answer)  # … and answers
    assert ImapLoop(channel.pk).run_once().stored == 1
    drain()
    newest = Message.objects.filter(direction=Direction.INBOUND).latest("id")
    assert newest.conversation_id == ticket.conversation_id
    assert newest.text == "Takk, men jeg er ikke hjemme før fredag.\n\nOla"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and newest.ticket_id == ticket.pk


def test_the_mail_command_fetches_every_mailbox_once(mailbox: tuple[Channel, str], dovecot: Dovecot,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    channel, address = mailbox
    dovecot.append(address, eml("only_text.eml"))
    call_command("mail", "--once")
    output = capsys.readouterr().out
    assert channel.slug in output
    assert InboundEvent.objects.filter(channel=channel).count() == 1
