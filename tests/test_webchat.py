"""The web chat's endpoints as the widget uses them, and the whole way: widget → worker → ticket → agent's reply →
sender → widget.

A ``Visitor`` is a Django test client playing the widget on the brand's site: it sends the site's ``Origin`` and the
chat token the way the widget does.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from webcare.channels.base import Action, HealthStatus, OutboundRequest, SendError
from webcare.channels.models import JobStatus, OutboundJob
from webcare.channels.registry import connector_for
from webcare.channels.sender import send_due
from webcare.channels.webchat import WebChatConnector, parse_origins
from webcare.conversations.models import DeliveryStatus, Message
from webcare.core.models import Channel, hash_token
from webcare.ingest.models import InboundEvent
from webcare.ingest.worker import drain
from webcare.knowledge.loader import DEMO_FILE, load_file
from webcare.tickets.actions import do_reply
from webcare.tickets.models import Ticket
from webcare.webchat import tokens
from webcare.webchat.models import ChatSession
from webcare.webchat.reading import SETTLE, messages_after

pytestmark = pytest.mark.django_db
SITE = "https://www.fjordnett.example"


@pytest.fixture
def chat(personas: Personas) -> Channel:
    load_file(personas.org, DEMO_FILE)
    return Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat", name="Fjordnett chat",
                                  settings={"allowed_origins": f"{SITE}, https://FjordNett.example/"})


class Visitor:
    """The widget on a page of ``origin``."""

    def __init__(self, channel: Channel, origin: str | None = SITE) -> None:
        self.client = Client()
        self.base = f"/chat/{channel.webhook_key}/"
        self.origin = origin
        self.token = ""

    def headers(self, token: bool = True, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if self.origin is not None:
            headers["Origin"] = self.origin
        if token and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def post(self, path: str, body: Any, token: bool = True) -> Any:
        return self.client.post(self.base + path, data=body, content_type="application/json",
                                headers=self.headers(token))

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self.base + path, data=params, headers=self.headers())

    def start(self, **body: str) -> Any:
        response = self.post("session", body, token=False)
        if response.status_code == 201:
            self.token = response.json()["token"]
        return response

    def send(self, text: str, message_id: str | None = None) -> Any:
        return self.post("messages", {"id": message_id or str(uuid.uuid4()), "text": text})

    def read(self, after: int | str = 0) -> Any:
        return self.get("messages", after=after)


def session_of(visitor: Visitor) -> ChatSession:
    return ChatSession.objects.get(token_hash=hash_token(visitor.token))


# -- the whole way -----------------------------------------------------------------------------------------------

def test_it_carries_a_chat_to_a_ticket_and_the_agents_reply_back_to_the_widget(personas: Personas,
                                                                               chat: Channel) -> None:
    visitor = Visitor(chat)
    assert visitor.start(name="Ola Nordmann", email="ola@example.no", language="nb").status_code == 201
    message_id = str(uuid.uuid4())
    sent = visitor.send("Hei! Fakturaen min er dobbelt så høy denne måneden.", message_id)
    assert sent.status_code == 202
    assert sent.json() == {"id": message_id, "duplicate": False}

    drain()
    session = session_of(visitor)
    ticket = Ticket.objects.select_related("conversation").get(conversation__channel=chat)
    assert ticket.conversation.external_id == str(session.conversation_id)
    assert ticket.conversation.kind == "private"
    inbound = Message.objects.get(ticket=ticket)
    assert (inbound.external_id, inbound.direction, inbound.is_public) == (message_id, "inbound", False)
    assert inbound.text == "Hei! Fakturaen min er dobbelt så høy denne måneden."
    identity = inbound.author_identity
    assert identity is not None
    assert (identity.platform, identity.external_id) == ("webchat", str(session.visitor_id))
    assert (identity.handle, identity.display_name) == ("ola@example.no", "Ola Nordmann")
    assert identity.customer.name == "Ola Nordmann"
    assert ticket.customer_id == identity.customer_id

    shown = visitor.read().json()
    assert [(m["id"], m["client_id"], m["from"], m["text"]) for m in shown["messages"]] == [
        (inbound.pk, message_id, "visitor", inbound.text)]

    reply = do_reply(ticket, personas.agent, "Hei Ola! Den første fakturaen etter et bytte dekker to perioder.")
    assert reply.delivery_status == DeliveryStatus.QUEUED
    before_sending = visitor.read(shown["cursor"]).json()["messages"]
    assert all(m["from"] == "visitor" for m in before_sending)  # a queued reply is not shown

    tally = send_due()
    assert (tally.sent, tally.failed) == (1, 0)
    job = OutboundJob.objects.get(message=reply)
    assert job.status == JobStatus.SENT
    assert job.request["conversation_id"] == str(session.conversation_id)
    assert job.request["target_id"] == message_id
    assert job.request["recipient"]["id"] == str(session.visitor_id)
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", f"webchat:{job.idempotency_key}")

    after = visitor.read(shown["cursor"]).json()["messages"]
    agent = [m for m in after if m["from"] == "agent"]
    assert agent == [{"id": reply.pk, "client_id": "", "from": "agent", "author": "Kari",
                      "text": "Hei Ola! Den første fakturaen etter et bytte dekker to perioder.",
                      "sent_at": reply.sent_at.isoformat()}]


def test_the_cursor_never_passes_a_reply_that_is_not_sent_yet(personas: Personas, chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    visitor.send("Internett er tregt om kvelden")
    drain()
    ticket = Ticket.objects.get(conversation__channel=chat)
    reply = do_reply(ticket, personas.agent, "Har du prøvd å starte ruteren på nytt?")
    visitor.send("Og mobilnettet er nede også")
    drain()
    session = session_of(visitor)
    later = timezone.now() + SETTLE * 2  # every message has settled

    page = messages_after(session, 0, later)
    assert [m["from"] for m in page.messages] == ["visitor", "visitor"]
    assert page.cursor == reply.pk - 1  # held just below the queued reply, though a later message was shown

    send_due()
    page = messages_after(session, page.cursor, later)
    second = Message.objects.get(conversation__channel=chat, redacted_text="Og mobilnettet er nede også")
    assert [(m["from"], m["id"]) for m in page.messages] == [("agent", reply.pk), ("visitor", second.pk)]
    assert page.cursor == max(m["id"] for m in page.messages)


def test_the_cursor_waits_for_messages_stored_in_the_last_seconds(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    visitor.send("Hvor finner jeg PUK-koden?")
    drain()
    session = session_of(visitor)
    now = timezone.now()
    assert messages_after(session, 0, now).cursor == 0  # a lower id may still be committing elsewhere
    first = Message.objects.get(conversation__channel=chat)
    assert messages_after(session, 0, now + SETTLE * 2).cursor == first.pk

    Message.objects.filter(pk=first.pk).update(received_at=now - SETTLE * 2)
    visitor.send("Den står ikke på Min side")
    drain()
    page = messages_after(session, 0, timezone.now())
    assert len(page.messages) == 2
    assert page.cursor == first.pk  # past the settled message, not past the fresh one


# -- CORS ----------------------------------------------------------------------------------------------------------

def test_it_lets_an_allowed_site_read_the_answer_and_never_allows_credentials(chat: Channel) -> None:
    for origin in (SITE, "https://fjordnett.example"):  # the setting's case and trailing slash do not matter
        response = Visitor(chat, origin).get("config")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == origin
        assert "Origin" in response["Vary"]
        assert "Access-Control-Allow-Credentials" not in response
        assert response.json()["title"] == "Fjordnett chat"


@pytest.mark.parametrize(("origin", "error"), [
    ("https://evil.example", "origin https://evil.example is not allowed for this chat; allowed: "
                             "https://www.fjordnett.example, https://fjordnett.example"),
    ("http://www.fjordnett.example", "origin http://www.fjordnett.example is not allowed"),
    (None, "no Origin header"),
    ("null", "no Origin header"),
])
def test_it_refuses_other_origins_with_a_clear_403(chat: Channel, origin: str | None, error: str) -> None:
    visitor = Visitor(chat, origin)
    for response in (visitor.get("config"), visitor.start(), visitor.get("suggest", q="hvorfor er fakturaen høy")):
        assert response.status_code == 403
        assert error in response.json()["error"]
        assert "Access-Control-Allow-Origin" not in response
    assert not ChatSession.objects.exists()


def test_a_channel_without_allowed_origins_says_so(chat: Channel) -> None:
    chat.settings = {}
    chat.save()
    response = Visitor(chat).get("config")
    assert response.status_code == 403
    assert "has no allowed origins yet" in response.json()["error"]


def test_it_answers_the_preflight_for_allowed_origins_only(chat: Channel) -> None:
    visitor = Visitor(chat)
    preflight = visitor.client.options(visitor.base + "messages", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    allowed = {header.strip() for header in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"Authorization", "Content-Type"} <= allowed
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    refused = visitor.client.options(visitor.base + "messages", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_only_an_active_web_chat_channel_answers(personas: Personas, chat: Channel) -> None:
    assert Client().get("/chat/no-such-key/config", headers={"Origin": SITE}).status_code == 404
    api_channel = personas.channel  # an existing channel of another kind
    assert Client().get(f"/chat/{api_channel.webhook_key}/config", headers={"Origin": SITE}).status_code == 404
    chat.is_active = False
    chat.save()
    assert Visitor(chat).get("config").status_code == 404
    assert Client().get(f"/chat/{chat.webhook_key}/widget.js").status_code == 404


def test_a_wrong_method_is_a_405_the_widget_can_read(chat: Channel) -> None:
    visitor = Visitor(chat)
    response = visitor.client.put(visitor.base + "session", headers={"Origin": SITE})
    assert response.status_code == 405
    assert response.json()["error"] == "method PUT not allowed here; use POST"
    assert response["Access-Control-Allow-Origin"] == SITE


def test_the_platform_webhook_address_takes_nothing_for_web_chat(chat: Channel) -> None:
    response = Client().post(f"/hooks/{chat.webhook_key}/", data={}, content_type="application/json")
    assert response.status_code == 404
    assert not InboundEvent.objects.exists()


# -- sessions and tokens -------------------------------------------------------------------------------------------

def test_it_starts_a_session_storing_only_the_tokens_hash(chat: Channel) -> None:
    visitor = Visitor(chat)
    response = visitor.start(name="Ola", email="ola@example.no", language="nb")
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    token = response.json()["token"]
    session = ChatSession.objects.get()
    assert session.token_hash == hash_token(token) != token
    assert (session.name, session.email, session.language, session.origin) == ("Ola", "ola@example.no", "nb", SITE)
    assert session.channel == chat


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"email": "not-an-address"}, "email", "'not-an-address' is not an e-mail address"),
    ({"language": "de"}, "language", "unknown language 'de'"),
    ({"name": "x" * 101}, "name", "at most 100 characters"),
    ({"name": 7}, "name", "must be a string"),
    ([], "body", "expected a JSON object"),
])
def test_it_refuses_a_bad_session_naming_the_field(chat: Channel, body: Any, field: str, message: str) -> None:
    response = Visitor(chat).post("session", body, token=False)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert message in response.json()["error"]
    assert not ChatSession.objects.exists()


def test_it_refuses_a_body_that_is_not_json(chat: Channel) -> None:
    visitor = Visitor(chat)
    response = visitor.client.post(visitor.base + "session", data=b"{name", content_type="application/json",
                                   headers={"Origin": SITE})
    assert response.status_code == 400
    assert response.json()["field"] == "body"


@pytest.mark.parametrize(("header", "error"), [
    (None, "no chat token"),
    ("Bearer not-the-token", "the chat token is not valid for this chat"),
    ("Basic b2xhOnNlY3JldA==", "must be 'Bearer <chat token>'"),
])
def test_it_refuses_a_missing_or_wrong_token_with_401(chat: Channel, header: str | None, error: str) -> None:
    visitor = Visitor(chat)
    headers = {"Origin": SITE} | ({"Authorization": header} if header else {})
    for response in (
        visitor.client.get(visitor.base + "messages", headers=headers),
        visitor.client.post(visitor.base + "messages", data={"id": str(uuid.uuid4()), "text": "Hei"},
                            content_type="application/json", headers=headers),
    ):
        assert response.status_code == 401
        assert error in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_a_token_works_only_on_its_own_channel(personas: Personas, chat: Channel) -> None:
    other = Channel.objects.create(organisation=personas.org, kind="webchat", slug="chat-2", name="Other chat",
                                   settings={"allowed_origins": SITE})
    visitor = Visitor(chat)
    visitor.start()
    elsewhere = Visitor(other)
    elsewhere.token = visitor.token
    assert elsewhere.send("Hei").status_code == 401


def test_a_session_unused_for_a_month_is_over(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    ChatSession.objects.update(last_seen_at=timezone.now() - timedelta(days=tokens.SESSION_DAYS + 1))
    response = visitor.read()
    assert response.status_code == 401
    assert "ended after 30 days" in response.json()["error"]


# -- sending -------------------------------------------------------------------------------------------------------

def test_it_stores_the_message_as_a_normalised_private_inbound_event(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start(name="Ola", email="ola@example.no")
    message_id = str(uuid.uuid4())
    assert visitor.send("  Hvor finner jeg PUK-koden?  ", message_id).status_code == 202
    event = InboundEvent.objects.get()
    session = ChatSession.objects.get()
    assert (event.channel, event.source, event.external_id) == (chat, "webhook", message_id)
    payload = event.payload
    assert payload["message_id"] == message_id
    assert payload["conversation_id"] == str(session.conversation_id)
    assert (payload["conversation_kind"], payload["direction"]) == ("private", "inbound")
    assert payload["author"] == {"id": str(session.visitor_id), "handle": "ola@example.no", "name": "Ola"}
    assert payload["text"] == "Hvor finner jeg PUK-koden?"
    assert event.raw == {"session": session.pk, "id": message_id, "text": "Hvor finner jeg PUK-koden?"}


def test_an_anonymous_visitor_gets_a_handle_agents_can_tell_apart(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    visitor.send("Hei, er nettet nede?")
    session = ChatSession.objects.get()
    assert InboundEvent.objects.get().payload["author"]["handle"] == f"visitor-{str(session.visitor_id)[:8]}"


def test_a_resend_of_the_same_message_is_stored_once(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    message_id = str(uuid.uuid4())
    first = visitor.send("Hei, er nettet nede?", message_id)
    again = visitor.send("Hei, er nettet nede?", message_id)
    assert (first.status_code, again.status_code) == (202, 202)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert InboundEvent.objects.count() == 1
    drain()
    assert Message.objects.filter(channel=chat).count() == 1


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"id": "not-a-uuid", "text": "Hei"}, "id", "must be a UUID"),
    ({"text": "Hei"}, "id", "must not be empty"),
    ({"id": str(uuid.uuid4())}, "text", "must not be empty"),
    ({"id": str(uuid.uuid4()), "text": "   "}, "text", "must not be empty"),
    ({"id": str(uuid.uuid4()), "text": "x" * 5001}, "text", "at most 5000 characters"),
    ({"id": str(uuid.uuid4()), "text": ["Hei"]}, "text", "must be a string"),
    (["Hei"], "body", "expected a JSON object"),
])
def test_it_refuses_a_bad_message_naming_the_field_and_stores_nothing(chat: Channel, body: Any, field: str,
                                                                      message: str) -> None:
    visitor = Visitor(chat)
    visitor.start()
    response = visitor.post("messages", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert message in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_it_limits_how_fast_one_session_sends(chat: Channel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "SEND_LIMIT", 3)
    visitor = Visitor(chat)
    visitor.start()
    assert [visitor.send(f"Melding {n}").status_code for n in range(3)] == [202, 202, 202]
    refused = visitor.send("Melding 4")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Expose-Headers"] == "Retry-After"
    assert InboundEvent.objects.count() == 3

    other = Visitor(chat)  # another visitor is not held back by this one
    other.start()
    assert other.send("Hei").status_code == 202

    ChatSession.objects.filter(token_hash=hash_token(visitor.token)).update(
        window_started_at=timezone.now() - tokens.SEND_WINDOW)
    assert visitor.send("Melding 4").status_code == 202


def test_it_refuses_a_cursor_that_is_not_a_message_id(chat: Channel) -> None:
    visitor = Visitor(chat)
    visitor.start()
    response = visitor.read("abc")
    assert response.status_code == 400
    assert response.json()["field"] == "after"
    assert visitor.read(0).json() == {"messages": [], "cursor": 0}  # nothing stored yet


# -- suggested answers ---------------------------------------------------------------------------------------------

def test_it_suggests_articles_while_the_visitor_types_without_a_session(chat: Channel) -> None:
    visitor = Visitor(chat)
    response = visitor.get("suggest", q="Hvorfor er fakturaen min så høy?", lang="nb")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SITE
    first = response.json()["suggestions"][0]
    assert first["question"] == "Hvorfor er fakturaen min høyere enn vanlig?"
    assert first["language"] == "nb"
    assert first["answer"].startswith("Den første fakturaen etter et bytte")


@pytest.mark.parametrize("query", ["faktura", "Jeg liker å gå tur i skogen med hunden min", ""])
def test_it_suggests_nothing_for_short_or_unrelated_text(chat: Channel, query: str) -> None:
    assert Visitor(chat).get("suggest", q=query, lang="nb").json() == {"suggestions": []}


@pytest.mark.parametrize(("params", "field"), [({"q": "x" * 501}, "q"), ({"q": "hvorfor er fakturaen høy",
                                                                          "lang": "de"}, "lang")])
def test_it_refuses_bad_suggestion_queries_naming_the_field(chat: Channel, params: dict[str, str],
                                                            field: str) -> None:
    response = Visitor(chat).get("suggest", **params)
    assert response.status_code == 400
    assert response.json()["field"] == field


# -- the script and the connector ----------------------------------------------------------------------------------

def test_it_serves_the_widget_script_with_its_styles_inlined(chat: Channel) -> None:
    response = Client().get(f"/chat/{chat.webhook_key}/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "attachShadow" in body
    assert "var CSS = \"/* The web chat widget" in body  # the stylesheet as one JS string
    assert "{{" not in body and "{%" not in body


def test_the_connector_confirms_replies_and_nothing_else(chat: Channel) -> None:
    connector = connector_for(chat)
    assert isinstance(connector, WebChatConnector)
    assert connector.webhook is False and connector.idempotent_sends is True
    result = connector.send(OutboundRequest(action=Action.REPLY, idempotency_key="k-1", text="Hei",
                                            conversation_id="c-1"))
    assert result.external_id == "webchat:k-1"
    with pytest.raises(SendError, match="web chat cannot hide") as caught:
        connector.send(OutboundRequest(action=Action.HIDE, idempotency_key="k-2", target_id="m-1"))
    assert caught.value.retryable is False


@pytest.mark.parametrize(("origins", "status", "detail"), [
    (f"{SITE} https://fjordnett.example", HealthStatus.OK, f"widget allowed on {SITE}, https://fjordnett.example"),
    ("", HealthStatus.FAILING, "no allowed origins"),
    ("www.fjordnett.example", HealthStatus.FAILING, "'www.fjordnett.example' is not an address"),
])
def test_the_health_check_names_a_missing_or_bad_origin(chat: Channel, origins: str, status: HealthStatus,
                                                        detail: str) -> None:
    chat.settings = {"allowed_origins": origins}
    report = WebChatConnector(chat).check()
    assert report.status == status
    assert detail in report.detail


def test_origins_are_normalised_as_browsers_send_them() -> None:
    assert parse_origins("https://WWW.Fjordnett.no/kontakt, http://localhost:8000/\nhttps://a.example:443") == [
        "https://www.fjordnett.no", "http://localhost:8000", "https://a.example"]
    assert parse_origins(["https://a.example/"]) == ["https://a.example"]


def test_the_desk_previews_the_widget_on_its_own_page(personas: Personas) -> None:
    """An admin can try a chat before the brand's site carries it: the preview page embeds the widget, and the desk's
    own origin may use the chat even when no site is allowed yet; other origins still may not."""
    channel = Channel.objects.create(organisation=personas.org, kind="webchat", slug="new-chat", name="New chat")
    page = Client().get(f"/chat/{channel.webhook_key}/preview")
    assert page.status_code == 200
    assert f'<script src="/chat/{channel.webhook_key}/widget.js" async></script>' in page.content.decode()
    assert Visitor(channel, "http://testserver").get("config").status_code == 200
    # Browsers send no Origin on same-origin GETs, only Sec-Fetch-Site.
    same_site = Client().get(f"/chat/{channel.webhook_key}/config", headers={"Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 200
    cross = Client().get(f"/chat/{channel.webhook_key}/config", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert Visitor(channel, "https://elsewhere.example").get("config").status_code == 403
    assert Client().get("/chat/not-a-key/preview").status_code == 404
