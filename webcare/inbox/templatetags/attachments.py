"""How a message's attachment shows in the conversation: a stored file opens from webcare, a platform link opens on
the platform, a platform reference is still being downloaded (webcare/channels/media.py)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STORED_PREFIX = "/attachments/"


@register.filter
def attachment_kind(attachment: Any) -> str:
    """'image' (stored, shown inline), 'file' (stored), 'link' (on the platform), 'pending' (not downloaded yet)."""
    if not isinstance(attachment, dict):
        return "pending"
    url = str(attachment.get("url") or "")
    if url.startswith(STORED_PREFIX):
        return "image" if str(attachment.get("content_type", "")).startswith("image/") else "file"
    if url.startswith(("https://", "http://")):
        return "link"
    return "pending"
