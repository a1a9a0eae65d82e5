"""The automatic replies' texts: the organisation's template for (kind, language, register), else its template for
(kind, language) in either register, else webcare's built-in text in that language, filled in ("we are back Monday
at 08:00"). A language with neither falls back to the organisation's first language, then English.

The choice and the filling-in are pure (:func:`render_auto_reply`); :class:`ReplyTexts` reads an organisation's
templates once, so an ingestion batch answering hundreds of customers costs two queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from webcare.hours.wording import REGISTERS, default_text, format_back_at, normalise_language

PLACEHOLDERS = ("back_at", "brand", "name")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([,.!?;:])")

#: (kind, language, register) → text; register "" is the template for either register.
Templates = Mapping[tuple[str, str, str], str]


class TemplateError(ValueError):
    """A template text that would not render as meant; names the placeholder."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_placeholders(text: str, field: str = "text") -> None:
    """Refuse a template using a placeholder other than {back_at}, {brand} and {name} (a typo would reach customers
    as "{bak_at}")."""
    for found in _PLACEHOLDER.findall(text):
        if found.strip() not in PLACEHOLDERS:
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise TemplateError(field, f"unknown placeholder {{{found}}}; use {known}")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the known placeholders (other braces stay as written); tidy what an empty {name} leaves ("Hi ,")."""
    filled = _PLACEHOLDER.sub(lambda match: values.get(match.group(1).strip(), match.group(0)), text)
    filled = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", filled)
    return re.sub(r"[ \t]{2,}", " ", filled).strip()


def choose_text(templates: Templates, organisation_languages: Sequence[str], kind: str, language: str,
                register: str) -> tuple[str, str]:
    """(text, language it is in): the organisation's template or the built-in one for the customer's language, else
    for the organisation's first language, else English."""
    register = register if register in REGISTERS else ""
    candidates = [normalise_language(language)]
    candidates += [normalise_language(code) for code in organisation_languages[:1]]
    candidates.append("en")
    for candidate in candidates:
        if not candidate:
            continue
        for key in ((kind, candidate, register), (kind, candidate, "")):
            if key in templates:
                return templates[key], candidate
        built_in = default_text(kind, candidate, register)
        if built_in is not None:
            return built_in, candidate
    raise ValueError(f"unknown automatic reply kind {kind!r}")


def render_auto_reply(templates: Templates, organisation_languages: Sequence[str], kind: str, language: str,
                      register: str, *, back_at: datetime | None, now: datetime, time_zone: str,
                      customer_name: str = "", brand: str = "") -> str:
    """The text to send, pure: :func:`choose_text`, then {back_at} (in the text's language), {brand}, {name}."""
    text, text_language = choose_text(templates, organisation_languages, kind, language, register)
    first_name = customer_name.strip().split()[0] if customer_name.strip() else ""
    return fill(text, {"back_at": format_back_at(back_at, now, time_zone, text_language), "brand": brand,
                       "name": first_name})


@dataclass
class ReplyTexts:
    """One organisation's templates and languages, read once (two queries) for many replies."""

    organisation_id: int
    templates: dict[tuple[str, str, str], str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    brand: str = ""

    @classmethod
    def load(cls, organisation_id: int) -> ReplyTexts:
        from webcare.core.models import Organisation
        from webcare.hours.models import AutoReplyTemplate

        organisation = Organisation.objects.only("name", "languages").get(pk=organisation_id)
        rows = AutoReplyTemplate.objects.filter(organisation_id=organisation_id)
        templates = {(kind, normalise_language(language), register): text
                     for kind, language, register, text in rows.values_list("kind", "language", "register", "text")}
        return cls(organisation_id, templates, list(organisation.languages or []), organisation.name)

    def text(self, kind: str, language: str, register: str, *, back_at: datetime | None, now: datetime,
             time_zone: str, customer_name: str = "", brand: str = "") -> str:
        return render_auto_reply(self.templates, self.languages, kind, language, register, back_at=back_at, now=now,
                                 time_zone=time_zone, customer_name=customer_name, brand=brand or self.brand)


def auto_reply_text(organisation_id: int, kind: str, language: str, register: str, *, back_at: datetime | None,
                    time_zone: str, customer_name: str = "", brand: str = "", now: datetime | None = None) -> str:
    """The text to send: ``kind`` is ``away`` or ``ack`` (webcare.hours.models.AutoReplyKind); ``language`` the
    customer's (falls back to the organisation's first language, then English); ``register`` formal/informal/"";
    ``back_at`` when the desk opens again (shown in ``time_zone``, in the customer's language), None when open.
    ``now`` decides "today"/"tomorrow" (the current time when None). ``brand`` defaults to the organisation's name."""
    from django.utils import timezone

    return ReplyTexts.load(organisation_id).text(kind, language, register, back_at=back_at,
                                                 now=now or timezone.now(), time_zone=time_zone,
                                                 customer_name=customer_name, brand=brand)
