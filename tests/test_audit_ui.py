"""The audit log page at ``/staff/audit/``: who may read it, what each sees, filters, paging, "Verify chain", and one
real browser (Playwright driving Debian's Chromium; screenshot "audit-log" in ``test-artifacts/``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, client_for
from tests.test_accessibility import violations
from webcare.audit import actions, guard
from webcare.audit.log import record
from webcare.audit.models import AuditEntry

LOG = "/staff/audit/"
VERIFY = "/staff/audit/verify/"


def shown_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr data-entry="(\d+)"', html)]


def page(user: Any, query: str = "") -> Any:
    return client_for(user).get(LOG + query)


@pytest.fixture
def entries(personas: Personas) -> dict[str, AuditEntry]:
    """One entry of each kind of visibility (made after the personas, whose sign-ins are not recorded here)."""
    return {
        "mine": record(actions.ROLE_CHANGED, organisation=personas.org, actor=personas.admin, target="agent:3",
                       detail={"from": "agent", "to": "supervisor"}),
        "reveal": record(actions.REVEAL, organisation=personas.org, actor=personas.agent, target="ticket:42",
                         detail={"purpose": "refund"}),
        "theirs": record(actions.REVEAL, organisation=personas.other_org, actor=personas.outsider,
                         target="ticket:77"),
        "system": record(actions.SIGN_IN_FAILED, actor_label="unknown", detail={"account": "unknown"}),
    }


# Who may read it


def test_it_lets_only_admins_and_supervisors_of_the_organisation_in(personas: Personas) -> None:
    anonymous = Client().get(LOG)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert Client().post(VERIFY)["Location"].startswith("/login/")
    for user in (personas.agent, personas.analyst):
        assert page(user).status_code == 403
        assert client_for(user).post(VERIFY).status_code == 403
    for user in (personas.admin, personas.supervisor, personas.outsider):
        response = page(user)
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert client_for(personas.supervisor).post(VERIFY).status_code == 200  # verifying only reads
    assert client_for(personas.admin).put(LOG).status_code == 405


def test_it_shows_each_reader_only_what_they_may_see(personas: Personas, entries: dict[str, AuditEntry]) -> None:
    admin = shown_ids(page(personas.admin, "?action=").content.decode())
    supervisor = shown_ids(page(personas.supervisor).content.decode())
    outsider = shown_ids(page(personas.outsider).content.decode())
    assert entries["mine"].pk in admin and entries["reveal"].pk in admin and entries["system"].pk in admin
    assert entries["theirs"].pk not in admin
    assert entries["mine"].pk in supervisor and entries["system"].pk not in supervisor
    assert entries["theirs"].pk not in supervisor
    assert entries["theirs"].pk in outsider and entries["system"].pk in outsider
    assert entries["mine"].pk not in outsider and entries["reveal"].pk not in outsider
    assert admin == sorted(admin, reverse=True)  # newest first
    html = page(personas.admin).content.decode()
    assert "Personal data revealed" in html and "refund" in html and "ticket:42" in html
    assert "ticket:77" not in html


def test_the_staff_navigation_links_to_it(personas: Personas) -> None:
    html = client_for(personas.admin).get("/staff/").content.decode()
    assert f'href="{LOG}"' in html and "Audit log" in html


# Filters and paging


def test_it_filters_by_action_actor_target_and_dates(personas: Personas, entries: dict[str, AuditEntry]) -> None:
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        old = record(actions.SIGN_IN, organisation=personas.org, actor=personas.agent, target="user:9")
    admin = personas.admin
    assert shown_ids(page(admin, f"?action={actions.REVEAL}").content.decode()) == [entries["reveal"].pk]
    # Newest first means in the order they were recorded (the chain's), whatever the clock said.
    assert shown_ids(page(admin, "?actor=KARI").content.decode()) == [old.pk, entries["reveal"].pk]
    assert shown_ids(page(admin, "?target=agent:3").content.decode()) == [entries["mine"].pk]
    assert set(shown_ids(page(admin, "?target=ticket:").content.decode())) == {entries["reveal"].pk}
    assert shown_ids(page(admin, "?since=2026-03-10&until=2026-03-10").content.decode()) == [old.pk]
    assert old.pk not in shown_ids(page(admin, "?since=2026-03-11").content.decode())
    assert "No entries match." in page(admin, "?actor=nobody").content.decode()


def test_it_names_a_bad_date_and_shows_nothing(personas: Personas, entries: dict[str, AuditEntry]) -> None:
    response = page(personas.admin, "?since=10.03.2026&until=")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-since"' in html and "enter a date as YYYY-MM-DD" in html and shown_ids(html) == []
    backwards = page(personas.admin, "?since=2026-03-11&until=2026-03-10").content.decode()
    assert "the end comes before the start" in backwards
    assert page(personas.admin, "?before=abc").status_code == 400


def test_it_pages_with_a_cursor_newest_first(personas: Personas) -> None:
    made = [record(actions.SIGN_IN, organisation=personas.org, actor=personas.agent).pk for _ in range(55)]
    first = page(personas.admin, "?action=auth.sign_in&actor=kari").content.decode()
    assert shown_ids(first) == made[::-1][:50]
    older = re.search(r'href="\?([^"]+)" rel="next"', first)
    assert older is not None
    link = older.group(1).replace("&amp;", "&")
    assert "action=auth.sign_in" in link  # the filter is kept
    second = page(personas.admin, "?" + link).content.decode()
    assert shown_ids(second) == made[::-1][50:]
    assert 'rel="next"' not in second


def test_it_is_translated(personas: Personas) -> None:
    client = client_for(personas.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    html = client.get(LOG).content.decode()
    assert "Revisjonslogg" in html and "Kontroller kjeden" in html


# Verify chain


def test_the_verify_button_says_intact_with_the_last_hash(personas: Personas,
                                                          entries: dict[str, AuditEntry]) -> None:
    html = client_for(personas.supervisor).post(VERIFY).content.decode()
    count = AuditEntry.objects.count()
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    assert f"Intact: {count} entries." in html and last.hash in html
    anchored = client_for(personas.admin).post(VERIFY, {"anchor": entries["mine"].hash}).content.decode()
    assert "Intact:" in anchored
    missing = client_for(personas.admin).post(VERIFY, {"anchor": "ab" * 32}).content.decode()
    assert "The hash you gave is not in the chain." in missing
    bad = client_for(personas.admin).post(VERIFY, {"anchor": "not a hash"})
    assert bad.status_code == 400 and "a hash is 64 characters" in bad.content.decode()


def tamper(entry: AuditEntry) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute(guard.GUARD["sqlite"][1][1])  # the UPDATE trigger
        cursor.execute("UPDATE audit_auditentry SET target = 'ticket:1' WHERE id = %s", [entry.pk])
        if connection.vendor == "sqlite":
            cursor.execute(guard.GUARD["sqlite"][0][0])


def test_the_verify_button_names_the_first_broken_entry_as_far_as_the_reader_may_see_it(
        personas: Personas, entries: dict[str, AuditEntry]) -> None:
    tamper(entries["theirs"])
    outsider = client_for(personas.outsider).post(VERIFY).content.decode()
    assert f"Broken at entry {entries['theirs'].pk}." in outsider
    assert "Personal data revealed · ticket:1" in outsider and "was changed after it was written" in outsider
    supervisor = client_for(personas.supervisor).post(VERIFY).content.decode()
    assert f"Broken at entry {entries['theirs'].pk}." in supervisor
    assert "an entry you may not see" in supervisor and "ticket:1" not in supervisor


# In a real browser


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_an_admin_finds_their_sign_in_and_verifies_the_chain_in_a_browser(browser: Any, live_server: Any,
                                                                          personas: Personas) -> None:
    record(actions.ROLE_CHANGED, organisation=personas.org, actor=personas.admin, target="agent:3",
           detail={"from": "agent", "to": "supervisor"})
    page_ = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 800})
    page_.goto(f"{live_server.url}/staff/")
    page_.get_by_role("link", name="Audit log").click()
    page_.wait_for_url(f"{live_server.url}{LOG}")
    table = page_.locator("#audit-entries")
    assert "Signed in" in table.inner_text() and "Role changed" in table.inner_text()

    page_.get_by_label("Action").select_option(label="Signed in")
    page_.get_by_role("button", name="Filter").click()
    page_.wait_for_url("**action=auth.sign_in**")
    rows = page_.locator("#audit-entries tbody tr")
    assert rows.count() == 1 and "ada" in rows.first.inner_text()

    page_.get_by_role("button", name="Verify chain").click()
    result = page_.get_by_role("status")
    result.wait_for()
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    assert f"Intact: {AuditEntry.objects.count()} entries." in result.inner_text()
    assert last.hash in result.inner_text()
    assert violations(page_) == []
    screenshot(page_, "audit-log", full_page=True)
