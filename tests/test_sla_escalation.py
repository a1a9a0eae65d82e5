"""The SLA check (``webcare.sla.checks``): the warning at the policy's share to the assignee, the breach to the team's
supervisor in the app and by e-mail (through a real SMTP server, read back by IMAP), then up the escalation chain;
each level exactly once however often — and however concurrently — the check runs; and the inbox's "SLA at risk" and
"SLA breached" views."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from tests import mailserver
from tests.conftest import Personas, ingest_ticket
from tests.mailserver import Dovecot, SmtpRelay, new_address
from webcare.core.models import Agent, Team
from webcare.inbox import queues
from webcare.notify import email as notify_email
from webcare.notify.models import EmailStatus, Notification
from webcare.sla import checks
from webcare.sla.models import EscalationStep, SlaAlert, SlaPolicy
from webcare.tickets.actions import do_change_ticket, do_reply
from webcare.tickets.models import EventKind, Status, Ticket, TicketEvent

dovecot = mailserver.dovecot
smtp_relay = mailserver.smtp_relay

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
DUE = T0 + timedelta(hours=1)
WARN = T0 + timedelta(minutes=45)


@pytest.fixture
def policy(personas: Personas) -> SlaPolicy:
    return SlaPolicy.objects.create(organisation=personas.org, name="Standard", first_response_minutes=60,
                                    resolution_minutes=8 * 60, business_hours=False, warn_percent=75)


@pytest.fixture
def chain(personas: Personas) -> Team:
    """The team's supervisor (Sunniva) and one escalation step: Ada, 30 minutes after the breach."""
    team = personas.team
    team.supervisor = Agent.objects.get(user=personas.supervisor)
    team.save(update_fields=["supervisor"])
    EscalationStep.objects.create(team=team, position=0, agent=Agent.objects.get(user=personas.admin),
                                  after_minutes=30)
    return team


def ticket_at(personas: Personas, n: int, at: datetime = T0, **changes: Any) -> Ticket:
    """A ticket opened by a customer's message at ``at``, then changed by a supervisor (team, assignee …)."""
    with time_machine.travel(at, tick=False):
        ticket = ingest_ticket(personas, n, conversation=f"c-{n}", author=f"u-{n}", sent_at=at.isoformat())
        if changes:
            do_change_ticket(ticket, personas.supervisor, **changes)
    ticket.refresh_from_db()
    return ticket


def run_at(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return checks.run(at)


def notes(kind: str = "") -> list[tuple[str, str, int | None]]:
    rows = Notification.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.kind, n.ticket_id) for n in rows]


def sla_events(ticket: Ticket) -> list[tuple[str, str]]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA).order_by("id")
                .values_list("field", "new"))


def test_it_warns_the_assignee_at_the_share_and_not_before(personas: Personas, policy: SlaPolicy,
                                                           chain: Team) -> None:
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    assert (ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_check_at) == (DUE, WARN, WARN)
    assert run_at(WARN - timedelta(seconds=1)) == 0
    assert run_at(WARN) == 1
    assert notes() == [("kari", "sla_warning", ticket.pk)]
    assert sla_events(ticket) == [("first_response", "warning")]
    ticket.refresh_from_db()
    assert (ticket.sla_level, ticket.sla_check_at) == (1, DUE)
    note = Notification.objects.get()
    assert f"#{ticket.pk}" in note.title and "at risk" in note.title
    assert note.url.endswith(f"?ticket={ticket.pk}")


def test_the_breach_reaches_the_supervisor_in_the_app_and_by_e_mail(personas: Personas, policy: SlaPolicy,
                                                                   chain: Team, settings: Any, smtp_relay: SmtpRelay,
                                                                   dovecot: Dovecot) -> None:
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_relay.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = smtp_relay.user, smtp_relay.password
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django's default: in memory
    address = new_address("sunniva")
    personas.supervisor.email = address
    personas.supervisor.save(update_fields=["email"])
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    run_at(WARN)
    assert run_at(DUE + timedelta(minutes=1)) == 1
    breach = Notification.objects.get(kind="sla_breach")
    assert breach.recipient == personas.supervisor and breach.email_status == EmailStatus.PENDING
    assert sla_events(ticket) == [("first_response", "warning"), ("first_response", "breached")]

    assert notify_email.run(DUE + timedelta(minutes=1)) == 2  # the warning to Kari, the breach to Sunniva
    sent = [r for r in smtp_relay.received if address in r.rcpt_tos]
    assert len(sent) == 1
    mails = dovecot.messages(address)
    assert len(mails) == 1
    assert f"#{ticket.pk}" in str(mails[0]["Subject"]) and "breached" in str(mails[0]["Subject"])
    assert f"?ticket={ticket.pk}" in mails[0].get_content()


def test_each_person_is_told_in_their_own_language(personas: Personas, policy: SlaPolicy, chain: Team) -> None:
    Agent.objects.filter(user=personas.supervisor).update(ui_language="nb")
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    run_at(DUE)
    breach = Notification.objects.get(kind="sla_breach")
    assert breach.title == f"Sak #{ticket.pk} brøt målet for første svar (forfalt 23.11.2026 11:00)"  # Oslo time
    assert not Notification.objects.filter(kind="sla_warning").exists()
    assert sla_events(ticket) == [("first_response", "breached")]  # the warning came too late to be news


def test_it_climbs_the_escalation_chain_and_each_level_fires_once(personas: Personas, policy: SlaPolicy,
                                                                  chain: Team) -> None:
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    moments = [WARN, WARN + timedelta(minutes=1), DUE, DUE + timedelta(minutes=5), DUE + timedelta(minutes=30),
               DUE + timedelta(minutes=31), DUE + timedelta(hours=5)]
    for moment in moments:
        run_at(moment)
        run_at(moment)  # a second checker right behind the first
    assert notes() == [("kari", "sla_warning", ticket.pk), ("sunniva", "sla_breach", ticket.pk),
                       ("ada", "sla_escalation", ticket.pk)]
    assert sla_events(ticket) == [("first_response", "warning"), ("first_response", "breached"),
                                  ("first_response", "escalated to Ada")]
    assert list(SlaAlert.objects.filter(ticket=ticket).order_by("level").values_list("level", flat=True)) == [1, 2, 3]
    ticket.refresh_from_db()
    assert (ticket.sla_level, ticket.sla_check_at) == (3, None)


def test_an_unassigned_ticket_warns_the_team_supervisor_and_without_a_team_everyone_in_charge(
        personas: Personas, policy: SlaPolicy, chain: Team) -> None:
    teamed = ticket_at(personas, 1, team=chain)
    loose = ticket_at(personas, 2)
    run_at(WARN)
    assert sorted(notes("sla_warning")) == sorted([("sunniva", "sla_warning", teamed.pk),
                                                   ("ada", "sla_warning", loose.pk),
                                                   ("sunniva", "sla_warning", loose.pk)])
    run_at(DUE)
    assert sorted(notes("sla_breach")) == sorted([("sunniva", "sla_breach", teamed.pk),
                                                  ("ada", "sla_breach", loose.pk),
                                                  ("sunniva", "sla_breach", loose.pk)])


def test_a_reply_stops_the_ladder_and_the_next_cycle_gets_its_own_warnings(personas: Personas,
                                                                         chain: Team) -> None:
    SlaPolicy.objects.create(organisation=personas.org, name="Chat", first_response_minutes=60,
                             next_response_minutes=20, business_hours=False, warn_percent=50)
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    run_at(T0 + timedelta(minutes=30))
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        do_reply(ticket, personas.agent, "Vi ser på det nå.")
    ticket.refresh_from_db()
    assert (ticket.sla_level, ticket.sla_check_at) == (0, None)
    again = T0 + timedelta(minutes=90)
    with time_machine.travel(again, tick=False):  # the customer answers on the same conversation
        ingest_ticket(personas, 2, conversation="c-1", author="u-1", sent_at=again.isoformat())
    ticket.refresh_from_db()
    assert (ticket.status, ticket.next_response_due, ticket.sla_level) == (Status.OPEN,
                                                                          again + timedelta(minutes=20), 0)
    run_at(again + timedelta(minutes=10))
    assert notes() == [("kari", "sla_warning", ticket.pk), ("kari", "sla_warning", ticket.pk)]
    assert sla_events(ticket) == [("first_response", "warning"), ("next_response", "warning")]


def test_a_level_another_checker_already_raised_is_not_sent_again(personas: Personas, policy: SlaPolicy,
                                                                  chain: Team) -> None:
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    SlaAlert.objects.create(ticket=ticket, target="first_response", level=1, due_at=DUE)
    run_at(WARN)
    assert notes() == [] and sla_events(ticket) == []
    ticket.refresh_from_db()
    assert (ticket.sla_level, ticket.sla_check_at) == (1, DUE)


def test_history_is_not_alerted(personas: Personas, policy: SlaPolicy, chain: Team) -> None:
    ticket = ticket_at(personas, 1, team=chain, assignee=personas.agent)
    run_at(DUE + timedelta(days=3))  # the checker was down for three days
    assert notes() == []
    ticket.refresh_from_db()
    assert (ticket.sla_level, ticket.sla_check_at) == (3, None)


def test_the_at_risk_and_breached_views_list_the_right_tickets(personas: Personas, policy: SlaPolicy) -> None:
    early = ticket_at(personas, 1)
    late = ticket_at(personas, 2, at=T0 + timedelta(minutes=30))
    pending = ticket_at(personas, 3, status=Status.PENDING)
    later = T0 + timedelta(minutes=50)  # early is at risk since 09:45; late at 10:15; pending has no clock
    with time_machine.travel(later, tick=False):
        assert [t.pk for t in queues.tickets(personas.org, "at_risk", personas.agent)] == [early.pk]
        assert queues.count(personas.org, "breached", personas.agent) == 0
    with time_machine.travel(T0 + timedelta(minutes=80), tick=False):
        assert [t.pk for t in queues.tickets(personas.org, "at_risk", personas.agent)] == [late.pk]
        assert [t.pk for t in queues.tickets(personas.org, "breached", personas.agent)] == [early.pk]
    assert pending.sla_due_at is None


# --- two checkers at once (PostgreSQL: SQLite runs one writer at a time) -------------------------------------------


def _in_threads(work: Any, count: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_checkers_at_once_raise_each_level_once(personas: Personas, policy: SlaPolicy, chain: Team) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so two checkers cannot interleave there")
    tickets = [ticket_at(personas, n, team=chain) for n in range(1, 13)]
    barrier = threading.Barrier(2, timeout=30)

    def check(at: datetime) -> Any:
        def work() -> None:
            barrier.wait()
            checks.run(at)
        return work

    for moment in (WARN, DUE, DUE + timedelta(minutes=30)):
        assert _in_threads(check(moment)) == []
    assert SlaAlert.objects.count() == 3 * len(tickets)
    for ticket in tickets:
        assert sorted(SlaAlert.objects.filter(ticket=ticket).values_list("level", flat=True)) == [1, 2, 3]
        # Unassigned: the warning and the breach to Sunniva, who supervises the team; then Ada, the chain's step.
        assert Notification.objects.filter(ticket=ticket).count() == 3
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA).count() == 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_checkers_that_claimed_the_same_tickets_still_send_once(personas: Personas, policy: SlaPolicy,
                                                                    chain: Team,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the claim's locks (as if both had read the tickets before either wrote), the unique alert decides."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so two checkers cannot interleave there")
    tickets = [ticket_at(personas, n, team=chain, assignee=personas.agent) for n in range(1, 6)]
    barrier = threading.Barrier(2, timeout=30)

    def claim_without_locks(now: datetime) -> list[Ticket]:
        found = list(Ticket.objects.filter(sla_check_at__lte=now).select_related("assignee").order_by("id"))
        barrier.wait()  # both have read the same due tickets
        return found

    monkeypatch.setattr(checks, "_claim", claim_without_locks)
    assert _in_threads(lambda: checks.run(WARN)) == []
    assert Notification.objects.filter(kind="sla_warning").count() == len(tickets)
    assert SlaAlert.objects.count() == len(tickets)
    assert TicketEvent.objects.filter(kind=EventKind.SLA).count() == len(tickets)


def test_a_notification_goes_once_to_each_active_person_and_mails_only_those_with_an_address(
        personas: Personas, settings: Any) -> None:
    """The rules the SLA check's batched notifications and ``notify`` share (webcare.notify.send)."""
    from webcare.notify.send import notification_rows, notify

    settings.EMAIL_HOST = "127.0.0.1"
    personas.analyst.is_active = False
    personas.analyst.save(update_fields=["is_active"])
    personas.agent.email = ""
    personas.agent.save(update_fields=["email"])
    people = [personas.supervisor, personas.agent, personas.analyst, personas.supervisor, None]
    ticket = ticket_at(personas, 1)
    built = notification_rows(personas.org.pk, people, "sla_breach", "Title", body="Body", url="/inbox/?ticket=1",
                              ticket_id=ticket.pk, now=T0)
    assert [(n.recipient_id, n.email_status, n.email_next_at) for n in built] == [
        (personas.supervisor.pk, EmailStatus.PENDING, T0), (personas.agent.pk, EmailStatus.NONE, None)]
    settings.EMAIL_HOST = ""
    written = notify(personas.org.pk, people, "sla_breach", "Title", ticket_id=ticket.pk)
    assert [n.email_status for n in written] == [EmailStatus.NONE, EmailStatus.NONE]
    assert Notification.objects.filter(ticket=ticket).count() == 2


def test_a_pass_costs_the_same_queries_for_two_due_tickets_as_for_twenty(personas: Personas, policy: SlaPolicy,
                                                                       chain: Team) -> None:
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, first in ((2, 1), (20, 30)):  # the first two are history (over 24 h) by the second pass
        at = T0 + timedelta(hours=first)
        for n in range(first * 100, first * 100 + size):
            ticket_at(personas, n, at=at, team=chain, assignee=personas.agent)
        with time_machine.travel(at + timedelta(minutes=45), tick=False), \
                CaptureQueriesContext(connection) as captured:
            assert checks.run(at + timedelta(minutes=45)) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
