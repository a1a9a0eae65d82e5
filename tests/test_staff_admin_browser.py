"""An admin adds a colleague in a real browser (Playwright driving Debian's headless Chromium), and the colleague
signs in with the password the admin was shown. The screenshot "staff-agents" goes to ``test-artifacts/``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from webcare.core.models import Agent, Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_it_lets_an_admin_add_an_agent_who_then_signs_in(browser: Any, live_server: Any, personas: Personas) -> None:
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 720})
    page.get_by_role("link", name="Team admin").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Add agent").click()

    page.get_by_label("Username").fill("nora")
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_role("textbox", name="E-mail").fill("nora@example.test")
    page.get_by_role("group", name="Teams").get_by_label("Customer service").check()
    page.get_by_role("group", name="Answers in").get_by_label("Norsk bokmål").check()
    page.get_by_role("button", name="Add agent").click()

    password = page.locator("#new-password").inner_text().strip()
    assert len(password) == 16
    assert "Pass it on safely" in page.inner_text("main")
    page.get_by_role("link", name="Done: back to the agents").click()
    row = page.locator("#agents tr", has_text="nora@example.test")
    row.wait_for()
    assert "Customer service" in row.inner_text()
    assert password not in page.content()
    screenshot(page, "staff-agents")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")

    nora = browser.new_page()
    nora.goto(f"{live_server.url}/inbox/")
    nora.get_by_label("Username").fill("nora")
    nora.get_by_label("Password").fill(password)
    nora.get_by_role("button", name="Sign in").click()
    nora.wait_for_url(f"{live_server.url}/inbox/")
    assert "Nora Berg" in nora.locator("header.top").inner_text()
    assert nora.locator("nav.views").is_visible()
    assert nora.get_by_role("link", name="Team admin").count() == 0  # an agent does not manage staff

    agent = Agent.objects.get(user__username="nora", organisation=personas.org)
    assert agent.role == Role.AGENT
    assert [team.name for team in agent.teams.all()] == ["Customer service"]
    assert agent.languages == ["nb"]


def test_it_shows_a_refused_value_next_to_its_field_with_the_keyboard_alone(browser: Any, live_server: Any,
                                                                          personas: Personas) -> None:
    page = sign_in(browser, live_server, "ada")
    page.goto(f"{live_server.url}/staff/agents/new/")
    # Chromium applies autofocus at its next rendering step, which can come after the load event on a busy machine.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("kari")  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("Kari")
    page.keyboard.press("Enter")
    error = page.locator("#error-username")
    error.wait_for()
    assert error.inner_text().endswith("that username is taken")
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert page.get_by_label("First name").input_value() == "Kari"
