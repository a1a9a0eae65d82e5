"""X (Twitter): mentions, replies and direct messages in through the Account Activity webhook, answers out through
API v2.

Inbound (``/hooks/<key>/``):

- **CRC**: X's GET with ``crc_token`` is answered with ``sha256=`` + base64 HMAC-SHA256 of the token under the app's
  consumer secret. Every POST carries ``x-twitter-webhooks-signature`` over the exact body with the same key; a
  missing or wrong one is refused (constant-time comparison).
- ``tweet_create_events``: a customer's mention of or reply to the brand is an inbound public message; a tweet by the
  brand's own account (``user.id`` == ``for_user_id``) that answers a customer is the brand's outbound message (the
  echo of a reply webcare sent is recognised by its tweet id and skipped by ingestion); the brand's other tweets
  (announcements, threads with itself) and retweets are no customer conversation and are skipped. An edited tweet
  arrives as a new tweet whose ``edit_history.initial_tweet_id`` names the original: it becomes an ``edited`` update of
  the original.
- ``direct_message_events`` (``message_create``): private messages; ``sender_id`` == ``for_user_id`` is the brand's.
- ``tweet_delete_events`` → ``deleted``; ``direct_message_mark_read_events`` by the customer → ``read``.
- Everything else (likes, follows, typing, blocks …) is skipped and logged.

Ids, chosen so that ``send()`` has what X needs:

- ``message_id``: the tweet id or the DM event id, as X gives them (they never collide: one id space, snowflakes).
- ``conversation_id`` of a DM: X's own one-to-one ``dm_conversation_id``, ``"<lower id>-<higher id>"`` of the two
  accounts.
- ``conversation_id`` of public tweets: ``"public:<customer's user id>"`` — one public conversation per customer.
  Why not the root tweet of the reply chain: an Account Activity tweet names only its direct parent
  (``in_reply_to_status_id_str``), never the root, and a connector has no database to look the parent up in. A
  customer who answers the brand's reply would then start a new conversation (and a new ticket) at every turn. Per
  customer, every exchange with that customer lands in one thread, its tickets follow the usual lifecycle (a new
  question after a closed ticket starts a follow-up), and each message keeps its parent in ``in_reply_to``.
  Replies still answer the exact tweet: ``target_id`` is the newest inbound tweet.
- ``author.id``: the numeric user id — what DMs (private replies) are addressed to.

Outbound (API v2): public reply ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``; a post of the brand's own
(an announcement during an incident) ``POST /2/tweets`` with the text alone, at most 280 characters as X counts them
(:func:`weighted_length`); DM (reply in a DM
conversation, or a private reply to a public tweet's author) ``POST /2/dm_conversations/with/{id}/messages``; hide /
unhide ``PUT /2/tweets/{id}/hidden``; delete (the brand's own tweets only) ``DELETE /2/tweets/{id}``; like
``POST /2/users/{me}/likes``. A 429's ``x-rate-limit-reset`` (epoch seconds) becomes the Retry-After.

Attachments: photos and videos of tweets are public files on ``pbs.twimg.com`` / ``video.twimg.com`` and are
downloaded plainly; media of direct messages are on ``ton.twitter.com`` (and ``video.twimg.com/dm_…``) and need the
channel's auth. The sender downloads them after the message is stored (``fetch_media``, webcare/channels/media.py).

Auth: OAuth 1.0a user context (consumer key + secret, access token + secret; HMAC-SHA1, RFC 5849) when those are set —
what most accounts use, and its tokens do not expire — else an OAuth 2.0 user-context bearer token. The OAuth 2.0
token expires after two hours unless refreshed, and webcare does not refresh it (see docs/channels/x.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Generator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

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
from webcare.channels.http import call, retry_after_seconds

logger = logging.getLogger("webcare.channels")

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
TWEET_TIME = "%a %b %d %H:%M:%S %z %Y"
PUBLIC_PREFIX = "public:"
#: X's media servers: tweet photos, tweet videos and GIFs, direct-message media.
MEDIA_HOSTS = ("pbs.twimg.com", "video.twimg.com", "ton.twitter.com")
SIGNED_MEDIA_HOST = "ton.twitter.com"
#: Paths of direct-message media, which only the accounts in the conversation may download (with their auth).
#: X's limit for a post, in its weighted count (twitter-text's configuration v3).
POST_LIMIT = 280
#: Code point ranges X counts as one character (Latin, Greek, Cyrillic, Hebrew, Arabic … and common punctuation); every
#: other code point (CJK, emoji) counts as two.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
#: A link counts as 23 characters whatever its length (X shortens it to t.co).
URL_LENGTH = 23
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def weighted_length(text: str) -> int:
    """How long X counts ``text`` (twitter-text v3): NFC-normalised; each link 23; code points in the light ranges 1,
    others 2; an emoji sequence (with its variation selector, skin tone or zero-width joins) 2 in all."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _URL.finditer(text):
        length += _weigh(text[position:match.start()]) + URL_LENGTH
        position = match.end()
    return length + _weigh(text[position:])


#: Parts of an emoji sequence that X does not count on their own: variation selectors, skin tones.
_EMOJI_PARTS = ((0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF))
_ZWJ = "\u200d"


def _weigh(text: str) -> int:
    total, joined = 0, False
    for char in text:
        code = ord(char)
        if char == _ZWJ:
            joined = True  # the next emoji is part of this one
            continue
        if joined or any(low <= code <= high for low, high in _EMOJI_PARTS):
            joined = False
            continue
        total += 1 if any(low <= code <= high for low, high in _LIGHT_RANGES) else 2
    return total


SIGNED_MEDIA_PATHS = ("/1.1/ton/", "/i/ton/", "/dm_video/", "/dm_gif/")


# -- signatures ----------------------------------------------------------------------------------------------------

def _hmac_b64(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def crc_response_token(consumer_secret: str, crc_token: str) -> str:
    """The answer to X's challenge-response check."""
    return "sha256=" + _hmac_b64(consumer_secret, crc_token.encode())


def body_signature(consumer_secret: str, body: bytes) -> str:
    """What ``x-twitter-webhooks-signature`` must say for ``body``."""
    return "sha256=" + _hmac_b64(consumer_secret, body)


def _pct(value: str) -> str:
    return quote(value, safe="-._~")


class _SigningAuth(httpx.Auth):
    """Signs each request and keeps the headers of the last answer.

    Why keep them: X sends its rate-limit reset only as a header of the 429, which ``http.call`` turns into a
    :class:`SendError`; the auth flow is the one place that still sees that response.
    """

    def __init__(self) -> None:
        self.last_headers: httpx.Headers = httpx.Headers()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        response = yield request
        self.last_headers = response.headers

    def sign(self, request: httpx.Request) -> None:
        raise NotImplementedError


class BearerAuth(_SigningAuth):
    """OAuth 2.0 user context: the access token as a bearer token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.token}"


class OAuth1Auth(_SigningAuth):
    """OAuth 1.0a HMAC-SHA1 (RFC 5849 §3.4). JSON bodies are not part of the signature; query parameters are."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str,
                 nonce: str | None = None, timestamp: int | None = None) -> None:
        super().__init__()
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.token, self.token_secret = token, token_secret
        self.nonce, self.timestamp = nonce, timestamp

    def oauth_params(self) -> dict[str, str]:
        return {
            "oauth_consumer_key": self.consumer_key,
            "oauth_nonce": self.nonce or secrets.token_hex(16),
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_timestamp": str(self.timestamp or int(time.time())),
            "oauth_token": self.token,
            "oauth_version": "1.0",
        }

    def signature(self, method: str, url: str, params: list[tuple[str, str]]) -> str:
        """The signature over method, base URL (no query) and every parameter, percent-encoded and sorted."""
        parts = urlsplit(url)
        base_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
        normalised = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))
        base = "&".join((method.upper(), _pct(base_url), _pct(normalised)))
        key = f"{_pct(self.consumer_secret)}&{_pct(self.token_secret)}"
        return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()

    def header(self, method: str, url: str, query: list[tuple[str, str]]) -> str:
        oauth = self.oauth_params()
        oauth["oauth_signature"] = self.signature(method, url, [*query, *oauth.items()])
        return "OAuth " + ", ".join(f'{_pct(k)}="{_pct(v)}"' for k, v in sorted(oauth.items()))

    def sign(self, request: httpx.Request) -> None:
        url = str(request.url.copy_with(query=None, fragment=None))
        request.headers["Authorization"] = self.header(request.method, url, list(request.url.params.multi_items()))


def rate_limit_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until X's window resets (``x-rate-limit-reset``, epoch seconds), else a standard Retry-After."""
    reset = headers.get("x-rate-limit-reset", "")
    if reset.strip().isdigit():
        return max(0.0, float(reset) - (time.time() if now is None else now))
    return retry_after_seconds(headers.get("retry-after"))


# -- reading deliveries --------------------------------------------------------------------------------------------

def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: X omits or nulls what a tweet does not have."""
    return value if isinstance(value, dict) else {}


def dm_conversation_id(a: str, b: str) -> str:
    """X's id of the one-to-one DM conversation between two accounts: the lower id first."""
    low, high = sorted((a, b), key=lambda v: (len(v), v))
    return f"{low}-{high}"


def public_conversation_id(customer_id: str) -> str:
    return f"{PUBLIC_PREFIX}{customer_id}"


def _id(obj: Mapping[str, Any], key: str = "id") -> str:
    """X's ``<key>_str`` when given (ids exceed JSON's safe integers), else the plain value."""
    value = obj.get(f"{key}_str") or obj.get(key)
    if isinstance(value, float):  # a big id parsed as a float has lost digits: unusable
        return ""
    return str(value) if value not in (None, "") else ""


def _from_ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _tweet_time(tweet: Mapping[str, Any], where: str) -> datetime:
    if (at := _from_ms(tweet.get("timestamp_ms"))) is not None:
        return at
    try:
        return datetime.strptime(str(tweet.get("created_at")), TWEET_TIME)
    except ValueError as exc:
        raise Malformed(f"{where}: created_at {tweet.get('created_at')!r} is not X's date format") from exc


def _media_attachments(media: Any) -> list[dict[str, Any]]:
    """Attachment metadata for X media objects: photos by their image URL, videos and GIFs by their best MP4."""
    found: list[dict[str, Any]] = []
    for item in media if isinstance(media, list) else []:
        if not isinstance(item, dict):
            continue
        url, content_type = str(item.get("media_url_https") or item.get("media_url") or ""), "image/jpeg"
        if item.get("type") in ("video", "animated_gif"):
            variants = [v for v in _obj(item.get("video_info")).get("variants") or []
                        if isinstance(v, dict) and v.get("content_type") == "video/mp4"]
            if variants:
                best = max(variants, key=lambda v: int(v.get("bitrate") or 0))
                url, content_type = str(best.get("url", "")), "video/mp4"
        elif url.lower().endswith(".png"):
            content_type = "image/png"
        if url and all(a["url"] != url for a in found):
            name = urlsplit(url).path.rsplit("/", 1)[-1] or "media"
            found.append({"name": name[:255], "content_type": content_type, "url": url})
    return found


def _without_media_links(text: str, media: Any) -> str:
    """X appends a t.co link to the media to the text; the attachment already shows it."""
    for item in media if isinstance(media, list) else []:
        if isinstance(item, dict) and item.get("url"):
            text = text.replace(str(item["url"]), "")
    return text.strip()


def _tweet_media(tweet: Mapping[str, Any]) -> Any:
    source = _obj(tweet.get("extended_tweet")) or tweet
    for key in ("extended_entities", "entities"):
        media = _obj(source.get(key)).get("media")
        if media:
            return media
    return []


def _tweet_text(tweet: Mapping[str, Any]) -> str:
    extended = tweet.get("extended_tweet")
    text = extended.get("full_text", "") if isinstance(extended, dict) else ""
    text = text or tweet.get("full_text") or tweet.get("text") or ""
    # v1.1 tweet text comes HTML-escaped (&amp; &lt; &gt;).
    return _without_media_links(html.unescape(str(text)), _tweet_media(tweet))


def _author(user: Mapping[str, Any], user_id: str) -> dict[str, Any]:
    author: dict[str, Any] = {"id": user_id, "name": str(user.get("name") or "")[:255]}
    if user.get("screen_name"):
        author["handle"] = f"@{user['screen_name']}"[:255]
    followers = user.get("followers_count")
    if isinstance(followers, int) and followers >= 0:
        author["followers"] = followers
    return author


def _events(data: Mapping[str, Any], key: str) -> list[Any]:
    events = data.get(key)
    if not isinstance(events, list):
        raise Malformed(f"{key} is not a list")
    return events


class XConnector(Connector):
    kind = "x"
    label = "X (Twitter)"
    capabilities = frozenset({Capability.PUBLIC_REPLY, Capability.PRIVATE_REPLY, Capability.HIDE, Capability.DELETE,
                              Capability.LIKE, Capability.POST})
    post_limit: ClassVar[int] = POST_LIMIT
    credential_fields = (
        CredentialField("consumer_secret", "API key secret (consumer secret)",
                        help="From the X developer portal (Keys and tokens). Answers X's CRC and checks the "
                             "signature of every webhook delivery; with OAuth 1.0a it also signs requests."),
        CredentialField("consumer_key", "API key (consumer key)", required=False,
                        help="For OAuth 1.0a (recommended: its tokens do not expire)."),
        CredentialField("access_token", "Access token", required=False,
                        help="OAuth 1.0a access token of the brand's account (Read and write and Direct message)."),
        CredentialField("access_token_secret", "Access token secret", required=False),
        CredentialField("bearer_token", "OAuth 2.0 user access token", required=False,
                        help="Instead of OAuth 1.0a: a user-context token with tweet.write, dm.write, like.write, "
                             "users.read. Expires after two hours; webcare does not refresh it."),
        CredentialField("user_id", "Account id", secret=False, required=False,
                        help="The brand account's numeric id. Deliveries for other accounts are ignored. "
                             "'Check connection' shows it."),
    )
    #: POST /2/tweets allows 100 requests per 15 minutes per user on the paid tiers, DMs fewer: one every 10 s.
    rate_per_second: ClassVar[float] = 0.1
    default_api_base = "https://api.x.com"

    # -- configuration --------------------------------------------------------------------------------------------
    def _optional(self, name: str) -> str:
        return str(self.credentials.get(name) or self.channel.settings.get(name) or "")

    def _consumer_secret(self) -> str:
        secret = self._optional("consumer_secret")
        if not secret:
            raise BadSignature(f"channel {self.channel.slug!r} has no consumer_secret set, so X's signatures "
                               "cannot be checked")
        return secret

    def auth(self) -> _SigningAuth:
        """OAuth 1.0a when its four values are set, else the OAuth 2.0 bearer token."""
        token, token_secret = self._optional("access_token"), self._optional("access_token_secret")
        key, secret = self._optional("consumer_key"), self._optional("consumer_secret")
        if token and token_secret and key and secret:
            return OAuth1Auth(key, secret, token, token_secret)
        if bearer := self._optional("bearer_token"):
            return BearerAuth(bearer)
        raise ConnectorError(f"channel {self.channel.slug!r} has no X credentials to send with: set consumer_key, "
                             "consumer_secret, access_token and access_token_secret (OAuth 1.0a), or bearer_token")

    # -- inbound --------------------------------------------------------------------------------------------------
    def handshake(self, delivery: Delivery) -> HttpResponse | None:
        token = delivery.query.get("crc_token", "")
        if delivery.method != "GET" or not token:
            return None
        return JsonResponse({"response_token": crc_response_token(self._consumer_secret(), token)})

    def verify(self, delivery: Delivery) -> None:
        given = delivery.headers.get(SIGNATURE_HEADER, "")
        if not given:
            raise BadSignature(f"missing {SIGNATURE_HEADER} header")
        expected = body_signature(self._consumer_secret(), delivery.body)
        if not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise BadSignature(f"{SIGNATURE_HEADER} does not match the body")

    def parse(self, delivery: Delivery) -> list[InboundItem]:
        data = delivery.json()
        if not isinstance(data, dict):
            raise Malformed("the body is not a JSON object")
        brand = str(data.get("for_user_id") or "")
        if not brand:
            raise Malformed("for_user_id is missing: not an Account Activity delivery")
        configured = self.setting("user_id")
        if configured and configured != brand:
            logger.warning("X delivery for account %s ignored on channel %s (set up for account %s)", brand,
                           self.channel.slug, configured)
            return []
        users = _obj(data.get("users"))
        items: list[InboundItem] = []
        for key in data:
            if key == "tweet_create_events":
                for index, tweet in enumerate(_events(data, key)):
                    items += self._tweet(tweet, brand, f"{key}[{index}]")
            elif key == "direct_message_events":
                for index, event in enumerate(_events(data, key)):
                    items += self._direct_message(event, brand, users, f"{key}[{index}]")
            elif key == "tweet_delete_events":
                for index, event in enumerate(_events(data, key)):
                    items += self._tweet_delete(event, brand, f"{key}[{index}]")
            elif key == "direct_message_mark_read_events":
                for event in _events(data, key):
                    items += self._mark_read(event, brand)
            elif key.endswith("_events") or key == "user_event":
                logger.info("X %s skipped on channel %s: not a customer message", key, self.channel.slug)
        return items

    def _tweet(self, tweet: Any, brand: str, where: str) -> list[InboundItem]:
        if not isinstance(tweet, dict):
            raise Malformed(f"{where} is not a tweet object")
        tweet_id = _id(tweet)
        user = tweet.get("user")
        if not tweet_id or not isinstance(user, dict) or not _id(user):
            raise Malformed(f"{where}: a tweet needs id_str and user.id_str")
        if "retweeted_status" in tweet:
            logger.info("X retweet %s skipped on channel %s", tweet_id, self.channel.slug)
            return []
        author_id = _id(user)
        if author_id == brand:
            customer = _id(tweet, "in_reply_to_user_id")
            if not customer or customer == brand:
                logger.info("X tweet %s by the brand answers no customer; skipped", tweet_id)
                return []
            direction = "outbound"
        else:
            customer, direction = author_id, "inbound"
        conversation = public_conversation_id(customer)
        sent_at, text = _tweet_time(tweet, where), _tweet_text(tweet)
        initial = str(_obj(tweet.get("edit_history")).get("initial_tweet_id") or "")
        if initial and initial != tweet_id:
            update = {"message_id": initial, "change": "edited", "at": sent_at.isoformat(), "text": text}
            return [InboundItem(f"{initial}:edit:{tweet_id}", ItemKind.UPDATE, update, tweet, conversation)]
        attachments = _media_attachments(_tweet_media(tweet))
        if not text and not attachments:
            logger.info("X tweet %s has neither text nor media; skipped", tweet_id)
            return []
        payload = {
            "message_id": tweet_id, "conversation_id": conversation, "conversation_kind": "public",
            "direction": direction, "author": _author(user, author_id), "text": text, "sent_at": sent_at.isoformat(),
            "in_reply_to": _id(tweet, "in_reply_to_status_id"), "attachments": attachments,
        }
        return [InboundItem(tweet_id, ItemKind.MESSAGE, payload, tweet, conversation)]

    def _direct_message(self, event: Any, brand: str, users: Mapping[str, Any], where: str) -> list[InboundItem]:
        if not isinstance(event, dict):
            raise Malformed(f"{where} is not a direct message event")
        if event.get("type") != "message_create":
            logger.info("X direct message event of type %r skipped", event.get("type"))
            return []
        create = event.get("message_create")
        event_id = _id(event)
        if not event_id or not isinstance(create, dict):
            raise Malformed(f"{where}: a message_create event needs id and message_create")
        sender = str(create.get("sender_id") or "")
        recipient = str(_obj(create.get("target")).get("recipient_id") or "")
        if not sender or not recipient:
            raise Malformed(f"{where}: message_create needs sender_id and target.recipient_id")
        outbound = sender == brand
        customer = recipient if outbound else sender
        conversation = dm_conversation_id(brand, customer)
        data = _obj(create.get("message_data"))
        attached = _obj(data.get("attachment")).get("media")
        media = [attached] if attached else []
        text, attachments = _without_media_links(str(data.get("text") or ""), media), _media_attachments(media)
        if not text and not attachments:
            logger.info("X direct message %s has neither text nor media; skipped", event_id)
            return []
        profile = _obj(users.get(sender))
        # Real deliveries carry created_timestamp; without one, the delivery is happening now.
        sent_at = _from_ms(event.get("created_timestamp")) or timezone.now()
        payload = {
            "message_id": event_id, "conversation_id": conversation, "conversation_kind": "private",
            "direction": "outbound" if outbound else "inbound", "author": _author(profile, sender), "text": text,
            "sent_at": sent_at.isoformat(), "attachments": attachments,
        }
        return [InboundItem(event_id, ItemKind.MESSAGE, payload, event, conversation)]

    def _tweet_delete(self, event: Any, brand: str, where: str) -> list[InboundItem]:
        status = event.get("status") if isinstance(event, dict) else None
        if not isinstance(status, dict) or not _id(status):
            raise Malformed(f"{where}: a tweet delete event needs status.id")
        tweet_id, user_id = _id(status), str(status.get("user_id") or "")
        at = _from_ms(event.get("timestamp_ms")) or timezone.now()
        conversation = public_conversation_id(user_id) if user_id and user_id != brand else ""
        update = {"message_id": tweet_id, "change": "deleted", "at": at.isoformat()}
        return [InboundItem(f"{tweet_id}:deleted", ItemKind.UPDATE, update, event, conversation)]

    def _mark_read(self, event: Any, brand: str) -> list[InboundItem]:
        if not isinstance(event, dict):
            return []
        reader, last = str(event.get("sender_id") or ""), str(event.get("last_read_event_id") or "")
        if not reader or not last or reader == brand:
            return []  # the brand reading the customer's messages is nothing to record
        at = _from_ms(event.get("created_timestamp")) or timezone.now()
        update = {"message_id": last, "change": "read", "at": at.isoformat()}
        return [InboundItem(f"{last}:read", ItemKind.UPDATE, update, event, dm_conversation_id(brand, reader))]

    # -- outbound -------------------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        auth = self.auth()
        try:
            response = call(method, f"{self.api_base}{path}", what, auth=auth, **kwargs)
        except SendError as exc:
            if exc.status_code == 429:
                raise SendError(str(exc), retryable=True, retry_after=rate_limit_wait(auth.last_headers),
                                health=HealthStatus.RATE_LIMITED, status_code=429) from exc
            raise
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    def _me(self) -> str:
        return self.setting("user_id") or str(self._call("GET", "/2/users/me", "read the X account")
                                               .get("data", {}).get("id") or "")

    def _dm_participant(self, request: OutboundRequest) -> str:
        participant = str(request.recipient.get("id") or "")
        if not participant and "-" in request.conversation_id and self.setting("user_id"):
            others = [p for p in request.conversation_id.split("-") if p != self.setting("user_id")]
            participant = others[0] if others else ""
        if not participant:
            raise SendError("no X account to send the direct message to (the customer's user id is unknown)")
        return participant

    def post_length(self, text: str) -> int:
        return weighted_length(text)

    def send(self, request: OutboundRequest) -> SendResult:
        try:
            return self._send(request)
        except SendError:
            raise
        except ConnectorError as exc:  # credentials missing: nothing was sent, and retrying will not help
            raise SendError(str(exc)) from exc

    def _send(self, request: OutboundRequest) -> SendResult:
        action, target = request.action, request.target_id
        if action in (Action.REPLY, Action.PRIVATE_REPLY) and not request.text.strip():
            raise SendError("a reply needs text")
        if action == Action.POST:
            if problem := self.post_problem(request.text):
                raise SendError(problem)
            body = self._call("POST", "/2/tweets", "publish the post on X", json={"text": request.text})
            return self._result(body, "id", "post")
        if action == Action.REPLY and request.conversation_public:
            if not target:
                raise SendError("no tweet to answer: the conversation has no inbound tweet id")
            body = self._call("POST", "/2/tweets", "post the reply on X",
                              json={"text": request.text, "reply": {"in_reply_to_tweet_id": target}})
            return self._result(body, "id", "reply")
        if action in (Action.REPLY, Action.PRIVATE_REPLY):
            participant = self._dm_participant(request)
            body = self._call("POST", f"/2/dm_conversations/with/{quote(participant, safe='')}/messages",
                              "send the direct message on X", json={"text": request.text})
            return self._result(body, "dm_event_id", "direct message")
        if not target:
            raise SendError(f"{action}: no tweet id to act on")
        tweet = quote(target, safe="")
        if action in (Action.HIDE, Action.UNHIDE):
            self._call("PUT", f"/2/tweets/{tweet}/hidden", f"{action} the reply on X",
                       json={"hidden": action == Action.HIDE})
        elif action == Action.DELETE:
            self._call("DELETE", f"/2/tweets/{tweet}", "delete the tweet on X")
        elif action == Action.LIKE:
            me = self._me()
            if not me:
                raise SendError("like: the brand's X account id is unknown; set user_id")
            self._call("POST", f"/2/users/{quote(me, safe='')}/likes", "like the tweet on X", json={"tweet_id": target})
        else:
            raise SendError(f"X cannot {action}")
        return SendResult()

    @staticmethod
    def _result(body: Mapping[str, Any], key: str, what: str) -> SendResult:
        external = str(_obj(body.get("data")).get(key) or "")
        if not external:
            # Posted, but X did not say under which id: not an error (a retry would post twice).
            # Only the answer's shape: its body repeats the post, which may quote the customer.
            logger.warning("X accepted the %s but returned no %s (answer keys: %s)", what, key, ", ".join(sorted(body)))
        return SendResult(external_id=external, sent_at=timezone.now())

    # -- attachments ----------------------------------------------------------------------------------------------
    def fetches(self, url: str) -> bool:
        """Only X's own media servers (:data:`MEDIA_HOSTS`), over https."""
        return http.media_url_allowed(url, MEDIA_HOSTS, self.setting("api_base_url"))

    def fetch_media(self, url: str, max_bytes: int) -> FetchedMedia:
        """A GET; signed with the channel's auth (OAuth 1.0a or the bearer token) for direct-message media, plain
        for tweet media (public, and the credentials have no business there)."""
        if not self.fetches(url):
            raise SendError(f"{self.label}: webcare does not download attachments from this address")
        parsed = httpx.URL(url)
        auth: httpx.Auth | None = None
        if parsed.host == SIGNED_MEDIA_HOST or parsed.path.startswith(SIGNED_MEDIA_PATHS):
            try:
                auth = self.auth()
            except ConnectorError as exc:
                raise SendError(str(exc)) from exc
        return http.download(url, "X media download", max_bytes, allowed=self.fetches, auth=auth)

    def check(self) -> HealthReport:
        try:
            if not self._optional("consumer_secret"):
                return HealthReport(HealthStatus.FAILING, "no consumer secret (API key secret) is set: X's webhook "
                                                          "deliveries cannot be verified")
            data = self._call("GET", "/2/users/me", "read the X account").get("data") or {}
        except SendError as exc:
            return HealthReport(exc.health or HealthStatus.FAILING, f"X refused the credentials: {exc}")
        except ConnectorError as exc:
            return HealthReport(HealthStatus.FAILING, str(exc))
        account = f"@{data.get('username', '?')} ({data.get('name', '')}), account id {data.get('id', '?')}"
        configured = self.setting("user_id")
        if configured and str(data.get("id")) != configured:
            return HealthReport(HealthStatus.FAILING, f"the token belongs to {account}, but this channel is set up "
                                                      f"for account id {configured}")
        return HealthReport(HealthStatus.OK, account)
