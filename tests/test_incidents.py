"""Incidents (webcare/incidents): a storm of similar messages through real ingestion becomes one incident — linked
tickets, one alert to supervisors with examples per channel — and the watcher's lease, restart and cursor never open
it twice; the REST API reads them.

The storm test runs the real choir detector (webcare/incidents/choir); the watcher's own rules (spam, history,
restarts, takeovers) are tested with a small stand-in detector that implements the same interface, so they do not
depend on the detector's thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from tests.conftest import ApiClient, Personas, client_for
from webcare.core.models import Agent, Channel, Organisation
from webcare.demo import storm
from webcare.incidents import watch
from webcare.incidents.choir import ChoirConfig, ChoirDetector, GroupView, Observation, Placement
from webcare.incidents.models import ChoirLease, Incident, IncidentStatus, IncidentTicket
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain
from webcare.live.models import LiveEvent
from webcare.notify.models import Notification
from webcare.tickets.actions import do_reply
from webcare.tickets.models import EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_watcher() -> Any:
    """Each test starts as a freshly started process (no detector in memory)."""
    watch.forget()
    yield
    watch.forget()


@pytest.fixture
def channels(personas: Personas) -> dict[str, Channel]:
    """The organisation's X, Facebook and e-mail channels (demo channels: nothing is posted anywhere)."""
    made = {}
    for kind, name in (("x", "Fjordnett on X"), ("facebook", "Fjordnett"), ("email", "kundeservice@fjordnett")):
        made[kind] = Channel.objects.create(organisation=personas.org, kind=kind, slug=kind, name=name,
                                            settings={"simulate": True})
    return made


def real_detector(organisation_id: int) -> ChoirDetector:
    """The real detector, without the day of warm-up a fresh production watcher primes from history, and without
    the multilingual embeddings (shared terms — the place, the error code — carry the storm across languages)."""
    return ChoirDetector(ChoirConfig(warm_up=timedelta(0)))


# -- a stand-in detector for the watcher's own rules -----------------------------------------------------------------

@dataclass
class KeywordChoir:
    """Groups every message containing ``word``; the group "starts" at its ``threshold``-th message. Messages older
    than ``window`` leave it. Implements the detector's interface (webcare/incidents/choir/types.py)."""

    word: str = "E431"
    threshold: int = 5
    window: timedelta = timedelta(hours=3)
    seen: list[tuple[int, datetime]] = field(default_factory=list)
    started: bool = False
    observed: list[int] = field(default_factory=list)
    config: Any = None

    def __post_init__(self) -> None:
        self.config = ChoirConfig(window=self.window, burst_span=min(self.window, timedelta(minutes=30)))

    def observe(self, obs: Observation) -> Placement:
        self.observed.append(obs.message_id)
        if self.word.lower() not in obs.text.lower():
            return Placement(None, 1, False, False)
        self.seen.append((obs.message_id, obs.at))
        start = not self.started and len(self.seen) >= self.threshold
        self.started = self.started or start
        return Placement(1, len(self.seen), self.started, start)

    def group(self, group_id: int) -> GroupView | None:
        if not self.seen:
            return None
        return GroupView(1, tuple(pk for pk, _ in self.seen), min(at for _, at in self.seen), (self.word, "bergen"),
                         ("nb",), ("x",), 40.0, 0.5)

    def advance(self, now: datetime) -> None:
        self.seen = [(pk, at) for pk, at in self.seen if at >= now - self.window]

    def memory_bytes(self) -> int:
        return 16 * len(self.seen)


class Factory:
    """Makes one stand-in per organisation and remembers them (tests look at what was observed)."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.made: list[KeywordChoir] = []

    def __call__(self, organisation_id: int) -> KeywordChoir:
        self.made.append(KeywordChoir(**self.options))
        return self.made[-1]


def deliver(channel: Channel, n: int, text: str, *, sent_at: datetime | None = None, public: bool = True,
            name: str = "Kari Nordmann", process: bool = True) -> Any:
    """One customer's message through the real ingestion path; its ticket (``process=False``: received only, for
    the worker's next drain)."""
    payload = {"message_id": f"{channel.kind}-{n}", "conversation_id": f"{channel.kind}-c{n}",
               "conversation_kind": "public" if public else "private",
               "author": {"id": f"{channel.kind}-u{n}", "handle": f"@u{n}", "name": name}, "text": text,
               "sent_at": (sent_at or timezone.now()).isoformat()}
    receive(channel, payload, external_id=payload["message_id"])
    if not process:
        return None
    drain()
    return Ticket.objects.get(conversation__channel=channel, conversation__external_id=payload["conversation_id"])


def inject_storm(personas: Personas, count: int = 40, seed: int = 31, now: datetime | None = None) -> int:
    stored = storm.inject(personas.org, count=count, minutes=20, paced=False, seed=seed, now=now or timezone.now())
    drain()
    return stored


# -- the storm, with the real detector -------------------------------------------------------------------------------

def test_a_storm_through_ingestion_becomes_one_incident_and_supervisors_hear_once(personas: Personas,
                                                                                   channels: Any) -> None:
    Agent.objects.filter(user=personas.supervisor).update(ui_language="nb")
    Organisation.objects.filter(pk=personas.org.pk).update(languages=["nb", "sv", "da", "en"])  # triage's choice
    assert inject_storm(personas) == 40
    now = timezone.now()
    watch.run(now, detector_factory=real_detector)

    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.OPEN
    assert incident.message_count >= 36  # ≥ 90 % of the storm grouped
    assert {"x", "facebook", "email"} <= set(incident.channels)
    assert len(incident.languages) >= 3
    assert incident.ticket_count == IncidentTicket.objects.filter(incident=incident, open=True).count()
    assert incident.rate_per_hour > incident.baseline_per_hour
    linked = Ticket.objects.filter(incident_links__incident=incident)
    assert linked.count() == incident.ticket_count
    assert all(incident.label_name in ticket.labels.values_list("name", flat=True) for ticket in linked)
    assert TicketEvent.objects.filter(ticket__in=linked, kind=EventKind.LABEL_ADDED, new=incident.label_name).count() \
        == incident.ticket_count
    published = {pk for event in LiveEvent.objects.filter(organisation=personas.org, kind="tickets")
                 for pk in event.data["tickets"]}
    assert set(linked.values_list("pk", flat=True)) <= published  # open inboxes refresh

    alerts = Notification.objects.filter(kind="incident").order_by("recipient__username")
    assert [a.recipient.username for a in alerts] == ["ada", "sunniva"]  # the admin and the supervisor, not agents
    english, norwegian = alerts
    for label in ("X: “", "Facebook: “", "E-mail: “"):
        assert label in english.body
    assert "E431" in english.body
    assert english.url == f"/incidents/{incident.pk}/"
    assert "Eksempler:" in norwegian.body and "Examples:" in english.body

    # More of the storm later: linked to the same incident, nobody alerted again.
    inject_storm(personas, count=8, seed=5, now=now + timedelta(minutes=2))
    watch.run(now + timedelta(minutes=3), detector_factory=real_detector)
    incident.refresh_from_db()
    assert Incident.objects.count() == 1
    assert incident.message_count >= 43
    assert Notification.objects.filter(kind="incident").count() == 2


def test_background_traffic_makes_no_incident(personas: Personas, channels: Any) -> None:
    topics = ["Fakturaen min er for høy denne måneden", "Hvordan bytter jeg passord på Min side?",
              "Kan jeg flytte abonnementet til ny adresse?", "Takk for rask hjelp i går!",
              "Når kommer den nye ruteren i butikk?", "Hvorfor er TV-pakken dyrere nå?",
              "Jeg vil si opp mobilabonnementet", "Kan dere ringe meg om bedriftsavtale?",
              "Appen krasjer når jeg åpner fakturaer", "Hva koster 5G i Tromsø?", "Jeg har flyttet, ny e-post",
              "Får jeg rabatt som student?"]
    now = timezone.now()
    kinds = list(channels.values())
    for n in range(36):
        deliver(kinds[n % 3], n, f"{topics[n % len(topics)]} ({n})", sent_at=now - timedelta(minutes=150 - 4 * n),
                process=False)
    drain()
    assert watch.run(now, detector_factory=real_detector) == 36
    assert not Incident.objects.exists()
    assert not Notification.objects.filter(kind="incident").exists()


# -- the watcher's rules, with the stand-in --------------------------------------------------------------------------

def test_spam_automatic_and_outbound_messages_and_old_history_are_not_fed(personas: Personas, channels: Any) -> None:
    now = timezone.now()
    spam = deliver(channels["x"], 1, "E431 kjøp billige klokker")
    spam_message = spam.messages.get()
    spam_message.intents = ["spam"]
    spam_message.save()
    old = deliver(channels["x"], 2, "E431 fra i forgårs", sent_at=now - timedelta(days=2))
    answered = deliver(channels["email"], 3, "Hei, hva er E431?", public=False)
    do_reply(answered, personas.agent, "E431 betyr brudd i fiberen.")
    factory = Factory()
    watch.run(now, detector_factory=factory)
    observed = factory.made[0].observed
    assert answered.messages.get(direction="inbound").pk in observed
    assert spam_message.pk not in observed
    assert old.messages.get().pk not in observed
    assert len(observed) == 1  # neither the reply nor anything else
    assert ChoirLease.objects.get(organisation=personas.org).cursor >= answered.messages.get(direction="inbound").pk


def test_a_restart_rebuilds_the_window_without_alarming_again(personas: Personas, channels: Any) -> None:
    now = timezone.now()
    for n in range(6):
        deliver(channels["x"], n, f"Nettet er nede, E431 ({n})", sent_at=now - timedelta(minutes=10 - n))
    watch.run(now, detector_factory=Factory())
    incident = Incident.objects.get()
    assert incident.message_count == 6
    assert Notification.objects.filter(kind="incident").count() == 2

    watch.forget()  # the process restarts: the window is rebuilt from the database
    factory = Factory()
    deliver(channels["facebook"], 7, "E431 her også", sent_at=now + timedelta(minutes=1))
    watch.run(now + timedelta(minutes=1), detector_factory=factory)
    assert len(factory.made[0].observed) == 7  # six replayed, one new
    assert Incident.objects.count() == 1
    incident.refresh_from_db()
    assert incident.message_count == 7
    assert set(incident.channels) == {"x", "facebook"}
    assert Notification.objects.filter(kind="incident").count() == 2


def test_a_second_process_waits_for_the_lease_then_takes_over_without_a_second_incident(
        personas: Personas, channels: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    now = timezone.now()
    for n in range(5):
        deliver(channels["x"], n, f"E431 i Bergen ({n})", sent_at=now - timedelta(minutes=5))
    watch.run(now, detector_factory=Factory())
    lease = ChoirLease.objects.get(organisation=personas.org)
    assert Incident.objects.count() == 1

    monkeypatch.setattr(watch, "HOLDER", "other-host:4242:cafe")
    deliver(channels["email"], 6, "E431 også her", public=False, sent_at=now)
    other = Factory()
    assert watch.run(now + timedelta(seconds=30), detector_factory=other) == 0  # the lease is still held
    assert other.made == []
    taken = now + watch.LEASE + timedelta(seconds=1)
    watch.run(taken, detector_factory=other)
    after = ChoirLease.objects.get(organisation=personas.org)
    assert (after.holder, after.generation) == ("other-host:4242:cafe", lease.generation + 1)
    assert Incident.objects.count() == 1
    assert Incident.objects.get().message_count == 6
    assert Notification.objects.filter(kind="incident").count() == 2


def test_a_message_and_a_ticket_belong_to_one_open_incident_at_a_time(personas: Personas, channels: Any) -> None:
    now = timezone.now()
    for n in range(5):
        deliver(channels["x"], n, f"E431 nede ({n})", sent_at=now - timedelta(minutes=5))
    watch.run(now, detector_factory=Factory())
    first = Incident.objects.get()
    ticket = Ticket.objects.order_by("pk").first()
    # A group holding a message of an incident opens nothing (a second watcher racing the first).
    view = GroupView(9, (ticket.messages.get().pk,), now, ("annet",), ("nb",), ("x",), 10.0, 1.0)
    assert watch.open_incident(personas.org.pk, view, now) is None
    second = Incident.objects.create(organisation=personas.org, title="Annet", started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentTicket.objects.create(incident=second, ticket=ticket)
    IncidentTicket.objects.filter(incident=first).update(open=False)  # what ending an incident does
    IncidentTicket.objects.create(incident=second, ticket=ticket)
    assert IncidentTicket.objects.filter(ticket=ticket, open=True).get().incident == second


def test_the_window_memory_is_pruned_with_the_detector(personas: Personas, channels: Any) -> None:
    now = timezone.now()
    for n in range(5):
        deliver(channels["x"], n, f"E431 ({n})", sent_at=now - timedelta(minutes=5))
    factory = Factory(window=timedelta(minutes=30))
    watch.run(now, detector_factory=factory)
    state = watch._STATES[personas.org.pk]
    assert state.incidents == {1: Incident.objects.get().pk}
    watch.run(now + timedelta(hours=1), detector_factory=factory)  # the group left the window
    assert state.incidents == {}
    assert watch.memory_bytes() == 0


def test_one_organisation_failing_does_not_stop_the_others(personas: Personas, channels: Any,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    now = timezone.now()
    for n in range(5):
        deliver(channels["x"], n, f"E431 ({n})", sent_at=now - timedelta(minutes=5))
    working = Factory()

    def factory(organisation_id: int) -> KeywordChoir:
        if organisation_id == personas.other_org.pk:
            raise OSError("the model file is unreadable")
        return working(organisation_id)

    assert watch.run(now, detector_factory=factory) == 5
    assert Incident.objects.filter(organisation=personas.org).count() == 1
    assert "choir watch of organisation" in caplog.text and personas.other_org.pk not in watch._STATES


def test_a_new_organisation_starts_after_its_history(personas: Personas, channels: Any) -> None:
    now = timezone.now()
    for n in range(6):
        deliver(channels["x"], n, f"E431 for lenge siden ({n})", sent_at=now - timedelta(days=3))
    factory = Factory()
    watch.run(now, detector_factory=factory)
    assert factory.made[0].observed == []
    assert not Incident.objects.exists()


# -- pages and the API -----------------------------------------------------------------------------------------------

def make_incident(personas: Personas, channels: Any) -> Incident:
    now = timezone.now()
    for n in range(5):
        deliver(channels["x" if n % 2 else "email"], n, f"Ruteren viser E431 ({n})", public=bool(n % 2),
                sent_at=now - timedelta(minutes=5 - n))
    watch.run(now, detector_factory=Factory())
    return Incident.objects.get()


def test_the_pages_show_the_incident_to_agents_and_analysts_masked(personas: Personas, channels: Any) -> None:
    incident = make_incident(personas, channels)
    Ticket.objects.filter(incident_links__incident=incident, conversation__channel__kind="email").update(
        team=personas.team)
    listing = client_for(personas.agent).get("/incidents/")
    assert listing.status_code == 200 and incident.title in listing.content.decode()
    page = client_for(personas.agent).get(f"/incidents/{incident.pk}/").content.decode()
    assert "E431" in page and 'id="reply-all"' in page and 'id="resolve"' not in page  # agents: no resolve
    analyst = client_for(personas.analyst).get(f"/incidents/{incident.pk}/").content.decode()
    assert "E431" in analyst and 'id="reply-all"' not in analyst and "Kari Nordmann" not in analyst
    assert "Kari Nordmann" in client_for(personas.supervisor).get(f"/incidents/{incident.pk}/").content.decode()
    assert client_for(personas.outsider).get(f"/incidents/{incident.pk}/").status_code == 404
    banner = client_for(personas.agent).get("/incidents/banner/").content.decode()
    assert f'/incidents/{incident.pk}/' in banner
    # The inbox's header includes the banner with one tag (it refreshes itself when tickets change).
    request = RequestFactory().get("/inbox/")
    request.user = personas.agent
    html = Template("{% load incidents %}{% incident_banner %}").render(Context({"request": request}))
    assert f'data-incident="{incident.pk}"' in html and 'hx-get="/incidents/banner/"' in html
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.RESOLVED)
    quiet = Template("{% load incidents %}{% incident_banner %}").render(Context({"request": request}))
    assert 'id="incident-banner"' in quiet and "data-incident" not in quiet  # the slot stays for the next one


def test_the_api_lists_and_shows_incidents(personas: Personas, channels: Any, api: ApiClient) -> None:
    incident = make_incident(personas, channels)
    listing = api.get("/api/v1/incidents?status=open").json()
    assert [item["id"] for item in listing["items"]] == [incident.pk] and listing["next_cursor"] is None
    detail = api.get(f"/api/v1/incidents/{incident.pk}").json()
    assert detail["message_count"] == 5 and set(detail["examples"]) == {"x", "email"}
    assert all("E431" in text for texts in detail["examples"].values() for text in texts)
    assert sorted(detail["tickets"]) == sorted(Ticket.objects.values_list("pk", flat=True))
    assert api.get("/api/v1/incidents?status=resolved").json()["items"] == []
    assert api.get("/api/v1/incidents?status=nope").status_code == 422
    other = Organisation.objects.get(slug="other")
    from webcare.core.models import ApiToken

    _, token = ApiToken.issue(other, "other")
    assert ApiClient(token).get(f"/api/v1/incidents/{incident.pk}").status_code == 404


# -- the storm itself ------------------------------------------------------------------------------------------------

def test_the_storm_is_varied_and_the_same_for_a_seed() -> None:
    now = timezone.now()
    kinds = [("x", True), ("facebook", True), ("email", False)]
    first = storm.storm_messages(kinds, now, count=40, minutes=30, seed=3, stamp="s")
    assert first == storm.storm_messages(kinds, now, count=40, minutes=30, seed=3, stamp="s")
    assert len({m.payload["text"] for m in first}) >= 25
    assert {m.language for m in first} == {"nb", "sv", "da", "en"}
    times = [datetime.fromisoformat(m.payload["sent_at"]) for m in first]
    assert times == sorted(times) and now - timedelta(minutes=30) <= times[0] and times[-1] <= now
    assert {m.channel_kind for m in first} == {"x", "facebook", "email"}
    with pytest.raises(ValueError, match="at least one channel"):
        storm.storm_messages([], now)


def test_the_storm_command_needs_an_organisation_with_channels(db: None) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no organisation 'nowhere'"):
        call_command("storm", "--organisation", "nowhere", "--at-once")
    Organisation.objects.create(slug="empty", name="Empty")
    with pytest.raises(CommandError, match="no active channel"):
        call_command("storm", "--organisation", "empty", "--at-once")
