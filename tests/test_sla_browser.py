"""Service levels in the inbox in a real browser: the "SLA breached" view lists a ticket whose first response is
overdue, its row says so, and the conversation header shows "overdue by …" with the policy — all passing axe's WCAG
2.1 AA rules. The screenshot ``sla-breached`` (test-artifacts/) is taken here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from tests.test_accessibility import violations
from webcare.sla.models import SlaPolicy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_agent_sees_the_breached_ticket_listed_and_overdue(browser: Any, live_server: Any,
                                                              personas: Personas) -> None:
    SlaPolicy.objects.create(organisation=personas.org, name="Standard", first_response_minutes=60,
                             resolution_minutes=24 * 60, business_hours=False)
    now = timezone.now()
    late = ingest_ticket(personas, 1, conversation="c-1", author="u-1",
                         sent_at=(now - timedelta(hours=3)).isoformat())
    fresh = ingest_ticket(personas, 2, conversation="c-2", author="u-2",
                          sent_at=(now - timedelta(minutes=50)).isoformat())
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 800})
    page.locator('#views a[href="?view=breached"]').click()
    page.wait_for_url("**/inbox/?view=breached")
    rows = page.locator("#list .row")
    rows.first.wait_for()
    assert [rows.nth(i).get_attribute("data-ticket") for i in range(rows.count())] == [str(late.pk)]
    badge = rows.first.locator(".sla-badge")
    assert badge.inner_text().strip() == "SLA breached"

    rows.first.locator("a").click()
    header = page.locator("#ticket .sla-due")
    header.wait_for()
    assert "Standard" in header.inner_text()
    first_response = header.locator('[data-target="first_response"]')
    assert "overdue by 2 h" in first_response.inner_text()
    assert first_response.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    screenshot(page, "sla-breached")
    assert violations(page) == []

    page.locator('#views a[href="?view=at_risk"]').click()
    page.wait_for_url("**/inbox/?view=at_risk")
    at_risk = page.locator(f'#list .row[data-ticket="{fresh.pk}"]')
    at_risk.wait_for()
    assert at_risk.locator(".sla-badge").inner_text().strip() == "SLA at risk"


def test_the_service_level_pages_pass_wcag_aa(browser: Any, live_server: Any, personas: Personas) -> None:
    policy = SlaPolicy.objects.create(organisation=personas.org, name="Standard", first_response_minutes=60,
                                      next_response_minutes=240, resolution_minutes=24 * 60, priorities=[1, 2])
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 800})
    for path in ("/staff/sla/", "/staff/sla/new/", f"/staff/sla/{policy.pk}/", f"/staff/sla/teams/{personas.team.pk}/"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        assert violations(page) == [], path
    page.goto(f"{live_server.url}/staff/sla/new/")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Add policy").click()
    error = page.locator("#error-name")
    error.wait_for()
    assert "needs a name" in error.inner_text()
    assert violations(page) == []
    screenshot(page, "sla-policy-form")
