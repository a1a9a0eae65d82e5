"""Channel credentials are encrypted at rest, write-only in the admin, and bad input there is refused whole."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import Personas, client_for
from webcare import crypto
from webcare.core.models import Channel


def raw_credentials(channel: Channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM core_channel WHERE id = %s", [channel.pk])
        return str(cursor.fetchone()[0])


def test_it_stores_credentials_encrypted_and_reads_them_back(personas: Personas) -> None:
    channel = personas.channel
    channel.set_credentials({"access_token": "EAAB-secret-page-token", "app_secret": "s3cr3t"})
    channel.save()
    stored = raw_credentials(channel)
    assert "EAAB-secret-page-token" not in stored
    assert "s3cr3t" not in stored
    assert Channel.objects.get(pk=channel.pk).get_credentials() == {
        "access_token": "EAAB-secret-page-token", "app_secret": "s3cr3t"}


def test_it_refuses_credentials_moved_to_another_channel(personas: Personas) -> None:
    """The channel's identity is authenticated with the ciphertext: a copied value does not decrypt elsewhere."""
    personas.channel.set_credentials({"access_token": "abc"})
    personas.channel.save()
    other = Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="X",
                                   credentials_encrypted=personas.channel.credentials_encrypted)
    with pytest.raises(crypto.DecryptionError):
        other.get_credentials()


def test_it_detects_tampering(personas: Personas) -> None:
    personas.channel.set_credentials({"access_token": "abc"})
    token = personas.channel.credentials_encrypted
    personas.channel.credentials_encrypted = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        personas.channel.get_credentials()


@pytest.fixture
def admin_client(personas: Personas) -> Client:
    personas.admin.is_staff = True
    personas.admin.is_superuser = True
    personas.admin.save()
    return client_for(personas.admin)


def channel_form(personas: Personas, credentials: str) -> dict[str, str]:
    return {"organisation": str(personas.org.pk), "kind": "telegram", "slug": "telegram", "name": "Telegram bot",
            "settings": "{}", "is_active": "on", "new_credentials": credentials}


def test_it_saves_admin_credentials_encrypted_and_never_shows_them(admin_client: Client, personas: Personas) -> None:
    response = admin_client.post("/admin/core/channel/add/", channel_form(personas, '{"bot_token": "123:ABC-xyz"}'))
    assert response.status_code == 302
    channel = Channel.objects.get(slug="telegram")
    assert channel.get_credentials() == {"bot_token": "123:ABC-xyz"}
    page = admin_client.get(f"/admin/core/channel/{channel.pk}/change/").content.decode()
    assert "123:ABC-xyz" not in page
    assert channel.credentials_encrypted not in page


@pytest.mark.parametrize(("credentials", "message"), [
    ('{"bot_token": ', "Not valid JSON"),
    ('["a", "list"]', "Credentials must be a JSON object."),
])
def test_it_refuses_bad_credentials_in_the_admin_and_stores_nothing(
    admin_client: Client, personas: Personas, credentials: str, message: str
) -> None:
    response = admin_client.post("/admin/core/channel/add/", channel_form(personas, credentials))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Channel.objects.filter(slug="telegram").exists()
