"""The one small interface every platform connector implements (docs/channels.md).

A connector is a thin translator between one platform's protocol and webcare's own formats. It never touches the
database: the webhook view (``webhooks.py``), the pollers (``polling.py``) and the sender (``sender.py``) do the I/O
around it, so that storing before acknowledging, idempotency, retries, backoff and rate limits are written once for all
platforms, and a connector is tested by handing it bytes and pointing it at a stub server.

Inbound: ``handshake`` (the platform's URL verification, e.g. Meta's ``hub.challenge`` or X's CRC), ``verify`` (the
signature over the exact body) and ``parse`` (the delivery into normalised :class:`InboundItem` s).
Outbound: ``send`` one :class:`OutboundRequest` (a reply, a private reply, a moderation action, or a public post of
the brand's own where the platform has one) with an idempotency key. ``check`` tries the credentials for the admin's
"Connect" button and the health shown to admins.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.http import HttpResponse

if TYPE_CHECKING:
    from django.http import HttpRequest

    from webcare.core.models import Channel


class Capability(StrEnum):
    """What a connector can do on its platform; the inbox offers only what the channel's connector declares."""

    PUBLIC_REPLY = "public_reply"
    PRIVATE_REPLY = "private_reply"  #: answer a public comment with a private message to its author
    HIDE = "hide"
    DELETE = "delete"
    LIKE = "like"
    ATTACHMENTS = "attachments"
    #: Publish a post of the brand's own on its account or page (a proactive announcement during an incident,
    #: webcare/incidents): X's ``POST /2/tweets``, a Facebook page's ``POST /{page-id}/feed``. Platforms without a
    #: text post of the brand's own (Instagram needs a picture, messaging and e-mail have no public feed) leave it out,
    #: and webcare then refuses a post there before anything is queued.
    POST = "post"


class Action(StrEnum):
    """What an outbound request does."""

    REPLY = "reply"  #: answer in the conversation (publicly in a public thread, privately in a private one)
    PRIVATE_REPLY = "private_reply"  #: a private message to the author of a public message
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    LIKE = "like"
    #: Not an outbound message: download a customer's attachment from the platform into webcare's own storage
    #: (platform media links expire, or need the channel's token). Queued like the rest, so it gets the same retries,
    #: backoff and rate limits.
    FETCH_MEDIA = "fetch_media"
    #: Not an outbound message either: ask the platform for a new customer's name where deliveries carry only an
    #: id (Messenger and Instagram direct messages), so the agent — and {customer_first_name} — can greet them.
    FETCH_PROFILE = "fetch_profile"
    #: A public post of the brand's own, in no conversation with a customer (``text`` only).
    POST = "post"


ACTION_NEEDS = {
    Action.REPLY: None, Action.PRIVATE_REPLY: Capability.PRIVATE_REPLY, Action.HIDE: Capability.HIDE,
    Action.UNHIDE: Capability.HIDE, Action.DELETE: Capability.DELETE, Action.LIKE: Capability.LIKE,
    Action.FETCH_MEDIA: None, Action.FETCH_PROFILE: None, Action.POST: Capability.POST,
}
#: Actions whose job sends its own message (a reply or a post): its message's delivery state follows the job.
SENDS_MESSAGE = frozenset({Action.REPLY, Action.PRIVATE_REPLY, Action.POST})


class HealthStatus(StrEnum):
    """A channel's health as admins see it."""

    UNKNOWN = "unknown"
    OK = "ok"
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - a status name. The platform refused the credentials (401/403, invalid token)  # nosec B105
    RATE_LIMITED = "rate_limited"  #: the platform said "slow down" (429); sending resumes by itself
    FAILING = "failing"  #: the platform errs or cannot be reached


@dataclass(frozen=True)
class HealthReport:
    status: HealthStatus
    detail: str = ""


@dataclass(frozen=True)
class CredentialField:
    """One field of the admin's "Connect channel" form. ``secret`` fields are stored encrypted and never shown again;
    the others go to ``Channel.settings``."""

    name: str
    label: str
    secret: bool = True
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Delivery:
    """One HTTP request from a platform, as the connector needs it: header names in lower case, the body as bytes
    (signatures are computed over the exact bytes, never over re-serialised JSON)."""

    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    url: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Delivery:
        return cls(
            method=request.method or "GET",
            headers={key.lower(): value for key, value in request.headers.items()},
            query={key: request.GET.get(key, "") for key in request.GET},
            body=request.body,
            url=request.build_absolute_uri(),
        )

    def json(self) -> Any:
        """The body as JSON (parsed once: the webhook view may hand one delivery to several channels' connectors;
        they only read it); :class:`Malformed` when it is not."""
        return self._parsed

    @cached_property
    def _parsed(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Malformed(f"body is not JSON: {exc}") from exc


class ItemKind(StrEnum):
    MESSAGE = "message"  #: ``payload`` is a :class:`webcare.ingest.schema.MessageIn` dict (either direction)
    UPDATE = "update"  #: ``payload`` is a :class:`webcare.ingest.schema.MessageUpdateIn` dict


@dataclass(frozen=True)
class InboundItem:
    """One thing a delivery says, normalised.

    ``event_id`` is the platform's stable id for this item (a message id, a status id + status …): a platform's retry
    of the same delivery produces the same ids, which is what makes it idempotent. ``raw`` is the platform's own item
    as it came, kept beside the normalised payload.
    """

    event_id: str
    kind: ItemKind
    payload: dict[str, Any]
    raw: Any
    conversation_id: str = ""


@dataclass(frozen=True)
class OutboundRequest:
    """What the sender asks a connector to do. Built from the stored job, so a retry sends exactly the same thing."""

    action: Action
    idempotency_key: str
    text: str = ""
    #: The platform's thread id (post id, DM thread, chat id, e-mail thread root).
    conversation_id: str = ""
    conversation_public: bool = False
    #: The platform id of the message this answers / acts on (comment id, tweet id, e-mail Message-ID …).
    target_id: str = ""
    #: The customer's platform identity: {"id", "handle", "name"} (a PSID, a phone number, an address …).
    recipient: Mapping[str, str] = field(default_factory=dict)
    subject: str = ""
    #: E-mail threading: the Message-IDs of the thread, oldest first.
    references: tuple[str, ...] = ()
    #: [{"name", "content_type", "url"}] — files the agent attached.
    attachments: tuple[Mapping[str, Any], ...] = ()
    #: WhatsApp outside the 24-hour window: {"name", "language", "parameters": [...]}.
    template: Mapping[str, Any] | None = None
    #: The agent's display name, for platforms that show a sender name (e-mail From).
    agent_name: str = ""


@dataclass(frozen=True)
class FetchedMedia:
    """A file downloaded from the platform: its bytes, its type, and its name when the platform gives one."""

    data: bytes
    content_type: str = "application/octet-stream"
    name: str = ""


@dataclass(frozen=True)
class SendResult:
    """A send that the platform accepted: its id for what was posted (empty for moderation actions)."""

    external_id: str = ""
    sent_at: datetime | None = None


class ConnectorError(Exception):
    """Base of the connectors' errors; the message is shown to people, so it names what is wrong."""


class BadSignature(ConnectorError):
    """The delivery is not from the platform (wrong or missing signature or secret token): 401, nothing stored."""


class Malformed(ConnectorError):
    """The delivery is not a shape the platform sends: 400, nothing stored."""


class SendError(ConnectorError):
    """The platform did not take an outbound request.

    ``retryable``: worth trying again later (5xx, 429, network down before the request left). ``retry_after``: the
    platform's Retry-After in seconds, honoured by the sender. ``ambiguous``: the request may have been carried out
    (timeout after sending): the sender never repeats such a request on its own unless the connector's sends are
    idempotent, so a reply is never posted twice. ``health``: what this says about the channel.
    """

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None,
                 ambiguous: bool = False, health: HealthStatus | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.ambiguous = ambiguous
        self.health = health
        self.status_code = status_code


class Connector:
    """Base class of platform connectors. Subclasses set the class attributes and override what they support."""

    #: The ``ChannelKind`` value this connector serves.
    kind: ClassVar[str] = ""
    #: Shown in the admin's "Connect channel" list.
    label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    #: Sends per second this channel may make (the platform's documented limit, with a margin).
    rate_per_second: ClassVar[float] = 5.0
    #: True when sending the same request twice cannot post twice (e.g. e-mail with a fixed Message-ID), so a send
    #: interrupted mid-flight may be repeated by the sender instead of waiting for a person.
    idempotent_sends: ClassVar[bool] = False
    #: Receives by webhook (the view at /hooks/<key>/), by polling (``poll``), or both.
    webhook: ClassVar[bool] = True
    polling: ClassVar[bool] = False
    #: Whether webcare can tell the platform its webhook URL itself (:meth:`register_webhook`), so the admin does not
    #: have to do it by hand on the platform's side.
    registers_webhook: ClassVar[bool] = False
    #: The platform's API root; ``Channel.settings["api_base_url"]`` overrides it (a proxy, or a stub in tests).
    default_api_base: ClassVar[str] = ""
    #: The longest public post (:attr:`Capability.POST`) the platform takes, as :meth:`post_length` counts; 0: no limit.
    post_limit: ClassVar[int] = 0

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._credentials: dict[str, Any] | None = None

    # -- configuration ------------------------------------------------------------------------------------------
    @property
    def credentials(self) -> dict[str, Any]:
        if self._credentials is None:
            self._credentials = self.channel.get_credentials()
        return self._credentials

    def secret(self, name: str) -> str:
        """A credential, or a clear error naming it when the channel has none."""
        value = self.credentials.get(name) or self.channel.settings.get(name)
        if not value:
            raise ConnectorError(f"channel {self.channel.slug!r} has no {name!r} set")
        return str(value)

    def setting(self, name: str, default: str = "") -> str:
        return str(self.channel.settings.get(name) or default)

    @property
    def api_base(self) -> str:
        return (self.channel.settings.get("api_base_url") or self.default_api_base).rstrip("/")

    # -- inbound ------------------------------------------------------------------------------------------------
    def handshake(self, delivery: Delivery) -> HttpResponse | None:
        """Answer the platform's URL verification (a GET with a challenge), or None when this is not one.
        Raise :class:`BadSignature` when it is one with a wrong token."""
        return None

    def verify(self, delivery: Delivery) -> None:
        """Raise :class:`BadSignature` unless the delivery carries the platform's valid signature."""
        raise BadSignature(f"{self.kind} connector does not take webhooks")

    def parse(self, delivery: Delivery) -> list[InboundItem]:
        """The items of a verified delivery; :class:`Malformed` when the body is not a shape the platform sends.
        Unknown event types are skipped (and logged), never an error: platforms add types without notice."""
        raise Malformed(f"{self.kind} connector does not take webhooks")

    @property
    def account_id(self) -> str:
        """The platform account this channel is (a page id, a phone number id …); "" where that does not apply."""
        return ""

    def other_accounts(self, delivery: Delivery) -> set[str]:
        """Accounts named in a verified delivery that are not this channel's. One platform app has one callback URL
        for every account it serves (Meta), so a delivery to one channel's URL can carry another page's events: the
        webhook view hands those to the organisation's channel for that account."""
        return set()

    def poll(self, state: Mapping[str, Any]) -> tuple[list[InboundItem], dict[str, Any]]:
        """For polling connectors: new items since ``state`` (a cursor the connector chose), and the new state."""
        raise NotImplementedError

    # -- outbound -----------------------------------------------------------------------------------------------
    def send(self, request: OutboundRequest) -> SendResult:
        """Carry out one outbound request on the platform; :class:`SendError` when it did not."""
        raise SendError(f"{self.kind} connector cannot send", retryable=False)

    def fetches(self, url: str) -> bool:
        """Whether :meth:`fetch_media` can download this attachment ``url`` (a platform media reference such as
        ``whatsapp-media:<id>``, or a platform link that expires); False leaves the attachment as it came."""
        return False

    def fetch_media(self, url: str, max_bytes: int) -> FetchedMedia:
        """Download one attachment; :class:`SendError` when the platform did not give it (retryable where it may
        work later), and a non-retryable one when it is bigger than ``max_bytes``."""
        raise SendError(f"{self.label or self.kind} cannot download attachments")

    #: Whether :meth:`fetch_profile` can name a customer whose deliveries carry only an id.
    fetches_profiles: ClassVar[bool] = False

    def fetch_profile(self, user_id: str) -> dict[str, str]:
        """The platform's profile of a customer: ``{"name": …, "handle": …}`` (either may be ""); :class:`SendError`
        when the platform did not give it."""
        raise SendError(f"{self.label or self.kind} cannot look up profiles")

    def register_webhook(self, url: str) -> str:
        """Tell the platform to deliver this channel's events to ``url``; returns what the platform said.
        :class:`SendError` with the platform's words when it refused (e.g. a URL that is not https)."""
        raise ConnectorError(f"{self.label or self.kind}: register the webhook URL on the platform's side")

    def check(self) -> HealthReport:
        """Try the credentials against the platform (one cheap authenticated call)."""
        return HealthReport(HealthStatus.UNKNOWN, "this connector cannot check its credentials")

    def post_length(self, text: str) -> int:
        """How long the platform counts ``text`` as a post (characters here; X weighs some characters double)."""
        return len(text)

    def post_problem(self, text: str) -> str:
        """Why ``text`` cannot be posted on this channel as it is ("" when it can): checked before a post is queued,
        so a person hears it at once instead of from the platform later."""
        name = self.label or self.kind
        if not self.can(Action.POST):
            return f"{name} cannot publish posts"
        if not text.strip():
            return "a post needs text"
        length = self.post_length(text.strip())
        if self.post_limit and length > self.post_limit:
            return f"{name} takes at most {self.post_limit} characters in a post; this text has {length}"
        return ""

    # -- helpers for the UI -------------------------------------------------------------------------------------
    def can(self, action: Action) -> bool:
        needs = ACTION_NEEDS[action]
        if needs is None:
            return True
        return needs in self.capabilities

    def reply_window_note(self, last_inbound_at: datetime | None, now: datetime) -> str:
        """A platform rule limiting free replies now (WhatsApp's 24-hour window), for the composer; "" when none."""
        return ""

    def template_required(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """True when only an approved template may be sent now (WhatsApp outside the 24-hour window)."""
        return False
