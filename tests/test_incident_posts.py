"""Proactive public posts during an incident: a new ``post`` capability of the channels layer. The exact requests to
X (``POST /2/tweets``) and Facebook (``POST /{page-id}/feed``) against stubs, X's own length count, and channels
that cannot post refused before anything is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer

from tests.conftest import Personas, client_for
from webcare.channels.base import Action, Capability, SendError
from webcare.channels.meta import GRAPH_VERSION
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.outbound import POSTS_THREAD, OutboundError, do_retry, queue_post
from webcare.channels.registry import CONNECTORS, connector_class
from webcare.channels.sender import send_due
from webcare.channels.x import weighted_length
from webcare.conversations.models import DeliveryStatus, Message
from webcare.core.models import Agent, Channel
from webcare.incidents.actions import IncidentError, do_publish_post, postable_channels
from webcare.incidents.models import Incident, IncidentDelivery, IncidentUpdate, UpdateKind

pytestmark = pytest.mark.django_db

PAGE = "117172741761305"
PAGE_TOKEN = "EAAB-page-token-for-tests"
APP_SECRET = "app-secret-for-tests"
PROOF = hmac.new(APP_SECRET.encode(), PAGE_TOKEN.encode(), hashlib.sha256).hexdigest()
BEARER = "user-context-token"
TEXT = "Vi vet om et fiberbrudd i Bergen og jobber med saken. Oppdatering kommer her."


@pytest.fixture
def stubbed(personas: Personas, httpserver: HTTPServer) -> dict[str, Channel]:
    base = httpserver.url_for("").rstrip("/")
    x = Channel.objects.create(organisation=personas.org, kind="x", slug="x", name="Fjordnett on X",
                               settings={"api_base_url": base, "user_id": "2244994945", "rate_per_second": 1000})
    x.set_credentials({"consumer_secret": "consumer-secret", "bearer_token": BEARER})
    x.save()
    facebook = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb", name="Fjordnett",
                                      settings={"page_id": PAGE, "api_base_url": base, "rate_per_second": 1000})
    facebook.set_credentials({"page_access_token": PAGE_TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    facebook.save()
    instagram = Channel.objects.create(organisation=personas.org, kind="instagram", slug="ig", name="@fjordnett",
                                       settings={"simulate": True})
    email = Channel.objects.create(organisation=personas.org, kind="email", slug="mail", name="Kundeservice",
                                   settings={"simulate": True})
    return {"x": x, "facebook": facebook, "instagram": instagram, "email": email}


@pytest.fixture
def incident(personas: Personas) -> Incident:
    return Incident.objects.create(organisation=personas.org, title="Fiberbrudd i Bergen",
                                   started_at=timezone.now() - timedelta(minutes=20))


def lead(personas: Personas) -> Agent:
    return Agent.objects.select_related("organisation").get(user=personas.supervisor)


def test_a_post_on_x_is_the_documented_request(personas: Personas, stubbed: Any, incident: Incident,
                                               httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(
        "/2/tweets", method="POST", headers={"Authorization": f"Bearer {BEARER}"}, json={"text": TEXT},
    ).respond_with_json({"data": {"id": "1860000000000000900", "text": TEXT}}, status=201)
    update = do_publish_post(incident, lead(personas), {stubbed["x"].pk: TEXT})
    assert update.sent == 1
    assert send_due().sent == 1
    httpserver.check_assertions()
    post = Message.objects.get(conversation__external_id=POSTS_THREAD)
    assert (post.external_id, post.delivery_status, post.is_public, post.ticket_id) == (
        "1860000000000000900", DeliveryStatus.SENT, True, None)
    assert post.author_agent == personas.supervisor
    assert IncidentDelivery.objects.get(update=update).message == post
    assert OutboundJob.objects.get(message=post).action == Action.POST


def test_a_post_on_a_facebook_page_is_the_documented_request(personas: Personas, stubbed: Any, incident: Incident,
                                                             httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(
        f"/{GRAPH_VERSION}/{PAGE}/feed", method="POST", headers={"Authorization": f"Bearer {PAGE_TOKEN}"},
        query_string={"appsecret_proof": PROOF}, json={"message": TEXT},
    ).respond_with_json({"id": f"{PAGE}_555000111"})
    do_publish_post(incident, lead(personas), {stubbed["facebook"].pk: TEXT})
    assert send_due().sent == 1
    httpserver.check_assertions()
    assert Message.objects.get(channel=stubbed["facebook"]).external_id == f"{PAGE}_555000111"


def test_one_action_posts_on_several_channels_with_a_text_each(personas: Personas, stubbed: Any,
                                                               incident: Incident, httpserver: HTTPServer) -> None:
    short = "Fiberbrudd i Bergen: vi jobber med det."
    httpserver.expect_request("/2/tweets", method="POST", json={"text": short}).respond_with_json(
        {"data": {"id": "77"}}, status=201)
    httpserver.expect_request(f"/{GRAPH_VERSION}/{PAGE}/feed", method="POST", json={"message": TEXT}
                              ).respond_with_json({"id": f"{PAGE}_1"})
    client = client_for(personas.supervisor)
    response = client.post(f"/incidents/{incident.pk}/post/", {
        f"on_{stubbed['x'].pk}": "on", f"post_{stubbed['x'].pk}": short,
        f"on_{stubbed['facebook'].pk}": "on", f"post_{stubbed['facebook'].pk}": TEXT,
        f"post_{stubbed['instagram'].pk}": "not ticked: not posted"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Queued for Fjordnett, Fjordnett on X." in response.content.decode()
    assert send_due().sent == 2
    httpserver.check_assertions()
    assert IncidentUpdate.objects.get(kind=UpdateKind.POST).texts == {str(stubbed["x"].pk): short,
                                                                       str(stubbed["facebook"].pk): TEXT}


@pytest.mark.parametrize("kind", ["instagram", "email"])
def test_a_channel_that_cannot_post_is_refused_and_nothing_is_stored(personas: Personas, stubbed: Any,
                                                                     incident: Incident, kind: str) -> None:
    channel = stubbed[kind]
    with pytest.raises(IncidentError, match=f"{channel.name}: .* cannot publish posts") as refused:
        do_publish_post(incident, lead(personas), {stubbed["x"].pk: TEXT, channel.pk: TEXT})
    assert refused.value.field == f"texts.{channel.pk}"
    assert not Message.objects.exists() and not OutboundJob.objects.exists() and not IncidentUpdate.objects.exists()
    assert [c.kind for c in postable_channels(incident)] == ["facebook", "x"]


def test_every_connector_declares_whether_it_posts() -> None:
    posting = {kind for kind in CONNECTORS if Capability.POST in connector_class(kind).capabilities}
    assert posting == {"x", "facebook"}
    for kind in posting:
        assert connector_class(kind).post_limit > 0


def test_x_counts_a_post_as_x_does_and_refuses_one_too_long(personas: Personas, stubbed: Any,
                                                            incident: Incident) -> None:
    assert weighted_length("Hei på deg, Åse!") == 16  # Latin letters with diacritics count one
    assert weighted_length("🌧️ nede") == 2 + 1 + 4  # an emoji counts two, its variation selector nothing
    assert weighted_length("Se https://fjordnett.example/drift/bergen/2026/11/26 nå") == 3 + 23 + 3
    assert weighted_length("日本") == 4
    assert weighted_length("👨\u200d👩\u200d👧 👍🏽") == 2 + 1 + 2  # a family and a toned thumb: one emoji each
    exact = "a" * 280
    assert do_publish_post(incident, lead(personas), {stubbed["x"].pk: exact}).sent == 1
    with pytest.raises(IncidentError, match="at most 280 characters in a post; this text has 281"):
        do_publish_post(incident, lead(personas), {stubbed["x"].pk: "a" * 279 + "😀"})
    with pytest.raises(IncidentError, match="at least one channel"):
        do_publish_post(incident, lead(personas), {stubbed["x"].pk: "   "})
    with pytest.raises(IncidentError, match="no such channel"):
        do_publish_post(incident, lead(personas), {999_999: TEXT})
    assert Message.objects.count() == 1


def test_the_connector_refuses_a_post_it_cannot_make_even_if_queued_by_hand(stubbed: Any) -> None:
    from webcare.channels.base import OutboundRequest
    from webcare.channels.x import XConnector

    with pytest.raises(SendError, match="at most 280"):
        XConnector(stubbed["x"]).send(OutboundRequest(Action.POST, "key", text="x" * 281))
    with pytest.raises(OutboundError, match="switched off"):
        stubbed["x"].is_active = False
        queue_post(stubbed["x"], TEXT, None)


def test_a_failed_post_says_why_and_can_be_retried(personas: Personas, stubbed: Any, incident: Incident,
                                                   httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/2/tweets", method="POST").respond_with_json(
        {"title": "Forbidden", "detail": "You are not allowed to create a Tweet with duplicate content."}, status=403)
    httpserver.expect_ordered_request("/2/tweets", method="POST", json={"text": TEXT}).respond_with_json(
        {"data": {"id": "1860000000000000901"}}, status=201)
    do_publish_post(incident, lead(personas), {stubbed["x"].pk: TEXT})
    assert send_due().failed == 1
    post = Message.objects.get()
    assert post.delivery_status == DeliveryStatus.FAILED and "duplicate content" in post.delivery_error
    page = client_for(personas.supervisor).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Fjordnett on X: failed" in page and "duplicate content" in page  # in the platform's own words
    do_retry(post, personas.supervisor)
    assert send_due().sent == 1
    post.refresh_from_db()
    assert post.external_id == "1860000000000000901"
    assert OutboundJob.objects.get().status == JobStatus.SENT


def test_a_double_submission_posts_once(personas: Personas, stubbed: Any, incident: Incident) -> None:
    from webcare.incidents.actions import new_token

    token = new_token()
    first = do_publish_post(incident, lead(personas), {stubbed["x"].pk: TEXT}, token=token)
    again = do_publish_post(incident, lead(personas), {stubbed["x"].pk: TEXT}, token=token)
    assert again.pk == first.pk and OutboundJob.objects.count() == 1
