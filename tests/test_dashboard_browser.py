"""The supervisor dashboard in a real browser (Playwright driving Debian's headless Chromium): a supervisor opens it
from the inbox during a surge, sees the response-time charts and the surge with its staffing estimate, pulls in the
overflow team and ends it again; the notifications list; axe's WCAG 2.1 AA rules on both pages.

The screenshot ``supervisor-dashboard`` goes to ``test-artifacts/``.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, make_user
from tests.test_accessibility import violations
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Agent, Channel, Presence, Role, Team
from webcare.supervision import surge
from webcare.supervision.models import Surge
from webcare.tickets.models import Status, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
_ids = count(1)


@pytest.fixture(autouse=True)
def fresh_figures() -> None:
    """The dashboard remembers its heavier figures for a few minutes (webcare/supervision/remember.py); each test
    starts without them."""
    cache.clear()


def a_busy_afternoon(personas: Personas) -> Team:
    """Tickets answered and solved over the last days on two channels, 30 customers writing in the last quarter of
    an hour (120 an hour, over the organisation's threshold of 60), two agents online, and Sales as customer
    service's overflow team."""
    org = personas.org
    org.surge_arrivals_per_hour = 60
    org.save()
    mail = Channel.objects.create(organisation=org, kind="email", slug="mail", name="Support mail")
    now = timezone.now()
    for channel, minutes in ((personas.channel, (12, 25, 40, 75, 180)), (mail, (35, 90, 240))):
        for n, wait in enumerate(minutes):
            conv = Conversation.objects.create(organisation=org, channel=channel, external_id=f"old{next(_ids)}",
                                               kind="private")
            start = now - timedelta(days=2, hours=n)
            Ticket.objects.create(organisation=org, conversation=conv, team=personas.team, status=Status.SOLVED,
                                  first_inbound_at=start, first_response_at=start + timedelta(minutes=wait),
                                  solved_at=start + timedelta(hours=3 + n))
    for n in range(30):
        conv = Conversation.objects.create(organisation=org, channel=personas.channel, external_id=f"new{n}",
                                           kind="private")
        sent = now - timedelta(seconds=20 * n + 5)
        ticket = Ticket.objects.create(organisation=org, conversation=conv, status=Status.NEW, waiting_since=sent,
                                       first_inbound_at=sent)
        Message.objects.create(organisation=org, channel=personas.channel, conversation=conv, ticket=ticket,
                               direction="inbound", is_public=False, external_id=f"new{n}", sent_at=sent,
                               author_name=f"Kunde {n}", text="Nettet er nede igjen")
    Agent.objects.filter(user__in=[personas.agent, personas.supervisor]).update(presence=Presence.ONLINE)
    sales = Team.objects.create(organisation=org, slug="sales", name="Sales")
    sales.members.add(Agent.objects.get(user=make_user("selma", org, Role.AGENT, "Selma")))
    personas.team.overflow_team = sales
    personas.team.save()
    assert surge.run(timezone.now()) == 1
    return sales


def test_a_supervisor_sees_the_surge_and_pulls_in_the_overflow_team(browser: Any, live_server: Any,
                                                                   personas: Personas) -> None:
    sales = a_busy_afternoon(personas)
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 1280, "height": 900})
    assert page.locator("#notifications-link").inner_text() == "Notifications (1)"  # the surge alert
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{live_server.url}/supervisor/")

    alert = page.locator("#surge")
    assert alert.is_visible()
    opened = Surge.objects.get()
    assert f"{opened.agents_needed} agents needed to answer 80 % within 60 min" in alert.inner_text()
    assert "2 online" in alert.inner_text()
    assert page.locator("#arrival-rate").inner_text() == "120"

    chart = page.get_by_role("img", name="First response per channel")
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() == 4  # median and p90 for two channels
    widths = [float(w) for w in chart.locator("rect.bar").evaluate_all("rs => rs.map(r => r.getAttribute('width'))")]
    assert max(widths) > 4 * min(widths)  # drawn to scale, not all the same
    api_row = page.locator("#times-channels tbody tr", has_text="API")
    assert "40 min" in api_row.inner_text()  # the median of 12, 25, 40, 75 and 180 minutes
    assert violations(page) == []
    screenshot(page, "supervisor-dashboard", full_page=True)

    overflow = page.get_by_role("region", name="Overflow teams")
    overflow.get_by_label("Team that needs help").select_option(label="Customer service ← Sales")
    overflow.get_by_label("For how many minutes").fill("45")
    overflow.get_by_role("button", name="Pull in the overflow team").click()
    done = page.locator("#overflow .notice")
    done.wait_for()
    assert "Sales now also take Customer service's tickets, until" in done.inner_text()
    personas.team.refresh_from_db()
    until = personas.team.overflow_until
    assert until is not None and timedelta(minutes=44) < until - timezone.now() <= timedelta(minutes=45)
    assert Surge.objects.get().overflow_team == sales

    page.get_by_role("button", name="End the overflow for Customer service").click()
    page.locator("#overflow .notice", has_text="on its own again").wait_for()
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is not None and personas.team.overflow_until <= timezone.now()
    assert page.get_by_text("No overflow team is helping now.").is_visible()


def test_notifications_lead_to_the_dashboard_and_are_marked_read(browser: Any, live_server: Any,
                                                                  personas: Personas) -> None:
    a_busy_afternoon(personas)
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 720})
    page.get_by_role("link", name="Notifications (1)").click()
    page.wait_for_url(f"{live_server.url}/inbox/notifications/")
    item = page.locator(".notification.unread")
    assert item.count() == 1 and "Surge:" in item.inner_text()
    assert violations(page) == []
    item.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/supervisor/")
    assert page.locator("#notifications-link").inner_text() == "Notifications (0)"


def test_an_agent_is_refused_the_dashboard(browser: Any, live_server: Any, personas: Personas) -> None:
    page = sign_in(browser, live_server, "kari")
    assert page.get_by_role("link", name="Dashboard").count() == 0
    answer = page.goto(f"{live_server.url}/supervisor/")
    assert answer is not None and answer.status == 403
