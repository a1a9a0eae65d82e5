"""Supervisors review every reveal (``/privacy/reveals/``): filtered by person, purpose and dates, counted per person
and per purpose (with a chart); agents see their own reveals; analysts and other organisations see none. Admins edit
the purposes (``/privacy/reveals/purposes/``). The last test does it in a real browser: an agent reveals with a
purpose in the inbox, then a supervisor finds it on the review page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, client_for
from tests.test_accessibility import violations
from tests.test_reveal import PHONE_TEXT, with_phone
from webcare.access import charts
from webcare.access.models import Reveal, RevealField, RevealPurpose
from webcare.access.review import FilterError, parse_filters

URL = "/privacy/reveals/"
PURPOSES = "/privacy/reveals/purposes/"


def reveal(personas: Personas, user: Any, purpose: str, days_ago: int = 0, org: Any = None) -> Reveal:
    return Reveal.objects.create(organisation=org or personas.org, actor=user, actor_label=user.username,
                                 field=RevealField.MESSAGE, ticket_id=1, message_id=2, purpose=purpose,
                                 purpose_label=purpose, at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def history(personas: Personas) -> dict[str, Reveal]:
    return {
        "kari_call": reveal(personas, personas.agent, "call_back"),
        "kari_refund": reveal(personas, personas.agent, "refund_identity", days_ago=10),
        "sunniva_call": reveal(personas, personas.supervisor, "call_back", days_ago=1),
        "elsewhere": reveal(personas, personas.outsider, "call_back", org=personas.other_org),
    }


def shown(html: str) -> set[int]:
    return {int(part.split('"')[0]) for part in html.split('data-reveal="')[1:]}


def test_it_parses_the_filters_and_names_a_bad_one() -> None:
    keys = {"call_back"}
    filters = parse_filters({"agent": "3", "purpose": "call_back", "since": "2026-11-01", "until": "2026-11-30"}, keys)
    assert (filters.actor_id, filters.purpose, str(filters.since), str(filters.until)) == (
        3, "call_back", "2026-11-01", "2026-11-30")
    assert filters.query() == "agent=3&purpose=call_back&since=2026-11-01&until=2026-11-30"
    for params, field in (({"agent": "kari"}, "agent"), ({"purpose": "fun"}, "purpose"),
                          ({"since": "yesterday"}, "since"), ({"since": "2026-12-01", "until": "2026-11-01"}, "until")):
        with pytest.raises(FilterError) as refused:
            parse_filters(params, keys)
        assert refused.value.field == field


def test_the_chart_puts_counts_on_one_scale_from_zero() -> None:
    chart = charts.count_chart([("kari", 4), ("sunniva", 2), ("ada", 0)])
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == 2 * widths[1] and widths[2] == 1.0  # a zero keeps a visible sliver
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_every_reveal_of_their_organisation(personas: Personas,
                                                                       history: dict[str, Reveal], role: str) -> None:
    html = client_for(getattr(personas, role)).get(URL).content.decode()
    assert shown(html) == {history["kari_call"].pk, history["kari_refund"].pk, history["sunniva_call"].pk}
    assert "3 reveals" in html and '<svg class="count-chart"' in html
    per_actor = html[html.index('id="per-actor"'):]
    assert "<th scope=\"row\">kari</th><td>2</td>" in per_actor
    per_purpose = html[html.index('id="per-purpose"'):]
    assert "<th scope=\"row\">Call the customer back</th><td>2</td>" in per_purpose


def test_it_filters_by_person_purpose_and_dates(personas: Personas, history: dict[str, Reveal]) -> None:
    client = client_for(personas.supervisor)
    assert shown(client.get(URL, {"agent": personas.agent.pk}).content.decode()) == {
        history["kari_call"].pk, history["kari_refund"].pk}
    assert shown(client.get(URL, {"purpose": "call_back"}).content.decode()) == {
        history["kari_call"].pk, history["sunniva_call"].pk}
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert shown(client.get(URL, {"since": since}).content.decode()) == {
        history["kari_call"].pk, history["sunniva_call"].pk}
    bad = client.get(URL, {"since": "last week"})
    assert bad.status_code == 400 and "since must be a date like 2026-11-30" in bad.content.decode()


def test_an_agent_sees_only_their_own_reveals(personas: Personas, history: dict[str, Reveal]) -> None:
    html = client_for(personas.agent).get(URL).content.decode()
    assert shown(html) == {history["kari_call"].pk, history["kari_refund"].pk}
    assert "Your reveals of personal data" in html and 'id="filter-agent"' not in html
    # asking for somebody else's changes nothing
    assert shown(client_for(personas.agent).get(URL, {"agent": personas.supervisor.pk}).content.decode()) == set()


def test_analysts_and_strangers_see_nothing(personas: Personas, history: dict[str, Reveal]) -> None:
    assert client_for(personas.analyst).get(URL).status_code == 403
    outsider = client_for(personas.outsider).get(URL).content.decode()
    assert shown(outsider) == {history["elsewhere"].pk}
    assert Client().get(URL).status_code == 302  # anonymous: to the sign-in page


def test_admins_edit_the_purposes_and_others_may_not(personas: Personas) -> None:
    admin = client_for(personas.admin)
    page = admin.get(PURPOSES).content.decode()
    assert 'value="Verify identity for a refund"' in page and not RevealPurpose.objects.exists()
    assert admin.post(PURPOSES, {"label": "Check a warranty claim"}).status_code == 302
    keys = list(RevealPurpose.objects.filter(organisation=personas.org).values_list("key", flat=True))
    assert keys == ["refund_identity", "order_lookup", "call_back", "legal_request", "check-a-warranty-claim",
                    "other"]  # the defaults became the organisation's own rows; "other" stays last
    assert admin.post(f"{PURPOSES}call_back/", {"label": "Ring kunden", "active": "on"}).status_code == 302
    assert RevealPurpose.objects.get(organisation=personas.org, key="call_back").label == "Ring kunden"
    refused = admin.post(f"{PURPOSES}other/", {"label": "Other", "active": "on"})
    assert refused.status_code == 422 and "always needs a written reason" in refused.content.decode()
    assert admin.post(PURPOSES, {"label": " "}).status_code == 422
    assert admin.post(f"{PURPOSES}nope/", {"label": "x", "active": "on"}).status_code == 404
    for key in ("refund_identity", "order_lookup", "call_back", "legal_request", "check-a-warranty-claim"):
        admin.post(f"{PURPOSES}{key}/", {"label": key, "needs_reason": "on"})
    last = admin.post(f"{PURPOSES}other/", {"label": "Other", "needs_reason": "on"})
    assert last.status_code == 422 and "Keep at least one purpose switched on." in last.content.decode()
    assert client_for(personas.supervisor).get(PURPOSES).status_code == 200
    assert client_for(personas.supervisor).post(PURPOSES, {"label": "Sneaky"}).status_code == 403
    assert client_for(personas.agent).get(PURPOSES).status_code == 403
    # Another organisation's admin changes their own organisation's list, never fjord's.
    assert client_for(personas.outsider).post(f"{PURPOSES}call_back/", {"label": "x", "active": "on"}).status_code \
        == 302
    assert RevealPurpose.objects.get(organisation=personas.other_org, key="call_back").label == "x"
    assert RevealPurpose.objects.get(organisation=personas.org, key="call_back").label == "call_back"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_reveal_in_the_inbox_shows_up_for_the_supervisor(browser: Any, live_server: Any,
                                                           personas: Personas) -> None:
    ticket, _ = with_phone(personas)
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/inbox/?ticket={ticket.pk}")
    message = page.locator(".msg.inbound").first
    message.wait_for()
    message.get_by_role("button", name="Show personal data").click()
    message.get_by_label("Other").check()
    message.get_by_role("button", name="Show personal data").click()
    message.get_by_text("Write the reason for this purpose.").wait_for()  # refused: nothing shown, nothing recorded
    assert "412 34 567" not in message.inner_text()
    message.get_by_role("textbox", name="Reason").fill("Kunden ba om å bli ringt opp")
    screenshot(page, "inbox-reveal-purpose")
    message.get_by_role("button", name="Show personal data").click()
    message.get_by_text(PHONE_TEXT).wait_for()
    assert violations(page) == []

    boss = sign_in(browser, live_server, "sunniva", viewport={"width": 1280, "height": 800})
    boss.goto(f"{live_server.url}{URL}")
    row = boss.locator("#reveals tbody tr").first
    row.wait_for()
    assert "kari" in row.inner_text() and "Other" in row.inner_text()
    assert "Kunden ba om å bli ringt opp" in row.inner_text() and f"#{ticket.pk}" in row.inner_text()
    assert boss.locator("svg.count-chart").count() == 2
    screenshot(boss, "privacy-reveals")
    assert violations(boss) == []
