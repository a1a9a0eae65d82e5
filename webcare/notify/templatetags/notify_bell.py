"""The unread count for the notifications link in the inbox header (``notify/_bell.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from webcare.notify.send import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """How many of the signed-in person's notifications are unread (0 when nobody is signed in): one index-only
    count on ``notification_unread``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
