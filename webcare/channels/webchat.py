"""Web chat: the brand's own chat widget, embedded on its site with one script tag (``webcare/webchat``).

There is no platform in between: the widget talks to webcare's ``/chat/<webhook_key>/`` endpoints, which store each
visitor message through :func:`webcare.channels.inbound.store_items` like any webhook delivery, so the same worker,
triage and inbox handle it. Replies need no platform call either — the widget reads the brand's sent messages from
the database — so :meth:`WebChatConnector.send` only confirms, and it is idempotent by nature.

Ids (what :meth:`WebChatConnector.message_item` produces and :meth:`send` gets back from the sender):

- ``conversation_id``: the chat session's ``conversation_id`` (a UUID made by webcare when the chat starts);
- ``message_id`` (and the event id): the UUID the widget made for the message, so a resend after a lost answer is
  the same event and stores nothing twice. UUIDs do not collide across sessions;
- ``author.id``: the session's ``visitor_id`` (a UUID); ``author.name`` is the name the visitor gave and
  ``author.handle`` their e-mail address, or ``visitor-<first 8 of the id>`` when they gave none, so agents can tell
  anonymous visitors apart;
- the reply's platform id: ``webchat:<idempotency key>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from webcare.channels.base import (
    Action,
    Capability,
    Connector,
    CredentialField,
    HealthReport,
    HealthStatus,
    InboundItem,
    ItemKind,
    OutboundRequest,
    SendError,
    SendResult,
)


def normalise_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case, as browsers send it in the ``Origin`` header: a path or a trailing
    slash is dropped, and so is the scheme's default port. Text that is not an address is returned lower-cased."""
    value = value.strip().lower()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return value.rstrip("/")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    default = ":443" if parts.scheme == "https" else ":80"
    return f"{parts.scheme}://{netloc.removesuffix(default)}"


def parse_origins(value: Any) -> list[str]:
    """``allowed_origins`` as the admin form stores it (one string, separated by spaces, commas or new lines) or as
    a list, each normalised by :func:`normalise_origin`."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    return [normalise_origin(str(item)) for item in items if str(item).strip()]


class WebChatConnector(Connector):
    """The web chat channel: inbound from the widget's endpoints, outbound read by the widget from the database."""

    kind = "webchat"
    label = "Web chat"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    credential_fields = (
        CredentialField(
            "allowed_origins", "Sites the chat may run on", secret=False,
            help="The brand's site addresses, e.g. https://www.fjordnett.no https://fjordnett.no — separated by "
                 "spaces or commas. The widget is refused on any other site."),
        CredentialField("title", "Title in the chat window", secret=False, required=False,
                        help="Shown at the top of the chat, e.g. Fjordnett kundeservice. Default: the channel name."),
        CredentialField("accent_color", "Accent colour", secret=False, required=False,
                        help="The launcher and the visitor's messages, as #rrggbb. Default: a dark teal."),
    )
    #: Nothing leaves webcare, so the platform-side limit is the database's.
    rate_per_second = 100.0
    #: Confirming twice cannot post twice: the reply is the stored message itself.
    idempotent_sends = True
    #: The widget's own endpoints (``webcare/webchat/views.py``) take the visitor's messages, not ``/hooks/``.
    webhook = False

    @property
    def allowed_origins(self) -> list[str]:
        return parse_origins(self.channel.settings.get("allowed_origins"))

    @staticmethod
    def message_item(*, message_id: str, conversation_id: str, visitor_id: str, name: str, email: str, text: str,
                     sent_at: datetime, raw: dict[str, Any]) -> InboundItem:
        """The visitor's message as a normalised private :class:`~webcare.ingest.schema.MessageIn` item."""
        payload = {
            "message_id": message_id,
            "conversation_id": conversation_id,
            "conversation_kind": "private",
            "direction": "inbound",
            "author": {"id": visitor_id, "handle": email or f"visitor-{visitor_id[:8]}", "name": name},
            "text": text,
            "sent_at": sent_at.isoformat(),
        }
        return InboundItem(event_id=message_id, kind=ItemKind.MESSAGE, payload=payload, raw=raw,
                           conversation_id=conversation_id)

    def send(self, request: OutboundRequest) -> SendResult:
        """Confirm a reply: the widget shows the brand's messages the sender has marked sent."""
        if request.action != Action.REPLY:
            raise SendError(f"web chat cannot {request.action.value.replace('_', ' ')}: there is only the reply",
                            retryable=False)
        if not request.conversation_id:
            raise SendError("the reply names no web chat conversation", retryable=False)
        return SendResult(external_id=f"webchat:{request.idempotency_key}")

    def check(self) -> HealthReport:
        """Nothing to authenticate; what can be wrong is a channel no site may embed."""
        origins = self.allowed_origins
        if not origins:
            return HealthReport(HealthStatus.FAILING,
                                "no allowed origins: every site is refused; add the brand's site addresses")
        bad = [origin for origin in origins if not origin.startswith(("https://", "http://"))]
        if bad:
            return HealthReport(HealthStatus.FAILING,
                                f"allowed origin {bad[0]!r} is not an address like https://www.example.no")
        return HealthReport(HealthStatus.OK, f"{self.channel.name}: widget allowed on {', '.join(origins)}")
