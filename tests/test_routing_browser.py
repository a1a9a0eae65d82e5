"""An admin writes a routing rule in a real browser (Playwright driving Debian's headless Chromium): picks the
condition fields from menus, moves the rule up with the keyboard, and runs the test mode on a pasted message. axe-core
checks each of the routing pages against WCAG 2.1 A/AA. Screenshots "routing-form", "routing-rules" and
"routing-test" go to ``test-artifacts/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.test_accessibility import violations
from webcare.routing import actions
from webcare.routing.models import RoutingRule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def choose(page: Any, select: Any, label: str) -> None:
    """Pick an option whose change makes htmx redraw the condition row, and wait until the new row is live (as a
    person would: nobody picks the next menu within the 20 ms htmx takes to settle the new row)."""
    with page.expect_response(lambda response: "/staff/routing/condition/" in response.url):
        select.select_option(label=label)
    page.wait_for_function("document.querySelector('.htmx-settling, .htmx-request') === null")


def order(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("#rules tbody th").all_inner_texts()]


def test_an_admin_creates_a_rule_moves_it_up_and_tests_it(browser: Any, live_server: Any,
                                                           personas: Personas) -> None:
    actions.do_save_rule(personas.org, personas.admin, {"name": "Everything else", "conditions": [],
                                                        "actions": {"labels": ["seen"]}})
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/routing/")
    assert violations(page) == []
    page.get_by_role("link", name="Add rule").click()
    page.wait_for_url("**/staff/routing/new/")

    page.get_by_label("Name").fill("Invoices")
    first = page.locator("#condition-0")
    choose(page, first.get_by_label("Looks at"), "Words in the message")
    first.get_by_label("Comparison").wait_for()  # htmx brought the comparisons and the value box for this field
    assert page.evaluate("document.activeElement.id") == "c0-field"  # the keyboard stays where it was
    first.get_by_label("Value").fill("faktura*, regning")
    page.get_by_role("button", name="Add a condition").click()
    second = page.locator("#condition-1")
    choose(page, second.get_by_label("Looks at"), "What the customer wants (intent)")
    choose(page, second.get_by_label("Comparison"), "is one of")
    second.get_by_role("group", name="Values").get_by_label("Complaint").check()
    assert first.get_by_label("Value").input_value() == "faktura*, regning"
    page.get_by_label("Team", exact=True).select_option(label="Customer service")
    page.get_by_label("Priority", exact=True).select_option(label="2 high")
    page.get_by_label("Add labels").fill("billing")
    assert violations(page) == []
    screenshot(page, "routing-form", full_page=True)
    page.get_by_role("button", name="Add rule").click()
    page.wait_for_url("**/staff/routing/#rule-*")

    rule = RoutingRule.objects.get(organisation=personas.org, name="Invoices")
    assert rule.conditions == [{"field": "keywords", "op": "contains", "value": ["faktura*", "regning"]},
                               {"field": "intent", "op": "in", "value": ["complaint"]}]
    assert order(page) == ["Everything else", "Invoices"]
    page.locator(f"#move-up-{rule.pk}").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#rules tbody th').innerText.trim() === 'Invoices'")
    assert order(page) == ["Invoices", "Everything else"]
    # At the top "up" is disabled, so the focus went to "down" of the same rule, and the keyboard can go on.
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'move-down-{rule.pk}'")
    assert list(RoutingRule.objects.filter(organisation=personas.org).order_by("position")
                .values_list("name", flat=True)) == ["Invoices", "Everything else"]
    screenshot(page, "routing-rules")

    page.get_by_role("link", name="Test the rules").click()
    page.wait_for_url("**/staff/routing/test/")
    page.get_by_label("Message", exact=True).fill("Fakturaen min er feil igjen, dette er helt uakseptabelt!")
    page.get_by_label("Channel", exact=True).select_option(label="API (API)")
    page.get_by_role("button", name="Test").click()
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "The rule “Invoices” takes it."
    outcome = page.locator("#outcome").inner_text()
    assert "Customer service" in outcome and "2 high" in outcome and "billing" in outcome
    why = page.locator("#why").inner_text()
    assert "found “fakturaen”" in why and "not tried" in why
    assert violations(page) == []
    screenshot(page, "routing-test", full_page=True)


def test_a_refused_rule_names_each_field_and_passes_wcag(browser: Any, live_server: Any, personas: Personas) -> None:
    page = sign_in(browser, live_server, "ada")
    page.goto(f"{live_server.url}/staff/routing/new/")
    choose(page, page.locator("#condition-0").get_by_label("Looks at"), "Priority from triage")
    choose(page, page.locator("#condition-0").get_by_label("Comparison"), "is more urgent than")  # redraws the row too
    page.get_by_role("button", name="Add rule").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    text = summary.inner_text()
    assert "Name: a rule needs a name" in text
    assert "Condition 1, value: give exactly one value" in text
    assert "Then: a rule needs at least one action" in text
    assert page.evaluate("document.activeElement.id") == "id_name"
    assert violations(page) == []
    assert not RoutingRule.objects.exists()
