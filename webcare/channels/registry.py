"""Which connector serves which channel kind. Connectors register by module path so importing the registry stays
cheap and a broken connector cannot stop the others from loading."""

from __future__ import annotations

import logging
from functools import cache

from django.utils.module_loading import import_string

from webcare.channels.base import Connector
from webcare.core.models import Channel

logger = logging.getLogger("webcare.channels")

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
    """The connector class for a channel kind, or None: the ``api`` kind has none (nothing to send to), and a
    connector module that cannot be imported is logged and treated as absent, so one broken connector cannot take
    the inbox, the sender or the other channels down with it."""
    path = CONNECTORS.get(kind)
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        logger.exception("the %s connector (%s) cannot be imported; its channels neither send nor receive", kind, path)
        return None


def connector_for(channel: Channel) -> Connector | None:
    cls = connector_class(channel.kind)
    return cls(channel) if cls else None
