"""Customers' attachments downloaded from the platforms into webcare's own storage (webcare/channels/media.py).

Each platform end to end: a real-shaped webhook delivery with media → ``drain()`` queues one ``fetch_media`` job per
attachment → ``send_due()`` downloads from a stub server that checks the exact requests (paths, tokens) → the
message's attachment is a stored file whose bytes are what the stub served, with the original reference kept as
``source``.

Meta's and X's media URLs name their real CDN hosts; a test cannot reach those, so the fixtures' CDN origin is
replaced with the stub's, which the connectors trust as the channel's configured ``api_base_url`` (a proxy in
production). Which real hosts are fetched from, and which never are, is tested on the fixtures' URLs as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import Personas, client_for
from webcare.channels import http, media
from webcare.channels.attachments import load_attachment
from webcare.channels.base import Action, SendError
from webcare.channels.facebook import FacebookConnector
from webcare.channels.instagram import InstagramConnector
from webcare.channels.meta import GRAPH_VERSION
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.sender import send_due
from webcare.channels.telegram import TelegramConnector
from webcare.channels.whatsapp import WhatsAppConnector
from webcare.channels.x import XConnector
from webcare.conversations.models import Direction, Message
from webcare.core.models import Channel
from webcare.ingest.worker import drain

FIXTURES = Path(__file__).parent / "fixtures" / "channels"
APP_SECRET = "app-secret-for-media-tests"
META_TOKEN = "EAAB-token-for-media-tests"
PROOF = hmac.new(APP_SECRET.encode(), META_TOKEN.encode(), hashlib.sha256).hexdigest()
PHONE_ID = "106540352242922"
PAGE = "117172741761305"
PSID = "3383290475046708"
IG_ACCOUNT = "17841400000000001"
IG_CUSTOMER = "2543761895680101"
BOT_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TG_SECRET = "fjordnett_tg-2b9f6c1d8e"
X_SECRET = "consumer-secret-for-media-tests"
X_BEARER = "user-context-token-for-media-tests"
BRAND = "2244994945"

WA_MEDIA = "b1c68f38-8734-4ad3-b4a1-ef0c10d683"
TG_DOCUMENT = "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX"
TG_PHOTO = "AgACAgUAAxkBAAODYV3aGZlD6vhzKsE2WNmblsr6zKwAAi-tMRvCoeBWNQ1ENVBzJdwBAAMCAANzAAMhBA"
#: A photo of a router with a red light (JPEG's magic number, then enough bytes to be a file).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"kvittering mai 2025\n" * 40 + b"%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in (media_root / "attachments").rglob("*") if path.is_file()]


def fetch_jobs(channel: Channel) -> list[OutboundJob]:
    return list(OutboundJob.objects.filter(channel=channel, action=Action.FETCH_MEDIA).order_by("id"))


def stub_base(httpserver: HTTPServer) -> str:
    return httpserver.url_for("").rstrip("/")


def served_headers(httpserver: HTTPServer) -> list[tuple[str, str | None]]:
    """(path, Authorization header) of every request the stub received, in order."""
    return [(request.path, request.headers.get("Authorization")) for request, _ in httpserver.log]


class StoredUrl(str):
    """A stored file's URL: the organisation, a 64-digit digest and the name. The digest is keyed by the customer's
    data key (webcare/keys), so tests compare the shape and read the content back with ``load_attachment``."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch(re.escape(self).replace("DIGEST", "[0-9a-f]{64}"),
                                                       other) is not None

    def __hash__(self) -> int:
        return super().__hash__()


def stored_as(personas: Personas, data: bytes, name: str, content_type: str, source: str) -> dict[str, Any]:
    """What a message's attachment says once its file is stored."""
    return {"name": name, "content_type": content_type, "size": len(data),
            "url": StoredUrl(f"/attachments/{personas.org.pk}/DIGEST/{quote(name, safe='')}"), "source": source}


def meta_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def post_meta(channel: Channel, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    response = Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json",
                             headers={"X-Hub-Signature-256": meta_signature(body)})
    assert response.status_code == 200, response.content


# -- WhatsApp ------------------------------------------------------------------------------------------------------

@pytest.fixture
def whatsapp(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="whatsapp", name="WhatsApp",
                                     settings={"phone_number_id": PHONE_ID, "api_base_url": stub_base(httpserver)})
    channel.set_credentials({"access_token": META_TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    return channel


def whatsapp_image() -> dict[str, Any]:
    """Chatwoot's WhatsApp image fixture with the message id Meta always sends (the transcription left it out)."""
    payload = json.loads((FIXTURES / "whatsapp" / "image_message.json").read_text())
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.image.1"
    return payload


def expect_whatsapp_lookup(httpserver: HTTPServer, size: int = len(JPEG)) -> str:
    """Graph's answer to ``GET /{media-id}``: a download link on (what stands in for) lookaside.fbsbx.com."""
    link = httpserver.url_for("/whatsapp_business/attachments/") + f"?mid={WA_MEDIA}&ext=1700000000&hash=ATu1"
    httpserver.expect_ordered_request(
        f"/{GRAPH_VERSION}/{WA_MEDIA}", method="GET", headers={"Authorization": f"Bearer {META_TOKEN}"},
        query_string={"phone_number_id": PHONE_ID, "appsecret_proof": PROOF},
    ).respond_with_json({"messaging_product": "whatsapp", "url": link, "mime_type": "image/jpeg",
                         "sha256": hashlib.sha256(JPEG).hexdigest(), "file_size": size, "id": WA_MEDIA})
    return link


def expect_whatsapp_download(httpserver: HTTPServer, status: int = 200) -> None:
    httpserver.expect_ordered_request(
        "/whatsapp_business/attachments/", method="GET", headers={"Authorization": f"Bearer {META_TOKEN}"},
        query_string={"mid": WA_MEDIA, "ext": "1700000000", "hash": "ATu1"},
    ).respond_with_data(JPEG if status == 200 else b"upstream error", status=status, content_type="image/jpeg")


def test_it_downloads_a_whatsapp_image_with_the_token(personas: Personas, whatsapp: Channel,
                                                      httpserver: HTTPServer) -> None:
    post_meta(whatsapp, whatsapp_image())
    drain()
    message = Message.objects.get(channel=whatsapp)
    assert [(job.request, job.status) for job in fetch_jobs(whatsapp)] == [
        ({"index": 0, "url": f"whatsapp-media:{WA_MEDIA}"}, JobStatus.PENDING)]

    expect_whatsapp_lookup(httpserver)
    expect_whatsapp_download(httpserver)
    tally = send_due()
    httpserver.check_assertions()
    assert (tally.sent, tally.total) == (1, 1)

    message.refresh_from_db()
    name = f"image-{WA_MEDIA}.jpeg"
    assert message.attachments == [stored_as(personas, JPEG, name, "image/jpeg", f"whatsapp-media:{WA_MEDIA}")]
    assert load_attachment(personas.org.pk, message.attachments[0]["url"]) == JPEG
    response = client_for(personas.agent).get(message.attachments[0]["url"])
    assert (response.status_code, response.getvalue()) == (200, JPEG)


def test_a_failed_download_is_retried(personas: Personas, whatsapp: Channel, httpserver: HTTPServer,
                                      settings: Any) -> None:
    settings.WEBCARE_SEND_RETRY_BASE_SECONDS = 0
    post_meta(whatsapp, whatsapp_image())
    drain()
    expect_whatsapp_lookup(httpserver)
    expect_whatsapp_download(httpserver, status=500)
    expect_whatsapp_lookup(httpserver)  # the second try asks for a fresh link: the first may have expired
    expect_whatsapp_download(httpserver)
    tally = send_due()
    httpserver.check_assertions()
    assert (tally.retrying, tally.sent) == (1, 1)
    [job] = fetch_jobs(whatsapp)
    assert (job.status, job.attempts) == (JobStatus.SENT, 2)
    message = Message.objects.get(channel=whatsapp)
    assert load_attachment(personas.org.pk, message.attachments[0]["url"]) == JPEG


def test_a_file_over_the_limit_is_not_downloaded(whatsapp: Channel, httpserver: HTTPServer, settings: Any,
                                                  media_root: Path) -> None:
    settings.WEBCARE_MAX_ATTACHMENT_BYTES = 1024
    post_meta(whatsapp, whatsapp_image())
    drain()
    expect_whatsapp_lookup(httpserver, size=5_000_000)
    assert send_due().failed == 1
    httpserver.check_assertions()
    assert [path for path, _ in served_headers(httpserver)] == [f"/{GRAPH_VERSION}/{WA_MEDIA}"]  # no download
    [job] = fetch_jobs(whatsapp)
    assert job.status == JobStatus.FAILED
    assert "5000000 bytes" in job.last_error and "WEBCARE_MAX_ATTACHMENT_BYTES" in job.last_error
    message = Message.objects.get(channel=whatsapp)
    assert message.attachments[0]["url"] == f"whatsapp-media:{WA_MEDIA}"
    assert "source" not in message.attachments[0]
    assert stored_files(media_root) == []


def test_a_final_failure_is_noted_on_the_attachment(personas: Personas, whatsapp: Channel, httpserver: HTTPServer,
                                                    settings: Any) -> None:
    settings.WEBCARE_MAX_ATTACHMENT_BYTES = 1024
    post_meta(whatsapp, whatsapp_image())
    drain()
    expect_whatsapp_lookup(httpserver, size=5_000_000)
    assert send_due().failed == 1  # the sender notes why on the attachment
    [job] = fetch_jobs(whatsapp)
    message = Message.objects.get(channel=whatsapp)
    attachment = message.attachments[0]
    pane = client_for(personas.agent).get(f"/inbox/tickets/{message.ticket_id}/", headers={"HX-Request": "true"})
    assert "could not be downloaded from the platform:" in pane.content.decode()
    assert "being downloaded" not in pane.content.decode()
    assert attachment["url"] == f"whatsapp-media:{WA_MEDIA}"
    assert attachment["fetch_error"] == job.last_error[:500]
    job.request = {"index": 0, "url": "whatsapp-media:999"}  # no longer the attachment: not marked
    assert not media.note_failure(job, "other")


def test_a_download_link_off_metas_servers_gets_no_token(whatsapp: Channel, httpserver: HTTPServer,
                                                        media_root: Path) -> None:
    post_meta(whatsapp, whatsapp_image())
    drain()
    httpserver.expect_ordered_request(f"/{GRAPH_VERSION}/{WA_MEDIA}", method="GET").respond_with_json(
        {"url": "https://files.example.net/steal?mid=1", "mime_type": "image/jpeg", "id": WA_MEDIA})
    assert send_due().failed == 1
    [job] = fetch_jobs(whatsapp)
    assert "not on Meta's media servers ('files.example.net')" in job.last_error
    assert stored_files(media_root) == []


def test_an_attachment_changed_meanwhile_is_left_alone(whatsapp: Channel, httpserver: HTTPServer,
                                                       media_root: Path) -> None:
    post_meta(whatsapp, whatsapp_image())
    drain()
    message = Message.objects.get(channel=whatsapp)
    message.attachments = [{"name": "other.jpeg", "content_type": "image/jpeg", "url": "whatsapp-media:999"}]
    message.save(update_fields=["attachments"])
    expect_whatsapp_lookup(httpserver)
    expect_whatsapp_download(httpserver)
    assert send_due().failed == 1
    [job] = fetch_jobs(whatsapp)
    assert "attachment 0" in job.last_error and "no longer the one queued" in job.last_error
    message.refresh_from_db()
    assert message.attachments == [{"name": "other.jpeg", "content_type": "image/jpeg", "url": "whatsapp-media:999"}]
    assert stored_files(media_root) == []


def test_a_repeated_download_changes_nothing(personas: Personas, whatsapp: Channel, httpserver: HTTPServer) -> None:
    """A sender that died after storing but before recording success: the job runs again and finds it done."""
    post_meta(whatsapp, whatsapp_image())
    drain()
    expect_whatsapp_lookup(httpserver)
    expect_whatsapp_download(httpserver)
    assert send_due().sent == 1
    first = Message.objects.get(channel=whatsapp).attachments
    [job] = fetch_jobs(whatsapp)
    OutboundJob.objects.create(organisation=personas.org, channel=whatsapp, message=job.message,
                               action=Action.FETCH_MEDIA, request=job.request)
    assert send_due().sent == 1  # without asking WhatsApp again
    httpserver.check_assertions()
    assert len(httpserver.log) == 2
    assert Message.objects.get(channel=whatsapp).attachments == first
    assert first[0]["source"] == f"whatsapp-media:{WA_MEDIA}"


@pytest.mark.parametrize(("request_body", "error"), [
    ({"url": f"whatsapp-media:{WA_MEDIA}"}, "request.index must be a whole number ≥ 0, not None"),
    ({"index": "0", "url": f"whatsapp-media:{WA_MEDIA}"}, "request.index must be a whole number ≥ 0, not '0'"),
    ({"index": -1, "url": f"whatsapp-media:{WA_MEDIA}"}, "request.index must be a whole number ≥ 0, not -1"),
    ({"index": 0}, "request.url is missing"),
    ({"index": 5, "url": f"whatsapp-media:{WA_MEDIA}"}, "attachment 5 of message"),
])
def test_a_job_that_names_no_attachment_fails_and_says_why(personas: Personas, whatsapp: Channel,
                                                            httpserver: HTTPServer, media_root: Path,
                                                            request_body: dict[str, Any], error: str) -> None:
    post_meta(whatsapp, whatsapp_image())
    drain()
    for job in OutboundJob.objects.filter(channel=whatsapp):  # saved, as the request is encrypted (webcare/keys)
        job.request = request_body
        job.save(update_fields=["request"])
    if request_body.get("index") == 5:  # a valid request: downloaded, then not placed
        expect_whatsapp_lookup(httpserver)
        expect_whatsapp_download(httpserver)
    assert send_due().failed == 1
    [job] = fetch_jobs(whatsapp)
    assert error in job.last_error
    assert Message.objects.get(channel=whatsapp).attachments[0]["url"] == f"whatsapp-media:{WA_MEDIA}"
    assert stored_files(media_root) == []


def test_a_demo_channel_queues_no_downloads(personas: Personas, whatsapp: Channel) -> None:
    whatsapp.settings["simulate"] = True
    whatsapp.save()
    post_meta(whatsapp, whatsapp_image())
    drain()
    assert Message.objects.get(channel=whatsapp).attachments[0]["url"] == f"whatsapp-media:{WA_MEDIA}"
    assert fetch_jobs(whatsapp) == []


# -- Telegram ------------------------------------------------------------------------------------------------------

@pytest.fixture
def telegram(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="telegram", slug="telegram", name="Telegram",
                                     settings={"api_base_url": stub_base(httpserver)})
    channel.set_credentials({"bot_token": BOT_TOKEN, "secret_token": TG_SECRET})
    channel.save()
    return channel


def post_telegram(channel: Channel, name: str) -> None:
    response = Client().post(f"/hooks/{channel.webhook_key}/", data=(FIXTURES / "telegram" / name).read_bytes(),
                             content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    assert response.status_code == 200, response.content


def test_it_downloads_a_telegram_photo_with_getfile(personas: Personas, telegram: Channel,
                                                    httpserver: HTTPServer) -> None:
    post_telegram(telegram, "photo_message.json")
    drain()
    assert [job.request for job in fetch_jobs(telegram)] == [{"index": 0, "url": f"telegram-file:{TG_PHOTO}"}]
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getFile", method="POST",
                                      json={"file_id": TG_PHOTO}).respond_with_json(
        {"ok": True, "result": {"file_id": TG_PHOTO, "file_unique_id": "AQADL60xG8Kh4FZ4", "file_size": len(JPEG),
                                "file_path": "photos/file_7.jpg"}})
    # Telegram's file server calls every file application/octet-stream.
    httpserver.expect_ordered_request(f"/file/bot{BOT_TOKEN}/photos/file_7.jpg", method="GET").respond_with_data(
        JPEG, content_type="application/octet-stream")
    assert send_due().sent == 1
    httpserver.check_assertions()
    message = Message.objects.get(channel=telegram)
    assert message.attachments == [stored_as(personas, JPEG, "photo-AQADL60xG8Kh4FZ4.jpg", "image/jpeg",
                                             f"telegram-file:{TG_PHOTO}")]
    assert load_attachment(personas.org.pk, message.attachments[0]["url"]) == JPEG


def test_telegrams_refusal_is_kept_and_the_bot_token_is_not(telegram: Channel, httpserver: HTTPServer,
                                                            media_root: Path) -> None:
    post_telegram(telegram, "document_message.json")
    drain()
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getFile", method="POST").respond_with_json(
        {"ok": True, "result": {"file_id": "x", "file_size": 536392, "file_path": "documents/file_3.png"}})
    httpserver.expect_ordered_request(f"/file/bot{BOT_TOKEN}/documents/file_3.png").respond_with_json(
        {"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    assert send_due().failed == 1  # a file that is gone is not tried again
    httpserver.check_assertions()
    [job] = fetch_jobs(telegram)
    assert "HTTP 404" in job.last_error and "Not Found" in job.last_error
    assert BOT_TOKEN not in job.last_error and BOT_TOKEN.split(":")[1] not in job.last_error
    assert Message.objects.get(channel=telegram).attachments[0]["url"] == f"telegram-file:{TG_DOCUMENT}"
    assert stored_files(media_root) == []


def test_a_telegram_file_too_big_for_bots_fails_at_once(telegram: Channel, httpserver: HTTPServer) -> None:
    post_telegram(telegram, "document_message.json")
    drain()
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getFile", method="POST").respond_with_json(
        {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}, status=400)
    assert send_due().failed == 1
    [job] = fetch_jobs(telegram)
    assert "file is too big" in job.last_error


# -- Facebook and Instagram ----------------------------------------------------------------------------------------

@pytest.fixture
def facebook(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb", name="Fjordnett",
                                     settings={"page_id": PAGE, "api_base_url": stub_base(httpserver),
                                               "lookup_profiles": False})
    channel.set_credentials({"page_access_token": META_TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    return channel


@pytest.fixture
def instagram(personas: Personas, httpserver: HTTPServer) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="instagram", slug="ig", name="Fjordnett",
                                     settings={"instagram_account_id": IG_ACCOUNT,
                                               "api_base_url": stub_base(httpserver), "lookup_profiles": False})
    channel.set_credentials({"access_token": META_TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    return channel


def messenger_with_files(httpserver: HTTPServer) -> dict[str, Any]:
    """A Messenger message with a photo, a PDF and a shared link, its CDN origins pointed at the stub."""
    text = (FIXTURES / "facebook" / "meta_messenger_events.json").read_text()
    text = text.replace("https://scontent.xx.fbcdn.net", stub_base(httpserver)).replace(
        "https://cdn.fbsbx.com", stub_base(httpserver))
    return json.loads(text)


def test_it_downloads_messenger_files_plainly_and_leaves_links_alone(personas: Personas, facebook: Channel,
                                                                     httpserver: HTTPServer) -> None:
    post_meta(facebook, messenger_with_files(httpserver))
    drain()
    message = Message.objects.get(channel=facebook, external_id="m_attach_1")
    photo_url, pdf_url = (message.attachments[i]["url"] for i in (0, 1))
    # The shared link (a page on another site) is not a file webcare downloads.
    assert [job.request for job in fetch_jobs(facebook)] == [{"index": 0, "url": photo_url},
                                                             {"index": 1, "url": pdf_url}]
    httpserver.expect_ordered_request("/v/t1.15752-9/router_n.jpg", query_string="oh=1",
                                      method="GET").respond_with_data(JPEG, content_type="image/jpeg")
    httpserver.expect_ordered_request("/v/t59.2708-21/kvittering.pdf", query_string="dl=1", method="GET"
                                      ).respond_with_data(PDF, content_type="application/pdf", headers={
                                          "Content-Disposition": "attachment; filename=\"kvittering-mai.pdf\""})
    assert send_due().sent == 2
    httpserver.check_assertions()
    # Meta's CDN links are signed: the page token never goes with them.
    assert [auth for _, auth in served_headers(httpserver)] == [None, None]
    message.refresh_from_db()
    assert message.attachments == [
        stored_as(personas, JPEG, "router_n.jpg", "image/jpeg", photo_url),
        stored_as(personas, PDF, "kvittering-mai.pdf", "application/pdf", pdf_url),  # the server's name
        {"name": "Driftsmeldinger", "url": "https://fjordnett.example/drift"},  # as it came
    ]
    assert load_attachment(personas.org.pk, message.attachments[1]["url"]) == PDF


def test_the_pages_own_messages_queue_no_downloads(facebook: Channel, httpserver: HTTPServer) -> None:
    payload = messenger_with_files(httpserver)
    echo = payload["entry"][0]["messaging"][0]
    echo["sender"], echo["recipient"] = {"id": PAGE}, {"id": PSID}
    echo["message"]["is_echo"] = True
    payload["entry"][0]["messaging"] = [echo]
    post_meta(facebook, payload)
    drain()
    message = Message.objects.get(channel=facebook)
    assert (message.direction, len(message.attachments)) == (Direction.OUTBOUND, 3)
    assert fetch_jobs(facebook) == []


def instagram_payload(name: str, httpserver: HTTPServer | None = None) -> dict[str, Any]:
    text = (FIXTURES / "instagram" / name).read_text().replace("<expr:ig_entry_id>", IG_ACCOUNT).replace(
        "<expr:sender_id>", IG_CUSTOMER)
    if httpserver is not None:
        text = text.replace("https://lookaside.fbsbx.com", stub_base(httpserver))
    return {"object": "instagram", "entry": json.loads(text)["entry"]}


def test_it_follows_instagrams_lookaside_redirect_to_the_story(personas: Personas, instagram: Channel,
                                                              httpserver: HTTPServer) -> None:
    post_meta(instagram, instagram_payload("instagram_ig_story_event.json", httpserver))
    drain()
    [job] = fetch_jobs(instagram)
    httpserver.expect_ordered_request("/ig_messaging_cdn/", query_string={
        "asset_id": "17949487764033669", "signature": "test"}).respond_with_data(
        b"", status=302, headers={"Location": "/v/t51.29350-15/story_n.jpg?stp=dst-jpg"})
    httpserver.expect_ordered_request("/v/t51.29350-15/story_n.jpg", query_string="stp=dst-jpg").respond_with_data(
        JPEG, content_type="image/jpeg")
    assert send_due().sent == 1
    httpserver.check_assertions()
    message = Message.objects.get(channel=instagram)
    assert message.attachments == [stored_as(personas, JPEG, "Instagram story.jpg", "image/jpeg", job.request["url"])]


def test_a_redirect_off_metas_servers_is_not_followed(instagram: Channel, httpserver: HTTPServer,
                                                      media_root: Path) -> None:
    post_meta(instagram, instagram_payload("instagram_ig_story_event.json", httpserver))
    drain()
    elsewhere = f"http://127.0.0.1:{httpserver.port}/internal/admin"
    httpserver.expect_ordered_request("/ig_messaging_cdn/").respond_with_data(
        b"", status=302, headers={"Location": elsewhere})
    assert send_due().failed == 1
    assert [path for path, _ in served_headers(httpserver)] == ["/ig_messaging_cdn/"]
    [job] = fetch_jobs(instagram)
    assert "does not download from '127.0.0.1'" in job.last_error
    assert stored_files(media_root) == []


def test_an_attachment_on_a_foreign_host_stays_as_it_came(instagram: Channel) -> None:
    post_meta(instagram, instagram_payload("instagram_message_attachment_event.json"))
    drain()
    message = Message.objects.get(channel=instagram)
    assert message.attachments == [{"name": "test.jpeg", "content_type": "image/jpeg",
                                    "url": "https://www.example.com/test.jpeg"}]
    assert fetch_jobs(instagram) == []


# -- X -------------------------------------------------------------------------------------------------------------

def x_channel(personas: Personas, httpserver: HTTPServer, user_id: str = BRAND) -> Channel:
    settings = {"api_base_url": stub_base(httpserver), "rate_per_second": 1000} | ({"user_id": user_id}
                                                                                    if user_id else {})
    channel = Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="Fjordnett on X",
                                     settings=settings)
    channel.set_credentials({"consumer_secret": X_SECRET, "bearer_token": X_BEARER})
    channel.save()
    return channel


def post_x(channel: Channel, body: bytes) -> None:
    signature = "sha256=" + base64.b64encode(hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    response = Client().post(f"/hooks/{channel.webhook_key}/", data=body, content_type="application/json",
                             headers={"X-Twitter-Webhooks-Signature": signature})
    assert response.status_code == 200, response.content


def test_it_downloads_a_tweets_photo_plainly(personas: Personas, httpserver: HTTPServer) -> None:
    channel = x_channel(personas, httpserver)
    photo = f"{stub_base(httpserver)}/media/GdRouterRedLight.jpg"
    body = (FIXTURES / "x" / "mention_with_photo.json").read_text().replace(
        "https://pbs.twimg.com/media/GdRouterRedLight.jpg", photo)
    post_x(channel, body.encode())
    drain()
    assert [job.request for job in fetch_jobs(channel)] == [{"index": 0, "url": photo}]
    httpserver.expect_ordered_request("/media/GdRouterRedLight.jpg", method="GET").respond_with_data(
        JPEG, content_type="image/jpeg")
    assert send_due().sent == 1
    httpserver.check_assertions()
    assert served_headers(httpserver) == [("/media/GdRouterRedLight.jpg", None)]  # public: no credentials
    message = Message.objects.get(channel=channel)
    assert message.attachments == [stored_as(personas, JPEG, "GdRouterRedLight.jpg", "image/jpeg", photo)]


def test_it_downloads_direct_message_media_with_the_channels_auth(personas: Personas,
                                                                   httpserver: HTTPServer) -> None:
    channel = x_channel(personas, httpserver, user_id="")  # chatwoot's DM fixture is for account "1"
    ton = f"{stub_base(httpserver)}/1.1/ton/data/dm/123/930077847535812610/DOhM30VV.jpg"
    body = (FIXTURES / "x" / "twitter_dm_image_event.json").read_text().replace(
        "https://pbs.twimg.com/media/DOhM30VVwAEpIHq.jpg", ton)
    post_x(channel, body.encode())
    drain()
    assert [job.request for job in fetch_jobs(channel)] == [{"index": 0, "url": ton}]
    httpserver.expect_ordered_request("/1.1/ton/data/dm/123/930077847535812610/DOhM30VV.jpg", method="GET",
                                      headers={"Authorization": f"Bearer {X_BEARER}"}).respond_with_data(
        JPEG, content_type="image/jpeg")
    assert send_due().sent == 1
    httpserver.check_assertions()
    message = Message.objects.get(channel=channel)
    assert load_attachment(personas.org.pk, message.attachments[0]["url"]) == JPEG
    assert message.attachments[0]["source"] == ton


# -- which addresses are fetched at all ----------------------------------------------------------------------------

@pytest.mark.parametrize(("connector", "url", "fetched"), [
    # the fixtures' own URLs
    (FacebookConnector, "https://scontent.xx.fbcdn.net/v/t1.15752-9/router_n.jpg?oh=1", True),
    (FacebookConnector, "https://cdn.fbsbx.com/v/t59.2708-21/kvittering.pdf?dl=1", True),
    (InstagramConnector, "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17949487764033669&signature=t", True),
    (InstagramConnector, "https://scontent-arn2-1.cdninstagram.com/v/t51.2885-15/a.jpg", True),
    (FacebookConnector, "https://fjordnett.example/drift", False),
    (InstagramConnector, "https://www.example.com/test.jpeg", False),
    (FacebookConnector, "https://www.facebook.com/reel/123456", False),  # a page, not a file
    (FacebookConnector, "https://l.facebook.com/l.php?u=https%3A%2F%2Fevil.example%2F", False),  # a redirector
    # look-alikes and downgrades
    (FacebookConnector, "https://scontent.xx.fbcdn.net.evil.example/a.jpg", False),
    (FacebookConnector, "https://evilfbcdn.net/a.jpg", False),
    (FacebookConnector, "http://scontent.xx.fbcdn.net/a.jpg", False),
    (FacebookConnector, "https://user:pw@scontent.xx.fbcdn.net/a.jpg", False),
    (FacebookConnector, "whatsapp-media:1234", False),
    (WhatsAppConnector, "whatsapp-media:1234567890123456", True),
    (WhatsAppConnector, "whatsapp-media:../../me/messages", False),
    (WhatsAppConnector, "whatsapp-media:", False),
    (WhatsAppConnector, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", False),
    (TelegramConnector, f"telegram-file:{TG_PHOTO}", True),
    (TelegramConnector, "telegram-file:a/../../getMe", False),
    (TelegramConnector, "https://api.telegram.org/file/bot1:x/photos/a.jpg", False),
    (XConnector, "https://pbs.twimg.com/media/GdRouterRedLight.jpg", True),
    (XConnector, "https://video.twimg.com/ext_tw_video/1/pu/vid/720x1280/a.mp4", True),
    (XConnector, "https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg", True),
    (XConnector, "http://pbs.twimg.com/media/DOhM30VVwAEpIHq.jpg", False),
    (XConnector, "https://t.co/Xy9PhotoLk", False),
    (XConnector, "https://twitter.com/kari_n/status/1860000000000000001/photo/1", False),
])
def test_it_fetches_only_from_the_platforms_media_servers(personas: Personas, connector: Any, url: str,
                                                          fetched: bool) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind=connector.kind, slug="c", name="C")
    assert connector(channel).fetches(url) is fetched


def test_a_connector_that_cannot_tell_does_not_stop_the_batch(whatsapp: Channel, monkeypatch: Any,
                                                              caplog: Any) -> None:
    def broken(self: Any, url: str) -> bool:
        raise RuntimeError("bug")

    monkeypatch.setattr(WhatsAppConnector, "fetches", broken)
    post_meta(whatsapp, whatsapp_image())
    with caplog.at_level(logging.ERROR, logger="webcare.channels"):
        drain()
    assert Message.objects.filter(channel=whatsapp).count() == 1
    assert fetch_jobs(whatsapp) == []
    assert "failed to say whether it fetches" in caplog.text


# -- the streamed download -----------------------------------------------------------------------------------------

def test_a_download_stops_past_the_limit_without_a_content_length(httpserver: HTTPServer) -> None:
    def endless(request: Request) -> Response:
        return Response((b"x" * 4096 for _ in range(1000)), content_type="video/mp4")  # 4 MB, chunked

    httpserver.expect_request("/big.mp4").respond_with_handler(endless)
    with pytest.raises(SendError) as caught:
        http.download(httpserver.url_for("/big.mp4"), "test download", 10_000, allowed=lambda url: True)
    assert "bigger than that; webcare downloads at most 10000 bytes" in str(caught.value)
    assert not caught.value.retryable


def test_a_download_refuses_a_declared_size_over_the_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big.pdf").respond_with_data(PDF, content_type="application/pdf")
    with pytest.raises(SendError) as caught:
        http.download(httpserver.url_for("/big.pdf"), "test download", 100, allowed=lambda url: True)
    assert f"the file is {len(PDF)} bytes" in str(caught.value)
    assert not caught.value.retryable


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (403, False),
                                                   (404, False), (410, False)])
def test_a_download_error_is_retryable_only_when_it_may_pass(httpserver: HTTPServer, status: int,
                                                             retryable: bool) -> None:
    httpserver.expect_request("/a.jpg").respond_with_data(b"URL signature expired", status=status)
    with pytest.raises(SendError) as caught:
        http.download(httpserver.url_for("/a.jpg"), "test download", 10_000, allowed=lambda url: True)
    assert (caught.value.retryable, caught.value.health, caught.value.retry_after) == (retryable, None, None)
    assert f"HTTP {status}" in str(caught.value) and "URL signature expired" in str(caught.value)


def test_credentials_do_not_follow_a_redirect_to_another_server(httpserver: HTTPServer) -> None:
    other = f"http://127.0.0.1:{httpserver.port}/elsewhere.jpg"
    httpserver.expect_ordered_request("/first.jpg").respond_with_data(b"", status=302, headers={"Location": other})
    httpserver.expect_ordered_request("/elsewhere.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    fetched = http.download(httpserver.url_for("/first.jpg"), "test download", 10_000, allowed=lambda url: True,
                            headers={"Authorization": "Bearer secret"})
    httpserver.check_assertions()
    assert (fetched.data, fetched.content_type) == (JPEG, "image/jpeg")
    assert served_headers(httpserver) == [("/first.jpg", "Bearer secret"), ("/elsewhere.jpg", None)]


def test_a_download_that_cannot_connect_is_retryable() -> None:
    with pytest.raises(SendError) as caught:
        http.download("http://127.0.0.1:9/a.jpg", "test download", 10_000, allowed=lambda url: True)
    assert caught.value.retryable
    assert "cannot reach 127.0.0.1" in str(caught.value)
