"""An admin connects a Telegram bot in a real browser (Playwright driving Debian's headless Chromium): a wrong token
brings the platform's own error back and saves nothing; the right one lists the channel healthy with its webhook URL,
which then takes a real delivery. axe checks every screen on the way. The screenshot "channels-admin" goes to
``test-artifacts/`` (docs/img/channels-admin.png is a copy).

Telegram is a local stub server (pytest-httpserver) that checks the exact ``getMe`` requests, in order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.test_accessibility import violations
from webcare.channels.telegram import TelegramConnector
from webcare.core.models import Channel

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WRONG_TOKEN = "123456789:AAE-typo"
BOT_TOKEN = "123456789:AAE-right-token"
SECRET_TOKEN = "fjordnett-hook-7f3a9c"


@pytest.fixture
def telegram(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stub answers the wrong token as Telegram does (401 Unauthorized), then the right one with the bot."""
    monkeypatch.setattr(TelegramConnector, "default_api_base", httpserver.url_for("").rstrip("/"))
    httpserver.expect_ordered_request(f"/bot{WRONG_TOKEN}/getMe", method="POST", json={}).respond_with_json(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/getMe", method="POST", json={}).respond_with_json(
        {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "Fjordnett",
                                "username": "fjordnett_bot"}})
    # Then webcare registers the webhook; Telegram refuses a plain-http URL like the test server's, in its words.
    httpserver.expect_ordered_request(f"/bot{BOT_TOKEN}/setWebhook", method="POST").respond_with_json(
        {"ok": False, "error_code": 400,
         "description": "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"}, status=400)
    return httpserver


@pytest.fixture
def other_channels(personas: Personas) -> None:
    """What a desk has besides: a demo channel, and a WhatsApp number whose token Meta no longer takes."""
    Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="demo-whatsapp", name="Demo WhatsApp",
                           settings={"simulate": True})
    Channel.objects.create(
        organisation=personas.org, kind="whatsapp", slug="whatsapp", name="Fjordnett WhatsApp",
        settings={"phone_number_id": "106540352242922"}, health_status="token_expired",
        health_checked_at=timezone.now() - timedelta(minutes=12),
        health_detail="WhatsApp number check: HTTP 401: Error validating access token: Session has expired.")


def test_an_admin_connects_a_telegram_bot_after_a_wrong_token(browser: Any, live_server: Any, personas: Personas,
                                                             telegram: Any, other_channels: None) -> None:
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 800},
                   permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("link", name="Team admin").click()
    alert = page.locator(".channel-alert")
    assert "Fjordnett WhatsApp" in alert.inner_text() and "Token expired" in alert.inner_text()
    page.get_by_role("navigation", name="Team admin").get_by_role("link", name="Channels").click()
    page.wait_for_url(f"{live_server.url}/staff/channels/")
    assert violations(page) == []
    page.get_by_role("link", name="Connect a channel").first.click()
    assert violations(page) == []
    page.get_by_role("link", name="Telegram bot").click()

    page.get_by_label("Name").fill("Fjordnett on Telegram")
    page.get_by_label("Bot token").fill(WRONG_TOKEN)
    page.get_by_label("Webhook secret token").fill(SECRET_TOKEN)
    page.get_by_role("button", name="Connect", exact=True).click()

    error = page.locator("#error-connection")
    error.wait_for()
    assert error.inner_text() == "Telegram bot check: HTTP 401: Unauthorized"
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Name").input_value() == "Fjordnett on Telegram"
    assert page.get_by_label("Bot token").input_value() == ""  # secrets never come back to the browser
    assert page.evaluate("document.activeElement.id") == "id_field_bot_token"
    assert not Channel.objects.filter(kind="telegram").exists()
    assert violations(page) == []

    page.get_by_label("Bot token").fill(BOT_TOKEN)
    page.get_by_label("Webhook secret token").fill(SECRET_TOKEN)
    page.get_by_role("button", name="Connect", exact=True).click()
    page.wait_for_url(f"{live_server.url}/staff/channels/")
    telegram.check_assertions()

    channel = Channel.objects.get(kind="telegram", organisation=personas.org)
    hook = f"{live_server.url}/hooks/{channel.webhook_key}/"
    row = page.locator(f'#channels tr[data-channel="{channel.pk}"]')
    assert "OK" in row.locator(".health").inner_text()
    assert "@fjordnett_bot (Fjordnett)" in row.inner_text()
    assert row.locator("code.url").inner_text() == hook
    notices = page.locator(".notices").inner_text()
    assert "Connected “Fjordnett on Telegram”" in notices
    assert "The platform did not take the webhook URL" in notices and "An HTTPS URL must be provided" in notices
    row.get_by_role("button", name="Copy the webhook URL of Fjordnett on Telegram").click()
    row.locator(".copied", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == hook
    assert violations(page) == []
    screenshot(page, "channels-admin", full_page=True)

    # The address the admin copied is the channel's real door: Telegram's delivery with the secret is stored.
    update = {"update_id": 10000, "message": {"message_id": 1, "date": 1764150000, "text": "Hei! Nettet er nede.",
                                              "chat": {"id": 42, "type": "private"},
                                              "from": {"id": 42, "is_bot": False, "first_name": "Kari"}}}
    delivered = httpx.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN})
    assert delivered.status_code == 200 and delivered.json() == {"stored": 1, "duplicates": 0}


def test_a_supervisor_sees_the_health_but_no_buttons(browser: Any, live_server: Any, personas: Personas,
                                                     other_channels: None) -> None:
    page = sign_in(browser, live_server, "sunniva")
    page.goto(f"{live_server.url}/staff/channels/")
    assert page.get_by_role("link", name="Connect a channel").count() == 0
    assert page.get_by_role("button", name="Check connection").count() == 0
    assert "Token expired" in page.locator("#channels").inner_text()
    assert violations(page) == []
