"""What the Facebook Page and Instagram connectors share: Meta's webhook protocol, Messenger-style messaging events
and the Graph API.

Why one module: both platforms are served by one Meta app with one webhook protocol — the ``hub.challenge``
verification GET, the ``X-Hub-Signature-256`` HMAC over the exact body with the app secret, the ``{"object",
"entry": [...]}`` envelope — and Instagram direct messages arrive in the same ``messaging[]`` event shape as
Messenger's. Only what differs (Facebook's page feed, Instagram's comments, where a reply goes) lives in
``facebook.py`` and ``instagram.py``.

Ids (see each connector's docstring for the rest):

- A private thread's ``conversation_id`` is the customer's page-scoped id (PSID on Facebook, IGSID on Instagram):
  an account has exactly one message thread with each person, and the Send API addresses a reply by that id.
- ``message_id`` is Meta's ``mid`` as sent; the ``message_id`` the Send API returns for webcare's own reply is the
  ``mid`` of its echo, so the echo is recognised as the same message.
- Updates have their own event ids: ``f"{mid}:edit:{n}"``, ``f"{mid}:deleted"``, ``f"{mid}:delivered"``,
  ``f"{mid}:read"`` — a platform retry repeats them, a new edit does not.

Graph API calls go through :func:`webcare.channels.http.call`; the access token travels in the ``Authorization``
header (never in a URL that could be logged), with ``appsecret_proof`` so a leaked token alone is not enough when
the app requires it. :data:`GRAPH_VERSION` is the one place the API version is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mimetypes
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from django.http import HttpResponse
from django.utils.translation import gettext as _

from webcare.channels import http
from webcare.channels.base import (
    BadSignature,
    Connector,
    ConnectorError,
    Delivery,
    FetchedMedia,
    HealthReport,
    HealthStatus,
    InboundItem,
    ItemKind,
    Malformed,
    OutboundRequest,
    SendError,
)

logger = logging.getLogger("webcare.channels")

#: The Graph API version every call names. Meta keeps a version for about two years; move it forward here.
GRAPH_VERSION = "v22.0"
GRAPH_API_BASE = "https://graph.facebook.com"

#: Messenger and Instagram allow free replies for 24 hours after the customer's last message; with the Human Agent
#: permission a person (not a bot) may answer for 7 days, tagged ``HUMAN_AGENT``.
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

#: Graph error codes (sent with HTTP 400/403) that mean "slow down": app, user, page and business use-case limits.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
#: Graph error codes that mean the access token is no longer valid (expired, revoked, password changed).
TOKEN_CODES = frozenset({102, 190})
#: Graph's "unknown error" and "service temporarily unavailable": worth another try.
TRANSIENT_CODES = frozenset({1, 2})
#: Messenger's "outside of allowed window" (code 10, this subcode).
WINDOW_SUBCODE = 2018278

#: What an attachment is called when its URL names no file.
ATTACHMENT_LABELS = {
    "image": "image", "video": "video", "audio": "audio", "file": "file", "fallback": "link", "template": "template",
    "location": "location", "reel": "reel", "ig_reel": "Instagram reel", "share": "shared post",
    "story_mention": "story mention", "ig_post": "Instagram post", "ig_story": "Instagram story",
}
ATTACHMENT_TYPES = {"image": "image/*", "video": "video/*", "audio": "audio/*", "story_mention": "image/*",
                    "ig_story": "image/*", "reel": "video/*", "ig_reel": "video/*"}
#: Kinds whose file name on Meta's CDN says less than what they are.
LABEL_FIRST = frozenset({"story_mention", "ig_story"})
MAX_URL = 2000
#: Meta's media servers: Facebook's and Messenger's CDN (``scontent.*.fbcdn.net``, ``video.*.fbcdn.net``), its file
#: and "lookaside" servers (``cdn.fbsbx.com``; ``lookaside.fbsbx.com``, which Instagram's messaging media and
#: WhatsApp's media downloads come from) and Instagram's CDN. Not ``facebook.com``: links there are pages (a reel,
#: a post) or ``l.facebook.com``'s redirector to any site, never the file itself.
MEDIA_HOSTS = ("fbcdn.net", "fbsbx.com", "cdninstagram.com")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


# -- reading Meta's JSON ---------------------------------------------------------------------------------------------

def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is not an object")
    return value


def items_of(value: Any, where: str) -> list[Any]:
    """A list that may be absent (None → empty); anything else but a list is malformed."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{where} is not a list")
    return value


def part(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """An optional sub-object: the object, or an empty one when absent or not an object."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def ident(value: Any, where: str) -> str:
    """A Meta id: a string or (in older payloads) a number; :class:`Malformed` when missing."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise Malformed(f"{where} is missing or not an id")
    return str(value).strip()


def optional_id(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def parse_time(value: Any, where: str) -> datetime:
    """Meta's times, aware in UTC: Unix milliseconds (Messenger), Unix seconds (feed, ``entry.time``), either as a
    number or a digit string, or ISO 8601 with an offset (``2021-09-08T06:34:04+0000``)."""
    if isinstance(value, bool):
        raise Malformed(f"{where} is not a time: {value!r}")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number > 1e11:  # 1e11 s is the year 5138, 1e11 ms is 1973: Messenger's milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise Malformed(f"{where} is not a time: {value!r}") from exc
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise Malformed(f"{where} is not a time: {value!r}") from exc
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise Malformed(f"{where} is not a time: {value!r}")


def event_time(event: Mapping[str, Any], key: str, where: str, fallback: datetime) -> datetime:
    value = event.get(key)
    return fallback if value in (None, "") else parse_time(value, f"{where}.{key}")


def is_true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in TRUE_WORDS


def text_digest(text: str) -> str:
    """A short stable digest of an edited text: the same edit redelivered gets the same event id, a new one not."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def attachment(raw: Any) -> dict[str, Any] | None:
    """Metadata of one Messenger/Instagram attachment (the file stays at Meta: its URL is signed and expires)."""
    if not isinstance(raw, dict):
        return None
    kind = str(raw.get("type") or "file")
    payload = part(raw, "payload")
    url = str(payload.get("url") or payload.get("story_media_url") or raw.get("url") or raw.get("URL") or "")
    filename = urlsplit(url).path.rsplit("/", 1)[-1] if url else ""
    if "." not in filename:
        filename = ""
    label = "sticker" if payload.get("sticker_id") else ATTACHMENT_LABELS.get(kind, kind)
    first = label if kind in LABEL_FIRST else filename
    name = str(raw.get("title") or payload.get("title") or first or label)[:255]
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return {"name": name, "content_type": guessed or ATTACHMENT_TYPES.get(kind, "application/octet-stream"),
            "url": url if len(url) <= MAX_URL else ""}


def message_item(*, message_id: str, conversation_id: str, public: bool, author: Mapping[str, str], text: str,
                 sent_at: datetime, outbound: bool, raw: Any, in_reply_to: str = "",
                 attachments: list[dict[str, Any]] | None = None) -> InboundItem:
    """One message as webcare's ``MessageIn`` (validated when stored: :mod:`webcare.channels.inbound`)."""
    payload: dict[str, Any] = {
        "message_id": message_id, "conversation_id": conversation_id,
        "conversation_kind": "public" if public else "private", "direction": "outbound" if outbound else "inbound",
        "author": {key: value for key, value in author.items() if value}, "text": text,
        "sent_at": sent_at.isoformat(), "in_reply_to": in_reply_to if in_reply_to != message_id else "",
        "attachments": attachments or [],
    }
    return InboundItem(event_id=message_id, kind=ItemKind.MESSAGE, payload=payload, raw=raw,
                       conversation_id=conversation_id)


def update_item(*, event_id: str, message_id: str, change: str, at: datetime, conversation_id: str, raw: Any,
                text: str = "") -> InboundItem:
    """One change to a stored message as webcare's ``MessageUpdateIn``, queued in its message's thread so it never
    overtakes the message."""
    payload: dict[str, Any] = {"message_id": message_id, "change": change, "at": at.isoformat()}
    if text:
        payload["text"] = text
    return InboundItem(event_id=event_id, kind=ItemKind.UPDATE, payload=payload, raw=raw,
                       conversation_id=conversation_id)


# -- Graph API errors ------------------------------------------------------------------------------------------------

class GraphAuth(httpx.Auth):
    """Puts the access token in the ``Authorization`` header and keeps Meta's answer, because Graph says what went
    wrong (a rate limit or a dead token, both often sent as HTTP 400) in the JSON error code, which the
    :class:`SendError` raised by :func:`http.call` does not carry."""

    requires_response_body = True

    def __init__(self, token: str) -> None:
        self.token = token
        self.response: httpx.Response | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        self.response = yield request


def _regain_seconds(response: httpx.Response) -> float | None:
    """Meta's ``X-Business-Use-Case-Usage`` header says in minutes when a throttled app may call again."""
    try:
        usage = json.loads(response.headers.get("x-business-use-case-usage") or "{}")
    except ValueError:
        return None
    minutes = [entry.get("estimated_time_to_regain_access") for entries in usage.values() if isinstance(entries, list)
               for entry in entries if isinstance(entry, dict)] if isinstance(usage, dict) else []
    longest = max((float(value) for value in minutes if isinstance(value, (int, float)) and value > 0), default=0.0)
    return longest * 60 or None


def graph_error(error: SendError, response: httpx.Response | None, access_label: str) -> SendError:
    """Sharpen :func:`http.call`'s error with Graph's error code (codes: Graph API "Handling Errors")."""
    body: Any = None
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
    graph = part(body, "error") if isinstance(body, dict) else {}
    code, subcode = graph.get("code"), graph.get("error_subcode")
    words = str(graph.get("message") or error)[:500]
    if code in TOKEN_CODES:
        return SendError(f"the {access_label} was refused: {words}", health=HealthStatus.TOKEN_EXPIRED,
                         status_code=error.status_code)
    if code in RATE_LIMIT_CODES:
        wait = error.retry_after or (_regain_seconds(response) if response is not None else None)
        return SendError(f"Meta's rate limit (code {code}): {words}", retryable=True, retry_after=wait,
                         health=HealthStatus.RATE_LIMITED, status_code=error.status_code)
    if code == 10 and subcode == WINDOW_SUBCODE:
        return SendError(f"the customer last wrote too long ago for a reply (Meta's messaging window): {words}",
                         status_code=error.status_code)
    if not error.retryable and (code in TRANSIENT_CODES or graph.get("is_transient") is True):
        return SendError(f"{error} (Meta says this is temporary)", retryable=True, health=HealthStatus.FAILING,
                         status_code=error.status_code)
    return error


# -- the shared connector --------------------------------------------------------------------------------------------

class MetaConnector(Connector):
    """Webhook handshake, signature, envelope and messaging events, Graph calls and the health check of a Meta
    account (a Facebook Page or an Instagram professional account). Not a connector of its own."""

    #: The webhook ``object`` this account's deliveries carry ("page", "instagram").
    meta_object: ClassVar[str] = ""
    #: The setting holding the account's id, and the credential holding its access token.
    account_setting: ClassVar[str] = ""
    access_field: ClassVar[str] = ""
    access_label: ClassVar[str] = "access token"
    #: What people call the platform's private messages, for notes shown to agents.
    messaging_name: ClassVar[str] = "Private messages"
    default_api_base: ClassVar[str] = GRAPH_API_BASE
    #: Meta's limits are per hour and per app and page; a few per second keeps a busy desk well inside them.
    rate_per_second: ClassVar[float] = 5.0

    # -- configuration -----------------------------------------------------------------------------------------------
    @property
    def account_id(self) -> str:
        return self.setting(self.account_setting)

    def _account(self, entry: Mapping[str, Any]) -> str | None:
        """The account an entry is about (which tells the account's own messages from its customers'), or None when
        it is another account's. A Meta app has one callback URL per product for every page or Instagram account it
        serves, so a delivery may hold entries for accounts this channel is not; those are not ours to store or
        answer. The App Dashboard's test sends use entry id "0"."""
        found = optional_id(entry.get("id"))
        ours = self.account_id
        if ours and found and found not in (ours, "0"):
            return None
        return ours or found

    def _token(self) -> str:
        try:
            return self.secret(self.access_field)
        except ConnectorError as exc:
            raise SendError(str(exc), health=HealthStatus.TOKEN_EXPIRED) from exc

    @property
    def messages_owner(self) -> str:
        """Whose ``/messages`` the Send API posts to; "me" is the account the token belongs to."""
        return "me"

    @property
    def human_agent(self) -> bool:
        """Whether the app has Meta's Human Agent permission (answers up to 7 days, tagged ``HUMAN_AGENT``)."""
        return is_true(self.channel.settings.get("human_agent"))

    # -- inbound: handshake and signature ----------------------------------------------------------------------------
    def handshake(self, delivery: Delivery) -> HttpResponse | None:
        """Meta's subscription check: ``hub.mode=subscribe`` with our verify token → ``hub.challenge`` as text."""
        if "hub.mode" not in delivery.query:
            return None
        if delivery.query.get("hub.mode") != "subscribe":
            raise BadSignature(f"hub.mode is {delivery.query.get('hub.mode')!r}, not 'subscribe'")
        try:
            expected = self.secret("verify_token")
        except ConnectorError as exc:
            raise BadSignature(str(exc)) from exc
        if not hmac.compare_digest(delivery.query.get("hub.verify_token", "").encode(), expected.encode()):
            raise BadSignature("hub.verify_token does not match the channel's verify token")
        return HttpResponse(delivery.query.get("hub.challenge", ""), content_type="text/plain; charset=utf-8")

    def verify(self, delivery: Delivery) -> None:
        """``X-Hub-Signature-256: sha256=<hex>`` must be the HMAC-SHA256 of the exact body with the app secret."""
        header = delivery.headers.get("x-hub-signature-256", "").strip()
        if not header:
            raise BadSignature("no X-Hub-Signature-256 header")
        if not header.lower().startswith("sha256="):
            raise BadSignature("X-Hub-Signature-256 is not of the form sha256=<hex>")
        try:
            secret = self.secret("app_secret")
        except ConnectorError as exc:
            raise BadSignature(str(exc)) from exc
        expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(header[len("sha256="):].lower().encode(), expected.encode()):
            raise BadSignature("X-Hub-Signature-256 does not match the body signed with the app secret")

    # -- inbound: the envelope ---------------------------------------------------------------------------------------
    def parse(self, delivery: Delivery) -> list[InboundItem]:
        body = obj(delivery.json(), "the body")
        if body.get("object") != self.meta_object:
            # Signed by Meta, so genuine: an app with several products may send other objects to the same URL.
            logger.info("%s: skipped a delivery for object %r (this channel reads %r)", self.kind, body.get("object"),
                        self.meta_object)
            return []
        items: list[InboundItem] = []
        for e, raw_entry in enumerate(items_of(body.get("entry"), "entry")):
            where = f"entry[{e}]"
            entry = obj(raw_entry, where)
            entry_at = event_time(entry, "time", where, datetime.now(UTC))
            account = self._account(entry)
            if account is None:
                logger.info("%s: skipped %s for account %s (this channel is %s)", self.kind, where, entry.get("id"),
                            self.account_id)
                continue
            for key in ("messaging", "standby"):  # standby: the thread is with another app (handover); still ours
                for index, event in enumerate(items_of(entry.get(key), f"{where}.{key}")):
                    items += self.messaging_items(obj(event, f"{where}.{key}[{index}]"), account,
                                                  f"{where}.{key}[{index}]", entry_at)
            for index, raw_change in enumerate(items_of(entry.get("changes"), f"{where}.changes")):
                change = obj(raw_change, f"{where}.changes[{index}]")
                items += self.change_items(change, account, f"{where}.changes[{index}]", entry_at)
        return items

    def other_accounts(self, delivery: Delivery) -> set[str]:
        """The entries' account ids that are not this channel's (another page of the same Meta app)."""
        try:
            body = delivery.json()
        except Malformed:
            return set()
        if not isinstance(body, dict) or body.get("object") != self.meta_object or not isinstance(body.get("entry"),
                                                                                                  list):
            return set()
        found = {str(entry.get("id")) for entry in body["entry"] if isinstance(entry, dict) and entry.get("id")}
        return found - {self.account_id, "0", ""} if self.account_id else set()

    def change_items(self, change: dict[str, Any], account: str, where: str, entry_at: datetime) -> list[InboundItem]:
        """One ``changes[]`` item (Facebook's feed, Instagram's comments); subclasses read their fields."""
        logger.info("%s: skipped a %r change", self.kind, change.get("field"))
        return []

    # -- inbound: messaging events (Messenger and Instagram direct messages) -----------------------------------------
    def messaging_items(self, event: dict[str, Any], account: str, where: str,
                        entry_at: datetime) -> list[InboundItem]:
        sender = ident(obj(event.get("sender"), f"{where}.sender").get("id"), f"{where}.sender.id")
        recipient = optional_id(part(event, "recipient").get("id"))
        at = event_time(event, "timestamp", where, entry_at)
        if isinstance(event.get("message"), dict):
            return self._message(event, sender, recipient, account, at, where)
        customer = recipient if sender == account else sender
        if isinstance(event.get("message_edit"), dict):
            edit = event["message_edit"]
            mid = ident(edit.get("mid"), f"{where}.message_edit.mid")
            count = optional_id(edit.get("num_edit")) or text_digest(str(edit.get("text") or ""))
            return [update_item(event_id=f"{mid}:edit:{count}", message_id=mid, change="edited", at=at,
                                conversation_id=customer, raw=event, text=str(edit.get("text") or ""))]
        if isinstance(event.get("delivery"), dict):
            return self._receipts(event, "delivery", "delivered", customer, at, where)
        if isinstance(event.get("read"), dict):
            return self._receipts(event, "read", "read", customer, at, where)
        if isinstance(event.get("postback"), dict) and event["postback"].get("mid"):
            postback = event["postback"]
            mid = ident(postback.get("mid"), f"{where}.postback.mid")
            text = str(postback.get("title") or postback.get("payload") or "")
            if text:
                return [message_item(message_id=mid, conversation_id=customer, public=False, author={"id": sender},
                                     text=text, sent_at=at, outbound=False, raw=event)]
        kinds = sorted(key for key in event if key not in ("sender", "recipient", "timestamp"))
        logger.info("%s: skipped a messaging event of kind %s", self.kind, ", ".join(kinds) or "(none)")
        return []

    def _message(self, event: dict[str, Any], sender: str, recipient: str, account: str, at: datetime,
                 where: str) -> list[InboundItem]:
        message = event["message"]
        mid = ident(message.get("mid"), f"{where}.message.mid")
        outbound = is_true(message.get("is_echo")) or sender == account
        customer = recipient if outbound else sender
        if not customer:
            raise Malformed(f"{where}.recipient.id is missing (needed for the page's own message)")
        if is_true(message.get("is_deleted")):
            return [update_item(event_id=f"{mid}:deleted", message_id=mid, change="deleted", at=at,
                                conversation_id=customer, raw=event)]
        text = str(message.get("text") or "")
        attachments = [found for found in map(attachment, items_of(message.get("attachments"),
                                                                   f"{where}.message.attachments")) if found]
        in_reply_to = ""
        reply_to = message.get("reply_to")
        if isinstance(reply_to, dict):
            in_reply_to = optional_id(reply_to.get("mid"))
            story = reply_to.get("story")
            if isinstance(story, dict) and story.get("url"):
                attachments.append({"name": "story replied to", "content_type": "image/*",
                                    "url": str(story["url"]) if len(str(story["url"])) <= MAX_URL else ""})
        if is_true(message.get("is_unsupported")) and not text and not attachments:
            text = (f"[{self.label} could not pass this message on (a kind its API does not support); open the "
                    f"conversation in {self.label} to see it]")
        if not text.strip() and not attachments:
            logger.info("%s: skipped message %s: no text and no attachment", self.kind, mid)
            return []
        author = {"id": account or sender, "name": self.channel.name} if outbound else {"id": sender}
        return [message_item(message_id=mid, conversation_id=customer, public=False, author=author, text=text,
                             sent_at=at, outbound=outbound, raw=event, in_reply_to=in_reply_to,
                             attachments=attachments)]

    def _receipts(self, event: dict[str, Any], key: str, change: str, customer: str, at: datetime,
                  where: str) -> list[InboundItem]:
        """Delivery and read receipts for the messages they name. A receipt with only a ``watermark`` ("everything
        before this time") names no message; resolving it needs the stored messages, so it is skipped here."""
        receipt = event[key]
        mids = [optional_id(mid) for mid in items_of(receipt.get("mids"), f"{where}.{key}.mids")]
        if receipt.get("mid"):
            mids.append(optional_id(receipt["mid"]))
        mids = [mid for mid in dict.fromkeys(mids) if mid]
        if not mids:
            logger.info("%s: skipped a %s receipt with only a watermark (no message ids)", self.kind, key)
            return []
        return [update_item(event_id=f"{mid}:{change}", message_id=mid, change=change, at=at,
                            conversation_id=customer, raw=event) for mid in mids]

    # -- outbound ----------------------------------------------------------------------------------------------------
    def graph(self, method: str, path: str, what: str, *, body: dict[str, Any] | None = None,
              params: dict[str, str] | None = None) -> dict[str, Any]:
        """One Graph API call; its JSON answer, or :class:`SendError` saying what Meta refused and why."""
        token = self._token()
        query = dict(params or {})
        secret = self.credentials.get("app_secret") or self.channel.settings.get("app_secret")
        if secret:
            query["appsecret_proof"] = hmac.new(str(secret).encode(), token.encode(), hashlib.sha256).hexdigest()
        auth = GraphAuth(token)
        kwargs: dict[str, Any] = {"params": query, "auth": auth}
        if body is not None:
            kwargs["json"] = body
        try:
            response = http.call(method, f"{self.api_base}/{GRAPH_VERSION}/{path}", what, **kwargs)
        except SendError as exc:
            raise graph_error(exc, auth.response, self.access_label) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return answer if isinstance(answer, dict) else {}

    @staticmethod
    def new_id(answer: Mapping[str, Any], key: str, what: str) -> str:
        """The id Meta gave what it posted; a 2xx without one is ambiguous (it may well be posted)."""
        value = optional_id(answer.get(key))
        if not value:
            raise SendError(f"{what}: Meta answered without the new {key}: {dict(answer)!r}"[:500], ambiguous=True)
        return value

    def check_text(self, text: str, limit_chars: int, limit_bytes: int = 0) -> str:
        text = text.strip()
        if not text:
            raise SendError(f"a {self.label} reply needs text")
        if len(text) > limit_chars:
            raise SendError(f"{self.label} takes at most {limit_chars} characters here; this text has {len(text)}")
        if limit_bytes and len(text.encode()) > limit_bytes:
            raise SendError(f"{self.label} takes at most {limit_bytes} bytes (UTF-8) in a message; this text has "
                            f"{len(text.encode())}")
        return text

    @staticmethod
    def refuse_attachments(request: OutboundRequest) -> None:
        if request.attachments:
            raise SendError("this connector sends text only; remove the attached files or send them another way")

    def messaging_type(self, request: OutboundRequest, now: datetime | None = None) -> dict[str, str]:
        """``RESPONSE`` within 24 hours of the customer's last message, ``HUMAN_AGENT``-tagged up to 7 days when the
        app has that permission; otherwise refused here, before anything leaves (Meta would refuse it anyway)."""
        last = _when(request.recipient.get("last_inbound_at"))
        now = now or datetime.now(UTC)
        if last is None or now - last <= STANDARD_WINDOW:
            return {"messaging_type": "RESPONSE"}
        if self.human_agent and now - last <= HUMAN_AGENT_WINDOW:
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        allowed = "7 days (Human Agent)" if self.human_agent else "24 hours"
        raise SendError(f"{self.label} allows replies only within {allowed} of the customer's last message, and the "
                        f"customer last wrote {_age(now - last)} ago; wait until they write again")

    def reply_window_note(self, last_inbound_at: datetime | None, now: datetime) -> str:
        """Named for private messages: the composer shows it on comment threads too, where public replies and the
        private reply to a comment (7 days from the comment) follow other rules."""
        if last_inbound_at is None or now - last_inbound_at <= STANDARD_WINDOW:
            return ""
        if self.human_agent and now - last_inbound_at <= HUMAN_AGENT_WINDOW:
            return _("%(messages)s: more than 24 hours since the customer's last message, so a reply goes as a "
                     "personal answer (Human Agent), allowed for %(left)s more.") % {
                "messages": _(self.messaging_name), "left": _age(last_inbound_at + HUMAN_AGENT_WINDOW - now)}
        if self.human_agent:
            return _("%(messages)s: more than 7 days since the customer's last message, so %(platform)s delivers no "
                     "reply until the customer writes again.") % {"messages": _(self.messaging_name),
                                                                  "platform": self.label}
        return _("%(messages)s: more than 24 hours since the customer's last message, so %(platform)s delivers no "
                 "reply until the customer writes again.") % {"messages": _(self.messaging_name),
                                                              "platform": self.label}

    def send_message(self, recipient: dict[str, str], text: str, what: str,
                     extra: dict[str, str] | None = None) -> str:
        """A Send API message (a private message, or a private reply when ``recipient`` names a comment)."""
        body: dict[str, Any] = {"recipient": recipient, **(extra or {}), "message": {"text": text}}
        answer = self.graph("POST", f"{self.messages_owner}/messages", what, body=body)
        return self.new_id(answer, "message_id", what)

    # -- attachments ---------------------------------------------------------------------------------------------------
    def fetches(self, url: str) -> bool:
        """Messenger's and Instagram's attachment links are signed CDN URLs that expire (a story's within a day):
        downloaded plainly, without the token, and only from Meta's own media servers (:data:`MEDIA_HOSTS`) — a
        customer's shared link to any other site stays a link."""
        return http.media_url_allowed(url, MEDIA_HOSTS, self.setting("api_base_url"))

    def fetch_media(self, url: str, max_bytes: int) -> FetchedMedia:
        """One GET, following Meta's redirects (``lookaside.fbsbx.com`` sends on to the CDN) only within Meta."""
        if not self.fetches(url):
            raise SendError(f"{self.label}: webcare does not download attachments from this address")
        return http.download(url, f"{self.label} attachment download", max_bytes, allowed=self.fetches)

    # -- health --------------------------------------------------------------------------------------------------------
    def check_account(self, fields: str, describe: Callable[[dict[str, Any]], str]) -> HealthReport:
        """One cheap authenticated read of the account; never raises."""
        try:
            account = self.secret(self.account_setting)
            answer = self.graph("GET", account, f"{self.label} check", params={"fields": fields})
        except SendError as exc:
            return HealthReport(exc.health or HealthStatus.FAILING, str(exc))
        except ConnectorError as exc:
            return HealthReport(HealthStatus.FAILING, str(exc))
        return HealthReport(HealthStatus.OK, describe(answer))


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _age(delta: timedelta) -> str:
    hours = max(int(delta.total_seconds() // 3600), 0)
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if days else f"{hours} h"
