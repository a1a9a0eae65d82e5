"""Telegram bot: updates in by webhook (checked with the secret-token header), replies out with ``sendMessage``.

Ids, chosen so that :meth:`TelegramConnector.send` has what the Bot API needs:

- ``conversation_id`` is the chat id (``chat.id``): a private chat with the bot, or a group the bot is in. A reply is
  sent to that chat.
- ``message_id`` is ``f"{chat_id}:{message_id}"``: Telegram numbers messages per chat, so the bare number repeats
  across chats. A reply answers the target message with ``reply_parameters`` (the number after the last colon).
- The event id of a message is its ``message_id`` above, not the ``update_id``: Telegram restarts update ids at a
  random value after a week without updates, so an update id can come back and a new message would be taken for a
  duplicate. Edits are ``f"{chat_id}:{message_id}:edit:{edit_date}"``.
- ``author.id`` is the sender's user id, ``handle`` their @username, ``name`` first and last name.

Private chats are private conversations. **Group and supergroup chats are public conversations**: every member reads
what is written there, including the brand's reply, so triage treats personal data in them as published, and the
inbox shows the thread as public. (With privacy mode on — Telegram's default — the bot sees only commands, replies to
its own messages and messages that mention it.)

Skipped and logged: ``callback_query`` (webcare sends no inline buttons; a button press from another tool using the
same bot is not a customer message), channel posts, membership changes (``my_chat_member`` …), inline queries, polls,
reactions, service messages, and messages with no content webcare can show (a dice, a game).

Files are not downloaded while a delivery is acknowledged: an attachment's ``url`` is ``telegram-file:<file_id>``,
and the sender downloads it afterwards (:meth:`TelegramConnector.fetch_media`, webcare/channels/media.py) with
``getFile`` and the bot token. Bots may download files up to 20 MB; a bigger one stays a reference. Locations,
venues and shared contacts become text; a sticker is an attachment with its emoji as text.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Generator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from webcare.channels import http
from webcare.channels.base import (
    Action,
    BadSignature,
    Capability,
    Connector,
    ConnectorError,
    CredentialField,
    Delivery,
    FetchedMedia,
    HealthReport,
    HealthStatus,
    InboundItem,
    ItemKind,
    Malformed,
    OutboundRequest,
    SendError,
    SendResult,
)

logger = logging.getLogger("webcare.channels")

MAX_TEXT = 4096
PRIVATE_CHATS = {"private"}
GROUP_CHATS = {"group", "supergroup"}
#: The file-carrying fields of a message, in the order they are looked at, with a default type and file name.
FILES: dict[str, tuple[str, str]] = {
    "document": ("application/octet-stream", "document"),
    "audio": ("audio/mpeg", "audio.mp3"),
    "voice": ("audio/ogg", "voice.ogg"),
    "video": ("video/mp4", "video.mp4"),
    "video_note": ("video/mp4", "video-note.mp4"),
    "animation": ("video/mp4", "animation.mp4"),
}


def _when(value: Any, where: str) -> str:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise Malformed(f"{where} is not a Unix time: {value!r}") from exc


def _attachment(name: str, content_type: str, file: Mapping[str, Any]) -> dict[str, Any]:
    attachment: dict[str, Any] = {"name": name[:255], "content_type": content_type,
                                  "url": f"telegram-file:{file.get('file_id')}"}
    if isinstance(file.get("file_size"), int) and file["file_size"] >= 0:
        attachment["size"] = file["file_size"]
    return attachment


def _files(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A message's file as webcare attachment metadata (a Telegram message carries at most one file)."""
    photos = message.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], dict):
        largest = photos[-1]  # Telegram lists the sizes of one photo from smallest to largest
        return [_attachment(f"photo-{largest.get('file_unique_id') or 'telegram'}.jpg", "image/jpeg", largest)]
    sticker = message.get("sticker")
    if isinstance(sticker, dict) and sticker.get("file_id"):
        kind = ("application/x-tgsticker", "tgs") if sticker.get("is_animated") else (
            ("video/webm", "webm") if sticker.get("is_video") else ("image/webp", "webp"))
        return [_attachment(f"sticker.{kind[1]}", kind[0], sticker)]
    for field, (default_type, default_name) in FILES.items():
        file = message.get(field)
        if isinstance(file, dict) and file.get("file_id"):
            name = str(file.get("file_name") or file.get("title") or default_name)
            return [_attachment(name, str(file.get("mime_type") or default_type), file)]
    return []


def _place_text(message: Mapping[str, Any]) -> str:
    """A shared location or venue as text an agent can open (stored text: no translation)."""
    venue = message.get("venue")
    venue = venue if isinstance(venue, dict) else {}
    place = venue.get("location") or message.get("location")
    if not isinstance(place, dict):
        return ""
    label = ", ".join(str(venue[key]) for key in ("title", "address") if venue.get(key))
    lat, lon = place.get("latitude"), place.get("longitude")
    link = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    return f"📍 {label}\n{link}" if label else f"📍\n{link}"


def _contact_text(message: Mapping[str, Any]) -> str:
    contact = message.get("contact")
    if not isinstance(contact, dict):
        return ""
    name = " ".join(str(contact[key]) for key in ("first_name", "last_name") if contact.get(key))
    return "👤 " + " ".join(part for part in (name, str(contact.get("phone_number") or "")) if part)


def _text(message: Mapping[str, Any]) -> str:
    text = str(message.get("text") or message.get("caption") or "")
    extra = _place_text(message) or _contact_text(message)
    if not text and isinstance(message.get("sticker"), dict):
        text = str(message["sticker"].get("emoji") or "")
    return "\n\n".join(part for part in (text, extra) if part)


def _author(message: Mapping[str, Any], where: str) -> dict[str, str]:
    """The sender: a user, or — for an anonymous group admin or a linked channel — the chat they post as (``from``
    is then Telegram's placeholder bot)."""
    sender = message.get("sender_chat") if isinstance(message.get("sender_chat"), dict) else message.get("from")
    if not isinstance(sender, dict) or sender.get("id") is None:
        raise Malformed(f"{where}.from is missing")
    name = " ".join(str(sender[key]) for key in ("first_name", "last_name") if sender.get(key)) or str(
        sender.get("title") or "")
    return {"id": str(sender["id"]), "handle": f"@{sender['username']}" if sender.get("username") else "",
            "name": name[:255]}


def _ids(message: Mapping[str, Any], where: str) -> tuple[str, str, str]:
    """(chat id, chat type, webcare message id) of a message."""
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("id") is None:
        raise Malformed(f"{where}.chat.id is missing")
    if not isinstance(message.get("message_id"), int):
        raise Malformed(f"{where}.message_id is missing or not a number")
    chat_id = str(chat["id"])
    return chat_id, str(chat.get("type") or ""), f"{chat_id}:{message['message_id']}"


FILE_PREFIX = "telegram-file:"
#: A Bot API file_id (URL-safe base64): nothing that could change the request it goes into.
FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,300}$")
#: The Bot API's limit on files a bot may download.
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024


#: The updates webcare reads (the rest are skipped anyway; asking only for these saves Telegram and us the traffic).
ALLOWED_UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post")


class TelegramConnector(Connector):
    """One Telegram bot."""

    kind: ClassVar[str] = "telegram"
    label: ClassVar[str] = "Telegram bot"
    registers_webhook: ClassVar[bool] = True
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLIC_REPLY})
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("bot_token", "Bot token", help="From @BotFather, e.g. 123456789:AAE…"),
        CredentialField("secret_token", "Webhook secret token",
                        help="1–256 characters of A–Z, a–z, 0–9, _ and -; give the same to setWebhook as "
                             "secret_token."),
    )
    #: Telegram allows about 30 messages a second per bot (and one a second per chat, 20 a minute per group).
    rate_per_second: ClassVar[float] = 20.0
    default_api_base: ClassVar[str] = "https://api.telegram.org"

    # -- inbound ------------------------------------------------------------------------------------------------
    def verify(self, delivery: Delivery) -> None:
        """Telegram sends the ``secret_token`` given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``."""
        given = delivery.headers.get("x-telegram-bot-api-secret-token", "")
        if not given:
            raise BadSignature("no X-Telegram-Bot-Api-Secret-Token header")
        try:
            expected = self.secret("secret_token")
        except ConnectorError as exc:
            raise BadSignature(str(exc)) from exc
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise BadSignature("X-Telegram-Bot-Api-Secret-Token does not match the channel's secret token")

    def parse(self, delivery: Delivery) -> list[InboundItem]:
        update = delivery.json()
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            raise Malformed("not a Telegram update (no numeric update_id)")
        if isinstance(update.get("message"), dict):
            item = self._message(update["message"], "message")
        elif isinstance(update.get("edited_message"), dict):
            item = self._edit(update["edited_message"], "edited_message")
        else:
            kinds = sorted(key for key in update if key != "update_id")
            logger.info("telegram: skipped update %s (%s)", update["update_id"], ", ".join(kinds) or "empty")
            return []
        return [item] if item is not None else []

    def _message(self, message: dict[str, Any], where: str) -> InboundItem | None:
        chat_id, chat_type, message_id = _ids(message, where)
        if chat_type not in PRIVATE_CHATS | GROUP_CHATS:
            logger.info("telegram: skipped a message in a %r chat", chat_type)
            return None
        text, attachments = _text(message), _files(message)
        if not (text.strip() or attachments):
            logger.info("telegram: skipped message %s with nothing to show (%s)", message_id,
                        ", ".join(sorted(set(message) - {"message_id", "from", "chat", "date"})))
            return None
        replied = message.get("reply_to_message")
        public = chat_type in GROUP_CHATS
        payload = {
            "message_id": message_id, "conversation_id": chat_id,
            "conversation_kind": "public" if public else "private", "direction": "inbound",
            "author": _author(message, where), "text": text, "sent_at": _when(message.get("date"), f"{where}.date"),
            "in_reply_to": f"{chat_id}:{replied['message_id']}" if isinstance(replied, dict)
            and replied.get("message_id") is not None else "",
            "attachments": attachments,
        }
        return InboundItem(event_id=message_id, kind=ItemKind.MESSAGE, payload=payload, raw=message,
                           conversation_id=chat_id)

    def _edit(self, message: dict[str, Any], where: str) -> InboundItem | None:
        chat_id, chat_type, message_id = _ids(message, where)
        if chat_type not in PRIVATE_CHATS | GROUP_CHATS:
            logger.info("telegram: skipped an edit in a %r chat", chat_type)
            return None
        edited = message.get("edit_date", message.get("date"))
        payload = {"message_id": message_id, "change": "edited", "at": _when(edited, f"{where}.edit_date"),
                   "text": _text(message)}
        return InboundItem(event_id=f"{message_id}:edit:{edited}", kind=ItemKind.UPDATE, payload=payload,
                           raw=message, conversation_id=chat_id)

    # -- outbound -----------------------------------------------------------------------------------------------
    def _method_url(self, method: str) -> str:
        try:
            token = self.secret("bot_token")
        except ConnectorError as exc:
            raise SendError(str(exc), health=HealthStatus.TOKEN_EXPIRED) from exc
        return f"{self.api_base}/bot{token}/{method}"

    def _call(self, method: str, what: str, body: dict[str, Any] | None = None) -> Any:
        """One Bot API method; its ``result``, or a :class:`SendError` in Telegram's own words."""
        keep = _KeepResponse()
        try:
            response = http.call("POST", self._method_url(method), what, json=body or {}, auth=keep)
        except SendError as exc:
            raise bot_api_error(exc, keep) from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not data.get("ok"):
            # A 2xx that is not the Bot API's answer (a proxy's page?): the method may have run.
            raise SendError(f"{what}: Telegram answered without ok: {response.text[:200]}", ambiguous=True)
        return data.get("result")

    def send(self, request: OutboundRequest) -> SendResult:
        """``sendMessage`` to the chat, answering the target message; returns ``f"{chat_id}:{message_id}"``."""
        if request.action != Action.REPLY:
            raise SendError(f"Telegram cannot {request.action.replace('_', ' ')}")
        chat_id = request.conversation_id
        if not chat_id:
            raise SendError("no Telegram chat to send to (the request has no conversation id)")
        text = request.text.strip()
        if not text:
            raise SendError("a Telegram reply needs text")
        if len(text) > MAX_TEXT:
            raise SendError(f"a Telegram message can have at most {MAX_TEXT} characters; this one has {len(text)}")
        if request.attachments:
            raise SendError("webcare does not send files to Telegram yet; send a link in the text instead")
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        target_chat, _, target = request.target_id.rpartition(":")
        if target.isdigit() and target_chat == chat_id:
            # The answered message may have been deleted meanwhile: send the reply anyway, without the quote.
            body["reply_parameters"] = {"message_id": int(target), "allow_sending_without_reply": True}
        result = self._call("sendMessage", "Telegram send", body)
        if not isinstance(result, dict) or result.get("message_id") is None:
            raise SendError(f"Telegram took the message but sent back no message id: {result!r}"[:300],
                            ambiguous=True)
        sent_at = datetime.fromtimestamp(result["date"], tz=UTC) if isinstance(result.get("date"), int) else None
        return SendResult(external_id=f"{chat_id}:{result['message_id']}", sent_at=sent_at)

    def register_webhook(self, url: str) -> str:
        """``setWebhook`` with the channel's secret token, for the updates webcare reads. Telegram accepts only https
        URLs on ports 443, 80, 88 or 8443, and says so in its answer when the URL does not qualify."""
        try:
            secret = self.secret("secret_token")
        except ConnectorError as exc:
            raise SendError(str(exc)) from exc
        self._call("setWebhook", "Telegram setWebhook", {
            "url": url, "secret_token": secret, "allowed_updates": list(ALLOWED_UPDATES)})
        return f"Telegram delivers this bot's updates to {url}"

    # -- attachments --------------------------------------------------------------------------------------------
    def fetches(self, url: str) -> bool:
        """Only ``telegram-file:<file_id>`` references (what :meth:`parse` makes of a customer's file)."""
        return url.startswith(FILE_PREFIX) and FILE_ID.match(url.removeprefix(FILE_PREFIX)) is not None

    def fetch_media(self, url: str, max_bytes: int) -> FetchedMedia:
        """``getFile`` gives the file's ``file_path`` (valid for at least an hour), then
        ``GET {api_base}/file/bot<token>/<file_path>``. Telegram answers ``getFile`` for a file over 20 MB with
        "file is too big": not retryable. The file server calls everything application/octet-stream, so the type
        :meth:`parse` read from the message is kept (webcare/channels/media.py)."""
        if not self.fetches(url):
            raise SendError(f"not a Telegram file reference: {url[:100]!r}")
        file = self._call("getFile", "Telegram getFile", {"file_id": url.removeprefix(FILE_PREFIX)})
        file = file if isinstance(file, dict) else {}
        size = file.get("file_size")
        if isinstance(size, int) and size > max_bytes:
            raise http.too_big("Telegram file download", max_bytes, size)
        if isinstance(size, int) and size > BOT_DOWNLOAD_LIMIT:
            raise SendError(f"Telegram lets bots download files up to 20 MB; this one is {size} bytes")
        path = str(file.get("file_path") or "")
        if not path:
            raise SendError(f"Telegram getFile gave no file_path (Telegram keeps no file for bots over 20 MB): "
                            f"{str(file)[:200]}")
        link = f"{self.api_base}/file/bot{self.secret('bot_token')}/{quote(path, safe='/')}"
        return http.download(link, "Telegram file download", max_bytes,
                             allowed=lambda target: http.origin(httpx.URL(target)) == http.origin(httpx.URL(link)))

    def check(self) -> HealthReport:
        """``getMe``: the bot's @username when the token is good."""
        try:
            bot = self._call("getMe", "Telegram bot check")
        except SendError as exc:
            return HealthReport(exc.health or HealthStatus.FAILING, str(exc))
        bot = bot if isinstance(bot, dict) else {}
        return HealthReport(HealthStatus.OK, f"@{bot.get('username')} ({bot.get('first_name') or 'bot'})")


class _KeepResponse(httpx.Auth):
    """Keeps the Bot API's answer for reading after :func:`http.call` raised: Telegram puts the wait of a 429 in
    ``parameters.retry_after`` of the JSON body, which the ``SendError`` message does not carry."""

    requires_response_body = True

    def __init__(self) -> None:
        self.response: httpx.Response | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.response = yield request


def bot_api_error(error: SendError, keep: _KeepResponse) -> SendError:
    """Sharpen :func:`http.call`'s error with the Bot API's body.

    429: wait ``parameters.retry_after`` seconds. 403 is not a bad token on Telegram (that is 401 or 404) but "the
    user blocked the bot" or "the bot was removed from the group": permanent for this chat, the channel is healthy.
    """
    body: Any = None
    if keep.response is not None:
        try:
            body = keep.response.json()
        except ValueError:
            body = None
    body = body if isinstance(body, dict) else {}
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    description = str(body.get("description") or error)
    if error.status_code == 429 or body.get("error_code") == 429:
        wait = parameters.get("retry_after")
        return SendError(str(error), retryable=True,
                         retry_after=float(wait) if isinstance(wait, int | float) else error.retry_after,
                         health=HealthStatus.RATE_LIMITED, status_code=429)
    if error.status_code == 403:
        return SendError(f"Telegram refused to deliver to this chat: {description}", status_code=403)
    if error.status_code == 404 and "Not Found" in description:
        return SendError("Telegram does not know this bot token (HTTP 404): check the token from @BotFather",
                         health=HealthStatus.TOKEN_EXPIRED, status_code=404)
    if parameters.get("migrate_to_chat_id"):
        return SendError(f"this group became a supergroup with chat id {parameters['migrate_to_chat_id']}; the "
                         f"customer's next message there starts a new conversation", status_code=error.status_code)
    return error
