"""WhatsApp Cloud API (Meta): customers' messages in, statuses of the brand's replies in, replies out.

Ids, chosen so that :meth:`WhatsAppConnector.send` has what the platform needs:

- ``author.id`` and ``conversation_id`` are the customer's ``wa_id`` (their number in international form without
  "+"): a business number has exactly one private thread with each customer, and the Cloud API addresses a reply by
  that number (``to``). ``author.handle`` is the number with "+", ``author.name`` the WhatsApp profile name.
- ``message_id`` is the ``wamid`` as WhatsApp sends it (globally unique); the wamid returned when webcare sends a reply
  is what later ``statuses`` name, so delivered / read / failed land on that reply.
- Status items are ``MessageUpdateIn`` s with event id ``f"{wamid}:status:{status}"``, keyed to the customer's thread
  so they queue behind the reply they are about. "sent" is skipped: webcare marks a reply sent when the API took it.

Meta's webhook protocol (verification GET, ``X-Hub-Signature-256``, the envelope) and Graph's error codes are shared
with Facebook and Instagram in :mod:`webcare.channels.meta`.

One channel is one business phone number (``phone_number_id``). A Meta app has one callback URL for all numbers it
serves, so a delivery for another number of the same app is skipped (and logged), never stored on this channel.

Media are not downloaded while a delivery is acknowledged: an attachment's ``url`` is ``whatsapp-media:<media id>``,
and the sender downloads it afterwards (:meth:`WhatsAppConnector.fetch_media`, webcare/channels/media.py) with
``GET /{media-id}`` and the access token, which gives a download URL valid for five minutes. Locations, shared
contacts, button and list replies become text; reactions become a message whose text is the emoji, answering the
reacted message.

**The 24-hour customer-service window**: free text may be sent only within 24 hours of the customer's last message;
after that only an approved template. The sender passes the customer's last message time as
``OutboundRequest.recipient["last_inbound_at"]`` (ISO 8601); :meth:`WhatsAppConnector.send` refuses free text when it
is missing or older than 24 hours, before anything leaves.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from webcare.channels import http
from webcare.channels.base import (
    Action,
    Capability,
    ConnectorError,
    CredentialField,
    Delivery,
    FetchedMedia,
    HealthReport,
    HealthStatus,
    InboundItem,
    Malformed,
    OutboundRequest,
    SendError,
    SendResult,
)
from webcare.channels.meta import (
    GRAPH_VERSION,
    MEDIA_HOSTS,
    GraphAuth,
    MetaConnector,
    graph_error,
    message_item,
    parse_time,
    update_item,
)

logger = logging.getLogger("webcare.channels")

WINDOW = timedelta(hours=24)
#: WhatsApp's limits: a text body, and a media caption.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
#: WhatsApp's own "slow down" codes (throughput, spam rate, pair rate), sent with HTTP 400; Graph's general ones
#: (4, 80007 …) are known to :func:`webcare.channels.meta.graph_error`.
RATE_LIMIT_CODES = frozenset({130429, 131048, 131056})
#: Meta's own enforcement of the 24-hour rule.
WINDOW_CODE = 131047
STATUS_CHANGES = {"delivered": "delivered", "read": "read", "failed": "failed"}
MEDIA_PREFIX = "whatsapp-media:"
#: A media id as WhatsApp gives it (digits on the Cloud API): nothing that could change the Graph path it goes into.
MEDIA_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def _obj(value: Any) -> dict[str, Any]:
    """An optional JSON object: itself, or {} when absent or not an object."""
    return value if isinstance(value, dict) else {}


def _errors_text(errors: Any) -> str:
    """Meta's ``errors`` array as one line a person can act on: title (code): details."""
    parts = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        details = _obj(error.get("error_data")).get("details")
        text = str(error.get("title") or error.get("message") or "error")
        if error.get("code"):
            text += f" ({error['code']})"
        details = details or error.get("details") or ""
        if details and details != text:
            text += f": {details}"
        parts.append(text)
    return "; ".join(parts)[:2000]


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 time from the request, aware; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _location_text(place: Mapping[str, Any]) -> str:
    """A shared location as text an agent can open: name, address and a map link (stored text: no translation)."""
    label = ", ".join(str(place[key]) for key in ("name", "address") if place.get(key))
    lat, lon = place.get("latitude"), place.get("longitude")
    link = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}" if lat is not None else ""
    return "\n".join(part for part in (f"📍 {label}" if label else "📍", link) if part)


def _contacts_text(cards: list[Any]) -> str:
    """Shared contact cards as text: one line per contact with the name and the numbers."""
    lines = []
    for card in cards:
        if not isinstance(card, dict):
            continue
        name = str(_obj(card.get("name")).get("formatted_name") or "")
        phones = ", ".join(str(phone.get("phone")) for phone in card.get("phones") or []
                           if isinstance(phone, dict) and phone.get("phone"))
        lines.append("👤 " + " ".join(part for part in (name, phones) if part))
    return "\n".join(lines)


def _duration(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


class WhatsAppConnector(MetaConnector):
    """One WhatsApp business phone number on the Cloud API. Meta's webhook protocol (the ``hub.challenge`` check,
    the ``X-Hub-Signature-256`` HMAC, the ``{"object", "entry"}`` envelope) comes from :class:`MetaConnector`; this
    class reads WhatsApp's ``changes[].value`` and sends through ``/{phone-number-id}/messages``."""

    kind: ClassVar[str] = "whatsapp"
    label: ClassVar[str] = "WhatsApp"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.ATTACHMENTS})
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("phone_number_id", "Phone number ID", secret=False,
                        help="WhatsApp › API Setup in the Meta app: the ID of the business number (not the number)."),
        CredentialField("access_token", "Access token",
                        help="A system user's permanent token with whatsapp_business_messaging."),
        CredentialField("app_secret", "App secret",
                        help="App settings › Basic › App secret: checks that deliveries come from Meta."),
        CredentialField("verify_token", "Verify token",
                        help="Any long random string; type the same into the webhook's Verify token field at Meta."),
    )
    meta_object: ClassVar[str] = "whatsapp_business_account"
    account_setting: ClassVar[str] = "phone_number_id"
    access_field: ClassVar[str] = "access_token"
    access_label: ClassVar[str] = "WhatsApp access token"
    #: Cloud API throughput starts at 80 messages per second per number; stay well below it.
    rate_per_second: ClassVar[float] = 20.0

    # -- inbound ------------------------------------------------------------------------------------------------
    def _account(self, entry: Mapping[str, Any]) -> str | None:
        """A WhatsApp entry's id is the WhatsApp Business Account, not the phone number this channel is: which number
        a change is for is in its ``metadata.phone_number_id``, checked per change in :meth:`_parse_value`."""
        return self.account_id or str(entry.get("id") or "")

    def other_accounts(self, delivery: Delivery) -> set[str]:
        """The phone number ids of the changes that are not this channel's number (another number of the app)."""
        try:
            body = delivery.json()
        except Malformed:
            return set()
        numbers: set[str] = set()
        for entry in body.get("entry") or [] if isinstance(body, dict) else []:
            for change in entry.get("changes") or [] if isinstance(entry, dict) else []:
                value = change.get("value") if isinstance(change, dict) else None
                if isinstance(value, dict) and (number := _obj(value.get("metadata")).get("phone_number_id")):
                    numbers.add(str(number))
        return numbers - {self.account_id} if self.account_id else set()

    def change_items(self, change: dict[str, Any], account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        """One ``changes[]`` item: WhatsApp puts messages and statuses in the ``messages`` field."""
        if change.get("field", "messages") != "messages":
            logger.info("whatsapp: skipped a %r change (webcare reads only 'messages')", change.get("field"))
            return []
        value = change.get("value")
        if not isinstance(value, dict):
            raise Malformed(f"{where}.value is missing or not an object")
        return self._parse_value(value, f"{where}.value")

    def _parse_value(self, value: dict[str, Any], where: str) -> list[InboundItem]:
        number, ours = str(_obj(value.get("metadata")).get("phone_number_id") or ""), self.account_id
        if number and ours and number != ours:
            logger.info("whatsapp: skipped a delivery for phone number id %s (this channel is %s)", number, ours)
            return []
        if value.get("errors"):
            logger.info("whatsapp: the platform reported errors: %s", _errors_text(value["errors"]))
        names = {str(contact.get("wa_id")): str(_obj(contact.get("profile")).get("name") or "")
                 for contact in value.get("contacts") or [] if isinstance(contact, dict)}
        items = []
        for index, message in enumerate(self._list(value, "messages", where)):
            item = self._inbound_message(message, names, f"{where}.messages[{index}]")
            if item is not None:
                items.append(item)
        for index, status in enumerate(self._list(value, "statuses", where)):
            item = self._status(status, f"{where}.statuses[{index}]")
            if item is not None:
                items.append(item)
        return items

    @staticmethod
    def _list(value: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        found = value.get(key) or []
        if not isinstance(found, list) or not all(isinstance(one, dict) for one in found):
            raise Malformed(f"{where}.{key} is not a list of objects")
        return found

    def _inbound_message(self, message: dict[str, Any], names: Mapping[str, str], where: str) -> InboundItem | None:
        kind = str(message.get("type") or "")
        wa_id = str(message.get("from") or "")
        wamid = str(message.get("id") or "")
        if not wa_id:
            raise Malformed(f"{where}.from is missing")
        if not wamid:
            raise Malformed(f"{where}.id is missing")
        sent_at = parse_time(message.get("timestamp"), f"{where}.timestamp")
        content = self._content(kind, message, where)
        if content is None or not (content[0].strip() or content[1]):
            detail = _errors_text(message.get("errors"))
            logger.info("whatsapp: skipped a %r message %s%s", kind, wamid, f" ({detail})" if detail else "")
            return None
        text, attachments, in_reply_to = content
        context, referral = _obj(message.get("context")), _obj(message.get("referral"))
        if referral:
            source = " — ".join(str(referral[key]) for key in ("headline", "source_url") if referral.get(key))
            text = f"{text}\n\n[ad: {source}]".strip() if source else text
        author = {"id": wa_id, "handle": f"+{wa_id}", "name": names.get(wa_id, "")[:255]}
        return message_item(message_id=wamid, conversation_id=wa_id, public=False, author=author, text=text,
                            sent_at=sent_at, outbound=False, raw=message,
                            in_reply_to=in_reply_to or str(context.get("id") or ""), attachments=attachments)

    @staticmethod
    def _content(kind: str, message: dict[str, Any], where: str) -> tuple[str, list[dict[str, Any]], str] | None:
        """(text, attachments, answered message) of one message by its type; None for types webcare does not take."""
        body = _obj(message.get(kind))
        if kind == "text":
            return str(body.get("body") or ""), [], ""
        if kind in MEDIA_TYPES:
            media_id = str(body.get("id") or "")
            if not media_id:
                raise Malformed(f"{where}.{kind}.id is missing")
            content_type = str(body.get("mime_type") or "application/octet-stream").split(";")[0].strip()
            name = str(body.get("filename") or f"{kind}-{media_id}.{content_type.rsplit('/', 1)[-1]}")
            attachment = {"name": name[:255], "content_type": content_type, "url": f"whatsapp-media:{media_id}"}
            return str(body.get("caption") or ""), [attachment], ""
        if kind == "location":
            return _location_text(body), [], ""
        if kind == "contacts":
            cards = message.get("contacts")
            return _contacts_text(cards if isinstance(cards, list) else []), [], ""
        if kind == "interactive":
            reply = _obj(body.get(str(body.get("type") or "")))
            if reply.get("title"):
                return " — ".join(str(reply[key]) for key in ("title", "description") if reply.get(key)), [], ""
            return None
        if kind == "button":
            return (str(body.get("text")), [], "") if body.get("text") else None
        if kind == "reaction":
            emoji = str(body.get("emoji") or "")
            return (emoji, [], str(body.get("message_id") or "")) if emoji else None  # "" emoji: reaction removed
        return None  # unsupported, unknown, system (number changed), order, request_welcome …

    def _status(self, status: dict[str, Any], where: str) -> InboundItem | None:
        state = str(status.get("status") or "")
        change = STATUS_CHANGES.get(state)
        if change is None:
            if state != "sent":
                logger.info("whatsapp: skipped status %r of %s", state, status.get("id"))
            return None
        wamid = str(status.get("id") or "")
        if not wamid:
            raise Malformed(f"{where}.id is missing")
        item = update_item(event_id=f"{wamid}:status:{state}", message_id=wamid, change=change,
                           at=parse_time(status.get("timestamp"), f"{where}.timestamp"),
                           conversation_id=str(status.get("recipient_id") or ""), raw=status)
        if change == "failed":
            item.payload["error"] = _errors_text(status.get("errors")) or "WhatsApp did not deliver the message"
        return item

    # -- the 24-hour window -------------------------------------------------------------------------------------
    def template_required(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Outside 24 hours after the customer's last message (or before any), only a template may be sent."""
        return last_inbound_at is None or now - last_inbound_at >= WINDOW

    def reply_window_note(self, last_inbound_at: datetime | None, now: datetime) -> str:
        if last_inbound_at is None:
            return _("The customer has not written to this WhatsApp number yet: only an approved template can be "
                     "sent.")
        left = last_inbound_at + WINDOW - now
        if left <= timedelta(0):
            return _("More than 24 hours have passed since the customer's last message: WhatsApp allows only an "
                     "approved template until the customer writes again.")
        return _("WhatsApp allows free replies for %(left)s more (24 hours after the customer's last message); "
                 "after that only an approved template.") % {"left": _duration(left)}

    # -- outbound -----------------------------------------------------------------------------------------------
    def cloud_api(self, method: str, what: str, *, body: dict[str, Any] | None = None,
                  params: dict[str, str] | None = None, path: str = "") -> httpx.Response:
        """One Cloud API call on this channel's number (``/{phone-number-id}{path}``), with Meta's ``appsecret_proof``
        like every Graph call webcare makes; :class:`SendError` in WhatsApp's terms when it fails."""
        try:
            number = self.secret(self.account_setting)
        except ConnectorError as exc:
            raise SendError(str(exc)) from exc
        token = self._token()
        query = dict(params or {})
        secret = self.credentials.get("app_secret")
        if secret:
            query["appsecret_proof"] = hmac.new(str(secret).encode(), token.encode(), hashlib.sha256).hexdigest()
        auth = GraphAuth(token)
        kwargs: dict[str, Any] = {"params": query, "auth": auth} | ({"json": body} if body is not None else {})
        try:
            return http.call(method, f"{self.api_base}/{GRAPH_VERSION}/{number}{path}", what, **kwargs)
        except SendError as exc:
            raise whatsapp_error(exc, auth.response, self.access_label) from exc

    def send(self, request: OutboundRequest) -> SendResult:
        """A reply as free text (with at most one file by link), or a template; returns the message's wamid."""
        if request.action != Action.REPLY:
            raise SendError(f"WhatsApp cannot {request.action.replace('_', ' ')}")
        to = request.conversation_id or str(request.recipient.get("id") or "")
        if not to:
            raise SendError("no WhatsApp number to send to (the request has no conversation id or recipient)")
        body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        if request.template:
            body |= {"type": "template", "template": template_body(request.template)}
        else:
            self._refuse_outside_window(request)
            body |= self._free_message(request)
        response = self.cloud_api("POST", "WhatsApp send", body=body, path="/messages")
        try:
            wamid = str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SendError(f"WhatsApp took the message but sent back no message id: {response.text[:200]}",
                            ambiguous=True) from exc
        return SendResult(external_id=wamid)

    def _refuse_outside_window(self, request: OutboundRequest) -> None:
        raw = request.recipient.get("last_inbound_at")
        last = parse_when(raw)
        now = datetime.now(UTC)
        if not self.template_required(last, now):
            return
        if last is None:
            why = (f"the customer's last message time is unreadable ({raw!r})" if raw
                   else "webcare does not know when the customer last wrote")
        else:
            why = f"the customer last wrote {_duration(now - last)} ago"
        raise SendError(f"WhatsApp's 24-hour rule: free text can be sent only within 24 hours of the customer's last "
                        f"message, and {why}; send an approved template instead")

    @staticmethod
    def _free_message(request: OutboundRequest) -> dict[str, Any]:
        text = request.text.strip()
        if len(request.attachments) > 1:
            raise SendError("WhatsApp takes one file per message; send the files in separate replies")
        if request.attachments:
            return _media_message(request.attachments[0], text)
        if not text:
            raise SendError("a WhatsApp reply needs text or a file")
        if len(text) > MAX_TEXT:
            raise SendError(f"a WhatsApp message can have at most {MAX_TEXT} characters; this one has {len(text)}")
        return {"type": "text", "text": {"preview_url": False, "body": text}}

    # -- attachments ---------------------------------------------------------------------------------------------
    def fetches(self, url: str) -> bool:
        """Only ``whatsapp-media:<media id>`` references (what :meth:`parse` makes of a customer's file)."""
        return url.startswith(MEDIA_PREFIX) and MEDIA_ID.match(url.removeprefix(MEDIA_PREFIX)) is not None

    def fetch_media(self, url: str, max_bytes: int) -> FetchedMedia:
        """``GET /{media-id}?phone_number_id=…`` (Meta checks the file was sent to this number) gives ``url``,
        ``mime_type`` and ``file_size``; then a GET of that URL with the same Bearer token. The token goes only to
        Meta's media servers: a download link on any other host is refused. Media stay at Meta for 30 days; after
        that the lookup fails and the attachment keeps its reference."""
        if not self.fetches(url):
            raise SendError(f"not a WhatsApp media reference: {url[:100]!r}")
        media_id = url.removeprefix(MEDIA_PREFIX)
        params = {"phone_number_id": self.account_id} if self.account_id else {}
        info = self.graph("GET", media_id, "WhatsApp media lookup", params=params)
        link = str(info.get("url") or "")
        if not link:
            raise SendError(f"WhatsApp media lookup: Meta gave no download link for media {media_id}: "
                            f"{str(info)[:200]}")
        size = str(info.get("file_size") or "")
        if size.isdigit() and int(size) > max_bytes:
            raise http.too_big("WhatsApp media download", max_bytes, int(size))

        def allowed(target: str) -> bool:
            return http.media_url_allowed(target, MEDIA_HOSTS, self.setting("api_base_url"))

        if not allowed(link):
            raise SendError(f"WhatsApp media lookup: the download link is not on Meta's media servers "
                            f"({httpx.URL(link).host!r}); the access token is not sent there")
        fetched = http.download(link, "WhatsApp media download", max_bytes, allowed=allowed,
                                headers={"Authorization": f"Bearer {self._token()}"})
        content_type = str(info.get("mime_type") or "").split(";")[0].strip() or fetched.content_type
        return FetchedMedia(data=fetched.data, content_type=content_type, name=fetched.name)

    def check(self) -> HealthReport:
        """``GET /{phone-number-id}?fields=display_phone_number,verified_name`` with the access token."""
        try:
            response = self.cloud_api("GET", "WhatsApp number check",
                                      params={"fields": "display_phone_number,verified_name"})
        except SendError as exc:
            return HealthReport(exc.health or HealthStatus.FAILING, str(exc))
        try:
            data = response.json()
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        name, number = str(data.get("verified_name") or ""), str(data.get("display_phone_number") or "")
        return HealthReport(HealthStatus.OK, f"{name} ({number})" if name and number else name or number)


def _media_message(file: Mapping[str, Any], text: str) -> dict[str, Any]:
    """One file by link (Meta fetches it), with the reply's text as its caption."""
    url = str(file.get("url") or "")
    if not url.startswith(("https://", "http://")):
        raise SendError(f"the file {file.get('name')!r} has no public link WhatsApp can fetch it from")
    if len(text) > MAX_CAPTION:
        raise SendError(f"a WhatsApp caption can have at most {MAX_CAPTION} characters; this one has {len(text)}")
    kind = media_kind(str(file.get("content_type") or ""))
    if text and kind == "audio":
        raise SendError("WhatsApp cannot put text with an audio file; send the text separately")
    media: dict[str, Any] = {"link": url}
    if text:
        media["caption"] = text
    if kind == "document":
        media["filename"] = str(file.get("name") or "file")
    return {"type": kind, kind: media}


def template_body(template: Mapping[str, Any]) -> dict[str, Any]:
    """``OutboundRequest.template`` → the Cloud API's ``template`` object.

    Takes ``{"name", "language", "components"}`` in Meta's own shape, or the short form ``{"name", "language",
    "parameters": ["Kari", "12345"]}`` for a template whose body has numbered placeholders ({{1}}, {{2}} …).
    """
    name = str(template.get("name") or "").strip()
    language = template.get("language")
    code = str((language.get("code") if isinstance(language, Mapping) else language) or "").strip()
    if not name:
        raise SendError("the WhatsApp template has no name")
    if not code:
        raise SendError(f"the WhatsApp template {name!r} has no language code (e.g. 'nb' or 'en_US')")
    body: dict[str, Any] = {"name": name, "language": {"code": code}}
    if template.get("components"):
        body["components"] = list(template["components"])
    elif template.get("parameters"):
        parameters = [value if isinstance(value, Mapping) else {"type": "text", "text": str(value)}
                      for value in template["parameters"]]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return body


def media_kind(content_type: str) -> str:
    """Which Cloud API media message carries a file of this type (anything else goes as a document)."""
    major = content_type.split("/", 1)[0]
    if content_type in ("image/jpeg", "image/png"):
        return "image"
    if major in ("video", "audio"):
        return major
    return "document"


def whatsapp_error(error: SendError, response: httpx.Response | None, access_label: str) -> SendError:
    """Graph's general error codes (a dead token, app rate limits) as :func:`meta.graph_error` reads them, plus
    WhatsApp's own: its throughput limits (sent as HTTP 400) and its enforcement of the 24-hour rule."""
    try:
        body = response.json() if response is not None else None
    except ValueError:
        body = None
    code = _obj(_obj(body).get("error")).get("code")
    if code in RATE_LIMIT_CODES:
        return SendError(f"{error} (WhatsApp rate limit, code {code})", retryable=True, retry_after=error.retry_after,
                         health=HealthStatus.RATE_LIMITED, status_code=error.status_code)
    if code == WINDOW_CODE:
        return SendError(f"WhatsApp's 24-hour rule: {error}; send an approved template instead",
                         status_code=error.status_code)
    return graph_error(error, response, access_label)
