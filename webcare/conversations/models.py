"""Conversations (one thread on one channel) and their messages, in both directions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webcare.core.models import Channel, Organisation
from webcare.customers.models import Customer, Identity
from webcare.keys.fields import EncryptedJSONField, EncryptedTextField


class ConversationKind(models.TextChoices):
    """A public comment thread (post, mention, review) or a private message thread (DM, WhatsApp, e-mail)."""

    PUBLIC = "public", "Public thread"
    PRIVATE = "private", "Private messages"


class Conversation(models.Model):
    """One thread on one channel, identified by the platform's thread id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="conversations")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="conversations")
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=ConversationKind.choices)
    #: The customer the thread is with (the author of its first inbound message).
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="conversations")
    subject = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    #: When the acknowledgement guarantee's holding reply went out (once per conversation, ever).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    #: When the last "we are closed, back at …" reply went out (at most one per closed period).
    away_replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="conversation_unique")]
        indexes = [
            models.Index(fields=["customer", "-last_message_at"], name="conversation_customer_recent"),
            models.Index(fields=["organisation", "-last_message_at", "-id"], name="conversation_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel.slug}/{self.external_id}"


class Direction(models.TextChoices):
    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "From the brand"


class DeliveryStatus(models.TextChoices):
    """Inbound messages are ``received``; outbound ones go queued → sent (→ delivered → read, where the platform tells),
    or failed (with the reason), or uncertain: the platform stopped answering mid-send, so it may have been posted —
    a person checks and retries (never the sender by itself: no double posts)."""

    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"
    UNCERTAIN = "uncertain", "Maybe sent"


class Message(models.Model):
    """One message in a conversation: the customer's, or the brand's reply."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="messages")
    #: The platform's id for the message; null for a reply not yet delivered. Unique per channel, which is what makes
    #: a re-delivered webhook or a re-imported file add nothing.
    external_id = models.CharField(max_length=255, null=True, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    is_public = models.BooleanField()
    author_identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    #: Shown name of the author as the platform gave it (the brand's account name for platform-side replies).
    author_name = models.CharField(max_length=255, blank=True)
    #: The original text, encrypted at rest with the data key of the conversation's customer (webcare/keys): a dump
    #: or backup of this table does not show it, and erasing the customer destroys the key. Lists, search and
    #: analytics read :attr:`redacted_text` instead, which needs no decryption.
    text = EncryptedTextField(blank=True)
    subject = models.CharField(max_length=500, blank=True)
    #: Attachment metadata: [{"name", "content_type", "size", "url"}].
    attachments = models.JSONField(default=list, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    delivery_status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    delivery_error = models.TextField(blank=True)
    #: The customer edited the message on the platform: when, and the earlier texts [{"at", "text"}], oldest first
    #: (encrypted at rest like ``text``).
    edited_at = models.DateTimeField(null=True, blank=True)
    edits = EncryptedJSONField(default=list, blank=True)
    #: The customer (or the brand on the platform) deleted it there; the text is kept here until erased on purpose.
    deleted_at = models.DateTimeField(null=True, blank=True)
    #: A public comment hidden on the platform by the brand (moderation).
    hidden = models.BooleanField(default=False)
    #: An automatic reply (``away``: outside opening hours; ``ack``: the acknowledgement guarantee's holding reply;
    #: ``rule``: a routing rule's auto-reply): sent by webcare, not an answer, so it neither ends the customer's wait
    #: nor counts as a response.
    automatic = models.CharField(max_length=8, blank=True, default="")
    #: The inbound event this message came from (null for replies written in webcare).
    event = models.ForeignKey("ingest.InboundEvent", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="messages")

    # -- triage (webcare/triage): set by the ingestion worker on inbound messages before an agent sees them --------
    #: When triage ran; null for outbound messages and for inbound ones not triaged yet.
    triaged_at = models.DateTimeField(null=True, blank=True)
    #: ISO 639-1 ("nb"/"nn" for Norwegian); "" when unknown.
    language = models.CharField(max_length=8, blank=True)
    #: Personal data found: [{"type": "PHONE", "start": 12, "end": 23, "kind": "e164"}] (offsets into ``text``).
    pii = models.JSONField(default=list, blank=True)
    #: ``text`` with each piece of personal data replaced by a typed placeholder ([EMAIL], [PHONE] …); equal to
    #: ``text`` when there is none. Always filled (by triage for inbound messages, when written for the brand's), so
    #: lists, search and analytics never decrypt ``text``. Whether there was personal data: :attr:`pii`.
    redacted_text = models.TextField(blank=True)
    profane = models.BooleanField(default=False)
    #: The profanity lexicon's canonical terms that matched (for the agent: why the message is blurred).
    profanity_terms = models.JSONField(default=list, blank=True)
    abuse_score = models.FloatField(null=True, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    sentiment_label = models.CharField(max_length=8, blank=True)
    intents = models.JSONField(default=list, blank=True)
    register = models.CharField(max_length=8, blank=True)
    #: Urgency signals that set the priority: "pii_public", "anger", "threat", "repeat_contact".
    signals = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], condition=Q(external_id__isnull=False),
                                    name="message_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["conversation", "sent_at", "id"], name="message_thread_order"),
            models.Index(fields=["ticket", "sent_at"], name="message_ticket_order"),
            models.Index(fields=["organisation", "sent_at", "id"], name="message_org_feed"),
            # The answered-everything measure (webcare/supervision/answered.py): a window of customers' messages, and
            # for each "is there a later reply by a person in its conversation?" (docs/benchmarks.md, dashboard).
            models.Index(fields=["organisation", "sent_at"], condition=Q(direction="inbound"),
                         name="message_org_inbound"),
            models.Index(fields=["conversation", "sent_at"], condition=Q(direction="outbound", automatic=""),
                         name="message_human_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.external_id or self.pk}"

    @property
    def safe_text(self) -> str:
        """The text with personal data replaced by placeholders: what search, analytics and masked views get.
        (The original only for a message not triaged yet, whose masked text is still empty.)"""
        return self.redacted_text or self.text

    def encryption_owner(self) -> tuple[int, int | None]:
        """Whose key encrypts this message: its conversation's customer (the organisation's key when none)."""
        if Message._meta.get_field("conversation").is_cached(self):  # type: ignore[attr-defined]
            customer_id = self.conversation.customer_id
        else:
            customer_id = (Conversation.objects.filter(pk=self.conversation_id)
                           .values_list("customer_id", flat=True).first())
        return self.organisation_id, customer_id

    @property
    def has_public_pii(self) -> bool:
        return bool(self.pii) and self.is_public
