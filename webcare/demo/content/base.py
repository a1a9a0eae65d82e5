"""The small vocabulary the demo conversations are written in.

Why: the demo is the first thing a newcomer sees, so every conversation is written by hand, in the customer's own
language and register. To keep hundreds of hand-written threads readable, they are plain data built with a few short
helpers (``c`` for a customer line, ``a`` for an agent line, ``convo`` for a thread). Everything that varies per
build (names, handles, times, ids, which agent answers) is left to ``webcare.demo.scenario``, so the text stays free of
bookkeeping. Placeholders in the text: ``{first}``/``{full}`` (the customer's first/full name), ``{phone}``/``{email}``
(the customer's own contact details), ``{agent}`` (the replying agent's first name; every agent line must sign with
it), ``{month}``/``{month-1}``/``{month+2}`` (month names relative to when the thread starts) and ``{workday+1}``,
``{workday+2}`` … (the following working days), so that "the invoice for October" or "a technician on Thursday" is
right whenever the demo is built. Pure standard library on purpose: the scenario is tested without Django or a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Lang = Literal["nb", "nn", "da", "sv", "fi", "nl", "en"]
ChannelKind = Literal["facebook", "instagram", "x", "whatsapp", "telegram", "email", "webchat", "reviews"]
ConversationKind = Literal["public", "private"]
ScenarioKind = Literal["question", "complaint", "praise", "sales_lead", "troll", "pii_in_public", "outage"]
#: How the thread stands once all its lines are shown; the scenario turns it into a ticket status.
Ending = Literal["new", "open", "pending", "on_hold", "solved"]
#: Which country the customer is in; decides the time zone, phone format and (for English) which agents answer.
Market = Literal["no", "dk", "se", "fi", "nl"]

LANGUAGES: tuple[Lang, ...] = ("nb", "nn", "da", "sv", "fi", "nl", "en")
CHANNEL_KINDS: tuple[ChannelKind, ...] = (
    "facebook", "instagram", "x", "whatsapp", "telegram", "email", "webchat", "reviews",
)
#: Channels where every conversation is private by nature (no public comment threads exist there).
PRIVATE_ONLY: frozenset[ChannelKind] = frozenset({"whatsapp", "telegram", "email", "webchat"})


@dataclass(frozen=True)
class Attachment:
    """Metadata of a file sent with a message (the demo has no file bodies, only what the inbox lists)."""

    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Line:
    """One message of a thread, before names, times and ids are known.

    ``delay`` fixes the minutes since the previous message (otherwise the scenario picks a realistic one for the
    channel); ``at`` fixes the minutes since the scenario's anchor (the start of the outage) for anchored threads;
    ``lang`` marks a line written in another language than the thread's (people do switch).
    """

    inbound: bool
    text: str
    attachments: tuple[Attachment, ...] = ()
    delay: int | None = None
    at: int | None = None
    lang: Lang | None = None


@dataclass(frozen=True)
class Convo:
    """A hand-written conversation: the customer's lines, the agents' replies and how the ticket stands.

    ``follows`` names the key of an earlier conversation by the same person (on another channel), so the loader can
    show one customer with two identities. ``window`` bounds, in days before ``now``, when the first message may
    fall, and ``hours`` bounds its local hour (``(17, 22)``: from 17:00 to before 22:00) when the text says "this
    evening" or "the match starts in an hour". ``anchored`` threads (the outage) are timed from the outage start
    instead of being spread over two weeks. ``origin`` picks the name pool of an English-writing customer (``"pl"``
    for the Polish worker who calls home every day), where the text depends on it.
    """

    key: str
    lang: Lang
    channel: ChannelKind
    kind: ConversationKind
    scenario: ScenarioKind
    labels: tuple[str, ...]
    lines: tuple[Line, ...]
    ending: Ending = "solved"
    priority: int = 3
    subject: str | None = None
    notes: tuple[str, ...] = ()
    follows: str | None = None
    window: tuple[float, float] | None = None
    market: Market | None = None
    agent: str | None = None
    anchored: bool = False
    hours: tuple[int, int] | None = None
    origin: str | None = None


def c(text: str, *attachments: Attachment, delay: int | None = None, at: int | None = None,
      lang: Lang | None = None) -> Line:
    """A line the customer wrote (inbound)."""
    return Line(True, text, tuple(attachments), delay, at, lang)


def a(text: str, *attachments: Attachment, delay: int | None = None, at: int | None = None,
      lang: Lang | None = None) -> Line:
    """A line an agent wrote (outbound); the text must contain ``{agent}`` where the agent signs."""
    return Line(False, text, tuple(attachments), delay, at, lang)


def img(name: str, size: int) -> Attachment:
    """A photo or screenshot; the content type follows the file extension."""
    content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    return Attachment(name, content_type, size)


def pdf(name: str, size: int) -> Attachment:
    """A PDF, typically an invoice or a contract."""
    return Attachment(name, "application/pdf", size)


def convo(
    lang: Lang,
    key: str,
    channel: ChannelKind,
    kind: ConversationKind,
    scenario: ScenarioKind,
    labels: str,
    *lines: Line,
    ending: Ending = "solved",
    priority: int = 3,
    subject: str | None = None,
    notes: Sequence[str] = (),
    follows: str | None = None,
    window: tuple[float, float] | None = None,
    market: Market | None = None,
    agent: str | None = None,
    anchored: bool = False,
    hours: tuple[int, int] | None = None,
    origin: str | None = None,
) -> Convo:
    """Write down one conversation; ``labels`` is space-separated and the key gets the language as prefix.

    ``follows`` takes the full key of the earlier conversation, prefix included (e.g. ``"nb-invoice-double"``).
    """
    return Convo(
        key=f"{lang}-{key}",
        lang=lang,
        channel=channel,
        kind=kind,
        scenario=scenario,
        labels=tuple(labels.split()),
        lines=tuple(lines),
        ending=ending,
        priority=priority,
        subject=subject,
        notes=tuple(notes),
        follows=follows,
        window=window,
        market=market,
        agent=agent,
        anchored=anchored,
        hours=hours,
        origin=origin,
    )
