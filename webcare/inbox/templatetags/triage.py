"""What triage found, as the inbox shows it: badges on rows and messages, masked text with placeholder chips.

Why filters that return HTML instead of template markup: a list page renders 50–500 rows and a conversation up to 500
messages, and a template loop with an ``{% if %}`` per intent costs tens of microseconds per row (the rows' template is
most of the list's server time, docs/benchmarks.md). Here each badge is built once per interface language and value
(:func:`_badge`, cached), so a row's badges are a few dictionary lookups and one join.

Every piece of text is escaped before it is wrapped in markup: a message or subject is customer input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: The intents triage gives (webcare/triage/intent.py ``INTENTS``), as agents read them.
INTENTS = {
    "question": _("Question"),
    "complaint": _("Complaint"),
    "praise": _("Praise"),
    "sales_lead": _("Sales lead"),
    "spam": _("Spam"),
    "other": _("Other"),
}

#: Sentiment: a face whose mouth differs (not only its colour), and the words a screen reader says instead. Drawn
#: as SVG so it looks the same whatever fonts the agent's computer has.
SENTIMENTS = {
    "negative": ("M4.6 11.9Q8 8.7 11.4 11.9", _("negative tone")),
    "neutral": ("M5 10.6H11", _("neutral tone")),
    "positive": ("M4.6 9.6Q8 13 11.4 9.6", _("positive tone")),
}
FACE = ('<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="6.9" fill="none" '
        'stroke="currentColor" stroke-width="1.4"/><circle cx="5.6" cy="6.3" r="1.05" fill="currentColor"/>'
        '<circle cx="10.4" cy="6.3" r="1.05" fill="currentColor"/><path d="{}" fill="none" stroke="currentColor" '
        'stroke-width="1.4" stroke-linecap="round"/></svg>')

#: "unknown" (a language without a formal address) is not shown.
REGISTERS = {"formal": _("formal"), "informal": _("informal")}

#: Urgency signals (webcare/triage/priority.py), most urgent first: the order they are shown in.
SIGNALS = {
    "pii_public": _("urgent: personal data in public"),
    "threat": _("threat to go public or leave"),
    "anger": _("angry"),
    "repeat_contact": _("wrote on another channel this week"),
}

#: The placeholders of the redacted text (webcare/triage/pii.py ``redact``) and what each stands for.
PLACEHOLDERS = {
    "EMAIL": _("e-mail address"),
    "PHONE": _("phone number"),
    "CARD": _("card number"),
    "IBAN": _("account number"),
    "NATIONAL_ID": _("national ID number"),
}
PLACEHOLDER = re.compile(r"\[(" + "|".join(PLACEHOLDERS) + r")\]")

#: Names of the languages triage tells apart, in the agent's language (Django's own names lack a few, e.g. bokmål).
LANGUAGE_NAMES = {
    "nb": _("Norwegian bokmål"),
    "nn": _("Norwegian nynorsk"),
    "da": _("Danish"),
    "sv": _("Swedish"),
    "fi": _("Finnish"),
    "nl": _("Dutch"),
    "de": _("German"),
    "en": _("English"),
}


def language_name(code: str) -> str:
    """The message language's name in the agent's language; Django's name for others; the code as a last resort."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@lru_cache(maxsize=2048)
def _badge(ui_language: str | None, kind: str, value: str) -> str:
    """One badge's HTML in one interface language (the cache key holds it, so a switch of language is a new entry)."""
    if kind == "language":
        return format_html('<span class="tri tri-lang" data-language="{}"><span aria-hidden="true">{}</span>'
                           '<span class="visually-hidden">{}</span></span>', value, value.upper(),
                           _("language: %(name)s") % {"name": language_name(value)})
    if kind == "sentiment":
        mouth, words = SENTIMENTS[value]
        return format_html('<span class="tri tri-sentiment tri-{}" data-sentiment="{}">' + FACE +
                           '<span class="visually-hidden">{}</span></span>', value, value, mouth, words)
    if kind == "intent":
        return format_html('<span class="tri tri-intent tri-{}">{}</span>', value, INTENTS[value])
    if kind == "register":
        return format_html('<span class="tri tri-register">{}</span>', REGISTERS[value])
    if kind == "signal":
        return format_html('<span class="tri tri-signal tri-signal-{}">{}</span>', value.replace("_", "-"),
                           SIGNALS[value])
    raise ValueError(kind)


def _badges(language: str, sentiment_label: str, intents: Iterable[str], register_: str,
            signals: Iterable[str] = ()) -> SafeString:
    ui = get_language()
    parts = [_badge(ui, "signal", s) for s in sorted(signals or (), key=_signal_order) if s in SIGNALS]
    if language:
        parts.append(_badge(ui, "language", language))
    if sentiment_label in SENTIMENTS:
        parts.append(_badge(ui, "sentiment", sentiment_label))
    parts += [_badge(ui, "intent", i) for i in intents or () if i in INTENTS]
    if register_ in REGISTERS:
        parts.append(_badge(ui, "register", register_))
    return mark_safe(" ".join(parts))  # noqa: S308 — every part is built by format_html from escaped values  # nosec B308 B703


def _signal_order(signal: str) -> int:
    return list(SIGNALS).index(signal) if signal in SIGNALS else len(SIGNALS)


@register.filter
def triage_badges(item: Any) -> SafeString:
    """Language, sentiment, intents and register of a ticket (its newest inbound message) or of a message; a
    message's urgency signals first. Empty when nothing was found (not triaged yet, or an outbound message)."""
    return _badges(item.language, item.sentiment_label, item.intents, item.register, getattr(item, "signals", ()))


def _chip(match: re.Match[str]) -> str:
    return _placeholder_chip(get_language(), match.group(1))


@lru_cache(maxsize=256)
def _placeholder_chip(ui_language: str | None, kind: str) -> str:
    """The chip for one placeholder: what was hidden, said as words ("hidden: phone number"), not "[PHONE]"."""
    return format_html('<span class="pii-chip" data-pii="{}"><span class="visually-hidden">{} </span>{}</span>',
                       kind, _("hidden:"), PLACEHOLDERS[kind])


@register.filter(is_safe=True)
def masked(text: str) -> SafeString:
    """A one-line text (a subject) escaped, with each placeholder of the redacted text as a chip instead of
    "[PHONE]". Escaping comes first, so only our own markup is ever added: brackets and capitals survive escaping,
    so the placeholders are still found in the escaped text."""
    escaped = escape(text or "")
    if "[" not in escaped:
        return escaped
    return mark_safe(PLACEHOLDER.sub(_chip, escaped))  # noqa: S308 — escaped above; _chip escapes what it adds  # nosec B308 B703


@register.filter(is_safe=True)
def masked_text(text: str) -> SafeString:
    """A message's redacted text as :func:`masked` does it, with line breaks kept (like ``linebreaksbr``)."""
    escaped = escape(text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return mark_safe(PLACEHOLDER.sub(_chip, escaped))  # noqa: S308 — escaped above; _chip escapes what it adds  # nosec B308 B703

