"""The supervisor dashboard's figures (webcare/supervision: answered.py, response_times.py, percentiles.py,
metrics.py) on known data, and the page: who may see it, what it shows, a bad window refused with a clear 400."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Personas, client_for
from webcare.conversations.models import Conversation, DeliveryStatus, Message
from webcare.core.models import Agent, Channel, Presence, Team
from webcare.supervision import answered, charts, metrics, percentiles, response_times
from webcare.tickets.models import Priority, Status, Ticket

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_ids = count(1)


@pytest.fixture(autouse=True)
def fresh_figures() -> None:
    """The dashboard remembers its heavier figures for a few minutes (webcare/supervision/remember.py); each test
    starts without them."""
    cache.clear()


def conversation(channel: Channel) -> Conversation:
    return Conversation.objects.create(organisation=channel.organisation, channel=channel, external_id=f"c{next(_ids)}",
                                       kind="private")


def ticket(conv: Conversation, **fields: Any) -> Ticket:
    return Ticket.objects.create(organisation=conv.organisation, conversation=conv, **fields)


def message(conv: Conversation, tk: Ticket | None, direction: str, sent_at: datetime, *, automatic: str = "",
            status: str = "", author: str = "Kari") -> Message:
    return Message.objects.create(
        organisation=conv.organisation, channel=conv.channel, conversation=conv, ticket=tk, direction=direction,
        is_public=False, external_id=f"m{next(_ids)}", sent_at=sent_at, received_at=sent_at, automatic=automatic,
        author_name=author, text=f"message {direction}",
        delivery_status=status or (DeliveryStatus.RECEIVED if direction == "inbound" else DeliveryStatus.SENT))


def thread(channel: Channel, asked_hours_ago: float, *, reply_hours_ago: float | None = None, automatic: str = "",
           status: str = "", no_reply_hours_ago: float | None = None) -> Message:
    """One conversation with one customer message and, optionally, a reply and a "no reply needed"."""
    conv = conversation(channel)
    tk = ticket(conv, status=Status.OPEN)
    asked = message(conv, tk, "inbound", NOW - timedelta(hours=asked_hours_ago))
    if reply_hours_ago is not None:
        message(conv, tk, "outbound", NOW - timedelta(hours=reply_hours_ago), automatic=automatic, status=status)
    if no_reply_hours_ago is not None:
        tk.no_reply_needed_at = NOW - timedelta(hours=no_reply_hours_ago)
        tk.save(update_fields=["no_reply_needed_at"])
    return asked


# -- the answered-everything measure --------------------------------------------------------------------------------

@pytest.fixture
def measured(personas: Personas) -> dict[str, Message]:
    """One customer message of every kind the measure distinguishes (7-day window: sent 8 days to 1 day ago)."""
    channel = personas.channel
    other_channel = Channel.objects.create(organisation=personas.other_org, kind="api", slug="api", name="API")
    return {
        "answered": thread(channel, 30, reply_hours_ago=29),
        "answered_same_second": thread(channel, 40, reply_hours_ago=40),
        "unanswered": thread(channel, 30),
        "automatic_only": thread(channel, 30, reply_hours_ago=29, automatic="away"),
        "ack_only": thread(channel, 50, reply_hours_ago=26, automatic="ack"),
        "failed_reply": thread(channel, 30, reply_hours_ago=29, status=DeliveryStatus.FAILED),
        "reply_before": thread(channel, 30, reply_hours_ago=31),
        "no_reply_needed": thread(channel, 30, no_reply_hours_ago=28),
        "no_reply_needed_before": thread(channel, 30, no_reply_hours_ago=40),
        "too_young": thread(channel, 23),
        "before_window": thread(channel, 24 + 7 * 24 + 1),
        "other_org": thread(other_channel, 30),
    }


def test_it_counts_only_what_nobody_answered_or_set_aside(measured: dict[str, Message], personas: Personas) -> None:
    result = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["7d"])
    expected_missed = {"unanswered", "automatic_only", "ack_only", "failed_reply", "reply_before",
                       "no_reply_needed_before"}
    expected_counted = expected_missed | {"answered", "answered_same_second", "no_reply_needed"}
    assert {m.pk for m in result.oldest} == {measured[k].pk for k in expected_missed}
    assert result.counted == len(expected_counted) == 9
    assert result.unanswered == 6
    assert result.share == pytest.approx(6 / 9)
    assert [m.sent_at for m in result.oldest] == sorted(m.sent_at for m in result.oldest)  # oldest first
    assert result.until == NOW - timedelta(hours=24)
    assert result.since == NOW - timedelta(days=8)


def test_the_window_decides_which_old_messages_count(measured: dict[str, Message], personas: Personas) -> None:
    month = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["30d"])
    assert month.counted == 10 and month.unanswered == 7  # the message from before the week counts in 30 days
    assert measured["before_window"].pk in {m.pk for m in month.oldest}
    day = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["24h"])
    assert day.counted == 8  # sent 24–48 hours ago: the 30- and 40-hour-old threads (the 50-hour one is out)


def test_a_later_customer_message_is_a_new_question(personas: Personas) -> None:
    conv = conversation(personas.channel)
    tk = ticket(conv)
    first = message(conv, tk, "inbound", NOW - timedelta(hours=50))
    message(conv, tk, "outbound", NOW - timedelta(hours=49))
    second = message(conv, tk, "inbound", NOW - timedelta(hours=30))
    result = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["7d"])
    assert [m.pk for m in result.oldest] == [second.pk]
    assert first.pk not in {m.pk for m in result.oldest} and result.counted == 2


def test_the_listing_is_capped_but_the_count_is_not(personas: Personas) -> None:
    for hours in range(30, 36):
        thread(personas.channel, hours)
    result = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["7d"], listed=4)
    assert len(result.oldest) == 4 and result.unanswered == 6 and result.counted == 6
    assert result.oldest[0].sent_at == NOW - timedelta(hours=35)


def test_no_messages_means_no_share(personas: Personas) -> None:
    result = answered.measure(personas.org.pk, NOW, metrics.WINDOWS["7d"])
    assert result.counted == 0 and result.share is None


# -- percentiles ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([1, 2, 3, 4, 5], percentiles.MEDIAN, 3.0),
    ([1, 2, 3, 4], percentiles.MEDIAN, 2.5),
    ([10, 20, 30, 40, 100], percentiles.P90, 76.0),  # position 3.6: 40 + 0.6 × 60
    ([7], percentiles.P90, 7.0),
])
def test_interpolation_is_percentile_cont(values: list[float], fraction: Any, expected: float) -> None:
    assert percentiles.interpolate(values, fraction) == pytest.approx(expected)


@pytest.fixture
def timed(personas: Personas) -> dict[str, Any]:
    """Tickets with known first-response and resolution times on two channels and two teams (plus no team)."""
    mail = Channel.objects.create(organisation=personas.org, kind="email", slug="mail", name="Support mail")
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    start = NOW - timedelta(days=2)

    def answered_ticket(channel: Channel, team: Team | None, first_minutes: float, solve_hours: float | None = None,
                        **fields: Any) -> Ticket:
        conv = conversation(channel)
        return ticket(conv, team=team, first_inbound_at=start,
                      first_response_at=start + timedelta(minutes=first_minutes),
                      solved_at=start + timedelta(hours=solve_hours) if solve_hours is not None else None,
                      status=Status.SOLVED if solve_hours is not None else Status.PENDING, **fields)

    cs = personas.team
    # API channel, customer service: first responses 10, 20, 30, 40, 100 minutes.
    for minutes, solve in [(10, 1), (20, 2), (30, 3), (40, None), (100, None)]:
        answered_ticket(personas.channel, cs, minutes, solve)
    # Mail, sales: 5 minutes, solved in 10 hours; no team: 60 minutes.
    answered_ticket(mail, sales, 5, 10)
    answered_ticket(mail, None, 60)
    # Outside the 7-day window (answered 10 days ago), and never answered: in no figure.
    conv = conversation(personas.channel)
    ticket(conv, team=cs, first_inbound_at=NOW - timedelta(days=10),
           first_response_at=NOW - timedelta(days=10) + timedelta(minutes=1))
    ticket(conversation(personas.channel), team=cs, first_inbound_at=start)
    # Another organisation's ticket on its own channel.
    other = Channel.objects.create(organisation=personas.other_org, kind="api", slug="other-api", name="Other API")
    ticket(conversation(other), first_inbound_at=start, first_response_at=start + timedelta(minutes=999))
    return {"mail": mail, "sales": sales}


def test_it_computes_median_and_p90_per_channel_and_team(timed: dict[str, Any], personas: Personas) -> None:
    times = response_times.measure(personas.org.pk, NOW - timedelta(days=7), NOW)
    by_channel = {row.name: row for row in times.channels}
    api = by_channel["API"].first_response
    assert api is not None and api.count == 5
    assert api.median == pytest.approx(30 * 60) and api.p90 == pytest.approx(76 * 60)
    resolution = by_channel["API"].resolution
    assert resolution is not None and resolution.count == 3
    assert resolution.median == pytest.approx(2 * 3600) and resolution.p90 == pytest.approx(2.8 * 3600)
    mail = by_channel["Support mail"].first_response
    assert mail is not None and mail.count == 2 and mail.median == pytest.approx(32.5 * 60)
    by_team = {row.name: row for row in times.teams}
    assert set(by_team) == {"Customer service", "Sales", "No team"}
    assert by_team["Sales"].first_response.median == pytest.approx(5 * 60)  # type: ignore[union-attr]
    assert by_team["Sales"].resolution.median == pytest.approx(10 * 3600)  # type: ignore[union-attr]
    assert by_team["No team"].first_response.median == pytest.approx(60 * 60)  # type: ignore[union-attr]
    assert by_team["No team"].resolution is None
    assert by_team["Customer service"].first_response.p90 == pytest.approx(76 * 60)  # type: ignore[union-attr]


def test_closed_tickets_keep_their_resolution_time(personas: Personas) -> None:
    start = NOW - timedelta(hours=5)
    ticket(conversation(personas.channel), first_inbound_at=start, solved_at=start + timedelta(hours=1),
           closed_at=start + timedelta(hours=2), status=Status.CLOSED)
    ticket(conversation(personas.channel), first_inbound_at=start, solved_at=start + timedelta(hours=3),
           status=Status.OPEN)  # reopened since: not resolved
    row = response_times.measure(personas.org.pk, NOW - timedelta(days=1), NOW).channels[0]
    assert row.resolution is not None and row.resolution.count == 1 and row.resolution.median == 3600


def test_bar_chart_lengths_share_one_scale() -> None:
    chart = charts.bar_chart([("API", 60.0, 120.0), ("Mail", 30.0, 240.0)])
    api, mail = chart.rows
    assert chart.scale_seconds == 240.0
    assert mail.bars[1].width == pytest.approx(2 * api.bars[1].width, abs=0.2)
    assert api.bars[0].width == pytest.approx(2 * mail.bars[0].width, abs=0.2)
    assert api.bars[0].x == mail.bars[0].x == charts.LABEL_WIDTH
    assert chart.height > 0 and api.label_y < mail.label_y


def test_sparkline_puts_the_peak_at_the_top_and_zero_at_the_bottom() -> None:
    line = charts.sparkline([0, 5, 10], width=100, height=40, pad=0)
    assert line.points == "0.0,40.0 50.0,20.0 100.0,0.0"
    assert line.peak == 10 and (line.last_x, line.last_y) == (100.0, 0.0)
    flat = charts.sparkline([0, 0])
    assert {p.split(",")[1] for p in flat.points.split()} == {str(flat.height - 3.0)}


# -- "now" figures ---------------------------------------------------------------------------------------------------

def test_now_figures_are_the_rate_the_oldest_wait_and_who_is_online(personas: Personas) -> None:
    for minutes in (1, 5, 14, 20, 50, 70):  # three in the last 15 minutes → 12 an hour; five in the hour
        thread(personas.channel, minutes / 60)
    old = ticket(conversation(personas.channel), status=Status.OPEN, priority=Priority.LOW,
                 waiting_since=NOW - timedelta(hours=3))
    ticket(conversation(personas.channel), status=Status.SOLVED, waiting_since=NOW - timedelta(hours=9))
    Agent.objects.filter(user=personas.agent).update(presence=Presence.ONLINE)
    Agent.objects.filter(user=personas.analyst).update(presence=Presence.ONLINE)  # analysts take no tickets
    load = metrics.load(personas.org, NOW)
    assert load.arrivals_per_hour == 12.0 and load.arrivals_last_hour == 5
    assert load.oldest_waiting_since == old.waiting_since and load.oldest_wait_seconds == 3 * 3600
    assert load.agents_online == 1
    assert load.handling == metrics.Handling(6.0, False, 0)  # no history: the organisation's setting
    hours = metrics.arrivals_by_hour(personas.org.pk, NOW)
    assert len(hours) == 24 and hours[-1].start == NOW and hours[-1].count == 0
    assert hours[-2].count == 5 and sum(h.count for h in hours) == 6


def test_handling_time_is_measured_once_there_is_enough_history(personas: Personas) -> None:
    for i in range(metrics.MIN_HANDLING_SAMPLES):
        assigned = NOW - timedelta(hours=2, minutes=i)
        ticket(conversation(personas.channel), assigned_at=assigned,
               first_response_at=assigned + timedelta(minutes=4 + (i % 3)))  # 4, 5, 6 minutes
    ticket(conversation(personas.channel), assigned_at=NOW - timedelta(hours=5),
           first_response_at=NOW - timedelta(hours=2))  # three hours in someone's queue: not handling
    handling = metrics.handling(personas.org, NOW)
    assert handling.measured and handling.samples == metrics.MIN_HANDLING_SAMPLES
    assert handling.minutes == pytest.approx(5.0)


def test_window_parameter_is_checked() -> None:
    assert metrics.parse_window(None) == "7d"
    assert metrics.parse_window("30d") == "30d"
    with pytest.raises(metrics.WindowError, match="window: '3 weeks' is not a window; use one of 24h, 7d, 30d"):
        metrics.parse_window("3 weeks")


# -- the page --------------------------------------------------------------------------------------------------------

def test_agents_may_not_see_the_dashboard(personas: Personas) -> None:
    assert client_for(personas.agent).get("/supervisor/").status_code == 403
    assert client_for(personas.agent).get("/supervisor/now/").status_code == 403
    assert client_for(personas.analyst).get("/supervisor/").status_code == 200
    assert client_for(personas.admin).get("/supervisor/").status_code == 200
    anonymous = client_for(personas.agent)
    anonymous.logout()
    assert anonymous.get("/supervisor/").status_code == 302


def test_the_page_shows_the_measure_and_links_each_unanswered_message(measured: dict[str, Message],
                                                                     timed: dict[str, Any],
                                                                     personas: Personas) -> None:
    with time_machine.travel(NOW, tick=False):
        page = client_for(personas.supervisor).get("/supervisor/?window=7d")
    assert page.status_code == 200
    html = page.content.decode()
    assert "66.7 %" in html and "6 unanswered of 9 messages" in html
    for key in ("unanswered", "automatic_only", "failed_reply"):
        assert f'href="/inbox/?ticket={measured[key].ticket_id}"' in html
    assert f'?ticket={measured["answered"].ticket_id}"' not in html
    assert 'id="times-channels"' in html and 'id="times-teams"' in html
    assert "30 min" in html and "1 h 16 min" in html  # the API channel's median and p90
    assert html.count('role="img"') >= 5  # four bar charts and the sparkline, each described
    assert '<desc id="channel-first-desc">' in html
    assert 'hx-get="/supervisor/now/"' in html and 'hx-trigger="every 30s"' in html
    assert 'aria-current="page">Last 7 days' in html


def test_a_bad_window_is_a_clear_400(personas: Personas) -> None:
    page = client_for(personas.supervisor).get("/supervisor/?window=forever")
    assert page.status_code == 400
    assert "window: &#x27;forever&#x27; is not a window; use one of 24h, 7d, 30d" in page.content.decode()


def test_the_now_partial_shows_queue_counts_from_the_inbox_views(personas: Personas) -> None:
    with time_machine.travel(NOW, tick=False):
        ticket(conversation(personas.channel), status=Status.OPEN, sla_due_at=NOW - timedelta(minutes=5))
        ticket(conversation(personas.channel), status=Status.NEW, sla_warn_at=NOW - timedelta(minutes=5),
               sla_due_at=NOW + timedelta(minutes=30))
        ticket(conversation(personas.channel), status=Status.PENDING)
        from webcare.inbox import queues

        queues.forget_shared_counts()
        page = client_for(personas.analyst).get("/supervisor/now/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="count-open">2<' in html and 'id="count-at_risk">1<' in html and 'id="count-breached">1<' in html
    assert 'id="estimate"' in html and "No surge now." in html


def test_the_dashboard_is_per_organisation(measured: dict[str, Message], personas: Personas) -> None:
    with time_machine.travel(NOW, tick=False):
        html = client_for(personas.outsider).get("/supervisor/").content.decode()
    assert f'?ticket={measured["other_org"].ticket_id}"' in html
    assert f'?ticket={measured["unanswered"].ticket_id}"' not in html
    assert "1 unanswered of 1 message" in html


def test_the_page_queries_do_not_grow_with_the_data(measured: dict[str, Message], personas: Personas) -> None:
    client = client_for(personas.supervisor)
    client.get("/supervisor/")  # the session is settled before counting

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured, time_machine.travel(NOW, tick=False):
            assert client.get("/supervisor/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        channel = Channel.objects.create(organisation=personas.org, kind="email", slug=f"mail-{n}", name=f"Mail {n}")
        team = Team.objects.create(organisation=personas.org, slug=f"team-{n}", name=f"Team {n}")
        for hours in (30, 31, 32):
            asked = thread(channel, hours)
            Ticket.objects.filter(pk=asked.ticket_id).update(
                team=team, first_inbound_at=NOW - timedelta(hours=hours),
                first_response_at=NOW - timedelta(hours=hours - 1), solved_at=NOW - timedelta(hours=2),
                status=Status.SOLVED)
    assert queries() == before


@pytest.mark.parametrize(("language", "heading"), [
    ("nb", "Alt besvart"), ("da", "Alt besvaret"), ("sv", "Allt besvarat"), ("fi", "Kaikkeen vastattu"),
    ("nl", "Alles beantwoord")])
def test_the_page_speaks_the_supervisors_language(measured: dict[str, Message], timed: dict[str, Any],
                                                  personas: Personas, language: str, heading: str) -> None:
    Agent.objects.filter(user=personas.supervisor).update(ui_language=language)
    with time_machine.travel(NOW, tick=False):
        page = client_for(personas.supervisor).get("/supervisor/")
    html = page.content.decode()
    assert page.status_code == 200 and heading in html
    assert "Answered everything" not in html and "Response times" not in html
    assert re.search(r'<rect class="bar median" x="120" y="[0-9.]+" width="[0-9.]+"', html)  # SVG numbers unlocalised
    assert re.search(r'<circle class="dot" cx="\d+\.\d" cy="\d+\.\d"', html)
