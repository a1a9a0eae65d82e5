"""What was already there, proven to hold: webhook signatures, hashed API tokens, CSRF on every form (and on htmx
requests, which send the page's token in a header)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from django.db import connection
from django.test import Client

from tests.conftest import ApiClient, Personas, ingest_ticket, mark_second_step_passed
from webcare.conversations.models import Message
from webcare.core.models import ApiToken, Channel
from webcare.ingest.models import InboundEvent
from webcare.tickets.models import Note

APP_SECRET = "app-secret-for-basics"
PAGE = "117172741761305"


def test_a_webhook_with_a_wrong_signature_gets_401_and_stores_nothing(personas: Personas) -> None:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb", name="Page",
                                     settings={"page_id": PAGE, "lookup_profiles": False})
    channel.set_credentials({"page_access_token": "page-token", "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [{
        "sender": {"id": "555"}, "recipient": {"id": PAGE}, "timestamp": 1700000000000,
        "message": {"mid": "m_forged", "text": "Hei, send meg passordet"}}]}]}).encode()
    url = f"/hooks/{channel.webhook_key}/"
    forged = "sha256=" + hmac.new(b"not-the-app-secret", body, hashlib.sha256).hexdigest()

    for headers in ({"X-Hub-Signature-256": forged}, {}):
        response = Client().post(url, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert "signature check failed" in response.json()["error"]
    assert not InboundEvent.objects.exists() and not Message.objects.exists()

    good = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    accepted = Client().post(url, data=body, content_type="application/json", headers={"X-Hub-Signature-256": good})
    assert accepted.status_code == 200 and InboundEvent.objects.count() == 1  # the same body, rightly signed


def test_the_token_table_holds_no_usable_token(personas: Personas) -> None:
    row, plain = ApiToken.issue(personas.org, "integration")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        stored = [str(value) for found in cursor.fetchall() for value in found]
    assert not any(plain in value or plain[11:] in value for value in stored)  # nor the secret part alone
    assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    for guess in (row.token_hash, row.prefix, f"wc_{row.token_hash}"):  # what a stolen database holds
        assert ApiClient(guess).get("/api/v1/tickets").status_code == 401
    assert ApiClient(plain).get("/api/v1/tickets").status_code == 200


def signed_in_with_csrf_checks(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    mark_second_step_passed(client)
    return client


def test_a_post_without_the_csrf_token_is_refused(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    client = signed_in_with_csrf_checks(personas.agent)
    url = f"/inbox/tickets/{ticket.pk}/note/"
    refused = client.post(url, {"text": "Ring kunden i morgen"})
    assert refused.status_code == 403
    assert not Note.objects.exists()
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "kari", "password": "x"}).status_code == 403

    # The page gives htmx the token in hx-headers; with it (as htmx sends it) the same POST goes through.
    page = client.get("/inbox/").content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert token is not None
    accepted = client.post(url, {"text": "Ring kunden i morgen"}, headers={"X-CSRFToken": token.group(1),
                                                                             "HX-Request": "true"})
    assert accepted.status_code == 200
    assert Note.objects.get().text == "Ring kunden i morgen"


def test_every_form_on_the_main_pages_carries_a_csrf_token(personas: Personas) -> None:
    ticket = ingest_ticket(personas, 1)
    admin = signed_in_with_csrf_checks(personas.admin)
    for path in ("/inbox/", f"/inbox/tickets/{ticket.pk}/", "/staff/", "/staff/agents/new/", "/account/two-factor/",
                 "/account/locks/"):
        html = admin.get(path).content.decode()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
            if re.search(r'method="post"', form, re.I):
                assert 'name="csrfmiddlewaretoken"' in form, (path, form[:200])
