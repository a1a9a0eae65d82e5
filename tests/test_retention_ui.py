"""The retention page at ``/staff/retention/``: who may see and change what, editing a policy with the errors next to
the field (and nothing stored), the audit entry of a change, the dry-run panel and the runs' reports; and, in a
real browser, an admin shortening a policy and reading the dry run (WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, client_for, ingest_ticket
from webcare.audit import actions as audited
from webcare.audit.models import AuditEntry
from webcare.conversations.models import Message
from webcare.retention import apply
from webcare.retention.models import DataKind, RetentionPolicy
from webcare.retention.plan import DEFAULT_DAYS
from webcare.tickets.actions import do_change_ticket
from webcare.tickets.models import Ticket

LIST = "/staff/retention/"
HTMX = {"HX-Request": "true"}


def bodies_policy(personas: Personas) -> RetentionPolicy:
    client_for(personas.admin).get(LIST)  # the defaults, as a first visit makes them
    return RetentionPolicy.objects.get(organisation=personas.org, data_kind=DataKind.MESSAGE_BODIES, channel_kind="")


def old_closed_ticket(personas: Personas, days: int) -> Ticket:
    ticket = ingest_ticket(personas, 1)
    do_change_ticket(ticket, personas.agent, status="closed")
    Ticket.objects.filter(pk=ticket.pk).update(solved_at=timezone.now() - timedelta(days=days))
    return ticket


# -- who may do what ------------------------------------------------------------------------------------------------


def test_admins_change_supervisors_and_analysts_read_and_the_rest_are_refused(personas: Personas) -> None:
    policy = bodies_policy(personas)
    edit = reverse("retention:policy", args=[policy.pk])
    admin_page = client_for(personas.admin).get(LIST).content.decode()
    assert edit in admin_page and reverse("retention:policy_new") in admin_page
    for reader in (personas.supervisor, personas.analyst):
        page = client_for(reader).get(LIST)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Message texts" in html and "730 days" in html
        assert edit not in html and "only admins change how long data is kept" in html
        assert client_for(reader).get(reverse("retention:dry_run"), headers=HTMX).status_code == 200
        assert client_for(reader).get(edit).status_code == 403
        assert client_for(reader).post(edit, {"data_kind": "bodies", "days": "1"}).status_code == 403
        assert client_for(reader).post(reverse("retention:policy_delete", args=[policy.pk])).status_code == 403
    assert client_for(personas.agent).get(LIST).status_code == 403
    assert client_for(personas.agent).get(reverse("retention:dry_run")).status_code == 403
    assert client_for(personas.outsider).get(edit).status_code == 404
    assert client_for(personas.outsider).post(reverse("retention:policy_delete", args=[policy.pk])).status_code == 404
    assert Client().get(LIST).status_code == 302  # not signed in: the sign-in page
    assert RetentionPolicy.objects.get(pk=policy.pk).days == 730


def test_the_first_visit_shows_the_default_policies(personas: Personas) -> None:
    html = client_for(personas.supervisor).get(LIST).content.decode()
    assert RetentionPolicy.objects.filter(organisation=personas.org).count() == len(DEFAULT_DAYS)
    for label in ("Message texts", "Attachments", "Raw deliveries", "Notifications", "Live updates"):
        assert label in html
    assert "30 days" in html and "after the delivery was processed" in html


# -- editing --------------------------------------------------------------------------------------------------------


def test_an_admin_shortens_a_policy_and_the_change_is_audited(personas: Personas) -> None:
    policy = bodies_policy(personas)
    admin = client_for(personas.admin)
    response = admin.post(reverse("retention:policy", args=[policy.pk]),
                          {"data_kind": "bodies", "channel_kind": "", "days": "180"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert RetentionPolicy.objects.get(pk=policy.pk).days == 180
    entry = AuditEntry.objects.filter(action=audited.RETENTION_POLICY).latest("id")
    assert (entry.actor_id, entry.detail["old_days"], entry.detail["days"]) == (personas.admin.pk, 730, 180)
    assert "Saved: Message texts on every channel kept 180 days." in admin.get(LIST).content.decode()


def test_an_admin_adds_a_channel_policy_and_deletes_it(personas: Personas) -> None:
    bodies_policy(personas)
    response = client_for(personas.admin).post(reverse("retention:policy_new"),
                                               {"data_kind": "bodies", "channel_kind": "email", "days": "1825"})
    assert response.status_code == 302
    added = RetentionPolicy.objects.get(organisation=personas.org, channel_kind="email")
    assert added.days == 1825
    assert "E-mail" in client_for(personas.admin).get(LIST).content.decode()
    assert client_for(personas.admin).post(reverse("retention:policy_delete", args=[added.pk])).status_code == 302
    assert not RetentionPolicy.objects.filter(pk=added.pk).exists()
    assert list(AuditEntry.objects.filter(action=audited.RETENTION_POLICY, target=f"retention_policy:{added.pk}")
                .order_by("id").values_list("detail__change", flat=True)) == ["added", "deleted"]


@pytest.mark.parametrize(("posted", "field", "words"), [
    ({"data_kind": "bodies", "channel_kind": "", "days": "0"}, "days", "keep data at least 1 day"),
    ({"data_kind": "bodies", "channel_kind": "", "days": "two weeks"}, "days", "whole number"),
    ({"data_kind": "bodies", "channel_kind": "", "days": "99999"}, "days", "at most 3650 days"),
    ({"data_kind": "bodies", "channel_kind": "", "days": "90"}, "channel_kind", "already a policy for Message"),
    ({"data_kind": "live_events", "channel_kind": "x", "days": "9"}, "channel_kind", "belong to no channel"),
    ({"data_kind": "", "channel_kind": "", "days": "9"}, "data_kind", "choose what to remove"),
])
def test_a_refused_policy_shows_the_error_next_to_its_field_and_stores_nothing(
        personas: Personas, posted: dict[str, str], field: str, words: str) -> None:
    bodies_policy(personas)
    before = list(RetentionPolicy.objects.order_by("id").values_list("data_kind", "channel_kind", "days"))
    response = client_for(personas.admin).post(reverse("retention:policy_new"), posted)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="field-error" id="error-{field}">' in html
    assert words in html.split(f'id="error-{field}">', 1)[1].split("</p>", 1)[0]
    assert f'aria-describedby="error-{field}"' in html or f'error-{field}"' in html
    assert f'value="{posted["days"]}"' in html  # what was typed is kept
    assert list(RetentionPolicy.objects.order_by("id").values_list("data_kind", "channel_kind", "days")) == before
    assert not AuditEntry.objects.filter(action=audited.RETENTION_POLICY, actor_id=personas.admin.pk).exists()


# -- the dry run and the reports -------------------------------------------------------------------------------------


def test_the_dry_run_panel_counts_what_would_go_and_changes_nothing(personas: Personas) -> None:
    policy = bodies_policy(personas)
    ticket = old_closed_ticket(personas, 800)
    html = client_for(personas.analyst).get(reverse("retention:dry_run"), headers=HTMX).content.decode()
    row = html.split('data-data-kind="bodies"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="count">1</td>' in row
    assert "Nothing was changed." in html
    assert Message.objects.get(ticket=ticket).text
    page = client_for(personas.analyst).get(reverse("retention:dry_run"))  # without JavaScript: a page of its own
    assert page.status_code == 200 and "What would go now" in page.content.decode()
    assert RetentionPolicy.objects.get(pk=policy.pk).days == 730


def test_the_last_runs_reports_are_shown(personas: Personas) -> None:
    bodies_policy(personas)
    old_closed_ticket(personas, 800)
    apply.run_now(personas.org, personas.admin)
    html = client_for(personas.supervisor).get(LIST).content.decode()
    runs = html.split('id="runs-heading"', 1)[1]
    assert "Started by hand (Ada)" in runs and "1 item removed" in runs
    assert '<td class="count">1</td>' in runs.split('data-data-kind="bodies"', 1)[1]


# -- in a browser ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_admin_shortens_a_policy_and_reads_the_dry_run_in_a_browser(browser: Any, live_server: Any,
                                                                       personas: Personas) -> None:
    from tests.test_accessibility import violations

    ticket = ingest_ticket(personas, 1)
    do_change_ticket(ticket, personas.agent, status="closed")
    Ticket.objects.filter(pk=ticket.pk).update(solved_at=timezone.now() - timedelta(days=200))
    page = sign_in(browser, live_server, "ada", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{LIST}")
    page.locator('#dry-run-result tr[data-data-kind="bodies"] td.count').wait_for()
    assert page.locator('#dry-run-result tr[data-data-kind="bodies"] td.count').inner_text() == "0"
    assert violations(page) == []
    page.get_by_role("link", name="Change Message texts on every channel").click()
    page.get_by_label("Keep for (days)").fill("0")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#error-days")
    error.wait_for()
    assert "at least 1 day" in error.inner_text()
    assert violations(page) == []
    page.get_by_label("Keep for (days)").fill("180")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}{LIST}")
    page.locator('#dry-run-result tr[data-data-kind="bodies"] td.count').wait_for()
    assert page.locator('#dry-run-result tr[data-data-kind="bodies"] td.count').inner_text() == "1"
    assert "180 days" in page.locator("#policies").inner_text()
    screenshot(page, "retention-policies", full_page=True)
    assert Message.objects.get(ticket=ticket).text  # the dry run changed nothing
