"""Which connector serves which channel kind. Connectors register by module path so importing the registry stays
cheap and a broken connector cannot stop the others from loading."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from webcare.channels.base import Connector
from webcare.core.models import Channel

CONNECTORS: dict[str, str] = {
    "facebook": "webcare.channels.facebook.FacebookConnector",
    "instagram": "webcare.channels.instagram.InstagramConnector",
    "whatsapp": "webcare.channels.whatsapp.WhatsAppConnector",
    "x": "webcare.channels.x.XConnector",
    "telegram": "webcare.channels.telegram.TelegramConnector",
    "email": "webcare.channels.email.EmailConnector",
    "reviews": "webcare.channels.reviews.TrustpilotConnector",
    "webchat": "webcare.channels.webchat.WebChatConnector",
    "listening": "webcare.channels.listening.BlueskyListeningConnector",
}


@cache
def connector_class(kind: str) -> type[Connector] | None:
    """The connector class for a channel kind, or None (the ``api`` kind has none: nothing to send to)."""
    path = CONNECTORS.get(kind)
    return import_string(path) if path else None


def connector_for(channel: Channel) -> Connector | None:
    cls = connector_class(channel.kind)
    return cls(channel) if cls else None
