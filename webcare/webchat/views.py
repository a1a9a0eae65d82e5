"""The customer's side of the web chat, under ``/chat/<channel.webhook_key>/``.

- ``widget.js``: the script the brand embeds (vanilla JS, styles inside a shadow root; no build, no CDN).
- ``config`` (GET): the title and colour; the widget renders only if this answers, i.e. on an allowed site.
- ``session`` (POST ``{name?, email?, language?}``): starts a chat; answers ``{token}`` once, 201.
- ``messages`` (POST ``{id, text}``): the visitor's message, stored as an inbound event like any webhook delivery
  (202; the same ``id`` again is a duplicate, stored once). (GET ``?after=<id>``): the messages to show.
- ``suggest`` (GET ``?q=&lang=``): FAQ articles matching what the visitor is typing, no token needed: each with its
  answer as plain text and the absolute link of its public help page (``/help/<organisation>/<slug>/?lang=``).

Every endpoint: CORS for the channel's allowed origins only (403 otherwise, see ``cors.py``), 400 naming the field,
401 for a bad token, 429 with Retry-After past the send limit or the rate limits per client address and per
channel (webcare/security/ratelimit.py; new chats per address are limited harder). Live updates are polling
(every two seconds while the chat is open): a poll is one indexed query, and it needs no long-held server thread
(granian's pool) per visitor.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from webcare.channels.base import Malformed
from webcare.channels.inbound import store_items
from webcare.channels.webchat import WebChatConnector
from webcare.core.models import Channel, ChannelKind
from webcare.ingest.models import EventSource
from webcare.knowledge import render as markdown
from webcare.knowledge.help_views import help_url
from webcare.knowledge.index import suggest as suggest_articles
from webcare.knowledge.validation import LANGUAGES as ARTICLE_LANGUAGES
from webcare.security import ratelimit
from webcare.triage.language import detect_language
from webcare.webchat import cors
from webcare.webchat.models import ChatSession
from webcare.webchat.reading import messages_after
from webcare.webchat.tokens import SEND_LIMIT, BadToken, session_for, take_send_slot

logger = logging.getLogger("webcare.channels")

MAX_MESSAGE = 5000
MAX_QUERY = 500
#: Characters of a suggested article's answer the widget shows; the link leads to the whole article.
ANSWER_CHARS = 700
#: Suggestions only once the visitor has typed this much (the widget waits for it too).
MIN_QUERY_CHARS = 12
MIN_QUERY_WORDS = 3
LANGUAGES = ("nb", "da", "sv", "fi", "nl", "en")
DEFAULT_ACCENT = "#0f5f63"
STATIC = Path(__file__).with_name("static") / "webchat"

View = Callable[..., HttpResponse]


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body = {"error": f"{field}: {message}" if field else message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def chat_endpoint(*methods: str) -> Callable[[View], View]:
    """The rules every chat endpoint shares: an active web chat channel, an allowed origin (CORS), the methods."""

    def decorate(view: View) -> View:
        @csrf_exempt  # no cookies are used, so there is nothing for a forged request to ride on
        @wraps(view)
        def wrapper(request: HttpRequest, key: str) -> HttpResponse:
            limited = ratelimit.refuse_address("chat.address", request)
            if limited is not None:  # before any query; readable by any page (it says nothing but "wait")
                limited["Access-Control-Allow-Origin"] = "*"
                limited["Access-Control-Expose-Headers"] = "Retry-After"
                return limited
            channel = (Channel.objects.filter(webhook_key=key, kind=ChannelKind.WEBCHAT, is_active=True)
                       .select_related("organisation").first())
            if channel is None:
                return _error(404, "no active web chat at this address")
            try:
                origin = cors.checked_origin(request, channel)
            except cors.OriginRefused as exc:
                logger.info("web chat %s refused: %s", channel.slug, exc)
                return cors.refused(exc)
            limited = ratelimit.refuse("chat.channel", str(channel.pk))
            if limited is not None:
                return cors.allow(limited, origin)
            if request.method == "OPTIONS":
                return cors.preflight(origin)
            response: HttpResponse
            if request.method not in methods:
                response = _error(405, f"method {request.method} not allowed here; use {' or '.join(methods)}")
            else:
                response = view(request, channel, origin)
            return cors.allow(response, origin)

        return wrapper

    return decorate


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"body: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise Malformed("body: expected a JSON object")
    return data


def _text_field(data: dict[str, Any], name: str, max_length: int, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Malformed(f"{name}: must be a string")
    value = value.strip()
    if required and not value:
        raise Malformed(f"{name}: must not be empty")
    if len(value) > max_length:
        raise Malformed(f"{name}: at most {max_length} characters")
    return value


def _bad_request(exc: Malformed) -> JsonResponse:
    field, _, message = str(exc).partition(": ")
    return _error(400, message or str(exc), field if message else "")


# -- the script ------------------------------------------------------------------------------------------------------
def widget_js(request: HttpRequest, key: str) -> HttpResponse:
    """The embeddable script: the widget's code with its stylesheet inlined (one request, no CDN, no build).

    Served to any page (a ``<script src>`` carries no trustworthy origin); the widget then asks ``config``, which
    is where a site that is not allowed is refused, and stays invisible there."""
    if not Channel.objects.filter(webhook_key=key, kind=ChannelKind.WEBCHAT, is_active=True).exists():
        return HttpResponse("console.warn('webcare chat: no active web chat at this address');\n", status=404,
                            content_type="text/javascript; charset=utf-8")
    body = render_to_string("webchat/widget.js", {
        "css": json.dumps((STATIC / "widget.css").read_text(encoding="utf-8")),
        "code": (STATIC / "widget.js").read_text(encoding="utf-8"),
    })
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def preview(request: HttpRequest, key: str) -> HttpResponse:
    """A plain page on the desk itself with the widget embedded, so an admin (or someone trying the demo) can chat
    with the desk before the brand's site carries the script. The desk's own origin is always allowed (cors.py)."""
    channel = Channel.objects.filter(webhook_key=key, kind=ChannelKind.WEBCHAT, is_active=True).first()
    if channel is None:
        raise Http404("no active web chat at this address")
    return render(request, "webchat/preview.html", {"channel": channel, "key": key})


# -- the endpoints ---------------------------------------------------------------------------------------------------
@chat_endpoint("GET")
def config(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    accent = str(channel.settings.get("accent_color") or DEFAULT_ACCENT)
    if len(accent) != 7 or not accent.startswith("#") or not all(c in "0123456789abcdefABCDEF" for c in accent[1:]):
        accent = DEFAULT_ACCENT
    return JsonResponse({"title": str(channel.settings.get("title") or channel.name), "accent_color": accent,
                         "languages": list(LANGUAGES)})


@chat_endpoint("POST")
def start_session(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    try:
        data = _json_object(request)
        name = _text_field(data, "name", 100)
        email = _text_field(data, "email", 254)
        language = _text_field(data, "language", 8)
    except Malformed as exc:
        return _bad_request(exc)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return _error(400, f"{email!r} is not an e-mail address", "email")
    if language and language not in LANGUAGES:
        return _error(400, f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}", "language")
    limited = ratelimit.refuse_address("chat.session.address", request)
    if limited is not None:  # each chat is rows in the database: new ones are limited harder than messages
        return limited
    session, token = ChatSession.start(channel, name=name, email=email, language=language, origin=origin)
    logger.info("web chat %s: session %s started on %s", channel.slug, session.pk, origin)
    return JsonResponse({"token": token, "name": name, "email": email}, status=201)


@chat_endpoint("GET", "POST")
def messages(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    now = timezone.now()
    try:
        session = session_for(request, channel, now)
    except BadToken as exc:
        return _error(401, str(exc))
    if request.method == "GET":
        return _read(request, session)
    return _send(request, channel, session, now)


def _read(request: HttpRequest, session: ChatSession) -> HttpResponse:
    raw = request.GET.get("after", "0")
    if not raw.isdigit():
        return _error(400, f"must be a message id (a whole number ≥ 0), not {raw[:20]!r}", "after")
    page = messages_after(session, int(raw), timezone.now())
    return JsonResponse({"messages": page.messages, "cursor": page.cursor})


def _send(request: HttpRequest, channel: Channel, session: ChatSession, now: datetime) -> HttpResponse:
    try:
        data = _json_object(request)
        message_id = _text_field(data, "id", 64, required=True)
        text = _text_field(data, "text", MAX_MESSAGE, required=True)
    except Malformed as exc:
        return _bad_request(exc)
    try:
        message_id = str(uuid.UUID(message_id))
    except ValueError:
        return _error(400, "must be a UUID the widget made for this message", "id")
    wait = take_send_slot(session, now)
    if wait is not None:
        response = _error(429, f"too many messages: at most {SEND_LIMIT} a minute; try again shortly")
        response["Retry-After"] = str(int(wait + 0.999))
        return response
    item = WebChatConnector.message_item(
        message_id=message_id, conversation_id=str(session.conversation_id), visitor_id=str(session.visitor_id),
        name=session.name, email=session.email, text=text, sent_at=now,
        raw={"session": session.pk, "id": message_id, "text": text},
    )
    try:
        stored = store_items(channel, [item], source=EventSource.WEBHOOK)
    except Malformed as exc:  # validated above; a schema change would land here, with nothing stored
        return _error(400, str(exc))
    return JsonResponse({"id": message_id, "duplicate": stored.created == 0}, status=202)


@chat_endpoint("GET")
def suggest(request: HttpRequest, channel: Channel, origin: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    language = request.GET.get("lang", "")
    if len(query) > MAX_QUERY:
        return _error(400, f"at most {MAX_QUERY} characters", "q")
    if language and language not in LANGUAGES:
        return _error(400, f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}", "lang")
    if len(query) < MIN_QUERY_CHARS and len(query.split()) < MIN_QUERY_WORDS:
        return JsonResponse({"suggestions": []})
    # The articles in the language the visitor is typing (a Swede on a Norwegian page reads Swedish); the page's
    # language only when the words do not tell.
    typed = detect_language(query, ARTICLE_LANGUAGES)
    found = suggest_articles(channel.organisation_id, query, typed or language)
    organisation = channel.organisation.slug
    return JsonResponse({"suggestions": [
        # The answer as plain text (the widget only ever sets textContent) and the help page's link, in the language
        # that matched: the customer reads the whole article, formatted, in the language they typed.
        {"id": m.entry.id, "question": m.entry.question, "answer": markdown.snippet(m.entry.answer, ANSWER_CHARS),
         "language": m.entry.language, "section": m.entry.section,
         "url": request.build_absolute_uri(help_url(organisation, m.entry.slug, m.entry.language))}
        for m in found
    ]})
