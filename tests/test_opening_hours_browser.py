"""An admin sets the weekly hours and a special day through the real pages in Chromium, and the list shows them with
the holiday that closes the desk next. The screenshots "hours-form" and "hours-list" go to ``test-artifacts/``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from webcare.hours.models import OpeningHours, SpecialDay

#: The special day: a month ahead, so the list (which shows the coming ones) has it whenever the test runs.
SOON = date.today() + timedelta(days=30)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_admin_sets_weekly_hours_and_a_special_day(browser: Any, live_server: Any, personas: Personas) -> None:
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Opening hours").first.click()
    page.wait_for_url(f"{live_server.url}/staff/hours/")
    assert "No opening hours yet" in page.inner_text("main")
    page.get_by_role("link", name="Add opening hours").click()

    page.get_by_label("Name").fill("Customer service")
    page.get_by_label("Applies to").select_option("default")
    page.get_by_label("Time zone").fill("Europe/Oslo")
    weekly = page.get_by_role("group", name="Weekly hours")
    weekly.get_by_label("Friday").fill("08:00-15:00")
    weekly.get_by_label("Saturday").fill("10:00-14:00")
    weekly.get_by_label("Sunday").fill("22:00-02:00")  # across midnight: refused, with the day named
    page.get_by_label("Public holidays of").select_option("NO")
    page.get_by_role("button", name="Add opening hours").click()

    error = page.locator("#error-weekly_6")
    error.wait_for()
    assert "Sunday: 22:00-02:00 crosses midnight" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_weekly_6"
    assert not OpeningHours.objects.exists()
    weekly.get_by_label("Sunday").fill("")
    page.get_by_role("button", name="Add opening hours").click()

    special = page.get_by_role("form", name="Add a special day")
    special.wait_for()
    special.get_by_label("Date").fill(SOON.isoformat())
    special.get_by_label("Name").fill("Personaldag")
    special.get_by_label("Hours that day").fill("09:00-13:00")
    screenshot(page, "hours-form", full_page=True)
    special.get_by_role("button", name="Add special day").click()
    page.locator("#special-days tr", has_text="Personaldag").wait_for()

    hours = OpeningHours.objects.get(organisation=personas.org)
    assert hours.weekly["4"] == [["08:00", "15:00"]] and hours.weekly["5"] == [["10:00", "14:00"]]
    assert hours.weekly["0"] == [["08:00", "16:00"]] and "6" not in hours.weekly
    assert SpecialDay.objects.get(hours=hours).date == SOON

    page.get_by_role("link", name="All opening hours").click()
    card = page.locator(f"#hours-{hours.pk}")
    card.wait_for()
    text = card.inner_text()
    assert "08:00-15:00" in text and "10:00-14:00" in text
    assert "Personaldag: 09:00-13:00" in text
    assert card.locator("ul.closures li").count() == 5  # the next holidays that close the desk
    screenshot(page, "hours-list", full_page=True)
