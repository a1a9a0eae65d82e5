"""A web chat session: one visitor on a brand's site, holding one conversation with the brand.

The widget keeps the session's token in the visitor's browser (localStorage) and sends it in a header; only its
SHA-256 hash is stored, so the table cannot be used to take over a chat. There are no cookies, so nothing here needs
a consent banner beyond what the brand's site already has.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone

from webcare.core.models import Channel, hash_token


class ChatSession(models.Model):
    """One visitor's chat on one web chat channel."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="chat_sessions")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: The author id of the visitor's messages (``MessageIn.author.id``): their identity on this channel.
    visitor_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The conversation's platform id (``MessageIn.conversation_id``); the sender hands it back on every reply.
    conversation_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: What the visitor chose to tell (both optional).
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    #: The page's language when the chat started (nb, da, sv, fi, nl, en).
    language = models.CharField(max_length=8, blank=True)
    #: The site the chat was started on (the request's Origin), for agents and for abuse reports.
    origin = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # -- the per-session send limit: a fixed window, counted with conditional UPDATEs (safe across processes) ------
    window_started_at = models.DateTimeField(default=timezone.now)
    sends_in_window = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["channel", "-last_seen_at"], name="chatsession_channel_recent")]

    def __str__(self) -> str:
        return f"{self.channel.slug}: {self.name or self.email or self.visitor_id}"

    @classmethod
    def start(cls, channel: Channel, **fields: str) -> tuple[ChatSession, str]:
        """A new session and its plain token, which is never retrievable again."""
        token = secrets.token_urlsafe(32)
        session = cls.objects.create(channel=channel, token_hash=hash_token(token), **fields)
        return session, token
