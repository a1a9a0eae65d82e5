"""The topics view in a real browser (Playwright driving Debian's headless Chromium): a supervisor opens it, reads the
chart and the table, opens a topic's masked examples, narrows it to one language, and finds the CSV links keeping
the filter; axe's WCAG 2.1 AA rules on the page. A first look before any warm-up shows its progress and the figures
replace it by themselves (htmx). The screenshot ``topics`` goes to ``test-artifacts/``.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas
from tests.test_accessibility import violations
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Channel
from webcare.insights import views
from webcare.insights.models import DayDigest, Theme, ThemeSetup
from webcare.insights.weeks import Week
from webcare.tickets.models import Label, Ticket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
_ids = count(1)


def a_week_of_feedback(personas: Personas) -> None:
    """This week and last, on three channels in four languages: invoices up, a Bergen outage by label, eSIM new."""
    org = personas.org
    cache.clear()
    x = Channel.objects.create(organisation=org, kind="x", slug="x", name="X")
    mail = Channel.objects.create(organisation=org, kind="email", slug="mail", name="Email")
    bergen = Label.objects.create(organisation=org, name="outage-bergen")
    ThemeSetup.objects.create(organisation=org)
    Theme.objects.create(organisation=org, name="Invoice / billing", keywords=["faktura*", "invoice*", "lasku*"])
    Theme.objects.create(organisation=org, name="Bergen outage", labels=["outage-bergen"])
    Theme.objects.create(organisation=org, name="Premium price", keywords=["premium"])
    now = timezone.now()
    # Spread over the time since this week began (at least a minute old, so the rounded "now" counts them).
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=timezone.localtime(now).weekday())
    if now - start < timedelta(minutes=15):
        pytest.skip("the week began less than 15 minutes ago: too little of it to place messages in")
    elapsed = (now - start).total_seconds() - 600

    def say(channel: Channel, text: str, sentiment: str, language: str, n: int, of: int, weeks_ago: int = 0,
            labels: tuple[Label, ...] = ()) -> None:
        sent = start + timedelta(seconds=elapsed * (n + 1) / (of + 1)) - timedelta(weeks=weeks_ago)
        conv = Conversation.objects.create(organisation=org, channel=channel, external_id=f"c{next(_ids)}",
                                           kind="private")
        ticket = Ticket.objects.create(organisation=org, conversation=conv)
        ticket.labels.add(*labels)
        Message.objects.create(organisation=org, channel=channel, conversation=conv, ticket=ticket,
                               direction="inbound", is_public=False, external_id=f"m{next(_ids)}", sent_at=sent,
                               author_name="Kunde", text=text.replace("[PHONE]", "412 34 567"), redacted_text=text,
                               language=language, sentiment_label=sentiment, intents=["question"], triaged_at=sent)

    for n in range(14):
        say([x, mail, personas.channel][n % 3], ["Fakturaen er feil, ring meg på [PHONE]", "Laskussa on virhe",
                                                 "Where is my invoice?"][n % 3],
            "negative" if n % 4 else "neutral", ["nb", "fi", "en"][n % 3], n, 14)
    for n in range(8):
        say(x, "Fakturaen kom ikke", "negative", "nb", n, 8, weeks_ago=1)
    for n in range(5):
        say(personas.channel, "Alt er svart her", "negative", "nb", n, 5, labels=(bergen,))
    for n in range(7):
        say(mail if n % 2 else x, ["eSIM virker ikke på ny telefon", "Kan inte aktivera eSIM"][n % 2],
            "negative", ["nb", "sv"][n % 2], n, 7)
    for n in range(3):
        say(x, "Love Premium, worth the price", "positive", "en", n, 3)


def test_a_supervisor_reads_the_topics_of_the_week(browser: Any, live_server: Any, personas: Personas) -> None:
    a_week_of_feedback(personas)
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/supervisor/topics/")
    week = Week.of(timezone.localdate())
    assert page.get_by_label("Week", exact=True).input_value() == week.label
    assert "This week so far" in page.locator("#span-note").inner_text()

    chart = page.get_by_role("img", name="Messages per topic, this week and last")
    assert chart.is_visible()
    billing = page.locator('#topics tr[data-topic]', has_text="Invoice / billing")
    assert billing.locator("td.total").inner_text() == "14"
    assert billing.locator("td.last-total").inner_text() == "8"
    assert billing.locator("td.change").inner_text() == "+6"  # 8 last week: below the base for a per cent
    esim = page.locator('#topics tr[data-kind="discovered"]', has_text="esim")
    assert esim.count() == 1 and esim.locator("td.total").inner_text() == "7"
    assert "SV" in esim.locator("td.languages").inner_text() and "NB" in esim.locator("td.languages").inner_text()

    examples = page.locator("details.examples", has_text="Invoice / billing")
    examples.locator("summary").click()
    assert examples.locator("li").count() == 3
    assert "412 34 567" not in page.content()
    assert examples.locator('[data-pii="PHONE"]').first.is_visible()
    assert violations(page) == []
    screenshot(page, "topics", full_page=True)

    page.get_by_label("Language", exact=True).select_option("fi")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**language=fi**")
    assert page.locator('#topics tr[data-topic]').count() == 1
    assert page.locator("#topics td.total").inner_text() == "5"
    assert "language=fi" in (page.locator("#download-csv").get_attribute("href") or "")
    assert page.get_by_label("Language", exact=True).input_value() == "fi"


def test_a_first_look_before_the_warm_up_shows_progress_then_the_figures(browser: Any, live_server: Any,
                                                                        personas: Personas,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if timezone.localdate().weekday() == 0:
        pytest.skip("on a Monday this week has no whole day to count in steps")
    a_week_of_feedback(personas)
    monkeypatch.setattr(views, "COUNT_NOW", 0)  # as if the days held a million messages
    monkeypatch.setattr(views, "STEP", 1)  # a day a step
    page = sign_in(browser, live_server, "sunniva", viewport={"width": 1400, "height": 1000})
    counting: list[str] = []
    page.on("response", lambda answer: counting.append(answer.url) if "part=counts" in answer.url else None)
    first = page.goto(f"{live_server.url}/supervisor/topics/")
    assert first is not None and "Counting the messages of" in first.text()  # answered at once, with its progress
    billing = page.locator('#topics tr[data-topic]', has_text="Invoice / billing")
    billing.wait_for(timeout=30_000)  # the steps replace the progress by themselves
    assert billing.locator("td.total").inner_text() == "14"
    assert page.locator("#topic-counts.counting").count() == 0 and counting
    assert DayDigest.objects.filter(organisation=personas.org).exists()
    assert violations(page) == []
    page.reload()
    assert page.locator("#topic-counts.counting").count() == 0  # stored: at once from now on
