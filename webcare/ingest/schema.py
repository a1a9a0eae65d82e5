"""webcare's own message format: what every connector, the REST API and the JSONL import turn a delivery into.

One pydantic model serves three purposes: validating API bodies (with errors naming the field), validating import
lines, and documenting the format in the OpenAPI schema. See docs/ingestion.md.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MAX_TEXT = 100_000


class AuthorIn(BaseModel):
    """Who wrote the message, as the platform identifies them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=255, description="The platform's stable id for the author.")
    handle: str = Field(default="", max_length=255, description="@handle, phone number or address as shown.")
    name: str = Field(default="", max_length=255, description="Display name.")
    followers: int | None = Field(
        default=None, ge=0,
        description="Follower count as the platform reports it. Accepted so connectors can pass what platforms send, "
                    "and deliberately ignored: priority and queue order never depend on reach, and it is not stored.")


class AttachmentIn(BaseModel):
    """Metadata of one attachment (the file itself is fetched by the channel connector)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    size: int | None = Field(default=None, ge=0)
    url: str = Field(default="", max_length=2000)


class MessageIn(BaseModel):
    """One message from a platform, in either direction."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=255, description="The platform's id; unique per channel.")
    conversation_id: str = Field(min_length=1, max_length=255,
                                 description="The platform's thread id (post, DM thread, e-mail thread).")
    conversation_kind: Literal["public", "private"] = Field(
        description="public: a comment/mention/review thread; private: a DM, WhatsApp, e-mail …")
    direction: Literal["inbound", "outbound"] = Field(
        default="inbound", description="inbound: from the customer; outbound: the brand's reply made on the platform.")
    public: bool | None = Field(default=None,
                                description="Whether the message is publicly visible; defaults to the thread's kind.")
    author: AuthorIn
    text: str = Field(default="", max_length=MAX_TEXT)
    subject: str = Field(default="", max_length=500)
    sent_at: AwareDatetime = Field(description="When the author sent it, ISO 8601 with a UTC offset.")
    in_reply_to: str = Field(default="", max_length=255, description="message_id this one answers, if known.")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)
    agent: str = Field(default="", max_length=150,
                       description="Outbound only: username of the agent who wrote it, if they have one here.")

    @model_validator(mode="after")
    def _has_content(self) -> Self:
        if not self.text.strip() and not self.attachments:
            raise ValueError("a message needs text or at least one attachment")
        if self.agent and self.direction != "outbound":
            raise ValueError("agent is only allowed on outbound messages")
        return self

    @property
    def is_public(self) -> bool:
        return self.public if self.public is not None else self.conversation_kind == "public"


class MessageUpdateIn(BaseModel):
    """A change to a message already on the platform: the customer edited or deleted it, or the platform reports
    what became of a reply (delivered, read, failed). Connectors produce these next to :class:`MessageIn`."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=255, description="The platform's id of the message changed.")
    change: Literal["edited", "deleted", "delivered", "read", "failed"]
    at: AwareDatetime = Field(description="When the platform says it happened.")
    text: str = Field(default="", max_length=MAX_TEXT, description="edited: the new text.")
    error: str = Field(default="", max_length=2000, description="failed: the platform's reason.")
