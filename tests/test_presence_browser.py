"""An agent switches their presence in the inbox header (Playwright driving Debian's headless Chromium) and gets a
ticket only while online: the waiting ticket comes to them the moment they go online, and a ticket that arrives while
they are away stays in the pool. The screenshot "inbox-presence" goes to ``test-artifacts/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, ingest_ticket
from webcare.core.models import Agent, AssignmentMode, Presence, Team
from webcare.routing.models import RoutingRule
from webcare.tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def count(page: Any, view: str) -> str:
    return page.locator(f'.count[data-view="{view}"]').inner_text().strip()


def test_it_assigns_a_ticket_to_an_agent_only_while_they_are_online(browser: Any, live_server: Any,
                                                                   personas: Personas) -> None:
    team = personas.team
    Team.objects.filter(pk=team.pk).update(assignment=AssignmentMode.ROUND_ROBIN)
    team.members.set([Agent.objects.get(user=personas.agent)])
    RoutingRule.objects.create(organisation=personas.org, name="API to customer service", position=0,
                               conditions=[{"field": "channel", "op": "is", "value": "api"}],
                               actions={"team": team.slug})
    waiting = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    assert waiting.team_id == team.pk and waiting.assignee_id is None  # Kari is offline: the ticket waits

    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 720})
    page.wait_for_function("window.webcareStream && window.webcareStream.readyState === 1")
    status = page.get_by_label("Status")
    assert status.input_value() == "offline"
    assert count(page, "mine") == "0"

    status.select_option("online")
    page.get_by_role("status").filter(has_text="You are online").wait_for()
    assert "1 waiting ticket was assigned" in page.locator("#presence-status").inner_text()
    page.wait_for_function("document.querySelector('.count[data-view=\"mine\"]').innerText.trim() === '1'")
    assert page.locator("#presence-dot").get_attribute("data-presence") == "online"
    assert Ticket.objects.get(pk=waiting.pk).assignee_id == personas.agent.pk
    screenshot(page, "inbox-presence")

    status.select_option("away")
    page.get_by_role("status").filter(has_text="You are away").wait_for()
    assert Agent.objects.get(user=personas.agent).presence == Presence.AWAY
    later = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    assert later.assignee_id is None
    page.wait_for_function("document.querySelector('.count[data-view=\"unassigned\"]').innerText.trim() === '1'")
    assert count(page, "mine") == "1"  # Kari keeps what she had

    page.reload()
    assert page.get_by_label("Status").input_value() == "away"  # the choice is kept, not just shown
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")
    assert Agent.objects.get(user=personas.agent).presence == Presence.OFFLINE
