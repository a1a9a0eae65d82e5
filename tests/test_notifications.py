"""The notifications UI (webcare/notify/views.py): the bell in the inbox header with the unread count, the list,
opening one (marks it read and leads to its ticket or page), "mark all read", and nobody else's notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import Personas, client_for
from webcare.conversations.models import Conversation
from webcare.notify.models import Notification
from webcare.notify.send import notify
from webcare.tickets.models import Ticket


@pytest.fixture
def notes(personas: Personas) -> dict[str, Notification]:
    conv = Conversation.objects.create(organisation=personas.org, channel=personas.channel, external_id="n1",
                                       kind="private")
    tk = Ticket.objects.create(organisation=personas.org, conversation=conv)
    now = timezone.now()
    made = {
        "breach": notify(personas.org.pk, [personas.agent], "sla_breach", "Ticket breached its first response",
                         body="Customer has waited 2 h", url=f"/inbox/?ticket={tk.pk}", ticket_id=tk.pk)[0],
        "surge": notify(personas.org.pk, [personas.agent], "surge", "Surge: 9 agents needed, 3 online",
                        url="/supervisor/")[0],
        "ticket_only": notify(personas.org.pk, [personas.agent], "sla_warning", "At risk", ticket_id=tk.pk)[0],
        "elsewhere": notify(personas.org.pk, [personas.agent], "odd", "Odd link", url="https://evil.example/x")[0],
        "read": notify(personas.org.pk, [personas.agent], "surge", "Surge over")[0],
        "someone_elses": notify(personas.org.pk, [personas.supervisor], "surge", "For Sunniva")[0],
    }
    Notification.objects.filter(pk=made["read"].pk).update(read_at=now)
    for age, key in enumerate(["breach", "surge", "ticket_only", "elsewhere", "read", "someone_elses"]):
        Notification.objects.filter(pk=made[key].pk).update(created_at=now - timedelta(minutes=10 - age))
    return made


def test_the_inbox_header_shows_the_unread_count(notes: dict[str, Notification], personas: Personas) -> None:
    html = client_for(personas.agent).get("/inbox/").content.decode()
    assert 'id="notifications-link"' in html
    assert ">Notifications (4)</a>" in html  # five of hers, one read; Sunniva's are not counted
    assert 'hx-get="/inbox/notifications/bell/?shown=4"' in html and 'hx-trigger="every 30s"' in html
    assert 'aria-live="polite"' in html
    assert ">Notifications (1)</a>" in client_for(personas.supervisor).get("/inbox/").content.decode()


def test_the_bell_answers_only_when_the_count_changed(notes: dict[str, Notification], personas: Personas) -> None:
    client = client_for(personas.agent)
    assert client.get("/inbox/notifications/bell/?shown=4").status_code == 204
    notify(personas.org.pk, [personas.agent], "surge", "Another")
    fresh = client.get("/inbox/notifications/bell/?shown=4")
    assert fresh.status_code == 200
    assert ">Notifications (5)</a>" in fresh.content.decode()
    assert "?shown=5" in fresh.content.decode()


def test_the_list_is_mine_newest_first_with_unread_marked(notes: dict[str, Notification], personas: Personas) -> None:
    page = client_for(personas.agent).get("/inbox/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    order = [html.index(title) for title in ("Surge over", "Odd link", "At risk", "Surge: 9 agents needed",
                                             "Ticket breached its first response")]
    assert order == sorted(order)
    assert "For Sunniva" not in html
    assert html.count('class="notification unread"') == 4 and html.count('class="notification"') == 1
    assert html.count("Unread:") == 4
    assert f'href="/inbox/notifications/{notes["breach"].pk}/"' in html
    assert "Customer has waited 2 h" in html
    assert "Mark all read (4)" in html


def test_opening_one_marks_it_read_and_leads_to_its_page(notes: dict[str, Notification], personas: Personas) -> None:
    client = client_for(personas.agent)
    breach = notes["breach"]
    opened = client.get(f"/inbox/notifications/{breach.pk}/")
    assert opened.status_code == 302 and opened.url == breach.url
    breach.refresh_from_db()
    first_read = breach.read_at
    assert first_read is not None
    assert client.get(f"/inbox/notifications/{breach.pk}/").url == breach.url  # again: still read, same place
    breach.refresh_from_db()
    assert breach.read_at == first_read
    assert client.get(f"/inbox/notifications/{notes['surge'].pk}/").url == "/supervisor/"
    assert client.get(f"/inbox/notifications/{notes['ticket_only'].pk}/").url == (
        f"/inbox/?ticket={notes['ticket_only'].ticket_id}")
    # A link off the site is never followed: the list instead.
    assert client.get(f"/inbox/notifications/{notes['elsewhere'].pk}/").url == "/inbox/notifications/"
    assert ">Notifications (0)</a>" in client.get("/inbox/").content.decode()


def test_someone_elses_notification_is_not_found(notes: dict[str, Notification], personas: Personas) -> None:
    theirs = notes["someone_elses"]
    assert client_for(personas.agent).get(f"/inbox/notifications/{theirs.pk}/").status_code == 404
    assert client_for(personas.outsider).get(f"/inbox/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(notes: dict[str, Notification], personas: Personas) -> None:
    client = client_for(personas.agent)
    assert client.get("/inbox/notifications/read-all/").status_code == 405  # a change needs a POST
    done = client.post("/inbox/notifications/read-all/")
    assert done.status_code == 302 and done.url == "/inbox/notifications/"
    assert not Notification.objects.filter(recipient=personas.agent, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=notes["someone_elses"].pk).read_at is None
    html = client.get("/inbox/notifications/").content.decode()
    assert "Unread:" not in html and "Mark all read" not in html


def test_signing_in_is_required(personas: Personas) -> None:
    client = client_for(personas.agent)
    client.logout()
    for path in ("/inbox/notifications/", "/inbox/notifications/bell/", "/inbox/notifications/1/"):
        assert client.get(path).status_code == 302


def test_the_list_pages_past_fifty(personas: Personas) -> None:
    for n in range(55):
        notify(personas.org.pk, [personas.agent], "surge", f"Number {n:02d}")
    client = client_for(personas.agent)
    first = client.get("/inbox/notifications/").content.decode()
    assert "Number 54" in first and "Number 04" not in first and "Page 1 of 2" in first
    second = client.get("/inbox/notifications/?page=2").content.decode()
    assert "Number 04" in second and "Number 54" not in second


def test_an_empty_list_says_so(personas: Personas) -> None:
    html = client_for(personas.analyst).get("/inbox/notifications/").content.decode()
    assert "No notifications yet." in html
