"""Admins connect and watch channels at ``/staff/channels/``: the writers' rules and the pages around them.

The platforms are local stub servers (pytest-httpserver) that check the exact request: Telegram's ``getMe`` and
WhatsApp's phone-number lookup are the credential checks. A new channel has no settings yet, so the connector's
``default_api_base`` is pointed at the stub; existing channels use ``settings["api_base_url"]``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas, client_for
from webcare.channels.base import HealthStatus
from webcare.channels.reviews import TrustpilotConnector
from webcare.channels.telegram import TelegramConnector
from webcare.channels.whatsapp import WhatsAppConnector
from webcare.core.models import Channel
from webcare.staff import channel_actions as actions
from webcare.tickets.actions import ActionError

BOT_TOKEN = "123456789:AAE-right-token"
WRONG_TOKEN = "123456789:AAE-wrong-token"
SECRET_TOKEN = "hook-secret_42"
BOT = {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "Fjordnett", "username": "fjordnett_bot"}}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


@pytest.fixture
def platform(httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stub server stands in for Telegram and WhatsApp for channels that have no ``api_base_url`` yet."""
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setattr(TelegramConnector, "default_api_base", base)
    monkeypatch.setattr(WhatsAppConnector, "default_api_base", base)
    monkeypatch.setattr(TrustpilotConnector, "default_api_base", base)
    return httpserver


def expect_get_me(httpserver: Any, token: str, answer: dict[str, Any], status: int = 200,
                  headers: dict[str, str] | None = None) -> None:
    httpserver.expect_ordered_request(f"/bot{token}/getMe", method="POST", json={}).respond_with_json(
        answer, status=status, headers=headers)


def telegram_values(token: str = BOT_TOKEN) -> dict[str, str]:
    return {"bot_token": token, "secret_token": SECRET_TOKEN}


def connect_telegram(personas: Personas, token: str = BOT_TOKEN, name: str = "Fjordnett on Telegram",
                     actor: Any = None) -> tuple[Channel, Any]:
    return actions.connect_channel(personas.org, actor or personas.admin, "telegram", name, telegram_values(token))


def refused(field: str, call: Any, *args: Any, **kwargs: Any) -> ActionError:
    with pytest.raises(ActionError) as info:
        call(*args, **kwargs)
    assert info.value.field == field, info.value
    return info.value


def raw_credentials(channel: Channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM core_channel WHERE id = %s", [channel.pk])
        return str(cursor.fetchone()[0])


def telegram_channel(personas: Personas, httpserver: Any, name: str = "Support bot", **fields: Any) -> Channel:
    """A connected Telegram channel pointing at the stub (as if connected earlier), health OK."""
    values = {"health_status": "ok", "health_detail": "@fjordnett_bot (Fjordnett)",
              "health_checked_at": timezone.now()} | fields
    channel = Channel(organisation=personas.org, kind="telegram", slug=name.lower().replace(" ", "-"), name=name,
                      settings={"api_base_url": httpserver.url_for("").rstrip("/")}, **values)
    channel.set_credentials(telegram_values())
    channel.save()
    return channel


def row_of(page: str, channel: Channel) -> str:
    row = page[page.index(f'<tr data-channel="{channel.pk}"'):]
    return row[: row.index("</tr>")]


# Connecting


def test_it_connects_a_channel_whose_credentials_the_platform_accepts(personas: Personas, platform: Any) -> None:
    expect_get_me(platform, BOT_TOKEN, BOT)
    channel, report = connect_telegram(personas)
    platform.check_assertions()
    assert report.status == HealthStatus.OK and report.detail == "@fjordnett_bot (Fjordnett)"
    channel = Channel.objects.get(pk=channel.pk)
    assert (channel.organisation, channel.kind, channel.name, channel.slug) == (
        personas.org, "telegram", "Fjordnett on Telegram", "fjordnett-on-telegram")
    assert channel.is_active
    assert (channel.health_status, channel.health_detail) == ("ok", "@fjordnett_bot (Fjordnett)")
    assert channel.health_checked_at is not None
    assert channel.get_credentials() == {"bot_token": BOT_TOKEN, "secret_token": SECRET_TOKEN}
    assert BOT_TOKEN not in raw_credentials(channel) and SECRET_TOKEN not in raw_credentials(channel)
    assert "bot_token" not in channel.settings and "secret_token" not in channel.settings


def test_it_refuses_credentials_the_platform_refuses_with_its_words_and_saves_nothing(personas: Personas,
                                                                                      platform: Any) -> None:
    expect_get_me(platform, WRONG_TOKEN, UNAUTHORIZED, status=401)
    error = refused("connection", connect_telegram, personas, WRONG_TOKEN)
    platform.check_assertions()
    assert isinstance(error, actions.ConnectionRefused)
    assert error.report.status == HealthStatus.TOKEN_EXPIRED
    assert error.message == "Telegram bot check: HTTP 401: Unauthorized"
    assert list(Channel.objects.filter(organisation=personas.org)) == [personas.channel]


def test_it_refuses_while_the_platform_says_slow_down(personas: Personas, platform: Any) -> None:
    expect_get_me(platform, BOT_TOKEN, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry "
                                        "after 7", "parameters": {"retry_after": 7}}, status=429)
    error = refused("connection", connect_telegram, personas)
    assert isinstance(error, actions.ConnectionRefused)
    assert error.report.status == HealthStatus.RATE_LIMITED
    assert "Too Many Requests" in error.message
    assert not Channel.objects.filter(kind="telegram").exists()


def test_it_refuses_when_the_platform_cannot_be_reached(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TelegramConnector, "default_api_base", "http://127.0.0.1:9")  # the discard port: closed
    error = refused("connection", connect_telegram, personas)
    assert isinstance(error, actions.ConnectionRefused)
    assert error.report.status == HealthStatus.FAILING
    assert "cannot reach 127.0.0.1" in error.message
    assert not Channel.objects.filter(kind="telegram").exists()


def test_it_puts_the_secret_fields_in_the_encrypted_credentials_and_the_others_in_settings(personas: Personas,
                                                                                         platform: Any) -> None:
    # The number lookup's exact shape (Graph version, appsecret_proof) is the connector's own test; here: the form's
    # values reached it — the number id in the path, the token in the header.
    platform.expect_ordered_request(
        re.compile(r".*/106540352242922"), method="GET", headers={"Authorization": "Bearer EAAG-system-user-token"},
    ).respond_with_json({"verified_name": "Fjordnett AS", "display_phone_number": "+47 22 00 00 00",
                         "id": "106540352242922"})
    channel, report = actions.connect_channel(personas.org, personas.admin, "whatsapp", "WhatsApp", {
        "phone_number_id": " 106540352242922 ", "access_token": "EAAG-system-user-token",
        "app_secret": "app-secret", "verify_token": "verify-me"})
    platform.check_assertions()
    assert report.detail == "Fjordnett AS (+47 22 00 00 00)"
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.settings == {"phone_number_id": "106540352242922"}
    assert channel.get_credentials() == {"access_token": "EAAG-system-user-token", "app_secret": "app-secret",
                                         "verify_token": "verify-me"}


@pytest.mark.parametrize("missing", ["bot_token", "secret_token"])
def test_it_names_a_required_field_left_empty_before_asking_the_platform(personas: Personas, platform: Any,
                                                                        missing: str) -> None:
    values = telegram_values() | {missing: "   "}
    error = refused(f"field_{missing}", actions.connect_channel, personas.org, personas.admin, "telegram",
                    "Telegram", values)
    label = {"bot_token": "Bot token", "secret_token": "Webhook secret token"}[missing]
    assert error.message == f"{label} is needed"
    assert platform.log == []
    assert not Channel.objects.filter(kind="telegram").exists()


def test_it_refuses_a_value_longer_than_any_token(personas: Personas, platform: Any) -> None:
    refused("field_bot_token", connect_telegram, personas, "x" * (actions.MAX_VALUE + 1))
    assert platform.log == []


@pytest.mark.parametrize("kind", ["", "api", "myspace", "TELEGRAM"])
def test_it_refuses_a_kind_without_a_connector(personas: Personas, platform: Any, kind: str) -> None:
    error = refused("kind", actions.connect_channel, personas.org, personas.admin, kind, "Nope", {})
    assert "telegram" in error.message and "whatsapp" in error.message
    assert platform.log == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "api", "API "])
def test_it_refuses_a_missing_overlong_or_taken_name(personas: Personas, platform: Any, name: str) -> None:
    refused("name", connect_telegram, personas, name=name)
    assert platform.log == []
    assert Channel.objects.filter(organisation=personas.org).count() == 1


@pytest.mark.parametrize("who", ["supervisor", "agent", "analyst", "outsider"])
def test_it_lets_only_the_organisations_admins_connect_change_check_and_deactivate(personas: Personas,
                                                                                   platform: Any, who: str) -> None:
    actor = getattr(personas, who)
    channel = telegram_channel(personas, platform)
    refused("actor", connect_telegram, personas, actor=actor)
    refused("actor", actions.change_channel, channel, actor, name="Renamed")
    refused("actor", actions.check_channel, channel, actor)
    refused("actor", actions.set_active, channel, actor, False)
    assert platform.log == []
    channel.refresh_from_db()
    assert (channel.name, channel.is_active) == ("Support bot", True)
    assert not Channel.objects.filter(name="Fjordnett on Telegram").exists()


def test_it_gives_each_channel_its_own_slug_and_binds_the_credentials_to_it(personas: Personas,
                                                                          platform: Any) -> None:
    for _ in range(3):
        expect_get_me(platform, BOT_TOKEN, BOT)
    first, _ = connect_telegram(personas, name="Kundeservice")
    second, _ = connect_telegram(personas, name="Kundeservice!")
    third, _ = connect_telegram(personas, name="✨")
    assert (first.slug, second.slug, third.slug) == ("kundeservice", "kundeservice-2", "telegram")
    for channel in (first, second, third):
        assert Channel.objects.get(pk=channel.pk).get_credentials()["bot_token"] == BOT_TOKEN


def test_it_saves_a_channel_whose_connector_cannot_check_and_says_so(personas: Personas, platform: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A connector without a credential check (the base class's answer) cannot be refused on it."""
    from webcare.channels.base import Connector

    monkeypatch.setattr(TelegramConnector, "check", Connector.check)
    channel, report = connect_telegram(personas)
    assert report.status == HealthStatus.UNKNOWN
    assert Channel.objects.get(pk=channel.pk).health_status == "unknown"


TRUSTPILOT = {"api_key": "tp-key", "api_secret": "", "access_token": "tp-business-user-token",
              "business_unit_id": "46d6a890000064000500e0c3", "business_user_id": "507f191e810c19729de860ea"}


def test_it_keeps_the_polling_interval_the_admin_chose(personas: Personas, platform: Any) -> None:
    platform.expect_ordered_request(
        "/v1/private/business-units/46d6a890000064000500e0c3/reviews", method="GET", query_string="perPage=1",
        headers={"apikey": "tp-key", "Authorization": "Bearer tp-business-user-token"},
    ).respond_with_json({"reviews": []})
    channel, _ = actions.connect_channel(personas.org, personas.admin, "reviews", "Trustpilot", TRUSTPILOT,
                                         poll_interval="300")
    platform.check_assertions()
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.settings == {"business_unit_id": "46d6a890000064000500e0c3",
                                "business_user_id": "507f191e810c19729de860ea", "poll_interval_seconds": 300}
    assert channel.get_credentials() == {"api_key": "tp-key", "access_token": "tp-business-user-token"}
    assert channel.poll_next_at <= timezone.now()  # polled at once, not a period later
    row = row_of(client_for(personas.supervisor).get("/staff/channels/").content.decode(), channel)
    assert "Asks the platform every 5 minutes" in row and "/hooks/" not in row

    actions.change_channel(channel, personas.admin, poll_interval="90")
    assert Channel.objects.get(pk=channel.pk).settings["poll_interval_seconds"] == 90
    assert len(platform.log) == 1  # a new interval is no new credential: not tried again


@pytest.mark.parametrize("interval", ["", "10", "86401", "5 min", "-60"])
def test_it_refuses_a_polling_interval_out_of_bounds(personas: Personas, platform: Any, interval: str) -> None:
    error = refused("poll_interval", actions.connect_channel, personas.org, personas.admin, "reviews",
                    "Trustpilot", TRUSTPILOT, poll_interval=interval)
    assert error.message == "a whole number of seconds from 30 to 86400"
    assert platform.log == []


# Changing, checking, deactivating


def test_it_renames_without_asking_the_platform_and_keeps_the_secrets(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    report = actions.change_channel(channel, personas.admin, name="Fjordnett bot",
                                    values={"bot_token": "", "secret_token": ""})
    assert report is None
    assert platform.log == []
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.name == "Fjordnett bot" and channel.slug == "support-bot"
    assert channel.get_credentials() == telegram_values()
    assert channel.settings["api_base_url"] == platform.url_for("").rstrip("/")  # settings no field names: kept


def test_it_tries_a_new_token_and_keeps_the_old_one_when_the_platform_refuses(personas: Personas,
                                                                             platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    expect_get_me(platform, WRONG_TOKEN, UNAUTHORIZED, status=401)
    error = refused("connection", actions.change_channel, channel, personas.admin, name="Renamed",
                    values={"bot_token": WRONG_TOKEN, "secret_token": ""})
    assert error.message == "Telegram bot check: HTTP 401: Unauthorized"
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.name == "Support bot"
    assert channel.get_credentials() == telegram_values()
    assert (channel.health_status, channel.health_detail) == ("ok", "@fjordnett_bot (Fjordnett)")

    expect_get_me(platform, "123456789:AAE-new-token", BOT)
    report = actions.change_channel(channel, personas.admin, name="Renamed",
                                    values={"bot_token": "123456789:AAE-new-token", "secret_token": ""})
    platform.check_assertions()
    assert report is not None and report.status == HealthStatus.OK
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.get_credentials() == {"bot_token": "123456789:AAE-new-token", "secret_token": SECRET_TOKEN}
    assert channel.name == "Renamed"


def test_it_checks_the_connection_and_keeps_the_answer_as_the_health(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    expect_get_me(platform, BOT_TOKEN, UNAUTHORIZED, status=401)
    report = actions.check_channel(channel, personas.admin)
    assert report.status == HealthStatus.TOKEN_EXPIRED
    channel.refresh_from_db()
    assert (channel.health_status, channel.health_detail) == ("token_expired",
                                                             "Telegram bot check: HTTP 401: Unauthorized")


def test_a_deactivated_channel_takes_no_deliveries_until_activated(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    update = {"update_id": 1, "message": {"message_id": 7, "date": 1764150000, "text": "Hei",
                                          "chat": {"id": 42, "type": "private"},
                                          "from": {"id": 42, "is_bot": False, "first_name": "Kari"}}}
    hook = f"/hooks/{channel.webhook_key}/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN}
    actions.set_active(channel, personas.admin, False)
    assert not Channel.objects.get(pk=channel.pk).is_active
    assert Client().post(hook, update, content_type="application/json", headers=headers).status_code == 404
    actions.set_active(channel, personas.admin, True)
    response = Client().post(hook, update, content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json() == {"stored": 1, "duplicates": 0}


# The pages


@pytest.mark.parametrize("who", ["agent", "analyst"])
def test_it_answers_agents_and_analysts_with_403(personas: Personas, platform: Any, who: str) -> None:
    channel = telegram_channel(personas, platform)
    client = client_for(getattr(personas, who))
    for path in ("/staff/channels/", "/staff/channels/new/", "/staff/channels/new/telegram/",
                 f"/staff/channels/{channel.pk}/"):
        assert client.get(path).status_code == 403, path
    for path in ("/staff/channels/new/telegram/", f"/staff/channels/{channel.pk}/",
                 f"/staff/channels/{channel.pk}/check/", f"/staff/channels/{channel.pk}/active/"):
        assert client.post(path, {"name": "Hacked", "active": "0"}).status_code == 403, path
    assert platform.log == []
    assert Channel.objects.get(pk=channel.pk).name == "Support bot"


def test_it_shows_a_supervisor_the_channels_and_their_health_but_no_way_to_change_them(personas: Personas,
                                                                                     platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    client = client_for(personas.supervisor)
    page = client.get("/staff/channels/").content.decode()
    row = row_of(page, channel)
    assert "Support bot" in row and "Telegram bot" in row and ">OK<" in row and "@fjordnett_bot" in row
    assert "only admins connect and change channels" in page
    assert "Connect a channel" not in page and f"/staff/channels/{channel.pk}/" not in page
    assert "Check connection" not in page
    for path in ("/staff/channels/new/", "/staff/channels/new/telegram/", f"/staff/channels/{channel.pk}/"):
        assert client.get(path).status_code == 403, path
    for path in (f"/staff/channels/{channel.pk}/", f"/staff/channels/{channel.pk}/check/",
                 f"/staff/channels/{channel.pk}/active/", "/staff/channels/new/telegram/"):
        assert client.post(path, {"name": "Hacked", "active": "0"}).status_code == 403, path
    assert platform.log == []
    channel.refresh_from_db()
    assert (channel.name, channel.is_active) == ("Support bot", True)


def test_it_answers_another_organisations_channel_with_404(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    olga = client_for(personas.outsider)
    assert olga.get(f"/staff/channels/{channel.pk}/").status_code == 404
    assert olga.post(f"/staff/channels/{channel.pk}/", {"name": "Hacked"}).status_code == 404
    assert olga.post(f"/staff/channels/{channel.pk}/check/").status_code == 404
    assert olga.post(f"/staff/channels/{channel.pk}/active/", {"active": "0"}).status_code == 404
    assert "Support bot" not in olga.get("/staff/channels/").content.decode()
    assert platform.log == []


def test_it_lists_kind_health_webhook_url_and_demo_channels(personas: Personas, platform: Any) -> None:
    bot = telegram_channel(personas, platform)
    broken = telegram_channel(personas, platform, name="Old bot", health_status="token_expired",
                              health_detail="Telegram bot check: HTTP 401: Unauthorized")
    demo = Channel.objects.create(organisation=personas.org, kind="whatsapp", slug="demo-wa", name="Demo WhatsApp",
                                  settings={"simulate": True})
    page = client_for(personas.admin).get("/staff/channels/").content.decode()

    row = row_of(page, bot)
    assert ">Telegram bot<" in row and 'class="health health-ok">OK<' in row
    assert "@fjordnett_bot (Fjordnett)" in row and "checked" in row and "<time datetime=" in row
    assert f"http://testserver/hooks/{bot.webhook_key}/" in row
    assert 'data-copy="hook-' in row and "Check connection" in row

    row = row_of(page, broken)
    assert 'class="health health-token_expired">Token expired<' in row
    assert "Telegram bot check: HTTP 401: Unauthorized" in row

    row = row_of(page, demo)
    assert ">Demo<" in row and "connected to no platform" in row
    assert demo.webhook_key not in row

    row = row_of(page, personas.channel)
    assert "Nothing to connect" in row and "Check connection" not in row


def test_it_generates_the_connect_form_from_the_connectors_fields(personas: Personas) -> None:
    client = client_for(personas.admin)
    kinds = client.get("/staff/channels/new/").content.decode()
    assert 'href="/staff/channels/new/telegram/"' in kinds and 'href="/staff/channels/new/whatsapp/"' in kinds
    page = client.get("/staff/channels/new/whatsapp/").content.decode()
    assert 'name="field_phone_number_id" value=""' in page
    for name in ("access_token", "app_secret", "verify_token"):
        assert f'name="field_{name}" type="password" value=""' in page
    for field in WhatsAppConnector.credential_fields:
        assert f">{field.label}" in page
    assert "A system user&#x27;s permanent token with whatsapp_business_messaging." in page
    assert client.get("/staff/channels/new/myspace/").status_code == 404


def test_it_shows_the_platforms_error_and_saves_nothing_and_sends_no_secret_back(personas: Personas,
                                                                                platform: Any) -> None:
    expect_get_me(platform, WRONG_TOKEN, UNAUTHORIZED, status=401)
    response = client_for(personas.admin).post("/staff/channels/new/telegram/", {
        "name": "Fjordnett on Telegram", "field_bot_token": WRONG_TOKEN, "field_secret_token": SECRET_TOKEN})
    assert response.status_code == 422
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Nothing was saved: the platform did not accept these details." in page
    assert "Telegram bot check: HTTP 401: Unauthorized" in page
    assert 'class="health health-token_expired">Token expired<' in page
    assert 'value="Fjordnett on Telegram"' in page
    assert WRONG_TOKEN not in page and SECRET_TOKEN not in page
    assert not Channel.objects.filter(kind="telegram").exists()


def test_it_marks_the_field_at_fault(personas: Personas, platform: Any) -> None:
    response = client_for(personas.admin).post("/staff/channels/new/telegram/", {
        "name": "Fjordnett on Telegram", "field_bot_token": "", "field_secret_token": SECRET_TOKEN})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-field_bot_token"' in page and "Bot token is needed" in page
    assert 'aria-describedby="hint-field_bot_token error-field_bot_token" aria-invalid="true"' in page
    assert platform.log == []


def test_it_connects_from_the_form_registers_the_webhook_and_lists_the_channel_healthy(
        personas: Personas, platform: Any) -> None:
    expect_get_me(platform, BOT_TOKEN, BOT)
    platform.expect_ordered_request(f"/bot{BOT_TOKEN}/setWebhook", method="POST").respond_with_json(
        {"ok": True, "result": True, "description": "Webhook was set"})
    client = client_for(personas.admin)
    response = client.post("/staff/channels/new/telegram/", {
        "name": "Fjordnett on Telegram", "field_bot_token": BOT_TOKEN, "field_secret_token": SECRET_TOKEN})
    assert response.status_code == 302 and response["Location"] == "/staff/channels/"
    platform.check_assertions()
    channel = Channel.objects.get(kind="telegram")
    hook = f"http://testserver/hooks/{channel.webhook_key}/"
    assert json.loads(platform.log[-1][0].data) == {
        "url": hook, "secret_token": SECRET_TOKEN,
        "allowed_updates": ["message", "edited_message", "channel_post", "edited_channel_post"]}
    page = client.get("/staff/channels/").content.decode()
    assert "Connected “Fjordnett on Telegram” (Telegram bot). The platform answered: @fjordnett_bot" in page
    assert f"Webhook registered: Telegram delivers this bot&#x27;s updates to {hook}" in page
    row = row_of(page, channel)
    assert ">OK<" in row and f"/hooks/{channel.webhook_key}/" in row


def test_a_webhook_url_the_platform_refuses_is_said_and_can_be_registered_again(personas: Personas,
                                                                                platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    refusal = {"ok": False, "error_code": 400,
               "description": "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"}
    platform.expect_ordered_request(f"/bot{BOT_TOKEN}/setWebhook", method="POST").respond_with_json(refusal,
                                                                                                   status=400)
    client = client_for(personas.admin)
    response = client.post(f"/staff/channels/{channel.pk}/register-webhook/", {"back": "channel"})
    assert response.status_code == 302 and response["Location"] == f"/staff/channels/{channel.pk}/"
    page = client.get(f"/staff/channels/{channel.pk}/").content.decode()
    assert "The platform did not take the webhook URL: Telegram setWebhook: HTTP 400: Bad Request: bad webhook: " \
           "An HTTPS URL must be provided for webhook" in page
    assert "Register the webhook URL with the platform" in page
    agent = client_for(personas.agent).post(f"/staff/channels/{channel.pk}/register-webhook/")
    assert agent.status_code == 403
    assert len(platform.log) == 1


def test_the_edit_page_never_shows_a_stored_secret(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    page = client_for(personas.admin).get(f"/staff/channels/{channel.pk}/").content.decode()
    assert BOT_TOKEN not in page and SECRET_TOKEN not in page
    assert page.count("Stored and hidden. Leave empty to keep it.") == 2
    assert 'value="Support bot"' in page
    assert f"/hooks/{channel.webhook_key}/" in page and "Deactivate channel" in page


def test_it_saves_an_edit_with_empty_secrets_without_asking_the_platform(personas: Personas,
                                                                        platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    response = client_for(personas.admin).post(f"/staff/channels/{channel.pk}/", {
        "name": "Fjordnett bot", "field_bot_token": "", "field_secret_token": ""})
    assert response.status_code == 302
    assert platform.log == []
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.name == "Fjordnett bot" and channel.get_credentials() == telegram_values()


def test_the_check_button_shows_the_answer_and_stores_it(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    expect_get_me(platform, BOT_TOKEN, UNAUTHORIZED, status=401)
    client = client_for(personas.admin)
    response = client.post(f"/staff/channels/{channel.pk}/check/", {"back": "channel"})
    assert response.status_code == 302 and response["Location"] == f"/staff/channels/{channel.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'class="notice error">“Support bot”: Token expired. Telegram bot check: HTTP 401: Unauthorized<' in page
    assert Channel.objects.get(pk=channel.pk).health_status == "token_expired"
    assert client.get(f"/staff/channels/{channel.pk}/check/").status_code == 405


def test_it_deactivates_and_activates_from_the_page_checking_again(personas: Personas, platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    client = client_for(personas.admin)
    client.post(f"/staff/channels/{channel.pk}/active/", {"active": "0"})
    assert not Channel.objects.get(pk=channel.pk).is_active
    assert "Deactivated “Support bot”" in client.get("/staff/channels/").content.decode()
    expect_get_me(platform, BOT_TOKEN, BOT)
    client.post(f"/staff/channels/{channel.pk}/active/", {"active": "1"})
    platform.check_assertions()
    assert Channel.objects.get(pk=channel.pk).is_active
    assert "Activated “Support bot”. Connection: OK." in client.get("/staff/channels/").content.decode()


def test_every_staff_page_shows_a_red_line_while_an_active_channel_is_not_ok(personas: Personas,
                                                                           platform: Any) -> None:
    channel = telegram_channel(personas, platform)
    client = client_for(personas.supervisor)
    assert "channel-alert" not in client.get("/staff/").content.decode()
    Channel.objects.filter(pk=channel.pk).update(health_status="token_expired",
                                                 health_detail="Telegram bot check: HTTP 401: Unauthorized")
    for path in ("/staff/", "/staff/teams/", "/staff/channels/"):
        page = client.get(path).content.decode()
        line = page[page.index('class="channel-alert"'):]
        line = line[: line.index("</p>")]
        assert "Token expired" in line and "Support bot" in line and "HTTP 401: Unauthorized" in line, path
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert "channel-alert" not in client.get("/staff/").content.decode()


def test_it_speaks_the_admins_language(personas: Personas, platform: Any) -> None:
    telegram_channel(personas, platform)
    client = client_for(personas.admin)
    client.post("/inbox/language/", {"language": "nb"})
    page = client.get("/staff/channels/").content.decode()
    assert "Koble til en kanal" in page and ">Kanaler<" in page


def test_a_demo_web_chat_can_be_tried_from_the_list(personas: Personas) -> None:
    """The web chat has no platform in between, so even the demo's (simulated) chat works: the list offers its
    embed code and the preview page."""
    chat = Channel.objects.create(organisation=personas.org, kind="webchat", slug="demo-chat", name="Demo chat",
                                  settings={"simulate": True})
    page = client_for(personas.admin).get("/staff/channels/").content.decode()
    row = row_of(page, chat)
    assert f"/chat/{chat.webhook_key}/widget.js" in row
    assert f'href="/chat/{chat.webhook_key}/preview"' in row and "Try the chat" in row
