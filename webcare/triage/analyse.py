"""One message in, everything triage knows about it out: the combination of the detectors, still pure.

Order matters and is the reason this module exists: the language first (on the text without URLs and handles), then
personal data (its context words and phone region depend on the language), and every later detector — profanity,
sentiment, intent, register — reads only the **redacted** text, so no model ever sees a customer's identifiers and
numbers cannot pass for words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from webcare.triage.intent import detect_intents
from webcare.triage.language import DEFAULT_LANGUAGES, detect_language
from webcare.triage.pii import PiiSpan, find_pii, redact
from webcare.triage.priority import priority_for, urgency_signals
from webcare.triage.profanity import check_profanity
from webcare.triage.register import detect_register
from webcare.triage.sentiment import sentiment

#: Longest text the detectors read. E-mails can be 100,000 characters; the first part decides what a message is
#: about, and triage must stay fast (≥ 2,000 messages/s). Personal data is searched in the whole text.
ANALYSED_CHARS = 2_000


@dataclass(frozen=True)
class Triage:
    """What triage found in one message."""

    language: str
    pii: tuple[PiiSpan, ...]
    redacted_text: str
    profane: bool
    profanity_terms: tuple[str, ...]
    abuse_score: float
    sentiment: float
    sentiment_label: str
    intents: tuple[str, ...]
    register: str
    signals: tuple[str, ...]
    priority: int

    def pii_json(self) -> list[dict[str, Any]]:
        return [{"type": s.type, "start": s.start, "end": s.end, "kind": s.kind} for s in self.pii]


def analyse(text: str, *, public: bool, languages: Sequence[str] = DEFAULT_LANGUAGES,
            repeat_contact: bool = False) -> Triage:
    """Triage one message. ``public``: can everyone read it (a comment, a mention, a review)?"""
    language = detect_language(text[:ANALYSED_CHARS], tuple(languages))
    spans = tuple(find_pii(text, language))
    redacted = redact(text, spans) if spans else text
    head = redacted[:ANALYSED_CHARS]
    profanity = check_profanity(head, language)
    score, label = sentiment(head, language)
    intents = tuple(detect_intents(head, language, score))
    register = detect_register(head, language)
    signals = tuple(urgency_signals(text=head, language=language, public=public, has_pii=bool(spans),
                                    sentiment=score, profane=profanity.profane, abuse_score=profanity.abuse_score,
                                    repeat_contact=repeat_contact))
    return Triage(language=language, pii=spans, redacted_text=redacted, profane=profanity.profane,
                  profanity_terms=profanity.terms, abuse_score=round(profanity.abuse_score, 4),
                  sentiment=round(score, 4), sentiment_label=label, intents=intents, register=register,
                  signals=signals, priority=priority_for(signals, intents))


#: One sentence per language, so a warm-up touches every language's word lists and models.
WARM_UP_TEXTS = ("Hei, fakturaen min er feil. Ring meg på 912 34 567 takk", "Hej, min regning er forkert, tak",
                 "Hej, min faktura är fel, tack", "Hei, laskuni on väärin, kiitos", "Hoi, mijn factuur klopt niet",
                 "Hallo, meine Rechnung ist falsch, danke", "Hi, my invoice is wrong, thanks",
                 "Hei, fakturaen min er feil, eg ventar")


def warm_up() -> None:
    """Load the language, personal-data, profanity and sentiment models now rather than inside the first batch's
    transaction, where loading them (about a second) would hold the database's write lock while webhooks wait."""
    for text in WARM_UP_TEXTS:
        analyse(text, public=True)


#: Channel names (as ``webcare triage`` input gives them) whose messages are private; everything else — comments,
#: mentions, posts, reviews, and names we do not know — counts as public, the cautious side for personal data.
PRIVATE_CHANNEL_WORDS = ("dm", "direct", "private", "message", "messenger", "whatsapp", "telegram", "email",
                         "e-mail", "mail", "chat", "sms", "webchat", "phone")


def channel_is_public(channel: str) -> bool:
    """Whether a message on ``channel`` (a free-form name like "x", "facebook_comment", "email") is public."""
    name = channel.strip().lower().replace("-", "_")
    parts = set(name.replace(".", "_").replace(" ", "_").split("_"))
    return not any(word in parts or name == word for word in PRIVATE_CHANNEL_WORDS)
