"""Customers' names for Messenger and Instagram direct messages, which carry only an id: looked up once per nameless
customer, after people's replies, never over a name someone typed, and not at all where the brand says no."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Personas
from tests.test_channel_facebook import AUTH, PAGE, PROOF, PSID, chatwoot, deliver
from webcare.channels import sender
from webcare.channels.base import Action
from webcare.channels.meta import GRAPH_VERSION
from webcare.channels.models import JobStatus, OutboundJob
from webcare.conversations.models import Message
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.ingest.worker import drain
from webcare.live.models import LiveEvent
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket

APP_SECRET = "app-secret-for-tests"
TOKEN = "EAAB-page-token-for-tests"


def _page(personas: Personas, httpserver: Any, **settings: Any) -> Channel:
    channel = Channel.objects.create(organisation=personas.org, kind="facebook", slug="fb", name="Fjordnett",
                                     settings={"page_id": PAGE, "api_base_url": httpserver.url_for("").rstrip("/"),
                                               **settings})
    channel.set_credentials({"page_access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    return channel


def _profile_request(httpserver: Any) -> Any:
    return httpserver.expect_ordered_request(
        f"/{GRAPH_VERSION}/{PSID}", method="GET", headers=AUTH,
        query_string={"fields": "first_name,last_name,name", "appsecret_proof": PROOF})


def _jobs(channel: Channel) -> list[OutboundJob]:
    return list(OutboundJob.objects.filter(channel=channel, action=Action.FETCH_PROFILE))


def test_a_new_messenger_customer_is_named_from_the_profile(personas: Personas, httpserver: Any) -> None:
    page = _page(personas, httpserver)
    deliver(page, chatwoot("incoming_fb_text_message.json", entry_time=int(time.time())))
    drain()
    identity = Identity.objects.get(platform="facebook", external_id=PSID)
    assert identity.display_name == ""
    assert [job.request for job in _jobs(page)] == [{"identity_id": identity.pk}]
    _profile_request(httpserver).respond_with_json({"first_name": "Kari", "last_name": "Nordmann",
                                                    "name": "Kari Nordmann", "id": PSID})
    newest = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    assert sender.send_due().sent == 1

    httpserver.check_assertions()
    identity.refresh_from_db()
    assert identity.display_name == "Kari Nordmann"
    assert Customer.objects.get(pk=identity.customer_id).name == "Kari Nordmann"
    assert set(Message.objects.filter(author_identity=identity).values_list("author_name", flat=True)) == {
        "Kari Nordmann"}
    ticket = Ticket.objects.get(conversation__channel=page)
    assert LiveEvent.objects.filter(id__gt=newest, kind="tickets", data__tickets=[ticket.pk]).exists()


def test_a_reply_goes_before_the_lookup_and_a_second_message_asks_nothing(personas: Personas,
                                                                          httpserver: Any) -> None:
    page = _page(personas, httpserver)
    now = int(time.time())
    deliver(page, chatwoot("incoming_fb_text_message.json", entry_time=now))
    drain()
    ticket = Ticket.objects.get(conversation__channel=page)
    httpserver.expect_ordered_request(f"/{GRAPH_VERSION}/{PAGE}/messages", method="POST").respond_with_json(
        {"recipient_id": PSID, "message_id": "m_sent_1"})
    _profile_request(httpserver).respond_with_json({"name": "Kari Nordmann"})
    do_reply(ticket, personas.agent, "Hei! Hva gjelder det?")
    assert sender.send_due().sent == 2  # the agent's reply first, then the lookup
    httpserver.check_assertions()
    again = chatwoot("incoming_fb_text_message.json", entry_time=now + 5)
    again["entry"][0]["messaging"][0]["message"]["mid"] = "m_second"
    deliver(page, again)
    drain()
    assert len(_jobs(page)) == 1  # she has a name now


def test_a_name_typed_meanwhile_is_kept_and_the_platform_not_asked(personas: Personas, httpserver: Any) -> None:
    page = _page(personas, httpserver)
    deliver(page, chatwoot("incoming_fb_text_message.json", entry_time=int(time.time())))
    drain()
    Identity.objects.filter(external_id=PSID).update(display_name="Kari N. (typed by an agent)")
    assert sender.send_due().sent == 1
    assert httpserver.log == []
    assert Identity.objects.get(external_id=PSID).display_name == "Kari N. (typed by an agent)"


def test_a_brand_that_wants_no_profile_data_asked_for_gets_none(personas: Personas, httpserver: Any) -> None:
    page = _page(personas, httpserver, lookup_profiles=False)
    deliver(page, chatwoot("incoming_fb_text_message.json", entry_time=int(time.time())))
    drain()
    assert _jobs(page) == []


def test_a_failed_lookup_is_retried_and_then_names_the_customer(personas: Personas, httpserver: Any,
                                                                settings: Any) -> None:
    settings.WEBCARE_SEND_RETRY_BASE_SECONDS = 0
    page = _page(personas, httpserver)
    deliver(page, chatwoot("incoming_fb_text_message.json", entry_time=int(time.time())))
    drain()
    _profile_request(httpserver).respond_with_json({"error": {"message": "temporarily down", "code": 2}},
                                                   status=503)
    _profile_request(httpserver).respond_with_json({"name": "Kari Nordmann"})
    tally = sender.send_due()
    assert (tally.retrying, tally.sent) == (1, 1)
    assert _jobs(page)[0].status == JobStatus.SENT
    assert Identity.objects.get(external_id=PSID).display_name == "Kari Nordmann"


def test_an_instagram_customer_gets_name_and_username(personas: Personas, httpserver: Any) -> None:
    from tests.test_channel_instagram import ACCOUNT

    channel = Channel.objects.create(organisation=personas.org, kind="instagram", slug="ig", name="Fjordnett",
                                     settings={"instagram_account_id": ACCOUNT,
                                               "api_base_url": httpserver.url_for("").rstrip("/")})
    channel.set_credentials({"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "v"})
    channel.save()
    igsid = "1790123456789012"
    body = {"object": "instagram", "entry": [{"id": ACCOUNT, "time": int(time.time()), "messaging": [{
        "sender": {"id": igsid}, "recipient": {"id": ACCOUNT}, "timestamp": int(time.time() * 1000),
        "message": {"mid": "aWdfZAG1faXRlbTox", "text": "Hei, når kommer fiberen til Ålesund?"}}]}]}
    deliver(channel, body)
    drain()
    httpserver.expect_ordered_request(f"/{GRAPH_VERSION}/{igsid}", method="GET", headers=AUTH,
                                      query_string={"fields": "name,username", "appsecret_proof": PROOF}
                                      ).respond_with_json({"name": "Ola Hansen", "username": "olahansen",
                                                           "id": igsid})
    assert sender.send_due().sent == 1
    httpserver.check_assertions()
    identity = Identity.objects.get(platform="instagram", external_id=igsid)
    assert (identity.display_name, identity.handle) == ("Ola Hansen", "@olahansen")
