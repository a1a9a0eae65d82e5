"""The privacy pages at /privacy/: who may find, export and erase; the confirmation step; the report; and one real
browser going find → export → erase."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser import screenshot, sign_in
from tests.conftest import ApiClient, Personas, client_for
from tests.gdpr_support import EMAIL, NAME, build_kari
from webcare.audit import actions as audit_actions
from webcare.audit.models import AuditEntry
from webcare.customers.models import Customer
from webcare.gdpr.models import SubjectRequest

FORM = {"identifier": EMAIL}


@pytest.fixture
def kari(personas: Personas, api: ApiClient, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_kari(personas, api, Path(settings.MEDIA_ROOT))


def as_role(personas: Personas, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(getattr(personas, role))


@pytest.mark.parametrize(("role", "home", "search", "export", "erase"), [
    ("anonymous", 302, 302, 302, 302),
    ("agent", 403, 403, 403, 403),
    ("analyst", 403, 403, 403, 403),
    ("supervisor", 200, 200, 200, 403),
    ("admin", 200, 200, 200, 200),
])
def test_each_role_gets_what_it_may(personas: Personas, kari: Any, role: str, home: int, search: int, export: int,
                                    erase: int) -> None:
    client = as_role(personas, role)
    assert client.get("/privacy/").status_code == home
    assert client.post("/privacy/", FORM).status_code == search
    chosen = FORM | {"customer": kari.customer.pk}
    response = client.post("/privacy/export/", chosen)
    assert response.status_code == export
    if export == 200:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert client.post("/privacy/erase/", chosen).status_code == erase  # the confirmation page: nothing erased
    assert Customer.objects.filter(pk=kari.customer.pk).exists()
    if role == "anonymous":
        assert client.get("/privacy/").headers["Location"].startswith("/login/")


def test_another_organisations_admin_finds_nobody_and_sees_no_report(personas: Personas, kari: Any) -> None:
    admin = client_for(personas.admin)
    admin.post("/privacy/erase/", FORM | {"customer": kari.customer.pk, "confirm": "yes",
                                          "expected": ",".join(map(str, [kari.customer.pk, *kari.merged_away]))})
    request = SubjectRequest.objects.get(kind="erase")
    outsider = client_for(personas.outsider)
    assert outsider.get(f"/privacy/requests/{request.pk}/").status_code == 404
    assert admin.get(f"/privacy/requests/{request.pk}/").status_code == 200
    found = outsider.post("/privacy/", {"identifier": "Ola Hansen"})
    assert found.status_code == 200 and b'id="no-match"' in found.content
    refused = outsider.post("/privacy/export/", {"identifier": "Ola Hansen", "customer": kari.other_ticket})
    assert refused.status_code == 422 and b"PK" not in refused.content[:2]


def test_the_search_shows_matches_and_keeps_the_identifier_out_of_urls(personas: Personas, kari: Any) -> None:
    client = client_for(personas.supervisor)
    response = client.post("/privacy/", FORM)
    page = response.content.decode()
    assert NAME in page and f'data-customer="{kari.customer.pk}"' in page
    assert "e-mail given in a web chat (webchat)" in page
    assert "Erase" not in page.split('id="matches-heading"')[1].split("Past requests")[0]  # a supervisor cannot
    assert "no-cache" in response.headers["Cache-Control"] or "no-store" in response.headers["Cache-Control"]
    assert client.get("/privacy/", {"identifier": EMAIL}).content.count(EMAIL.encode()) == 0  # GET never searches
    bad = client.post("/privacy/", {"identifier": "  "})
    assert bad.status_code == 422 and b"Type an identifier" in bad.content


def test_the_export_downloads_a_zip_and_is_recorded(personas: Personas, kari: Any) -> None:
    response = client_for(personas.supervisor).post("/privacy/export/", FORM | {"customer": kari.customer.pk})
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="personal-data-{kari.customer.pk}-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert "subject.json" in archive.namelist()
    entry = AuditEntry.objects.get(action=audit_actions.EXPORT)
    assert entry.actor_id == personas.supervisor.pk and EMAIL not in str(entry.detail)
    assert SubjectRequest.objects.get().actor_id == personas.supervisor.pk


def test_an_export_needs_a_customer_of_the_identifier(personas: Personas, kari: Any) -> None:
    client = client_for(personas.admin)
    assert client.get("/privacy/export/").status_code == 405
    missing = client.post("/privacy/export/", FORM)
    assert missing.status_code == 422 and b"Choose the customer" in missing.content
    wrong = client.post("/privacy/export/", FORM | {"customer": 999_999})
    assert wrong.status_code == 422 and b"does not match this identifier" in wrong.content
    assert not AuditEntry.objects.filter(action=audit_actions.EXPORT).exists()


def test_the_erasure_is_confirmed_with_the_counts_then_reported(personas: Personas, kari: Any) -> None:
    client = client_for(personas.admin)
    chosen = FORM | {"customer": kari.customer.pk}
    page = client.post("/privacy/erase/", chosen).content.decode()
    assert "Erase 3 customer records," in page and 'data-kind="attachment_files"' in page
    expected = ",".join(map(str, [kari.customer.pk, *kari.merged_away]))
    assert f'name="expected" value="{expected}"' in page
    # Confirming for other rows than were shown asks again.
    again = client.post("/privacy/erase/", chosen | {"confirm": "yes", "expected": str(kari.customer.pk)})
    assert again.status_code == 200 and b"changed since you looked" in again.content
    assert Customer.objects.filter(pk=kari.customer.pk).exists()
    done = client.post("/privacy/erase/", chosen | {"confirm": "yes", "expected": expected})
    request = SubjectRequest.objects.get(kind="erase")
    assert done.status_code == 302 and done.headers["Location"] == f"/privacy/requests/{request.pk}/"
    report = client.get(done.headers["Location"]).content.decode()
    assert "Erasure report" in report and "encryption keys destroyed" in report
    assert EMAIL not in report and NAME not in report
    assert not Customer.objects.filter(pk=kari.customer.pk).exists()
    listed = client.get("/privacy/").content.decode()
    assert f'data-request="{request.pk}"' in listed and request.identifier_hash[:14] in listed


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_admin_finds_exports_and_erases_in_the_browser(browser: Any, live_server: Any, personas: Personas,
                                                          api: ApiClient, settings: Any, tmp_path: Path) -> None:
    from webcare.keys import keyring

    keyring.forget_all()  # keys cached by earlier tests may have gone with their rolled-back rows
    settings.MEDIA_ROOT = tmp_path / "media"
    kari = build_kari(personas, api, Path(settings.MEDIA_ROOT))
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{live_server.url}/privacy/")
    page.get_by_label("Identifier").fill(EMAIL)
    page.get_by_role("button", name="Find").click()
    match = page.locator(f'article[data-customer="{kari.customer.pk}"]')
    match.wait_for()
    assert NAME in match.inner_text() and EMAIL not in page.url
    screenshot(page, "privacy-find")

    with page.expect_download() as download:
        match.get_by_role("button", name="Download export (ZIP)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert {"subject.json", "tickets.json", "README.txt"} <= set(archive.namelist())

    match.get_by_role("button", name="Erase…").click()
    confirm = page.locator("#confirm-erase")
    confirm.wait_for()
    assert confirm.inner_text().startswith("Erase 3 customer records,")
    screenshot(page, "privacy-erase-confirm")
    confirm.click()
    page.wait_for_url(f"{live_server.url}/privacy/requests/*/")
    assert "Erasure report" in page.inner_text("main")
    assert not Customer.objects.filter(pk=kari.customer.pk).exists()


def test_the_pages_speak_the_admins_language(personas: Personas, kari: Any) -> None:
    from webcare.core.models import Agent

    Agent.objects.filter(user=personas.admin).update(ui_language="nb")
    client = client_for(personas.admin)
    page = client.post("/privacy/", FORM).content.decode()
    assert "Innsynsforespørsler og sletting" in page and "Tidligere forespørsler" in page
    assert "Last ned eksport (ZIP)" in page and "1 person passer" in page
    confirm = client.post("/privacy/erase/", FORM | {"customer": kari.customer.pk}).content.decode()
    assert "Slett 3 kundeposter," in confirm and "krypteringsnøkler destruert" not in confirm
