"""The surge check (webcare/supervision/surge.py) and pulling in an overflow team (overflow.py, the dashboard's form):
one surge and one alert per supervisor and admin when arrivals or the oldest wait cross the thresholds (in the app and
by e-mail through a real SMTP server), no repeats on later passes, the end with hysteresis, and who may decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from tests import mailserver
from tests.conftest import Personas, client_for, make_user
from tests.mailserver import Dovecot, SmtpRelay, new_address
from webcare.conversations.models import Conversation, Message
from webcare.core.models import Agent, Organisation, Presence, Role, Team
from webcare.notify import email
from webcare.notify.models import EmailStatus, Notification
from webcare.supervision import erlang, metrics, surge
from webcare.supervision.models import Surge
from webcare.supervision.overflow import OverflowRefused, do_end_overflow, do_pull_overflow
from webcare.tickets.models import Status, Ticket

dovecot = mailserver.dovecot
smtp_relay = mailserver.smtp_relay

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_ids = count(1)


@pytest.fixture(autouse=True)
def fresh_figures() -> None:
    """The dashboard remembers its heavier figures for a few minutes (webcare/supervision/remember.py); each test
    starts without them."""
    cache.clear()


def arrive(org: Organisation, at: datetime, n: int = 1, spacing: timedelta = timedelta(seconds=40)) -> None:
    """``n`` customer messages, the first at ``at``, one every ``spacing``."""
    channel = org.channels.first()
    assert channel is not None
    for i in range(n):
        conv = Conversation.objects.create(organisation=org, channel=channel, external_id=f"s{next(_ids)}",
                                           kind="private")
        Message.objects.create(organisation=org, channel=channel, conversation=conv, direction="inbound",
                               is_public=False, external_id=f"sm{next(_ids)}", sent_at=at + i * spacing,
                               text="hjelp")


@pytest.fixture
def org(personas: Personas) -> Organisation:
    """Alerts at 40 arrivals an hour (10 in 15 minutes); the oldest-wait threshold off."""
    org = personas.org
    org.surge_arrivals_per_hour, org.surge_oldest_wait_minutes = 40, 0
    org.save()
    return org


def alerts(kind: str = "surge") -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("recipient").order_by("recipient__username"))


def run_at(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return surge.run(at)


def test_arrivals_over_the_threshold_open_one_surge_and_alert_supervisors_and_admins(org: Organisation,
                                                                                     personas: Personas) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)  # 12 in the last 15 minutes: 48 an hour
    Agent.objects.filter(user=personas.agent).update(presence=Presence.ONLINE)
    assert run_at(T0) == 1
    opened = Surge.objects.get()
    assert opened.ended_at is None and opened.started_at == T0
    assert opened.arrivals_per_hour == 48.0 and opened.peak_arrivals_per_hour == 48.0
    expected = erlang.agents_needed(48, 6, 0.8, 60)  # the organisation's defaults: 6 min handling, 80 % in an hour
    assert opened.agents_needed == expected and opened.agents_online == 1 and opened.handling_minutes == 6.0

    sent = alerts()
    assert [n.recipient for n in sent] == [personas.admin, personas.supervisor]  # not the agent, not the analyst
    note = sent[0]
    assert note.url == "/supervisor/" and note.organisation_id == org.pk and note.read_at is None
    assert note.title == f"Surge: {expected} agents needed, 1 online"
    assert (f"{expected} agents needed to answer 80 % within 60 min at the current rate (48/h, handling time "
            f"6.0 min); 1 online.") in note.body
    assert note.email_status == EmailStatus.NONE  # no SMTP server configured: in the app only


def test_later_passes_update_the_surge_without_alerting_again(org: Organisation) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    arrive(org, T0 + timedelta(minutes=1), 8, timedelta(seconds=20))  # 20 in the window now: 80 an hour
    assert run_at(T0 + timedelta(minutes=5)) == 1
    assert run_at(T0 + timedelta(minutes=5, seconds=15)) == 1
    opened = Surge.objects.get()
    assert opened.peak_arrivals_per_hour == 80.0 and opened.updated_at == T0 + timedelta(minutes=5, seconds=15)
    assert len(alerts()) == 2  # still one per person


def test_a_second_checker_that_lost_the_race_alerts_nobody(org: Organisation) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    load = metrics.load(org, T0)
    # What a second automation process does when its insert loses to the first one's (the unique constraint on the
    # open surge): nothing, and no alert.
    assert surge._start(org, load, surge.staffing(org, load), T0) == 0
    assert Surge.objects.count() == 1 and len(alerts()) == 2


def test_the_surge_ends_after_fifteen_quiet_minutes_and_says_so(org: Organisation, personas: Personas) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    run_at(T0 + timedelta(minutes=5))  # the same 12 still in the window: hot (last hot: +5)
    assert run_at(T0 + timedelta(minutes=12)) == 1  # 2 in the window (8 an hour, under 80 % of 40): calming
    assert run_at(T0 + timedelta(minutes=19)) == 1  # quiet for 14 minutes: still open
    assert Surge.objects.get().ended_at is None and alerts("surge_over") == []
    assert run_at(T0 + timedelta(minutes=20, seconds=30)) == 1  # quiet for 15½ minutes: over
    ended = Surge.objects.get()
    assert ended.ended_at == T0 + timedelta(minutes=20, seconds=30) and ended.updated_at == T0 + timedelta(minutes=5)
    over = alerts("surge_over")
    assert [n.recipient for n in over] == [personas.admin, personas.supervisor]
    assert over[0].title == "Surge over" and "peaking at 48 arrivals per hour" in over[0].body
    assert run_at(T0 + timedelta(minutes=21)) == 0  # nothing open, nothing crossed
    assert len(alerts("surge_over")) == 2 and len(alerts()) == 2


def test_a_rate_hovering_near_the_threshold_keeps_the_surge_open(org: Organisation) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    # 9 in every 15 minutes from then on: 36 an hour, under the threshold (40) but over 80 % of it (32).
    for step in range(1, 5):
        at = T0 + timedelta(minutes=15 * step)
        arrive(org, at - timedelta(minutes=14), 9, timedelta(seconds=90))
        run_at(at)
    assert Surge.objects.get().ended_at is None
    assert len(alerts()) == 2 and alerts("surge_over") == []


def test_the_oldest_wait_alone_can_start_a_surge(personas: Personas) -> None:
    org = personas.org
    org.surge_arrivals_per_hour, org.surge_oldest_wait_minutes = 0, 60
    org.save()
    channel = org.channels.first()
    conv = Conversation.objects.create(organisation=org, channel=channel, external_id="waiting", kind="private")
    Ticket.objects.create(organisation=org, conversation=conv, status=Status.OPEN,
                          waiting_since=T0 - timedelta(minutes=59))
    assert run_at(T0) == 0  # 59 minutes: not yet
    assert run_at(T0 + timedelta(minutes=1)) == 1
    assert Surge.objects.get().oldest_wait_seconds == 3600.0
    assert "Oldest wait: 60 min." in alerts()[0].body


def test_a_surge_of_waiting_customers_asks_for_the_agents_to_work_them_off(personas: Personas) -> None:
    """Nobody is arriving, so Erlang C at the current rate asks for nobody; the queue still needs people: 30 waiting
    at 6 minutes each (the organisation's handling time) within 60 minutes is 3 agents."""
    org = personas.org
    org.surge_arrivals_per_hour, org.surge_oldest_wait_minutes, org.handling_minutes = 0, 60, 6
    org.save()
    channel = org.channels.first()
    for n in range(30):
        conv = Conversation.objects.create(organisation=org, channel=channel, external_id=f"w-{n}", kind="private")
        Ticket.objects.create(organisation=org, conversation=conv, status=Status.OPEN,
                              waiting_since=T0 - timedelta(minutes=90 - n))
    assert run_at(T0) == 1
    assert Surge.objects.get().agents_needed == 3
    [first, *_] = alerts()
    assert first.title.startswith("Surge: 3 agents needed")
    assert "30 customers are waiting: answering them within 60 min takes about 3 agents." in first.body


def test_thresholds_at_zero_are_off(personas: Personas) -> None:
    org = personas.org
    org.surge_arrivals_per_hour, org.surge_oldest_wait_minutes = 0, 0
    org.save()
    arrive(org, T0 - timedelta(minutes=9), 50)
    assert run_at(T0) == 0 and not Surge.objects.exists()


def test_each_organisation_has_its_own_surge(org: Organisation, personas: Personas) -> None:
    from webcare.core.models import Channel

    other = personas.other_org
    other.surge_arrivals_per_hour = 1000
    other.save()
    Channel.objects.create(organisation=other, kind="api", slug="api", name="API")
    arrive(org, T0 - timedelta(minutes=9), 12)
    arrive(other, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    assert list(Surge.objects.values_list("organisation_id", flat=True)) == [org.pk]
    assert not Notification.objects.filter(recipient=personas.outsider).exists()


def test_alerts_go_out_by_email_through_the_smtp_server(org: Organisation, personas: Personas, settings: Any,
                                                         smtp_relay: SmtpRelay, dovecot: Dovecot) -> None:
    # The test runner's default backend keeps mail in memory; this one talks SMTP to the relay.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_relay.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = smtp_relay.user, smtp_relay.password
    settings.EMAIL_USE_TLS = False
    settings.WEBCARE_BASE_URL = "https://desk.example.test"
    addresses = {}
    for user in (personas.admin, personas.supervisor):
        user.email = addresses[user.username] = new_address(user.username)
        user.save(update_fields=["email"])
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    assert {n.email_status for n in alerts()} == {EmailStatus.PENDING}
    with time_machine.travel(T0, tick=False):
        assert email.run(T0) == 2
        assert email.run(T0) == 0  # sent once
    assert {n.email_status for n in alerts()} == {EmailStatus.SENT}
    assert sorted(r for m in smtp_relay.received for r in m.rcpt_tos) == sorted(addresses.values())
    mail = dovecot.messages(addresses["sunniva"])
    assert len(mail) == 1
    assert mail[0]["Subject"].startswith("[webcare] Surge: ")
    text = mail[0].get_content()
    assert "agents needed to answer 80 % within 60 min" in text
    assert "https://desk.example.test/supervisor/" in text


def test_alerts_are_written_in_each_persons_language(org: Organisation, personas: Personas) -> None:
    Agent.objects.filter(user=personas.supervisor).update(ui_language="nb")
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    by_user = {n.recipient.username: n for n in alerts()}
    assert by_user["ada"].title.startswith("Surge: ")
    assert not by_user["sunniva"].title.startswith("Surge: ")  # Norwegian (webcare/supervision/locale/nb)
    assert "agenter" in by_user["sunniva"].body


# -- pulling in the overflow team -------------------------------------------------------------------------------------

@pytest.fixture
def helpers(personas: Personas) -> Team:
    """Customer service's overflow team, "Sales", with one member of its own."""
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    seller = make_user("selma", personas.org, Role.AGENT, "Selma")
    sales.members.add(Agent.objects.get(user=seller))
    personas.team.overflow_team = sales
    personas.team.save()
    return sales


def test_a_supervisor_pulls_in_the_overflow_team_and_it_is_recorded_on_the_surge(
        org: Organisation, personas: Personas, helpers: Team) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    at = T0 + timedelta(minutes=2)
    with time_machine.travel(at, tick=False):
        team = do_pull_overflow(personas.team, personas.supervisor, "90")
    assert team.overflow_until == at + timedelta(minutes=90)
    personas.team.refresh_from_db()
    assert personas.team.overflow_until == at + timedelta(minutes=90)
    opened = Surge.objects.get()
    assert (opened.overflow_team, opened.overflow_by, opened.overflow_at) == (helpers, personas.supervisor, at)
    told = alerts("overflow")
    assert [n.recipient.username for n in told] == ["selma"]  # the helpers, not the supervisor who asked
    assert told[0].title == "You are helping Customer service until 14:32"  # Europe/Oslo
    with time_machine.travel(at + timedelta(minutes=10), tick=False):
        do_end_overflow(personas.team, personas.admin)
        personas.team.refresh_from_db()
        assert personas.team.overflow_until == at + timedelta(minutes=10)
        with pytest.raises(OverflowRefused, match="has no overflow team helping now"):
            do_end_overflow(personas.team, personas.admin)


def test_the_helpers_take_the_waiting_tickets_the_moment_they_are_pulled_in(personas: Personas,
                                                                           helpers: Team) -> None:
    """No waiting for the next automation pass: the pool of the swamped team goes to the online helpers at once,
    oldest first."""
    from tests.conftest import ingest_ticket

    personas.team.assignment = "least_loaded"
    personas.team.save()
    Agent.objects.filter(teams=personas.team).update(presence=Presence.OFFLINE)
    Agent.objects.filter(user__username="selma").update(presence=Presence.ONLINE, capacity=1)
    older = ingest_ticket(personas, 1, conversation="c-1", author="u-1")
    newer = ingest_ticket(personas, 2, conversation="c-2", author="u-2")
    Ticket.objects.filter(pk__in=[older.pk, newer.pk]).update(team=personas.team)
    assert Ticket.objects.filter(assignee__isnull=False).count() == 0
    do_pull_overflow(personas.team, personas.supervisor, 30)
    assert Ticket.objects.get(pk=older.pk).assignee.username == "selma"
    assert Ticket.objects.get(pk=newer.pk).assignee_id is None  # Selma's capacity is one


def test_pulling_in_works_without_a_surge_too(personas: Personas, helpers: Team) -> None:
    with time_machine.travel(T0, tick=False):
        do_pull_overflow(personas.team, personas.admin, 30)
    personas.team.refresh_from_db()
    assert personas.team.overflow_until == T0 + timedelta(minutes=30)


@pytest.mark.parametrize("who", ["agent", "analyst", "outsider"])
def test_only_supervisors_and_admins_of_the_organisation_pull_in(personas: Personas, helpers: Team, who: str) -> None:
    with pytest.raises(PermissionDenied):
        do_pull_overflow(personas.team, getattr(personas, who), 60)
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is None and not alerts("overflow")


@pytest.mark.parametrize(("minutes", "message"), [
    ("soon", "minutes must be a whole number"), ("0", "minutes must be between 5 and 480, not 0"),
    ("481", "minutes must be between 5 and 480, not 481"), ("", "minutes must be a whole number")])
def test_bad_minutes_are_refused_by_name_and_nothing_is_stored(personas: Personas, helpers: Team, minutes: str,
                                                               message: str) -> None:
    with pytest.raises(OverflowRefused, match=message) as refused:
        do_pull_overflow(personas.team, personas.supervisor, minutes)
    assert refused.value.field == "minutes"
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is None and not alerts("overflow")


def test_a_team_without_an_overflow_team_is_refused(personas: Personas) -> None:
    with pytest.raises(OverflowRefused, match="Customer service has no overflow team") as refused:
        do_pull_overflow(personas.team, personas.supervisor, 60)
    assert refused.value.field == "team"


def test_the_dashboard_form_pulls_in_and_ends_the_overflow(personas: Personas, helpers: Team) -> None:
    client = client_for(personas.supervisor)
    page = client.post("/supervisor/overflow/", {"team": personas.team.pk, "minutes": "60"},
                       headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sales now also take Customer service&#x27;s tickets, until" in html
    assert "End the overflow for Customer service" in html
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is not None
    ended = client.post("/supervisor/overflow/end/", {"team": personas.team.pk})  # without htmx: back to the page
    assert ended.status_code == 302 and ended.url == "/supervisor/"
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is not None and personas.team.overflow_until <= datetime.now(UTC)


def test_the_dashboard_form_shows_a_refusal_next_to_its_field(personas: Personas, helpers: Team) -> None:
    client = client_for(personas.admin)
    page = client.post("/supervisor/overflow/", {"team": personas.team.pk, "minutes": "9999"},
                       headers={"HX-Request": "true"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="overflow-minutes-error">minutes must be between 5 and 480, not 9999<' in html
    assert 'aria-invalid="true" aria-describedby="overflow-minutes-error"' in html
    other_team = Team.objects.create(organisation=personas.other_org, slug="x", name="Elsewhere")
    page = client.post("/supervisor/overflow/", {"team": other_team.pk, "minutes": "60"})
    assert page.status_code == 422 and "choose one of your organisation&#x27;s teams" in page.content.decode()
    assert Team.objects.filter(overflow_until__isnull=False).count() == 0


@pytest.mark.parametrize("who", ["agent", "analyst"])
def test_agents_and_analysts_cannot_post_the_form(personas: Personas, helpers: Team, who: str) -> None:
    page = client_for(getattr(personas, who)).post("/supervisor/overflow/", {"team": personas.team.pk, "minutes": 60})
    assert page.status_code == 403
    personas.team.refresh_from_db()
    assert personas.team.overflow_until is None


def test_an_analyst_sees_the_surge_but_no_form(org: Organisation, personas: Personas, helpers: Team) -> None:
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        html = client_for(personas.analyst).get("/supervisor/").content.decode()
    assert 'id="surge"' in html and "Surge since 13:00" in html
    assert "Pull in the overflow team" not in html
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        html = client_for(personas.supervisor).get("/supervisor/").content.decode()
    assert "Pull in the overflow team" in html


def test_inactive_supervisors_are_not_alerted(org: Organisation, personas: Personas) -> None:
    get_user_model().objects.filter(pk=personas.admin.pk).update(is_active=False)
    arrive(org, T0 - timedelta(minutes=9), 12)
    run_at(T0)
    assert [n.recipient for n in alerts()] == [personas.supervisor]
